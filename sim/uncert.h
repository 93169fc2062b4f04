/* uncert: the uncertainty of a council's parameters and its per-replication
 * draws. A config's top-level list `uncertainty_of` attaches to a setting the
 * config has read either a fit (events and exposure for a rate, counts for a
 * share or a mix) or an interval its author states (range90 for one number,
 * factor90 for a rate or multiplier, or a group of them). ccu_read resolves
 * each path to the fields of the frozen parameters it feeds and rejects paths
 * that name nothing it can draw. A ccu_work, one per thread, holds working
 * copies of a run's parameter phases and refills them for each replication
 * from a random stream of its own (master seed, draw index), so a draw is the
 * same whatever the thread and the same in a baseline and its scenarios.
 * The optional top-level group `drift` adds year-on-year drift: each
 * replication's rates follow a random walk over the forecast years (log
 * scale for entries by cohort, exits by route and moves; logit scale for
 * the staying-put share), drawn from the same stream, with an optional step
 * a year every family shares (drift.shared: signed loadings, a common
 * shock). initial.history.in_care / in_placement draw the start-date
 * children's time scale (factor90). */
#ifndef UNCERT_H
#define UNCERT_H

#include <stdint.h>
#include <stdio.h>
#include <libconfig.h>

#include "cfgread.h"

struct cc_params;

/* The drift walks, in the order of cc_params.drift's rows: entries by
 * cohort, exits by route, moves, staying put at 18 (a logit shift; the
 * others are multipliers). */
enum { CCU_DR_ENTRY = 0, CCU_DR_EXIT = 5, CCU_DR_MOVE = 10, CCU_DR_STAYPUT = 11, CCU_NDRIFT = 12 };
/* The drift families a config states a size for (drift.entries etc.). */
enum { CCU_DF_ENTRIES, CCU_DF_EXITS, CCU_DF_MOVES, CCU_DF_STAYPUT, CCU_NDF };
typedef struct ccu_spec ccu_spec;
typedef struct ccu_work ccu_work;

/* Read `uncertainty_of` (optional) from root into p->unc, after every other
 * setting of p has been read. Problems go to r's diag list. */
void ccu_read(ccc_reader *r, config_setting_t *root, struct cc_params *p);
void ccu_free(ccu_spec *u);
/* Number of settings that carry uncertainty (0 for NULL); a drift group
 * with a size above 0 counts as one. */
int ccu_count(const ccu_spec *u);
/* Number of uncertainty_of entries alone (ccu_setting, ccu_work_quantiles), drift left out. */
int ccu_nitems(const ccu_spec *u);
/* Replications that share one draw: the config's uncertainty_group, or 0
 * when it does not say (the caller's default then holds). */
int ccu_group(const ccu_spec *u);
/* The drift sizes (sd a year of the walk's steps) for the CCU_NDF
 * families; NULL when the config states none. */
const double *ccu_drift(const ccu_spec *u);
/* For check: how many numeric inputs carry uncertainty and how many do not,
 * by section, and the list of those that do. */
void ccu_report(const struct cc_params *p, FILE *out);

/* Working copies of phases[0..n-1] (phases[0] carries the spec), for runs
 * of `years` forecast years (the drift walks' length). NULL when memory is
 * short. */
ccu_work *ccu_work_new(const struct cc_params *const *phases, int n, int years);
void ccu_work_free(ccu_work *w);
/* Draw the parameters for draw index `draw` of master seed `seed` into the
 * working copies and return them (phases[0] first). They stay valid until
 * the next call or ccu_work_free. Returns NULL when memory is short. */
const struct cc_params *const *ccu_work_draw(ccu_work *w, uint64_t seed, uint64_t draw);
/* Sensitivity: set each setting i with 0 < q[i] < 1 to quantile q[i] of
 * its uncertainty (a mix along its largest share), and leave the others
 * (q[i] outside (0, 1), e.g. NaN) at the config's values. q holds
 * ccu_nitems() numbers. As ccu_work_draw otherwise. */
const struct cc_params *const *ccu_work_quantiles(ccu_work *w, const double *q);
/* The setting of entry i (0 .. ccu_nitems() - 1) as uncertainty_of names
 * it; NULL when out of range. Lives as long as u. */
const char *ccu_setting(const ccu_spec *u, int i);

#endif
