/*
 * selectreactor.h: SelectReactor (twisted/internet/selectreactor.py),
 * the only concrete reactor so far.
 */
#ifndef SELECTREACTOR_H
#define SELECTREACTOR_H

#include <sys/select.h>

#include "posixbase.h"

/* One registration: which descriptor watches this fd now, the file the
 * fd named when it was registered, and the serial of the descriptor that
 * watched it when select() was called (a callback may change it
 * meanwhile). */
struct select_slot {
    struct descriptor *d;
    struct file_identity file;
    uint64_t serial_at_wait;
};

struct select_reactor {
    struct posix_reactor_base posix; /* "inherits" PosixReactorBase */
    /* Twisted's _reads and _writes, indexed by fd: select() cannot watch
     * an fd >= FD_SETSIZE, so FD_SETSIZE slots are all it can need. */
    struct select_slot reads[FD_SETSIZE], writes[FD_SETSIZE];
    int max_fd; /* highest registered fd, -1 if none */
};

/* A timeout in seconds as select() takes it, rounded up to the next
 * microsecond (public for its test). */
struct timeval select_timeval(double seconds);

/* SelectReactor(): a new reactor, waker installed.  NULL on failure. */
struct reactor_base *select_reactor_new(void);

/* selectreactor.install: make a SelectReactor the global reactor. */
int select_install(void);

#endif
