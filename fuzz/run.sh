#!/bin/sh
# fuzz/run.sh - runs the libFuzzer target build/fuzz/fuzz_check (built by
# `make fuzz`) for FUZZ_SECONDS seconds (default 60), one process.
#
# The corpus, build/fuzz/corpus, persists between runs; every run first
# merges in the seeds (tests/**/*.vx, examples/**/*.vx). Crashes, hangs
# and leaks land in build/fuzz/artifacts/ (crash-*, timeout-*, leak-*);
# minimize one with
#   build/fuzz/fuzz_check -minimize_crash=1 -runs=10000 build/fuzz/artifacts/crash-...
# and turn the result into a test under tests/fail or tests/run.
# FUZZ_KEEP_GOING=1 runs the target in libFuzzer's fork mode (one child)
# and goes on after a crash, so one run can collect several.
# Exit status: 0 if the run found nothing, 1 otherwise.
cd "$(dirname "$0")/.." || exit 2
: "${FUZZ_SECONDS:=60}" "${FUZZ_BIN:=build/fuzz/fuzz_check}"
dir=build/fuzz
mkdir -p "$dir/corpus" "$dir/seeds" "$dir/artifacts"
for f in $(find tests examples -name '*.vx' 2>/dev/null); do
  cp "$f" "$dir/seeds/$(echo "$f" | tr / _)"
done
log=$dir/fuzz.log
# fork mode re-executes the binary: run a private copy, so a rebuild during
# the run cannot break it
cp "$FUZZ_BIN" "$dir/fuzz_check.run" || exit 2
keep=
[ "${FUZZ_KEEP_GOING:-0}" = 1 ] && keep="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
# -timeout: the compiler must never hang; -max_len: real programs are small;
# -use_value_profile: helps with the many string comparisons of a parser;
# -close_fd_mask=2: the target renders diagnostics to a discarded stderr.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
timeout $((FUZZ_SECONDS + 120)) "$dir/fuzz_check.run" \
  -max_total_time="$FUZZ_SECONDS" -timeout=5 -max_len=4096 -rss_limit_mb=2048 \
  -dict=fuzz/vex.dict -use_value_profile=1 -print_final_stats=1 -close_fd_mask=2 \
  -artifact_prefix="$dir/artifacts/" $keep \
  "$dir/corpus" "$dir/seeds" 2>&1 | tee "$log" | grep -v '^#[0-9].*\(NEW\|REDUCE\|pulse\)'
st=0
grep -q 'ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error:\|internal compiler error' "$log" && st=1
echo "fuzz: $(ls "$dir/corpus" | wc -l) corpus entries; log in $log"
exit $st
