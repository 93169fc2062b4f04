/* servereq: run requests read from JSON, scenario files written from them,
 * JSON written out; see servereq.h. */
#define _POSIX_C_SOURCE 200809L
#include "servereq.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgwrite.h"

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int srq_name_ok(const char *s)
{
    size_t n = 0;
    if (!s || !*s || *s == '.')
        return 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '.' && s[n] != '_' && s[n] != '-')
            return 0;
    return n <= 100;
}

int srq_file_ok(const char *s)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash)
        return srq_name_ok(s);
    if (slash - s > 100 || strchr(slash + 1, '/'))
        return 0;
    char dir[101];
    memcpy(dir, s, (size_t)(slash - s));
    dir[slash - s] = '\0';
    return srq_name_ok(dir) && srq_name_ok(slash + 1);
}

/* A setting name libconfig reads back as the same name (true and false,
 * in any case, are its boolean words). */
static int key_ok(const char *s)
{
    size_t n = 0;
    if (!isalpha((unsigned char)s[0]) || strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0)
        return 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '_')
            return 0;
    return n <= 64;
}

/* A whole number in [lo, hi] at key of object o (absent: *out unchanged). */
static void get_int(cc_diag *d, json_t *o, const char *key, long long lo, long long hi, long long *out)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return;
    if (!json_is_integer(v)) {
        ccg_add(d, "request: %s: is not a whole number (expected %lld to %lld)", key, lo, hi);
        return;
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        ccg_add(d, "request: %s: is out of range (expected %lld to %lld)", key, lo, hi);
        return;
    }
    *out = x;
}

/* Text of at most max bytes at key (NULL when absent or wrong). */
static char *get_text(cc_diag *d, json_t *o, const char *where, const char *key, size_t max, int required)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            ccg_add(d, "request: %s%s: missing (expected text)", where, key);
        return NULL;
    }
    if (!json_is_string(v)) {
        ccg_add(d, "request: %s%s: is not text (expected text of at most %zu bytes)", where, key, max);
        return NULL;
    }
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n > max || strlen(s) != n) {
        ccg_add(d, "request: %s%s: is %s (expected text of at most %zu bytes)", where, key,
                n > max ? "too long" : "text with a NUL character", max);
        return NULL;
    }
    char *c = dupstr(s);
    if (!c)
        ccg_add(d, "request: out of memory");
    return c;
}

/* Write one lever value as libconfig text; 0, or -1 (message added). */
static int write_value(FILE *f, json_t *v, cc_diag *d, const char *where, const char *key, int depth)
{
    if (json_is_integer(v)) {
        fprintf(f, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        double x = json_real_value(v);
        char buf[64];
        if (!isfinite(x)) {
            ccg_add(d, "request: %s.%s: is not a finite number (expected a number)", where, key);
            return -1;
        }
        snprintf(buf, sizeof buf, "%.17g", x);
        fputs(buf, f);
        if (!strpbrk(buf, ".e"))
            fputs(".0", f);
    } else if (json_is_string(v)) {
        if (json_string_length(v) > 1000 || strlen(json_string_value(v)) != json_string_length(v)) {
            ccg_add(d, "request: %s.%s: is too long or holds a NUL character (expected text of at most 1000 bytes)",
                    where, key);
            return -1;
        }
        ccw_string(f, json_string_value(v));
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "true" : "false", f);
    } else if (json_is_object(v) && depth == 0) {
        const char *k;
        json_t *x;
        int rc = 0;
        fputs("{ ", f);
        json_object_foreach(v, k, x)
        {
            if (!key_ok(k)) {
                ccg_add(d, "request: %s.%s: a setting's name is not a name (expected letters, digits and _, "
                           "starting with a letter)", where, key);
                rc = -1;
                continue;
            }
            fprintf(f, "%s = ", k);
            if (write_value(f, x, d, where, k, 1) != 0)
                rc = -1;
            fputs("; ", f);
        }
        fputc('}', f);
        return rc;
    } else {
        ccg_add(d, "request: %s.%s: has the wrong type (expected a number, text, true or false%s)", where, key,
                depth == 0 ? ", or a group of them" : "");
        return -1;
    }
    return 0;
}

/* The levers array as libconfig text, one lever a line. */
static char *levers_text(json_t *a, cc_diag *d, int k, int *nlevers)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        ccg_add(d, "request: out of memory");
        return NULL;
    }
    int bad = 0;
    size_t n = json_array_size(a);
    if (n > SRQ_MAXLEVERS) {
        ccg_add(d, "request: scenarios[%d].levers: has %zu levers (expected at most %d)", k, n, SRQ_MAXLEVERS);
        bad = 1;
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        char where[64];
        snprintf(where, sizeof where, "scenarios[%d].levers[%zu]", k, i);
        json_t *l = json_array_get(a, i);
        if (!json_is_object(l)) {
            ccg_add(d, "request: %s: is not an object (expected {\"lever\": KIND, SETTING: VALUE, ...})", where);
            bad = 1;
            continue;
        }
        json_t *kind = json_object_get(l, "lever");
        if (!json_is_string(kind) || !key_ok(json_string_value(kind))) {
            ccg_add(d, "request: %s.lever: %s (expected a lever's kind, e.g. \"foster_recruitment\")", where,
                    kind ? "is not a lever's kind" : "missing");
            bad = 1;
            continue;
        }
        fputs("  { ", f);
        const char *key;
        json_t *v;
        json_object_foreach(l, key, v)
        {
            if (!key_ok(key)) {
                ccg_add(d, "request: %s: a setting's name is not a name (expected letters, digits and _, "
                           "starting with a letter)", where);
                bad = 1;
                continue;
            }
            fprintf(f, "%s = ", key);
            if (strcmp(json_string_value(kind), "council_scenario") == 0 && strcmp(key, "scenario") == 0) {
                /* a region lever's council scenario: a name from scenarios/, written as a
                 * path when the file is written (srq_scenario_text) */
                if (!json_is_string(v) || !srq_file_ok(json_string_value(v))) {
                    ccg_add(d, "request: %s.scenario: is not a scenario's name (expected a name from scenarios/, "
                               "e.g. \"nottingham/four-bed-home\")", where);
                    bad = 1;
                } else
                    fprintf(f, "\001%s\001", json_string_value(v));
            } else if (write_value(f, v, d, where, key, 0) != 0)
                bad = 1;
            fputs("; ", f);
        }
        fputs(i + 1 < n ? "},\n" : "}\n", f);
    }
    if (fclose(f) != 0 || bad) {
        if (!bad)
            ccg_add(d, "request: out of memory");
        free(text);
        return NULL;
    }
    *nlevers = (int)n;
    return text;
}

static const char *const run_keys[] = {"config", "reps", "years", "seed", "author", "scenarios", NULL};
static const char *const scen_keys[] = {"file", "name", "description", "levers", NULL};

/* Report members of o not in keys (names not repeated: they are input). */
static void unknown_keys(cc_diag *d, json_t *o, const char *where, const char *const *keys, const char *expected)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int known = 0;
        for (int i = 0; keys[i]; i++)
            known |= strcmp(k, keys[i]) == 0;
        if (!known)
            ccg_add(d, "request: %s: has an unknown member (expected only %s)", where, expected);
    }
}

int srq_parse_run(const char *body, size_t n, const srq_limits *lim, srq_run *out, cc_diag *d)
{
    memset(out, 0, sizeof *out);
    out->reps = 1000;
    out->years = 10;
    out->seed = 1;
    size_t before = ccg_count(d);
    json_error_t je;
    json_t *root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        /* jansson's text quotes the input: only the position is given */
        ccg_add(d, "request: line %d, column %d: not valid JSON (expected a JSON object)", je.line, je.column);
        return -1;
    }
    if (!json_is_object(root)) {
        ccg_add(d, "request: is not a JSON object (expected {\"config\": NAME, ...})");
        json_decref(root);
        return -1;
    }
    unknown_keys(d, root, "the request", run_keys, "config, reps, years, seed, author and scenarios");
    out->config = get_text(d, root, "", "config", 100, 1);
    if (out->config && !srq_name_ok(out->config)) {
        ccg_add(d, "request: config: is not a baseline's name (expected a name from config/, letters, digits, . _ -)");
        free(out->config);
        out->config = NULL;
    }
    long long v = out->reps;
    get_int(d, root, "reps", 1, lim->max_reps, &v);
    out->reps = (int)v;
    v = out->years;
    get_int(d, root, "years", 1, lim->max_years, &v);
    out->years = (int)v;
    v = (long long)out->seed;
    get_int(d, root, "seed", 0, (long long)9007199254740991LL, &v); /* 2^53-1: exact in JavaScript */
    out->seed = (uint64_t)v;
    out->author = get_text(d, root, "", "author", SRQ_MAXTEXT, 0);
    json_t *sc = json_object_get(root, "scenarios");
    if (sc && !json_is_array(sc))
        ccg_add(d, "request: scenarios: is not a list (expected a list of at most %d scenarios)", SRQ_MAXSCEN);
    else if (sc && json_array_size(sc) > SRQ_MAXSCEN)
        ccg_add(d, "request: scenarios: has %zu scenarios (expected at most %d)", json_array_size(sc), SRQ_MAXSCEN);
    else if (sc) {
        for (size_t i = 0; i < json_array_size(sc); i++) {
            json_t *s = json_array_get(sc, i);
            srq_scenario *o = &out->scen[out->nscen++];
            char where[32];
            snprintf(where, sizeof where, "scenarios[%zu]", i);
            if (!json_is_object(s)) {
                ccg_add(d, "request: %s: is not an object (expected {\"file\": NAME} or {\"name\": ..., \"levers\": "
                           "[...]})", where);
                continue;
            }
            unknown_keys(d, s, where, scen_keys, "file, or name, description and levers");
            char w2[40];
            snprintf(w2, sizeof w2, "%s.", where);
            if (json_object_get(s, "file")) {
                if (json_object_get(s, "levers") || json_object_get(s, "name"))
                    ccg_add(d, "request: %s: has both a file and levers (expected one or the other)", where);
                o->file = get_text(d, s, w2, "file", 201, 1);
                if (o->file && !srq_file_ok(o->file)) {
                    ccg_add(d, "request: %s.file: is not a scenario's name (expected a name from scenarios/)", where);
                    free(o->file);
                    o->file = NULL;
                }
                continue;
            }
            o->name = get_text(d, s, w2, "name", SRQ_MAXTEXT, 1);
            o->description = get_text(d, s, w2, "description", 1000, 0);
            json_t *lv = json_object_get(s, "levers");
            if (!json_is_array(lv))
                ccg_add(d, "request: %s.levers: %s (expected a list of levers)", where, lv ? "is not a list" : "missing");
            else
                o->levers = levers_text(lv, d, (int)i, &o->nlevers);
        }
    }
    json_decref(root);
    if (ccg_count(d) > before) {
        srq_free(out);
        return -1;
    }
    return 0;
}

void srq_free(srq_run *r)
{
    if (!r)
        return;
    free(r->config);
    free(r->author);
    for (int i = 0; i < r->nscen; i++) {
        free(r->scen[i].file);
        free(r->scen[i].name);
        free(r->scen[i].description);
        free(r->scen[i].levers);
    }
    memset(r, 0, sizeof *r);
}

const char *srq_next_ref(const char *levers, char *name)
{
    const char *a = levers ? strchr(levers, '\001') : NULL;
    const char *b = a ? strchr(a + 1, '\001') : NULL;
    if (!b || b - a - 1 > 201)
        return NULL;
    memcpy(name, a + 1, (size_t)(b - a - 1));
    name[b - a - 1] = '\0';
    return b + 1;
}

int srq_scenario_text(FILE *f, const srq_scenario *s, const char *baseline, const char *comment, const char *scen_dir)
{
    if (comment) {
        fputs("# ", f);
        ccw_comment(f, comment);
        fputc('\n', f);
    }
    fputs("name = ", f);
    ccw_string(f, s->name ? s->name : "");
    fputs(";\ndescription = ", f);
    ccw_string(f, s->description ? s->description : "");
    fputs(";\nbaseline = ", f);
    ccw_string(f, baseline);
    fputs(";\nlevers = (\n", f);
    const char *p = s->levers ? s->levers : "", *next;
    char name[202];
    while ((next = srq_next_ref(p, name))) {
        fwrite(p, 1, (size_t)(strchr(p, '\001') - p), f);
        size_t n = (scen_dir ? strlen(scen_dir) + 1 : 0) + strlen(name) + 5;
        char *path = malloc(n);
        if (!path)
            return -1;
        snprintf(path, n, "%s%s%s.cfg", scen_dir ? scen_dir : "", scen_dir ? "/" : "", name);
        ccw_string(f, path);
        free(path);
        p = next;
    }
    fputs(p, f);
    fputs(");\n", f);
    return ferror(f) ? -1 : 0;
}

/* Length of the UTF-8 sequence at s (1-4), or 0 when it is not one. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0)))
        return 0; /* overlong, or a surrogate */
    if (n == 4 && ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90)))
        return 0;
    return n;
}

void srq_json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc((int)c, f);
            p++;
        } else if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
            fprintf(f, "\\u%04x", c);
            p++;
        } else if (c < 0x80) {
            fputc((int)c, f);
            p++;
        } else {
            int n = utf8_len(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else if (n == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                fprintf(f, "\\u%04x", p[2] == 0xA8 ? 0x2028 : 0x2029);
                p += 3;
            } else {
                fwrite(p, 1, (size_t)n, f);
                p += n;
            }
        }
    }
    fputc('"', f);
}

/* Is s (n bytes, NUL-terminated) a JSON number that a double holds? */
static int json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !isdigit((unsigned char)s[i]))
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !isdigit((unsigned char)s[i]))
            return 0;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !isdigit((unsigned char)s[i]))
            return 0;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    }
    if (i != n)
        return 0;
    /* JSON readers refuse a number too large for a double, and a whole
     * number too large for 64 bits (jansson) */
    char *end;
    if (!strpbrk(s, ".eE")) {
        errno = 0;
        (void)strtoll(s, &end, 10);
        return errno == 0;
    }
    double v = strtod(s, &end);
    return isfinite(v);
}

enum { MAXFIELD = 16 };

/* Split the line s[0..n) into fields (quoted as cco_field writes them) as
 * NUL-terminated copies in buf (at least n + MAXFIELD bytes). */
static int split(const char *s, size_t n, char *buf, char **field)
{
    int nf = 0;
    size_t i = 0, o = 0;
    for (;;) {
        if (nf == MAXFIELD)
            return -1;
        field[nf++] = buf + o;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n)
                    return -1;
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        buf[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[o++] = s[i++];
            }
        } else {
            while (i < n && s[i] != ',')
                buf[o++] = s[i++];
        }
        buf[o++] = '\0';
        if (i >= n)
            return nf;
        if (s[i] != ',')
            return -1;
        i++;
    }
}

long srq_csv_rows(FILE *f, const char *csv, size_t n, int (*keep)(const char *metric, const char *group))
{
    const char *end = csv + n, *p = memchr(csv, '\n', n);
    if (!p || strncmp(csv, "scenario,date,metric,group,", 27) != 0)
        return -1;
    p++;
    char *buf = NULL;
    size_t cap = 0;
    long rows = 0;
    while (p < end) {
        /* a quoted field may hold a line break: the line ends at a newline outside quotes */
        const char *q = p;
        int inq = 0;
        while (q < end && (inq || *q != '\n')) {
            if (*q == '"')
                inq = !inq;
            q++;
        }
        size_t len = (size_t)(q - p);
        if (len + MAXFIELD > cap) {
            cap = 2 * (len + MAXFIELD);
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return -1;
            }
            buf = nb;
        }
        char *fld[MAXFIELD];
        int nf = len ? split(p, len, buf, fld) : -1;
        if (nf >= 5 && keep(fld[2], fld[3])) {
            fputs(rows ? ",[" : "[", f);
            for (int i = 0; i < nf; i++) {
                if (i)
                    fputc(',', f);
                if (i < 4)
                    srq_json_string(f, fld[i]);
                else if (json_number(fld[i], strlen(fld[i])))
                    fputs(fld[i], f);
                else
                    fputs("null", f);
            }
            fputc(']', f);
            rows++;
        }
        p = q + 1;
    }
    free(buf);
    return rows;
}
