"""step04's twin: Twisted's classic callLater example, on Twisted itself.

    /usr/bin/python3 call_later_demo.py

Four calls at different delays: one cancelled, one reset to run sooner,
one delayed to run later; a last call stops the reactor.  Each line says
when it ran, in seconds since the start.  call_later_demo.c prints the
same lines, at the same times within a tolerance.
"""
from twisted.internet import selectreactor

selectreactor.install()

from twisted.internet import error, reactor  # noqa: E402

start = reactor.seconds()
calls = {}


def show(what):
    print("[t=%.3f] %s" % (reactor.seconds() - start, what), flush=True)


def at(name):
    return "t=%.3f" % (calls[name].getTime() - start)


def a_ran():
    show("a ran; delaying b by 0.3 s")
    calls["b"].delay(0.3)
    show("b will now run at " + at("b"))


def b_ran():
    show("b ran, later than first planned")


def c_ran():
    show("c ran, sooner than first planned")


def d_ran():
    show("d ran, but d was cancelled!")


def the_end():
    for name in "abcd":
        try:
            calls[name].cancel()
            show("%s.cancel(): ok" % name)
        except (error.AlreadyCalled, error.AlreadyCancelled) as e:
            show("%s.cancel(): %s" % (name, type(e).__name__))
    show("reactor.stop()")
    reactor.stop()


calls["a"] = reactor.callLater(0.2, a_ran)
calls["b"] = reactor.callLater(0.4, b_ran)
calls["c"] = reactor.callLater(0.6, c_ran)
calls["d"] = reactor.callLater(0.8, d_ran)
reactor.callLater(1.0, the_end)
show("scheduled a at %s, b at %s, c at %s, d at %s, the end at t=1.000"
     % (at("a"), at("b"), at("c"), at("d")))
calls["d"].cancel()
show("cancelled d: active() is %s" % calls["d"].active())
calls["c"].reset(0.1)
show("reset c to 0.1 s from now: it will run at " + at("c"))
reactor.addSystemEventTrigger("before", "shutdown", show, "before shutdown")
reactor.run()
show("run() returned")
