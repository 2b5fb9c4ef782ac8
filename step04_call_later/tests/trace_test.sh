#!/bin/sh
# REACTOR_TRACE=1 prints one line per pass on stderr; unset, nothing.
# usage: trace_test.sh PROGRAM
program=$1
on=$(REACTOR_TRACE=1 "$program" 2>&1 >/dev/null) || exit 1
off=$(unset REACTOR_TRACE; "$program" 2>&1 >/dev/null) || exit 1 # POSIX: OpenBSD's env has no -u
echo "$on" | grep -q '^\[trace\] pass 1: select(nfds=[0-9]*, timeout=forever) -> [0-9]* ready' ||
    { echo "FAIL: no trace with REACTOR_TRACE=1:"; echo "$on"; exit 1; }
echo "$off" | grep -q 'trace' &&
    { echo "FAIL: a trace without REACTOR_TRACE:"; echo "$off"; exit 1; }
echo "$on" | head -3
echo "PASS: traced when set, silent when unset"
