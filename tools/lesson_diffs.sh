#!/bin/sh
# Write each step's LESSON.diff: the unified diff of its code (the .c and
# .h files at its top level) against the previous step's, file by file in
# LC_ALL=C order, a new file against /dev/null so it shows in full, and no
# timestamps; and the count of its changed lines in the step's README.
# tests/lesson_test.sh checks both.
#   sh tools/lesson_diffs.sh          (or: cmake --build build --target lesson-diffs)
set -eu
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.."
code() { (cd "$1" && ls -- *.c *.h 2>/dev/null) | sort; }
previous=
for step in step[0-9][0-9]_*/; do
    step=${step%/}
    if [ -n "$previous" ]; then
        out=$step/LESSON.diff
        {
            echo "LESSON.diff: what $step adds to $previous, its .c and .h files."
            echo "Made by tools/lesson_diffs.sh; apply with: cd $previous && patch -p1 < ../$out"
            echo
            for f in $( { code "$previous"; code "$step"; } | sort -u); do
                old=$previous/$f label=a/$f
                if [ ! -f "$old" ]; then old=/dev/null label=/dev/null; fi
                new=$step/$f newlabel=b/$f
                if [ ! -f "$new" ]; then new=/dev/null newlabel=/dev/null; fi
                diff -u --label "$label" --label "$newlabel" "$old" "$new" || [ $? -eq 1 ]
            done
        } >"$out"
        n=$(grep -E '^[-+]' "$out" | grep -cvE '^(\+\+\+|---) ')
        # The README says how long its lesson is: "N changed lines".
        if [ -f "$step/README.md" ]; then
            sed "s/[0-9][0-9]* changed lines/$n changed lines/" "$step/README.md" >"$step/README.md.new" &&
                mv "$step/README.md.new" "$step/README.md"
        fi
        echo "$out: $n changed lines"
    fi
    previous=$step
done
