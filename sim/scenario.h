/* scenario: a strategy scenario is a baseline config plus levers, each a
 * change from a date. Loading one gives a sequence of frozen parameter sets
 * ("phases"): phase 0 holds from the start date, phase k from phase_t[k]
 * (days after the start date). Levers that add, close or convert council
 * homes are in every phase (with their dates), so providers keep their
 * indices; every other lever is in the phases from its date on. */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "diag.h"
#include "params.h"

enum { CSN_MAXPHASE = 32 };

typedef struct {
    char *name;          /* the scenario column in outputs */
    char *description;
    char *path;          /* the scenario file */
    char *baseline;      /* the baseline config it applies to, as resolved */
    int nphase;
    cc_params *phase[CSN_MAXPHASE];
    double phase_t[CSN_MAXPHASE];
    int nlevers;
} csn_scenario;

/* Load and validate `path`; errors as for configs (file:line: setting: ...).
 * Returns CCP_OK, CCP_EINVALID or CCP_EIO; *out set on success. */
int csn_load(const char *path, cc_diag *diag, csn_scenario **out);
void csn_free(csn_scenario *s);

#endif
