/* sens: which of a config's uncertain inputs (uncertainty_of, uncert.h)
 * drive the level and the spread of chosen outputs (target.h quantities).
 * One at a time: each input at the 5th and 95th percentiles of its stated
 * uncertainty, the others at the config's values, every run on the same
 * seeds (paired), gives a tornado of swings in the mean. Then, for the
 * inputs with the largest swings, variance-based (Sobol) indices from a
 * Saltelli design on GSL's Sobol quasi-random sequence: first-order
 * (Saltelli 2010) and total (Jansen) effects on the mean of each output
 * across the inputs' joint uncertainty. Writes sensitivity.csv,
 * sensitivity.txt and charts/tornado.{dat,gp,png,svg} through the staged
 * writer. */
#ifndef SENS_H
#define SENS_H

#include <stdint.h>
#include <stdio.h>

enum { CSA_MAXOUT = 8 };

typedef struct {
    const char *config;
    const char *const *outputs;  /* quantities (target.h), e.g. "spend/total over 2027-04-01 to 2028-03-31" */
    int noutputs;
    int reps;                    /* replications per evaluation (one at a time) */
    int sobol_n;                 /* Saltelli base points (0: no Sobol indices) */
    int sobol_reps;              /* replications per Sobol evaluation */
    int sobol_inputs;            /* the inputs with the largest swings that get indices (at most 20) */
    int years;                   /* 0: as far as the outputs' last date */
    int threads;
    uint64_t seed;
    const char *outdir;
    int quiet, no_charts;
    int argc;
    char *const *argv;
} csa_opts;

/* One input's results for output k. */
typedef struct {
    const char *input;           /* owned by the result */
    double low[CSA_MAXOUT], high[CSA_MAXOUT];     /* mean at the 5th and 95th percentile */
    double swing[CSA_MAXOUT], swing_se[CSA_MAXOUT];/* high - low (paired) and its standard error */
    double first[CSA_MAXOUT], total[CSA_MAXOUT];  /* Sobol indices (NaN: not computed) */
} csa_input;

typedef struct {
    int ninputs;
    csa_input *in;               /* in the config's order */
    int *rank;                   /* inputs by |swing| of output 0, largest first */
    double nominal[CSA_MAXOUT], nominal_sd[CSA_MAXOUT];
    double sobol_var[CSA_MAXOUT];/* variance of the mean across the Sobol design */
    int nsobol;                  /* inputs given Sobol indices */
    int years;
    long runs;                   /* evaluations made */
    struct cc_params *p;
} csa_result;

/* The analysis; an exit code (app.h's CCA_*), *res on CCA_OK (csa_free). */
int csa_analyse(const csa_opts *o, csa_result **res, FILE *err);
void csa_free(csa_result *r);
/* The command: analyse and write the files into o->outdir. */
int csa_main(const csa_opts *o, FILE *out, FILE *err);

#endif
