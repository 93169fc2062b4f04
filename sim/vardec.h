/* vardec: where the spread of a run comes from. With parameter uncertainty
 * on, replications come in groups that share one parameter draw (experiment.h
 * CCE_DRAW_GROUP); a one-way analysis of variance across those groups splits
 * the variance of a series into a parameter part (between draws) and a
 * process part (within a draw: the randomness of events), by the law of total
 * variance with the unbiased ANOVA estimators. ccvd_write writes the split of
 * the headline series to variance.csv. */
#ifndef VARDEC_H
#define VARDEC_H

#include <stdio.h>

#include "experiment.h"
#include "pairs.h"

typedef struct {
    double total;  /* parameter + process */
    double param;  /* between draws: (MSB - MSW) / g, at least 0 */
    double proc;   /* within a draw: MSW */
} ccvd_part;

/* Split the variance of x[0..n-1], where x[i] used draw i / g. Only complete
 * groups count. g = 1 (no shared draws) gives the sample variance, all of it
 * process. Returns 0, or -1 when there are too few values (fewer than two
 * groups, or fewer than two values when g = 1). */
int ccvd_split(const double *x, int n, int g, ccvd_part *out);
/* variance.csv for run r: series,date,replications,draws,total_var,
 * parameter_share,process_share, for looked_after/all, gap/foster and
 * gap/residential at each anniversary of the start date, and spend/total by
 * financial year (dated at its end) when the run has costs, from the run's
 * accumulators (r->stats; the values need not be kept). Returns 0, or -1
 * on a write failure. */
int ccvd_write(FILE *f, const cce_result *r);
/* A compare's variance.csv: the header (scenario,what, then the columns
 * above), then for each result its rows: what = level for r itself (from
 * its accumulators, as ccvd_write) and, when d is given (r is its scenario
 * i), what = difference for r less the baseline replication by replication
 * (common random numbers: the same draws and streams), from d's
 * accumulators of the differences (pairs.h). scenario is written as it is
 * (a checked scenario label). */
int ccvd_write_compare_head(FILE *f);
int ccvd_write_compare(FILE *f, const char *scenario, const cce_result *r, const ccpa *d, int i);

#endif
