/* experiment: replications over threads, deterministic whatever -j. */
#define _POSIX_C_SOURCE 200809L
#include "experiment.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ccdate.h"
#include "uncert.h"

typedef struct {
    cce_result *r;
    atomic_int next;
    atomic_int done;
    atomic_int failed;
    int checks;
    const cc_params *const *phases;
    const double *phase_t;
    int nphase;
    FILE *trace_ep, *trace_hd;
    /* the per-replication hook: finished[k] once replication k is done;
     * replications before next_out have been handed to the sink */
    cce_rep_sink sink;
    void *sink_ctx;
    pthread_mutex_t lock;
    unsigned char *finished;
    int next_out;
    int sink_failed;
} shared;

/* Replication k has finished: hand it, and every finished replication after
 * it with none missing before, to the sink, in order. Returns 0, or -1 when
 * the sink asked to stop. */
static int deliver(shared *sh, int k)
{
    cce_result *r = sh->r;
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    int rc = 0;
    pthread_mutex_lock(&sh->lock);
    sh->finished[k] = 1;
    while (!sh->sink_failed && sh->next_out < r->reps && sh->finished[sh->next_out]) {
        int i = sh->next_out++;
        if (sh->sink(sh->sink_ctx, i, r->data + (size_t)i * slice, &r->tot[i]) != 0)
            sh->sink_failed = 1;
    }
    rc = sh->sink_failed ? -1 : 0;
    pthread_mutex_unlock(&sh->lock);
    return rc;
}

static void *worker(void *arg)
{
    shared *sh = arg;
    cce_result *r = sh->r;
    cc_sim *s = ccs_new(r->p, r->L, r->ndates, r->snap_t);
    if (!s) {
        atomic_store(&sh->failed, 1);
        return NULL;
    }
    ccs_set_checks(s, sh->checks);
    if (sh->nphase > 1)
        ccs_set_phases(s, sh->phases, sh->phase_t, sh->nphase);
    ccs_set_trace(s, sh->trace_ep, sh->trace_hd);
    ccu_work *w = NULL;
    if (r->uncertainty) {
        const cc_params *const *ph = sh->nphase > 1 ? sh->phases : &r->p;
        w = ccu_work_new(ph, sh->nphase > 1 ? sh->nphase : 1, r->years);
        if (!w) {
            ccs_free(s);
            atomic_store(&sh->failed, 1);
            return NULL;
        }
    }
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    for (;;) {
        int k = atomic_fetch_add(&sh->next, 1);
        if (k >= r->reps || atomic_load(&sh->failed))
            break;
        if (w) {
            const cc_params *const *ph = ccu_work_draw(w, r->seed, (uint64_t)(k / r->draw_group));
            if (!ph) {
                atomic_store(&sh->failed, 1);
                break;
            }
            ccs_rebind(s, ph);
        }
        if (ccs_run(s, r->seed, (uint64_t)k, r->data + (size_t)k * slice, &r->tot[k]) != 0 ||
            (sh->sink && deliver(sh, k) != 0)) {
            atomic_store(&sh->failed, 1);
            break;
        }
        atomic_fetch_add(&sh->done, 1);
    }
    ccs_free(s);
    ccu_work_free(w);
    return NULL;
}

int cce_uncertainty_on(const cc_params *p, int opt)
{
    if (ccu_count(p->unc) == 0 || opt == CCE_UNC_OFF)
        return 0;
    return opt == CCE_UNC_ON || p->uncertainty != 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, cce_rep_sink sink, void *sink_ctx,
               cce_progress progress, void *ctx, cce_result **out, char *err);

int cce_run(const cc_params *p, const cce_opts *o, cce_progress progress, void *ctx, cce_result **out, char *err)
{
    return run(p, o, NULL, 0, NULL, NULL, progress, ctx, out, err);
}

int cce_run_dfe(const cc_params *p, const cce_opts *o, cce_progress progress, void *ctx, cce_result **out,
                char *err)
{
    return run(p, o, NULL, 1, NULL, NULL, progress, ctx, out, err);
}

int cce_run_each(const cc_params *p, const cce_opts *o, cce_rep_sink sink, void *sink_ctx, cce_progress progress,
                 void *ctx, cce_result **out, char *err)
{
    return run(p, o, NULL, 0, sink, sink_ctx, progress, ctx, out, err);
}

int cce_run_unc(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, cce_progress progress, void *ctx,
                cce_result **out, char *err)
{
    return run(p, o, u, dfe, NULL, NULL, progress, ctx, out, err);
}

static int run(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, cce_rep_sink sink, void *sink_ctx,
               cce_progress progress, void *ctx, cce_result **out, char *err)
{
    *out = NULL;
    cce_result *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, 256, "out of memory");
        return -1;
    }
    r->p = p;
    r->reps = o->reps;
    r->seed = o->seed;
    r->years = o->years;
    r->uncertainty = cce_uncertainty_on(p, u ? u->mode : CCE_UNC_CONFIG);
    r->draw_group = r->uncertainty ? (u && u->draw_group > 0 ? u->draw_group
                                      : ccu_group(p->unc) > 0 ? ccu_group(p->unc) : CCE_DRAW_GROUP) : 1;
    r->threads = o->threads < 1 ? 1 : (o->threads > o->reps ? o->reps : o->threads);
    r->L = ccx_new_with(p, dfe);
    r->ndates = 12 * o->years + 1;
    r->dates = malloc((size_t)r->ndates * sizeof *r->dates);
    r->snap_t = malloc((size_t)r->ndates * sizeof *r->snap_t);
    size_t slice = r->L ? (size_t)r->L->n * (size_t)r->ndates : 0;
    r->data = r->L ? calloc((size_t)o->reps * slice, sizeof *r->data) : NULL;
    r->tot = calloc((size_t)o->reps, sizeof *r->tot);
    if (!r->L || !r->dates || !r->snap_t || !r->data || !r->tot) {
        snprintf(err, 256, "out of memory for %d replications x %d months", o->reps, 12 * o->years);
        cce_free(r);
        return -1;
    }
    for (int k = 0; k < r->ndates; k++) {
        r->dates[k] = ccd_add_month_ends(p->start_day, k);
        r->snap_t[k] = (double)(r->dates[k] - p->start_day);
    }
    shared sh;
    sh.r = r;
    sh.checks = o->checks;
    sh.phases = o->phases;
    sh.phase_t = o->phase_t;
    sh.nphase = o->nphase;
    sh.trace_ep = o->trace_ep;
    sh.trace_hd = o->trace_hd;
    sh.sink = sink;
    sh.sink_ctx = sink_ctx;
    sh.next_out = 0;
    sh.sink_failed = 0;
    sh.finished = sink ? calloc((size_t)r->reps, 1) : NULL;
    if (sink && (!sh.finished || pthread_mutex_init(&sh.lock, NULL) != 0)) {
        free(sh.finished);
        snprintf(err, 256, "out of memory");
        cce_free(r);
        return -1;
    }
    atomic_init(&sh.next, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.failed, 0);
    double t0 = now_seconds();
    pthread_t *tid = calloc((size_t)r->threads, sizeof *tid);
    int started = 0;
    if (tid)
        for (; started < r->threads; started++)
            if (pthread_create(&tid[started], NULL, worker, &sh) != 0)
                break;
    if (started == 0) {
        free(tid);
        if (sh.sink) {
            pthread_mutex_destroy(&sh.lock);
            free(sh.finished);
        }
        snprintf(err, 256, "could not start a worker thread");
        cce_free(r);
        return -1;
    }
    if (progress) {
        struct timespec tick = {0, 100000000L};
        while (atomic_load(&sh.done) < r->reps && !atomic_load(&sh.failed)) {
            progress(ctx, atomic_load(&sh.done), r->reps);
            /* stop polling once every worker has exited (a failure) */
            nanosleep(&tick, NULL);
        }
        progress(ctx, atomic_load(&sh.done), r->reps);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    free(tid);
    r->wall_seconds = now_seconds() - t0;
    int stopped = sh.sink_failed;
    if (sh.sink) {
        pthread_mutex_destroy(&sh.lock);
        free(sh.finished);
    }
    if (atomic_load(&sh.failed) || atomic_load(&sh.done) != r->reps || stopped) {
        snprintf(err, 256, stopped ? "a replication's results could not be taken (the per-replication sink stopped)"
                                   : "a replication ran out of memory");
        cce_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

void cce_free(cce_result *r)
{
    if (!r)
        return;
    ccx_free(r->L);
    free(r->dates);
    free(r->snap_t);
    free(r->data);
    free(r->tot);
    free(r);
}

double cce_value(const cce_result *r, int rep, int j, int k)
{
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    return r->data[(size_t)rep * slice + (size_t)j * (size_t)r->ndates + (size_t)k];
}
