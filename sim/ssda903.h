/* ssda903: fit a carecap config to a council's SSDA903 episodes.
 *
 * Reads one or more pairs of episodes and header files (CSV, see csv.h),
 * validates them (bad rows are errors by file, line and column; the known
 * quirks of real extracts are repaired and reported), turns episodes into
 * periods of care and placements, and estimates, over a window: entry rates
 * by cohort and district, exit hazards by route and cohort, breakdown
 * hazards by placement type and cohort, moves to semi-independent provision,
 * destinations at 18, the needed-placement mix of entrants, and the
 * population at the end date with its placements. Every estimate is written
 * with its events, exposure and 95% interval. With a baseline, its supply,
 * matching and costs are copied (with their source comments) and the
 * start-date children shared out between its providers. No identifier
 * (CHILD, UPN) or postcode is written anywhere, messages included. */
#ifndef SSDA903_H
#define SSDA903_H

#include <stdio.h>

enum { CSD_MAXPAIRS = 64 };

typedef struct {
    const char *episodes[CSD_MAXPAIRS], *header[CSD_MAXPAIRS];
    int npairs;            /* file pairs (one a collection year, say) */
    const char *districts; /* optional CSV: HOME_POST,district */
    const char *from, *to; /* optional window, YYYY-MM-DD */
    const char *name;      /* council name for the config */
    const char *baseline;  /* optional config whose supply, matching and costs are copied */
    const char *out;       /* config file to write (and OUT.fit.csv) */
    const char *vanished;  /* "left" (NULL: the default) or "kept": the open episodes of
                              children missing from every later episodes file */
    const char *entries;   /* "trend" (NULL: the default), "recent" or "mean": how the
                              entry rates follow the years of the window */
} csd_opts;

/* Returns an exit code: 0; 2 (usage: no files, an unknown --vanished or
 * --entries, or an output that is one of the inputs); 3 (invalid input:
 * every problem on err, nothing written); 4 (a file could not be read or
 * written, or is not a regular file, or is too large). */
int csd_calibrate(const csd_opts *o, FILE *out, FILE *err);

/* Exact two-sided intervals at level 1 - alpha: of a Poisson rate, n events
 * in `years` (chi-square quantiles); of a share, k of n (Clopper-Pearson). */
void csd_rate_interval(double n, double years, double alpha, double *lo, double *hi);
void csd_share_interval(double k, double n, double alpha, double *lo, double *hi);

#endif
