/* bizcase: the business case of a scenario against its baseline, in the
 * form of HM Treasury's Green Book, from the paired differences of `compare`
 * (replication k of the scenario against replication k of the baseline).
 *
 * Conventions (docs/finance.md): the appraisal runs by financial year
 * (April-March); year 0 is the financial year of the run's first month and
 * is not discounted; every flow of year y is discounted by (1 + r)^-y (the
 * Green Book's annual convention); only the run's days count. Money is in
 * real terms, in the prices of costs.price_year: simulated spend (cash) is
 * deflated by costs.deflator a year; lever costs are stated in those prices.
 * Savings are baseline spend minus scenario spend; the net benefit of a year
 * is its savings minus its lever costs; the NPV to year y is the discounted
 * net benefit summed to y; a replication has paid back in the first year
 * whose NPV to date is above zero. A saving is cashable as far as it takes
 * the scenario's spend below the budget (the baseline's spend a month in
 * year 0, times the year's months), so money can leave the budget; the rest
 * is cost avoidance (non-cashable). A higher spend is all cash. */
#ifndef BIZCASE_H
#define BIZCASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "experiment.h"
#include "scenario.h"
#include "summary.h"

/* ---- the arithmetic (pure functions, tested against hand sums) ---- */

/* Discount factor of year y at real rate r: (1 + r)^-y. */
double ccb_discount(double r, int y);
/* Cash of financial year fy into real terms (prices of price_year) with
 * general inflation g a year: cash / (1 + g)^(fy - price_year). */
double ccb_real(double cash, double g, int fy, int price_year);
/* The NPV to each year end: cum[y] = sum over t <= y of net[t] (1 + r)^-t. */
void ccb_npv(const double *net, int nfy, double r, double *cum);
/* The first year y with cum[y] > 0, or -1 when there is none. */
int ccb_payback(const double *cum, int nfy);
/* The cashable part of a saving (both real): all of it when it is not
 * positive; else as much of it as takes the scenario's spend below the
 * budget. */
double ccb_cashable(double saving, double budget, double scenario_spend);
/* Lever costs by financial year fy0 + y (y = 0..nfy-1), in the levers'
 * prices, counted on the run's days (start + 1 to end, both day numbers;
 * costs dated earlier fall on day start + 1, later ones are left out):
 * capital and one-off costs on the lever's date, revenue pro rata to the
 * days in force over the days of the financial year. Adds to the arrays. */
void ccb_lever_costs(const csn_cost *c, int n, int32_t start, int32_t end, int fy0, int nfy, double *capital,
                     double *one_off, double *revenue);
/* The present value (year 0 = the financial year of day start + 1) of the
 * lever costs over a run from start to end at real rate r: what a lever
 * setting costs, for `seek` and any search that minimises cost. */
double ccb_cost_pv(const csn_cost *c, int n, int32_t start, int32_t end, double r);

/* ---- a scenario's business case ---- */

/* What is summarised by financial year (each across replications). */
enum {
    CCB_CAPITAL, CCB_ONE_OFF, CCB_REVENUE, CCB_LEVER_COST, /* lever costs (the same in every replication) */
    CCB_SAVINGS, CCB_CASHABLE, CCB_NON_CASHABLE,           /* placement spend saved */
    CCB_NET,                                               /* savings - lever costs */
    CCB_NPV,                                               /* discounted net benefit to the year's end */
    CCB_PAID,                                              /* 1 when paid back by the year's end */
    CCB_GAP_WEEKS,                                         /* child-weeks of capacity gap closed */
    CCB_NQ
};
extern const char *const ccb_q_metric[CCB_NQ], *const ccb_q_group[CCB_NQ];

typedef struct ccb_case ccb_case;

/* The business case of scenario run s (levers sc) against baseline run b
 * (the same seed, replications and years; b has a costs section). NULL
 * when memory ran out. Owns its summaries; b, s and sc may be freed after. */
ccb_case *ccb_compute(const cce_result *b, const cce_result *s, const csn_scenario *sc);
void ccb_free(ccb_case *c);
/* The same, replication by replication as they finish (memory flat in
 * replications): a plan of what is computed (the baseline's parameters and
 * layout Lb, the scenario's name, layout Ls and levers, the ndates snapshot
 * dates; NULL when memory ran out or the layouts have no costs), then
 * accumulators (one a worker thread) to which each replication's values of
 * both runs are added (bv, sv: L->n * ndates, series-major; 0, or -1 when
 * memory ran out or a value was out of the accumulators' range), merged in
 * any order with the same result, and a business case from them (NULL when
 * memory ran out or nothing was added). Counts (payback years, paid-back
 * flags) and the lever costs are summarised exactly; money as the run's
 * summaries are (acc.h: exact up to CCAC_DISTINCT distinct values, then
 * within CCAC_ALPHA); the cost per week of gap closed is a ratio of exact
 * sums (values in quanta of 2^-40). The plan borrows nothing and
 * must outlive its accumulators. */
typedef struct ccb_plan ccb_plan;
typedef struct ccb_acc ccb_acc;
ccb_plan *ccb_plan_new(const cc_params *base, const ccx_layout *Lb, const char *name, const ccx_layout *Ls,
                       const csn_scenario *sc, int ndates, const int32_t *dates);
void ccb_plan_free(ccb_plan *pl);
ccb_acc *ccb_acc_new(const ccb_plan *pl);
void ccb_acc_free(ccb_acc *a);
int ccb_acc_add(ccb_acc *a, const double *bv, const double *sv);
int ccb_acc_merge(ccb_acc *dst, const ccb_acc *src);
/* Packed form (MPI): append, 0 or -1; merge one packed at *pos, advancing
 * it, 0 or -1 (malformed, or no memory). */
int ccb_acc_pack(const ccb_acc *a, unsigned char **buf, size_t *len, size_t *cap);
int ccb_acc_unpack_merge(ccb_acc *dst, const unsigned char *buf, size_t len, size_t *pos);
ccb_case *ccb_acc_case(const ccb_acc *a);

/* comparison.csv's rows of the business case (header as cco_cmp_header).
 * 0, or -1 when a write failed. */
int ccb_write_rows(FILE *f, const ccb_case *c);

/* Read-only views, for the workbook. */
const char *ccb_name(const ccb_case *c);
int ccb_fy0(const ccb_case *c);
int ccb_nfy(const ccb_case *c);
int ccb_months(const ccb_case *c, int y);          /* months of year y in the run */
double ccb_rate(const ccb_case *c);                 /* the discount rate */
double ccb_deflator(const ccb_case *c);
int ccb_price_year(const ccb_case *c);
const ccy_stats *ccb_stat(const ccb_case *c, int q, int y);
const ccy_stats *ccb_payback_stats(const ccb_case *c); /* payback year; nfy for "not within the run" */
/* PV of net cost per child-week of gap closed (-mean NPV / mean weeks),
 * NAN when no gap was closed on average. */
double ccb_cost_per_gap_week(const ccb_case *c);
const csn_cost *ccb_costs(const ccb_case *c, int *n);

#endif
