#!/bin/sh
# tests/suites/examples.sh - the programs in examples/ do what their headers
# say. The batch ones print exactly tests/examples/NAME.out (run twice for
# the async ones: their output must not depend on scheduling). The servers
# (echo_server, http_hello) are started on a free loopback port, spoken to
# by a python3 client (echo of 1 MiB; GET /, a 404, keep-alive, a
# malformed request answered 400), and stopped; each run is bounded by
# `timeout`, so a hang fails instead of blocking.

: "${VEX_OUT:=.}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
if [ ! -x "$VEX" ]; then
  echo "examples: no compiler at $VEX (build it with make)" >&2
  exit 2
fi
tmp=$(mktemp -d) || exit 2
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM HUP
export XDG_CACHE_HOME="$tmp/cache"

for name in demo pipeline fetch_and_process crawler; do
  ok=1
  for round in 1 2; do
    if ! timeout 60 "$VEX" run "examples/$name.vx" > "$tmp/out" 2> "$tmp/err"; then
      echo "FAIL example-$name: exit status $? (round $round)"
      sed -n '1,10s/^/  /p' "$tmp/err"
      ok=0
      break
    fi
    if ! cmp -s "$tmp/out" "tests/examples/$name.out"; then
      echo "FAIL example-$name: the output differs from tests/examples/$name.out (round $round)"
      diff "tests/examples/$name.out" "$tmp/out" | sed -n '1,10s/^/  /p'
      ok=0
      break
    fi
  done
  [ $ok = 1 ] && echo "PASS example-$name"
done

if ! command -v python3 > /dev/null; then
  echo "SKIP example-servers: python3 is not installed (the client of these tests)"
  exit 0
fi

# A free loopback port (the kernel picks one; a race with another process
# taking it first makes the server fail to listen, which fails the test).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start NAME: builds examples/NAME.vx, runs it on a free port; sets $port.
start() {
  if ! "$VEX" build "examples/$1.vx" -o "$tmp/$1" 2> "$tmp/err"; then
    echo "FAIL example-$1: it does not build"
    sed -n '1,10s/^/  /p' "$tmp/err"
    return 1
  fi
  port=$(free_port)
  timeout 60 "$tmp/$1" "127.0.0.1:$port" 2> "$tmp/$1.log" &
  pids="$pids $!"
  return 0
}

cat > "$tmp/echo.py" << 'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):  # until it listens (10 s at most)
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("no server")
data = bytes((i * 7 + 3) % 251 for i in range(1 << 20))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
print("echoed", len(got), "bytes", "intact" if bytes(got) == data else "CORRUPT")
PY
if start echo_server; then
  if timeout 30 python3 "$tmp/echo.py" "$port" > "$tmp/out" 2>&1 &&
     [ "$(cat "$tmp/out")" = "echoed 1048576 bytes intact" ]; then
    echo "PASS example-echo_server"
  else
    echo "FAIL example-echo_server: $(cat "$tmp/out")"
    sed -n '1,10s/^/  /p' "$tmp/echo_server.log"
  fi
fi

cat > "$tmp/hello.py" << 'PY'
import socket, sys, time
port = int(sys.argv[1])
def connect():
    for _ in range(100):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.1)
    sys.exit("no server")
def response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        b = s.recv(4096)
        if not b:
            return buf
        buf += b
    head, _, body = buf.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        body += s.recv(4096)
    return head.split(b"\r\n")[0] + b" " + body
s = connect()
for path in ["/", "/nope", "/"]:  # one connection: keep-alive
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    print(response(s).decode().strip())
s.close()
s = connect()
s.sendall(b"GARBAGE\r\n\r\n")
print(response(s).decode().split("\r\n")[0].strip())
PY
if start http_hello; then
  timeout 30 python3 "$tmp/hello.py" "$port" > "$tmp/out" 2>&1
  printf '%s\n' "HTTP/1.1 200 OK Hello, World!" "HTTP/1.1 404 Not Found not found" \
    "HTTP/1.1 200 OK Hello, World!" "HTTP/1.1 400 Bad Request" > "$tmp/want"
  if cmp -s "$tmp/out" "$tmp/want"; then
    echo "PASS example-http_hello"
  else
    echo "FAIL example-http_hello: unexpected answers"
    diff "$tmp/want" "$tmp/out" | sed -n '1,10s/^/  /p'
    sed -n '1,10s/^/  /p' "$tmp/http_hello.log"
  fi
fi
exit 0
