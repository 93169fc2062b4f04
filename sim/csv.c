/* csv: a forgiving reader of council CSV exports (see csv.h). */
#define _XOPEN_SOURCE 700
#include "csv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "textfile.h"

struct ccv_file {
    char *buf;     /* the file, split in place */
    char *p, *end; /* unread text */
    char **field;  /* fields of the current row */
    int nfield, cap;
    int line, next_line; /* line of the current row; of the next one */
    char **head;   /* the header row's fields (for spotting repeats) */
    int nhead;
    int unclosed;  /* the current row has a quote never closed */
};

ccv_file *ccv_open(const char *path)
{
    size_t n;
    char *buf = ctf_read_max(path, CCV_MAX_BYTES, &n);
    ccv_file *f = buf ? calloc(1, sizeof *f) : NULL;
    if (!f) {
        free(buf);
        return NULL;
    }
    f->buf = buf;
    f->p = buf;
    f->end = buf + n;
    f->next_line = 1;
    if (n >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF)
        f->p += 3; /* UTF-8 byte-order mark */
    return f;
}

void ccv_close(ccv_file *f)
{
    if (!f)
        return;
    free(f->buf);
    free(f->field);
    free(f->head);
    free(f);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Split the next physical row into fields; 0 at the end (or out of memory). */
static int split(ccv_file *f)
{
    if (f->p >= f->end)
        return 0;
    f->nfield = 0;
    f->unclosed = 0;
    f->line = f->next_line;
    char *w = f->p;
    for (;;) {
        if (f->nfield == f->cap) {
            int cap = f->cap ? 2 * f->cap : 32;
            char **a = realloc(f->field, (size_t)cap * sizeof *a);
            if (!a)
                return 0;
            f->field = a;
            f->cap = cap;
        }
        char *start = w;
        f->field[f->nfield++] = start;
        while (f->p < f->end && (*f->p == ' ' || *f->p == '\t'))
            *w++ = *f->p++;
        if (*f->p == '"') {
            w = start; /* spaces before an opening quote are not part of the field */
            f->p++;
            f->unclosed = 1;
            while (f->p < f->end) {
                if (*f->p == '"' && f->p + 1 < f->end && f->p[1] == '"') {
                    *w++ = '"';
                    f->p += 2;
                } else if (*f->p == '"') {
                    f->p++;
                    f->unclosed = 0;
                    break;
                } else {
                    if (*f->p == '\n')
                        f->next_line++;
                    *w++ = *f->p++;
                }
            }
        }
        while (f->p < f->end && *f->p != ',' && *f->p != '\n' && *f->p != '\r')
            *w++ = *f->p++;
        /* step past the separator before ending the field in place (the
         * terminator may land where the separator was) */
        char sep = f->p < f->end ? *f->p : '\n';
        if (sep == ',') {
            f->p++;
        } else {
            if (sep == '\r')
                f->p++;
            if (f->p < f->end && *f->p == '\n')
                f->p++;
            f->next_line++;
        }
        *w++ = '\0';
        if (sep == ',')
            continue;
        for (int i = 0; i < f->nfield; i++)
            f->field[i] = trim(f->field[i]);
        return 1;
    }
}

static int blank_row(const ccv_file *f)
{
    for (int i = 0; i < f->nfield; i++)
        if (f->field[i][0])
            return 0;
    return 1;
}

int ccv_columns(ccv_file *f, const char *path, const char *const *names, int n, int *col, FILE *err)
{
    while (split(f) && blank_row(f))
        ;
    if (f->nfield == 0 || blank_row(f)) {
        fprintf(err, "%s: empty file (expected a header row with %s, ...)\n", path, names[0]);
        return -1;
    }
    f->head = malloc((size_t)f->nfield * sizeof *f->head);
    if (!f->head)
        return -1;
    f->nhead = f->nfield;
    memcpy(f->head, f->field, (size_t)f->nfield * sizeof *f->head);
    int bad = 0;
    for (int k = 0; k < n; k++) {
        col[k] = -1;
        for (int i = 0; i < f->nfield && col[k] < 0; i++)
            if (strcasecmp(f->field[i], names[k]) == 0)
                col[k] = i;
        if (col[k] < 0) {
            fprintf(err, "%s:%d: column %s is missing (expected it among the header row's names)\n", path, f->line,
                    names[k]);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

static int repeats_header(const ccv_file *f)
{
    if (f->nfield != f->nhead)
        return 0;
    for (int i = 0; i < f->nfield; i++)
        if (strcasecmp(f->field[i], f->head[i]) != 0)
            return 0;
    return 1;
}

int ccv_row(ccv_file *f)
{
    while (split(f))
        if (!blank_row(f) && !repeats_header(f))
            return 1;
    return 0;
}

const char *ccv_field(const ccv_file *f, int col) { return col >= 0 && col < f->nfield ? f->field[col] : ""; }
int ccv_line(const ccv_file *f) { return f->line; }
int ccv_unclosed(const ccv_file *f) { return f->unclosed; }
