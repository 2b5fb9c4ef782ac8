/*
 * posixbase.h: PosixReactorBase, the part of a reactor that knows about
 * file descriptors and signals but not about select()
 * (twisted/internet/posixbase.py).
 *
 * What the backends share, called through base.c's reactor_* functions;
 * called directly, they refuse NULL as those do: an error code is
 * ERR_INVALID_ARGUMENT, a count 0, a bool false, and a void function
 * does nothing.
 */
#ifndef POSIXBASE_H
#define POSIXBASE_H

#include <signal.h>
#include <stdbool.h>
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

#endif
