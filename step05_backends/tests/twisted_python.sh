# Sourced by the twin tests: sets $python to an interpreter that can
# import twisted, or exits 77 (CTest: skipped) where none can.  The
# python3 first on PATH may not be the one Debian's python3-twisted
# installs into (/usr/bin/python3), so each is tried; $PYTHON first.
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
