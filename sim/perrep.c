/* perrep: per-replication values of chosen metrics, gzip-compressed CSV. */
#include "perrep.h"

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "ccdate.h"
#include "output.h"

const char ccpr_header[] = "replication,date,metric,group,value";

int ccpr_select(const ccx_layout *L, const char *list, unsigned char *sel, char *err)
{
    memset(sel, 0, (size_t)L->n);
    int chosen = 0;
    const char *s = list;
    for (;;) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *slash = memchr(s, '/', len);
        size_t mlen = slash ? (size_t)(slash - s) : len;
        int hit = 0;
        for (int j = 0; j < L->n && len > 0; j++) {
            if (strlen(L->metric[j]) != mlen || strncmp(L->metric[j], s, mlen) != 0)
                continue;
            if (slash) {
                size_t glen = len - mlen - 1;
                if (strlen(L->group[j]) != glen || strncmp(L->group[j], slash + 1, glen) != 0)
                    continue;
            }
            hit = 1;
            chosen += !sel[j];
            sel[j] = 1;
        }
        if (!hit) {
            /* the item comes from the command line, not from input data */
            snprintf(err, 512,
                     "--per-rep: '%.*s' is not a metric of this run (expected a metric name of monthly.csv, or "
                     "metric/group, comma-separated)",
                     (int)(len > 200 ? 200 : len), s);
            return -1;
        }
        if (!end)
            break;
        s = end + 1;
    }
    return chosen;
}

enum { CHUNK = 1 << 16 };

typedef struct {
    z_stream z;
    FILE *f;
    unsigned char out[CHUNK];
} gzw;

/* Compress n bytes of p (flush: Z_FINISH at the end), writing to f. */
static int gz_put(gzw *w, const void *p, size_t n, int flush)
{
    w->z.next_in = (Bytef *)(uintptr_t)p;
    w->z.avail_in = (uInt)n;
    do {
        w->z.next_out = w->out;
        w->z.avail_out = CHUNK;
        int rc = deflate(&w->z, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        size_t have = CHUNK - w->z.avail_out;
        if (have && fwrite(w->out, 1, have, w->f) != have)
            return -1;
    } while (w->z.avail_out == 0);
    return 0;
}

/* The text of one output row goes into a buffer compressed when full. */
typedef struct {
    gzw *w;
    char buf[1 << 15];
    size_t o;
    int rc;
} sink;

static void put(sink *k, const char *s, size_t n)
{
    if (k->rc)
        return;
    if (k->o + n > sizeof k->buf) {
        k->rc = gz_put(k->w, k->buf, k->o, Z_NO_FLUSH);
        k->o = 0;
        if (n > sizeof k->buf) {
            k->rc = k->rc ? k->rc : gz_put(k->w, s, n, Z_NO_FLUSH);
            return;
        }
    }
    memcpy(k->buf + k->o, s, n);
    k->o += n;
}

static void puts_(sink *k, const char *s) { put(k, s, strlen(s)); }

/* A CSV field, quoted (as cco_field) if it holds a comma, quote or newline. */
static void field(sink *k, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        puts_(k, s);
        return;
    }
    put(k, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            put(k, "\"", 1);
        put(k, s, 1);
    }
    put(k, "\"", 1);
}

int ccpr_write(FILE *f, const cce_result *r, const unsigned char *sel)
{
    gzw *w = calloc(1, sizeof *w);
    sink *k = calloc(1, sizeof *k);
    char *dates = malloc((size_t)r->ndates * 16);
    if (!w || !k || !dates) {
        free(w), free(k), free(dates);
        errno = ENOMEM;
        return -1;
    }
    w->f = f;
    k->w = w;
    /* gzip wrapper (15 + 16), no file name and time 0: the same bytes on
     * every run */
    if (deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(w), free(k), free(dates);
        errno = ENOMEM;
        return -1;
    }
    for (int d = 0; d < r->ndates; d++)
        ccd_format(r->dates[d], dates + 16 * d);
    puts_(k, ccpr_header);
    put(k, "\n", 1);
    for (int i = 0; i < r->reps && !k->rc; i++) {
        char rep[24];
        snprintf(rep, sizeof rep, "%d,", i + 1);
        for (int j = 0; j < r->L->n && !k->rc; j++) {
            if (!sel[j])
                continue;
            for (int d = 0; d < r->ndates; d++) {
                char v[64];
                cco_num(cce_value(r, i, j, d), v);
                puts_(k, rep);
                puts_(k, dates + 16 * d);
                put(k, ",", 1);
                field(k, r->L->metric[j]);
                put(k, ",", 1);
                field(k, r->L->group[j]);
                put(k, ",", 1);
                puts_(k, v);
                put(k, "\n", 1);
            }
        }
    }
    int rc = k->rc ? k->rc : gz_put(w, k->buf, k->o, Z_FINISH);
    deflateEnd(&w->z);
    free(w), free(k), free(dates);
    return rc;
}
