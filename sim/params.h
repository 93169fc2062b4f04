/* params: the frozen model parameters of one council (a baseline config).
 * ccp_load parses a libconfig file, validates all of it (collecting every
 * error as "file:line: setting: what is wrong (expected ...)"), and returns
 * an immutable parameter set shared read-only by every replication thread. */
#ifndef PARAMS_H
#define PARAMS_H

#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_randist.h>

#include "diag.h"
#include "model.h"
#include "supply.h"
#include "costs.h"

enum { CCP_MAXSPAN = 5,   /* years of age in the widest cohort (7-11) */
       CCP_MAXQ = 101 };   /* quantile points of a stated history (percentiles) */

typedef struct {
    int family;   /* ccm_dist_family */
    double shape; /* Weibull shape k, or lognormal sigma; unused for exponential */
} cc_dist;

typedef struct cc_params {
    char *path;          /* config file as given */
    char *name;          /* council name */
    char *scenario;      /* label in the scenario column ("baseline") */
    uint64_t file_hash;  /* FNV-1a 64 of the config file's bytes */
    int32_t start_day;   /* day number of the start date (a snapshot date) */
    int ageing;          /* 0: children keep their entry cohort (test configs) */
    int nd;              /* number of districts */
    char **district;     /* district names, nd of them */

    /* initial population at the start date */
    int init_count[CCM_NCOHORT];
    double *init_district;                /* [cohort * nd + district], shares */
    double init_ptype[CCM_NCOHORT][CCM_NPT];
    double init_need[CCM_NNEED][CCM_NCOHORT];
    double resi_against_plan;             /* share of residential whose plan says foster */

    /* entries to care */
    double *entry_rate;                   /* [cohort * nd + district], children a year */
    double entry_trend;                   /* proportional change a year */
    double entry_keep[CCM_NCOHORT];       /* share of entries that happen (scenario levers; 1 in a config) */
    double entry_ptype[CCM_NCOHORT][CCM_NPT];
    double entry_need[CCM_NNEED][CCM_NCOHORT];
    /* entrants' age within their cohort: cumulative weights of each single
     * year of age (age_cdf[c][j], j < span of cohort c; the last is 1) */
    double entry_age_cdf[CCM_NCOHORT][CCP_MAXSPAN];
    int entry_age_even[CCM_NCOHORT];      /* 1: even over the band (no profile given) */

    /* hazards, a year */
    double exit_rate[CCM_NROUTE][CCM_NCOHORT];
    cc_dist exit_dist[CCM_NROUTE];
    double move_rate[CCM_NPT][CCM_NCOHORT];
    cc_dist move_dist;
    double escalate[CCM_NCOHORT];         /* share of foster moves that end in a residential need */
    double type_exit_mult[CCM_NROUTE][CCM_NPT]; /* exit multipliers by placement type */
    double need_exit_mult[CCM_NNEED][CCM_NROUTE];
    double need_move_mult[CCM_NNEED];
    double move_frailty_var;              /* variance of each child's Gamma(mean 1) move-hazard
                                           * multiplier; 0: no frailty */

    /* history of the start-date children: elapsed days in care and in the
     * current placement, as hist_n[c] quantiles at probabilities 0, 1/(n-1),
     * ..., 1 (drawn by linear interpolation); hist_n[c] == 0: no history */
    int hist_n[CCM_NCOHORT];
    int hist_indep;                       /* 1: time in placement drawn apart from time in care
                                           * (then capped by it); 0: one draw for both */
    double hist_care[CCM_NCOHORT][CCP_MAXQ];
    double hist_place[CCM_NCOHORT][CCP_MAXQ];

    /* transitions */
    double semi_at16[CCM_NPT];            /* share moving to semi-independent at 16 */
    double semi_rate[CCM_NPT];            /* hazard a year of that move at 16-17 */
    double leave18[CCM_NPT][CCM_NDEST];   /* destinations at 18 by placement type */

    /* supply: places, fostering pool, matching (supply.enabled == 0: none) */
    csu_params supply;
    /* money (costs.enabled == 0: no spend outputs) */
    cct_params costs;

    /* parameter uncertainty (uncert.h): the switch (1 on, 0 off, -1 not
     * given: on when unc has settings) and what uncertainty_of attaches */
    int uncertainty;
    struct ccu_spec *unc;
    /* year-on-year drift of the rates (uncert.h), set only on a drawn
     * replication's working copies: drift[y * CCU_NDRIFT + j] for forecast
     * year y (0: the first year after the start date), drift_years of them;
     * NULL: none */
    const double *drift;
    int drift_years;

    /* derived at load */
    int init_by_type[CCM_NCOHORT][CCM_NPT];     /* start-date children by cohort and type */
    double entry_total;                   /* sum of entry_rate */
    gsl_ran_discrete_t *entry_cell;       /* picks cohort*nd+district; NULL if no entries */
    gsl_ran_discrete_t *entry_pt[CCM_NCOHORT];
    double exit_scale[CCM_NROUTE][CCM_NCOHORT]; /* Weibull scale or lognormal mu, days */
    double move_scale[CCM_NPT][CCM_NCOHORT];
} cc_params;

enum { CCP_OK = 0, CCP_EINVALID = 3, CCP_EIO = 4 };

/* Load and validate `path`. On success *out owns a frozen parameter set (free
 * with ccp_free) and CCP_OK is returned. Otherwise every problem found is in
 * diag, *out is NULL, and the result is CCP_EINVALID or CCP_EIO. */
int ccp_load(const char *path, cc_diag *diag, cc_params **out);
void ccp_free(cc_params *p);
/* Check `path` as ccp_load does and, when it is valid, print it to f as a
 * config with its includes expanded and every default it used written out
 * (a config that loads to the same parameters). Returns as ccp_load. */
int ccp_print_resolved(const char *path, cc_diag *diag, FILE *f);
/* Write the config as resolved (includes expanded) to `path`. 0 or -1. */
int ccp_write_resolved(const char *config_path, const char *path);
/* Recompute the derived tables after a change to the parameters (scenario
 * levers). */
void ccp_rederive(cc_params *p);
/* Index of a district by name, or -1. */
int ccp_district(const cc_params *p, const char *name);

#endif
