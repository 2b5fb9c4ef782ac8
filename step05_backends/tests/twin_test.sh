#!/bin/sh
# The C demo and its Twisted twin must print the same lines; with
# "timed", every t=NUMBER may differ by a tolerance (compare_timed.sh).
# Skipped (77) only where no interpreter can import twisted.
# usage: twin_test.sh C_DEMO PY_DEMO [timed]
c_demo=$1 py_demo=$2 timed=$3
. "$(dirname "$0")/twisted_python.sh"
tmp=${TMPDIR:-/tmp}/twin.$$
trap 'rm -f "$tmp".c "$tmp".py' EXIT
"$c_demo" >"$tmp".c || { echo "FAIL: $c_demo exited $?"; cat "$tmp".c; exit 1; }
"$python" "$py_demo" >"$tmp".py || { echo "FAIL: $py_demo exited $?"; cat "$tmp".py; exit 1; }
echo "Twisted ($python, $("$python" -c 'import twisted; print(twisted.__version__)')):"
cat "$tmp".py
if [ "$timed" = timed ]; then
    echo "C:"
    cat "$tmp".c
    sh "$(dirname "$0")/compare_timed.sh" "$tmp".py "$tmp".c &&
        echo "the C demo printed the same, at the same times within tolerance" && exit 0
else
    diff -u "$tmp".py "$tmp".c && echo "the C demo printed the same" && exit 0
fi
echo "FAIL: the C demo and its Twisted twin differ"
exit 1
