"""scenario.py: the Twisted half of the scenario twin (scenario_twin.py).

    /usr/bin/python3 scenario.py < SCRIPT

Performs a script of timed-call operations (see scenario.c for the list)
on Twisted's own SelectReactor, and prints what scenario.c prints for it.
Nothing is installed globally: the reactor is built here, its clock is
replaced by a fake one starting at 0, and its runUntilCurrent() and
timeout() are called directly, as the C side calls its own.
"""
import sys

from twisted.internet import selectreactor
from twisted.internet.error import AlreadyCalled, AlreadyCancelled


def play(script, folds=None):
    """Perform `script` (text) on a new reactor; return what it printed.

    `folds`, a set, collects the IDs of the calls that were moved (reset
    or delay) after Twisted had folded their delayed_time into their time
    at the top of its heap (runUntilCurrent's activate_delay): the one fold
    that the C's eager heap never makes (README, "What Twisted does
    differently"), after which the two may differ in the last bit.
    """
    out = []
    folded = set()
    now = 0.0
    reactor = selectreactor.SelectReactor()
    # An instance attribute hides the method.  It must be set before the
    # first callLater: each DelayedCall keeps `seconds=self.seconds`.
    reactor.seconds = lambda: now
    calls, hooks = {}, {}

    def ran(id):
        try:
            out.append("ran %d at %.17g" % (id, now))
            for words in hooks.get(id, []):
                perform(words, "  ")
        except BaseException as e:  # Twisted would only log it: show it
            out.append("  error in callback: %r" % e)

    def timeout():
        """reactor.timeout(), checked against the calls' own times.

        scenario.c's timeout is the time until the earliest live call.
        Twisted's is the time until the top of its heap, which may be a
        cancelled call (Twisted leaves them in the heap) or one moved
        later (it stays at its old place until that time comes): then
        Twisted wakes up too soon, finds nothing to run and goes back to
        sleep.  That is a deliberate difference (delayedcall.c: the C heap
        drops and moves calls at once), so what is printed is the time to
        the earliest live call, after checking that Twisted's answer is
        that, or shorter only for that reason.
        """
        t = reactor.timeout()  # this also moves the new calls to the heap
        live = reactor.getDelayedCalls()
        earliest = None
        if live:
            earliest = min(c.getTime() for c in live) - now
            earliest = max(0, min(2147483, earliest))  # as timeout() clamps
        heap = reactor._pendingTimedCalls
        stale = heap and (heap[0].cancelled or heap[0].delayed_time > 0)
        if t == earliest or (stale and (earliest is None or t <= earliest)):
            return "None" if earliest is None else "%.17g" % earliest
        return "Twisted says %r, but the earliest call is %r" % (t, earliest)

    def perform(words, indent=""):
        nonlocal now
        op, top = words[0], indent == ""
        if op == "timeout":
            out.append("%stimeout: %s" % (indent, timeout()))
        elif op == "sleep" or (op == "advance" and top):
            amount = float(words[1])
            now += amount
            out.append("%s%s %.17g: now %.17g" % (indent, op, amount, now))
            if op == "advance":
                reactor.runUntilCurrent()
        elif op == "run" and top:
            out.append("run: now %.17g" % now)
            reactor.runUntilCurrent()
        elif op == "on" and top:
            hooks.setdefault(int(words[1]), []).append(words[2:])
            out.append("on %s: ok" % words[1])
        elif op == "later":
            id = int(words[1])
            calls[id] = call = reactor.callLater(float(words[2]), ran, id)
            folded.discard(id)

            def activate_delay(call=call, id=id):
                if sys._getframe(1).f_code.co_name == "runUntilCurrent":
                    folded.add(id)  # a stale time at the top of the heap
                type(call).activate_delay(call)

            call.activate_delay = activate_delay
            out.append("%slater %d: ok" % (indent, id))
        elif op in ("cancel", "reset", "delay", "active", "gettime"):
            id = int(words[1])
            call = calls.get(id)
            if op in ("reset", "delay") and id in folded and folds is not None:
                folds.add(id)
            if call is None:
                result = "unknown"
            elif op == "active":
                result = str(call.active())
            elif op == "gettime":
                result = "%.17g" % call.getTime()
            else:
                try:
                    if op == "cancel":
                        call.cancel()
                    elif op == "reset":
                        call.reset(float(words[2]))
                    else:
                        call.delay(float(words[2]))
                    result = "ok"
                except (AlreadyCalled, AlreadyCancelled) as e:
                    result = type(e).__name__
            out.append("%s%s %d: %s" % (indent, op, id, result))
        else:
            raise ValueError("bad line: %s" % " ".join(words))

    try:
        for line in script.splitlines():
            if line.split():
                perform(line.split())
    finally:  # close the waker's pipe: a driver may build thousands
        reactor.removeReader(reactor.waker)
        reactor.waker.connectionLost(None)
    return "".join(line + "\n" for line in out)


if __name__ == "__main__":
    sys.stdout.write(play(sys.stdin.read()))
