/*
 * posixbase.c: PosixReactorBase (twisted/internet/posixbase.py): the
 * waker, signal handling, and how a descriptor is disconnected.
 */
#define _POSIX_C_SOURCE 200809L

#include "posixbase.h"

#include <errno.h>
#include <fcntl.h>
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
