#!/bin/sh
# tests/suites/mir.sh - the MIR: golden `--dump=mir` output (tests/mir/*.vx
# against tests/mir/*.mir: locals with their kinds, blocks with their live-in
# sets), golden `vex frames` output (tests/frames/*.vx against *.frames)
# and the unit tests of the analyses (tests/mir/*_test.c, linked
# against the compiler's objects). To accept a changed dump after checking
# it by eye: `VEX_OUT=. sh tests/suites/mir.sh --update`.
: "${VEX_OUT:=.}" "${VARIANT:=default}" "${CC:=cc}"
vex="$VEX_OUT/bin/vex"
obj="build/obj-$VARIANT/compiler"
case "$VARIANT" in
  asan) san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" ;;
  tsan) san="-fsanitize=thread" ;;
  *) san="" ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in tests/mir/*.vx; do
  name=$(basename "$src" .vx)
  want="${src%.vx}.mir"
  if ! "$vex" check --dump=mir "$src" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL mir-$name: vex check failed"
    cat "$tmp/err"
    continue
  fi
  if [ "$1" = --update ]; then cp "$tmp/out" "$want"; fi
  if diff -u "$want" "$tmp/out" >"$tmp/diff"; then
    echo "PASS mir-$name"
  else
    echo "FAIL mir-$name: --dump=mir differs from $want"
    head -n 40 "$tmp/diff"
  fi
done
# `vex frames`: each async fn's frame, states and saved values
for src in tests/frames/*.vx; do
  name=$(basename "$src" .vx)
  want="${src%.vx}.frames"
  if ! "$vex" frames "$src" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL frames-$name: vex frames failed"
    cat "$tmp/err"
    continue
  fi
  if [ "$1" = --update ]; then cp "$tmp/out" "$want"; fi
  if diff -u "$want" "$tmp/out" >"$tmp/diff"; then
    echo "PASS frames-$name"
  else
    echo "FAIL frames-$name: vex frames differs from $want"
    head -n 40 "$tmp/diff"
  fi
done
# the benchmarks written in Vex must keep compiling (make bench builds them)
for src in bench/vex/*.vx; do
  name=$(basename "$src" .vx)
  [ "$name" = common ] && continue
  if "$vex" check "$src" bench/vex/common.vx >"$tmp/out" 2>&1; then
    echo "PASS bench-vex-$name"
  else
    echo "FAIL bench-vex-$name: vex check rejects it"
    head -n 20 "$tmp/out"
  fi
done
objs=""
for o in arena diag type builtins mir; do objs="$objs $obj/$o.o"; done
for src in tests/mir/*_test.c; do
  name=$(basename "$src" .c)
  # shellcheck disable=SC2086
  if ! $CC -std=c11 -D_GNU_SOURCE -O1 -g $san -Icompiler -o "$tmp/$name" "$src" $objs -pthread \
       >"$tmp/cc.log" 2>&1; then
    echo "FAIL mir-$name: does not build"
    cat "$tmp/cc.log"
    continue
  fi
  "$tmp/$name" >"$tmp/out" 2>&1
  st=$?
  cat "$tmp/out"
  grep -q '^PASS ' "$tmp/out" || echo "FAIL mir-$name: printed no result"
  if [ "$st" -ne 0 ] && ! grep -q '^FAIL ' "$tmp/out"; then echo "FAIL mir-$name: exit status $st"; fi
done
exit 0
