/*
 * heapq.c: a 4-ary min-heap of timed calls, ordered by (time, seq).
 *
 * The children of node i are 4i+1 .. 4i+4; its parent is (i-1)/4.
 */
#define _POSIX_C_SOURCE 200809L

#include "heapq.h"

#include <stdlib.h>
#include <string.h>

#include "delayedcall.h"

enum { ARITY = 4, LINE = 64 };

static bool before(const struct heap_entry *a, const struct heap_entry *b)
{
    return a->time < b->time ||
           (a->time == b->time && seq_before(a->seq, b->seq));
}

/* Put `e` at position i, telling its call where it now is. */
static void put_at(struct timer_heap *h, size_t i, struct heap_entry e)
{
    h->items[i] = e;
    pool_call(h->pool, e.slot)->index = (uint32_t)i; /* < UINT32_MAX */
}

/* Move the entry at i up while it runs before its parent. */
static void sift_up(struct timer_heap *h, size_t i)
{
    struct heap_entry e = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(&e, &h->items[parent]))
            break;
        put_at(h, i, h->items[parent]); /* the parent moves down */
        i = parent;
    }
    put_at(h, i, e);
}

/* The earliest of the n children at c (position of c[0] is first). */
static size_t earliest_child(const struct heap_entry *c, size_t n)
{
    if (n == ARITY) { /* the usual case: a final round between two pairs */
        size_t a = before(&c[1], &c[0]), b = 2 + before(&c[3], &c[2]);
        return before(&c[b], &c[a]) ? b : a;
    }
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        if (before(&c[k], &c[best]))
            best = k;
    return best;
}

/* Move a hole at i down, each time pulling the earliest child up into
 * it, while that child runs before `e` (NULL: all the way to a leaf).
 * Returns where the hole ends. */
static size_t hole_down(struct timer_heap *h, size_t i,
                        const struct heap_entry *e)
{
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= h->len)
            return i;
        size_t n = h->len - first < ARITY ? h->len - first : ARITY;
        size_t best = first + earliest_child(&h->items[first], n);
        if (e && !before(&h->items[best], e))
            return i;
        put_at(h, i, h->items[best]); /* the earliest child moves up */
        i = best;
    }
}

/* Move the entry at i down while one of its children runs before it. */
static void sift_down(struct timer_heap *h, size_t i)
{
    struct heap_entry e = h->items[i];
    put_at(h, hole_down(h, i, &e), e);
}

/* The array starts 3 entries (48 bytes) into a block aligned to a cache
 * line, so that 4i+1 .. 4i+4, the children of node i, fill one line.
 * (realloc keeps no alignment: a new block is copied into instead.) */
static int resize(struct timer_heap *h, size_t cap)
{
    size_t bytes = (cap + ARITY - 1) * sizeof(struct heap_entry);
    struct heap_entry *block =
        aligned_alloc(LINE, (bytes + LINE - 1) / LINE * LINE);
    if (!block)
        return -1;
    struct heap_entry *items = block + (ARITY - 1);
    if (h->items) {
        memcpy(items, h->items, h->len * sizeof *items);
        free(h->items - (ARITY - 1));
    }
    h->items = items;
    h->cap = cap;
    return 0;
}

int heap_reserve(struct timer_heap *h, size_t n)
{
    if (!h)
        return -1;
    if (n <= h->cap)
        return 0;
    size_t cap = h->cap ? h->cap : 64;
    while (cap < n)
        cap *= 2;
    return resize(h, cap);
}

void heap_shrink(struct timer_heap *h, size_t keep)
{
    if (!h || h->cap <= 64 || h->cap / 4 < keep)
        return;
    resize(h, h->cap / 2); /* out of memory: keep the room */
}

int heap_push(struct timer_heap *h, struct heap_entry e)
{
    if (!h || !h->pool) /* no pool: no call to tell its place */
        return -1;
    if (heap_reserve(h, h->len + 1) < 0)
        return -1;
    h->items[h->len] = e;
    sift_up(h, h->len++);
    return 0;
}

/* Fill the hole with the last entry, which then moves up or down. */
void heap_remove(struct timer_heap *h, size_t index)
{
    if (!h || index >= h->len)
        return;
    struct heap_entry last = h->items[--h->len];
    if (index < h->len) {
        h->items[index] = last;
        heap_update(h, index);
    }
}

void heap_update(struct timer_heap *h, size_t index)
{
    if (!h || index >= h->len)
        return;
    if (index > 0 && before(&h->items[index], &h->items[(index - 1) / ARITY]))
        sift_up(h, index);
    else
        sift_down(h, index);
}

void heap_free(struct timer_heap *h)
{
    if (!h)
        return;
    if (h->items)
        free(h->items - (ARITY - 1));
    *h = (struct timer_heap){0};
}

/* The last entry, which fills the root's place, is nearly always among
 * the latest, so it would sink to the bottom comparing itself at every
 * level.  Instead the hole at the root moves down to a leaf along the
 * earliest children, the last entry goes there and rises, usually not at
 * all (Floyd's trick: one comparison fewer per level). */
struct heap_entry heap_pop(struct timer_heap *h)
{
    if (!h || h->len == 0)
        return (struct heap_entry){.slot = UINT32_MAX}; /* no call's */
    struct heap_entry top = h->items[0];
    struct heap_entry last = h->items[--h->len];
    if (h->len == 0)
        return top;
    size_t hole = hole_down(h, 0, NULL);
    h->items[hole] = last;
    sift_up(h, hole);
    return top;
}
