/*
 * delayedcall.h: callLater and DelayedCall (twisted/internet/base.py).
 *
 * Who frees a DelayedCall?  In Python, the garbage collector.  Here,
 * reference counting, with one rule:
 *   - reactor_call_later(..., NULL): you keep nothing.  The reactor frees
 *     the call once it has run or been cancelled.  Nothing leaks.
 *   - reactor_call_later(..., &call): you keep a reference.  Until you
 *     give it back with delayed_call_release(call), every function below
 *     is safe on it, however long ago it ran or was cancelled: they
 *     answer ERR_ALREADY_CALLED, ERR_ALREADY_CANCELLED, or false.
 * A callback may cancel, move or release any call, itself included, and
 * make new ones; it must not free the reactor that is running it.
 */
#ifndef DELAYEDCALL_H
#define DELAYEDCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heapq.h"

struct reactor_base;
typedef void (*call_fn)(void *arg);

enum call_state { CALL_NEW, CALL_PENDING, CALL_CALLED, CALL_CANCELLED };

/* 48 bytes: small fields, so that a million pending calls stay small.
 * It runs at time + delayed_time (getTime), kept apart as Twisted keeps
 * them, so that every double is computed as Twisted computes it. */
struct delayed_call {
    double time;
    double delayed_time; /* reset/delay to a later time adds it here */
    call_fn fn;
    void *arg;
    struct reactor_base *reactor; /* NULL once the reactor is gone */
    uint32_t index;               /* in the heap, or in the new calls */
    unsigned char state;          /* enum call_state */
    unsigned char refs; /* the reactor's (while scheduled) + the caller's */
    uint16_t clock;     /* the reactor's clock it was made with (base.h) */
};

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
