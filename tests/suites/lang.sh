#!/bin/sh
# tests/suites/lang.sh - the language suite: every .vx file under tests/run,
# tests/fail and tests/panic, run against $VEX_OUT/bin/vex, two at a time.
#
# The expectations live in the test file itself, as comments:
#
#   tests/run/**/*.vx     `vex run FILE [args]`
#     // expect: TEXT     the next line of stdout is exactly TEXT (`// expect:`
#                         alone is an empty line); stdout must be exactly these
#                         lines, in order
#     // exit: N          the exit status must be N (default 0)
#     // args: a b c      command-line arguments (given after `--`)
#     // stderr: TEXT     stderr must contain a line that contains TEXT (an
#                         empty TEXT fails the test: it would match anything;
#                         so does an empty `// panic:` TEXT)
#     // with: F G        more source files (.vx or .c, relative to the test's
#                         directory) given after the test file; files under a
#                         `support/` directory are helpers, not tests
#     // unsupported: V   not run in build variant V (asan, tsan): prints
#                         `SKIP <name>` (neither passed nor failed) with why
#   tests/fail/**/*.vx    `vex check FILE`
#     // error: TEXT      on the line a diagnostic must point at: exit status 1
#                         and a diagnostic whose first line `error[CODE]: msg`
#                         contains TEXT and whose next line ` --> FILE:L:C`
#                         names this line; several `// error:` comments need
#                         one distinct diagnostic each, and a diagnostic no
#                         comment expects (a follow-on error) fails the test;
#                         `// stderr:` as above
#   tests/panic/**/*.vx   `vex run FILE [args]`
#     // panic: TEXT      on the line that panics: exit status 101, stderr holds
#                         `panic: TEXT` and a ` --> FILE:L:C` line naming this
#                         line; `// expect:`, `// args:` and `// stderr:` as above
#
# Every test: timeout 60 s, output capped by ulimit -f, a location needs a
# line and a column >= 1, and a sanitizer report on stderr (make asan/tsan)
# fails it whatever its exit status. The run uses its own build cache
# (XDG_CACHE_HOME in a temporary directory removed at the end).
#
# Usage: sh tests/suites/lang.sh [FILE-OR-DIR...]   (default: all three dirs)
# Prints `PASS <name>` or `FAIL <name>: <why>` (then a few indented detail
# lines) per test; exits 0 unless the suite could not run at all.

# Bytes, not characters: a test may hold invalid UTF-8 on purpose.
LC_ALL=C
export LC_ALL
: "${VEX_OUT:=.}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
TIMEOUT=${VEX_TEST_TIMEOUT:-60}
export VEX_OUT VEX TIMEOUT

# detail FILE: the first lines of FILE, indented, for the report
detail() {
  sed -n '1,15s/^/    /p' "$1" | cut -c1-200
  n=$(wc -l < "$1")
  [ "$n" -le 15 ] || echo "    ... ($n lines)"
}

# directive NAME FILE: the text of every `// NAME:` comment, in order
directive() {
  sed -n "s|^.*// $1: \{0,1\}||p" "$2"
}

# has_location LINE FILE: does FILE hold a ` --> PATH:LINE:COL` line?
has_location() {
  grep -Eq -e "^ *--> .*:$1:[1-9][0-9]* *\$" "$2"
}

# check_stderr SRC ERR T: every `// stderr:` TEXT must be in ERR; prints the
# missing ones into T/why. An empty TEXT is an error of the test: it would
# match any stderr, so the check could never fail.
check_stderr() {
  directive stderr "$1" > "$3/want-stderr"
  ok=0
  while IFS= read -r want; do
    if [ -z "$want" ]; then
      echo "an empty // stderr: comment matches anything" >> "$3/why"
      ok=1
    fi
    grep -Fq -e "$want" "$2" || { echo "stderr lacks \"$want\"" >> "$3/why"; ok=1; }
  done < "$3/want-stderr"
  return $ok
}

# check_stdout SRC OUT T: stdout OUT must be exactly the `// expect:` lines
check_stdout() {
  directive expect "$1" > "$3/want"
  cmp -s "$3/want" "$2" && return 0
  echo "stdout differs (--- expected, +++ actual):" >> "$3/why"
  diff -u "$3/want" "$2" | sed '1,2d' | head -n 20 >> "$3/why"
  return 1
}

# run_one FILE: test one file; prints the PASS/FAIL block on stdout
run_one() {
  f=$1
  name=${f#tests/}
  t=$(mktemp -d) || exit 2
  tr -d '\r' < "$f" > "$t/src"
  : > "$t/why"
  # tests/pending/ (not run by default; see tests/pending/README.md) mirrors
  # the layout: pending/panic/ are panic tests, pending/own/reject_*.vx are
  # fail tests
  case $f in
    tests/fail/*|tests/pending/fail/*|tests/pending/*/reject_*) kind=fail ;;
    tests/panic/*|tests/pending/panic/*) kind=panic ;;
    *) kind=run ;;
  esac
  for v in $(directive unsupported "$t/src"); do
    if [ "$v" = "${VARIANT:-default}" ]; then
      echo "SKIP $name: unsupported under $v"
      rm -rf "$t"
      return 0
    fi
  done
  args=$(directive args "$t/src" | head -n 1)
  # `--` keeps arguments like `x.vx` or `-o` away from vex's own options
  [ -z "$args" ] || args="-- $args"
  with=
  for w in $(directive with "$t/src"); do
    with="$with ${f%/*}/$w"
  done
  # ulimit -f caps the output files (a runaway printing loop gets SIGXFSZ)
  if [ $kind = fail ]; then
    # shellcheck disable=SC2086
    (ulimit -f 20000; timeout -k 5 "$TIMEOUT" "$VEX" check "$f" $with) > "$t/out" 2> "$t/err" < /dev/null
  else
    # shellcheck disable=SC2086
    (ulimit -f 20000; timeout -k 5 "$TIMEOUT" "$VEX" run "$f" $with $args) > "$t/out" 2> "$t/err" < /dev/null
  fi
  rc=$?
  why=
  if [ $rc = 124 ]; then
    why="timed out after ${TIMEOUT}s"
  elif [ $kind = run ]; then
    want_rc=$(directive exit "$t/src" | head -n 1)
    [ -n "$want_rc" ] || want_rc=0
    check_stdout "$t/src" "$t/out" "$t" || why="wrong stdout"
    check_stderr "$t/src" "$t/err" "$t" || why="${why:+$why, }wrong stderr"
    [ "$rc" = "$want_rc" ] || why="exit status $rc, expected $want_rc${why:+; $why}"
    [ -z "$why" ] || { echo "stderr:" >> "$t/why"; sed -n '1,8s/^/  /p' "$t/err" >> "$t/why"; }
  elif [ $kind = panic ]; then
    grep -n '// panic:' "$t/src" | sed 's|^\([0-9]*\):.*// panic: \{0,1\}|\1 |' > "$t/want-panic"
    if [ ! -s "$t/want-panic" ]; then
      why="no // panic: comment in the test"
    else
      read -r pline ptext < "$t/want-panic"
      [ "$rc" = 101 ] || why="exit status $rc, expected 101"
      [ -n "$ptext" ] || why="${why:+$why, }an empty // panic: comment matches any panic"
      if ! grep -Fq -e "panic: $ptext" "$t/err"; then
        why="${why:+$why, }stderr lacks \"panic: $ptext\""
      elif ! has_location "$pline" "$t/err"; then
        why="${why:+$why, }no \" --> $f:$pline:COL\" on stderr"
      fi
      check_stdout "$t/src" "$t/out" "$t" || why="${why:+$why, }wrong stdout"
      check_stderr "$t/src" "$t/err" "$t" || why="${why:+$why, }wrong stderr"
      [ -z "$why" ] || { echo "stderr:" >> "$t/why"; sed -n '1,8s/^/  /p' "$t/err" >> "$t/why"; }
    fi
  else
    # expected diagnostics: LINE<TAB>TEXT
    grep -n '// error:' "$t/src" | sed 's|^\([0-9]*\):.*// error: \{0,1\}|\1	|' > "$t/want-err"
    # actual diagnostics: LINE<TAB>first line (the line after it gives LINE)
    awk '
      /^error(\[[A-Za-z0-9]+\])?: / { head = $0; next }
      head != "" && /^ *--> / {
        # a location is FILE:LINE:COL with LINE, COL >= 1
        n = split($0, a, ":")
        if (a[n - 1] ~ /^[0-9]+$/ && a[n] ~ /^[0-9]+ *$/ && a[n - 1] > 0 && a[n] > 0)
          print a[n - 1] "\t" head
        head = ""; next
      }
      { head = "" }
    ' "$t/err" > "$t/got-err"
    if [ ! -s "$t/want-err" ]; then
      why="no // error: comment in the test"
    else
      awk -F '\t' '
        FILENAME == ARGV[1] { got[FNR] = $0; gline[FNR] = $1; ngot = FNR; next }
        {
          want = $0; sub(/^[^\t]*\t/, "", want); found = 0
          for (i = 1; i <= ngot; i++)
            if (!(i in used) && gline[i] == $1 && index(substr(got[i], length($1) + 2), want)) {
              used[i] = 1; found = 1; break
            }
          if (!found) print "no diagnostic at line " $1 " containing \"" want "\""
        }
        END {
          # every diagnostic must be expected: a cascade of follow-on errors
          # after the real one is a bug too
          for (i = 1; i <= ngot; i++)
            if (!(i in used)) { print "unexpected diagnostic at line " got[i]; break }
        }
      ' "$t/got-err" "$t/want-err" > "$t/missing"
      [ "$rc" = 1 ] || why="exit status $rc, expected 1"
      [ ! -s "$t/missing" ] || why="${why:+$why, }$(head -n 1 "$t/missing")"
      check_stderr "$t/src" "$t/err" "$t" || why="${why:+$why, }wrong stderr"
      [ -z "$why" ] || { echo "stderr:" >> "$t/why"; sed -n '1,8s/^/  /p' "$t/err" >> "$t/why"; }
    fi
  fi
  # a sanitizer report fails the test whatever the exit status was (LSan
  # keeps an exit status of 1, the expected one for tests/fail)
  if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|runtime error: ' "$t/err"; then
    why="${why:+$why, }sanitizer report on stderr"
    [ -s "$t/why" ] || { echo "stderr:" >> "$t/why"; grep -E 'ERROR: |WARNING: ThreadSanitizer|runtime error: |#[0-4] ' "$t/err" | head -n 6 | sed 's/^/  /' >> "$t/why"; }
  fi
  if [ -z "$why" ]; then
    echo "PASS $name"
  else
    echo "FAIL $name: $why"
    [ ! -s "$t/why" ] || detail "$t/why"
  fi
  rm -rf "$t"
}

if [ "$1" = --one ]; then
  run_one "$2" > "$3"
  exit 0
fi

if [ ! -x "$VEX" ]; then
  echo "lang: no compiler at $VEX (build it with make)" >&2
  exit 2
fi

[ $# -gt 0 ] || set -- tests/run tests/fail tests/panic
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
# vex run caches builds under $XDG_CACHE_HOME/vex: give this run its own
# cache, removed with $work, so the suite leaves nothing behind.
XDG_CACHE_HOME=$work/cache
export XDG_CACHE_HOME
mkdir -p "$XDG_CACHE_HOME"
find "$@" -name '*.vx' -type f ! -path '*/support/*' 2>/dev/null | sort > "$work/list"
# Each test writes its block to its own file; print them in order at the end.
[ -s "$work/list" ] || { echo "lang: no .vx test under $*" >&2; exit 0; }
awk -v w="$work" '{ printf "%s\n%s/%05d\n", $0, w, NR }' "$work/list" |
  xargs -n 2 -P 2 sh "$0" --one
n=0
while IFS= read -r f; do
  n=$((n + 1))
  r=$(printf '%s/%05d' "$work" "$n")
  if [ -s "$r" ]; then
    cat "$r"
  else
    echo "FAIL ${f#tests/}: the runner produced no result for it"
  fi
done < "$work/list"
exit 0
