/*
 * kqreactor.c: KQueueReactor (twisted/internet/kqreactor.py).
 *
 * kqueue, like epoll, keeps interest in the kernel and returns only what
 * is ready; unlike epoll, reading and writing are two separate filters,
 * each added and deleted on its own, and each reported as its own event.
 */
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE /* kqueue is not POSIX: ask for it */
#endif
#if defined(__NetBSD__) && !defined(_NETBSD_SOURCE)
#define _NETBSD_SOURCE /* likewise: NetBSD declares kevent() only then */
#endif
#define _POSIX_C_SOURCE 200809L

#include "kqreactor.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isinf: a macro, no libm */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backends.h"
#include "main.h"

#if HAVE_KQUEUE

#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>

static struct kqueue_reactor *self_of(struct reactor_base *r)
{
    return (struct kqueue_reactor *)r;
}

/* _updateRegistration: one filter added or deleted per interest that
 * changed: one, as add and remove change one bit, except when a stale
 * reader and writer is retired, whose two deletes may both fail (close()
 * dropped the filters already).  udata carries the registration_id. */
static int kqueue_update(struct poll_like_reactor *p, int fd, unsigned old,
                         unsigned new_mask)
{
    struct kqueue_reactor *self = (struct kqueue_reactor *)p;
    unsigned id = p->fds[fd].registration_id;
    struct kevent changes[2];
    int n = 0;
    /* n++ outside EV_SET: older NetBSD and OpenBSD evaluate its first
     * argument several times. */
    if ((old ^ new_mask) & IO_READ) {
        EV_SET(&changes[n], (uintptr_t)fd, EVFILT_READ,
               new_mask & IO_READ ? EV_ADD : EV_DELETE, 0, 0,
               (void *)(uintptr_t)id);
        n++;
    }
    if ((old ^ new_mask) & IO_WRITE) {
        EV_SET(&changes[n], (uintptr_t)fd, EVFILT_WRITE,
               new_mask & IO_WRITE ? EV_ADD : EV_DELETE, 0, 0,
               (void *)(uintptr_t)id);
        n++;
    }
    return n ? kevent(self->kq, changes, n, NULL, 0, NULL) : 0;
}

/* A timeout in seconds as a timespec, rounded up to the nanosecond. */
static struct timespec to_timespec(double seconds)
{
    if (seconds > 2147483.0)
        seconds = 2147483.0;
    long long ns = (long long)(seconds * 1e9);
    if ((double)ns < seconds * 1e9)
        ns++;
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000),
                             .tv_nsec = (long)(ns % 1000000000)};
}

/* What one kevent asks of _doReadOrWrite (0: nothing). */
static unsigned kevent_io(const struct poll_like_reactor *p,
                          const struct kevent *ev, unsigned registration_id)
{
    bool eof = ev->flags & EV_EOF;
    bool reading = registration_id && (p->fds[(int)ev->ident].mask & IO_READ);
    if (ev->flags & EV_ERROR) /* only for a changelist; none here */
        return ev->data == EBADF ? IO_BAD_FD : IO_HANGUP;
    if (eof && ev->data && ev->fflags) /* an error, and input unread */
        return IO_LOST;
    if (ev->filter == EVFILT_READ)
        return IO_READ | (eof ? IO_HANGUP : 0); /* drain, then EOF */
    if (!eof)
        return IO_WRITE;
    /* The write side is finished: the peer is gone, or this end shut
     * down its writing.  A writer alone has lost its connection.  One
     * that also reads is written to, as _doWriteOrRead calls doWrite: the
     * write fails and disconnects it.  Dropped, this event would come
     * back at every wait, and after a local shutdown(SHUT_WR) the read
     * filter has nothing to end it: the loop would spin. */
    return reading ? IO_WRITE : IO_HANGUP;
}

/* doKEvent */
static void kqueue_do_kevent(struct reactor_base *r, double timeout)
{
    struct kqueue_reactor *self = self_of(r);
    struct poll_like_reactor *p = &self->base;
    if (poll_like_disconnect_stale(p))
        return;
    /* Room for two filters of every fd (if that fails, the room there is). */
    ready_list_reserve(&self->ready, 2 * p->count, sizeof(struct kevent));
    struct kevent *events = self->ready.events;
    unsigned *registration_ids = self->ready.registration_ids;
    struct timespec ts, *tsp = NULL; /* NULL: wait forever */
    if (!isinf(timeout)) {
        ts = to_timespec(timeout);
        tsp = &ts;
    }
    int n = kevent(self->kq, NULL, 0, events, (int)self->ready.cap, tsp);
    if (n < 0) {
        if (errno != EINTR)
            perror("kevent");
        return;
    }
    /* Before any callback runs: is each event from the registration the
     * table has now (the same id)?  If not, drop it. */
    for (int i = 0; i < n; i++) {
        int fd = (int)events[i].ident;
        unsigned id = (unsigned)(uintptr_t)events[i].udata;
        registration_ids[i] = poll_like_registration_id(p, fd) == id ? id : 0;
    }
    if (r->trace) {
        struct trace_line t;
        trace_begin(&t);
        for (int i = 0; i < n; i++)
            if (registration_ids[i])
                trace_dispatch(&t, (int)events[i].ident,
                               kevent_io(p, &events[i], registration_ids[i]));
        char call[64];
        snprintf(call, sizeof call, "kevent(%zu fds)", p->count);
        trace_end(&t, r, call, n);
    }
    for (int i = 0; i < n; i++) {
        unsigned io = kevent_io(p, &events[i], registration_ids[i]);
        if (io)
            poll_like_do_read_or_write(p, (int)events[i].ident, io,
                                       registration_ids[i]);
    }
}

static void kqueue_destroy(struct reactor_base *r)
{
    struct kqueue_reactor *self = self_of(r);
    poll_like_destroy(&self->base);
    if (self->kq >= 0)
        close(self->kq);
    ready_list_free(&self->ready);
    free(self);
}

static const struct reactor_ops kqueue_reactor_ops = {
    .name = "KQueueReactor",
    .do_iteration = kqueue_do_kevent,
    .destroy = kqueue_destroy,
    POLL_LIKE_METHODS, /* inherited from _PollLikeMixin, PosixReactorBase */
};

struct reactor_base *kqueue_reactor_new(void)
{
    struct kqueue_reactor *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->kq = kqueue();
    if (self->kq >= 0) /* as epoll's EPOLL_CLOEXEC */
        fcntl(self->kq, F_SETFD, FD_CLOEXEC);
    if (poll_like_kernel_init(&self->base, &kqueue_reactor_ops, kqueue_update,
                              self->kq, &self->ready,
                              sizeof(struct kevent))) {
        free(self);
        return NULL; /* errno says why */
    }
    return &self->base.posix.base;
}

#else /* no kqueue on this platform */

struct reactor_base *kqueue_reactor_new(void) { return NULL; }

#endif

int kqueue_install(void)
{
    if (!HAVE_KQUEUE)
        return ERR_REACTOR_UNAVAILABLE;
    return install_new_reactor(kqueue_reactor_new());
}
