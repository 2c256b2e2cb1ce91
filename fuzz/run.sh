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
# Then the large valid programs of fuzz/gen-large.sh (chains of constants,
# types, calls, statements and nesting far past -max_len; their size times
# FUZZ_LARGE_SCALE, default 1) go through the same target with the emitter
# on (FUZZ_EMIT=1) and FUZZ_EXPECT_OK=1: each must be accepted, without a
# crash or a sanitizer report. Programs in build/fuzz/large/, log in
# build/fuzz/large.log.
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
# -timeout: the compiler must never hang; -max_len: 128 KB, so a mutation
# may grow an input into the range where a stage that recurses once per
# link overflows the stack (1,900 chained constants are 50 KB);
# -use_value_profile: helps with the many string comparisons of a parser;
# -close_fd_mask=2: the target renders diagnostics to a discarded stderr.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
timeout $((FUZZ_SECONDS + 120)) "$dir/fuzz_check.run" \
  -max_total_time="$FUZZ_SECONDS" -timeout=5 -max_len=131072 -rss_limit_mb=2048 \
  -dict=fuzz/vex.dict -use_value_profile=1 -print_final_stats=1 -close_fd_mask=2 \
  -artifact_prefix="$dir/artifacts/" $keep \
  "$dir/corpus" "$dir/seeds" 2>&1 | tee "$log" | grep -v '^#[0-9].*\(NEW\|REDUCE\|pulse\)'
st=0
grep -q 'ERROR: libFuzzer\|ERROR: AddressSanitizer\|runtime error:\|internal compiler error' "$log" && st=1
echo "fuzz: $(ls "$dir/corpus" | wc -l) corpus entries; log in $log"
sh fuzz/gen-large.sh all "$dir/large" "${FUZZ_LARGE_SCALE:-1}" || exit 2
: > "$dir/large.log"
for f in "$dir"/large/*.vx; do
  if FUZZ_EMIT=1 FUZZ_EXPECT_OK=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
     timeout 600 "$dir/fuzz_check.run" -rss_limit_mb=4096 "$f" >> "$dir/large.log" 2>&1; then
    echo "fuzz: large program $(basename "$f") ($(wc -c < "$f") bytes): ok"
  else
    echo "fuzz: large program $f: FAILED (see $dir/large.log)"
    st=1
  fi
done
exit $st
