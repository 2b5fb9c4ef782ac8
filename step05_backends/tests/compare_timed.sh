#!/bin/sh
# Compare two transcripts line by line, where every "t=NUMBER" may differ
# by at most TOL seconds and everything else must be the same.
# usage: compare_timed.sh EXPECTED ACTUAL [TOL]
awk -v tol="${3:-0.08}" '
function split_times(line, nums,    n, out) {
    n = 0; out = ""
    while (match(line, /t=[0-9]+\.[0-9]+/)) {
        nums[++n] = substr(line, RSTART + 2, RLENGTH - 2) + 0
        out = out substr(line, 1, RSTART - 1) "t=#"
        line = substr(line, RSTART + RLENGTH)
    }
    nums[0] = n
    return out line
}
NR == FNR { want[FNR] = $0; nwant = FNR; next }
{
    got = FNR
    if (FNR > nwant) { print "unexpected line " FNR ": " $0; bad = 1; next }
    a = split_times(want[FNR], wn); b = split_times($0, gn)
    if (a != b || wn[0] != gn[0]) {
        print "line " FNR " differs:\n  expected: " want[FNR] "\n  actual:   " $0; bad = 1; next
    }
    for (i = 1; i <= wn[0]; i++) {
        d = wn[i] - gn[i]; if (d < 0) d = -d
        if (d > tol) {
            print "line " FNR ": time " gn[i] " is not within " tol " s of " wn[i]; bad = 1
        }
    }
}
END {
    if (got < nwant) { print "missing lines after line " got; bad = 1 }
    exit bad
}' "$1" "$2"
