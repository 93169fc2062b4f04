/* basesupply: the supply side of a fitted config, taken from a baseline.
 *
 * SSDA903 holds no places or prices: a config fitted to it takes its
 * supply, matching and costs from a baseline config, written back setting
 * by setting with the comments the baseline gives them (see cfgwrite.h).
 * Only the start-date counts are fitted: the children placed in each type
 * on the fitted start date are shared out between the baseline's providers,
 * the in-house ones to its council homes and fostering pool, the others to
 * its external tiers. */
#ifndef BASESUPPLY_H
#define BASESUPPLY_H

#include <stdio.h>

#include "model.h"
#include "params.h"

/* Validate `baseline` (its errors to err, exit code 3) and write its supply,
 * matching and costs to cfg, fitted to `fitted` (a demand-only config whose
 * start date and initial population are the data's). inhouse[c][t] and
 * placed[c][t] are the children in care on the start date by cohort and
 * placement type, with a council provider (PLACE_PROVIDER PR1-PR3) and in
 * all: they split fitted->init_by_type between council and external
 * providers. Returns 0, 3 (invalid baseline, or children with no place) or 4. */
int cbs_append(const char *baseline, const cc_params *fitted, const double inhouse[CCM_NCOHORT][CCM_NPT],
               const double placed[CCM_NCOHORT][CCM_NPT], FILE *cfg, FILE *err);

#endif
