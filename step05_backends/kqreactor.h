/*
 * kqreactor.h: KQueueReactor (twisted/internet/kqreactor.py), macOS and
 * the BSDs.
 */
#ifndef KQREACTOR_H
#define KQREACTOR_H

#include "posixbase.h"

struct kevent;

struct kqueue_reactor {
    struct poll_like_reactor base; /* "inherits" _PollLikeMixin */
    int kq;
    struct ready_list ready; /* what one kevent() call returns */
};

struct reactor_base *kqueue_reactor_new(void); /* NULL: failed or none */
int kqueue_install(void);                      /* kqreactor.install */

#endif
