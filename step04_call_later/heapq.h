/*
 * heapq.h: the priority queue behind _pendingTimedCalls (Python's heapq,
 * which Twisted uses), written for timed calls.
 *
 * Three choices differ from heapq, for speed a learner can still read:
 *   - each entry keeps its deadline beside it, so comparing two entries
 *     never follows a pointer into another cache line;
 *   - an entry is 16 bytes, so the 64-byte cache line the processor
 *     fetches at once holds four of them: with a 32-bit sequence number
 *     for ties and a 32-bit slot naming the call in its pool
 *     (delayedcall.h) instead of an 8-byte pointer;
 *   - each node has four children, not two: the tree is half as deep,
 *     and the four children of a node share one cache line (the array is
 *     placed so that they do, see resize).
 * Every entry's position is written back into its call (`index`), so a
 * call can be removed or moved from the middle in O(log n) instead of
 * the linear `heap.index(call)` of base.py: _moveCallLaterSooner.
 */
#ifndef HEAPQ_H
#define HEAPQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct call_pool;

struct heap_entry {
    double time;   /* when the call runs: getTime() */
    uint32_t seq;  /* breaks ties: equal times run in callLater order
                      (reset and delay keep a call's place among equals) */
    uint32_t slot; /* the call, in the reactor's pool */
};

/* Is sequence number a older than b?  They count up and wrap around at
 * 2**32: a is older if b is less than 2**31 ahead of it.  So ties are
 * FIFO while the calls that tie were made fewer than 2**31 calls apart. */
static inline bool seq_before(uint32_t a, uint32_t b)
{
    return (uint32_t)(a - b) >= 0x80000000u;
}

struct timer_heap {
    struct heap_entry *items;
    size_t len, cap;
    struct call_pool *pool; /* where each entry's call is */
};

/* Room for n entries in all (0, or -1 if out of memory); a push then
 * cannot fail.  heap_shrink halves unused room while `keep` still fits
 * in a quarter of it. */
int heap_reserve(struct timer_heap *h, size_t n);
void heap_shrink(struct timer_heap *h, size_t keep);
int heap_push(struct timer_heap *h, struct heap_entry e); /* 0 or -1 */
struct heap_entry heap_pop(struct timer_heap *h);
void heap_remove(struct timer_heap *h, size_t index);
/* The entry at `index` got a new time: restore the order. */
void heap_update(struct timer_heap *h, size_t index);
void heap_free(struct timer_heap *h);

/* NULL, and what is not there: heap_reserve and heap_push answer -1 (a
 * push also to a heap with no pool); heap_pop of an empty heap gives an
 * entry whose slot is UINT32_MAX, no call's; the others do nothing to an
 * index past the end. */

#endif
