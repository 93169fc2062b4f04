/* ssda903: fit a carecap config to SSDA903 episodes (see ssda903.h). */
#define _XOPEN_SOURCE 700
#include "ssda903.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <gsl/gsl_cdf.h>

#include "basesupply.h"
#include "ccdate.h"
#include "cfgwrite.h"
#include "csv.h"
#include "diag.h"
#include "model.h"
#include "output.h"
#include "params.h"
#include "textfile.h"

#define DPY 365.25
#define OPEN_END INT32_MAX

/* ---- reporting ---- */

typedef enum { W_DATE, W_CHILD, W_OVERLAP, W_OPEN, W_POST, W_X1, W_N } warn_kind;
enum { WARN_SHOWN = 10 };
static const char *const warn_more[W_N] = {
    "with a blank or unreadable date (skipped)", "whose child is not in the header files (skipped)",
    "overlapping the child's previous episode (cut)", "after an open episode of the same child (closed)",
    "whose HOME_POST is not in the districts table (spread over the districts)",
    "ending with X1 and no next episode (counted as leaving care)"};

typedef struct {
    FILE *err;
    int errors;
    int nwarn[W_N];
} report;

static void error_at(report *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void error_at(report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(r->err, fmt, ap);
    va_end(ap);
    fputc('\n', r->err);
    r->errors++;
}

static void warn_at(report *r, warn_kind k, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void warn_at(report *r, warn_kind k, const char *fmt, ...)
{
    if (++r->nwarn[k] > WARN_SHOWN)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("warning: ", r->err);
    vfprintf(r->err, fmt, ap);
    va_end(ap);
    fputc('\n', r->err);
}

static int warn_summary(const report *r)
{
    int n = 0;
    for (int k = 0; k < W_N; k++) {
        if (r->nwarn[k] > WARN_SHOWN)
            fprintf(r->err, "warning: ... and %d more rows %s\n", r->nwarn[k] - WARN_SHOWN, warn_more[k]);
        n += r->nwarn[k];
    }
    return n;
}

/* What a bad value looks like, never the value itself (it may be a child's
 * identifier, birth date or postcode): "blank", "a value of 8 characters" or
 * "a value of 9 bytes, not all printable ASCII". buf: at least 64 bytes. */
static const char *shape(const char *v, char *buf)
{
    size_t n = strlen(v);
    int ascii = 1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] >= 0x80 || (unsigned char)v[i] < 0x20)
            ascii = 0;
    if (n == 0)
        snprintf(buf, 64, "blank");
    else if (ascii)
        snprintf(buf, 64, "a value of %zu character%s", n, n == 1 ? "" : "s");
    else
        snprintf(buf, 64, "a value of %zu bytes, not all printable ASCII", n);
    return buf;
}

/* DD/MM/YYYY (or YYYY-MM-DD); 0 if blank, -1 if not a date. */
static int parse_date(const char *s, int32_t *day)
{
    if (!*s)
        return 0;
    int d, m, y;
    char tail;
    if (sscanf(s, "%d/%d/%d%c", &d, &m, &y, &tail) == 3 || sscanf(s, "%d-%d-%d%c", &y, &m, &d, &tail) == 3) {
        if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > ccd_days_in_month(y, m))
            return -1;
        *day = ccd_from_ymd(y, m, d);
        return 1;
    }
    return -1;
}

/* ---- codes ---- */

/* SSDA903 PLACE codes by placement type; -1 for an unknown code. */
static int place_type(const char *p)
{
    static const struct {
        const char *code;
        int type;
    } map[] = {{"U1", CCM_KINSHIP}, {"U2", CCM_KINSHIP}, {"U3", CCM_KINSHIP}, {"U4", CCM_FOSTER},
               {"U5", CCM_FOSTER},  {"U6", CCM_FOSTER},  {"K2", CCM_RESIDENTIAL}, {"R1", CCM_RESIDENTIAL},
               {"P3", CCM_RESIDENTIAL}, {"S1", CCM_RESIDENTIAL}, {"K1", CCM_SECURE}, {"H5", CCM_SEMI},
               {"K3", CCM_SEMI},    {"P2", CCM_SEMI},    {"P1", CCM_PARENTS},  {"A3", CCM_ADOPTION},
               {"A4", CCM_ADOPTION}, {"A5", CCM_ADOPTION}, {"A6", CCM_ADOPTION}, {"R2", CCM_OTHER},
               {"R3", CCM_OTHER},   {"R5", CCM_OTHER},   {"T0", CCM_OTHER},    {"T1", CCM_OTHER},
               {"T2", CCM_OTHER},   {"T3", CCM_OTHER},   {"T4", CCM_OTHER},    {"Z1", CCM_OTHER}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcasecmp(p, map[i].code) == 0)
            return map[i].type;
    return -1;
}
static const char place_codes[] = "U1-U6, K1, K2, K3, R1, R2, R3, R5, P1, P2, P3, S1, H5, A3-A6, T0-T4, Z1";

/* SSDA903 REC codes: the exit route (or -2 for X1, -1 unknown). Ends at 18
 * are told apart by age, not by code. */
static int rec_route(const char *r)
{
    static const struct {
        const char *code;
        int route;
    } map[] = {{"X1", -2}, {"E4A", CCM_RETURN_HOME}, {"E4B", CCM_RETURN_HOME}, {"E4", CCM_RETURN_HOME},
               {"E13", CCM_RETURN_HOME}, {"E11", CCM_ADOPTION_EXIT}, {"E12", CCM_ADOPTION_EXIT},
               {"E1", CCM_ADOPTION_EXIT}, {"E45", CCM_SGO}, {"E46", CCM_SGO}, {"E47", CCM_SGO}, {"E48", CCM_SGO},
               {"E41", CCM_CAO}, {"E2", CCM_EXIT_OTHER}, {"E3", CCM_EXIT_OTHER}, {"E5", CCM_EXIT_OTHER},
               {"E6", CCM_EXIT_OTHER}, {"E7", CCM_EXIT_OTHER}, {"E8", CCM_EXIT_OTHER}, {"E9", CCM_EXIT_OTHER},
               {"E14", CCM_EXIT_OTHER}, {"E15", CCM_EXIT_OTHER}, {"E16", CCM_EXIT_OTHER}, {"E17", CCM_EXIT_OTHER}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcasecmp(r, map[i].code) == 0)
            return map[i].route;
    return -1;
}

/* A postcode without spaces, upper case, into out (at least 16 bytes). */
static void norm_post(const char *p, char *out)
{
    int n = 0;
    for (; *p && n < 15; p++)
        if (!isspace((unsigned char)*p))
            out[n++] = (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

/* Length of a postcode's outward code ("NG5" of "NG5 1AB" or "NG51AB"). */
static size_t outward_len(const char *raw, const char *norm)
{
    const char *sp = raw;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    if (*sp) { /* written with a space: the part before it */
        size_t n = 0;
        for (const char *q = raw; q < sp; q++)
            n += !isspace((unsigned char)*q);
        return n;
    }
    size_t n = strlen(norm);
    return n >= 5 ? n - 3 : n;
}

typedef struct {
    char key[16];
    size_t outward;
    int district;
    int line, row; /* in the districts table */
} post_entry;

static int by_key_row(const void *a, const void *b)
{
    const post_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* bsearch: a key (a string) against an entry */
static int key_is(const void *k, const void *e) { return strcmp(k, ((const post_entry *)e)->key); }

/* District of a HOME_POST: the longest table entry that is the start of the
 * postcode in the same outward code ("NG5" or "NG5 1" match "NG5 1AB";
 * "NG1" does not match "NG10 1AB"); -1 if none. The table t is sorted by
 * key (by_key_row): each of the postcode's prefixes is looked up by bsearch,
 * the longest first. */
static int district_of(const post_entry *t, int n, const char *post)
{
    char p[16];
    norm_post(post, p);
    size_t po = outward_len(post, p);
    for (size_t l = strlen(p); l > 0; l--) {
        char k[16];
        memcpy(k, p, l);
        k[l] = '\0';
        const post_entry *e = bsearch(k, t, (size_t)n, sizeof *t, key_is);
        if (!e)
            continue;
        while (e > t && strcmp(e[-1].key, k) == 0)
            e--;
        for (; e < t + n && strcmp(e->key, k) == 0; e++)
            if (e->outward == po)
                return e->district;
    }
    return -1;
}

/* ---- the data ---- */

typedef struct {
    const char *id; /* into the file's text */
    int32_t dob;
    int by, bm, bd;
    int file, line;
} person;

typedef struct {
    int child;          /* index into the children */
    int32_t start, end; /* end OPEN_END while open */
    int type;           /* ccm_ptype */
    int inhouse;        /* PLACE_PROVIDER PR1-PR3 */
    char rne;           /* RNE, upper case */
    int rne_s, rne_l;   /* RNE S: a new period of care; L: legal status only */
    int route;          /* rec_route of REC */
    int dest;           /* at 18, by REC: E17 staying put, E5 supported, else independent */
    int district;       /* -1 when HOME_POST is not in the table */
    int uasc;
    int file, line;
} episode;

typedef struct {
    const csd_opts *o;
    report rep;
    ccv_file *files[2 * CSD_MAXPAIRS + 1];
    int nfiles;
    person *pp;
    size_t np;
    episode *ep;
    size_t ne, cape;
    post_entry *post;
    int npost;
    const char **dname;
    int nd;
    int repeats, merged_l;
    int32_t fend[CSD_MAXPAIRS]; /* the last date in each episodes file */
    int vanished;               /* open episodes of children missing from every later file */
    int vanished_kept;          /* --vanished kept: they stay open */
} data;

static int by_id(const void *a, const void *b)
{
    const person *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return x->file != y->file ? x->file - y->file : x->line - y->line;
}

/* bsearch: an id (a string) against a child */
static int id_is(const void *key, const void *p) { return strcmp(key, ((const person *)p)->id); }

static int by_child_start(const void *a, const void *b)
{
    const episode *x = a, *y = b;
    if (x->child != y->child)
        return (x->child > y->child) - (x->child < y->child);
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    /* the same start: a closed copy (a later year's extract) before an open one */
    if (x->end != y->end)
        return (x->end > y->end) - (x->end < y->end);
    return x->file != y->file ? x->file - y->file : x->line - y->line;
}

static int age_on(const person *p, int32_t d)
{
    int y, m, dd;
    ccd_to_ymd(d, &y, &m, &dd);
    return y - p->by - (m < p->bm || (m == p->bm && dd < p->bd));
}

static int32_t birthday(const person *p, int age)
{
    int y = p->by + age, m = p->bm, d = p->bd;
    if (m == 2 && d == 29 && ccd_days_in_month(y, 2) == 28) {
        m = 3;
        d = 1;
    }
    return ccd_from_ymd(y, m, d);
}

static ccv_file *open_csv(data *D, const char *path)
{
    errno = 0;
    ccv_file *f = ccv_open(path);
    if (!f) {
        int e = errno ? errno : EIO;
        if (e == EFBIG)
            fprintf(D->rep.err, "%s: cannot read: larger than %zu MiB (expected a CSV file of at most that size)\n",
                    path, CCV_MAX_BYTES >> 20);
        else
            fprintf(D->rep.err, "%s: cannot read: %s\n", path, ctf_strerror(e));
        return NULL;
    }
    D->files[D->nfiles++] = f;
    return f;
}

/* A quote the file never closes: an error at the row, and the rest of the
 * file (which the row swallowed) is not read. */
static int unclosed_at(data *D, const ccv_file *f, const char *path)
{
    if (!ccv_unclosed(f))
        return 0;
    error_at(&D->rep, "%s:%d: a quoted field is not closed (expected a closing quote on this row; the rest of the "
                      "file is not read)",
             path, ccv_line(f));
    return 1;
}

typedef struct {
    const char *name;
    int row;
} name_row;

static int by_name_row(const void *a, const void *b)
{
    const name_row *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int by_row(const void *a, const void *b)
{
    const name_row *x = a, *y = b;
    return (x->row > y->row) - (x->row < y->row);
}

static int by_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The districts table: HOME_POST (a postcode, sector or district) -> name.
 * Districts are numbered in the order of their first row; the entries are
 * left sorted by key for district_of. O(n log n) in the rows. */
static int read_districts(data *D)
{
    const char *path = D->o->districts;
    static const char *const cols[] = {"HOME_POST", "district"};
    int col[2];
    ccv_file *f = open_csv(D, path);
    if (!f)
        return 4;
    if (ccv_columns(f, path, cols, 2, col, D->rep.err) != 0)
        return 3;
    name_row *nr = NULL;
    int n = 0, cap = 0, rc = 0;
    while (ccv_row(f)) {
        if (unclosed_at(D, f, path))
            break;
        const char *p = ccv_field(f, col[0]), *name = ccv_field(f, col[1]);
        if (!*p || !*name) {
            error_at(&D->rep, "%s:%d: column %s: blank (expected a postcode and a district name)", path, ccv_line(f),
                     *p ? "district" : "HOME_POST");
            continue;
        }
        if (strpbrk(name, ",\"\n\r")) {
            char sh[64];
            error_at(&D->rep,
                     "%s:%d: column district: not a district name (%s; expected a name without commas, quotes or "
                     "line breaks)",
                     path, ccv_line(f), shape(name, sh));
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            name_row *a = realloc(nr, (size_t)cap * sizeof *a);
            post_entry *b = realloc(D->post, (size_t)cap * sizeof *b);
            if (a)
                nr = a;
            if (b)
                D->post = b;
            if (!a || !b) {
                rc = 4;
                goto done;
            }
        }
        post_entry *e = &D->post[n];
        norm_post(p, e->key);
        e->outward = outward_len(p, e->key);
        e->line = ccv_line(f);
        e->row = n;
        nr[n].name = name;
        nr[n].row = n;
        n++;
    }
    D->npost = n;
    if (n > 0) {
        /* district numbers: each name's first row, in row order */
        qsort(nr, (size_t)n, sizeof *nr, by_name_row);
        int *grp = malloc((size_t)n * sizeof *grp);
        name_row *first = malloc((size_t)n * sizeof *first); /* {name, first row} by group */
        int groups = 0;
        if (!grp || !first) {
            free(grp);
            free(first);
            rc = 4;
            goto done;
        }
        for (int i = 0; i < n; i++) {
            if (i == 0 || strcmp(nr[i].name, nr[i - 1].name) != 0)
                first[groups++] = nr[i];
            grp[nr[i].row] = groups - 1;
        }
        /* group g's district is the rank of its first row: sort the groups'
         * first rows, then map each back (the row names group g by grp) */
        qsort(first, (size_t)groups, sizeof *first, by_row);
        D->dname = malloc((size_t)groups * sizeof *D->dname);
        int *did = malloc((size_t)groups * sizeof *did);
        if (!D->dname || !did) {
            free(grp);
            free(first);
            free(did);
            rc = 4;
            goto done;
        }
        for (int d = 0; d < groups; d++) {
            D->dname[d] = first[d].name;
            did[grp[first[d].row]] = d;
        }
        D->nd = groups;
        if (groups > 255)
            error_at(&D->rep, "%s: %d districts (expected at most 255)", path, groups);
        for (int i = 0; i < n; i++)
            D->post[i].district = did[grp[i]];
        free(grp);
        free(first);
        free(did);
        /* the entries by key; a key given for two districts is an error at
         * each row after the first that disagrees */
        qsort(D->post, (size_t)n, sizeof *D->post, by_key_row);
        int *badline = malloc((size_t)n * sizeof *badline), nbad = 0;
        if (!badline) {
            rc = 4;
            goto done;
        }
        for (int i = 0, g0 = 0, mixed = 0; i < n; i++) {
            if (i == 0 || strcmp(D->post[i].key, D->post[i - 1].key) != 0) {
                g0 = i;
                mixed = 0;
                continue;
            }
            if (mixed || D->post[i].district != D->post[g0].district) {
                badline[nbad++] = D->post[i].line;
                mixed = 1;
            }
        }
        qsort(badline, (size_t)nbad, sizeof *badline, by_int);
        for (int i = 0; i < nbad; i++)
            error_at(&D->rep, "%s:%d: column HOME_POST: given twice, for two districts (expected one district)", path,
                     badline[i]);
        free(badline);
    }
done:
    free(nr);
    if (rc == 0 && D->nd == 0)
        error_at(&D->rep, "%s: no districts (expected rows of HOME_POST,district)", path);
    return rc;
}

/* Every header file: children and their birth dates. */
static int read_headers(data *D)
{
    static const char *const cols[] = {"CHILD", "DOB"};
    size_t cap = 0;
    int rc = 0;
    for (int k = 0; k < D->o->npairs; k++) {
        const char *path = D->o->header[k];
        int col[2];
        ccv_file *f = open_csv(D, path);
        if (!f)
            return 4;
        if (ccv_columns(f, path, cols, 2, col, D->rep.err) != 0) {
            rc = 3;
            continue;
        }
        while (ccv_row(f)) {
            if (unclosed_at(D, f, path))
                break;
            const char *id = ccv_field(f, col[0]), *dob = ccv_field(f, col[1]);
            int32_t day = 0;
            if (!*id) {
                error_at(&D->rep, "%s:%d: column CHILD: blank (expected the child's identifier)", path, ccv_line(f));
                continue;
            }
            if (parse_date(dob, &day) != 1) {
                char sh[64];
                error_at(&D->rep, "%s:%d: column DOB: not a date (%s; expected DD/MM/YYYY)", path, ccv_line(f),
                         shape(dob, sh));
                continue;
            }
            if (D->np == cap) {
                cap = cap ? 2 * cap : 1024;
                person *a = realloc(D->pp, cap * sizeof *a);
                if (!a)
                    return 4;
                D->pp = a;
            }
            person *x = &D->pp[D->np++];
            x->id = id;
            x->dob = day;
            ccd_to_ymd(day, &x->by, &x->bm, &x->bd);
            x->file = k;
            x->line = ccv_line(f);
        }
    }
    if (D->np > 1)
        qsort(D->pp, D->np, sizeof *D->pp, by_id);
    /* a child in several years' files: one row, the same birth date */
    size_t m = 0;
    for (size_t i = 0; i < D->np; i++) {
        if (m > 0 && strcmp(D->pp[m - 1].id, D->pp[i].id) == 0) {
            if (D->pp[m - 1].dob != D->pp[i].dob)
                error_at(&D->rep,
                         "%s:%d: column DOB: differs from the same child's row at %s:%d (expected one date of birth)",
                         D->o->header[D->pp[i].file], D->pp[i].line, D->o->header[D->pp[m - 1].file],
                         D->pp[m - 1].line);
            continue;
        }
        D->pp[m++] = D->pp[i];
    }
    D->np = m;
    return rc;
}

/* Every episodes file, each row checked. */
static int read_episodes(data *D)
{
    static const char *const cols[] = {"CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER",
                                       "DEC", "REC", "HOME_POST"};
    enum { C_CHILD, C_DECOM, C_RNE, C_LS, C_CIN, C_PLACE, C_PROV, C_DEC, C_REC, C_POST, C_N };
    int rc = 0;
    for (int k = 0; k < D->o->npairs; k++) {
        const char *path = D->o->episodes[k];
        int col[C_N];
        ccv_file *f = open_csv(D, path);
        if (!f)
            return 4;
        if (ccv_columns(f, path, cols, C_N, col, D->rep.err) != 0) {
            rc = 3;
            continue;
        }
        while (ccv_row(f)) {
            if (unclosed_at(D, f, path))
                break;
            int line = ccv_line(f);
            const char *id = ccv_field(f, col[C_CHILD]);
            if (!*id) {
                error_at(&D->rep, "%s:%d: column CHILD: blank (expected the child's identifier)", path, line);
                continue;
            }
            const person *who = D->np ? bsearch(id, D->pp, D->np, sizeof *D->pp, id_is) : NULL;
            if (!who) {
                warn_at(&D->rep, W_CHILD, "%s:%d: column CHILD: the child is not in the header files (row skipped)",
                        path, line);
                continue;
            }
            int32_t s = 0, e = OPEN_END;
            const char *decom = ccv_field(f, col[C_DECOM]), *dec = ccv_field(f, col[C_DEC]);
            int a = parse_date(decom, &s), b = parse_date(dec, &e);
            if (a != 1 || b < 0) {
                char sh[64];
                warn_at(&D->rep, W_DATE, "%s:%d: column %s: %s (%s; expected DD/MM/YYYY; row skipped)", path, line,
                        a != 1 ? "DECOM" : "DEC", a == 0 ? "blank" : "not a date", shape(a != 1 ? decom : dec, sh));
                continue;
            }
            if (b == 0)
                e = OPEN_END;
            if (s > D->fend[k])
                D->fend[k] = s;
            if (e != OPEN_END && e > D->fend[k])
                D->fend[k] = e;
            int bad = 0;
            if (e < s) {
                error_at(&D->rep, "%s:%d: column DEC: the episode ends before it starts (expected DEC on or after DECOM)",
                         path, line);
                bad = 1;
            }
            if (s < who->dob) {
                error_at(&D->rep,
                         "%s:%d: column DECOM: the episode starts before the child's date of birth in %s (expected a "
                         "date after DOB)",
                         path, line, D->o->header[who->file]);
                bad = 1;
            }
            char sh[64];
            const char *rne = ccv_field(f, col[C_RNE]);
            if (strlen(rne) != 1 || !strchr("SPBTLUspbtlu", rne[0])) {
                error_at(&D->rep,
                         "%s:%d: column RNE: not an SSDA903 reason for a new episode (%s; expected S, P, B, T, L "
                         "or U)",
                         path, line, shape(rne, sh));
                bad = 1;
            }
            const char *place = ccv_field(f, col[C_PLACE]);
            int type = place_type(place);
            if (type < 0) {
                error_at(&D->rep, "%s:%d: column PLACE: not an SSDA903 placement code (%s; expected one of %s)", path,
                         line, shape(place, sh), place_codes);
                bad = 1;
            }
            const char *prov = ccv_field(f, col[C_PROV]);
            if (*prov && !(strlen(prov) == 3 && toupper((unsigned char)prov[0]) == 'P' &&
                           toupper((unsigned char)prov[1]) == 'R' && prov[2] >= '0' && prov[2] <= '5')) {
                error_at(&D->rep, "%s:%d: column PLACE_PROVIDER: not a provider code (%s; expected PR0 to PR5)", path,
                         line, shape(prov, sh));
                bad = 1;
            }
            const char *rec = ccv_field(f, col[C_REC]);
            int route = -1;
            if (e != OPEN_END) {
                route = rec_route(rec);
                if (route == -1) {
                    error_at(&D->rep,
                             "%s:%d: column REC: not an SSDA903 reason for the episode ending (%s; expected X1 or "
                             "an E code: E11-E17, E2, E3, E41, E45-E48, E4A, E4B, E5-E9)",
                             path, line, shape(rec, sh));
                    bad = 1;
                }
            }
            int district = 0;
            if (D->npost > 0) {
                district = district_of(D->post, D->npost, ccv_field(f, col[C_POST]));
                if (district < 0)
                    warn_at(&D->rep, W_POST,
                            "%s:%d: column HOME_POST: not in %s (the child is spread over the districts in proportion)",
                            path, line, D->o->districts);
            }
            if (bad)
                continue;
            if (D->ne == D->cape) {
                D->cape = D->cape ? 2 * D->cape : 4096;
                episode *x = realloc(D->ep, D->cape * sizeof *x);
                if (!x)
                    return 4;
                D->ep = x;
            }
            episode *x = &D->ep[D->ne++];
            x->child = (int)(who - D->pp);
            x->start = s;
            x->end = e;
            x->type = type;
            x->inhouse = *prov && prov[2] >= '1' && prov[2] <= '3';
            x->rne = (char)toupper((unsigned char)rne[0]);
            x->rne_s = toupper((unsigned char)rne[0]) == 'S';
            x->rne_l = toupper((unsigned char)rne[0]) == 'L';
            x->route = route;
            x->dest = strcasecmp(rec, "E17") == 0 ? CCM_STAYING_PUT
                      : strcasecmp(rec, "E5") == 0 ? CCM_SUPPORTED
                                                   : CCM_INDEPENDENT;
            x->district = district;
            x->uasc = strcasecmp(ccv_field(f, col[C_LS]), "V2") == 0 && strcasecmp(ccv_field(f, col[C_CIN]), "N8") == 0;
            x->file = k;
            x->line = line;
        }
    }
    return rc;
}

/* Whether x repeats a kept episode k (years' extracts overlap): the same
 * start, reason, placement and provider, and the same end or x still open.
 * A same-day episode followed by another from that day is not a repeat. */
static int repeats(const episode *k, const episode *x)
{
    return k->start == x->start && k->rne == x->rne && k->type == x->type && k->inhouse == x->inhouse &&
           (k->end == x->end || x->end == OPEN_END);
}

/* Repeated episodes (years' extracts overlap) dropped, stale open episodes
 * closed, overlaps cut, legal-status-only changes merged into the placement
 * they continue; then the open episodes of children missing from every
 * later file (vanished) closed, unless --vanished kept. */
static void clean_episodes(data *D)
{
    episode *ep = D->ep;
    if (D->ne > 1)
        qsort(ep, D->ne, sizeof *ep, by_child_start);
    /* each child's last file: the latest end of a file that holds one of
     * its episodes (repeats included) */
    int32_t *last = malloc((D->np ? D->np : 1) * sizeof *last);
    int32_t newest = INT32_MIN;
    for (int k = 0; k < D->o->npairs; k++)
        if (D->fend[k] > newest)
            newest = D->fend[k];
    for (size_t i = 0; last && i < D->ne; i++) {
        int32_t fe = D->fend[ep[i].file];
        if (i == 0 || ep[i - 1].child != ep[i].child || fe > last[ep[i].child])
            last[ep[i].child] = fe;
    }
    /* 1. repeats, each matched against every episode of the child kept so
     * far with the same start (sorted by start, those are the last kept;
     * closed copies sort before open ones, so the closed one is kept) */
    size_t m = 0;
    for (size_t i = 0; i < D->ne; i++) {
        const episode *x = &ep[i];
        int rep = 0;
        for (size_t j = m; j-- > 0 && ep[j].child == x->child && ep[j].start == x->start && !rep;)
            rep = repeats(&ep[j], x);
        if (rep) {
            D->repeats++;
            continue;
        }
        ep[m++] = *x;
    }
    D->ne = m;
    /* 2. open episodes, overlaps, legal-status changes */
    m = 0;
    for (size_t i = 0; i < D->ne; i++) {
        episode *x = &ep[i], *p = m > 0 && ep[m - 1].child == x->child ? &ep[m - 1] : NULL;
        const char *path = D->o->episodes[x->file];
        if (p && p->end == OPEN_END) {
            warn_at(&D->rep, W_OPEN,
                    "%s:%d: the child's episode at %s:%d is still open when this one starts (it is closed then)",
                    path, x->line, D->o->episodes[p->file], p->line);
            p->end = x->start;
            p->route = -2;
        } else if (p && x->start < p->end) {
            warn_at(&D->rep, W_OVERLAP,
                    "%s:%d: the episode overlaps the child's episode at %s:%d (it is cut to start when that ends)",
                    path, x->line, D->o->episodes[p->file], p->line);
            x->start = p->end;
            if (x->end != OPEN_END && x->end <= x->start)
                continue;
        }
        if (p && p->end == x->start && x->rne_l && p->type == x->type && p->inhouse == x->inhouse) {
            p->end = x->end; /* the same placement continues */
            p->route = x->route;
            D->merged_l++;
            continue;
        }
        ep[m++] = *x;
    }
    /* 3. vanished children: an episode still open whose child no later file
     * holds. As the DfE counts them (a child is in care on 31 March only if
     * that year's return has an open episode), they left care at the end of
     * the last file that held them, route other (the reason is unknown). */
    for (size_t i = 0; last && i < m; i++) {
        episode *x = &ep[i];
        if (x->end != OPEN_END || last[x->child] >= newest)
            continue;
        D->vanished++;
        if (D->vanished_kept)
            continue;
        x->end = last[x->child] > x->start ? last[x->child] : x->start;
        x->route = CCM_EXIT_OTHER;
    }
    free(last);
    D->ne = m;
    /* X1 says a new episode starts the same day */
    for (size_t i = 0; i < m; i++)
        if (ep[i].route == -2 && !(i + 1 < m && ep[i + 1].child == ep[i].child && ep[i + 1].start == ep[i].end)) {
            warn_at(&D->rep, W_X1, "%s:%d: column REC: X1, but no episode of the child starts the day this one ends "
                                   "(counted as leaving care, route other)",
                    D->o->episodes[ep[i].file], ep[i].line);
            ep[i].route = CCM_EXIT_OTHER;
        }
}

/* ---- estimation ---- */

typedef struct {
    double ev, ex; /* events; exposure in years */
} count;

typedef struct {
    int32_t F, T;
    double years;
    int nd;
    count ex[CCM_NROUTE][CCM_NCOHORT];
    count mv[CCM_NPT][CCM_NCOHORT];
    count semi[CCM_NPT], at16[CCM_NPT];
    double *ent;      /* [cohort * nd + district] entries, the unknown districts spread */
    double entn[CCM_NCOHORT];
    double emix[CCM_NCOHORT][CCM_NPT], euasc[CCM_NCOHORT];
    double dest[CCM_NPT][CCM_NDEST];
    double init[CCM_NCOHORT], imix[CCM_NCOHORT][CCM_NPT], ihouse[CCM_NCOHORT][CCM_NPT], iuasc[CCM_NCOHORT];
    double *idist;    /* [cohort * nd + district] */
    double *yent;     /* entries in each year back from T: [0] the last 12 months */
    /* the children in care at T: cohort, years in care (since the period's
     * start, or the first episode in the files) and in the placement */
    int *hco;
    double *hcare, *hplace;
    size_t nh;
    int ny;           /* years (the earliest may be part of one) */
    /* the entry rates written: the window's means times elevel, with trend */
    const char *emethod; /* "trend", "recent" or "mean": what was used */
    const char *easked;  /* what --entries asked for */
    double elevel, etrend, eb, eb_lo, eb_hi; /* eb: the fitted log-linear slope a year, 95% */
    int eyears;          /* years in the trend fit */
    double echi, echi_p; /* homogeneity of the years: chi-square and its p-value */
} tally;

/* Add one to the row of counts v[0..nd) at district d, or to the row's
 * unknown count when d < 0 (spread in proportion by settle). */
static void spread(double *v, double *unknown, int d)
{
    if (d >= 0)
        v[d] += 1;
    else
        *unknown += 1;
}

static void settle(double *v, int nd, double unknown)
{
    double known = 0;
    for (int d = 0; d < nd; d++)
        known += v[d];
    for (int d = 0; d < nd; d++)
        v[d] += unknown * (known > 0 ? v[d] / known : 1.0 / nd);
}

static void estimate(const data *D, tally *t)
{
    const episode *ep = D->ep;
    const int32_t F = t->F, T = t->T;
    int nd = t->nd;
    double eunk[CCM_NCOHORT] = {0}, iunk[CCM_NCOHORT] = {0};
    double carey[CCM_NCOHORT] = {0}, typey[CCM_NPT][CCM_NCOHORT];
    memset(typey, 0, sizeof typey);
    for (size_t i = 0; i < D->ne; i++) {
        const episode *x = &ep[i];
        const person *who = &D->pp[x->child];
        const episode *prev = i > 0 && ep[i - 1].child == x->child ? &ep[i - 1] : NULL;
        const episode *next = i + 1 < D->ne && ep[i + 1].child == x->child ? &ep[i + 1] : NULL;
        /* a period starts with RNE S or after a gap; a first episode with
         * another RNE continues a period that began before the files */
        int new_period = x->rne_s || (prev && prev->end != x->start);
        /* exposure inside the window, split at birthdays */
        int32_t a = x->start > F ? x->start : F, b = x->end < T ? x->end : T;
        while (a < b) {
            int co = ccm_cohort_of_years(age_on(who, a));
            if (co < 0)
                break;
            int32_t nb = birthday(who, ccm_cohort_lo[co + 1]);
            int32_t stop = nb < b ? nb : b;
            carey[co] += (stop - a) / DPY;
            typey[x->type][co] += (stop - a) / DPY;
            a = stop;
        }
        if (new_period && x->start > F && x->start <= T) {
            int co = ccm_cohort_of_years(age_on(who, x->start));
            if (co >= 0) {
                spread(&t->ent[co * nd], &eunk[co], x->district);
                int y = (int)((T - x->start) / DPY);
                if (y >= 0 && y < t->ny)
                    t->yent[y] += 1;
                t->entn[co] += 1;
                t->emix[co][x->type] += 1;
                t->euasc[co] += x->uasc;
            }
        }
        if (x->end != OPEN_END && x->end > F && x->end <= T) {
            int age = age_on(who, x->end);
            int co = ccm_cohort_of_years(age);
            int cfrom = ccm_cohort_of_years(age_on(who, x->end - 1));
            int moved = next && next->start == x->end && !next->rne_s;
            if (moved) {
                if (next->type == CCM_SEMI && x->type != CCM_SEMI && co == CCM_NCOHORT - 1) {
                    if (x->end == birthday(who, 16))
                        t->at16[x->type].ev += 1;
                    else
                        t->semi[x->type].ev += 1;
                } else if (cfrom >= 0) {
                    t->mv[x->type][cfrom].ev += 1;
                }
            } else if (age >= 18 || co < 0) {
                t->dest[x->type][x->dest] += 1;
            } else if (cfrom >= 0) {
                t->ex[x->route >= 0 ? x->route : CCM_EXIT_OTHER][cfrom].ev += 1;
            }
        }
        int32_t b16 = birthday(who, 16);
        if (b16 > F && b16 <= T && b16 > x->start && b16 <= x->end)
            t->at16[x->type].ex += 1;
        if (x->start <= T && T < x->end) {
            int co = ccm_cohort_of_years(age_on(who, T));
            if (co >= 0) {
                t->init[co] += 1;
                t->imix[co][x->type] += 1;
                t->ihouse[co][x->type] += x->inhouse;
                t->iuasc[co] += x->uasc;
                spread(&t->idist[co * nd], &iunk[co], x->district);
                size_t j = i; /* back to the period's first episode */
                while (!ep[j].rne_s && j > 0 && ep[j - 1].child == x->child && ep[j - 1].end == ep[j].start)
                    j--;
                t->hco[t->nh] = co;
                t->hcare[t->nh] = (T - ep[j].start) / DPY;
                t->hplace[t->nh++] = (T - x->start) / DPY;
            }
        }
    }
    for (int c = 0; c < CCM_NCOHORT; c++) {
        settle(&t->ent[c * nd], nd, eunk[c]);
        settle(&t->idist[c * nd], nd, iunk[c]);
        for (int k = 0; k < CCM_NROUTE; k++)
            t->ex[k][c].ex = carey[c];
        for (int p = 0; p < CCM_NPT; p++)
            t->mv[p][c].ex = typey[p][c];
    }
    for (int p = 0; p < CCM_NPT; p++)
        t->semi[p].ex = typey[p][CCM_NCOHORT - 1];
}

/* Years' exposure: the whole years back from T, the earliest maybe a part. */
static double year_exposure(const tally *t, int y)
{
    double e = t->years - y;
    return e > 1 ? 1 : e;
}

/* The entry rates' level and trend (--entries): "mean", the window's mean
 * rates, no trend (elevel 1); "recent", the last 12 months' rate, no trend;
 * "trend" (the default), a log-linear Poisson fit over the years back from
 * the end date (years of at least half a year's exposure): when there are
 * three years or more and the slope is clear (its 99% interval excludes
 * 0), the rates are the fitted level over the year after the end date and
 * entries.trend the fitted yearly change (within its range, -0.5 to 1);
 * else the mean, as "mean". The homogeneity of the years is tested either
 * way (Pearson chi-square), for a warning. */
static void entry_level(tally *t, const char *method)
{
    double N = 0, E = 0;
    for (int y = 0; y < t->ny; y++) {
        N += t->yent[y];
        E += year_exposure(t, y);
    }
    t->emethod = "mean";
    t->easked = method ? method : "trend";
    t->elevel = 1;
    t->etrend = 0;
    t->eb = t->eb_lo = t->eb_hi = 0;
    t->eyears = 0;
    t->echi = 0;
    t->echi_p = 1;
    if (N <= 0 || E <= 0)
        return;
    int df = -1;
    for (int y = 0; y < t->ny; y++) {
        double e = year_exposure(t, y);
        if (e < 0.5)
            continue;
        double m = N / E * e;
        t->echi += (t->yent[y] - m) * (t->yent[y] - m) / m;
        df++;
    }
    if (df > 0)
        t->echi_p = gsl_cdf_chisq_Q(t->echi, df);
    /* the log-linear fit, by Newton's method: mean e_y exp(a + b u_y), u_y
     * the middle of year y in years from T (negative) */
    double a = log(N / E), b = 0, iaa = 0, iab = 0, ibb = 0;
    int n = 0;
    for (int it = 0; it < 100; it++) {
        double ua = 0, ub = 0;
        iaa = iab = ibb = 0;
        n = 0;
        for (int y = 0; y < t->ny; y++) {
            double e = year_exposure(t, y);
            if (e < 0.5)
                continue;
            double u = -(y + e / 2), mu = e * exp(a + b * u);
            ua += t->yent[y] - mu;
            ub += u * (t->yent[y] - mu);
            iaa += mu;
            iab += u * mu;
            ibb += u * u * mu;
            n++;
        }
        double det = iaa * ibb - iab * iab;
        if (n < 2 || !(det > 0))
            break;
        double da = (ibb * ua - iab * ub) / det, db = (iaa * ub - iab * ua) / det;
        a += da;
        b += db;
        if (fabs(da) < 1e-10 && fabs(db) < 1e-10)
            break;
    }
    double det = iaa * ibb - iab * iab, se = det > 0 ? sqrt(iaa / det) : INFINITY;
    t->eyears = n;
    t->eb = b;
    t->eb_lo = b - 1.959964 * se;
    t->eb_hi = b + 1.959964 * se;
    if (method && strcmp(method, "mean") == 0)
        return;
    if (method && strcmp(method, "recent") == 0) {
        t->emethod = "recent";
        t->elevel = t->yent[0] / year_exposure(t, 0) / (N / t->years);
        return;
    }
    if (n < 3 || !isfinite(se) || fabs(b) <= 2.575829 * se || !isfinite(b))
        return; /* no clear trend: the mean */
    t->emethod = "trend";
    t->elevel = exp(a + b / 2) / (N / t->years);
    t->etrend = exp(b) - 1;
    if (t->etrend < -0.5)
        t->etrend = -0.5;
    if (t->etrend > 1)
        t->etrend = 1;
}

/* ---- the fitted config ---- */

/* A number as a config float ("0.0", "12.5", "1e-07"): libconfig arrays
 * must not mix integers and floats. Returns buf (at least 32 bytes). */
static const char *fnum(double v, char *buf)
{
    snprintf(buf, 32, "%.6g", v);
    if (!strpbrk(buf, ".eEn"))
        strcat(buf, ".0");
    return buf;
}

/* The x in [0, top] with cdf(x) = p, by bisection: GSL's own inverses can
 * fail to converge (and abort) for some parameters; its distribution
 * functions do not. cdf must rise from 0 to 1 over [0, top]. */
static double quantile(double (*cdf)(double, double, double), double a, double b, double p, double top)
{
    double lo = 0, hi = top;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + hi); i++) {
        double mid = 0.5 * (lo + hi);
        if (cdf(mid, a, b) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double chisq_cdf(double x, double df, double unused)
{
    (void)unused;
    return gsl_cdf_chisq_P(x, df);
}

void csd_rate_interval(double n, double years, double alpha, double *lo, double *hi)
{
    double df = 2 * n + 2, top = df + 10 * sqrt(2 * df) + 100;
    while (gsl_cdf_chisq_P(top, df) < 1 - alpha / 4)
        top *= 2;
    *lo = n > 0 ? quantile(chisq_cdf, 2 * n, 0, alpha / 2, top) / 2 / years : 0;
    *hi = quantile(chisq_cdf, df, 0, 1 - alpha / 2, top) / 2 / years;
}

void csd_share_interval(double k, double n, double alpha, double *lo, double *hi)
{
    *lo = k > 0 ? quantile(gsl_cdf_beta_P, k, n - k + 1, alpha / 2, 1) : 0;
    *hi = k < n ? quantile(gsl_cdf_beta_P, k + 1, n - k, 1 - alpha / 2, 1) : 1;
}

/* One estimated hazard: the setting into the config, a row into the fit table. */
static void put_rate(FILE *cfg, FILE *fit, int indent, const char *setting, const char *key, count c)
{
    double r = c.ex > 0 ? c.ev / c.ex : 0, lo = 0, hi = 0;
    if (c.ex > 0)
        csd_rate_interval(c.ev, c.ex, 0.05, &lo, &hi);
    char b[32];
    fprintf(cfg, "%*s%s = %s;   # %.0f events in %.1f years in care: 95%% %.4g-%.4g\n", indent, "", key, fnum(r, b),
            c.ev, c.ex, lo, hi);
    fprintf(fit, "%s.%s,rate,%.6g,%.6g,%.6g,%.0f,%.3f\n", setting, key, r, lo, hi, c.ev, c.ex);
}

/* One estimated share: k of n. */
static void put_share(FILE *cfg, FILE *fit, int indent, const char *setting, const char *key, double k, double n,
                      const char *what)
{
    double lo, hi, v = n > 0 ? k / n : 0;
    csd_share_interval(k, n, 0.05, &lo, &hi);
    char b[32];
    fprintf(cfg, "%*s%s = %s;   # %.0f of %.0f %s: 95%% %.4g-%.4g\n", indent, "", key, fnum(v, b), k, n, what, lo, hi);
    fprintf(fit, "%s.%s,share,%.6g,%.6g,%.6g,%.0f,%.0f\n", setting, key, v, lo, hi, k, n);
}

/* A placement mix by cohort: counts mix[c][t] of n[c]. Semi-independent
 * provision before 16 is not a state of the model: it is counted as other. */
static void put_mix(FILE *cfg, FILE *fit, const char *setting, const double mix[CCM_NCOHORT][CCM_NPT],
                    const double *n, const char *who)
{
    for (int c = 0; c < CCM_NCOHORT; c++) {
        char set[96];
        snprintf(set, sizeof set, "%s.%s", setting, ccm_cohort_key[c]);
        if (n[c] == 0) {
            fprintf(cfg, "    %s = { foster = 1.0; };   # no %s: assumption\n", ccm_cohort_key[c], who);
            continue;
        }
        fprintf(cfg, "    %s = {   # %.0f %s\n", ccm_cohort_key[c], n[c], who);
        for (int t = 0; t < CCM_NPT; t++) {
            double k = mix[c][t];
            if (c < CCM_NCOHORT - 1 && t == CCM_SEMI)
                continue;
            if (c < CCM_NCOHORT - 1 && t == CCM_OTHER)
                k += mix[c][CCM_SEMI];
            if (k > 0)
                put_share(cfg, fit, 6, set, ccm_ptype_name[t], k, n[c], who);
        }
        fprintf(cfg, "    };\n");
    }
}

static void put_needs(FILE *cfg, FILE *fit, const char *setting, const double *uasc, const double *n,
                      const char *who)
{
    fprintf(cfg, "  needs = {\n    uasc = {   # LS V2 with CIN N8: accommodated, absent parenting\n");
    char set[96];
    snprintf(set, sizeof set, "%s.uasc", setting);
    for (int c = 0; c < CCM_NCOHORT; c++)
        put_share(cfg, fit, 6, set, ccm_cohort_key[c], uasc[c], n[c], who);
    fprintf(cfg, "    };\n");
    for (int k = CCM_DISABLED; k <= CCM_COMPLEX; k++) {
        fprintf(cfg, "    %s = {", ccm_need_name[k]);
        for (int c = 0; c < CCM_NCOHORT; c++)
            fprintf(cfg, " %s = 0.0;", ccm_cohort_key[c]);
        fprintf(cfg, " };   # not in SSDA903: set from your own records\n");
    }
    fprintf(cfg, "  };\n");
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* initial.history: for each band with at least HIST_MIN children in care at
 * T, the deciles of their years in care and in placement. The ends are not
 * a child's values: p = 0 is written as 0 and p = 1 as the band's upper age
 * (the engine caps both at the child's own age and time in care); the inner
 * deciles interpolate between two children's values. */
static void put_history(const tally *t, FILE *cfg)
{
    enum { HIST_MIN = 10, NDEC = 10 };
    double *v = malloc((t->nh ? t->nh : 1) * sizeof *v);
    if (!v)
        return;
    int any = 0;
    for (int c = 0; c < CCM_NCOHORT; c++) {
        size_t n = 0;
        for (size_t i = 0; i < t->nh; i++)
            n += t->hco[i] == c;
        if (n < HIST_MIN)
            continue;
        if (!any)
            fprintf(cfg, "  history = {   # years in care (since RNE S, or the first episode in the files) and in the\n"
                         "    # placement, of the children in care at the window's end: deciles, ends 0 and the band's upper age\n");
        any = 1;
        fprintf(cfg, "    %s = {   # %zu children\n", ccm_cohort_key[c], n);
        for (int w = 0; w < 2; w++) {
            const double *src = w ? t->hplace : t->hcare;
            size_t k = 0;
            for (size_t i = 0; i < t->nh; i++)
                if (t->hco[i] == c)
                    v[k++] = src[i];
            qsort(v, n, sizeof *v, by_double);
            fprintf(cfg, "      %s = [", w ? "in_placement" : "in_care");
            for (int q = 0; q <= NDEC; q++) {
                double x;
                if (q == 0)
                    x = 0;
                else if (q == NDEC)
                    x = ccm_cohort_lo[c + 1];
                else {
                    double pos = (double)q / NDEC * (double)(n - 1);
                    size_t lo = (size_t)pos;
                    x = v[lo] + (pos - (double)lo) * (v[lo + 1 < n ? lo + 1 : lo] - v[lo]);
                }
                fprintf(cfg, "%s%.4f", q ? ", " : " ", x);
            }
            fprintf(cfg, " ];\n");
        }
        fprintf(cfg, "    };\n");
    }
    if (any)
        fprintf(cfg, "  };\n");
    free(v);
}

/* One fitted rate's uncertainty_of entry: its events over its exposure. */
static void put_unc_rate(FILE *cfg, int *first, const char *setting, count c, const char *why)
{
    if (c.ex <= 0)
        return; /* not estimated: no exposure */
    fprintf(cfg, "%s\n  { setting = \"%s\"; events = %.10g; exposure = %.3f; why = \"%s\"; }", *first ? "" : ",",
            setting, c.ev, c.ex, why);
    *first = 0;
}

/* The uncertainty of what was estimated: every fitted rate as events over
 * exposure, every drawable share and mix as its counts (sim/uncert.c draws
 * them; the initial population, needs and leaving-care shares are not drawn). */
static void put_uncertainty(const tally *t, FILE *cfg)
{
    int first = 1;
    char set[128];
    fprintf(cfg, "\n# The uncertainty of the estimates above: each rate drawn from its events and years in care,\n"
                 "# each share and mix from its counts, afresh for every replication (docs/model.md, \"Parameter\n"
                 "# uncertainty\"). Add your own assumptions' 90%% ranges (docs/config-reference.md).\n"
                 "uncertainty_of = (");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        snprintf(set, sizeof set, "entries.rate.%s", ccm_cohort_key[c]);
        put_unc_rate(cfg, &first, set, (count){t->entn[c], t->years},
                     "entries in the window over its years; the districts scale together");
    }
    for (int c = 0; c < CCM_NCOHORT; c++) {
        if (t->entn[c] <= 0)
            continue; /* the mix is an assumption */
        fprintf(cfg, "%s\n  { setting = \"entries.placement_mix.%s\"; counts = [", first ? "" : ",",
                ccm_cohort_key[c]);
        for (int p = 0; p < CCM_NPT; p++) {
            double k = t->emix[c][p];
            if (c < CCM_NCOHORT - 1 && p == CCM_SEMI)
                k = 0;
            if (c < CCM_NCOHORT - 1 && p == CCM_OTHER)
                k += t->emix[c][CCM_SEMI];
            fprintf(cfg, "%s%.10g", p ? ", " : "", k);
        }
        fprintf(cfg, "]; why = \"first placements of the entrants in the window, by type\"; }");
        first = 0;
    }
    for (int k = 0; k < CCM_NROUTE; k++)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            snprintf(set, sizeof set, "exits.%s.rate.%s", ccm_route_name[k], ccm_cohort_key[c]);
            put_unc_rate(cfg, &first, set, t->ex[k][c], "ends of care by the route over years in care in the band");
        }
    for (int p = 0; p < CCM_NPT; p++)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            snprintf(set, sizeof set, "moves.rate.%s.%s", ccm_ptype_name[p], ccm_cohort_key[c]);
            put_unc_rate(cfg, &first, set, t->mv[p][c], "placement changes over years in the type and band");
        }
    for (int p = 0; p < CCM_NPT; p++) {
        if (p == CCM_SEMI)
            continue;
        if (t->at16[p].ex > 0) {
            fprintf(cfg, "%s\n  { setting = \"transitions.semi_independent.at_16.%s\"; counts = [%.10g, %.10g]; "
                         "why = \"16th birthdays in the type: moved to semi-independent provision, and not\"; }",
                    first ? "" : ",", ccm_ptype_name[p], t->at16[p].ev, t->at16[p].ex - t->at16[p].ev);
            first = 0;
        }
        snprintf(set, sizeof set, "transitions.semi_independent.rate.%s", ccm_ptype_name[p]);
        put_unc_rate(cfg, &first, set, t->semi[p], "later moves to semi-independent provision over years at 16-17");
    }
    fprintf(cfg, "\n);\n");
}

static void write_demand(const data *D, const tally *t, FILE *cfg, FILE *fit)
{
    int nd = t->nd;
    char b[32];
    char fs[16], ts[16];
    ccd_format(t->F, fs);
    ccd_format(t->T, ts);
    fprintf(fit, "setting,kind,estimate,lo95,hi95,events,exposure\n");
    fprintf(cfg,
            "# Calibrated by carecap from SSDA903 episodes, %s to %s (%.2f years): %zu placements of %zu children.\n"
            "# Each estimated number gives the events and the exposure (years in care, or the number of\n"
            "# children) it came from, and a 95%% interval; the same figures are in the fit table beside\n"
            "# this file. SSDA903 holds no disability or complex-need flags and no places or prices.\n",
            fs, ts, t->years, D->ne, D->np);
    if (D->vanished)
        fprintf(cfg, "# %d open episode%s of children missing from every later episodes file %s (--vanished %s).\n",
                D->vanished, D->vanished == 1 ? "" : "s",
                D->vanished_kept ? "kept open" : "closed at the end of the last file that held them, route other",
                D->vanished_kept ? "kept" : "left");
    fprintf(cfg, "name = ");
    ccw_string(cfg, D->o->name ? D->o->name : "Calibrated from SSDA903");
    fprintf(cfg, ";\nstart_date = \"%s\";   # the end of the window: its population is the initial one\n"
                 "districts = [", ts);
    for (int d = 0; d < nd; d++) {
        fputs(d ? ", " : " ", cfg);
        ccw_string(cfg, D->nd ? D->dname[d] : "All");
    }
    fprintf(cfg, " ];   # %s\n\ninitial = {\n  count = {   # children in care on %s\n",
            D->nd ? "from the districts table" : "no districts table: one district", ts);
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = %.0f;   # counted\n", ccm_cohort_key[c], t->init[c]);
        fprintf(fit, "initial.count.%s,count,%.0f,%.0f,%.0f,%.0f,\n", ccm_cohort_key[c], t->init[c], t->init[c],
                t->init[c], t->init[c]);
    }
    fprintf(cfg, "  };\n  district_mix = {   # by HOME_POST\n");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = [", ccm_cohort_key[c]);
        for (int d = 0; d < nd; d++)
            fprintf(cfg, "%s%s", d ? ", " : " ",
                    fnum(t->init[c] > 0 ? t->idist[c * nd + d] / t->init[c] : 1.0 / nd, b));
        fprintf(cfg, " ];   #");
        for (int d = 0; d < nd; d++)
            fprintf(cfg, "%s%.4g", d ? " + " : " ", t->idist[c * nd + d]);
        fprintf(cfg, " of %.0f children%s\n", t->init[c], t->init[c] > 0 ? "" : " (none: even shares, assumption)");
    }
    fprintf(cfg, "  };\n  placement_mix = {   # the placement on %s (PLACE)\n", ts);
    put_mix(cfg, fit, "initial.placement_mix", t->imix, t->init, "children");
    fprintf(cfg, "  };\n");
    put_needs(cfg, fit, "initial.needs", t->iuasc, t->init, "children");
    put_history(t, cfg);
    fprintf(cfg, "};\n\nentries = {\n  rate = {   # periods of care starting a year (RNE S, or after a gap), by age at entry and district\n");
    double lv = t->elevel;
    if (strcmp(t->emethod, "trend") == 0)
        fprintf(cfg, "    # --entries trend: the window's mean rates times %.4g, the level a log-linear fit over\n"
                     "    # %d yearly counts gives for the year from %s (the counts and intervals are the window's)\n",
                lv, t->eyears, ts);
    else if (strcmp(t->emethod, "recent") == 0)
        fprintf(cfg, "    # --entries recent: the window's mean rates times %.4g, the last 12 months' level\n"
                     "    # (the counts and intervals are the window's)\n",
                lv);
    else
        fprintf(cfg, "    # the window's mean rates (--entries %s)\n",
                strcmp(t->easked, "trend") == 0 ? "trend: no clear trend in the years" : "mean");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = [", ccm_cohort_key[c]);
        for (int d = 0; d < nd; d++)
            fprintf(cfg, "%s%s", d ? ", " : " ", fnum(lv * t->ent[c * nd + d] / t->years, b));
        double lo, hi;
        fprintf(cfg, " ];   #");
        for (int d = 0; d < nd; d++) {
            csd_rate_interval(t->ent[c * nd + d], t->years, 0.05, &lo, &hi);
            fprintf(cfg, "%s%.4g entries (95%% %.4g-%.4g a year)", d ? ", " : " ", t->ent[c * nd + d], lo, hi);
            fprintf(fit, "entries.rate.%s[%d],rate,%.6g,%.6g,%.6g,%.4g,%.3f\n", ccm_cohort_key[c], d,
                    lv * t->ent[c * nd + d] / t->years, lv * lo, lv * hi, t->ent[c * nd + d], t->years);
        }
        csd_rate_interval(t->entn[c], t->years, 0.05, &lo, &hi);
        fprintf(cfg, " in %.2f years\n", t->years);
        fprintf(fit, "entries.rate.%s,rate,%.6g,%.6g,%.6g,%.0f,%.3f\n", ccm_cohort_key[c], lv * t->entn[c] / t->years,
                lv * lo, lv * hi, t->entn[c], t->years);
    }
    double nent = 0;
    for (int c = 0; c < CCM_NCOHORT; c++)
        nent += t->entn[c];
    fprintf(cfg, "  };\n  trend = %s;   # ", fnum(t->etrend, b));
    if (strcmp(t->emethod, "trend") == 0)
        fprintf(cfg, "fitted: %.0f entries in %d yearly counts change by %.4g a year (95%% %.4g to %.4g)%s\n", nent,
                t->eyears, exp(t->eb) - 1, exp(t->eb_lo) - 1, exp(t->eb_hi) - 1,
                t->etrend != exp(t->eb) - 1 ? ", held to the setting's range" : "");
    else
        fprintf(cfg, "assumption: no trend (--entries %s; set it from your own forecast)\n",
                strcmp(t->emethod, "recent") == 0  ? "recent"
                : strcmp(t->easked, "trend") == 0 ? "trend found none clear"
                                                   : "mean");
    fprintf(fit, "entries.trend,trend,%.6g,%.6g,%.6g,%.0f,%.3f\n", t->etrend, exp(t->eb_lo) - 1, exp(t->eb_hi) - 1,
            nent, t->years);
    fprintf(fit, "entries.level,%s,%.6g,,,%.0f,%.3f\n", t->emethod, lv, nent, t->years);
    fprintf(cfg, "  placement_mix = {   # the first placement of each period of care\n");
    put_mix(cfg, fit, "entries.placement_mix", t->emix, t->entn, "entrants");
    fprintf(cfg, "  };\n");
    put_needs(cfg, fit, "entries.needs", t->euasc, t->entn, "entrants");
    fprintf(cfg, "};\n\nexits = {   # hazards a year before 18: ends of care by route of REC / years in care, by age band\n");
    for (int k = 0; k < CCM_NROUTE; k++) {
        static const char *const codes[CCM_NROUTE] = {"E4A, E4B, E13", "E11, E12", "E45-E48", "E41",
                                                      "every other E code"};
        fprintf(cfg, "  %s = {   # REC %s\n    rate = {\n", ccm_route_name[k], codes[k]);
        char setting[64];
        snprintf(setting, sizeof setting, "exits.%s.rate", ccm_route_name[k]);
        for (int c = 0; c < CCM_NCOHORT; c++)
            put_rate(cfg, fit, 6, setting, ccm_cohort_key[c], t->ex[k][c]);
        fprintf(cfg, "    };\n  };\n");
    }
    fprintf(cfg, "};\n\nmoves = {\n  rate = {   # placement changes a year by the type left and age band (every change other\n"
                 "             # than the move to semi-independent provision at 16-17 counts as a breakdown)\n");
    for (int p = 0; p < CCM_NPT; p++) {
        fprintf(cfg, "    %s = {\n", ccm_ptype_name[p]);
        char setting[64];
        snprintf(setting, sizeof setting, "moves.rate.%s", ccm_ptype_name[p]);
        for (int c = 0; c < CCM_NCOHORT; c++)
            put_rate(cfg, fit, 6, setting, ccm_cohort_key[c], t->mv[p][c]);
        fprintf(cfg, "    };\n");
    }
    fprintf(cfg, "  };\n};\n\ntransitions = {\n  semi_independent = {\n"
                 "    at_16 = {   # moved to semi-independent provision (H5, K3, P2) on the 16th birthday\n");
    for (int p = 0; p < CCM_NPT; p++)
        if (p != CCM_SEMI && t->at16[p].ex > 0) {
            char what[64];
            snprintf(what, sizeof what, "16th birthdays in %s", ccm_ptype_name[p]);
            put_share(cfg, fit, 6, "transitions.semi_independent.at_16", ccm_ptype_name[p], t->at16[p].ev,
                      t->at16[p].ex, what);
        }
    fprintf(cfg, "    };\n    rate = {   # later moves there a year while 16-17, by the type left\n");
    for (int p = 0; p < CCM_NPT; p++)
        if (p != CCM_SEMI && t->semi[p].ex > 0)
            put_rate(cfg, fit, 6, "transitions.semi_independent.rate", ccm_ptype_name[p], t->semi[p]);
    fprintf(cfg, "    };\n  };\n  leaving_care = {   # the end of care at 18, by REC: E17 staying put, E5 supported, other independent\n");
    double all[CCM_NDEST] = {0}, nall = 0;
    for (int p = 0; p < CCM_NPT; p++)
        for (int k = 0; k < CCM_NDEST; k++) {
            all[k] += t->dest[p][k];
            nall += t->dest[p][k];
        }
    if (nall == 0) {
        fprintf(cfg, "    default = { independent = 1.0; };   # no one reached 18 in the window: assumption\n");
    } else {
        fprintf(cfg, "    default = {   # %.0f young people\n", nall);
        for (int k = 0; k < CCM_NDEST; k++)
            put_share(cfg, fit, 6, "transitions.leaving_care.default", ccm_dest_name[k], all[k], nall,
                      "young people");
        fprintf(cfg, "    };\n");
    }
    for (int p = 0; p < CCM_NPT; p++) {
        double n = t->dest[p][0] + t->dest[p][1] + t->dest[p][2];
        if (n < 10)
            continue; /* too few: the default applies */
        char set[96], what[64];
        snprintf(set, sizeof set, "transitions.leaving_care.%s", ccm_ptype_name[p]);
        snprintf(what, sizeof what, "leaving %s", ccm_ptype_name[p]);
        fprintf(cfg, "    %s = {   # %.0f young people\n", ccm_ptype_name[p], n);
        for (int k = 0; k < CCM_NDEST; k++)
            put_share(cfg, fit, 6, set, ccm_dest_name[k], t->dest[p][k], n, what);
        fprintf(cfg, "    };\n");
    }
    fprintf(cfg, "  };\n};\n");
    put_uncertainty(t, cfg);
}

/* ---- the command ---- */

/* Load the written config; its problems, if any, are printed naming `shown`
 * in place of the temporary file. */
static int check_written(const char *tmp, const char *shown, FILE *err, cc_params **out)
{
    cc_diag *dg = ccg_new();
    int rc = ccp_load(tmp, dg, out);
    if (rc != CCP_OK) {
        size_t tl = strlen(tmp);
        for (size_t i = 0; i < ccg_count(dg); i++) {
            const char *m = ccg_get(dg, i);
            if (strncmp(m, tmp, tl) == 0)
                fprintf(err, "%s%s\n", shown, m + tl);
            else
                fprintf(err, "%s\n", m);
        }
        fprintf(err, "carecap: the fitted config is not valid (%zu error%s); nothing was written\n", ccg_count(dg),
                ccg_count(dg) == 1 ? "" : "s");
    }
    ccg_free(dg);
    return rc;
}

/* Write the in-memory text to path. 0 or -1. */
static int write_text(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

/* Whether an output path names one of the input files (the same device and
 * inode, whatever the path says): a usage error, before anything is read. */
static int overwrites_input(const csd_opts *o, FILE *err)
{
    const char *in[2 * CSD_MAXPAIRS + 2];
    int n = 0;
    for (int k = 0; k < o->npairs; k++) {
        in[n++] = o->episodes[k];
        in[n++] = o->header[k];
    }
    if (o->districts)
        in[n++] = o->districts;
    if (o->baseline)
        in[n++] = o->baseline;
    size_t ol = strlen(o->out);
    char *fit = malloc(ol + sizeof ".fit.csv");
    if (!fit) {
        fprintf(err, "carecap: out of memory\n");
        return 1;
    }
    memcpy(fit, o->out, ol);
    memcpy(fit + ol, ".fit.csv", sizeof ".fit.csv");
    const char *outs[2] = {o->out, fit};
    int bad = 0;
    for (int j = 0; j < 2; j++) {
        struct stat so;
        if (stat(outs[j], &so) != 0)
            continue; /* not there yet: a new file */
        for (int i = 0; i < n; i++) {
            struct stat si;
            if (stat(in[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
                fprintf(err, "carecap: %s %s is the input file %s (expected a new file name: calibrate does not "
                             "overwrite its input)\n",
                        j ? "the fit table" : "-o", outs[j], in[i]);
                bad = 1;
                break;
            }
        }
    }
    free(fit);
    return bad ? 2 : 0;
}

int csd_calibrate(const csd_opts *o, FILE *out, FILE *err)
{
    data D;
    memset(&D, 0, sizeof D);
    D.o = o;
    D.rep.err = err;
    tally t;
    memset(&t, 0, sizeof t);
    char *ctext = NULL, *ftext = NULL;
    size_t clen = 0, flen = 0;
    FILE *cfg = NULL, *fit = NULL;
    cco_batch *batch = NULL;
    cc_params *fitted = NULL;
    int rc = 0;
    if (o->npairs < 1) {
        fprintf(err, "carecap: calibrate needs an episodes file and a header file\n");
        return 2;
    }
    if (o->entries && strcmp(o->entries, "trend") != 0 && strcmp(o->entries, "recent") != 0 &&
        strcmp(o->entries, "mean") != 0) {
        fprintf(err, "carecap: --entries %s: expected trend, recent or mean\n", o->entries);
        return 2;
    }
    if (o->vanished && strcmp(o->vanished, "left") != 0 && strcmp(o->vanished, "kept") != 0) {
        fprintf(err, "carecap: --vanished %s: expected left or kept\n", o->vanished);
        return 2;
    }
    D.vanished_kept = o->vanished && strcmp(o->vanished, "kept") == 0;
    for (int k = 0; k < CSD_MAXPAIRS; k++)
        D.fend[k] = INT32_MIN;
    if ((rc = overwrites_input(o, err)) != 0)
        return rc;
    if (o->districts && (rc = read_districts(&D)) != 0)
        goto done;
    if ((rc = read_headers(&D)) == 4)
        goto done;
    int rc2 = read_episodes(&D);
    if (rc2 != 0)
        rc = rc2;
    if (rc == 0 && D.rep.errors)
        rc = 3;
    if (D.rep.errors)
        fprintf(err, "carecap: %d error%s in the input files; nothing was written\n", D.rep.errors,
                D.rep.errors == 1 ? "" : "s");
    if (rc != 0)
        goto done;
    clean_episodes(&D);
    if (D.ne == 0) {
        fprintf(err, "%s: no usable episodes (%zu children in the header files)\n", o->episodes[0], D.np);
        rc = 3;
        goto done;
    }
    /* the window: by default from the first episode end (an extract holds
     * the episodes open during its years: from about then it is complete)
     * to the last date in the files, moved back to a month end */
    int32_t first = OPEN_END, fstart = OPEN_END, last = INT32_MIN;
    for (size_t i = 0; i < D.ne; i++) {
        const episode *x = &D.ep[i];
        if (x->start < fstart)
            fstart = x->start;
        if (x->end != OPEN_END && x->end < first)
            first = x->end;
        if (x->start > last)
            last = x->start;
        if (x->end != OPEN_END && x->end > last)
            last = x->end;
    }
    t.F = first != OPEN_END ? first : fstart;
    t.T = last;
    if (o->from && ccd_parse(o->from, &t.F) != 0) {
        fprintf(err, "--from: \"%s\" is not a date (expected YYYY-MM-DD)\n", o->from);
        rc = 3;
    }
    if (o->to && ccd_parse(o->to, &t.T) != 0) {
        fprintf(err, "--to: \"%s\" is not a date (expected YYYY-MM-DD)\n", o->to);
        rc = 3;
    }
    if (rc)
        goto done;
    /* The data's own first and last dates are a child's dates: not shown. */
    if (t.T > last) {
        fprintf(err, "--to: %s is after the last date in the episodes files (expected a date the data covers)\n",
                o->to);
        rc = 3;
        goto done;
    }
    if (t.F < fstart) {
        fprintf(err, "--from: %s is before the first episode starts (expected a date the data covers)\n", o->from);
        rc = 3;
        goto done;
    }
    if (t.T != ccd_month_end(t.T)) {
        int y, m, d;
        ccd_to_ymd(t.T, &y, &m, &d);
        t.T = ccd_from_ymd(y, m, 1) - 1;
    }
    /* the default start, a child's episode end, moves on to the first of
     * the next month, so no date of a child's record is shown or written */
    if (!o->from) {
        int y, m, d;
        ccd_to_ymd(t.F, &y, &m, &d);
        if (d != 1)
            t.F = ccd_month_end(t.F) + 1;
    }
    if (t.T - t.F < 365) {
        fprintf(err, "the window, %d days, is too short (expected at least a year of episodes%s)\n", t.T - t.F,
                o->from || o->to ? " between --from and --to" : "");
        rc = 3;
        goto done;
    }
    t.years = (t.T - t.F) / DPY;
    t.nd = D.nd > 0 ? D.nd : 1;
    t.ent = calloc((size_t)(CCM_NCOHORT * t.nd), sizeof *t.ent);
    t.idist = calloc((size_t)(CCM_NCOHORT * t.nd), sizeof *t.idist);
    t.ny = (int)ceil(t.years);
    t.yent = calloc((size_t)t.ny + 1, sizeof *t.yent);
    t.hco = calloc(D.ne, sizeof *t.hco);
    t.hcare = calloc(D.ne, sizeof *t.hcare);
    t.hplace = calloc(D.ne, sizeof *t.hplace);
    cfg = open_memstream(&ctext, &clen);
    fit = open_memstream(&ftext, &flen);
    if (!t.ent || !t.idist || !t.yent || !t.hco || !t.hcare || !t.hplace || !cfg || !fit) {
        fprintf(err, "carecap: out of memory\n");
        rc = 1;
        goto done;
    }
    estimate(&D, &t);
    entry_level(&t, o->entries);
    if (t.echi_p < 0.001) {
        fprintf(err, "warning: entries differ sharply between the window's years (entries a year, the last 12 "
                     "months first:");
        for (int y = 0, lead = 1; y < t.ny; y++)
            if (year_exposure(&t, y) >= 0.5) {
                fprintf(err, "%s %.0f", lead ? "" : ",", t.yent[y] / year_exposure(&t, y));
                lead = 0;
            }
        fprintf(err, "; chi-square %.1f, p %.2g): the entry rates %s (--entries %s)\n", t.echi, t.echi_p,
                strcmp(t.emethod, "trend") == 0    ? "follow a fitted log-linear trend"
                : strcmp(t.emethod, "recent") == 0 ? "are the last 12 months'"
                                                   : "are the window's mean",
                t.emethod);
    }
    write_demand(&D, &t, cfg, fit);
    fflush(cfg);
    /* the files go into place together, only when all is well */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", o->out);
    char *sl = strrchr(dir, '/');
    const char *base = sl ? sl + 1 : o->out;
    if (sl)
        *sl = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    char fitname[4200];
    snprintf(fitname, sizeof fitname, "%s.fit.csv", base);
    batch = cco_mkdirs(dir) == 0 ? cco_batch_new(dir) : NULL;
    const char *tmp = batch ? cco_batch_add_path(batch, base) : NULL;
    FILE *ff = tmp ? cco_batch_add(batch, fitname) : NULL;
    if (!ff || write_text(tmp, ctext, clen) != 0) {
        fprintf(err, "%s: cannot write: %s\n", o->out, strerror(errno ? errno : EIO));
        rc = 4;
        goto done;
    }
    if ((rc = check_written(tmp, o->out, err, &fitted)) != 0)
        goto done;
    if (o->baseline) {
        if ((rc = cbs_append(o->baseline, fitted, (const double(*)[CCM_NPT])t.ihouse, (const double(*)[CCM_NPT])t.imix, cfg, err)) != 0)
            goto done;
        fflush(cfg);
        ccp_free(fitted);
        fitted = NULL;
        if (write_text(tmp, ctext, clen) != 0) {
            fprintf(err, "%s: cannot write: %s\n", o->out, strerror(errno ? errno : EIO));
            rc = 4;
            goto done;
        }
        if ((rc = check_written(tmp, o->out, err, &fitted)) != 0)
            goto done;
    }
    fflush(fit);
    if (fwrite(ftext, 1, flen, ff) != flen) {
        fprintf(err, "%s: cannot write: %s\n", fitname, strerror(errno ? errno : EIO));
        rc = 4;
        goto done;
    }
    char msg[512];
    if (cco_batch_commit(batch, msg) != 0) {
        batch = NULL;
        fprintf(err, "carecap: %s\n", msg);
        rc = 4;
        goto done;
    }
    batch = NULL;
    int warned = warn_summary(&D.rep);
    if (D.vanished)
        fprintf(err,
                "warning: %d open episode%s of children missing from every later episodes file: %s (--vanished %s)\n",
                D.vanished, D.vanished == 1 ? "" : "s",
                D.vanished_kept ? "kept open, the children in care for good"
                                : "treated as leaving care (route other) at the end of the last file that held them",
                D.vanished_kept ? "kept" : "left");
    char fs[16], ts[16];
    ccd_format(t.F, fs);
    ccd_format(t.T, ts);
    fprintf(out, "carecap: calibrated from %zu placements of %zu children, %s to %s", D.ne, D.np, fs, ts);
    if (D.repeats || D.merged_l)
        fprintf(out, " (%d repeated episodes merged, %d legal-status changes joined to their placement)", D.repeats,
                D.merged_l);
    fprintf(out, "%s: %s (fit table %s.fit.csv)\n", warned ? "; see the warnings" : "", o->out, o->out);
done:
    if (rc != 0 && rc != 2)
        warn_summary(&D.rep);
    if (batch)
        cco_batch_abort(batch);
    if (cfg)
        fclose(cfg);
    if (fit)
        fclose(fit);
    free(ctext);
    free(ftext);
    ccp_free(fitted);
    free(t.ent);
    free(t.idist);
    free(t.yent);
    free(t.hco);
    free(t.hcare);
    free(t.hplace);
    for (int i = 0; i < D.nfiles; i++)
        ccv_close(D.files[i]);
    free(D.pp);
    free(D.ep);
    free(D.post);
    free((void *)D.dname);
    return rc;
}
