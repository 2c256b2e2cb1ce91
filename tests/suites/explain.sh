#!/bin/sh
# tests/suites/explain.sh - `vex explain CODE` (compiler/explain.c) and the
# truth of its examples.
#
# Every error code the compiler emits (a quoted "E0xxx" in compiler/*.c other
# than explain.c) must have an explanation, and every explanation must be of
# such a code. For each code: `vex explain CODE` exits 0 and starts with the
# code; each example fenced by "```vex wrong" ... "```" is a whole program
# (it has `fn main`) that `vex check` rejects with exactly that code (status
# 1, every `error[...]` line that code); each fenced by "```vex right" is one
# that `vex check` accepts (status 0); there is at least one of each. Then
# the command itself: a lower-case code, no code, an unknown code, `vex help`.
# Prints `PASS explain-NAME` or `FAIL explain-NAME: why` per test.

: "${VEX_OUT:=.}" "${VARIANT:=default}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
TO=${VEX_TEST_TIMEOUT:-60}
if [ ! -x "$VEX" ]; then
  echo "explain: no compiler at $VEX (build it with make)" >&2
  exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM HUP

pass() { echo "PASS explain-$1"; }
# fail NAME WHY [FILE...]: the FAIL line, then the first lines of each FILE
fail() {
  n=$1 w=$2
  shift 2
  echo "FAIL explain-$n: $w"
  for f in "$@"; do
    [ -s "$f" ] && { echo "  $(basename "$f"):"; sed -n '1,12s/^/    /p' "$f" | cut -c1-200; }
  done
  return 0
}
# vx ARGS...: vex under a timeout, stdout to $tmp/out, stderr to $tmp/err,
# the exit status in $rc
vx() {
  timeout -k 5 "$TO" "$VEX" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
  rc=$?
}

# The codes the compiler emits, and the codes vex explain knows (its list).
emitted=$(ls compiler/*.c | grep -v '/explain\.c$' | xargs grep -oh '"E0[0-9][0-9][0-9]"' | tr -d '"' | sort -u)
vx explain
known=$(sed -n 's/^  \(E[0-9][0-9]*\)  .*/\1/p' "$tmp/err" | sort -u)
if [ -z "$emitted" ]; then
  echo "explain: found no error code in compiler/*.c" >&2
  exit 2
fi

missing=
for c in $emitted; do
  printf '%s\n' "$known" | grep -qx "$c" || missing="$missing $c"
done
if [ -z "$missing" ]; then pass every-emitted-code-explained; else
  fail every-emitted-code-explained "no explanation for$missing"; fi
stale=
for c in $known; do
  printf '%s\n' "$emitted" | grep -qx "$c" || stale="$stale $c"
done
if [ -z "$stale" ]; then pass every-explained-code-emitted; else
  fail every-explained-code-emitted "explained but emitted nowhere in compiler/*.c:$stale"; fi

for c in $emitted; do
  vx explain "$c"
  if [ "$rc" != 0 ]; then
    fail "$c" "vex explain $c exited $rc" "$tmp/err"
    continue
  fi
  if head -n 1 "$tmp/out" | grep -q "^$c: "; then pass "$c"; else
    fail "$c" "the explanation does not start with \`$c: \`" "$tmp/out"; fi
  d=$tmp/$c
  mkdir -p "$d"
  # each fenced example to $d/wrongN.vx or $d/rightN.vx
  awk -v d="$d" '
    /^```vex wrong$/ { f = d "/wrong" ++nw ".vx"; next }
    /^```vex right$/ { f = d "/right" ++nr ".vx"; next }
    /^```/ { f = ""; next }
    f != "" { print > f }' "$tmp/out"
  for kind in wrong right; do
    set -- "$d/$kind"*.vx
    if [ ! -f "$1" ]; then
      fail "$c-$kind" "the explanation has no \`\`\`vex $kind example" "$tmp/out"
      continue
    fi
    for f in "$@"; do
      name=$c-$(basename "$f" .vx)
      if ! grep -q 'fn main' "$f"; then
        fail "$name" "the example is not a whole program (no fn main)" "$f"
        continue
      fi
      vx check "$f"
      if [ "$kind" = right ]; then
        if [ "$rc" = 0 ]; then pass "$name"; else
          fail "$name" "vex check exited $rc, expected 0" "$tmp/err" "$f"; fi
        continue
      fi
      got=$(grep -o '^error\[[^]]*\]' "$tmp/err" | sort -u | tr '\n' ' ')
      if [ "$rc" = 1 ] && [ "$got" = "error[$c] " ]; then pass "$name"; else
        fail "$name" "vex check exited $rc with ${got:-no error}, expected error[$c] only" "$tmp/err" "$f"; fi
    done
  done
done

# the command line
vx explain e0602
if [ "$rc" = 0 ] && head -n 1 "$tmp/out" | grep -q '^E0602: '; then pass lower-case; else
  fail lower-case "vex explain e0602 exited $rc" "$tmp/out" "$tmp/err"; fi
vx explain
if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -q '^  E0400  ' "$tmp/err"; then pass no-code; else
  fail no-code "vex explain exited $rc, expected 2 and the codes on stderr" "$tmp/out" "$tmp/err"; fi
vx explain E9999
if [ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -q 'E9999' "$tmp/err" && grep -q '^  E0601  ' "$tmp/err"; then
  pass unknown-code; else
  fail unknown-code "vex explain E9999 exited $rc, expected 2, the code and the list on stderr" "$tmp/out" "$tmp/err"; fi
vx help
if [ "$rc" = 0 ] && grep -q '^  explain CODE ' "$tmp/out"; then pass help; else
  fail help "vex help does not list explain" "$tmp/out"; fi
exit 0
