/* rng: seeding of GSL generators from a master seed by a mixing hash. */
#include "rng.h"

const gsl_rng_type *ccr_type(void)
{
    return gsl_rng_taus2;
}

uint64_t ccr_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t ccr_seed(uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index)
{
    uint64_t h = ccr_mix64(master);
    h = ccr_mix64(h ^ rep);
    h = ccr_mix64(h ^ (uint64_t)stream);
    return ccr_mix64(h ^ index);
}

void ccr_set(gsl_rng *r, uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index)
{
    uint64_t s = ccr_seed(master, rep, stream, index);
    unsigned long folded = (unsigned long)((s ^ (s >> 32)) & 0xffffffffULL);
    gsl_rng_set(r, folded ? folded : 0x6a09e667UL);
}
