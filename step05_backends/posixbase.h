/*
 * posixbase.h: PosixReactorBase, the part of a reactor that knows about
 * file descriptors and signals but not about select()
 * (twisted/internet/posixbase.py).
 */
#ifndef POSIXBASE_H
#define POSIXBASE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "base.h"

/* _UnixWaker: a pipe the reactor reads, so that a signal handler (and in
 * step05 another thread) can wake a loop that is asleep in select(). */
struct unix_waker {
    struct descriptor base;
    struct posix_reactor_base *reactor;
    int i, o; /* read end, write end */
};

struct posix_reactor_base {
    struct reactor_base base; /* "inherits" ReactorBase */
    struct unix_waker waker;
    bool handlers_installed;
    struct sigaction old_int, old_term, old_chld;
};

/* The construction of a PosixReactorBase: ReactorBase.__init__, which in
 * Twisted ends by calling installWaker.
 * The concrete reactor must be able to add_reader before this runs. */
int posix_reactor_base_init(struct posix_reactor_base *p,
                            const struct reactor_ops *ops);
void posix_reactor_base_destroy(struct posix_reactor_base *p);

void posix_wake_up(struct posix_reactor_base *p);
void posix_reactor_wake_up(struct reactor_base *r); /* for reactor_ops */
void posix_disconnect_selectable(struct posix_reactor_base *p,
                                 struct descriptor *d, int why, bool is_read);
void posix_handle_signals(struct reactor_base *r);
void posix_uninstall_handler(struct reactor_base *r);
size_t posix_remove_all(struct posix_reactor_base *p,
                        struct descriptor **readers, size_t n_readers,
                        struct descriptor **writers, size_t n_writers,
                        struct descriptor **out, size_t cap);

/* ---- _PollLikeMixin: what poll, epoll and kqueue share ---------------- */

/* The events a poll-like backend reports, translated from its own
 * words (POLLIN, EPOLLIN, EVFILT_READ, ...) to these. */
enum {
    IO_READ = 1,   /* _POLL_IN */
    IO_WRITE = 2,  /* _POLL_OUT */
    IO_HANGUP = 4, /* _POLL_DISCONNECTED: hang-up or error */
    IO_BAD_FD = 8  /* the fd was closed behind the reactor's back */
};

/* _selectables, _reads and _writes in one table indexed by fd: which
 * descriptor has the fd, and whether it reads, writes, or both.  Unlike
 * select, one fd has one descriptor. */
struct selectable {
    struct descriptor *d;
    unsigned mask; /* IO_READ | IO_WRITE */
    unsigned gen;  /* bumped each time the fd is registered anew: names
                      one registration (never 0 once registered) */
};

struct poll_like_reactor {
    struct posix_reactor_base posix; /* "inherits" PosixReactorBase */
    struct selectable *fds;
    size_t n_fds; /* room in fds */
    size_t count; /* fds registered */
    /* The backend's kernel call: the fd's interest goes from `old` to
     * `new` (either may be 0).  Returns 0 or -1 with errno set. */
    int (*update)(struct poll_like_reactor *p, int fd, unsigned old,
                  unsigned new_mask);
};

/* The reactor_ops entries every poll-like backend inherits: its table
 * adds only its name, do_iteration and destroy. */
/* clang-format off */
#define POLL_LIKE_METHODS                                                    \
    .add_reader = poll_like_add_reader,                                      \
    .add_writer = poll_like_add_writer,                                      \
    .remove_reader = poll_like_remove_reader,                                \
    .remove_writer = poll_like_remove_writer,                                \
    .remove_all = poll_like_remove_all,                                      \
    .get_readers = poll_like_get_readers,                                    \
    .get_writers = poll_like_get_writers,                                    \
    .wake_up = posix_reactor_wake_up,                                        \
    .handle_signals = posix_handle_signals,                                  \
    .uninstall_signals = posix_uninstall_handler
/* clang-format on */

int poll_like_init(struct poll_like_reactor *p, const struct reactor_ops *ops,
                   int (*update)(struct poll_like_reactor *, int, unsigned,
                                 unsigned));
void poll_like_destroy(struct poll_like_reactor *p);

/* addReader/addWriter, removeReader/removeWriter, getReaders/getWriters,
 * removeAll: the same for every poll-like backend. */
int poll_like_add_reader(struct reactor_base *r, struct descriptor *d);
int poll_like_add_writer(struct reactor_base *r, struct descriptor *d);
void poll_like_remove_reader(struct reactor_base *r, struct descriptor *d);
void poll_like_remove_writer(struct reactor_base *r, struct descriptor *d);
size_t poll_like_get_readers(struct reactor_base *r, struct descriptor **out,
                             size_t cap);
size_t poll_like_get_writers(struct reactor_base *r, struct descriptor **out,
                             size_t cap);
size_t poll_like_remove_all(struct reactor_base *r, struct descriptor **out,
                            size_t cap);

/* Which registration `fd` is in now: its generation (0: none).  Taken
 * when the wait returns, before any callback runs, to compare later. */
unsigned poll_like_registration(const struct poll_like_reactor *p, int fd);

/* _doReadOrWrite: `events` came for `fd` in `registration`; call
 * do_read and/or do_write, or disconnect. */
void poll_like_do_read_or_write(struct poll_like_reactor *p, int fd,
                                unsigned events, unsigned registration);

/* What one wait returns under epoll and kqueue: the kernel's events (an
 * array of the backend's own struct), and beside each the registration
 * it came from, checked before anything is dispatched. */
struct ready_list {
    void *events; /* struct epoll_event[], struct kevent[] */
    unsigned *registrations;
    size_t cap;
};

/* Room for `want` events of `size` bytes (doubling): 0, or -1 if out of
 * memory, the old room kept. */
int ready_list_reserve(struct ready_list *l, size_t want, size_t size);
void ready_list_free(struct ready_list *l);

/* The construction epoll and kqueue share: their kernel set is
 * `kernel_fd` (-1: creating it failed, errno says why); room for ready
 * events, then poll_like_init.  On failure all of it is undone, the fd
 * closed, and errno says why. */
int poll_like_kernel_init(
    struct poll_like_reactor *p, const struct reactor_ops *ops,
    int (*update)(struct poll_like_reactor *, int, unsigned, unsigned),
    int kernel_fd, struct ready_list *ready, size_t event_size);

/* A timeout in seconds as whole milliseconds for poll and epoll_wait:
 * rounded up, and -1 for INFINITY, "forever". */
int timeout_to_ms(double seconds);

#endif
