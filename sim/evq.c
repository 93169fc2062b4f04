/* evq: the future-event queue, an indexed binary min-heap. */
#include "evq.h"

#include <math.h>
#include <stdlib.h>

#define NOPOS UINT32_MAX

typedef struct {
    double t;
    uint64_t ord; /* priority in the top 8 bits, scheduling sequence below */
    uint32_t h;
    uint32_t kind;
} node;

struct cc_evq {
    node *heap;
    uint32_t *pos; /* heap index of each handle, NOPOS if none pending */
    size_t n, cap;
    uint64_t seq;
};

static int before(const node *a, const node *b)
{
    return a->t < b->t || (a->t == b->t && a->ord < b->ord);
}

static void place(cc_evq *q, size_t i, node v)
{
    q->heap[i] = v;
    q->pos[v.h] = (uint32_t)i;
}

static void sift_up(cc_evq *q, size_t i)
{
    node v = q->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
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
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && before(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!before(&q->heap[c], &v))
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
    free(q->heap);
    free(q->pos);
    free(q);
}

int ccq_grow(cc_evq *q, size_t capacity)
{
    if (capacity <= q->cap)
        return 0;
    node *h = realloc(q->heap, capacity * sizeof *h);
    if (!h)
        return -1;
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
size_t ccq_size(const cc_evq *q) { return q->n; }
int ccq_pending(const cc_evq *q, uint32_t h) { return q->pos[h] != NOPOS; }

void ccq_schedule(cc_evq *q, uint32_t h, double t, uint32_t kind, uint8_t prio)
{
    node v = {t, ((uint64_t)prio << 56) | (q->seq++ & 0x00ffffffffffffffULL), h, kind};
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
    uint32_t i = q->pos[h];
    if (i == NOPOS)
        return;
    q->pos[h] = NOPOS;
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

int ccq_pop(cc_evq *q, cc_event *ev)
{
    if (q->n == 0)
        return 0;
    node top = q->heap[0];
    ev->t = top.t;
    ev->handle = top.h;
    ev->kind = top.kind;
    q->pos[top.h] = NOPOS;
    q->n--;
    if (q->n > 0) {
        place(q, 0, q->heap[q->n]);
        sift_down(q, 0);
    }
    return 1;
}

double ccq_peek_time(const cc_evq *q)
{
    return q->n ? q->heap[0].t : INFINITY;
}

void ccq_clear(cc_evq *q)
{
    for (size_t i = 0; i < q->n; i++)
        q->pos[q->heap[i].h] = NOPOS;
    q->n = 0;
}
