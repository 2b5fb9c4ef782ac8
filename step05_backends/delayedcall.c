/*
 * delayedcall.c: callLater and DelayedCall (twisted/internet/base.py).
 *
 * A call's life: callLater puts it on the list of new calls
 * (_newTimedCalls); the next timeout() or runUntilCurrent moves it into
 * the heap (_pendingTimedCalls); runUntilCurrent pops it when its time
 * has come and calls it.  cancel takes it out at any point before that.
 *
 * Where Twisted is lazy, this is eager: a cancelled call leaves the heap
 * at once (Twisted leaves it, counts it, and compacts the heap when the
 * count passes 50 and half the heap), and a call moved later moves in the
 * heap at once (Twisted records delayed_time and re-pushes it when the
 * old time comes).  Both are O(log n) here because every call knows its
 * position in the heap.
 */
#define _POSIX_C_SOURCE 200809L

#include "delayedcall.h"

#include <math.h>
#include <stdlib.h>

#include "base.h"

/* Cancelled while new, a call leaves a NULL slot in the list.  Once the
 * holes are more than half of it, the list closes up, keeping its order
 * (ties run FIFO), and gives back room: so the list, and the heap room
 * reserved for it, stay within twice the live new calls, even when one
 * callback schedules and cancels millions.  (Twisted does the same to its
 * heap, after 50 cancellations and half the heap.) */
static void new_calls_compact(struct reactor_base *r)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->n_new; i++) {
        struct delayed_call *call = r->new_timed_calls[i];
        if (call) {
            call->index = (uint32_t)kept;
            r->new_timed_calls[kept++] = call;
        }
    }
    r->n_new = kept;
    r->n_new_cancelled = 0;
    size_t cap = r->cap_new;
    while (cap > 16 && cap / 4 >= kept)
        cap /= 2;
    if (cap < r->cap_new) {
        struct delayed_call **calls =
            realloc(r->new_timed_calls, cap * sizeof *calls);
        if (calls) {
            r->new_timed_calls = calls;
            r->cap_new = cap;
        }
    }
}

static struct delayed_call **new_calls_grow(struct reactor_base *r)
{
    if (r->n_new == r->cap_new) {
        size_t cap = r->cap_new ? 2 * r->cap_new : 16;
        struct delayed_call **calls =
            realloc(r->new_timed_calls, cap * sizeof *calls);
        if (!calls)
            return NULL;
        r->new_timed_calls = calls;
        r->cap_new = cap;
    }
    return &r->new_timed_calls[r->n_new];
}

int reactor_call_later(struct reactor_base *r, double delay, call_fn fn,
                       void *arg, struct delayed_call **keep)
{
    if (keep)
        *keep = NULL;
    if (!fn)
        return ERR_INVALID_ARGUMENT;
    /* Twisted asserts delay >= 0 (so NaN fails) but takes infinity, and
     * getTime() is then inf; here a delay must be finite too. */
    if (!(delay >= 0) || !isfinite(delay))
        return ERR_INVALID_DELAY;
    /* Allocate now all that inserting it into the heap will need, so
     * that moving it there later cannot fail. */
    struct timer_heap *heap = &r->pending_timed_calls;
    size_t live_new = r->n_new - r->n_new_cancelled;
    if (heap->len + r->n_new >= UINT32_MAX)
        return ERR_NO_MEMORY; /* an index must fit in 32 bits */
    struct delayed_call **slot = new_calls_grow(r);
    struct delayed_call *call = malloc(sizeof *call);
    if (!slot || !call || heap_reserve(heap, heap->len + live_new + 1) < 0) {
        free(call);
        return ERR_NO_MEMORY;
    }
    *call = (struct delayed_call){.time = reactor_seconds(r) + delay,
                                  .clock = r->clock,
                                  .fn = fn,
                                  .arg = arg,
                                  .reactor = r,
                                  .index = (uint32_t)r->n_new,
                                  .state = CALL_NEW,
                                  .refs = keep ? 2 : 1};
    *slot = call;
    r->n_new++;
    if (keep)
        *keep = call;
    return REACTOR_OK;
}

/* _insertNewDelayedCalls: new calls join the heap in the order they were
 * made, and that order (seq) breaks ties between equal times.  Twisted's
 * heap compares times only, so equal times come out in no fixed order. */
void insert_new_delayed_calls(struct reactor_base *r)
{
    struct timer_heap *heap = &r->pending_timed_calls;
    for (size_t i = 0; i < r->n_new; i++) {
        struct delayed_call *call = r->new_timed_calls[i];
        if (!call)
            continue; /* cancelled while new */
        call->state = CALL_PENDING;
        call->time += call->delayed_time; /* activate_delay */
        call->delayed_time = 0.0;
        heap_push(heap, (struct heap_entry){.time = call->time,
                                            .seq = ++r->last_seq,
                                            .call = call}); /* reserved */
    }
    r->n_new = r->n_new_cancelled = 0;
    heap_shrink(heap, heap->len);
    if (r->cap_new > 4096) { /* a burst of callLater is over */
        free(r->new_timed_calls);
        r->new_timed_calls = NULL;
        r->cap_new = 0;
    }
}

/* The due calls, earliest first.  `now` is read once, before the first
 * call, as Twisted does: a call made or moved by a callback to a time
 * after `now` waits for the next pass.  With nothing pending, the clock
 * is not read at all: a pass of pure I/O costs no clock_gettime. */
size_t run_due_calls(struct reactor_base *r)
{
    struct timer_heap *heap = &r->pending_timed_calls;
    size_t ran = 0;
    if (heap->len == 0)
        return 0;
    double now = reactor_seconds(r);
    while (heap->len > 0 && heap->items[0].time <= now) {
        struct delayed_call *call = heap_pop(heap).call;
        call->state = CALL_CALLED; /* before the call: it may cancel itself */
        call->fn(call->arg);
        delayed_call_release(call); /* the reactor's reference */
        ran++;
    }
    return ran;
}

/* ---- DelayedCall's methods ------------------------------------------ */

static int check_active(const struct delayed_call *call)
{
    if (call->state == CALL_CANCELLED)
        return ERR_ALREADY_CANCELLED;
    if (call->state == CALL_CALLED)
        return ERR_ALREADY_CALLED;
    return REACTOR_OK;
}

int delayed_call_cancel(struct delayed_call *call)
{
    int err = check_active(call);
    if (err)
        return err;
    struct reactor_base *r = call->reactor;
    if (call->state == CALL_NEW) {
        r->new_timed_calls[call->index] = NULL; /* skipped when inserted */
        if (++r->n_new_cancelled > 16 && r->n_new_cancelled > r->n_new / 2)
            new_calls_compact(r);
    } else
        heap_remove(&r->pending_timed_calls, call->index);
    call->state = CALL_CANCELLED;
    delayed_call_release(call); /* the reactor's reference */
    return REACTOR_OK;
}

/* Give the call its new parts; a pending one moves up or down the heap,
 * which is ordered by their sum (getTime).  Twisted would leave a call
 * moved later where it is, and fold the parts when its old time reaches
 * the top of the heap: see the README for the last bit this changes. */
static int move(struct delayed_call *call, double time, double delayed_time)
{
    double sum = time + delayed_time;
    if (!isfinite(sum) || !isfinite(delayed_time))
        return ERR_INVALID_DELAY; /* also a finite step that overflows */
    call->time = time;
    call->delayed_time = delayed_time;
    if (call->state == CALL_PENDING) {
        struct timer_heap *heap = &call->reactor->pending_timed_calls;
        heap->items[call->index].time = sum;
        heap_update(heap, call->index);
    }
    return REACTOR_OK;
}

/* The clock the call was made with, as DelayedCall.seconds. */
static double call_seconds(const struct delayed_call *call)
{
    return reactor_clock_seconds(call->reactor, call->clock);
}

/* reset: run `seconds_from_now` from now, sooner or later than before.
 * As DelayedCall.reset: sooner replaces the time, later is a delay. */
int delayed_call_reset(struct delayed_call *call, double seconds_from_now)
{
    int err = check_active(call);
    if (err)
        return err;
    double new_time = call_seconds(call) + seconds_from_now;
    if (!isfinite(new_time))
        return ERR_INVALID_DELAY;
    if (new_time < call->time)
        return move(call, new_time, 0.0);
    return move(call, call->time, new_time - call->time);
}

/* delay: run `seconds_later` after the time it had (negative: sooner).
 * As DelayedCall.delay: the step adds to delayed_time, and the parts
 * fold (activate_delay) when that turns negative. */
int delayed_call_delay(struct delayed_call *call, double seconds_later)
{
    int err = check_active(call);
    if (err)
        return err;
    double delayed_time = call->delayed_time + seconds_later;
    if (delayed_time < 0.0)
        return move(call, call->time + delayed_time, 0.0);
    return move(call, call->time, delayed_time);
}

bool delayed_call_active(const struct delayed_call *call)
{
    return call->state == CALL_NEW || call->state == CALL_PENDING;
}

double delayed_call_get_time(const struct delayed_call *call)
{
    return call->time + call->delayed_time;
}

void delayed_call_release(struct delayed_call *call)
{
    if (call && --call->refs == 0)
        free(call);
}

/* The reactor is going away: its calls are cancelled, and the ones a
 * caller still keeps say so (ERR_ALREADY_CANCELLED) from now on. */
void delayed_calls_destroy(struct reactor_base *r)
{
    insert_new_delayed_calls(r);
    struct timer_heap *heap = &r->pending_timed_calls;
    for (size_t i = 0; i < heap->len; i++) {
        struct delayed_call *call = heap->items[i].call;
        call->state = CALL_CANCELLED;
        call->reactor = NULL;
        delayed_call_release(call);
    }
    heap_free(heap);
    free(r->new_timed_calls);
    r->new_timed_calls = NULL;
    r->n_new = r->n_new_cancelled = r->cap_new = 0;
}
