#!/bin/sh
# The C server and its Python twin get the same session from the driver;
# what the clients received must be identical.  Skipped (77) without python3.
# usage: twin_test.sh DRIVER C_SERVER PY_SERVER
driver=$1 c_server=$2 py_server=$3
python=
for candidate in "$PYTHON" python3 /usr/bin/python3; do
    if [ -n "$candidate" ] && "$candidate" -c 'import select' 2>/dev/null; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    echo "SKIP: no python3 here"
    exit 77
fi
tmp=${TMPDIR:-/tmp}/twin.$$
trap 'rm -f "$tmp".c "$tmp".py' EXIT
"$driver" transcript "$c_server" >"$tmp".c || exit 1
"$driver" transcript "$(command -v "$python")" "$py_server" >"$tmp".py || exit 1
echo "C server ($c_server):"; cat "$tmp".c
echo "Python twin ($python $py_server):"; cat "$tmp".py
cmp -s "$tmp".c "$tmp".py && echo "identical" && exit 0
echo "FAIL: the two servers' echoes differ"
exit 1
