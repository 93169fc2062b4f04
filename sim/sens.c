/* sens: one-at-a-time swings (a tornado) and Sobol indices of a config's
 * uncertain inputs, on common random numbers. */
#define _XOPEN_SOURCE 700
#include "sens.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_qrng.h>

#include "app.h"
#include "charts.h"
#include "diag.h"
#include "experiment.h"
#include "output.h"
#include "params.h"
#include "target.h"
#include "uncert.h"

#define Q_LOW 0.05
#define Q_HIGH 0.95

void csa_free(csa_result *r)
{
    if (!r)
        return;
    free(r->in);
    free(r->rank);
    ccp_free(r->p);
    free(r);
}

typedef struct {
    const csa_opts *o;
    cc_params *p;
    ccu_work *w;
    ctg_list *tg;
    int years, nu;
    long runs;
    FILE *err;
} ctx;

/* Run the config with quantiles q (NaN: the config's value); y[k * reps + i]
 * gets output k of replication i. 0, or -1 (message on err). */
static int eval(ctx *c, const double *q, int reps, double *y)
{
    const cc_params *const *ph = ccu_work_quantiles(c->w, q);
    if (!ph) {
        fprintf(c->err, "carecap: out of memory\n");
        return -1;
    }
    cce_opts eo = {reps, c->years, c->o->threads, c->o->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_unc un = {CCE_UNC_OFF, 0};
    cce_result *r = NULL;
    char msg[512];
    if (cce_run_unc(ph[0], &eo, &un, 0, NULL, NULL, &r, msg) != 0) {
        fprintf(c->err, "carecap: sensitivity: %s\n", msg);
        return -1;
    }
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    for (int k = 0; k < ctg_count(c->tg); k++)
        for (int i = 0; i < reps; i++)
            y[(size_t)k * (size_t)reps + (size_t)i] = ctg_eval(c->tg, k, r->data + (size_t)i * slice, r->ndates);
    cce_free(r);
    c->runs++;
    return 0;
}

static double mean(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return s / n;
}

static double sd(const double *x, int n)
{
    if (n < 2)
        return 0;
    double m = mean(x, n), s = 0;
    for (int i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

/* idx: the inputs by the size of their swing of output k, largest first
 * (a stable insertion sort: ties keep the config's order). */
static void order(const csa_result *r, int k, int *idx)
{
    for (int i = 0; i < r->ninputs; i++)
        idx[i] = i;
    for (int i = 1; i < r->ninputs; i++) {
        int v = idx[i], j = i;
        while (j > 0 && fabs(r->in[idx[j - 1]].swing[k]) < fabs(r->in[v].swing[k])) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

/* Saltelli design over the nsob inputs idx[] with N base points. */
static int sobol(ctx *c, csa_result *r, const int *idx, int nsob)
{
    const csa_opts *o = c->o;
    int N = o->sobol_n, R = o->sobol_reps, K = ctg_count(c->tg);
    gsl_qrng *g = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * nsob));
    double *pt = malloc((size_t)(2 * nsob) * sizeof *pt);
    double *q = malloc((size_t)c->nu * sizeof *q);
    double *y = malloc((size_t)K * (size_t)R * sizeof *y);
    /* f[(k * (nsob + 2) + col) * N + j]: col 0 A, 1 B, 2 + i A with column i from B */
    double *f = malloc((size_t)K * (size_t)(nsob + 2) * (size_t)N * sizeof *f);
    int rc = -1;
    if (!g || !pt || !q || !y || !f) {
        fprintf(c->err, "carecap: out of memory\n");
        goto done;
    }
    gsl_qrng_get(g, pt); /* skip the first point (all 0.5 with GSL, or 0) */
    for (int j = 0; j < N; j++) {
        gsl_qrng_get(g, pt);
        for (int col = 0; col < nsob + 2; col++) {
            for (int i = 0; i < c->nu; i++)
                q[i] = NAN;
            for (int i = 0; i < nsob; i++) {
                double v = col == 1 ? pt[nsob + i] : col == 2 + i ? pt[nsob + i] : pt[i];
                q[idx[i]] = v <= 0 ? 1e-6 : v >= 1 ? 1 - 1e-6 : v;
            }
            if (eval(c, q, R, y) != 0)
                goto done;
            for (int k = 0; k < K; k++)
                f[((size_t)k * (size_t)(nsob + 2) + (size_t)col) * (size_t)N + (size_t)j] = mean(y + (size_t)k * R, R);
        }
    }
    for (int k = 0; k < K; k++) {
        const double *A = f + (size_t)k * (size_t)(nsob + 2) * (size_t)N, *B = A + N;
        double m = 0, v = 0;
        for (int j = 0; j < N; j++)
            m += A[j] + B[j];
        m /= 2 * N;
        for (int j = 0; j < N; j++)
            v += (A[j] - m) * (A[j] - m) + (B[j] - m) * (B[j] - m);
        v /= 2 * N - 1;
        r->sobol_var[k] = v;
        for (int i = 0; i < nsob; i++) {
            const double *AB = A + (size_t)(2 + i) * (size_t)N;
            double s1 = 0, st = 0;
            for (int j = 0; j < N; j++) {
                s1 += B[j] * (AB[j] - A[j]);
                st += (A[j] - AB[j]) * (A[j] - AB[j]);
            }
            r->in[idx[i]].first[k] = v > 0 ? s1 / N / v : NAN;
            r->in[idx[i]].total[k] = v > 0 ? st / (2.0 * N) / v : NAN;
        }
    }
    rc = 0;
done:
    if (g)
        gsl_qrng_free(g);
    free(pt);
    free(q);
    free(y);
    free(f);
    return rc;
}

int csa_analyse(const csa_opts *o, csa_result **res, FILE *err)
{
    *res = NULL;
    if (o->noutputs < 1 || o->noutputs > CSA_MAXOUT) {
        fprintf(err, "carecap: sensitivity: %d outputs (expected 1 to %d --output options)\n", o->noutputs, CSA_MAXOUT);
        return CCA_USAGE;
    }
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    int lrc = d ? ccp_load(o->config, d, &p) : CCP_EIO;
    if (d)
        ccg_print(d, err, NULL);
    if (lrc != CCP_OK) {
        fprintf(err, "carecap: %s: %zu error%s; nothing was run\n", o->config, d ? ccg_count(d) : 0,
                d && ccg_count(d) == 1 ? "" : "s");
        ccg_free(d);
        return lrc == CCP_EIO ? CCA_IO : CCA_INVALID;
    }
    ccg_free(d);
    int nu = ccu_nitems(p->unc); /* the stated inputs; drift is not one */
    if (nu == 0) {
        fprintf(err, "carecap: %s: uncertainty_of: the config states no uncertainty, so there is nothing to vary "
                     "(expected an uncertainty_of list; docs/config-reference.md)\n",
                o->config);
        ccp_free(p);
        return CCA_INVALID;
    }
    ctx c = {o, p, NULL, NULL, 0, nu, 0, err};
    ccx_layout *L = ccx_new(p);
    csa_result *r = calloc(1, sizeof *r);
    double *q = malloc((size_t)nu * sizeof *q);
    double *y0 = NULL, *ylo = NULL, *yhi = NULL;
    int rc = CCA_RUNTIME;
    c.tg = L ? ctg_new(L, p->start_day) : NULL;
    c.w = ccu_work_new((const cc_params *const *)&p, 1, 0); /* quantiles only: no drift walks */
    if (!L || !r || !q || !c.tg || !c.w) {
        fprintf(err, "carecap: out of memory\n");
        goto done;
    }
    r->p = p;
    for (int k = 0; k < o->noutputs; k++) {
        char msg[512];
        if (ctg_add(c.tg, o->outputs[k], 1, msg, sizeof msg) != 0) {
            fprintf(err, "carecap: sensitivity: --output %d: %s\n", k + 1, msg);
            rc = CCA_USAGE;
        }
    }
    if (rc == CCA_USAGE) {
        fprintf(err, "carecap: sensitivity: nothing was run\n");
        goto done;
    }
    int need = (ctg_months(c.tg) + 11) / 12;
    c.years = o->years ? o->years : need < 1 ? 1 : need;
    if (c.years < need) {
        fprintf(err, "carecap: sensitivity: the outputs read month ends up to %d years after the start date "
                     "(expected -y at least %d)\n", need, need);
        rc = CCA_USAGE;
        goto done;
    }
    r->years = c.years;
    r->ninputs = nu;
    r->in = calloc((size_t)nu, sizeof *r->in);
    r->rank = malloc((size_t)nu * sizeof *r->rank);
    int K = o->noutputs, R = o->reps;
    y0 = malloc((size_t)K * (size_t)R * sizeof *y0);
    ylo = malloc((size_t)K * (size_t)R * sizeof *ylo);
    yhi = malloc((size_t)K * (size_t)R * sizeof *yhi);
    if (!r->in || !r->rank || !y0 || !ylo || !yhi) {
        fprintf(err, "carecap: out of memory\n");
        goto done;
    }
    for (int i = 0; i < nu; i++)
        q[i] = NAN;
    if (eval(&c, q, R, y0) != 0)
        goto done;
    for (int k = 0; k < K; k++) {
        r->nominal[k] = mean(y0 + (size_t)k * R, R);
        r->nominal_sd[k] = sd(y0 + (size_t)k * R, R);
    }
    for (int i = 0; i < nu; i++) {
        csa_input *in = &r->in[i];
        in->input = ccu_setting(p->unc, i);
        q[i] = Q_LOW;
        if (eval(&c, q, R, ylo) != 0)
            goto done;
        q[i] = Q_HIGH;
        if (eval(&c, q, R, yhi) != 0)
            goto done;
        q[i] = NAN;
        for (int k = 0; k < K; k++) {
            double *a = ylo + (size_t)k * R, *b = yhi + (size_t)k * R;
            in->low[k] = mean(a, R);
            in->high[k] = mean(b, R);
            for (int j = 0; j < R; j++)
                b[j] -= a[j]; /* paired differences */
            in->swing[k] = mean(b, R);
            in->swing_se[k] = sd(b, R) / sqrt(R);
            in->first[k] = in->total[k] = NAN;
        }
    }
    order(r, 0, r->rank);
    r->nsobol = o->sobol_n > 0 ? (o->sobol_inputs < nu ? o->sobol_inputs : nu) : 0;
    if (r->nsobol > 20)
        r->nsobol = 20;
    if (r->nsobol > 0 && sobol(&c, r, r->rank, r->nsobol) != 0)
        goto done;
    r->runs = c.runs;
    *res = r;
    r = NULL;
    p = NULL;
    rc = CCA_OK;
done:
    free(q);
    free(y0);
    free(ylo);
    free(yhi);
    ccu_work_free(c.w);
    ctg_free(c.tg);
    ccx_free(L);
    if (r)
        r->p = NULL;
    csa_free(r);
    ccp_free(p);
    return rc;
}

static void num(FILE *f, double x)
{
    char b[64];
    if (isfinite(x)) {
        cco_num(x, b);
        fputs(b, f);
    }
}

static int write_csv(FILE *f, const csa_opts *o, const csa_result *r)
{
    int *idx = malloc((size_t)r->ninputs * sizeof *idx);
    if (!idx)
        return -1;
    fputs("analysis,output,input,statistic,value\n", f);
    for (int k = 0; k < o->noutputs; k++) {
        order(r, k, idx);
        fputs("nominal,", f);
        cco_field(f, o->outputs[k]);
        fputs(",,mean,", f);
        num(f, r->nominal[k]);
        fputs("\nnominal,", f);
        cco_field(f, o->outputs[k]);
        fputs(",,sd,", f);
        num(f, r->nominal_sd[k]);
        fputc('\n', f);
        for (int j = 0; j < r->ninputs; j++) {
            const csa_input *in = &r->in[idx[j]];
            static const char *const st[] = {"at_p05", "at_p95", "swing", "swing_se", "rank", "first_order",
                                             "total_order"};
            double v[] = {in->low[k], in->high[k], in->swing[k], in->swing_se[k], j + 1, in->first[k], in->total[k]};
            for (int s = 0; s < 7; s++) {
                if (s >= 5 && !isfinite(v[s]))
                    continue;
                fputs(s >= 5 ? "sobol," : "one_at_a_time,", f);
                cco_field(f, o->outputs[k]);
                fputc(',', f);
                cco_field(f, in->input);
                fprintf(f, ",%s,", st[s]);
                num(f, v[s]);
                fputc('\n', f);
            }
        }
    }
    free(idx);
    return 0;
}

/* A number for the report: whole when large, else as in the CSV files. */
static void fmt(double x, char *b)
{
    if (fabs(x) >= 1000)
        snprintf(b, 64, "%.0f", x);
    else
        cco_num(x, b);
}

static int write_txt(FILE *f, const csa_opts *o, const csa_result *r)
{
    int *idx = malloc((size_t)r->ninputs * sizeof *idx);
    if (!idx)
        return -1;
    fputs("command:", f);
    for (int i = 0; o->argv && i < o->argc; i++) {
        fputc(' ', f);
        cco_shell_quote(f, o->argv[i]);
    }
    fprintf(f, "\nseed: %llu\nyears: %d\nreplications: %d one at a time", (unsigned long long)o->seed, r->years,
            o->reps);
    if (r->nsobol)
        fprintf(f, ", %d per Sobol point (%d base points, %d inputs)", o->sobol_reps, o->sobol_n, r->nsobol);
    fprintf(f, "\nevaluations: %ld\n", r->runs);
    for (int k = 0; k < o->noutputs; k++) {
        char a[64], b[64];
        fmt(r->nominal[k], a);
        fmt(r->nominal_sd[k], b);
        fprintf(f, "\noutput: %s\nat the config's values: mean %s (sd across replications %s)\n", o->outputs[k], a, b);
        fprintf(f, "%-4s %-48s %14s %14s %14s %10s %8s %8s\n", "rank", "input", "at 5th pct", "at 95th pct", "swing",
                "swing se", "S1", "ST");
        order(r, k, idx);
        for (int j = 0; j < r->ninputs; j++) {
            const csa_input *in = &r->in[idx[j]];
            char lo[64], hi[64], sw[64], se[64], s1[64] = "", st[64] = "";
            fmt(in->low[k], lo);
            fmt(in->high[k], hi);
            fmt(in->swing[k], sw);
            fmt(in->swing_se[k], se);
            if (isfinite(in->first[k]))
                snprintf(s1, sizeof s1, "%.2f", in->first[k]);
            if (isfinite(in->total[k]))
                snprintf(st, sizeof st, "%.2f", in->total[k]);
            fprintf(f, "%-4d %-48s %14s %14s %14s %10s %8s %8s\n", j + 1, in->input, lo, hi, sw, se, s1, st);
        }
        if (r->nsobol) {
            char v[64];
            fmt(sqrt(r->sobol_var[k]), v);
            fprintf(f, "sd of the mean across the %d inputs' joint uncertainty (Sobol design): %s\n", r->nsobol, v);
        }
    }
    free(idx);
    return 0;
}

/* charts/tornado.dat and tornado.gp: the first output's swings, the inputs'
 * names read from the data file (never written into the script). */
static int write_tornado(const char *sd, const csa_opts *o, const csa_result *r, FILE *err)
{
    char cd[4096];
    snprintf(cd, sizeof cd, "%s/charts", sd);
    if (cco_mkdirs(cd) != 0) {
        fprintf(err, "carecap: %s/charts: cannot create: %s\n", o->outdir, strerror(errno));
        return -1;
    }
    FILE *fd = cco_create(cd, "tornado.dat"), *fg = cco_create(cd, "tornado.gp");
    int bad = !fd || !fg;
    int n = r->ninputs < 15 ? r->ninputs : 15;
    if (!bad) {
        fputs("# input, mean at the 5th percentile minus the mean at the config's values, the same at the 95th\n", fd);
        for (int j = n - 1; j >= 0; j--) {
            const csa_input *in = &r->in[r->rank[j]];
            fputc('"', fd);
            for (const char *s = in->input; *s; s++)
                if (*s != '"' && *s != '\\' && (unsigned char)*s >= 32)
                    fputc(*s, fd);
            fprintf(fd, "\" %.10g %.10g\n", in->low[0] - r->nominal[0], in->high[0] - r->nominal[0]);
        }
        static const char plot[] =
            "set style fill solid 0.8 noborder\n"
            "set boxwidth 0.7\n"
            "set grid xtics\n"
            "set key bottom right\n"
            "set ytics nomirror\n"
            "set xlabel 'change in the mean from the config values'\n"
            "set title 'What moves the first output most: each input at the 5th and 95th percentile of its "
            "uncertainty'\n"
            "plot 'tornado.dat' using (0):0:($2<0?$2:0):($2>0?$2:0):($0-0.35):($0+0.35):ytic(1) with boxxyerror "
            "lc rgb '#4477aa' title 'input at its 5th percentile', \\\n"
            "     '' using (0):0:($3<0?$3:0):($3>0?$3:0):($0-0.35):($0+0.35) with boxxyerror lc rgb '#ee6677' "
            "fs transparent solid 0.6 title 'input at its 95th percentile'\n";
        for (int t = 0; t < 2; t++)
            fprintf(fg, "%s\nset output 'tornado.%s'\n%sunset output\n",
                    t == 0 ? "set terminal pngcairo size 1100,600 noenhanced font 'Sans,10'\nset format x '%.3s%c'"
                           : "set terminal svg size 1100,600 dynamic noenhanced font 'Sans,10'\nset format x '%.3s%c'",
                    t == 0 ? "png" : "svg", plot);
    }
    if (fd && cco_close(fd, "tornado.dat") != 0)
        bad = 1;
    if (fg && cco_close(fg, "tornado.gp") != 0)
        bad = 1;
    if (bad) {
        fprintf(err, "carecap: %s/charts: cannot write the tornado chart's files\n", o->outdir);
        return -1;
    }
    if (o->no_charts)
        return 0;
    int g = cch_render(cd, "tornado");
    if (g == 1)
        fprintf(err, "carecap: warning: gnuplot is not installed; charts/tornado.gp is written (run gnuplot "
                     "tornado.gp in charts/ to draw it)\n");
    else if (g != 0) {
        fprintf(err, "carecap: %s/charts: gnuplot could not draw the tornado chart (see tornado.log)\n", o->outdir);
        return -1;
    }
    return 0;
}

int csa_main(const csa_opts *o, FILE *out, FILE *err)
{
    char msg[512];
    if (cco_check_outdir(o->outdir, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return CCA_IO;
    }
    csa_result *r = NULL;
    int rc = csa_analyse(o, &r, err);
    if (rc != CCA_OK)
        return rc;
    cco_sigsave sv = {0};
    cco_signals_catch(&sv);
    cco_stage *st = cco_stage_new(o->outdir, msg);
    if (!st) {
        fprintf(err, "carecap: %s\n", msg);
        cco_signals_default(&sv);
        csa_free(r);
        return CCA_IO;
    }
    const char *sd = cco_stage_dir(st);
    FILE *fc = cco_create(sd, "sensitivity.csv");
    FILE *ft = cco_create(sd, "sensitivity.txt");
    int werr = !fc || !ft;
    if (!werr && (write_csv(fc, o, r) != 0 || write_txt(ft, o, r) != 0)) {
        fprintf(err, "carecap: out of memory\n");
        werr = 1;
    }
    if (fc && cco_close(fc, "sensitivity.csv") != 0)
        werr = 1;
    if (ft && cco_close(ft, "sensitivity.txt") != 0)
        werr = 1;
    if (werr)
        fprintf(err, "carecap: %s: cannot write sensitivity.csv or sensitivity.txt: %s\n", o->outdir,
                strerror(errno));
    if (!werr && !cco_interrupted())
        werr = write_tornado(sd, o, r, err) != 0;
    rc = cca_finish(st, werr, rc, o->outdir, err);
    cco_signals_default(&sv);
    if (rc == CCA_OK && !o->quiet) {
        const csa_input *top = &r->in[r->rank[0]];
        char sw[64];
        cco_num(top->swing[0], sw);
        fprintf(out, "carecap: sensitivity: %s moves %s most (swing %s across its 90%% interval); %ld evaluations; "
                     "results in %s/\n",
                top->input, o->outputs[0], sw, r->runs, o->outdir);
    }
    csa_free(r);
    return rc;
}
