"""step03's twin: installing a reactor, in the right order and the wrong.

    /usr/bin/python3 install_demo.py

The installed reactor is process-wide, so each story runs in a fresh
interpreter.  install_demo.c tells the same stories and prints the same.
"""
import subprocess
import sys


def right_order():
    from twisted.internet import selectreactor

    selectreactor.install()
    from twisted.internet import reactor

    print("  the import found it installed:", type(reactor).__name__)


def wrong_order():
    from twisted.internet import reactor  # noqa: F401  installs the default
    from twisted.internet import error, selectreactor

    try:
        selectreactor.install()
    except error.ReactorAlreadyInstalledError as e:
        print("  select install: ReactorAlreadyInstalledError:", e)


def install_twice():
    from twisted.internet import error, selectreactor

    selectreactor.install()
    print("  first install: ok")
    try:
        selectreactor.install()
    except error.ReactorAlreadyInstalledError as e:
        print("  second install: ReactorAlreadyInstalledError:", e)


def by_name():
    from twisted.application.reactors import NoSuchReactor, installReactor

    try:
        installReactor("bogus")
    except NoSuchReactor as e:
        print("  'bogus': NoSuchReactor:", e.args[0])
    print("  installed after that:", "twisted.internet.reactor" in sys.modules)
    reactor = installReactor("select")
    print("  'select':", type(reactor).__name__)


stories = [
    ("right order: select install, then the first use", right_order),
    ("wrong order: the first use, then select install", wrong_order),
    ("install twice", install_twice),
    ("install by name", by_name),
]

if len(sys.argv) == 2:
    dict((f.__name__, f) for _, f in stories)[sys.argv[1]]()
else:
    print("step03: one global reactor, installed at run time")
    for title, story in stories:
        print(title, flush=True)
        subprocess.run([sys.executable, __file__, story.__name__], check=True)
