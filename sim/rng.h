/* rng: seeding of GSL generators from a master seed by a mixing hash.
 * Every random stream of a replication (arrivals, the initial population,
 * each child's own draws) gets its own seed, derived from the master seed,
 * the replication index, a stream tag and an index within the stream. Two
 * scenarios run with the same master seed therefore see, in replication k,
 * the same arrivals and the same draws for the n-th child (common random
 * numbers), whatever else differs between them. */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

enum ccr_stream {
    CCR_ARRIVALS = 1,   /* times and cells of entries to care */
    CCR_INITIAL = 2,    /* shuffling of the initial population's attributes */
    CCR_CHILD = 3,      /* a child's own draws; index = the child's serial number */
    CCR_SUPPLY = 4,     /* the supply side: applications, approvals, resignations, start placements */
    CCR_THIN = 5,       /* scenario levers: which entries an edge-of-care lever prevents */
    CCR_PARAMS = 6,     /* parameter uncertainty: a replication's draw of the parameters; rep = draw index */
    CCR_MARKET = 7      /* a region's background demand on a shared market; index = the market */
};

/* The generator type every stream uses (GSL's taus2: fast, small state,
 * maximally equidistributed). Named in the manifest. */
const gsl_rng_type *ccr_type(void);
/* SplitMix64 finaliser: a bijective 64-bit mixing hash. */
uint64_t ccr_mix64(uint64_t x);
/* Seed of stream `stream`, index `index`, of replication `rep`. */
uint64_t ccr_seed(uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index);
/* Seed r (of ccr_type()) for a stream. The seed is folded to the 32 bits
 * that taus2 uses; a zero fold is avoided. */
void ccr_set(gsl_rng *r, uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index);

#endif
