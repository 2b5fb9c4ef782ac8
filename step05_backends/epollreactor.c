/*
 * epollreactor.c: EPollReactor (twisted/internet/epollreactor.py).
 *
 * epoll keeps the set of watched fds in the kernel: interest is
 * registered once (epoll_ctl ADD), changed (MOD: a reader that also
 * becomes a writer) and dropped (DEL), and epoll_wait returns only the
 * fds that are ready.  A pass costs O(ready), not O(registered): the
 * point of this step's benchmark.
 */
#define _POSIX_C_SOURCE 200809L

#include "epollreactor.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backends.h"
#include "main.h"

#if HAVE_EPOLL

#include <sys/epoll.h>

static struct epoll_reactor *self_of(struct reactor_base *r)
{
    return (struct epoll_reactor *)r;
}

/* Each registration carries the fd and its generation, so an event left
 * over from an earlier registration of a reused fd can be told apart. */
static struct epoll_event event_for(int fd, unsigned mask, unsigned gen)
{
    struct epoll_event ev = {.events = (mask & IO_READ ? EPOLLIN : 0u) |
                                       (mask & IO_WRITE ? EPOLLOUT : 0u),
                             .data.u64 = (uint64_t)gen << 32 | (uint32_t)fd};
    return ev;
}

/* _add and _remove: ADD the first interest, MOD a change, DEL the last. */
static int epoll_update(struct poll_like_reactor *p, int fd, unsigned old,
                        unsigned new_mask)
{
    struct epoll_reactor *self = (struct epoll_reactor *)p;
    /* A new registration gets the generation poll_like_add is about to
     * give the fd. */
    unsigned gen = old ? p->fds[fd].gen : p->fds[fd].gen + 1;
    struct epoll_event ev = event_for(fd, new_mask, gen);
    int op = old == 0        ? EPOLL_CTL_ADD
             : new_mask == 0 ? EPOLL_CTL_DEL
                             : EPOLL_CTL_MOD;
    int rc = epoll_ctl(self->epfd, op, fd, &ev);
    if (rc < 0 && op != EPOLL_CTL_ADD)
        self->rebuild = 1; /* the kernel may still hold what we dropped */
    return rc;
}

/* A fd closed behind the reactor's back leaves the kernel's set on its
 * own, unless a dup of it is still open: then its events keep coming for
 * a number the reactor no longer knows (or knows for something else),
 * and MOD or DEL cannot reach it.  Make a new set from the table, as
 * libev does.  Everything is added first, and only then are the ones the
 * kernel refused disconnected: a connection_lost may register more. */
static void rebuild(struct epoll_reactor *self)
{
    struct poll_like_reactor *p = &self->base;
    self->rebuild = 0;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("epoll_create1");
        return;
    }
    close(self->epfd);
    self->epfd = epfd;
    struct refused {
        int fd, err;
        unsigned gen;
    } *refused = NULL;
    size_t n_refused = 0;
    for (size_t fd = 0; fd < p->n_fds; fd++) {
        struct selectable *s = &p->fds[fd];
        if (!s->d)
            continue;
        struct epoll_event ev = event_for((int)fd, s->mask, s->gen);
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, (int)fd, &ev) == 0)
            continue;
        struct refused *more =
            realloc(refused, (n_refused + 1) * sizeof *refused);
        if (!more)
            break; /* it stays in the table; its fd stays silent */
        refused = more;
        refused[n_refused++] =
            (struct refused){.fd = (int)fd, .err = errno, .gen = s->gen};
    }
    for (size_t i = 0; i < n_refused; i++) {
        struct selectable *s = &p->fds[refused[i].fd];
        if (s->d && s->gen == refused[i].gen) /* not changed meanwhile */
            posix_disconnect_selectable(&p->posix, s->d, -refused[i].err,
                                        false);
    }
    free(refused);
}

/* doPoll */
static void epoll_do_poll(struct reactor_base *r, double timeout)
{
    struct epoll_reactor *self = self_of(r);
    struct poll_like_reactor *p = &self->base;
    /* Room for every fd to be ready (if that fails, the room there is). */
    ready_list_reserve(&self->ready, p->count, sizeof(struct epoll_event));
    struct epoll_event *events = self->ready.events;
    unsigned *registrations = self->ready.registrations;
    int ms = timeout_to_ms(timeout);
    int n = epoll_wait(self->epfd, events, (int)self->ready.cap, ms);
    if (n < 0) {
        if (errno != EINTR)
            perror("epoll_wait");
        return;
    }
    /* Before any callback runs: is each event from the registration the
     * table has now (the same generation, no interest it has dropped)?
     * If not, the kernel holds something stale: drop it, rebuild. */
    for (int i = 0; i < n; i++) {
        int fd = (int)(uint32_t)events[i].data.u64;
        unsigned gen = (unsigned)(events[i].data.u64 >> 32);
        uint32_t e = events[i].events;
        unsigned mask =
            poll_like_registration(p, fd) == gen ? p->fds[fd].mask : 0;
        bool stale = !mask || ((e & EPOLLIN) && !(mask & IO_READ)) ||
                     ((e & EPOLLOUT) && !(mask & IO_WRITE));
        registrations[i] = stale ? 0 : gen;
        if (stale)
            self->rebuild = 1;
    }
    if (r->trace)
        fprintf(stderr,
                "[trace] pass %lu: epoll_wait(%zu fds, timeout=%d "
                "ms) -> %d ready\n",
                r->passes, p->count, ms, n);
    for (int i = 0; i < n; i++) {
        uint32_t e = events[i].events;
        unsigned io = (e & EPOLLIN ? IO_READ : 0) |
                      (e & EPOLLOUT ? IO_WRITE : 0) |
                      (e & (EPOLLHUP | EPOLLERR) ? IO_HANGUP : 0);
        poll_like_do_read_or_write(p, (int)(uint32_t)events[i].data.u64, io,
                                   registrations[i]);
    }
    if (self->rebuild)
        rebuild(self);
}

static void epoll_destroy(struct reactor_base *r)
{
    struct epoll_reactor *self = self_of(r);
    poll_like_destroy(&self->base);
    if (self->epfd >= 0)
        close(self->epfd);
    ready_list_free(&self->ready);
    free(self);
}

static const struct reactor_ops epoll_reactor_ops = {
    .name = "EPollReactor",
    .do_iteration = epoll_do_poll,
    .destroy = epoll_destroy,
    POLL_LIKE_METHODS, /* inherited from _PollLikeMixin, PosixReactorBase */
};

struct reactor_base *epoll_reactor_new(void)
{
    struct epoll_reactor *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (poll_like_kernel_init(&self->base, &epoll_reactor_ops, epoll_update,
                              self->epfd, &self->ready,
                              sizeof(struct epoll_event))) {
        free(self);
        return NULL; /* errno says why */
    }
    return &self->base.posix.base;
}

#else /* no epoll on this platform */

struct reactor_base *epoll_reactor_new(void) { return NULL; }

#endif

int epoll_install(void)
{
    if (!HAVE_EPOLL)
        return ERR_REACTOR_UNAVAILABLE;
    return install_new_reactor(epoll_reactor_new());
}
