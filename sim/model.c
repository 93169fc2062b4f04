/* model: names and boundaries of the model's fixed categories. */
#include "model.h"

#include <math.h>

const int ccm_cohort_lo[CCM_NCOHORT + 1] = {0, 4, 7, 12, 16, 18};
const char *const ccm_cohort_key[CCM_NCOHORT] = {"age_0_3", "age_4_6", "age_7_11", "age_12_15", "age_16_17"};
const char *const ccm_cohort_label[CCM_NCOHORT] = {"0-3", "4-6", "7-11", "12-15", "16-17"};
const char *const ccm_ptype_name[CCM_NPT] = {"kinship", "foster", "residential", "semi_independent",
                                             "secure", "with_parents", "adoption", "other"};
const char *const ccm_route_name[CCM_NROUTE] = {"return_home", "adoption", "sgo", "cao", "other"};
const char *const ccm_need_name[CCM_NNEED] = {"uasc", "disabled", "complex"};
const char *const ccm_dest_name[CCM_NDEST] = {"staying_put", "supported", "independent"};
const char *const ccm_dist_name[3] = {"exponential", "weibull", "lognormal"};

int ccm_cohort_of_years(int years)
{
    for (int c = CCM_NCOHORT - 1; c >= 0; c--)
        if (years >= ccm_cohort_lo[c])
            return years < ccm_cohort_lo[CCM_NCOHORT] ? c : -1;
    return 0;
}

void ccm_apportion(const double *w, int n, int total, int *out)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += w[i];
    int given = 0;
    for (int i = 0; i < n; i++) {
        out[i] = sum > 0 ? (int)floor(w[i] / sum * total) : 0;
        given += out[i];
    }
    while (given < total && sum > 0) {
        int best = -1;
        double bf = -1;
        for (int i = 0; i < n; i++) {
            double f = w[i] / sum * total - out[i];
            if (w[i] > 0 && f > bf) {
                bf = f;
                best = i;
            }
        }
        out[best]++;
        given++;
    }
}
