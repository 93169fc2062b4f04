/* rng: seeding of GSL generators from a master seed by a mixing hash. */
#include "rng.h"

#include <gsl/gsl_randist.h>

const gsl_rng_type *ccr_type(void)
{
    return gsl_rng_taus2;
}

uint64_t ccr_mix64(uint64_t x) { return ccr_mix64_inline(x); }

uint64_t ccr_stream_base(uint64_t master, uint64_t rep, enum ccr_stream stream)
{
    uint64_t h = ccr_mix64(master);
    h = ccr_mix64(h ^ rep);
    return ccr_mix64(h ^ (uint64_t)stream);
}

uint64_t ccr_seed(uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index)
{
    return ccr_mix64(ccr_stream_base(master, rep, stream) ^ index);
}

void ccr_set(gsl_rng *r, uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index)
{
    ccr_set_index(r, ccr_stream_base(master, rep, stream), index);
}

void ccr_set_words(gsl_rng *r, unsigned long w1, unsigned long w2, unsigned long w3)
{
    ccr_taus_words((ccr_taus_state *)r->state, w1, w2, w3);
}

void ccr_set_index(gsl_rng *r, uint64_t base, uint64_t index)
{
    /* two consecutive SplitMix64 outputs from the state base ^ index (the
     * second is the mix of that state plus the golden-ratio increment that
     * ccr_mix64 adds first): 96 of their 128 bits are the three words */
    if (r->type != gsl_rng_taus2) {
        uint64_t a = ccr_mix64(base ^ index);
        unsigned long folded = (unsigned long)((a ^ (a >> 32)) & 0xffffffffULL);
        gsl_rng_set(r, folded ? folded : 0x6a09e667UL);
        return;
    }
    ccr_set_taus((ccr_taus_state *)r->state, base, index);
}

int ccr_check(void)
{
    gsl_rng *a = gsl_rng_alloc(ccr_type()), *b = gsl_rng_alloc(ccr_type());
    int ok = a && b && gsl_rng_size(a) == sizeof(ccr_taus_state);
    /* an alias table with cells of every kind (kept whole, cut, aliased) */
    static const double w[7] = {0.05, 3, 0.7, 0, 1.25, 0.3, 2};
    gsl_ran_discrete_t *g = gsl_ran_discrete_preproc(7, w);
    ok = ok && g;
    for (uint64_t k = 0; ok && k < 64; k++) {
        ccr_set(a, 12345, k, CCR_CHILD, k * 7919);
        ok = gsl_rng_memcpy(b, a) == 0; /* the same state, stepped by GSL */
        for (int i = 0; ok && i < 200; i++) {
            switch (i % 5) {
            case 0:
                ok = ccr_get(a) == gsl_rng_get(b);
                break;
            case 1:
                ok = ccr_uniform(a) == gsl_rng_uniform(b);
                break;
            case 2:
                ok = ccr_uniform_pos(a) == gsl_rng_uniform_pos(b);
                if (ok) { /* bounds from 1 to 2^32 - 1, the small ones most */
                    unsigned long x = ccr_get(a);
                    unsigned long n = i % 3 == 0 ? 1 + x % 40 : i % 3 == 1 ? 1 + x % 0xfffffffeUL : 0xffffffffUL;
                    ok = x == gsl_rng_get(b);
                    ok = ok && ccr_uniform_int(a, n) == gsl_rng_uniform_int(b, n);
                }
                break;
            case 3:
                ok = ccr_discrete(a, g) == gsl_ran_discrete(b, g);
                break;
            default: {
                double x = ccr_exponential(a, 3.5), y = gsl_ran_exponential(b, 3.5);
                ok = fabs(x - y) <= 4.5e-16 * y; /* 2 ulp */
                break;
            }
            }
        }
    }
    gsl_ran_discrete_free(g);
    gsl_rng_free(a);
    gsl_rng_free(b);
    return ok;
}

int ccr_check_shuffle(void)
{
    gsl_rng *a = gsl_rng_alloc(ccr_type()), *b = gsl_rng_alloc(ccr_type());
    int ok = a && b;
    static const size_t sizes[] = {1, 4, 8, 12};
    unsigned char x[40 * 12], y[40 * 12];
    for (size_t si = 0; ok && si < sizeof sizes / sizeof *sizes; si++)
        for (size_t n = 1; ok && n <= 40; n++) {
            gsl_rng_set(a, 1000 * si + n);
            gsl_rng_set(b, 1000 * si + n);
            for (size_t k = 0; k < n * sizes[si]; k++)
                x[k] = y[k] = (unsigned char)(k * 37 + 11);
            ccr_shuffle(a, x, n, sizes[si]);
            gsl_ran_shuffle(b, y, n, sizes[si]);
            ok = memcmp(x, y, n * sizes[si]) == 0 && gsl_rng_get(a) == gsl_rng_get(b);
        }
    gsl_rng_free(a);
    gsl_rng_free(b);
    return ok;
}
