/*
 * interfaces.h: the two interfaces everything else is written against
 * (twisted/internet/interfaces.py).
 *
 * A descriptor is anything with a file descriptor the reactor can watch:
 * IReadDescriptor, IWriteDescriptor and IFileDescriptor in one "class".
 * A reactor is anything with IReactorFDSet's methods and doIteration.
 * In C an interface is a table of function pointers, and an object
 * "implements" it by pointing at one.
 */
#ifndef INTERFACES_H
#define INTERFACES_H

#include <stddef.h>
#include <stdint.h>

struct descriptor;

struct descriptor_ops {
    int (*fileno)(struct descriptor *self); /* -1 once closed */
    /* Readable / writable.  Return 0 to go on, or a reason (error.h) to
     * be disconnected.  Never free the descriptor in here: return a
     * reason and free it in connection_lost. */
    int (*do_read)(struct descriptor *self);
    int (*do_write)(struct descriptor *self);
    /* Removed from the reactor for `reason`; the last call it gets.
     * -EBADF: its fd was closed behind the reactor's back, and the number
     * may name another's file now: do not close it. */
    void (*connection_lost)(struct descriptor *self, int reason);
};

/* Embed this as the first member of your own descriptor struct, with
 * serial 0.  The reactor numbers a descriptor when it is first added: a
 * Python object's identity, which no later object at the same address
 * can share.  Never free a descriptor that is still registered: remove
 * it first (disconnecting does). */
struct descriptor {
    const struct descriptor_ops *ops;
    uint64_t serial;
};

struct reactor_base;

/* The methods a concrete reactor supplies (IReactorFDSet + doIteration),
 * called through base.c's reactor_* functions, which never pass NULL.
 * Lists come back as in snprintf: the return value is how many there
 * are, and at most `cap` of them are stored in `out`. */
struct reactor_ops {
    const char *name; /* the class name: "SelectReactor" */
    /* timeout: seconds, 0 or more, or INFINITY to wait forever */
    void (*do_iteration)(struct reactor_base *r, double timeout);
    int (*add_reader)(struct reactor_base *r, struct descriptor *d);
    int (*add_writer)(struct reactor_base *r, struct descriptor *d);
    void (*remove_reader)(struct reactor_base *r, struct descriptor *d);
    void (*remove_writer)(struct reactor_base *r, struct descriptor *d);
    size_t (*remove_all)(struct reactor_base *r, struct descriptor **out,
                         size_t cap);
    size_t (*get_readers)(struct reactor_base *r, struct descriptor **out,
                          size_t cap);
    size_t (*get_writers)(struct reactor_base *r, struct descriptor **out,
                          size_t cap);
    /* Hooks that PosixReactorBase fills in: */
    void (*handle_signals)(struct reactor_base *r); /* _handleSignals */
    void (*uninstall_signals)(struct reactor_base *r);
    void (*destroy)(struct reactor_base *r);
};

#endif
