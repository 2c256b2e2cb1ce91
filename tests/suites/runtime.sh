#!/bin/sh
# tests/suites/runtime.sh - the runtime tests: tests/runtime/NAME.c, each
# built against the test build of libvexrt (4-slot deques) for $VARIANT and
# run as one process under a timeout. A test passes when it exits 0 and its
# last line of stdout is "ok" (each ends by asserting a clean shutdown);
# each file carries its own expectations (CHECKs) and says what it tests.
: "${VARIANT:=default}"
obj=build/obj-$VARIANT/rt-test/bin
# Build through make so the sanitizer flags of the variant apply.
if ! out=$(make --no-print-directory -j2 VARIANT="$VARIANT" runtime-tests 2>&1); then
  echo "$out" | tail -n 30
  echo "FAIL runtime-build: make runtime-tests failed"
  exit 0
fi
limit=60
[ "$VARIANT" = tsan ] && limit=180
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}"
for src in tests/runtime/*.c; do
  name=$(basename "$src" .c)
  bin=$obj/$name
  log=$(mktemp)
  timeout "$limit" "$bin" >"$log" 2>&1
  st=$?
  last=$(tail -n 1 "$log")
  if [ $st -eq 0 ] && [ "$last" = ok ]; then
    echo "PASS runtime/$name"
  else
    if [ $st -eq 124 ]; then why="timed out after ${limit}s"; else why="exit status $st"; fi
    echo "FAIL runtime/$name: $why"
    tail -n 40 "$log"
  fi
  rm -f "$log"
done
exit 0
