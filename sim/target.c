/* target: parse dated conditions on output series and reduce a replication
 * to one number per condition. */
#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"

enum { OP_LE, OP_LT, OP_GE, OP_GT };
enum { W_AT, W_FROM, W_OVER };

typedef struct {
    char *text;
    int kind;         /* CTG_* */
    int num, den;     /* series; den -1 when not a ratio */
    int op;
    double bound, p;
    int when;         /* W_* */
    int k0, k1;       /* month indices (inclusive); k1 -1: to the end of the run */
} target;

struct ctg_list {
    const ccx_layout *L;
    int32_t start;
    int n, cap;
    target *t;
};

ctg_list *ctg_new(const ccx_layout *L, int32_t start_day)
{
    ctg_list *t = calloc(1, sizeof *t);
    if (t) {
        t->L = L;
        t->start = start_day;
    }
    return t;
}

void ctg_free(ctg_list *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        free(t->t[i].text);
    free(t->t);
    free(t);
}

int ctg_count(const ctg_list *t)
{
    return t ? t->n : 0;
}

static void fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

static const char *skip(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

/* The next word (up to a space) into w (at most n-1 bytes); returns the rest. */
static const char *word(const char *s, char *w, size_t n)
{
    s = skip(s);
    size_t k = 0;
    while (*s && !isspace((unsigned char)*s)) {
        if (k + 1 < n)
            w[k++] = *s;
        s++;
    }
    w[k] = '\0';
    return s;
}

/* Series "metric/group" (surrounding spaces trimmed) in L, or -1. */
static int find_series(const ccx_layout *L, const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    const char *slash = memchr(s, '/', len);
    if (!slash)
        return -1;
    size_t ml = (size_t)(slash - s), gl = len - ml - 1;
    for (int j = 0; j < L->n; j++)
        if (strlen(L->metric[j]) == ml && strncmp(L->metric[j], s, ml) == 0 && strlen(L->group[j]) == gl &&
            strncmp(L->group[j], slash + 1, gl) == 0)
            return j;
    return -1;
}

/* Month index of month end `w` (a date) from the start; -1 when it is not
 * a month end on or after the start date. *after: the first month end on
 * or after the date (for windows). */
static int month_index(const ctg_list *t, const char *w, int exact, int *k, char *err, size_t len)
{
    int32_t d;
    if (ccd_parse(w, &d) != 0) {
        fail(err, len, "'%.40s' is not a date (expected YYYY-MM-DD)", w);
        return -1;
    }
    if (d < t->start) {
        char s0[16];
        ccd_format(t->start, s0);
        fail(err, len, "%.40s is before the start date %s (expected a date in the run)", w, s0);
        return -1;
    }
    int y0, m0, dd, y, m;
    ccd_to_ymd(t->start, &y0, &m0, &dd);
    ccd_to_ymd(d, &y, &m, &dd);
    int months = (y - y0) * 12 + (m - m0);
    if (months > 1200) {
        fail(err, len, "%.40s is more than 100 years after the start date (expected a date in the run)", w);
        return -1;
    }
    if (exact && d != ccd_month_end(d)) {
        fail(err, len, "%.40s is not a month end (expected the last day of a month: the run reports month ends)", w);
        return -1;
    }
    /* a window's first month end is the first one on or after the date */
    *k = months;
    return 0;
}

static int parse_number(const char *w, double *x)
{
    char *end;
    errno = 0;
    double v = strtod(w, &end);
    if (!*w || *end || errno || !isfinite(v))
        return -1;
    *x = v;
    return 0;
}

int ctg_add(ctg_list *t, const char *text, int quantity, char *err, size_t errlen)
{
    target g;
    memset(&g, 0, sizeof g);
    g.den = -1;
    g.k1 = -1;
    const char *s = skip(text);
    char w[64];
    int mean = 0;
    if (strncmp(s, "mean", 4) == 0 && isspace((unsigned char)s[4])) {
        mean = 1;
        s = skip(s + 4);
    }
    if (quantity && mean) {
        fail(err, errlen, "'mean' makes a target (expected a quantity alone: SERIES [/ SERIES] at DATE or over "
                          "DATE to DATE)");
        return -1;
    }
    /* the expression runs to the operator (a quantity: to " at " or " over ") */
    const char *op = NULL;
    if (!quantity) {
        /* the comparison comes before the date words */
        const char *lim = s + strlen(s);
        static const char *const when[] = {" at ", " from ", " over "};
        for (int k = 0; k < 3; k++) {
            const char *at = strstr(s, when[k]);
            if (at && at < lim)
                lim = at;
        }
        for (const char *c = s; c < lim && !op; c++)
            if (*c == '<' || *c == '>')
                op = c;
    }
    const char *e = op;
    if (quantity) {
        const char *a = strstr(s, " at "), *o = strstr(s, " over ");
        e = a && (!o || a < o) ? a : o;
        if (!e) {
            fail(err, errlen, "has no date (expected SERIES [/ SERIES] at DATE, or over DATE to DATE)");
            return -1;
        }
    } else if (!op) {
        fail(err, errlen, "has no comparison (expected SERIES <= NUMBER ..., or <, >=, >)");
        return -1;
    }
    /* a ratio: " / " between two series */
    const char *div = NULL;
    for (const char *c = s; c + 2 < e; c++)
        if (c[0] == ' ' && c[1] == '/' && c[2] == ' ')
            div = c;
    const char *sa = s, *ea = div ? div : e;
    g.num = find_series(t->L, sa, (size_t)(ea - sa));
    while (ea > sa && isspace((unsigned char)ea[-1]))
        ea--;
    if (g.num < 0) {
        fail(err, errlen, "'%.*s' is not a series of this run (expected metric/group as in monthly.csv, e.g. "
                          "kpi_pct/external_foster or gap/residential)",
             (int)((ea - sa) > 80 ? 80 : ea - sa), sa);
        return -1;
    }
    if (div) {
        g.den = find_series(t->L, div + 3, (size_t)(e - div - 3));
        const char *ed = e;
        while (ed > div + 3 && isspace((unsigned char)ed[-1]))
            ed--;
        if (g.den < 0) {
            fail(err, errlen, "'%.*s' is not a series of this run (expected metric/group as in monthly.csv)",
                 (int)((ed - div - 3) > 80 ? 80 : ed - div - 3), div + 3);
            return -1;
        }
    }
    const char *r = e;
    if (!quantity) {
        g.op = r[0] == '<' ? (r[1] == '=' ? OP_LE : OP_LT) : (r[1] == '=' ? OP_GE : OP_GT);
        r += r[1] == '=' ? 2 : 1;
        r = word(r, w, sizeof w);
        if (parse_number(w, &g.bound) != 0) {
            fail(err, errlen, "'%.40s' is not a number (expected a number after the comparison)", w);
            return -1;
        }
    }
    r = word(r, w, sizeof w);
    if (strcmp(w, "at") == 0)
        g.when = W_AT;
    else if (strcmp(w, "from") == 0 && !quantity)
        g.when = W_FROM;
    else if (strcmp(w, "over") == 0)
        g.when = W_OVER;
    else {
        fail(err, errlen, "'%.40s' is not when (expected at DATE%s, or over DATE to DATE)", w,
             quantity ? "" : ", from DATE [to DATE]");
        return -1;
    }
    r = word(r, w, sizeof w);
    if (month_index(t, w, g.when == W_AT, &g.k0, err, errlen) != 0)
        return -1;
    const char *save = r;
    r = word(r, w, sizeof w);
    if (strcmp(w, "to") == 0 && g.when != W_AT) {
        r = word(r, w, sizeof w);
        if (month_index(t, w, 0, &g.k1, err, errlen) != 0)
            return -1;
        /* a window holds the month ends in [first date, last date] */
        int32_t d1;
        ccd_parse(w, &d1);
        if (d1 != ccd_month_end(d1))
            g.k1--;
        if (g.k1 < g.k0) {
            fail(err, errlen, "the window holds no month end (expected a later 'to' date, at least a month end "
                              "after the first)");
            return -1;
        }
    } else {
        if (g.when == W_OVER) {
            fail(err, errlen, "'over' needs an end (expected over DATE to DATE)");
            return -1;
        }
        r = save;
    }
    r = word(r, w, sizeof w);
    if (strcmp(w, "with") == 0) {
        if (quantity || mean) {
            fail(err, errlen, "%s has no probability (expected no 'with')", mean ? "a mean target" : "a quantity");
            return -1;
        }
        r = word(r, w, sizeof w);
        char w2[64];
        if (strcmp(w, "p") == 0)
            r = word(r, w2, sizeof w2);
        else
            snprintf(w2, sizeof w2, "%s", w);
        const char *num = w2;
        if (strncmp(w2, "p", 1) == 0)
            num = w2 + 1;
        if (strncmp(num, ">=", 2) == 0 && num[2])
            num += 2;
        else if (strcmp(num, ">=") == 0) {
            r = word(r, w, sizeof w);
            num = w;
        } else {
            fail(err, errlen, "'with' needs 'p >= P' (expected a probability, e.g. with p >= 0.8)");
            return -1;
        }
        if (parse_number(num, &g.p) != 0 || !(g.p > 0 && g.p < 1)) {
            fail(err, errlen, "'%.40s' is not a probability (expected a number between 0 and 1, e.g. 0.8)", num);
            return -1;
        }
        g.kind = CTG_PROB;
        r = word(r, w, sizeof w);
    } else if (quantity) {
        g.kind = CTG_QUANTITY;
    } else if (mean) {
        g.kind = CTG_MEAN;
        if (g.when == W_FROM) {
            fail(err, errlen, "a mean target reads one date or a window (expected at DATE, or over DATE to DATE)");
            return -1;
        }
    } else {
        fail(err, errlen, "has no probability (expected 'with p >= P' at the end, or 'mean' in front)");
        return -1;
    }
    if (*w) {
        fail(err, errlen, "'%.40s' is not expected here (expected the end of the target)", w);
        return -1;
    }
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 4;
        target *a = realloc(t->t, (size_t)nc * sizeof *a);
        if (!a) {
            fail(err, errlen, "out of memory");
            return -1;
        }
        t->t = a;
        t->cap = nc;
    }
    size_t n = strlen(text) + 1;
    g.text = malloc(n);
    if (!g.text) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    memcpy(g.text, text, n);
    t->t[t->n++] = g;
    return 0;
}

int ctg_months(const ctg_list *t)
{
    int m = 0;
    for (int i = 0; t && i < t->n; i++) {
        const target *g = &t->t[i];
        int k = g->k1 >= 0 ? g->k1 : g->k0;
        if (k > m)
            m = k;
    }
    return m;
}

const char *ctg_text(const ctg_list *t, int i)
{
    return t->t[i].text;
}

int ctg_kind(const ctg_list *t, int i)
{
    return t->t[i].kind;
}

double ctg_required(const ctg_list *t, int i)
{
    return t->t[i].kind == CTG_PROB ? t->t[i].p : t->t[i].bound;
}

int ctg_lower_is_better(const ctg_list *t, int i)
{
    return t->t[i].op == OP_LE || t->t[i].op == OP_LT;
}

static int holds(const target *g, double x)
{
    switch (g->op) {
    case OP_LE:
        return x <= g->bound;
    case OP_LT:
        return x < g->bound;
    case OP_GE:
        return x >= g->bound;
    default:
        return x > g->bound;
    }
}

int ctg_meets(const ctg_list *t, int i, double x)
{
    return holds(&t->t[i], x);
}

static double ratio(double a, double b)
{
    if (b != 0)
        return a / b;
    return a == 0 ? 0 : a > 0 ? INFINITY : -INFINITY;
}

double ctg_eval(const ctg_list *t, int i, const double *v, int ndates)
{
    const target *g = &t->t[i];
    const double *a = v + (size_t)g->num * (size_t)ndates;
    const double *b = g->den >= 0 ? v + (size_t)g->den * (size_t)ndates : NULL;
    int k0 = g->k0 < ndates ? g->k0 : ndates - 1;
    int k1 = g->k1 >= 0 && g->k1 < ndates ? g->k1 : ndates - 1;
    if (g->when == W_AT) {
        double x = b ? ratio(a[k0], b[k0]) : a[k0];
        return g->kind == CTG_PROB ? holds(g, x) : x;
    }
    if (g->when == W_FROM) {
        for (int k = k0; k <= k1; k++)
            if (!holds(g, b ? ratio(a[k], b[k]) : a[k]))
                return 0;
        return 1;
    }
    /* over: flows summed, stocks averaged */
    double sa = 0, sb = 0;
    for (int k = k0; k <= k1; k++) {
        sa += a[k];
        sb += b ? b[k] : 0;
    }
    int na = t->L->kind[g->num] == CCX_STOCK ? k1 - k0 + 1 : 1;
    int nb = b && t->L->kind[g->den] == CCX_STOCK ? k1 - k0 + 1 : 1;
    double x = b ? ratio(sa / na, sb / nb) : sa / na;
    return g->kind == CTG_PROB ? holds(g, x) : x;
}
