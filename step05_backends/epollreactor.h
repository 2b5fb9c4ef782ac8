/*
 * epollreactor.h: EPollReactor (twisted/internet/epollreactor.py), Linux.
 */
#ifndef EPOLLREACTOR_H
#define EPOLLREACTOR_H

#include "posixbase.h"

struct epoll_event;

/* What the kernel's set holds for one fd, as far as the reactor knows:
 * the interest, and the registration_id its events carry. */
struct kernel_entry {
    bool in_kernel;
    bool in_changed_fds; /* compared with the table at the next wait */
    /* A file that left this number (closed, or moved by dup2) may still
     * have an entry under it, kept while a dup is open: then EEXIST no
     * longer proves whose entry the kernel holds.  Until a rebuild. */
    bool may_hold_a_stray;
    unsigned events; /* IO_READ | IO_WRITE */
    unsigned registration_id;
    uint64_t serial; /* the descriptor the entry was made for */
};

struct epoll_reactor {
    struct poll_like_reactor base; /* "inherits" _PollLikeMixin */
    int epfd;
    struct ready_list ready; /* what one epoll_wait returns */
    int needs_rebuild; /* a stale event came: make the kernel's set anew */
    /* The kernel's idea, per fd, and the fds whose table entry changed
     * since the last wait (applied, net, before the next). */
    struct kernel_entry *kernel;
    size_t n_kernel;
    int *changed_fds;
    size_t n_changed, cap_changed;
    /* For the tests: epoll_ctl calls made, and sets made anew. */
    unsigned long ctl_calls, rebuilds;
};

struct reactor_base *epoll_reactor_new(void); /* NULL: failed or no epoll */
int epoll_install(void);                      /* epollreactor.install */

#endif
