#!/bin/sh
# tests/suites/net.sh - the net and http std modules against processes
# outside the program (the tests that need only the program itself are
# tests/run/net/*.vx in the lang suite):
#
#   net/pyserver-*   tests/net/pyclient.vx, the Vex HTTP client, against
#                    `python3 -m http.server` serving a temporary directory
#   net/curl-*       tests/net/server.vx, a Vex HTTP server, answering curl
#                    (SKIP lines when curl is not installed)
#   net/raw-*        the same server answering raw requests written by
#                    python3 socket code: a malformed request gets
#                    "400 Bad Request", pipelined requests, ...
#   net/server-*     the server quits on /quit, cleanly (no sanitizer
#                    report under make asan/tsan)
#
# Loopback only, every process bounded: each server runs under `timeout`,
# each client has its own timeout, and whatever is still running at the
# end is killed by its pid. Needs python3 (else one SKIP per group).
LC_ALL=C
export LC_ALL
: "${VEX_OUT:=.}" "${VARIANT:=default}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
if [ ! -x "$VEX" ]; then
  echo "net: no compiler at $VEX (build it with make)" >&2
  exit 2
fi
# a sanitizer build is slower: give every bound more room
LIMIT=30
[ "$VARIANT" = default ] || LIMIT=90

work=$(mktemp -d) || exit 2
pids=
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP
XDG_CACHE_HOME=$work/cache
export XDG_CACHE_HOME
mkdir -p "$XDG_CACHE_HOME" "$work/bin"

pass() { echo "PASS net/$1"; }
# fail NAME WHY [FILE]: the FAIL line, then the first lines of FILE
fail() {
  echo "FAIL net/$1: $2"
  [ -z "$3" ] || [ ! -s "$3" ] || sed -n '1,15s/^/    /p' "$3" | cut -c1-200
}
skip() { echo "SKIP net/$1: $2"; }

# sanitizer_report FILE: did a sanitizer report into FILE?
sanitizer_report() {
  grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error: ' "$1"
}

# wait_port FILE PATTERN: wait (at most 20 s) until FILE has a line
# matching the sed PATTERN, whose \1 is the port; prints the port
wait_port() {
  i=0
  while [ $i -lt 200 ]; do
    p=$(sed -n "s/$2/\\1/p" "$1" 2>/dev/null | head -n 1)
    if [ -n "$p" ]; then
      echo "$p"
      return 0
    fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# build NAME: tests/net/NAME.vx -> $work/bin/NAME
build() {
  if ! timeout "$LIMIT" "$VEX" build "tests/net/$1.vx" -o "$work/bin/$1" > "$work/build-$1.log" 2>&1; then
    fail "build-$1" "vex build tests/net/$1.vx failed" "$work/build-$1.log"
    return 1
  fi
  return 0
}

if ! command -v python3 > /dev/null 2>&1; then
  skip pyserver "python3 is not installed"
  skip raw "python3 is not installed"
  have_py=no
else
  have_py=yes
fi

# ---- the Vex client against python3 -m http.server --------------------------

if [ $have_py = yes ] && build pyclient; then
  root=$work/www
  mkdir -p "$root/dir"
  echo "hello from python" > "$root/hello.txt"
  echo "inner" > "$root/dir/inner.txt"
  # port 0: the OS picks a free port; -u so the "Serving ..." line is not
  # held in a buffer
  (cd "$root" && exec timeout "$LIMIT" python3 -u -m http.server --bind 127.0.0.1 0) \
    > "$work/py.log" 2>&1 &
  pypid=$!
  pids="$pids $pypid"
  if ! port=$(wait_port "$work/py.log" '.* port \([0-9][0-9]*\).*'); then
    fail pyserver-start "python3 -m http.server did not say its port" "$work/py.log"
  else
    timeout "$LIMIT" "$work/bin/pyclient" "http://127.0.0.1:$port" > "$work/pyc.out" 2> "$work/pyc.err"
    rc=$?
    cat > "$work/pyc.want" <<'EOF'
200 hello from python
type text/plain
length 18
server true
missing 404
listing 200 true
redirected 200 true
post 501
put 501
parallel 20
EOF
    if [ $rc != 0 ]; then
      fail pyserver-client "exit status $rc" "$work/pyc.err"
    elif ! cmp -s "$work/pyc.want" "$work/pyc.out"; then
      diff -u "$work/pyc.want" "$work/pyc.out" > "$work/pyc.diff"
      fail pyserver-client "stdout differs (--- expected, +++ actual)" "$work/pyc.diff"
    elif sanitizer_report "$work/pyc.err"; then
      fail pyserver-client "sanitizer report" "$work/pyc.err"
    else
      pass pyserver-client
    fi
  fi
  kill "$pypid" 2>/dev/null
  wait "$pypid" 2>/dev/null
fi

# ---- the Vex server --------------------------------------------------------

if ! build server; then
  exit 0
fi
timeout "$LIMIT" "$work/bin/server" > "$work/server.out" 2> "$work/server.err" &
srvpid=$!
pids="$pids $srvpid"
if ! port=$(wait_port "$work/server.err" '^port \([0-9][0-9]*\)$'); then
  fail server-start "the server did not say its port" "$work/server.err"
  exit 0
fi
base=http://127.0.0.1:$port

# check NAME WANT GOT-FILE: GOT-FILE must hold exactly WANT
check() {
  printf '%s' "$2" > "$work/want"
  if cmp -s "$work/want" "$3"; then
    pass "$1"
  else
    { echo "expected:"; cat "$work/want"; echo; echo "got:"; cat "$3"; echo; } > "$work/why"
    fail "$1" "wrong answer" "$work/why"
  fi
}

# has NAME FILE TEXT...: FILE must hold a line containing each TEXT
has() {
  n=$1
  f=$2
  shift 2
  for t in "$@"; do
    if ! tr -d '\r' < "$f" | grep -Fq -e "$t"; then
      { echo "lacks \"$t\" in:"; cat "$f"; } > "$work/why"
      fail "$n" "wrong answer" "$work/why"
      return
    fi
  done
  pass "$n"
}

if ! command -v curl > /dev/null 2>&1; then
  skip curl "curl is not installed"
else
  C="curl -s -S --max-time 10"
  $C "$base/hello" > "$work/c1" 2>&1
  check curl-get "hello from vex" "$work/c1"

  $C -o /dev/null -w '%{http_code}' "$base/nope" > "$work/c2" 2>&1
  check curl-404 "404" "$work/c2"

  $C -i "$base/hello" > "$work/c3" 2>&1
  has curl-head-lines "$work/c3" "HTTP/1.1 200 OK" "Content-Type: text/plain; charset=utf-8" "Content-Length: 14"

  $C -d 'a=1&b=2' "$base/echo" > "$work/c4" 2>&1
  check curl-post "POST a=1&b=2 token=none" "$work/c4"

  $C -X PUT -H 'X-Token: s3cret' --data-binary 'put body' "$base/echo" > "$work/c5" 2>&1
  check curl-put-header "PUT put body token=s3cret" "$work/c5"

  $C -H 'Transfer-Encoding: chunked' --data-binary 'chunked!' "$base/echo" > "$work/c6" 2>&1
  check curl-chunked "POST chunked! token=none" "$work/c6"

  # two URLs in one curl: one connection, two requests
  $C "$base/whoami" "$base/whoami" > "$work/c7" 2>&1
  if [ "$(sed -n 's/^conn \([0-9]*\) request 1$/\1/p' "$work/c7")" = \
       "$(sed -n 's/^conn \([0-9]*\) request 2$/\1/p' "$work/c7")" ] &&
     [ "$(wc -l < "$work/c7")" -eq 2 ]; then
    pass curl-keepalive
  else
    fail curl-keepalive "not two requests on one connection" "$work/c7"
  fi

  $C -0 -i "$base/hello" > "$work/c8" 2>&1
  has curl-http10-close "$work/c8" "HTTP/1.1 200 OK" "Connection: close" "hello from vex"

  $C -i "$base/json" > "$work/c9" 2>&1
  has curl-respond-with "$work/c9" "HTTP/1.1 201 Created" "Content-Type: application/json" '{"created": true}'

  # 3 MiB up (curl asks "Expect: 100-continue" for big bodies). Text: a
  # Request's body is a string (invalid UTF-8 would be replaced)
  if [ $have_py = yes ]; then
    python3 -c 'import sys; sys.stdout.buffer.write(bytes(97 + i * 7 % 26 for i in range(3 << 20)))' > "$work/big"
    want=$(python3 -c 'print(sum(97 + i * 7 % 26 for i in range(3 << 20)) % 1000003)')
    $C --data-binary "@$work/big" -H 'Content-Type: application/octet-stream' "$base/len" > "$work/c10" 2>&1
    check curl-upload-3mib "POST 3145728 $want" "$work/c10"
  fi

  # 20 curls at once (each bounded by --max-time)
  i=0
  cpids=
  while [ $i -lt 20 ]; do
    $C "$base/hello" > "$work/par.$i" 2>&1 &
    cpids="$cpids $!"
    i=$((i + 1))
  done
  for p in $cpids; do wait "$p"; done
  wait_ok=0
  for f in "$work"/par.*; do
    [ "$(cat "$f")" = "hello from vex" ] && wait_ok=$((wait_ok + 1))
  done
  if [ $wait_ok = 20 ]; then pass curl-parallel-20; else fail curl-parallel-20 "$wait_ok of 20 answered"; fi
fi

# ---- raw requests from python3 ----------------------------------------------

# raw NAME PYTHON-BYTES-EXPRESSION [noshut]: send the bytes on a new connection, shut the
# write side unless told, print everything the server says until it closes
raw() {
  python3 - "$port" "$2" "${3:-shut}" <<'EOF'
import socket, sys
# the bytes are a Python expression written by this suite
port, data, mode = int(sys.argv[1]), eval(sys.argv[2]), sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(data)
if mode == "shut":
    s.shutdown(socket.SHUT_WR)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    out += b"<timed out waiting for the server to close>"
sys.stdout.write(out.decode("latin-1").replace("\r\n", "\n"))
EOF
}

if [ $have_py = yes ]; then
  raw malformed "b'BLAH\\r\\n\\r\\n'" noshut > "$work/r1" 2>&1
  if head -n 1 "$work/r1" | grep -qx 'HTTP/1.1 400 Bad Request' && grep -qx 'Connection: close' "$work/r1"; then
    pass raw-malformed-400
  else
    fail raw-malformed-400 "no 400 Bad Request, or the connection stayed open" "$work/r1"
  fi

  raw bad-version "b'GET / HTTP/7.0\\r\\nHost: x\\r\\n\\r\\n'" noshut > "$work/r2" 2>&1
  if head -n 1 "$work/r2" | grep -qx 'HTTP/1.1 400 Bad Request'; then
    pass raw-bad-version-400
  else
    fail raw-bad-version-400 "no 400 Bad Request" "$work/r2"
  fi

  raw pipelined "b'GET /hello HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nPOST /echo HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\n\\r\\nhiGET /nope HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'" > "$work/r3" 2>&1
  # (the bodies end without a newline: the next status line follows)
  if [ "$(grep -o 'HTTP/1\.1 [0-9][0-9][0-9]' "$work/r3" | tr '\n' ' ')" = \
       "HTTP/1.1 200 HTTP/1.1 200 HTTP/1.1 404 " ] &&
     grep -q 'hello from vexHTTP' "$work/r3" && grep -q 'POST hi token=noneHTTP' "$work/r3"; then
    pass raw-pipelined-3
  else
    fail raw-pipelined-3 "not three answers in order" "$work/r3"
  fi

  # a head over the server's 8 KiB limit
  raw too-big "b'GET / HTTP/1.1\\r\\nX-Pad: ' + b'x' * 9000 + b'\\r\\n\\r\\n'" noshut > "$work/r4" 2>&1
  if head -n 1 "$work/r4" | grep -qx 'HTTP/1.1 431 Request Header Fields Too Large'; then
    pass raw-head-too-large-431
  else
    fail raw-head-too-large-431 "no 431" "$work/r4"
  fi

  # a request cut short, then the client hangs up: no answer, no crash
  raw cut "b'POST /echo HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100\\r\\n\\r\\nonly part'" > "$work/r5" 2>&1
  if [ ! -s "$work/r5" ]; then
    pass raw-cut-short
  else
    fail raw-cut-short "an answer to half a request" "$work/r5"
  fi
fi

# ---- the server quits cleanly -------------------------------------------------

if command -v curl > /dev/null 2>&1; then
  curl -s -S --max-time 10 "$base/quit" > "$work/q" 2>&1
elif [ $have_py = yes ]; then
  raw quit "b'GET /quit HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'" > "$work/q" 2>&1
else
  skip server-quit "neither curl nor python3 is installed"
  exit 0
fi
wait "$srvpid"
rc=$?
if [ $rc = 0 ] && grep -q '^quit by conn' "$work/server.out" && ! sanitizer_report "$work/server.err"; then
  pass server-quit
else
  cat "$work/server.out" >> "$work/server.err"
  fail server-quit "exit status $rc (124: timed out)" "$work/server.err"
fi
exit 0
