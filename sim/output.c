/* output: CSV and manifest writers, atomic multi-file commits. */
#define _POSIX_C_SOURCE 200809L
#include "output.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ccdate.h"
#include "costs.h"
#include "summary.h"

const char cco_csv_header[] = "scenario,date,metric,group,mean,sd,p05,p25,p50,p75,p95";

int cco_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

enum { MAXFILES = 32 };

struct cco_batch {
    char *dir;
    int n;
    FILE *f[MAXFILES];
    char *tmp[MAXFILES];
    char *final[MAXFILES];
};

static char *join_path(const char *dir, const char *a, const char *b)
{
    size_t n = strlen(dir) + strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s", dir, a, b);
    return s;
}

cco_batch *cco_batch_new(const char *dir)
{
    cco_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    size_t n = strlen(dir) + 1;
    b->dir = malloc(n);
    if (!b->dir) {
        free(b);
        return NULL;
    }
    memcpy(b->dir, dir, n);
    return b;
}

FILE *cco_batch_add(cco_batch *b, const char *name)
{
    if (b->n == MAXFILES)
        return NULL;
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    char dotname[256];
    snprintf(dotname, sizeof dotname, ".%s", name);
    char *tmp = join_path(b->dir, dotname, suffix);
    char *fin = join_path(b->dir, name, "");
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    if (!f) {
        free(tmp);
        free(fin);
        return NULL;
    }
    static const size_t bufsz = 1 << 16;
    setvbuf(f, NULL, _IOFBF, bufsz);
    b->f[b->n] = f;
    b->tmp[b->n] = tmp;
    b->final[b->n] = fin;
    b->n++;
    return f;
}

const char *cco_batch_add_path(cco_batch *b, const char *name)
{
    if (b->n == MAXFILES)
        return NULL;
    char suffix[64];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    char dotname[256];
    snprintf(dotname, sizeof dotname, ".%s", name);
    char *tmp = join_path(b->dir, dotname, suffix);
    char *fin = join_path(b->dir, name, "");
    if (!tmp || !fin) {
        free(tmp);
        free(fin);
        return NULL;
    }
    b->f[b->n] = NULL;
    b->tmp[b->n] = tmp;
    b->final[b->n] = fin;
    b->n++;
    return tmp;
}

static void release(cco_batch *b)
{
    for (int i = 0; i < b->n; i++) {
        free(b->tmp[i]);
        free(b->final[i]);
    }
    free(b->dir);
    free(b);
}

void cco_batch_abort(cco_batch *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++) {
        if (b->f[i])
            fclose(b->f[i]);
        remove(b->tmp[i]);
    }
    release(b);
}

int cco_batch_commit(cco_batch *b, char *err)
{
    for (int i = 0; i < b->n; i++) {
        FILE *f = b->f[i];
        b->f[i] = NULL;
        if (!f) { /* written by path */
            struct stat sb;
            if (stat(b->tmp[i], &sb) != 0) {
                snprintf(err, 512, "%s: was not written: %s", b->final[i], strerror(errno));
                cco_batch_abort(b);
                return -1;
            }
            continue;
        }
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            snprintf(err, 512, "%s: write failed: %s", b->final[i], strerror(errno ? errno : EIO));
            cco_batch_abort(b);
            return -1;
        }
    }
    for (int i = 0; i < b->n; i++)
        if (rename(b->tmp[i], b->final[i]) != 0) {
            snprintf(err, 512, "%s: cannot rename into place: %s", b->final[i], strerror(errno));
            cco_batch_abort(b);
            return -1;
        }
    release(b);
    return 0;
}

void cco_num(double v, char *buf)
{
    snprintf(buf, 64, "%.4f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
}

void cco_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void row(FILE *f, const char *scenario, int32_t day, const char *metric, const char *group,
                const ccy_stats *st)
{
    char date[16], v[7][64];
    ccd_format(day, date);
    cco_num(st->mean, v[0]);
    cco_num(st->sd, v[1]);
    cco_num(st->p05, v[2]);
    cco_num(st->p25, v[3]);
    cco_num(st->p50, v[4]);
    cco_num(st->p75, v[5]);
    cco_num(st->p95, v[6]);
    cco_field(f, scenario);
    fprintf(f, ",%s,", date);
    cco_field(f, metric);
    fputc(',', f);
    cco_field(f, group);
    fprintf(f, ",%s,%s,%s,%s,%s,%s,%s\n", v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
}

/* Statistics of every series at every date (annual: every flow over every
 * year), computed series by series so that each replication's values are
 * read in one contiguous run, spread over the run's threads. The result is
 * the same whatever the number of threads. */
typedef struct {
    const cce_result *r;
    int annual;
    int nper;          /* dates (monthly) or years (annual) */
    ccy_stats *st;     /* [series * nper + period] */
    atomic_int next;
    atomic_int failed;
} sumjob;

static void *summarise_series(void *arg)
{
    sumjob *job = arg;
    const cce_result *r = job->r;
    int n = r->reps, nper = job->nper;
    double *buf = malloc((size_t)n * (size_t)nper * sizeof *buf);
    if (!buf) {
        atomic_store(&job->failed, 1);
        return NULL;
    }
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    for (;;) {
        int j = atomic_fetch_add(&job->next, 1);
        if (j >= r->L->n)
            break;
        if (job->annual && r->L->kind[j] != CCX_FLOW)
            continue;
        for (int i = 0; i < n; i++) {
            const double *v = r->data + (size_t)i * slice + (size_t)j * (size_t)r->ndates;
            if (!job->annual) {
                for (int k = 0; k < nper; k++)
                    buf[(size_t)k * (size_t)n + (size_t)i] = v[k];
            } else {
                for (int y = 1; y <= nper; y++) {
                    double sum = 0;
                    for (int k = 12 * (y - 1) + 1; k <= 12 * y; k++)
                        sum += v[k];
                    buf[(size_t)(y - 1) * (size_t)n + (size_t)i] = sum;
                }
            }
        }
        for (int k = 0; k < nper; k++)
            ccy_summarise(buf + (size_t)k * (size_t)n, (size_t)n, &job->st[(size_t)j * (size_t)nper + (size_t)k]);
    }
    free(buf);
    return NULL;
}

static ccy_stats *summarise_all(const cce_result *r, int annual, int nper)
{
    sumjob job;
    job.r = r;
    job.annual = annual;
    job.nper = nper;
    job.st = malloc((size_t)r->L->n * (size_t)nper * sizeof *job.st);
    if (!job.st)
        return NULL;
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, 0);
    int nt = r->threads > 1 ? r->threads : 1;
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < nt && t < 64; t++)
        if (pthread_create(&tid[started], NULL, summarise_series, &job) == 0)
            started++;
    summarise_series(&job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    if (atomic_load(&job.failed)) {
        free(job.st);
        return NULL;
    }
    return job.st;
}

int cco_write_monthly(FILE *f, const cce_result *r, int header)
{
    if (header)
        fprintf(f, "%s\n", cco_csv_header);
    ccy_stats *st = summarise_all(r, 0, r->ndates);
    if (!st)
        return -1;
    for (int k = 0; k < r->ndates; k++)
        for (int j = 0; j < r->L->n; j++)
            row(f, r->p->scenario, r->dates[k], r->L->metric[j], r->L->group[j],
                &st[(size_t)j * (size_t)r->ndates + (size_t)k]);
    free(st);
    return 0;
}

void cco_fy_free(cco_fy *fy)
{
    if (!fy)
        return;
    free(fy->months);
    free(fy->st);
    free(fy->unit);
    free(fy);
}

/* Spend by financial year (April to March): the money flows summed over the
 * months of each year, and the unit cost per child-week by placement type,
 * with the number of months of each year the run covers. */
cco_fy *cco_fy_summary(const cce_result *r)
{
    const ccx_layout *L = r->L;
    if (L->spend < 0 || r->ndates < 2)
        return NULL;
    cco_fy *fy = calloc(1, sizeof *fy);
    if (!fy)
        return NULL;
    fy->fy0 = cct_fy(r->dates[1]);
    fy->nfy = cct_fy(r->dates[r->ndates - 1]) - fy->fy0 + 1;
    int nfy = fy->nfy, n = r->reps;
    fy->months = calloc((size_t)nfy, sizeof *fy->months);
    fy->st = calloc((size_t)L->n * (size_t)nfy, sizeof *fy->st);
    fy->unit = calloc((size_t)CCM_NPT * (size_t)nfy, sizeof *fy->unit);
    int *fyk = malloc((size_t)r->ndates * sizeof *fyk);
    double *sums = malloc((size_t)nfy * (size_t)n * sizeof *sums);
    double *wk = malloc((size_t)nfy * (size_t)n * sizeof *wk);
    double *x = malloc((size_t)n * sizeof *x);
    if (!fy->months || !fy->st || !fy->unit || !fyk || !sums || !wk || !x) {
        free(fyk), free(sums), free(wk), free(x);
        cco_fy_free(fy);
        return NULL;
    }
    for (int k = 1; k < r->ndates; k++) {
        fyk[k] = cct_fy(r->dates[k]) - fy->fy0;
        fy->months[fyk[k]]++;
    }
    size_t slice = (size_t)L->n * (size_t)r->ndates;
#define FY_SUMS(j, out)                                                                                         \
    do {                                                                                                        \
        memset(out, 0, (size_t)nfy * (size_t)n * sizeof *out);                                                  \
        for (int i = 0; i < n; i++) {                                                                           \
            const double *v = r->data + (size_t)i * slice + (size_t)(j) * (size_t)r->ndates;                    \
            for (int k = 1; k < r->ndates; k++)                                                                 \
                out[(size_t)fyk[k] * (size_t)n + (size_t)i] += v[k];                                            \
        }                                                                                                       \
    } while (0)
    for (int j = 0; j < L->n; j++) {
        if (L->kind[j] != CCX_MONEY)
            continue;
        FY_SUMS(j, sums);
        for (int y = 0; y < nfy; y++) {
            memcpy(x, sums + (size_t)y * (size_t)n, (size_t)n * sizeof *x);
            ccy_summarise(x, (size_t)n, &fy->st[(size_t)j * (size_t)nfy + (size_t)y]);
        }
    }
    for (int t = 0; t < CCM_NPT; t++) {
        FY_SUMS(L->spend_type + t, sums);
        FY_SUMS(L->child_weeks + t, wk);
        for (int y = 0; y < nfy; y++) {
            for (int i = 0; i < n; i++) {
                double w = wk[(size_t)y * (size_t)n + (size_t)i];
                x[i] = w > 0 ? sums[(size_t)y * (size_t)n + (size_t)i] / w : 0;
            }
            ccy_summarise(x, (size_t)n, &fy->unit[(size_t)t * (size_t)nfy + (size_t)y]);
        }
    }
#undef FY_SUMS
    free(fyk), free(sums), free(wk), free(x);
    return fy;
}

static int write_fy(FILE *f, const cce_result *r)
{
    const ccx_layout *L = r->L;
    if (L->spend < 0 || r->ndates < 2)
        return 0;
    cco_fy *fy = cco_fy_summary(r);
    if (!fy)
        return -1;
    for (int y = 0; y < fy->nfy; y++) {
        ccy_stats st;
        memset(&st, 0, sizeof st);
        st.mean = st.p05 = st.p25 = st.p50 = st.p75 = st.p95 = fy->months[y];
        row(f, r->p->scenario, cco_fy_end(fy, y), "fy_months", "covered", &st);
    }
    for (int j = 0; j < L->n; j++)
        if (L->kind[j] == CCX_MONEY)
            for (int y = 0; y < fy->nfy; y++)
                row(f, r->p->scenario, cco_fy_end(fy, y), L->metric[j], L->group[j],
                    &fy->st[(size_t)j * (size_t)fy->nfy + (size_t)y]);
    for (int t = 0; t < CCM_NPT; t++)
        for (int y = 0; y < fy->nfy; y++)
            row(f, r->p->scenario, cco_fy_end(fy, y), "unit_cost_week", ccm_ptype_name[t],
                &fy->unit[(size_t)t * (size_t)fy->nfy + (size_t)y]);
    cco_fy_free(fy);
    return 0;
}

int32_t cco_fy_end(const cco_fy *fy, int y) { return ccd_from_ymd(fy->fy0 + y + 1, 3, 31); }

int cco_write_annual(FILE *f, const cce_result *r, int header)
{
    if (header)
        fprintf(f, "%s\n", cco_csv_header);
    ccy_stats *st = summarise_all(r, 1, r->years);
    if (!st)
        return -1;
    for (int y = 1; y <= r->years; y++)
        for (int j = 0; j < r->L->n; j++) {
            if (r->L->kind[j] != CCX_FLOW)
                continue;
            row(f, r->p->scenario, r->dates[12 * y], r->L->metric[j], r->L->group[j],
                &st[(size_t)j * (size_t)r->years + (size_t)(y - 1)]);
        }
    free(st);
    return write_fy(f, r);
}

/* ---- scenario comparison ---- */

const char cco_cmp_header[] = "scenario,date,metric,group,mean,sd,p05,p25,p50,p75,p95,share_better";

int cco_better(const char *metric, const char *group)
{
    static const char *const lower[] = {"gap", "shortfall", "placed_outside", "moves", "spend", "gap_cost",
                                        "spend_cumulative"};
    static const char *const higher[] = {"capacity"};
    for (size_t i = 0; i < sizeof lower / sizeof *lower; i++)
        if (strcmp(metric, lower[i]) == 0)
            return -1;
    for (size_t i = 0; i < sizeof higher / sizeof *higher; i++)
        if (strcmp(metric, higher[i]) == 0)
            return 1;
    if (strcmp(metric, "kpi") == 0 || strcmp(metric, "kpi_pct") == 0)
        return strcmp(group, "kinship") == 0 || strcmp(group, "family_based_12_15") == 0 ? 1 : -1;
    if (strcmp(metric, "looked_after") == 0 && strcmp(group, "all") == 0)
        return -1;
    if (strcmp(metric, "entries") == 0 && strcmp(group, "all") == 0)
        return -1;
    if (strcmp(metric, "exits") == 0 && strcmp(group, "sgo") == 0)
        return 1;
    if (strcmp(metric, "fostering") == 0 && strcmp(group, "households") == 0)
        return 1;
    return 0;
}

/* The metrics compared month by month. */
static int compared(const char *metric, const char *group)
{
    static const char *const all[] = {"needing", "placed", "shortfall", "gap", "capacity", "vacancies", "kpi",
                                      "kpi_pct", "placed_outside", "moves"};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcmp(metric, all[i]) == 0)
            return 1;
    return (strcmp(metric, "looked_after") == 0 && strcmp(group, "all") == 0) ||
           (strcmp(metric, "entries") == 0 && strcmp(group, "all") == 0) ||
           (strcmp(metric, "exits") == 0 && (strcmp(group, "all") == 0 || strcmp(group, "sgo") == 0)) ||
           strcmp(metric, "fostering") == 0;
}

static void cmp_row(FILE *f, const char *scenario, int32_t day, const char *metric, const char *group, double *x,
                    int n, int dir)
{
    int better = 0;
    for (int i = 0; i < n; i++)
        better += dir != 0 && dir * x[i] > 0;
    ccy_stats st;
    ccy_summarise(x, (size_t)n, &st);
    char date[16], v[8][64];
    ccd_format(day, date);
    cco_num(st.mean, v[0]);
    cco_num(st.sd, v[1]);
    cco_num(st.p05, v[2]);
    cco_num(st.p25, v[3]);
    cco_num(st.p50, v[4]);
    cco_num(st.p75, v[5]);
    cco_num(st.p95, v[6]);
    if (dir)
        cco_num((double)better / n, v[7]);
    else
        v[7][0] = '\0';
    cco_field(f, scenario);
    fprintf(f, ",%s,", date);
    cco_field(f, metric);
    fputc(',', f);
    cco_field(f, group);
    fprintf(f, ",%s,%s,%s,%s,%s,%s,%s,%s\n", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}

/* The baseline's value of the scenario's series j (matched by metric and
 * group: a scenario may add providers, hence series); 0 if it has none. */
static double base_value(const cce_result *b, const int *map, int i, int j, int k)
{
    return map[j] < 0 ? 0 : cce_value(b, i, map[j], k);
}

int cco_write_comparison(FILE *f, const cce_result *b, const cce_result *s)
{
    const ccx_layout *L = s->L;
    int n = s->reps;
    double *x = malloc((size_t)n * sizeof *x);
    int *map = malloc((size_t)L->n * sizeof *map);
    if (!x || !map) {
        free(x);
        free(map);
        return -1;
    }
    for (int j = 0; j < L->n; j++) {
        map[j] = -1;
        for (int q = 0; q < b->L->n; q++)
            if (strcmp(b->L->metric[q], L->metric[j]) == 0 && strcmp(b->L->group[q], L->group[j]) == 0) {
                map[j] = q;
                break;
            }
    }
    const char *name = s->p->scenario;
    for (int k = 0; k < s->ndates; k++)
        for (int j = 0; j < L->n; j++) {
            if (L->kind[j] == CCX_MONEY || !compared(L->metric[j], L->group[j]))
                continue;
            for (int i = 0; i < n; i++)
                x[i] = cce_value(s, i, j, k) - base_value(b, map, i, j, k);
            cmp_row(f, name, s->dates[k], L->metric[j], L->group[j], x, n, cco_better(L->metric[j], L->group[j]));
        }
    /* money: by financial year, and cumulative from the start */
    if (L->spend >= 0 && s->ndates > 1) {
        int fy0 = cct_fy(s->dates[1]), nfy = cct_fy(s->dates[s->ndates - 1]) - fy0 + 1;
        double *cum = calloc((size_t)n, sizeof *cum);
        if (!cum) {
            free(x);
            free(map);
            return -1;
        }
        for (int j = 0; j < L->n; j++) {
            if (L->kind[j] != CCX_MONEY || (strcmp(L->metric[j], "spend") != 0 && strcmp(L->metric[j], "gap_cost") != 0))
                continue;
            memset(cum, 0, (size_t)n * sizeof *cum);
            for (int y = 0; y < nfy; y++) {
                for (int i = 0; i < n; i++) {
                    double d = 0;
                    for (int k = 1; k < s->ndates; k++)
                        if (cct_fy(s->dates[k]) == fy0 + y)
                            d += cce_value(s, i, j, k) - base_value(b, map, i, j, k);
                    x[i] = d;
                    cum[i] += d;
                }
                int32_t end = ccd_from_ymd(fy0 + y + 1, 3, 31);
                cmp_row(f, name, end, L->metric[j], L->group[j], x, n, -1);
                if (strcmp(L->metric[j], "spend") == 0) {
                    memcpy(x, cum, (size_t)n * sizeof *x);
                    cmp_row(f, name, end, "spend_cumulative", L->group[j], x, n, -1);
                }
            }
        }
        free(cum);
    }
    free(x);
    free(map);
    return 0;
}
