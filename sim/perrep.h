/* perrep: each replication's values of chosen metrics, for an analyst's own
 * statistics (per_replication.csv.gz, written by `carecap run --per-rep`).
 * The file is gzip (zlib) compressed CSV, one row per replication, series
 * and date, in replication order whatever the number of threads. The writer
 * is fed each replication as the run finishes it (a cce_rep_sink) and holds
 * one compression buffer, never the whole file nor every replication. */
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

/* A streaming writer to f (opened for writing, binary) of the series chosen
 * in sel (borrowed, as is L) for runs starting on start_day with ndates
 * month ends; NULL when memory ran out. The caller closes f after
 * ccpr_close. */
typedef struct ccpr_writer ccpr_writer;
ccpr_writer *ccpr_open(FILE *f, const ccx_layout *L, int32_t start_day, int ndates, const unsigned char *sel);
/* Write replication rep's values (L->n * ndates, series-major). Call in
 * replication order. 0, or -1 when zlib or a write failed. */
int ccpr_add(ccpr_writer *w, int rep, const double *values);
/* ccpr_add as a cce_rep_sink (ctx: the writer). */
int ccpr_sink(void *ctx, int rep, const double *values, const ccs_totals *tot);
/* Finish the stream (finish != 0) or drop it, and free the writer. 0, or
 * -1 when a write had failed. */
int ccpr_close(ccpr_writer *w, int finish);
/* Write the chosen series of every replication of r (values kept) to f,
 * compressed. 0, or -1 when zlib or a write failed (errno set for a write
 * error). The caller closes f. */
int ccpr_write(FILE *f, const cce_result *r, const unsigned char *sel);

#endif
