/* evq: the future-event queue: a sorted array for the current day and
 * unsorted day buckets for the rest (a two-level calendar queue).
 *
 * Time is cut into bands one day wide (band b: b <= t < b + 1). The day
 * array holds the events of the current band and any earlier one, sorted
 * latest first, so the next event is its last element and a pop is O(1);
 * the events of the next NBAND - 1 bands sit in a ring of buckets, one band
 * to a bucket, in doubly linked lists threaded through the handles; later
 * events (and +infinity) wait in an overflow list, which is sorted into the
 * ring every NBAND / 2 bands. Scheduling a child's next event, months or
 * years away, is then an O(1) list insertion, and the list is found by
 * comparing the time with the ring's first and last times and truncating
 * it (no division, no floor). When the day array runs empty, the next
 * non-empty bucket is walked into it, sorted as it comes (insertion sort for
 * a county's few events a day, a quicksort after the walk for a nation's few
 * hundred). An event scheduled into the current day (an arrival in a few
 * hours, say) is inserted from the array's end, where the soonest events
 * are, so it usually passes few of them. The day array's events are not
 * indexed by handle (each sort would have to write every index back): the
 * rare reschedule or cancel of one of them looks for it in the array, which
 * a removal has to shift anyway.
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
/* Handles fit in 24 bits; the priority takes the top 8 of the sort key. */
#define HBITS 24
#define HMASK ((1u << HBITS) - 1)

/* 16 bytes, four to a cache line: the time, and the key (priority << 24 |
 * handle) above the kind. A handle has one event at a time, so no two
 * events share a key, and comparing the times and then the second words
 * orders events by time, then priority, then handle: the kind never
 * decides, and no sequence counter is needed. Times are held as given
 * (with -0 made +0, so that a popped time is what the comparison saw) and
 * compared as doubles; NaN is not a time. */
typedef struct {
    double t;
    uint64_t kk; /* key << 32 | kind */
} node;
_Static_assert(sizeof(node) == 16, "four nodes to a 64-byte line");

static inline uint32_t handle_of(const node *v) { return (uint32_t)(v->kk >> 32) & HMASK; }

/* bands in the ring: about 2.8 years of days; a power of two */
#define NBAND CCQ_NBAND
#define OVERFLOW NBAND      /* list index of the overflow list */
#define INDAY (NBAND + 1)   /* where of an event in the day array */
#define BAND_INF INT64_MAX  /* band of +infinity and of times past 2^62 days */
/* ring_lo and ring_hi are exact below this band */
#define EXACT_BANDS ((INT64_C(1) << 52) - 2 * NBAND)
/* Below this many events a day is sorted as its bucket is walked. */
#define WALK_SORT 16
/* With fewer handles than this (256 KB of records) the records are taken to
 * be in the cache, and the pops do not read the next day's list ahead. */
#define AHEAD_MIN 8192

/* What the queue keeps for each handle, 32 bytes in one record (two to a
 * cache line, never split across two), so that filing, moving or
 * cancelling an event touches one place in memory (with tens of thousands
 * of handles, a nation's children, each array apart was a cache miss of
 * its own). */
typedef struct {
    node ev;             /* the event, while it waits in a list */
    uint32_t next, prev; /* list links */
    uint32_t where;      /* its list (a bucket 0..NBAND-1 or OVERFLOW), INDAY, or NOPOS if none pending */
    uint32_t unused;
} hslot;
_Static_assert(sizeof(hslot) == 32, "two records to a 64-byte line");

struct cc_evq {
    node *day;       /* the current band's events (and any earlier), latest first; day[-1] is a
                        sentinel later than any event, which stops the insertions */
    node *spare;     /* as large as day[] (with its sentinel): a crowded day is sorted from day[]
                        into it by bins, and the two are swapped */
    hslot *hs;       /* by handle */
    size_t n, cap;   /* events in day[]; handles */
    uint32_t head[NBAND + 1]; /* the ring's buckets, then the overflow list */
    uint32_t tail[NBAND + 1]; /* their last handles (NOPOS when empty) */
    uint8_t full[NBAND + 8];  /* 1: bucket b may be non-empty (a bucket that empties keeps its
                                 flag until the search for the next day clears it); [NBAND]: unused */
    size_t nl, nover;         /* events in the lists (the ring and the overflow), in the overflow */
    int64_t cur;              /* the current band (>= 0): day[] holds the bands <= cur */
    int64_t base;             /* the band at the last sort of the overflow (<= cur): the ring holds
                                 the bands cur+1 .. base+NBAND-1, the overflow the later ones */
    double ring_lo, ring_hi;  /* cur + 1 and base + NBAND as times: t < lo is in the day, lo <= t < hi
                                 in the ring, hi <= t in the overflow (lo is NaN when not exact, and
                                 then every time's band is worked out) */
    int64_t over_min;         /* no overflow event has an earlier band (>= base + NBAND) */
    uint32_t ahead[2];        /* handles in the next bucket's list, or NOPOS: the pops follow it from
                                 its two ends in turn, fetching one more handle each, until they meet
                                 (hints only; a stale one is harmless) */
    uint32_t turn;            /* which of the two the next pop moves; 2: neither */
};

static inline int before(const node *a, const node *b)
{
    /* equal times are rare (month ends, birthdays at the same day): the
     * first branch is well predicted */
    if (a->t != b->t)
        return a->t < b->t;
    return a->kk < b->kk;
}

/* The band of t: a truncation for the usual times; a negative time is
 * before every band the queue can be at (cur >= 0), so -1 will do. */
static inline int64_t band_of(double t)
{
    if (t >= 0 && t < 4.6e18)
        return (int64_t)t;
    return t < 0 ? -1 : BAND_INF; /* +infinity (NaN is not a time) */
}

/* ---- the day array ---- */

/* Add v (the event of handle h) to day[], passing the events due before it
 * (at the end). */
static void day_insert(cc_evq *q, uint32_t h, node v)
{
    size_t j = q->n++;
    while (before(&q->day[j - 1], &v)) { /* the sentinel stops it */
        q->day[j] = q->day[j - 1];
        j--;
    }
    q->day[j] = v;
    q->hs[h].ev = v;
    q->hs[h].where = INDAY;
}

/* Index in day[] of the event of handle h, which is there. Its record
 * keeps a copy of the event (every way into day[] leaves one), so the
 * sorted array is searched by halves for it; the linear search from the
 * soonest end is a fallback that a kept copy never needs. */
static size_t day_find(const cc_evq *q, uint32_t h)
{
    const node *key = &q->hs[h].ev;
    size_t lo = 0, hi = q->n;
    while (lo < hi) { /* day[] is latest first: the first index not later than key */
        size_t mid = lo + (hi - lo) / 2;
        if (before(key, &q->day[mid]))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < q->n && q->day[lo].t == key->t && q->day[lo].kk == key->kk)
        return lo;
    size_t i = q->n;
    while (handle_of(&q->day[--i]) != h)
        ;
    return i;
}

/* Remove the event at index i of day[]. */
static void day_remove(cc_evq *q, size_t i)
{
    q->hs[handle_of(&q->day[i])].where = NOPOS;
    q->n--;
    memmove(q->day + i, q->day + i + 1, (q->n - i) * sizeof *q->day);
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

/* Days with at least this many events are sorted by bins (below), fewer
 * by sort_latest_first. */
#define BIN_SORT_MIN 64
/* The most bins a day is cut into (a power of two). */
#define MAX_BINS 1024

/* Sort the n events of band c (all with c <= t < c + 1, c exact) latest
 * first, from q->day into q->spare, which then become each other: a
 * counting sort into bins a fraction of the day wide (each event's bin is
 * its time's fraction of the day times the number of bins, an exact
 * product), latest bin first, then each bin sorted alone (insertion sort;
 * sort_latest_first for a crowded bin, as ties at whole days make). About
 * two events a bin: linear in n, with few of the comparisons a quicksort
 * makes (and mispredicts) on a nation's few hundred events a day. Keys are
 * distinct, so the order is the one any sort gives. */
static void bin_sort_day(cc_evq *q, int64_t c, size_t n)
{
    uint32_t count[MAX_BINS + 1];
    size_t nbin = 64;
    while (nbin < MAX_BINS && nbin < n / 2)
        nbin *= 2;
    const double lo = (double)c, scale = (double)nbin;
    const uint32_t top = (uint32_t)nbin - 1;
    const node *src = q->day;
    node *dst = q->spare;
    memset(count, 0, (nbin + 1) * sizeof *count);
    /* bin k is counted at count[top - k + 1]: the latest bin comes first */
    for (size_t i = 0; i < n; i++) {
        double f = (src[i].t - lo) * scale;
        uint32_t k = f >= 0 && f < scale ? (uint32_t)f : (f < 0 ? 0 : top);
        count[top - k + 1]++;
    }
    for (size_t k = 1; k <= nbin; k++)
        count[k] += count[k - 1]; /* count[j]: where the j-th bin from the latest starts */
    for (size_t i = 0; i < n; i++) {
        double f = (src[i].t - lo) * scale;
        uint32_t k = f >= 0 && f < scale ? (uint32_t)f : (f < 0 ? 0 : top);
        dst[count[top - k]++] = src[i];
    }
    /* count[j] is now where bin j from the latest ends */
    size_t from = 0;
    for (size_t j = 0; j < nbin; j++) {
        size_t to = count[j], m = to - from;
        if (m > 16) {
            sort_latest_first(dst + from, m);
        } else {
            for (size_t k = from + 1; k < to; k++) {
                node v = dst[k];
                size_t i = k;
                while (i > from && before(&dst[i - 1], &v)) {
                    dst[i] = dst[i - 1];
                    i--;
                }
                dst[i] = v;
            }
        }
        from = to;
    }
    q->spare = q->day;
    q->day = dst;
}

/* Sort day[], which holds the n events of band c, when they did not come
 * sorted (kept out of the day's walk, which a county's few events a day
 * take without it). */
static __attribute__((noinline)) void sort_day(cc_evq *q, int64_t c, size_t n)
{
    if (n >= BIN_SORT_MIN && c < EXACT_BANDS)
        bin_sort_day(q, c, n);
    else
        sort_latest_first(q->day, n);
}

/* ---- the lists ---- */

/* Put handle h (its event set) at the head of list l, a bucket or the
 * overflow (nl is the caller's to count). */
static inline void list_add(cc_evq *q, uint32_t l, uint32_t h)
{
    hslot *s = &q->hs[h];
    uint32_t f = q->head[l];
    s->next = f;
    s->prev = NOPOS;
    s->where = l;
    if (f != NOPOS)
        q->hs[f].prev = h;
    else
        q->tail[l] = h;
    q->head[l] = h;
    q->full[l] = 1;
    if (l == OVERFLOW)
        q->nover++;
}

/* Take handle h out of its list l (its where and nl are the caller's). */
static inline void list_remove(cc_evq *q, uint32_t l, uint32_t h)
{
    uint32_t nx = q->hs[h].next, pv = q->hs[h].prev;
    if (pv != NOPOS)
        q->hs[pv].next = nx;
    else
        q->head[l] = nx;
    if (nx != NOPOS)
        q->hs[nx].prev = pv;
    else
        q->tail[l] = pv;
    if (l == OVERFLOW)
        q->nover--;
}

/* Put handle h's event v, of band b, where it belongs (h is not pending,
 * nor counted as in a list). */
static void file_event(cc_evq *q, uint32_t h, node v, int64_t b)
{
    if (b <= q->cur) {
        day_insert(q, h, v);
        return;
    }
    q->hs[h].ev = v;
    q->nl++;
    if (b - q->base < NBAND) {
        list_add(q, (uint32_t)b % NBAND, h);
    } else {
        list_add(q, OVERFLOW, h);
        if (b < q->over_min)
            q->over_min = b;
    }
}

/* The first non-empty bucket's band after the current one (the ring must
 * not be empty). Flags of buckets found empty are cleared on the way. */
static int64_t ring_scan(cc_evq *q)
{
    uint32_t from = (uint32_t)((uint64_t)(q->cur + 1) % NBAND);
    for (uint32_t d = 0; d < NBAND;) {
        uint32_t slot = (from + d) % NBAND;
        if (slot % 8 == 0) { /* eight flags at once (they may run past the ring's end: those
                                already looked at are clear) */
            uint64_t eight;
            memcpy(&eight, q->full + slot, sizeof eight);
            if (!eight) {
                d += 8;
                continue;
            }
        }
        if (q->full[slot]) {
            if (q->head[slot] != NOPOS)
                return q->cur + 1 + d;
            q->full[slot] = 0; /* emptied since: forget it */
        }
        d++;
    }
    return BAND_INF; /* not reached while the ring holds an event */
}

static inline int64_t ring_next(cc_evq *q)
{
    if (q->head[(uint64_t)(q->cur + 1) % NBAND] != NOPOS) /* the usual case: tomorrow has events */
        return q->cur + 1;
    return ring_scan(q);
}

static void set_ring_lo(cc_evq *q) { q->ring_lo = q->cur < EXACT_BANDS ? (double)(q->cur + 1) : NAN; }
static void set_ring_hi(cc_evq *q) { q->ring_hi = q->base < EXACT_BANDS ? (double)(q->base + NBAND) : INFINITY; }

/* day[] is empty: make band c (no event is earlier) the current one and
 * bring its events into day[], sorted. Once the current band is half a ring past
 * the last sort of the overflow (and always before an overflow event is
 * due: they are at least a ring past it), the overflow events within a ring
 * of c are sorted into it; so each overflow event is looked at about once
 * every NBAND / 2 days. */
static void enter_band(cc_evq *q, int64_t c)
{
    q->cur = c;
    set_ring_lo(q);
    if (c - q->base >= NBAND / 2) {
        q->base = c;
        set_ring_hi(q);
        q->over_min = BAND_INF;
        uint32_t h = q->head[OVERFLOW];
        while (h != NOPOS) {
            hslot *s = &q->hs[h];
            uint32_t nx = s->next;
            int64_t b = band_of(s->ev.t);
            if (b - c < NBAND) { /* b >= c: c is no later than over_min */
                list_remove(q, OVERFLOW, h);
                if (b == c) {
                    q->day[q->n++] = s->ev;
                    s->where = INDAY;
                    q->nl--;
                } else {
                    list_add(q, (uint32_t)((uint64_t)b % NBAND), h);
                }
            } else if (b < q->over_min) {
                q->over_min = b;
            }
            h = nx;
        }
    }
    node *day = q->day;
    size_t n = q->n, from_overflow = n; /* those are not sorted yet */
    uint32_t slot = (uint32_t)((uint64_t)c % NBAND);
    if (c != BAND_INF) { /* +infinity: handled by the overflow sort above */
        for (uint32_t h = q->head[slot]; h != NOPOS;) {
            hslot *s = &q->hs[h];
            node v = s->ev;
            s->where = INDAY;
            h = s->next;
            size_t j = n++;
            if (n <= WALK_SORT) /* insertion sort, as the events come */
                while (before(&day[j - 1], &v)) { /* the sentinel stops it */
                    day[j] = day[j - 1];
                    j--;
                }
            day[j] = v;
        }
        q->nl -= n - from_overflow;
        q->head[slot] = q->tail[slot] = NOPOS;
        q->full[slot] = 0;
    }
    q->n = n;
    if (from_overflow || n > WALK_SORT)
        sort_day(q, c, n);
    /* the next day's list will be walked like this one: follow it ahead of
     * time, one handle a pop (a linked list is one cache miss after
     * another when walked at once) */
    if (q->cap >= AHEAD_MIN && q->nl > q->nover) {
        uint32_t next = (uint32_t)((uint64_t)ring_next(q) % NBAND);
        q->ahead[0] = q->head[next];
        q->ahead[1] = q->tail[next];
        q->turn = q->ahead[0] != q->ahead[1] ? 0 : 2; /* (one handle: the day's walk reads it) */
        if (q->turn == 0) {
            __builtin_prefetch(&q->hs[q->ahead[0]]);
            __builtin_prefetch(&q->hs[q->ahead[1]]);
        }
    } else {
        q->turn = 2;
    }
}

/* Make day[] hold the earliest pending event, if any. */
static void refill(cc_evq *q)
{
    while (q->n == 0 && q->nl) {
        int64_t c = q->nl > q->nover ? ring_next(q) : BAND_INF;
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
        q->head[k] = q->tail[k] = NOPOS;
    q->over_min = BAND_INF;
    q->turn = 2;
    set_ring_lo(q);
    set_ring_hi(q);
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
    if (q->day)
        free(q->day - 1);
    if (q->spare)
        free(q->spare - 1);
    free(q->hs);
    free(q);
}

int ccq_grow(cc_evq *q, size_t capacity)
{
    if (capacity <= q->cap)
        return 0;
    if (capacity > (size_t)HMASK + 1)
        return -1;
    node *d = realloc(q->day ? q->day - 1 : NULL, (capacity + 1) * sizeof *d);
    if (!d)
        return -1;
    d[0] = (node){INFINITY, UINT64_MAX}; /* the sentinel: no event is later */
    q->day = d + 1;
    node *sp = realloc(q->spare ? q->spare - 1 : NULL, (capacity + 1) * sizeof *sp);
    if (!sp)
        return -1;
    sp[0] = d[0];
    q->spare = sp + 1;
    /* records on 64-byte lines (realloc aligns to 16 only: half of them
     * would straddle two lines, the event in one and the links in the
     * other); a nation's records are touched at random: from 2 MB up in
     * huge pages (bigmem.h) */
    hslot *hs = ccbm_grow(q->hs, q->cap * sizeof *hs, capacity * sizeof *hs);
    if (!hs)
        return -1;
    q->hs = hs;
    for (size_t i = q->cap; i < capacity; i++)
        q->hs[i].where = NOPOS;
    q->cap = capacity;
    return 0;
}

size_t ccq_capacity(const cc_evq *q) { return q->cap; }
size_t ccq_size(const cc_evq *q) { return q->n + q->nl; }
int ccq_pending(const cc_evq *q, uint32_t h) { return q->hs[h].where != NOPOS; }

/* ccq_schedule's less usual cases, kept out of its way: h's event is in
 * the day array (h_inday), or the new one is due within the current band
 * or the window of ring_lo is shut (h no longer pending nor counted). */
static __attribute__((noinline)) void schedule_else(cc_evq *q, uint32_t h, node v, double t, int h_inday)
{
    if (h_inday) {
        size_t i = day_find(q, h);
        if (q->day[i].t == v.t && q->day[i].kk == v.kk)
            return;
        day_remove(q, i);
    }
    file_event(q, h, v, band_of(t));
}

/* Declared inline (the declaration in evq.h is not, so this is the
 * external definition): the engine calls it for every event, and with
 * link-time optimisation its usual path goes into the caller. (Clang
 * warns on the static helpers it calls as if this were an inline
 * definition, -Wstatic-in-inline; it builds the fuzz targets, which gain
 * nothing from the hint, so it is left out there.) */
#if defined(__clang__)
#define SCHEDULE_INLINE
#else
#define SCHEDULE_INLINE inline
#endif
SCHEDULE_INLINE void ccq_schedule(cc_evq *q, uint32_t h, double t, uint32_t kind, uint8_t prio)
{
    t += 0.0; /* -0 + 0 = +0 */
    node v = {t, (uint64_t)(((uint32_t)prio << HBITS) | h) << 32 | kind};
    hslot *s = &q->hs[h];
    uint32_t w = s->where;
    if (w <= OVERFLOW) { /* the usual case: a child's next event, moved from one list... */
        /* the same event again (a child whose clocks did not move): nothing to do */
        if (s->ev.t == v.t && s->ev.kk == v.kk)
            return;
        list_remove(q, w, h);
    } else if (w == NOPOS) {
        q->nl++; /* taken back below if it goes into the day */
    } else {
        schedule_else(q, h, v, t, 1);
        return;
    }
    if (t >= q->ring_lo) { /* ... to another, without working out a band */
        s->ev = v;
        if (t < q->ring_hi) { /* t is then below 2^52 */
            list_add(q, (uint32_t)(int64_t)t % NBAND, h);
        } else {
            list_add(q, OVERFLOW, h);
            int64_t b = band_of(t);
            if (b < q->over_min)
                q->over_min = b;
        }
        return;
    }
    q->nl--;
    schedule_else(q, h, v, t, 0);
}

void ccq_cancel(cc_evq *q, uint32_t h)
{
    uint32_t w = q->hs[h].where;
    if (w <= OVERFLOW) {
        list_remove(q, w, h);
        q->hs[h].where = NOPOS;
        q->nl--;
    } else if (w == INDAY) {
        day_remove(q, day_find(q, h));
    }
}

int ccq_pop(cc_evq *q, cc_event *ev)
{
    if (q->n == 0) {
        refill(q);
        if (q->n == 0)
            return 0;
    }
    const node *top = &q->day[--q->n];
    ev->t = top->t;
    ev->handle = handle_of(top);
    ev->kind = (uint32_t)top->kk;
    q->hs[ev->handle].where = NOPOS;
    /* one step along the next day's list, from its two ends in turn: each
     * handle read here was fetched two pops ago */
    if (q->turn < 2) {
        uint32_t t = q->turn, a = q->ahead[t], other = q->ahead[t ^ 1];
        uint32_t nx = t ? q->hs[a].prev : q->hs[a].next;
        q->ahead[t] = nx;
        q->turn = t ^ 1;
        if (nx == other || nx >= q->cap)
            q->turn = 2; /* they met (or a stale one ran off its list) */
        else
            __builtin_prefetch(&q->hs[nx]);
    }
    return 1;
}

double ccq_peek_time(cc_evq *q)
{
    if (q->n == 0)
        refill(q);
    return q->n ? q->day[q->n - 1].t : INFINITY;
}

uint32_t ccq_next_hint(const cc_evq *q)
{
    return q->n ? handle_of(&q->day[q->n - 1]) : UINT32_MAX;
}

uint32_t ccq_hint_ahead(const cc_evq *q, size_t k)
{
    return q->n > k ? handle_of(&q->day[q->n - 1 - k]) : UINT32_MAX;
}

void ccq_clear(cc_evq *q)
{
    /* every record in order, rather than the lists' handles by their links
     * (with a nation's tens of thousands of pending events, one trip to
     * memory after another) */
    for (size_t i = 0; i < q->cap; i++)
        q->hs[i].where = NOPOS;
    for (size_t k = 0; k <= NBAND; k++)
        q->head[k] = q->tail[k] = NOPOS;
    memset(q->full, 0, sizeof q->full);
    q->n = q->nl = q->nover = 0;
    q->cur = q->base = 0;
    q->over_min = BAND_INF;
    q->turn = 2;
    set_ring_lo(q);
    set_ring_hi(q);
}
