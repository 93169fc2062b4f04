/* runstats: the summaries of one run, accumulated replication by
 * replication (acc.h, anova.h) so that nothing per replication need be kept:
 * every series at every date (monthly.csv), every flow over every year
 * (annual.csv), money by financial year and unit costs per child-week
 * (annual.csv, spend.xlsx), and the variance split of the headline series
 * (variance.csv). Each replication's derived values (yearly sums, ratios)
 * are formed exactly as the writers of output.c formed them from the kept
 * values. Two runstats of the same run merge into the statistics of both
 * sets of replications, in any order, bit for bit. */
#ifndef RUNSTATS_H
#define RUNSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "acc.h"
#include "anova.h"
#include "metrics.h"

typedef struct ccrs ccrs;

/* Accumulators for layout L (borrowed: it must outlive the result) over
 * ndates snapshot dates (day numbers, borrowed), years whole years, with
 * parameter draws shared by groups of draw_group replications. NULL when
 * memory ran out. */
ccrs *ccrs_new(const ccx_layout *L, int ndates, const int32_t *dates, int years, int draw_group);
void ccrs_free(ccrs *s);
/* Add replication rep's values (L->n * ndates, series-major as ccs_run
 * writes them). 0, or -1 when memory ran out or a value is out of range. */
int ccrs_add(ccrs *s, int rep, const double *values);
/* The same for nb replications rep[b] with values[b] (faster: each
 * accumulator is visited once for the batch). The values of one draw group
 * must come one after another. */
int ccrs_add_batch(ccrs *s, const int *rep, const double *const *values, int nb);
/* dst += src (the same layout and dates). 0, or -1 when memory ran out. */
int ccrs_merge(ccrs *dst, const ccrs *src);
/* The share `part` (0 .. nparts - 1) of ccrs_merge: the parts touch
 * different accumulators, so they may run at once on different threads;
 * all of them together are ccrs_merge. */
int ccrs_merge_part(ccrs *dst, const ccrs *src, int part, int nparts);

/* Series j at date k. */
const ccac *ccrs_monthly(const ccrs *s, int j, int k);
/* Flow j summed over year y (0: the first twelve months). */
const ccac *ccrs_annual(const ccrs *s, int j, int y);
/* Financial years: the first (cct_fy of the first month end), their number
 * (0 without money series), the months of year y the run covers, money
 * series j summed over year y, and the unit cost of placement type t in
 * year y (spend / child-weeks; 0 in a replication without child-weeks). */
int ccrs_fy0(const ccrs *s);
int ccrs_nfy(const ccrs *s);
int ccrs_fy_months(const ccrs *s, int y);
const ccac *ccrs_fy(const ccrs *s, int j, int y);
const ccac *ccrs_unit(const ccrs *s, int t, int y);
/* The variance split series of vardec.h: stock v (CCRS_VAR_*) at the
 * anniversary a (1: the first), and spend/total in financial year y. */
enum { CCRS_VAR_LA, CCRS_VAR_GAP_FOSTER, CCRS_VAR_GAP_RESI, CCRS_NVAR };
int ccrs_var_series(const ccrs *s, int v); /* its series index, or -1 */
const ccan *ccrs_var_stock(const ccrs *s, int v, int a);
const ccan *ccrs_var_spend(const ccrs *s, int y);
/* The largest relative error bound of any percentile the summaries give
 * (acc.h ccac_alpha: 0 when every one is exact). */
double ccrs_alpha(const ccrs *s);

/* Packed form for MPI: ccrs_pack appends s to *buf (grown; *len, *cap
 * updated), 0 or -1; ccrs_unpack_merge merges a packed runstats of the same
 * layout into dst, 0 or -1 (malformed, or no memory). */
int ccrs_pack(const ccrs *s, unsigned char **buf, size_t *len, size_t *cap);
int ccrs_unpack_merge(ccrs *dst, const unsigned char *buf, size_t len);

#endif
