/* summary: statistics of one quantity across replications: mean, standard
 * deviation (n-1; 0 for a single replication) and the 5th, 25th, 50th, 75th
 * and 95th percentiles (GSL's interpolated quantiles of the sorted sample). */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stddef.h>

typedef struct {
    double mean, sd, p05, p25, p50, p75, p95;
} ccy_stats;

/* Summarise x[0..n-1]; x is sorted in place. n >= 1. */
void ccy_summarise(double *x, size_t n, ccy_stats *out);

#endif
