/*
 * posixbase.c: PosixReactorBase (twisted/internet/posixbase.py): the
 * waker, signal handling, and how a descriptor is disconnected.
 */
#define _POSIX_C_SOURCE 200809L

#include "posixbase.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isinf: a macro, no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the waker (_UnixWaker): the self-pipe trick -------------------- */

static int waker_fileno(struct descriptor *d)
{
    return ((struct unix_waker *)d)->read_fd;
}

/* What the signal handler leaves for the loop, as Python's own handler
 * does: which stop signal came (a flag, so it cannot be lost), and where
 * to write a byte to wake the loop (the fd signal.set_wakeup_fd would
 * name).  A byte alone could be lost: the pipe may be full. */
static volatile sig_atomic_t signal_wakeup_fd = -1;
static volatile sig_atomic_t stop_signal; /* SIGINT or SIGTERM, or 0 */
/* The reactor whose handlers were put in last (the loop's thread only). */
static struct posix_reactor_base *signals_top;

/* Drain the pipe, then act on a stop signal as sigInt and sigTerm do
 * (callFromThread(stop)), only in the reactor whose handlers are in.  The
 * flag is never cleared while they are in: a reactor stops once. */
static int waker_do_read(struct descriptor *d)
{
    struct unix_waker *w = (struct unix_waker *)d;
    unsigned char buf[256];
    while (read(w->read_fd, buf, sizeof buf) > 0)
        ;
    int signo = stop_signal;
    /* Only the reactor whose handlers are in: the top of the stack. */
    if (signo && signals_top == w->reactor && !w->reactor->base.stopped) {
        fprintf(stderr, "Received %s, shutting down.\n",
                signo == SIGINT ? "SIGINT" : "SIGTERM");
        reactor_stop(&w->reactor->base);
    }
    return 0;
}

static void waker_connection_lost(struct descriptor *d, int reason)
{
    struct unix_waker *w = (struct unix_waker *)d;
    (void)reason;
    if (signal_wakeup_fd == w->write_fd && w->write_fd >= 0)
        signal_wakeup_fd = -1; /* never a write into a reused fd */
    if (w->read_fd >= 0) {
        close(w->read_fd);
        close(w->write_fd);
    }
    w->read_fd = w->write_fd = -1;
}

static const struct descriptor_ops waker_ops = {
    .fileno = waker_fileno,
    .do_read = waker_do_read,
    .connection_lost = waker_connection_lost,
};

static int set_nonblocking_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    int fd_fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fd_fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, fd_fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* installWaker */
static int install_waker(struct posix_reactor_base *p)
{
    int fds[2];
    if (pipe(fds) < 0)
        return ERR_SYSTEM;
    p->waker = (struct unix_waker){.base.ops = &waker_ops,
                                   .reactor = p,
                                   .read_fd = fds[0],
                                   .write_fd = fds[1]};
    if (set_nonblocking_cloexec(fds[0]) < 0 ||
        set_nonblocking_cloexec(fds[1]) < 0) {
        waker_connection_lost(&p->waker.base, 0);
        return ERR_SYSTEM;
    }
    int err = reactor_add_reader(&p->base, &p->waker.base);
    if (err)
        waker_connection_lost(&p->waker.base, 0);
    else if (p->base.n_internal < 2) /* the room internal_readers has */
        p->base.internal_readers[p->base.n_internal++] = &p->waker.base;
    return err;
}

/* wakeUp: one byte; a full pipe (EAGAIN) already guarantees a wake-up. */
void posix_wake_up(struct posix_reactor_base *p)
{
    unsigned char zero = 0;
    if (p && p->waker.write_fd >= 0 &&
        write(p->waker.write_fd, &zero, 1) < 0 && errno != EAGAIN &&
        errno != EINTR)
        perror("waker");
}

void posix_reactor_wake_up(struct reactor_base *r)
{
    posix_wake_up((struct posix_reactor_base *)r);
}

int posix_reactor_base_init(struct posix_reactor_base *p,
                            const struct reactor_ops *ops)
{
    if (!p)
        return ERR_INVALID_ARGUMENT;
    int err = reactor_base_init(&p->base, ops);
    if (err)
        return err;
    p->waker.read_fd = p->waker.write_fd = -1;
    err = install_waker(p);
    if (err)
        reactor_base_destroy(&p->base);
    return err;
}

void posix_reactor_base_destroy(struct posix_reactor_base *p)
{
    if (!p)
        return;
    posix_disconnect_stale(p); /* their last chance to hear of it */
    free(p->stale);
    p->stale = NULL;
    posix_uninstall_handler(&p->base);
    waker_connection_lost(&p->waker.base, 0);
    reactor_base_destroy(&p->base);
}

/* ---- disconnecting (_DisconnectSelectableMixin) --------------------- */

/* Remove it everywhere, then tell it why.  No half-close, so is_read is
 * unused. */
void posix_disconnect_selectable(struct posix_reactor_base *p,
                                 struct descriptor *d, int why, bool is_read)
{
    (void)is_read;
    if (!p || !d || !d->ops)
        return;
    reactor_remove_reader(&p->base, d);
    reactor_remove_writer(&p->base, d);
    d->ops->connection_lost(d, why);
}

struct file_identity file_identity_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return (struct file_identity){0, 0};
    return (struct file_identity){.dev = st.st_dev, .ino = st.st_ino};
}

bool same_file(struct file_identity a, struct file_identity b)
{
    return a.dev == b.dev && a.ino == b.ino;
}

/* ---- stale registrations --------------------------------------------- */

int posix_note_stale(struct posix_reactor_base *p, struct descriptor *d)
{
    if (!p || !d)
        return ERR_INVALID_ARGUMENT;
    for (size_t i = 0; i < p->n_stale; i++)
        if (p->stale[i] == d)
            return REACTOR_OK; /* a reader and a writer: noted once */
    if (p->n_stale == p->cap_stale) {
        size_t cap = p->cap_stale ? 2 * p->cap_stale : 4;
        struct descriptor **stale = realloc(p->stale, cap * sizeof *stale);
        if (!stale)
            return ERR_NO_MEMORY;
        p->stale = stale;
        p->cap_stale = cap;
    }
    p->stale[p->n_stale++] = d;
    return REACTOR_OK;
}

void posix_forget_stale(struct posix_reactor_base *p, struct descriptor *d)
{
    if (!p || !d)
        return;
    for (size_t i = 0; i < p->n_stale; i++)
        if (p->stale[i] == d) {
            p->stale[i] = p->stale[--p->n_stale];
            return;
        }
}

/* One at a time, off the list before its connection_lost runs: that may
 * remove (and free) another one still on it, or note more. */
bool posix_disconnect_stale(struct posix_reactor_base *p)
{
    if (!p)
        return false;
    size_t budget = p->n_stale;
    bool any = budget > 0;
    while (budget-- > 0 && p->n_stale > 0) {
        struct descriptor *d = p->stale[0];
        p->stale[0] = p->stale[--p->n_stale];
        /* Out of the tables first, wherever it is, so its owner may free
         * it; -EBADF: its number is no longer its own, not to close. */
        posix_disconnect_selectable(p, d, -EBADF, false);
    }
    return any;
}

/* _removeAll: remove every reader but the internal ones, and every
 * writer; return each removed descriptor once. */
size_t posix_remove_all(struct posix_reactor_base *p,
                        struct descriptor **readers, size_t n_readers,
                        struct descriptor **writers, size_t n_writers,
                        struct descriptor **out, size_t cap)
{
    if (!p || (!readers && n_readers) || (!writers && n_writers))
        return 0;
    if (!out)
        cap = 0;
    size_t n = 0;
    for (size_t i = 0; i < n_readers; i++) {
        if (reactor_is_internal(&p->base, readers[i]))
            continue;
        reactor_remove_reader(&p->base, readers[i]);
        if (n < cap)
            out[n] = readers[i];
        n++;
    }
    for (size_t i = 0; i < n_writers; i++) {
        reactor_remove_writer(&p->base, writers[i]);
        bool seen = false; /* also a reader: already counted */
        for (size_t k = 0; k < n_readers && !seen; k++)
            seen = readers[k] == writers[i];
        if (seen)
            continue;
        if (n < cap)
            out[n] = writers[i];
        n++;
    }
    return n;
}

/* ---- signals (_SignalReactorMixin._handleSignals) ------------------- */

/* Async-signal-safe: a flag, one write(), errno saved and restored. */
static void on_signal(int signo)
{
    int saved = errno;
    if (signo == SIGINT || signo == SIGTERM)
        stop_signal = signo;
    unsigned char byte = (unsigned char)signo;
    int fd = signal_wakeup_fd;
    if (fd >= 0)
        (void)!write(fd, &byte, 1); /* EAGAIN: full, so it wakes anyway */
    errno = saved;
}

/* SIGINT only if nobody handles it yet (a debugger may), SIGTERM always,
 * and SIGCHLD, which only wakes the loop (no children to reap here).
 * SIGCHLD alone gets SA_RESTART (siginterrupt(SIGCHLD, False)): a child's
 * exit must not fail a blocking read() in a callback with EINTR. */
void posix_handle_signals(struct reactor_base *r)
{
    struct posix_reactor_base *p = (struct posix_reactor_base *)r;
    if (!p || p->handlers_installed)
        return;
    stop_signal = 0; /* a stop meant for an earlier reactor is not ours */
    signal_wakeup_fd = p->waker.write_fd;
    p->signals_below = signals_top;
    signals_top = p;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, NULL, &p->old_int);
    if (p->old_int.sa_handler == SIG_DFL)
        sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, &p->old_term);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, &p->old_chld);
    p->handlers_installed = true;
}

void posix_uninstall_handler(struct reactor_base *r)
{
    struct posix_reactor_base *p = (struct posix_reactor_base *)r;
    if (!p || !p->handlers_installed)
        return;
    p->handlers_installed = false;
    if (signals_top != p) {
        /* A later reactor's handlers are in: leave them, and hand it
         * what this one would have restored. */
        struct posix_reactor_base *above = signals_top;
        while (above && above->signals_below != p)
            above = above->signals_below;
        if (above) {
            above->old_int = p->old_int;
            above->old_term = p->old_term;
            above->old_chld = p->old_chld;
            above->signals_below = p->signals_below;
        }
        return;
    }
    sigaction(SIGINT, &p->old_int, NULL);
    sigaction(SIGTERM, &p->old_term, NULL);
    sigaction(SIGCHLD, &p->old_chld, NULL);
    signals_top = p->signals_below; /* its handlers are back in */
    signal_wakeup_fd = signals_top ? signals_top->waker.write_fd : -1;
    stop_signal = 0; /* it was this reactor's: no later one's */
}

/* ---- _PollLikeMixin -------------------------------------------------- */

int poll_like_init(struct poll_like_reactor *p, const struct reactor_ops *ops,
                   int (*update)(struct poll_like_reactor *, int, unsigned,
                                 unsigned))
{
    if (!p || !update)
        return ERR_INVALID_ARGUMENT;
    p->update = update;
    return posix_reactor_base_init(&p->posix, ops);
}

void poll_like_destroy(struct poll_like_reactor *p)
{
    if (!p)
        return;
    posix_reactor_base_destroy(&p->posix);
    free(p->fds);
    free(p->origins);
    p->fds = NULL;
    p->origins = NULL;
}

static struct poll_like_reactor *poll_like_of(struct reactor_base *r)
{
    return (struct poll_like_reactor *)r;
}

/* Where `d` is registered for `event`, or -1: at its fileno(), or, if
 * that is -1 or changed, wherever the table has it.  Its own slot answers
 * alone (one descriptor per fd): stopWriting on a reader costs no scan. */
static int find_fd(const struct poll_like_reactor *p, struct descriptor *d,
                   unsigned event)
{
    int fd = d->ops->fileno(d);
    if (fd >= 0 && (size_t)fd < p->n_fds && p->fds[fd].d == d)
        return p->fds[fd].mask & event ? fd : -1;
    for (size_t i = 0; i < p->n_fds; i++)
        if (p->fds[i].d == d && (p->fds[i].mask & event))
            return (int)i;
    return -1;
}

int poll_like_retire_stale(struct poll_like_reactor *p, int fd)
{
    struct selectable *s = &p->fds[fd];
    int err = posix_note_stale(&p->posix, s->d);
    if (err)
        return err;
    unsigned old = s->mask;
    s->d = NULL;
    s->mask = 0;
    p->count--;
    (void)p->update(p, fd, old, 0); /* its file is gone: it may fail */
    return REACTOR_OK;
}

/* Register `d` for `event` on its fd: the table first, then the kernel;
 * if the kernel says no, the table is put back. */
static int poll_like_add(struct poll_like_reactor *p, struct descriptor *d,
                         unsigned event)
{
    if (!p || !d || !d->ops || !d->ops->fileno)
        return ERR_INVALID_ARGUMENT;
    int fd = d->ops->fileno(d);
    if (fd < 0)
        return ERR_BAD_DESCRIPTOR;
    if ((size_t)fd >= p->n_fds) {
        size_t n = p->n_fds ? p->n_fds : 64;
        while (n <= (size_t)fd)
            n *= 2;
        struct selectable *fds = realloc(p->fds, n * sizeof *fds);
        if (!fds)
            return ERR_NO_MEMORY;
        p->fds = fds;
        struct registration_origin *origins =
            realloc(p->origins, n * sizeof *origins);
        if (!origins)
            return ERR_NO_MEMORY; /* fds grew, harmlessly */
        p->origins = origins;
        memset(fds + p->n_fds, 0, (n - p->n_fds) * sizeof *fds);
        memset(origins + p->n_fds, 0, (n - p->n_fds) * sizeof *origins);
        p->n_fds = n;
    }
    struct selectable *s = &p->fds[fd];
    struct registration_origin *origin = &p->origins[fd];
    unsigned old = s->mask;
    if (s->d == d) { /* a reader becomes a writer too, or the reverse */
        if (old & event)
            return REACTOR_OK; /* already there: adding is idempotent */
        s->mask = old | event;
        if (p->update(p, fd, old, s->mask) < 0) {
            s->mask = old;
            return ERR_SYSTEM;
        }
        return REACTOR_OK;
    }
    /* The file the fd names, unless the kernel can tell staleness. */
    struct file_identity file =
        p->proves_stale ? (struct file_identity){0, 0} : file_identity_of(fd);
    if (s->d) {
        /* Taken (one descriptor per fd).  By a live registration:
         * FdInUse.  By one whose file is gone (the number reused): stale;
         * the newcomer is served. */
        int stale = p->proves_stale ? p->proves_stale(p, fd, event)
                                    : !same_file(origin->file, file);
        if (stale < 0)
            return ERR_SYSTEM;
        if (!stale)
            return ERR_FD_IN_USE;
        int err = poll_like_retire_stale(p, fd);
        if (err)
            return err;
    }
    /* A new registration.  The same descriptor on the same file as the
     * fd's last one (removed and added again) keeps its id, where the
     * file is known: what the kernel holds for it is still right. */
    struct selectable before = *s;
    struct registration_origin origin_before = *origin;
    if (p->proves_stale || origin->serial != d->serial ||
        !same_file(origin->file, file) || !s->registration_id) {
        s->registration_id++;
        if (!s->registration_id)
            s->registration_id = 1; /* 0 means none */
    }
    s->d = d;
    s->mask = event;
    *origin = (struct registration_origin){.serial = d->serial, .file = file};
    p->count++;
    if (p->update(p, fd, 0, event) < 0) {
        *s = before;
        *origin = origin_before;
        p->count--;
        return ERR_SYSTEM; /* e.g. epoll's EPERM for a regular file */
    }
    posix_forget_stale(&p->posix, d); /* registered again: live */
    return REACTOR_OK;
}

static void poll_like_remove(struct poll_like_reactor *p,
                             struct descriptor *d, unsigned event)
{
    if (!p || !d || !d->ops || !d->ops->fileno)
        return;
    posix_forget_stale(&p->posix, d); /* its owner takes it back */
    int fd = find_fd(p, d, event);
    if (fd < 0)
        return; /* not registered for that: nothing to do */
    struct selectable *s = &p->fds[fd];
    unsigned old = s->mask;
    s->mask &= ~event;
    if (s->mask == 0) {
        s->d = NULL;
        p->count--;
    }
    /* The kernel may refuse (EBADF: the fd was closed already).  Then it
     * has forgotten the fd, unless a dup keeps the file open: epoll
     * notes that when the stale events come, and makes its set anew. */
    (void)p->update(p, fd, old, s->mask);
}

int poll_like_add_reader(struct reactor_base *r, struct descriptor *d)
{
    return poll_like_add(poll_like_of(r), d, IO_READ);
}

int poll_like_add_writer(struct reactor_base *r, struct descriptor *d)
{
    return poll_like_add(poll_like_of(r), d, IO_WRITE);
}

void poll_like_remove_reader(struct reactor_base *r, struct descriptor *d)
{
    poll_like_remove(poll_like_of(r), d, IO_READ);
}

void poll_like_remove_writer(struct reactor_base *r, struct descriptor *d)
{
    poll_like_remove(poll_like_of(r), d, IO_WRITE);
}

static size_t list_with(const struct poll_like_reactor *p, unsigned event,
                        struct descriptor **out, size_t cap)
{
    if (!p)
        return 0;
    if (!out)
        cap = 0;
    size_t n = 0;
    for (size_t fd = 0; fd < p->n_fds; fd++)
        if (p->fds[fd].d && (p->fds[fd].mask & event)) {
            if (n < cap)
                out[n] = p->fds[fd].d;
            n++;
        }
    return n;
}

size_t poll_like_get_readers(struct reactor_base *r, struct descriptor **out,
                             size_t cap)
{
    return list_with(poll_like_of(r), IO_READ, out, cap);
}

size_t poll_like_get_writers(struct reactor_base *r, struct descriptor **out,
                             size_t cap)
{
    return list_with(poll_like_of(r), IO_WRITE, out, cap);
}

size_t poll_like_remove_all(struct reactor_base *r, struct descriptor **out,
                            size_t cap)
{
    /* _removeAll, straight off the table: one descriptor per fd, so each
     * is met once, and nothing needs allocating. */
    struct poll_like_reactor *p = poll_like_of(r);
    if (!p)
        return 0;
    if (!out)
        cap = 0;
    size_t n = 0;
    for (size_t fd = 0; fd < p->n_fds; fd++) {
        struct descriptor *d = p->fds[fd].d;
        if (!d || reactor_is_internal(r, d))
            continue;
        reactor_remove_reader(r, d);
        reactor_remove_writer(r, d);
        if (n < cap)
            out[n] = d;
        n++;
    }
    return n;
}

unsigned poll_like_registration_id(const struct poll_like_reactor *p, int fd)
{
    if (!p || fd < 0 || (size_t)fd >= p->n_fds || !p->fds[fd].d)
        return 0;
    return p->fds[fd].registration_id;
}

bool poll_like_disconnect_stale(struct poll_like_reactor *p)
{
    return p && posix_disconnect_stale(&p->posix);
}

/* Is fd still in the registration the wait answered about, and does it
 * still want `event`?  A callback earlier in the pass may have removed
 * it, or registered something anew on the reused fd number (even the
 * same descriptor, on a new socket): an event of the old registration
 * must not reach the new one.  Skipping is safe: whatever is still ready
 * is reported again next pass. */
static bool still_registered_for(const struct poll_like_reactor *p, int fd,
                                 unsigned registration_id, unsigned event)
{
    return registration_id &&
           poll_like_registration_id(p, fd) == registration_id &&
           (p->fds[fd].mask & event);
}

void poll_like_do_read_or_write(struct poll_like_reactor *p, int fd,
                                unsigned events, unsigned registration_id)
{
    if (!p ||
        !still_registered_for(p, fd, registration_id, IO_READ | IO_WRITE))
        return;
    struct descriptor *d = p->fds[fd].d;
    bool reading = p->fds[fd].mask & IO_READ;
    bool input = (events & IO_READ) && reading; /* input it wants */
    int why = 0;
    bool in_read = false;
    if (events & IO_BAD_FD) {
        why = -EBADF; /* as select's _preenDescriptors finds it */
    } else if (events & IO_LOST) {
        why = CONNECTION_LOST; /* kqreactor.py: no read, no write first */
    } else if ((events & IO_HANGUP) && !input) {
        /* A hang-up, and no input left to read first: a clean end if it
         * was reading, otherwise a lost connection. */
        in_read = reading;
        why = reading ? CONNECTION_DONE : CONNECTION_LOST;
    } else if (d->ops->fileno(d) == -1) {
        why = CONNECTION_FDESC_WENT_AWAY;
    } else {
        if (input) { /* before a hang-up: the input is read first */
            why = d->ops->do_read(d);
            in_read = true;
        }
        /* Not after the read disconnected it, nor if it stopped
         * writing meanwhile. */
        if (!why && (events & IO_WRITE) &&
            still_registered_for(p, fd, registration_id, IO_WRITE)) {
            why = d->ops->do_write(d);
            in_read = false;
        }
        /* Closed in the callback, left registered: as in select_reactor's
         * do_read_or_write (asked only while still registered: it may be
         * freed if not). */
        if (!why &&
            still_registered_for(p, fd, registration_id,
                                 IO_READ | IO_WRITE) &&
            d->ops->fileno(d) == -1)
            why = CONNECTION_FDESC_WENT_AWAY;
    }
    if (why)
        posix_disconnect_selectable(&p->posix, d, why, in_read);
}

void trace_begin(struct trace_line *t)
{
    if (!t)
        return;
    t->text[0] = '\0';
    t->used = 0;
}

void trace_dispatch(struct trace_line *t, int fd, unsigned events)
{
    if (!t)
        return;
    const char *what[] = {(events & IO_READ) ? "doRead" : NULL,
                          (events & IO_WRITE) ? "doWrite" : NULL,
                          (events & IO_BAD_FD) ? "badFd" : NULL,
                          (events & (IO_READ | IO_WRITE | IO_BAD_FD)) == 0 &&
                                  (events & IO_HANGUP)
                              ? "hangUp"
                              : NULL};
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
        if (what[i] && t->used < sizeof t->text)
            t->used +=
                (size_t)snprintf(t->text + t->used, sizeof t->text - t->used,
                                 " %s(%d)", what[i], fd);
}

void trace_end(struct trace_line *t, const struct reactor_base *r,
               const char *call, int ready)
{
    if (!t || !r || !call)
        return;
    fprintf(stderr, "[trace] pass %lu: %s -> %d ready;%s\n", r->passes, call,
            ready, t->used ? t->text : " nothing to do");
}

int ready_list_reserve(struct ready_list *l, size_t want, size_t size)
{
    if (!l)
        return -1;
    if (want <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 64;
    while (cap < want)
        cap *= 2;
    void *events = realloc(l->events, cap * size);
    if (!events)
        return -1;
    l->events = events;
    unsigned *ids = realloc(l->registration_ids, cap * sizeof *ids);
    if (!ids)
        return -1; /* the events' room grew, harmlessly */
    l->registration_ids = ids;
    l->cap = cap;
    return 0;
}

void ready_list_free(struct ready_list *l)
{
    if (!l)
        return;
    free(l->events);
    free(l->registration_ids);
    *l = (struct ready_list){0};
}

int poll_like_kernel_init(
    struct poll_like_reactor *p, const struct reactor_ops *ops,
    int (*update)(struct poll_like_reactor *, int, unsigned, unsigned),
    int kernel_fd, struct ready_list *ready, size_t event_size)
{
    if (!p || !ready) { /* refused, and the fd closed all the same */
        if (kernel_fd >= 0)
            close(kernel_fd);
        errno = EINVAL;
        return ERR_INVALID_ARGUMENT;
    }
    /* Room for events from the start: epoll_wait refuses a count of 0. */
    int err = kernel_fd < 0 ? ERR_SYSTEM
              : ready_list_reserve(ready, 64, event_size) < 0
                  ? ERR_NO_MEMORY
                  : poll_like_init(p, ops, update);
    if (err) {
        int why = reactor_error_to_errno(err);
        if (kernel_fd >= 0)
            close(kernel_fd);
        free(p->fds); /* what adding the waker may have made */
        free(p->origins);
        p->fds = NULL;
        p->origins = NULL;
        ready_list_free(ready);
        errno = why;
    }
    return err;
}

int timeout_to_ms(double seconds)
{
    if (isinf(seconds))
        return -1; /* forever */
    if (seconds >= 2147483.0)
        return 2147483000; /* timeout()'s cap, which still fits an int */
    double ms = seconds * 1000.0;
    int whole = (int)ms;
    return (double)whole < ms ? whole + 1 : whole; /* round up */
}
