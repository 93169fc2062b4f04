/* test_rng: stream seeding is deterministic, and distinct streams differ. */
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
    return check_done("test_rng");
}
