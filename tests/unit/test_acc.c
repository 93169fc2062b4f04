/* test_acc: the mergeable accumulators (acc.h, anova.h). Counts, and
 * samples of few distinct values, give the very statistics of the whole
 * sample (ccy_summarise), bit for bit; money and ratios over many
 * replications give percentiles within the stated relative error
 * (CCAC_ALPHA up to CCAC_BINS values, ccac_alpha past it) of the exact ones
 * and the mean and standard deviation to rounding; the bins merge no more
 * often than it takes to keep CCAC_BINS of them, and the memory stays
 * within a bound whatever the number of values; any
 * split of the sample into parts merged in any order, and a packed and
 * unpacked copy, give the same bytes; the variance split equals vardec's
 * ccvd_split of the kept values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "acc.h"
#include "anova.h"
#include "check.h"
#include "summary.h"
#include "vardec.h"

enum { MAXN = 20000 };
static double x[MAXN], sorted[MAXN], scratch[MAXN];

static void fill(gsl_rng *r, int kind, int n)
{
    for (int i = 0; i < n; i++) {
        switch (kind) {
        case 0: x[i] = floor(950 + 30 * gsl_ran_gaussian(r, 1)); break;        /* a stock of children */
        case 1: x[i] = (double)gsl_ran_poisson(r, 3); break;                   /* a rare flow, many zeros */
        case 2: x[i] = floor(gsl_ran_gaussian(r, 1) * 40000); break;           /* counts spread too wide */
        case 3: x[i] = 2.5e6 * exp(0.08 * gsl_ran_gaussian(r, 1)); break;      /* money (GBP a month) */
        case 4: x[i] = 100 * gsl_rng_uniform(r); break;                       /* a percentage */
        case 5: x[i] = gsl_ran_gaussian(r, 1) * 1e5; break;                   /* a difference, both signs */
        case 6: x[i] = 3.2e10 * (1 + 0.01 * gsl_ran_gaussian(r, 1)); break;   /* national money a year */
        case 7: /* money with an atom: a bin holding far more than 255 */
            x[i] = i % 3 ? 1234567.89 : 2.5e6 * exp(0.08 * gsl_ran_gaussian(r, 1));
            break;
        default: /* spread over decades, both signs, atoms on each side */
            x[i] = i % 4 == 0 ? -777.25 : i % 4 == 1 ? 0.5 : (i % 2 ? 1 : -1) * exp(12 * gsl_rng_uniform(r) - 4);
            break;
        }
    }
}

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

/* Add x[lo..hi-1] to a in the order of a stride walk (a permutation: the
 * stride is made prime to the length). */
static int add_range(ccac *a, int lo, int hi, int step)
{
    int m = hi - lo, rc = 0;
    while (m > 1 && gcd(step, m) != 1)
        step++;
    for (int i = 0; i < m; i++)
        rc |= ccac_add(a, x[lo + (int)(((long long)i * step) % m)]);
    return rc;
}

static int same(const ccy_stats *a, const ccy_stats *b) { return memcmp(a, b, sizeof *a) == 0; }

static double rel(double got, double want) { return want == 0 ? fabs(got) : fabs(got - want) / fabs(want); }

/* The level-0 bin of a magnitude, as acc.c keys it: gamma's bins. */
static long long key0(double mag) { return (long long)floor(log(mag) / log((1 + CCAC_ALPHA) / (1 - CCAC_ALPHA))); }

static int cmp_ll(const void *pa, const void *pb)
{
    long long u = *(const long long *)pa, v = *(const long long *)pb;
    return (u > v) - (u < v);
}

/* The fewest pair mergers that leave x[0..n-1] in at most CCAC_BINS bins
 * (signs apart, magnitudes under CCAC_TINY in none). */
static int want_level(int n)
{
    static long long k[MAXN];
    for (int level = 0;; level++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (fabs(x[i]) >= CCAC_TINY)
                k[m++] = 2 * ((key0(fabs(x[i])) + (1LL << 31)) >> level) + (x[i] > 0);
        qsort(k, (size_t)m, sizeof *k, cmp_ll);
        int d = 0;
        for (int i = 0; i < m; i++)
            d += i == 0 || k[i] != k[i - 1];
        if (d <= CCAC_BINS)
            return level;
    }
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2026);
    const int sizes[] = {1, 2, 7, 16, 17, 100, 1000, 10007, MAXN};
    int exact_bad = 0, bound_bad = 0, order_bad = 0, batch_bad = 0, pack_bad = 0, mode_bad = 0, cases = 0, max_level = 0;
    double worst = 0;
    for (int kind = 0; kind < 9; kind++)
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            int n = sizes[si];
            fill(r, kind, n);
            cases++;
            /* the exact statistics of the whole sample */
            memcpy(sorted, x, (size_t)n * sizeof *x);
            ccy_stats want;
            ccy_summarise(sorted, (size_t)n, &want);
            /* one accumulator, in order */
            ccac *a = ccac_new_array(4);
            CHECK(a != NULL, "memory");
            CHECK(add_range(ccac_at(a, 0), 0, n, 1) == 0, "add kind %d n %d", kind, n);
            ccy_stats got;
            ccac_stats(ccac_at(a, 0), scratch, &got);
            int exact = kind <= 1 || n <= CCAC_DISTINCT; /* counts, or few distinct values */
            if (ccac_exact(ccac_at(a, 0)) != exact) {
                mode_bad++;
                fprintf(stderr, "kind %d n %d: exact %d\n", kind, n, ccac_exact(ccac_at(a, 0)));
            }
            if (exact) {
                if (!same(&got, &want)) {
                    exact_bad++;
                    fprintf(stderr, "kind %d n %d: not the whole sample's statistics\n", kind, n);
                }
            } else {
                double q[5][2] = {{got.p05, want.p05}, {got.p25, want.p25}, {got.p50, want.p50},
                                  {got.p75, want.p75}, {got.p95, want.p95}};
                static const double f[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
                double alpha = ccac_alpha(ccac_at(a, 0));
                int level = ccac_level(ccac_at(a, 0)), wl = want_level(n);
                if ((n <= CCAC_BINS && (level != 0 || alpha != CCAC_ALPHA)) || level != wl) {
                    bound_bad++;
                    fprintf(stderr, "kind %d n %d: %d bin mergers (expected %d), bound %g\n", kind, n, level, wl,
                            alpha);
                }
                if (level > max_level)
                    max_level = level;
                memcpy(sorted, x, (size_t)n * sizeof *x);
                gsl_sort(sorted, 1, (size_t)n);
                for (int k = 0; k < 5; k++) {
                    double e = rel(q[k][0], q[k][1]);
                    /* percentiles: each of the two order statistics a
                     * percentile interpolates is within the bound (and a
                     * rounding's worth) */
                    double at = f[k] * (double)(n - 1);
                    size_t lo = (size_t)at, hi = lo + 1 < (size_t)n ? lo + 1 : lo;
                    double big = fmax(fabs(sorted[lo]), fabs(sorted[hi]));
                    if (fabs(q[k][0] - q[k][1]) > alpha * (1 + 1e-9) * big + CCAC_TINY) {
                        bound_bad++;
                        fprintf(stderr, "kind %d n %d: percentile %d off by %.3g (bound %g)\n", kind, n, k, e,
                                alpha);
                    }
                    if (e > worst && kind != 5 && kind != 8) /* (both signs: relative errors near 0 say little) */
                        worst = e;
                }
                /* mean and sd: to rounding of the values to CCAC_QUANTUM */
                if (fabs(got.mean - want.mean) > 1e-12 * fabs(want.mean) + CCAC_QUANTUM ||
                    fabs(got.sd - want.sd) > 1e-9 * want.sd + CCAC_QUANTUM) {
                    bound_bad++;
                    fprintf(stderr, "kind %d n %d: mean %.17g vs %.17g, sd %.17g vs %.17g\n", kind, n, got.mean,
                            want.mean, got.sd, want.sd);
                }
            }
            /* three parts, added in other orders, merged in other orders */
            int c1 = n / 3, c2 = 2 * n / 3;
            add_range(ccac_at(a, 1), 0, c1, 7);
            add_range(ccac_at(a, 2), c1, c2, 11);
            add_range(ccac_at(a, 3), c2, n, 13);
            ccac *b = ccac_new_array(2);
            CHECK(b != NULL, "memory");
            ccac_merge(ccac_at(b, 0), ccac_at(a, 3));
            ccac_merge(ccac_at(b, 0), ccac_at(a, 1));
            ccac_merge(ccac_at(b, 0), ccac_at(a, 2));
            ccac_merge(ccac_at(a, 2), ccac_at(a, 1));
            ccac_merge(ccac_at(a, 3), ccac_at(a, 2));
            ccy_stats m1, m2;
            ccac_stats(ccac_at(b, 0), scratch, &m1);
            ccac_stats(ccac_at(a, 3), scratch, &m2);
            if (!same(&m1, &got) || !same(&m2, &got)) {
                order_bad++;
                fprintf(stderr, "kind %d n %d: merged parts differ from one pass\n", kind, n);
            }
            /* in batches of 1 to 40 values (ccac_add_n): as one by one */
            ccac *e = ccac_new_array(1);
            CHECK(e != NULL, "memory");
            for (int i = 0, step = 1; i < n; i += step, step = step % 40 + 1)
                CHECK(ccac_add_n(e, x + i, n - i < step ? n - i : step) == 0, "add_n kind %d n %d", kind, n);
            ccy_stats m4;
            ccac_stats(e, scratch, &m4);
            if (!same(&m4, &got) || ccac_exact(e) != ccac_exact(ccac_at(a, 0)) ||
                ccac_level(e) != ccac_level(ccac_at(a, 0))) {
                batch_bad++;
                fprintf(stderr, "kind %d n %d: added in batches differs from one by one\n", kind, n);
            }
            /* and in batches of 128 down to 1 (runstats' most; ccac_add_n
             * takes up to 128 at once): the very accumulator, its packed
             * bytes those of one by one (every bin's count, the sums, the
             * range, the form) */
            ccac *f = ccac_new_array(1);
            CHECK(f != NULL, "memory");
            for (int i = 0, step = 128; i < n; i += step, step = step > 1 ? step - 1 : 128)
                CHECK(ccac_add_n(f, x + i, n - i < step ? n - i : step) == 0, "add_n kind %d n %d", kind, n);
            unsigned char *pb[2] = {NULL, NULL};
            size_t pl[2] = {0, 0}, pc[2] = {0, 0};
            CHECK(ccac_pack(ccac_at(a, 0), &pb[0], &pl[0], &pc[0]) == 0 && ccac_pack(f, &pb[1], &pl[1], &pc[1]) == 0,
                  "pack");
            if (pl[0] != pl[1] || memcmp(pb[0], pb[1], pl[0]) != 0) {
                batch_bad++;
                fprintf(stderr, "kind %d n %d: added in batches of up to 128 packs other bytes than one by one\n",
                        kind, n);
            }
            free(pb[0]);
            free(pb[1]);
            ccac_free_array(f, 1);
            ccac_free_array(e, 1);
            /* packed and merged into an empty one */
            unsigned char *buf = NULL;
            size_t len = 0, cap = 0, pos = 0;
            CHECK(ccac_pack(ccac_at(a, 0), &buf, &len, &cap) == 0, "pack");
            CHECK(ccac_unpack_merge(ccac_at(b, 1), buf, len, &pos) == 0 && pos == len, "unpack");
            ccy_stats m3;
            ccac_stats(ccac_at(b, 1), scratch, &m3);
            pack_bad += !same(&m3, &got);
            /* a truncated buffer is refused */
            pos = 0;
            ccac *c = ccac_new_array(1);
            CHECK(len < 40 || ccac_unpack_merge(c, buf, len / 2, &pos) == -1, "a truncated buffer is refused");
            ccac_free_array(c, 1);
            free(buf);
            ccac_free_array(a, 4);
            ccac_free_array(b, 2);
        }
    CHECK(mode_bad == 0, "%d samples kept in the wrong form (counts exact, the rest binned)", mode_bad);
    CHECK(exact_bad == 0, "%d count samples summarised differently from the whole sample", exact_bad);
    CHECK(bound_bad == 0, "%d real samples outside the stated bounds", bound_bad);
    CHECK(order_bad == 0, "%d of %d samples depend on the order of adding or merging", order_bad, cases);
    CHECK(pack_bad == 0, "%d packed copies differ", pack_bad);
    CHECK(batch_bad == 0, "%d samples added in batches differ from one by one", batch_bad);
    /* a batch that would take the list one past CCAC_DISTINCT distinct
     * values: binned, as one by one; one that fills it exactly: still a list */
    for (int extra = 0; extra <= 1; extra++) {
        ccac *o = ccac_new_array(2);
        CHECK(o != NULL, "memory");
        for (int i = 0; i < CCAC_DISTINCT - 2; i++) {
            ccac_add(ccac_at(o, 0), i + 0.5);
            ccac_add(ccac_at(o, 1), i + 0.5);
        }
        double b[4] = {1.5, 1e6 + 0.25, 2e6 + 0.25, extra ? 3e6 + 0.25 : 2.5};
        for (int i = 0; i < 4; i++)
            ccac_add(ccac_at(o, 0), b[i]);
        CHECK(ccac_add_n(ccac_at(o, 1), b, 4) == 0, "add_n at the list's end");
        CHECK(ccac_exact(ccac_at(o, 1)) == !extra && ccac_exact(ccac_at(o, 0)) == !extra,
              "%d distinct values: %s", CCAC_DISTINCT + extra, extra ? "binned" : "a list");
        ccy_stats s1, s2;
        ccac_stats(ccac_at(o, 0), scratch, &s1);
        ccac_stats(ccac_at(o, 1), scratch, &s2);
        CHECK(same(&s1, &s2), "%d distinct values: a batch differs from one by one", CCAC_DISTINCT + extra);
        ccac_free_array(o, 2);
    }
    /* batches that must not take the histogram's shortcut, or only part of
     * it: -0, a value past the range, not finite, not whole; and a batch
     * that widens the range past CCAC_COUNT_RANGE after a narrow start */
    {
        static const double odd[][6] = {{3, -0.0, 5, 2, 0, 7},
                                        {4, 1, NAN, 2, 3, 4},
                                        {4, 1, INFINITY, 2, 3, 4},
                                        {4, 1, 2.5, 2, 3, 4},
                                        {5, 10, 10 + CCAC_COUNT_RANGE, 11, 12, 13},
                                        {5, -3e9, 1, 2, 3, 4}};
        for (size_t t = 0; t < sizeof odd / sizeof *odd; t++) {
            ccac *o = ccac_new_array(2);
            CHECK(o != NULL, "memory");
            int n = (int)odd[t][0], r1 = 0;
            for (int k = 0; k < 3; k++) /* a narrow start */
                r1 |= ccac_add(ccac_at(o, 0), 1 + k) | ccac_add_n(ccac_at(o, 1), (const double[]){1.0 + k}, 1);
            for (int i = 1; i <= n; i++)
                r1 |= ccac_add(ccac_at(o, 0), odd[t][i]);
            int r2 = ccac_add_n(ccac_at(o, 1), odd[t] + 1, n);
            ccy_stats s1, s2;
            ccac_stats(ccac_at(o, 0), scratch, &s1);
            ccac_stats(ccac_at(o, 1), scratch, &s2);
            CHECK(same(&s1, &s2) && (r1 != 0) == (r2 != 0) && ccac_count(ccac_at(o, 0)) == ccac_count(ccac_at(o, 1)) &&
                      ccac_exact(ccac_at(o, 0)) == ccac_exact(ccac_at(o, 1)),
                  "odd batch %zu: ccac_add_n differs from ccac_add", t);
            ccac_free_array(o, 2);
        }
    }
    /* values near CCAC_MAX: the sum of their squares in quanta passes
     * 2^128 (a carry) within a list turning binned and within a binned
     * batch; the batch as one by one, and the standard deviation that of
     * the whole sample */
    {
        ccac *o = ccac_new_array(2);
        CHECK(o != NULL, "memory");
        double big[64];
        int nx = 0;
        for (int i = 0; i < 300; i++) { /* (past CCAC_DISTINCT: binned) */
            x[nx] = (i % 3 ? 1 : -1) * (CCAC_MAX * 0.98 - 1e8 * i) + 0.5;
            ccac_add(ccac_at(o, 0), x[nx]);
            ccac_add(ccac_at(o, 1), x[nx++]);
        }
        for (int i = 0; i < 64; i++) {
            big[i] = x[nx++] = (i % 2 ? -1 : 1) * (CCAC_MAX * 0.99 - 1e9 * i);
            ccac_add(ccac_at(o, 0), big[i]);
        }
        CHECK(ccac_add_n(ccac_at(o, 1), big, 64) == 0 && !ccac_exact(ccac_at(o, 1)), "a binned batch near CCAC_MAX");
        ccy_stats sb;
        ccac_stats(ccac_at(o, 1), scratch, &sb);
        double sdw = gsl_stats_sd(x, 1, (size_t)nx);
        CHECK(fabs(sb.sd - sdw) <= 1e-9 * sdw, "near CCAC_MAX: sd %.17g, of the whole sample %.17g", sb.sd, sdw);
        unsigned char *pb[2] = {NULL, NULL};
        size_t pl[2] = {0, 0}, pc[2] = {0, 0};
        CHECK(ccac_pack(ccac_at(o, 0), &pb[0], &pl[0], &pc[0]) == 0 && ccac_pack(ccac_at(o, 1), &pb[1], &pl[1], &pc[1]) == 0,
              "pack");
        CHECK(pl[0] == pl[1] && memcmp(pb[0], pb[1], pl[0]) == 0,
              "a binned batch near CCAC_MAX packs other bytes than one by one (the squares' carry)");
        free(pb[0]);
        free(pb[1]);
        ccac_free_array(o, 2);
    }
    CHECK(worst > CCAC_ALPHA / 100, "the binned percentiles are approximate (worst %.3g): the test can see errors",
          worst);
    CHECK(max_level > 0, "some samples are big enough for their bins to merge");
    printf("worst relative error of a binned percentile: %.3g (bound %g up to %d values; at most %d mergers seen)\n",
           worst, CCAC_ALPHA, CCAC_BINS, max_level);

    /* memory: money clustered at one magnitude with a few values decades
     * away holds the pages it uses, not a dense run of bins from 1e-5 to
     * 1e6 (about 500 KB of 32-bit bins at CCAC_ALPHA) */
    {
        ccac *m = ccac_new_array(1);
        CHECK(m != NULL, "memory");
        fill(r, 3, MAXN);
        for (int i = 0; i < 10; i++)
            x[i * 97] = pow(10, i - 5) * 1.5;
        CHECK(add_range(m, 0, MAXN, 1) == 0 && !ccac_exact(m), "add");
        size_t bytes = ccac_bytes(m);
        CHECK(bytes < 32 * 1024, "%d binned values of one magnitude and 10 outliers hold %zu bytes (expected under 32 KB)",
              MAXN, bytes);
        printf("%d money values with outliers from 1e-5 to 1e4: %zu bytes\n", MAXN, bytes);
        ccac_free_array(m, 1);
    }

    /* memory flat in the number of values: a money series whose
     * replications spread over a factor of ten or so (log sd 0.6, as the
     * county's months of rarer placement types do) holds no more at 10,000
     * or 100,000 values than at 1,000 (the sparse pages of unmerged bins
     * held 1.5 and 2.2 times as much); and
     * values spread over 12 decades, both signs, hold at most 64 bytes a
     * bin whatever their number (unmerged: a page for nearly each value) */
    {
        ccac *m = ccac_new_array(2);
        CHECK(m != NULL, "memory");
        size_t at1000 = 0;
        for (int i = 1; i <= 100000; i++) {
            CHECK(ccac_add(ccac_at(m, 0), 3.0e5 * exp(0.6 * gsl_ran_gaussian(r, 1))) == 0, "add");
            double u = gsl_rng_uniform(r);
            CHECK(ccac_add(ccac_at(m, 1), (i % 2 ? 1 : -1) * pow(10, 12 * u - 5)) == 0, "add");
            size_t b0 = ccac_bytes(ccac_at(m, 0)), b1 = ccac_bytes(ccac_at(m, 1));
            if (i == 1000)
                at1000 = b0;
            if (i == 1000 || i == 10000 || i == 100000)
                printf("%d values: money %zu bytes (%d mergers), 12 decades %zu bytes (%d mergers)\n", i, b0,
                       ccac_level(ccac_at(m, 0)), b1, ccac_level(ccac_at(m, 1)));
            if (i == 10000 || i == 100000)
                CHECK(b0 <= at1000, "%d money values hold %zu bytes, more than the %zu of 1,000", i, b0, at1000);
            if (i % 1000 == 0)
                CHECK(b1 <= (size_t)64 * CCAC_BINS, "%d values over 12 decades hold %zu bytes (bound %d)", i, b1,
                      64 * CCAC_BINS);
        }
        ccac_free_array(m, 2);
    }

    ccac *e = ccac_new_array(1);
    CHECK(ccac_add(e, NAN) == -1 && ccac_add(e, INFINITY) == -1 && ccac_add(e, 5e12) == -1 && ccac_count(e) == 0,
          "not finite or too large: refused, nothing added");
    ccy_stats z;
    ccac_stats(e, scratch, &z);
    CHECK(z.mean == 0 && z.p95 == 0, "empty: zeros");
    ccac_free_array(e, 1);

    /* the variance split: the same as vardec's from every value */
    const int gs[] = {1, 2, 5};
    for (size_t gi = 0; gi < 3; gi++) {
        int g = gs[gi], n = 1001;
        for (int i = 0; i < n; i++)
            x[i] = 500 + 20 * gsl_ran_gaussian(r, 1) + (i / g) % 7 * 3.25;
        ccvd_part want;
        CHECK(ccvd_split(x, n, g, &want) == 0, "split");
        ccan *an = ccan_new_array(3, g);
        /* one in order; one as two halves (whole groups each) merged */
        int half = (n / g / 2) * g;
        for (int i = 0; i < n; i++) {
            ccan_add(ccan_at(an, 0), i, x[i]);
            ccan_add(ccan_at(an, i < half ? 1 : 2), i, x[i]);
        }
        ccan_merge(ccan_at(an, 2), ccan_at(an, 1));
        ccan_split s0, s1;
        CHECK(ccan_result(ccan_at(an, 0), &s0) == 0 && ccan_result(ccan_at(an, 2), &s1) == 0, "result");
        CHECK(memcmp(&s0, &s1, sizeof s0) == 0, "g %d: merged halves give the same bytes", g);
        /* the values are summed to CCAC_QUANTUM: a variance of 400 moves by
         * about 2 sd x quantum / var ~ 1e-7 of itself at most */
        CHECK(rel(s0.total, want.total) < 1e-7 && rel(s0.proc, want.proc) < 1e-7 &&
                  fabs(s0.param - want.param) < 1e-7 * want.total,
              "g %d: %.12g/%.12g/%.12g vs ccvd_split %.12g/%.12g/%.12g", g, s0.total, s0.param, s0.proc, want.total,
              want.param, want.proc);
        ccan_free_array(an);
    }
    gsl_rng_free(r);
    return check_done("test_acc");
}
