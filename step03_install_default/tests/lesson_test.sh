#!/bin/sh
# This step's LESSON.diff, applied with patch(1) to a copy of the previous
# step's code (its top-level .c and .h files), must give this step's code,
# file for file.  Skipped (77) where patch is missing or the previous step
# is not beside this one.
# usage: lesson_test.sh PREVIOUS_STEP_DIR THIS_STEP_DIR
previous=$1 this=$2
regenerate="sh tools/lesson_diffs.sh (or cmake --build build --target lesson-diffs)"
command -v patch >/dev/null || { echo "SKIP: no patch(1) here"; exit 77; }
[ -d "$previous" ] || { echo "SKIP: no previous step at $previous"; exit 77; }
LC_ALL=C
export LC_ALL
tmp=${TMPDIR:-/tmp}/lesson.$$
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/code"
code() { (cd "$1" && ls -- *.c *.h 2>/dev/null) | sort; }
for f in $(code "$previous"); do
    [ -f "$this/$f" ] || { echo "FAIL: $f of $previous is missing here"; exit 1; }
    cp "$previous/$f" "$tmp/code/"
done
if ! (cd "$tmp/code" && patch -p1 <"$this/LESSON.diff" >"$tmp/patch.log" 2>&1); then
    cat "$tmp/patch.log"
    echo "FAIL: LESSON.diff does not apply to $previous; regenerate it: $regenerate"
    exit 1
fi
code "$tmp/code" | grep -v '\.orig$' >"$tmp/got"
code "$this" >"$tmp/want"
status=0
if ! cmp -s "$tmp/got" "$tmp/want"; then
    echo "FAIL: the files LESSON.diff makes are not this step's:"
    diff "$tmp/want" "$tmp/got"
    status=1
fi
for f in $(cat "$tmp/want"); do
    if ! cmp -s "$this/$f" "$tmp/code/$f"; then
        echo "FAIL: $f: this step's code is not what LESSON.diff makes of $previous"
        status=1
    fi
done
n=$(grep -E '^[-+]' "$this/LESSON.diff" | grep -cvE '^(\+\+\+|---) ')
if [ -f "$this/README.md" ] && ! grep -qE "(^|[^0-9])$n changed lines" "$this/README.md"; then
    echo "FAIL: README.md does not say that LESSON.diff has $n changed lines"
    status=1
fi
[ $status -eq 0 ] && echo "PASS: LESSON.diff turns $(basename "$previous") into $(basename "$this") ($(wc -l <"$tmp/want") files)" && exit 0
echo "regenerate it: $regenerate"
exit 1
