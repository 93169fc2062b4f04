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
 * (runstats.h ccrs_add_batch): a run adds to tens of thousands of
 * accumulators, each a cache miss, so the more replications a visit adds
 * the better (county, 300 replications: 16 a batch 1.43 s, 64 1.28 s of
 * CPU; 1,000 replications: 64 a batch 0.73 s adding, 128 0.67 s, about
 * 11 MB more a thread: docs/performance.md). At most BATCH, and at most
 * BATCH_BYTES of every arm's values a thread (a compare of many scenarios
 * takes fewer), at least BATCH_MIN: memory stays flat in replications. */
enum { BATCH = 128, BATCH_MIN = 4 };
#define BATCH_BYTES (32.0 * 1024 * 1024)

/* One arm of a paired run: its own results and scenario phases. */
typedef struct {
    cce_result *r;
    const cc_params *const *phases;
    const double *phase_t;
    int nphase;
    size_t slice;    /* values per replication */
} arm_t;

typedef struct {
    cce_result *r;   /* arm[0]'s */
    arm_t *arm;
    int narm;
    int lo, hi;      /* this process's replications */
    int unit;        /* replications claimed at once: one parameter draw's group */
    size_t slice;    /* values per replication (arm 0) */
    int batch;       /* replications a worker adds at once (<= BATCH) */
    atomic_int next; /* next unclaimed replication, from lo */
    atomic_int done;
    atomic_int failed;
    int checks;
    FILE *trace_ep, *trace_hd;
    ccrs **part;     /* each worker's accumulators: [thread * narm + arm] */
    const cce_derive *derive; /* what is derived from each replication, or NULL */
    void **dpart;    /* each worker's derived accumulator */
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
    double *add_cpu; /* [thread]: CPU seconds in add_batch */
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

/* A worker's engines, one an arm, and what each needs beside. */
typedef struct {
    cc_sim *s;
    ccu_work *w;
    double *own;     /* a batch of the arm's values (copies unless kept in r->data) */
    const double *bv[BATCH];
} engine;

static void engines_free(engine *e, int n)
{
    for (int a = 0; e && a < n; a++) {
        ccs_free(e[a].s);
        ccu_work_free(e[a].w);
        free(e[a].own);
    }
    free(e);
}

/* Engines for every arm; NULL when memory ran out. */
static engine *engines_new(shared *sh)
{
    engine *e = calloc((size_t)sh->narm, sizeof *e);
    if (!e)
        return NULL;
    for (int a = 0; a < sh->narm; a++) {
        const arm_t *m = &sh->arm[a];
        cce_result *r = m->r;
        e[a].s = ccs_new(r->p, r->L, r->ndates, r->snap_t);
        e[a].own = !r->data ? malloc((size_t)sh->batch * m->slice * sizeof *e[a].own) : NULL;
        if (!e[a].s || (!r->data && !e[a].own)) {
            engines_free(e, sh->narm);
            return NULL;
        }
        ccs_set_checks(e[a].s, sh->checks);
        if (m->nphase > 1)
            ccs_set_phases(e[a].s, m->phases, m->phase_t, m->nphase);
        if (a == 0)
            ccs_set_trace(e[a].s, sh->trace_ep, sh->trace_hd);
        if (r->uncertainty) {
            const cc_params *const *ph = m->nphase > 1 ? m->phases : &r->p;
            e[a].w = ccu_work_new(ph, m->nphase > 1 ? m->nphase : 1, r->years);
            if (!e[a].w) {
                engines_free(e, sh->narm);
                return NULL;
            }
        }
    }
    return e;
}

/* Add the batch's nb replications to this worker's accumulators (and its
 * derived accumulator dacc, when it takes batches: bvals[b * narm + a] is
 * arm a's values of brep[b]). 0 or -1. */
static int add_batch(shared *sh, int id, engine *e, const int *brep, int nb, void *dacc, const double **bvals)
{
    int rc = 0;
    if (dacc && sh->derive->add_batch) {
        for (int b = 0; b < nb; b++)
            for (int a = 0; a < sh->narm; a++)
                bvals[(size_t)b * (size_t)sh->narm + (size_t)a] = e[a].bv[b];
        if (sh->derive->add_batch(dacc, brep, bvals, nb) != 0)
            return -1;
    }
    for (int a = 0; a < sh->narm && rc == 0; a++)
        rc = ccrs_add_batch(sh->part[(size_t)id * (size_t)sh->narm + (size_t)a], brep, e[a].bv, nb);
    return rc;
}

/* This thread's CPU time in seconds. */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* add_batch, its CPU time counted in sh->add_cpu[id]. */
static int add_batch_timed(shared *sh, int id, engine *e, const int *brep, int nb, void *dacc, const double **bvals)
{
    double t0 = thread_cpu();
    int rc = add_batch(sh, id, e, brep, nb, dacc, bvals);
    sh->add_cpu[id] += thread_cpu() - t0;
    return rc;
}

static void *worker(void *arg)
{
    shared *sh = ((worker_arg *)arg)->sh;
    int id = ((worker_arg *)arg)->id;
    void *dacc = sh->dpart ? sh->dpart[id] : NULL;
    cce_result *r = sh->r;
    engine *e = engines_new(sh);
    const double **vals = calloc((size_t)sh->narm, sizeof *vals);
    const double **bvals = dacc && sh->derive->add_batch ? calloc((size_t)sh->batch * (size_t)sh->narm, sizeof *bvals)
                                                         : NULL;
    int brep[BATCH], nb = 0;
    if (!e || !vals || (dacc && sh->derive->add_batch && !bvals)) {
        engines_free(e, sh->narm);
        free(vals);
        free(bvals);
        fail(sh);
        return NULL;
    }
    int stop = 0;
    while (!stop) {
        int k0 = sh->lo + atomic_fetch_add(&sh->next, sh->unit);
        if (k0 >= sh->hi || atomic_load(&sh->failed))
            break;
        int k1 = k0 + sh->unit < sh->hi ? k0 + sh->unit : sh->hi;
        for (int k = k0; k < k1 && !stop; k++) {
            /* replication k of every arm in turn: the same seed streams in
             * each (common random numbers) */
            for (int a = 0; a < sh->narm && !stop; a++) {
                arm_t *m = &sh->arm[a];
                cce_result *ra = m->r;
                if (e[a].w) {
                    const cc_params *const *ph = ccu_work_draw(e[a].w, ra->seed, (uint64_t)(k / ra->draw_group));
                    if (!ph) {
                        stop = 1;
                        break;
                    }
                    ccs_rebind(e[a].s, ph);
                }
                if (a == 0 && sh->ring && wait_turn(sh, k) != 0) {
                    stop = 1;
                    break;
                }
                double *mine = e[a].own ? e[a].own + (size_t)nb * m->slice : NULL;
                double *out = a == 0 && (sh->ring || r->data) ? slot(sh, k) : mine;
                if (ccs_run(e[a].s, ra->seed, (uint64_t)k, out, &ra->tot[k]) != 0) {
                    stop = 1;
                    break;
                }
                if (mine && out != mine)
                    memcpy(mine, out, m->slice * sizeof *mine);
                e[a].bv[nb] = mine ? mine : out;
                vals[a] = e[a].bv[nb];
            }
            if (stop)
                break;
            if (dacc && !bvals && sh->derive->add(dacc, k, vals) != 0) {
                stop = 1;
                break;
            }
            brep[nb++] = k;
            if (sh->sink && deliver(sh, k) != 0) {
                stop = 1;
                break;
            }
            if (nb == sh->batch) {
                if (add_batch_timed(sh, id, e, brep, nb, dacc, bvals) != 0)
                    stop = 1;
                nb = 0;
            }
            atomic_fetch_add(&sh->done, 1);
        }
    }
    if (!stop && nb > 0 && add_batch_timed(sh, id, e, brep, nb, dacc, bvals) != 0)
        stop = 1;
    if (stop)
        fail(sh);
    engines_free(e, sh->narm);
    free(vals);
    free(bvals);
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

typedef struct {
    shared *sh;
    int part, nparts, threads;
    int rc;
} merge_arg;

/* Share m->part of merging every worker's accumulators into the first's. */
static void *merge_share(void *arg)
{
    merge_arg *m = arg;
    shared *sh = m->sh;
    size_t narm = (size_t)sh->narm;
    for (int t = 1; t < m->threads && m->rc == 0; t++)
        for (size_t a = 0; a < narm && m->rc == 0; a++)
            if (ccrs_merge_part(sh->part[a], sh->part[(size_t)t * narm + a], m->part, m->nparts) != 0)
                m->rc = -1;
    return NULL;
}

/* Merge the workers' accumulators on `threads` threads (tid: room for
 * them); a share whose thread does not start is merged here. 0 or -1. */
static int merge_parts(shared *sh, int threads, pthread_t *tid)
{
    merge_arg m[64];
    int np = threads < 64 ? threads : 64, started[64] = {0};
    for (int k = 0; k < np; k++)
        m[k] = (merge_arg){sh, k, np, threads, 0};
    for (int k = 1; k < np; k++)
        started[k] = pthread_create(&tid[k], NULL, merge_share, &m[k]) == 0;
    merge_share(&m[0]);
    int rc = m[0].rc;
    for (int k = 1; k < np; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            merge_share(&m[k]);
        rc |= m[k].rc;
    }
    return rc ? -1 : 0;
}

/* Run replications sh->lo .. sh->hi - 1 on this process's threads. 0, or -1
 * with a message in err. */
static int run_local(shared *sh, cce_progress progress, void *ctx, void **dout, char *err)
{
    cce_result *r = sh->r;
    int count = sh->hi - sh->lo;
    int threads = r->threads, narm = sh->narm;
    size_t nparts = (size_t)threads * (size_t)narm;
    sh->part = calloc(nparts, sizeof *sh->part);
    sh->dpart = sh->derive ? calloc((size_t)threads, sizeof *sh->dpart) : NULL;
    worker_arg *args = calloc((size_t)threads, sizeof *args);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    sh->add_cpu = calloc((size_t)threads, sizeof *sh->add_cpu);
    int ok = sh->part && args && tid && sh->add_cpu && (!sh->derive || sh->dpart);
    for (size_t i = 0; ok && i < nparts; i++) {
        const cce_result *ra = sh->arm[i % (size_t)narm].r;
        sh->part[i] = ccrs_new(ra->L, ra->ndates, ra->dates, ra->years, ra->draw_group);
        ok = sh->part[i] != NULL;
    }
    for (int t = 0; ok && t < threads; t++) {
        args[t].sh = sh;
        args[t].id = t;
        if (sh->derive) {
            sh->dpart[t] = sh->derive->make(sh->derive->ctx);
            ok = sh->dpart[t] != NULL;
        }
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
        /* every worker's accumulators into the first's, each thread taking
         * its share of the accumulators; the sums are exact, so the order
         * of the merge does not matter */
        double tm = now_seconds();
        if (threads > 1)
            rc = merge_parts(sh, threads, tid);
        for (int t = 1; t < threads && rc == 0; t++)
            if (sh->derive && sh->derive->merge(sh->dpart[0], sh->dpart[t]) != 0)
                rc = -1;
        double add = 0;
        for (int t = 0; t < threads; t++)
            add += sh->add_cpu[t];
        for (int a = 0; a < narm; a++) {
            sh->arm[a].r->summary_add_seconds = add;
            sh->arm[a].r->summary_merge_seconds = now_seconds() - tm;
        }
        if (rc != 0)
            snprintf(err, 256, "out of memory while merging the summaries");
        if (rc == 0 && (atomic_load(&sh->failed) || atomic_load(&sh->done) != count || sh->sink_failed)) {
            snprintf(err, 256, sh->sink_failed ? "a replication's results could not be taken (the "
                                                 "per-replication sink stopped)"
                                               : "a replication ran out of memory, or a value was out of the "
                                                 "accumulators' range");
            rc = -1;
        }
    }
    if (rc == 0) {
        for (int a = 0; a < narm; a++) {
            sh->arm[a].r->stats = sh->part[a];
            sh->part[a] = NULL;
        }
        if (dout && sh->dpart) {
            *dout = sh->dpart[0];
            sh->dpart[0] = NULL;
        }
    }
    for (size_t i = 0; sh->part && i < nparts; i++)
        ccrs_free(sh->part[i]);
    for (int t = 0; sh->dpart && t < threads; t++)
        if (sh->dpart[t])
            sh->derive->drop(sh->dpart[t]);
    free(sh->part);
    free(sh->dpart);
    free(args);
    free(tid);
    free(sh->finished);
    free(sh->ring);
    free(sh->add_cpu);
    return rc;
}

/* Replications lo .. hi - 1 of `reps` are rank's share among size ranks:
 * whole units (a unit holds whole draw groups of every arm), so a group's
 * values meet in one accumulator. */
static void share(int reps, int unit, int rank, int size, int *lo, int *hi)
{
    int G = (reps + unit - 1) / unit;
    *lo = (int)((long long)G * rank / size) * unit;
    *hi = (int)((long long)G * (rank + 1) / size) * unit;
    if (*hi > reps)
        *hi = reps;
    if (*lo > reps)
        *lo = reps;
}

/* MPI: the other ranks send rank 0 their summaries, totals and (when kept)
 * values; rank 0 merges them. One result (an arm) at a time, in the same
 * order on every rank. 0, or -1 with a message in err. */
static int gather(cce_result *r, int unit, int lo, int hi, int keep, char *err)
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
        int flo, fhi;
        share(r->reps, unit, from, size, &flo, &fhi);
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
    return 0;
}

/* MPI: the derived accumulators, as gather. Bytes received added to *bytes. */
static int gather_derived(const cce_derive *d, void *acc, double *bytes, char *err)
{
    int size = ccrk_size(), rank = ccrk_rank();
    if (rank != 0) {
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0;
        int rc = d->pack(acc, &buf, &len, &cap) || ccrk_send0(buf, len);
        free(buf);
        if (rc)
            snprintf(err, 256, "MPI rank %d could not send its results", rank);
        return rc ? -1 : 0;
    }
    for (int from = 1; from < size; from++) {
        unsigned char *buf = NULL;
        size_t len = 0;
        int rc = ccrk_recv(from, &buf, &len) || d->unpack_merge(acc, buf, len);
        *bytes += (double)len;
        free(buf);
        if (rc) {
            snprintf(err, 256, "the results of MPI rank %d could not be taken (out of memory, or a malformed message)",
                     from);
            return -1;
        }
    }
    return 0;
}

/* A result for an arm of parameters p, before its replications run; NULL
 * (message in err) when memory ran out. */
static cce_result *new_result(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, int keep, char *err)
{
    cce_result *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, 256, "out of memory");
        return NULL;
    }
    r->p = p;
    r->reps = o->reps;
    r->seed = o->seed;
    r->years = o->years;
    r->uncertainty = cce_uncertainty_on(p, u ? u->mode : CCE_UNC_CONFIG);
    r->draw_group = r->uncertainty ? (u && u->draw_group > 0 ? u->draw_group
                                      : ccu_group(p->unc) > 0 ? ccu_group(p->unc) : CCE_DRAW_GROUP) : 1;
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
        return NULL;
    }
    for (int k = 0; k < r->ndates; k++) {
        r->dates[k] = ccd_add_month_ends(p->start_day, k);
        r->snap_t[k] = (double)(r->dates[k] - p->start_day);
    }
    return r;
}

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

static int run_arms(const cce_arm *arm, int narm, const cce_opts *o, const cce_unc *u, int dfe, cce_rep_sink sink,
                    void *sink_ctx, const cce_derive *d, cce_progress progress, void *ctx, cce_result **out,
                    void **dout, char *err)
{
    for (int a = 0; a < narm; a++)
        out[a] = NULL;
    if (dout)
        *dout = NULL;
    int size = o->mpi ? ccrk_size() : 1, rank = o->mpi ? ccrk_rank() : 0;
    if (size > 1 && sink) {
        snprintf(err, 256, "per-replication output cannot be written with more than one MPI rank");
        return -1;
    }
    if (narm < 1 || (narm > 1 && (sink || !o->summary_only || o->trace_ep))) {
        snprintf(err, 256, "a paired run keeps no replication's values and has no per-replication output");
        return -1;
    }
    int keep = !o->summary_only;
    arm_t *am = calloc((size_t)narm, sizeof *am);
    if (!am) {
        snprintf(err, 256, "out of memory");
        return -1;
    }
    int rc = 0, unit = 1;
    for (int a = 0; a < narm && rc == 0; a++) {
        am[a].r = out[a] = new_result(arm[a].p, o, u, dfe, keep, err);
        if (!out[a]) {
            rc = -1;
            break;
        }
        am[a].phases = arm[a].phases;
        am[a].phase_t = arm[a].phase_t;
        am[a].nphase = arm[a].nphase;
        am[a].slice = (size_t)out[a]->L->n * (size_t)out[a]->ndates;
        int g = out[a]->draw_group;
        unit = unit / gcd(unit, g) * g; /* the least common multiple of the arms' groups */
    }
    /* this rank's share: whole units, so a draw group's values meet in one
     * accumulator */
    int lo = 0, hi = 0;
    share(o->reps, unit, rank, size, &lo, &hi);
    int count = hi - lo;
    int threads = o->threads < 1 ? 1 : o->threads;
    int units = (count + unit - 1) / unit;
    if (threads > units)
        threads = units > 0 ? units : 1;
    for (int a = 0; a < narm && rc == 0; a++)
        out[a]->threads = threads;
    shared sh;
    memset(&sh, 0, sizeof sh);
    int sync = 0;
    if (rc == 0 && sink) {
        if (pthread_mutex_init(&sh.lock, NULL) != 0) {
            snprintf(err, 256, "out of memory");
            rc = -1;
        } else if (pthread_cond_init(&sh.turn, NULL) != 0) {
            pthread_mutex_destroy(&sh.lock);
            snprintf(err, 256, "out of memory");
            rc = -1;
        } else {
            sync = 1;
        }
    }
    double t0 = now_seconds();
    if (rc == 0) {
        sh.r = out[0];
        sh.arm = am;
        sh.narm = narm;
        sh.lo = lo;
        sh.hi = hi;
        sh.unit = unit;
        sh.slice = am[0].slice;
        double bytes = 0;
        for (int a = 0; a < narm; a++)
            bytes += (double)am[a].slice * sizeof(double);
        double fit = bytes > 0 ? BATCH_BYTES / bytes : BATCH;
        sh.batch = fit >= BATCH ? BATCH : fit <= BATCH_MIN ? BATCH_MIN : (int)fit;
        sh.checks = o->checks;
        sh.trace_ep = o->trace_ep;
        sh.trace_hd = o->trace_hd;
        sh.sink = sink;
        sh.sink_ctx = sink_ctx;
        sh.derive = d;
        sh.next_out = lo;
        atomic_init(&sh.next, 0);
        atomic_init(&sh.done, 0);
        atomic_init(&sh.failed, 0);
        rc = run_local(&sh, progress, ctx, dout, err);
    }
    if (sync) {
        pthread_cond_destroy(&sh.turn);
        pthread_mutex_destroy(&sh.lock);
    }
    if (size > 1) {
        double tm = now_seconds();
        /* every rank learns whether every rank succeeded before any sends */
        if (!ccrk_all(rc == 0)) {
            if (rc == 0)
                snprintf(err, 256, "another MPI rank failed");
            rc = -1;
        }
        double wait = now_seconds() - tm, bytes = 0;
        for (int a = 0; a < narm && rc == 0; a++) {
            rc = gather(out[a], unit, lo, hi, keep, err);
            bytes += out[a]->mpi_bytes;
        }
        if (rc == 0 && d)
            rc = gather_derived(d, *dout, &bytes, err);
        if (!ccrk_all(rc == 0) && rc == 0) {
            snprintf(err, 256, "the MPI ranks' results could not be merged");
            rc = -1;
        }
        for (int a = 0; a < narm && rc == 0; a++) {
            out[a]->mpi_ranks = size;
            out[a]->mpi_wait_seconds = wait;
            out[a]->mpi_merge_seconds = now_seconds() - tm - wait;
            out[a]->mpi_bytes = bytes;
        }
    } else {
        for (int a = 0; a < narm && rc == 0; a++)
            out[a]->mpi_ranks = 1;
    }
    double wall = now_seconds() - t0;
    free(am);
    if (rc != 0) {
        for (int a = 0; a < narm; a++) {
            cce_free(out[a]);
            out[a] = NULL;
        }
        if (dout && *dout) {
            d->drop(*dout);
            *dout = NULL;
        }
        return -1;
    }
    for (int a = 0; a < narm; a++)
        out[a]->wall_seconds = wall;
    return 0;
}

static int run(const cc_params *p, const cce_opts *o, const cce_unc *u, int dfe, cce_rep_sink sink, void *sink_ctx,
               cce_progress progress, void *ctx, cce_result **out, char *err)
{
    cce_arm arm = {p, o->phases, o->phase_t, o->nphase};
    return run_arms(&arm, 1, o, u, dfe, sink, sink_ctx, NULL, progress, ctx, out, NULL, err);
}

int cce_run_arms(const cce_arm *arm, int narm, const cce_opts *o, const cce_unc *u, int dfe, const cce_derive *d,
                 cce_progress progress, void *ctx, cce_result **out, void **derived, char *err)
{
    return run_arms(arm, narm, o, u, dfe, NULL, NULL, d, progress, ctx, out, derived, err);
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
