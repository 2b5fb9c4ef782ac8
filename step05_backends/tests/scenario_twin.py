"""scenario_twin.py: the C timed calls against Twisted's, on random scripts.

    python3 scenario_twin.py C_SCENARIO_BINARY COUNT SEED [inexact]

Generates COUNT random scripts from SEED (the script language is in
scenario.c), has the C binary and scenario.py (on Twisted's own reactor,
in this interpreter) perform each, and compares what they print.  The
first script on which they differ is printed in full with both outputs,
and the exit status is 1.  Run a printed script again by hand with
    C_SCENARIO_BINARY < script    and    python3 scenario.py < script

Ties.  Calls due at exactly the same time run in scheduling order in C,
in no fixed order in Twisted: the one deliberate difference in the order
of calls (heapq.h).  So no two calls may ever be due at the same time.
Every amount here is a whole number of ticks of G = 1/1024 s, and
  - the clock only moves by whole ticks, so it is always on a tick;
  - call ID's delay (callLater) and reset amounts are whole ticks plus
    ID * E, where E = 2**-30; delay() moves it by whole ticks only.
So the time of call ID is always a whole number of ticks plus ID * E, and
two calls differ in that last part (IDs stay below 1024, so ID * E < G):
they can never tie.  Call 0 alone is
always on a tick, so it alone can be due exactly "now" (after an
advance, or a reset(0) or callLater(0) in a callback), which checks the
`time <= now` rules without a tie.  All values stay below 2**22 s and are
multiples of E = 2**-30: 52 bits, so every sum is exact in a double.

The inexact mode.  Exact sums cannot show in which order the doubles are
added.  With `inexact`, every amount also gets one of 0.1, 0.3 or 1/3
(not exact in binary) half the time, so sums round, and the C must add
time and delayed_time where Twisted adds them (DelayedCall.getTime,
reset, delay, activate_delay).  Calls still never tie: two calls' times
differ by a multiple of E that no rounding (at most 2**-42 below 1024 s)
can close.  Each script starts with call 1000 moved at t = 0 by reset
or two delays, and the clock landing exactly on its time as Twisted adds
it, or as a plain sum would: a last bit decides whether it runs.  A script
in which a call is moved after Twisted folded its parts at the top of its
heap (runUntilCurrent's activate_delay, which an eager heap never does)
is not compared but counted: there the two may differ in the last bit, a
difference the README names.
"""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenario  # noqa: E402  the Twisted half

G = 1.0 / 1024
E = 2.0 ** -30
HUGE = 3000000.0  # beyond timeout()'s cap of 2147483 s


INEXACT = (0.1, 0.3, 1.0 / 3)


def ticks(rng, lo, hi):
    """A whole number of ticks between lo and hi seconds: half the time
    a multiple of 1/4 s, so that calls often fall in the same tick."""
    step = 256 if rng.random() < 0.5 else 1
    return rng.randint(-(-int(lo / G) // step), int(hi / G) // step) * step * G


def landing(rng):
    """Call 1000, moved at t = 0, and the clock landing on its time."""
    a, b, c = (rng.choice(INEXACT) * rng.randint(1, 6) + 1000 * E
               for _ in range(3))
    time, delayed = 0.0 + a, 0.0
    lines = ["later 1000 %r" % a]
    if rng.random() < 0.5:  # DelayedCall.reset, to a later time
        b += a
        lines.append("reset 1000 %r" % b)
        plain, delayed = 0.0 + b, (0.0 + b) - time
    else:  # DelayedCall.delay, twice
        lines += ["delay 1000 %r" % b, "delay 1000 %r" % c]
        plain, delayed = (time + b) + c, b + c
    land = rng.choice([time + delayed, plain])
    return lines + ["gettime 1000", "advance %r" % land, "active 1000"]


def generate(rng, inexact=False):
    """One random script, as a list of lines."""
    lines = landing(rng) if inexact else []

    def frac():
        return rng.choice(INEXACT) if inexact and rng.random() < 0.5 else 0.0

    n = 1  # calls 1 .. n-1 have been named by a "later" line; 0: below
    span = 4  # callLater delays: 0 to span seconds
    # Each script draws its own mix of operations: some cancel a lot
    # (Twisted compacts its heap after 50 cancellations), some mostly
    # move calls, some mostly move the clock.
    weights = {op: rng.random() for op in (
        "later", "cancel", "reset", "delay", "active", "gettime",
        "timeout", "sleep", "advance", "run", "on")}
    weights["later"] += 0.5

    def some_id():  # n: a call not (yet) made, which is "unknown"
        return rng.randint(0, n) if rng.random() < 0.05 else rng.randrange(n)

    def op(top):
        nonlocal n
        kinds = [k for k in weights
                 if top or k not in ("advance", "run", "on")]
        kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
        if kind == "later":
            n += 1
            delay = HUGE if rng.random() < 0.02 else ticks(rng, 0, span) + frac()
            return "later %d %r" % (n - 1, delay + (n - 1) * E)
        if kind == "reset":
            id = some_id()
            return "reset %d %r" % (id, ticks(rng, -1, 4) + frac() + id * E)
        if kind == "delay":
            return "delay %d %r" % (some_id(), ticks(rng, -2, 3) + frac())
        if kind in ("advance", "sleep"):
            return "%s %r" % (kind, ticks(rng, 0, 2) + frac())
        if kind in ("timeout", "run"):
            return kind
        if kind == "on":
            return "on %d %s" % (some_id(), op(False))
        return "%s %d" % (kind, some_id())  # cancel, active, gettime

    size = rng.randint(1, rng.choice([5, 10, 20, 40, 40, 80, 300]))
    if rng.random() < 0.05:  # a storm: many calls cancelled between passes,
        size, span = 600, 60  # so that Twisted compacts its heap
        weights.update(later=2, cancel=4, advance=0.1, run=0.1)
    for _ in range(size):
        lines.append(op(True))
    # Call 0, the one call always on a tick (see Ties), is made anywhere in
    # the script, often with delay 0, and half the time by a callback: due
    # at once then, it must still wait for the next pass.
    zero = "later 0 %r" % (0.0 if rng.random() < 0.5 else ticks(rng, 0, span))
    if rng.random() < 0.5 and n > 1:
        zero = "on %d %s" % (rng.randrange(1, n), zero)
    first = 6 if inexact else 0  # after landing()
    lines.insert(rng.randint(first, len(lines)), zero)
    return lines + ["advance 8.0", "timeout"]


def run_c(binary, script):
    p = subprocess.run([binary], input=script, capture_output=True, text=True)
    if p.returncode != 0:
        return p.stdout + "[exit status %d]\n%s" % (p.returncode, p.stderr)
    return p.stdout


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[4:] not in ([], ["inexact"]):
        sys.exit("usage: scenario_twin.py C_SCENARIO_BINARY COUNT SEED [inexact]")
    binary, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    inexact = len(sys.argv) == 5
    rng = random.Random(seed)
    skipped = 0
    for i in range(count):
        script = "".join(line + "\n" for line in generate(rng, inexact))
        folds = set()
        c_out, py_out = run_c(binary, script), scenario.play(script, folds)
        if c_out != py_out and inexact and folds:
            skipped += 1  # moved after Twisted's fold at its heap top
            continue
        if c_out != py_out:
            print("scenario %d of seed %d: C and Twisted differ\n" % (i, seed))
            print("--- script ---\n" + script)
            print("--- Twisted (scenario.py) ---\n" + py_out)
            print("--- C (%s) ---\n%s" % (binary, c_out))
            a, b = py_out.splitlines(), c_out.splitlines()
            k = next((j for j in range(min(len(a), len(b))) if a[j] != b[j]),
                     min(len(a), len(b)))
            print("first difference at output line %d" % (k + 1))
            sys.exit(1)
    if inexact:
        print("%d scenarios, all identical but %d, where a call was moved "
              "after Twisted folded its parts at the top of its heap"
              % (count, skipped))
    else:
        print("%d scenarios, all identical" % count)


if __name__ == "__main__":
    main()
