/* output: CSV and manifest writers, atomic multi-file commits. */
#define _GNU_SOURCE /* renameat2 */
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
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

/* Fixed point with 4 decimals from the integer q = v * 10^4, trailing zeros
 * (and a bare point) dropped. */
static void num_fixed4(long long q, char *buf)
{
    char tmp[32];
    int n = 0, neg = q < 0;
    unsigned long long u = neg ? 0ULL - (unsigned long long)q : (unsigned long long)q;
    int digits = 0;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
        digits++;
    } while (u > 0 || digits < 5); /* at least one digit before the point */
    /* tmp holds the digits backwards: tmp[0..3] are the decimals */
    int first = 0;
    while (first < 4 && tmp[first] == '0')
        first++;
    char *o = buf;
    if (neg && (n > 4 || first < 4))
        *o++ = '-';
    for (int i = n - 1; i >= 4; i--)
        *o++ = tmp[i];
    if (first < 4) {
        *o++ = '.';
        for (int i = 3; i >= first; i--)
            *o++ = tmp[i];
    }
    *o = '\0';
}

void cco_num(double v, char *buf)
{
    /* The fast path (a monthly.csv has ~150,000 numbers, and printf's
     * exact decimal conversion was most of the time writing them): when
     * |v| < 10^9, v * 10^4 is within 0.002 of its exact value, so unless it
     * lies within 0.01 of a half-way point its nearest integer is the one
     * "%.4f" rounds to. Anything else goes to snprintf; test_output checks
     * both agree. */
    if (fabs(v) < 1e9) {
        double x = v * 1e4, q = nearbyint(x);
        if (fabs(fabs(x - q) - 0.5) > 0.01) {
            if (q == 0)
                strcpy(buf, "0");
            else
                num_fixed4((long long)q, buf);
            return;
        }
    }
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

/* The characters that make a CSV field quoted (cco_field). */
static const char csv_special[] = ",\"\n\r";

void cco_field(FILE *f, const char *s)
{
    if (!strpbrk(s, csv_special)) {
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

/* One line of monthly.csv or annual.csv, written with one call (a
 * monthly.csv has ~20,000 lines; stdio's calls for each of a line's eleven
 * fields were most of the time writing it). Names that need quoting or
 * do not fit the line's buffer (none: they are labels of at most 200
 * characters) go through cco_field first; the numbers are built in the
 * buffer either way. */
static void row(FILE *f, const char *scenario, int32_t day, const char *metric, const char *group,
                const ccy_stats *st)
{
    char line[1024], *o = line;
    size_t ns = strlen(scenario), nm = strlen(metric), ng = strlen(group);
    /* (room: the names, the date and three commas, then 7 numbers of at
     * most 63 bytes with their commas and the newline) */
    int plain = ns + nm + ng + 16 + 7 * 64 + 1 <= sizeof line && !strpbrk(scenario, csv_special) &&
                !strpbrk(metric, csv_special) && !strpbrk(group, csv_special);
    char date[16];
    ccd_format(day, date);
    if (plain) {
        memcpy(o, scenario, ns);
        o += ns;
        *o++ = ',';
        memcpy(o, date, strlen(date));
        o += strlen(date);
        *o++ = ',';
        memcpy(o, metric, nm);
        o += nm;
        *o++ = ',';
        memcpy(o, group, ng);
        o += ng;
    } else {
        cco_field(f, scenario);
        fprintf(f, ",%s,", date);
        cco_field(f, metric);
        fputc(',', f);
        cco_field(f, group);
    }
    const double v[7] = {st->mean, st->sd, st->p05, st->p25, st->p50, st->p75, st->p95};
    for (int k = 0; k < 7; k++) {
        *o++ = ',';
        cco_num(v[k], o);
        o += strlen(o);
    }
    *o++ = '\n';
    fwrite(line, 1, (size_t)(o - line), f);
}

/* Statistics of every series at every date (annual: every flow over every
 * year) from the run's accumulators (runstats.h), spread over the run's
 * threads. The result is the same whatever the number of threads. */
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
    int nper = job->nper;
    double *buf = malloc((size_t)(r->reps > 0 ? r->reps : 1) * sizeof *buf);
    if (!buf) {
        atomic_store(&job->failed, 1);
        return NULL;
    }
    for (;;) {
        int j = atomic_fetch_add(&job->next, 1);
        if (j >= r->L->n)
            break;
        if (job->annual && r->L->kind[j] != CCX_FLOW)
            continue;
        for (int k = 0; k < nper; k++)
            ccac_stats(job->annual ? ccrs_annual(r->stats, j, k) : ccrs_monthly(r->stats, j, k), buf,
                       &job->st[(size_t)j * (size_t)nper + (size_t)k]);
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
    const ccrs *rs = r->stats;
    if (L->spend < 0 || r->ndates < 2 || ccrs_nfy(rs) == 0)
        return NULL;
    cco_fy *fy = calloc(1, sizeof *fy);
    if (!fy)
        return NULL;
    fy->fy0 = ccrs_fy0(rs);
    fy->nfy = ccrs_nfy(rs);
    int nfy = fy->nfy;
    fy->months = calloc((size_t)nfy, sizeof *fy->months);
    fy->st = calloc((size_t)L->n * (size_t)nfy, sizeof *fy->st);
    fy->unit = calloc((size_t)CCM_NPT * (size_t)nfy, sizeof *fy->unit);
    double *x = malloc((size_t)(r->reps > 0 ? r->reps : 1) * sizeof *x);
    if (!fy->months || !fy->st || !fy->unit || !x) {
        free(x);
        cco_fy_free(fy);
        return NULL;
    }
    for (int y = 0; y < nfy; y++)
        fy->months[y] = ccrs_fy_months(rs, y);
    for (int j = 0; j < L->n; j++)
        if (L->kind[j] == CCX_MONEY)
            for (int y = 0; y < nfy; y++)
                ccac_stats(ccrs_fy(rs, j, y), x, &fy->st[(size_t)j * (size_t)nfy + (size_t)y]);
    for (int t = 0; t < CCM_NPT; t++)
        for (int y = 0; y < nfy; y++)
            ccac_stats(ccrs_unit(rs, t, y), x, &fy->unit[(size_t)t * (size_t)nfy + (size_t)y]);
    free(x);
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

/* ---- results folders ---- */

static const char *const result_names[] = {"monthly.csv",  "annual.csv", "comparison.csv", "config.cfg",
                                           "manifest.txt", "spend.xlsx", "report.html",    "charts",
                                           "backtest.csv", "backtest.txt", "per_replication.csv.gz", "variance.csv",
                                           "region", "councils", "seek.csv", "seek.txt", "sensitivity.csv", "sensitivity.txt"};

int cco_result_name(const char *name)
{
    for (size_t i = 0; i < sizeof result_names / sizeof *result_names; i++)
        if (strcmp(name, result_names[i]) == 0)
            return 1;
    return 0;
}

struct cco_stage {
    char *final;  /* the results folder (resolved) */
    char *parent; /* its folder */
    char *tmp;    /* the temporary folder being filled */
};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void cco_stage_abort(cco_stage *s)
{
    if (!s)
        return;
    if (s->tmp)
        cco_remove_tree(AT_FDCWD, s->tmp);
    free(s->final);
    free(s->parent);
    free(s->tmp);
    free(s);
}

int cco_check_outdir(const char *dir, char *msg)
{
    cco_stage *st = cco_stage_new(dir, msg);
    if (!st)
        return -1;
    cco_stage_abort(st);
    return 0;
}

int cco_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

const char *cco_stage_dir(const cco_stage *s) { return s->tmp; }
const char *cco_stage_final(const cco_stage *s) { return s->final; }

/* The entries of an existing results folder must all be carecap's. */
static int check_existing(const char *dir, char *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, 512, "%s: cannot read the results folder: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || cco_result_name(e->d_name))
            continue;
        snprintf(err, 512,
                 "%s: holds %.200s, which is not a carecap result; carecap replaces a results folder whole, so "
                 "it writes only into a new or empty folder or a results folder of its own (expected another "
                 "folder, or that file moved out)",
                 dir, e->d_name);
        rc = -1;
        break;
    }
    closedir(d);
    return rc;
}

cco_stage *cco_stage_new(const char *dir, char *err)
{
    err[0] = '\0';
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || n >= PATH_MAX) {
        snprintf(err, 512, "%s: not a usable folder name", dir);
        errno = ENAMETOOLONG;
        return NULL;
    }
    char path[PATH_MAX], real[PATH_MAX];
    memcpy(path, dir, n);
    path[n] = '\0';
    cco_stage *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, 512, "out of memory");
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        /* an existing folder (or a link to one, which the user named) */
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, 512, "%s: cannot create output directory: %s", dir, strerror(ENOTDIR));
            errno = ENOTDIR;
            goto fail;
        }
        if (!realpath(path, real)) {
            snprintf(err, 512, "%s: cannot resolve the folder: %s", dir, strerror(errno));
            goto fail;
        }
        if (check_existing(real, err) != 0)
            goto fail;
        s->final = dupstr(real);
    } else {
        if (errno != ENOENT) {
            snprintf(err, 512, "%s: cannot create output directory: %s", dir, strerror(errno));
            goto fail;
        }
        /* a new folder: its parents are made now, itself at the switch */
        char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        char par[PATH_MAX];
        if (!slash)
            snprintf(par, sizeof par, ".");
        else if (slash == path)
            snprintf(par, sizeof par, "/");
        else
            snprintf(par, sizeof par, "%.*s", (int)(slash - path), path);
        if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
            snprintf(err, 512, "%s: not a usable folder name", dir);
            goto fail;
        }
        if (cco_mkdirs(par) != 0 || !realpath(par, real)) {
            snprintf(err, 512, "%s: cannot create output directory: %s", dir, strerror(errno));
            goto fail;
        }
        size_t m = strlen(real) + strlen(base) + 2;
        s->final = malloc(m);
        if (s->final)
            snprintf(s->final, m, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", base);
    }
    if (!s->final) {
        snprintf(err, 512, "out of memory");
        goto fail;
    }
    if (strcmp(s->final, "/") == 0) {
        snprintf(err, 512, "%s: not a usable folder name", dir);
        goto fail;
    }
    char *slash = strrchr(s->final, '/');
    size_t plen = slash == s->final ? 1 : (size_t)(slash - s->final);
    s->parent = malloc(plen + 1);
    size_t tlen = strlen(s->final) + 32;
    s->tmp = malloc(tlen);
    if (!s->parent || !s->tmp) {
        snprintf(err, 512, "out of memory");
        goto fail;
    }
    memcpy(s->parent, s->final, plen);
    s->parent[plen] = '\0';
    snprintf(s->tmp, tlen, "%s/.%s.carecap-XXXXXX", plen == 1 ? "" : s->parent, slash + 1);
    if (!mkdtemp(s->tmp)) {
        snprintf(err, 512, "%s: cannot create output directory: %s", dir, strerror(errno));
        free(s->tmp);
        s->tmp = NULL;
        goto fail;
    }
    return s;
fail:
    cco_stage_abort(s);
    return NULL;
}

/* Exchange folders a and b (both exist). */
static int exchange(const char *a, const char *b)
{
#ifdef RENAME_EXCHANGE
    if (!getenv("CARECAP_TEST_NO_EXCHANGE")) {
        if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
            return 0;
        if (errno != ENOSYS && errno != EINVAL && errno != ENOTSUP)
            return -1;
    }
#endif
    errno = ENOTSUP;
    return -1;
}

int cco_stage_commit(cco_stage *s, char *err)
{
    /* the folder gets the mode a new folder would have had */
    mode_t um = umask(0);
    umask(um);
    if (chmod(s->tmp, 0777 & ~um) != 0) {
        snprintf(err, 512, "%s: cannot set the mode: %s", s->tmp, strerror(errno));
        cco_stage_abort(s);
        return -1;
    }
    if (getenv("CARECAP_TEST_FAIL_SWITCH")) {
        snprintf(err, 512, "%s: cannot switch the results in: %s (test hook)", s->final, strerror(EIO));
        cco_stage_abort(s);
        return -1;
    }
    struct stat st;
    if (lstat(s->final, &st) != 0) {
        if (rename(s->tmp, s->final) != 0) {
            snprintf(err, 512, "%s: cannot rename the results into place: %s", s->final, strerror(errno));
            cco_stage_abort(s);
            return -1;
        }
        free(s->tmp);
        s->tmp = NULL;
        cco_stage_abort(s);
        return 0;
    }
    if (exchange(s->tmp, s->final) == 0) {
        cco_stage_abort(s); /* removes the old results, now at the temporary name */
        return 0;
    }
    if (errno != ENOTSUP) {
        snprintf(err, 512, "%s: cannot switch the results in: %s", s->final, strerror(errno));
        cco_stage_abort(s);
        return -1;
    }
    /* fallback: the old folder aside, the new one in, the old one removed;
     * between the two renames the results folder is absent */
    size_t n = strlen(s->final) + 32;
    char *old = malloc(n);
    if (!old) {
        snprintf(err, 512, "out of memory");
        cco_stage_abort(s);
        return -1;
    }
    snprintf(old, n, "%s/.%s.carecap-old-XXXXXX", strcmp(s->parent, "/") == 0 ? "" : s->parent,
             strrchr(s->final, '/') + 1);
    if (!mkdtemp(old) || rename(s->final, old) != 0) {
        snprintf(err, 512, "%s: cannot move the old results aside: %s", s->final, strerror(errno));
        rmdir(old);
        free(old);
        cco_stage_abort(s);
        return -1;
    }
    if (rename(s->tmp, s->final) != 0) {
        snprintf(err, 512, "%s: cannot rename the results into place: %s", s->final, strerror(errno));
        rename(old, s->final);
        free(old);
        cco_stage_abort(s);
        return -1;
    }
    cco_remove_tree(AT_FDCWD, old);
    free(old);
    free(s->tmp);
    s->tmp = NULL;
    cco_stage_abort(s);
    return 0;
}

int cco_remove_tree(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc |= cco_remove_tree(fd, e->d_name);
        else if (unlinkat(fd, e->d_name, 0) != 0)
            rc = -1;
    }
    closedir(d);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
        rc = -1;
    return rc;
}

FILE *cco_create(const char *dir, const char *name)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    return f;
}

int cco_close(FILE *f, const char *name)
{
    if (!f)
        return 0;
    int bad = ferror(f);
    const char *hook = getenv("CARECAP_TEST_FAIL_WRITE");
    if (hook && name && strcmp(hook, name) == 0)
        bad = EIO;
    if (fclose(f) != 0 || bad) {
        if (bad || !errno)
            errno = EIO;
        return -1;
    }
    return 0;
}

FILE *cco_open_input(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > CCO_MAX_INPUT) {
        close(fd);
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "r");
    if (!f)
        close(fd);
    return f;
}

int cco_copy_file(const char *dir, const char *name, const char *to)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0 && errno == ENOENT)
        return 1;
    FILE *src = cco_open_input(path);
    if (!src)
        return -1;
    FILE *dst = cco_create(to, name);
    if (!dst) {
        fclose(src);
        return -1;
    }
    char buf[1 << 15];
    size_t n;
    long total = 0;
    while ((n = fread(buf, 1, sizeof buf, src)) > 0 && total <= CCO_MAX_INPUT) {
        fwrite(buf, 1, n, dst);
        total += (long)n;
    }
    int rbad = ferror(src) || total > CCO_MAX_INPUT;
    fclose(src);
    if (cco_close(dst, name) != 0 || rbad) {
        if (rbad)
            errno = total > CCO_MAX_INPUT ? EFBIG : EIO;
        return -1;
    }
    return 0;
}

/* The only global mutable state: written by the signal handler alone. */
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig) { caught_signal = sig; }

static const int caught_signals[3] = {SIGINT, SIGTERM, SIGHUP};

void cco_signals_catch(cco_sigsave *sv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a wait for gnuplot returns EINTR */
    for (int k = 0; k < 3; k++) {
        struct sigaction cur;
        sv->ign[k] = sigaction(caught_signals[k], NULL, &cur) == 0 && cur.sa_handler == SIG_IGN;
        if (!sv->ign[k])
            sigaction(caught_signals[k], &sa, NULL);
    }
    sv->caught = 1;
}

void cco_signals_default(cco_sigsave *sv)
{
    if (!sv->caught)
        return;
    for (int k = 0; k < 3; k++)
        if (!sv->ign[k])
            signal(caught_signals[k], SIG_DFL);
    sv->caught = 0;
}

int cco_interrupted(void) { return caught_signal; }

void cco_shell_quote(FILE *f, const char *s)
{
    int plain = *s != '\0', ctrl = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            ctrl = 1;
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_./:@%+=,-", *p)))
            plain = 0;
    }
    if (plain) {
        fputs(s, f);
        return;
    }
    if (!ctrl) {
        fputc('\'', f);
        for (; *s; s++)
            if (*s == '\'')
                fputs("'\\''", f);
            else
                fputc(*s, f);
        fputc('\'', f);
        return;
    }
    fputs("$'", f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        switch (*p) {
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\'': fputs("\\'", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\x%02x", *p);
            else
                fputc(*p, f);
        }
    fputc('\'', f);
}
