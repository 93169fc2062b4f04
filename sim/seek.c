/* seek: find the smallest lever setting that meets dated targets, on common
 * random numbers, with more replications where the answer is close. */
#define _XOPEN_SOURCE 700
#include "seek.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "ccdate.h"
#include "diag.h"
#include "experiment.h"
#include "metrics.h"
#include "output.h"
#include "rng.h"
#include "scenario.h"
#include "target.h"

#define Z975 1.959963984540054 /* two-sided 95% */

static int parse_double(const char *s, double *x)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return -1;
    *x = v;
    return 0;
}

int csk_parse_vary(const char *s, csk_vary *v, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    const char *eq = strchr(s, '='), *dot = strchr(s, '.');
    if (!eq || !dot || dot > eq || dot == s || eq == dot + 1) {
        snprintf(err, errlen, "expected LEVER.SETTING=FROM:TO[:STEP], e.g. foster_recruitment.extra_per_year=0:60");
        return -1;
    }
    if ((size_t)(dot - s) >= sizeof v->lever || (size_t)(eq - dot - 1) >= sizeof v->setting) {
        snprintf(err, errlen, "the lever or setting name is too long (expected at most 63 characters each)");
        return -1;
    }
    memcpy(v->lever, s, (size_t)(dot - s));
    memcpy(v->setting, dot + 1, (size_t)(eq - dot - 1));
    char buf[256];
    if (strlen(eq + 1) >= sizeof buf) {
        snprintf(err, errlen, "the range is too long (expected FROM:TO[:STEP])");
        return -1;
    }
    strcpy(buf, eq + 1);
    char *part[4];
    int np = 0;
    for (char *p = buf, *c; np < 4; p = c + 1) {
        part[np++] = p;
        c = strchr(p, ':');
        if (!c)
            break;
        *c = '\0';
    }
    v->step = 1;
    if (np < 2 || np > 3 || parse_double(part[0], &v->a) != 0 || parse_double(part[1], &v->b) != 0 ||
        (np == 3 && parse_double(part[2], &v->step) != 0)) {
        snprintf(err, errlen, "the range is not FROM:TO[:STEP] with numbers (expected e.g. 0:60, 24:6 or 0:2:0.25)");
        return -1;
    }
    if (!(v->step > 0)) {
        snprintf(err, errlen, "the step is not positive (expected a step above 0)");
        return -1;
    }
    if (v->a == v->b) {
        snprintf(err, errlen, "the range has one setting (expected two different ends)");
        return -1;
    }
    double n = fabs(v->b - v->a) / v->step;
    if (n > 1e6) {
        snprintf(err, errlen, "the range holds more than a million steps (expected a larger step or a narrower range)");
        return -1;
    }
    if (fabs(n - floor(n + 0.5)) > 1e-9 * (n + 1)) {
        snprintf(err, errlen, "the step does not divide the range (expected TO - FROM to be a whole number of steps)");
        return -1;
    }
    return 0;
}

void csk_free(csk_result *r)
{
    if (r) {
        free(r->evals);
        free(r);
    }
}

/* The accumulated replications of one setting. */
typedef struct {
    int batches, n;
    double s[CSK_MAXTARGET], s2[CSK_MAXTARGET];
    int verdict;   /* the last; -1 never evaluated */
    int last;      /* index of its last evaluation */
} setting;

typedef struct {
    const ctg_list *tg;
    setting *st;
    int ndates;
} sink_ctx;

static int sink(void *ctx, int rep, const double *values, const ccs_totals *tot)
{
    (void)rep;
    (void)tot;
    sink_ctx *c = ctx;
    for (int i = 0; i < ctg_count(c->tg); i++) {
        double x = ctg_eval(c->tg, i, values, c->ndates);
        c->st->s[i] += x;
        c->st->s2[i] += x * x;
    }
    c->st->n++;
    return 0;
}

typedef struct {
    const csk_opts *o;
    ctg_list *tg;
    int G;            /* grid points */
    int nseries;
    setting *st;
    csk_result *res;
    int cap;
    FILE *err;
    int failed;       /* a run failed (message given) */
} search;

static double value_at(const csk_vary *v, int i, int G)
{
    if (i == G - 1)
        return v->b;
    return v->a + (v->b > v->a ? 1 : -1) * v->step * i;
}

/* Load the scenario with the lever at x (errors to err). */
static int load_at(const csk_opts *o, double x, FILE *err, csn_scenario **s)
{
    cc_diag *d = ccg_new();
    if (!d)
        return CCA_RUNTIME;
    csn_set set = {o->vary.lever, o->vary.setting, x};
    int rc = csn_load_set(o->scenario, &set, 1, d, s);
    ccg_print(d, err, NULL);
    if (rc != CCP_OK) {
        char num[64];
        cco_num(x, num);
        fprintf(err, "carecap: seek: %s with %s.%s = %s: %zu error%s; nothing was run\n", o->scenario,
                o->vary.lever, o->vary.setting, num, ccg_count(d), ccg_count(d) == 1 ? "" : "s");
    }
    ccg_free(d);
    return rc == CCP_OK ? CCA_OK : rc == CCP_EIO ? CCA_IO : CCA_INVALID;
}

static void interval(const csk_opts *o, const ctg_list *tg, const setting *s, int i, double *est, double *lo,
                     double *hi)
{
    (void)o;
    double n = s->n;
    if (ctg_kind(tg, i) == CTG_PROB) {
        double p = s->s[i] / n, z2 = Z975 * Z975;
        double c = (p + z2 / (2 * n)) / (1 + z2 / n);
        double h = Z975 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        *est = p;
        *lo = c - h < 0 ? 0 : c - h;
        *hi = c + h > 1 ? 1 : c + h;
    } else {
        double m = s->s[i] / n;
        double var = n > 1 ? (s->s2[i] - n * m * m) / (n - 1) : INFINITY;
        double se = sqrt(var > 0 ? var : 0) / sqrt(n);
        *est = m;
        *lo = n > 1 ? m - Z975 * se : -INFINITY;
        *hi = n > 1 ? m + Z975 * se : INFINITY;
    }
}

/* Run one more batch at grid point i and record the evaluation. */
static int batch(search *S, int i)
{
    const csk_opts *o = S->o;
    setting *st = &S->st[i];
    double x = value_at(&o->vary, i, S->G);
    csn_scenario *sc = NULL;
    if (load_at(o, x, S->err, &sc) != CCA_OK) {
        S->failed = 1;
        return -1;
    }
    /* batch b has the same seed and size at every setting (common random
     * numbers); sizes double after the first two, so n = reps * 2^(b-1) */
    uint64_t seed = st->batches == 0 ? o->seed : ccr_mix64(o->seed ^ ccr_mix64((uint64_t)st->batches));
    int size = st->batches == 0 ? o->reps : st->n;
    if (size > o->max_reps - st->n)
        size = o->max_reps - st->n;
    cce_opts eo = {size, S->res->years, o->threads, seed, 0, (const cc_params *const *)sc->phase, sc->phase_t,
                   sc->nphase, NULL, NULL, 0, NULL, NULL, 0};
    ccx_layout *L = ccx_new(sc->phase[0]);
    int same = L && L->n == S->nseries;
    ccx_free(L);
    if (!same) {
        fprintf(S->err, "carecap: seek: the lever changes the run's outputs between settings (expected a lever "
                        "that keeps the providers, e.g. not a home's name)\n");
        csn_free(sc);
        S->failed = 1;
        return -1;
    }
    sink_ctx c = {S->tg, st, 12 * S->res->years + 1};
    cce_result *r = NULL;
    char msg[512];
    int rc = cce_run_each(sc->phase[0], &eo, sink, &c, NULL, NULL, &r, msg);
    if (rc == 0)
        S->res->wall_seconds += r->wall_seconds;
    cce_free(r);
    csn_free(sc);
    if (rc != 0) {
        fprintf(S->err, "carecap: seek: %s\n", msg);
        S->failed = 1;
        return -1;
    }
    st->batches++;
    S->res->total_reps += size;
    if (S->res->nevals == S->cap) {
        int nc = S->cap ? 2 * S->cap : 16;
        csk_eval *a = realloc(S->res->evals, (size_t)nc * sizeof *a);
        if (!a) {
            fprintf(S->err, "carecap: out of memory\n");
            S->failed = 1;
            return -1;
        }
        S->res->evals = a;
        S->cap = nc;
    }
    csk_eval *e = &S->res->evals[S->res->nevals];
    memset(e, 0, sizeof *e);
    e->value = x;
    e->index = i;
    e->reps = st->n;
    int all_meet = 1, any_fail = 0, point = 1;
    for (int t = 0; t < ctg_count(S->tg); t++) {
        interval(o, S->tg, st, t, &e->est[t], &e->lo[t], &e->hi[t]);
        double need = ctg_required(S->tg, t);
        int meet, fails, pt;
        if (ctg_kind(S->tg, t) == CTG_PROB) {
            meet = e->lo[t] >= need;
            fails = e->hi[t] < need;
            pt = e->est[t] >= need;
        } else {
            int lower = ctg_lower_is_better(S->tg, t);
            meet = ctg_meets(S->tg, t, lower ? e->hi[t] : e->lo[t]);
            fails = !ctg_meets(S->tg, t, lower ? e->lo[t] : e->hi[t]);
            pt = ctg_meets(S->tg, t, e->est[t]);
        }
        all_meet &= meet;
        any_fail |= fails;
        point &= pt;
    }
    int last = st->n >= o->max_reps;
    e->verdict = any_fail ? CSK_FAILS : all_meet ? CSK_MEETS : !last ? CSK_CLOSE : point ? CSK_MEETS_LIMIT
                                                                                          : CSK_FAILS_LIMIT;
    st->verdict = e->verdict;
    st->last = S->res->nevals++;
    return 0;
}

/* Evaluate grid point i until decided: 1 meets, 0 fails, -1 error. */
static int decide(search *S, int i)
{
    setting *st = &S->st[i];
    if (st->batches == 0)
        S->res->nsettings++;
    while (st->batches == 0 || st->verdict == CSK_CLOSE)
        if (batch(S, i) != 0)
            return -1;
    return st->verdict == CSK_MEETS || st->verdict == CSK_MEETS_LIMIT;
}

int csk_search(const csk_opts *o, csk_result **res, FILE *err)
{
    *res = NULL;
    if (o->ntargets < 1 || o->ntargets > CSK_MAXTARGET) {
        fprintf(err, "carecap: seek: %d targets (expected 1 to %d --target options)\n", o->ntargets, CSK_MAXTARGET);
        return CCA_USAGE;
    }
    if (o->reps < 1 || o->max_reps < o->reps) {
        fprintf(err, "carecap: seek: --max-reps %d is below -r %d (expected at least one batch)\n", o->max_reps,
                o->reps);
        return CCA_USAGE;
    }
    /* both ends must load: the file, the lever and the range are checked
     * before anything is run */
    csn_scenario *s0 = NULL, *s1 = NULL;
    int rc = load_at(o, o->vary.a, err, &s0);
    if (rc == CCA_OK)
        rc = load_at(o, o->vary.b, err, &s1);
    csn_free(s1);
    if (rc != CCA_OK) {
        csn_free(s0);
        return rc;
    }
    ccx_layout *L = ccx_new(s0->phase[0]);
    ctg_list *tg = L ? ctg_new(L, s0->phase[0]->start_day) : NULL;
    csk_result *r = calloc(1, sizeof *r);
    search S;
    memset(&S, 0, sizeof S);
    if (!L || !tg || !r) {
        fprintf(err, "carecap: out of memory\n");
        rc = CCA_RUNTIME;
        goto done;
    }
    for (int i = 0; i < o->ntargets; i++) {
        char msg[512];
        if (ctg_add(tg, o->targets[i], 0, msg, sizeof msg) != 0) {
            fprintf(err, "carecap: seek: --target %d: %s\n", i + 1, msg);
            rc = CCA_USAGE;
        }
    }
    if (rc != CCA_OK) {
        fprintf(err, "carecap: seek: nothing was run\n");
        goto done;
    }
    for (int i = 0; i < o->ntargets; i++) {
        r->mean[i] = ctg_kind(tg, i) == CTG_MEAN;
        r->required[i] = ctg_required(tg, i);
    }
    int need = (ctg_months(tg) + 11) / 12;
    r->years = o->years ? o->years : need < 1 ? 1 : need;
    if (r->years < need || r->years > 100) {
        fprintf(err, "carecap: seek: the targets read month ends up to %d years after the start date (expected -y "
                     "at least %d, at most 100)\n",
                need, need);
        rc = CCA_USAGE;
        goto done;
    }
    S.o = o;
    S.tg = tg;
    S.nseries = L->n;
    S.G = (int)floor(fabs(o->vary.b - o->vary.a) / o->vary.step + 0.5) + 1;
    S.st = calloc((size_t)S.G, sizeof *S.st);
    S.res = r;
    S.err = err;
    r->answer = r->runner_up = -1;
    if (!S.st) {
        fprintf(err, "carecap: out of memory\n");
        rc = CCA_RUNTIME;
        goto done;
    }
    /* the far end first: if even that fails, nothing in the range meets */
    int far = decide(&S, S.G - 1);
    if (far < 0) {
        rc = CCA_RUNTIME;
        goto done;
    }
    if (far) {
        int lo = 0, hi = S.G - 1;
        int first = decide(&S, 0);
        if (first < 0) {
            rc = CCA_RUNTIME;
            goto done;
        }
        if (first)
            hi = 0;
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            int m = decide(&S, mid);
            if (m < 0) {
                rc = CCA_RUNTIME;
                goto done;
            }
            if (m)
                hi = mid;
            else
                lo = mid;
        }
        r->found = 1;
        r->answer = S.st[hi].last;
        r->runner_up = hi > 0 ? S.st[lo].last : -1;
    }
    *res = r;
    r = NULL;
    rc = CCA_OK;
done:
    free(S.st);
    csk_free(r);
    ctg_free(tg);
    ccx_free(L);
    csn_free(s0);
    return rc;
}

static const char *verdict_name(int v)
{
    static const char *const names[] = {"close", "meets", "fails", "meets at the replication limit",
                                        "fails at the replication limit"};
    return names[v];
}

static void write_csv(FILE *f, const csk_opts *o, const csk_result *r)
{
    fprintf(f, "evaluation,value,replications,target,statistic,estimate,low95,high95,required,verdict\n");
    for (int k = 0; k < r->nevals; k++) {
        const csk_eval *e = &r->evals[k];
        for (int t = 0; t < o->ntargets; t++) {
            char v[64], est[64], lo[64], hi[64];
            cco_num(e->value, v);
            cco_num(e->est[t], est);
            cco_num(e->lo[t], lo);
            cco_num(e->hi[t], hi);
            fprintf(f, "%d,%s,%d,", k + 1, v, e->reps);
            cco_field(f, o->targets[t]);
            char need[64];
            cco_num(r->required[t], need);
            fprintf(f, ",%s,%s,%s,%s,%s,%s\n", r->mean[t] ? "mean" : "probability", est,
                    isfinite(e->lo[t]) ? lo : "", isfinite(e->hi[t]) ? hi : "", need, verdict_name(e->verdict));
        }
    }
}

static void describe(FILE *f, const csk_opts *o, const csk_result *r, const csk_eval *e)
{
    char v[64];
    cco_num(e->value, v);
    fprintf(f, "%s.%s = %s (%d replications, %s)", o->vary.lever, o->vary.setting, v, e->reps,
            verdict_name(e->verdict));
    if (isfinite(o->unit_cost)) {
        char c[64];
        cco_num(o->unit_cost * fabs(e->value - o->vary.a), c);
        fprintf(f, ", cost %s", c);
    }
    fputc('\n', f);
    for (int t = 0; t < o->ntargets; t++) {
        char est[64], lo[64], hi[64];
        cco_num(e->est[t], est);
        cco_num(e->lo[t], lo);
        cco_num(e->hi[t], hi);
        fprintf(f, "  %s: %s %s (95%% interval %s to %s)\n", o->targets[t], r->mean[t] ? "mean" : "probability", est,
                isfinite(e->lo[t]) ? lo : "-inf", isfinite(e->hi[t]) ? hi : "inf");
    }
    (void)r;
}

static void write_txt(FILE *f, const csk_opts *o, const csk_result *r)
{
    fputs("command:", f);
    for (int i = 0; o->argv && i < o->argc; i++) {
        fputc(' ', f);
        cco_shell_quote(f, o->argv[i]);
    }
    fprintf(f, "\nseed: %llu\nyears: %d\nreplications_per_batch: %d\nmax_replications: %d\n",
            (unsigned long long)o->seed, r->years, o->reps, o->max_reps);
    char a[64], b[64], s[64];
    cco_num(o->vary.a, a);
    cco_num(o->vary.b, b);
    cco_num(o->vary.step, s);
    fputs("scenario: ", f);
    cco_shell_quote(f, o->scenario);
    fprintf(f, "\nlever: %s.%s from %s to %s by %s\n", o->vary.lever, o->vary.setting, a, b, s);
    for (int t = 0; t < o->ntargets; t++) {
        fputs("target: ", f);
        cco_shell_quote(f, o->targets[t]);
        fputc('\n', f);
    }
    fprintf(f, "evaluations: %d (%d settings, %ld replications, %.2f s)\n", r->nevals, r->nsettings, r->total_reps,
            r->wall_seconds);
    if (!r->found) {
        fputs("answer: none: no setting in the range meets every target; the far end gives\n  ", f);
        describe(f, o, r, &r->evals[r->nevals - 1]);
        return;
    }
    fputs("answer: ", f);
    describe(f, o, r, &r->evals[r->answer]);
    if (r->runner_up >= 0) {
        fputs("runner_up: ", f);
        describe(f, o, r, &r->evals[r->runner_up]);
    } else {
        fputs("runner_up: none (the range's first end meets every target)\n", f);
    }
}

int csk_main(const csk_opts *o, FILE *out, FILE *err)
{
    char msg[512];
    if (cco_check_outdir(o->outdir, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return CCA_IO;
    }
    csk_result *r = NULL;
    int rc = csk_search(o, &r, err);
    if (rc != CCA_OK)
        return rc;
    cco_sigsave sv = {0};
    cco_signals_catch(&sv);
    cco_stage *st = cco_stage_new(o->outdir, msg);
    if (!st) {
        fprintf(err, "carecap: %s\n", msg);
        cco_signals_default(&sv);
        csk_free(r);
        return CCA_IO;
    }
    const char *sd = cco_stage_dir(st);
    FILE *fc = cco_create(sd, "seek.csv");
    FILE *ft = cco_create(sd, "seek.txt");
    int werr = !fc || !ft;
    if (!werr) {
        write_csv(fc, o, r);
        write_txt(ft, o, r);
    }
    if (fc && cco_close(fc, "seek.csv") != 0)
        werr = 1;
    if (ft && cco_close(ft, "seek.txt") != 0)
        werr = 1;
    if (werr)
        fprintf(err, "carecap: %s: cannot write seek.csv or seek.txt\n", o->outdir);
    rc = cca_finish(st, werr, rc, o->outdir, err);
    cco_signals_default(&sv);
    if (rc == CCA_OK) {
        if (!o->quiet) {
            fputs("carecap: seek: ", out);
            if (r->found)
                describe(out, o, r, &r->evals[r->answer]);
            else
                fputs("no setting in the range meets every target\n", out);
            fprintf(out, "carecap: seek: %d evaluations of %d settings (%ld replications); results in %s/\n",
                    r->nevals, r->nsettings, r->total_reps, o->outdir);
        }
        if (!r->found) {
            char b[64];
            cco_num(o->vary.b, b);
            fprintf(err, "carecap: seek: no setting of %s.%s up to %s meets every target (see %s/seek.txt; "
                         "expected a wider range or easier targets)\n",
                    o->vary.lever, o->vary.setting, b, o->outdir);
            rc = CCA_RUNTIME;
        }
    }
    csk_free(r);
    return rc;
}
