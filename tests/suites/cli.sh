#!/bin/sh
# tests/suites/cli.sh - the toolchain as a user meets it: the `vex` command
# line, the run cache, building, emit-c, VEX_CC, several files and FFI, a
# relocated or installed vex, panic locations. Fixtures are in tests/cli/;
# tests/cli/README.md says what each test checks.
#
# Every command runs under `timeout`; everything happens in one temp dir
# (removed at exit) with its own XDG_CACHE_HOME, so the user's cache is
# never touched. Prints `PASS cli-NAME` or `FAIL cli-NAME: why` per test.

: "${VEX_OUT:=.}" "${VARIANT:=default}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
FIX=$(pwd)/tests/cli
TO=${VEX_TEST_TIMEOUT:-60}
if [ ! -x "$VEX" ]; then
  echo "cli: no compiler at $VEX (build it with make)" >&2
  exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM HUP
export XDG_CACHE_HOME="$tmp/cache"
unset VEX_CC VEX_KEEP_C

pass() { echo "PASS cli-$1"; }
# fail NAME WHY [FILE...]: the FAIL line, then the first lines of each FILE
fail() {
  n=$1 w=$2
  shift 2
  echo "FAIL cli-$n: $w"
  for f in "$@"; do
    [ -s "$f" ] && { echo "  $(basename "$f"):"; sed -n '1,10s/^/    /p' "$f" | cut -c1-200; }
  done
  return 0
}
# vx ARGS...: vex under a timeout, stdout to $tmp/out, stderr to $tmp/err,
# the exit status in $rc
vx() {
  timeout -k 5 "$TO" "$VEX" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
  rc=$?
}
# vxin DIR ARGS...: vx, run in directory DIR
vxin() {
  d=$1
  shift
  (cd "$d" && exec timeout -k 5 "$TO" "$VEX" "$@") > "$tmp/out" 2> "$tmp/err" < /dev/null
  rc=$?
}
# lines TEXT...: the expected output file $tmp/want, one argument a line
lines() { printf '%s\n' "$@" > "$tmp/want"; }
# same: is $tmp/out exactly $tmp/want?
same() { cmp -s "$tmp/want" "$tmp/out"; }
# ccwrap DIR: DIR/cc logs one line per call to DIR/cc.log, then runs the real
# C compiler (cc). VEX_CC=DIR/cc proves when vex does or does not compile.
ccwrap() {
  mkdir -p "$1"
  cat > "$1/cc" <<EOF
#!/bin/sh
echo "\$*" >> "$1/cc.log"
exec cc "\$@"
EOF
  chmod +x "$1/cc"
  : > "$1/cc.log"
}
# calls DIR: how many times the C compiler built a program (not `cc -MM`)
calls() { grep -c -e ' -o ' "$1/cc.log"; }
# entries DIR: the cached programs in DIR (32 hex digits), and any temp files
entries() { ls "$1" 2>/dev/null | grep -v -e '^trimmed$' -e '\.deps$' -e '\.sum$' | wc -l | tr -d ' '; }

# ---- the command itself ----

vx --version
if [ $rc = 0 ] && grep -Eqx 'vex [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" && [ ! -s "$tmp/err" ] &&
   [ "$(wc -l < "$tmp/out")" = 1 ]; then
  pass version
else
  fail version "status $rc, want one line \`vex X.Y.Z\` on stdout" "$tmp/out" "$tmp/err"
fi

ok=1
for h in help --help; do
  vx $h
  [ $rc = 0 ] && [ ! -s "$tmp/err" ] && grep -q '^usage: vex' "$tmp/out" || ok=0
  for c in run build check emit-c help --version VEX_CC XDG_CACHE_HOME; do
    grep -q -e "$c" "$tmp/out" || ok=0
  done
done
[ $ok = 1 ] && pass help || fail help "vex help/--help: status $rc, want usage naming every command on stdout" "$tmp/out" "$tmp/err"

vx
if [ $rc = 2 ] && [ ! -s "$tmp/out" ] && grep -q '^usage: vex' "$tmp/err"; then
  pass no-args
else
  fail no-args "status $rc, want 2 with usage on stderr only" "$tmp/out" "$tmp/err"
fi

vx frobnicate x.vx
if [ $rc = 2 ] && [ ! -s "$tmp/out" ] && grep -q "unknown command.*frobnicate" "$tmp/err"; then
  pass unknown-command
else
  fail unknown-command "status $rc, want 2 and \"unknown command ... frobnicate\" on stderr" "$tmp/out" "$tmp/err"
fi

vx run
if [ $rc = 2 ] && grep -q 'no .vx file' "$tmp/err"; then
  pass run-no-file
else
  fail run-no-file "status $rc, want 2 and \"no .vx file\"" "$tmp/err"
fi

# ---- vex run ----

vx run "$FIX/args.vx" one "two words" --flag -x ''
lines "argc 6" "[one]" "[two words]" "[--flag]" "[-x]" "[]"
if [ $rc = 3 ] && same; then
  pass run-args-exit
else
  fail run-args-exit "status $rc (want 3) or wrong stdout" "$tmp/out" "$tmp/err"
fi

# `--` ends vex's own options: what follows goes to the program, even if it
# looks like a vex option or a source file.
vx run "$FIX/args.vx" -- --release -o x.vx y.c -- z
lines "argc 7" "[--release]" "[-o]" "[x.vx]" "[y.c]" "[--]" "[z]"
if [ $rc = 3 ] && same; then
  pass run-dashdash
else
  fail run-dashdash "status $rc (want 3) or wrong stdout" "$tmp/out" "$tmp/err"
fi

# Once the program's arguments have started, `-o` is one of them (it means
# nothing to `vex run`), not swallowed by vex.
vx run "$FIX/args.vx" -o out.txt in.txt
lines "argc 4" "[-o]" "[out.txt]" "[in.txt]"
rc1=$rc
same && out1=same || out1=differs
vx run -o out.txt "$FIX/args.vx"
if [ $rc1 = 3 ] && [ $out1 = same ] && [ $rc = 2 ] && grep -q -e '-o is an option of vex build' "$tmp/err"; then
  pass run-program-dash-o
else
  fail run-program-dash-o "status $rc1 (want 3), stdout $out1, or vex run -o X FILE: $rc (want 2)" "$tmp/err"
fi

# os.args()[0] is the program's name (the source path without .vx, as
# `vex build` would name it), not the hash-named file in the cache.
vx run "$FIX/argv0.vx"
if [ $rc = 0 ] && [ "$(cat "$tmp/out")" = "$FIX/argv0" ]; then
  pass run-argv0
else
  fail run-argv0 "status $rc, want stdout \"$FIX/argv0\"" "$tmp/out" "$tmp/err"
fi

vx run "$tmp/no-such-file.vx"
if { [ $rc = 1 ] || [ $rc = 2 ]; } && grep -q "no-such-file.vx" "$tmp/err" &&
   grep -qi "no such file" "$tmp/err" && [ ! -s "$tmp/out" ]; then
  pass run-missing-file
else
  fail run-missing-file "status $rc, want 1 or 2 and a message naming the file" "$tmp/err"
fi

vx run "$tmp/no-such-file"
if { [ $rc = 1 ] || [ $rc = 2 ]; } && grep -q "no-such-file" "$tmp/err"; then
  pass run-not-vx
else
  fail run-not-vx "status $rc, want 1 or 2 and a message naming the argument" "$tmp/err"
fi

mkdir "$tmp/dir.vx"
vx check "$tmp/dir.vx"
if { [ $rc = 1 ] || [ $rc = 2 ]; } && grep -q "dir.vx.*directory" "$tmp/err" &&
   ! grep -q '^error' "$tmp/err"; then
  pass check-directory
else
  fail check-directory "status $rc, want 1 or 2 and a message naming the directory" "$tmp/err"
fi

# ---- the run cache ----

w=$tmp/w1
ccwrap "$w"
cp "$FIX/args.vx" "$tmp/prog.vx"
VEX_CC=$w/cc vx run "$tmp/prog.vx" a
c1=$(calls "$w")
VEX_CC=$w/cc vx run "$tmp/prog.vx" b
c2=$(calls "$w")
lines "argc 2" "[b]"
if [ "$c1" = 1 ] && [ "$c2" = 1 ] && [ $rc = 3 ] && same; then
  pass cache-hit
else
  fail cache-hit "C compiler calls: $c1 after the first run, $c2 after the second (want 1, 1); status $rc" "$tmp/out" "$tmp/err"
fi

sed 's/argc /count /' "$FIX/args.vx" > "$tmp/prog.vx"
VEX_CC=$w/cc vx run "$tmp/prog.vx" c
lines "count 2" "[c]"
if [ "$(calls "$w")" = 2 ] && [ $rc = 3 ] && same; then
  pass cache-changed-source
else
  fail cache-changed-source "C compiler calls $(calls "$w") (want 2), status $rc" "$tmp/out" "$tmp/err"
fi

VEX_CC=$w/cc vx run --release "$tmp/prog.vx" d
if [ "$(calls "$w")" = 3 ] && tail -n 1 "$w/cc.log" | grep -q -e ' -O2 ' && [ $rc = 3 ]; then
  pass cache-changed-flags
else
  fail cache-changed-flags "--release: C compiler calls $(calls "$w") (want 3, the last with -O2), status $rc" "$w/cc.log" "$tmp/err"
fi

# a changed runtime: a private copy of the tree whose vexrt.h gains a comment
mkdir -p "$tmp/tree/bin" "$tmp/tree/lib"
cp "$VEX" "$tmp/tree/bin/vex"
cp -R "$VEX_OUT/lib/vex" "$tmp/tree/lib/vex"
w=$tmp/w2
ccwrap "$w"
VEX_CC=$w/cc timeout "$TO" "$tmp/tree/bin/vex" run "$FIX/args.vx" > /dev/null 2>&1
echo "/* changed */" >> "$tmp/tree/lib/vex/vexrt.h"
VEX_CC=$w/cc timeout "$TO" "$tmp/tree/bin/vex" run "$FIX/args.vx" > /dev/null 2>&1
c2=$(calls "$w")
VEX_CC=$w/cc timeout "$TO" "$tmp/tree/bin/vex" run "$FIX/args.vx" > /dev/null 2>&1
c3=$(calls "$w")
# a rebuilt vex (here: the same second, another nanosecond) rebuilds too
touch -d '2030-01-01 00:00:00.100000000' "$tmp/tree/bin/vex"
VEX_CC=$w/cc timeout "$TO" "$tmp/tree/bin/vex" run "$FIX/args.vx" > /dev/null 2>&1
touch -d '2030-01-01 00:00:00.200000000' "$tmp/tree/bin/vex"
VEX_CC=$w/cc timeout "$TO" "$tmp/tree/bin/vex" run "$FIX/args.vx" > /dev/null 2>&1
c4=$(calls "$w")
if [ "$c2" = 2 ] && [ "$c3" = 2 ]; then
  pass cache-changed-runtime
else
  fail cache-changed-runtime "C compiler calls $c2 after changing vexrt.h (want 2), then $c3 (want 2)"
fi
if [ "$c4" = 4 ]; then
  pass cache-changed-vex
else
  fail cache-changed-vex "C compiler calls $c4 after two new vex mtimes in one second (want 4)"
fi

# a changed .c file given on the command line
cp "$FIX/ffi.vx" "$FIX/ffi.c" "$tmp/"
w=$tmp/w3
ccwrap "$w"
VEX_CC=$w/cc vx run "$tmp/ffi.vx" "$tmp/ffi.c"
sed 's/^#define CLI_TAG 1$/#define CLI_TAG 2/' "$FIX/ffi.c" > "$tmp/ffi.c"
VEX_CC=$w/cc vx run "$tmp/ffi.vx" "$tmp/ffi.c"
lines "mix 67" "tag 2"
if [ "$(calls "$w")" = 2 ] && [ $rc = 0 ] && same; then
  pass cache-changed-c-file
else
  fail cache-changed-c-file "C compiler calls $(calls "$w") (want 2), status $rc" "$tmp/out" "$tmp/err"
fi

# a changed header included by a .c file given on the command line
mkdir "$tmp/hd" "$tmp/hd/inc"
cp "$FIX/ffi.vx" "$tmp/hd/"
printf '#include "inc/tag.h"\n' > "$tmp/hd/ffi.c"
cat "$FIX/ffi.c" >> "$tmp/hd/ffi.c"
echo '#define CLI_TAG 7' > "$tmp/hd/inc/tag.h"
w=$tmp/w5
ccwrap "$w"
VEX_CC=$w/cc vxin "$tmp/hd" run ffi.vx ffi.c
o1=$(tail -n 1 "$tmp/out")
echo '#define CLI_TAG 8' > "$tmp/hd/inc/tag.h"
VEX_CC=$w/cc vxin "$tmp/hd" run ffi.vx ffi.c
o2=$(tail -n 1 "$tmp/out")
VEX_CC=$w/cc vxin "$tmp/hd" run ffi.vx ffi.c
o3=$(tail -n 1 "$tmp/out")
if [ "$o1 $o2 $o3" = "tag 7 tag 8 tag 8" ] && [ "$(calls "$w")" = 2 ]; then
  pass cache-changed-header
else
  fail cache-changed-header "outputs \"$o1\", \"$o2\", \"$o3\" (want tag 7, tag 8, tag 8); C compiler builds $(calls "$w") (want 2)" "$tmp/err"
fi

# a header saved DURING a build (here: by the C compiler wrapper, right
# after it compiled): the inputs are hashed before the build and checked
# after it, so that build is run but not cached under the new header's key;
# the next run rebuilds and prints the new value. It used to hash the
# headers after the build and keep the old program under the new key.
mkdir "$tmp/hb" "$tmp/hb/inc"
cp "$FIX/ffi.vx" "$tmp/hb/"
printf '#include "inc/tag.h"\n' > "$tmp/hb/ffi.c"
cat "$FIX/ffi.c" >> "$tmp/hb/ffi.c"
echo '#define CLI_TAG 7' > "$tmp/hb/inc/tag.h"
w=$tmp/w6
mkdir -p "$w"
cat > "$w/cc" <<EOF
#!/bin/sh
echo "\$*" >> "$w/cc.log"
cc "\$@" || exit \$?
case " \$* " in *" -o "*) echo '#define CLI_TAG 8' > "$tmp/hb/inc/tag.h" ;; esac
EOF
chmod +x "$w/cc"
: > "$w/cc.log"
VEX_CC=$w/cc vxin "$tmp/hb" run ffi.vx ffi.c
o1=$(tail -n 1 "$tmp/out")
VEX_CC=$w/cc vxin "$tmp/hb" run ffi.vx ffi.c
o2=$(tail -n 1 "$tmp/out")
VEX_CC=$w/cc vxin "$tmp/hb" run ffi.vx ffi.c
o3=$(tail -n 1 "$tmp/out")
if [ "$o1 $o2 $o3" = "tag 7 tag 8 tag 8" ] && [ "$(calls "$w")" = 2 ]; then
  pass cache-header-during-build
else
  fail cache-header-during-build "outputs \"$o1\", \"$o2\", \"$o3\" (want tag 7, tag 8, tag 8); C compiler builds $(calls "$w") (want 2)" "$tmp/err"
fi

# another C compiler behind the same VEX_CC (its --version changes): rebuilt
w=$tmp/w7
mkdir -p "$w"
echo "fakecc 1.0" > "$w/version"
cat > "$w/cc" <<EOF
#!/bin/sh
echo "\$*" >> "$w/cc.log"
case "\$1" in --version) cat "$w/version"; exit 0 ;; esac
exec cc "\$@"
EOF
chmod +x "$w/cc"
: > "$w/cc.log"
VEX_CC=$w/cc vx run "$FIX/args.vx" a
VEX_CC=$w/cc vx run "$FIX/args.vx" b
c1=$(calls "$w")
echo "fakecc 2.0" > "$w/version"
VEX_CC=$w/cc vx run "$FIX/args.vx" c
c2=$(calls "$w")
if [ "$c1" = 1 ] && [ "$c2" = 2 ] && [ $rc = 3 ]; then
  pass cache-changed-cc-version
else
  fail cache-changed-cc-version "C compiler builds $c1 then $c2 (want 1, then 2 after its version changed), status $rc" "$tmp/err"
fi

# an entry is K (the program) and K.sum ("SIZE HASH"), K 32 hex digits; a
# cut-short, emptied or damaged K is rebuilt, never run (it used to run:
# "Exec format error", or SIGSEGV)
c=$tmp/ent
dw=$tmp/w8
ccwrap "$dw"
XDG_CACHE_HOME=$c VEX_CC=$dw/cc vx run "$FIX/args.vx" a
k=$(ls "$c/vex" | grep '^[0-9a-f]\{32\}$')
sum=$(cat "$c/vex/$k.sum" 2>/dev/null)
size=$(wc -c < "$c/vex/$k" 2>/dev/null | tr -d ' ')
if [ -n "$k" ] && [ "${sum%% *}" = "$size" ] && echo "$sum" | grep -qx '[0-9]* [0-9a-f]\{32\}'; then
  pass cache-entry-format
else
  fail cache-entry-format "entry \"$k\", sum \"$sum\", size $size (want K of 32 hex digits and K.sum \"SIZE HASH\")"
  ls "$c/vex" | sed 's/^/    /'
fi
ok=1
builds=1
k=$(ls "$c/vex" | grep -e '^[0-9a-f]\{32\}$' -e '^[0-9a-f]\{16\}$') # (or an old vex's)
size=$(wc -c < "$c/vex/$k" 2>/dev/null | tr -d ' ')
[ -n "$k" ] && [ -n "$size" ] || { ok=0; k=none size=0; fail cache-damaged-entry "no entry to damage"; }
for damage in half empty flip; do
  f=$c/vex/$k
  case $damage in
    half) head -c $((size / 2)) "$f" > "$tmp/half" && cat "$tmp/half" > "$f" ;;
    empty) : > "$f" ;;
    flip) printf 'XXXX' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null ;;
  esac
  XDG_CACHE_HOME=$c VEX_CC=$dw/cc vx run "$FIX/args.vx" "$damage"
  builds=$((builds + 1))
  lines "argc 2" "[$damage]"
  if [ $rc != 3 ] || ! same || [ "$(calls "$dw")" != $builds ]; then
    ok=0
    fail cache-damaged-entry "$damage entry: status $rc (want 3), C compiler builds $(calls "$dw") (want $builds)" "$tmp/out" "$tmp/err"
  fi
done
XDG_CACHE_HOME=$c VEX_CC=$dw/cc vx run "$FIX/args.vx" z
[ "$(calls "$dw")" = $builds ] || { ok=0; fail cache-damaged-entry "the rebuilt entry is not a hit: $(calls "$dw") builds"; }
[ $ok = 1 ] && pass cache-damaged-entry

# XDG_CACHE_HOME is honoured; without it, $HOME/.cache/vex
x=$tmp/xdg
vx run "$FIX/argv0.vx"
XDG_CACHE_HOME=$x vx run "$FIX/argv0.vx"
n1=$(entries "$x/vex")
mkdir -p "$tmp/home"
(unset XDG_CACHE_HOME; HOME=$tmp/home vx run "$FIX/argv0.vx")
n2=$(entries "$tmp/home/.cache/vex")
if [ "$n1" = 1 ] && [ "$n2" = 1 ]; then
  pass cache-xdg
else
  fail cache-xdg "entries: $n1 in \$XDG_CACHE_HOME/vex, $n2 in \$HOME/.cache/vex (want 1, 1)"
fi

# a relative XDG_CACHE_HOME is ignored (the XDG spec): $HOME/.cache/vex again
mkdir -p "$tmp/home2" "$tmp/cwd"
(cd "$tmp/cwd" && XDG_CACHE_HOME=rel HOME=$tmp/home2 vx run "$FIX/argv0.vx")
n1=$(entries "$tmp/home2/.cache/vex")
if [ "$n1" = 1 ] && [ ! -e "$tmp/cwd/rel" ]; then
  pass cache-xdg-relative
else
  fail cache-xdg-relative "entries in \$HOME/.cache/vex: $n1 (want 1); or ./rel was created"
fi

# neither XDG_CACHE_HOME nor HOME: never a shared /tmp/.cache where another
# user could plant the program vex runs; a message, and the program runs,
# built in a private temporary directory that is gone afterwards
mkdir -p "$tmp/nh"
(unset XDG_CACHE_HOME HOME; TMPDIR=$tmp/nh vx run "$FIX/argv0.vx"; echo $rc > "$tmp/rc")
rc=$(cat "$tmp/rc")
if [ "$rc" = 0 ] && grep -q '^vex: the run cache needs $XDG_CACHE_HOME or $HOME.*; building in a temporary directory instead$' "$tmp/err" &&
   [ "$(cat "$tmp/out")" = "$FIX/argv0" ] && [ -z "$(ls "$tmp/nh")" ]; then
  pass cache-no-home
else
  fail cache-no-home "status $rc, want 0, a message naming XDG_CACHE_HOME and HOME, the program's output, nothing left in TMPDIR ($(ls "$tmp/nh"))" "$tmp/out" "$tmp/err"
fi

# the generated C goes to $TMPDIR (VEX_KEEP_C keeps it and says where)
mkdir "$tmp/tmpdir"
TMPDIR=$tmp/tmpdir VEX_KEEP_C=1 vx build "$FIX/argv0.vx" -o "$tmp/a0"
if [ $rc = 0 ] && grep -q "generated C kept in $tmp/tmpdir/vex-.*\.c" "$tmp/err" &&
   grep -q '^#line' "$tmp/tmpdir"/vex-*.c; then
  pass tmpdir-keep-c
else
  fail tmpdir-keep-c "status $rc, want the C file kept in \$TMPDIR" "$tmp/err"
fi

# an unusable cache directory (the cache path is a file; $HOME is a file;
# $HOME is read-only): a message naming it, not the linker's, and the program
# still runs, built in a temporary directory
: > "$tmp/plainfile"
XDG_CACHE_HOME=$tmp/plainfile vx run "$FIX/argv0.vx"
if [ $rc = 0 ] && grep -q "^vex: cannot create the build cache $tmp/plainfile/vex: Not a directory; building in a temporary directory instead$" "$tmp/err" &&
   [ "$(cat "$tmp/out")" = "$FIX/argv0" ] && ! grep -q -e collect2 -e 'cannot open output' "$tmp/err"; then
  pass cache-unusable
else
  fail cache-unusable "status $rc, want 0, a vex: message naming the cache directory, and the program's output" "$tmp/out" "$tmp/err"
fi
(unset XDG_CACHE_HOME; HOME=$tmp/plainfile vx run "$FIX/args.vx" x; echo $rc > "$tmp/rc")
rc=$(cat "$tmp/rc")
if [ "$rc" = 3 ] && grep -q "^vex: cannot create the build cache $tmp/plainfile/.cache/vex: .*; building in a temporary directory instead$" "$tmp/err" &&
   [ "$(cat "$tmp/out")" = "argc 2
[x]" ]; then
  pass cache-home-is-file
else
  fail cache-home-is-file "status $rc, want 3, a message naming \$HOME/.cache/vex, and the program's output" "$tmp/out" "$tmp/err"
fi
if [ "$(id -u)" = 0 ]; then
  echo "SKIP cli-cache-readonly-home: running as root, whom a read-only mode does not stop"
else
  mkdir -p "$tmp/rohome"
  chmod 555 "$tmp/rohome"
  (unset XDG_CACHE_HOME; HOME=$tmp/rohome vx run "$FIX/argv0.vx"; echo $rc > "$tmp/rc")
  rc=$(cat "$tmp/rc")
  chmod 755 "$tmp/rohome"
  if [ "$rc" = 0 ] && grep -q "^vex: cannot create the build cache $tmp/rohome/.cache/vex: Permission denied; building in a temporary directory instead$" "$tmp/err" &&
     [ "$(cat "$tmp/out")" = "$FIX/argv0" ]; then
    pass cache-readonly-home
  else
    fail cache-readonly-home "status $rc, want 0, a message naming the cache, and the program's output" "$tmp/out" "$tmp/err"
  fi
fi

# two `vex run` of the same new program at once, on an empty cache
c=$tmp/conc
XDG_CACHE_HOME=$c timeout "$TO" "$VEX" run "$FIX/args.vx" p > "$tmp/o1" 2> "$tmp/e1" &
p1=$!
XDG_CACHE_HOME=$c timeout "$TO" "$VEX" run "$FIX/args.vx" q > "$tmp/o2" 2> "$tmp/e2" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
if [ $r1 = 3 ] && [ $r2 = 3 ] && [ "$(cat "$tmp/o1")" = "argc 2
[p]" ] && [ "$(cat "$tmp/o2")" = "argc 2
[q]" ] && [ "$(entries "$c/vex")" = 1 ]; then
  pass cache-concurrent
else
  fail cache-concurrent "statuses $r1 $r2 (want 3 3), or wrong output, or leftovers in the cache" "$tmp/o1" "$tmp/e1" "$tmp/o2" "$tmp/e2"
  ls "$c/vex" | sed 's/^/    /'
fi

# the cache trims itself: a miss, at most once a day, deletes the entries
# unused for 5 days and interrupted builds' temp files older than an hour;
# a hit refreshes its entry; files that are not vex's stay
k=$tmp/trim/vex
mkdir -p "$k"
old32=0000000000000000000000000000003a
for f in 00000000000000aa 00000000000000bb.deps 00000000000000cc.tmp123 \
         00000000000000dd.deps.tmp9 0000000000000011 0000000000000022.tmp7 notes.txt \
         $old32 $old32.sum; do
  : > "$k/$f"
done
touch -d '6 days ago' "$k/00000000000000aa" "$k/00000000000000bb.deps" "$k/notes.txt" \
  "$k/$old32" "$k/$old32.sum"
touch -d '2 hours ago' "$k/00000000000000cc.tmp123" "$k/00000000000000dd.deps.tmp9"
touch -d '4 days ago' "$k/0000000000000011"
XDG_CACHE_HOME=$tmp/trim vx run "$FIX/argv0.vx"
left=$(ls "$k" | grep -v -e '^[0-9a-f]\{16\}$' -e '^[0-9a-f]\{32\}\(\.sum\)\{0,1\}$' | tr '\n' ' ')
hit=$(ls "$k" | grep '^[0-9a-f]\{32\}$')
touch -d '3 days ago' "$k/$hit"
XDG_CACHE_HOME=$tmp/trim vx run "$FIX/argv0.vx"
fresh=$(find "$k/$hit" -mmin -60 | wc -l)
if [ "$left" = "0000000000000022.tmp7 notes.txt trimmed " ] && [ -e "$k/0000000000000011" ] &&
   [ ! -e "$k/$old32" ] && [ ! -e "$k/$old32.sum" ] && [ "$fresh" = 1 ]; then
  pass cache-trim
else
  fail cache-trim "left besides programs: \"$left\" (want the young temp file, notes.txt, trimmed); 4-day entry kept: $([ -e "$k/0000000000000011" ] && echo yes || echo no); hit refreshed: $fresh"
fi

# interrupted while the C compiler runs (it signals vex itself, then sleeps):
# vex stops it, deletes the generated C and the half-built program, and dies
# of the signal
mkdir -p "$tmp/int/td"
cat > "$tmp/int/cc" <<EOF
#!/bin/sh
echo started >> "$tmp/int/log"
kill -INT \$PPID
exec sleep 30
EOF
chmod +x "$tmp/int/cc"
TMPDIR=$tmp/int/td XDG_CACHE_HOME=$tmp/int/cache VEX_CC=$tmp/int/cc vx run "$FIX/args.vx"
left=$(ls "$tmp/int/td" "$tmp/int/cache/vex" 2>/dev/null | grep -v -e '^$' -e ':$' | tr '\n' ' ')
if [ $rc = 130 ] && [ -s "$tmp/int/log" ] && [ -z "$left" ]; then
  pass interrupted-build
else
  fail interrupted-build "status $rc (want 130), compiler started: $(cat "$tmp/int/log" 2>/dev/null), left: $left"
fi

# ---- vex build ----

vx build "$FIX/args.vx" -o "$tmp/built"
timeout "$TO" "$tmp/built" x y > "$tmp/out" 2>&1
r=$?
lines "argc 3" "[x]" "[y]"
if [ $rc = 0 ] && [ $r = 3 ] && same; then
  pass build-o
else
  fail build-o "vex build status $rc, program status $r (want 0, 3)" "$tmp/err" "$tmp/out"
fi

# default output name: the source's base name without .vx, in the current dir
mkdir "$tmp/bd"
vxin "$tmp/bd" build "$FIX/args.vx"
if [ $rc = 0 ] && [ -x "$tmp/bd/args" ] && [ "$(ls "$tmp/bd")" = args ] &&
   [ "$(timeout "$TO" "$tmp/bd/args" | head -n 1)" = "argc 1" ]; then
  pass build-default-name
else
  fail build-default-name "status $rc, want ./args only; got: $(ls "$tmp/bd" | tr '\n' ' ')" "$tmp/err"
fi

# -o naming a directory puts the executable in it (as go build -o DIR)
mkdir "$tmp/outdir"
vx build "$FIX/args.vx" -o "$tmp/outdir"
if [ $rc = 0 ] && [ "$(ls "$tmp/outdir")" = args ] &&
   [ "$(timeout "$TO" "$tmp/outdir/args" | head -n 1)" = "argc 1" ]; then
  pass build-o-directory
else
  fail build-o-directory "status $rc, want OUTDIR/args; got: $(ls "$tmp/outdir" | tr '\n' ' ')" "$tmp/err"
fi

w=$tmp/w4
ccwrap "$w"
VEX_CC=$w/cc vx build "$FIX/args.vx" -o "$tmp/dbg"
VEX_CC=$w/cc vx build --release "$FIX/args.vx" -o "$tmp/rel"
timeout "$TO" "$tmp/rel" z > "$tmp/out" 2>&1
r=$?
lines "argc 2" "[z]"
if [ $rc = 0 ] && [ $r = 3 ] && same && sed -n 1p "$w/cc.log" | grep -q -e ' -O1 ' &&
   sed -n 2p "$w/cc.log" | grep -q -e ' -O2 '; then
  pass build-release
else
  fail build-release "status $rc/$r, or -O1 then -O2 not passed to the C compiler" "$w/cc.log" "$tmp/err"
fi

# a program with errors: diagnostics, status 1, no executable
# (TMPDIR does not exist: vex checks the program before it writes any C, so
# a program with errors, or a crash of vex, leaves no temp file behind)
TMPDIR=$tmp/no-such-dir vx build "$FIX/bad.vx" -o "$tmp/nothing"
if [ $rc = 1 ] && [ ! -e "$tmp/nothing" ] && grep -q '^error\[E0300\]' "$tmp/err" &&
   ! grep -q 'temporary' "$tmp/err"; then
  pass build-error
else
  fail build-error "status $rc, want 1, a diagnostic and no output file" "$tmp/err"
fi

# the output may not be one of the sources: the source is left alone
cp "$FIX/argv0.vx" "$FIX/ffi.c" "$tmp/bd/"
ok=1
for victim in argv0.vx ffi.c; do
  vxin "$tmp/bd" build argv0.vx ffi.c -o ./$victim
  [ $rc = 2 ] && grep -q "overwrite.*$victim" "$tmp/err" || ok=0
done
cmp -s "$FIX/argv0.vx" "$tmp/bd/argv0.vx" && cmp -s "$FIX/ffi.c" "$tmp/bd/ffi.c" || ok=0
rm -f "$tmp/bd/argv0.vx" "$tmp/bd/ffi.c"
[ $ok = 1 ] && pass build-o-is-source || fail build-o-is-source "status $rc, want 2 and the sources untouched" "$tmp/err"

vx build "$FIX/args.vx" -o
if [ $rc = 2 ] && grep -q -e '-o' "$tmp/err"; then
  pass build-o-missing
else
  fail build-o-missing "status $rc, want 2 and a message about -o" "$tmp/err"
fi

# ---- vex check ----

vx check "$FIX/args.vx"
rc1=$rc
cp "$tmp/err" "$tmp/err1"
vx check "$FIX/main.vx" "$FIX/lib.vx"
if [ $rc1 = 0 ] && [ $rc = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/err1" ]; then
  pass check-good
else
  fail check-good "status $rc, want 0 and no output" "$tmp/out" "$tmp/err"
fi

vx check "$FIX/bad.vx"
if [ $rc = 1 ] && [ ! -s "$tmp/out" ] &&
   [ "$(sed -n 1p "$tmp/err")" = 'error[E0300]: mismatched types: expected `i32`, found `string`' ] &&
   [ "$(sed -n 2p "$tmp/err")" = " --> $FIX/bad.vx:4:18" ]; then
  pass check-bad
else
  fail check-bad "status $rc, want 1 and the diagnostic on stderr only" "$tmp/out" "$tmp/err"
fi

# --dump=STAGE prints that IR and stops, whatever the command; a bad STAGE is
# an error
ok=1
for c in check run build emit-c; do
  vxin "$tmp/bd" $c --dump=ast "$FIX/argv0.vx"
  [ $rc = 0 ] && grep -q '^(fn main' "$tmp/out" && [ ! -s "$tmp/err" ] || { ok=0; break; }
done
[ "$(ls "$tmp/bd")" = args ] || ok=0
vx check --dump=tokens "$FIX/argv0.vx"
grep -q 'dollar.*println' "$tmp/out" || ok=0
vx check --dump=mir "$FIX/argv0.vx"
grep -q '^  bb0:' "$tmp/out" || ok=0
vx check --dump=bogus "$FIX/argv0.vx"
[ $rc = 2 ] && grep -q 'bogus' "$tmp/err" || ok=0
[ $ok = 1 ] && pass dump-stops || fail dump-stops "vex $c --dump=ast: status $rc, or a file was built" "$tmp/out" "$tmp/err"

# --error-format=json: one JSON object per diagnostic on stderr, for tools
vx check --error-format=json "$FIX/bad.vx"
if [ $rc = 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
   grep -q "^{\"level\":\"error\",\"code\":\"E0300\",.*\"file\":\"$FIX/bad.vx\",\"line\":4,\"col\":18," "$tmp/err"; then
  pass check-json
else
  fail check-json "status $rc, want 1 and one JSON line for E0300 at 4:18" "$tmp/err"
fi

# colour only on a terminal: under a pty (script(1)) the diagnostic is red,
# through a pipe (check-bad above) it holds no escape at all
esc=$(printf '\033')
vx check "$FIX/bad.vx"
grep -q "$esc" "$tmp/err" && piped=escapes || piped=plain
timeout "$TO" script -qec "'$VEX' check '$FIX/bad.vx'" /dev/null > "$tmp/tty" 2>&1 < /dev/null
if [ $piped = plain ] && grep -q "${esc}\[1;31merror\[E0300\]" "$tmp/tty"; then
  pass check-colour-tty
else
  fail check-colour-tty "piped: $piped (want plain); on a tty want red error[E0300]" "$tmp/tty"
fi

# an error in the second file names that file
printf 'fn helper(): i32 {\n    true\n}\n' > "$tmp/second.vx"
printf 'fn main() {\n    $println(helper())\n}\n' > "$tmp/first.vx"
vx check "$tmp/first.vx" "$tmp/second.vx"
if [ $rc = 1 ] && [ "$(sed -n 2p "$tmp/err")" = " --> $tmp/second.vx:2:5" ]; then
  pass check-second-file
else
  fail check-second-file "status $rc, want 1 and \" --> .../second.vx:2:5\"" "$tmp/err"
fi

# ---- vex emit-c ----

vx emit-c "$FIX/panic.vx"
if [ $rc = 0 ] && [ ! -s "$tmp/err" ] && grep -q "^#line 5 \"$FIX/panic.vx\"" "$tmp/out" &&
   grep -q "^#line 9 \"$FIX/panic.vx\"" "$tmp/out"; then
  pass emit-c-line
else
  fail emit-c-line "status $rc, want #line 5 and #line 9 naming panic.vx" "$tmp/err"
fi

vx emit-c "$FIX/bad.vx"
if [ $rc = 1 ] && [ ! -s "$tmp/out" ] && grep -q '^error\[E0300\]' "$tmp/err"; then
  pass emit-c-error
else
  fail emit-c-error "status $rc, want 1, a diagnostic and no C on stdout" "$tmp/out" "$tmp/err"
fi

# The generated C of representative programs compiles with -Werror under
# gcc and clang, and linked by hand it runs as `vex run` does.
inc=$VEX_OUT/lib/vex
for p in run/hello run/fstrings run/match_nested run/enum_payload run/drop_paths run/box_list \
         run/from_overload run/os_args panic/index_vec_too_large cli/ffi; do
  src=tests/$p.vx
  [ $p = cli/ffi ] || [ -f "$src" ] || { fail "emit-c-werror-$p" "no $src"; continue; }
  name=$(echo "$p" | tr / -)
  vx emit-c "$src"
  cp "$tmp/out" "$tmp/gen.c"
  if [ $rc != 0 ]; then
    fail "emit-c-werror-$name" "vex emit-c status $rc" "$tmp/err"
    continue
  fi
  ok=1
  for cc in gcc clang; do
    command -v $cc > /dev/null ||
      { ok=0; echo "$cc is not installed (apt-get install $cc; .ci/run does)" > "$tmp/ccerr"; break; }
    # shellcheck disable=SC2046
    if ! timeout "$TO" $cc -std=gnu11 -O2 -Wall -Wextra -Werror -fwrapv -fno-strict-aliasing -I"$inc" -c \
         -o "$tmp/gen.o" "$tmp/gen.c" > "$tmp/ccerr" 2>&1; then
      ok=0
      sed -i "1i $cc:" "$tmp/ccerr"
      break
    fi
  done
  [ $ok = 1 ] && pass "emit-c-werror-$name" || fail "emit-c-werror-$name" "generated C does not compile cleanly" "$tmp/ccerr"
done

# hand-linked emit-c output behaves like vex run (stdout and status)
vx emit-c "$FIX/args.vx"
cp "$tmp/out" "$tmp/gen.c"
timeout "$TO" cc -std=gnu11 -fwrapv -fno-strict-aliasing -I"$inc" -o "$tmp/gen" "$tmp/gen.c" "$inc/libvexrt.a" \
  -lpthread -lm $( [ "$VARIANT" = asan ] && echo -fsanitize=address,undefined ) \
  $( [ "$VARIANT" = tsan ] && echo -fsanitize=thread ) > "$tmp/ccerr" 2>&1
timeout "$TO" "$tmp/gen" k > "$tmp/out" 2>&1
r=$?
lines "argc 2" "[k]"
if [ $r = 3 ] && same; then
  pass emit-c-links
else
  fail emit-c-links "hand-built program status $r (want 3)" "$tmp/ccerr" "$tmp/out"
fi

# ---- VEX_CC ----

for cc in gcc clang; do
  VEX_CC=$cc vx run "$FIX/ffi.vx" "$FIX/ffi.c"
  lines "mix 67" "tag 1"
  if [ $rc = 0 ] && same; then
    pass "vex-cc-$cc"
  else
    fail "vex-cc-$cc" "status $rc" "$tmp/out" "$tmp/err"
  fi
done

VEX_CC=$tmp/no-such-cc vx run "$FIX/args.vx"
if [ $rc != 0 ] && [ $rc != 3 ] && [ ! -s "$tmp/out" ] &&
   [ "$(cat "$tmp/err")" = "vex: cannot run the C compiler \`$tmp/no-such-cc\`: No such file or directory (VEX_CC picks it)" ]; then
  pass vex-cc-missing
else
  fail vex-cc-missing "status $rc, want a failure naming the compiler" "$tmp/err"
fi

# VEX_CC may carry arguments, like CC does for make: "gcc -DCLI_TAG=5"
VEX_CC="gcc -DCLI_TAG=5" vx run "$FIX/ffi.vx" "$FIX/ffi.c"
lines "mix 67" "tag 5"
if [ $rc = 0 ] && same; then
  pass vex-cc-with-args
else
  fail vex-cc-with-args "status $rc" "$tmp/out" "$tmp/err"
fi

# ---- several files, FFI ----

vx run "$FIX/ffi.vx" "$tmp/missing.c"
if [ $rc = 2 ] && grep -q "^vex: cannot read $tmp/missing.c: No such file" "$tmp/err"; then
  pass missing-c-file
else
  fail missing-c-file "status $rc, want 2 and \"vex: cannot read .../missing.c\"" "$tmp/err"
fi

vx run "$FIX/main.vx" "$FIX/lib.vx"
lines "count 102" "twice 42" "base 100"
if [ $rc = 0 ] && same; then
  pass multi-file
else
  fail multi-file "status $rc" "$tmp/out" "$tmp/err"
fi

vx build "$FIX/ffi.vx" "$FIX/ffi.c" -o "$tmp/ffi-exe"
timeout "$TO" "$tmp/ffi-exe" > "$tmp/out" 2>&1
r=$?
lines "mix 67" "tag 1"
if [ $rc = 0 ] && [ $r = 0 ] && same; then
  pass ffi-c-file
else
  fail ffi-c-file "status $rc/$r" "$tmp/out" "$tmp/err"
fi

# ---- where vex finds its runtime ----

ln -s "$VEX" "$tmp/vex-link"
(cd "$tmp" && timeout "$TO" ./vex-link run "$FIX/args.vx" s > "$tmp/out" 2> "$tmp/err")
r=$?
lines "argc 2" "[s]"
if [ $r = 3 ] && same; then
  pass symlinked-vex
else
  fail symlinked-vex "status $r" "$tmp/out" "$tmp/err"
fi

mkdir "$tmp/lonely"
cp "$VEX" "$tmp/lonely/vex"
(cd "$tmp" && timeout "$TO" lonely/vex run "$FIX/args.vx" > "$tmp/out" 2> "$tmp/err")
r=$?
if [ $r != 0 ] && [ $r != 3 ] && grep -q '^vex: .*runtime' "$tmp/err" &&
   grep -q "$tmp/lonely" "$tmp/err" && ! grep -q 'fatal error' "$tmp/err"; then
  pass copied-vex-alone
else
  fail copied-vex-alone "status $r, want a vex: message about the missing runtime naming where it looked" "$tmp/err"
fi
(cd "$tmp" && timeout "$TO" lonely/vex check "$FIX/args.vx" > "$tmp/out" 2> "$tmp/err")
r=$?
if [ $r = 0 ]; then
  pass copied-vex-check
else
  fail copied-vex-check "vex check needs no runtime: status $r" "$tmp/err"
fi

# the private tree copied above (bin/ and lib/vex/ side by side) works
(cd / && timeout "$TO" "$tmp/tree/bin/vex" run "$FIX/args.vx" t > "$tmp/out" 2> "$tmp/err")
r=$?
lines "argc 2" "[t]"
if [ $r = 3 ] && same; then
  pass relocated-tree
else
  fail relocated-tree "status $r" "$tmp/out" "$tmp/err"
fi

# make install PREFIX=... then run the installed vex from another directory
if timeout 300 make --no-print-directory -s install VARIANT="$VARIANT" PREFIX="$tmp/inst" \
     > "$tmp/mk" 2>&1; then
  # found through PATH, as a user runs it
  (cd "$tmp/bd" && PATH="$tmp/inst/bin:$PATH" timeout "$TO" vex run "$FIX/args.vx" u \
     > "$tmp/out" 2> "$tmp/err")
  r=$?
  lines "argc 2" "[u]"
  if [ $r = 3 ] && same && [ -f "$tmp/inst/lib/vex/libvexrt.a" ] && [ -f "$tmp/inst/lib/vex/vexrt.h" ]; then
    pass make-install
  else
    fail make-install "installed vex: status $r" "$tmp/out" "$tmp/err"
  fi
else
  fail make-install "make install failed" "$tmp/mk"
fi

# ---- panics name the .vx file and line ----

vx run "$FIX/panic.vx"
if [ $rc = 101 ] && [ "$(cat "$tmp/out")" = before ] &&
   grep -q '^panic: index out of bounds: the len is 3 but the index is 8$' "$tmp/err" &&
   grep -Eq "^ *--> $FIX/panic.vx:5:[0-9]+\$" "$tmp/err"; then
  pass panic-location
else
  fail panic-location "status $rc, want 101 and \" --> $FIX/panic.vx:5:COL\"" "$tmp/out" "$tmp/err"
fi

# a built executable, run from elsewhere, names the source as it was given
vxin "$FIX/.." build cli/panic.vx -o "$tmp/pexe"
(cd / && timeout "$TO" "$tmp/pexe" > "$tmp/out" 2> "$tmp/err")
r=$?
if [ $r = 101 ] && grep -Eq '^ *--> cli/panic.vx:5:[0-9]+$' "$tmp/err"; then
  pass panic-location-built
else
  fail panic-location-built "status $r, want 101 and \" --> cli/panic.vx:5:COL\"" "$tmp/err"
fi
exit 0
