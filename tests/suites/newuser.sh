#!/bin/sh
# tests/suites/newuser.sh - what a new user meets in the first hour (issue
# 11): the C compiler is never heard, the command line says what is wrong,
# an interrupted build leaves nothing running. Everything happens in one
# temp dir (removed at exit) with its own XDG_CACHE_HOME; every command runs
# under `timeout`. Prints `PASS newuser-NAME` or `FAIL newuser-NAME: why`.

: "${VEX_OUT:=.}" "${VARIANT:=default}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
TO=${VEX_TEST_TIMEOUT:-60}
if [ ! -x "$VEX" ]; then
  echo "newuser: no compiler at $VEX (build it with make)" >&2
  exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM HUP
export XDG_CACHE_HOME="$tmp/cache"
unset VEX_CC VEX_KEEP_C

pass() { echo "PASS newuser-$1"; }
# fail NAME WHY [FILE...]: the FAIL line, then the first lines of each FILE
fail() {
  n=$1 w=$2
  shift 2
  echo "FAIL newuser-$n: $w"
  for f in "$@"; do
    [ -s "$f" ] && { echo "  $(basename "$f"):"; sed -n '1,10s/^/    /p' "$f" | cut -c1-200; }
  done
  return 0
}
# vx ARGS...: vex in $tmp under a timeout, stdout to $tmp/out, stderr to
# $tmp/err, the exit status in $rc
vx() {
  (cd "$tmp" && exec timeout -k 5 "$TO" "$VEX" "$@") > "$tmp/out" 2> "$tmp/err" < /dev/null
  rc=$?
}
# has TEXT: does $tmp/err hold TEXT?
has() { grep -Fq -e "$1" "$tmp/err"; }

# ---- the command line says what is wrong ----

vx biuld unused.vx
if [ $rc = 2 ] && [ ! -s "$tmp/out" ] && has 'unknown command `biuld`; did you mean `build`?' &&
   [ "$(wc -l < "$tmp/err")" = 1 ]; then
  pass command-did-you-mean
else
  fail command-did-you-mean "status $rc, want 2 and one line \"did you mean \`build\`?\"" "$tmp/out" "$tmp/err"
fi

echo '1 + 2' > "$tmp/calc.txt"
vx run calc.txt
if [ $rc = 2 ] && has 'expected a .vx file' && has 'calc.txt'; then
  pass not-a-vx-file
else
  fail not-a-vx-file "status $rc, want 2 and \"expected a .vx file\"" "$tmp/err"
fi

mkdir -p "$tmp/some_dir" "$tmp/odd.vx"
ok=1
for d in some_dir/ some_dir odd.vx; do
  vx check "$d"
  [ $rc = 2 ] && has "$d is a directory" || { ok=0; break; }
done
[ $ok = 1 ] && pass is-a-directory || fail is-a-directory "vex check $d: status $rc, want 2 and \"is a directory\"" "$tmp/err"

vx build --relase unused.vx
if [ $rc = 2 ] && has 'unknown option `--relase`'; then
  pass unknown-option
else
  fail unknown-option "status $rc, want 2 and \"unknown option\"" "$tmp/err"
fi

# ---- the C compiler is never heard ----

cat > "$tmp/unused.vx" <<'VX'
fn helper(a: i32, b: string): i32 { 5 }
fn main() {
    $println("hi")
}
VX
vx run unused.vx
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = hi ] && [ ! -s "$tmp/err" ]; then
  pass quiet-run
else
  fail quiet-run "status $rc, want 0, \`hi\` and nothing on stderr" "$tmp/out" "$tmp/err"
fi
vx build unused.vx -o unused
if [ $rc = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && [ -x "$tmp/unused" ]; then
  pass quiet-build
else
  fail quiet-build "status $rc, want 0 and no output" "$tmp/out" "$tmp/err"
fi

# whatever cc still says about the generated C is an internal compiler
# error with the Vex location (here -Wpedantic provokes it)
VEX_CC="cc -Wpedantic" vx build unused.vx -o unused2
if [ $rc = 1 ] && has 'error: internal compiler error: the C compiler' &&
   grep -Eq '^ *--> unused.vx:3:[0-9]+$' "$tmp/err" && has 'the generated C there:' && has 'a bug in vex'; then
  pass cc-output-is-ice
else
  fail cc-output-is-ice "status $rc, want 1 and an internal compiler error at unused.vx:3" "$tmp/err"
fi

# what cc says about the user's own .c file reaches the user as it is
cat > "$tmp/warn.c" <<'C'
int seven(void) { int unused; return 7; }
C
cat > "$tmp/usec.vx" <<'VX'
extern "C" fn seven(): i32
fn main() { $println(seven()) }
VX
vx run usec.vx warn.c
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = 7 ] && has "warn.c:1:" && ! has 'internal compiler error'; then
  pass user-c-warnings
else
  fail user-c-warnings "status $rc, want 0, 7 and cc's warning about warn.c" "$tmp/out" "$tmp/err"
fi

# ---- an interrupted build leaves no C compiler running ----

# The fake C compiler starts a grandchild (as gcc starts cc1) and waits.
mkdir -p "$tmp/slowcc"
cat > "$tmp/slowcc/cc" <<EOF
#!/bin/sh
sleep 300 &
echo \$! > "$tmp/slowcc/grandchild"
wait
mkdir -p "$tmp/slowcc"
cat > "$tmp/slowcc/cc" <<EOF
#!/bin/sh
sleep 300 &
echo \$! > "$tmp/slowcc/grandchild"
wait
EOF
chmod +x "$tmp/slowcc/cc"
(cd "$tmp" && VEX_CC="$tmp/slowcc/cc" exec "$VEX" build unused.vx -o slow) > /dev/null 2>&1 &
vpid=$!
i=0
while [ ! -s "$tmp/slowcc/grandchild" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
gc=$(cat "$tmp/slowcc/grandchild" 2>/dev/null)
kill -TERM $vpid 2> /dev/null
{ wait $vpid; } 2> /dev/null
# alive PID: is PID running (not a zombie waiting to be reaped)?
alive() { kill -0 "$1" 2> /dev/null && [ "$(ps -o stat= -p "$1" 2> /dev/null | cut -c1)" != Z ]; }
i=0
while [ -n "$gc" ] && alive "$gc" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -z "$gc" ]; then
  fail signal-kills-cc "the fake C compiler never started"
elif alive "$gc"; then
  kill "$gc" 2> /dev/null
  fail signal-kills-cc "vex build killed by SIGTERM left the C compiler's child $gc running"
else
  pass signal-kills-cc
fi
# A write failure of the generated C is an error, never a cut-short file.
if [ -w /dev/full ]; then
  if "$VEX" emit-c examples/demo.vx > /dev/full 2> "$tmp/full.err"; then
    fail emit-c-write-failure "vex emit-c to a full device exited 0"
  elif grep -q "cannot write the generated C" "$tmp/full.err"; then
    pass emit-c-write-failure
  else
    fail emit-c-write-failure "no message: $(cat "$tmp/full.err")"
  fi
fi
exit 0
