/* ziggurat: exponential draws by the ziggurat method (Marsaglia and Tsang,
 * 2000), for the event loop's times. 256 layers of equal area cover the
 * density exp(-x); one 32-bit output of a taus2 stream picks a layer (its
 * low 8 bits) and a point across it (the high 24 bits), and 97.8% of the
 * time that point is accepted at once: a table load, a compare and a
 * multiply instead of a logarithm. The rest (the layer's edge, the tail past
 * the base layer) take more draws (ccz_slow). The draws are exponential to
 * the tables' precision in steps of 2^-24 of a layer's width (a few 1e-7 of
 * the mean), not the numbers of -log(u): a stream that draws through here
 * gives other times than GSL's gsl_ran_exponential. The tables are made by
 * scripts/gen-ziggurat.py; test_ziggurat checks them (equal areas) and
 * the draws (moments, a Kolmogorov-Smirnov test). The gamma draw (a
 * child's frailty) is built on the same exponential. */
#ifndef ZIGGURAT_H
#define ZIGGURAT_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "rng.h"

#define CCZ_N 256
/* the layers' edges x[0..N] (x[0]: the base layer's width with its tail,
 * x[1] the tail's start r, x[N] = 0); w[i] = x[i] / 2^24; a point j < k[i]
 * lies under the next layer's edge; f[i] = exp(-x[i]) */
extern const double ccz_x[CCZ_N + 1], ccz_w[CCZ_N], ccz_f[CCZ_N + 1];
extern const uint32_t ccz_k[CCZ_N];

/* The rare case of ccz_exponential: layer i, point j was not accepted at
 * once. */
double ccz_slow(const gsl_rng *r, uint32_t i, uint32_t j);

/* An exponential with mean 1 from stream r (of ccr_type()). */
static inline double ccz_exp1(const gsl_rng *r)
{
    uint32_t b = (uint32_t)ccr_get(r), i = b & (CCZ_N - 1), j = b >> 8;
    if (j < ccz_k[i])
        return j * ccz_w[i];
    return ccz_slow(r, i, j);
}

/* An exponential with mean `mean` (not a rate). */
static inline double ccz_exponential(const gsl_rng *r, double mean) { return mean * ccz_exp1(r); }

/* The normal: 128 layers of equal area under the half density
 * exp(-x^2 / 2), built as the exponential's (ccz_n* tables, from
 * scripts/gen-ziggurat.py normal). One 32-bit output: its low 7 bits pick
 * the layer, bit 7 the sign, the high 24 bits the point; 97.2% of draws
 * are accepted at once. The tail past r is Marsaglia's, from two
 * ccz_exp1 draws. Not the numbers of GSL's gsl_ran_gaussian_ziggurat. */
#define CCZ_NN 128
extern const double ccz_nx[CCZ_NN + 1], ccz_nw[CCZ_NN], ccz_nf[CCZ_NN + 1];
extern const uint32_t ccz_nk[CCZ_NN];

/* The rare case of ccz_normal: output b was not accepted at once. */
double ccz_nslow(const gsl_rng *r, uint32_t b);

/* A standard normal from stream r (of ccr_type()). */
static inline double ccz_normal(const gsl_rng *r)
{
    uint32_t b = (uint32_t)ccr_get(r), i = b & (CCZ_NN - 1), j = b >> 8;
    if (j < ccz_nk[i]) {
        double x = j * ccz_nw[i];
        return b & CCZ_NN ? -x : x;
    }
    return ccz_nslow(r, b);
}

/* A gamma's constants for one shape a > 0, worked out once (a parameter
 * set's frailty has two shapes): Marsaglia and Tsang's d and c, of a + 1
 * when a < 1 (then the draw is a Gamma(a + 1) variate times U^(1/a),
 * taken as exp(-E / a) with E from ccz_exp1, without pow). */
typedef struct {
    double a, d, c, inv_a;
    int small; /* a < 1 */
} ccz_gamma_k;
void ccz_gamma_prep(ccz_gamma_k *g, double a);
/* A Gamma(a, scale 1) variate for the constants g, by Marsaglia and
 * Tsang's method on ccz_normal and the inlined uniforms. Not the numbers
 * of gsl_ran_gamma. */
double ccz_gamma_k1(const gsl_rng *r, const ccz_gamma_k *g);
/* A gamma variate with shape a > 0 and scale b (mean a b): the two above
 * in one call. */
double ccz_gamma(const gsl_rng *r, double a, double b);

#endif
