#!/bin/sh
# With timed calls, the trace shows runUntilCurrent running them and the
# wait taking a finite timeout from timeout().
# usage: trace_time_test.sh PROGRAM RUN_PATTERN
program=$1 ran=$2
on=$(REACTOR_TRACE=1 "$program" 2>&1 >/dev/null) || exit 1
echo "$on" | grep -q "runUntilCurrent: .*$ran" ||
    { echo "FAIL: no runUntilCurrent line that ran a call:"; echo "$on"; exit 1; }
echo "$on" | grep -q 'pass [0-9]*: .*timeout=[0-9]' ||
    { echo "FAIL: no pass waiting a finite timeout:"; echo "$on"; exit 1; }
echo "$on" | grep -E 'runUntilCurrent|timeout=[0-9]' | head -4
echo "PASS: runUntilCurrent and timeout() traced"
