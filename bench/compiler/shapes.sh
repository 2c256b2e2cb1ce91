#!/bin/sh
# bench/compiler/shapes.sh - compile time of pathological but valid programs
# (issue 6 item 7: "the compiler's cost grows linearly with the program").
#
# Writes one program per shape and times `vex check`, `vex emit-c` and
# `vex build` of it, each under `timeout` and a memory cap, so a blow-up is
# reported rather than hung. One stdout line per shape and command:
#
#   vex-compile SHAPE/check seconds 0.12
#   vex-compile SHAPE/build seconds timeout      (over SHAPES_TIMEOUT s)
#   vex-compile SHAPE/build seconds failed       (non-zero exit: out of
#                                                 memory under the cap, or
#                                                 an error; the first lines
#                                                 of stderr follow as `# `)
#
# The shapes, with the size used (the issue's figures before the MIR rewrite
# are in bench/compiler/README.md; the goal is every one under 2 s):
#   for_nest     N nested `for` loops (24)
#   fstring_1mb  one f-string of about 1 MB, a hole every 32 bytes
#   match_arms   a `match` on an integer with N arms (50,000)
#   struct_lit   a struct of N fields and a literal whose every field is a
#                call with a side effect (4,000)
#   vec_lit      a Vec<i64> literal of N constant elements (20,000)
#   const_chain  N constants, each defined from the one before (10,000)
#   call_chain   N functions, each calling the one before (10,000)
#   locals       one function with N `let`s, all live to the end (10,000)
#   binop_chain  N statements, each a chain of 900 `+` (200)
#   nest_blocks  N functions of 15 `if`s, each holding a block (500)
#
#   sh bench/compiler/shapes.sh [SHAPE[=N]...]   (default: every shape at
#                                                its size above; a size given
#                                                here shows in the name)
#   VEX=path/to/vex (default bin/vex), SHAPES_TIMEOUT seconds per command
#   (default 60), SHAPES_MEM_KB the `ulimit -v` cap (default 4194304, 4 GB),
#   SHAPES_KEEP=DIR keeps the generated programs there.
cd "$(dirname "$0")/../.." || exit 2
VEX=${VEX:-bin/vex}
TIMEOUT=${SHAPES_TIMEOUT:-60}
MEM_KB=${SHAPES_MEM_KB:-4194304}
[ -x "$VEX" ] || { echo "bench/compiler: $VEX not built (make)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# vex run/build caches under XDG_CACHE_HOME: keep this run's cache apart
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME

# gen SHAPE N: the program on stdout
gen() {
  awk -v shape="$1" -v n="$2" '
  function side() {
    print "fn side(k: i32): i32 {"
    print "    $print(\"\")"
    print "    k"
    print "}"
  }
  BEGIN {
    if (shape == "for_nest") {
      print "fn main() {"
      print "    let! total: i64 = 0"
      ind = "    "
      for (i = 0; i < n; i++) { print ind "for i" i " in 0..1 {"; ind = ind "    " }
      s = "i0"; for (i = 1; i < n; i++) s = s " + i" i
      print ind "total += (" s ") as i64 + 1"
      for (i = n - 1; i >= 0; i--) { ind = substr(ind, 5); print ind "}" }
      print "    $println(total)"
      print "}"
    } else if (shape == "fstring_1mb") {
      # n is the size in bytes
      print "fn main() {"
      print "    let x = 7"
      printf "    let s = f\""
      for (b = 0; b < n; b += 32) printf "abcdefghijklmnopqrstuvwxyz {x} "
      print "\""
      print "    $println(s.len())"
      print "}"
    } else if (shape == "match_arms") {
      print "fn pick(k: i32): i32 {"
      print "    match k {"
      for (i = 0; i < n; i++) print "        " i " => " (i * 7 % 1000) ","
      print "        _ => -1,"
      print "    }"
      print "}"
      print "fn main() { $println(pick(12345)) }"
    } else if (shape == "struct_lit") {
      side()
      print "struct Wide {"
      for (i = 0; i < n; i++) print "    f" i ": i32,"
      print "}"
      print "fn main() {"
      print "    let w = Wide {"
      for (i = n - 1; i >= 0; i--) print "        f" i ": side(" i "),"
      print "    }"
      print "    $println(w.f0 + w.f" (n - 1) ")"
      print "}"
    } else if (shape == "vec_lit") {
      print "fn main() {"
      printf "    let v: Vec<i64> = ["
      for (i = 0; i < n; i++) printf "%s%d", (i ? ", " : ""), (i * 2654435761) % 1000003
      print "]"
      print "    $println(v.len())"
      print "}"
    } else if (shape == "const_chain") {
      print "const C0: i64 = 1"
      for (i = 1; i < n; i++) print "const C" i ": i64 = C" (i - 1) " + " (i % 3)
      print "fn main() { $println(C" (n - 1) ") }"
    } else if (shape == "call_chain") {
      print "fn f0(x: i64): i64 { x + 1 }"
      for (i = 1; i < n; i++) print "fn f" i "(x: i64): i64 { f" (i - 1) "(x) + " (i % 3) " }"
      print "fn main() { $println(f" (n - 1) "(0)) }"
    } else if (shape == "locals") {
      print "fn main() {"
      for (i = 0; i < n; i++) print "    let a" i ": i64 = " i
      s = "a0"; for (i = 1; i < n; i += 1) { print "    let! s" i " = a" i " + a" (i - 1) }
      print "    let! t: i64 = 0"
      for (i = 0; i < n; i += 97) print "    t += a" i
      print "    $println(t)"
      print "}"
    } else if (shape == "binop_chain") {
      print "fn main() {"
      print "    let x: i64 = 1"
      print "    let! t: i64 = 0"
      for (i = 0; i < n; i++) {
        printf "    t += x"
        for (j = 0; j < 900; j++) printf " + x"
        print ""
        print "    t -= 900"
      }
      print "    $println(t)"
      print "}"
    } else if (shape == "nest_blocks") {
      for (k = 0; k < n; k++) {
        print "fn g" k "(x: i32): i32 {"
        ind = "    "
        for (i = 0; i < 15; i++) { print ind "if x > " i " {"; ind = ind "    "; print ind "let y" i " = {"; ind = ind "    " }
        print ind "x"
        for (i = 14; i >= 0; i--) {
          ind = substr(ind, 5); print ind "}"
          print ind "y" i " + 1"
          ind = substr(ind, 5); print ind "} else { 0 }"
        }
        print "}"
      }
      print "fn main() {"
      print "    let! t = 0"
      for (k = 0; k < n; k++) print "    t += g" k "(3)"
      print "    $println(t)"
      print "}"
    } else {
      print "shapes: unknown shape " shape > "/dev/stderr"
      exit 2
    }
  }'
}

# time_one SHAPE CMD FILE: prints the result line
time_one() {
  shape=$1; cmd=$2; src=$3
  case $cmd in
    check) set -- check "$src" ;;
    emit-c) set -- emit-c "$src" ;;
    build) set -- build "$src" -o "$tmp/a.out" ;;
  esac
  t0=$(date +%s%N)
  (ulimit -v "$MEM_KB"; exec timeout -k 5 "$TIMEOUT" "$VEX" "$@") > "$tmp/out" 2> "$tmp/err" < /dev/null
  rc=$?
  t1=$(date +%s%N)
  if [ $rc = 124 ] || [ $rc = 137 ]; then
    echo "vex-compile $shape/$cmd seconds timeout"
    echo "# $shape/$cmd: killed after ${TIMEOUT}s" >&2
  elif [ $rc != 0 ]; then
    echo "vex-compile $shape/$cmd seconds failed"
    echo "# $shape/$cmd: exit $rc after $(( (t1 - t0) / 1000000 )) ms (memory cap ${MEM_KB} KB):" >&2
    head -n 4 "$tmp/err" | cut -c1-200 | sed 's/^/#   /' >&2
  else
    awk -v ns=$((t1 - t0)) -v s="$shape/$cmd" 'BEGIN { printf "vex-compile %s seconds %.3f\n", s, ns / 1e9 }'
  fi
}

ALL="for_nest=24 fstring_1mb=1048576 match_arms=50000 struct_lit=4000 vec_lit=20000 const_chain=10000 call_chain=10000 locals=10000 binop_chain=200 nest_blocks=500"
[ $# -gt 0 ] || set -- $ALL
echo "# bench/compiler/shapes: timeout ${TIMEOUT}s, ulimit -v ${MEM_KB} KB, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for arg in "$@"; do
  shape=${arg%%=*}
  n=${arg#*=}
  label=$arg   # the shape's name, with =N when the size was given
  if [ "$n" = "$arg" ]; then
    n=$(echo "$ALL" | tr ' ' '\n' | sed -n "s/^$shape=//p")
    [ -n "$n" ] || { echo "shapes: unknown shape $shape" >&2; exit 2; }
  fi
  src=$tmp/$shape.vx
  gen "$shape" "$n" > "$src" || exit 2
  [ -z "${SHAPES_KEEP:-}" ] || { mkdir -p "$SHAPES_KEEP"; cp "$src" "$SHAPES_KEEP/$shape-$n.vx"; }
  echo "# $shape n=$n: $(wc -l < "$src") lines, $(wc -c < "$src") bytes" >&2
  for cmd in check emit-c build; do
    time_one "$label" $cmd "$src"
  done
done
