#!/bin/sh
# The scenario twin: scenario_twin.py, with an interpreter that can import
# twisted (the first python3 on PATH may not).  Skipped (77) only where
# no interpreter can.
# usage: scenario_twin.sh C_SCENARIO_BINARY COUNT SEED
. "$(dirname "$0")/twisted_python.sh"
exec "$python" "$(dirname "$0")/scenario_twin.py" "$@"
