/*
 * pollreactor.c: PollReactor (twisted/internet/pollreactor.py).
 *
 * poll(2) takes an array of {fd, events} instead of bitmaps, so it has no
 * FD_SETSIZE limit, but like select it hands the kernel the whole array
 * on every call and the kernel walks all of it: a pass costs O(fds
 * registered), however few are ready.
 */
#define _POSIX_C_SOURCE 200809L

#include "pollreactor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "main.h"

struct ready {
    int fd;
    unsigned events;
    unsigned registration_id;
};

static struct poll_reactor *self_of(struct reactor_base *r)
{
    return (struct poll_reactor *)r;
}

static short to_poll_events(unsigned mask)
{
    return (short)((mask & IO_READ ? POLLIN : 0) |
                   (mask & IO_WRITE ? POLLOUT : 0));
}

/* _updateRegistration: add, change or drop fd's entry in the array. */
static int poll_update(struct poll_like_reactor *p, int fd, unsigned old,
                       unsigned new_mask)
{
    struct poll_reactor *self = (struct poll_reactor *)p;
    if (old == 0) { /* a new entry at the end */
        if ((size_t)fd >= self->n_slots) {
            size_t n = self->n_slots ? self->n_slots : 64;
            while (n <= (size_t)fd)
                n *= 2;
            size_t *slot = realloc(self->slot, n * sizeof *slot);
            if (!slot)
                return -1;
            self->slot = slot;
            self->n_slots = n;
        }
        if (self->n_pfds == self->cap_pfds) {
            size_t cap = self->cap_pfds ? 2 * self->cap_pfds : 64;
            struct pollfd *pfds = realloc(self->pfds, cap * sizeof *pfds);
            if (!pfds)
                return -1;
            self->pfds = pfds;
            self->cap_pfds = cap;
        }
        self->slot[fd] = self->n_pfds;
        self->pfds[self->n_pfds++] =
            (struct pollfd){.fd = fd, .events = to_poll_events(new_mask)};
    } else if (new_mask == 0) { /* the last entry fills the hole */
        size_t i = self->slot[fd];
        self->pfds[i] = self->pfds[--self->n_pfds];
        self->slot[self->pfds[i].fd] = i;
    } else {
        self->pfds[self->slot[fd]].events = to_poll_events(new_mask);
    }
    return 0;
}

/* doPoll: wait, copy out what is ready, then dispatch.  The copy matters:
 * callbacks add and remove entries, which moves them in the array. */
static void poll_do_poll(struct reactor_base *r, double timeout)
{
    struct poll_reactor *self = self_of(r);
    if (poll_like_disconnect_stale(&self->base))
        return;
    int ms = timeout_to_ms(timeout); /* Twisted truncates: int(t * 1000) */
    int n = poll(self->pfds, (nfds_t)self->n_pfds, ms);
    if (n < 0) {
        if (errno != EINTR) /* EINTR: a signal; its byte is in the waker */
            perror("poll");
        return;
    }
    if ((size_t)n > self->cap_ready) {
        struct ready *ready = realloc(self->ready, (size_t)n * sizeof *ready);
        if (!ready)
            return; /* level-triggered: they will still be ready */
        self->ready = ready;
        self->cap_ready = (size_t)n;
    }
    size_t k = 0;
    for (size_t i = 0; i < self->n_pfds && k < (size_t)n; i++) {
        short re = self->pfds[i].revents;
        if (!re)
            continue;
        unsigned ev = (re & POLLIN ? IO_READ : 0) |
                      (re & POLLOUT ? IO_WRITE : 0) |
                      (re & (POLLHUP | POLLERR) ? IO_HANGUP : 0) |
                      (re & POLLNVAL ? IO_BAD_FD : 0);
        int fd = self->pfds[i].fd;
        self->ready[k++] = (struct ready){
            .fd = fd,
            .events = ev,
            .registration_id = poll_like_registration_id(&self->base, fd)};
    }
    if (r->trace) {
        struct trace_line t;
        trace_begin(&t);
        for (size_t i = 0; i < k; i++)
            trace_dispatch(&t, self->ready[i].fd, self->ready[i].events);
        char call[64];
        snprintf(call, sizeof call, "poll(%zu fds, timeout=%d ms)",
                 self->n_pfds, ms);
        trace_end(&t, r, call, n);
    }
    for (size_t i = 0; i < k; i++)
        poll_like_do_read_or_write(&self->base, self->ready[i].fd,
                                   self->ready[i].events,
                                   self->ready[i].registration_id);
}

static void poll_destroy(struct reactor_base *r)
{
    struct poll_reactor *self = self_of(r);
    poll_like_destroy(&self->base);
    free(self->pfds);
    free(self->slot);
    free(self->ready);
    free(self);
}

static const struct reactor_ops poll_reactor_ops = {
    .name = "PollReactor",
    .do_iteration = poll_do_poll,
    .destroy = poll_destroy,
    POLL_LIKE_METHODS, /* inherited from _PollLikeMixin, PosixReactorBase */
};

struct reactor_base *poll_reactor_new(void)
{
    struct poll_reactor *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    int err = poll_like_init(&self->base, &poll_reactor_ops, poll_update);
    if (err) {
        free(self->base.fds); /* what adding the waker may have made */
        free(self->base.origins);
        free(self->pfds);
        free(self->slot);
        free(self);
        errno = reactor_error_to_errno(err); /* NULL says failed; errno why */
        return NULL;
    }
    return &self->base.posix.base;
}

int poll_install(void) { return install_new_reactor(poll_reactor_new()); }
