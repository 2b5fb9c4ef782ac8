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
    struct epoll_event *events; /* what one epoll_wait returns */
    unsigned *registrations;    /* each event's registration, checked */
    size_t cap_events;
    int rebuild; /* a stale event came: make the kernel's set anew */
};

struct reactor_base *epoll_reactor_new(void); /* NULL: failed or no epoll */
int epoll_install(void);                      /* epollreactor.install */

#endif
