/* experiment: many replications of one parameter set, spread over threads
 * (and MPI ranks, ranks.h). Replication k always uses seed stream k; each
 * finished replication goes into mergeable accumulators of the run's
 * summaries (runstats.h), whose sums are exact integers, so the result is
 * the same whatever the number of threads or ranks. Keeping every
 * replication's values (cce_result.data) is optional: without them memory
 * does not grow with the number of replications. */
#ifndef EXPERIMENT_H
#define EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "runstats.h"
#include "params.h"
#include "sim.h"

/* The per-replication hook: each replication's results, in replication
 * order (0, 1, 2, ...) whatever the number of threads and whichever
 * finishes first. Called once per replication, by one worker thread at a
 * time (never two at once), as soon as that replication and every earlier
 * one have finished. values holds L->n * ndates numbers, series-major (as
 * ccs_run writes them: values[series * ndates + date]); values and tot are
 * valid during the call only. Return 0, or non-zero to stop the run (cce_run
 * then fails).
 *
 * This is where anything that needs every replication's values should be
 * fed from: mergeable accumulators of the summaries (so the results need not
 * hold every replication), per-replication output, per-replication
 * statistics such as a variance decomposition across parameter draws.
 * Because the order is fixed, a floating-point sum formed here is the same
 * on any -j. The run's summaries do not need it (cce_result.stats). */
typedef int (*cce_rep_sink)(void *ctx, int rep, const double *values, const ccs_totals *tot);

typedef struct {
    int reps;      /* replications, >= 1 */
    int years;     /* horizon in years from the start date, >= 1 */
    int threads;   /* worker threads, >= 1 */
    uint64_t seed; /* master seed */
    int checks;    /* tests: verify the supply state after every event (slow) */
    /* a scenario: parameter phases (phases[0] is the run's parameters) that
     * take over at phase_t[k] days; NULL/0 for a plain config */
    const cc_params *const *phases;
    const double *phase_t;
    int nphase;
    FILE *trace_ep, *trace_hd; /* export-903: SSDA903 episodes and header (use with 1 thread) */
    /* 1: keep no replication's values (cce_result.data is NULL; only the
     * summaries in cce_result.stats): memory flat in replications */
    int summary_only;
    /* each replication in order as it finishes (cce_rep_sink); NULL: none.
     * Not with MPI ranks. */
    cce_rep_sink sink;
    void *sink_ctx;
    /* 1: share the replications among the MPI ranks (ranks.h) and merge
     * everything on rank 0; the other ranks' results hold their share only
     * and must not be written */
    int mpi;
} cce_opts;

/* Parameter uncertainty of a run (uncert.h). */
typedef struct {
    int mode;         /* CCE_UNC_CONFIG (0: as the config says), CCE_UNC_ON, CCE_UNC_OFF */
    int draw_group;   /* replications that share one parameter draw (0: CCE_DRAW_GROUP) */
} cce_unc;

enum { CCE_UNC_CONFIG = 0, CCE_UNC_ON = 1, CCE_UNC_OFF = 2 };
/* With uncertainty on, replications 2g and 2g+1 share draw g: the nested
 * design that lets the spread be split into parameter and process parts
 * (vardec.h). */
enum { CCE_DRAW_GROUP = 2 };
/* Whether a run of p with option `opt` (CCE_UNC_*) draws its parameters:
 * the option, else the config's switch, else on when the config carries
 * uncertainty. Off when there is nothing to draw. */
int cce_uncertainty_on(const cc_params *p, int opt);

typedef struct {
    const cc_params *p;
    ccx_layout *L;
    int ndates;       /* start date + 12 * years month ends */
    int32_t *dates;   /* day numbers of the snapshot dates */
    double *snap_t;   /* the same as times (days after the start date) */
    int reps;
    double *data;     /* reps * L->n * ndates, rep-major, then series, then date;
                       * NULL with cce_opts.summary_only */
    ccrs *stats;      /* the summaries of every replication */
    ccs_totals *tot;  /* per replication */
    double wall_seconds;
    int threads;
    uint64_t seed;
    int years;
    int uncertainty;  /* 1: each replication drew its parameters */
    int draw_group;   /* replications per draw (1 when uncertainty is off) */
    /* MPI (ranks.h): the number of ranks that shared the run (1: none);
     * on rank 0, the seconds from its own share's end until every rank had
     * finished (waiting for the slowest), then receiving and merging the
     * others' results, and the bytes it received */
    int mpi_ranks;
    double mpi_wait_seconds, mpi_merge_seconds;
    double mpi_bytes;
    /* the summaries' cost (docs/performance.md): CPU seconds the worker
     * threads spent adding finished replications (every arm's) to their
     * accumulators, summed over the threads, and the wall seconds of
     * merging the threads' accumulators at the end (this process's) */
    double summary_add_seconds, summary_merge_seconds;
} cce_result;

/* Called from the calling thread about ten times a second while running. */
typedef void (*cce_progress)(void *ctx, int done, int total);

/* Run the experiment. Returns 0 and *out (free with cce_free), or -1 when
 * memory or threads could not be had (message in err, at least 256 bytes). */
int cce_run(const cc_params *p, const cce_opts *o, cce_progress progress, void *ctx, cce_result **out,
            char *err);
/* The same, with the DfE's counts for a back-test in the layout (metrics.h). */
int cce_run_dfe(const cc_params *p, const cce_opts *o, cce_progress progress, void *ctx, cce_result **out,
                char *err);
/* cce_run, handing each replication to sink(sink_ctx, ...) in replication
 * order as the run goes (cce_rep_sink above). */
int cce_run_each(const cc_params *p, const cce_opts *o, cce_rep_sink sink, void *sink_ctx, cce_progress progress,
                 void *ctx, cce_result **out, char *err);
/* Either of the above (dfe: with the DfE's counts) with the parameter
 * uncertainty u (NULL: as the config says). */
int cce_run_unc(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, cce_progress progress, void *ctx,
                cce_result **out, char *err);
void cce_free(cce_result *r);
/* What a run derives from each replication beyond its own summaries (a
 * compare's paired differences, a back-test's yearly sums), in mergeable
 * accumulators: each worker thread adds the replications it runs to its
 * own accumulator (make), and at the end they are merged into one (merge;
 * with MPI ranks, packed on each rank and merged on rank 0). Nothing per
 * replication is kept, so memory does not grow with replications. The
 * result must not depend on which accumulator a replication went to or in
 * which order they were merged (exact sums, histograms: acc.h). The
 * replications of one parameter draw group come to one accumulator, one
 * after another. */
typedef struct {
    const void *ctx;
    /* a new, empty accumulator (NULL: no memory) */
    void *(*make)(const void *ctx);
    /* replication rep's values of every arm (values[a]: arm a's, L->n *
     * ndates of its layout, series-major; valid during the call only).
     * 0, or non-zero to stop the run */
    int (*add)(void *acc, int rep, const double *const *values);
    /* optional (NULL: add one at a time): nb replications at once, rep[b]'s
     * values[b * narm + a] (valid during the call only), the same as nb
     * calls of add in order. 0, or non-zero to stop the run */
    int (*add_batch)(void *acc, const int *rep, const double *const *values, int nb);
    /* dst += src: 0, or -1 (no memory) */
    int (*merge)(void *dst, const void *src);
    void (*drop)(void *acc);
    /* MPI: append acc to *buf (grown; *len, *cap updated), 0 or -1; merge a
     * packed accumulator into dst, 0 or -1 (malformed, or no memory) */
    int (*pack)(const void *acc, unsigned char **buf, size_t *len, size_t *cap);
    int (*unpack_merge)(void *dst, const unsigned char *buf, size_t len);
} cce_derive;

/* One arm of a paired run: parameters p (a scenario's first phase) and the
 * scenario's phases (NULL/0 for a plain config). */
typedef struct {
    const cc_params *p;
    const cc_params *const *phases;
    const double *phase_t;
    int nphase;
} cce_arm;

/* A paired run (a compare): replication k of every arm in turn on one
 * worker, each arm with its own engine and parameter draws and the same
 * seed streams as a run of that arm alone (common random numbers), so each
 * arm's results are the very ones cce_run_unc gives it. out[0..narm-1] get
 * the arms' results (summaries only: o->summary_only must be set; no sink,
 * no trace); with d, *derived gets the merged accumulator of d (free with
 * d->drop). With o->mpi the replications are shared among the ranks and
 * everything merged on rank 0. Returns 0, or -1 with a message in err (the
 * results then NULL). */
int cce_run_arms(const cce_arm *arm, int narm, const cce_opts *o, const cce_unc *u, int dfe, const cce_derive *d,
                 cce_progress progress, void *ctx, cce_result **out, void **derived, char *err);

/* Value of series j at date k in replication rep (r->data must be kept). */
double cce_value(const cce_result *r, int rep, int j, int k);

#endif
