#!/bin/sh
# The command line of step03's echo server: reactors by name.
# usage: cli_test.sh ECHO_SERVER
server=$1
tmp=${TMPDIR:-/tmp}/cli.$$
trap 'rm -f "$tmp".out "$tmp".err' EXIT
fail() { echo "FAIL: $*"; echo "stdout:"; cat "$tmp".out; echo "stderr:"; cat "$tmp".err; exit 1; }

# An unknown name: refused, the known names listed, nothing started.
for how in "--reactor bogus" "REACTOR=bogus"; do
    case $how in
    REACTOR=*) env "$how" "$server" --port 0 >"$tmp".out 2>"$tmp".err; status=$? ;;
    *) "$server" $how --port 0 >"$tmp".out 2>"$tmp".err; status=$? ;;
    esac
    [ $status -ne 0 ] || fail "$how: exit status 0"
    grep -q "does not exist: 'bogus'" "$tmp".err || fail "$how: no clear error"
    grep -q "^    select " "$tmp".err || fail "$how: the known names are not listed"
    [ -s "$tmp".out ] && fail "$how: something started"
    echo "ok: $how refused (exit $status)"
done

# Times that are not a number of seconds from 0 are refused.
for bad in "--idle-timeout -5" "--heartbeat soon"; do
    "$server" $bad --port 0 >"$tmp".out 2>"$tmp".err && fail "$bad: accepted"
    grep -q "times must be" "$tmp".err || fail "$bad: no clear error"
    [ -s "$tmp".out ] && fail "$bad: something started"
    echo "ok: $bad refused"
done

# A backend the table knows but this platform lacks ("!" in the list):
# refused with twistd's sentence, nothing started.
missing=$("$server" --help-reactors | sed -n 's/^   !\([a-z]*\) .*/\1/p' | head -n 1)
if [ -n "$missing" ]; then
    "$server" --reactor "$missing" --port 0 >"$tmp".out 2>"$tmp".err &&
        fail "--reactor $missing: accepted"
    grep -q "cannot be used, failed with error: ReactorUnavailable" "$tmp".err ||
        fail "--reactor $missing: no clear error"
    [ -s "$tmp".out ] && fail "--reactor $missing: something started"
    echo "ok: --reactor $missing (not on this platform) refused"
fi

# --help-reactors lists every name, select and default among them.
"$server" --help-reactors >"$tmp".out 2>"$tmp".err || fail "--help-reactors failed"
grep -q "^    select " "$tmp".out || fail "--help-reactors: no select"
grep -q "^    default " "$tmp".out || fail "--help-reactors: no default"
echo "ok: --help-reactors"
cat "$tmp".out
echo "PASS"
