/* charts: gnuplot charts and report.html from a results folder. */
#define _XOPEN_SOURCE 700
#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include "charts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backtest.h"
#include "cfgread.h"
#include "output.h"

/* Okabe-Ito: a colour-blind-safe palette. */
static const char *const pal[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                                  "#000000"};
enum { NPAL = 8 };

/* scenario and group (district, cohort, provider) names are config names:
 * at most CCC_MAX_NAME characters, kept whole so that two names differing
 * only past a shorter buffer's end stay two lines */
enum { NAMESZ = CCC_MAX_NAME + 1 };

typedef struct {
    char scen[NAMESZ], date[11], metric[40], group[NAMESZ];
    double v[7]; /* mean sd p05 p25 p50 p75 p95 */
    double better;
} row;

typedef struct {
    row *r;
    size_t n, cap;
} table;

/* Copy the field f into dst (of size n): 0 if it does not fit. */
static int put_field(char *dst, size_t n, const char *f)
{
    size_t len = strlen(f);
    if (len >= n)
        return 0;
    memcpy(dst, f, len + 1);
    return 1;
}

/* Read a results CSV (a header line, then rows) into t: a regular file of
 * at most CCO_MAX_INPUT bytes, never through a symbolic link. 0; 1 when the
 * file does not exist and may be absent; -1 with a message in err. Lines
 * longer than the row buffer are read in pieces (each piece a row, most of
 * them too short and skipped). */
static int read_csv(const char *path, table *t, int cmp, int optional, FILE *err)
{
    errno = 0;
    FILE *f = cco_open_input(path);
    if (!f) {
        int e = errno;
        if (e == ENOENT && optional)
            return 1;
        if (e == EFBIG)
            fprintf(err, "carecap: %s: larger than %ld MiB (expected a results CSV written by carecap)\n", path,
                    CCO_MAX_INPUT >> 20);
        else if (e == EINVAL)
            fprintf(err, "carecap: %s: not a regular file (expected a results CSV written by carecap)\n", path);
        else if (e == ELOOP)
            fprintf(err, "carecap: %s: a symbolic link (carecap reads results only from regular files)\n", path);
        else
            fprintf(err, "carecap: %s: cannot read: %s\n", path, strerror(e ? e : EIO));
        return -1;
    }
    char line[2048];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        if (optional)
            return 1;
        fprintf(err, "carecap: %s: empty (expected a header line and rows)\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 4096;
            row *a = realloc(t->r, cap * sizeof *a);
            if (!a) {
                fclose(f);
                fprintf(err, "carecap: %s: out of memory\n", path);
                return -1;
            }
            t->r = a;
            t->cap = cap;
        }
        row *x = &t->r[t->n];
        memset(x, 0, sizeof *x);
        char *fld[13];
        int nf = 0;
        char *p = line;
        while (nf < 13) {
            fld[nf++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = '\0';
            p = c + 1;
        }
        if (nf < 11)
            continue;
        fld[nf - 1][strcspn(fld[nf - 1], "\r\n")] = '\0';
        /* a field longer than carecap ever writes: not one of its rows */
        if (!put_field(x->scen, sizeof x->scen, fld[0]) || !put_field(x->date, sizeof x->date, fld[1]) ||
            !put_field(x->metric, sizeof x->metric, fld[2]) || !put_field(x->group, sizeof x->group, fld[3]))
            continue;
        for (int k = 0; k < 7; k++)
            x->v[k] = atof(fld[4 + k]);
        x->better = cmp && nf > 11 && fld[11][0] ? atof(fld[11]) : -1;
        t->n++;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(err, "carecap: %s: cannot read: %s\n", path, strerror(EIO));
        return -1;
    }
    return 0;
}

/* Rows of (scenario, metric, group) in file order (dates ascending). */
static size_t pick(const table *t, const char *scen, const char *metric, const char *group, const row **out,
                   size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n && n < max; i++) {
        const row *x = &t->r[i];
        if (strcmp(x->metric, metric) == 0 && strcmp(x->group, group) == 0 && (!scen || strcmp(x->scen, scen) == 0))
            out[n++] = x;
    }
    return n;
}

static const char *first_scenario(const table *t) { return t->n ? t->r[0].scen : "baseline"; }

/* A gnuplot script's common head: both terminals, fonts, time axis. */
static void gp_head(FILE *g, const char *name, const char *title, const char *ylabel, int timeaxis)
{
    fprintf(g, "# %s: drawn by carecap from the results' CSV files; run with: gnuplot %s.gp\n", name, name);
    fprintf(g, "set datafile separator ','\n");
    fprintf(g, "set title \"%s\" font \",13\"\n", title);
    fprintf(g, "set ylabel \"%s\"\n", ylabel);
    fprintf(g, "set key outside below center horizontal Left reverse noenhanced maxcols 3 width 2\n");
    fprintf(g, "set grid ytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n");
    if (timeaxis) {
        fprintf(g, "set xdata time\nset timefmt '%%Y-%%m-%%d'\nset format x '%%Y'\n");
        fprintf(g, "set xlabel 'date (month ends)' offset 0,0.3\nset bmargin 7\n");
    }
    fprintf(g, "set style fill transparent solid 0.25 noborder\n");
}

/* A plot command being built in memory (any length: no fixed buffer). */
typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} gp_plot;

/* Open p's memory stream; on failure close the script g and return NULL. */
static FILE *gp_plot_open(gp_plot *p, FILE *g)
{
    p->buf = NULL;
    p->len = 0;
    p->f = open_memstream(&p->buf, &p->len);
    if (!p->f)
        fclose(g);
    return p->f;
}

/* Drop a plot command and the script g after a failure. */
static int gp_plot_abort(gp_plot *p, FILE *g)
{
    fclose(p->f);
    free(p->buf);
    fclose(g);
    return -1;
}

/* Render with both terminals: the plot command was written to p's memory
 * stream. Closes it (freeing its buffer) and the script g.
 * Only carecap's own names and constants are pasted into a script: every
 * title from the results (scenario names) is read by gnuplot from the data
 * file's header (`title columnhead`), never parsed as gnuplot code. */
static int gp_out(FILE *g, const char *name, gp_plot *p)
{
    int bad = fclose(p->f) != 0 || !p->buf;
    if (!bad) {
        fprintf(g, "set terminal pngcairo size 1100,600 font 'Sans,11'\nset output '%s.png'\n%s\n", name, p->buf);
        fprintf(g, "set terminal svg size 1100,600 dynamic font 'Sans,11'\nset output '%s.svg'\n%s\nunset output\n",
                name, p->buf);
    }
    free(p->buf);
    p->buf = NULL;
    char gp[128];
    snprintf(gp, sizeof gp, "%s.gp", name);
    bad |= cco_close(g, gp) != 0;
    return bad ? -1 : 0;
}

/* Close a file made by open_in: 0, or -1 when a write failed. */
static int close_in(FILE *f, const char *name, const char *ext)
{
    char file[256];
    snprintf(file, sizeof file, "%s.%s", name, ext);
    return cco_close(f, file);
}

/* A new file name.ext in folder dir (never through a link). */
static FILE *open_in(const char *dir, const char *name, const char *ext)
{
    char file[256];
    if ((size_t)snprintf(file, sizeof file, "%s.%s", name, ext) >= sizeof file) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return cco_create(dir, file);
}

typedef struct {
    char name[64], title[200], caption[400];
} chart;

typedef struct {
    chart c[64];
    int n;
} charts;

static void add_chart(charts *cs, const char *name, const char *title, const char *caption)
{
    if (cs->n == 64)
        return;
    chart *c = &cs->c[cs->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->title, sizeof c->title, "%s", title);
    snprintf(c->caption, sizeof c->caption, "%s", caption);
}

/* Need against capacity for one placement type, with bands. */
static int gap_chart(const char *cd, const table *m, const char *scen, const char *type, const char *label,
                     charts *cs)
{
    static const row *need[4096], *cap[4096];
    size_t n = pick(m, scen, "needing", type, need, 4096), nc = pick(m, scen, "capacity", type, cap, 4096);
    if (n == 0 || nc != n)
        return 0;
    char name[64];
    snprintf(name, sizeof name, "gap_%s", type);
    FILE *d = open_in(cd, name, "csv");
    if (!d)
        return -1;
    fprintf(d, "date,need_mean,need_p05,need_p25,need_p75,need_p95,cap_mean,cap_p05,cap_p95\n");
    for (size_t i = 0; i < n; i++)
        fprintf(d, "%s,%g,%g,%g,%g,%g,%g,%g,%g\n", need[i]->date, need[i]->v[0], need[i]->v[2], need[i]->v[3],
                need[i]->v[5], need[i]->v[6], cap[i]->v[0], cap[i]->v[2], cap[i]->v[6]);
    if (close_in(d, name, "csv") != 0)
        return -1;
    FILE *g = open_in(cd, name, "gp");
    if (!g)
        return -1;
    char title[160];
    snprintf(title, sizeof title, "%s: children who need it and the council's own places", label);
    gp_head(g, name, title, "children", 1);
    fprintf(g, "set yrange [0:*]\n");
    gp_plot plotb;
    FILE *plot = gp_plot_open(&plotb, g);
    if (!plot)
        return -1;
    fprintf(plot,
             "plot '%s.csv' every ::1 using 1:3:6 with filledcurves lc rgb '%s' title 'need: 5th-95th percentile', \\\n"
             "  '' every ::1 using 1:4:5 with filledcurves lc rgb '%s' fs transparent solid 0.45 noborder title 'need: 25th-75th percentile', \\\n"
             "  '' every ::1 using 1:2 with lines lw 2.5 lc rgb '%s' title 'children needing it (mean)', \\\n"
             "  '' every ::1 using 1:8:9 with filledcurves lc rgb '%s' title 'council places: 5th-95th', \\\n"
             "  '' every ::1 using 1:7 with lines lw 2.5 dt 2 lc rgb '%s' title 'council places (mean)'",
             name, pal[0], pal[0], pal[0], pal[1], pal[5]);
    if (gp_out(g, name, &plotb) != 0)
        return -1;
    char cap_txt[400];
    snprintf(cap_txt, sizeof cap_txt,
             "%s: the blue line is the mean number of children who need this type of placement, the shaded bands "
             "hold 90%% and 50%% of the simulated futures; the dashed line is the council's own places. The "
             "distance between them is the capacity gap, met by external providers.",
             label);
    add_chart(cs, name, title, cap_txt);
    return 0;
}

static int mix_chart(const char *cd, const table *m, const char *scen, charts *cs)
{
    static const char *const types[] = {"kinship", "foster", "residential", "semi_independent", "secure",
                                        "with_parents", "adoption", "other"};
    static const row *r[8][4096];
    size_t n = 0;
    for (int k = 0; k < 8; k++) {
        size_t nk = pick(m, scen, "placed", types[k], r[k], 4096);
        if (k == 0)
            n = nk;
        else if (nk != n)
            return 0;
    }
    if (n == 0)
        return 0;
    FILE *d = open_in(cd, "placement_mix", "csv");
    if (!d)
        return -1;
    fprintf(d, "date");
    for (int k = 0; k < 8; k++)
        fprintf(d, ",%s", types[k]);
    fprintf(d, "\n");
    for (size_t i = 0; i < n; i++) {
        double cum = 0;
        fprintf(d, "%s", r[0][i]->date);
        for (int k = 0; k < 8; k++) {
            cum += r[k][i]->v[0];
            fprintf(d, ",%g", cum);
        }
        fprintf(d, "\n");
    }
    if (close_in(d, "placement_mix", "csv") != 0)
        return -1;
    FILE *g = open_in(cd, "placement_mix", "gp");
    if (!g)
        return -1;
    gp_head(g, "placement_mix", "Where children are placed (mean, stacked)", "children", 1);
    fprintf(g, "set yrange [0:*]\nset style fill solid 0.85 noborder\n");
    gp_plot plotb;
    FILE *plot = gp_plot_open(&plotb, g);
    if (!plot)
        return -1;
    fputs("plot ", plot);
    for (int k = 7; k >= 0; k--)
        fprintf(plot,
                      "'placement_mix.csv' every ::1 using 1:%d with filledcurves x1 lc rgb '%s' title '%s'%s", k + 2,
                      pal[k % NPAL], types[k], k ? ", \\\n  " : "");
    if (gp_out(g, "placement_mix", &plotb) != 0)
        return -1;
    add_chart(cs, "placement_mix", "Where children are placed",
              "The number of children in each placement type, stacked (means over the simulated futures; the top "
              "edge is all children in care).");
    return 0;
}

static int cohort_chart(const char *cd, const table *m, const char *scen, charts *cs)
{
    static const char *const co[] = {"all", "0-3", "4-6", "7-11", "12-15", "16-17"};
    static const row *r[6][4096];
    size_t n = 0;
    for (int k = 0; k < 6; k++) {
        size_t nk = pick(m, scen, "looked_after", co[k], r[k], 4096);
        if (k == 0)
            n = nk;
        else if (nk != n)
            return 0;
    }
    if (n == 0)
        return 0;
    FILE *d = open_in(cd, "looked_after", "csv");
    if (!d)
        return -1;
    fprintf(d, "date,all_mean,all_p05,all_p95,c0_3,c4_6,c7_11,c12_15,c16_17\n");
    for (size_t i = 0; i < n; i++)
        fprintf(d, "%s,%g,%g,%g,%g,%g,%g,%g,%g\n", r[0][i]->date, r[0][i]->v[0], r[0][i]->v[2], r[0][i]->v[6],
                r[1][i]->v[0], r[2][i]->v[0], r[3][i]->v[0], r[4][i]->v[0], r[5][i]->v[0]);
    if (close_in(d, "looked_after", "csv") != 0)
        return -1;
    FILE *g = open_in(cd, "looked_after", "gp");
    if (!g)
        return -1;
    gp_head(g, "looked_after", "Children looked after, in all and by age band", "children", 1);
    fprintf(g, "set yrange [0:*]\n");
    gp_plot plotb;
    FILE *plot = gp_plot_open(&plotb, g);
    if (!plot)
        return -1;
    fprintf(plot,
             "plot 'looked_after.csv' every ::1 using 1:3:4 with filledcurves lc rgb '%s' title 'all: 5th-95th percentile', \\\n"
             "  '' every ::1 using 1:2 with lines lw 2.5 lc rgb '%s' title 'all (mean)', \\\n"
             "  '' every ::1 using 1:5 with lines lw 2 lc rgb '%s' title 'aged 0-3', \\\n"
             "  '' every ::1 using 1:6 with lines lw 2 lc rgb '%s' title 'aged 4-6', \\\n"
             "  '' every ::1 using 1:7 with lines lw 2 lc rgb '%s' title 'aged 7-11', \\\n"
             "  '' every ::1 using 1:8 with lines lw 2 lc rgb '%s' title 'aged 12-15', \\\n"
             "  '' every ::1 using 1:9 with lines lw 2 lc rgb '%s' title 'aged 16-17'",
             pal[7], pal[7], pal[1], pal[2], pal[3], pal[0], pal[5]);
    if (gp_out(g, "looked_after", &plotb) != 0)
        return -1;
    add_chart(cs, "looked_after", "Children looked after",
              "All children in care (black, with the band holding 90% of the simulated futures) and the mean in "
              "each age band.");
    return 0;
}

static int kpi_chart(const char *cd, const table *m, const char *scen, charts *cs)
{
    static const char *const k5[] = {"kinship", "external_foster", "resi_against_plan", "family_based_12_15",
                                     "outside_d2n2"};
    static const char *const lab[] = {"fostered by relatives or friends (% of all)",
                                      "foster placements that are external (%)",
                                      "in residential against the plan (% of residential)",
                                      "12-15s in family-based care (%)", "outside D2N2 (% of those outside the county)"};
    static const row *r[5][4096];
    size_t n = 0;
    for (int k = 0; k < 5; k++) {
        size_t nk = pick(m, scen, "kpi_pct", k5[k], r[k], 4096);
        if (k == 0)
            n = nk;
        else if (nk != n)
            return 0;
    }
    if (n == 0)
        return 0;
    FILE *d = open_in(cd, "kpis", "csv");
    if (!d)
        return -1;
    fprintf(d, "date");
    for (int k = 0; k < 5; k++)
        fprintf(d, ",%s,%s_p05,%s_p95,%s_start", k5[k], k5[k], k5[k], k5[k]);
    fprintf(d, "\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(d, "%s", r[0][i]->date);
        for (int k = 0; k < 5; k++)
            fprintf(d, ",%g,%g,%g,%g", r[k][i]->v[0], r[k][i]->v[2], r[k][i]->v[6], r[k][0]->v[0]);
        fprintf(d, "\n");
    }
    if (close_in(d, "kpis", "csv") != 0)
        return -1;
    FILE *g = open_in(cd, "kpis", "gp");
    if (!g)
        return -1;
    gp_head(g, "kpis", "Sufficiency KPIs against the July 2022 position (dashed)", "per cent", 1);
    fprintf(g, "set yrange [0:100]\n");
    gp_plot plotb;
    FILE *plot = gp_plot_open(&plotb, g);
    if (!plot)
        return -1;
    fputs("plot ", plot);
    for (int k = 0; k < 5; k++)
        fprintf(plot,
                      "'kpis.csv' every ::1 using 1:%d:%d with filledcurves lc rgb '%s' notitle, "
                      "'' every ::1 using 1:%d with lines lw 2.5 lc rgb '%s' title '%s', "
                      "'' every ::1 using 1:%d with lines lw 1 dt 2 lc rgb '%s' notitle%s",
                      3 + 4 * k, 4 + 4 * k, pal[k], 2 + 4 * k, pal[k], lab[k], 5 + 4 * k, pal[k], k < 4 ? ", \\\n  " : "");
    if (gp_out(g, "kpis", &plotb) != 0)
        return -1;
    add_chart(cs, "kpis", "Sufficiency KPIs",
              "Each KPI's mean over the simulated futures (solid, with its 90% band) against its value at the start "
              "date (dashed): no targets are set in the config, so the start is the reference.");
    return 0;
}

/* Spend by financial year: a fan chart of the total, full years only. */
static int spend_charts(const char *cd, const table *a, const char *scen, charts *cs)
{
    static const row *tot[256], *months[256];
    size_t n = pick(a, scen, "spend", "total", tot, 256), nm = pick(a, scen, "fy_months", "covered", months, 256);
    if (n == 0 || nm != n)
        return 0;
    FILE *d = open_in(cd, "spend", "csv");
    if (!d)
        return -1;
    fprintf(d, "fy_end,label,mean_m,p05_m,p25_m,p75_m,p95_m\n");
    int full = 0;
    for (size_t i = 0; i < n; i++) {
        if (months[i]->v[0] < 12)
            continue;
        int y = atoi(tot[i]->date);
        fprintf(d, "%s,%d-%02d,%.3f,%.3f,%.3f,%.3f,%.3f\n", tot[i]->date, y - 1, y % 100, tot[i]->v[0] / 1e6,
                tot[i]->v[2] / 1e6, tot[i]->v[3] / 1e6, tot[i]->v[5] / 1e6, tot[i]->v[6] / 1e6);
        full++;
    }
    if (close_in(d, "spend", "csv") != 0)
        return -1;
    if (full == 0)
        return 0;
    FILE *g = open_in(cd, "spend", "gp");
    if (!g)
        return -1;
    gp_head(g, "spend", "Placement spend by financial year (cash terms)", "GBP million", 0);
    fprintf(g, "set xlabel 'financial year (April-March; full years only)' offset 0,-1\nset bmargin 8\nset offsets 0.3,0.3,0,0\nset yrange [0:*]\nset boxwidth 0.6\n"
               "set xtics rotate by -30\n");
    gp_plot plotb;
    FILE *plot = gp_plot_open(&plotb, g);
    if (!plot)
        return -1;
    fprintf(plot,
             "plot 'spend.csv' every ::1 using 0:4:7 with filledcurves lc rgb '%s' title '5th-95th percentile', \\\n"
             "  '' every ::1 using 0:5:6 with filledcurves lc rgb '%s' fs transparent solid 0.45 noborder title '25th-75th percentile', \\\n"
             "  '' every ::1 using 0:3:xtic(2) with linespoints lw 2.5 pt 7 lc rgb '%s' title 'mean'",
             pal[0], pal[0], pal[0]);
    if (gp_out(g, "spend", &plotb) != 0)
        return -1;
    add_chart(cs, "spend", "Placement spend by financial year",
              "Total placement spend in each full financial year, in cash terms (GBP million): the line is the mean "
              "over the simulated futures, the bands hold 50% and 90% of them.");
    /* by cost line, stacked means */
    static const char *const lines[] = {"council_homes", "block_contracts", "foster_fees", "emergency_foster",
                                        "foster_allowances", "kinship", "ifa", "residential_external",
                                        "semi_independent_external", "secure_external", "other_placements", "one_off"};
    enum { NL = 12 };
    static const row *lr[NL][256];
    for (int k = 0; k < NL; k++)
        if (pick(a, scen, "spend", lines[k], lr[k], 256) != n)
            return 0;
    d = open_in(cd, "spend_lines", "csv");
    if (!d)
        return -1;
    fprintf(d, "label");
    for (int k = 0; k < NL; k++)
        fprintf(d, ",%s", lines[k]);
    fprintf(d, "\n");
    for (size_t i = 0; i < n; i++) {
        if (months[i]->v[0] < 12)
            continue;
        int y = atoi(tot[i]->date);
        fprintf(d, "%d-%02d", y - 1, y % 100);
        for (int k = 0; k < NL; k++)
            fprintf(d, ",%.3f", lr[k][i]->v[0] / 1e6);
        fprintf(d, "\n");
    }
    if (close_in(d, "spend_lines", "csv") != 0)
        return -1;
    g = open_in(cd, "spend_lines", "gp");
    if (!g)
        return -1;
    gp_head(g, "spend_lines", "Placement spend by cost line (mean, stacked)", "GBP million", 0);
    fprintf(g, "set xlabel 'financial year' offset 0,-1\nset bmargin 9\nset style data histograms\nset style histogram rowstacked\n"
               "set style fill solid 0.9 noborder\nset boxwidth 0.7\nset yrange [0:*]\nset xtics rotate by -30\n");
    static const char *const lpal[NL] = {"#0072B2", "#56B4E9", "#009E73", "#7FC9A9", "#E69F00", "#F0E442",
                                         "#CC79A7", "#D55E00", "#999999", "#000000", "#BBBBBB", "#6A3D9A"};
    gp_plot plot2b;
    FILE *plot2 = gp_plot_open(&plot2b, g);
    if (!plot2)
        return -1;
    fputs("plot ", plot2);
    for (int k = 0; k < NL; k++)
        fprintf(plot2, "'spend_lines.csv' every ::1 using %d%s lc rgb '%s' title '%s'%s",
                      k + 2, k == 0 ? ":xtic(1)" : "", lpal[k], lines[k], k < NL - 1 ? ", \\\n  " : "");
    if (gp_out(g, "spend_lines", &plot2b) != 0)
        return -1;
    add_chart(cs, "spend_lines", "Spend by cost line",
              "Mean spend of each cost line in each full financial year (GBP million): council homes, block "
              "contracts, carers' fees and emergency places are fixed; the rest follows the placements.");
    return 0;
}

/* A title as one field of a chart's CSV header, for gnuplot's columnhead:
 * control characters become spaces, commas ';' and double quotes '\''
 * (gnuplot splits a header at commas even in quotes), backslashes doubled
 * (gnuplot reads "\\" as one). */
static void gp_header_field(FILE *d, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            fputc(' ', d);
        else if (*p == ',')
            fputc(';', d);
        else if (*p == '"')
            fputc('\'', d);
        else if (*p == '\\')
            fputs("\\\\", d);
        else
            fputc(*p, d);
}

/* compare: each scenario's paired difference from the baseline. */
static int full_year(const table *a, const char *date)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->r[i].metric, "fy_months") == 0 && strcmp(a->r[i].date, date) == 0)
            return a->r[i].v[0] >= 12;
    return 0;
}

static int cmp_charts(const char *cd, const table *c, const table *a, charts *cs)
{
    char scen[32][NAMESZ];
    int ns = 0;
    for (size_t i = 0; i < c->n && ns < 32; i++) {
        int seen = 0;
        for (int k = 0; k < ns; k++)
            seen |= strcmp(scen[k], c->r[i].scen) == 0;
        if (!seen)
            snprintf(scen[ns++], NAMESZ, "%s", c->r[i].scen);
    }
    static const char *const what[][4] = {{"gap", "foster", "cmp_gap_foster", "Foster capacity gap"},
                                          {"gap", "residential", "cmp_gap_residential", "Residential capacity gap"},
                                          {"spend", "total", "cmp_spend", "Placement spend a year"}};
    static const row *r[4096];
    for (int w = 0; w < 3; w++) {
        int money = strcmp(what[w][0], "spend") == 0;
        FILE *g = open_in(cd, what[w][2], "gp");
        if (!g)
            return -1;
        char title[200];
        snprintf(title, sizeof title, "%s: each scenario minus the baseline (paired)", what[w][3]);
        gp_head(g, what[w][2], title, money ? "GBP million a year" : "children", 1);
        if (money)
            fprintf(g, "set xlabel 'financial year ending (31 March; full years only)'\n");
        gp_plot plotb;
        FILE *plot = gp_plot_open(&plotb, g);
        if (!plot)
            return -1;
        fputs("plot 0 with lines lc rgb '#888888' notitle", plot);
        for (int k = 0; k < ns; k++) {
            size_t n = pick(c, scen[k], what[w][0], what[w][1], r, 4096);
            char name[128];
            snprintf(name, sizeof name, "%s_%d", what[w][2], k);
            FILE *d = open_in(cd, name, "csv");
            if (!d)
                return gp_plot_abort(&plotb, g);
            /* the scenario's name is data: the key's title is read from this header */
            fputs("date,", d);
            gp_header_field(d, scen[k]);
            fputs(",p05,p95\n", d);
            double scale = money ? 1e6 : 1;
            for (size_t i = 0; i < n; i++)
                if (!money || full_year(a, r[i]->date)) /* part-years would look like cuts */
                    fprintf(d, "%s,%g,%g,%g\n", r[i]->date, r[i]->v[0] / scale, r[i]->v[2] / scale,
                            r[i]->v[6] / scale);
            if (close_in(d, name, "csv") != 0)
                return gp_plot_abort(&plotb, g);
            fprintf(plot,
                    ", \\\n  '%s.csv' every ::1 using 1:3:4 with filledcurves lc rgb '%s' fs transparent solid 0.15 noborder notitle"
                    ", \\\n  '%s.csv' using 1:2 with %s lw 2.5 lc rgb '%s' title columnhead(2)",
                    name, pal[k % NPAL], name, money ? "linespoints pt 7" : "lines", pal[k % NPAL]);
        }
        if (gp_out(g, what[w][2], &plotb) != 0)
            return -1;
        char cap[400];
        snprintf(cap, sizeof cap,
                 "%s in each scenario minus the baseline, replication by replication (the same children arrive in "
                 "both): the line is the mean difference, the band holds 90%% of the replications. Below zero is "
                 "better.",
                 what[w][3]);
        add_chart(cs, what[w][2], title, cap);
    }
    return 0;
}

/* compare with costs: each scenario's cumulative net cost (lever costs
 * less savings, discounted: minus the NPV to date, bizcase.h) by financial
 * year, with the band of 90% of the replications. Nothing without `npv`
 * rows. */
static int biz_chart(const char *cd, const table *c, charts *cs)
{
    static const row *r[4096];
    if (pick(c, NULL, "npv", "all", r, 1) == 0)
        return 0;
    char scen[32][NAMESZ];
    int ns = 0;
    for (size_t i = 0; i < c->n && ns < 32; i++) {
        int seen = 0;
        for (int k = 0; k < ns; k++)
            seen |= strcmp(scen[k], c->r[i].scen) == 0;
        if (!seen)
            snprintf(scen[ns++], NAMESZ, "%s", c->r[i].scen);
    }
    const char *name = "cmp_net_cost", *title = "Cumulative net cost of each scenario (discounted, real terms)";
    FILE *g = open_in(cd, name, "gp");
    if (!g)
        return -1;
    gp_head(g, name, title, "GBP million", 1);
    fprintf(g, "set xlabel 'financial year ending (31 March)'\n");
    gp_plot plotb;
    FILE *plot = gp_plot_open(&plotb, g);
    if (!plot)
        return -1;
    fputs("plot 0 with lines lc rgb '#888888' notitle", plot);
    for (int k = 0; k < ns; k++) {
        size_t n = pick(c, scen[k], "npv", "all", r, 4096);
        if (n == 0)
            continue;
        char data[128];
        snprintf(data, sizeof data, "%s_%d", name, k);
        FILE *d = open_in(cd, data, "csv");
        if (!d)
            return gp_plot_abort(&plotb, g);
        /* the scenario's name is data: the key's title is read from this header */
        fputs("date,", d);
        gp_header_field(d, scen[k]);
        fputs(",p05,p95\n", d);
        for (size_t i = 0; i < n; i++) /* net cost = -NPV: its 5th percentile is -(NPV's 95th) */
            fprintf(d, "%s,%g,%g,%g\n", r[i]->date, -r[i]->v[0] / 1e6, -r[i]->v[6] / 1e6, -r[i]->v[2] / 1e6);
        if (close_in(d, data, "csv") != 0)
            return gp_plot_abort(&plotb, g);
        fprintf(plot,
                ", \\\n  '%s.csv' every ::1 using 1:3:4 with filledcurves lc rgb '%s' fs transparent solid 0.15 noborder notitle"
                ", \\\n  '%s.csv' using 1:2 with linespoints pt 7 lw 2.5 lc rgb '%s' title columnhead(2)",
                data, pal[k % NPAL], data, pal[k % NPAL]);
    }
    if (gp_out(g, name, &plotb) != 0)
        return -1;
    add_chart(cs, name, title,
              "What each scenario has cost by the end of each financial year, net of the placement spend it saved: "
              "its levers' stated costs (capital, one-off, revenue) less the savings against the baseline, "
              "replication by replication, in real terms and discounted (minus the NPV to date; docs/finance.md). "
              "The line is the mean, the band holds 90% of the replications. Below zero, the scenario has paid "
              "back.");
    return 0;
}

/* Run gnuplot on script `name`.gp in folder cd, without a shell. Returns 0
 * when it exited 0 and drew a non-empty PNG and SVG, 1 when gnuplot is
 * missing, 2 when a signal came (gnuplot is stopped), -1 when it failed.
 * gnuplot starts with no signal blocked and every signal at its default
 * action, whatever the calling thread has (the workbench's threads block
 * the stop signals), and its output goes to `name`.log. */
int cch_render(const char *cd, const char *name)
{
    char script[128], log[4096 + 160];
    snprintf(script, sizeof script, "%s.gp", name);
    snprintf(log, sizeof log, "%s/%s.log", cd, name);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    if (posix_spawnattr_init(&at) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    int bad = posix_spawnattr_setsigmask(&at, &none) || posix_spawnattr_setsigdefault(&at, &all) ||
              posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) ||
              posix_spawn_file_actions_addchdir_np(&fa, cd) ||
              (fd >= 0 && (posix_spawn_file_actions_adddup2(&fa, fd, 1) || posix_spawn_file_actions_adddup2(&fa, fd, 2)));
    pid_t pid = -1;
    char *const argv[] = {"gnuplot", script, NULL};
    extern char **environ;
    int err = bad ? -1 : posix_spawnp(&pid, "gnuplot", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (fd >= 0)
        close(fd);
    if (err == ENOENT)
        return 1;
    if (err != 0)
        return -1;
    int st = 0, stopped = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            return -1;
        if (cco_interrupted() && !stopped) {
            kill(pid, SIGTERM);
            stopped = 1;
        }
    }
    if (stopped || cco_interrupted())
        return 2;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return 1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    static const char *const ext[] = {"png", "svg"};
    for (int k = 0; k < 2; k++) {
        char path[4096 + 160];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s.%s", cd, name, ext[k]);
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0)
            return -1;
    }
    return 0;
}

void cch_html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
}

int cch_inline_svg(FILE *f, const char *path)
{
    FILE *s = cco_open_input(path);
    if (!s)
        return -1;
    char line[8192];
    int started = 0;
    while (fgets(line, sizeof line, s)) {
        if (!started) {
            char *p = strstr(line, "<svg");
            if (!p)
                continue;
            started = 1;
            fputs(p, f);
            continue;
        }
        fputs(line, f);
    }
    fclose(s);
    return started ? 0 : -1;
}

static void fmt_band(char *buf, size_t n, const row *x, double scale, const char *unit)
{
    if (!x) {
        snprintf(buf, n, "-");
        return;
    }
    if (scale > 1)
        snprintf(buf, n, "%s%.1fm (%s%.1fm-%s%.1fm)", unit, x->v[0] / scale, unit, x->v[2] / scale, unit,
                 x->v[6] / scale);
    else
        snprintf(buf, n, "%.0f (%.0f-%.0f)", x->v[0], x->v[2], x->v[6]);
}

static const row *at(const table *t, const char *scen, const char *metric, const char *group, const char *date)
{
    for (size_t i = 0; i < t->n; i++) {
        const row *x = &t->r[i];
        if (strcmp(x->scen, scen) == 0 && strcmp(x->metric, metric) == 0 && strcmp(x->group, group) == 0 &&
            strcmp(x->date, date) == 0)
            return x;
    }
    return NULL;
}

/* The variance split (variance.csv, vardec.h) as a table: the spread of each
 * headline series and the share of it due to the parameters. Nothing when
 * the file is absent. */
static void variance_table(FILE *f, const char *dir)
{
    char path[4096 + 32], line[512];
    snprintf(path, sizeof path, "%s/variance.csv", dir);
    FILE *vf = cco_open_input(path);
    if (!vf)
        return;
    int rows = 0;
    if (fgets(line, sizeof line, vf)) /* header */
        while (fgets(line, sizeof line, vf) && rows < 200) {
            line[strcspn(line, "\r\n")] = '\0';
            char *fld[7];
            int nf = 0;
            for (char *p = line, *e; nf < 7; p = e + 1) {
                fld[nf++] = p;
                e = strchr(p, ',');
                if (!e)
                    break;
                *e = '\0';
            }
            if (nf != 7)
                continue;
            if (rows++ == 0)
                fputs("<h2>Where the spread comes from</h2>\n<p>Variance of each headline series across the "
                      "replications, split into the part due to uncertain parameters (between parameter draws) "
                      "and the part due to the randomness of events (within a draw). With uncertainty off all "
                      "of it is process noise.</p>\n<table><tr><th>series</th><th>date</th><th>sd</th>"
                      "<th>parameters</th><th>process</th></tr>\n",
                      f);
            double var = strtod(fld[4], NULL), ps = strtod(fld[5], NULL), qs = strtod(fld[6], NULL);
            fputs("<tr><td>", f);
            cch_html_text(f, fld[0]);
            fputs("</td><td>", f);
            cch_html_text(f, fld[1]);
            fprintf(f, "</td><td>%.4g</td>", var > 0 ? sqrt(var) : 0.0);
            if (*fld[5])
                fprintf(f, "<td>%.0f%%</td><td>%.0f%%</td></tr>\n", 100 * ps, 100 * qs);
            else
                fputs("<td></td><td></td></tr>\n", f);
        }
    if (rows)
        fputs("</table>\n", f);
    fclose(vf);
}

/* compare with costs: the business case of each scenario (bizcase.h). */
static void biz_table(FILE *f, const table *c)
{
    static const row *r[4096];
    if (pick(c, NULL, "payback_year", "all", r, 1) == 0)
        return;
    fputs("<h2>Business case</h2>\n<p>Each scenario against the baseline, replication by replication, in real "
          "terms (the config's price year) and discounted by financial year as in HM Treasury's Green Book "
          "(docs/finance.md): mean, with the 5th-95th percentile. Savings and lever costs are summed over the "
          "run's years, undiscounted.</p>\n<table><tr><th>scenario</th><th>NPV over the run</th>"
          "<th>chance of paying back within the run</th><th>payback year (median)</th><th>lever costs</th>"
          "<th>savings: cashable</th><th>savings: non-cashable (cost avoidance)</th>"
          "<th>net cost a child-week of gap closed</th></tr>\n",
          f);
    size_t np = pick(c, NULL, "payback_year", "all", r, 4096);
    for (size_t i = 0; i < np; i++) {
        const char *sc = r[i]->scen;
        static const row *y[256];
        size_t ny = pick(c, sc, "npv", "all", y, 256);
        if (ny == 0)
            continue;
        double costs = 0, cash = 0, non = 0;
        static const row *q[256];
        size_t nq = pick(c, sc, "lever_cost", "all", q, 256);
        for (size_t k = 0; k < nq; k++)
            costs += q[k]->v[0];
        nq = pick(c, sc, "savings", "cashable", q, 256);
        for (size_t k = 0; k < nq; k++)
            cash += q[k]->v[0];
        nq = pick(c, sc, "savings", "non_cashable", q, 256);
        for (size_t k = 0; k < nq; k++)
            non += q[k]->v[0];
        const row *paid = at(c, sc, "p_payback", "all", y[ny - 1]->date);
        const row *cpw = at(c, sc, "cost_per_gap_week", "all", r[i]->date);
        char b[160];
        fputs("<tr><td>", f);
        cch_html_text(f, sc);
        fmt_band(b, sizeof b, y[ny - 1], 1e6, "&pound;");
        fprintf(f, "</td><td>%s</td><td>%.0f%%</td>", b, paid ? 100 * paid->v[0] : 0.0);
        double p50 = r[i]->v[4];
        if (p50 < (double)ny) {
            int fy = atoi(y[0]->date) - 1 + (int)p50;
            fprintf(f, "<td>%d-%02d (year %d)</td>", fy, (fy + 1) % 100, (int)p50);
        } else {
            fputs("<td>not within the run</td>", f);
        }
        fprintf(f, "<td>&pound;%.1fm</td><td>&pound;%.1fm</td><td>&pound;%.1fm</td>", costs / 1e6, cash / 1e6,
                non / 1e6);
        if (cpw && cpw->v[0] != 0)
            fprintf(f, "<td>&pound;%.0f</td></tr>\n", cpw->v[0]);
        else
            fputs("<td>-</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int report(const char *dir, const char *cd, const table *m, const table *a, const table *c,
                  const charts *cs, int rendered, int nbt)
{
    char path[4096 + 256];
    FILE *f = cco_create(dir, "report.html");
    if (!f)
        return -1;
    const char *scen = first_scenario(m);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>carecap report</title>\n<style>\n"
          "body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}\n"
          "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ccc;padding:.3em .8em;"
          "text-align:right}th:first-child,td:first-child{text-align:left}\n"
          "figure{margin:2em 0}figure svg{width:100%;height:auto;border:1px solid #eee}"
          "figcaption{font-size:.95em;color:#444}\npre{background:#f6f6f6;padding:.8em;font-size:.85em;"
          "overflow-x:auto}\n</style></head>\n<body>\n<h1>carecap: placement sufficiency report</h1>\n", f);
    /* settings from the manifest */
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    FILE *mf = cco_open_input(path);
    if (mf) {
        fputs("<h2>The run</h2>\n<pre>", f);
        char line[4096];
        while (fgets(line, sizeof line, mf))
            cch_html_text(f, line);
        fputs("</pre>\n", f);
        fclose(mf);
    }
    /* headline numbers at the start and after 1, 5 and 10 years */
    const row *dates[4096];
    size_t ndates = m->n ? pick(m, scen, "looked_after", "all", dates, 4096) : 0;
    if (ndates > 0) { /* a folder without looked_after/all has no headline table */
        size_t n = ndates;
        fputs("<h2>Headline numbers</h2>\n<p>Mean over the simulated futures, with the 5th-95th percentile "
              "range in brackets (nine futures in ten fall inside it).</p>\n<table><tr><th></th>", f);
        size_t idx[4] = {0, 12, 60, 120};
        for (int k = 0; k < 4; k++)
            if (idx[k] < n)
            {
                fputs("<th>", f);
                cch_html_text(f, dates[idx[k]]->date);
                fputs("</th>", f);
            }
        fputs("</tr>\n", f);
        static const char *const rowsm[][3] = {{"looked_after", "all", "Children looked after"},
                                               {"gap", "foster", "Foster capacity gap (children)"},
                                               {"gap", "residential", "Residential capacity gap (children)"},
                                               {"kpi", "external_foster", "External foster placements"},
                                               {"kpi", "outside_d2n2", "Placements outside D2N2"}};
        for (int q = 0; q < 5; q++) {
            if (!at(m, scen, rowsm[q][0], rowsm[q][1], dates[0]->date))
                continue;
            fprintf(f, "<tr><td>%s</td>", rowsm[q][2]);
            for (int k = 0; k < 4; k++)
                if (idx[k] < n) {
                    char b[128];
                    fmt_band(b, sizeof b, at(m, scen, rowsm[q][0], rowsm[q][1], dates[idx[k]]->date), 1, "");
                    fprintf(f, "<td>%s</td>", b);
                }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    if (a->n) {
        const row *tot[256], *months[256];
        size_t n = pick(a, scen, "spend", "total", tot, 256), nm = pick(a, scen, "fy_months", "covered", months, 256);
        if (n && nm == n) {
            fputs("<table><tr><th>Placement spend, full financial years</th><th>mean (5th-95th percentile)</th></tr>\n", f);
            int shown = 0;
            for (size_t i = 0; i < n; i++) {
                if (months[i]->v[0] < 12)
                    continue;
                shown++;
                if (shown != 1 && shown != 5 && shown != 9)
                    continue;
                int y = atoi(tot[i]->date);
                char b[128];
                fmt_band(b, sizeof b, tot[i], 1e6, "&pound;");
                fprintf(f, "<tr><td>%d-%02d (year %d)</td><td>%s</td></tr>\n", y - 1, y % 100, shown, b);
            }
            fputs("</table>\n", f);
        }
    }
    variance_table(f, dir);
    /* charts */
    fputs("<h2>Charts</h2>\n", f);
    if (!rendered)
        fputs("<p><strong>The charts were not drawn: gnuplot is not installed.</strong> Their data and scripts are in "
              "the charts folder; run <code>carecap plot</code> on this folder once gnuplot is installed.</p>\n", f);
    for (int k = 0; k < cs->n; k++) {
        fprintf(f, "<figure class=\"chart\" id=\"%s\">\n", cs->c[k].name);
        snprintf(path, sizeof path, "%s/%s.svg", cd, cs->c[k].name);
        if (!rendered || cch_inline_svg(f, path) != 0)
            fprintf(f, "<p>(%s.svg was not drawn)</p>\n", cs->c[k].name);
        fputs("<figcaption><strong>", f);
        cch_html_text(f, cs->c[k].title);
        fputs(".</strong> ", f);
        cch_html_text(f, cs->c[k].caption);
        fprintf(f, " (<a href=\"charts/%s.png\">PNG</a>, <a href=\"charts/%s.csv\">data</a>)</figcaption>\n</figure>\n",
                cs->c[k].name, cs->c[k].name);
    }
    /* key table of the comparison */
    if (c->n) {
        fputs("<h2>Scenarios against the baseline</h2>\n<p>Paired difference at the last date (mean, with "
              "5th-95th percentile), and the share of replications in which the scenario is better.</p>\n"
              "<table><tr><th>scenario</th><th>children in care</th><th>foster gap</th><th>residential gap</th>"
              "<th>outside D2N2</th></tr>\n",
              f);
        const char *last = c->r[0].date;
        for (size_t i = 0; i < c->n; i++)
            if (strcmp(c->r[i].date, last) > 0 && strstr(c->r[i].date, "-03-31") == NULL)
                last = c->r[i].date;
        char done[32][NAMESZ];
        int nd = 0;
        for (size_t i = 0; i < c->n && nd < 32; i++) {
            int seen = 0;
            for (int k = 0; k < nd; k++)
                seen |= strcmp(done[k], c->r[i].scen) == 0;
            if (seen)
                continue;
            snprintf(done[nd++], NAMESZ, "%s", c->r[i].scen);
            fputs("<tr><td>", f);
            cch_html_text(f, c->r[i].scen);
            fputs("</td>", f);
            static const char *const g4[][2] = {{"looked_after", "all"}, {"gap", "foster"}, {"gap", "residential"},
                                                {"kpi", "outside_d2n2"}};
            for (int q = 0; q < 4; q++) {
                const row *x = at(c, c->r[i].scen, g4[q][0], g4[q][1], last);
                char b[160];
                fmt_band(b, sizeof b, x, 1, "");
                fprintf(f, "<td>%s", b);
                if (x && x->better >= 0)
                    fprintf(f, "; %.0f%% better", 100 * x->better);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    biz_table(f, c);
    cbt_report(f, dir, cd, rendered); /* a back-test's section, if the folder has one */
    /* for checking in a browser: how many charts are present and visible */
    fprintf(f, "<p id=\"chart-check\" data-expected=\"%d\">%d charts.</p>\n"
               "<script>\nwindow.addEventListener('load',function(){var n=0;"
               "document.querySelectorAll('figure.chart svg').forEach(function(s){var r=s.getBoundingClientRect();"
               "if(r.width>100&&r.height>50&&getComputedStyle(s).visibility!=='hidden')n++;});"
               "document.getElementById('chart-check').setAttribute('data-visible',String(n));});\n</script>\n",
            rendered ? cs->n + nbt : 0, cs->n + nbt);
    fputs("</body></html>\n", f);
    return cco_close(f, "report.html");
}

/* The first lines gnuplot wrote for chart `name`, each after "gnuplot: ". */
static void show_log(const char *cd, const char *name, FILE *err)
{
    char path[4096 + 160], line[512];
    snprintf(path, sizeof path, "%s/%s.log", cd, name);
    FILE *f = cco_open_input(path);
    if (!f)
        return;
    for (int n = 0; n < 5 && fgets(line, sizeof line, f); n++) {
        line[strcspn(line, "\r\n")] = '\0';
        fprintf(err, "carecap: gnuplot: %s\n", line);
    }
    fclose(f);
}

int cch_draw(const char *dir, const char *shown, FILE *err)
{
    char path[4096], cd[4096];
    table m = {0}, a = {0}, c = {0};
    int rc = -1;
    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    if (read_csv(path, &m, 0, 0, err) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/annual.csv", dir);
    if (read_csv(path, &a, 0, 1, err) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/comparison.csv", dir);
    if (read_csv(path, &c, 1, 1, err) < 0)
        goto out;
    snprintf(cd, sizeof cd, "%s/charts", dir);
    if (mkdir(cd, 0777) != 0) {
        fprintf(err, "carecap: %s/charts: cannot create: %s\n", shown, strerror(errno));
        goto out;
    }
    charts cs;
    cs.n = 0;
    const char *scen = first_scenario(&m);
    errno = 0;
    int w = gap_chart(cd, &m, scen, "foster", "Foster care", &cs);
    w |= gap_chart(cd, &m, scen, "residential", "Residential care", &cs);
    w |= mix_chart(cd, &m, scen, &cs);
    w |= cohort_chart(cd, &m, scen, &cs);
    w |= kpi_chart(cd, &m, scen, &cs);
    w |= spend_charts(cd, &a, scen, &cs);
    if (c.n)
        w |= cmp_charts(cd, &c, &a, &cs);
    if (c.n)
        w |= biz_chart(cd, &c, &cs);
    if (w != 0) {
        fprintf(err, "carecap: %s/charts: cannot write the chart files: %s\n", shown, strerror(errno ? errno : EIO));
        goto out;
    }
    int rendered = 1;
    for (int k = 0; k < cs.n && !cco_interrupted(); k++) {
        int r = cch_render(cd, cs.c[k].name);
        if (r == 2)
            goto out;
        if (r == 1) {
            fprintf(err, "carecap: gnuplot is not installed: the chart data and scripts are in %s/charts; install "
                         "gnuplot and run `carecap plot %s` to draw them\n",
                    shown, shown);
            rendered = 0;
            break;
        }
        if (r != 0) {
            fprintf(err, "carecap: %s/charts/%s.gp: gnuplot failed or drew an empty picture\n", shown,
                    cs.c[k].name);
            show_log(cd, cs.c[k].name, err); /* the folder with the log is removed */
            goto out;
        }
    }
    if (cco_interrupted())
        goto out;
    int nbt = cbt_charts(dir, cd, rendered, err);
    if (nbt < 0 || cco_interrupted())
        goto out;
    errno = 0;
    if (report(dir, cd, &m, &a, &c, &cs, rendered, nbt) != 0) {
        fprintf(err, "carecap: %s/report.html: cannot write: %s\n", shown, strerror(errno ? errno : EIO));
        goto out;
    }
    rc = 0;
out:
    free(m.r), free(a.r), free(c.r);
    return rc;
}

int cch_plot(const char *dir, FILE *err)
{
    cco_sigsave sv = {0};
    char path[4096], msg[512] = "";
    /* the folder's results are read first: a clear message when they are missing */
    snprintf(path, sizeof path, "%s/monthly.csv", dir);
    table probe = {0};
    int r = read_csv(path, &probe, 0, 0, err);
    free(probe.r);
    if (r != 0)
        return -1;
    cco_signals_catch(&sv);
    cco_stage *st = cco_stage_new(dir, msg);
    if (!st) {
        fprintf(err, "carecap: %s\n", msg);
        cco_signals_default(&sv);
        return -1;
    }
    /* a copy of the results beside the new charts; the folder is switched whole */
    static const char *const keep[] = {"monthly.csv", "annual.csv", "comparison.csv",
                                       "manifest.txt", "config.cfg", "spend.xlsx", "variance.csv"};
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
        if (cco_copy_file(dir, keep[k], cco_stage_dir(st)) < 0) {
            int e = errno;
            if (e == EFBIG)
                fprintf(err, "carecap: %s/%s: larger than %ld MiB (expected a file written by carecap)\n", dir,
                        keep[k], CCO_MAX_INPUT >> 20);
            else if (e == ELOOP || e == EINVAL)
                fprintf(err, "carecap: %s/%s: not a regular file (carecap reads results only from regular files)\n",
                        dir, keep[k]);
            else
                fprintf(err, "carecap: %s/%s: cannot copy: %s\n", dir, keep[k], strerror(e ? e : EIO));
            cco_stage_abort(st);
            cco_signals_default(&sv);
            return -1;
        }
    int rc = cch_draw(cco_stage_dir(st), dir, err);
    if (rc == 0 && cco_interrupted() == 0 && cco_stage_commit(st, msg) != 0) {
        fprintf(err, "carecap: %s\n", msg);
        rc = -1;
    } else if (rc != 0 || cco_interrupted()) {
        fprintf(err, "carecap: %s%s is unchanged\n", cco_interrupted() ? "interrupted; " : "", dir);
        cco_stage_abort(st);
        rc = -1;
    }
    cco_signals_default(&sv);
    return rc;
}
