/* seek: the smallest setting of a scenario's lever that meets dated targets
 * on the outputs with the probability asked (target.h). Every setting is run
 * with the same seeds, so settings are compared on common random numbers;
 * each is run in batches of replications until a 95% interval on each
 * target's probability (Wilson) or mean (normal) falls on one side of what
 * is asked, or the replication limit is reached; a bisection over the grid
 * of settings, assuming the targets get no harder as the lever grows, finds
 * the first setting that meets them. The command writes seek.csv (every
 * evaluation) and seek.txt (the answer) through the staged writer. */
#ifndef SEEK_H
#define SEEK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CSK_MAXTARGET = 16 };

/* A lever setting and its range: LEVER.SETTING=A:B[:STEP]. The search goes
 * from A (the least-effort end) towards B by STEP (default 1). */
typedef struct {
    char lever[64];
    char setting[64];
    double a, b, step;
} csk_vary;

/* Parse "LEVER.SETTING=A:B[:STEP]". 0, or -1 with what is wrong in err. */
int csk_parse_vary(const char *s, csk_vary *v, char *err, size_t errlen);

typedef struct {
    const char *scenario;          /* the scenario file whose lever is varied */
    csk_vary vary;
    const char *const *targets;    /* target texts (target.h) */
    int ntargets;
    double unit_cost;              /* GBP per unit of the setting (NaN: no cost) */
    int reps;                      /* replications per batch */
    int max_reps;                  /* most replications at one setting (a multiple of reps) */
    int years;                     /* 0: as far as the targets' last date */
    int threads;
    uint64_t seed;
    const char *outdir;
    int quiet;
    int argc;                      /* the command, for seek.txt */
    char *const *argv;
} csk_opts;

/* One evaluation: a setting after a batch of replications. */
typedef struct {
    double value;
    int index;                     /* grid position from A */
    int reps;                      /* replications so far at this setting */
    int verdict;                   /* CSK_* below */
    double est[CSK_MAXTARGET], lo[CSK_MAXTARGET], hi[CSK_MAXTARGET];
} csk_eval;

enum { CSK_CLOSE = 0, CSK_MEETS = 1, CSK_FAILS = 2, CSK_MEETS_LIMIT = 3, CSK_FAILS_LIMIT = 4 };

typedef struct {
    int found;                     /* 1: answer holds the first setting that meets every target */
    int answer, runner_up;         /* indices into evals of their last evaluations; -1 none */
    int nevals;
    csk_eval *evals;
    int nsettings;                 /* settings evaluated */
    long total_reps;
    int years;
    double wall_seconds;
    int mean[CSK_MAXTARGET];       /* 1: target t asks for a mean, 0: a probability */
    double required[CSK_MAXTARGET];/* the probability asked, or the mean's bound */
} csk_result;

/* Run the search. Returns an exit code (app.h's CCA_*): CCA_OK with *res
 * (free with csk_free) whether or not a setting was found, CCA_USAGE or
 * CCA_INVALID for bad arguments or files (messages on err, nothing run). */
int csk_search(const csk_opts *o, csk_result **res, FILE *err);
void csk_free(csk_result *r);
/* The command: search, write seek.csv and seek.txt into o->outdir, print
 * the answer. Exit 1 (CCA_RUNTIME) when no setting in the range meets the
 * targets (the files still say what was tried). */
int csk_main(const csk_opts *o, FILE *out, FILE *err);

#endif
