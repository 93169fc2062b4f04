/* output: the files of a run: monthly.csv and annual.csv (tidy long format,
 * statistics across replications), manifest.txt and a copy of the resolved
 * config. Every file is written under a temporary name in the output
 * directory and renamed into place only when all of them were written, so
 * an interrupted or failed run never leaves a half-written file. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>

#include "experiment.h"
#include "summary.h"

/* Header line of monthly.csv and annual.csv (documented schema). */
extern const char cco_csv_header[];

/* Create directory `path` and its parents (like mkdir -p). 0 or -1 (errno). */
int cco_mkdirs(const char *path);

/* A set of files being written into one directory. */
typedef struct cco_batch cco_batch;
cco_batch *cco_batch_new(const char *dir);
/* Start file `name` in the batch; returns the stream to write, or NULL. */
FILE *cco_batch_add(cco_batch *b, const char *name);
/* Close and rename every file into place. 0, or -1 with message in err
 * (at least 512 bytes); on failure no temporary file is left behind. */
int cco_batch_commit(cco_batch *b, char *err);
/* Remove every temporary file and free the batch. */
void cco_batch_abort(cco_batch *b);

/* Format a statistic for CSV: fixed point, at most 4 decimals, no trailing
 * zeros ("953", "12.5", "0.0625"). buf holds at least 64 bytes. */
void cco_num(double v, char *buf);
/* Write one CSV field, quoted if it holds a comma, quote or newline. */
void cco_field(FILE *f, const char *s);

/* Rows of monthly.csv: every series at every snapshot date. 0, or -1 when
 * memory ran out. */
int cco_write_monthly(FILE *f, const cce_result *r, int header);
/* Rows of annual.csv: every flow series summed over each year from the start. */
int cco_write_annual(FILE *f, const cce_result *r, int header);

/* Header line of comparison.csv. */
extern const char cco_cmp_header[];
/* Rows of comparison.csv: for scenario run s against baseline run b (same
 * seed, replications and years), the paired difference s - b of the key
 * metrics across replications and the share of replications in which the
 * scenario is better. 0, or -1 when memory ran out. */
int cco_write_comparison(FILE *f, const cce_result *b, const cce_result *s);
/* Which way is better for a metric/group: -1 lower, +1 higher, 0 neither. */
int cco_better(const char *metric, const char *group);

/* Statistics of the money flows by financial year (April-March). */
typedef struct {
    int fy0, nfy;       /* first financial year (the year it starts in), count */
    int *months;        /* months of each year the run covers */
    ccy_stats *st;      /* [series * nfy + year], for CCX_MONEY series */
    ccy_stats *unit;    /* [type * nfy + year]: spend per child-week by placement type */
} cco_fy;
/* NULL when the run has no money series or memory ran out. */
cco_fy *cco_fy_summary(const cce_result *r);
void cco_fy_free(cco_fy *fy);
/* Day number of the last day (31 March) of year y of fy. */
int32_t cco_fy_end(const cco_fy *fy, int y);

/* Start file `name` in the batch for a library that writes by path: returns
 * the temporary path to write (renamed on commit), or NULL. */
const char *cco_batch_add_path(cco_batch *b, const char *name);

#endif
