/*
 * pollreactor.h: PollReactor (twisted/internet/pollreactor.py), poll(2)
 * behind the same interface as select.
 */
#ifndef POLLREACTOR_H
#define POLLREACTOR_H

#include <poll.h>

#include "posixbase.h"

struct poll_reactor {
    struct poll_like_reactor base; /* "inherits" _PollLikeMixin */
    /* The array poll() takes, one entry per registered fd, kept up to
     * date as interest changes; `slot[fd]` says where fd's entry is. */
    struct pollfd *pfds;
    size_t n_pfds, cap_pfds;
    size_t *slot;
    size_t n_slots;
    /* What one pass found ready, copied out before any callback runs. */
    struct ready *ready;
    size_t cap_ready;
};

struct reactor_base *poll_reactor_new(void);
int poll_install(void); /* pollreactor.install */

#endif
