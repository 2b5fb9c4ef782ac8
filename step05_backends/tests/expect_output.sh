#!/bin/sh
# Run a demo and compare what it printed on stdout with the expected text.
# usage: expect_output.sh EXPECTED PROGRAM [ARGS...]
expected=$1
shift
out=$("$@") || { echo "FAIL: $* exited with status $?"; echo "$out"; exit 1; }
printf '%s\n' "$out" | diff -u "$expected" - && echo "PASS: output as expected"
