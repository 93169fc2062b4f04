/* backtest: forecast against published figures (see backtest.h). */
#define _XOPEN_SOURCE 700
#include "backtest.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "charts.h"
#include "csv.h"
#include "metrics.h"
#include "output.h"

const char cbt_csv_header[] = "measure,year,actual,mean,sd,p05,p50,p95,inside_90,error_pct";

/* The model's series of measure m: a stock at 31 March (kind 1), a flow
 * summed over April-March (kind 0), or the staying-put ratio; -1 when the
 * model cannot produce it. */
static int series_of(const cce_result *r, cdf_measure m)
{
    const ccx_layout *L = r->L;
    switch (m) {
    case CDF_IN_CARE: return L->la_all;
    case CDF_STARTS: return L->ent_all;
    case CDF_STARTS_U1: return L->dfe + CCX_DFE_U1;
    case CDF_STARTS_1_4: return L->dfe + CCX_DFE_1_4;
    case CDF_STARTS_5_9: return L->dfe + CCX_DFE_5_9;
    case CDF_STARTS_10_15: return L->dfe + CCX_DFE_10_15;
    case CDF_STARTS_16: return L->dfe + CCX_DFE_16;
    case CDF_CEASED: return L->ex_all;
    case CDF_CEASED_HOME: return L->ex_route + CCM_RETURN_HOME;
    case CDF_CEASED_ADOPTED: return L->ex_route + CCM_ADOPTION_EXIT;
    case CDF_CEASED_SGO: return L->ex_route + CCM_SGO;
    case CDF_CEASED_CAO: return L->ex_route + CCM_CAO;
    case CDF_CEASED_18: return L->ex_age18;
    case CDF_CEASED_OTHER: return L->ex_age18 + 1;
    case CDF_STAYPUT_PCT: return L->dfe + CCX_DFE_SP_YES;
    case CDF_PL3: return L->dfe + CCX_DFE_PL3;
    case CDF_OUTSIDE: return r->p->supply.enabled ? L->outside : -1;
    case CDF_PL_CHANGES: return L->mv_all;
    default: return -1;
    }
}

/* Why the model cannot produce measure m. */
static const char *cannot(cdf_measure m)
{
    if (m == CDF_OUTSIDE)
        return "the config has no supply section, so no child has a place inside or outside the county";
    if (m == CDF_SHORT_TERM)
        return "the model does not simulate series of short-term (respite) placements";
    return "the model has no such count";
}


/* Measure m in replication rep for the year ending at snapshot kE (>= 12). */
static double model_value(const cce_result *r, cdf_measure m, int j, int rep, int kE)
{
    if (cdf_measure_kind[m] == 1)
        return cce_value(r, rep, j, kE);
    double a = 0, b = 0;
    for (int k = kE - 11; k <= kE; k++) {
        a += cce_value(r, rep, j, k);
        if (m == CDF_STAYPUT_PCT)
            b += cce_value(r, rep, r->L->dfe + CCX_DFE_SP_ELIG, k);
    }
    if (m == CDF_STAYPUT_PCT)
        return b > 0 ? 100 * a / b : NAN;
    return a;
}

/* The 90% band's ends as order statistics of the sorted sample x[0..n-1]
 * (ccy_summarise leaves it sorted): with k = ceil(n / 20), the band runs
 * from x[k-1] to x[n-k]. A value lies inside exactly when at least 5% of the
 * replications are at or below it and at least 5% at or above it, so an
 * integer published count is compared with integer ends (no interpolation
 * between two sample values) and a count the model gives 5% of the time at
 * the edge is inside. */
static void band_ends(const double *x, size_t n, ccy_stats *st)
{
    size_t k = (n + 19) / 20;
    if (k < 1)
        k = 1;
    st->p05 = x[k - 1];
    st->p95 = x[n - k];
}

static int push(cbt_table *t, int *cap, const cbt_row *x)
{
    if (t->n == *cap) {
        int c = *cap ? 2 * *cap : 64;
        cbt_row *a = realloc(t->row, (size_t)c * sizeof *a);
        if (!a)
            return -1;
        t->row = a;
        *cap = c;
    }
    t->row[t->n++] = *x;
    return 0;
}

/* "year to 31 March Y" or "years to 31 March Y0-Y1" */
static void span(char *buf, size_t n, int first, int last)
{
    if (first == last)
        snprintf(buf, n, "year to 31 March %d", first);
    else
        snprintf(buf, n, "years to 31 March %d-%d", first, last);
}

void cbt_years(const cbt_table *t, char *buf, size_t n) { span(buf, n, t->first, t->last); }

int cbt_compute(const cce_result *r, const cdf_set *d, cc_diag *notes, cbt_table **out)
{
    *out = NULL;
    cbt_table *t = calloc(1, sizeof *t);
    double *x = malloc((size_t)r->reps * sizeof *x);
    if (!t || !x) {
        free(t);
        free(x);
        return -1;
    }
    int cap = 0, y, m, dd;
    char d0[16], d1[16];
    ccd_format(r->dates[0], d0);
    ccd_format(r->dates[r->ndates - 1], d1);
    /* whole April-March years: from a 31 March snapshot to the next */
    for (int kE = 0; kE < r->ndates; kE++) {
        ccd_to_ymd(r->dates[kE], &y, &m, &dd);
        if (m != 3)
            continue;
        int in_files = 0;
        for (int q = 0; q < CDF_NMEASURE && !in_files; q++) {
            double v;
            in_files = cdf_get(d, (cdf_measure)q, y, &v) != CDF_ABSENT;
        }
        /* A year only partly inside the run: its 31 March stocks are inside
         * the run and are compared; its flows, and the 3+ placements that
         * count a whole year's moves, are not. */
        int partial = kE < 12;
        if (partial && (kE == 0 || !in_files))
            continue;
        if (partial)
            ccg_add(notes,
                    "the year to 31 March %d is only partly inside the run (from %s): only the children in care "
                    "and placed outside the council at 31 March are compared",
                    y, d0);
        if (!t->first)
            t->first = y;
        t->last = y;
        for (int q = 0; q < CDF_NMEASURE; q++) {
            if (partial && (cdf_measure_kind[q] != 1 || q == CDF_PL3))
                continue;
            cbt_row row;
            memset(&row, 0, sizeof row);
            row.m = (cdf_measure)q;
            row.year = y;
            row.actual_st = cdf_get(d, row.m, y, &row.actual);
            if (row.actual_st == CDF_ABSENT)
                continue;
            int j = series_of(r, row.m);
            if (j >= 0) {
                size_t n = 0;
                for (int rep = 0; rep < r->reps; rep++) {
                    double v = model_value(r, row.m, j, rep, kE);
                    if (isfinite(v))
                        x[n++] = v;
                }
                if (n > 0) {
                    row.modelled = 1;
                    ccy_summarise(x, n, &row.st);
                    band_ends(x, n, &row.st);
                }
            }
            if (push(t, &cap, &row) != 0) {
                cbt_free(t);
                free(x);
                return -1;
            }
        }
    }
    /* the end of the run: a year that goes on past it */
    ccd_to_ymd(r->dates[r->ndates - 1], &y, &m, &dd);
    if (m != 3) {
        int ye = y + (m > 3);
        for (int q = 0; q < CDF_NMEASURE; q++) {
            double v;
            if (cdf_get(d, (cdf_measure)q, ye, &v) != CDF_ABSENT) {
                ccg_add(notes, "the year to 31 March %d is only partly inside the run (to %s) and is not compared",
                        ye, d1);
                break;
            }
        }
    }
    free(x);
    if (t->n == 0) {
        int f0, f1;
        cdf_years(d, &f0, &f1);
        ccg_add(notes,
                "no published figure falls inside the run (%s to %s): the files have the years to 31 March %d-%d "
                "(expected a run that holds a 31 March of those years)",
                d0, d1, f0, f1);
        cbt_free(t);
        return 1;
    }
    /* what cannot be compared, said once per measure */
    for (int q = 0; q < CDF_NMEASURE; q++) {
        int rows = 0, modelled = 0;
        for (int i = 0; i < t->n; i++)
            if (t->row[i].m == (cdf_measure)q) {
                rows++;
                modelled |= t->row[i].modelled;
            }
        char yrs[64];
        span(yrs, sizeof yrs, t->first, t->last);
        if (rows && !modelled && series_of(r, (cdf_measure)q) < 0)
            ccg_add(notes, "%s: the model cannot produce it (%s); its rows have empty model columns",
                    cdf_measure_name[q], cannot((cdf_measure)q));
        else if (rows && !modelled)
            ccg_add(notes, "%s: no replication had a child to count (no child eligible for staying put reached "
                           "18); its rows have empty model columns",
                    cdf_measure_name[q]);
        if (!rows)
            ccg_add(notes, "%s: not in the files for the %s", cdf_measure_name[q], yrs);
    }
    /* published as suppressed: no figure to score */
    for (int q = 0; q < CDF_NMEASURE; q++) {
        char list[256] = "";
        size_t o = 0;
        int n = 0;
        for (int i = 0; i < t->n && o < sizeof list - 16; i++)
            if (t->row[i].m == (cdf_measure)q && t->row[i].actual_st == CDF_SUPPRESSED) {
                int w = snprintf(list + o, sizeof list - o, "%s%d", n ? ", " : "", t->row[i].year);
                if (w > 0)
                    o += (size_t)w;
                n++;
            }
        if (n)
            ccg_add(notes,
                    "%s: no published figure for the year%s to 31 March %s (it, or a part of it, is suppressed in "
                    "the files); %s not scored",
                    cdf_measure_name[q], n == 1 ? "" : "s", list, n == 1 ? "it is" : "they are");
    }
    double sum = 0;
    for (int i = 0; i < t->n; i++) {
        const cbt_row *w = &t->row[i];
        if (!w->modelled || w->actual_st != CDF_PUBLISHED)
            continue;
        t->compared++;
        t->inside += w->actual >= w->st.p05 && w->actual <= w->st.p95;
        if (w->actual != 0) {
            sum += fabs(100 * (w->st.mean - w->actual) / w->actual);
            t->nmape++;
        }
    }
    t->mape = t->nmape ? sum / t->nmape : NAN;
    *out = t;
    return 0;
}

void cbt_free(cbt_table *t)
{
    if (!t)
        return;
    free(t->row);
    free(t);
}

int cbt_write_csv(FILE *f, const cbt_table *t)
{
    fprintf(f, "%s\n", cbt_csv_header);
    for (int i = 0; i < t->n; i++) {
        const cbt_row *w = &t->row[i];
        char b[7][64];
        for (int k = 0; k < 7; k++)
            b[k][0] = '\0';
        if (w->actual_st == CDF_PUBLISHED)
            cco_num(w->actual, b[0]);
        if (w->modelled) {
            cco_num(w->st.mean, b[1]);
            cco_num(w->st.sd, b[2]);
            cco_num(w->st.p05, b[3]);
            cco_num(w->st.p50, b[4]);
            cco_num(w->st.p95, b[5]);
        }
        const char *inside = "";
        if (w->modelled && w->actual_st == CDF_PUBLISHED) {
            inside = w->actual >= w->st.p05 && w->actual <= w->st.p95 ? "1" : "0";
            if (w->actual != 0)
                cco_num(100 * (w->st.mean - w->actual) / w->actual, b[6]);
        }
        fprintf(f, "%s,%d,%s,%s,%s,%s,%s,%s,%s,%s\n", cdf_measure_name[w->m], w->year, b[0], b[1], b[2], b[3], b[4],
                b[5], inside, b[6]);
    }
    return ferror(f) ? -1 : 0;
}

void cbt_score(const cbt_table *t, char *buf, size_t n)
{
    if (t->nmape)
        snprintf(buf, n, "%d of %d measure-years inside the 90%% band (%.0f%%); mean absolute error %.1f%%",
                 t->inside, t->compared, t->compared ? 100.0 * t->inside / t->compared : 0.0, t->mape);
    else
        snprintf(buf, n, "%d of %d measure-years inside the 90%% band (%.0f%%); mean absolute error n/a",
                 t->inside, t->compared, t->compared ? 100.0 * t->inside / t->compared : 0.0);
}

/* ---- charts and report: from the folder's backtest.csv ---- */

typedef struct {
    int m, year, has_actual, modelled;
    double actual, mean, p05, p50, p95;
    int inside;
} prow;

/* Read dir/backtest.csv: rows of known measures only. -1 if absent or unreadable. */
static int read_back(const char *dir, prow **rows, int *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/backtest.csv", dir);
    *rows = NULL;
    *n = 0;
    ccv_file *f = ccv_open(path);
    if (!f)
        return -1;
    static const char *const cols[] = {"measure", "year", "actual", "mean", "p05", "p50", "p95", "inside_90"};
    int c[8];
    FILE *devnull = fopen("/dev/null", "w");
    int ok = devnull && ccv_columns(f, path, cols, 8, c, devnull) == 0;
    if (devnull)
        fclose(devnull);
    if (!ok) {
        ccv_close(f);
        return -1;
    }
    int cap = 0;
    while (ccv_row(f)) {
        int m = 0;
        while (m < CDF_NMEASURE && strcmp(ccv_field(f, c[0]), cdf_measure_name[m]) != 0)
            m++;
        if (m == CDF_NMEASURE)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            prow *a = realloc(*rows, (size_t)cap * sizeof *a);
            if (!a)
                break;
            *rows = a;
        }
        prow *x = &(*rows)[(*n)++];
        memset(x, 0, sizeof *x);
        x->m = m;
        x->year = atoi(ccv_field(f, c[1]));
        x->has_actual = *ccv_field(f, c[2]) != '\0';
        x->actual = atof(ccv_field(f, c[2]));
        x->modelled = *ccv_field(f, c[3]) != '\0';
        x->mean = atof(ccv_field(f, c[3]));
        x->p05 = atof(ccv_field(f, c[4]));
        x->p50 = atof(ccv_field(f, c[5]));
        x->p95 = atof(ccv_field(f, c[6]));
        x->inside = atoi(ccv_field(f, c[7]));
    }
    ccv_close(f);
    return 0;
}

/* The plot command: the fan, the median with its band, the published points. */
static void plot_cmd(FILE *g, const char *name)
{
    fprintf(g, "plot '%s.csv' skip 1 using 1:2:4 with filledcurves lc rgb '#0072B2' title 'model: 5th-95th "
               "percentile', \\\n",
            name);
    fprintf(g, "     '' skip 1 using 1:3:2:4 with yerrorbars lc rgb '#0072B2' pt 7 ps 0.6 title 'model: median and "
               "90%% band', \\\n");
    fprintf(g, "     '' skip 1 using 1:6 with points pt 5 ps 1.6 lc rgb '#D55E00' title 'published (DfE)'\n");
}

int cbt_charts(const char *dir, const char *cd, int draw, FILE *err)
{
    prow *rows;
    int n;
    if (read_back(dir, &rows, &n) != 0)
        return 0;
    int charts = 0, fail = 0, missing = 0;
    for (int m = 0; m < CDF_NMEASURE && !fail; m++) {
        int any = 0, y0 = 0, y1 = 0;
        for (int i = 0; i < n; i++)
            if (rows[i].m == m && rows[i].modelled) {
                if (!any || rows[i].year < y0)
                    y0 = rows[i].year;
                if (!any || rows[i].year > y1)
                    y1 = rows[i].year;
                any = 1;
            }
        if (!any)
            continue;
        char name[96], fname[128];
        snprintf(name, sizeof name, "backtest-%s", cdf_measure_name[m]);
        /* the data: fixed column names; gnuplot reads no text from it */
        snprintf(fname, sizeof fname, "%s.csv", name);
        FILE *f = cco_create(cd, fname); /* new files only, never through a link */
        if (!f) {
            fail = 1;
            break;
        }
        fprintf(f, "year,p05,p50,p95,mean,actual\n");
        for (int i = 0; i < n; i++) {
            const prow *x = &rows[i];
            if (x->m != m || !x->modelled)
                continue;
            char a[64];
            if (x->has_actual)
                cco_num(x->actual, a);
            else
                snprintf(a, sizeof a, "NaN");
            fprintf(f, "%d,%.6g,%.6g,%.6g,%.6g,%s\n", x->year, x->p05, x->p50, x->p95, x->mean, a);
        }
        fail |= cco_close(f, fname) != 0;
        /* the script: only this program's own text (the measure's label) */
        snprintf(fname, sizeof fname, "%s.gp", name);
        FILE *g = cco_create(cd, fname);
        if (!g) {
            fail = 1;
            break;
        }
        fprintf(g, "# %s: drawn by carecap backtest from %s.csv; run with: gnuplot %s.gp\n", name, name, name);
        fprintf(g, "set datafile separator ','\nset datafile missing 'NaN'\n");
        fprintf(g, "set title \"%s\" font \",13\" noenhanced\n", cdf_measure_label[m]);
        fprintf(g, "set ylabel \"%s\"\n", cdf_measure_kind[m] == 2 ? "per cent" : "children");
        fprintf(g, "set xlabel 'year ending 31 March'\nset xtics 1 nomirror\nset ytics nomirror\nset border 3\n");
        fprintf(g, "set xrange [%g:%g]\nset yrange [0:*]\n", y0 - 0.5, y1 + 0.5);
        fprintf(g, "set key outside below center horizontal noenhanced\n");
        fprintf(g, "set grid ytics lc rgb '#dddddd'\nset style fill transparent solid 0.25 noborder\n");
        fprintf(g, "set terminal pngcairo size 900,500 font 'Sans,11'\nset output '%s.png'\n", name);
        plot_cmd(g, name);
        fprintf(g, "set terminal svg size 900,500 dynamic font 'Sans,11'\nset output '%s.svg'\n", name);
        plot_cmd(g, name);
        fprintf(g, "unset output\n");
        fail |= cco_close(g, fname) != 0;
        if (fail)
            break;
        charts++;
        if (draw && !missing) {
            int rr = cco_interrupted() ? 2 : cch_render(cd, name);
            if (rr == 1)
                missing = 1;
            else if (rr != 0) { /* a failed or interrupted drawing fails the whole write */
                if (rr != 2)
                    fprintf(err, "carecap: charts/%s.gp: gnuplot failed or drew an empty picture\n", name);
                free(rows);
                return -1;
            }
        }
    }
    free(rows);
    if (fail) {
        fprintf(err, "carecap: charts: cannot write the back-test chart files: %s\n", strerror(errno ? errno : EIO));
        return -1;
    }
    return charts;
}

void cbt_report(FILE *f, const char *dir, const char *cd, int rendered)
{
    prow *rows;
    int n;
    if (read_back(dir, &rows, &n) != 0)
        return;
    fputs("<h2 id=\"backtest\">Back-test against the published figures</h2>\n"
          "<p>The forecast (mean, and the 5th-95th percentile band of the replications) beside the Department for "
          "Education's published figures for the same April-March years, by the DfE's definitions "
          "(see docs/backtest.md). A published figure outside the band is marked.</p>\n",
          f);
    char path[4096 + 128];
    snprintf(path, sizeof path, "%s/backtest.txt", dir);
    FILE *s = cco_open_input(path);
    if (s) {
        fputs("<pre>", f);
        char line[2048];
        while (fgets(line, sizeof line, s))
            cch_html_text(f, line);
        fputs("</pre>\n", f);
        fclose(s);
    }
    fputs("<table><tr><th>measure</th><th>year to 31 March</th><th>published</th><th>model mean</th>"
          "<th>5th-95th percentile</th><th>inside</th></tr>\n",
          f);
    for (int i = 0; i < n; i++) {
        const prow *x = &rows[i];
        fprintf(f, "<tr><td>%s</td><td>%d</td>", cdf_measure_label[x->m], x->year);
        char a[64];
        cco_num(x->actual, a);
        if (x->has_actual)
            fprintf(f, "<td>%s</td>", a);
        else
            fputs("<td>suppressed</td>", f);
        if (x->modelled)
            fprintf(f, "<td>%.1f</td><td>%.1f-%.1f</td><td>%s</td></tr>\n", x->mean, x->p05, x->p95,
                    !x->has_actual ? "" : x->inside ? "yes" : "<strong>no</strong>");
        else
            fputs("<td colspan=\"3\">the model cannot produce it</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    for (int m = 0; m < CDF_NMEASURE; m++) {
        int any = 0;
        for (int i = 0; i < n; i++)
            any |= rows[i].m == m && rows[i].modelled;
        if (!any)
            continue;
        fprintf(f, "<figure class=\"chart\" id=\"backtest-%s\">\n", cdf_measure_name[m]);
        snprintf(path, sizeof path, "%s/backtest-%s.svg", cd, cdf_measure_name[m]);
        if (!rendered || cch_inline_svg(f, path) != 0)
            fprintf(f, "<p>(backtest-%s.svg was not drawn)</p>\n", cdf_measure_name[m]);
        fprintf(f, "<figcaption><strong>%s.</strong> Model fan (5th-95th percentile) and median by year ending 31 "
                   "March, with the published figure. (<a href=\"charts/backtest-%s.png\">PNG</a>, "
                   "<a href=\"charts/backtest-%s.csv\">data</a>)</figcaption>\n</figure>\n",
                cdf_measure_label[m], cdf_measure_name[m], cdf_measure_name[m]);
    }
    free(rows);
}
