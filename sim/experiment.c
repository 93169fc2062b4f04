/* experiment: replications over threads and MPI ranks, deterministic
 * whatever -j or the number of ranks. */
#define _POSIX_C_SOURCE 200809L
#include "experiment.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ccdate.h"
#include "ranks.h"
#include "uncert.h"

/* Slices of the ring that holds finished replications waiting for their
 * turn at the sink, per worker thread (with a sink and no kept values). */
enum { RING_PER_THREAD = 2 };
/* Replications a worker gathers before adding them to its accumulators
 * (runstats.h ccrs_add_batch): fewer cache misses, memory still flat. */
enum { BATCH = 16 };

typedef struct {
    cce_result *r;
    int lo, hi;      /* this process's replications */
    int unit;        /* replications claimed at once: one parameter draw's group */
    size_t slice;    /* values per replication */
    atomic_int next; /* next unclaimed replication, from lo */
    atomic_int done;
    atomic_int failed;
    int checks;
    const cc_params *const *phases;
    const double *phase_t;
    int nphase;
    FILE *trace_ep, *trace_hd;
    ccrs **part;     /* each worker's accumulators */
    /* the per-replication hook: finished[k - lo] once replication k is done;
     * replications before next_out have been handed to the sink */
    cce_rep_sink sink;
    void *sink_ctx;
    pthread_mutex_t lock;
    pthread_cond_t turn;
    unsigned char *finished;
    int next_out;
    int sink_failed;
    double *ring;    /* nring slices (a sink without kept values), else NULL */
    int nring;
} shared;

typedef struct {
    shared *sh;
    int id;
} worker_arg;

static double *slot(shared *sh, int k)
{
    if (sh->r->data)
        return sh->r->data + (size_t)k * sh->slice;
    return sh->ring + (size_t)(k % sh->nring) * sh->slice;
}

/* Before replication k uses its ring slice: wait until the replication
 * that held it has gone to the sink. 0, or -1 when the run failed. */
static int wait_turn(shared *sh, int k)
{
    pthread_mutex_lock(&sh->lock);
    while (k >= sh->next_out + sh->nring && !sh->sink_failed && !atomic_load(&sh->failed))
        pthread_cond_wait(&sh->turn, &sh->lock);
    int rc = sh->sink_failed || atomic_load(&sh->failed) ? -1 : 0;
    pthread_mutex_unlock(&sh->lock);
    return rc;
}

static void fail(shared *sh)
{
    atomic_store(&sh->failed, 1);
    if (sh->sink) {
        pthread_mutex_lock(&sh->lock);
        pthread_cond_broadcast(&sh->turn);
        pthread_mutex_unlock(&sh->lock);
    }
}

/* Replication k has finished: hand it, and every finished replication after
 * it with none missing before, to the sink, in order. Returns 0, or -1 when
 * the sink asked to stop. */
static int deliver(shared *sh, int k)
{
    cce_result *r = sh->r;
    int rc = 0;
    pthread_mutex_lock(&sh->lock);
    sh->finished[k - sh->lo] = 1;
    while (!sh->sink_failed && sh->next_out < sh->hi && sh->finished[sh->next_out - sh->lo]) {
        int i = sh->next_out;
        if (sh->sink(sh->sink_ctx, i, slot(sh, i), &r->tot[i]) != 0)
            sh->sink_failed = 1;
        else
            sh->next_out++;
    }
    rc = sh->sink_failed ? -1 : 0;
    pthread_cond_broadcast(&sh->turn);
    pthread_mutex_unlock(&sh->lock);
    return rc;
}

static void *worker(void *arg)
{
    shared *sh = ((worker_arg *)arg)->sh;
    ccrs *acc = sh->part[((worker_arg *)arg)->id];
    cce_result *r = sh->r;
    cc_sim *s = ccs_new(r->p, r->L, r->ndates, r->snap_t);
    /* a batch of replications' values (copies unless kept in r->data) */
    double *own = !r->data ? malloc((size_t)BATCH * sh->slice * sizeof *own) : NULL;
    const double *bv[BATCH];
    int brep[BATCH], nb = 0;
    if (!s || (!r->data && !own)) {
        ccs_free(s);
        free(own);
        fail(sh);
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
            free(own);
            fail(sh);
            return NULL;
        }
    }
    int stop = 0;
    while (!stop) {
        int k0 = sh->lo + atomic_fetch_add(&sh->next, sh->unit);
        if (k0 >= sh->hi || atomic_load(&sh->failed))
            break;
        int k1 = k0 + sh->unit < sh->hi ? k0 + sh->unit : sh->hi;
        for (int k = k0; k < k1 && !stop; k++) {
            if (w) {
                const cc_params *const *ph = ccu_work_draw(w, r->seed, (uint64_t)(k / r->draw_group));
                if (!ph) {
                    stop = 1;
                    break;
                }
                ccs_rebind(s, ph);
            }
            if (sh->ring && wait_turn(sh, k) != 0) {
                stop = 1;
                break;
            }
            double *mine = own ? own + (size_t)nb * sh->slice : NULL;
            double *out = sh->ring || r->data ? slot(sh, k) : mine;
            if (ccs_run(s, r->seed, (uint64_t)k, out, &r->tot[k]) != 0) {
                stop = 1;
                break;
            }
            if (mine && out != mine)
                memcpy(mine, out, sh->slice * sizeof *mine);
            bv[nb] = mine ? mine : out;
            brep[nb++] = k;
            if (sh->sink && deliver(sh, k) != 0) {
                stop = 1;
                break;
            }
            if (nb == BATCH) {
                if (ccrs_add_batch(acc, brep, bv, nb) != 0)
                    stop = 1;
                nb = 0;
            }
            atomic_fetch_add(&sh->done, 1);
        }
    }
    if (!stop && nb > 0 && ccrs_add_batch(acc, brep, bv, nb) != 0)
        stop = 1;
    if (stop)
        fail(sh);
    ccs_free(s);
    free(own);
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
    return run(p, o, NULL, 0, o->sink, o->sink_ctx, progress, ctx, out, err);
}

int cce_run_dfe(const cc_params *p, const cce_opts *o, cce_progress progress, void *ctx, cce_result **out,
                char *err)
{
    return run(p, o, NULL, 1, o->sink, o->sink_ctx, progress, ctx, out, err);
}

int cce_run_each(const cc_params *p, const cce_opts *o, cce_rep_sink sink, void *sink_ctx, cce_progress progress,
                 void *ctx, cce_result **out, char *err)
{
    return run(p, o, NULL, 0, sink, sink_ctx, progress, ctx, out, err);
}

int cce_run_unc(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, cce_progress progress, void *ctx,
                cce_result **out, char *err)
{
    return run(p, o, u, dfe, o->sink, o->sink_ctx, progress, ctx, out, err);
}

/* Run replications sh->lo .. sh->hi - 1 on this process's threads. 0, or -1
 * with a message in err. */
static int run_local(shared *sh, cce_progress progress, void *ctx, char *err)
{
    cce_result *r = sh->r;
    int count = sh->hi - sh->lo;
    int threads = r->threads;
    sh->part = calloc((size_t)threads, sizeof *sh->part);
    worker_arg *args = calloc((size_t)threads, sizeof *args);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int ok = sh->part && args && tid;
    for (int t = 0; ok && t < threads; t++) {
        sh->part[t] = ccrs_new(r->L, r->ndates, r->dates, r->years, r->draw_group);
        ok = sh->part[t] != NULL;
        args[t].sh = sh;
        args[t].id = t;
    }
    if (ok && sh->sink) {
        sh->finished = calloc((size_t)(count > 0 ? count : 1), 1);
        if (!r->data) {
            sh->nring = RING_PER_THREAD * threads;
            sh->ring = malloc((size_t)sh->nring * sh->slice * sizeof *sh->ring);
        }
        ok = sh->finished && (r->data || sh->ring);
    }
    int started = 0;
    if (ok)
        for (; started < threads; started++)
            if (pthread_create(&tid[started], NULL, worker, &args[started]) != 0)
                break;
    int rc = 0;
    if (!ok || started == 0) {
        snprintf(err, 256, ok ? "could not start a worker thread" : "out of memory");
        rc = -1;
    } else {
        if (progress) {
            struct timespec tick = {0, 100000000L};
            while (atomic_load(&sh->done) < count && !atomic_load(&sh->failed)) {
                progress(ctx, atomic_load(&sh->done), count);
                nanosleep(&tick, NULL);
            }
            progress(ctx, atomic_load(&sh->done), count);
        }
        for (int i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
        /* every worker's accumulators into the first; the sums are exact, so
         * the order of the merge does not matter */
        for (int t = 1; t < threads && rc == 0; t++)
            if (ccrs_merge(sh->part[0], sh->part[t]) != 0) {
                snprintf(err, 256, "out of memory while merging the summaries");
                rc = -1;
            }
        if (rc == 0 && (atomic_load(&sh->failed) || atomic_load(&sh->done) != count || sh->sink_failed)) {
            snprintf(err, 256, sh->sink_failed ? "a replication's results could not be taken (the "
                                                 "per-replication sink stopped)"
                                               : "a replication ran out of memory, or a value was out of the "
                                                 "accumulators' range");
            rc = -1;
        }
    }
    if (rc == 0) {
        r->stats = sh->part[0];
        sh->part[0] = NULL;
    }
    for (int t = 0; sh->part && t < threads; t++)
        ccrs_free(sh->part[t]);
    free(sh->part);
    free(args);
    free(tid);
    free(sh->finished);
    free(sh->ring);
    return rc;
}

/* MPI: the other ranks send rank 0 their summaries, totals and (when kept)
 * values; rank 0 merges them. 0, or -1 with a message in err. */
static int gather(cce_result *r, int lo, int hi, int keep, char *err)
{
    int size = ccrk_size(), rank = ccrk_rank();
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    if (rank != 0) {
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0;
        int rc = ccrs_pack(r->stats, &buf, &len, &cap);
        rc = rc || ccrk_send0(buf, len) || ccrk_send0(r->tot + lo, (size_t)(hi - lo) * sizeof *r->tot);
        if (keep && rc == 0)
            rc = ccrk_send0(r->data + (size_t)lo * slice, (size_t)(hi - lo) * slice * sizeof *r->data);
        free(buf);
        if (rc)
            snprintf(err, 256, "MPI rank %d could not send its results", rank);
        return rc ? -1 : 0;
    }
    for (int from = 1; from < size; from++) {
        /* the sender's share, as it computed it */
        int g = r->draw_group, G = (r->reps + g - 1) / g;
        int flo = (int)((long long)G * from / size) * g, fhi = (int)((long long)G * (from + 1) / size) * g;
        if (fhi > r->reps)
            fhi = r->reps;
        unsigned char *buf = NULL;
        size_t len = 0;
        int rc = ccrk_recv(from, &buf, &len) || ccrs_unpack_merge(r->stats, buf, len);
        r->mpi_bytes += (double)len;
        free(buf);
        buf = NULL;
        if (!rc) {
            rc = ccrk_recv(from, &buf, &len) || len != (size_t)(fhi - flo) * sizeof *r->tot;
            r->mpi_bytes += (double)len;
            if (!rc && len)
                memcpy(r->tot + flo, buf, len);
            free(buf);
            buf = NULL;
        }
        if (!rc && keep) {
            rc = ccrk_recv(from, &buf, &len) || len != (size_t)(fhi - flo) * slice * sizeof *r->data;
            r->mpi_bytes += (double)len;
            if (!rc && len)
                memcpy(r->data + (size_t)flo * slice, buf, len);
            free(buf);
        }
        if (rc) {
            snprintf(err, 256, "the results of MPI rank %d could not be taken (out of memory, or a malformed message)",
                     from);
            return -1;
        }
    }
    (void)lo;
    (void)hi;
    return 0;
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
    int size = o->mpi ? ccrk_size() : 1, rank = o->mpi ? ccrk_rank() : 0;
    if (size > 1 && sink) {
        snprintf(err, 256, "per-replication output cannot be written with more than one MPI rank");
        free(r);
        return -1;
    }
    int keep = !o->summary_only;
    r->p = p;
    r->reps = o->reps;
    r->seed = o->seed;
    r->years = o->years;
    r->uncertainty = cce_uncertainty_on(p, u ? u->mode : CCE_UNC_CONFIG);
    r->draw_group = r->uncertainty ? (u && u->draw_group > 0 ? u->draw_group
                                      : ccu_group(p->unc) > 0 ? ccu_group(p->unc) : CCE_DRAW_GROUP) : 1;
    /* this rank's share: whole draw groups, so a group's values meet in one
     * accumulator */
    int g = r->draw_group, G = (o->reps + g - 1) / g;
    int lo = (int)((long long)G * rank / size) * g, hi = (int)((long long)G * (rank + 1) / size) * g;
    if (hi > o->reps)
        hi = o->reps;
    int count = hi - lo;
    r->threads = o->threads < 1 ? 1 : o->threads;
    int units = (count + g - 1) / g;
    if (r->threads > units)
        r->threads = units > 0 ? units : 1;
    r->L = ccx_new_with(p, dfe);
    r->ndates = 12 * o->years + 1;
    r->dates = malloc((size_t)r->ndates * sizeof *r->dates);
    r->snap_t = malloc((size_t)r->ndates * sizeof *r->snap_t);
    size_t slice = r->L ? (size_t)r->L->n * (size_t)r->ndates : 0;
    r->data = r->L && keep ? calloc((size_t)o->reps * slice, sizeof *r->data) : NULL;
    r->tot = calloc((size_t)o->reps, sizeof *r->tot);
    if (!r->L || !r->dates || !r->snap_t || (keep && !r->data) || !r->tot) {
        snprintf(err, 256, "out of memory for %d replications x %d months", o->reps, 12 * o->years);
        cce_free(r);
        return -1;
    }
    for (int k = 0; k < r->ndates; k++) {
        r->dates[k] = ccd_add_month_ends(p->start_day, k);
        r->snap_t[k] = (double)(r->dates[k] - p->start_day);
    }
    shared sh;
    memset(&sh, 0, sizeof sh);
    sh.r = r;
    sh.lo = lo;
    sh.hi = hi;
    sh.unit = g;
    sh.slice = slice;
    sh.checks = o->checks;
    sh.phases = o->phases;
    sh.phase_t = o->phase_t;
    sh.nphase = o->nphase;
    sh.trace_ep = o->trace_ep;
    sh.trace_hd = o->trace_hd;
    sh.sink = sink;
    sh.sink_ctx = sink_ctx;
    sh.next_out = lo;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.failed, 0);
    int sync = 0;
    if (sink) {
        if (pthread_mutex_init(&sh.lock, NULL) != 0) {
            snprintf(err, 256, "out of memory");
            cce_free(r);
            return -1;
        }
        if (pthread_cond_init(&sh.turn, NULL) != 0) {
            pthread_mutex_destroy(&sh.lock);
            snprintf(err, 256, "out of memory");
            cce_free(r);
            return -1;
        }
        sync = 1;
    }
    double t0 = now_seconds();
    int rc = run_local(&sh, progress, ctx, err);
    if (sync) {
        pthread_cond_destroy(&sh.turn);
        pthread_mutex_destroy(&sh.lock);
    }
    r->mpi_ranks = size;
    if (size > 1) {
        double tm = now_seconds();
        /* every rank learns whether every rank succeeded before any sends */
        if (!ccrk_all(rc == 0)) {
            if (rc == 0)
                snprintf(err, 256, "another MPI rank failed");
            rc = -1;
        }
        r->mpi_wait_seconds = now_seconds() - tm;
        if (rc == 0)
            rc = gather(r, lo, hi, keep, err);
        if (!ccrk_all(rc == 0) && rc == 0) {
            snprintf(err, 256, "the MPI ranks' results could not be merged");
            rc = -1;
        }
        r->mpi_merge_seconds = now_seconds() - tm - r->mpi_wait_seconds;
    }
    r->wall_seconds = now_seconds() - t0;
    if (rc != 0) {
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
    ccrs_free(r->stats);
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
