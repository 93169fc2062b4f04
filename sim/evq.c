/* evq: the future-event queue: a sorted array for the current day and
 * unsorted day buckets for the rest (a two-level calendar queue).
 *
 * Time is cut into bands one day wide (band b: b <= t < b + 1). The day
 * array holds the events of the current band and any earlier one, sorted
 * latest first, so the next event is its last element and a pop is O(1);
 * the events of the next NBAND - 1 bands sit in a ring of buckets, one band
 * to a bucket, in doubly linked lists threaded through the handles; later
 * events (and +infinity) wait in an overflow list, which is sorted into the
 * ring every NBAND / 2 bands. Scheduling a child's next event, months
 * away, is then an O(1) list insertion. When the day array runs empty, the
 * next non-empty bucket (found by a bitmap search) is sorted into it, once.
 * An event scheduled into the current day (an arrival in a few hours, say)
 * is inserted from the array's end, where the soonest events are, so it
 * usually passes few of them; a county has a few events a day and a nation
 * a few hundred, so the array stays small either way.
 *
 * The order of the pops is fixed by (time, priority, handle) alone, and a
 * band holds every event at its times, so neither the buckets nor the
 * sorting change a run's results. */
#include "evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"

#define NOPOS UINT32_MAX
#define INLIST (UINT32_MAX - 1) /* pos of an event waiting in a bucket or the overflow */
/* Handles fit in 24 bits; the priority takes the top 8 of the sort key. */
#define HBITS 24
#define HMASK ((1u << HBITS) - 1)

/* 16 bytes, four to a cache line. The time is held as an unsigned integer
 * that orders as the double does (order_bits), so a comparison is two
 * integer compares; ties in time are ordered by the key, priority first and
 * then handle, which needs no sequence counter. */
typedef struct {
    uint64_t tk;  /* order_bits(t) */
    uint32_t key; /* priority << 24 | handle */
    uint32_t kind;
} node;
_Static_assert(sizeof(node) == 16, "four nodes to a 64-byte line");

/* The bits of t as an unsigned integer in the order of the doubles (negative
 * numbers have every bit flipped, others the sign bit set); -0 is taken as
 * +0, as the comparison of doubles does. Not for NaN. */
static uint64_t order_bits(double t)
{
    uint64_t u;
    t += 0.0; /* -0 + 0 = +0 */
    memcpy(&u, &t, sizeof u);
    return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static double time_of(uint64_t tk)
{
    uint64_t u = tk >> 63 ? tk & ~(UINT64_C(1) << 63) : ~tk;
    double t;
    memcpy(&t, &u, sizeof t);
    return t;
}

/* bands in the ring: about 2.8 years of days; a power of two */
#define NBAND 1024
#define NWORD (NBAND / 64)
#define OVERFLOW NBAND      /* list index of the overflow list */
#define BAND_INF INT64_MAX  /* band of +infinity and of times past 2^62 days */

/* What the queue keeps for each handle, in one record so that filing,
 * moving or cancelling an event touches one place in memory (with tens of
 * thousands of handles, a nation's children, each array apart was a cache
 * miss of its own). */
typedef struct {
    node ev;       /* the event, while it waits in a list */
    int64_t band;  /* its band */
    uint32_t next, prev; /* list links */
    uint32_t pos;  /* index in day[], INLIST, or NOPOS if none pending */
} hslot;

struct cc_evq {
    node *day;       /* the current band's events (and any earlier), latest first */
    hslot *hs;       /* by handle */
    size_t n, cap;   /* events in day[]; handles */
    uint32_t head[NBAND + 1]; /* the ring's buckets, then the overflow list */
    uint64_t full[NWORD];     /* bit b % NBAND: bucket non-empty */
    size_t nring, nover;      /* events in the ring, in the overflow */
    int64_t cur;              /* the current band: day[] holds the bands <= cur */
    int64_t base;             /* the band at the last sort of the overflow (<= cur): the ring holds
                                 the bands cur+1 .. base+NBAND-1, the overflow the later ones */
    int64_t over_min;         /* no overflow event has an earlier band (>= base + NBAND) */
    uint32_t ahead;           /* a handle in the next bucket's list, or NOPOS: each pop fetches one
                                 more of that list into the cache (a hint only; a stale one is harmless) */
};

static int before(const node *a, const node *b)
{
    /* equal times are rare (month ends, birthdays at the same day): the
     * first branch is well predicted */
    if (a->tk != b->tk)
        return a->tk < b->tk;
    return a->key < b->key;
}

static int64_t band_of(double t)
{
    if (!(t < 4.6e18)) /* +infinity (NaN is not a time) */
        return BAND_INF;
    return (int64_t)floor(t);
}

/* ---- the day array ---- */

static void place(cc_evq *q, size_t i, node v)
{
    q->day[i] = v;
    q->hs[v.key & HMASK].pos = (uint32_t)i;
}

/* Add v to day[], passing the events due before it (at the end). */
static void day_insert(cc_evq *q, node v)
{
    size_t j = q->n++;
    while (j > 0 && before(&q->day[j - 1], &v)) {
        place(q, j, q->day[j - 1]);
        j--;
    }
    place(q, j, v);
}

/* Remove the event at index i of day[]. */
static void day_remove(cc_evq *q, size_t i)
{
    q->hs[q->day[i].key & HMASK].pos = NOPOS;
    q->n--;
    for (; i < q->n; i++)
        place(q, i, q->day[i + 1]);
}

/* Sort a[0..n-1] latest first: insertion sort for short runs, else a
 * quicksort step (median of three) on the shorter side first. Keys are
 * distinct (each holds its handle), so any correct sort gives one order. */
static void sort_latest_first(node *a, size_t n)
{
    while (n > 16) {
        size_t m = n / 2, hi = n - 1;
        /* median of a[0], a[m], a[hi] into a[m] */
        if (before(&a[0], &a[m])) {
            node t = a[0];
            a[0] = a[m];
            a[m] = t;
        }
        if (before(&a[m], &a[hi])) {
            node t = a[m];
            a[m] = a[hi];
            a[hi] = t;
            if (before(&a[0], &a[m])) {
                t = a[0];
                a[0] = a[m];
                a[m] = t;
            }
        }
        node pivot = a[m];
        size_t i = 0, j = hi;
        for (;;) { /* Hoare: later than the pivot to the left */
            while (before(&pivot, &a[i]))
                i++;
            while (before(&a[j], &pivot))
                j--;
            if (i >= j)
                break;
            node t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* a[0..j] and a[j+1..n-1]: recurse into the shorter, loop on the other */
        size_t left = j + 1;
        if (left < n - left) {
            sort_latest_first(a, left);
            a += left;
            n -= left;
        } else {
            sort_latest_first(a + left, n - left);
            n = left;
        }
    }
    for (size_t k = 1; k < n; k++) {
        node v = a[k];
        size_t j = k;
        while (j > 0 && before(&a[j - 1], &v)) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* ---- the lists ---- */

static void list_add(cc_evq *q, uint32_t list, uint32_t h)
{
    uint32_t f = q->head[list];
    q->hs[h].next = f;
    q->hs[h].prev = NOPOS;
    if (f != NOPOS)
        q->hs[f].prev = h;
    q->head[list] = h;
    q->hs[h].pos = INLIST;
    if (list == OVERFLOW) {
        q->nover++;
        if (q->hs[h].band < q->over_min)
            q->over_min = q->hs[h].band;
    } else {
        q->nring++;
        q->full[list / 64] |= UINT64_C(1) << (list % 64);
    }
}

/* The list of an event of band b > cur. */
static uint32_t list_of(const cc_evq *q, int64_t b)
{
    return b - q->base < NBAND ? (uint32_t)((uint64_t)b % NBAND) : OVERFLOW;
}

static void list_remove(cc_evq *q, uint32_t h)
{
    uint32_t list = list_of(q, q->hs[h].band);
    uint32_t nx = q->hs[h].next, pv = q->hs[h].prev;
    if (pv != NOPOS)
        q->hs[pv].next = nx;
    else
        q->head[list] = nx;
    if (nx != NOPOS)
        q->hs[nx].prev = pv;
    q->hs[h].pos = NOPOS;
    if (list == OVERFLOW) {
        q->nover--;
    } else {
        q->nring--;
        if (q->head[list] == NOPOS)
            q->full[list / 64] &= ~(UINT64_C(1) << (list % 64));
    }
}

/* Put the event of handle h, whose band is set, where it belongs. */
static void file_event(cc_evq *q, uint32_t h, node v)
{
    if (q->hs[h].band <= q->cur) {
        day_insert(q, v);
        return;
    }
    q->hs[h].ev = v;
    list_add(q, list_of(q, q->hs[h].band), h);
}

/* The first non-empty bucket's band after the current one (the ring must
 * not be empty). */
static int64_t ring_next(const cc_evq *q)
{
    uint32_t from = (uint32_t)((uint64_t)(q->cur + 1) % NBAND);
    for (uint32_t k = 0; k <= NWORD; k++) {
        uint32_t w = (from / 64 + k) % NWORD;
        uint64_t bits = q->full[w];
        if (k == 0)
            bits &= ~UINT64_C(0) << (from % 64); /* slots before `from` in its word come last */
        if (bits) {
            uint32_t slot = w * 64 + (uint32_t)__builtin_ctzll(bits);
            return q->cur + 1 + (int64_t)((slot - from) % NBAND);
        }
    }
    return BAND_INF; /* not reached */
}

/* day[] is empty: make band c (no event is earlier) the current one and
 * bring its events into day[], sorted. Once the current band is half a ring past
 * the last sort of the overflow (and always before an overflow event is
 * due: they are at least a ring past it), the overflow events within a ring
 * of c are sorted into it; so each overflow event is looked at about once
 * every NBAND / 2 days. */
static void enter_band(cc_evq *q, int64_t c)
{
    q->cur = c;
    if (c - q->base >= NBAND / 2) {
        q->base = c;
        q->over_min = BAND_INF;
        uint32_t h = q->head[OVERFLOW];
        while (h != NOPOS) {
            uint32_t nx = q->hs[h].next;
            if (q->hs[h].band - c < NBAND) {
                /* unlink from the overflow (its band is now a ring band) */
                if (q->hs[h].prev != NOPOS)
                    q->hs[q->hs[h].prev].next = nx;
                else
                    q->head[OVERFLOW] = nx;
                if (nx != NOPOS)
                    q->hs[nx].prev = q->hs[h].prev;
                q->nover--;
                if (q->hs[h].band == c)
                    q->day[q->n++] = q->hs[h].ev;
                else
                    list_add(q, (uint32_t)((uint64_t)q->hs[h].band % NBAND), h);
            } else if (q->hs[h].band < q->over_min) {
                q->over_min = q->hs[h].band;
            }
            h = nx;
        }
    }
    uint32_t slot = (uint32_t)((uint64_t)c % NBAND);
    if (c != BAND_INF) { /* +infinity: handled by the overflow sort above */
        for (uint32_t h = q->head[slot]; h != NOPOS; h = q->hs[h].next) {
            q->nring--;
            q->day[q->n++] = q->hs[h].ev;
        }
        q->head[slot] = NOPOS;
        q->full[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
    }
    sort_latest_first(q->day, q->n);
    for (size_t i = 0; i < q->n; i++)
        q->hs[q->day[i].key & HMASK].pos = (uint32_t)i;
    /* the next day's list will be walked like this one: follow it ahead of
     * time, one handle a pop (a linked list is one cache miss after
     * another when walked at once) */
    q->ahead = q->nring ? q->head[(uint64_t)ring_next(q) % NBAND] : NOPOS;
}

/* Make day[] hold the earliest pending event, if any. */
static void refill(cc_evq *q)
{
    while (q->n == 0 && (q->nring || q->nover)) {
        int64_t c = q->nring ? ring_next(q) : BAND_INF;
        if (q->nover && q->over_min < c)
            c = q->over_min; /* a lower bound: the band may turn out empty */
        enter_band(q, c);
        if (c == BAND_INF && q->n == 0)
            break; /* cannot happen: infinite events are moved by the sort */
    }
}

/* ---- the interface ---- */

cc_evq *ccq_new(size_t capacity)
{
    cc_evq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    for (size_t k = 0; k <= NBAND; k++)
        q->head[k] = NOPOS;
    q->over_min = BAND_INF;
    q->ahead = NOPOS;
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
    free(q->day);
    free(q->hs);
    free(q);
}

/* realloc *p to n elements of size sz; 0 or -1 (then *p is unchanged) */
static int resize(void *pp, size_t n, size_t sz)
{
    void **p = pp;
    void *x = realloc(*p, n * sz);
    if (!x)
        return -1;
    *p = x;
    return 0;
}

int ccq_grow(cc_evq *q, size_t capacity)
{
    if (capacity <= q->cap)
        return 0;
    if (capacity > (size_t)HMASK + 1)
        return -1;
    if (resize(&q->day, capacity, sizeof *q->day))
        return -1;
    /* a nation's records are touched at random: in huge pages (bigmem.h) */
    hslot *hs = ccbm_grow(q->hs, q->cap * sizeof *hs, capacity * sizeof *hs);
    if (!hs)
        return -1;
    q->hs = hs;
    for (size_t i = q->cap; i < capacity; i++)
        q->hs[i].pos = NOPOS;
    q->cap = capacity;
    return 0;
}

size_t ccq_capacity(const cc_evq *q) { return q->cap; }
size_t ccq_size(const cc_evq *q) { return q->n + q->nring + q->nover; }
int ccq_pending(const cc_evq *q, uint32_t h) { return q->hs[h].pos != NOPOS; }

void ccq_schedule(cc_evq *q, uint32_t h, double t, uint32_t kind, uint8_t prio)
{
    node v = {order_bits(t), ((uint32_t)prio << HBITS) | h, kind};
    int64_t b = band_of(t);
    uint32_t i = q->hs[h].pos;
    /* the same event again (a child whose clocks did not move): nothing to do */
    const node *was = i == INLIST ? &q->hs[h].ev : i != NOPOS ? &q->day[i] : NULL;
    if (was && was->tk == v.tk && was->key == v.key && was->kind == v.kind)
        return;
    if (i == INLIST)
        list_remove(q, h);
    else if (i != NOPOS)
        day_remove(q, i);
    q->hs[h].band = b;
    file_event(q, h, v);
}

void ccq_cancel(cc_evq *q, uint32_t h)
{
    uint32_t i = q->hs[h].pos;
    if (i == INLIST)
        list_remove(q, h);
    else if (i != NOPOS)
        day_remove(q, i);
}

int ccq_pop(cc_evq *q, cc_event *ev)
{
    if (q->n == 0) {
        refill(q);
        if (q->n == 0)
            return 0;
    }
    const node *top = &q->day[--q->n];
    ev->t = time_of(top->tk);
    ev->handle = top->key & HMASK;
    ev->kind = top->kind;
    q->hs[ev->handle].pos = NOPOS;
    if (q->ahead < q->cap) {
        q->ahead = q->hs[q->ahead].next;
        if (q->ahead < q->cap)
            __builtin_prefetch(&q->hs[q->ahead]);
    }
    return 1;
}

double ccq_peek_time(cc_evq *q)
{
    if (q->n == 0)
        refill(q);
    return q->n ? time_of(q->day[q->n - 1].tk) : INFINITY;
}

uint32_t ccq_next_hint(const cc_evq *q)
{
    return q->n ? q->day[q->n - 1].key & HMASK : UINT32_MAX;
}

uint32_t ccq_hint_ahead(const cc_evq *q, size_t k)
{
    return q->n > k ? q->day[q->n - 1 - k].key & HMASK : UINT32_MAX;
}

void ccq_clear(cc_evq *q)
{
    for (size_t i = 0; i < q->n; i++)
        q->hs[q->day[i].key & HMASK].pos = NOPOS;
    for (size_t k = 0; k <= NBAND; k++) {
        for (uint32_t h = q->head[k]; h != NOPOS; h = q->hs[h].next)
            q->hs[h].pos = NOPOS;
        q->head[k] = NOPOS;
    }
    memset(q->full, 0, sizeof q->full);
    q->n = q->nring = q->nover = 0;
    q->cur = q->base = 0;
    q->over_min = BAND_INF;
    q->ahead = NOPOS;
}
