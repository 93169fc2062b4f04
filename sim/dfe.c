/* dfe: the DfE's published children-looked-after tables (see dfe.h). */
#define _XOPEN_SOURCE 700
#include "dfe.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csv.h"

const char *const cdf_measure_name[CDF_NMEASURE] = {
    "in_care_31_march", "starts",         "starts_under_1",      "starts_1_4",
    "starts_5_9",       "starts_10_15",   "starts_16_over",      "ceased",
    "ceased_returned_home", "ceased_adopted", "ceased_sgo",     "ceased_cao",
    "ceased_aged_18_over", "ceased_other", "staying_put_18_pct", "placements_3plus",
    "placed_outside_31_march", "placement_changes", "short_term_only"};

const char *const cdf_measure_label[CDF_NMEASURE] = {
    "Children looked after at 31 March",
    "Children who started to be looked after",
    "Started to be looked after: under 1",
    "Started to be looked after: aged 1 to 4",
    "Started to be looked after: aged 5 to 9",
    "Started to be looked after: aged 10 to 15",
    "Started to be looked after: aged 16 and over",
    "Children who ceased to be looked after",
    "Ceased: returned home to parents",
    "Ceased: adopted",
    "Ceased: special guardianship order",
    "Ceased: child arrangements (residence) order",
    "Ceased: aged 18 and over",
    "Ceased: any other reason",
    "Staying put at 18 (% of eligible foster leavers)",
    "Looked after at 31 March with 3 or more placements in the year",
    "Placed outside the council's boundary at 31 March",
    "Placement changes in the year",
    "Looked after only under a series of short-term placements"};

const int cdf_measure_kind[CDF_NMEASURE] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 1, 0, 0};

/* The published cells the measures are made of. */
enum { A_IN_CARE, A_STARTS, A_ST_U1, A_ST_1_4, A_ST_5_9, A_ST_10_15, A_ST_16, A_CEASED, A_RH_PLAN, A_RH_NOPLAN,
       A_ADOPTED, A_SGO, A_CAO, A_AGE18, A_SP_YES, A_SP_ELIG, A_PL3, A_OUTSIDE, A_PL_CHANGES, A_SHORT, NATOM };

/* A source of a cell: the table's breakdown columns (exactly these, any
 * order) and the values they must hold (NULL: any); `name` (if set) must be
 * part of the file's name, where a breakdown also appears in another DfE
 * table with another meaning (by age at 31 March, by age on starting);
 * prio 0 for the totals table, which wins over a breakdown table of the same
 * release. Names and values are compared case-insensitively. */
typedef struct {
    int atom, prio;
    int ncol;
    const char *col[2], *val[2];
    const char *name;
} source;

#define POP "population_count", "population_estimate"
#define CC "cla_group", "characteristic"
#define RSN "Reason episode ceased"
#define RH "Returned home to live with parents or other person with parental responsibility which "
static const source sources[] = {
    {A_IN_CARE, 0, 2, {POP}, {"Children looked after at 31 March each year", NULL}, NULL},
    {A_IN_CARE, 1, 2, {CC}, {"Children looked after at 31 March", "Total children"}, NULL},
    {A_IN_CARE, 1, 2, {"cla_group", "placement_stability"}, {"CLA on 31 March", "Total children"}, NULL},
    {A_STARTS, 0, 2, {POP}, {"Children starting to be looked after each year", NULL}, NULL},
    {A_STARTS, 1, 2, {CC}, {"Age group", "Total"}, "start"},
    {A_ST_U1, 1, 2, {CC}, {"Age group", "Under 1 year"}, "start"},
    {A_ST_1_4, 1, 2, {CC}, {"Age group", "1 to 4 years"}, "start"},
    {A_ST_5_9, 1, 2, {CC}, {"Age group", "5 to 9 years"}, "start"},
    {A_ST_10_15, 1, 2, {CC}, {"Age group", "10 to 15 years"}, "start"},
    {A_ST_16, 1, 2, {CC}, {"Age group", "16 years and over"}, "start"},
    {A_CEASED, 0, 2, {POP}, {"Children ceasing to be looked after each year", NULL}, NULL},
    {A_CEASED, 1, 2, {CC}, {RSN, "Total"}, NULL},
    {A_RH_PLAN, 1, 2, {CC}, {RSN, RH "was part of the care planning process"}, NULL},
    {A_RH_NOPLAN, 1, 2, {CC}, {RSN, RH "was not part of the care planning process"}, NULL},
    {A_ADOPTED, 1, 2, {CC}, {RSN, "Adopted"}, NULL},
    {A_SGO, 1, 2, {CC}, {RSN, "Special guardianship orders"}, NULL},
    {A_CAO, 1, 2, {CC}, {RSN, "Residence order or child arrangement order granted"}, NULL},
    {A_AGE18, 1, 2, {CC}, {"Age on ceasing", "18 years and over"}, NULL},
    {A_SP_YES, 1, 2, {"age", "stay_put"}, {"Aged 18", "Total living with former foster carers in the current year"},
     NULL},
    {A_SP_ELIG, 1, 2, {"age", "stay_put"},
     {"Aged 18", "Young people who ceased to be looked after in a foster placement on their 18th birthday and were "
                 "eligible for care leavers support"},
     NULL},
    {A_PL3, 1, 2, {CC}, {"Children looked after at 31 March", "With 3 or more placements during the year"}, NULL},
    {A_PL3, 1, 2, {"cla_group", "placement_stability"}, {"CLA on 31 March", "With 3 or more placements during the year"},
     NULL},
    {A_OUTSIDE, 1, 1, {"characteristic"}, {"2. Children who are the responsibility of this LA placed outside the LA boundary"},
     NULL},
    {A_PL_CHANGES, 1, 2, {CC}, {"Reason for placement change during the year", "Total placements changing"}, NULL},
    {A_SHORT, 1, 1, {"cla_group"}, {"Children who were only looked after exclusively under a series of short term placements"},
     NULL},
};
enum { NSOURCE = sizeof sources / sizeof sources[0], NYEAR = CDF_YEAR1 - CDF_YEAR0 + 1 };

/* Which file a cell came from, for "newer release wins". */
typedef struct {
    int last, first, prio, order;
} rank;

typedef struct {
    uint8_t status[NATOM][NYEAR];
    double val[NATOM][NYEAR];
    rank rk[NATOM][NYEAR];
} cells;

struct cdf_set {
    cells c;
    int used;
};

/* The state of one cdf_load. */
typedef struct {
    const char *la;
    cc_diag *errs, *notes;
    cdf_set *set;
    cells *file;          /* this file's cells */
    int *line;            /* [atom * NYEAR + year]: the row of this file's cell */
    int nread, order;
    int matched;          /* rows of the council in tables that were used */
    int rc;
    /* files of a folder that are not DfE tables (names listed in a note) */
    char **unknown;
    int nunknown, capunknown;
} loader;

static void fail(loader *L, int rc)
{
    if (L->rc == CDF_OK || rc == CDF_ENOMEM)
        L->rc = rc;
}

static const char *const std_cols[] = {"time_period",   "time_identifier", "geographic_level", "country_code",
                                       "country_name",  "region_code",     "region_name",      "old_la_code",
                                       "la_name",       "new_la_code"};

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* Case-insensitive substring test. */
static int has_part(const char *s, const char *part)
{
    size_t n = strlen(part);
    for (; *s; s++)
        if (strncasecmp(s, part, n) == 0)
            return 1;
    return 0;
}

/* time_period as the year ending 31 March: "2022", or "202122" (2021-22). */
static int parse_year(const char *s, int *year)
{
    size_t n = strlen(s);
    if (n != 4 && n != 6)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (n == 6) {
        int z = (s[4] - '0') * 10 + (s[5] - '0');
        if (z != (y + 1) % 100)
            return -1;
        y++;
    }
    if (y < CDF_YEAR0 || y > CDF_YEAR1)
        return -1;
    *year = y;
    return 0;
}

/* A published number, or -1 for a suppressed or other non-numeric cell. */
static int parse_number(const char *s, double *v)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || *end || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}

/* Is this row the chosen council's (or region's, or England's)? */
static int row_selected(const ccv_file *f, const char *la)
{
    const char *lev = ccv_field(f, 2);
    if (strcasecmp(lev, "National") == 0)
        return strcasecmp(ccv_field(f, 3), la) == 0 || strcasecmp(ccv_field(f, 4), la) == 0;
    if (strcasecmp(lev, "Regional") == 0)
        return strcasecmp(ccv_field(f, 5), la) == 0 || strcasecmp(ccv_field(f, 6), la) == 0;
    if (strcasecmp(lev, "Local authority") == 0)
        return strcasecmp(ccv_field(f, 7), la) == 0 || strcasecmp(ccv_field(f, 8), la) == 0 ||
               strcasecmp(ccv_field(f, 9), la) == 0;
    return 0;
}

static int rank_cmp(const rank *a, const rank *b)
{
    if (a->last != b->last)
        return a->last < b->last ? -1 : 1;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    if (a->prio != b->prio)
        return a->prio > b->prio ? -1 : 1; /* prio 0 (totals) is the better */
    return a->order < b->order ? -1 : a->order > b->order;
}

static int note_unknown(loader *L, const char *path)
{
    if (L->nunknown == L->capunknown) {
        int cap = L->capunknown ? 2 * L->capunknown : 16;
        char **a = realloc(L->unknown, (size_t)cap * sizeof *a);
        if (!a)
            return -1;
        L->unknown = a;
        L->capunknown = cap;
    }
    char *c = strdup(path);
    if (!c)
        return -1;
    L->unknown[L->nunknown++] = c;
    return 0;
}

/* Read one regular file. in_folder: found in a folder (not named by the user). */
static void read_file(loader *L, const char *path, int in_folder)
{
    if (++L->nread > CDF_MAX_FILES) {
        if (L->nread == CDF_MAX_FILES + 1)
            ccg_add(L->errs, "%s: more than %d files (expected at most that many DfE tables)", path, CDF_MAX_FILES);
        fail(L, CDF_EINVAL);
        return;
    }
    ccv_file *f = ccv_open(path);
    if (!f) {
        ccg_add(L->errs, "%s: cannot read: %s", path, strerror(errno));
        fail(L, errno == ENOMEM ? CDF_ENOMEM : CDF_EIO);
        return;
    }
    int nh = ccv_header(f);
    if (nh < 0) {
        ccv_close(f);
        fail(L, CDF_ENOMEM);
        return;
    }
    int ok = nh >= 6, num = -1;
    for (int k = 0; k < 5 && ok; k++)
        ok = strcasecmp(ccv_head(f, k), std_cols[k]) == 0;
    for (int k = 5; k < nh && ok && num < 0; k++)
        if (strcasecmp(ccv_head(f, k), "number") == 0)
            num = k;
    if (!ok || num < 0) {
        ccv_close(f);
        if (in_folder) {
            if (note_unknown(L, path) != 0)
                fail(L, CDF_ENOMEM);
        } else {
            ccg_add(L->errs,
                    "%s:1: not a DfE table (expected a header row time_period,time_identifier,geographic_level,"
                    "country_code,country_name,... with a number column)",
                    path);
            fail(L, CDF_EINVAL);
        }
        return;
    }
    int la_level = num >= 10;
    for (int k = 5; k < 10 && la_level; k++)
        la_level = strcasecmp(ccv_head(f, k), std_cols[k]) == 0;
    /* which sources this table can hold: same breakdown columns (by name);
     * bcol[s][j] is the column of source s's j-th breakdown */
    int use[NSOURCE], bcol[NSOURCE][2], any = 0;
    for (int s = 0; s < NSOURCE; s++) {
        const source *src = &sources[s];
        use[s] = la_level && num - 10 == src->ncol && (!src->name || has_part(base_name(path), src->name));
        for (int j = 0; j < src->ncol && use[s]; j++) {
            bcol[s][j] = -1;
            for (int k = 10; k < num; k++)
                if (strcasecmp(ccv_head(f, k), src->col[j]) == 0)
                    bcol[s][j] = k;
            use[s] = bcol[s][j] >= 0;
        }
        any |= use[s];
    }
    if (!any) { /* a DfE table without any of the measures */
        ccv_close(f);
        return;
    }
    cells *c = L->file;
    memset(c->status, 0, sizeof c->status);
    int first = CDF_YEAR1 + 1, last = CDF_YEAR0 - 1, bad = 0, matched = 0;
    while (ccv_row(f)) {
        int line = ccv_line(f), y;
        if (parse_year(ccv_field(f, 0), &y) != 0) {
            ccg_add(L->errs,
                    "%s:%d:1: time_period: not a year ending 31 March %d-%d (expected YYYY such as 2022, or YYYYYY "
                    "such as 202122)",
                    path, line, CDF_YEAR0, CDF_YEAR1);
            if (++bad >= 20)
                break;
            continue;
        }
        if (y < first)
            first = y;
        if (y > last)
            last = y;
        if (!row_selected(f, L->la))
            continue;
        int s = 0;
        for (; s < NSOURCE; s++) {
            if (!use[s])
                continue;
            int j = 0;
            for (; j < sources[s].ncol; j++)
                if (sources[s].val[j] && strcasecmp(ccv_field(f, bcol[s][j]), sources[s].val[j]) != 0)
                    break;
            if (j == sources[s].ncol)
                break;
        }
        if (s == NSOURCE)
            continue;
        matched++;
        const char *ti = ccv_field(f, 1);
        if (strcasecmp(ti, "Reporting year") != 0 && strcasecmp(ti, "Financial year") != 0) {
            ccg_add(L->errs,
                    "%s:%d:2: time_identifier: not an April-March year (expected \"Reporting year\" or "
                    "\"Financial year\")",
                    path, line);
            if (++bad >= 20)
                break;
            continue;
        }
        int a = sources[s].atom, yi = y - CDF_YEAR0;
        if (c->status[a][yi]) {
            ccg_add(L->errs, "%s:%d: the same year and breakdown as line %d (expected one row for each)", path, line,
                    L->line[a * NYEAR + yi]);
            if (++bad >= 20)
                break;
            continue;
        }
        double v = 0;
        c->status[a][yi] = parse_number(ccv_field(f, num), &v) == 0 ? CDF_PUBLISHED : CDF_SUPPRESSED;
        c->val[a][yi] = v;
        c->rk[a][yi].prio = sources[s].prio;
        L->line[a * NYEAR + yi] = line;
    }
    ccv_close(f);
    if (bad) {
        if (bad >= 20)
            ccg_add(L->errs, "%s: more errors follow (the first 20 are shown)", path);
        fail(L, CDF_EINVAL);
        return;
    }
    if (!matched)
        return;
    L->matched += matched;
    L->set->used++;
    int order = L->order++;
    cells *d = &L->set->c;
    for (int a = 0; a < NATOM; a++)
        for (int yi = 0; yi < NYEAR; yi++) {
            if (!c->status[a][yi])
                continue;
            rank rk = {last, first, c->rk[a][yi].prio, order};
            if (d->status[a][yi] && rank_cmp(&rk, &d->rk[a][yi]) < 0)
                continue;
            d->status[a][yi] = c->status[a][yi];
            d->val[a][yi] = c->val[a][yi];
            d->rk[a][yi] = rk;
        }
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void read_path(loader *L, const char *path, int in_folder, int depth);

static void read_folder(loader *L, const char *path, int depth)
{
    if (depth > CDF_MAX_DEPTH) {
        ccg_add(L->errs, "%s: folders nested more than %d deep (expected DfE tables at most that deep)", path,
                CDF_MAX_DEPTH);
        fail(L, CDF_EINVAL);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        ccg_add(L->errs, "%s: cannot read: %s", path, strerror(errno));
        fail(L, CDF_EIO);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') /* ., .., hidden files */
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **a = realloc(names, cap * sizeof *a);
            if (!a)
                break;
            names = a;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(len);
        if (!full)
            break;
        snprintf(full, len, "%s/%s", path, e->d_name);
        names[n++] = full;
        if (n > CDF_MAX_FILES + 1)
            break;
    }
    int oom = e != NULL && n <= CDF_MAX_FILES + 1;
    closedir(dir);
    if (oom)
        fail(L, CDF_ENOMEM);
    else {
        qsort(names, n, sizeof *names, name_cmp);
        for (size_t i = 0; i < n; i++)
            read_path(L, names[i], 1, depth + 1);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void read_path(loader *L, const char *path, int in_folder, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        ccg_add(L->errs, "%s: cannot read: %s", path, strerror(errno));
        fail(L, CDF_EIO);
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        read_folder(L, path, depth);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        if (in_folder) {
            if (note_unknown(L, path) != 0)
                fail(L, CDF_ENOMEM);
            return;
        }
        ccg_add(L->errs, "%s: not a regular file or folder (expected a DfE CSV file or a folder of them)", path);
        fail(L, CDF_EINVAL);
        return;
    }
    if (st.st_size > CDF_MAX_BYTES) {
        ccg_add(L->errs, "%s: larger than %ld MB (expected a DfE CSV file of at most that size)", path,
                CDF_MAX_BYTES / (1024 * 1024));
        fail(L, CDF_EINVAL);
        return;
    }
    read_file(L, path, in_folder);
}

int cdf_load(const char *const *paths, int n, const char *la, cc_diag *errs, cc_diag *notes, cdf_set **out)
{
    *out = NULL;
    loader L;
    memset(&L, 0, sizeof L);
    L.la = la;
    L.errs = errs;
    L.notes = notes;
    L.set = calloc(1, sizeof *L.set);
    L.file = malloc(sizeof *L.file);
    L.line = malloc((size_t)NATOM * NYEAR * sizeof *L.line);
    if (!L.set || !L.file || !L.line) {
        free(L.set);
        free(L.file);
        free(L.line);
        return CDF_ENOMEM;
    }
    for (int i = 0; i < n && L.rc != CDF_ENOMEM; i++)
        read_path(&L, paths[i], 0, 0);
    if (L.nunknown) {
        char list[1024];
        size_t o = 0;
        list[0] = '\0';
        int shown = 0;
        for (int i = 0; i < L.nunknown; i++) {
            size_t need = strlen(L.unknown[i]) + 2;
            if (o + need + 32 >= sizeof list)
                break;
            int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", L.unknown[i]);
            if (w < 0 || (size_t)w >= sizeof list - o)
                break;
            o += (size_t)w;
            shown++;
        }
        if (shown < L.nunknown)
            snprintf(list + o, sizeof list - o, " and %d more", L.nunknown - shown);
        ccg_add(notes, "%d file%s in the folders %s not a DfE table and %s not read: %s", L.nunknown,
                L.nunknown == 1 ? "" : "s", L.nunknown == 1 ? "is" : "are", L.nunknown == 1 ? "was" : "were", list);
    }
    for (int i = 0; i < L.nunknown; i++)
        free(L.unknown[i]);
    free(L.unknown);
    free(L.file);
    free(L.line);
    if (L.rc == CDF_OK && L.matched == 0) {
        ccg_add(errs,
                "--la %s: no figures for that council in the files (expected an old_la_code such as 891, a "
                "new_la_code such as E10000024, a council or region name, or England)",
                la);
        L.rc = CDF_ENOLA;
    }
    if (L.rc != CDF_OK) {
        free(L.set);
        return L.rc;
    }
    *out = L.set;
    return CDF_OK;
}

void cdf_free(cdf_set *d) { free(d); }

int cdf_nfiles_used(const cdf_set *d) { return d->used; }

/* A cell: its status, and the value when published. */
static int cell(const cdf_set *d, int a, int yi, double *v)
{
    int st = d->c.status[a][yi];
    if (st == CDF_PUBLISHED)
        *v = d->c.val[a][yi];
    return st;
}

/* Sum of cells: absent if any is absent, suppressed if any is suppressed. */
static int sum(const cdf_set *d, int yi, const int *atoms, const int *sign, int n, double *v)
{
    double s = 0;
    int st = CDF_PUBLISHED;
    for (int k = 0; k < n; k++) {
        double x = 0;
        int c = cell(d, atoms[k], yi, &x);
        if (c < st)
            st = c;
        s += sign[k] * x;
    }
    if (st == CDF_PUBLISHED)
        *v = s;
    return st;
}

int cdf_get(const cdf_set *d, cdf_measure m, int year, double *value)
{
    if (year < CDF_YEAR0 || year > CDF_YEAR1 || (int)m < 0 || m >= CDF_NMEASURE)
        return CDF_ABSENT;
    int yi = year - CDF_YEAR0;
    static const int direct[CDF_NMEASURE] = {A_IN_CARE, A_STARTS, A_ST_U1, A_ST_1_4,  A_ST_5_9, A_ST_10_15, A_ST_16,
                                             A_CEASED,  -1,       A_ADOPTED, A_SGO,   A_CAO,    A_AGE18,    -1,
                                             -1,        A_PL3,    A_OUTSIDE, A_PL_CHANGES, A_SHORT};
    if (direct[m] >= 0)
        return cell(d, direct[m], yi, value);
    if (m == CDF_CEASED_HOME) {
        static const int a[] = {A_RH_PLAN, A_RH_NOPLAN}, sg[] = {1, 1};
        return sum(d, yi, a, sg, 2, value);
    }
    if (m == CDF_CEASED_OTHER) {
        static const int a[] = {A_CEASED, A_RH_PLAN, A_RH_NOPLAN, A_ADOPTED, A_SGO, A_CAO, A_AGE18},
                         sg[] = {1, -1, -1, -1, -1, -1, -1};
        return sum(d, yi, a, sg, 7, value);
    }
    /* staying put: living with former foster carers / eligible, in per cent */
    double yes = 0, elig = 0;
    int s1 = cell(d, A_SP_YES, yi, &yes), s2 = cell(d, A_SP_ELIG, yi, &elig);
    int st = s1 < s2 ? s1 : s2;
    if (st == CDF_PUBLISHED && elig <= 0)
        st = CDF_SUPPRESSED;
    if (st == CDF_PUBLISHED)
        *value = 100 * yes / elig;
    return st;
}

int cdf_years(const cdf_set *d, int *first, int *last)
{
    *first = *last = 0;
    for (int yi = 0; yi < NYEAR; yi++)
        for (int a = 0; a < NATOM; a++)
            if (d->c.status[a][yi]) {
                if (!*first)
                    *first = CDF_YEAR0 + yi;
                *last = CDF_YEAR0 + yi;
                break;
            }
    return *first != 0;
}
