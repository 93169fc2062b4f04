/* summary: statistics of one quantity across replications: mean, standard
 * deviation (n-1; 0 for a single replication) and the 5th, 25th, 50th, 75th
 * and 95th percentiles (GSL's interpolated quantiles of the sorted sample). */
#ifndef SUMMARY_H
#define SUMMARY_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double mean, sd, p05, p25, p50, p75, p95;
} ccy_stats;

/* Summarise x[0..n-1]; x is sorted in place. n >= 1. */
void ccy_summarise(double *x, size_t n, ccy_stats *out);

/* The same statistics of n whole numbers given as counts: count[v]
 * values equal to lo + v for v < range, count[0] and count[range - 1] not
 * 0 (a histogram: no sort). scratch holds n doubles (used for small or
 * widely spread samples, which ccy_summarise sorts). */
void ccy_summarise_counts(double lo, const uint32_t *count, size_t range, size_t n, double *scratch,
                          ccy_stats *out);

#endif
