/* acc: mergeable accumulators: exact histograms for counts, log bins for
 * the rest, exact integer sums for the mean and standard deviation. */
#include "acc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "wideint.h"

/* A dense run of bins: bin[i] counts key lo + i (an exact histogram). */
typedef struct {
    int32_t lo, cap;
    uint32_t *bin;
} window;

/* Log bins kept in pages of PAGE bins, only the pages that hold a value:
 * a money series' values cluster around one magnitude but a few lie
 * decades away (a month without a placement of some type, rounding noise
 * near 0), and a dense run of 32-bit bins from the smallest key to the
 * largest was 96% empty (258 MB of a county's 1,000-replication run). A
 * bin's count is its byte in a page plus 256 times its entry in the
 * overflow list (few bins ever pass 255). Page number p holds keys whose
 * unsigned form u = key ^ 2^31 (which keeps their order) has
 * u >> PAGE_BITS == p; page[i] is the i-th page in key order, its bytes at
 * cnt + at[i] * PAGE (pages are appended to cnt as they come). */
enum { PAGE_BITS = 4, PAGE = 1 << PAGE_BITS };
/* (at level 31 every value of one sign is in one of two bins) */
enum { MAX_LEVEL = 31 };
typedef struct {
    int32_t n, cap;  /* pages held, room for */
    uint32_t *page;  /* [n]: page numbers, ascending */
    int32_t *at;     /* [n]: where each page's counts are in cnt */
    uint8_t *cnt;    /* [cap * PAGE]: each bin's count modulo 256 */
    int32_t last;    /* index of the page used last (a hint) */
    int32_t nover, capover;
    uint32_t *okey;  /* [nover]: unsigned keys of bins past 255, ascending */
    uint64_t *ohi;   /* [nover]: their counts / 256 */
    int32_t nocc;    /* bins that hold a value */
} pages;

/* (what every add reads first, and a histogram's or a list's add reads
 * at all, is in the first 64 bytes: a run adds to tens of thousands of
 * accumulators in turn, so each is a cache miss) */
struct ccac {
    _Alignas(64) int mode; /* HIST, LIST or BINNED */
    int32_t nval;
    int64_t n;
    double min, max;
    window pos;    /* HIST */
    double *val;   /* LIST: the distinct values, ascending */
    uint32_t *cnt; /* LIST: how often each came */
    ccwi_i128 s1;   /* sum of the values in quanta */
    ccwi_u256 s2;  /* sum of their squares */
    pages bpos, bneg; /* BINNED: positive and negative values by magnitude */
    int level;     /* BINNED: bins of 2^level level-0 bins (see settle) */
    uint64_t zero; /* binned: magnitudes under CCAC_TINY */
};

/* HIST: pos is a histogram of whole values; LIST: the distinct values and
 * their counts; BINNED: log bins (bpos, bneg, zero) */
enum { HIST, LIST, BINNED };

/* bins grow by factors of gamma = (1 + alpha) / (1 - alpha): a bin's
 * representative 2 gamma^(i+1) / (1 + gamma) is then within alpha of every
 * value in [gamma^i, gamma^(i+1)) */
static double ln_gamma(void) { return log((1 + CCAC_ALPHA) / (1 - CCAC_ALPHA)); }

static int32_t bin_key(double mag) { return (int32_t)floor(log(mag) / ln_gamma()); }

/* At level L a bin is 2^L level-0 bins: its unsigned key is the level-0
 * unsigned key (below) shifted right by L, that is floor(key / 2^L) +
 * 2^(31 - L), and it spans [gamma_L^k, gamma_L^(k+1)) with gamma_L =
 * gamma^(2^L), so its representative is within alpha_L = (gamma_L - 1) /
 * (gamma_L + 1) of every value in it. */
static double bin_value(uint32_t u, int level)
{
    int64_t key = (int64_t)u - ((int64_t)1 << (31 - level));
    double w = ldexp(ln_gamma(), level);
    double g = level ? exp(w) : (1 + CCAC_ALPHA) / (1 - CCAC_ALPHA);
    return exp((double)(key + 1) * w) * 2 / (1 + g);
}

static void pages_free(pages *p)
{
    free(p->page);
    free(p->at);
    free(p->cnt);
    free(p->okey);
    free(p->ohi);
    memset(p, 0, sizeof *p);
}

static uint32_t ukey(int32_t key) { return (uint32_t)key ^ 0x80000000u; }

/* Room for cap pages in p (empty). 0, or -1 when memory ran out (p
 * then freed). */
static int pages_reserve(pages *p, int32_t cap)
{
    if (cap < 4)
        cap = 4;
    p->page = malloc((size_t)cap * sizeof *p->page);
    p->at = malloc((size_t)cap * sizeof *p->at);
    p->cnt = malloc((size_t)cap * PAGE);
    if (!p->page || !p->at || !p->cnt) {
        free(p->page);
        free(p->at);
        free(p->cnt);
        memset(p, 0, sizeof *p);
        return -1;
    }
    p->cap = cap;
    return 0;
}

/* The first index i of the ascending v[0..n-1] with v[i] >= t (n when
 * none), by a bisection without branches on the comparisons: the values
 * searched for come in a random order, and a branch on them was
 * mispredicted half the time. Each step moves by a mask of the comparison
 * (a product put a multiply in the chain of loads). One body for the page
 * index (uint32_t) and the lists (double). */
#define FIRST_AT_LEAST(name, T)                                                                                        \
    static int32_t name(const T *v, int32_t n, T t)                                                                    \
    {                                                                                                                  \
        if (n == 0)                                                                                                    \
            return 0;                                                                                                  \
        const T *base = v;                                                                                             \
        while (n > 1) {                                                                                                \
            int32_t half = n / 2;                                                                                      \
            base += (size_t)half & ((size_t)0 - (size_t)(base[half - 1] < t));                                         \
            n -= half;                                                                                                 \
        }                                                                                                              \
        return (int32_t)(base - v) + (*base < t);                                                                      \
    }
FIRST_AT_LEAST(first_at_least_u32, uint32_t)
FIRST_AT_LEAST(first_at_least_f64, double)
#undef FIRST_AT_LEAST

/* Room for at least need pages in p (by half as many again at a time).
 * 0, or -1 when memory ran out (p still valid). */
static int pages_grow(pages *p, int32_t need)
{
    int32_t cap = p->cap < 4 ? 4 : p->cap + p->cap / 2;
    if (cap < need)
        cap = need;
    uint32_t *page = realloc(p->page, (size_t)cap * sizeof *page);
    if (!page)
        return -1;
    p->page = page;
    int32_t *at = realloc(p->at, (size_t)cap * sizeof *at);
    if (!at)
        return -1;
    p->at = at;
    uint8_t *cnt = realloc(p->cnt, (size_t)cap * PAGE);
    if (!cnt)
        return -1;
    p->cnt = cnt;
    p->cap = cap;
    return 0;
}

/* The bytes of page pg, added (zeroed) when new; NULL when memory ran out
 * (p unchanged). */
static uint8_t *page_get(pages *p, uint32_t pg)
{
    if (p->n > 0 && p->last < p->n && p->page[p->last] == pg)
        return p->cnt + (size_t)p->at[p->last] * PAGE;
    /* first index with page >= pg; past the last for keys that come in
     * order (to_binned's) */
    int32_t lo = p->n > 0 && p->page[p->n - 1] < pg ? p->n : first_at_least_u32(p->page, p->n, pg);
    if (lo < p->n && p->page[lo] == pg) {
        p->last = lo;
        return p->cnt + (size_t)p->at[lo] * PAGE;
    }
    if (p->n == p->cap && pages_grow(p, p->n + 1) != 0)
        return NULL;
    memmove(p->page + lo + 1, p->page + lo, (size_t)(p->n - lo) * sizeof *p->page);
    memmove(p->at + lo + 1, p->at + lo, (size_t)(p->n - lo) * sizeof *p->at);
    p->page[lo] = pg;
    p->at[lo] = p->n;
    uint8_t *c = p->cnt + (size_t)p->n * PAGE;
    memset(c, 0, PAGE);
    p->n++;
    p->last = lo;
    return c;
}

/* Add hi * 256 to the count of the bin with unsigned key u. 0 or -1. */
static int over_add(pages *p, uint32_t u, uint64_t hi)
{
    int32_t lo = 0, top = p->nover;
    while (lo < top) {
        int32_t mid = lo + (top - lo) / 2;
        if (p->okey[mid] < u)
            lo = mid + 1;
        else
            top = mid;
    }
    if (lo < p->nover && p->okey[lo] == u) {
        p->ohi[lo] += hi;
        return 0;
    }
    if (p->nover == p->capover) {
        int32_t cap = p->capover < 4 ? 4 : 2 * p->capover;
        uint32_t *k = realloc(p->okey, (size_t)cap * sizeof *k);
        if (!k)
            return -1;
        p->okey = k;
        uint64_t *h = realloc(p->ohi, (size_t)cap * sizeof *h);
        if (!h)
            return -1;
        p->ohi = h;
        p->capover = cap;
    }
    memmove(p->okey + lo + 1, p->okey + lo, (size_t)(p->nover - lo) * sizeof *p->okey);
    memmove(p->ohi + lo + 1, p->ohi + lo, (size_t)(p->nover - lo) * sizeof *p->ohi);
    p->okey[lo] = u;
    p->ohi[lo] = hi;
    p->nover++;
    return 0;
}

/* Index of the overflow entry of unsigned key u, or -1. */
static int32_t over_find(const pages *p, uint32_t u)
{
    int32_t lo = 0, top = p->nover;
    while (lo < top) {
        int32_t mid = lo + (top - lo) / 2;
        if (p->okey[mid] < u)
            lo = mid + 1;
        else
            top = mid;
    }
    return lo < p->nover && p->okey[lo] == u ? lo : -1;
}

/* Add c (> 0) to the byte b of the bin with unsigned key u, carrying into
 * the overflow list, and count the bin when it was empty. 0 or -1. */
static int byte_add(pages *p, uint8_t *b, uint32_t u, uint64_t c)
{
    int was_empty = *b == 0; /* (no branch on it: it follows random values) */
    if (p->nover > 0 && was_empty)
        was_empty = over_find(p, u) < 0;
    uint64_t t = *b + c;
    if (t > 255 && over_add(p, u, t >> 8) != 0)
        return -1;
    *b = (uint8_t)(t & 255);
    p->nocc += was_empty;
    return 0;
}

/* Add c (> 0) to the bin of unsigned key u (at the pages' level). 0, or -1
 * when memory ran out. */
static int pages_add(pages *p, uint32_t u, uint64_t c)
{
    uint8_t *b = page_get(p, u >> PAGE_BITS);
    return b ? byte_add(p, b + (u & (PAGE - 1)), u, c) : -1;
}

/* The bins of p one level up (pairs of bins merged) into an empty q. 0, or
 * -1 when memory ran out (q then freed, p unchanged). */
static int pages_up(const pages *p, pages *q)
{
    memset(q, 0, sizeof *q);
    for (int32_t i = 0, o = 0; i < p->n; i++) {
        const uint8_t *c = p->cnt + (size_t)p->at[i] * PAGE;
        for (int sl = 0; sl < PAGE; sl++) {
            uint32_t u = (p->page[i] << PAGE_BITS) | (uint32_t)sl;
            uint64_t n = c[sl];
            while (o < p->nover && p->okey[o] < u)
                o++;
            if (o < p->nover && p->okey[o] == u)
                n += p->ohi[o] << 8;
            if (n > 0 && pages_add(q, u >> 1, n) != 0) {
                pages_free(q);
                return -1;
            }
        }
    }
    return 0;
}

ccac *ccac_new_array(size_t n)
{
    size_t k = n ? n : 1;
    if (k > SIZE_MAX / sizeof(ccac))
        return NULL;
    ccac *a = aligned_alloc(_Alignof(ccac), k * sizeof(ccac)); /* (a multiple of the alignment) */
    if (a)
        memset(a, 0, k * sizeof(ccac));
    return a;
}

void ccac_free_array(ccac *a, size_t n)
{
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        free(a[i].pos.bin);
        pages_free(&a[i].bpos);
        pages_free(&a[i].bneg);
        free(a[i].val);
        free(a[i].cnt);
    }
    free(a);
}

ccac *ccac_at(ccac *a, size_t i) { return a + i; }
const ccac *ccac_at_c(const ccac *a, size_t i) { return a + i; }
int64_t ccac_count(const ccac *a) { return a->n; }

static size_t pages_bytes(const pages *p)
{
    return (size_t)p->cap * (sizeof *p->page + sizeof *p->at + PAGE) +
           (size_t)p->capover * (sizeof *p->okey + sizeof *p->ohi);
}

size_t ccac_bytes(const ccac *a)
{
    return (size_t)a->pos.cap * sizeof *a->pos.bin + pages_bytes(&a->bpos) + pages_bytes(&a->bneg) +
           (a->val ? (size_t)CCAC_DISTINCT * (sizeof *a->val + sizeof *a->cnt) : 0);
}
int ccac_exact(const ccac *a) { return a->mode != BINNED; }

double ccac_alpha(const ccac *a)
{
    if (a->mode != BINNED)
        return 0;
    if (a->level == 0)
        return CCAC_ALPHA;
    double g = exp(ldexp(ln_gamma(), a->level));
    return (g - 1) / (g + 1);
}

int ccac_level(const ccac *a) { return a->mode == BINNED ? a->level : 0; }

/* Make key k part of w. 0, or -1 (w unchanged) when memory ran out. */
static int reach(window *w, int32_t k)
{
    if (w->bin && k >= w->lo && k - w->lo < w->cap)
        return 0;
    int64_t a = w->bin ? (k < w->lo ? k : w->lo) : k;
    int64_t b = w->bin ? (k > w->lo + w->cap - 1 ? k : w->lo + w->cap - 1) : k;
    int64_t cap = b - a + 1;
    /* room to grow by half again (amortised), toward the side that grew */
    if (cap < (int64_t)w->cap + w->cap / 2)
        cap = (int64_t)w->cap + w->cap / 2;
    if (cap < 16)
        cap = 16;
    int64_t lo = (w->bin && k < w->lo) ? b - cap + 1 : a;
    uint32_t *bin = calloc((size_t)cap, sizeof *bin);
    if (!bin)
        return -1;
    if (w->bin)
        memcpy(bin + (w->lo - lo), w->bin, (size_t)w->cap * sizeof *bin);
    free(w->bin);
    w->bin = bin;
    w->lo = (int32_t)lo;
    w->cap = (int32_t)cap;
    return 0;
}

/* Binned: add c values of x to pages at the level given (of the binned
 * accumulator's pages). */
static int bin_add(pages *pos, pages *neg, uint64_t *zero, int level, double x, uint32_t c)
{
    double mag = fabs(x);
    if (mag < CCAC_TINY) {
        *zero += c;
        return 0;
    }
    return pages_add(x > 0 ? pos : neg, ukey(bin_key(mag)) >> level, c);
}

/* Binned: merge the bins in pairs (one level up). 0, or -1 when memory ran
 * out (a unchanged). */
static int level_up(ccac *a)
{
    pages pos, neg;
    if (pages_up(&a->bpos, &pos) != 0)
        return -1;
    if (pages_up(&a->bneg, &neg) != 0) {
        pages_free(&pos);
        return -1;
    }
    pages_free(&a->bpos);
    pages_free(&a->bneg);
    a->bpos = pos;
    a->bneg = neg;
    a->level++;
    return 0;
}

/* Binned: while more than CCAC_BINS bins hold a value, merge the bins in
 * pairs (one level up). The level reached is the lowest at which the
 * values added fall in at most CCAC_BINS bins: a bigger sample never needs
 * a lower level, and a level's bins hold the same counts whichever way
 * they were reached, so the accumulator does not depend on the order of
 * adding and merging. 0, or -1 when memory ran out (a usable, its
 * count of bins over the bound). */
static int settle(ccac *a)
{
    while (a->bpos.nocc + a->bneg.nocc > CCAC_BINS)
        if (level_up(a) != 0)
            return -1;
    return 0;
}

static int whole_key(double x) { return x == floor(x) && fabs(x) < 2147483647.0; }

/* x in quanta (toward 0: any fixed rule makes the sums order-free) */
static long long quanta(double x) { return (long long)(x * (double)(1LL << CCAC_QUANTUM_BITS)); }

/* Add c values x to the exact sums (kept only while binned: an exact
 * sample gives them when it turns binned). */
static void sums_add(ccac *a, double x, uint32_t c)
{
    long long q = quanta(x);
    a->s1 += (ccwi_i128)q * c;
    ccwi_u128 m = (ccwi_u128)(q < 0 ? -(ccwi_i128)q : q);
    if (c == 1) { /* |q| < 2^63: the square fits in 128 bits */
        ccwi_add128(&a->s2, m * m);
        return;
    }
    ccwi_u256 sq = ccwi_sq128(m);
    ccwi_u256 t = ccwi_mul64(&sq, c);
    ccwi_add(&a->s2, &t);
}

/* Sums of values added once each, gathered apart and added to an
 * accumulator at once (sums_flush): s1, and the squares' low 128 bits with
 * the carries out of them (|q| < 2^63: each square fits in 128 bits). */
typedef struct {
    ccwi_i128 s1;
    ccwi_u128 sq_lo;
    uint64_t sq_hi;
} sums_batch;

static inline void sums_one(sums_batch *b, long long q)
{
    b->s1 += q;
    ccwi_u128 m = (ccwi_u128)(q < 0 ? -(ccwi_i128)q : q), sum = b->sq_lo + m * m;
    b->sq_hi += sum < b->sq_lo; /* (a carry out of the low 128 bits) */
    b->sq_lo = sum;
}

static void sums_flush(ccac *a, const sums_batch *b)
{
    a->s1 += b->s1;
    ccwi_u256 s2 = {{(uint64_t)b->sq_lo, (uint64_t)(b->sq_lo >> 64), b->sq_hi, 0}};
    ccwi_add(&a->s2, &s2);
}

/* Number of distinct values held (HIST or LIST). */
static int64_t distinct(const ccac *a)
{
    if (a->mode == LIST)
        return a->nval;
    int64_t d = 0;
    for (int32_t i = 0; a->pos.bin && i < a->pos.cap; i++)
        d += a->pos.bin[i] != 0;
    return d;
}

/* Into log bins, from HIST or LIST. 0 or -1 (unchanged). */
static int to_binned(ccac *a)
{
    if (a->mode == BINNED)
        return 0;
    pages pos, neg;
    memset(&pos, 0, sizeof pos);
    memset(&neg, 0, sizeof neg);
    uint64_t zero = 0;
    int rc = 0;
    if (a->mode == HIST) {
        for (int32_t i = 0; a->pos.bin && i < a->pos.cap && !rc; i++)
            if (a->pos.bin[i])
                rc = bin_add(&pos, &neg, &zero, 0, (double)(a->pos.lo + i), a->pos.bin[i]);
    } else {
        /* (the list ascends: its negative values from the last one down,
         * then the others up, come in ascending keys, so each new page goes
         * at the end; at most nval pages) */
        int32_t i0 = 0;
        while (i0 < a->nval && a->val[i0] < 0)
            i0++;
        rc = (i0 > 0 ? pages_reserve(&neg, i0) : 0) | (i0 < a->nval ? pages_reserve(&pos, a->nval - i0) : 0);
        for (int32_t i = i0 - 1; i >= 0 && !rc; i--)
            rc = bin_add(&pos, &neg, &zero, 0, a->val[i], a->cnt[i]);
        for (int32_t i = i0; i < a->nval && !rc; i++)
            rc = bin_add(&pos, &neg, &zero, 0, a->val[i], a->cnt[i]);
    }
    if (rc) {
        pages_free(&pos);
        pages_free(&neg);
        return -1;
    }
    /* the exact sums of the exact sample */
    a->s1 = 0;
    memset(&a->s2, 0, sizeof a->s2);
    if (a->mode == HIST) {
        for (int32_t i = 0; a->pos.bin && i < a->pos.cap; i++)
            if (a->pos.bin[i])
                sums_add(a, (double)(a->pos.lo + i), a->pos.bin[i]);
    } else {
        /* (values that came once, most of a list of money, summed here;
         * the squares' low 128 bits and their carries) */
        sums_batch sb = {0, 0, 0};
        for (int32_t i = 0; i < a->nval; i++) {
            if (a->cnt[i] != 1)
                sums_add(a, a->val[i], a->cnt[i]);
            else
                sums_one(&sb, quanta(a->val[i]));
        }
        sums_flush(a, &sb);
    }
    free(a->pos.bin);
    memset(&a->pos, 0, sizeof a->pos);
    free(a->val);
    free(a->cnt);
    a->val = NULL;
    a->cnt = NULL;
    a->nval = 0;
    a->bpos = pos;
    a->bneg = neg;
    a->zero = zero;
    a->level = 0;
    a->mode = BINNED;
    return settle(a);
}

/* From HIST to LIST (distinct(a) <= CCAC_DISTINCT). 0 or -1 (unchanged). */
static int to_list(ccac *a)
{
    int64_t d = distinct(a);
    double *val = malloc((size_t)CCAC_DISTINCT * sizeof *val);
    uint32_t *cnt = malloc((size_t)CCAC_DISTINCT * sizeof *cnt);
    /* (the full size at once: a list lives only while there are few
     * replications or few values) */
    if (!val || !cnt || d > CCAC_DISTINCT) {
        free(val);
        free(cnt);
        return -1;
    }
    int32_t k = 0;
    for (int32_t i = 0; a->pos.bin && i < a->pos.cap; i++)
        if (a->pos.bin[i]) {
            val[k] = (double)(a->pos.lo + i);
            cnt[k++] = a->pos.bin[i];
        }
    free(a->pos.bin);
    a->pos.bin = NULL;
    a->pos.lo = a->pos.cap = 0;
    a->val = val;
    a->cnt = cnt;
    a->nval = k;
    a->mode = LIST;
    return 0;
}

/* Leave HIST for LIST, or for BINNED when more than CCAC_DISTINCT values
 * would then be distinct (extra: values about to come that may be new). */
static int leave_hist(ccac *a, int64_t extra)
{
    if (a->mode != HIST)
        return 0;
    return distinct(a) + extra <= CCAC_DISTINCT ? to_list(a) : to_binned(a);
}

/* LIST or BINNED: add c values x. */
static int add_count(ccac *a, double x, uint32_t c)
{
    if (a->mode == LIST) {
        int32_t lo = 0, hi = a->nval; /* first index with val >= x */
        while (lo < hi) {
            int32_t mid = lo + (hi - lo) / 2;
            if (a->val[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < a->nval && a->val[lo] == x) {
            a->cnt[lo] += c;
            return 0;
        }
        if (a->nval < CCAC_DISTINCT) {
            memmove(a->val + lo + 1, a->val + lo, (size_t)(a->nval - lo) * sizeof *a->val);
            memmove(a->cnt + lo + 1, a->cnt + lo, (size_t)(a->nval - lo) * sizeof *a->cnt);
            a->val[lo] = x;
            a->cnt[lo] = c;
            a->nval++;
            return 0;
        }
        if (to_binned(a) != 0)
            return -1;
    }
    if (bin_add(&a->bpos, &a->bneg, &a->zero, a->level, x, c) != 0 || settle(a) != 0)
        return -1;
    sums_add(a, x, c);
    return 0;
}

/* The count and range (the sums: add_count). */
static void add_sums(ccac *a, double x)
{
    if (a->n == 0 || x < a->min)
        a->min = x;
    if (a->n == 0 || x > a->max)
        a->max = x;
    a->n++;
}

int ccac_add(ccac *a, double x)
{
    if (!isfinite(x) || fabs(x) >= CCAC_MAX)
        return -1;
    x += 0.0; /* -0 is 0 */
    if (a->mode == HIST) {
        double lo = a->n && a->min < x ? a->min : x, hi = a->n && a->max > x ? a->max : x;
        if (whole_key(x) && hi - lo < CCAC_COUNT_RANGE) {
            if (reach(&a->pos, (int32_t)x) != 0)
                return -1;
            a->pos.bin[(int32_t)x - a->pos.lo]++;
            a->min = lo;
            a->max = hi;
            a->n++;
            return 0;
        }
        if (leave_hist(a, 1) != 0)
            return -1;
    }
    if (add_count(a, x, 1) != 0)
        return -1;
    add_sums(a, x);
    return 0;
}

/* LIST: add the n (<= LIST_BATCH) values x at once when they are all
 * finite and in range and the list then holds at most CCAC_DISTINCT
 * distinct values: each value is found in the list by bisection (a list
 * that has settled takes a batch without a sort), the values that are
 * not there sorted, and the list's blocks between them moved up once
 * each, from the end (not the whole list shifted per value). The same
 * list, counts and range as adding them one by one. 1 when done; 0 (a
 * unchanged) otherwise. */
enum { LIST_BATCH = 128 };

/* (compare-exchange without a branch: fresh values come in a random
 * order, and a branch on them was mispredicted half the time) */
#define CMPX(a, b)                                                                                                     \
    do {                                                                                                               \
        double lo_ = (b) < (a) ? (b) : (a), hi_ = (a) < (b) ? (b) : (a); /* (minsd, maxsd) */                          \
        (a) = lo_;                                                                                                     \
        (b) = hi_;                                                                                                     \
    } while (0)

/* Sort 8 values: Batcher's odd-even merge network, 19 compare-exchanges. */
static void sort8(double *v)
{
    double a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
    CMPX(a, b);
    CMPX(c, d);
    CMPX(e, f);
    CMPX(g, h);
    CMPX(a, c);
    CMPX(b, d);
    CMPX(e, g);
    CMPX(f, h);
    CMPX(b, c);
    CMPX(f, g);
    CMPX(a, e);
    CMPX(b, f);
    CMPX(c, g);
    CMPX(d, h);
    CMPX(c, e);
    CMPX(d, f);
    CMPX(b, c);
    CMPX(d, e);
    CMPX(f, g);
    v[0] = a;
    v[1] = b;
    v[2] = c;
    v[3] = d;
    v[4] = e;
    v[5] = f;
    v[6] = g;
    v[7] = h;
}
#undef CMPX

/* Sort v[0..n-1] (finite) ascending, w as room: runs of 8 by sort8 (a
 * shorter last run by insertion), then merged in pairs (an insertion sort
 * of a whole batch moved about n^2 / 4 values). */
static void sort_values(double *v, double *w, int n)
{
    for (int r = 0; r < n; r += 8) {
        int e = r + 8 < n ? r + 8 : n;
        if (e - r == 8) {
            sort8(v + r);
            continue;
        }
        for (int i = r + 1; i < e; i++) {
            double t = v[i];
            int j = i;
            for (; j > r && v[j - 1] > t; j--)
                v[j] = v[j - 1];
            v[j] = t;
        }
    }
    double *src = v, *dst = w;
    for (int width = 8; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) { /* (without a branch on the values) */
                double x = src[i], y = src[j];
                int t = y < x;
                dst[k++] = t ? y : x;
                j += t;
                i += 1 - t;
            }
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        double *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, (size_t)n * sizeof *v);
}

/* The first index of a's list with a value >= t (nval when none). */
static int32_t list_find(const ccac *a, double t) { return first_at_least_f64(a->val, a->nval, t); }

static int list_add_n(ccac *a, const double *x, int n)
{
    /* each value looked up in the list: the hits' places in at[], the
     * others (fresh) in v[]; a full list takes no fresh value, so a batch
     * that would turn it binned stops at its first */
    double v[LIST_BATCH], w[LIST_BATCH], lo = 0, hi = 0;
    int32_t at[LIST_BATCH];
    int nh = 0, nf = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || fabs(x[i]) >= CCAC_MAX)
            return 0;
        double t = x[i] + 0.0; /* -0 is 0 */
        lo = i == 0 || t < lo ? t : lo;
        hi = i == 0 || t > hi ? t : hi;
        int32_t k = list_find(a, t);
        if (k < a->nval && a->val[k] == t) {
            at[nh++] = k;
        } else {
            if (a->nval == CCAC_DISTINCT)
                return 0;
            v[nf++] = t;
        }
    }
    /* the fresh values sorted, their distinct ones in u[] with their
     * counts, and each one's place: pos[d] is the first list index with a
     * value above u[d] */
    double u[LIST_BATCH];
    int32_t pos[LIST_BATCH];
    uint32_t cnt[LIST_BATCH];
    int nd = 0;
    if (nf > 0) {
        sort_values(v, w, nf);
        for (int i = 0; i < nf; i++) {
            if (nd > 0 && v[i] == u[nd - 1]) {
                cnt[nd - 1]++;
                continue;
            }
            u[nd] = v[i];
            cnt[nd++] = 1;
        }
        if (a->nval + nd > CCAC_DISTINCT)
            return 0;
        for (int d = 0; d < nd; d++)
            pos[d] = list_find(a, u[d]);
    }
    for (int h = 0; h < nh; h++)
        a->cnt[at[h]]++;
    /* from the last: the list's block from pos[d] up moves up by the fresh
     * values above u[d], then u[d] goes in below it */
    int32_t end = a->nval, shift = nd;
    for (int d = nd - 1; d >= 0; d--) {
        int32_t from = pos[d], len = end - from;
        if (len > 0) {
            memmove(a->val + from + shift, a->val + from, (size_t)len * sizeof *a->val);
            memmove(a->cnt + from + shift, a->cnt + from, (size_t)len * sizeof *a->cnt);
        }
        shift--;
        a->val[from + shift] = u[d];
        a->cnt[from + shift] = cnt[d];
        end = from;
    }
    a->nval += nd;
    if (a->n == 0 || lo < a->min)
        a->min = lo;
    if (a->n == 0 || hi > a->max)
        a->max = hi;
    a->n += n;
    return 1;
}

/* Fetch p's page numbers, places and counts from memory, all at once (a
 * batch touches most of them, and one by one each was a miss in turn). */
static void pages_prefetch(const pages *p)
{
    size_t n = (size_t)p->n;
    for (size_t b = 0; b < n * sizeof *p->page; b += 64)
        __builtin_prefetch((const char *)p->page + b);
    for (size_t b = 0; b < n * sizeof *p->at; b += 64)
        __builtin_prefetch((const char *)p->at + b);
    for (size_t b = 0; b < n * PAGE; b += 64)
        __builtin_prefetch(p->cnt + b, 1);
}

/* BINNED: add the n (<= LIST_BATCH) values x at once when they are all
 * finite and in range: the keys first, then the bins (page_get's hint
 * serves a run of keys on one page), the sums gathered locally and added
 * once, and the bins merged (settle) once at the end (sorting the keys to
 * look each page up once cost more than it saved: a batch of 64 money
 * values falls in about as many pages). The same accumulator as adding
 * them one by one: a bin's count and the sums do not depend on the order,
 * and the level settled at the end is the lowest at which the whole sample
 * fits, as after each value (see settle). 1 when done (0 or -1 in *rc);
 * 0 (a unchanged) when a value is not finite or out of range. */
static int binned_add_n(ccac *a, const double *x, int n, int *rc)
{
    pages_prefetch(&a->bpos);
    pages_prefetch(&a->bneg);
    uint32_t key[2][LIST_BATCH]; /* [0]: negative, [1]: positive values */
    int nk[2] = {0, 0};
    uint64_t zero = 0;
    sums_batch sb = {0, 0, 0};
    double lo = 0, hi = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || fabs(x[i]) >= CCAC_MAX)
            return 0;
        double t = x[i] + 0.0; /* -0 is 0 */
        lo = i == 0 || t < lo ? t : lo;
        hi = i == 0 || t > hi ? t : hi;
        sums_one(&sb, quanta(t));
        double mag = fabs(t);
        if (mag < CCAC_TINY) {
            zero++;
            continue;
        }
        int sg = t > 0;
        key[sg][nk[sg]++] = ukey(bin_key(mag)) >> a->level;
    }
    *rc = 0;
    for (int sg = 0; sg < 2 && *rc == 0; sg++) {
        pages *p = sg ? &a->bpos : &a->bneg;
        for (int i = 0; i < nk[sg]; i++) {
            uint32_t u = key[sg][i];
            uint8_t *b = page_get(p, u >> PAGE_BITS);
            if (!b || byte_add(p, b + (u & (PAGE - 1)), u, 1) != 0) {
                *rc = -1;
                break;
            }
        }
    }
    a->zero += zero;
    sums_flush(a, &sb);
    a->min = a->n == 0 || lo < a->min ? lo : a->min;
    a->max = a->n == 0 || hi > a->max ? hi : a->max;
    a->n += n;
    if (*rc == 0 && settle(a) != 0)
        *rc = -1;
    return 1;
}

int ccac_add_n(ccac *a, const double *x, int n)
{
    if (a->mode == HIST && n > 0 && n <= LIST_BATCH) {
        /* one range test and one reach for the lot when they are all whole
         * and the histogram may take them: the same bins, counts and range
         * as adding them one by one (-0 is the key 0); the tests and the
         * range in loops without branches on the values */
        int32_t key[LIST_BATCH], lo, hi;
        int bad = 0, i;
        for (i = 0; i < n; i++) {
            double v = x[i];
            int in = fabs(v) < 2147483647.0; /* (and not NaN) */
            int32_t k = (int32_t)(in ? v : 0.0);
            bad |= !in | ((double)k != v);
            key[i] = k;
        }
        lo = hi = key[0];
        for (i = 1; i < n; i++) {
            lo = key[i] < lo ? key[i] : lo;
            hi = key[i] > hi ? key[i] : hi;
        }
        if (!bad) {
            double glo = a->n && a->min < lo ? a->min : lo, ghi = a->n && a->max > hi ? a->max : hi;
            if (ghi - glo < CCAC_COUNT_RANGE) {
                if (reach(&a->pos, lo) != 0 || reach(&a->pos, hi) != 0)
                    return -1;
                uint32_t *bin = a->pos.bin;
                int32_t base = a->pos.lo;
                if (lo == hi) /* (a constant series, often 0: one add, not a chain of n) */
                    bin[lo - base] += (uint32_t)n;
                else
                    for (i = 0; i < n; i++)
                        bin[key[i] - base]++;
                a->min = glo;
                a->max = ghi;
                a->n += n;
                return 0;
            }
        }
    }
    int ok = n > 0 && n <= LIST_BATCH;
    for (int i = 0; ok && i < n; i++)
        ok = isfinite(x[i]) && fabs(x[i]) < CCAC_MAX;
    /* (with every value valid, an empty histogram that cannot take the
     * batch would leave for a list at its first value that does not fit,
     * and a list that cannot take it all would turn binned on the way:
     * the same accumulator as changing form first) */
    if (ok && a->mode == HIST && a->n == 0 && to_list(a) != 0)
        return -1;
    if (a->mode == LIST && ok && list_add_n(a, x, n))
        return 0;
    if (a->mode == LIST && ok && to_binned(a) != 0)
        return -1;
    int rc = 0;
    if (a->mode == BINNED && n > 0 && n <= LIST_BATCH && binned_add_n(a, x, n, &rc))
        return rc;
    for (int i = 0; i < n; i++)
        rc |= ccac_add(a, x[i]);
    return rc ? -1 : 0;
}

/* Add everything of src's HIST window or LIST to dst (not HIST). */
static int merge_values(ccac *dst, const ccac *src)
{
    if (src->mode == LIST) {
        for (int32_t i = 0; i < src->nval; i++)
            if (add_count(dst, src->val[i], src->cnt[i]) != 0)
                return -1;
        return 0;
    }
    for (int32_t i = 0; src->pos.bin && i < src->pos.cap; i++)
        if (src->pos.bin[i] && add_count(dst, (double)(src->pos.lo + i), src->pos.bin[i]) != 0)
            return -1;
    return 0;
}

/* Add the bytes c of page pg to d's bytes b of the same page, as byte_add
 * each nonzero one. Without an overflow list and with no byte passing
 * 255, in loops without branches (the compiler's vector instructions).
 * 0 or -1. */
static int page_add(pages *d, uint8_t *b, const uint8_t *c, uint32_t pg)
{
    unsigned over = 0;
    for (int s = 0; s < PAGE; s++)
        over |= ((unsigned)b[s] + c[s]) >> 8;
    if (d->nover == 0 && over == 0) {
        int32_t occ = 0;
        for (int s = 0; s < PAGE; s++) {
            occ += (b[s] == 0) & (c[s] != 0);
            b[s] = (uint8_t)(b[s] + c[s]);
        }
        d->nocc += occ;
        return 0;
    }
    for (int s = 0; s < PAGE; s++)
        if (c[s] && byte_add(d, b + s, (pg << PAGE_BITS) | (uint32_t)s, c[s]) != 0)
            return -1;
    return 0;
}

/* Add src's pages to d's at the same level: both lists are in page order,
 * so they are walked together (a bisection a page and an insertion each
 * new page were most of the merge's time): first to count the pages d
 * lacks, then from the end, each entry of d moved to its final place
 * once. A new page's bytes are appended to d's, zeroed, then added. 0, or
 * -1 when memory ran out (d then only fit to be freed, as the run is). */
static int merge_pages(pages *d, const pages *src)
{
    int32_t fresh = 0;
    for (int32_t i = 0, j = 0; j < src->n; j++) {
        while (i < d->n && d->page[i] < src->page[j])
            i++;
        fresh += !(i < d->n && d->page[i] == src->page[j]);
    }
    int32_t n = d->n + fresh;
    if (n > d->cap && pages_grow(d, n) != 0)
        return -1;
    int32_t i = d->n - 1, k = n - 1, next = d->n; /* next: the next new page's bytes */
    for (int32_t j = src->n - 1; j >= 0; k--) {
        uint32_t pg = src->page[j];
        if (i >= 0 && d->page[i] > pg) {
            d->page[k] = d->page[i];
            d->at[k] = d->at[i];
            i--;
            continue;
        }
        int32_t at;
        if (i >= 0 && d->page[i] == pg) {
            at = d->at[i--];
        } else {
            at = next++;
            memset(d->cnt + (size_t)at * PAGE, 0, PAGE);
        }
        d->page[k] = pg;
        d->at[k] = at;
        if (page_add(d, d->cnt + (size_t)at * PAGE, src->cnt + (size_t)src->at[j] * PAGE, pg) != 0)
            return -1;
        j--;
    }
    /* (the entries of d before the first of src's pages are in place: k == i) */
    d->n = n;
    d->last = 0;
    return 0;
}

/* Add src's bins to dst's, src's keys shifted right by up (dst's level
 * less src's). */
static int merge_bins(pages *d, const pages *src, int up)
{
    if (up == 0) {
        if (merge_pages(d, src) != 0)
            return -1;
    } else {
        for (int32_t i = 0; i < src->n; i++) {
            const uint8_t *c = src->cnt + (size_t)src->at[i] * PAGE;
            for (int s = 0; s < PAGE; s++)
                if (c[s] && pages_add(d, ((src->page[i] << PAGE_BITS) | (uint32_t)s) >> up, c[s]) != 0)
                    return -1;
        }
    }
    /* (a bin past 255 has its bytes above, so it is counted already) */
    for (int32_t i = 0; i < src->nover; i++) {
        uint32_t u = src->okey[i] >> up;
        int32_t had = d->nover;
        if (over_add(d, u, src->ohi[i]) != 0)
            return -1;
        if (d->nover > had) { /* a new entry: count its bin if its byte is 0 */
            uint8_t *b = page_get(d, u >> PAGE_BITS);
            if (!b)
                return -1;
            d->nocc += b[u & (PAGE - 1)] == 0;
        }
    }
    return 0;
}

int ccac_merge(ccac *dst, const ccac *src)
{
    if (src->n == 0)
        return 0;
    double lo = dst->n && dst->min < src->min ? dst->min : src->min;
    double hi = dst->n && dst->max > src->max ? dst->max : src->max;
    if (dst->mode == HIST && src->mode == HIST && hi - lo < CCAC_COUNT_RANGE) {
        for (int32_t i = 0; src->pos.bin && i < src->pos.cap; i++)
            if (src->pos.bin[i]) {
                int32_t k = src->pos.lo + i;
                if (reach(&dst->pos, k) != 0)
                    return -1;
                dst->pos.bin[k - dst->pos.lo] += src->pos.bin[i];
            }
    } else {
        if (src->mode == BINNED) {
            if (to_binned(dst) != 0)
                return -1;
            while (dst->level < src->level) /* (src's sample needs src's level at least) */
                if (level_up(dst) != 0)
                    return -1;
            int up = dst->level - src->level;
            if (merge_bins(&dst->bpos, &src->bpos, up) != 0 || merge_bins(&dst->bneg, &src->bneg, up) != 0 ||
                settle(dst) != 0)
                return -1;
            dst->zero += src->zero;
        } else if (leave_hist(dst, 0) != 0 || merge_values(dst, src) != 0) {
            return -1;
        }
    }
    if (src->mode == BINNED) { /* (an exact source's sums came with its values) */
        dst->s1 += src->s1;
        ccwi_add(&dst->s2, &src->s2);
    }
    dst->min = lo;
    dst->max = hi;
    dst->n += src->n;
    return 0;
}

/* The count of page i of p (bytes c): its bytes and its bins past 255,
 * whose overflow entries are those from *o on (dir 1: ascending keys) or
 * down (dir -1: descending); *o is moved past them. */
static int64_t page_total(const pages *p, int32_t i, const uint8_t *c, int32_t *o, int dir)
{
    int64_t tot = 0;
    for (int sl = 0; sl < PAGE; sl++)
        tot += c[sl];
    uint32_t first = p->page[i] << PAGE_BITS, last = first | (PAGE - 1);
    if (dir > 0) {
        for (; *o < p->nover && p->okey[*o] <= last; ++*o)
            if (p->okey[*o] >= first)
                tot += (int64_t)(p->ohi[*o] << 8);
    } else {
        for (; *o >= 0 && p->okey[*o] >= first; --*o)
            if (p->okey[*o] <= last)
                tot += (int64_t)(p->ohi[*o] << 8);
    }
    return tot;
}

/* The order statistics want[0..m-1] (ascending indices) of a binned
 * accumulator into got[], each as its bin's representative held within
 * [min, max]: one walk up the values (negative pages from the largest
 * magnitude down, the zeros, positive pages up). */
static void binned_order(const ccac *a, const int64_t *want, int m, double *got)
{
    int64_t seen = 0;
    int w = 0;
    const pages *p = &a->bneg;
    for (int32_t i = p->n - 1, o = p->nover - 1; i >= 0 && w < m; i--) {
        const uint8_t *c = p->cnt + (size_t)p->at[i] * PAGE;
        int32_t o2 = o;
        int64_t tot = page_total(p, i, c, &o2, -1);
        if (want[w] >= seen + tot) { /* no order statistic in this page */
            seen += tot;
            o = o2;
            continue;
        }
        for (int sl = PAGE - 1; sl >= 0 && w < m; sl--) {
            uint32_t u = (p->page[i] << PAGE_BITS) | (uint32_t)sl;
            seen += c[sl];
            while (o >= 0 && p->okey[o] > u)
                o--;
            if (o >= 0 && p->okey[o] == u)
                seen += (int64_t)(p->ohi[o] << 8);
            while (w < m && want[w] < seen)
                got[w++] = -bin_value(u, a->level);
        }
    }
    seen += (int64_t)a->zero;
    while (w < m && want[w] < seen)
        got[w++] = 0;
    p = &a->bpos;
    for (int32_t i = 0, o = 0; i < p->n && w < m; i++) {
        const uint8_t *c = p->cnt + (size_t)p->at[i] * PAGE;
        int32_t o2 = o;
        int64_t tot = page_total(p, i, c, &o2, 1);
        if (want[w] >= seen + tot) {
            seen += tot;
            o = o2;
            continue;
        }
        for (int sl = 0; sl < PAGE && w < m; sl++) {
            uint32_t u = (p->page[i] << PAGE_BITS) | (uint32_t)sl;
            seen += c[sl];
            while (o < p->nover && p->okey[o] < u)
                o++;
            if (o < p->nover && p->okey[o] == u)
                seen += (int64_t)(p->ohi[o] << 8);
            while (w < m && want[w] < seen)
                got[w++] = bin_value(u, a->level);
        }
    }
    for (; w < m; w++) /* (not reached: the counts add up to n) */
        got[w] = 0;
    for (int k = 0; k < m; k++)
        got[k] = got[k] < a->min ? a->min : got[k] > a->max ? a->max : got[k];
}

/* The five percentiles as GSL's interpolated quantile
 * (gsl_stats_quantile_from_sorted_data) of the binned sample. */
static void binned_percentiles(const ccac *a, ccy_stats *out)
{
    static const double f[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
    int64_t want[10], lhs[5];
    double delta[5], got[10];
    for (int q = 0; q < 5; q++) {
        const double index = f[q] * (double)(a->n - 1);
        lhs[q] = (int64_t)index;
        delta[q] = index - (double)lhs[q];
        want[2 * q] = lhs[q];
        want[2 * q + 1] = lhs[q] + 1 < a->n ? lhs[q] + 1 : lhs[q];
    }
    binned_order(a, want, 10, got); /* (the indices ascend with f) */
    double *p[5] = {&out->p05, &out->p25, &out->p50, &out->p75, &out->p95};
    for (int q = 0; q < 5; q++)
        *p[q] = lhs[q] == a->n - 1 ? got[2 * q] : (1 - delta[q]) * got[2 * q] + delta[q] * got[2 * q + 1];
}

void ccac_stats(const ccac *a, double *scratch, ccy_stats *out)
{
    memset(out, 0, sizeof *out);
    if (a->n == 0)
        return;
    if (a->mode != BINNED) {
        /* the exact sample, in order: the same numbers as the whole-sample
         * summary */
        size_t k = 0;
        if (a->mode == HIST) {
            int32_t i0 = (int32_t)a->min - a->pos.lo, i1 = (int32_t)a->max - a->pos.lo;
            ccy_summarise_counts(a->min, a->pos.bin + i0, (size_t)(i1 - i0) + 1, (size_t)a->n, scratch, out);
            return;
        } else {
            for (int32_t i = 0; i < a->nval; i++)
                for (uint32_t c = a->cnt[i]; c > 0; c--)
                    scratch[k++] = a->val[i];
        }
        ccy_summarise(scratch, k, out);
        return;
    }
    double n = (double)a->n;
    out->mean = ldexp((double)a->s1, -CCAC_QUANTUM_BITS) / n;
    if (a->n > 1) {
        /* (n S2 - S1^2) / (n (n - 1)), exactly up to the last division */
        ccwi_u256 ns2 = ccwi_mul64(&a->s2, (uint64_t)a->n);
        ccwi_u128 m = (ccwi_u128)(a->s1 < 0 ? -a->s1 : a->s1);
        ccwi_u256 s1sq = ccwi_sq128(m);
        ccwi_u256 d = ccwi_sub_sat(&ns2, &s1sq);
        double var = ldexp(ccwi_to_double(&d), -2 * CCAC_QUANTUM_BITS) / (n * (n - 1));
        out->sd = sqrt(var);
    }
    binned_percentiles(a, out);
}

/* ---- packing ---- */

int ccac_put_bytes(unsigned char **buf, size_t *len, size_t *cap, const void *p, size_t n)
{
    if (*len + n > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *len + n)
            c *= 2;
        unsigned char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 0;
}

static int put_window(const window *w, unsigned char **buf, size_t *len, size_t *cap)
{
    int32_t a = 0, b = -1; /* occupied bins a..b */
    for (int32_t i = 0; w->bin && i < w->cap; i++)
        if (w->bin[i]) {
            if (b < 0)
                a = i;
            b = i;
        }
    int32_t lo = w->lo + a, cnt = b - a + 1;
    if (ccac_put_bytes(buf, len, cap, &lo, sizeof lo) || ccac_put_bytes(buf, len, cap, &cnt, sizeof cnt))
        return -1;
    return cnt > 0 ? ccac_put_bytes(buf, len, cap, w->bin + a, (size_t)cnt * sizeof *w->bin) : 0;
}

/* The pages in use: their number, then each page's number and bytes;
 * then the overflow list: its length, then each key and count / 256. */
static int put_pages(const pages *p, unsigned char **buf, size_t *len, size_t *cap)
{
    if (ccac_put_bytes(buf, len, cap, &p->n, sizeof p->n))
        return -1;
    for (int32_t i = 0; i < p->n; i++)
        if (ccac_put_bytes(buf, len, cap, &p->page[i], sizeof p->page[i]) ||
            ccac_put_bytes(buf, len, cap, p->cnt + (size_t)p->at[i] * PAGE, PAGE))
            return -1;
    if (ccac_put_bytes(buf, len, cap, &p->nover, sizeof p->nover))
        return -1;
    for (int32_t i = 0; i < p->nover; i++)
        if (ccac_put_bytes(buf, len, cap, &p->okey[i], sizeof p->okey[i]) ||
            ccac_put_bytes(buf, len, cap, &p->ohi[i], sizeof p->ohi[i]))
            return -1;
    return 0;
}

int ccac_pack(const ccac *a, unsigned char **buf, size_t *len, size_t *cap)
{
    int32_t mode = a->mode, level = a->level;
    if (ccac_put_bytes(buf, len, cap, &a->n, sizeof a->n) || ccac_put_bytes(buf, len, cap, &a->min, sizeof a->min) ||
        ccac_put_bytes(buf, len, cap, &a->max, sizeof a->max) || ccac_put_bytes(buf, len, cap, &a->s1, sizeof a->s1) ||
        ccac_put_bytes(buf, len, cap, &a->s2, sizeof a->s2) || ccac_put_bytes(buf, len, cap, &mode, sizeof mode) ||
        ccac_put_bytes(buf, len, cap, &level, sizeof level) ||
        ccac_put_bytes(buf, len, cap, &a->zero, sizeof a->zero) || put_window(&a->pos, buf, len, cap) ||
        put_pages(&a->bpos, buf, len, cap) || put_pages(&a->bneg, buf, len, cap) ||
        ccac_put_bytes(buf, len, cap, &a->nval, sizeof a->nval))
        return -1;
    if (a->nval > 0 && (ccac_put_bytes(buf, len, cap, a->val, (size_t)a->nval * sizeof *a->val) ||
                        ccac_put_bytes(buf, len, cap, a->cnt, (size_t)a->nval * sizeof *a->cnt)))
        return -1;
    return 0;
}

static int get(const unsigned char *buf, size_t len, size_t *pos, void *p, size_t n)
{
    if (len - *pos < n || *pos > len)
        return -1;
    memcpy(p, buf + *pos, n);
    *pos += n;
    return 0;
}

static int get_window(window *w, const unsigned char *buf, size_t len, size_t *pos)
{
    int32_t lo, cnt;
    if (get(buf, len, pos, &lo, sizeof lo) || get(buf, len, pos, &cnt, sizeof cnt) || cnt < 0 ||
        (size_t)cnt > (len - *pos) / sizeof(uint32_t))
        return -1;
    w->lo = lo;
    w->cap = cnt;
    w->bin = NULL;
    if (cnt == 0)
        return 0;
    w->bin = malloc((size_t)cnt * sizeof *w->bin);
    return w->bin ? get(buf, len, pos, w->bin, (size_t)cnt * sizeof *w->bin) : -1;
}

/* Pages as put_pages wrote them (each page number once). 0 or -1. */
static int get_pages(pages *p, const unsigned char *buf, size_t len, size_t *pos)
{
    int32_t n;
    if (get(buf, len, pos, &n, sizeof n) || n < 0 || (size_t)n > (len - *pos) / (sizeof(uint32_t) + PAGE))
        return -1;
    for (int32_t i = 0; i < n; i++) {
        uint32_t pg;
        uint8_t c[PAGE];
        if (get(buf, len, pos, &pg, sizeof pg) || get(buf, len, pos, c, sizeof c))
            return -1;
        int32_t had = p->n;
        uint8_t *b = page_get(p, pg);
        if (!b || p->n == had) /* (no memory, or a page twice) */
            return -1;
        memcpy(b, c, sizeof c);
    }
    if (get(buf, len, pos, &n, sizeof n) || n < 0 || (size_t)n > (len - *pos) / (sizeof(uint32_t) + sizeof(uint64_t)))
        return -1;
    for (int32_t i = 0; i < n; i++) {
        uint32_t u;
        uint64_t hi;
        if (get(buf, len, pos, &u, sizeof u) || get(buf, len, pos, &hi, sizeof hi) || over_add(p, u, hi) != 0)
            return -1;
    }
    return 0;
}

int ccac_unpack_merge(ccac *dst, const unsigned char *buf, size_t len, size_t *pos)
{
    ccac s;
    memset(&s, 0, sizeof s);
    int32_t mode = 0, level = 0;
    int rc = -1;
    if (get(buf, len, pos, &s.n, sizeof s.n) || get(buf, len, pos, &s.min, sizeof s.min) ||
        get(buf, len, pos, &s.max, sizeof s.max) || get(buf, len, pos, &s.s1, sizeof s.s1) ||
        get(buf, len, pos, &s.s2, sizeof s.s2) || get(buf, len, pos, &mode, sizeof mode) ||
        get(buf, len, pos, &level, sizeof level) || level < 0 || level > MAX_LEVEL ||
        get(buf, len, pos, &s.zero, sizeof s.zero) || get_window(&s.pos, buf, len, pos) ||
        get_pages(&s.bpos, buf, len, pos) || get_pages(&s.bneg, buf, len, pos) ||
        get(buf, len, pos, &s.nval, sizeof s.nval) || mode < HIST || mode > BINNED || s.nval < 0 ||
        s.nval > CCAC_DISTINCT || (mode == LIST && s.nval == 0) || (mode != LIST && s.nval > 0) ||
        (mode != HIST && s.pos.cap > 0) || (mode != BINNED && (s.bpos.n > 0 || s.bneg.n > 0 || level > 0)))
        goto out;
    s.mode = mode;
    s.level = level;
    if (s.nval > 0) {
        s.val = malloc((size_t)s.nval * sizeof *s.val);
        s.cnt = malloc((size_t)s.nval * sizeof *s.cnt);
        if (!s.val || !s.cnt || get(buf, len, pos, s.val, (size_t)s.nval * sizeof *s.val) ||
            get(buf, len, pos, s.cnt, (size_t)s.nval * sizeof *s.cnt))
            goto out;
    }
    rc = ccac_merge(dst, &s);
out:
    free(s.pos.bin);
    pages_free(&s.bpos);
    pages_free(&s.bneg);
    free(s.val);
    free(s.cnt);
    return rc;
}
