#!/bin/sh
# tests/suites/cquiet.sh - the C compiler is never heard: the generated C of
# every tests/run program (with the .vx files its `// with:` names) compiles
# under -Wall -Wextra without a word, with gcc and with clang (each one that
# is installed; the one named by $CC at least). Any output fails the test
# and is shown. One test per C compiler: `PASS cquiet-gcc`.

: "${VEX_OUT:=.}"
case $VEX_OUT in /*) ;; *) VEX_OUT=$(pwd)/$VEX_OUT ;; esac
VEX=$VEX_OUT/bin/vex
if [ ! -x "$VEX" ]; then
  echo "cquiet: no compiler at $VEX (build it with make)" >&2
  exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM HUP

ccs= seen=
for cc in ${CC:-cc} gcc clang; do
  p=$(command -v "$cc") || continue
  real=$(readlink -f "$p")   # cc is often gcc
  case " $seen " in *" $real "*) ;; *) ccs="$ccs $cc" seen="$seen $real" ;; esac
done

find tests/run -name '*.vx' -type f ! -path '*/support/*' | sort > "$tmp/list"
for cc in $ccs; do
  : > "$tmp/bad"
  while IFS= read -r f; do
    with=
    for w in $(sed -n 's|^.*// with: *||p' "$f"); do
      case $w in *.vx) with="$with ${f%/*}/$w" ;; esac
    done
    # shellcheck disable=SC2086
    if ! "$VEX" emit-c "$f" $with > "$tmp/p.c" 2> "$tmp/err"; then
      { echo "$f: vex emit-c failed"; sed -n '1,5s/^/  /p' "$tmp/err"; } >> "$tmp/bad"
      continue
    fi
    "$cc" -std=gnu11 -O1 -Wall -Wextra -fwrapv -fno-strict-aliasing -I"$VEX_OUT/lib/vex" \
      -c -o "$tmp/p.o" "$tmp/p.c" > "$tmp/said" 2>&1
    if [ $? != 0 ] || [ -s "$tmp/said" ]; then
      { echo "$f:"; sed -n '1,6s/^/  /p' "$tmp/said"; } >> "$tmp/bad"
    fi
  done < "$tmp/list"
  if [ -s "$tmp/bad" ]; then
    echo "FAIL cquiet-$cc: the C compiler spoke about $(grep -c '^[^ ]' "$tmp/bad") program(s)"
    sed -n '1,30s/^/  /p' "$tmp/bad"
  else
    echo "PASS cquiet-$cc"
  fi
done
exit 0
