/* evq: the future-event queue, an indexed 4-ary min-heap.
 *
 * Four children per node: a heap of n events is half as deep as a binary
 * one, and the four children of a node are 64 bytes, one cache line when
 * the array is 64-byte aligned (node 0 sits alone at the head of its line:
 * the children of node i start at 4i + 1). A sift-down compares more nodes
 * per level but touches half as many lines, and the rescheduled root (the
 * usual case) is where a child's next event goes. The order of the pops is
 * fixed by (time, priority, handle) alone, so the heap's shape does not
 * change a run's results. */
#include "evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NOPOS UINT32_MAX
/* Handles fit in 24 bits; the priority takes the top 8 of the sort key. */
#define HBITS 24
#define HMASK ((1u << HBITS) - 1)

/* 16 bytes, four to a cache line: ties in time are ordered by the key,
 * priority first and then handle, which needs no sequence counter. */

typedef struct {
    double t;
    uint32_t key; /* priority << 24 | handle */
    uint32_t kind;
} node;
_Static_assert(sizeof(node) == 16, "four nodes to a 64-byte line");

#define ARITY 4
/* heap[] is offset by three nodes into its allocation so that the children
 * of every node (4i + 1 .. 4i + 4) share one 64-byte line */
#define SKEW 3

struct cc_evq {
    node *heap;
    void *mem;     /* the allocation heap[] lives in (aligned) */
    uint32_t *pos; /* heap index of each handle, NOPOS if none pending */
    size_t n, cap;
    /* The handle of the last popped event. It stays in the heap (at the
     * root, usually) until the caller reschedules it, which is then a single
     * sift-down instead of a remove plus an insert, or until the next pop or
     * cancel removes it. Logically it is not pending. */
    uint32_t held;
};

static int before(const node *a, const node *b)
{
    /* bitwise, not short-circuit: no branch to mispredict on random times */
    return (a->t < b->t) | ((a->t == b->t) & (a->key < b->key));
}

static void place(cc_evq *q, size_t i, node v)
{
    q->heap[i] = v;
    q->pos[v.key & HMASK] = (uint32_t)i;
}

static void sift_up(cc_evq *q, size_t i)
{
    node v = q->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!before(&v, &q->heap[p]))
            break;
        place(q, i, q->heap[p]);
        i = p;
    }
    place(q, i, v);
}

static void sift_down(cc_evq *q, size_t i)
{
    node v = q->heap[i];
    const size_t n = q->n;
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= n)
            break;
        const node *h = q->heap;
        if (c + ARITY <= n) {
            /* a full family: the least of two pairs */
            size_t a = c + (size_t)before(&h[c + 1], &h[c]);
            size_t b = c + 2 + (size_t)before(&h[c + 3], &h[c + 2]);
            c = before(&h[b], &h[a]) ? b : a;
        } else {
            size_t end = n;
            for (size_t k = c + 1; k < end; k++)
                if (before(&h[k], &h[c]))
                    c = k;
        }
        if (!before(&h[c], &v))
            break;
        place(q, i, q->heap[c]);
        i = c;
    }
    place(q, i, v);
}

cc_evq *ccq_new(size_t capacity)
{
    cc_evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->held = NOPOS;
    if (ccq_grow(q, capacity ? capacity : 1) != 0) {
        ccq_free(q);
        return NULL;
    }
    return q;
}

void ccq_free(cc_evq *q)
{
    if (!q)
        return;
    free(q->mem);
    free(q->pos);
    free(q);
}

int ccq_grow(cc_evq *q, size_t capacity)
{
    if (capacity <= q->cap)
        return 0;
    if (capacity > (size_t)HMASK + 1)
        return -1;
    /* an aligned block, copied by hand (realloc keeps no alignment) */
    size_t bytes = (capacity + SKEW) * sizeof(node);
    bytes = (bytes + 63) / 64 * 64;
    void *mem = aligned_alloc(64, bytes);
    if (!mem)
        return -1;
    node *h = (node *)mem + SKEW;
    if (q->n)
        memcpy(h, q->heap, q->n * sizeof *h);
    free(q->mem);
    q->mem = mem;
    q->heap = h;
    uint32_t *p = realloc(q->pos, capacity * sizeof *p);
    if (!p)
        return -1;
    q->pos = p;
    for (size_t i = q->cap; i < capacity; i++)
        p[i] = NOPOS;
    q->cap = capacity;
    return 0;
}

size_t ccq_capacity(const cc_evq *q) { return q->cap; }
size_t ccq_size(const cc_evq *q) { return q->n - (q->held != NOPOS); }
int ccq_pending(const cc_evq *q, uint32_t h) { return q->pos[h] != NOPOS && h != q->held; }

/* Remove the node at heap index i. */
static void remove_at(cc_evq *q, uint32_t i)
{
    q->pos[q->heap[i].key & HMASK] = NOPOS;
    q->n--;
    if (i == q->n)
        return;
    node last = q->heap[q->n];
    int up = before(&last, &q->heap[i]);
    place(q, i, last);
    if (up)
        sift_up(q, i);
    else
        sift_down(q, i);
}

void ccq_schedule(cc_evq *q, uint32_t h, double t, uint32_t kind, uint8_t prio)
{
    node v = {t, ((uint32_t)prio << HBITS) | h, kind};
    if (h == q->held)
        q->held = NOPOS;
    uint32_t i = q->pos[h];
    if (i == NOPOS) {
        i = (uint32_t)q->n++;
        place(q, i, v);
        sift_up(q, i);
        return;
    }
    int up = before(&v, &q->heap[i]);
    place(q, i, v);
    if (up)
        sift_up(q, i);
    else
        sift_down(q, i);
}

void ccq_cancel(cc_evq *q, uint32_t h)
{
    if (h == q->held)
        q->held = NOPOS;
    uint32_t i = q->pos[h];
    if (i != NOPOS)
        remove_at(q, i);
}

int ccq_pop(cc_evq *q, cc_event *ev)
{
    if (q->held != NOPOS) {
        remove_at(q, q->pos[q->held]);
        q->held = NOPOS;
    }
    if (q->n == 0)
        return 0;
    const node *top = &q->heap[0];
    ev->t = top->t;
    ev->handle = top->key & HMASK;
    ev->kind = top->kind;
    q->held = top->key & HMASK;
    return 1;
}

double ccq_peek_time(const cc_evq *q)
{
    if (q->n == 0 || (q->n == 1 && q->held != NOPOS))
        return INFINITY;
    if (q->held == NOPOS || q->pos[q->held] != 0)
        return q->heap[0].t;
    /* the root is the held (popped) event: the earliest pending is a child */
    double a = q->heap[1].t;
    for (size_t k = 2; k <= ARITY && k < q->n; k++)
        if (q->heap[k].t < a)
            a = q->heap[k].t;
    return a;
}

void ccq_clear(cc_evq *q)
{
    for (size_t i = 0; i < q->n; i++)
        q->pos[q->heap[i].key & HMASK] = NOPOS;
    q->n = 0;
    q->held = NOPOS;
}
