#!/bin/sh
# tests/run-all.sh - the one test runner. Runs every tests/suites/*.sh (or the
# suites named as arguments) and ends with the line "N passed, N failed".
#
# Suite protocol: a suite is a POSIX sh script run from the repository root
# with VEX_OUT (the build tree: $VEX_OUT/bin/vex, $VEX_OUT/lib/vex/) and
# VARIANT (default, asan or tsan) in its environment. It prints one line
# "PASS <name>" or "FAIL <name>: <why>" per test (or "SKIP <name>: <why>" for
# a test that does not apply to this build variant), anything else freely
# (diagnostics for a failure go right after its FAIL line), and exits 0
# unless the suite itself could not run. A suite that exits non-zero counts
# as one failure, and so does a suite that prints no PASS, FAIL or SKIP line
# (it tested nothing). An argument with a `/` is the path of a suite script
# (tests/suites/harness.sh runs fixtures that way).
cd "$(dirname "$0")/.." || exit 2
: "${VEX_OUT:=.}" "${VARIANT:=default}"
export VEX_OUT VARIANT
log=$(mktemp)
trap 'rm -f "$log"' EXIT
suites="$*"
[ -n "$suites" ] || suites=$(ls tests/suites/*.sh | sed 's|.*/||; s|\.sh$||')
for s in $suites; do
  case $s in */*) script=$s; s=$(basename "$s" .sh) ;; *) script=tests/suites/$s.sh ;; esac
  echo "== suite $s ($VARIANT)"
  before=$(grep -c '^\(PASS\|FAIL\|SKIP\) ' "$log")
  { sh "$script" 2>&1; echo "SUITE-STATUS $?"; } | tee -a "$log" | grep -v '^SUITE-STATUS '
  st=$(sed -n 's/^SUITE-STATUS //p' "$log" | tail -n 1)
  if [ "$st" != 0 ]; then
    echo "FAIL suite-$s: the suite exited $st" | tee -a "$log"
  elif [ "$(grep -c '^\(PASS\|FAIL\|SKIP\) ' "$log")" = "$before" ]; then
    echo "FAIL suite-$s: the suite reported no test" | tee -a "$log"
  fi
done
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
if [ "$failed" -gt 0 ]; then
  echo "failures:"
  grep '^FAIL ' "$log" | sed 's/^/  /'
fi
skipped=$(grep -c '^SKIP ' "$log")
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
