/* cfgread: typed, range-checked reading of libconfig settings. */
#include "cfgread.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void ccc_path(const config_setting_t *s, char *buf, size_t n)
{
    const config_setting_t *chain[32];
    int depth = 0;
    for (const config_setting_t *p = s; p && !config_setting_is_root(p) && depth < 32; p = config_setting_parent(p))
        chain[depth++] = p;
    size_t len = 0;
    buf[0] = '\0';
    for (int i = depth - 1; i >= 0; i--) {
        const char *nm = config_setting_name(chain[i]);
        int w;
        if (nm)
            w = snprintf(buf + len, n - len, "%s%s", len ? "." : "", nm);
        else
            w = snprintf(buf + len, n - len, "[%d]", config_setting_index(chain[i]));
        if (w < 0 || (size_t)w >= n - len)
            return;
        len += (size_t)w;
    }
}

static void vreport(ccc_reader *r, const config_setting_t *at, const char *name, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void vreport(ccc_reader *r, const config_setting_t *at, const char *name, const char *fmt, va_list ap)
{
    char path[512], msg[1024];
    const config_setting_t *s = at;
    const config_setting_t *child = name && at ? config_setting_get_member(at, name) : NULL;
    if (child)
        s = child;
    ccc_path(s, path, sizeof path);
    if (name && !child) {
        size_t len = strlen(path);
        snprintf(path + len, sizeof path - len, "%s%s", len ? "." : "", name);
    }
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *file = s ? config_setting_source_file(s) : NULL;
    unsigned line = s ? config_setting_source_line(s) : 0;
    if (!file)
        file = r->file;
    if (line)
        ccg_add(r->diag, "%s:%u: %s: %s", file, line, path, msg);
    else
        ccg_add(r->diag, "%s: %s: %s", file, path, msg);
}

void ccc_error(ccc_reader *r, const config_setting_t *at, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(r, at, name, fmt, ap);
    va_end(ap);
}

static const char *type_name(int t)
{
    switch (t) {
    case CONFIG_TYPE_GROUP: return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "a whole number";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true/false";
    case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
    case CONFIG_TYPE_LIST: return "a list ( ... )";
    default: return "nothing";
    }
}

/* Groups added by ccc_group_defaults carry this hook. */
static const char defaults_mark = 'd';

static int is_defaults(const config_setting_t *g)
{
    return g && config_setting_get_hook(g) == &defaults_mark;
}

static config_setting_t *member(ccc_reader *r, const config_setting_t *parent, const char *name, int required,
                                const char *expected)
{
    config_setting_t *s = parent ? config_setting_get_member(parent, name) : NULL;
    if (!s && required && parent && !is_defaults(parent))
        ccc_error(r, parent, name, "missing required setting (expected %s)", expected);
    return s;
}

/* Whether an absent setting's default goes into the tree. */
static int fills(const ccc_reader *r, const config_setting_t *parent, int required)
{
    return r->fill && parent && config_setting_type(parent) == CONFIG_TYPE_GROUP &&
           (!required || is_defaults(parent));
}

static config_setting_t *add(const config_setting_t *parent, const char *name, int type)
{
    /* libconfig's setters take the tree as mutable; the reader holds it const */
    return config_setting_add((config_setting_t *)(uintptr_t)parent, name, type);
}

config_setting_t *ccc_group_defaults(ccc_reader *r, const config_setting_t *parent, const char *name)
{
    config_setting_t *s = ccc_group(r, parent, name, 0);
    if (!s && fills(r, parent, 0) && !config_setting_get_member(parent, name)) {
        s = add(parent, name, CONFIG_TYPE_GROUP);
        if (s)
            config_setting_set_hook(s, (void *)(uintptr_t)&defaults_mark);
    }
    return s;
}

void ccc_fill_string(ccc_reader *r, const config_setting_t *parent, const char *name, const char *value)
{
    if (fills(r, parent, 0) && !config_setting_get_member(parent, name)) {
        config_setting_t *s = add(parent, name, CONFIG_TYPE_STRING);
        if (s)
            config_setting_set_string(s, value);
    }
}

config_setting_t *ccc_group(ccc_reader *r, const config_setting_t *parent, const char *name, int required)
{
    config_setting_t *s = member(r, parent, name, required, "a group { ... }");
    if (!s && required && is_defaults(parent) && r->fill) {
        s = add(parent, name, CONFIG_TYPE_GROUP);
        if (s)
            config_setting_set_hook(s, (void *)(uintptr_t)&defaults_mark);
        return s;
    }
    if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
        ccc_error(r, s, NULL, "is %s (expected a group { ... })", type_name(config_setting_type(s)));
        return NULL;
    }
    return s;
}

config_setting_t *ccc_list(ccc_reader *r, const config_setting_t *parent, const char *name, int required)
{
    config_setting_t *s = member(r, parent, name, required, "a list [ ... ]");
    if (s && config_setting_type(s) != CONFIG_TYPE_LIST && config_setting_type(s) != CONFIG_TYPE_ARRAY) {
        ccc_error(r, s, NULL, "is %s (expected a list [ ... ])", type_name(config_setting_type(s)));
        return NULL;
    }
    return s;
}

int ccc_number_at(ccc_reader *r, const config_setting_t *s, double lo, double hi, double *out)
{
    int t = config_setting_type(s);
    double v;
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else if (t == CONFIG_TYPE_FLOAT)
        v = config_setting_get_float(s);
    else {
        ccc_error(r, s, NULL, "is %s (expected a number in [%.10g, %.10g])", type_name(t), lo, hi);
        return 0;
    }
    if (!isfinite(v) || v < lo || v > hi) {
        ccc_error(r, s, NULL, "value %.10g is out of range (expected a number in [%.10g, %.10g])", v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int ccc_number(ccc_reader *r, const config_setting_t *parent, const char *name, double lo, double hi,
               int required, double *out)
{
    char exp[96];
    snprintf(exp, sizeof exp, "a number in [%.10g, %.10g]", lo, hi);
    config_setting_t *s = member(r, parent, name, required, exp);
    if (!s && fills(r, parent, required) && *out >= lo && *out <= hi && (s = add(parent, name, CONFIG_TYPE_FLOAT)))
        config_setting_set_float(s, *out);
    else if (s)
        return ccc_number_at(r, s, lo, hi, out);
    return 0;
}

int ccc_int(ccc_reader *r, const config_setting_t *parent, const char *name, long lo, long hi, int required,
            long *out)
{
    char exp[96];
    snprintf(exp, sizeof exp, "a whole number in [%ld, %ld]", lo, hi);
    config_setting_t *s = member(r, parent, name, required, exp);
    if (!s) {
        int big = *out < INT_MIN || *out > INT_MAX;
        if (fills(r, parent, required) && *out >= lo && *out <= hi &&
            (s = add(parent, name, big ? CONFIG_TYPE_INT64 : CONFIG_TYPE_INT)))
            config_setting_set_int64(s, *out);
        return 0;
    }
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        ccc_error(r, s, NULL, "is %s (expected %s)", type_name(t), exp);
        return 0;
    }
    long long v = config_setting_get_int64(s);
    if (v < lo || v > hi) {
        ccc_error(r, s, NULL, "value %lld is out of range (expected %s)", v, exp);
        return 0;
    }
    *out = (long)v;
    return 1;
}

const char *ccc_string(ccc_reader *r, const config_setting_t *parent, const char *name, int required)
{
    return ccc_text(r, parent, name, required, CCC_MAX_NAME);
}

const char *ccc_text(ccc_reader *r, const config_setting_t *parent, const char *name, int required, size_t max)
{
    config_setting_t *s = member(r, parent, name, required, "a string \"...\"");
    if (!s)
        return NULL;
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        ccc_error(r, s, NULL, "is %s (expected a string \"...\")", type_name(config_setting_type(s)));
        return NULL;
    }
    const char *v = config_setting_get_string(s);
    size_t len = strlen(v);
    if (len > max) {
        ccc_error(r, s, NULL, "is a string of %zu characters (expected at most %zu)", len, max);
        return NULL;
    }
    return v;
}

int ccc_bool(ccc_reader *r, const config_setting_t *parent, const char *name, int required, int *out)
{
    config_setting_t *s = member(r, parent, name, required, "true or false");
    if (!s) {
        if (fills(r, parent, required) && (s = add(parent, name, CONFIG_TYPE_BOOL)))
            config_setting_set_bool(s, *out != 0);
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        ccc_error(r, s, NULL, "is %s (expected true or false)", type_name(config_setting_type(s)));
        return 0;
    }
    *out = config_setting_get_bool(s);
    return 1;
}

static void join(char *buf, size_t n, const char *const *names, size_t k)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < k && len < n; i++) {
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            return;
        len += (size_t)w;
    }
}

int ccc_find(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

int ccc_choice(ccc_reader *r, const config_setting_t *parent, const char *name, const char *const *names,
               size_t n, int required, int *out)
{
    const char *v = ccc_string(r, parent, name, required);
    if (!v) {
        if (*out >= 0 && (size_t)*out < n && !config_setting_get_member(parent, name))
            ccc_fill_string(r, parent, name, names[*out]);
        return 0;
    }
    int i = ccc_find(v, names, n);
    if (i < 0) {
        char list[512];
        join(list, sizeof list, names, n);
        ccc_error(r, parent, name, "unknown value \"%s\" (expected one of: %s)", v, list);
        return 0;
    }
    *out = i;
    return 1;
}

/* Levenshtein distance, capped: enough to suggest a fix for a typo. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

void ccc_known(ccc_reader *r, const config_setting_t *g, const char *const *names, size_t n)
{
    if (!g)
        return;
    char list[1024];
    join(list, sizeof list, names, n);
    int len = config_setting_length(g);
    for (int i = 0; i < len; i++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        const char *nm = config_setting_name(s);
        if (!nm || ccc_find(nm, names, n) >= 0)
            continue;
        size_t best = 3, bi = n;
        for (size_t k = 0; k < n; k++) {
            size_t d = edit_distance(nm, names[k]);
            if (d < best) {
                best = d;
                bi = k;
            }
        }
        if (bi < n)
            ccc_error(r, s, NULL, "unknown setting; did you mean '%s'? (expected one of: %s)", names[bi], list);
        else
            ccc_error(r, s, NULL, "unknown setting (expected one of: %s)", list);
    }
}
