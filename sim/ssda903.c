/* ssda903: fit a carecap config to SSDA903 episodes. */
#define _XOPEN_SOURCE 700
#include "ssda903.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <gsl/gsl_cdf.h>
#include <libconfig.h>

#include "ccdate.h"
#include "model.h"

#define DPY 365.25

/* ---- a forgiving CSV reader ---- */

typedef struct {
    char *buf;      /* the file, parsed in place */
    char **field;   /* fields of the current row */
    int nfield, cap;
    char *p, *end;
    int line;       /* line of the current row */
} csv;

static int csv_open(csv *c, const char *path)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    c->buf = malloc((size_t)n + 1);
    if (!c->buf || fread(c->buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(c->buf);
        return -1;
    }
    fclose(f);
    c->buf[n] = '\0';
    c->p = c->buf;
    c->end = c->buf + n;
    if (n >= 3 && (unsigned char)c->buf[0] == 0xEF && (unsigned char)c->buf[1] == 0xBB &&
        (unsigned char)c->buf[2] == 0xBF)
        c->p += 3; /* UTF-8 byte-order mark */
    return 0;
}

/* Next row into c->field; 0 at the end. Quotes, "" escapes, CRLF. */
static int csv_row(csv *c)
{
    if (c->p >= c->end)
        return 0;
    c->nfield = 0;
    c->line++;
    char *w = c->p;
    for (;;) {
        if (c->nfield == c->cap) {
            int cap = c->cap ? 2 * c->cap : 32;
            char **a = realloc(c->field, (size_t)cap * sizeof *a);
            if (!a)
                return 0;
            c->field = a;
            c->cap = cap;
        }
        char *start = w;
        c->field[c->nfield++] = start;
        if (*c->p == '"') {
            c->p++;
            while (c->p < c->end) {
                if (*c->p == '"' && c->p[1] == '"') {
                    *w++ = '"';
                    c->p += 2;
                } else if (*c->p == '"') {
                    c->p++;
                    break;
                } else {
                    if (*c->p == '\n')
                        c->line++;
                    *w++ = *c->p++;
                }
            }
        }
        while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r')
            *w++ = *c->p++;
        /* step past the separator before ending the field in place (the
         * terminator may land where the separator was) */
        char sep = c->p < c->end ? *c->p : '\n';
        if (sep == ',') {
            c->p++;
        } else {
            if (sep == '\r')
                c->p++;
            if (c->p < c->end && *c->p == '\n')
                c->p++;
        }
        *w++ = '\0';
        if (sep == ',')
            continue;
        return 1;
    }
}

/* Map required column names to positions; report the missing ones. */
static int csv_columns(csv *c, const char *path, const char *const *names, int n, int *col, FILE *err)
{
    if (!csv_row(c)) {
        fprintf(err, "%s: empty file (expected a header row with %s, ...)\n", path, names[0]);
        return -1;
    }
    int bad = 0;
    for (int k = 0; k < n; k++) {
        col[k] = -1;
        for (int i = 0; i < c->nfield; i++) {
            const char *h = c->field[i];
            while (*h == ' ')
                h++;
            if (strcasecmp(h, names[k]) == 0)
                col[k] = i;
        }
        if (col[k] < 0) {
            fprintf(err, "%s:1: column %s is missing (expected it among the header row's names)\n", path, names[k]);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

static const char *fld(const csv *c, int col) { return col < c->nfield ? c->field[col] : ""; }

/* DD/MM/YYYY (or YYYY-MM-DD); 0 if blank, -1 if not a date. */
static int parse_date(const char *s, int32_t *day)
{
    while (*s == ' ')
        s++;
    if (!*s)
        return 0;
    int d, m, y;
    char tail;
    if (sscanf(s, "%d/%d/%d%c", &d, &m, &y, &tail) == 3 || (sscanf(s, "%d-%d-%d%c", &y, &m, &d, &tail) == 3)) {
        if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > ccd_days_in_month(y, m))
            return -1;
        *day = ccd_from_ymd(y, m, d);
        return 1;
    }
    return -1;
}

/* ---- episodes ---- */

typedef struct {
    int child;          /* index into the header's children */
    int32_t start, end; /* end INT32_MAX while open */
    int type;           /* ccm_ptype */
    int ext;            /* external provider */
    int rne_s;          /* RNE S: a new period of care */
    int rne_l;          /* RNE L: a change of legal status only (the placement continues) */
    char rec[6];
    int district;
    int uasc;
    int line;
} episode;

typedef struct {
    char id[48];
    int32_t dob;
    int by, bm, bd;
} person;

static int place_type(const char *p)
{
    if (p[0] == 'U' && p[1] >= '1' && p[1] <= '3')
        return CCM_KINSHIP;
    if (p[0] == 'U')
        return CCM_FOSTER;
    if (strcmp(p, "K1") == 0)
        return CCM_SECURE;
    if (!strcmp(p, "K2") || !strcmp(p, "R1") || !strcmp(p, "P3") || !strcmp(p, "S1"))
        return CCM_RESIDENTIAL;
    if (!strcmp(p, "H5") || !strcmp(p, "K3") || !strcmp(p, "P2"))
        return CCM_SEMI;
    if (!strcmp(p, "P1"))
        return CCM_PARENTS;
    if (p[0] == 'A')
        return CCM_ADOPTION;
    return CCM_OTHER;
}

static int by_id(const void *a, const void *b) { return strcmp(((const person *)a)->id, ((const person *)b)->id); }
static int by_child_start(const void *a, const void *b)
{
    const episode *x = a, *y = b;
    if (x->child != y->child)
        return (x->child > y->child) - (x->child < y->child);
    return (x->start > y->start) - (x->start < y->start);
}

/* age in whole years on day d */
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

/* ---- estimation ---- */

typedef struct {
    double ev, ex; /* events; exposure in years (or a denominator) */
} count;

static void interval(double n, double years, double *lo, double *hi)
{
    *lo = n > 0 ? gsl_cdf_chisq_Pinv(0.025, 2 * n) / 2 / years : 0;
    *hi = gsl_cdf_chisq_Pinv(0.975, 2 * n + 2) / 2 / years;
}

/* one estimated rate: value into the config, line into the fit table */
static void rate(FILE *cfg, FILE *fit, const char *setting, const char *key, count c, int last)
{
    double r = c.ex > 0 ? c.ev / c.ex : 0, lo = 0, hi = 0;
    if (c.ex > 0)
        interval(c.ev, c.ex, &lo, &hi);
    fprintf(cfg, "%s = %.6g;%s # %.0f events in %.1f years in care: 95%% %.4g-%.4g\n", key, r, last ? "" : "",
            c.ev, c.ex, lo, hi);
    fprintf(fit, "%s.%s,%.6g,%.6g,%.6g,%.0f,%.3f\n", setting, key, r, lo, hi, c.ev, c.ex);
}

/* Deep copy of libconfig setting `from` into group or list `to`. */
static int copy_setting(const config_setting_t *from, config_setting_t *to)
{
    int type = config_setting_type(from);
    const char *name = config_setting_name(from);
    int in_group = config_setting_type(to) == CONFIG_TYPE_GROUP;
    config_setting_t *c = config_setting_add(to, in_group ? name : NULL, type);
    if (!c)
        return -1;
    switch (type) {
    case CONFIG_TYPE_INT: config_setting_set_int(c, config_setting_get_int(from)); break;
    case CONFIG_TYPE_INT64: config_setting_set_int64(c, config_setting_get_int64(from)); break;
    case CONFIG_TYPE_FLOAT: config_setting_set_float(c, config_setting_get_float(from)); break;
    case CONFIG_TYPE_STRING: config_setting_set_string(c, config_setting_get_string(from)); break;
    case CONFIG_TYPE_BOOL: config_setting_set_bool(c, config_setting_get_bool(from)); break;
    default:
        for (int i = 0; i < config_setting_length(from); i++)
            if (copy_setting(config_setting_get_elem(from, (unsigned)i), c) != 0)
                return -1;
    }
    return 0;
}

/* Append the baseline's supply, matching and costs to the fitted config.
 * The baseline's start-date placements belong to its own population, so
 * they are dropped: each matched type's last unlimited external tier takes
 * the new start-date children (start_rest). */
static int append_supply(const char *baseline, const char *out, FILE *err)
{
    config_t b, n;
    config_init(&b);
    config_init(&n);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", baseline);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        config_set_include_dir(&b, dir);
    }
    if (config_read_file(&b, baseline) != CONFIG_TRUE) {
        fprintf(err, "%s: cannot read the baseline: %s\n", baseline, config_error_text(&b));
        config_destroy(&b);
        config_destroy(&n);
        return -1;
    }
    static const char *const sections[] = {"supply", "matching", "costs"};
    config_setting_t *root = config_root_setting(&n);
    int copied = 0;
    for (int k = 0; k < 3; k++) {
        config_setting_t *s = config_lookup(&b, sections[k]);
        if (s) {
            copy_setting(s, root);
            copied++;
        }
    }
    config_setting_t *sup = config_setting_get_member(root, "supply");
    if (sup) {
        static const char *const lists[] = {"homes", "external"};
        for (int l = 0; l < 2; l++) {
            config_setting_t *list = config_setting_get_member(sup, lists[l]);
            for (int i = 0; list && i < config_setting_length(list); i++) {
                config_setting_t *pv = config_setting_get_elem(list, (unsigned)i);
                config_setting_remove(pv, "start");
                config_setting_remove(pv, "start_rest");
            }
        }
        config_setting_t *fost = config_setting_get_member(sup, "fostering");
        if (fost)
            config_setting_remove(fost, "start");
        config_setting_t *ext = config_setting_get_member(sup, "external");
        static const char *const types[] = {"foster", "residential", "semi_independent", "secure"};
        for (int t = 0; ext && t < 4; t++) {
            config_setting_t *last = NULL;
            for (int i = 0; i < config_setting_length(ext); i++) {
                config_setting_t *pv = config_setting_get_elem(ext, (unsigned)i);
                const char *ty = NULL;
                config_setting_lookup_string(pv, "type", &ty);
                if (ty && strcmp(ty, types[t]) == 0 && !config_setting_get_member(pv, "capacity"))
                    last = pv;
            }
            if (last)
                config_setting_set_bool(config_setting_add(last, "start_rest", CONFIG_TYPE_BOOL), 1);
        }
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.supply.tmp", out);
    int ok = config_write_file(&n, tmp) == CONFIG_TRUE;
    config_destroy(&b);
    config_destroy(&n);
    FILE *in = ok ? fopen(tmp, "r") : NULL, *o = in ? fopen(out, "a") : NULL;
    if (!o) {
        if (in)
            fclose(in);
        remove(tmp);
        fprintf(err, "%s: cannot append the baseline's supply\n", out);
        return -1;
    }
    fprintf(o, "\n# Supply, matching and costs copied from %s. Its start-date placements are\n"
               "# dropped: each type's last external tier without a fixed capacity takes the start-date children\n"
               "# (start_rest); set `start` counts by hand to place them as they are.\n",
            baseline);
    char buf[8192];
    size_t nr;
    while ((nr = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, nr, o);
    fclose(in);
    remove(tmp);
    return fclose(o) == 0 && copied ? 0 : -1;
}

int csd_calibrate(const csd_opts *o, FILE *out, FILE *err)
{
    static const char *const hcols[] = {"CHILD", "DOB"};
    static const char *const ecols[] = {"CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "HOME_POST"};
    enum { E_CHILD, E_DECOM, E_RNE, E_LS, E_PLACE, E_PROV, E_DEC, E_REC, E_POST };
    int rc = 0, hcol[2], ecol[9];
    csv h, e, dcsv;
    memset(&dcsv, 0, sizeof dcsv);
    if (csv_open(&h, o->header) != 0) {
        fprintf(err, "%s: cannot read: %s\n", o->header, strerror(errno));
        return 4;
    }
    if (csv_open(&e, o->episodes) != 0) {
        fprintf(err, "%s: cannot read: %s\n", o->episodes, strerror(errno));
        free(h.buf);
        return 4;
    }
    person *pp = NULL;
    episode *ep = NULL;
    size_t np = 0, ne = 0, capp = 0, cape = 0;
    const char **dname = NULL, **dpost = NULL;
    int nd = 0;
    if (csv_columns(&h, o->header, hcols, 2, hcol, err) != 0 || csv_columns(&e, o->episodes, ecols, 9, ecol, err) != 0) {
        rc = 3;
        goto done;
    }
    /* districts: HOME_POST -> district name */
    if (o->districts) {
        static const char *const dcols[] = {"HOME_POST", "district"};
        int dcol[2];
        if (csv_open(&dcsv, o->districts) != 0) {
            fprintf(err, "%s: cannot read: %s\n", o->districts, strerror(errno));
            rc = 4;
            goto done;
        }
        if (csv_columns(&dcsv, o->districts, dcols, 2, dcol, err) != 0) {
            rc = 3;
            goto done;
        }
        while (csv_row(&dcsv)) {
            if (!*fld(&dcsv, dcol[0]))
                continue;
            dpost = realloc(dpost, (size_t)(nd + 1) * sizeof *dpost);
            dname = realloc(dname, (size_t)(nd + 1) * sizeof *dname);
            dpost[nd] = fld(&dcsv, dcol[0]);
            dname[nd] = fld(&dcsv, dcol[1]);
            nd++;
        }
    }
    /* header: children and birth dates */
    while (csv_row(&h)) {
        int32_t dob;
        const char *id = fld(&h, hcol[0]);
        if (!*id)
            continue;
        int ok = parse_date(fld(&h, hcol[1]), &dob);
        if (ok != 1) {
            fprintf(err, "%s:%d: column DOB: \"%s\" is not a date (expected DD/MM/YYYY)\n", o->header, h.line,
                    fld(&h, hcol[1]));
            rc = 3;
            continue;
        }
        if (np == capp) {
            capp = capp ? 2 * capp : 1024;
            pp = realloc(pp, capp * sizeof *pp);
        }
        person *x = &pp[np++];
        snprintf(x->id, sizeof x->id, "%s", id);
        x->dob = dob;
        ccd_to_ymd(dob, &x->by, &x->bm, &x->bd);
    }
    qsort(pp, np, sizeof *pp, by_id);
    /* episodes */
    int warned = 0;
    while (csv_row(&e)) {
        const char *id = fld(&e, ecol[E_CHILD]);
        if (!*id)
            continue;
        person key;
        snprintf(key.id, sizeof key.id, "%s", id);
        person *who = bsearch(&key, pp, np, sizeof *pp, by_id);
        if (!who) {
            fprintf(err, "%s:%d: column CHILD: the child is not in %s (row skipped)\n", o->episodes, e.line, o->header);
            warned++;
            continue;
        }
        int32_t s, d = INT32_MAX;
        int a = parse_date(fld(&e, ecol[E_DECOM]), &s), b = parse_date(fld(&e, ecol[E_DEC]), &d);
        if (a != 1 || b < 0) {
            fprintf(err, "%s:%d: column %s: \"%s\" is not a date (expected DD/MM/YYYY; row skipped)\n", o->episodes,
                    e.line, a != 1 ? "DECOM" : "DEC", a != 1 ? fld(&e, ecol[E_DECOM]) : fld(&e, ecol[E_DEC]));
            warned++;
            continue;
        }
        if (b == 0)
            d = INT32_MAX;
        if (ne == cape) {
            cape = cape ? 2 * cape : 4096;
            ep = realloc(ep, cape * sizeof *ep);
        }
        episode *x = &ep[ne++];
        x->child = (int)(who - pp);
        x->start = s;
        x->end = d;
        x->type = place_type(fld(&e, ecol[E_PLACE]));
        x->ext = strncmp(fld(&e, ecol[E_PROV]), "PR4", 3) == 0 || strncmp(fld(&e, ecol[E_PROV]), "PR5", 3) == 0;
        x->rne_s = fld(&e, ecol[E_RNE])[0] == 'S';
        x->rne_l = fld(&e, ecol[E_RNE])[0] == 'L';
        snprintf(x->rec, sizeof x->rec, "%s", fld(&e, ecol[E_REC]));
        x->uasc = strcmp(fld(&e, ecol[E_LS]), "V2") == 0;
        x->district = 0;
        for (int k = 0; k < nd; k++)
            if (strcmp(dpost[k], fld(&e, ecol[E_POST])) == 0)
                x->district = k;
        x->line = e.line;
    }
    if (rc != 0)
        goto done;
    qsort(ep, ne, sizeof *ep, by_child_start);
    /* merge legal-status-only changes; report overlaps */
    size_t m = 0;
    for (size_t i = 0; i < ne; i++) {
        if (m > 0 && ep[m - 1].child == ep[i].child && ep[i].start < ep[m - 1].end && ep[m - 1].end != INT32_MAX &&
            ep[i].start < ep[m - 1].end) {
            fprintf(err, "%s:%d: the episode overlaps the child's previous one (it is cut to start when that ends)\n",
                    o->episodes, ep[i].line);
            warned++;
            ep[i].start = ep[m - 1].end;
            if (ep[i].end <= ep[i].start)
                continue;
        }
        if (m > 0 && ep[m - 1].child == ep[i].child && ep[m - 1].end == ep[i].start && ep[i].rne_l &&
            ep[m - 1].type == ep[i].type) {
            ep[m - 1].end = ep[i].end; /* the same placement continues */
            memcpy(ep[m - 1].rec, ep[i].rec, sizeof ep[i].rec);
            continue;
        }
        ep[m++] = ep[i];
    }
    ne = m;
    if (ne == 0) {
        fprintf(err, "%s: no usable episodes (%zu children in the header)\n", o->episodes, np);
        rc = 3;
        goto done;
    }
    /* the window */
    int32_t F = INT32_MAX, T = INT32_MIN;
    for (size_t i = 0; i < ne; i++) {
        if (ep[i].start < F)
            F = ep[i].start;
        if (ep[i].start > T)
            T = ep[i].start;
        if (ep[i].end != INT32_MAX && ep[i].end > T)
            T = ep[i].end;
    }
    if (o->from && ccd_parse(o->from, &F) != 0) {
        fprintf(err, "--from: \"%s\" is not a date (expected YYYY-MM-DD)\n", o->from);
        rc = 3;
        goto done;
    }
    if (o->to && ccd_parse(o->to, &T) != 0) {
        fprintf(err, "--to: \"%s\" is not a date (expected YYYY-MM-DD)\n", o->to);
        rc = 3;
        goto done;
    }
    {
        int y, mo, d;
        ccd_to_ymd(T, &y, &mo, &d);
        if (T != ccd_month_end(T))
            T = ccd_from_ymd(mo == 1 ? y - 1 : y, mo == 1 ? 12 : mo - 1, 1), T = ccd_month_end(T);
    }
    if (T - F < 366) {
        fprintf(err, "the window %d days is too short (expected at least a year of episodes)\n", T - F);
        rc = 3;
        goto done;
    }
    double years = (T - F) / DPY;
    int ndist = nd > 0 ? nd : 1;
    /* tallies */
    count ex[CCM_NROUTE][CCM_NCOHORT];
    count mv[CCM_NPT][CCM_NCOHORT];
    count semi[CCM_NPT], at16[CCM_NPT];
    double carey[CCM_NCOHORT] = {0}, typey[CCM_NPT][CCM_NCOHORT];
    double *ent = calloc((size_t)(CCM_NCOHORT * ndist), sizeof *ent);
    double emix[CCM_NCOHORT][CCM_NPT], euasc[CCM_NCOHORT], ecount[CCM_NCOHORT];
    double dest[CCM_NPT][CCM_NDEST], destall[CCM_NDEST];
    double init[CCM_NCOHORT], imix[CCM_NCOHORT][CCM_NPT], iuasc[CCM_NCOHORT];
    double *idist = calloc((size_t)(CCM_NCOHORT * ndist), sizeof *idist);
    memset(ex, 0, sizeof ex), memset(mv, 0, sizeof mv), memset(semi, 0, sizeof semi), memset(at16, 0, sizeof at16);
    memset(typey, 0, sizeof typey), memset(emix, 0, sizeof emix), memset(euasc, 0, sizeof euasc);
    memset(ecount, 0, sizeof ecount), memset(dest, 0, sizeof dest), memset(destall, 0, sizeof destall);
    memset(init, 0, sizeof init), memset(imix, 0, sizeof imix), memset(iuasc, 0, sizeof iuasc);
    for (size_t i = 0; i < ne; i++) {
        const episode *x = &ep[i];
        const person *who = &pp[x->child];
        const episode *prev = i > 0 && ep[i - 1].child == x->child ? &ep[i - 1] : NULL;
        const episode *next = i + 1 < ne && ep[i + 1].child == x->child ? &ep[i + 1] : NULL;
        int new_period = x->rne_s || !prev || prev->end != x->start;
        /* exposure inside the window, split at birthdays */
        int32_t a = x->start > F ? x->start : F, b = x->end < T ? x->end : T;
        while (a < b) {
            int age = age_on(who, a);
            int co = ccm_cohort_of_years(age);
            if (co < 0)
                break;
            int32_t nb = birthday(who, ccm_cohort_lo[co + 1]);
            int32_t stop = nb < b ? nb : b;
            carey[co] += (stop - a) / DPY;
            typey[x->type][co] += (stop - a) / DPY;
            a = stop;
        }
        /* entry */
        if (new_period && x->start > F && x->start <= T) {
            int co = ccm_cohort_of_years(age_on(who, x->start));
            if (co >= 0) {
                ent[co * ndist + x->district] += 1;
                emix[co][x->type] += 1;
                euasc[co] += x->uasc;
                ecount[co] += 1;
            }
        }
        /* the end of the episode */
        if (x->end != INT32_MAX && x->end > F && x->end <= T) {
            int age = age_on(who, x->end);
            int co = ccm_cohort_of_years(age);
            int moved = next && next->start == x->end && !next->rne_s;
            if (moved) {
                int cfrom = ccm_cohort_of_years(age_on(who, x->end - 1));
                if (next->type == CCM_SEMI && x->type != CCM_SEMI && co == CCM_NCOHORT - 1) {
                    if (x->end == birthday(who, 16))
                        at16[x->type].ev += 1;
                    else
                        semi[x->type].ev += 1;
                } else if (cfrom >= 0) {
                    mv[x->type][cfrom].ev += 1;
                }
            } else if (age >= 18 || co < 0) {
                int k = strncmp(x->rec, "E17", 3) == 0 ? CCM_STAYING_PUT : strncmp(x->rec, "E5", 2) == 0 ? CCM_SUPPORTED
                                                                                                        : CCM_INDEPENDENT;
                dest[x->type][k] += 1;
                destall[k] += 1;
            } else {
                const char *r = x->rec;
                int route = CCM_EXIT_OTHER;
                if (!strncmp(r, "E4A", 3) || !strncmp(r, "E4B", 3) || !strncmp(r, "E13", 3))
                    route = CCM_RETURN_HOME;
                else if (!strncmp(r, "E11", 3) || !strncmp(r, "E12", 3))
                    route = CCM_ADOPTION_EXIT;
                else if (!strncmp(r, "E4", 2) && r[2] >= '5' && r[2] <= '8')
                    route = CCM_SGO;
                else if (!strncmp(r, "E41", 3))
                    route = CCM_CAO;
                int c2 = ccm_cohort_of_years(age_on(who, x->end - 1));
                if (c2 >= 0)
                    ex[route][c2].ev += 1;
            }
        }
        /* 16th birthdays in care in the window, by the type at the time */
        int32_t b16 = birthday(who, 16);
        if (b16 > F && b16 <= T && b16 > x->start && b16 <= x->end)
            at16[x->type].ex += 1;
        /* in care at the end date */
        if (x->start <= T && T < x->end) {
            int co = ccm_cohort_of_years(age_on(who, T));
            if (co >= 0) {
                init[co] += 1;
                imix[co][x->type] += 1;
                iuasc[co] += x->uasc;
                idist[co * ndist + x->district] += 1;
            }
        }
    }
    for (int k = 0; k < CCM_NROUTE; k++)
        for (int c = 0; c < CCM_NCOHORT; c++)
            ex[k][c].ex = carey[c];
    for (int t = 0; t < CCM_NPT; t++) {
        for (int c = 0; c < CCM_NCOHORT; c++)
            mv[t][c].ex = typey[t][c];
        semi[t].ex = typey[t][CCM_NCOHORT - 1];
    }
    /* ---- the config ---- */
    FILE *cfg = fopen(o->out, "w");
    char fitpath[4096];
    snprintf(fitpath, sizeof fitpath, "%s.fit.csv", o->out);
    FILE *fit = cfg ? fopen(fitpath, "w") : NULL;
    if (!cfg || !fit) {
        fprintf(err, "%s: cannot write: %s\n", o->out, strerror(errno));
        if (cfg)
            fclose(cfg);
        rc = 4;
        free(ent), free(idist);
        goto done;
    }
    char fs[16], ts[16];
    ccd_format(F, fs);
    ccd_format(T, ts);
    fprintf(fit, "setting,estimate,lo95,hi95,events,exposure_years\n");
    fprintf(cfg, "# Calibrated by carecap from SSDA903 episodes %s to %s (%.2f years): %zu placements of %zu children.\n"
                 "# Every estimated number gives the events and the exposure it came from and a 95%% interval.\n"
                 "# SSDA903 holds no places, prices, disability or complex needs: add `supply`, `matching` and\n"
                 "# `costs` from your baseline, and set the needs shares, by hand.\n",
            fs, ts, years, ne, np);
    fprintf(cfg, "name = \"%s\";\nstart_date = \"%s\";   # the end of the window\ndistricts = [", o->name ? o->name : "Calibrated from SSDA903", ts);
    for (int d = 0; d < ndist; d++)
        fprintf(cfg, "%s\"%s\"", d ? ", " : " ", nd ? dname[d] : "All");
    fprintf(cfg, " ];\n\ninitial = {\n  count = {   # children in care on the end date\n");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, "    %s = %.0f;\n", ccm_cohort_key[c], init[c]);
    fprintf(cfg, "  };\n  district_mix = {\n");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = [", ccm_cohort_key[c]);
        for (int d = 0; d < ndist; d++)
            fprintf(cfg, "%s%.6g", d ? ", " : " ", init[c] > 0 ? idist[c * ndist + d] / init[c] : 1.0 / ndist);
        fprintf(cfg, " ];\n");
    }
    fprintf(cfg, "  };\n  placement_mix = {\n");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = {", ccm_cohort_key[c]);
        if (init[c] == 0)
            fprintf(cfg, " foster = 1.0; ");
        for (int t = 0; t < CCM_NPT && init[c] > 0; t++)
            if (imix[c][t] > 0 && !(t == CCM_SEMI && c < CCM_NCOHORT - 1))
                fprintf(cfg, " %s = %.6g;", ccm_ptype_name[t], imix[c][t] / init[c]);
        if (c < CCM_NCOHORT - 1 && imix[c][CCM_SEMI] > 0)
            fprintf(cfg, " other = %.6g;", (imix[c][CCM_SEMI] + imix[c][CCM_OTHER]) / init[c]);
        fprintf(cfg, " };\n");
    }
    fprintf(cfg, "  };\n  needs = {\n    uasc = {");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, " %s = %.6g;", ccm_cohort_key[c], init[c] > 0 ? iuasc[c] / init[c] : 0);
    fprintf(cfg, " };   # LS = V2 (accommodated, unaccompanied)\n    disabled = {");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, " %s = 0.0;", ccm_cohort_key[c]);
    fprintf(cfg, " };   # not in SSDA903: set by hand\n    complex = {");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, " %s = 0.0;", ccm_cohort_key[c]);
    fprintf(cfg, " };   # not in SSDA903: set by hand\n  };\n};\n\nentries = {\n  rate = {   # entries a year by district\n");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = [", ccm_cohort_key[c]);
        double tot = 0;
        for (int d = 0; d < ndist; d++) {
            fprintf(cfg, "%s%.6g", d ? ", " : " ", ent[c * ndist + d] / years);
            tot += ent[c * ndist + d];
        }
        double lo, hi;
        interval(tot, years, &lo, &hi);
        fprintf(cfg, " ];   # %.0f entries in %.2f years: %.4g a year, 95%% %.4g-%.4g\n", tot, years, tot / years, lo, hi);
        fprintf(fit, "entries.rate.%s,%.6g,%.6g,%.6g,%.0f,%.3f\n", ccm_cohort_key[c], tot / years, lo, hi, tot, years);
    }
    fprintf(cfg, "  };\n  trend = 0.0;   # assumption: no trend (set it from your own forecast)\n  placement_mix = {   # the first placement of entrants\n");
    for (int c = 0; c < CCM_NCOHORT; c++) {
        fprintf(cfg, "    %s = {", ccm_cohort_key[c]);
        if (ecount[c] == 0)
            fprintf(cfg, " foster = 1.0; ");
        for (int t = 0; t < CCM_NPT && ecount[c] > 0; t++)
            if (emix[c][t] > 0 && !(t == CCM_SEMI && c < CCM_NCOHORT - 1))
                fprintf(cfg, " %s = %.6g;", ccm_ptype_name[t], emix[c][t] / ecount[c]);
        if (c < CCM_NCOHORT - 1 && emix[c][CCM_SEMI] > 0)
            fprintf(cfg, " other = %.6g;", (emix[c][CCM_SEMI] + emix[c][CCM_OTHER]) / ecount[c]);
        fprintf(cfg, " };   # %.0f entrants\n", ecount[c]);
    }
    fprintf(cfg, "  };\n  needs = {\n    uasc = {");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, " %s = %.6g;", ccm_cohort_key[c], ecount[c] > 0 ? euasc[c] / ecount[c] : 0);
    fprintf(cfg, " };\n    disabled = {");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, " %s = 0.0;", ccm_cohort_key[c]);
    fprintf(cfg, " };   # not in SSDA903\n    complex = {");
    for (int c = 0; c < CCM_NCOHORT; c++)
        fprintf(cfg, " %s = 0.0;", ccm_cohort_key[c]);
    fprintf(cfg, " };   # not in SSDA903\n  };\n};\n\nexits = {   # hazards a year: events / years in care, by age band\n");
    for (int k = 0; k < CCM_NROUTE; k++) {
        fprintf(cfg, "  %s = {\n    rate = {\n", ccm_route_name[k]);
        char setting[64];
        snprintf(setting, sizeof setting, "exits.%s.rate", ccm_route_name[k]);
        for (int c = 0; c < CCM_NCOHORT; c++) {
            fprintf(cfg, "      ");
            rate(cfg, fit, setting, ccm_cohort_key[c], ex[k][c], 0);
        }
        fprintf(cfg, "    };\n  };\n");
    }
    fprintf(cfg, "};\n\nmoves = {\n  rate = {   # placement changes a year by the type left (every change of placement other\n"
                 "             # than the move to semi-independent provision counts as a breakdown)\n");
    for (int t = 0; t < CCM_NPT; t++) {
        fprintf(cfg, "    %s = {\n", ccm_ptype_name[t]);
        char setting[64];
        snprintf(setting, sizeof setting, "moves.rate.%s", ccm_ptype_name[t]);
        for (int c = 0; c < CCM_NCOHORT; c++) {
            fprintf(cfg, "      ");
            rate(cfg, fit, setting, ccm_cohort_key[c], mv[t][c], 0);
        }
        fprintf(cfg, "    };\n");
    }
    fprintf(cfg, "  };\n};\n\ntransitions = {\n  semi_independent = {\n    at_16 = {   # moved on the 16th birthday / 16th birthdays in the type\n");
    for (int t = 0; t < CCM_NPT; t++)
        if (t != CCM_SEMI && at16[t].ex > 0)
            fprintf(cfg, "      %s = %.6g;   # %.0f of %.0f\n", ccm_ptype_name[t], at16[t].ev / at16[t].ex, at16[t].ev,
                    at16[t].ex);
    fprintf(cfg, "    };\n    rate = {   # later moves a year while 16-17\n");
    for (int t = 0; t < CCM_NPT; t++)
        if (t != CCM_SEMI && semi[t].ex > 0) {
            fprintf(cfg, "      ");
            rate(cfg, fit, "transitions.semi_independent.rate", ccm_ptype_name[t], semi[t], 0);
        }
    double dall = destall[0] + destall[1] + destall[2];
    fprintf(cfg, "    };\n  };\n  leaving_care = {   # REC at 18: E17 staying put, E5 supported, other independent\n");
    fprintf(cfg, "    default = { staying_put = %.6g; supported = %.6g; independent = %.6g; };   # %.0f young people\n",
            dall > 0 ? destall[0] / dall : 0, dall > 0 ? destall[1] / dall : 0, dall > 0 ? destall[2] / dall : 1, dall);
    for (int t = 0; t < CCM_NPT; t++) {
        double n = dest[t][0] + dest[t][1] + dest[t][2];
        if (n >= 10)
            fprintf(cfg, "    %s = { staying_put = %.6g; supported = %.6g; independent = %.6g; };   # %.0f\n",
                    ccm_ptype_name[t], dest[t][0] / n, dest[t][1] / n, dest[t][2] / n, n);
    }
    fprintf(cfg, "  };\n};\n");
    int bad = ferror(cfg) || ferror(fit);
    bad |= fclose(cfg) != 0;
    bad |= fclose(fit) != 0;
    free(ent), free(idist);
    if (bad) {
        fprintf(err, "%s: write failed\n", o->out);
        rc = 4;
        goto done;
    }
    if (o->baseline && append_supply(o->baseline, o->out, err) != 0) {
        rc = 3;
        goto done;
    }
    fprintf(out, "carecap: calibrated from %zu placements of %zu children, %s to %s%s: %s (fit table %s)\n", ne, np, fs,
            ts, warned ? " (see the warnings)" : "", o->out, fitpath);
done:
    free(pp), free(ep), free((void *)dname), free((void *)dpost);
    free(h.buf), free(h.field), free(e.buf), free(e.field), free(dcsv.buf), free(dcsv.field);
    return rc;
}
