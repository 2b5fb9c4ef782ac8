#!/bin/sh
# Run a demo; its stdout must match the expected text, times within TOL.
# usage: expect_timed_output.sh EXPECTED PROGRAM [ARGS...]
here=$(dirname "$0")
expected=$1
shift
tmp=${TMPDIR:-/tmp}/timed.$$
trap 'rm -f "$tmp"' EXIT
"$@" >"$tmp" || { echo "FAIL: $* exited with status $?"; cat "$tmp"; exit 1; }
cat "$tmp"
sh "$here/compare_timed.sh" "$expected" "$tmp" && echo "PASS: as expected, times within tolerance"
