/* rng: seeding of GSL generators from a master seed by a mixing hash.
 * Every random stream of a replication (arrivals, the initial population,
 * each child's own draws) gets its own seed, derived from the master seed,
 * the replication index, a stream tag and an index within the stream. Two
 * scenarios run with the same master seed therefore see, in replication k,
 * the same arrivals and the same draws for the n-th child (common random
 * numbers), whatever else differs between them. */
#ifndef RNG_H
#define RNG_H

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <gsl/gsl_randist.h>
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
/* Seed r (of ccr_type()) for a stream: taus2's three 32-bit words are
 * taken straight from two SplitMix64 outputs of the stream's seed (no
 * congruential generator, no warm-up steps: not gsl_rng_set's state). A
 * generator of another type is given gsl_rng_set(the seed folded to 32
 * bits, a zero fold avoided). */
void ccr_set(gsl_rng *r, uint64_t master, uint64_t rep, enum ccr_stream stream, uint64_t index);
/* The same in two steps, for seeding many streams of one (master, rep,
 * stream), such as every child's: ccr_set_index(r, ccr_stream_base(master,
 * rep, stream), index) is ccr_set(r, master, rep, stream, index). */
uint64_t ccr_stream_base(uint64_t master, uint64_t rep, enum ccr_stream stream);
void ccr_set_index(gsl_rng *r, uint64_t base, uint64_t index);
/* Set the three words of a taus2 generator r, each raised past the values
 * its recurrence cannot leave (below 2, 8 and 16) as gsl_rng_set does. */
void ccr_set_words(gsl_rng *r, unsigned long w1, unsigned long w2, unsigned long w3);

/* ccr_mix64, inlined (ccr_set_taus). */
static inline uint64_t ccr_mix64_inline(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The event loop's draws, inlined: the same numbers as GSL's calls of the
 * same names on a generator of ccr_type() (ccr_exponential: to the last
 * bit), without the two indirect calls each of those makes. They step the state of GSL's taus2 generator (three
 * 32-bit words in unsigned longs, L'Ecuyer's 1996 combined Tausworthe
 * recurrence) in place, so a stream may mix them with any gsl_ran_*
 * function. ccr_check() (tests) confirms that state layout against GSL. */
typedef struct {
    unsigned long s1, s2, s3;
} ccr_taus_state;

/* ccr_set_words on a taus2 state st, inlined. */
static inline void ccr_taus_words(ccr_taus_state *st, unsigned long w1, unsigned long w2, unsigned long w3)
{
    /* taus2's recurrences lose the low 1, 3 and 4 bits of their words: a
     * word below 2, 8 or 16 would stay 0 for ever (as gsl_rng_set, raise it) */
    const unsigned long m = 0xffffffffUL;
    w1 &= m;
    w2 &= m;
    w3 &= m;
    st->s1 = w1 < 2 ? w1 + 2 : w1;
    st->s2 = w2 < 8 ? w2 + 8 : w2;
    st->s3 = w3 < 16 ? w3 + 16 : w3;
}

/* ccr_set_index(r, base, index) for a generator r of ccr_type() whose
 * state is st, inlined: the same three words (an entry to care seeds its
 * child's stream so). */
static inline void ccr_set_taus(ccr_taus_state *st, uint64_t base, uint64_t index)
{
    uint64_t k = base ^ index, a = ccr_mix64_inline(k), b = ccr_mix64_inline(k + 0x9e3779b97f4a7c15ULL);
    ccr_taus_words(st, (unsigned long)(a & 0xffffffffULL), (unsigned long)(a >> 32), (unsigned long)(b >> 32));
}

static inline unsigned long ccr_get(const gsl_rng *r)
{
    ccr_taus_state *st = (ccr_taus_state *)r->state;
    const unsigned long m = 0xffffffffUL;
    unsigned long s1 = st->s1, s2 = st->s2, s3 = st->s3;
    s1 = (((s1 & 4294967294UL) << 12) & m) ^ ((((s1 << 13) & m) ^ s1) >> 19);
    s2 = (((s2 & 4294967288UL) << 4) & m) ^ ((((s2 << 2) & m) ^ s2) >> 25);
    s3 = (((s3 & 4294967280UL) << 17) & m) ^ ((((s3 << 3) & m) ^ s3) >> 11);
    st->s1 = s1;
    st->s2 = s2;
    st->s3 = s3;
    return s1 ^ s2 ^ s3;
}

/* gsl_rng_uniform: [0, 1) in steps of 2^-32. */
static inline double ccr_uniform(const gsl_rng *r) { return (double)ccr_get(r) * (1.0 / 4294967296.0); }

/* gsl_rng_uniform_pos: (0, 1). */
static inline double ccr_uniform_pos(const gsl_rng *r)
{
    double u;
    do
        u = ccr_uniform(r);
    while (u == 0);
    return u;
}

/* gsl_rng_uniform_int: an integer in [0, n), 0 < n <= 2^32 - 1, by GSL's
 * method (the generator's output divided by (2^32 - 1) / n, again while
 * the quotient is n or more). */
static inline unsigned long ccr_uniform_int(const gsl_rng *r, unsigned long n)
{
    unsigned long scale = 0xffffffffUL / n, k;
    do
        k = ccr_get(r) / scale;
    while (k >= n);
    return k;
}

/* An exponential with mean `mean` (not a rate) by inversion of one uniform
 * u, as gsl_ran_exponential, but as -mean log(1 - u) rather than its
 * -mean log1p(-u): 1 - u is exact (u is a multiple of 2^-32), and log is
 * several times cheaper than log1p; the two differ at most in the last bit. */
static inline double ccr_exponential(const gsl_rng *r, double mean) { return -mean * log(1 - ccr_uniform(r)); }

/* gsl_ran_shuffle inlined: the same permutation from the same numbers
 * (Durstenfeld's walk down from the last element, each swapped with one
 * at or below it drawn by ccr_uniform_int), with the swap done by word
 * for 4- and 8-byte elements rather than byte by byte. */
static inline void ccr_shuffle(const gsl_rng *r, void *base, size_t n, size_t size)
{
    unsigned char *b = base;
    for (size_t i = n > 1 ? n - 1 : 0; i > 0; i--) {
        size_t j = ccr_uniform_int(r, i + 1);
        unsigned char *x = b + i * size, *y = b + j * size;
        if (size == 4) {
            uint32_t t;
            memcpy(&t, x, 4);
            memcpy(x, y, 4);
            memcpy(y, &t, 4);
        } else if (size == 8) {
            uint64_t t;
            memcpy(&t, x, 8);
            memcpy(x, y, 8);
            memcpy(y, &t, 8);
        } else {
            for (size_t k = 0; k < size; k++) {
                unsigned char t = x[k];
                x[k] = y[k];
                y[k] = t;
            }
        }
    }
}

/* gsl_ran_discrete inlined: a pick from GSL's Walker alias table g (made
 * by gsl_ran_discrete_preproc) with one uniform u: cell c = floor(u K) is
 * kept if u is below its cut-off F[c] (GSL stores it as (c + f) / K, f the
 * cell's own share), else its alias A[c] is taken. The same number as
 * gsl_ran_discrete for the same generator state (ccr_check compares them),
 * without its two calls. */
static inline size_t ccr_discrete(const gsl_rng *r, const gsl_ran_discrete_t *g)
{
    double u = ccr_uniform(r);
    size_t c = (size_t)(u * (double)g->K);
    double f = g->F[c];
    return f == 1.0 || u < f ? c : g->A[c];
}

/* n independent events of probabilities q[0..n-1] from one uniform u in
 * [0, 1): bit k of the result is set when event k happens. u decides event
 * 0 (u < q[0]) and is then stretched back to [0, 1) within the side it fell
 * on (u / q[0], or (u - q[0]) / (1 - q[0])): given event 0, that is again
 * uniform, and independent of it, so it decides event 1, and so on. Each
 * split costs u a little resolution (a 32-bit u split at q keeps steps of
 * 2^-32 / q on the smaller side), far below any sampling error. */
static inline unsigned ccr_events(double u, const double *q, int n)
{
    unsigned bits = 0;
    for (int k = 0; k < n; k++) {
        if (u < q[k]) {
            bits |= 1u << k;
            u /= q[k];
        } else {
            u = (u - q[k]) / (1 - q[k]);
        }
    }
    return bits;
}

/* One of n outcomes from a uniform *u in [0, 1) by the cumulative weights
 * cdf[0..n-2] (outcome j when cdf[j-1] <= u < cdf[j]; the last takes the
 * rest up to 1), with *u then stretched back to [0, 1) within the outcome's
 * interval, where it is again uniform and independent of the outcome (as
 * in ccr_events), for a second draw from the same uniform. */
static inline int ccr_cdf_pick(double *u, const double *cdf, int n)
{
    int j = 0;
    double lo = 0;
    while (j + 1 < n && *u >= cdf[j])
        lo = cdf[j++];
    double hi = j + 1 < n ? cdf[j] : 1;
    double v = (*u - lo) / (hi - lo);
    *u = v < 1 ? v : 0x1.fffffffffffffp-1; /* rounding cannot reach 1 */
    return j;
}

/* 1 if the inlined draws above give GSL's numbers for ccr_type() from the
 * same state (checked on a few streams, ccr_uniform_int with small, large
 * and the largest bounds; ccr_discrete on a table with cells kept whole,
 * cut and aliased; ccr_exponential within 2 ulp), else 0. */
int ccr_check(void);

/* 1 if ccr_shuffle gives gsl_ran_shuffle's permutations (1 to 40
 * elements of 1, 4, 8 and 12 bytes, from the same streams), else 0. */
int ccr_check_shuffle(void);

#endif
