/* diag: collected user-facing error messages. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cc_diag {
    char **msg;
    size_t n, cap;
    int oom;
};

cc_diag *ccg_new(void)
{
    return calloc(1, sizeof(cc_diag));
}

void ccg_free(cc_diag *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        free(g->msg[i]);
    free(g->msg);
    free(g);
}

void ccg_add(cc_diag *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 16;
        char **m = realloc(g->msg, cap * sizeof *m);
        if (!m) {
            free(s);
            g->oom = 1;
            return;
        }
        g->msg = m;
        g->cap = cap;
    }
    if (!s) {
        g->oom = 1;
        return;
    }
    g->msg[g->n++] = s;
}

size_t ccg_count(const cc_diag *g)
{
    return g->n + (size_t)g->oom;
}

const char *ccg_get(const cc_diag *g, size_t i)
{
    return i < g->n ? g->msg[i] : "out of memory while collecting errors";
}

void ccg_print(const cc_diag *g, FILE *f, const char *prefix)
{
    for (size_t i = 0; i < ccg_count(g); i++) {
        if (prefix)
            fprintf(f, "%s: ", prefix);
        fprintf(f, "%s\n", ccg_get(g, i));
    }
}
