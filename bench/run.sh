#!/bin/sh
# bench/run.sh - build and run the runtime benchmarks (bench/runtime/*.c);
# with --peers, also run the Go and tokio peers IN THE SAME CALL and print
# the ratio table.
#
#   sh bench/run.sh [--peers] [PROG...]     (make bench / make bench-peers)
#   sh bench/run.sh --table FILE            the ratio table of a saved output
#
# Every result is one stdout line `vexrt BENCH METRIC VALUE UNIT` (the median
# of 5 repeats after a warm-up; METRIC_min / METRIC_max follow), the format of
# ../shared/peers/run.sh, whose lines (`go ...`, `tokio ...`) are passed
# through. Raw samples, the load average before each program and notes go to
# stderr as `# ...` lines. PROG names select programs (default: all).
#
# Worker counts: every program runs at the default worker count (VEX_WORKERS
# unset: one per online CPU, 2 on the reference machine), and the scheduler
# benchmarks run again with VEX_WORKERS=1 (names get `_1w`, like tokio's
# WORKERS=1; Go's GOMAXPROCS=1 figures are `_1p`, tokio's current_thread ones
# `_1t`; the ratio table pairs them all with our `_1w`).
#
# The peers need Go, cargo and the Debian tokio crates (CI does not): they
# are looked for in ../shared/peers relative to the repository root, else in
# $PEERS_DIR. The front end's benchmark, bench/compiler/run.sh, runs too when
# it exists.
cd "$(dirname "$0")/.." || exit 2
PEERS=0
TABLE=
case "${1:-}" in
  --peers) PEERS=1; shift ;;
  --table) TABLE=${2:?--table FILE}; shift 2 ;;
esac
WANT="$*"
BIN=build/obj-default/bench
ALL="ready_await yield_loop spawn_join pingpong skynet idle_mem"
ONE_WORKER="yield_loop spawn_join pingpong skynet"   # also run at VEX_WORKERS=1
RESULTS=$(mktemp)

note() { echo "# $*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
wanted() { [ -z "$WANT" ] && return 0; for w in $WANT; do [ "$w" = "$1" ] && return 0; done; return 1; }

# The ratio table: for each of our benchmarks, its Go and tokio counterpart
# (same name after mapping _1p/_1t to _1w, or the pairing below), the ratio
# vexrt/peer (every unit here is ns, ms or bytes: lower is better), and the
# seed's figures and issue 2's goals beside ours.
table() {
echo
echo "== ratio table: vexrt / peer, medians of this one run (lower is better; < 1.00 = vexrt faster/smaller)"
awk '
BEGIN {
  # ours            go counterpart   tokio counterpart
  pair("spawn_join",      "spawn_join",    "spawn_join")
  pair("spawn_latch",     "spawn_join",    "spawn_latch")   # Go spawn_join waits on a WaitGroup: a latch
  pair("spawn_join_1w",   "spawn_join_1w", "spawn_join_1w")
  pair("spawn_latch_1w",  "spawn_join_1w", "spawn_latch_1w")
  pair("pingpong",        "pingpong",      "pingpong")
  pair("pingpong_1w",     "pingpong_1w",   "pingpong_1w")
  pair("yield_loop",      "yield_loop",    "yield_loop")
  pair("yield_loop_1w",   "yield_loop_1w", "yield_loop_1w")
  pair("yield_deep",      "yield_loop",    "yield_loop")
  pair("yield_switch",    "yield_loop",    "yield_loop")
  pair("yield_switch_1w", "yield_loop_1w", "yield_loop_1w")
  pair("skynet",          "skynet",        "skynet")        # ours and tokio join handles, Go channels
  pair("skynet_chan",     "skynet",        "skynet")        # ours and Go channels
  pair("skynet_1w",       "skynet_1w",     "skynet_1w")
  pair("skynet_chan_1w",  "skynet_1w",     "skynet_1w")
  pair("ready_await",     "-",             "ready_await")
  pair("ready_await_noinline", "-",        "ready_await_noinline")
  pair("ready_await_boxed", "-",           "ready_await_boxed")
  pair("idle_mem_chan",   "idle_mem_chan", "idle_mem_notify")
  pair("idle_mem_sleep",  "-",             "idle_mem_sleep")
  seed["ready_await"] = "~5";      seed["ready_await_noinline"] = "~5"
  seed["yield_loop"] = "50-100";   seed["yield_deep"] = "50-100"; seed["yield_switch"] = "50-100"
  seed["idle_mem_chan"] = "~200+frame"; seed["idle_mem_sleep"] = "~200+frame"
  goal["yield_loop"] = "<=15";     goal["spawn_join"] = "<=60";  goal["spawn_latch"] = "<=60"
  goal["pingpong"] = "<=60";       goal["skynet"] = "<=120";     goal["skynet_chan"] = "<=120"
  goal["idle_mem_chan"] = "<=128"
}
function pair(o, g, t) { n++; order[n] = o; gof[o] = g; tof[o] = t }
function norm(b) { sub(/_1p$/, "_1w", b); sub(/_1t$/, "_1w", b); return b }
NF >= 5 && $3 !~ /_(min|max)$/ && $3 != "n_used" && $3 !~ /_bytes$/ {
  b = ($1 == "vexrt" || $1 == "vex") ? $2 : norm($2)
  v[$1, b] = $4; m[$1, b] = $3; u[$1, b] = $5
  if ($1 == "vexrt" && !(b in gof)) { n++; order[n] = b; gof[b] = b; tof[b] = b }
}
function val(p, b) { return ((p, b) in v) ? v[p, b] : "" }
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
END {
  printf "%-22s %-18s %10s %10s %10s %10s %9s %11s %9s %10s %6s  %s\n", "bench", "metric", "vexrt", "vex", "go", "tokio", "vexrt/go", "vexrt/tokio", "vex/tokio", "seed", "goal", "peer benches"
  for (i = 1; i <= n; i++) {
    o = order[i]
    if (!(("vexrt", o) in v)) continue
    ov = val("vexrt", o); g = val("go", gof[o]); t = val("tokio", tof[o])
    if (g == "" && t == "" && !(o in seed)) continue
    xv = val("vex", o)
    printf "%-22s %-18s %10s %10s %10s %10s %9s %11s %9s %10s %6s  go:%s tokio:%s\n", o, m["vexrt", o] " " u["vexrt", o],
      ov, (xv == "" ? "-" : xv), (g == "" ? "-" : g), (t == "" ? "-" : t), ratio(ov, g), ratio(ov, t), ratio(xv, t),
      ((o in seed) ? seed[o] : "-"), ((o in goal) ? goal[o] : "-"), gof[o], tof[o]
  }
}' "$1"
}

if [ -n "$TABLE" ]; then table "$TABLE"; exit 0; fi

make -s -j2 VARIANT=default all >&2 || { echo "bench: build failed" >&2; exit 2; }
make -s -j2 -k VARIANT=default bench-progs >&2 || note "some benchmark programs failed to build (skipped below)"

note "vexrt $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r)"
note "$(${CC:-cc} --version | head -1), -O2, default variant"
LOAD_START=$(load)
note "load average at start: $LOAD_START (other processes share these cores: figures are noisy when it is above ~0.5)"

# cpu_ticks: "busy total" jiffies of the whole machine (/proc/stat).
cpu_ticks() { awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }

# child_cpu: set CPU to the CPU seconds (user + sys) used so far by this
# shell's finished children (`times` must run in this shell, not in a
# $(...) subshell, where it would count nothing).
TIMES=$(mktemp)
trap 'rm -f "$RESULTS" "$TIMES"' EXIT INT TERM
child_cpu() { times > "$TIMES"; CPU=$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$TIMES"); }

# run NAME [VAR=VALUE...]: one program, bounded in time, results kept. The
# note after it says how busy the machine's CPUs were meanwhile (ours
# included: "1.00 of 2" for a 1-worker program means nobody else ran) and
# how many CPUs the program itself got on average: a 1-worker program that
# got 0.40 CPUs was descheduled 60 % of the time, which inflates its wall
# times (the peers' too, when they run under the same load).
run() {
  name=$1; shift
  [ -x "$BIN/$name" ] || { note "$name: not built (skipped)"; return; }
  note "load average before $name${1:+ ($*)}: $(load)"
  t0=$(date +%s.%N)
  c0=$(cpu_ticks)
  child_cpu; u0=$CPU
  timeout 600 env "$@" "$BIN/$name" | tee -a "$RESULTS"
  st=$?
  child_cpu; u1=$CPU
  c1=$(cpu_ticks)
  t1=$(date +%s.%N)
  [ $st = 0 ] || note "$name${1:+ ($*)}: exited with status $st"
  note "elapsed: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s for $name${1:+ ($*)}; cpus busy meanwhile: $(echo "$c0 $c1" | awk -v n="$(nproc)" '{ if ($4 > $2) printf "%.2f of %d", ($3-$1)/($4-$2)*n, n; else print "?" }'); the program got $(awk -v a="$u0" -v b="$u1" -v t0="$t0" -v t1="$t1" 'BEGIN{ if (t1 > t0) printf "%.2f", (b-a)/(t1-t0); else print "?" }') cpus"
}

# http_hello: the HTTP server core under wrk, by bench/http.sh (~2 min): the
# hand-written C server (bench/runtime/http_hello.c), a Vex-built one
# ($VEX_HTTP_BIN, else examples/http_hello.vx when it builds), and Go net/http
# and tokio+hyper from the peers, all in the same run, unpinned and pinned
# (one worker on cpu0, wrk on cpu1). Its lines (`vexrt http_hello req_per_s`,
# `cpu_us_per_req`, `p99_ms`, ...) and its own table go to stdout; they stay
# out of the ratio table below, which pairs one metric per benchmark. Needs
# wrk (apt-get install wrk).
if command -v wrk >/dev/null 2>&1; then ALL="$ALL http_hello"; else note "no wrk: http_hello skipped"; fi

for p in $ALL; do
  wanted "$p" || continue
  if [ "$p" = http_hello ]; then
    note "load average before http_hello: $(load)"
    timeout 1200 bash bench/http.sh || note "bench/http.sh exited with status $?"
    continue
  fi
  run "$p"
  case " $ONE_WORKER " in *" $p "*) run "$p" VEX_WORKERS=1 ;; esac
done
note "load average after vexrt: $(load)"

# The same benchmarks written in Vex (bench/vex/*.vx): what the compiler
# generates, beside the hand-written state machines above (`vex ...` lines).
VEXB="ready_await yield_loop spawn_join pingpong skynet await_depth idle_mem"
for p in $VEXB; do
  wanted "$p" || wanted "vex_$p" || continue
  extra=""
  [ "$p" = idle_mem ] && extra=bench/vex/rss.c   # reads /proc/self/statm through extern "C"
  # shellcheck disable=SC2086
  if ! bin/vex build --release "bench/vex/$p.vx" bench/vex/common.vx $extra -o "$BIN/vex_$p" >&2; then
    note "vex_$p: vex build failed (skipped)"
    continue
  fi
  run "vex_$p"
  case " $ONE_WORKER " in *" $p "*) run "vex_$p" VEX_WORKERS=1 ;; esac
done
note "load average after vex: $(load)"

if [ -f bench/compiler/run.sh ] && [ -z "$WANT" ]; then
  note "front end: bench/compiler/run.sh"
  timeout 900 sh bench/compiler/run.sh || note "bench/compiler/run.sh exited with status $?"
fi

[ $PEERS = 1 ] || exit 0

if [ -d ../shared/peers ]; then PD=../shared/peers; else PD=${PEERS_DIR:-}; fi
if [ -z "$PD" ] || [ ! -f "$PD/run.sh" ]; then
  echo "bench: no peers (neither ../shared/peers nor \$PEERS_DIR holds run.sh)" >&2
  exit 2
fi
LOAD_PEERS=$(load)
note "peers: bash $PD/run.sh compute mem"
timeout 1800 bash "$PD/run.sh" compute mem | tee -a "$RESULTS"
LOAD_END=$(load)
note "load average after peers: $LOAD_END"

table "$RESULTS"
echo "== load average (1, 5, 15 min): vexrt start $LOAD_START; peers start $LOAD_PEERS; end $LOAD_END"
