/*
 * epollreactor.h: EPollReactor (twisted/internet/epollreactor.py), Linux.
 */
#ifndef EPOLLREACTOR_H
#define EPOLLREACTOR_H

#include "posixbase.h"

struct epoll_event;

struct epoll_reactor {
    struct poll_like_reactor base; /* "inherits" _PollLikeMixin */
    int epfd;
    struct ready_list ready; /* what one epoll_wait returns */
    int rebuild; /* a stale event came: make the kernel's set anew */
};

struct reactor_base *epoll_reactor_new(void); /* NULL: failed or no epoll */
int epoll_install(void);                      /* epollreactor.install */

#endif
