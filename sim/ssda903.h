/* ssda903: fit a carecap config to a council's SSDA903 episodes.
 *
 * Reads the episodes and header files (CSV; quoted fields, CRLF, a UTF-8
 * byte-order mark, extra columns and any column order are accepted; missing
 * required columns are errors by name), turns episodes into periods of care
 * and placements, and estimates, over a window: entry rates by cohort and
 * district, exit hazards by route and cohort, breakdown hazards by placement
 * type and cohort, moves to semi-independent provision, destinations at 18,
 * the needed-placement mix of entrants, and the population at the end date.
 * Every estimate is written with its events, exposure and 95% interval.
 * No identifier (CHILD, UPN) or postcode is written anywhere. */
#ifndef SSDA903_H
#define SSDA903_H

#include <stdio.h>

typedef struct {
    const char *episodes, *header;
    const char *districts; /* optional CSV: HOME_POST,district */
    const char *from, *to; /* optional window, YYYY-MM-DD */
    const char *name;      /* council name for the config */
    const char *baseline;  /* optional config whose supply, matching and costs are copied */
    const char *out;       /* config file to write */
} csd_opts;

/* Returns an exit code: 0, 3 (invalid input: every problem on err), or 4. */
int csd_calibrate(const csd_opts *o, FILE *out, FILE *err);

#endif
