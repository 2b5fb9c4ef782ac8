#!/bin/sh
# The scenario twin: scenario_twin.py, with an interpreter that can import
# twisted (the first python3 on PATH may not).  Skipped (77) only where
# no interpreter can.
# usage: scenario_twin.sh C_SCENARIO_BINARY COUNT SEED
python=
for candidate in "$PYTHON" python3 /usr/bin/python3; do
    if [ -n "$candidate" ] && "$candidate" -c 'import twisted' 2>/dev/null; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    echo "SKIP: no python here can import twisted"
    exit 77
fi
exec "$python" "$(dirname "$0")/scenario_twin.py" "$@"
