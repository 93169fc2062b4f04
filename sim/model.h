/* model: the fixed vocabulary of the model: age cohorts, placement types,
 * exit routes, need flags and 18+ destinations, with the names used in
 * config files and in output files (part of the documented schema). */
#ifndef MODEL_H
#define MODEL_H

enum { CCM_NCOHORT = 5 };          /* 0-3, 4-6, 7-11, 12-15, 16-17 */
extern const int ccm_cohort_lo[CCM_NCOHORT + 1]; /* 0 4 7 12 16 18 (years) */

typedef enum {
    CCM_KINSHIP, CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE,
    CCM_PARENTS, CCM_ADOPTION, CCM_OTHER, CCM_NPT
} ccm_ptype;

/* Exit routes that have a hazard; leaving at 18 is a birthday, not a hazard. */
typedef enum { CCM_RETURN_HOME, CCM_ADOPTION_EXIT, CCM_SGO, CCM_CAO, CCM_EXIT_OTHER, CCM_NROUTE } ccm_route;

typedef enum { CCM_UASC, CCM_DISABLED, CCM_COMPLEX, CCM_NNEED } ccm_need;
enum { CCM_NNEEDMASK = 1 << CCM_NNEED };

typedef enum { CCM_STAYING_PUT, CCM_SUPPORTED, CCM_INDEPENDENT, CCM_NDEST } ccm_dest18;

typedef enum { CCM_DIST_EXP, CCM_DIST_WEIBULL, CCM_DIST_LOGNORMAL } ccm_dist_family;

/* Names as written in config files and outputs. */
extern const char *const ccm_cohort_key[CCM_NCOHORT];   /* age_0_3 ... (config keys) */
extern const char *const ccm_cohort_label[CCM_NCOHORT]; /* 0-3 ... (output groups) */
extern const char *const ccm_ptype_name[CCM_NPT];
extern const char *const ccm_route_name[CCM_NROUTE];
extern const char *const ccm_need_name[CCM_NNEED];
extern const char *const ccm_dest_name[CCM_NDEST];
extern const char *const ccm_dist_name[3];

/* Cohort of a child aged `age_days` days on a day whose age in whole years
 * is `years`; returns -1 at 18 or over. */
int ccm_cohort_of_years(int years);

/* Largest-remainder rounding: split `total` into n whole parts in proportion
 * to w[] (ties to the lower index). */
void ccm_apportion(const double *w, int n, int total, int *out);

#endif
