/*
 * reactor.h: `from twisted.internet import reactor`, as a function
 * (twisted/internet/reactor.py).
 *
 * The first import of twisted.internet.reactor runs default.install(),
 * which installs the platform's reactor; every later import returns that
 * same object.  global_reactor() does the same on first call.
 */
#ifndef REACTOR_H
#define REACTOR_H

#include "base.h"

/* The global reactor, installing the default if none is installed yet.
 * NULL only if that install failed (out of memory or descriptors). */
struct reactor_base *global_reactor(void);

#endif
