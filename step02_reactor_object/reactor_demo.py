"""step02's twin: the same story as reactor_demo.c, on Twisted's own reactor.

    /usr/bin/python3 reactor_demo.py

A writer descriptor sends three lines down a pipe, one per pass, then
returns ConnectionDone from doWrite; a reader descriptor prints each line
and, at end of file, stops the reactor from its connectionLost.  Shutdown
triggers print their phase.  The state machine's errors are shown on the
way.  The C demo must print the same lines.
"""
import os

from twisted.internet import selectreactor

selectreactor.install()  # the C reactor of this step is a SelectReactor

from twisted.internet import error, main, reactor  # noqa: E402


def show(*words):
    try:
        print(*words, flush=True)
    except BrokenPipeError:  # stdout's reader left (`| head -1`): end, as
        os._exit(1)  # the C demo ends on SIGPIPE


class PipeWriter:
    """An IWriteDescriptor: one line per doWrite, then ConnectionDone."""

    def __init__(self, fd):
        self.fd, self.sent = fd, 0

    def fileno(self):
        return self.fd

    def doWrite(self):
        self.sent += 1
        os.write(self.fd, b"ping %d\n" % self.sent)
        if self.sent == 3:
            return main.CONNECTION_DONE  # done: disconnect me

    def connectionLost(self, reason):
        show("writer: connection lost:", reason.type.__name__)
        os.close(self.fd)
        self.fd = -1

    def logPrefix(self):
        return "PipeWriter"


class PipeReader:
    """An IReadDescriptor: print each line; at end of file, stop."""

    def __init__(self, fd):
        self.fd, self.partial = fd, b""

    def fileno(self):
        return self.fd

    def doRead(self):
        data = os.read(self.fd, 4096)
        if not data:
            return main.CONNECTION_DONE
        *lines, self.partial = (self.partial + data).split(b"\n")
        for line in lines:
            show("reader:", line.decode())

    def connectionLost(self, reason):
        show("reader: connection lost:", reason.type.__name__)
        os.close(self.fd)
        self.fd = -1
        show("reader: reactor.stop()")
        reactor.stop()

    def logPrefix(self):
        return "PipeReader"


def try_(what, call):
    try:
        call()
        show(what + ": ok")
    except (error.ReactorNotRunning, error.ReactorAlreadyRunning,
            error.ReactorNotRestartable) as e:
        show(what + ":", type(e).__name__)


def when_running():
    show("running:", reactor.running)
    try_("run() while running", reactor.run)
    r, w = os.pipe()
    reactor.addReader(PipeReader(r))
    reactor.addWriter(PipeWriter(w))


show("step02: a reactor object (%s)" % type(reactor).__name__)
try_("stop() before run()", reactor.stop)
for phase in ("before", "during", "after"):
    reactor.addSystemEventTrigger(
        phase, "shutdown", show, "shutdown:", phase, "trigger")
reactor.callWhenRunning(when_running)
reactor.run()
show("run() returned")
try_("run() again", reactor.run)
try_("stop() again", reactor.stop)
