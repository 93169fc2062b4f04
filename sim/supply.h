/* supply: the places a council can use, as configured: council children's
 * homes, the in-house fostering pool, external tiers (IFAs, residential by
 * block contract, framework or spot purchase, semi-independent provision,
 * secure), and the matching preference lists that say, for each needed
 * placement type and cohort, which of them to try and in what order.
 *
 * Every home, the fostering pool and every external tier is a "provider"
 * with one index. csu_read parses and validates the `supply` and `matching`
 * sections into a csu_params inside the frozen cc_params. */
#ifndef SUPPLY_H
#define SUPPLY_H

#include <stdint.h>

#include "cfgread.h"
#include "model.h"

enum { CSU_COUNCIL, CSU_EXTERNAL };
enum { CSU_COUNTY, CSU_D2N2, CSU_OUTSIDE, CSU_NLOC };
/* How a provider's availability is decided. */
enum {
    CSU_CAPACITY,    /* a number of places (a home's beds, a contract's places) */
    CSU_PROBABILITY, /* each search finds a place with this probability */
    CSU_UNLIMITED,   /* always a place (spot purchase, the last resort) */
    CSU_POOL         /* the in-house fostering households' free slots */
};
/* Home kinds (specialism) and who they take. */
enum {
    CSU_ANY,         /* external tiers and the fostering pool */
    CSU_MAINSTREAM,  /* any child */
    CSU_SPECIALIST,  /* learning disability and autism: disabled or complex needs */
    CSU_DISABILITY,  /* disabled children only */
    CSU_SECURE,      /* secure beds: children who need secure */
    CSU_EMERGENCY,   /* any child */
    CSU_NKIND
};
enum { CSU_BLOCK, CSU_FRAMEWORK, CSU_SPOT, CSU_CONTRACT, CSU_INHOUSE, CSU_NCONTRACT };

/* Pseudo-provider in a preference list: every council home, in config order. */
#define CSU_ALL_HOMES (-2)
enum { CSU_MAXPREF = 24, CSU_SLOTS = 3 };

extern const char *const csu_loc_name[CSU_NLOC];
extern const char *const csu_kind_name[CSU_NKIND];
extern const char *const csu_contract_name[CSU_NCONTRACT];

typedef struct {
    char *name;
    int type;         /* placement type a child placed here is in (ccm_ptype) */
    int owner;        /* CSU_COUNCIL or CSU_EXTERNAL */
    int home;         /* a council children's home */
    int loc;          /* CSU_COUNTY, CSU_D2N2 (in D2N2, outside the county), CSU_OUTSIDE */
    int avail;        /* CSU_CAPACITY ... CSU_POOL */
    int kind;         /* CSU_ANY or a home kind */
    int contract;     /* CSU_BLOCK ... */
    int capacity;     /* places (CSU_CAPACITY) */
    double probability;
    int min_age, max_age;      /* eligible ages in whole years, inclusive */
    double open_t, close_t;    /* days from the start date; -inf/+inf when not set */
    double max_days;           /* > 0: a time-limited (emergency) placement of at most this many days */
    double annual_cost;        /* council homes: fixed running cost a year */
    double price_week;         /* external: price a week */
    int start[CCM_NCOHORT];    /* children placed here at the start date, by cohort */
    int start_total;
    int start_rest;            /* takes the start-date children of its type not placed elsewhere */
} csu_provider;

typedef struct {
    int enabled;               /* a `supply` section was given */
    int n;                     /* providers */
    csu_provider *prov;
    int pool;                  /* index of the fostering pool, or -1 */
    int emergency;             /* index of the emergency foster carers, or -1 */
    /* in-house fostering */
    int households;            /* approved households at the start */
    double slots[CSU_SLOTS];   /* share of households with 1, 2, 3 slots */
    double age_limit[CCM_NCOHORT]; /* share of households taking children up to that cohort */
    double approvals;          /* households approved a year */
    double assessment_days;    /* from application to approval */
    double resignation;        /* hazard a year per household */
    int leave_when_empty;      /* a resigning household keeps its children until they move on */
    double ready_days;         /* mean days before a waiting child is ready to step down (exponential) */
    /* matching: provider indices (or CSU_ALL_HOMES) by needed type and cohort */
    int npref[CCM_NPT][CCM_NCOHORT];
    int pref[CCM_NPT][CCM_NCOHORT][CSU_MAXPREF];
    /* lists for children with a need flag (first flag in uasc, disabled,
     * complex order that has one), overriding the cohort lists; 0 = none */
    int nneedpref[CCM_NNEED][CCM_NPT];
    int needpref[CCM_NNEED][CCM_NPT][CSU_MAXPREF];
} csu_params;

/* Parse and validate `supply` and `matching` (both optional; without
 * `supply` every child is placed in the type it needs and nothing about
 * places is modelled). start_day is the config's start date. Errors go to
 * r. init_by_type[c][t] is the number of children of cohort c placed in
 * type t at the start (to check the start counts fit). */
void csu_read(ccc_reader *r, const config_setting_t *root, int32_t start_day,
              const int init_by_type[CCM_NCOHORT][CCM_NPT], csu_params *s);
void csu_free(csu_params *s);
/* Whether a child (cohort, need flags, needed type, age in years) may be
 * placed with provider i. */
int csu_eligible(const csu_provider *pv, int need_type, int flags, int age_years);

#endif
