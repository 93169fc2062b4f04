/* app: the run and check commands. */
#define _XOPEN_SOURCE 700
#include "app.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_version.h>

#include "backtest.h"
#include "ccdate.h"
#include "charts.h"
#include "dfe.h"
#include "diag.h"
#include "experiment.h"
#include "metrics.h"
#include "output.h"
#include "workbook.h"
#include "params.h"
#include "scenario.h"
#include "rng.h"

#ifndef CARECAP_VERSION
#define CARECAP_VERSION "unknown"
#endif

const char *cca_version(void)
{
    return CARECAP_VERSION;
}

static int load(const char *path, FILE *err, cc_params **p)
{
    cc_diag *d = ccg_new();
    if (!d) {
        fprintf(err, "carecap: out of memory\n");
        return CCA_RUNTIME;
    }
    int rc = ccp_load(path, d, p);
    ccg_print(d, err, NULL);
    if (rc != CCP_OK)
        fprintf(err, "carecap: %s: %zu error%s; nothing was run\n", path, ccg_count(d),
                ccg_count(d) == 1 ? "" : "s");
    ccg_free(d);
    return rc == CCP_OK ? CCA_OK : rc == CCP_EIO ? CCA_IO : CCA_INVALID;
}

static int load_scenario(const char *path, FILE *err, csn_scenario **s)
{
    cc_diag *d = ccg_new();
    if (!d) {
        fprintf(err, "carecap: out of memory\n");
        return CCA_RUNTIME;
    }
    int rc = csn_load(path, d, s);
    ccg_print(d, err, NULL);
    if (rc != CCP_OK)
        fprintf(err, "carecap: %s: %zu error%s; nothing was run\n", path, ccg_count(d),
                ccg_count(d) == 1 ? "" : "s");
    ccg_free(d);
    return rc == CCP_OK ? CCA_OK : rc == CCP_EIO ? CCA_IO : CCA_INVALID;
}

/* A scenario file names its baseline and lists levers. */
static int is_scenario(const char *path)
{
    config_t cfg;
    config_init(&cfg);
    int yes = config_read_file(&cfg, path) == CONFIG_TRUE && config_lookup(&cfg, "levers") != NULL;
    config_destroy(&cfg);
    return yes;
}

int cca_check(const char *config, FILE *out, FILE *err)
{
    int rc;
    if (is_scenario(config)) {
        csn_scenario *s = NULL;
        rc = load_scenario(config, err, &s);
        csn_free(s);
    } else {
        cc_params *p = NULL;
        rc = load(config, err, &p);
        ccp_free(p);
    }
    if (rc == CCA_OK)
        fprintf(out, "%s: ok\n", config);
    return rc;
}

static void show_progress(void *ctx, int done, int total)
{
    FILE *f = ctx;
    fprintf(f, "\rcarecap: %d/%d replications (%d%%)", done, total, total ? 100 * done / total : 100);
    if (done == total)
        fputc('\n', f);
    fflush(f);
}

static void write_manifest(FILE *f, const cca_run_opts *o, const cce_result *r)
{
    const cc_params *p = r->p;
    char d0[16], d1[16];
    ccd_format(r->dates[0], d0);
    ccd_format(r->dates[r->ndates - 1], d1);
    uint64_t events = 0;
    for (int i = 0; i < r->reps; i++)
        events += r->tot[i].events;
    time_t now = time(NULL);
    char stamp[32] = "";
    struct tm tmv;
    if (gmtime_r(&now, &tmv))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    fprintf(f, "program: carecap %s\n", cca_version());
    fprintf(f, "command: %s\n", o->command_line ? o->command_line : "run");
    fprintf(f, "finished_utc: %s\n", stamp);
    fprintf(f, "config: %s\n", p->path);
    fprintf(f, "config_fnv1a64: %016llx\n", (unsigned long long)p->file_hash);
    fprintf(f, "resolved_config: config.cfg\n");
    fprintf(f, "council: %s\n", p->name);
    fprintf(f, "scenario: %s\n", p->scenario);
    fprintf(f, "seed: %llu\n", (unsigned long long)r->seed);
    fprintf(f, "generator: gsl %s, streams seeded by SplitMix64 of (seed, replication, stream, index)\n",
            ccr_type()->name);
    fprintf(f, "gsl_version: %s\n", GSL_VERSION);
    fprintf(f, "libconfig_version: %d.%d.%d\n", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR, LIBCONFIG_VER_REVISION);
    fprintf(f, "replications: %d\n", r->reps);
    fprintf(f, "years: %d\n", r->years);
    fprintf(f, "start_date: %s\n", d0);
    fprintf(f, "end_date: %s\n", d1);
    fprintf(f, "threads: %d\n", r->threads);
    fprintf(f, "events: %llu\n", (unsigned long long)events);
    fprintf(f, "wall_seconds: %.3f\n", r->wall_seconds);
}

/* Copy the resolved config: libconfig writes it to a temp path, which is
 * then streamed into the batch's file. */
static int copy_resolved(const char *config, FILE *dst, const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/.config.resolved.tmp", dir);
    if (ccp_write_resolved(config, tmp) != 0) {
        remove(tmp);
        return -1;
    }
    FILE *src = fopen(tmp, "r");
    if (!src) {
        remove(tmp);
        return -1;
    }
    fprintf(dst, "# Resolved copy of %s as run by carecap %s (includes expanded).\n", config, cca_version());
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, src)) > 0)
        fwrite(buf, 1, n, dst);
    fclose(src);
    remove(tmp);
    return 0;
}

int cca_run(const cca_run_opts *o, FILE *out, FILE *err)
{
    cc_params *p = NULL;
    int rc = load(o->config, err, &p);
    if (rc != CCA_OK)
        return rc;
    /* Every replication's monthly series are kept for the percentiles: refuse
     * a run that cannot fit in this machine's memory before starting it. */
    ccx_layout *lay = ccx_new(p);
    double need = lay ? 8.0 * o->reps * lay->n * (12.0 * o->years + 1) : 0;
    int nseries = lay ? lay->n : 0;
    ccx_free(lay);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    double have = pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;
    if (have > 0 && need > 0.8 * have) {
        fprintf(err,
                "carecap: %d replications x %d years keep %.1f GB of results (%d series, %d months); this machine "
                "has %.1f GB (use fewer replications or years)\n",
                o->reps, o->years, need / 1e9, nseries, 12 * o->years + 1, have / 1e9);
        ccp_free(p);
        return CCA_RUNTIME;
    }
    /* Fail before a long simulation, not after, if results cannot be written. */
    if (cco_mkdirs(o->outdir) != 0) {
        fprintf(err, "carecap: %s: cannot create output directory: %s\n", o->outdir, strerror(errno));
        ccp_free(p);
        return CCA_IO;
    }
    cce_opts eo = {o->reps, o->years, o->threads, o->seed, 0, NULL, NULL, 0, NULL, NULL};
    cce_result *r = NULL;
    char msg[512];
    if (cce_run(p, &eo, o->progress ? show_progress : NULL, err, &r, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        ccp_free(p);
        return CCA_RUNTIME;
    }
    rc = CCA_OK;
    cco_batch *b = cco_batch_new(o->outdir);
    FILE *fm = b ? cco_batch_add(b, "monthly.csv") : NULL;
    FILE *fa = fm ? cco_batch_add(b, "annual.csv") : NULL;
    FILE *fc = fa ? cco_batch_add(b, "config.cfg") : NULL;
    FILE *fx = fc ? cco_batch_add(b, "manifest.txt") : NULL;
    if (!fx) {
        fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno));
        cco_batch_abort(b);
        rc = CCA_IO;
        goto done;
    }
    if (cco_write_monthly(fm, r, 1) != 0 || cco_write_annual(fa, r, 1) != 0) {
        fprintf(err, "carecap: out of memory while summarising\n");
        cco_batch_abort(b);
        rc = CCA_RUNTIME;
        goto done;
    }
    if (copy_resolved(o->config, fc, o->outdir) != 0) {
        fprintf(err, "carecap: %s: cannot write the resolved config\n", o->outdir);
        cco_batch_abort(b);
        rc = CCA_IO;
        goto done;
    }
    write_manifest(fx, o, r);
    if (r->L->spend >= 0) {
        const char *xp = cco_batch_add_path(b, "spend.xlsx");
        if (!xp || ccw_write(xp, r, msg) != 0) {
            if (!xp)
                snprintf(msg, sizeof msg, "%s: cannot write spend.xlsx", o->outdir);
            fprintf(err, "carecap: %s\n", msg);
            cco_batch_abort(b);
            rc = CCA_IO;
            goto done;
        }
    }
    if (cco_batch_commit(b, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_IO;
        goto done;
    }
    uint64_t events = 0;
    for (int i = 0; i < r->reps; i++)
        events += r->tot[i].events;
    if (!o->no_charts)
        cch_plot(o->outdir, err); /* a chart that cannot be drawn is a warning, not a failed run */
    fprintf(out, "carecap: %d replications x %d years in %.2f s (%.1f M events/s); results in %s/\n", r->reps,
            r->years, r->wall_seconds, r->wall_seconds > 0 ? (double)events / r->wall_seconds / 1e6 : 0.0,
            o->outdir);
done:
    cce_free(r);
    ccp_free(p);
    return rc;
}

/* The same file? (two paths to one baseline) */
static int same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

int cca_compare(const cca_run_opts *o, FILE *out, FILE *err)
{
    cc_params *base = NULL;
    int rc = load(o->config, err, &base);
    if (rc != CCA_OK)
        return rc;
    csn_scenario **sc = calloc((size_t)o->nscenarios, sizeof *sc);
    if (!sc) {
        ccp_free(base);
        return CCA_RUNTIME;
    }
    int bad = 0;
    for (int i = 0; i < o->nscenarios; i++) {
        int r1 = load_scenario(o->scenarios[i], err, &sc[i]);
        if (r1 != CCA_OK) {
            rc = rc == CCA_OK || r1 == CCA_IO ? r1 : rc;
            bad = 1;
            continue;
        }
        if (!same_file(sc[i]->baseline, o->config)) {
            fprintf(err, "%s: baseline: the scenario applies to %s, not %s (expected the same baseline)\n",
                    o->scenarios[i], sc[i]->baseline, o->config);
            rc = CCA_INVALID;
            bad = 1;
        }
        for (int j = 0; j < i && sc[j] && !bad; j++)
            if (strcmp(sc[j]->name, sc[i]->name) == 0) {
                fprintf(err, "%s: name: \"%s\" is also the name of %s (expected unique scenario names)\n",
                        o->scenarios[i], sc[i]->name, o->scenarios[j]);
                rc = CCA_INVALID;
                bad = 1;
            }
    }
    if (bad) {
        fprintf(err, "carecap: compare: nothing was run\n");
        goto fail;
    }
    ccx_layout *lay = ccx_new(base);
    double need = lay ? 2 * 8.0 * o->reps * lay->n * (12.0 * o->years + 1) : 0;
    ccx_free(lay);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    double have = pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;
    if (have > 0 && need > 0.8 * have) {
        fprintf(err, "carecap: %d replications x %d years need %.1f GB (two runs at a time); this machine has %.1f GB "
                     "(use fewer replications or years)\n",
                o->reps, o->years, need / 1e9, have / 1e9);
        rc = CCA_RUNTIME;
        goto fail;
    }
    if (cco_mkdirs(o->outdir) != 0) {
        fprintf(err, "carecap: %s: cannot create output directory: %s\n", o->outdir, strerror(errno));
        rc = CCA_IO;
        goto fail;
    }
    char msg[512];
    cce_opts eo = {o->reps, o->years, o->threads, o->seed, 0, NULL, NULL, 0, NULL, NULL};
    cce_result *rb = NULL;
    if (cce_run(base, &eo, o->progress ? show_progress : NULL, err, &rb, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_RUNTIME;
        goto fail;
    }
    cco_batch *b = cco_batch_new(o->outdir);
    FILE *fm = b ? cco_batch_add(b, "monthly.csv") : NULL;
    FILE *fa = fm ? cco_batch_add(b, "annual.csv") : NULL;
    FILE *fc = fa ? cco_batch_add(b, "comparison.csv") : NULL;
    FILE *fx = fc ? cco_batch_add(b, "manifest.txt") : NULL;
    if (!fx) {
        fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno));
        cco_batch_abort(b);
        cce_free(rb);
        rc = CCA_IO;
        goto fail;
    }
    rc = CCA_OK;
    fprintf(fc, "%s\n", cco_cmp_header);
    int werr = cco_write_monthly(fm, rb, 1) || cco_write_annual(fa, rb, 1);
    uint64_t events = 0;
    double wall = rb->wall_seconds;
    for (int i = 0; i < rb->reps; i++)
        events += rb->tot[i].events;
    write_manifest(fx, o, rb);
    for (int i = 0; i < o->nscenarios && !werr; i++) {
        const csn_scenario *s = sc[i];
        cce_opts so = eo;
        so.phases = (const cc_params *const *)s->phase;
        so.phase_t = s->phase_t;
        so.nphase = s->nphase;
        cce_result *rs = NULL;
        if (cce_run(s->phase[0], &so, o->progress ? show_progress : NULL, err, &rs, msg) != 0) {
            fprintf(err, "carecap: %s: %s\n", s->path, msg);
            werr = 1;
            break;
        }
        werr = cco_write_monthly(fm, rs, 0) || cco_write_annual(fa, rs, 0) || cco_write_comparison(fc, rb, rs);
        fprintf(fx, "scenario: %s (%s, config_fnv1a64 %016llx, %d levers, %d phases)\n", s->name, s->path,
                (unsigned long long)s->phase[0]->file_hash, s->nlevers, s->nphase);
        for (int k = 0; k < rs->reps; k++)
            events += rs->tot[k].events;
        wall += rs->wall_seconds;
        cce_free(rs);
    }
    fprintf(fx, "compare_events: %llu\ncompare_wall_seconds: %.3f\n", (unsigned long long)events, wall);
    cce_free(rb);
    if (werr) {
        fprintf(err, "carecap: compare failed; nothing was written\n");
        cco_batch_abort(b);
        rc = CCA_RUNTIME;
        goto fail;
    }
    if (cco_batch_commit(b, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_IO;
        goto fail;
    }
    if (!o->no_charts)
        cch_plot(o->outdir, err);
    fprintf(out, "carecap: baseline and %d scenario%s x %d replications x %d years in %.2f s; results in %s/\n",
            o->nscenarios, o->nscenarios == 1 ? "" : "s", o->reps, o->years, wall, o->outdir);
fail:
    for (int i = 0; i < o->nscenarios; i++)
        csn_free(sc[i]);
    free(sc);
    ccp_free(base);
    return rc;
}

int cca_plot(const char *dir, FILE *out, FILE *err)
{
    if (cch_plot(dir, err) != 0)
        return CCA_IO;
    fprintf(out, "carecap: charts in %s/charts/, report in %s/report.html\n", dir, dir);
    return CCA_OK;
}

int cca_export903(const cca_run_opts *o, FILE *out, FILE *err)
{
    cc_params *p = NULL;
    int rc = load(o->config, err, &p);
    if (rc != CCA_OK)
        return rc;
    if (cco_mkdirs(o->outdir) != 0) {
        fprintf(err, "carecap: %s: cannot create output directory: %s\n", o->outdir, strerror(errno));
        ccp_free(p);
        return CCA_IO;
    }
    cco_batch *b = cco_batch_new(o->outdir);
    FILE *fe = b ? cco_batch_add(b, "episodes.csv") : NULL;
    FILE *fh = fe ? cco_batch_add(b, "header.csv") : NULL;
    FILE *fd = fh ? cco_batch_add(b, "districts.csv") : NULL;
    if (!fd) {
        fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno));
        cco_batch_abort(b);
        ccp_free(p);
        return CCA_IO;
    }
    fprintf(fe, "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n");
    fprintf(fh, "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n");
    fprintf(fd, "HOME_POST,district\n");
    for (int d = 0; d < p->nd; d++) {
        fprintf(fd, "ZZ%d 0AA,", d + 1);
        cco_field(fd, p->district[d]);
        fputc('\n', fd);
    }
    cce_opts eo = {1, o->years, 1, o->seed, 0, NULL, NULL, 0, fe, fh};
    cce_result *r = NULL;
    char msg[512];
    if (cce_run(p, &eo, NULL, NULL, &r, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        cco_batch_abort(b);
        ccp_free(p);
        return CCA_RUNTIME;
    }
    cce_free(r);
    if (cco_batch_commit(b, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        ccp_free(p);
        return CCA_IO;
    }
    fprintf(out, "carecap: SSDA903 episodes of one simulated replication (synthetic children) in %s/\n", o->outdir);
    ccp_free(p);
    return CCA_OK;
}

/* Years to run from the start date so that the run reaches 31 March of the
 * files' last year; 0 when that year ends before the start. */
static int years_to_reach(int32_t start_day, int last_year)
{
    int y, m, d;
    ccd_to_ymd(start_day, &y, &m, &d);
    int months = (last_year - y) * 12 + (3 - m);
    if (months <= 0)
        return 0;
    int years = (months + 11) / 12;
    return years > 100 ? 100 : years;
}

int cca_backtest(const cca_run_opts *o, const char *la, FILE *out, FILE *err)
{
    cc_params *p = NULL;
    int rc = load(o->config, err, &p);
    if (rc != CCA_OK)
        return rc;
    cc_diag *errs = ccg_new(), *notes = ccg_new();
    cdf_set *d = NULL;
    cbt_table *t = NULL;
    cce_result *r = NULL;
    if (!errs || !notes) {
        fprintf(err, "carecap: out of memory\n");
        rc = CCA_RUNTIME;
        goto done;
    }
    int lrc = cdf_load(o->scenarios, o->nscenarios, la, errs, notes, &d);
    ccg_print(errs, err, "carecap");
    if (lrc != CDF_OK) {
        rc = lrc == CDF_EIO ? CCA_IO : lrc == CDF_ENOMEM ? CCA_RUNTIME : CCA_INVALID;
        if (lrc == CDF_EINVAL || lrc == CDF_EIO)
            fprintf(err, "carecap: backtest: %zu error%s in the published figures; nothing was run\n",
                    ccg_count(errs), ccg_count(errs) == 1 ? "" : "s");
        goto done;
    }
    int f0, f1;
    cdf_years(d, &f0, &f1);
    cca_run_opts ro = *o;
    if (ro.years == 0) {
        ro.years = years_to_reach(p->start_day, f1);
        if (ro.years == 0) {
            char s0[16];
            ccd_format(p->start_day, s0);
            fprintf(err,
                    "carecap: %s: the published figures end with the year to 31 March %d, before the config's "
                    "start date %s; nothing was run (expected figures for a year after the start date)\n",
                    o->config, f1, s0);
            rc = CCA_INVALID;
            goto done;
        }
    }
    if (cco_mkdirs(ro.outdir) != 0) {
        fprintf(err, "carecap: %s: cannot create output directory: %s\n", ro.outdir, strerror(errno));
        rc = CCA_IO;
        goto done;
    }
    cce_opts eo = {ro.reps, ro.years, ro.threads, ro.seed, 0, NULL, NULL, 0, NULL, NULL};
    char msg[512];
    if (cce_run_dfe(p, &eo, ro.progress ? show_progress : NULL, err, &r, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_RUNTIME;
        goto done;
    }
    int crc = cbt_compute(r, d, notes, &t);
    if (crc != 0) {
        if (crc < 0)
            fprintf(err, "carecap: out of memory while comparing\n");
        else
            for (size_t i = 0; i < ccg_count(notes); i++)
                fprintf(err, "carecap: %s\n", ccg_get(notes, i));
        if (crc > 0)
            fprintf(err, "carecap: %s: nothing to compare; nothing was written\n", o->config);
        rc = crc < 0 ? CCA_RUNTIME : CCA_INVALID;
        goto done;
    }
    char score[256], years[64];
    cbt_score(t, score, sizeof score);
    cbt_years(t, years, sizeof years);
    cco_batch *b = cco_batch_new(ro.outdir);
    FILE *fb = b ? cco_batch_add(b, "backtest.csv") : NULL;
    FILE *ft = fb ? cco_batch_add(b, "backtest.txt") : NULL;
    FILE *fm = ft ? cco_batch_add(b, "monthly.csv") : NULL;
    FILE *fa = fm ? cco_batch_add(b, "annual.csv") : NULL;
    FILE *fc = fa ? cco_batch_add(b, "config.cfg") : NULL;
    FILE *fx = fc ? cco_batch_add(b, "manifest.txt") : NULL;
    if (!fx) {
        fprintf(err, "carecap: %s: cannot write results: %s\n", ro.outdir, strerror(errno));
        cco_batch_abort(b);
        rc = CCA_IO;
        goto done;
    }
    if (cbt_write_csv(fb, t) != 0 || cco_write_monthly(fm, r, 1) != 0 || cco_write_annual(fa, r, 1) != 0) {
        fprintf(err, "carecap: out of memory while summarising\n");
        cco_batch_abort(b);
        rc = CCA_RUNTIME;
        goto done;
    }
    fprintf(ft, "council: %s\nfiles used: %d\ncompared: %s\nscore: %s\n", la, cdf_nfiles_used(d), years, score);
    for (size_t i = 0; i < ccg_count(notes); i++)
        fprintf(ft, "note: %s\n", ccg_get(notes, i));
    if (copy_resolved(o->config, fc, ro.outdir) != 0) {
        fprintf(err, "carecap: %s: cannot write the resolved config\n", ro.outdir);
        cco_batch_abort(b);
        rc = CCA_IO;
        goto done;
    }
    write_manifest(fx, &ro, r);
    fprintf(fx, "backtest_council: %s\n", la);
    for (int i = 0; i < o->nscenarios; i++)
        fprintf(fx, "backtest_published: %s\n", o->scenarios[i]);
    if (cco_batch_commit(b, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_IO;
        goto done;
    }
    for (size_t i = 0; i < ccg_count(notes); i++)
        fprintf(err, "carecap: note: %s\n", ccg_get(notes, i));
    if (!o->no_charts)
        cch_plot(ro.outdir, err);
    fprintf(out, "carecap: backtest %s against %s, %s: %s; results in %s/\n", p->name, la, years, score, ro.outdir);
    rc = CCA_OK;
done:
    cbt_free(t);
    cce_free(r);
    cdf_free(d);
    ccg_free(errs);
    ccg_free(notes);
    ccp_free(p);
    return rc;
}
