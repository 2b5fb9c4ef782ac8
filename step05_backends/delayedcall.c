/*
 * delayedcall.c: callLater and DelayedCall (twisted/internet/base.py).
 *
 * A call's life: callLater puts it in the heap (_pendingTimedCalls) at
 * once, NEW until the next timeout() or runUntilCurrent, which is when
 * Twisted would move it there from _newTimedCalls; a call made by a
 * callback while the due calls run waits in the list of new calls
 * instead, so that it cannot run in the same pass.  runUntilCurrent pops
 * a call when its time has come and calls it.  cancel takes it out at any
 * point before that.
 *
 * Cancel and move act on the heap at once, O(log n): every call knows
 * its position in it.
 */
#define _POSIX_C_SOURCE 200809L

#include "delayedcall.h"

#include <math.h>
#include <stdlib.h>

#include "base.h"

#define HOLE UINT32_MAX /* a slot in the new calls: cancelled */

/* ---- the pool -------------------------------------------------------- */

static void unlink_chunk(struct call_pool *pool, struct call_chunk *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        pool->with_room = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void link_chunk(struct call_pool *pool, struct call_chunk *c)
{
    c->prev = NULL;
    c->next = pool->with_room;
    if (c->next)
        c->next->prev = c;
    pool->with_room = c;
}

/* A new chunk, all free, in the first unused place of the table. */
static struct call_chunk *add_chunk(struct call_pool *pool)
{
    size_t n = 0;
    while (n < pool->n_chunks && pool->chunks[n])
        n++;
    if (n == pool->n_chunks) {
        size_t count = pool->n_chunks ? 2 * pool->n_chunks : 4;
        if (count > UINT32_MAX / POOL_CHUNK)
            return NULL; /* a slot must fit in 32 bits, below HOLE */
        struct call_chunk **chunks =
            realloc(pool->chunks, count * sizeof *chunks);
        if (!chunks)
            return NULL;
        for (size_t i = pool->n_chunks; i < count; i++)
            chunks[i] = NULL;
        pool->chunks = chunks;
        pool->n_chunks = count;
    }
    struct call_chunk *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->pool = pool;
    c->number = (uint32_t)n;
    c->live = 0;
    c->free = 0;
    for (uint32_t i = 0; i < POOL_CHUNK; i++) {
        c->calls[i].index = i + 1; /* the last one: POOL_CHUNK, none */
        c->calls[i].place = i;
    }
    pool->chunks[n] = c;
    pool->live_chunks++;
    link_chunk(pool, c);
    return c;
}

/* A free call's slot, or HOLE if out of memory. */
static uint32_t pool_take(struct call_pool *pool)
{
    struct call_chunk *c = pool->with_room;
    if (!c && !(c = add_chunk(pool)))
        return HOLE;
    uint32_t i = c->free;
    c->free = c->calls[i].index;
    if (++c->live == POOL_CHUNK)
        unlink_chunk(pool, c);
    pool->live++;
    return c->number * POOL_CHUNK + i;
}

static void pool_free(struct call_pool *pool)
{
    for (size_t n = 0; n < pool->n_chunks; n++)
        free(pool->chunks[n]);
    free(pool->chunks);
    free(pool);
}

/* The call in `slot` is free again.  Its chunk goes back to malloc once
 * empty, unless it is the only one with room (a spare); the pool goes
 * once its reactor is gone and no call is left. */
static void pool_give_back(struct call_pool *pool, uint32_t slot)
{
    struct call_chunk *c = pool->chunks[slot / POOL_CHUNK];
    uint32_t i = slot % POOL_CHUNK;
    c->calls[i].index = c->free;
    c->free = i;
    if (c->live-- == POOL_CHUNK)
        link_chunk(pool, c);
    pool->live--;
    if (!pool->reactor && pool->live == 0) {
        pool_free(pool);
        return;
    }
    if (c->live == 0 && (c->prev || c->next || !pool->reactor)) {
        unlink_chunk(pool, c);
        pool->chunks[slot / POOL_CHUNK] = NULL;
        pool->live_chunks--;
        free(c);
    }
}

/* ---- the list of new calls -------------------------------------------- */

/* Cancelled while waiting, a call leaves a HOLE in the list.  Once the
 * holes are more than half of it, the list closes up, keeping its order,
 * and gives back room: so the list, and the heap room reserved for it,
 * stay within twice the waiting calls, even when one callback schedules
 * and cancels millions. */
static void new_calls_compact(struct reactor_base *r)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->n_new; i++) {
        struct new_call nc = r->new_timed_calls[i];
        if (nc.slot != HOLE) {
            pool_call(r->calls, nc.slot)->index = (uint32_t)kept;
            r->new_timed_calls[kept++] = nc;
        }
    }
    r->n_new = kept;
    r->n_new_cancelled = 0;
    size_t cap = r->cap_new;
    while (cap > 16 && cap / 4 >= kept)
        cap /= 2;
    if (cap < r->cap_new) {
        struct new_call *calls =
            realloc(r->new_timed_calls, cap * sizeof *calls);
        if (calls) {
            r->new_timed_calls = calls;
            r->cap_new = cap;
        }
    }
}

static struct new_call *new_calls_grow(struct reactor_base *r)
{
    if (r->n_new == r->cap_new) {
        size_t cap = r->cap_new ? 2 * r->cap_new : 16;
        struct new_call *calls =
            realloc(r->new_timed_calls, cap * sizeof *calls);
        if (!calls)
            return NULL;
        r->new_timed_calls = calls;
        r->cap_new = cap;
    }
    return &r->new_timed_calls[r->n_new];
}

/* ---- callLater --------------------------------------------------------- */

int reactor_call_later(struct reactor_base *r, double delay, call_fn fn,
                       void *arg, struct delayed_call **keep)
{
    if (keep)
        *keep = NULL;
    if (!r || !fn)
        return ERR_INVALID_ARGUMENT;
    /* >= 0 and finite: Twisted's assert lets inf through. */
    if (!(delay >= 0) || !isfinite(delay))
        return ERR_INVALID_DELAY;
    /* A clock that reads NaN, or so far on that the sum overflows, would
     * put a time in the heap that never comes due. */
    double time = reactor_seconds(r) + delay;
    if (!isfinite(time))
        return ERR_INVALID_DELAY;
    if (!r->calls) {
        r->calls = calloc(1, sizeof *r->calls);
        if (!r->calls)
            return ERR_NO_MEMORY;
        r->calls->reactor = r;
        r->pending_timed_calls.pool = r->calls;
    }
    /* Allocate now all that inserting it into the heap will need, so
     * that moving it there later cannot fail. */
    struct timer_heap *heap = &r->pending_timed_calls;
    size_t waiting = r->n_new - r->n_new_cancelled;
    struct new_call *entry = r->running_calls ? new_calls_grow(r) : NULL;
    if ((r->running_calls && !entry) ||
        heap_reserve(heap, heap->len + waiting + 1) < 0)
        return ERR_NO_MEMORY;
    uint32_t s = pool_take(r->calls);
    if (s == HOLE)
        return ERR_NO_MEMORY;
    struct delayed_call *call = pool_call(r->calls, s);
    *call = (struct delayed_call){.time = time,
                                  .fn = fn,
                                  .arg = arg,
                                  .place = s % POOL_CHUNK,
                                  .state = CALL_NEW_IN_HEAP,
                                  .refs = keep ? 2 : 1,
                                  .clock = r->clock};
    uint32_t seq = ++r->last_seq; /* the order of callLater, for ties */
    if (r->running_calls) {
        call->state = CALL_NEW_IN_LIST;
        call->index = (uint32_t)r->n_new++;
        *entry = (struct new_call){.slot = s, .seq = seq};
    } else { /* reserved above */
        heap_push(heap, (struct heap_entry){
                            .time = call->time, .seq = seq, .slot = s});
    }
    if (keep)
        *keep = call;
    return REACTOR_OK;
}

/* _insertNewDelayedCalls' activate_delay, for a NEW call, which is in
 * the heap already: its parts fold when it is next touched, if a
 * timeout() or runUntilCurrent has come since it was made (the sum, and
 * so the heap's order, stays). */
static void fold_if_inserted(struct delayed_call *call)
{
    struct reactor_base *r = call_pool(call)->reactor;
    if (call->state != CALL_NEW_IN_HEAP)
        return;
    if (seq_before(r->insert_seq,
                   r->pending_timed_calls.items[call->index].seq))
        return; /* made since: still new */
    call->time += call->delayed_time;
    call->delayed_time = 0.0;
    call->state = CALL_PENDING;
}

/* _insertNewDelayedCalls: the calls that waited join the heap, in the
 * order they were made, with the seq they got then. */
void insert_new_delayed_calls(struct reactor_base *r)
{
    if (!r)
        return;
    struct timer_heap *heap = &r->pending_timed_calls;
    size_t used = r->n_new;
    r->insert_seq = r->last_seq; /* every call made so far is inserted */
    for (size_t i = 0; i < r->n_new; i++) {
        struct new_call nc = r->new_timed_calls[i];
        if (nc.slot == HOLE)
            continue; /* cancelled while waiting */
        struct delayed_call *call = pool_call(r->calls, nc.slot);
        call->state = CALL_PENDING;
        call->time += call->delayed_time; /* activate_delay */
        call->delayed_time = 0.0;
        heap_push(heap, (struct heap_entry){.time = call->time,
                                            .seq = nc.seq,
                                            .slot = nc.slot}); /* reserved */
    }
    r->n_new = r->n_new_cancelled = 0;
    heap_shrink(heap, heap->len);
    /* A burst of callLater is over: its room goes back, unless this pass
     * used a good part of it (a steady load would only grow it again). */
    if (r->cap_new > 4096 && used < r->cap_new / 4) {
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
    if (!r)
        return 0;
    struct timer_heap *heap = &r->pending_timed_calls;
    size_t ran = 0;
    if (heap->len == 0)
        return 0;
    double now = reactor_seconds(r);
    bool nested = r->running_calls; /* a callback ran a pass itself */
    r->running_calls = true;
    while (heap->len > 0 && heap->items[0].time <= now) {
        uint32_t slot = heap_pop(heap).slot;
        struct delayed_call *call = pool_call(r->calls, slot);
        call->state = CALL_CALLED; /* before the call: it may cancel itself */
        call->index = slot;
        call->fn(call->arg);
        delayed_call_release(call); /* the reactor's reference */
        ran++;
    }
    r->running_calls = nested;
    return ran;
}

/* ---- DelayedCall's methods ------------------------------------------ */

static int check_active(const struct delayed_call *call)
{
    if (!call)
        return ERR_INVALID_ARGUMENT;
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
    struct reactor_base *r = call_pool(call)->reactor;
    uint32_t slot;
    if (call->state == CALL_NEW_IN_LIST) {
        slot = r->new_timed_calls[call->index].slot;
        r->new_timed_calls[call->index].slot = HOLE; /* skipped later */
        if (++r->n_new_cancelled > 16 && r->n_new_cancelled > r->n_new / 2)
            new_calls_compact(r);
    } else {
        slot = r->pending_timed_calls.items[call->index].slot;
        heap_remove(&r->pending_timed_calls, call->index);
    }
    call->state = CALL_CANCELLED;
    call->index = slot;
    delayed_call_release(call); /* the reactor's reference */
    return REACTOR_OK;
}

/* Give the call its new parts and, if it is in the heap, move it there
 * at once, up or down: the heap is ordered by their sum (getTime). */
static int move(struct delayed_call *call, double time, double delayed_time)
{
    double sum = time + delayed_time;
    if (!isfinite(sum) || !isfinite(delayed_time))
        return ERR_INVALID_DELAY; /* also a finite step that overflows */
    call->time = time;
    call->delayed_time = delayed_time;
    if (call->state != CALL_NEW_IN_LIST) {
        struct reactor_base *r = call_pool(call)->reactor;
        struct timer_heap *heap = &r->pending_timed_calls;
        heap->items[call->index].time = sum;
        heap_update(heap, call->index);
    }
    return REACTOR_OK;
}

/* reset: run `seconds_from_now` from now, sooner or later than before,
 * read on the clock the call was made with (DelayedCall.seconds).  As
 * DelayedCall.reset: sooner replaces the time, later is a delay. */
int delayed_call_reset(struct delayed_call *call, double seconds_from_now)
{
    int err = check_active(call);
    if (err)
        return err;
    fold_if_inserted(call);
    double new_time =
        reactor_clock_seconds(call_pool(call)->reactor, call->clock) +
        seconds_from_now;
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
    fold_if_inserted(call);
    double delayed_time = call->delayed_time + seconds_later;
    if (delayed_time < 0.0)
        return move(call, call->time + delayed_time, 0.0);
    return move(call, call->time, delayed_time);
}

bool delayed_call_active(const struct delayed_call *call)
{
    return call && call->state != CALL_CALLED &&
           call->state != CALL_CANCELLED;
}

double delayed_call_get_time(const struct delayed_call *call)
{
    if (!call)
        return NAN; /* no call, no time */
    return call->time + call->delayed_time;
}

void delayed_call_release(struct delayed_call *call)
{
    if (call && --call->refs == 0)
        pool_give_back(call_pool(call), call->index);
}

/* The reactor is going away: its calls are cancelled, and the ones a
 * caller still keeps say so (ERR_ALREADY_CANCELLED) from now on.  Their
 * pool stays until the last of them is released. */
void delayed_calls_destroy(struct reactor_base *r)
{
    if (!r)
        return;
    struct call_pool *pool = r->calls;
    if (pool) {
        insert_new_delayed_calls(r);
        struct timer_heap *heap = &r->pending_timed_calls;
        pool->reactor = NULL; /* empty chunks go at once from now on */
        pool->live++;         /* and the pool not before the end here */
        for (size_t i = 0; i < heap->len; i++) {
            struct delayed_call *call = pool_call(pool, heap->items[i].slot);
            call->state = CALL_CANCELLED;
            call->index = heap->items[i].slot;
            delayed_call_release(call); /* the reactor's reference */
        }
        if (--pool->live == 0) {
            pool_free(pool);
        } else {
            for (size_t n = 0; n < pool->n_chunks; n++)
                if (pool->chunks[n] && pool->chunks[n]->live == 0) {
                    unlink_chunk(pool, pool->chunks[n]); /* the spare */
                    free(pool->chunks[n]);
                    pool->chunks[n] = NULL;
                    pool->live_chunks--;
                }
        }
    }
    heap_free(&r->pending_timed_calls);
    free(r->new_timed_calls);
    r->new_timed_calls = NULL;
    r->calls = NULL;
    r->n_new = r->n_new_cancelled = r->cap_new = 0;
}
