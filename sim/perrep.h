/* perrep: each replication's values of chosen metrics, for an analyst's own
 * statistics (per_replication.csv.gz, written by `carecap run --per-rep`).
 * The file is gzip (zlib) compressed CSV, one row per replication, series
 * and date, in replication order whatever the number of threads; the writer
 * holds one compression buffer and one row, never the whole file. */
#ifndef PERREP_H
#define PERREP_H

#include <stdio.h>

#include "experiment.h"
#include "metrics.h"

/* Header line of the uncompressed CSV (without newline). */
extern const char ccpr_header[];

/* Mark in sel[0..L->n-1] the series chosen by list, a comma-separated list
 * of metric names ("looked_after": every group of the metric) or
 * metric/group pairs ("looked_after/all"). Returns the number of series
 * chosen, or -1 with a message in err (at least 512 bytes) naming the first
 * item that matches nothing. */
int ccpr_select(const ccx_layout *L, const char *list, unsigned char *sel, char *err);

/* Write the chosen series of every replication of r to f (opened for
 * writing, binary), compressed. 0, or -1 when zlib or a write failed (errno
 * set for a write error). The caller closes f. */
int ccpr_write(FILE *f, const cce_result *r, const unsigned char *sel);

#endif
