/*
 * delayedcall.h: callLater and DelayedCall (twisted/internet/base.py).
 *
 * Who frees a DelayedCall?  In Python, the garbage collector.  Here,
 * reference counting, with one rule:
 *   - reactor_call_later(..., NULL): you keep nothing.  The reactor frees
 *     the call once it has run or been cancelled.  Nothing leaks.
 *   - reactor_call_later(..., &call): you keep a reference.  Until you
 *     give it back with delayed_call_release(call), every function below
 *     is safe on it, however long ago it ran or was cancelled, and even
 *     once its reactor is freed: they answer ERR_ALREADY_CALLED,
 *     ERR_ALREADY_CANCELLED, or false.
 * A callback may cancel, move or release any call, itself included, and
 * make new ones; it must not free the reactor that is running it.
 * NULL for a reactor, a function or a call is refused: the error code is
 * ERR_INVALID_ARGUMENT, delayed_call_active false, delayed_call_get_time
 * NAN, a count 0, and a void function does nothing.
 */
#ifndef DELAYEDCALL_H
#define DELAYEDCALL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heapq.h"

struct reactor_base;
typedef void (*call_fn)(void *arg);

enum call_state {
    /* Both new, as in Twisted's _newTimedCalls (no timeout() or
     * runUntilCurrent has seen them yet); they wait in different places: */
    CALL_NEW_IN_LIST, /* made by a callback while due calls run */
    CALL_NEW_IN_HEAP, /* made outside a pass: in the heap already */
    CALL_PENDING,     /* in the heap: Twisted's _pendingTimedCalls */
    CALL_CALLED,
    CALL_CANCELLED
};

/* 40 bytes: small fields, so that a million pending calls stay small.
 * It runs at time + delayed_time (getTime), kept apart as Twisted keeps
 * them, so that every double is computed as Twisted computes it. */
struct delayed_call {
    double time;
    double delayed_time; /* reset/delay to a later time adds it here */
    call_fn fn;
    void *arg;
    /* In the heap or the new calls; once run or cancelled, its own slot;
     * once free, the next free one in its chunk. */
    uint32_t index;
    unsigned char state; /* enum call_state */
    unsigned char refs;  /* the reactor's (while scheduled) + the caller's */
    unsigned char place; /* in its chunk: how it finds its pool (below) */
    unsigned char clock; /* the reactor's clock it was made with (base.h) */
};

/* The pool: calls live in chunks of POOL_CHUNK, so that making one costs
 * no malloc, and a slot (32 bits) names a call in the heap.  A chunk goes
 * back to malloc once all its calls are free (one spare stays), so memory
 * returns after a burst.  The pool outlives its reactor while a caller
 * still keeps a call: that call must go on answering. */
enum { POOL_CHUNK = 256 };
_Static_assert(POOL_CHUNK <= UCHAR_MAX + 1, "a call's place fits a byte");
struct call_chunk {
    struct call_pool *pool;         /* what every call in it belongs to */
    uint32_t number;                /* its place in the pool's table */
    uint32_t live;                  /* calls in use */
    uint32_t free;                  /* first free one; POOL_CHUNK: none */
    struct call_chunk *prev, *next; /* the chunks with room */
    struct delayed_call calls[POOL_CHUNK];
};
struct call_pool {
    struct reactor_base *reactor; /* NULL once the reactor is freed */
    struct call_chunk **chunks;   /* slot / POOL_CHUNK: NULL if given back */
    size_t n_chunks, live_chunks;
    struct call_chunk *with_room; /* a list through prev and next */
    size_t live;                  /* calls in use */
};

static inline struct delayed_call *pool_call(const struct call_pool *pool,
                                             uint32_t slot)
{
    return &pool->chunks[slot / POOL_CHUNK]->calls[slot % POOL_CHUNK];
}

/* A call's pool, without a pointer in every call: `place` calls back is
 * the chunk's first call, and the chunk's header is just before it. */
static inline struct call_pool *call_pool(struct delayed_call *call)
{
    char *first = (char *)(call - call->place);
    struct call_chunk *chunk =
        (struct call_chunk *)(first - offsetof(struct call_chunk, calls));
    return chunk->pool;
}

/* callLater: run fn(arg) `delay` seconds from now.  A negative or
 * non-finite delay is ERR_INVALID_DELAY.  `keep`: see above. */
int reactor_call_later(struct reactor_base *r, double delay, call_fn fn,
                       void *arg, struct delayed_call **keep);

int delayed_call_cancel(struct delayed_call *call);
int delayed_call_reset(struct delayed_call *call, double seconds_from_now);
int delayed_call_delay(struct delayed_call *call, double seconds_later);
bool delayed_call_active(const struct delayed_call *call);
double delayed_call_get_time(const struct delayed_call *call);
void delayed_call_release(struct delayed_call *call);

/* The reactor's side, used by base.c. */
void insert_new_delayed_calls(struct reactor_base *r);
size_t run_due_calls(struct reactor_base *r);
void delayed_calls_destroy(struct reactor_base *r);

#endif
