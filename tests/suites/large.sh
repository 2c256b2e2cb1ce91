#!/bin/sh
# tests/suites/large.sh - large valid programs (fuzz/gen-large.sh): the
# compiler must take them whole, without a stack overflow or a limit
# error. Each kind of fuzz/gen-large.sh is generated at the size that
# overflowed the stack before issue 12 (1,900 chained constants, 22,500
# structs linked through Option<Box<..>>, and the rest at sizes a 4 KB fuzz
# input never reaches) and must pass `vex emit-c` (every stage but the C
# compiler, whose time such sizes would take) with exit status 0; then the
# same kind at 20 links is built and run and must print the line its
# `// expect:` comment gives. Prints `PASS large-KIND` and
# `PASS large-KIND-run`, or FAIL with the reason.
: "${VEX_OUT:=.}" "${VARIANT:=default}"
VEX=$VEX_OUT/bin/vex
[ -x "$VEX" ] || { echo "large: no compiler at $VEX (run make)" >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"
TO=${VEX_TEST_TIMEOUT:-120}
sh fuzz/gen-large.sh all "$tmp/big" || exit 2
for src in "$tmp"/big/*.vx; do
  k=$(basename "$src" .vx)
  timeout -k 5 "$TO" "$VEX" emit-c "$src" > /dev/null 2> "$tmp/err"
  rc=$?
  if [ $rc = 0 ]; then
    echo "PASS large-$k"
  else
    echo "FAIL large-$k: vex emit-c exit status $rc (want 0) on $(wc -c < "$src") bytes"
    head -n 5 "$tmp/err" | cut -c1-200
  fi
  sh fuzz/gen-large.sh "$k" 20 > "$tmp/small.vx"
  want=$(sed -n '1s|^// expect: ||p' "$tmp/small.vx")
  got=$(timeout -k 5 "$TO" "$VEX" run "$tmp/small.vx" 2> "$tmp/err")
  rc=$?
  if [ $rc = 0 ] && [ "$got" = "$want" ]; then
    echo "PASS large-$k-run"
  else
    echo "FAIL large-$k-run: status $rc, printed \"$got\", want \"$want\""
    head -n 5 "$tmp/err" | cut -c1-200
  fi
done
# A cycle of 5,000 constants is an error, not a stack overflow: checking
# it recurses along the cycle, at most 500 constants deep.
awk 'BEGIN { for (i = 0; i < 5000; i++) print "const C" i ": i64 = C" (i + 1) " + 1"
             print "const C5000: i64 = C0"; print "fn main() {}" }' > "$tmp/cycle.vx"
timeout -k 5 "$TO" "$VEX" check "$tmp/cycle.vx" > /dev/null 2> "$tmp/err"
rc=$?
want='error[E0300]: constant `C500` is defined through a chain of more than 500 constants'
if [ $rc = 1 ] && [ "$(head -n 1 "$tmp/err")" = "$want" ]; then
  echo "PASS large-const-cycle"
else
  echo "FAIL large-const-cycle: vex check exit status $rc (want 1 and \"$want\")"
  head -n 3 "$tmp/err" | cut -c1-200
fi
exit 0
