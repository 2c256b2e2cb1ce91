#!/bin/sh
# tests/suites/harness.sh - the test runners themselves: a test that tests
# nothing must fail, never pass nor vanish (issue 12). Runs the runners on
# the fixtures in tests/harness/ (see its README) and checks their verdicts.
# The nested runners' output goes to files and is shown indented on a
# failure, so its PASS/FAIL lines are never counted as this suite's.
: "${VEX_OUT:=.}" "${VARIANT:=default}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# a unit test binary that exits 0 and prints nothing is a failure
sh tests/suites/unit.sh tests/harness/silent.c > "$tmp/unit.out" 2>&1
if grep -q '^FAIL unit-silent: printed no PASS or FAIL line' "$tmp/unit.out" &&
   ! grep -q '^PASS ' "$tmp/unit.out"; then
  echo "PASS harness-unit-silent"
else
  echo "FAIL harness-unit-silent: unit.sh did not count a silent unit test as a failure"
  sed -n '1,10s/^/    /p' "$tmp/unit.out"
fi

# a suite that reports no test is a failure, and run-all exits non-zero
sh tests/run-all.sh tests/harness/silent_suite.sh > "$tmp/all.out" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q '^FAIL suite-silent_suite: the suite reported no test' "$tmp/all.out" &&
   tail -n 1 "$tmp/all.out" | grep -q '^0 passed, 1 failed$'; then
  echo "PASS harness-silent-suite"
else
  echo "FAIL harness-silent-suite: run-all.sh exit status $rc, want non-zero and the suite counted as failed"
  sed -n '1,10s/^/    /p' "$tmp/all.out"
fi
# lang.sh: an empty `// stderr:` or `// panic:` comment matches anything,
# so a test holding one fails (the fixtures run from a scratch tree, as a
# run test and a panic test)
case $VEX_OUT in /*) abs=$VEX_OUT ;; *) abs=$(pwd)/$VEX_OUT ;; esac
root=$(pwd)
mkdir -p "$tmp/tree/tests/run" "$tmp/tree/tests/panic"
cp tests/harness/lang/empty_stderr.vx "$tmp/tree/tests/run/"
cp tests/harness/lang/empty_panic.vx "$tmp/tree/tests/panic/"
(cd "$tmp/tree" && VEX_OUT=$abs sh "$root/tests/suites/lang.sh" tests/run tests/panic) > "$tmp/lang.out" 2>&1
if grep -q '^FAIL run/empty_stderr.vx: wrong stderr' "$tmp/lang.out" &&
   grep -q '^FAIL panic/empty_panic.vx: .*an empty // panic: comment matches any panic' "$tmp/lang.out" &&
   ! grep -q '^PASS ' "$tmp/lang.out"; then
  echo "PASS harness-lang-empty-directives"
else
  echo "FAIL harness-lang-empty-directives: lang.sh passed a test whose // stderr: or // panic: text is empty"
  sed -n '1,12s/^/    /p' "$tmp/lang.out"
fi
exit 0
