/* test_rng: stream seeding is deterministic, and distinct streams differ;
 * the seeding from the hash alone gives valid, distinct, well-mixed taus2
 * states. */
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "rng.h"

static unsigned long first(uint64_t seed, uint64_t rep, enum ccr_stream s, uint64_t idx)
{
    gsl_rng *r = gsl_rng_alloc(ccr_type());
    ccr_set(r, seed, rep, s, idx);
    unsigned long v = 0;
    for (int i = 0; i < 3; i++)
        v = v * 31 + gsl_rng_get(r);
    gsl_rng_free(r);
    return v;
}

static int cmp_state(const void *a, const void *b) { return memcmp(a, b, sizeof(ccr_taus_state)); }

/* The seeding (ccr_set_index: taus2's words from the hash, no warm-up):
 * the same (seed, replication, serial) gives the same state; every state
 * is one taus2 can run from; no two children of a replication share one;
 * the first outputs of many children's streams are balanced bit by bit and
 * uncorrelated between neighbouring serials and replications. */
static void seeding(void)
{
    enum { N = 100000 };
    gsl_rng *r = gsl_rng_alloc(ccr_type()), *q = gsl_rng_alloc(ccr_type());
    ccr_taus_state *st = malloc(N * sizeof *st);
    CHECK(r && q && st, "memory");
    if (!r || !q || !st)
        return;
    uint64_t base = ccr_stream_base(2026, 4, CCR_CHILD);
    int same = 1, low = 0;
    for (int i = 0; i < N; i++) {
        ccr_set_index(r, base, (uint64_t)i);
        st[i] = *(ccr_taus_state *)r->state;
        low += st[i].s1 < 2 || st[i].s2 < 8 || st[i].s3 < 16 || st[i].s1 > 0xffffffffUL ||
               st[i].s2 > 0xffffffffUL || st[i].s3 > 0xffffffffUL;
        if (i % 97 == 0) {
            ccr_set(q, 2026, 4, CCR_CHILD, (uint64_t)i);
            same &= memcmp(r->state, q->state, sizeof(ccr_taus_state)) == 0;
        }
    }
    CHECK(same, "ccr_set_index(ccr_stream_base(...), i) is not ccr_set(..., i)");
    CHECK(low == 0, "%d states outside taus2's valid words", low);
    qsort(st, N, sizeof *st, cmp_state);
    int dup = 0;
    for (int i = 1; i < N; i++)
        dup += memcmp(&st[i - 1], &st[i], sizeof *st) == 0;
    CHECK(dup == 0, "%d children share a state", dup);

    /* words below the recurrence's minimum are raised: the stream moves */
    ccr_set_words(r, 0, 1, 15);
    const ccr_taus_state *w = r->state;
    CHECK(w->s1 >= 2 && w->s2 >= 8 && w->s3 >= 16, "small words kept: %lu %lu %lu", w->s1, w->s2, w->s3);
    unsigned long a = gsl_rng_get(r), b = gsl_rng_get(r), c = gsl_rng_get(r);
    CHECK(a != b || b != c, "a stream seeded with small words is stuck at %lu", a);

    /* bits of the first output over N children; neighbours' first uniforms */
    long bit[32] = {0};
    double sxy = 0, sx = 0, sxx = 0, rxy = 0, ry = 0;
    double prev = 0;
    for (int i = 0; i <= N; i++) {
        ccr_set_index(r, base, (uint64_t)i);
        unsigned long v = gsl_rng_get(r);
        for (int k = 0; k < 32; k++)
            bit[k] += (long)((v >> k) & 1);
        double u = (double)v / 4294967296.0 - 0.5;
        if (i > 0) {
            sxy += prev * u;
            sx += u;
            sxx += u * u;
        }
        prev = u;
        /* the same child in the next replication */
        ccr_set(q, 2026, 5, CCR_CHILD, (uint64_t)i);
        rxy += u * ((double)gsl_rng_get(q) / 4294967296.0 - 0.5);
        ry += u * u;
    }
    int off = 0;
    for (int k = 0; k < 32; k++)
        off += fabs((double)bit[k] - (N + 1) / 2.0) > 5 * sqrt((N + 1) / 4.0);
    CHECK(off == 0, "%d of the first output's 32 bits unbalanced over %d streams", off, N + 1);
    /* correlation: sd 1 / sqrt(N); 5 of them */
    double rho = (sxy / N - (sx / N) * (sx / N)) / (sxx / N - (sx / N) * (sx / N));
    CHECK(fabs(rho) < 5 / sqrt((double)N), "neighbouring children's streams correlated (%.4f)", rho);
    CHECK(fabs(rxy / ry) < 5 / sqrt((double)N), "a child's streams in two replications correlated (%.4f)", rxy / ry);
    free(st);
    gsl_rng_free(r);
    gsl_rng_free(q);
}

/* ccr_events: the 2^n outcomes of independent events from one uniform,
 * chi-square against the products of their probabilities; certain and
 * impossible events. */
static void events(void)
{
    static const double q[3] = {0.04, 0.35, 0.9};
    enum { N = 1000000 };
    long n[8] = {0};
    gsl_rng *r = gsl_rng_alloc(ccr_type());
    CHECK(r != NULL, "memory");
    if (!r)
        return;
    ccr_set(r, 11, 0, CCR_CHILD, 3);
    for (int i = 0; i < N; i++)
        n[ccr_events(ccr_uniform(r), q, 3)]++;
    double c = 0;
    for (unsigned b = 0; b < 8; b++) {
        double e = N;
        for (int k = 0; k < 3; k++)
            e *= b >> k & 1 ? q[k] : 1 - q[k];
        c += ((double)n[b] - e) * ((double)n[b] - e) / e;
    }
    CHECK(c < 24.32, "events: chi-square %.2f over the 8 outcomes (0.1%% critical value 24.32, 7 df)", c);
    static const double edge[4] = {0, 1, 0.5, 0};
    int bad = 0;
    for (int i = 0; i < 10000; i++) {
        unsigned b = ccr_events(ccr_uniform(r), edge, 4);
        bad += (b & 1) || !(b & 2) || (b & 8);
    }
    CHECK(bad == 0, "events of probability 0 or 1 went wrong %d times", bad);
    gsl_rng_free(r);
}

/* ccr_cdf_pick: the outcome by its weights, and the stretched uniform
 * after it uniform within each outcome (chi-square over outcome x tenth of
 * [0, 1), 5 x 10 cells). */
static void cdf_pick(void)
{
    static const double cdf[4] = {0.1, 0.15, 0.55, 0.8}, p[5] = {0.1, 0.05, 0.4, 0.25, 0.2};
    enum { N = 1000000 };
    static long n[5][10];
    gsl_rng *r = gsl_rng_alloc(ccr_type());
    CHECK(r != NULL, "memory");
    if (!r)
        return;
    ccr_set(r, 5, 1, CCR_CHILD, 8);
    int out = 0;
    for (int i = 0; i < N; i++) {
        double u = ccr_uniform(r);
        int j = ccr_cdf_pick(&u, cdf, 5);
        out += u < 0 || u >= 1 || j < 0 || j > 4;
        if (j >= 0 && j <= 4 && u >= 0 && u < 1)
            n[j][(int)(u * 10)]++;
    }
    CHECK(out == 0, "cdf_pick: %d picks or stretched uniforms out of range", out);
    double c = 0;
    for (int j = 0; j < 5; j++)
        for (int b = 0; b < 10; b++) {
            double e = N * p[j] / 10;
            c += ((double)n[j][b] - e) * ((double)n[j][b] - e) / e;
        }
    CHECK(c < gsl_cdf_chisq_Qinv(0.001, 49), "cdf_pick: chi-square %.1f over outcome x tenth (0.1%% critical value %.1f)",
          c, gsl_cdf_chisq_Qinv(0.001, 49));
    gsl_rng_free(r);
}

int main(void)
{
    CHECK(ccr_type() == gsl_rng_taus2, "generator is taus2");
    CHECK(ccr_check(), "the inlined draws (ccr_get, ccr_uniform, ...) give GSL's numbers");
    CHECK(ccr_check_shuffle(), "ccr_shuffle gives gsl_ran_shuffle's permutations");
    /* The mixing hash is fixed: changing it silently changes every result. */
    CHECK(ccr_mix64(0) == 0xe220a8397b1dcdafULL, "mix64(0) = %llx", (unsigned long long)ccr_mix64(0));
    CHECK(ccr_seed(1, 0, CCR_ARRIVALS, 0) == ccr_seed(1, 0, CCR_ARRIVALS, 0), "seed is a function");
    CHECK(first(1, 0, CCR_CHILD, 5) == first(1, 0, CCR_CHILD, 5), "same stream, same draws");
    CHECK(first(1, 0, CCR_CHILD, 5) != first(1, 0, CCR_CHILD, 6), "children differ");
    CHECK(first(1, 0, CCR_CHILD, 5) != first(1, 1, CCR_CHILD, 5), "replications differ");
    CHECK(first(1, 0, CCR_CHILD, 5) != first(2, 0, CCR_CHILD, 5), "master seeds differ");
    CHECK(first(1, 0, CCR_ARRIVALS, 0) != first(1, 0, CCR_INITIAL, 0), "streams differ");
    /* no collisions among the first 20,000 child streams of a replication */
    enum { N = 20000 };
    static unsigned long seen[N];
    int dup = 0;
    for (int i = 0; i < N; i++) {
        seen[i] = first(99, 3, CCR_CHILD, (uint64_t)i);
        for (int j = 0; j < i && i < 2000; j++)
            if (seen[j] == seen[i])
                dup++;
    }
    CHECK(dup == 0, "%d duplicate streams", dup);
    /* uniformity of the first draw across child streams (chi-square, 10 bins) */
    int bins[10] = {0};
    gsl_rng *r = gsl_rng_alloc(ccr_type());
    for (int i = 0; i < N; i++) {
        ccr_set(r, 7, 0, CCR_CHILD, (uint64_t)i);
        bins[(int)(gsl_rng_uniform(r) * 10)]++;
    }
    gsl_rng_free(r);
    double chi = 0, e = N / 10.0;
    for (int b = 0; b < 10; b++)
        chi += (bins[b] - e) * (bins[b] - e) / e;
    CHECK(chi < 27.88, "chi-square %.2f exceeds the 0.1%% critical value (9 df)", chi);
    seeding();
    events();
    cdf_pick();
    return check_done("test_rng");
}
