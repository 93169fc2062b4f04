/* regionrun: replications of a region, every council's engine in one event
 * loop sharing the region's markets; the region's totals and market series. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "ccdate.h"
#include "market.h"
#include "ranks.h"
#include "region.h"
#include "runstats.h"
#include "rng.h"
#include "sim.h"
#include "uncert.h"

#define DAYS_PER_YEAR 365.25

/* Market series, per market: places, occupied, held by each council, held
 * by the background, background requests turned away. */
enum { MS_PLACES, MS_OCCUPIED, MS_HELD };
static int market_series(int nc) { return MS_HELD + nc + 2; }

uint64_t ccrg_council_seed(uint64_t seed, int c)
{
    return c == 0 ? seed : ccr_mix64(seed ^ ccr_mix64(0x52454749ULL + (uint64_t)c));
}

typedef struct {
    const ccrg_region *g;
    ccrg_result *res;
    int reps, ndates, draw_group, years;
    int lo, hi; /* this rank's replications: [lo, hi) */
    const double *snap_t;
    uint64_t seed;
    int unc[CCRG_MAXCOUNCIL];
    double *mdata; /* reps x (nm * market_series) x ndates */
    atomic_int next, done, failed;
    int (*stop)(void *ctx); /* polled before each replication; nonzero: stop (ccrg_run_until) */
    void *stop_ctx;
    atomic_int stopped;
} shared;

typedef struct {
    cc_sim *sim[CCRG_MAXCOUNCIL];
    ccu_work *w[CCRG_MAXCOUNCIL];
    ccmk_market *mk;
    gsl_rng *bg[CCRG_MAXMARKET];
    double next_bg[CCRG_MAXMARKET];
    double refused[CCRG_MAXMARKET];
    int next_change[CCRG_MAXMARKET];
} engines;

static void draw_bg(engines *e, const ccrg_market *m, int j, int nc, double t)
{
    double arr = m->bg_per_year / DAYS_PER_YEAR;
    double dep = m->bg_mean_days > 0 ? ccmk_held(e->mk, j, nc) / m->bg_mean_days : 0;
    double tot = arr + dep;
    e->next_bg[j] = tot > 0 ? t + gsl_ran_exponential(e->bg[j], 1 / tot) : INFINITY;
}

static void on_bg(engines *e, const ccrg_market *m, int j, int nc, double t)
{
    double arr = m->bg_per_year / DAYS_PER_YEAR;
    double dep = m->bg_mean_days > 0 ? ccmk_held(e->mk, j, nc) / m->bg_mean_days : 0;
    if (gsl_rng_uniform(e->bg[j]) * (arr + dep) < arr) {
        if (!ccmk_take(e->mk, j, nc))
            e->refused[j] += 1;
    } else {
        ccmk_give(e->mk, j, nc);
    }
    draw_bg(e, m, j, nc, t);
}

static void record(const shared *sh, engines *e, double *out, int k)
{
    const ccrg_region *g = sh->g;
    int ms = market_series(g->nc);
    for (int j = 0; j < g->nm; j++) {
        double *o = out + (size_t)j * (size_t)ms * (size_t)sh->ndates;
        int cap = ccmk_capacity(e->mk, j);
        o[(size_t)MS_PLACES * (size_t)sh->ndates + (size_t)k] = cap < 0 ? 0 : cap;
        o[(size_t)MS_OCCUPIED * (size_t)sh->ndates + (size_t)k] = ccmk_total(e->mk, j);
        for (int c = 0; c <= g->nc; c++)
            o[(size_t)(MS_HELD + c) * (size_t)sh->ndates + (size_t)k] = ccmk_held(e->mk, j, c);
        o[(size_t)(MS_HELD + g->nc + 1) * (size_t)sh->ndates + (size_t)k] = e->refused[j];
        e->refused[j] = 0;
    }
}

/* One replication: every council's events in time order. Ties (the
 * month-end snapshots and reviews fall at the same moment in every
 * council): market changes from levers first, then the background demand,
 * then the councils, starting in month k of replication r with council
 * (k + r) mod n and going round, so each council is first as often as the
 * others. */
static int run_one(const shared *sh, engines *e, int rep)
{
    const ccrg_region *g = sh->g;
    int nc = g->nc, nm = g->nm;
    ccmk_clear(e->mk);
    for (int j = 0; j < nm; j++) {
        ccmk_set(e->mk, j, g->market[j].places, 0);
        e->next_change[j] = 0;
        e->refused[j] = 0;
    }
    for (int c = 0; c < nc; c++) {
        const cce_result *r = sh->res->council[c];
        size_t slice = (size_t)r->L->n * (size_t)r->ndates;
        if (ccs_begin(e->sim[c], ccrg_council_seed(sh->seed, c), (uint64_t)rep, r->data + (size_t)rep * slice) != 0)
            return -1;
    }
    /* the background's places at the start: its mean holding, as room allows */
    for (int j = 0; j < nm; j++) {
        const ccrg_market *m = &g->market[j];
        ccr_set(e->bg[j], sh->seed, (uint64_t)rep, CCR_MARKET, (uint64_t)j);
        long n0 = lround(m->bg_per_year * m->bg_mean_days / DAYS_PER_YEAR);
        for (long x = 0; x < n0; x++)
            if (!ccmk_take(e->mk, j, nc))
                break;
        draw_bg(e, m, j, nc, 0);
    }
    size_t mslice = (size_t)nm * (size_t)market_series(nc) * (size_t)sh->ndates;
    double *mout = sh->mdata + (size_t)rep * mslice;
    record(sh, e, mout, 0);
    int ksnap = 1;
    for (;;) {
        /* the councils' next events, in this month's order */
        int first = (ksnap - 1 + rep) % nc, who = -1;
        double tc = INFINITY;
        for (int x = 0; x < nc; x++) {
            int c = (first + x) % nc;
            double t = ccs_next(e->sim[c]) + g->council[c].offset;
            if (t < tc) {
                tc = t;
                who = c;
            }
        }
        if (who < 0)
            break; /* every council has taken its last snapshot */
        double tl = INFINITY, tb = INFINITY;
        int jl = -1, jb = -1;
        for (int j = 0; j < nm; j++) {
            const ccrg_market *m = &g->market[j];
            if (e->next_change[j] < m->nchange && m->change_t[e->next_change[j]] < tl) {
                tl = m->change_t[e->next_change[j]];
                jl = j;
            }
            if (e->next_bg[j] < tb) {
                tb = e->next_bg[j];
                jb = j;
            }
        }
        double t = tc < tb ? tc : tb;
        t = tl < t ? tl : t;
        t = tl <= tb && tl <= tc ? tl : t;
        while (ksnap < sh->ndates && t >= sh->snap_t[ksnap])
            record(sh, e, mout, ksnap++);
        if (jl >= 0 && tl <= tb && tl <= tc) {
            const ccrg_market *m = &g->market[jl];
            int x = e->next_change[jl]++;
            ccmk_set(e->mk, jl, m->change_places[x], m->change_reserved[x]);
        } else if (jb >= 0 && tb <= tc) {
            on_bg(e, &g->market[jb], jb, nc, tb);
        } else if (ccs_step(e->sim[who]) < 0) {
            return -1;
        }
    }
    while (ksnap < sh->ndates)
        record(sh, e, mout, ksnap++);
    for (int c = 0; c < nc; c++)
        ccs_end(e->sim[c], &sh->res->council[c]->tot[rep]);
    return 0;
}

static void free_engines(engines *e, int nc, int nm)
{
    for (int c = 0; c < nc; c++) {
        ccs_free(e->sim[c]);
        ccu_work_free(e->w[c]);
    }
    for (int j = 0; j < nm; j++)
        if (e->bg[j])
            gsl_rng_free(e->bg[j]);
    ccmk_free(e->mk);
}

static void *worker(void *arg)
{
    shared *sh = arg;
    const ccrg_region *g = sh->g;
    engines e;
    memset(&e, 0, sizeof e);
    int ok = (e.mk = ccmk_new(g->nm, g->nc)) != NULL;
    for (int j = 0; ok && j < g->nm; j++)
        ok = (e.bg[j] = gsl_rng_alloc(ccr_type())) != NULL;
    for (int c = 0; ok && c < g->nc; c++) {
        const ccrg_council *k = &g->council[c];
        const cce_result *r = sh->res->council[c];
        e.sim[c] = ccs_new(k->phases[0], r->L, r->ndates, r->snap_t);
        ok = e.sim[c] != NULL;
        if (!ok)
            break;
        if (k->nphase > 1)
            ccs_set_phases(e.sim[c], k->phases, k->phase_t, k->nphase);
        ccs_bind_market(e.sim[c], e.mk, c, k->market_of);
        if (sh->unc[c]) {
            e.w[c] = ccu_work_new(k->phases, k->nphase, sh->years + (k->months_early + 11) / 12); /* drift years */
            ok = e.w[c] != NULL;
        }
    }
    if (!ok) {
        free_engines(&e, g->nc, g->nm);
        atomic_store(&sh->failed, 1);
        return NULL;
    }
    for (;;) {
        int rep = sh->lo + atomic_fetch_add(&sh->next, 1);
        if (rep >= sh->hi || atomic_load(&sh->failed))
            break;
        if (sh->stop && sh->stop(sh->stop_ctx)) {
            atomic_store(&sh->stopped, 1);
            atomic_store(&sh->failed, 1);
            break;
        }
        for (int c = 0; c < g->nc; c++)
            if (e.w[c]) {
                const cc_params *const *ph =
                    ccu_work_draw(e.w[c], ccrg_council_seed(sh->seed, c), (uint64_t)(rep / sh->draw_group));
                if (!ph) {
                    atomic_store(&sh->failed, 1);
                    break;
                }
                ccs_rebind(e.sim[c], ph);
            }
        if (atomic_load(&sh->failed) || run_one(sh, &e, rep) != 0) {
            atomic_store(&sh->failed, 1);
            break;
        }
        atomic_fetch_add(&sh->done, 1);
    }
    free_engines(&e, g->nc, g->nm);
    return NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ccrg_result_free(ccrg_result *r)
{
    if (!r)
        return;
    for (int c = 0; c < r->nc; c++) {
        cce_free(r->council[c]);
        free(r->view[c]);
    }
    cce_free(r->total);
    free(r->total_p);
    free(r);
}

/* A council's result, empty, for n replications of `years`. */
static cce_result *new_result(const cc_params *view, ccx_layout *L, const cce_opts *o, int threads, int extra)
{
    cce_result *r = calloc(1, sizeof *r);
    if (!r) {
        ccx_free(L);
        return NULL;
    }
    r->p = view;
    r->L = L;
    r->reps = o->reps;
    r->seed = o->seed;
    r->years = o->years;
    r->threads = threads;
    r->draw_group = 1;
    r->ndates = 12 * o->years + 1 + extra;
    r->dates = malloc((size_t)r->ndates * sizeof *r->dates);
    r->snap_t = malloc((size_t)r->ndates * sizeof *r->snap_t);
    r->tot = calloc((size_t)o->reps, sizeof *r->tot);
    r->data = L ? calloc((size_t)o->reps * (size_t)L->n * (size_t)r->ndates, sizeof *r->data) : NULL;
    if (!r->dates || !r->snap_t || !r->tot || !r->data) {
        cce_free(r);
        return NULL;
    }
    for (int k = 0; k < r->ndates; k++) {
        r->dates[k] = ccd_add_month_ends(view->start_day, k);
        r->snap_t[k] = (double)(r->dates[k] - view->start_day);
    }
    return r;
}

/* The summaries the writers read (runstats.h), from the kept values of
 * every replication, in replication order (a region keeps every value: its
 * totals and markets are sums over councils' replications). */
static int summarise(cce_result *r)
{
    r->stats = ccrs_new(r->L, r->ndates, r->dates, r->years, r->draw_group);
    if (!r->stats)
        return -1;
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    for (int rep = 0; rep < r->reps; rep++)
        if (ccrs_add(r->stats, rep, r->data + (size_t)rep * slice) != 0)
            return -1;
    return 0;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The region's layout: every series all councils have (but percentages,
 * which do not add up), then the markets' series. map[c][j] is council c's
 * series for region series j (-1 for a market series). */
static ccx_layout *total_layout(const ccrg_result *res, int (*map)[CCRG_MAXCOUNCIL], int cap, int *ncommon)
{
    const ccrg_region *g = res->g;
    const ccx_layout *L0 = res->council[0]->L;
    ccx_layout *T = calloc(1, sizeof *T);
    if (!T)
        return NULL;
    T->metric = calloc((size_t)cap, sizeof *T->metric);
    T->group = calloc((size_t)cap, sizeof *T->group);
    T->kind = calloc((size_t)cap, 1);
    if (!T->metric || !T->group || !T->kind) {
        ccx_free(T);
        return NULL;
    }
    int *const idx[] = {&T->la_all, &T->la_cohort, &T->la_district, &T->la_need, &T->la_flag, &T->ent_all,
                        &T->ent_cohort, &T->ex_all, &T->ex_route, &T->ex_age18, &T->mv_all, &T->tr16, &T->tr18,
                        &T->needing, &T->placed, &T->shortfall, &T->capacity, &T->vacancies, &T->gap,
                        &T->mv_breakdown, &T->mv_planned, &T->outside, &T->kpi, &T->kpi_pct, &T->fost,
                        &T->occupancy, &T->placements, &T->spend, &T->spend_type, &T->child_weeks, &T->gap_cost,
                        &T->dfe};
    for (size_t x = 0; x < sizeof idx / sizeof *idx; x++)
        *idx[x] = -1;
    int n = 0;
    for (int j = 0; j < L0->n; j++) {
        if (strcmp(L0->metric[j], "kpi_pct") == 0)
            continue;
        int all = 1;
        map[n][0] = j;
        for (int c = 1; c < res->nc && all; c++) {
            const ccx_layout *L = res->council[c]->L;
            int q = -1;
            for (int i = 0; i < L->n; i++)
                if (L->kind[i] == L0->kind[j] && strcmp(L->metric[i], L0->metric[j]) == 0 &&
                    strcmp(L->group[i], L0->group[j]) == 0) {
                    q = i;
                    break;
                }
            all = q >= 0;
            map[n][c] = q;
        }
        if (!all)
            continue;
        T->metric[n] = L0->metric[j];
        T->group[n] = dupstr(L0->group[j]);
        T->kind[n] = L0->kind[j];
        if (!T->group[n]) {
            T->n = n;
            ccx_free(T);
            return NULL;
        }
        n++;
    }
    *ncommon = n;
    static const char *const mname[] = {"market_places", "market_occupied", "market_held"};
    for (int m = 0; m < g->nm; m++)
        for (int s = 0; s < market_series(g->nc); s++) {
            char grp[128];
            const char *who = s < MS_HELD ? NULL
                              : s < MS_HELD + g->nc ? g->council[s - MS_HELD].key
                                                    : "background";
            if (who)
                snprintf(grp, sizeof grp, "%s:%s", g->market[m].name, who);
            else
                snprintf(grp, sizeof grp, "%s", g->market[m].name);
            int last = s == MS_HELD + g->nc + 1;
            T->metric[n] = last ? "market_refused" : mname[s < MS_HELD ? s : MS_HELD];
            T->group[n] = dupstr(grp);
            T->kind[n] = last ? CCX_FLOW : CCX_STOCK;
            if (!T->group[n]) {
                T->n = n;
                ccx_free(T);
                return NULL;
            }
            map[n][0] = -1;
            n++;
        }
    T->n = n;
    return T;
}

static int build_total(ccrg_result *res, const shared *sh, const cce_opts *o, int threads)
{
    const ccrg_region *g = res->g;
    int cap = res->council[0]->L->n + g->nm * market_series(g->nc);
    int (*map)[CCRG_MAXCOUNCIL] = malloc((size_t)cap * sizeof *map);
    if (!map)
        return -1;
    int ncommon = 0;
    ccx_layout *T = total_layout(res, map, cap, &ncommon);
    res->total = T ? new_result(res->total_p, T, o, threads, 0) : NULL;
    if (!res->total) {
        free(map);
        return -1;
    }
    cce_result *R = res->total;
    size_t nd = (size_t)R->ndates, slice = (size_t)T->n * nd;
    size_t mslice = (size_t)g->nm * (size_t)market_series(g->nc) * nd;
    for (int rep = 0; rep < R->reps; rep++) {
        double *out = R->data + (size_t)rep * slice;
        for (int j = 0; j < ncommon; j++)
            for (int c = 0; c < res->nc; c++) {
                const cce_result *rc = res->council[c];
                size_t nk = (size_t)rc->ndates;
                const double *v = rc->data + (size_t)rep * (size_t)rc->L->n * nk + (size_t)map[j][c] * nk +
                                  (size_t)res->g->council[c].months_early;
                for (size_t k = 0; k < nd; k++)
                    out[(size_t)j * nd + k] += v[k];
            }
        memcpy(out + (size_t)ncommon * nd, sh->mdata + (size_t)rep * mslice, mslice * sizeof *out);
        for (int c = 0; c < res->nc; c++) {
            const ccs_totals *t = &res->council[c]->tot[rep];
            R->tot[rep].events += t->events;
            R->tot[rep].entries += t->entries;
        }
    }
    free(map);
    return 0;
}

/* Rank `rank` of `size`'s replications of n: whole draw groups of g, in
 * a contiguous block, as a council's run shares them (experiment.c). */
static void share(int n, int g, int rank, int size, int *lo, int *hi)
{
    int G = (n + g - 1) / g;
    *lo = (int)((long long)G * rank / size) * g;
    *hi = (int)((long long)G * (rank + 1) / size) * g;
    if (*lo > n)
        *lo = n;
    if (*hi > n)
        *hi = n;
}

/* The n bytes per replication at base for replications [lo, hi): sent to
 * rank 0 (from < 0), or, on rank 0, taken from rank `from`. 0 or -1. */
static int pass(void *base, size_t n, int lo, int hi, int from)
{
    if (from < 0)
        return ccrk_send0((unsigned char *)base + (size_t)lo * n, (size_t)(hi - lo) * n);
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = ccrk_recv(from, &buf, &len) || len != (size_t)(hi - lo) * n;
    if (!rc && len)
        memcpy((unsigned char *)base + (size_t)lo * n, buf, len);
    free(buf);
    return rc ? -1 : 0;
}

/* MPI: the other ranks send rank 0 their replications' kept values of
 * every council, its totals and the markets' series; rank 0 puts them in
 * place, so that it holds what one process would have. 0, or -1 with a
 * message in err. */
static int gather_one(ccrg_result *res, shared *sh, int lo, int hi, int from)
{
    const ccrg_region *g = sh->g;
    for (int c = 0; c < g->nc; c++) {
        cce_result *r = res->council[c];
        if (pass(r->data, (size_t)r->L->n * (size_t)r->ndates * sizeof *r->data, lo, hi, from) != 0 ||
            pass(r->tot, sizeof *r->tot, lo, hi, from) != 0)
            return -1;
    }
    size_t mslice = (size_t)g->nm * (size_t)market_series(g->nc) * (size_t)sh->ndates * sizeof *sh->mdata;
    return mslice ? pass(sh->mdata, mslice, lo, hi, from) : 0;
}

static int gather(ccrg_result *res, shared *sh, int size, int rank, char *err)
{
    if (rank != 0) {
        if (gather_one(res, sh, sh->lo, sh->hi, -1) != 0) {
            snprintf(err, 256, "MPI rank %d could not send its results of the region", rank);
            return -1;
        }
        return 0;
    }
    for (int from = 1; from < size; from++) {
        int lo, hi; /* the sender's share, as it computed it */
        share(sh->reps, sh->draw_group, from, size, &lo, &hi);
        if (gather_one(res, sh, lo, hi, from) != 0) {
            snprintf(err, 256,
                     "the results of the region from MPI rank %d could not be taken (out of memory, or a malformed "
                     "message)",
                     from);
            return -1;
        }
    }
    return 0;
}

/* A rank that fails before the ranks agree still takes part in their two
 * votes (see ccrg_run), so that the others learn of it and stop. */
static void unsync(int synced)
{
    if (!synced) {
        ccrk_all(0);
        ccrk_all(0);
    }
}

int ccrg_run(const ccrg_region *g, const cce_opts *o, int uncertainty, cce_progress progress, void *ctx,
             ccrg_result **out, char *err)
{
    return ccrg_run_until(g, o, uncertainty, progress, ctx, NULL, out, err);
}

int ccrg_run_until(const ccrg_region *g, const cce_opts *o, int uncertainty, cce_progress progress, void *ctx,
                   int (*stop)(void *ctx), ccrg_result **out, char *err)
{
    *out = NULL;
    ccrg_result *res = calloc(1, sizeof *res);
    double *snap = NULL;
    shared sh;
    memset(&sh, 0, sizeof sh);
    /* under MPI, this rank's share of the replications: whole draw groups */
    int size = o->mpi ? ccrk_size() : 1, rank = o->mpi ? ccrk_rank() : 0;
    share(o->reps, CCE_DRAW_GROUP, rank, size, &sh.lo, &sh.hi);
    int count = sh.hi - sh.lo, synced = size < 2; /* synced: past the ranks' agreement */
    int threads = o->threads < 1 ? 1 : (o->threads > count ? (count > 0 ? count : 1) : o->threads);
    if (!res)
        goto oom;
    res->g = g;
    res->nc = g->nc;
    res->total_p = malloc(sizeof *res->total_p);
    if (!res->total_p)
        goto oom;
    *res->total_p = *g->council[0].phases[0];
    res->total_p->scenario = g->scenario;
    res->total_p->name = g->name;
    res->total_p->start_day = g->last_start;
    sh.draw_group = CCE_DRAW_GROUP;
    for (int c = 0; c < g->nc; c++) {
        const cc_params *p = g->council[c].phases[0];
        res->view[c] = malloc(sizeof *res->view[c]);
        if (!res->view[c])
            goto oom;
        *res->view[c] = *p;
        res->view[c]->scenario = g->scenario;
        res->council[c] = new_result(res->view[c], ccx_new(p), o, threads, g->council[c].months_early);
        if (!res->council[c])
            goto oom;
        sh.unc[c] = cce_uncertainty_on(p, uncertainty);
        res->council[c]->uncertainty = sh.unc[c];
        res->council[c]->draw_group = sh.unc[c] ? CCE_DRAW_GROUP : 1;
    }
    sh.g = g;
    sh.res = res;
    sh.reps = o->reps;
    sh.years = o->years;
    /* the region's snapshots: the month ends from the last start date, on
     * the region's clock (days after the first start date) */
    sh.ndates = 12 * o->years + 1;
    snap = malloc((size_t)sh.ndates * sizeof *snap);
    if (!snap)
        goto oom;
    for (int k = 0; k < sh.ndates; k++)
        snap[k] = (double)(ccd_add_month_ends(g->last_start, k) - g->first_start);
    sh.snap_t = snap;
    sh.seed = o->seed;
    size_t mslice = (size_t)g->nm * (size_t)market_series(g->nc) * (size_t)sh.ndates;
    sh.mdata = calloc((size_t)o->reps * (mslice ? mslice : 1), sizeof *sh.mdata);
    if (!sh.mdata)
        goto oom;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.failed, 0);
    atomic_init(&sh.stopped, 0);
    sh.stop = o->mpi ? NULL : stop; /* a stop is this process's own: not with MPI ranks */
    sh.stop_ctx = ctx;
    double t0 = now_seconds();
    pthread_t tid[64];
    if (threads > 64)
        threads = 64;
    int started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, worker, &sh) != 0)
            break;
    if (started == 0) {
        snprintf(err, 256, "could not start a worker thread");
        unsync(synced);
        free(sh.mdata);
        free(snap);
        ccrg_result_free(res);
        return -1;
    }
    if (progress) {
        struct timespec tick = {0, 100000000L};
        while (atomic_load(&sh.done) < count && !atomic_load(&sh.failed)) {
            progress(ctx, atomic_load(&sh.done), count);
            nanosleep(&tick, NULL);
        }
        progress(ctx, atomic_load(&sh.done), count);
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    int failed = atomic_load(&sh.failed) || atomic_load(&sh.done) != count;
    if (failed)
        snprintf(err, 256, "%s",
                 atomic_load(&sh.stopped) ? "the run was stopped" : "a replication of the region ran out of memory");
    if (size > 1) {
        /* every rank learns whether every rank succeeded before any sends;
         * then rank 0 takes the others' replications */
        if (!ccrk_all(!failed)) {
            if (!failed)
                snprintf(err, 256, "another MPI rank failed");
            failed = 1;
        }
        if (!failed && gather(res, &sh, size, rank, err) != 0)
            failed = 1;
        if (!ccrk_all(!failed) && !failed) {
            snprintf(err, 256, "the MPI ranks' results of the region could not be gathered");
            failed = 1;
        }
        synced = 1;
    }
    res->wall_seconds = now_seconds() - t0;
    if (failed || rank != 0) { /* rank 0 alone builds the summaries */
        free(sh.mdata);
        free(snap);
        ccrg_result_free(res);
        return failed ? -1 : 0;
    }
    for (int c = 0; c < g->nc; c++)
        res->council[c]->wall_seconds = res->wall_seconds;
    if (build_total(res, &sh, o, threads) != 0)
        goto oom;
    for (int c = 0; c < g->nc; c++)
        if (summarise(res->council[c]) != 0)
            goto oom;
    if (summarise(res->total) != 0)
        goto oom;
    for (int rep = 0; rep < o->reps; rep++)
        res->events += res->total->tot[rep].events;
    res->total->wall_seconds = res->wall_seconds;
    free(sh.mdata);
    free(snap);
    *out = res;
    return 0;
oom:
    snprintf(err, 256, "out of memory for %d replications of the region", o->reps);
    unsync(synced);
    free(sh.mdata);
    free(snap);
    ccrg_result_free(res);
    return -1;
}
