/* regionapp: the run, compare, check and plot commands for a region: the
 * results folder holds monthly.csv and annual.csv (comparison.csv) of every
 * council and of the region with a council column, manifest.txt and an index
 * report.html, and the usual outputs of the region (region/) and of each
 * council (councils/KEY/), each with its charts and report. */
#define _XOPEN_SOURCE 700
#include "regionapp.h"

#include <errno.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ccdate.h"
#include "charts.h"
#include "diag.h"
#include "output.h"
#include "pairs.h"
#include "params.h"
#include "ranks.h"
#include "model.h"
#include "region.h"
#include "supply.h"
#include "vardec.h"
#include "workbook.h"

/* The council column's value for the region's own rows (no council may
 * have this key). */
const char ccra_region_key[] = "region";

static int load(const char *path, FILE *err, ccrg_region **g)
{
    cc_diag *d = ccg_new();
    return cca_loaded(path, d, d ? ccrg_load(path, d, g) : CCP_EIO, err);
}

int ccra_check(const char *path, FILE *out, FILE *err)
{
    ccrg_region *g = NULL;
    int rc = load(path, err, &g);
    if (rc == CCA_OK) {
        fprintf(out, "%s: ok\n", path);
        fprintf(out, "region %s: %d councils, %d shared markets\n", g->name, g->nc, g->nm);
    }
    ccrg_free(g);
    return rc;
}

static void show_progress(void *ctx, int done, int total)
{
    FILE *f = ctx;
    fprintf(f, "\rcarecap: %d/%d replications of the region (%d%%)", done, total, total ? 100 * done / total : 100);
    if (done == total)
        fputc('\n', f);
    fflush(f);
}

/* Rows written by `fn` for result r, each with the council column added. */
static int rows_with_council(FILE *dst, int (*fn)(FILE *, const cce_result *, int), const cce_result *r,
                             const char *council)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return -1;
    int rc = fn(m, r, 0);
    if (fclose(m) != 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < len;) {
        char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        fwrite(text + i, 1, n, dst);
        fputc(',', dst);
        cco_field(dst, council);
        fputc('\n', dst);
        i += n + 1;
    }
    free(text);
    return rc;
}

static int cmp_rows(FILE *dst, const cce_result *b, const cce_result *s, const char *council)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return -1;
    int rc = ccpa_write_kept(m, b, s);
    if (fclose(m) != 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < len;) {
        char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
        fwrite(text + i, 1, n, dst);
        if (council) {
            fputc(',', dst);
            cco_field(dst, council);
        }
        fputc('\n', dst);
        i += n + 1;
    }
    free(text);
    return rc;
}

/* One folder of usual outputs: monthly.csv, annual.csv (and
 * comparison.csv) of the baseline and scenario results. */
typedef struct {
    char dir[4096];
    FILE *m, *a, *c;
} folder;

static int folder_open(folder *f, const char *parent, const char *sub, const char *key, int compare)
{
    memset(f, 0, sizeof *f);
    if ((size_t)snprintf(f->dir, sizeof f->dir, "%s/%s", parent, sub) >= sizeof f->dir)
        return -1;
    if (mkdir(f->dir, 0700) != 0 && errno != EEXIST)
        return -1;
    if (key) {
        size_t n = strlen(f->dir);
        if ((size_t)snprintf(f->dir + n, sizeof f->dir - n, "/%s", key) >= sizeof f->dir - n ||
            mkdir(f->dir, 0700) != 0)
            return -1;
    }
    f->m = cco_create(f->dir, "monthly.csv");
    f->a = cco_create(f->dir, "annual.csv");
    f->c = compare ? cco_create(f->dir, "comparison.csv") : NULL;
    if (!f->m || !f->a || (compare && !f->c))
        return -1;
    fprintf(f->m, "%s\n", cco_csv_header);
    fprintf(f->a, "%s\n", cco_csv_header);
    if (f->c)
        fprintf(f->c, "%s\n", cco_cmp_header);
    return 0;
}

static int folder_close(folder *f)
{
    int bad = 0;
    if (f->m)
        bad |= cco_close(f->m, "monthly.csv") != 0;
    if (f->a)
        bad |= cco_close(f->a, "annual.csv") != 0;
    if (f->c)
        bad |= cco_close(f->c, "comparison.csv") != 0;
    f->m = f->a = f->c = NULL;
    return bad;
}

/* Mean across replications of series (metric, group) at the last date; NAN if absent. */
static double end_mean(const cce_result *r, const char *metric, const char *group)
{
    for (int j = 0; j < r->L->n; j++)
        if (strcmp(r->L->metric[j], metric) == 0 && strcmp(r->L->group[j], group) == 0) {
            double s = 0;
            for (int i = 0; i < r->reps; i++)
                s += cce_value(r, i, j, r->ndates - 1);
            return s / r->reps;
        }
    return 0.0 / 0.0;
}

static void td_num(FILE *f, double v)
{
    if (v != v)
        fputs("<td>-</td>", f);
    else
        fprintf(f, "<td>%.1f</td>", v);
}

static const char *const key_rows[][3] = {
    {"looked_after", "all", "children in care"},
    {"placed_outside", "county", "placed outside the council's area"},
    {"placed_outside", "d2n2", "placed outside D2N2"},
    {"kpi", "external_foster", "in external foster care"},
    {"placed", "residential", "in residential care"},
};

static void index_table(FILE *f, const ccrg_region *g, const ccrg_result *r)
{
    fputs("<table><tr><th>at the end date (mean of replications)</th>", f);
    for (int c = 0; c < g->nc; c++) {
        fputs("<th><a href=\"councils/", f);
        cch_html_text(f, g->council[c].key);
        fputs("/report.html\">", f);
        cch_html_text(f, g->council[c].phases[0]->name);
        fputs("</a></th>", f);
    }
    fputs("<th><a href=\"region/report.html\">region</a></th></tr>\n", f);
    for (size_t k = 0; k < sizeof key_rows / sizeof *key_rows; k++) {
        fputs("<tr><td>", f);
        cch_html_text(f, key_rows[k][2]);
        fputs("</td>", f);
        for (int c = 0; c < g->nc; c++)
            td_num(f, end_mean(r->council[c], key_rows[k][0], key_rows[k][1]));
        td_num(f, end_mean(r->total, key_rows[k][0], key_rows[k][1]));
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    if (g->nm == 0)
        return;
    fputs("<h2>Shared markets: who holds the places</h2>\n<table><tr><th>market</th><th>type</th><th>where</th>"
          "<th>places</th><th>occupied</th>",
          f);
    for (int c = 0; c < g->nc; c++) {
        fputs("<th>", f);
        cch_html_text(f, g->council[c].key);
        fputs("</th>", f);
    }
    fputs("<th>background</th></tr>\n", f);
    for (int m = 0; m < g->nm; m++) {
        const ccrg_market *mk = &g->market[m];
        char grp[160];
        fputs("<tr><td>", f);
        cch_html_text(f, mk->name);
        fprintf(f, "</td><td>%s</td><td>%s</td>", ccm_ptype_name[mk->type],
                mk->loc == CSU_OUTSIDE ? "beyond the region" : "in the region");
        if (mk->places < 0)
            fputs("<td>unlimited</td>", f);
        else
            td_num(f, end_mean(r->total, "market_places", mk->name));
        td_num(f, end_mean(r->total, "market_occupied", mk->name));
        for (int c = 0; c <= g->nc; c++) {
            snprintf(grp, sizeof grp, "%s:%s", mk->name, c < g->nc ? g->council[c].key : "background");
            td_num(f, end_mean(r->total, "market_held", grp));
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int write_index(const char *sd, const ccrg_region *g, const ccrg_result *r, const ccrg_result *const *sc,
                       const ccrg_region *const *sg, int ns)
{
    FILE *f = cco_create(sd, "report.html");
    if (!f)
        return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>carecap region: ", f);
    cch_html_text(f, g->name);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ccc;padding:.3em .8em;"
          "text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body>\n<h1>Region: ",
          f);
    cch_html_text(f, g->name);
    fputs("</h1>\n<p>Every council runs in one event loop and buys from the same shared markets, so a place one "
          "council takes is not there for another. Each council's own report and the region's totals are linked "
          "below; monthly.csv and annual.csv in this folder hold all of them, told apart by the council column "
          "(<code>region</code> for the totals and the markets).</p>\n<h2>",
          f);
    cch_html_text(f, g->scenario);
    fputs("</h2>\n", f);
    index_table(f, g, r);
    for (int s = 0; s < ns; s++) {
        fputs("<h2>Scenario: ", f);
        cch_html_text(f, sg[s]->scenario);
        fputs("</h2>\n", f);
        index_table(f, sg[s], sc[s]);
        fputs("<p>Change against the baseline at the end date (paired replications, mean):</p>\n<table><tr><th>"
              "</th>",
              f);
        for (int c = 0; c < g->nc; c++) {
            fputs("<th>", f);
            cch_html_text(f, g->council[c].key);
            fputs("</th>", f);
        }
        fputs("<th>region</th></tr>\n", f);
        for (size_t k = 0; k < sizeof key_rows / sizeof *key_rows; k++) {
            fputs("<tr><td>", f);
            cch_html_text(f, key_rows[k][2]);
            fputs("</td>", f);
            for (int c = 0; c <= g->nc; c++) {
                const cce_result *a = c < g->nc ? r->council[c] : r->total;
                const cce_result *b = c < g->nc ? sc[s]->council[c] : sc[s]->total;
                td_num(f, end_mean(b, key_rows[k][0], key_rows[k][1]) - end_mean(a, key_rows[k][0], key_rows[k][1]));
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fputs("</body></html>\n", f);
    return cco_close(f, "report.html");
}

static void write_manifest(FILE *f, const cca_run_opts *o, const ccrg_region *g, const ccrg_result *r,
                           const ccrg_region *const *sg, int ns, uint64_t events, double wall)
{
    char d0[16], d1[16];
    const cce_result *t = r->total;
    ccd_format(t->dates[0], d0);
    ccd_format(t->dates[t->ndates - 1], d1);
    fprintf(f, "program: carecap %s\ncommand:", cca_version());
    if (o->argv)
        for (int i = 0; i < o->argc; i++) {
            fputc(' ', f);
            cco_shell_quote(f, o->argv[i]);
        }
    else {
        fputc(' ', f);
        cco_shell_quote(f, o->command_line ? o->command_line : "run");
    }
    fputs("\nregion_file: ", f);
    cco_shell_quote(f, g->region_path);
    fputs("\nregion: ", f);
    cco_shell_quote(f, g->name);
    fprintf(f, "\nregion_fnv1a64: %016llx\n", (unsigned long long)g->file_hash);
    for (int c = 0; c < g->nc; c++) {
        fputs("council: ", f);
        cco_shell_quote(f, g->council[c].key);
        fputc(' ', f);
        cco_shell_quote(f, g->council[c].config);
        fprintf(f, " config_fnv1a64 %016llx seed %llu\n", (unsigned long long)g->council[c].base->file_hash,
                (unsigned long long)ccrg_council_seed(o->seed, c));
    }
    for (int s = 0; s < ns; s++) {
        fputs("scenario: ", f);
        cco_shell_quote(f, sg[s]->scenario);
        fputs(" (", f);
        cco_shell_quote(f, sg[s]->path);
        fprintf(f, ", %d levers)\n", sg[s]->nlevers);
    }
    fprintf(f, "seed: %llu\n", (unsigned long long)o->seed);
    fprintf(f, "council_order: at equal times council (month + replication) mod %d goes first, then round\n", g->nc);
    fprintf(f, "replications: %d\nyears: %d\nstart_date: %s\nend_date: %s\nthreads: %d\n", t->reps, t->years, d0, d1,
            t->threads);
    fprintf(f, "events: %llu\nwall_seconds: %.3f\n", (unsigned long long)events, wall);
}

/* A council's other usual files: its resolved config, variance.csv and,
 * with a costs section, spend.xlsx (of the baseline run). 1 after a failure. */
static int council_files(const char *dir, const cca_run_opts *o, const ccrg_region *g, int c, const cce_result *b,
                         FILE *err)
{
    char path[4200], msg[512];
    snprintf(path, sizeof path, "%s/config.cfg", dir);
    if (ccp_write_resolved(g->council[c].config, path) != 0) {
        fprintf(err, "carecap: %s: cannot write councils/%s/config.cfg\n", o->outdir, g->council[c].key);
        return 1;
    }
    FILE *fv = cco_create(dir, "variance.csv");
    int bad = !fv || ccvd_write(fv, b) != 0;
    if (fv && cco_close(fv, "variance.csv") != 0)
        bad = 1;
    if (bad) {
        fprintf(err, "carecap: %s: cannot write councils/%s/variance.csv\n", o->outdir, g->council[c].key);
        return 1;
    }
    if (b->L->spend >= 0) {
        snprintf(path, sizeof path, "%s/spend.xlsx", dir);
        if (ccw_write(path, b, msg) != 0) {
            fprintf(err, "carecap: %s\n", msg);
            return 1;
        }
    }
    return 0;
}

/* Write every file of a region run (ns scenarios after the baseline) into
 * the temporary folder sd. 1 after a failure (message in err). */
static int write_all(const char *sd, const cca_run_opts *o, const ccrg_region *g, const ccrg_result *r,
                     const ccrg_result *const *sc, const ccrg_region *const *sg, int ns, FILE *err)
{
    int cmp = ns > 0, bad = 0;
    FILE *fm = cco_create(sd, "monthly.csv");
    FILE *fa = cco_create(sd, "annual.csv");
    FILE *fc = cmp ? cco_create(sd, "comparison.csv") : NULL;
    FILE *fx = cco_create(sd, "manifest.txt");
    if (!fm || !fa || !fx || (cmp && !fc)) {
        fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno));
        bad = 1;
    }
    if (!bad) {
        fprintf(fm, "%s,council\n", cco_csv_header);
        fprintf(fa, "%s,council\n", cco_csv_header);
        if (fc)
            fprintf(fc, "%s,council\n", cco_cmp_header);
        for (int c = 0; c <= g->nc && !bad; c++) {
            const char *key = c < g->nc ? g->council[c].key : ccra_region_key;
            folder sub;
            if (folder_open(&sub, sd, c < g->nc ? "councils" : "region", c < g->nc ? key : NULL, cmp) != 0) {
                fprintf(err, "carecap: %s: cannot write results: %s\n", o->outdir, strerror(errno ? errno : EIO));
                folder_close(&sub);
                bad = 1;
                break;
            }
            const cce_result *b = c < g->nc ? r->council[c] : r->total;
            bad |= rows_with_council(fm, cco_write_monthly, b, key) || rows_with_council(fa, cco_write_annual, b, key);
            bad |= cco_write_monthly(sub.m, b, 0) || cco_write_annual(sub.a, b, 0);
            for (int s = 0; s < ns && !bad; s++) {
                const cce_result *x = c < g->nc ? sc[s]->council[c] : sc[s]->total;
                bad |= rows_with_council(fm, cco_write_monthly, x, key) ||
                       rows_with_council(fa, cco_write_annual, x, key);
                bad |= cco_write_monthly(sub.m, x, 0) || cco_write_annual(sub.a, x, 0);
                bad |= cmp_rows(fc, b, x, key) || cmp_rows(sub.c, b, x, NULL);
            }
            if (bad)
                fprintf(err, "carecap: out of memory while summarising\n");
            if (folder_close(&sub) && !bad) {
                fprintf(err, "carecap: %s: write failed: %s\n", o->outdir, strerror(errno ? errno : EIO));
                bad = 1;
            }
            if (!bad && c < g->nc)
                bad = council_files(sub.dir, o, g, c, b, err);
            if (!bad && c < g->nc) {
                FILE *fk = cco_create(sub.dir, "manifest.txt");
                if (fk) {
                    fputs("council: ", fk);
                    cco_shell_quote(fk, g->council[c].phases[0]->name);
                    fputs("\nconfig: ", fk);
                    cco_shell_quote(fk, g->council[c].config);
                    fprintf(fk, "\nseed: %llu\nregion: ", (unsigned long long)ccrg_council_seed(o->seed, c));
                    cco_shell_quote(fk, g->name);
                    fputc('\n', fk);
                }
                if (!fk || cco_close(fk, "manifest.txt") != 0) {
                    fprintf(err, "carecap: %s: write failed: %s\n", o->outdir, strerror(errno ? errno : EIO));
                    bad = 1;
                }
            }
            if (!bad && !o->no_charts && !cco_interrupted()) {
                char shown[4096];
                snprintf(shown, sizeof shown, "%s/%s%s%s", o->outdir, c < g->nc ? "councils/" : "region",
                         c < g->nc ? key : "", "");
                bad = cch_draw(sub.dir, shown, err) != 0;
            }
        }
        uint64_t events = r->events;
        double wall = r->wall_seconds;
        for (int s = 0; s < ns; s++) {
            events += sc[s]->events;
            wall += sc[s]->wall_seconds;
        }
        write_manifest(fx, o, g, r, sg, ns, events, wall);
        if (!bad && write_index(sd, g, r, sc, sg, ns) != 0) {
            fprintf(err, "carecap: %s/report.html: cannot write: %s\n", o->outdir, strerror(errno ? errno : EIO));
            bad = 1;
        }
    }
    const char *names[] = {"monthly.csv", "annual.csv", "comparison.csv", "manifest.txt"};
    FILE *fs[] = {fm, fa, fc, fx};
    for (int i = 0; i < 4; i++)
        if (fs[i] && cco_close(fs[i], names[i]) != 0 && !bad) {
            fprintf(err, "carecap: %s/%s: write failed: %s\n", o->outdir, names[i], strerror(errno));
            bad = 1;
        }
    return bad;
}

int ccra_write(const char *sd, const cca_run_opts *o, const ccrg_region *g, const ccrg_result *r,
               const ccrg_result *const *sc, const ccrg_region *const *sg, int ns, FILE *err)
{
    return write_all(sd, o, g, r, sc, sg, ns, err) ? -1 : 0;
}

/* After rank 0's write: every rank exits with a failure when it failed
 * (a collective; rank 0 passes its status, the others CCA_OK). */
static int written(int rc)
{
    if (!ccrk_all(rc == CCA_OK) && rc == CCA_OK)
        return CCA_RUNTIME;
    return rc;
}

int ccra_run(const cca_run_opts *o, FILE *out, FILE *err)
{
    ccrg_region *g = NULL;
    int ns = o->nscenarios;
    char msg[512];
    /* under mpirun: the ranks share each run's replications; rank 0 writes */
    if (ccrk_start(msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        return CCA_RUNTIME;
    }
    int rank = ccrk_rank();
    int rc = load(o->config, err, &g);
    ccrg_region *sg[64] = {0};
    ccrg_result *r = NULL, *sc[64] = {0};
    cco_sigsave sv = {0};
    if (rc != CCA_OK)
        goto agree; /* every rank reads the same files, so all stop here */
    if (o->per_rep) {
        fprintf(err, "carecap: %s: --per-rep is not available for a region (expected a council config)\n", o->config);
        rc = CCA_USAGE;
        goto agree;
    }
    if (ns > 64) {
        fprintf(err, "carecap: compare: %d scenarios (expected at most 64)\n", ns);
        rc = CCA_USAGE;
        goto agree;
    }
    for (int s = 0; s < ns; s++) {
        int r1 = load(o->scenarios[s], err, &sg[s]);
        if (r1 != CCA_OK) {
            rc = r1;
            continue;
        }
        if (strcmp(sg[s]->scenario, "baseline") == 0 || !sg[s]->region_path ||
            !cco_same_file(sg[s]->region_path, o->config)) {
            fprintf(err, "%s: baseline: the region scenario applies to %s, not %s (expected a region scenario of "
                         "the same region file)\n",
                    o->scenarios[s], sg[s]->region_path ? sg[s]->region_path : "no region", o->config);
            rc = CCA_INVALID;
        }
        for (int j = 0; j < s && rc == CCA_OK; j++)
            if (sg[j] && strcmp(sg[j]->scenario, sg[s]->scenario) == 0) {
                fprintf(err, "%s: name: \"%s\" is also the name of %s (expected unique scenario names)\n",
                        o->scenarios[s], sg[s]->scenario, o->scenarios[j]);
                rc = CCA_INVALID;
            }
    }
    if (rc != CCA_OK) {
        fprintf(err, "carecap: compare: nothing was run\n");
        goto agree;
    }
    if (rank == 0) { /* the writer checks the results folder can be written */
        if (cco_check_outdir(o->outdir, msg) != 0) {
            fprintf(err, "carecap: %s\n", msg);
            rc = CCA_IO;
            goto agree;
        }
    }
agree:
    if (!ccrk_all(rc == CCA_OK)) { /* any rank's failure stops every rank */
        rc = rc == CCA_OK ? CCA_RUNTIME : rc;
        goto done;
    }
    cce_opts eo = {o->reps, o->years, o->threads, o->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    eo.mpi = 1;
    cce_progress prog = o->progress && rank == 0 ? show_progress : NULL;
    rc = CCA_RUNTIME;
    /* a failure on any rank fails ccrg_run on every rank */
    if (ccrg_run(g, &eo, o->uncertainty, prog, err, &r, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        goto done;
    }
    for (int s = 0; s < ns; s++)
        if (ccrg_run(sg[s], &eo, o->uncertainty, prog, err, &sc[s], msg) != 0) {
            fprintf(err, "carecap: %s: %s\n", o->scenarios[s], msg);
            goto done;
        }
    if (rank != 0) { /* rank 0 holds every replication and writes */
        rc = written(CCA_OK);
        goto done;
    }
    cco_signals_catch(&sv);
    rc = CCA_IO;
    cco_stage *st = cco_stage_new(o->outdir, msg);
    if (!st) {
        fprintf(err, "carecap: %s\n", msg);
        goto done;
    }
    int bad = write_all(cco_stage_dir(st), o, g, r, (const ccrg_result *const *)sc, (const ccrg_region *const *)sg,
                        ns, err);
    rc = cca_finish(st, bad, CCA_OK, o->outdir, err);
    if (rc == CCA_OK) {
        if (!o->quiet)
            fprintf(out, "carecap: region %s (%d councils)%s%s x %d replications x %d years in %.2f s; results in %s/\n",
                    g->name, g->nc, ns ? " and scenarios" : "", "", o->reps, o->years, r->wall_seconds, o->outdir);
    }
    rc = written(rc);
done:
    ccrk_stop();
    cco_signals_default(&sv);
    ccrg_result_free(r);
    for (int s = 0; s < ns && s < 64; s++) {
        ccrg_result_free(sc[s]);
        ccrg_free(sg[s]);
    }
    ccrg_free(g);
    return rc;
}

int ccra_is_results(const char *dir)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/councils", dir);
    return lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int ccra_plot(const char *dir, FILE *out, FILE *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/region", dir);
    if (cch_plot(path, err) != 0)
        return CCA_IO;
    snprintf(path, sizeof path, "%s/councils", dir);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(err, "carecap: %s: cannot read: %s\n", path, strerror(errno));
        return CCA_IO;
    }
    /* in name order, so messages come in the same order every time */
    char *names[CCRG_MAXCOUNCIL];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < CCRG_MAXCOUNCIL)
        if (e->d_name[0] != '.') {
            names[n] = strdup(e->d_name);
            if (names[n])
                n++;
        }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    int rc = CCA_OK;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/councils/%s", dir, names[i]);
        if (rc == CCA_OK && cch_plot(path, err) != 0)
            rc = CCA_IO;
        free(names[i]);
    }
    if (rc == CCA_OK)
        fprintf(out, "carecap: charts and reports of the region and its councils in %s/region/ and %s/councils/\n",
                dir, dir);
    return rc;
}
