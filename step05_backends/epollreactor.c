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
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends.h"
#include "main.h"

#if HAVE_EPOLL

#include <sys/epoll.h>

static struct epoll_reactor *self_of(struct reactor_base *r)
{
    return (struct epoll_reactor *)r;
}

/* Each registration carries the fd and its registration_id, so an event
 * left over from an earlier registration of a reused fd can be told
 * apart. */
static struct epoll_event event_for(int fd, unsigned mask, unsigned id)
{
    struct epoll_event ev = {.events = (mask & IO_READ ? EPOLLIN : 0u) |
                                       (mask & IO_WRITE ? EPOLLOUT : 0u),
                             .data.u64 = (uint64_t)id << 32 | (uint32_t)fd};
    return ev;
}

/* Every epoll_ctl goes through here, counted for the tests. */
static int ctl(struct epoll_reactor *self, int op, int fd, unsigned mask,
               unsigned id)
{
    struct epoll_event ev = event_for(fd, mask, id);
    self->ctl_calls++;
    return epoll_ctl(self->epfd, op, fd, &ev);
}

/* The kernel's entry for fd, room made as needed (NULL: no memory). */
static struct kernel_entry *kernel_entry(struct epoll_reactor *self, int fd)
{
    if ((size_t)fd >= self->n_kernel) {
        size_t n = self->n_kernel ? self->n_kernel : 64;
        while (n <= (size_t)fd)
            n *= 2;
        struct kernel_entry *k = realloc(self->kernel, n * sizeof *k);
        if (!k)
            return NULL;
        memset(k + self->n_kernel, 0, (n - self->n_kernel) * sizeof *k);
        self->kernel = k;
        self->n_kernel = n;
    }
    return &self->kernel[fd];
}

/* Where a stray may be, what the kernel says about fd cannot be trusted:
 * the file the registration was made for is noted, as select and poll
 * always note it, to be compared instead (epoll_proves_stale, rebuild). */
static void note_file_if_a_stray_may_be_there(struct epoll_reactor *self,
                                              int fd)
{
    struct file_identity *file = &self->base.origins[fd].file;
    static const struct file_identity not_noted; /* poll_like_add's, here */
    if (self->kernel[fd].may_hold_a_stray && same_file(*file, not_noted))
        *file = file_identity_of(fd);
}

/* The kernel holds what the table says for fd now. */
static void kernel_holds(struct epoll_reactor *self, int fd)
{
    struct kernel_entry *k = &self->kernel[fd];
    const struct selectable *s = &self->base.fds[fd];
    note_file_if_a_stray_may_be_there(self, fd);
    *k = (struct kernel_entry){.in_kernel = true,
                               .in_changed_fds = k->in_changed_fds,
                               .may_hold_a_stray = k->may_hold_a_stray,
                               .events = s->mask,
                               .registration_id = s->registration_id,
                               .serial = self->base.origins[fd].serial};
}

static bool kernel_agrees(const struct kernel_entry *k,
                          const struct selectable *s)
{
    unsigned want = s->d ? s->mask : 0;
    return want ? k->in_kernel && k->events == want &&
                      k->registration_id == s->registration_id
                : !k->in_kernel;
}

/* What the kernel refused a descriptor: told to it (disconnected with
 * -err) only once the loop over the table is done, as a connection_lost
 * may change the table; and only if its registration is still the one
 * refused. */
struct refused {
    int fd, err;
    unsigned registration_id;
};

struct refusals {
    struct refused *list;
    size_t n;
};

static void note_refused(struct refusals *r, int fd, int err, unsigned id)
{
    struct refused *more = realloc(r->list, (r->n + 1) * sizeof *more);
    if (!more)
        return; /* no memory: it stays in the table, silent */
    r->list = more;
    r->list[r->n++] =
        (struct refused){.fd = fd, .err = err, .registration_id = id};
}

/* Whether it disconnected any. */
static bool disconnect_refused(struct epoll_reactor *self, struct refusals *r)
{
    struct poll_like_reactor *p = &self->base;
    bool any = false;
    for (size_t i = 0; i < r->n; i++) {
        struct selectable *s = &p->fds[r->list[i].fd];
        if (s->d && s->registration_id == r->list[i].registration_id) {
            posix_disconnect_selectable(&p->posix, s->d, -r->list[i].err,
                                        false); /* not changed meanwhile */
            any = true;
        }
    }
    free(r->list);
    *r = (struct refusals){0};
    return any;
}

/* Give the kernel what the table holds for fd: its interest and its
 * registration_id.  The same registration with a new interest is one MOD
 * (ENOENT: its file was closed and another opened under the number,
 * ADD).  A new registration, where the kernel may still hold an entry
 * for the fd (one a removal left, see apply_change):
 *   - Most likely it is this very file's.  An ADD that meets it (EEXIST:
 *     the kernel keys an entry on file and fd) costs one lookup; with the
 *     interest wanted, the entry is taken back as it is, with its id, as
 *     libev does.  An ADD that succeeds says the kept entry's file has
 *     left the number, and may live on as a stray.
 *   - Once a stray may be there, EEXIST could be the stray's: a MOD gives
 *     the entry of the file fd names now a new id, so that a stray's
 *     events stay stale (ENOENT: none, ADD).
 * 0, or -1 with errno (EPERM: a file epoll cannot watch; EBADF: closed). */
static int give_the_kernel(struct epoll_reactor *self, int fd)
{
    struct kernel_entry *k = &self->kernel[fd];
    struct selectable *s = &self->base.fds[fd];
    unsigned id = s->registration_id;
    int rc;
    if (k->in_kernel && k->registration_id == id) { /* a new interest */
        rc = ctl(self, EPOLL_CTL_MOD, fd, s->mask, id);
        if (rc < 0 && errno == ENOENT) { /* its file has left the number */
            k->may_hold_a_stray = true;
            rc = ctl(self, EPOLL_CTL_ADD, fd, s->mask, id);
        }
    } else if (k->in_kernel && !k->may_hold_a_stray) {
        rc = ctl(self, EPOLL_CTL_ADD, fd, s->mask, id);
        if (rc == 0) {
            k->may_hold_a_stray = true;
        } else if (errno == EEXIST && k->events == s->mask) {
            s->registration_id = k->registration_id; /* its events say so */
            rc = 0;
        } else if (errno == EEXIST) {
            rc = ctl(self, EPOLL_CTL_MOD, fd, s->mask, id);
        }
    } else if (k->in_kernel) {
        rc = ctl(self, EPOLL_CTL_MOD, fd, s->mask, id);
        if (rc < 0 && errno == ENOENT)
            rc = ctl(self, EPOLL_CTL_ADD, fd, s->mask, id);
    } else {
        rc = ctl(self, EPOLL_CTL_ADD, fd, s->mask, id);
        if (rc < 0 && errno == EEXIST)
            rc = ctl(self, EPOLL_CTL_MOD, fd, s->mask, id);
    }
    if (rc < 0) {
        k->may_hold_a_stray |= k->in_kernel; /* its file left the number */
        k->in_kernel = false;
        return -1;
    }
    kernel_holds(self, fd);
    return 0;
}

/* Make the kernel hold what the table says for fd, if the changes since
 * the last wait did not cancel out.  A removal costs nothing: the entry
 * stays in the kernel until the kernel drops it (the fd's file closed)
 * or reports it (an event for it, see forget_kept), as in libev; a
 * descriptor back on the fd then takes it back (give_the_kernel).  An
 * ADD or MOD that fails (EBADF: closed; EPERM: a file epoll cannot
 * watch) is what Twisted's _add would have raised at once: the error
 * (errno) is returned, for the descriptor to hear it now. */
static int apply_change(struct epoll_reactor *self, int fd)
{
    const struct selectable *s = &self->base.fds[fd];
    if (!s->d || kernel_agrees(&self->kernel[fd], s))
        return 0;
    return give_the_kernel(self, fd) < 0 ? errno : 0;
}

/* Before each wait: the net change of every fd touched since the last.
 * A descriptor whose change the kernel refuses is disconnected with the
 * error, here, a pass after the call that asked for it; true if any was
 * (then the pass ends, as after preening). */
static bool apply_changes(struct epoll_reactor *self)
{
    if (self->n_changed == 0)
        return false; /* the usual pass */
    struct refusals refused = {0};
    for (size_t i = 0; i < self->n_changed; i++) {
        int fd = self->changed_fds[i];
        self->kernel[fd].in_changed_fds = false;
        int err = apply_change(self, fd);
        if (err)
            note_refused(&refused, fd, err,
                         self->base.fds[fd].registration_id);
    }
    self->n_changed = 0;
    return disconnect_refused(self, &refused);
}

/* A descriptor back on its fd, which the kernel still holds (its removal
 * not made yet): might the kernel refuse it?  If the fd is closed (EBADF),
 * or names a file epoll cannot watch, which only a file opened under the
 * number since can be (a regular file or a directory: EPERM).  One
 * fstat; then the ADD at once lets the kernel say it. */
static bool kernel_would_refuse(int fd)
{
    struct stat st;
    return fstat(fd, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode);
}

/* _add and _remove, deferred as libev's are: the table changes now, the
 * kernel before the next wait, so a descriptor removed and added again
 * in between costs at most one call, and a reader whose write interest
 * went off and on again none.  An fd new to the kernel, one it might
 * refuse now, or one whose entry a removal left in an earlier pass is
 * given to the kernel at once: what the kernel refuses (EPERM for a file
 * epoll cannot watch, EBADF) is then refused to the caller, as Twisted's
 * addReader raises it.  Another descriptor on a number whose old entry
 * the kernel may keep may name any file: the DEL and its ADD are made
 * now. */
static int epoll_update(struct poll_like_reactor *p, int fd, unsigned old,
                        unsigned new_mask)
{
    struct epoll_reactor *self = (struct epoll_reactor *)p;
    struct kernel_entry *k = kernel_entry(self, fd);
    if (!k) {
        errno = ENOMEM;
        return -1;
    }
    const struct selectable *s = &p->fds[fd];
    if (kernel_agrees(k, s)) {
        /* The serial epoll_proves_stale's ADD could not know. */
        if (s->d) {
            k->serial = p->origins[fd].serial;
            note_file_if_a_stray_may_be_there(self, fd);
        }
        return 0;
    }
    if (new_mask && old == 0 && k->in_kernel &&
        k->serial != p->origins[fd].serial) {
        if (ctl(self, EPOLL_CTL_DEL, fd, 0, 0) < 0) /* its file has left */
            k->may_hold_a_stray = true;
        k->in_kernel = false;
    }
    if (new_mask && old == 0)
        note_file_if_a_stray_may_be_there(self, fd);
    /* Back on an fd whose entry the kernel kept from an earlier pass:
     * the call now, which deferring would not save, and its error now. */
    if (new_mask && old == 0 && k->in_kernel && !k->in_changed_fds)
        return give_the_kernel(self, fd);
    if (new_mask &&
        (!k->in_kernel || (old == 0 && kernel_would_refuse(fd)))) {
        if (ctl(self, EPOLL_CTL_ADD, fd, new_mask, s->registration_id) == 0) {
            kernel_holds(self, fd);
            return 0;
        }
        if (errno != EEXIST)
            return -1;
        k->in_kernel = true; /* there after all: a MOD at the next wait */
        k->events = 0;
    }
    if (k->in_changed_fds)
        return 0;
    if (self->n_changed == self->cap_changed) {
        size_t cap = self->cap_changed ? 2 * self->cap_changed : 64;
        int *fds = realloc(self->changed_fds, cap * sizeof *fds);
        if (!fds) { /* no room to defer it: now, then */
            int err = apply_change(self, fd);
            errno = err;
            return err ? -1 : 0;
        }
        self->changed_fds = fds;
        self->cap_changed = cap;
    }
    self->changed_fds[self->n_changed++] = fd;
    k->in_changed_fds = true;
    return 0;
}

/* The table gives fd to another descriptor, and a newcomer wants it: an
 * ADD that succeeds proves that registration stale (the kernel holds
 * nothing for the file fd names now, so the file it was made for is
 * gone); EEXIST says it is live. */
static int epoll_proves_stale(struct poll_like_reactor *p, int fd,
                              unsigned event)
{
    struct epoll_reactor *self = (struct epoll_reactor *)p;
    struct kernel_entry *k = kernel_entry(self, fd);
    if (!k) {
        errno = ENOMEM;
        return -1;
    }
    if (k->may_hold_a_stray) /* EEXIST might be a stray's: ask the file */
        return !same_file(p->origins[fd].file, file_identity_of(fd));
    unsigned id = p->fds[fd].registration_id + 1; /* what it will get */
    if (!id)
        id = 1;
    if (ctl(self, EPOLL_CTL_ADD, fd, event, id) < 0)
        return errno == EEXIST ? 0 : -1;
    *k = (struct kernel_entry){.in_kernel = true,
                               .in_changed_fds = k->in_changed_fds,
                               .may_hold_a_stray = k->may_hold_a_stray,
                               .events = event,
                               .registration_id = id};
    return 1;
}

/* Does fd still name the file its registration was made for?  The old
 * set answers: a MOD finds the entry of the file fd names now, and ENOENT
 * says there is none, so the registered file has gone.  Where a stray
 * may answer instead, the file noted at registration does. */
static bool still_names_its_file(struct epoll_reactor *self, int fd)
{
    const struct selectable *s = &self->base.fds[fd];
    if (self->kernel[fd].may_hold_a_stray)
        return same_file(self->base.origins[fd].file, file_identity_of(fd));
    return ctl(self, EPOLL_CTL_MOD, fd, s->mask, s->registration_id) == 0 ||
           errno != ENOENT;
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
    self->needs_rebuild = 0;
    /* The new set is made while the old one can still be asked; at the
     * limit of open files (EMFILE, ENFILE) it takes the old one's number
     * once that is closed: a failed rebuild would leave the stale events
     * coming, and the loop spinning on them. */
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0 && errno != EMFILE && errno != ENFILE) {
        perror("epoll_create1");
        return;
    }
    /* First ask the old set about each fd it should hold as the table
     * says: epoll keys an entry on (file, fd), so a MOD that finds none
     * (ENOENT) means the number names another file now, perhaps one
     * nobody registered.  ADDing the number again would watch that file
     * for the old descriptor: it is retired stale instead.  One more
     * epoll_ctl per fd; a rebuild is rare. */
    for (size_t fd = 0; fd < p->n_fds && fd < self->n_kernel; fd++) {
        struct selectable *s = &p->fds[fd];
        if (s->d && kernel_agrees(&self->kernel[fd], s) &&
            !still_names_its_file(self, (int)fd))
            (void)poll_like_retire_stale(p, (int)fd); /* no memory: kept */
    }
    if (self->epfd >= 0)
        close(self->epfd);
    if (epfd < 0)
        epfd = epoll_create1(EPOLL_CLOEXEC); /* the number just freed */
    self->epfd = epfd;
    if (epfd < 0) { /* taken meanwhile by another thread */
        perror("epoll_create1");
        return; /* no set: epoll_do_poll tries again */
    }
    self->rebuilds++;
    for (size_t fd = 0; fd < self->n_kernel; fd++)
        self->kernel[fd] = (struct kernel_entry){0};
    self->n_changed = 0; /* the new set is made from the table */
    struct refusals refused = {0};
    for (size_t fd = 0; fd < p->n_fds; fd++) {
        struct selectable *s = &p->fds[fd];
        if (!s->d || !kernel_entry(self, (int)fd))
            continue; /* no memory: it stays in the table, silent */
        if (ctl(self, EPOLL_CTL_ADD, (int)fd, s->mask, s->registration_id) ==
            0)
            kernel_holds(self, (int)fd);
        else
            note_refused(&refused, (int)fd, errno, s->registration_id);
    }
    (void)disconnect_refused(self, &refused);
}

static unsigned io_events(uint32_t e)
{
    return (e & EPOLLIN ? IO_READ : 0) | (e & EPOLLOUT ? IO_WRITE : 0) |
           (e & (EPOLLHUP | EPOLLERR) ? IO_HANGUP : 0);
}

/* An event from the entry a removed descriptor left in the kernel (the
 * table has nobody on fd, and the entry's id is the event's): DEL it
 * now, one call, and nothing is dispatched.  If the DEL fails, the event
 * came from a file no longer on fd (closed, a dup still open): false,
 * and only a rebuild reaches it. */
static bool forget_kept(struct epoll_reactor *self, int fd, unsigned id)
{
    struct kernel_entry *k =
        (size_t)fd < self->n_kernel ? &self->kernel[fd] : NULL;
    if (!k || !k->in_kernel || k->registration_id != id ||
        poll_like_registration_id(&self->base, fd) != 0)
        return false;
    k->in_kernel = false;
    if (ctl(self, EPOLL_CTL_DEL, fd, 0, 0) == 0)
        return true;
    k->may_hold_a_stray = true; /* until the rebuild */
    return false;
}

/* doPoll */
static void epoll_do_poll(struct reactor_base *r, double timeout)
{
    struct epoll_reactor *self = self_of(r);
    struct poll_like_reactor *p = &self->base;
    if (self->epfd < 0)
        rebuild(self);
    if (self->epfd < 0) { /* still no set: wait for the waker alone */
        struct pollfd waker = {.fd = p->posix.waker.read_fd,
                               .events = POLLIN};
        if (poll(&waker, 1, timeout_to_ms(timeout)) > 0)
            poll_like_do_read_or_write(
                p, waker.fd, IO_READ, poll_like_registration_id(p, waker.fd));
        return;
    }
    if (poll_like_disconnect_stale(p) || apply_changes(self))
        return;
    /* Room for every fd to be ready (if that fails, the room there is). */
    ready_list_reserve(&self->ready, p->count, sizeof(struct epoll_event));
    struct epoll_event *events = self->ready.events;
    unsigned *registration_ids = self->ready.registration_ids;
    int ms = timeout_to_ms(timeout);
    int n = epoll_wait(self->epfd, events, (int)self->ready.cap, ms);
    if (n < 0) {
        if (errno != EINTR)
            perror("epoll_wait");
        return;
    }
    /* Before any callback runs: is each event from the registration the
     * table has now (the same id, no interest it has dropped)?  If not,
     * it is from an entry a removal left (forgotten now), or the kernel
     * holds something stale: drop it, rebuild. */
    for (int i = 0; i < n; i++) {
        int fd = (int)(uint32_t)events[i].data.u64;
        unsigned id = (unsigned)(events[i].data.u64 >> 32);
        uint32_t e = events[i].events;
        unsigned mask =
            poll_like_registration_id(p, fd) == id ? p->fds[fd].mask : 0;
        bool stale = !mask || ((e & EPOLLIN) && !(mask & IO_READ)) ||
                     ((e & EPOLLOUT) && !(mask & IO_WRITE));
        registration_ids[i] = stale ? 0 : id;
        if (stale && !forget_kept(self, fd, id))
            self->needs_rebuild = 1;
    }
    if (r->trace) {
        struct trace_line t;
        trace_begin(&t);
        for (int i = 0; i < n; i++)
            if (registration_ids[i])
                trace_dispatch(&t, (int)(uint32_t)events[i].data.u64,
                               io_events(events[i].events));
        char call[64];
        snprintf(call, sizeof call, "epoll_wait(%zu fds, timeout=%d ms)",
                 p->count, ms);
        trace_end(&t, r, call, n);
    }
    for (int i = 0; i < n; i++)
        poll_like_do_read_or_write(p, (int)(uint32_t)events[i].data.u64,
                                   io_events(events[i].events),
                                   registration_ids[i]);
    if (self->needs_rebuild)
        rebuild(self);
}

static void epoll_destroy(struct reactor_base *r)
{
    struct epoll_reactor *self = self_of(r);
    poll_like_destroy(&self->base);
    if (self->epfd >= 0)
        close(self->epfd);
    ready_list_free(&self->ready);
    free(self->kernel);
    free(self->changed_fds);
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
        free(self->kernel); /* what adding the waker may have made */
        free(self->changed_fds);
        free(self);
        return NULL; /* errno says why */
    }
    self->base.proves_stale = epoll_proves_stale;
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
