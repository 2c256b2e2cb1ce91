#!/usr/bin/env bash
# bench/http.sh - http_hello under wrk: our HTTP server core beside Go
# net/http and tokio+hyper, IN ONE RUN, unpinned and pinned.
#
#   bash bench/http.sh [SERVER...]        SERVER: vexrt vex go tokio (default: every one found)
#   VEX_HTTP_BIN=path bash bench/http.sh  also measure a Vex-built server
#
# Servers (each answers GET / with 200 "Hello, World!", text/plain, keep-alive):
#   vexrt  the hand-written C server bench/runtime/http_hello.c
#          (built here: build/obj-default/bench/http_hello, run as `serve ADDR SECS`)
#   vex    a Vex-built server: $VEX_HTTP_BIN, run as `BIN 127.0.0.1:PORT`; when unset,
#          examples/http_hello.vx is built with bin/vex if both exist (else skipped)
#   go     Go net/http, tokio  hyper 0.14 on tokio: ../shared/peers, reused from
#          $PEERS_BUILD (default /tmp/peers-build, where peers/run.sh builds them),
#          built the way peers/run.sh builds them when missing
#
# Two series, each as `wrk -t1 -c$HTTP_CONNS -d$HTTP_DURATION --latency`:
#   http_hello           2 workers (VEX_WORKERS unset, GOMAXPROCS=2, tokio 2 workers),
#                        nothing pinned
#   http_hello_pinned1w  one worker pinned on cpu0 (taskset -c 0 and VEX_WORKERS=1,
#                        GOMAXPROCS=1, tokio 1 worker), wrk on cpu1
# Every server of a series is started at once, each on its own free loopback port,
# waited for until it answers, warmed up with a 1 s wrk run; then the repeats go
# round-robin over the servers (repeat 1 of every server, then repeat 2, ...), so a
# change of the machine's load hits every server alike. Then every server is
# killed (TERM, KILL after 2 s) before the next series starts, and on any exit.
# HTTP_RT=1 runs servers and wrk under `chrt -f 1` (SCHED_FIFO), so that other
# processes sharing the 2 cores do not decide req/s and CPU per request; but a
# saturated SCHED_FIFO cpu is throttled by the kernel (sched_rt_runtime_us:
# 50 ms stalls every second, "sched: RT throttling activated"), which makes
# every server's p99 10-30 ms. So the default is HTTP_RT=0: run it when the
# load average is low, and trust only p99 figures from such runs.
#
# Output, one line per figure, the median of the repeats (bench/run.sh's format;
# `_min` / `_max` lines follow each):
#   PEER SERIES req_per_s N req/s         wrk's Requests/sec
#   PEER SERIES cpu_us_per_req N us       server CPU (user + system, all threads, from
#                                         /proc/PID/stat before and after the wrk run)
#                                         per request served
#   PEER SERIES user_us_per_req, sys_us_per_req   the two parts of it
#   PEER SERIES p99_ms N ms               wrk's 99th percentile latency (p50_ms too)
# PEER is vexrt, vex, go, tokio or a label of HTTP_C_SERVERS; samples and notes go to stderr as `# ...`
# lines; a table of the medians closes the output (on stdout).
#
# Knobs: HTTP_DURATION (3s) HTTP_CONNS (64) HTTP_REPEATS (5) HTTP_PINNED (1: run the
# pinned series too; 0: only the unpinned one; only: only the pinned one) HTTP_RT (0)
# PEERS_DIR (../shared/peers) PEERS_BUILD (/tmp/peers-build), and
# HTTP_C_SERVERS="label=path ..." for more servers run like the C one
# (`path serve ADDR SECS`), measured whatever SERVER... says: e.g. an older build
# of bench/runtime/http_hello.c for a before/after comparison in the same run.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
ROOT=$(pwd)
DUR=${HTTP_DURATION:-3s}
CONNS=${HTTP_CONNS:-64}
REPEATS=${HTTP_REPEATS:-5}
PINNED=${HTTP_PINNED:-1}
RT=${HTTP_RT:-0}
PB=${PEERS_BUILD:-/tmp/peers-build}
if [ -n "${PEERS_DIR:-}" ]; then PD=$PEERS_DIR; elif [ -d ../shared/peers ]; then PD=$(cd ../shared/peers && pwd); else PD=; fi
DSECS=${DUR%s}
# A server lives at most this long (the peers and our C server exit by themselves
# after it; `timeout` enforces it on every server)
MAXS=$(( (DSECS + 2) * (REPEATS * 4 + 2) + 60 ))

note() { echo "# $*" >&2; }
WANT="$*"
wanted() { [ -z "$WANT" ] && return 0; local w; for w in $WANT; do [ "$w" = "$1" ] && return 0; done; return 1; }

command -v wrk >/dev/null || { echo "http.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "http.sh: curl not found" >&2; exit 2; }
CHRT=()
if [ "$RT" = 1 ] && chrt -f 1 true 2>/dev/null; then CHRT=(chrt -f 1); fi
[ ${#CHRT[@]} -eq 0 ] && note "not under SCHED_FIFO (HTTP_RT=0 or chrt refused): figures are only as good as the machine is quiet"

TMP=$(mktemp -d)
RES=$TMP/results

# ---------------------------------------------------------------- process bookkeeping
# Each server runs as `timeout -k 2 MAXS CMD...` in the background: TPIDS holds the
# timeout processes (killing one with TERM passes the TERM on to its server, and it
# KILLs the server 2 s later); SPID the server itself (for /proc/PID/stat).
TPIDS=()
declare -A SPID PORT
stop_all() {
  local p i
  for p in "${TPIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${TPIDS[@]}"; do
    for i in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  # a server that outlived its timeout process (it should not): by its PID
  for p in "${SPID[@]}"; do kill -KILL "$p" 2>/dev/null; done
  TPIDS=()
  SPID=()
}
cleanup() { stop_all; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on, outside the kernel's ephemeral range (a client's
# local port there refuses a connect but makes bind fail with EADDRINUSE).
read -r EPH_LO EPH_HI < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { EPH_LO=32768; EPH_HI=60999; }
if [ "$EPH_LO" -gt 12000 ]; then PORT_LO=10000; PORT_N=$((EPH_LO - 10000)); else PORT_LO=$((EPH_HI + 1)); PORT_N=$((65000 - EPH_HI)); fi
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p i
  for i in $(seq 1 50); do
    p=$(( PORT_LO + (RANDOM * 32768 + RANDOM) % PORT_N ))
    port_free "$p" && { echo "$p"; return 0; }
  done
  return 1
}

# start NAME PORT CMD...: run the server in the background and wait until it
# answers (at most 10 s); set SPID[NAME]. On failure the server is stopped.
start() {
  local name=$1 port=$2; shift 2
  timeout -k 2 "$MAXS" "$@" </dev/null >"$TMP/$name.log" 2>&1 &
  local tp=$! i sp=
  TPIDS+=("$tp")
  for i in $(seq 1 100); do
    sp=$(ps -o pid= --ppid "$tp" 2>/dev/null | head -1 | tr -d ' ')
    [ -n "$sp" ] && break
    kill -0 "$tp" 2>/dev/null || break
    sleep 0.02
  done
  if [ -n "$sp" ]; then
    SPID[$name]=$sp
    PORT[$name]=$port
    for i in $(seq 1 200); do
      curl -fsS -m 1 -o "$TMP/$name.body" "http://127.0.0.1:$port/" 2>/dev/null && return 0
      kill -0 "$sp" 2>/dev/null || break
      sleep 0.05
    done
  fi
  kill -TERM "$tp" 2>/dev/null
  wait "$tp" 2>/dev/null
  [ -n "$sp" ] && kill -KILL "$sp" 2>/dev/null
  unset "SPID[$name]"
  return 1
}

# ---------------------------------------------------------------- the servers
declare -A CMD   # NAME -> "prefix for a PORT" (the command is completed in series())
SERVERS=()

if wanted vexrt; then
  if make -s -j2 VARIANT=default build/obj-default/bench/http_hello >&2; then
    SERVERS+=(vexrt)
  else
    note "vexrt: build/obj-default/bench/http_hello failed to build (skipped)"
  fi
fi

VEXBIN=${VEX_HTTP_BIN:-}
if wanted vex; then
  if [ -z "$VEXBIN" ] && [ -x bin/vex ] && [ -f examples/http_hello.vx ]; then
    if bin/vex build --release examples/http_hello.vx -o "$TMP/vex_http_hello" >&2; then
      VEXBIN=$TMP/vex_http_hello
    else
      note "vex: examples/http_hello.vx did not build (skipped)"
    fi
  fi
  if [ -n "$VEXBIN" ]; then
    if [ -x "$VEXBIN" ]; then SERVERS+=(vex); else note "vex: $VEXBIN is not an executable (skipped)"; fi
  elif [ -n "$WANT" ]; then
    note "vex: no VEX_HTTP_BIN and no examples/http_hello.vx (skipped)"
  fi
fi

peer_bins() {
  local go=$PB/go/http rs=$PB/rust-target/release/http_hyper
  if [ ! -x "$go" ] && [ -n "$PD" ] && command -v go >/dev/null; then
    note "building $go from $PD/go/http"
    mkdir -p "$PB/go"
    (cd "$PD/go/http" && GOFLAGS= GOPROXY=off GOTOOLCHAIN=local go build -trimpath -o "$go" main.go) >&2 ||
      note "go: build failed"
  fi
  if [ ! -x "$rs" ] && [ -n "$PD" ] && command -v cargo >/dev/null; then
    note "building $rs from $PD/rust (offline, as peers/run.sh does)"
    rm -rf "$PB/rust-src" && mkdir -p "$PB/rust-src"
    (cd "$PD/rust" && tar --exclude=./target -cf - .) | (cd "$PB/rust-src" && tar -xf -)
    chmod -R u+w "$PB/rust-src"
    (cd "$PB/rust-src" && CARGO_TARGET_DIR="$PB/rust-target" cargo build --release --offline --quiet --bin http_hyper) >&2 ||
      note "tokio: build failed"
  fi
}
if wanted go || wanted tokio; then peer_bins; fi
if wanted go; then
  if [ -x "$PB/go/http" ]; then SERVERS+=(go); else note "go: no $PB/go/http (skipped)"; fi
fi
if wanted tokio; then
  if [ -x "$PB/rust-target/release/http_hyper" ]; then SERVERS+=(tokio); else note "tokio: no http_hyper (skipped)"; fi
fi
# More servers of the C server's kind (`BIN serve ADDR SECS`), e.g. an older
# build for a before/after comparison in the same run:
#   HTTP_C_SERVERS="vexrt_old=/tmp/old/build/obj-default/bench/http_hello"
declare -A CBIN
for kv in ${HTTP_C_SERVERS:-}; do
  k=${kv%%=*}; v=${kv#*=}
  if [ -x "$v" ]; then CBIN[$k]=$v; SERVERS+=("$k"); else note "$k: $v is not an executable (skipped)"; fi
done
[ ${#SERVERS[@]} -gt 0 ] || { echo "http.sh: no server to measure" >&2; exit 2; }

# server_cmd NAME PORT WORKERS: the command line (workers: 0 = the default, 2 here)
server_cmd() {
  local name=$1 port=$2 w=$3 addr=127.0.0.1:$2
  case $name in
    vexrt) if [ "$w" = 0 ]; then echo "env -u VEX_WORKERS $ROOT/build/obj-default/bench/http_hello serve $addr $MAXS"
           else echo "env VEX_WORKERS=$w $ROOT/build/obj-default/bench/http_hello serve $addr $MAXS"; fi ;;
    vex)   if [ "$w" = 0 ]; then echo "env -u VEX_WORKERS $VEXBIN $addr"
           else echo "env VEX_WORKERS=$w $VEXBIN $addr"; fi ;;
    go)    echo "env GOMAXPROCS=$([ "$w" = 0 ] && echo 2 || echo "$w") $PB/go/http $addr $MAXS" ;;
    tokio) echo "$PB/rust-target/release/http_hyper $addr $([ "$w" = 0 ] && echo 2 || echo "$w") $MAXS" ;;
    *)     if [ "$w" = 0 ]; then echo "env -u VEX_WORKERS ${CBIN[$name]} serve $addr $MAXS"
           else echo "env VEX_WORKERS=$w ${CBIN[$name]} serve $addr $MAXS"; fi ;;
  esac
}

# ---------------------------------------------------------------- measuring
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat" 2>/dev/null; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v}'; }

# one_run NAME SERIES WRKPREFIX...: one wrk run against NAME; appends the samples
one_run() {
  local name=$1 series=$2; shift 2
  local sp=${SPID[$name]} port=${PORT[$name]} u0 s0 u1 s1 out n
  read -r u0 s0 < <(cpu_ticks "$sp")
  out=$(timeout $((DSECS + 30)) "$@" wrk -t1 -c"$CONNS" -d"$DUR" --latency "http://127.0.0.1:$port/" 2>&1)
  read -r u1 s1 < <(cpu_ticks "$sp")
  n=$(echo "$out" | awk '/ requests in / {print $1}')
  if [ -z "$n" ] || [ "$n" = 0 ] || [ -z "${u1:-}" ]; then
    note "$name $series: wrk or the server failed: $(echo "$out" | tail -3 | tr '\n' ' ')"
    return 1
  fi
  local errs
  errs=$(echo "$out" | grep -E 'Socket errors|Non-2xx' || true)
  [ -n "$errs" ] && note "$name $series: $errs"
  {
    echo "$name $series req_per_s $(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
    echo "$name $series p50_ms $(echo "$out" | awk '$1=="50%" {print $2}' | to_ms)"
    echo "$name $series p99_ms $(echo "$out" | awk '$1=="99%" {print $2}' | to_ms)"
    awk -v u0="$u0" -v s0="$s0" -v u1="$u1" -v s1="$s1" -v n="$n" -v hz="$CLK_TCK" -v p="$name $series" 'BEGIN {
      printf "%s cpu_us_per_req %.3f\n", p, ((u1 - u0) + (s1 - s0)) / hz * 1e6 / n
      printf "%s user_us_per_req %.3f\n", p, (u1 - u0) / hz * 1e6 / n
      printf "%s sys_us_per_req %.3f\n", p, (s1 - s0) / hz * 1e6 / n }'
  } >>"$TMP/samples"
}

# series SERIES WORKERS SERVERPREFIX WRKPREFIX
series() {
  local series=$1 w=$2 spre=$3 wpre=$4 name port ok=() i
  : >"$TMP/samples"
  local try
  for name in "${SERVERS[@]}"; do
    for try in 1 2 3; do   # another port if the server did not come up (a port taken meanwhile)
      port=$(pick_port) || { note "$name: no free port"; break; }
      # shellcheck disable=SC2046
      if start "$name" "$port" "${CHRT[@]}" $spre $(server_cmd "$name" "$port" "$w"); then
        ok+=("$name")
        break
      fi
      note "$name $series: the server did not come up on port $port (try $try of 3): $(tail -3 "$TMP/$name.log" | tr '\n' ' ')"
    done
  done
  note "$series: servers ${ok[*]:-none} (workers: $([ "$w" = 0 ] && echo default || echo "$w"); server prefix '${CHRT[*]} $spre', wrk prefix '${CHRT[*]} $wpre'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for name in "${ok[@]}"; do   # warm-up
    # shellcheck disable=SC2086
    timeout 30 "${CHRT[@]}" $wpre wrk -t1 -c"$CONNS" -d1s "http://127.0.0.1:${PORT[$name]}/" >/dev/null 2>&1
  done
  for i in $(seq 1 "$REPEATS"); do
    for name in "${ok[@]}"; do
      # shellcheck disable=SC2086
      one_run "$name" "$series" "${CHRT[@]}" $wpre
    done
  done
  note "$series: done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_all
  # medians: PEER SERIES METRIC VALUE UNIT, then _min and _max
  awk '
    function unit(m) { return m == "req_per_s" ? "req/s" : m ~ /_ms$/ ? "ms" : "us" }
    { k = $1 " " $2 " " $3; if (!(k in n)) order[++K] = k; v[k, ++n[k]] = $4 }
    END {
      for (j = 1; j <= K; j++) {
        k = order[j]; c = n[k]
        for (a = 1; a <= c; a++) s[a] = v[k, a]
        for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] + 0 < s[a] + 0) { t = s[a]; s[a] = s[b]; s[b] = t }
        med = c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
        split(k, f, " "); u = unit(f[3])
        line = ""
        for (a = 1; a <= c; a++) line = line " " v[k, a]
        printf "# %s samples:%s\n", k, line > "/dev/stderr"
        printf "%s %.3f %s\n%s_min %.3f %s\n%s_max %.3f %s\n", k, med, u, k, s[1], u, k, s[c], u
      }
    }' "$TMP/samples" | tee -a "$RES"
}

note "http.sh: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cpus, kernel $(uname -r); wrk -t1 -c$CONNS -d$DUR, $REPEATS repeats round-robin after a 1 s warm-up"
: >"$RES"
if [ "$PINNED" != only ]; then series http_hello 0 "" ""; fi
if [ "$PINNED" = 1 ] || [ "$PINNED" = only ]; then series http_hello_pinned1w 1 "taskset -c 0" "taskset -c 1"; fi

# the table: medians side by side
echo
echo "== http_hello medians ($REPEATS runs of wrk -t1 -c$CONNS -d$DUR; cpu = server user+sys us per request)"
awk -v servers="${SERVERS[*]}" '
  $3 !~ /_(min|max)$/ { v[$1, $2, $3] = $4; if (!($2 in seen)) { seen[$2] = 1; sers[++S] = $2 } }
  END {
    np = split(servers, P, " ")
    printf "%-22s %-16s", "series", "metric"
    for (i = 1; i <= np; i++) printf " %10s", P[i]
    printf "\n"
    nm = split("req_per_s cpu_us_per_req user_us_per_req sys_us_per_req p50_ms p99_ms", M, " ")
    for (s = 1; s <= S; s++) for (m = 1; m <= nm; m++) {
      printf "%-22s %-16s", sers[s], M[m]
      for (i = 1; i <= np; i++) { k = P[i] SUBSEP sers[s] SUBSEP M[m]; printf " %10s", (k in v) ? v[k] : "-" }
      printf "\n"
    }
  }' "$RES"
