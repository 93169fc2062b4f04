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

struct ccpr_writer {
    gzw w;
    sink k;
    const ccx_layout *L;
    const unsigned char *sel;
    int ndates;
    char *dates; /* ndates formatted dates, 16 bytes each */
    int failed;
};

ccpr_writer *ccpr_open(FILE *f, const ccx_layout *L, int32_t start_day, int ndates, const unsigned char *sel)
{
    ccpr_writer *pw = calloc(1, sizeof *pw);
    char *dates = malloc((size_t)ndates * 16);
    if (!pw || !dates) {
        free(pw), free(dates);
        errno = ENOMEM;
        return NULL;
    }
    pw->w.f = f;
    pw->k.w = &pw->w;
    pw->L = L;
    pw->sel = sel;
    pw->ndates = ndates;
    pw->dates = dates;
    /* gzip wrapper (15 + 16), no file name and time 0: the same bytes on
     * every run */
    if (deflateInit2(&pw->w.z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(pw), free(dates);
        errno = ENOMEM;
        return NULL;
    }
    for (int d = 0; d < ndates; d++)
        ccd_format(ccd_add_month_ends(start_day, d), dates + 16 * d);
    puts_(&pw->k, ccpr_header);
    put(&pw->k, "\n", 1);
    return pw;
}

int ccpr_add(ccpr_writer *pw, int rep, const double *values)
{
    sink *k = &pw->k;
    char r[24];
    snprintf(r, sizeof r, "%d,", rep + 1);
    for (int j = 0; j < pw->L->n && !k->rc; j++) {
        if (!pw->sel[j])
            continue;
        for (int d = 0; d < pw->ndates; d++) {
            char v[64];
            cco_num(values[(size_t)j * (size_t)pw->ndates + (size_t)d], v);
            puts_(k, r);
            puts_(k, pw->dates + 16 * d);
            put(k, ",", 1);
            field(k, pw->L->metric[j]);
            put(k, ",", 1);
            field(k, pw->L->group[j]);
            put(k, ",", 1);
            puts_(k, v);
            put(k, "\n", 1);
        }
    }
    return k->rc ? -1 : 0;
}

int ccpr_sink(void *ctx, int rep, const double *values, const ccs_totals *tot)
{
    (void)tot;
    return ccpr_add(ctx, rep, values);
}

int ccpr_close(ccpr_writer *pw, int finish)
{
    if (!pw)
        return 0;
    int rc = pw->k.rc;
    if (finish && !rc)
        rc = gz_put(&pw->w, pw->k.buf, pw->k.o, Z_FINISH);
    deflateEnd(&pw->w.z);
    free(pw->dates);
    free(pw);
    return rc ? -1 : 0;
}

int ccpr_write(FILE *f, const cce_result *r, const unsigned char *sel)
{
    ccpr_writer *pw = ccpr_open(f, r->L, r->dates[0], r->ndates, sel);
    if (!pw)
        return -1;
    size_t slice = (size_t)r->L->n * (size_t)r->ndates;
    int rc = 0;
    for (int i = 0; i < r->reps && rc == 0; i++)
        rc = ccpr_add(pw, i, r->data + (size_t)i * slice);
    return ccpr_close(pw, 1) || rc ? -1 : 0;
}
