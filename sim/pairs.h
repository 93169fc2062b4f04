/* pairs: a compare's paired differences (replication k of each scenario
 * less replication k of the baseline: the same seed streams, common random
 * numbers), accumulated replication by replication as they finish, so that
 * nothing per replication is kept and memory does not grow with the number
 * of replications. A plan (what is compared: the layouts, which series are
 * compared and how each scenario series maps onto the baseline's) is made
 * once; accumulators of it, one a worker thread, take each replication's
 * values of every arm (experiment.h cce_derive), merge in any order with
 * the same result (acc.h, anova.h: exact integer sums and histograms) and
 * give comparison.csv's rows (the mean, spread and percentiles of each
 * difference and the share of replications in which the scenario is
 * better: an integer count), the variance split of the differences
 * (variance.csv, through vardec.h) and each scenario's business case
 * (bizcase.h). Differences of counts are exact; money and ratios are exact
 * up to CCAC_DISTINCT distinct values, then within acc.h's bound. */
#ifndef PAIRS_H
#define PAIRS_H

#include <stdint.h>
#include <stdio.h>

#include "anova.h"
#include "bizcase.h"
#include "experiment.h"
#include "metrics.h"
#include "params.h"
#include "scenario.h"

typedef struct ccpa_plan ccpa_plan;
typedef struct ccpa ccpa;

/* The plan of nscen scenarios against baseline base: Lb the baseline's
 * layout, name[i] and Ls[i] scenario i's label and layout, sc[i] its levers
 * (sc NULL: no business case; else one for each scenario when Lb has
 * costs), ndates month ends from base's start date, draw_group the
 * replications that share a parameter draw (the variance split). The
 * layouts are borrowed (they must outlive the plan); names and dates are
 * copied. NULL when memory ran out. */
ccpa_plan *ccpa_plan_new(const cc_params *base, const ccx_layout *Lb, int nscen, const char *const *name,
                         const ccx_layout *const *Ls, const csn_scenario *const *sc, int ndates, int draw_group);
void ccpa_plan_free(ccpa_plan *pl);

/* Empty accumulators of plan pl (which must outlive them); NULL when memory
 * ran out. */
ccpa *ccpa_new(const ccpa_plan *pl);
void ccpa_free(ccpa *a);
/* Replication rep: values[0] the baseline's, values[1 + i] scenario i's
 * (each L->n * ndates of its layout, series-major). 0, or -1 when memory
 * ran out or a value was out of the accumulators' range. */
int ccpa_add(ccpa *a, int rep, const double *const *values);
/* nb replications at once: rep[b]'s values are values[b * (1 + nscen) ..],
 * as ccpa_add's. The same accumulators as nb calls of ccpa_add in order,
 * in fewer passes over their memory. 0 or -1 as ccpa_add. */
int ccpa_add_batch(ccpa *a, const int *rep, const double *const *values, int nb);
/* dst += src (of one plan). 0, or -1 when memory ran out. */
int ccpa_merge(ccpa *dst, const ccpa *src);
/* Packed form (MPI): append a, 0 or -1; merge a packed ccpa of the same
 * plan, 0 or -1 (malformed, or no memory). */
int ccpa_pack(const ccpa *a, unsigned char **buf, size_t *len, size_t *cap);
int ccpa_unpack_merge(ccpa *dst, const unsigned char *buf, size_t len);
/* The hooks that make a paired run (cce_run_arms) feed accumulators of pl. */
void ccpa_derive(const ccpa_plan *pl, cce_derive *d);

/* comparison.csv's rows of scenario i (header: output.h cco_cmp_header):
 * each compared series at each date, then spend and gap cost by financial
 * year and spend cumulative. 0, or -1 when memory ran out (a write error
 * shows at the file's close). */
int ccpa_write_comparison(FILE *f, const ccpa *a, int i);
/* The variance split accumulators of scenario i's differences, as
 * runstats.h's of a run's levels: stock v (CCRS_VAR_*) at anniversary
 * anniv (1: the first), spend/total in financial year y (0: the first);
 * NULL when either run lacks the series. */
const ccan *ccpa_var_stock(const ccpa *a, int i, int v, int anniv);
const ccan *ccpa_var_spend(const ccpa *a, int i, int y);
/* Scenario i's business case (free with ccb_free); NULL when the plan has
 * none or memory ran out. */
ccb_case *ccpa_case(const ccpa *a, int i);
/* 1 when the plan has a business case for its scenarios. */
int ccpa_has_case(const ccpa_plan *pl);

/* comparison.csv's rows of run s against run b from their kept values
 * (cce_result.data: region runs, the workbench), through the same
 * accumulators. 0, or -1 when memory ran out. */
int ccpa_write_kept(FILE *f, const cce_result *b, const cce_result *s);

#endif
