#!/bin/sh
# bench/compiler/run.sh - the front end's benchmark (issue 3, "Measure").
#
# Generates a 20,000-line Vex program (gen.sh) and prints, in the format of
# the other benchmarks (`vex BENCH METRIC VALUE UNIT`, stdout):
#   vex frontend lines_per_s N lines/s      median of 5 `vex check` (wall)
#   vex frontend lines_per_s_best N lines/s the fastest of those 5
#   vex frontend cpu_lines_per_s N lines/s  over user+sys CPU time (median of
#                                           5 samples of 10 runs each)
#   vex build frontend_ms N ms              median of 3 `vex emit-c` (wall)
#   vex build cc_ms N ms                    median of 3 `vex build`, minus
#                                           frontend_ms: the C compiler's share
#   vex build total_ms N ms                 median of 3 `vex build` (wall)
# vex has no switch that reports its phases, so the front end's share of a
# build is `vex emit-c` of the same file (tokenize .. emit C). Raw samples
# and the load average go to stderr as `# ...` lines.
#
#   sh bench/compiler/run.sh [LINES]       (VEX=path/to/vex, default bin/vex)
cd "$(dirname "$0")/../.." || exit 2
LINES=${1:-20000}
VEX=${VEX:-bin/vex}
[ -x "$VEX" ] || { echo "bench/compiler: $VEX not built (make)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
src=$tmp/big.vx
sh bench/compiler/gen.sh "$LINES" > "$src"
n=$(wc -l < "$src")
echo "# bench/compiler: $n lines, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

now_ns() { date +%s%N; }
# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# cpu_us CMD...: user+sys microseconds per run of CMD, over 10 runs (the
# kernel counts CPU time in 10 ms ticks)
cpu_us() {
  /usr/bin/time -f '%U %S' -o "$tmp/time" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do "$@" || exit 1; done' sh "$@" > /dev/null 2>"$tmp/err" || return 1
  awk '{ printf "%d\n", ($1 + $2) * 100000 }' "$tmp/time"
}

"$VEX" check "$src" 2>"$tmp/err" || { echo "bench/compiler: vex check failed:" >&2; cat "$tmp/err" >&2; exit 1; }
: > "$tmp/wall"; : > "$tmp/cpu"
for i in 1 2 3 4 5; do
  t0=$(now_ns); "$VEX" check "$src" || exit 1; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000 )) >> "$tmp/wall"    # microseconds
  if [ -x /usr/bin/time ]; then cpu_us "$VEX" check "$src" >> "$tmp/cpu"; fi
done
echo "# check wall us: $(tr '\n' ' ' < "$tmp/wall")" >&2
us=$(median < "$tmp/wall")
best=$(sort -n "$tmp/wall" | head -n 1)
echo "vex frontend lines_per_s $(( n * 1000000 / (us > 0 ? us : 1) )) lines/s"
echo "vex frontend lines_per_s_best $(( n * 1000000 / (best > 0 ? best : 1) )) lines/s"
if [ -s "$tmp/cpu" ]; then
  echo "# check cpu us per run: $(tr '\n' ' ' < "$tmp/cpu")" >&2
  cus=$(median < "$tmp/cpu")
  echo "vex frontend cpu_lines_per_s $(( n * 1000000 / (cus > 0 ? cus : 1) )) lines/s"
fi

: > "$tmp/emit"; : > "$tmp/build"
for i in 1 2 3; do
  t0=$(now_ns); "$VEX" emit-c "$src" > "$tmp/out.c" || exit 1; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 )) >> "$tmp/emit"
  t0=$(now_ns); "$VEX" build "$src" -o "$tmp/big" || exit 1; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 )) >> "$tmp/build"
done
echo "# emit-c ms: $(tr '\n' ' ' < "$tmp/emit"); build ms: $(tr '\n' ' ' < "$tmp/build"); C lines: $(wc -l < "$tmp/out.c")" >&2
fe=$(median < "$tmp/emit")
total=$(median < "$tmp/build")
echo "vex build frontend_ms $fe ms"
echo "vex build cc_ms $(( total - fe )) ms"
echo "vex build total_ms $total ms"
out=$("$tmp/big")
[ "$out" = "$(echo "$out" | grep '^checksum ')" ] || echo "# warning: the generated program printed: $out" >&2
