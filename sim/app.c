/* app: the run and check commands. */
#define _XOPEN_SOURCE 700
#include "app.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_version.h>

#include "backtest.h"
#include "bizcase.h"
#include "ccdate.h"
#include "cfgfile.h"
#include "charts.h"
#include "dfe.h"
#include "diag.h"
#include "experiment.h"
#include "metrics.h"
#include "output.h"
#include "pairs.h"
#include "perrep.h"
#include "workbook.h"
#include "params.h"
#include "region.h"
#include "scenario.h"
#include "regionapp.h"
#include "rng.h"
#include "uncert.h"
#include "ranks.h"
#include "vardec.h"

#ifndef CARECAP_VERSION
#define CARECAP_VERSION "unknown"
#endif

const char *cca_version(void)
{
    return CARECAP_VERSION;
}

int cca_loaded(const char *path, cc_diag *d, int rc, FILE *err)
{
    if (!d) {
        fprintf(err, "carecap: out of memory\n");
        return CCA_RUNTIME;
    }
    ccg_print(d, err, NULL);
    if (rc != CCP_OK)
        fprintf(err, "carecap: %s: %zu error%s; nothing was run\n", path, ccg_count(d),
                ccg_count(d) == 1 ? "" : "s");
    ccg_free(d);
    return rc == CCP_OK ? CCA_OK : rc == CCP_EIO ? CCA_IO : CCA_INVALID;
}

static int load(const char *path, FILE *err, cc_params **p)
{
    cc_diag *d = ccg_new();
    return cca_loaded(path, d, d ? ccp_load(path, d, p) : CCP_EIO, err);
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
    cc_diag *d = ccg_new();
    int yes = d && ccf_open(&cfg, path, "config", d, NULL) == CCF_OK && config_lookup(&cfg, "levers") != NULL;
    ccg_free(d);
    config_destroy(&cfg);
    return yes;
}

int cca_check(const char *config, FILE *out, FILE *err)
{
    int rc;
    if (ccrg_is_region(config))
        return ccra_check(config, out, err);
    if (is_scenario(config)) {
        csn_scenario *s = NULL;
        rc = load_scenario(config, err, &s);
        csn_free(s);
    } else {
        cc_params *p = NULL;
        rc = load(config, err, &p);
        if (rc == CCA_OK) {
            fprintf(out, "%s: ok\n", config);
            ccu_report(p, out);
        }
        ccp_free(p);
        return rc;
    }
    if (rc == CCA_OK)
        fprintf(out, "%s: ok\n", config);
    return rc;
}

int cca_check_resolved(const char *config, FILE *out, FILE *err)
{
    if (ccrg_is_region(config)) {
        fprintf(err, "carecap: %s: check --resolved takes a council config, not a region file (expected a config "
                     "without councils; check the councils' configs one by one)\n", config);
        return CCA_USAGE;
    }
    if (is_scenario(config)) {
        fprintf(err, "carecap: %s: check --resolved takes a baseline config, not a scenario (expected a config "
                     "without levers)\n", config);
        return CCA_USAGE;
    }
    cc_diag *d = ccg_new();
    if (!d) {
        fprintf(err, "carecap: out of memory\n");
        return CCA_RUNTIME;
    }
    /* printed to memory first, so an invalid config prints nothing on out */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    int rc = mem ? ccp_print_resolved(config, d, mem) : CCP_EIO;
    if (mem)
        fclose(mem);
    ccg_print(d, err, NULL);
    if (rc != CCP_OK)
        fprintf(err, "carecap: %s: %zu error%s; nothing was run\n", config, ccg_count(d), ccg_count(d) == 1 ? "" : "s");
    else {
        fprintf(out, "# Resolved by carecap %s check --resolved: includes expanded, every default written out.\n",
                cca_version());
        fwrite(text, 1, len, out);
    }
    free(text);
    ccg_free(d);
    return rc == CCP_OK ? CCA_OK : rc == CCP_EIO ? CCA_IO : CCA_INVALID;
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
    /* free text is shell-quoted (cco_shell_quote): one line per key, and a
     * command that reads back unchanged */
    fprintf(f, "program: carecap %s\n", cca_version());
    fputs("command:", f);
    if (o->argv)
        for (int i = 0; i < o->argc; i++) {
            fputc(' ', f);
            cco_shell_quote(f, o->argv[i]);
        }
    else {
        fputc(' ', f);
        cco_shell_quote(f, o->command_line ? o->command_line : "run");
    }
    fprintf(f, "\nfinished_utc: %s\n", stamp);
    fputs("config: ", f);
    cco_shell_quote(f, p->path);
    fprintf(f, "\nconfig_fnv1a64: %016llx\n", (unsigned long long)p->file_hash);
    fprintf(f, "resolved_config: config.cfg\n");
    fputs("council: ", f);
    cco_shell_quote(f, p->name);
    fputs("\nscenario: ", f);
    cco_shell_quote(f, p->scenario);
    fputc('\n', f);
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
    if (r->uncertainty)
        fprintf(f, "uncertainty: on (%d settings of the config drawn for each group of %d replications, from "
                   "stream (seed, group))\n", ccu_count(p->unc), r->draw_group);
    else
        fprintf(f, "uncertainty: off%s\n", ccu_count(p->unc) ? " (the config carries some)" : "");
    fprintf(f, "events: %llu\n", (unsigned long long)events);
    fprintf(f, "wall_seconds: %.3f\n", r->wall_seconds);
    double pending = 0; /* for scripts/bench.sh: the bare loop runs at this size */
    for (int i = 0; i < r->reps; i++)
        pending += r->tot[i].pending / r->reps;
    fprintf(f, "pending_events: %.0f\n", pending);
    /* the summaries' cost (docs/performance.md) */
    fprintf(f, "summary_add_seconds: %.3f\nsummary_merge_seconds: %.3f\n", r->summary_add_seconds,
            r->summary_merge_seconds);
    if (r->stats) /* the percentiles' bound (acc.h): 0 when all are exact */
        fprintf(f, "percentile_error_bound: %.3g\n", ccrs_alpha(r->stats));
    if (r->mpi_ranks > 1) /* what sharing among MPI ranks cost rank 0 (docs/cluster.md) */
        fprintf(f, "mpi_ranks: %d\nmpi_wait_seconds: %.3f\nmpi_merge_seconds: %.3f\nmpi_bytes_received: %.0f\n",
                r->mpi_ranks, r->mpi_wait_seconds, r->mpi_merge_seconds, r->mpi_bytes);
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

/* Close output file `name` (NULL: never opened); 1 after a failure, with a
 * message unless one was given already (`failed`). */
static int close_output(FILE *f, const char *name, const char *dir, int failed, FILE *err)
{
    if (!f)
        return 1;
    if (cco_close(f, name) == 0)
        return 0;
    if (!failed)
        fprintf(err, "carecap: %s/%s: write failed: %s\n", dir, name, strerror(errno));
    return 1;
}

static int write_workbook(const char *sd, const cce_result *r, const char *dir, FILE *err)
{
    char path[4096], msg[512];
    if ((size_t)snprintf(path, sizeof path, "%s/spend.xlsx", sd) >= sizeof path) {
        fprintf(err, "carecap: %s: cannot write spend.xlsx: %s\n", dir, strerror(ENAMETOOLONG));
        return 1;
    }
    if (ccw_write(path, r, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return 1;
    }
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0 ||
        (getenv("CARECAP_TEST_FAIL_WRITE") && strcmp(getenv("CARECAP_TEST_FAIL_WRITE"), "spend.xlsx") == 0)) {
        fprintf(err, "carecap: %s/spend.xlsx: was not written\n", dir);
        return 1;
    }
    return 0;
}

/* compare's spend.xlsx: the baseline's sheets and the business case. */
static int write_compare_workbook(const char *sd, const cce_result *rb, ccb_case *const *cases, int n,
                                  const char *dir, FILE *err)
{
    char path[4096], msg[512];
    if ((size_t)snprintf(path, sizeof path, "%s/spend.xlsx", sd) >= sizeof path) {
        fprintf(err, "carecap: %s: cannot write spend.xlsx: %s\n", dir, strerror(ENAMETOOLONG));
        return 1;
    }
    if (ccw_write_compare(path, rb, cases, n, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return 1;
    }
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0 ||
        (getenv("CARECAP_TEST_FAIL_WRITE") && strcmp(getenv("CARECAP_TEST_FAIL_WRITE"), "spend.xlsx") == 0)) {
        fprintf(err, "carecap: %s/spend.xlsx: was not written\n", dir);
        return 1;
    }
    return 0;
}

int cca_finish(cco_stage *st, int failed, int rc, const char *dir, FILE *err)
{
    char msg[512];
    if (cco_interrupted()) {
        cco_stage_abort(st);
        fprintf(err, "carecap: interrupted; nothing was written to %s\n", dir);
        return CCA_RUNTIME;
    }
    if (failed) {
        cco_stage_abort(st);
        fprintf(err, "carecap: nothing was written to %s\n", dir);
        return rc == CCA_OK ? CCA_IO : rc;
    }
    if (cco_stage_commit(st, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return CCA_IO;
    }
    return CCA_OK;
}

/* Every replication's monthly series are kept for the percentiles: 1 (with
 * a message) when `reps` x `years` of `nseries` series cannot fit in this
 * machine's memory, so a run is refused before it starts. */
static int too_big(int nseries, int reps, int years, FILE *err)
{
    double need = 8.0 * reps * nseries * (12.0 * years + 1);
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    double have = pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;
    if (have <= 0 || need <= 0.8 * have)
        return 0;
    fprintf(err,
            "carecap: %d replications x %d years keep %.1f GB of results (%d series, %d months); this machine "
            "has %.1f GB (use fewer replications or years)\n",
            reps, years, need / 1e9, nseries, 12 * years + 1, have / 1e9);
    return 1;
}

/* Write a run's own files into the temporary folder sd: monthly.csv,
 * annual.csv, variance.csv, config.cfg and manifest.txt (with the back-test's
 * council and files when la is set). 0, or 1 after a failure (message in
 * err; *rc becomes CCA_RUNTIME when memory ran out). */
static int write_run_files(const char *sd, const cca_run_opts *o, const cce_result *r, const char *la, FILE *err,
                           int *rc)
{
    FILE *fm = cco_create(sd, "monthly.csv");
    FILE *fa = cco_create(sd, "annual.csv");
    FILE *fc = cco_create(sd, "config.cfg");
    FILE *fx = cco_create(sd, "manifest.txt");
    FILE *fv = cco_create(sd, "variance.csv");
    int werr = !fm || !fa || !fc || !fx || !fv;
    if (werr)
        fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno));
    else if (cco_write_monthly(fm, r, 1) != 0 || cco_write_annual(fa, r, 1) != 0 || ccvd_write(fv, r) != 0) {
        fprintf(err, "carecap: out of memory while summarising\n");
        *rc = CCA_RUNTIME;
        werr = 1;
    } else if (copy_resolved(o->config, fc, sd) != 0) {
        fprintf(err, "carecap: %s: cannot write the resolved config\n", o->outdir);
        werr = 1;
    } else {
        write_manifest(fx, o, r);
        if (la) {
            fputs("backtest_council: ", fx);
            cco_shell_quote(fx, la);
            fputc('\n', fx);
            for (int i = 0; i < o->nscenarios; i++) {
                fputs("backtest_published: ", fx);
                cco_shell_quote(fx, o->scenarios[i]);
                fputc('\n', fx);
            }
        }
    }
    werr |= close_output(fm, "monthly.csv", o->outdir, werr, err);
    werr |= close_output(fa, "annual.csv", o->outdir, werr, err);
    werr |= close_output(fc, "config.cfg", o->outdir, werr, err);
    werr |= close_output(fx, "manifest.txt", o->outdir, werr, err);
    werr |= close_output(fv, "variance.csv", o->outdir, werr, err);
    return werr;
}

/* After a run's files: the spend workbook (with a costs section) and the
 * charts and report (unless --no-charts), unless a write failed or a
 * signal came. Returns the new failure state. */
static int write_workbook_and_charts(const char *sd, const cca_run_opts *o, const cce_result *r, int werr, FILE *err)
{
    if (!werr && r->L->spend >= 0 && !cco_interrupted())
        werr = write_workbook(sd, r, o->outdir, err);
    if (!werr && !o->no_charts && !cco_interrupted())
        werr = cch_draw(sd, o->outdir, err) != 0;
    return werr;
}

/* The per-replication file's writer as a sink that stops the run when a
 * signal came (the staging folder is then removed). */
static int per_rep_sink(void *ctx, int rep, const double *values, const ccs_totals *tot)
{
    return cco_interrupted() ? -1 : ccpr_sink(ctx, rep, values, tot);
}

int cca_run(const cca_run_opts *o, FILE *out, FILE *err)
{
    if (ccrg_is_region(o->config))
        return ccra_run(o, out, err);
    cco_sigsave sv = {0};
    cc_params *p = NULL;
    char msg[512];
    /* under mpirun: the ranks share the replications; rank 0 writes */
    if (ccrk_start(msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return CCA_RUNTIME;
    }
    int rank = ccrk_rank();
    int rc = load(o->config, err, &p);
    if (rc != CCA_OK) {
        ccrk_stop();
        return rc;
    }
    ccx_layout *lay = ccx_new(p);
    /* --per-rep: the metrics are checked before the run */
    unsigned char *per_rep = NULL;
    if (o->per_rep && lay) {
        char perr[512];
        per_rep = malloc((size_t)lay->n);
        if (per_rep && ccpr_select(lay, o->per_rep, per_rep, perr) < 0) {
            fprintf(err, "carecap: %s\n", perr);
            free(per_rep);
            ccx_free(lay);
            ccp_free(p);
            ccrk_stop();
            return CCA_USAGE;
        }
    }
    if ((o->per_rep && !per_rep) || !lay) {
        fprintf(err, "carecap: out of memory\n");
        free(per_rep);
        ccx_free(lay);
        ccp_free(p);
        ccrk_stop();
        return CCA_RUNTIME;
    }
    if (per_rep && ccrk_size() > 1) {
        fprintf(err, "carecap: --per-rep cannot be used with more than one MPI rank (run it without mpirun)\n");
        free(per_rep);
        ccx_free(lay);
        ccp_free(p);
        ccrk_stop();
        return CCA_USAGE;
    }
    /* Fail before a long simulation, not after, if results cannot be written. */
    if (cco_check_outdir(o->outdir, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        free(per_rep);
        ccx_free(lay);
        ccp_free(p);
        ccrk_stop();
        return CCA_IO;
    }
    /* only the summaries are kept (memory flat in replications); the
     * per-replication file, if asked for, is written as the run goes into
     * the temporary folder */
    cce_opts eo = {o->reps, o->years, o->threads, o->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    eo.summary_only = 1;
    eo.mpi = 1;
    cco_stage *st = NULL;
    FILE *fp = NULL;
    ccpr_writer *pw = NULL;
    cce_result *r = NULL;
    rc = CCA_IO;
    if (per_rep) {
        cco_signals_catch(&sv);
        st = cco_stage_new(o->outdir, msg);
        if (!st) {
            fprintf(err, "carecap: %s\n", msg);
            goto done;
        }
        fp = cco_create(cco_stage_dir(st), "per_replication.csv.gz");
        pw = fp ? ccpr_open(fp, lay, p->start_day, 12 * o->years + 1, per_rep) : NULL;
        if (!pw) {
            fprintf(err, "carecap: %s/per_replication.csv.gz: cannot write: %s\n", o->outdir, strerror(errno));
            goto done;
        }
        eo.sink = per_rep_sink;
        eo.sink_ctx = pw;
    }
    cce_unc un = {o->uncertainty, 0};
    if (cce_run_unc(p, &eo, &un, 0, o->progress && rank == 0 ? show_progress : NULL, err, &r, msg) != 0) {
        if (cco_interrupted())
            fprintf(err, "carecap: interrupted; nothing written\n");
        else
            fprintf(err, "carecap: %s\n", msg);
        rc = CCA_RUNTIME;
        goto done;
    }
    if (rank != 0) { /* rank 0 writes everything */
        rc = CCA_OK;
        goto done;
    }
    /* the write phase: every output into a temporary folder, switched in whole */
    if (!st) {
        cco_signals_catch(&sv);
        st = cco_stage_new(o->outdir, msg);
        if (!st) {
            fprintf(err, "carecap: %s\n", msg);
            goto done;
        }
    }
    const char *sd = cco_stage_dir(st);
    int werr = 0;
    if (pw) {
        int prc = ccpr_close(pw, 1);
        pw = NULL;
        if (prc != 0) {
            fprintf(err, "carecap: %s/per_replication.csv.gz: write failed: %s\n", o->outdir, strerror(errno));
            werr = 1;
        }
        werr |= close_output(fp, "per_replication.csv.gz", o->outdir, werr, err);
        fp = NULL;
    }
    if (!werr)
        werr = write_run_files(sd, o, r, NULL, err, &rc);
    werr = write_workbook_and_charts(sd, o, r, werr, err);
    rc = cca_finish(st, werr, rc, o->outdir, err);
    st = NULL;
    if (rc == CCA_OK && !o->quiet) {
        uint64_t events = 0;
        for (int i = 0; i < r->reps; i++)
            events += r->tot[i].events;
        fprintf(out, "carecap: %d replications x %d years in %.2f s (%.1f M events/s); results in %s/\n", r->reps,
                r->years, r->wall_seconds, r->wall_seconds > 0 ? (double)events / r->wall_seconds / 1e6 : 0.0,
                o->outdir);
    }
done:
    ccpr_close(pw, 0);
    if (fp)
        fclose(fp);
    cco_stage_abort(st);
    cco_signals_default(&sv);
    free(per_rep);
    ccx_free(lay);
    cce_free(r);
    ccp_free(p);
    ccrk_stop();
    return rc;
}

int cca_compare(const cca_run_opts *o, FILE *out, FILE *err)
{
    if (ccrg_is_region(o->config))
        return ccra_run(o, out, err);
    cco_sigsave sv = {0};
    cc_params *base = NULL;
    char msg[512];
    /* under mpirun: the ranks share each run's replications; rank 0 writes */
    if (ccrk_start(msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return CCA_RUNTIME;
    }
    int rank = ccrk_rank(), ran = 0;
    int rc = load(o->config, err, &base);
    if (rc != CCA_OK) {
        ccrk_stop();
        return rc;
    }
    csn_scenario **sc = calloc((size_t)o->nscenarios, sizeof *sc);
    if (!sc) {
        ccp_free(base);
        ccrk_stop();
        return CCA_RUNTIME;
    }
    int bad = 0;
    ccb_case **cases = NULL; /* each scenario's business case, for the workbook */
    cce_arm *arms = NULL;
    cce_result **res = NULL; /* the baseline's and each scenario's results */
    ccx_layout **lays = NULL;
    ccpa_plan *plan = NULL;
    ccpa *pairs = NULL;
    for (int i = 0; i < o->nscenarios; i++) {
        int r1 = load_scenario(o->scenarios[i], err, &sc[i]);
        if (r1 != CCA_OK) {
            rc = rc == CCA_OK || r1 == CCA_IO ? r1 : rc;
            bad = 1;
            continue;
        }
        if (!cco_same_file(sc[i]->baseline, o->config)) {
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
    if (cco_check_outdir(o->outdir, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_IO;
        goto fail;
    }
    cases = calloc((size_t)o->nscenarios, sizeof *cases);
    if (!cases) {
        fprintf(err, "carecap: out of memory\n");
        rc = CCA_RUNTIME;
        goto fail;
    }
    /* one paired run: replication k of the baseline and of every scenario
     * on one worker, the paired differences accumulated as they finish
     * (pairs.h), nothing per replication kept */
    int narm = o->nscenarios + 1;
    arms = calloc((size_t)narm, sizeof *arms);
    res = calloc((size_t)narm, sizeof *res);
    lays = calloc((size_t)narm, sizeof *lays);
    const char **names = calloc((size_t)narm, sizeof *names);
    if (!arms || !res || !lays || !names) {
        free(names);
        fprintf(err, "carecap: out of memory\n");
        rc = CCA_RUNTIME;
        goto fail;
    }
    arms[0].p = base;
    lays[0] = ccx_new(base);
    int lays_ok = lays[0] != NULL;
    for (int i = 0; i < o->nscenarios; i++) {
        arms[1 + i].p = sc[i]->phase[0];
        arms[1 + i].phases = (const cc_params *const *)sc[i]->phase;
        arms[1 + i].phase_t = sc[i]->phase_t;
        arms[1 + i].nphase = sc[i]->nphase;
        names[i] = sc[i]->phase[0]->scenario;
        lays[1 + i] = ccx_new(sc[i]->phase[0]);
        lays_ok &= lays[1 + i] != NULL;
    }
    cce_opts eo = {o->reps, o->years, o->threads, o->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    eo.mpi = 1;
    eo.summary_only = 1;
    cce_unc un = {o->uncertainty, 0};
    /* the draw group of the variance split: as the baseline's run has it */
    int unc_on = cce_uncertainty_on(base, un.mode);
    int group = unc_on ? (ccu_group(base->unc) > 0 ? ccu_group(base->unc) : CCE_DRAW_GROUP) : 1;
    plan = lays_ok ? ccpa_plan_new(base, lays[0], o->nscenarios, names, (const ccx_layout *const *)lays + 1,
                                   (const csn_scenario *const *)sc, 12 * o->years + 1, group)
                   : NULL;
    free(names);
    if (!plan) {
        fprintf(err, "carecap: out of memory\n");
        rc = CCA_RUNTIME;
        goto fail;
    }
    cce_derive dv;
    ccpa_derive(plan, &dv);
    void *dacc = NULL;
    if (cce_run_arms(arms, narm, &eo, &un, 0, &dv, o->progress && rank == 0 ? show_progress : NULL, err, res, &dacc,
                     msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_RUNTIME;
        goto fail;
    }
    pairs = dacc;
    ran = o->nscenarios;
    if (rank != 0) /* rank 0 merged and writes */
        goto fail;
    cce_result *rb = res[0];
    /* the outputs go into a temporary folder, switched in whole at the end */
    cco_signals_catch(&sv);
    cco_stage *st = cco_stage_new(o->outdir, msg);
    if (!st) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_IO;
        goto fail;
    }
    const char *sd = cco_stage_dir(st);
    FILE *fm = cco_create(sd, "monthly.csv");
    FILE *fa = cco_create(sd, "annual.csv");
    FILE *fc = cco_create(sd, "comparison.csv");
    FILE *fx = cco_create(sd, "manifest.txt");
    FILE *fv = cco_create(sd, "variance.csv");
    rc = CCA_OK;
    int werr = !fm || !fa || !fc || !fx || !fv;
    if (werr)
        fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno));
    uint64_t events = 0;
    double wall = rb->wall_seconds;
    if (!werr) {
        fprintf(fc, "%s\n", cco_cmp_header);
        werr = cco_write_monthly(fm, rb, 1) || cco_write_annual(fa, rb, 1) || ccvd_write_compare_head(fv) ||
               ccvd_write_compare(fv, base->scenario, rb, NULL, 0);
        for (int i = 0; i < rb->reps; i++)
            events += rb->tot[i].events;
        write_manifest(fx, o, rb);
        if (werr)
            fprintf(err, "carecap: out of memory while summarising\n");
    }
    for (int i = 0; i < o->nscenarios && !werr && !cco_interrupted(); i++) {
        const csn_scenario *s = sc[i];
        cce_result *rs = res[1 + i];
        werr = cco_write_monthly(fm, rs, 0) || cco_write_annual(fa, rs, 0) || ccpa_write_comparison(fc, pairs, i) ||
               ccvd_write_compare(fv, rs->p->scenario, rs, pairs, i);
        if (!werr && ccpa_has_case(plan)) { /* the business case (bizcase.h) */
            cases[i] = ccpa_case(pairs, i);
            werr = !cases[i];
            if (cases[i])
                ccb_write_rows(fc, cases[i]); /* a write error shows at the close */
        }
        if (werr)
            fprintf(err, "carecap: out of memory while summarising\n");
        fputs("scenario: ", fx);
        cco_shell_quote(fx, s->name);
        fputs(" (", fx);
        cco_shell_quote(fx, s->path);
        fprintf(fx, ", config_fnv1a64 %016llx, %d levers, %d phases)\n", (unsigned long long)s->phase[0]->file_hash,
                s->nlevers, s->nphase);
        for (int k = 0; k < rs->reps; k++)
            events += rs->tot[k].events;
    }
    if (!werr && ccpa_has_case(plan) && !cco_interrupted())
        werr = write_compare_workbook(sd, rb, cases, o->nscenarios, o->outdir, err);
    if (fx)
        fprintf(fx, "compare_events: %llu\ncompare_wall_seconds: %.3f\n", (unsigned long long)events, wall);
    int failed = werr;
    werr |= close_output(fm, "monthly.csv", o->outdir, werr, err);
    werr |= close_output(fa, "annual.csv", o->outdir, werr, err);
    werr |= close_output(fc, "comparison.csv", o->outdir, werr, err);
    werr |= close_output(fx, "manifest.txt", o->outdir, werr, err);
    werr |= close_output(fv, "variance.csv", o->outdir, werr, err);
    if (!werr && !o->no_charts && !cco_interrupted())
        werr = cch_draw(sd, o->outdir, err) != 0;
    rc = cca_finish(st, werr, failed ? CCA_RUNTIME : CCA_OK, o->outdir, err);
    if (rc != CCA_OK)
        goto fail;
    if (!o->quiet)
            fprintf(out, "carecap: baseline and %d scenario%s x %d replications x %d years in %.2f s; results in %s/\n",
                o->nscenarios, o->nscenarios == 1 ? "" : "s", o->reps, o->years, wall, o->outdir);
fail:
    /* rank 0 stopped before every scenario ran: the other ranks wait for it */
    if (rank == 0 && ran < o->nscenarios && ccrk_size() > 1)
        ccrk_abort(rc == CCA_OK ? CCA_RUNTIME : rc);
    ccrk_stop();
    cco_signals_default(&sv);
    for (int i = 0; cases && i < o->nscenarios; i++)
        ccb_free(cases[i]);
    free(cases);
    ccpa_free(pairs);
    ccpa_plan_free(plan);
    for (int i = 0; res && i <= o->nscenarios; i++)
        cce_free(res[i]);
    for (int i = 0; lays && i <= o->nscenarios; i++)
        ccx_free(lays[i]);
    free(res);
    free(lays);
    free(arms);
    for (int i = 0; i < o->nscenarios; i++)
        csn_free(sc[i]);
    free(sc);
    ccp_free(base);
    return rc;
}

int cca_plot(const char *dir, FILE *out, FILE *err)
{
    if (ccra_is_results(dir))
        return ccra_plot(dir, out, err);
    if (cch_plot(dir, err) != 0)
        return CCA_IO;
    fprintf(out, "carecap: charts in %s/charts/, report in %s/report.html\n", dir, dir);
    return CCA_OK;
}

/* Commands that take one council's config refuse a region file. */
static int not_region(const char *config, const char *cmd, FILE *err)
{
    if (!ccrg_is_region(config))
        return 0;
    fprintf(err, "carecap: %s: %s takes a council config, not a region file (expected one of the region's councils' "
                 "configs)\n", config, cmd);
    return 1;
}

int cca_export903(const cca_run_opts *o, FILE *out, FILE *err)
{
    if (not_region(o->config, "export-903", err))
        return CCA_USAGE;
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
    cce_opts eo = {1, o->years, 1, o->seed, 0, NULL, NULL, 0, fe, fh, 0, NULL, NULL, 0};
    cce_unc un = {CCE_UNC_OFF, 0}; /* the config's own values: a synthetic record of them */
    cce_result *r = NULL;
    char msg[512];
    if (cce_run_unc(p, &eo, &un, 0, NULL, NULL, &r, msg) != 0) {
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
    if (!o->quiet)
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
    if (not_region(o->config, "backtest", err))
        return CCA_USAGE;
    cco_sigsave sv = {0};
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
    /* as run: refuse a run that cannot fit in this machine's memory */
    ccx_layout *lay = ccx_new_with(p, 1);
    int nseries = lay ? lay->n : 0;
    ccx_free(lay);
    if (too_big(nseries, ro.reps, ro.years, err)) {
        rc = CCA_RUNTIME;
        goto done;
    }
    /* Fail before a long simulation, not after, if results cannot be written. */
    char msg[512];
    if (cco_check_outdir(ro.outdir, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = CCA_IO;
        goto done;
    }
    cce_opts eo = {ro.reps, ro.years, ro.threads, ro.seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_unc un = {ro.uncertainty, 0};
    if (cce_run_unc(p, &eo, &un, 1, ro.progress ? show_progress : NULL, err, &r, msg) != 0) {
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
    /* the write phase, as run's: every output into a temporary folder, switched in whole */
    cco_signals_catch(&sv);
    rc = CCA_IO;
    cco_stage *st = cco_stage_new(ro.outdir, msg);
    if (!st) {
        fprintf(err, "carecap: %s\n", msg);
        goto done;
    }
    const char *sd = cco_stage_dir(st);
    FILE *fb = cco_create(sd, "backtest.csv");
    FILE *ft = cco_create(sd, "backtest.txt");
    int werr = !fb || !ft;
    if (werr)
        fprintf(err, "carecap: %s: cannot write results: %s\n", ro.outdir, strerror(errno));
    else if (cbt_write_csv(fb, t) != 0) {
        fprintf(err, "carecap: out of memory while summarising\n");
        rc = CCA_RUNTIME;
        werr = 1;
    } else {
        fprintf(ft, "council: %s\nfiles used: %d\ncompared: %s\nscore: %s\n", la, cdf_nfiles_used(d), years, score);
        for (size_t i = 0; i < ccg_count(notes); i++)
            fprintf(ft, "note: %s\n", ccg_get(notes, i));
    }
    werr |= close_output(fb, "backtest.csv", ro.outdir, werr, err);
    werr |= close_output(ft, "backtest.txt", ro.outdir, werr, err);
    if (!werr)
        werr = write_run_files(sd, &ro, r, la, err, &rc);
    werr = write_workbook_and_charts(sd, &ro, r, werr, err);
    rc = cca_finish(st, werr, rc, ro.outdir, err);
    if (rc != CCA_OK)
        goto done;
    for (size_t i = 0; i < ccg_count(notes); i++)
        fprintf(err, "carecap: note: %s\n", ccg_get(notes, i));
    if (!o->quiet)
        fprintf(out, "carecap: backtest %s against %s, %s: %s; results in %s/\n", p->name, la, years, score,
                ro.outdir);
done:
    cco_signals_default(&sv);
    cbt_free(t);
    cce_free(r);
    cdf_free(d);
    ccg_free(errs);
    ccg_free(notes);
    ccp_free(p);
    return rc;
}
