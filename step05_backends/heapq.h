/*
 * heapq.h: the priority queue behind _pendingTimedCalls (Python's heapq,
 * which Twisted uses), written for timed calls.
 *
 * Two choices differ from heapq, for speed a learner can still read:
 *   - each entry keeps its deadline beside its pointer, so comparing two
 *     entries never follows a pointer into another cache line;
 *   - each node has four children, not two: the tree is half as deep,
 *     and the four children sit side by side in memory.
 * Every entry's position is written back into its call (`index`), so a
 * call can be removed or moved from the middle in O(log n) instead of
 * the linear `heap.index(call)` of base.py: _moveCallLaterSooner.
 */
#ifndef HEAPQ_H
#define HEAPQ_H

#include <stddef.h>
#include <stdint.h>

struct delayed_call;

struct heap_entry {
    double time;  /* when the call runs */
    uint64_t seq; /* breaks ties: equal times run in callLater order
                     (reset and delay keep a call's place among equals) */
    struct delayed_call *call;
};

struct timer_heap {
    struct heap_entry *items;
    size_t len, cap;
    unsigned long moves; /* entries placed so far: what a move costs */
};

/* Room for n entries in all (0, or -1 if out of memory); a push then
 * cannot fail.  heap_shrink halves unused room while `keep` still fits
 * in a quarter of it. */
int heap_reserve(struct timer_heap *h, size_t n);
void heap_shrink(struct timer_heap *h, size_t keep);
int heap_push(struct timer_heap *h, struct heap_entry e); /* 0 or -1 */
struct heap_entry heap_pop(struct timer_heap *h);         /* len > 0 */
void heap_remove(struct timer_heap *h, size_t index);
/* The entry at `index` got a new time or seq: restore the order. */
void heap_update(struct timer_heap *h, size_t index);
void heap_free(struct timer_heap *h);

#endif
