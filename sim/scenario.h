/* scenario: a strategy scenario is a baseline config plus levers, each a
 * change from a date. Loading one gives a sequence of frozen parameter sets
 * ("phases"): phase 0 holds from the start date, phase k from phase_t[k]
 * (days after the start date). Levers that add, close or convert council
 * homes are in every phase (with their dates), so providers keep their
 * indices; every other lever is in the phases from its date on.
 *
 * A lever may state what it costs (capital, one-off and a yearly revenue
 * cost, in the baseline's price-year prices) and a ramp-up: months to full
 * effect. The effect then phases in as a staircase of monthly steps (the
 * step in month k of n holds (k + 1/2)/n of the change, so the effect over
 * the ramp-up averages one half, as a straight line would): each step is a
 * phase of its own. The costs are kept in csn_cost for the business case
 * (bizcase.h); they are not part of the simulated spend. */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "diag.h"
#include "params.h"

enum { CSN_MAXPHASE = 160, CSN_MAXRAMP = 120 };

/* What one lever costs (not simulated: added by the business case). */
typedef struct {
    char kind[24];      /* the lever's kind ("new_home", ...) */
    char label[64];     /* its name, home or provider when it has one, else its kind */
    int line;           /* the lever's line in the scenario file */
    double capital;     /* GBP, spent on the lever's date */
    double one_off;     /* GBP, spent on the lever's date */
    double revenue;     /* GBP a year, from the lever's date to its end */
    int32_t from_day;   /* day number of the lever's date (from, open or date) */
    int32_t to_day;     /* first day it no longer holds (`to`, `close`); INT32_MAX: none */
    int ramp_months;    /* months to full effect (0: a step) */
} csn_cost;

typedef struct {
    char *name;          /* the scenario column in outputs */
    char *description;
    char *path;          /* the scenario file */
    char *baseline;      /* the baseline config it applies to, as resolved */
    int nphase;
    cc_params *phase[CSN_MAXPHASE];
    double phase_t[CSN_MAXPHASE];
    int nlevers;
    csn_cost *cost;      /* one per lever, in file order (nlevers) */
    int has_costs;       /* some lever states a cost */
} csn_scenario;

/* Load and validate `path`; errors as for configs (file:line: setting: ...).
 * Returns CCP_OK, CCP_EINVALID or CCP_EIO; *out set on success. */
int csn_load(const char *path, cc_diag *diag, csn_scenario **out);
void csn_free(csn_scenario *s);

/* One numeric setting of one lever set to `value` over what the file says
 * (seek varies a lever this way). `lever` names the lever: its position in
 * the list from 1 ("2"), or its kind when only one lever has it
 * ("foster_recruitment"); the lever must have `setting` in the file. A
 * whole-number setting takes value rounded (seek keeps it whole). */
typedef struct {
    const char *lever;
    const char *setting;
    double value;
} csn_set;
/* csn_load with set[0..nset-1] applied first; errors in a csn_set name the
 * file, the lever's line and the setting. */
int csn_load_set(const char *path, const csn_set *set, int nset, cc_diag *diag, csn_scenario **out);

#endif
