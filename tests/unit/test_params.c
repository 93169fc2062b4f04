/* test_params: the bundled baseline loads and is frozen as configured; a bad
 * config collects every error rather than the first. (The exact messages
 * users see are tested by tests/cli/test_errors.sh.) */
#include "check.h"
#include "ccdate.h"
#include "testcfg.h"

int main(void)
{
    char path[4096];
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    int rc = ccp_load(testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path), d, &p);
    ccg_print(d, stderr, "baseline");
    CHECK(rc == CCP_OK && p, "baseline loads");
    if (p) {
        const int counts[CCM_NCOHORT] = {146, 83, 176, 292, 256};
        int total = 0;
        for (int c = 0; c < CCM_NCOHORT; c++) {
            CHECK(p->init_count[c] == counts[c], "cohort %d count %d", c, p->init_count[c]);
            total += p->init_count[c];
        }
        CHECK(total == 953, "953 children at the start (DOMAIN.md), got %d", total);
        CHECK(p->start_day == ccd_from_ymd(2022, 7, 31), "start date");
        CHECK(p->nd == 8 && ccp_district(p, "Mansfield") == 4 && ccp_district(p, "Other LA") == 7, "districts");
        CHECK(ccp_district(p, "Nowhere") == -1, "unknown district");
        for (int c = 0; c < CCM_NCOHORT; c++) {
            double s = 0, t = 0;
            for (int i = 0; i < p->nd; i++)
                s += p->init_district[c * p->nd + i];
            for (int k = 0; k < CCM_NPT; k++)
                t += p->init_ptype[c][k];
            CHECK_NEAR(s, 1.0, 1e-12, "district shares normalised");
            CHECK_NEAR(t, 1.0, 1e-12, "placement shares normalised");
        }
        CHECK_NEAR(p->resi_against_plan, 0.239, 1e-12, "39 of 163 against plan");
        CHECK(p->entry_cell != NULL && p->entry_total > 300, "entry rates");
        CHECK(p->need_exit_mult[CCM_UASC][CCM_RETURN_HOME] == 0.0, "UASC do not return home");
        CHECK(p->need_exit_mult[CCM_UASC][CCM_EXIT_OTHER] == 1.0, "unset multipliers default to 1");
        /* from config/nottinghamshire-fit/leaving-care-foster.inc, @included inside a group */
        CHECK_NEAR(p->leave18[CCM_FOSTER][CCM_STAYING_PUT], 0.754, 1e-12, "staying put from foster care");
        CHECK_NEAR(p->leave18[CCM_SECURE][CCM_SUPPORTED], 0.55, 1e-12, "default 18+ destinations");
        ccp_free(p);
    }
    ccg_free(d);

    /* Three independent mistakes: all three are reported. */
    d = ccg_new();
    cc_params *m = testcfg_mminf(10, 0.5, "");
    CHECK(m != NULL, "the M/M/inf test config is valid");
    ccp_free(m);
    m = testcfg_mminf(-1, 0.5, "distribution = \"gamma\";");
    CHECK(m == NULL, "negative rate and unknown distribution are rejected");
    ccg_free(d);
    return check_done("test_params");
}
