#!/bin/sh
# The C demo and its Twisted twin must print the same lines.
# Skipped (77) only where no interpreter can import twisted.
# usage: twin_test.sh C_DEMO PY_DEMO
c_demo=$1 py_demo=$2
. "$(dirname "$0")/twisted_python.sh"
tmp=${TMPDIR:-/tmp}/twin.$$
trap 'rm -f "$tmp".c "$tmp".py' EXIT
"$c_demo" >"$tmp".c || { echo "FAIL: $c_demo exited $?"; cat "$tmp".c; exit 1; }
"$python" "$py_demo" >"$tmp".py || { echo "FAIL: $py_demo exited $?"; cat "$tmp".py; exit 1; }
echo "Twisted ($python, $("$python" -c 'import twisted; print(twisted.__version__)')):"
cat "$tmp".py
diff -u "$tmp".py "$tmp".c && echo "the C demo printed the same" && exit 0
echo "FAIL: the C demo and its Twisted twin differ"
exit 1
