/*
 * selectreactor.c: SelectReactor (twisted/internet/selectreactor.py).
 *
 * What step01 did inline is now split: the reactor keeps the table of
 * readers and writers, doSelect builds the fd_sets from it, waits, and
 * calls do_read / do_write on whoever is ready.
 */
#define _POSIX_C_SOURCE 200809L

#include "selectreactor.h"

#include "main.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h> /* isinf: a macro, no libm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct select_reactor *self_of(struct reactor_base *r)
{
    return (struct select_reactor *)r; /* base is the first member */
}

/* ---- the table of readers and writers -------------------------------- */

/* Where `d` is registered in `slots`, or -1.  Usually at its fileno();
 * if that changed or is -1 (closed), search, as Twisted's reactors do.
 * Found at its fileno() in the other table, it is not in this one:
 * stopWriting on a reader costs no scan. */
static int find_slot(const struct select_reactor *self,
                     const struct select_slot *slots, struct descriptor *d)
{
    int fd = d->ops->fileno(d);
    if (fd >= 0 && fd < FD_SETSIZE) {
        const struct select_slot *other =
            slots == self->reads ? self->writes : self->reads;
        if (slots[fd].d == d)
            return fd;
        if (other[fd].d == d)
            return -1;
    }
    for (int i = 0; i <= self->max_fd; i++)
        if (slots[i].d == d)
            return i;
    return -1;
}

/* The registrations on `fd` made for the file it named then, `file`,
 * which is gone: out of both tables, to be disconnected next pass. */
static int retire_stale(struct select_reactor *self, int fd,
                        struct file_identity file)
{
    struct select_slot *both[] = {&self->reads[fd], &self->writes[fd]};
    for (int s = 0; s < 2; s++) {
        if (!both[s]->d || !same_file(both[s]->file, file))
            continue;
        int err = posix_note_stale(&self->posix, both[s]->d);
        if (err)
            return err;
        both[s]->d = NULL;
    }
    return REACTOR_OK;
}

static int add(struct select_reactor *self, struct select_slot *slots,
               struct descriptor *d)
{
    int fd = d->ops->fileno(d);
    if (fd < 0)
        return ERR_BAD_DESCRIPTOR;
    if (fd >= FD_SETSIZE)
        return ERR_FD_OUT_OF_RANGE; /* FD_SET would write out of bounds */
    if (slots[fd].d == d)
        return REACTOR_OK; /* already there: adding is idempotent */
    /* The file it names now (known already if d is in the other table). */
    struct select_slot *other =
        slots == self->reads ? &self->writes[fd] : &self->reads[fd];
    struct file_identity file =
        other->d == d ? other->file : file_identity_of(fd);
    if (slots[fd].d) {
        /* Taken.  By a registration for this very file: FdInUse.  For
         * a file since closed (the number reused): stale; the newcomer
         * is served. */
        if (same_file(slots[fd].file, file))
            return ERR_FD_IN_USE;
        int err = retire_stale(self, fd, slots[fd].file);
        if (err)
            return err;
    }
    slots[fd].d = d;
    slots[fd].file = file;
    if (fd > self->max_fd)
        self->max_fd = fd;
    posix_forget_stale(&self->posix, d); /* registered again: live */
    return REACTOR_OK;
}

static void shrink_max_fd(struct select_reactor *self)
{
    while (self->max_fd >= 0 && !self->reads[self->max_fd].d &&
           !self->writes[self->max_fd].d)
        self->max_fd--;
}

static void remove_from(struct select_reactor *self,
                        struct select_slot *slots, struct descriptor *d)
{
    posix_forget_stale(&self->posix, d); /* its owner takes it back */
    int fd = find_slot(self, slots, d);
    if (fd < 0)
        return; /* not registered: nothing to do, as in Twisted */
    slots[fd].d = NULL;
    shrink_max_fd(self);
}

static int select_add_reader(struct reactor_base *r, struct descriptor *d)
{
    return add(self_of(r), self_of(r)->reads, d);
}

static int select_add_writer(struct reactor_base *r, struct descriptor *d)
{
    return add(self_of(r), self_of(r)->writes, d);
}

static void select_remove_reader(struct reactor_base *r, struct descriptor *d)
{
    remove_from(self_of(r), self_of(r)->reads, d);
}

static void select_remove_writer(struct reactor_base *r, struct descriptor *d)
{
    remove_from(self_of(r), self_of(r)->writes, d);
}

static size_t list_slots(const struct select_reactor *self,
                         const struct select_slot *slots,
                         struct descriptor **out, size_t cap)
{
    size_t n = 0;
    for (int fd = 0; fd <= self->max_fd; fd++)
        if (slots[fd].d) {
            if (n < cap)
                out[n] = slots[fd].d;
            n++;
        }
    return n;
}

static size_t select_get_readers(struct reactor_base *r,
                                 struct descriptor **out, size_t cap)
{
    return list_slots(self_of(r), self_of(r)->reads, out, cap);
}

static size_t select_get_writers(struct reactor_base *r,
                                 struct descriptor **out, size_t cap)
{
    return list_slots(self_of(r), self_of(r)->writes, out, cap);
}

static size_t select_remove_all(struct reactor_base *r,
                                struct descriptor **out, size_t cap)
{
    struct select_reactor *self = self_of(r);
    struct descriptor *readers[FD_SETSIZE], *writers[FD_SETSIZE];
    size_t nr = list_slots(self, self->reads, readers, FD_SETSIZE);
    size_t nw = list_slots(self, self->writes, writers, FD_SETSIZE);
    return posix_remove_all(&self->posix, readers, nr, writers, nw, out, cap);
}

/* ---- doSelect -------------------------------------------------------- */

/* A timeout in seconds as a timeval, rounded up to the next microsecond:
 * rounding down would wake the loop a hair early, before what it waits
 * for is due. */
struct timeval select_timeval(double seconds)
{
    if (seconds > 1e8)
        seconds = 1e8; /* three years: keeps the conversion in range */
    long long usec = (long long)(seconds * 1e6); /* truncates */
    if ((double)usec < seconds * 1e6)
        usec++;
    return (struct timeval){.tv_sec = (time_t)(usec / 1000000),
                            .tv_usec = (suseconds_t)(usec % 1000000)};
}

/* _preenDescriptors: select() said EBADF, so some registered fd was
 * closed behind the reactor's back.  Find each one and disconnect it;
 * keep the rest. */
static void select_preen_descriptors(struct select_reactor *self)
{
    fprintf(stderr, "Malformed file descriptor found.  Preening lists.\n");
    for (int fd = 0; fd <= self->max_fd; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        struct select_slot *sets[] = {self->reads, self->writes};
        for (int s = 0; s < 2; s++) {
            struct descriptor *d = sets[s][fd].d;
            if (!d)
                continue;
            uint64_t serial = d->serial; /* d may be freed below */
            fprintf(stderr, "bad descriptor fd %d\n", fd);
            posix_disconnect_selectable(&self->posix, d, -EBADF, false);
            if (sets[s][fd].d && sets[s][fd].d->serial == serial)
                sets[s][fd].d = NULL; /* its fileno() had changed */
        }
    }
    shrink_max_fd(self);
}

/* _doReadOrWrite: call the method; a reason back, or a fileno() gone to
 * -1 in the callback, means disconnect. */
static void do_read_or_write(struct select_reactor *self,
                             struct select_slot *slots, int fd, bool is_read)
{
    struct descriptor *d = slots[fd].d;
    uint64_t serial = d->serial;
    int why = is_read ? d->ops->do_read(d) : d->ops->do_write(d);
    /* Asked only while it is still registered: one that removed itself
     * may have been freed since. */
    if (!why && slots[fd].d && slots[fd].d->serial == serial &&
        d->ops->fileno(d) == -1)
        why = CONNECTION_FDESC_WENT_AWAY;
    if (why)
        posix_disconnect_selectable(&self->posix, d, why, is_read);
}

/* Call do_read (or do_write) on each ready descriptor.  A callback may
 * remove others, or put a new descriptor on a reused fd: only the one
 * select() was asked about (the same serial), and only while it is still
 * registered, is called (Twisted's `if selectable not in fdset:
 * continue`).  One that removed and re-added itself keeps its serial. */
static void dispatch(struct select_reactor *self, fd_set *ready,
                     struct select_slot *slots, int nfds, bool is_read)
{
    for (int fd = 0; fd < nfds; fd++)
        if (FD_ISSET(fd, ready) && slots[fd].d &&
            slots[fd].d->serial == slots[fd].serial_at_wait)
            do_read_or_write(self, slots, fd, is_read);
}

/* REACTOR_TRACE=1: one line per pass, before its dispatch. */
static void trace_pass(struct select_reactor *self, double timeout, int nfds,
                       int ready, fd_set *readable, fd_set *writable)
{
    char wait[32] = "forever", what[160] = "";
    if (!isinf(timeout))
        snprintf(wait, sizeof wait, "%.6fs", timeout);
    size_t used = 0;
    for (int writing = 0; writing < 2; writing++)
        for (int fd = 0; fd < nfds && used < sizeof what; fd++)
            if (FD_ISSET(fd, writing ? writable : readable))
                used += (size_t)snprintf(what + used, sizeof what - used,
                                         " %s(%d)",
                                         writing ? "doWrite" : "doRead", fd);
    fprintf(stderr,
            "[trace] pass %lu: select(nfds=%d, timeout=%s) -> %d "
            "ready;%s\n",
            self->posix.base.passes, nfds, wait, ready,
            used ? what : " nothing to do");
}

/* One pass: build the sets, wait, dispatch.  An infinite timeout waits
 * forever (Python's None). */
static void select_do_select(struct reactor_base *r, double timeout)
{
    struct select_reactor *self = self_of(r);
    if (posix_disconnect_stale(&self->posix))
        return; /* as after preening: the pass ends */
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    for (int fd = 0; fd <= self->max_fd; fd++) {
        struct descriptor *rd = self->reads[fd].d;
        struct descriptor *wr = self->writes[fd].d;
        self->reads[fd].serial_at_wait = rd ? rd->serial : 0;
        self->writes[fd].serial_at_wait = wr ? wr->serial : 0;
        if (rd)
            FD_SET(fd, &readable);
        if (wr)
            FD_SET(fd, &writable);
    }
    int nfds = self->max_fd + 1;
    struct timeval tv, *tvp = NULL; /* NULL: wait forever */
    if (!isinf(timeout)) {
        tv = select_timeval(timeout);
        tvp = &tv;
    }
    int ready = select(nfds, &readable, &writable, NULL, tvp);
    if (ready < 0) {
        int err = errno;
        if (err == EBADF) /* a registered fd was closed behind our back */
            select_preen_descriptors(self);
        else if (err != EINTR) /* Twisted logs it and goes on */
            fprintf(stderr, "select: %s\n", strerror(err));
        /* EINTR: a signal, whose byte is in the waker pipe for the next
         * pass.  EBADF: as in doSelect, the pass ends after preening (the
         * disconnections may have called stop(), which runUntilCurrent
         * must see before anything waits again). */
        if (r->trace)
            fprintf(stderr, "[trace] pass %lu: select: %s\n", r->passes,
                    strerror(err));
        return;
    }

    if (r->trace)
        trace_pass(self, timeout, nfds, ready, &readable, &writable);

    /* Every reader, then every writer, as doSelect does. */
    dispatch(self, &readable, self->reads, nfds, true);
    dispatch(self, &writable, self->writes, nfds, false);
}

/* ---- the class ------------------------------------------------------- */

static void select_destroy(struct reactor_base *r)
{
    posix_reactor_base_destroy(&self_of(r)->posix);
    free(r);
}

static const struct reactor_ops select_reactor_ops = {
    .name = "SelectReactor",
    .do_iteration = select_do_select,
    .add_reader = select_add_reader,
    .add_writer = select_add_writer,
    .remove_reader = select_remove_reader,
    .remove_writer = select_remove_writer,
    .remove_all = select_remove_all,
    .get_readers = select_get_readers,
    .get_writers = select_get_writers,
    .wake_up = posix_reactor_wake_up,             /* inherited */
    .handle_signals = posix_handle_signals,       /* inherited */
    .uninstall_signals = posix_uninstall_handler, /* inherited */
    .destroy = select_destroy,
};

struct reactor_base *select_reactor_new(void)
{
    struct select_reactor *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->max_fd = -1;
    int err = posix_reactor_base_init(&self->posix, &select_reactor_ops);
    if (err) {
        free(self);
        errno = reactor_error_to_errno(err); /* NULL says failed; errno why */
        return NULL;
    }
    return &self->posix.base;
}

/* Build one and hand it to installReactor; if a reactor is installed
 * already, the new one is freed and the error returned. */
int select_install(void) { return install_new_reactor(select_reactor_new()); }
