#!/bin/sh
# tests/suites/cli.sh - the vex command line: version/help, build -o,
# emit-c (#line back to the source), the IR dumps, the run cache (a second
# run does not invoke the C compiler), program arguments and exit status.
: "${VEX_OUT:=.}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export XDG_CACHE_HOME=$tmp/cache

pass() { echo "PASS cli/$1"; }
fail() { echo "FAIL cli/$1: $2"; }
check() { # NAME CONDITION-COMMAND...
  name=$1; shift
  if "$@" > "$tmp/out" 2>&1; then pass "$name"; else fail "$name" "$(head -c 300 "$tmp/out")"; fi
}

cat > "$tmp/hello.vx" <<'VX'
fn main(): i32 {
    let args = os.args()
    $println("hello", args.len() - 1)
    3
}
VX

check version sh -c "timeout 10 '$VEX' --version | grep -q '^vex [0-9]'"
check help sh -c "timeout 10 '$VEX' help | grep -q 'emit-c'"
check unknown-command sh -c "! timeout 10 '$VEX' frobnicate 2>/dev/null"
check build-o sh -c "timeout 120 '$VEX' build '$tmp/hello.vx' -o '$tmp/h' && '$tmp/h' a b > '$tmp/o'; [ \$? = 3 ] && grep -qx 'hello 2' '$tmp/o'"
check build-release sh -c "timeout 120 '$VEX' build --release '$tmp/hello.vx' -o '$tmp/hr' && '$tmp/hr' > '$tmp/o'; [ \$? = 3 ]"
check emit-c-line sh -c "timeout 10 '$VEX' emit-c '$tmp/hello.vx' | grep -q '#line 3 \"$tmp/hello.vx\"'"
check dump-tokens sh -c "timeout 10 '$VEX' check --dump=tokens '$tmp/hello.vx' | grep -q 'dollar.*println'"
check dump-ast sh -c "timeout 10 '$VEX' check --dump=ast '$tmp/hello.vx' | grep -q '(fn main'"
check dump-mir sh -c "timeout 10 '$VEX' check --dump=mir '$tmp/hello.vx' | grep -q '^  bb0:'"
# a C compiler that logs each call: the second run comes from the cache
printf '#!/bin/sh\necho called >> "%s/cc.log"\nexec cc "$@"\n' "$tmp" > "$tmp/cc"
chmod +x "$tmp/cc"
check run-args-exit sh -c "VEX_CC='$tmp/cc' timeout 120 '$VEX' run '$tmp/hello.vx' x y z > '$tmp/o'; [ \$? = 3 ] && grep -qx 'hello 3' '$tmp/o'"
check run-cached sh -c "VEX_CC='$tmp/cc' timeout 20 '$VEX' run '$tmp/hello.vx' > '$tmp/o'; [ \$? = 3 ] && grep -qx 'hello 0' '$tmp/o' && [ \$(wc -l < '$tmp/cc.log') = 1 ]"
check run-cache-invalidated sh -c "echo '// changed' >> '$tmp/hello.vx'; VEX_CC='$tmp/cc' timeout 120 '$VEX' run '$tmp/hello.vx' > /dev/null; [ \$(wc -l < '$tmp/cc.log') = 2 ]"
check check-error-exit sh -c "printf 'fn main() { let x: i32 = true }\n' > '$tmp/bad.vx'; timeout 10 '$VEX' check '$tmp/bad.vx' 2> '$tmp/e'; [ \$? = 1 ] && grep -q '^error\\[E0300\\]' '$tmp/e' && grep -q '^ --> ' '$tmp/e'"
check missing-file sh -c "! timeout 10 '$VEX' check '$tmp/nope.vx' 2>/dev/null"
exit 0
