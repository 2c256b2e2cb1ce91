#!/bin/sh
# tests/suites/unit.sh - C unit tests of libvexrt's language support
# (tests/unit/*.c). Each file is built against $VEX_OUT/lib/vex/libvexrt.a
# with the variant's sanitizer flags and run under a timeout; the program
# prints its own PASS/FAIL lines (tests/unit/check.h). A file that does not
# build, crashes or times out is one FAIL line, and so is one that exits 0
# without printing a single PASS or FAIL line (it tested nothing: it used
# to count as neither). Usage: sh tests/suites/unit.sh [FILE.c...]
# (default: every tests/unit/*.c).
: "${VEX_OUT:=.}" "${VARIANT:=default}" "${CC:=cc}"
case "$VARIANT" in
  asan) san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" ;;
  tsan) san="-fsanitize=thread" ;;
  *) san="" ;;
esac
lib="$VEX_OUT/lib/vex"
[ -f "$lib/libvexrt.a" ] || { echo "unit: no $lib/libvexrt.a (run make)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
srcs="$*"
[ -n "$srcs" ] || srcs=$(ls tests/unit/*.c)
for src in $srcs; do
  name=$(basename "$src" .c)
  bin="$tmp/$name"
  # shellcheck disable=SC2086
  if ! $CC -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -DTEST_FILE="\"$name\"" $san \
       -I"$lib" -Itests/unit -o "$bin" "$src" "$lib/libvexrt.a" -pthread >"$tmp/cc.log" 2>&1; then
    echo "FAIL unit-$name: does not compile"
    cat "$tmp/cc.log"
    continue
  fi
  timeout 120 "$bin" >"$tmp/out" 2>"$tmp/err"
  st=$?
  cat "$tmp/out"
  if [ "$st" -ne 0 ] && ! grep -q '^FAIL ' "$tmp/out"; then
    echo "FAIL unit-$name: exit status $st"
    tail -n 20 "$tmp/err"
  elif ! grep -q '^\(PASS\|FAIL\) ' "$tmp/out"; then
    echo "FAIL unit-$name: printed no PASS or FAIL line (exit status $st)"
    tail -n 20 "$tmp/err"
  fi
done
exit 0
