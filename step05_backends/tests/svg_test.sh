#!/bin/sh
# bench_backends --svg writes a well-formed SVG: it begins with <svg, ends
# with </svg>, and holds one polyline per line named (each backend and the
# floor), each titled with its name.
# usage: svg_test.sh BENCH_BACKENDS NAME...
bench=$1
shift
out=bench_smoke.svg
rm -f "$out"
"$bench" -r 1 -n 10,20,40 -t none --svg "$out" || { echo "FAIL: exit $?"; exit 1; }
[ -s "$out" ] || { echo "FAIL: $out not written"; exit 1; }
head -c 4 "$out" | grep -q '^<svg' ||
    { echo "FAIL: $out does not begin with <svg:"; head -c 80 "$out"; exit 1; }
[ "$(tail -n 1 "$out")" = "</svg>" ] ||
    { echo "FAIL: $out does not end with </svg>:"; tail -n 2 "$out"; exit 1; }
lines=$(grep -c '<polyline' "$out")
[ "$lines" -eq $# ] ||
    { echo "FAIL: $lines polylines, expected $# ($*)"; exit 1; }
for name in "$@"; do
    grep -q "<title>$name</title></polyline>" "$out" ||
        { echo "FAIL: no line for $name"; exit 1; }
done
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$out" || { echo "FAIL: not well-formed XML"; exit 1; }
fi
echo "PASS: $out well-formed, one line each for: $*"
