/*
 * posixbase.h: PosixReactorBase, the part of a reactor that knows about
 * file descriptors and signals but not about select()
 * (twisted/internet/posixbase.py).
 *
 * What the backends share, called through base.c's reactor_* functions;
 * called directly, they refuse NULL as those do: an error code is
 * ERR_INVALID_ARGUMENT (ready_list_reserve's is -1), a count or a
 * registration 0, a bool false, and a void function does nothing.
 */
#ifndef POSIXBASE_H
#define POSIXBASE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base.h"

/* _UnixWaker: a pipe the reactor reads, so that a signal handler (and in
 * step05 another thread) can wake a loop that is asleep in select(). */
struct unix_waker {
    struct descriptor base;
    struct posix_reactor_base *reactor;
    int read_fd, write_fd; /* the pipe's two ends */
};

struct posix_reactor_base {
    struct reactor_base base; /* "inherits" ReactorBase */
    struct unix_waker waker;
    bool handlers_installed;
    struct sigaction old_int, old_term, old_chld;
    /* The reactor whose handlers were in when this one put its own in
     * (NULL: none): handlers are the process's, one reactor's at a time. */
    struct posix_reactor_base *signals_below;
    /* Descriptors whose registration was found stale (their fd number
     * now names another file, which a newcomer registered): each is
     * disconnected with -EBADF at the start of the next pass. */
    struct descriptor **stale;
    size_t n_stale, cap_stale;
};

/* Which file an fd names, as fstat says: recorded when a descriptor is
 * registered, to tell later whether its number still names that file.
 * {0, 0} if fstat failed (the fd was not open). */
struct file_identity {
    dev_t dev;
    ino_t ino;
};

struct file_identity file_identity_of(int fd);
bool same_file(struct file_identity a, struct file_identity b);

/* ReactorBase.__init__ with its installWaker call: the concrete reactor
 * must be able to add_reader before this runs. */
int posix_reactor_base_init(struct posix_reactor_base *p,
                            const struct reactor_ops *ops);
void posix_reactor_base_destroy(struct posix_reactor_base *p);

void posix_wake_up(struct posix_reactor_base *p);
void posix_reactor_wake_up(struct reactor_base *r); /* for reactor_ops */
void posix_disconnect_selectable(struct posix_reactor_base *p,
                                 struct descriptor *d, int why, bool is_read);
/* A stale descriptor, already out of the tables, to be disconnected
 * next pass (0, or ERR_NO_MEMORY); removing it or adding it again
 * meanwhile takes it back (every removal, and every add that succeeds,
 * calls posix_forget_stale).  posix_disconnect_stale, at the start of a
 * pass, says whether it disconnected any: then the pass ends there, as
 * after preening (a connection_lost may have called stop). */
int posix_note_stale(struct posix_reactor_base *p, struct descriptor *d);
void posix_forget_stale(struct posix_reactor_base *p, struct descriptor *d);
bool posix_disconnect_stale(struct posix_reactor_base *p);
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
    IO_BAD_FD = 8, /* the fd was closed behind the reactor's back */
    IO_LOST = 16   /* kqueue: an end of file that carries an error */
};

/* _selectables, _reads and _writes in one table indexed by fd: which
 * descriptor has the fd, and whether it reads, writes, or both.  Unlike
 * select, one fd has one descriptor.  16 bytes, read on every event. */
struct selectable {
    struct descriptor *d;
    unsigned mask;            /* IO_READ | IO_WRITE */
    unsigned registration_id; /* names one registration: bumped when
                                 another descriptor or another file takes
                                 the fd (never 0 once registered) */
};

/* Beside it, read when a descriptor is added (and by epoll when it
 * applies a change): what the fd's latest registration was made for,
 * kept after its removal. */
struct registration_origin {
    uint64_t serial;           /* the descriptor's */
    struct file_identity file; /* the file the fd named then (not under
                                  epoll, whose kernel tells) */
};

struct poll_like_reactor {
    struct posix_reactor_base posix; /* "inherits" PosixReactorBase */
    struct selectable *fds;
    struct registration_origin *origins; /* as many as fds */
    size_t n_fds;                        /* room in fds */
    size_t count;                        /* fds registered */
    /* The backend's kernel call: the table's entry for fd has changed
     * (its interest was `old`, is now `new_mask`; either may be 0): make
     * the kernel agree, at once or before the next wait.  Returns 0, or
     * -1 with errno set if the kernel refuses it now. */
    int (*update)(struct poll_like_reactor *p, int fd, unsigned old,
                  unsigned new_mask);
    /* A newcomer wants `event` on fd, which the table gives to another
     * descriptor: 1 if the kernel proves that registration stale (and
     * now holds the newcomer's interest, under the next
     * registration_id), 0 if it is live, -1 with errno on an error.
     * NULL: the file identity recorded at registration decides (an fstat
     * for each new registration). */
    int (*proves_stale)(struct poll_like_reactor *p, int fd, unsigned event);
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

/* Which registration `fd` is in now: its registration_id (0: none).
 * Taken when the wait returns, before any callback runs, to compare
 * later. */
unsigned poll_like_registration_id(const struct poll_like_reactor *p, int fd);

/* _doReadOrWrite: `events` came for `fd` in registration
 * `registration_id`; call do_read and/or do_write, or disconnect. */
void poll_like_do_read_or_write(struct poll_like_reactor *p, int fd,
                                unsigned events, unsigned registration_id);

/* The stale registration on fd (its number names another file now):
 * out of the table and the kernel, to be disconnected next pass (0, or
 * ERR_NO_MEMORY). */
int poll_like_retire_stale(struct poll_like_reactor *p, int fd);

/* Disconnect what poll_like_add found stale; true if it did (then the
 * pass ends there).  Each backend calls it before it waits. */
bool poll_like_disconnect_stale(struct poll_like_reactor *p);

/* REACTOR_TRACE=1: one pass's line, `call` the system call as it was
 * made ("poll(3 fds, timeout=5 ms)"), then what it dispatches, as
 * select's trace says it: " doRead(5) doWrite(6)"; a hang-up or a bad fd
 * alone is "hangUp(7)", "badFd(8)". */
struct trace_line {
    char text[200];
    size_t used;
};
void trace_begin(struct trace_line *t);
void trace_dispatch(struct trace_line *t, int fd, unsigned events);
void trace_end(struct trace_line *t, const struct reactor_base *r,
               const char *call, int ready);

/* What one wait returns under epoll and kqueue: the kernel's events (an
 * array of the backend's own struct), and beside each the id of the
 * registration it came from, checked before anything is dispatched. */
struct ready_list {
    void *events; /* struct epoll_event[], struct kevent[] */
    unsigned *registration_ids;
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
