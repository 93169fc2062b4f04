/* acc: mergeable accumulators: exact histograms for counts, log bins for
 * the rest, exact integer sums for the mean and standard deviation. */
#include "acc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "wideint.h"

/* A dense run of bins: bin[i] counts key lo + i. */
typedef struct {
    int32_t lo, cap;
    uint32_t *bin;
} window;

struct ccac {
    int64_t n;
    double min, max;
    ccwi_i128 s1;   /* sum of the values in quanta */
    ccwi_u256 s2;  /* sum of their squares */
    int mode;      /* HIST, LIST or BINNED */
    window pos, neg;
    uint64_t zero; /* binned: magnitudes under CCAC_TINY */
    double *val;   /* LIST: the distinct values, ascending */
    uint32_t *cnt; /* LIST: how often each came */
    int32_t nval;
};

/* HIST: pos is a histogram of whole values; LIST: the distinct values and
 * their counts; BINNED: log bins (pos, neg, zero) */
enum { HIST, LIST, BINNED };

/* bins grow by factors of gamma = (1 + alpha) / (1 - alpha): a bin's
 * representative 2 gamma^(i+1) / (1 + gamma) is then within alpha of every
 * value in [gamma^i, gamma^(i+1)) */
static double ln_gamma(void) { return log((1 + CCAC_ALPHA) / (1 - CCAC_ALPHA)); }

static int32_t bin_key(double mag) { return (int32_t)floor(log(mag) / ln_gamma()); }

static double bin_value(int32_t key)
{
    double g = (1 + CCAC_ALPHA) / (1 - CCAC_ALPHA);
    return exp((double)(key + 1) * ln_gamma()) * 2 / (1 + g);
}

ccac *ccac_new_array(size_t n) { return calloc(n ? n : 1, sizeof(ccac)); }

void ccac_free_array(ccac *a, size_t n)
{
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        free(a[i].pos.bin);
        free(a[i].neg.bin);
        free(a[i].val);
        free(a[i].cnt);
    }
    free(a);
}

ccac *ccac_at(ccac *a, size_t i) { return a + i; }
const ccac *ccac_at_c(const ccac *a, size_t i) { return a + i; }
int64_t ccac_count(const ccac *a) { return a->n; }
int ccac_exact(const ccac *a) { return a->mode != BINNED; }

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

/* Binned: add c values of x (of the binned accumulator's windows). */
static int bin_add(window *pos, window *neg, uint64_t *zero, double x, uint32_t c)
{
    double mag = fabs(x);
    if (mag < CCAC_TINY) {
        *zero += c;
        return 0;
    }
    window *w = x > 0 ? pos : neg;
    int32_t k = bin_key(mag);
    if (reach(w, k) != 0)
        return -1;
    w->bin[k - w->lo] += c;
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
    window pos = {0, 0, NULL}, neg = {0, 0, NULL};
    uint64_t zero = 0;
    int rc = 0;
    if (a->mode == HIST) {
        for (int32_t i = 0; a->pos.bin && i < a->pos.cap && !rc; i++)
            if (a->pos.bin[i])
                rc = bin_add(&pos, &neg, &zero, (double)(a->pos.lo + i), a->pos.bin[i]);
    } else {
        for (int32_t i = 0; i < a->nval && !rc; i++)
            rc = bin_add(&pos, &neg, &zero, a->val[i], a->cnt[i]);
    }
    if (rc) {
        free(pos.bin);
        free(neg.bin);
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
        for (int32_t i = 0; i < a->nval; i++)
            sums_add(a, a->val[i], a->cnt[i]);
    }
    free(a->pos.bin);
    free(a->val);
    free(a->cnt);
    a->val = NULL;
    a->cnt = NULL;
    a->nval = 0;
    a->pos = pos;
    a->neg = neg;
    a->zero = zero;
    a->mode = BINNED;
    return 0;
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
    if (bin_add(&a->pos, &a->neg, &a->zero, x, c) != 0)
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

/* Add src's bins to binned dst. */
static int merge_bins(ccac *dst, const window *w, int negative)
{
    window *d = negative ? &dst->neg : &dst->pos;
    for (int32_t i = 0; w->bin && i < w->cap; i++) {
        uint32_t c = w->bin[i];
        if (!c)
            continue;
        int32_t k = w->lo + i;
        if (reach(d, k) != 0)
            return -1;
        d->bin[k - d->lo] += c;
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
            if (to_binned(dst) != 0 || merge_bins(dst, &src->pos, 0) != 0 || merge_bins(dst, &src->neg, 1) != 0)
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

/* GSL's interpolated quantile (gsl_stats_quantile_from_sorted_data), with
 * the order statistics from at(ctx, i). */
typedef double (*order_fn)(void *ctx, int64_t i);

static double quantile(int64_t n, double f, order_fn at, void *ctx)
{
    const double index = f * (double)(n - 1);
    const int64_t lhs = (int64_t)index;
    const double delta = index - (double)lhs;
    if (lhs == n - 1)
        return at(ctx, lhs);
    return (1 - delta) * at(ctx, lhs) + delta * at(ctx, lhs + 1);
}

/* The i-th smallest value of a binned accumulator, as its bin's
 * representative held within [min, max]. */
static double binned_at(void *ctx, int64_t i)
{
    const ccac *a = ctx;
    int64_t seen = 0;
    double v = 0;
    int found = 0;
    for (int32_t b = a->neg.cap - 1; a->neg.bin && b >= 0 && !found; b--) {
        seen += a->neg.bin[b];
        if (i < seen) {
            v = -bin_value(a->neg.lo + b);
            found = 1;
        }
    }
    if (!found) {
        seen += (int64_t)a->zero;
        if (i < seen)
            found = 1;
    }
    for (int32_t b = 0; a->pos.bin && b < a->pos.cap && !found; b++) {
        seen += a->pos.bin[b];
        if (i < seen) {
            v = bin_value(a->pos.lo + b);
            found = 1;
        }
    }
    if (v < a->min)
        v = a->min;
    if (v > a->max)
        v = a->max;
    return v;
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
            for (int32_t i = 0; i < a->pos.cap; i++)
                for (uint32_t c = a->pos.bin[i]; c > 0; c--)
                    scratch[k++] = (double)(a->pos.lo + i);
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
    void *ctx = (void *)(uintptr_t)a;
    out->p05 = quantile(a->n, 0.05, binned_at, ctx);
    out->p25 = quantile(a->n, 0.25, binned_at, ctx);
    out->p50 = quantile(a->n, 0.50, binned_at, ctx);
    out->p75 = quantile(a->n, 0.75, binned_at, ctx);
    out->p95 = quantile(a->n, 0.95, binned_at, ctx);
}

/* ---- packing ---- */

static int put(unsigned char **buf, size_t *len, size_t *cap, const void *p, size_t n)
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
    if (put(buf, len, cap, &lo, sizeof lo) || put(buf, len, cap, &cnt, sizeof cnt))
        return -1;
    return cnt > 0 ? put(buf, len, cap, w->bin + a, (size_t)cnt * sizeof *w->bin) : 0;
}

int ccac_pack(const ccac *a, unsigned char **buf, size_t *len, size_t *cap)
{
    int32_t mode = a->mode;
    if (put(buf, len, cap, &a->n, sizeof a->n) || put(buf, len, cap, &a->min, sizeof a->min) ||
        put(buf, len, cap, &a->max, sizeof a->max) || put(buf, len, cap, &a->s1, sizeof a->s1) ||
        put(buf, len, cap, &a->s2, sizeof a->s2) || put(buf, len, cap, &mode, sizeof mode) ||
        put(buf, len, cap, &a->zero, sizeof a->zero) || put_window(&a->pos, buf, len, cap) ||
        put_window(&a->neg, buf, len, cap) || put(buf, len, cap, &a->nval, sizeof a->nval))
        return -1;
    if (a->nval > 0 && (put(buf, len, cap, a->val, (size_t)a->nval * sizeof *a->val) ||
                        put(buf, len, cap, a->cnt, (size_t)a->nval * sizeof *a->cnt)))
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

int ccac_unpack_merge(ccac *dst, const unsigned char *buf, size_t len, size_t *pos)
{
    ccac s;
    memset(&s, 0, sizeof s);
    int32_t mode = 0;
    int rc = -1;
    if (get(buf, len, pos, &s.n, sizeof s.n) || get(buf, len, pos, &s.min, sizeof s.min) ||
        get(buf, len, pos, &s.max, sizeof s.max) || get(buf, len, pos, &s.s1, sizeof s.s1) ||
        get(buf, len, pos, &s.s2, sizeof s.s2) || get(buf, len, pos, &mode, sizeof mode) ||
        get(buf, len, pos, &s.zero, sizeof s.zero) || get_window(&s.pos, buf, len, pos) ||
        get_window(&s.neg, buf, len, pos) || get(buf, len, pos, &s.nval, sizeof s.nval) || mode < HIST ||
        mode > BINNED || s.nval < 0 || s.nval > CCAC_DISTINCT || (mode == LIST && s.nval == 0) ||
        (mode != LIST && s.nval > 0))
        goto out;
    s.mode = mode;
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
    free(s.neg.bin);
    free(s.val);
    free(s.cnt);
    return rc;
}
