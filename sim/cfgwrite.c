/* cfgwrite: libconfig settings back to text with their source comments
 * (see cfgwrite.h). */
#define _XOPEN_SOURCE 700
#include "cfgwrite.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textfile.h"

typedef struct {
    char *path;
    char *text;   /* the file, split into lines in place */
    char **line;  /* line[i] is line i + 1 */
    int n;
    unsigned char *used; /* comment already written */
    const config_setting_t **owner; /* the one-line setting that takes the line's comment */
} source;

struct ccw_writer {
    FILE *out;
    source *src;
    int nsrc;
};

ccw_writer *ccw_new(FILE *out)
{
    ccw_writer *w = calloc(1, sizeof *w);
    if (w)
        w->out = out;
    return w;
}

void ccw_free(ccw_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->nsrc; i++) {
        free(w->src[i].path);
        free(w->src[i].text);
        free(w->src[i].line);
        free(w->src[i].used);
        free((void *)w->src[i].owner);
    }
    free(w->src);
    free(w);
}

void ccw_note(config_setting_t *s, const char *note) { config_setting_set_hook(s, (void *)(uintptr_t)note); }

/* The source file of a setting, read on first use; NULL if unknown. */
static source *source_of(ccw_writer *w, const config_setting_t *s)
{
    const char *path = config_setting_source_file(s);
    if (!path || config_setting_source_line(s) <= 0)
        return NULL;
    for (int i = 0; i < w->nsrc; i++)
        if (strcmp(w->src[i].path, path) == 0)
            return w->src[i].text ? &w->src[i] : NULL;
    source *a = realloc(w->src, (size_t)(w->nsrc + 1) * sizeof *a);
    if (!a)
        return NULL;
    w->src = a;
    source *f = &w->src[w->nsrc++];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (!f->path) {
        w->nsrc--;
        return NULL;
    }
    size_t n = 0;
    f->text = ctf_read(path, &n);
    if (!f->text)
        return NULL;
    int lines = 1;
    for (size_t i = 0; i < n; i++)
        lines += f->text[i] == '\n';
    f->line = malloc((size_t)lines * sizeof *f->line);
    f->used = calloc((size_t)lines + 1, 1);
    f->owner = calloc((size_t)lines + 1, sizeof *f->owner);
    if (!f->line || !f->used || !f->owner) {
        free(f->text);
        f->text = NULL;
        return NULL;
    }
    char *p = f->text;
    for (;;) {
        f->line[f->n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        p = nl + 1;
    }
    return f;
}

/* The comment on a line (after '#' or '//' outside a string), trimmed;
 * NULL if none. */
static const char *comment_in(const char *l, size_t *len)
{
    int q = 0;
    for (const char *p = l; *p; p++) {
        if (q) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                q = 0;
        } else if (*p == '"') {
            q = 1;
        } else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            p += *p == '#' ? 1 : 2;
            while (*p == ' ' || *p == '\t')
                p++;
            size_t n = strlen(p);
            while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (n == 0)
                return NULL;
            *len = n;
            return p;
        }
    }
    return NULL;
}

/* A line holding only a comment (or nothing). */
static int comment_only(const char *l, int *empty)
{
    while (*l == ' ' || *l == '\t')
        l++;
    *empty = *l == '\0';
    return *l == '\0' || *l == '#' || (l[0] == '/' && l[1] == '/');
}

/* The last source line any part of s was read from. */
static int last_line(const config_setting_t *s)
{
    int m = config_setting_source_line(s);
    if (config_setting_is_aggregate(s))
        for (int i = 0; i < config_setting_length(s); i++) {
            int k = last_line(config_setting_get_elem(s, (unsigned)i));
            if (k > m)
                m = k;
        }
    return m;
}

static void indent_to(FILE *o, int n) { fprintf(o, "%*s", n, ""); }

/* The comment lines just above line l of f (not yet written), at indent. */
static void lead_comments(ccw_writer *w, source *f, int l, int indent)
{
    int top = l - 1; /* 1-based line above */
    int empty;
    while (top >= 1 && !f->used[top] && comment_only(f->line[top - 1], &empty) && !empty)
        top--;
    for (int k = top + 1; k < l; k++) {
        size_t n;
        const char *c = comment_in(f->line[k - 1], &n);
        f->used[k] = 1;
        if (c) {
            indent_to(w->out, indent);
            fprintf(w->out, "# %.*s\n", (int)n, c);
        }
    }
}

/* Column of a line's comment mark, or -1. */
static int comment_col(const char *l)
{
    size_t n;
    const char *c = comment_in(l, &n);
    if (!c)
        return -1;
    while (c > l && c[-1] != '#' && c[-1] != '/')
        c--;
    return (int)(c - l);
}

/* Comments on lines lo..hi of f not yet written, joined, after the text;
 * then the comment-only lines below hi whose comment continues it (its mark
 * in the same column). */
static void tail_comments(ccw_writer *w, source *f, int lo, int hi)
{
    int first = 1;
    for (int k = lo; f && k <= hi && k <= f->n; k++) {
        if (f->used[k])
            continue;
        f->used[k] = 1;
        size_t n;
        const char *c = comment_in(f->line[k - 1], &n);
        if (c) {
            fprintf(w->out, "%s%.*s", first ? "   # " : "; ", (int)n, c);
            first = 0;
        }
    }
    if (!f || first || hi > f->n)
        return;
    int col = comment_col(f->line[hi - 1]), empty;
    for (int k = hi + 1; col >= 0 && k <= f->n && !f->used[k]; k++) {
        if (!comment_only(f->line[k - 1], &empty) || empty || comment_col(f->line[k - 1]) != col)
            break;
        size_t n;
        const char *c = comment_in(f->line[k - 1], &n);
        f->used[k] = 1;
        fprintf(w->out, " %.*s", (int)n, c);
    }
}

void ccw_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(o, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", o);
        else if (*s == '\t')
            fputs("\\t", o);
        else if ((unsigned char)*s < 0x20)
            fprintf(o, "\\x%02x", (unsigned char)*s);
        else
            fputc(*s, o);
    }
    fputc('"', o);
}

void ccw_comment(FILE *o, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, o);
}

static void write_scalar(FILE *o, const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: fprintf(o, "%d", config_setting_get_int(s)); break;
    case CONFIG_TYPE_INT64: fprintf(o, "%lldL", (long long)config_setting_get_int64(s)); break;
    case CONFIG_TYPE_BOOL: fputs(config_setting_get_bool(s) ? "true" : "false", o); break;
    case CONFIG_TYPE_STRING: ccw_string(o, config_setting_get_string(s)); break;
    case CONFIG_TYPE_FLOAT: {
        char b[64];
        snprintf(b, sizeof b, "%.15g", config_setting_get_float(s));
        if (!strpbrk(b, ".eEni"))
            strcat(b, ".0"); /* stays a float when read back */
        fputs(b, o);
        break;
    }
    default: break;
    }
}

/* One-line value: a scalar, or an array (of scalars). */
static void write_inline(FILE *o, const config_setting_t *s)
{
    if (config_setting_type(s) != CONFIG_TYPE_ARRAY) {
        write_scalar(o, s);
        return;
    }
    fputc('[', o);
    for (int i = 0; i < config_setting_length(s); i++) {
        fputs(i ? ", " : " ", o);
        write_scalar(o, config_setting_get_elem(s, (unsigned)i));
    }
    fputs(" ]", o);
}

/* Which setting takes each line's comment: the last one-line setting
 * (scalar or array) read from the line, so that on "a = 1; b = 2;  # why b"
 * the comment goes with b; an array takes the lines it spans. */
static void claim_lines(ccw_writer *w, const config_setting_t *s)
{
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_GROUP || type == CONFIG_TYPE_LIST) {
        for (int i = 0; i < config_setting_length(s); i++)
            claim_lines(w, config_setting_get_elem(s, (unsigned)i));
        return;
    }
    source *f = source_of(w, s);
    int l = config_setting_source_line(s), lmax = last_line(s);
    for (int k = l; f && k <= lmax && k <= f->n; k++)
        f->owner[k] = s;
}

/* Whether a group or list opening on line l should take its comment: no
 * one-line setting claims the line. */
static int owns_open(const source *f, int l) { return f && l <= f->n && !f->owner[l]; }

static int write_setting(ccw_writer *w, const config_setting_t *s, int indent, int last)
{
    FILE *o = w->out;
    const char *note = config_setting_get_hook(s);
    source *f = note ? NULL : source_of(w, s);
    int l = config_setting_source_line(s), lmax = last_line(s);
    if (f && l <= f->n)
        lead_comments(w, f, l, indent);
    indent_to(o, indent);
    const char *name = config_setting_name(s);
    int in_list = config_setting_parent(s) && !config_setting_name(s);
    if (name)
        fprintf(o, "%s = ", name);
    int type = config_setting_type(s);
    const char *sep = in_list ? (last ? "" : ",") : ";";
    if (type == CONFIG_TYPE_GROUP || type == CONFIG_TYPE_LIST) {
        fputc(type == CONFIG_TYPE_GROUP ? '{' : '(', o);
        if (note) {
            fputs("   # ", o);
            ccw_comment(o, note);
        }
        else if (owns_open(f, l))
            tail_comments(w, f, l, l);
        fputc('\n', o);
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++)
            if (write_setting(w, config_setting_get_elem(s, (unsigned)i), indent + 2, i == n - 1) != 0)
                return -1;
        indent_to(o, indent);
        fprintf(o, "%c%s", type == CONFIG_TYPE_GROUP ? '}' : ')', sep);
        /* the comment on a closing line of its own */
        if (f && lmax + 1 <= f->n) {
            const char *c = f->line[lmax];
            while (*c == ' ' || *c == '\t')
                c++;
            if (*c == '}' || *c == ')' || *c == ']')
                tail_comments(w, f, lmax + 1, lmax + 1);
        }
        fputc('\n', o);
    } else {
        write_inline(o, s);
        fputs(sep, o);
        if (note) {
            fputs("   # ", o);
            ccw_comment(o, note);
        } else if (f) {
            int lo = l, hi = lmax; /* the lines this setting owns */
            while (lo <= hi && lo <= f->n && f->owner[lo] != s)
                lo++;
            while (hi >= lo && f->owner[hi] != s)
                hi--;
            if (lo <= hi)
                tail_comments(w, f, lo, hi);
        }
        fputc('\n', o);
    }
    return ferror(o) ? -1 : 0;
}

int ccw_setting(ccw_writer *w, const config_setting_t *s, int indent)
{
    claim_lines(w, s);
    return write_setting(w, s, indent, 1);
}
