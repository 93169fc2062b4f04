/* test_dfecount: the engine's back-test counts (metrics.h, CCX_DFE_*) against
 * known mathematics.
 * 1. 3+ placements: N children in foster care from 31 March, no exits, moves
 *    at rate mu a year. In an April-March year a child has 1 + Poisson(mu t)
 *    placements by time t, so the share with 3 or more by 30 September is
 *    1 - e^-m (1 + m) with m = mu/2, and by 31 March with m = mu; the count
 *    starts again each 1 April (checked in the second year).
 * 2. Starts by age: entries to the 12-15 cohort are all "10 to 15"; entries
 *    to 0-3 (uniform birth dates over the cohort) are "under 1" a quarter of
 *    the time, and the bands add up to all entries.
 * 3. Staying put at 18: every child in foster care at 18 is eligible, none
 *    in residential care; the share staying put is the config's.
 * And a plain run (cce_run) has no back-test series. */
#include <math.h>

#include "check.h"
#include "experiment.h"
#include "testcfg.h"

#define Z5 "{ age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }"
#define ONE "{ age_0_3 = [1.0]; age_4_6 = [1.0]; age_7_11 = [1.0]; age_12_15 = [1.0]; age_16_17 = [1.0]; }"

/* A one-district config from 31 March 2020: initial children (count and
 * placement mix fragments), entries (rate fragment), foster moves at `mu`. */
static cc_params *config(const char *count, const char *mix, const char *entries, double mu, int ageing)
{
    char text[16384];
    snprintf(text, sizeof text,
             "name = \"counts\"; start_date = \"2020-03-31\"; districts = [\"A\"]; ageing = %s;\n"
             "initial = { count = %s;\n  district_mix = " ONE ";\n"
             "  placement_mix = { age_0_3 = { foster = 1.0; }; age_4_6 = { foster = 1.0; }; age_7_11 = { foster = 1.0; };\n"
             "    age_12_15 = { foster = 1.0; }; age_16_17 = %s; };\n"
             "  needs = { uasc = " Z5 "; disabled = " Z5 "; complex = " Z5 "; }; };\n"
             "entries = { rate = %s;\n"
             "  placement_mix = { age_0_3 = { foster = 1.0; }; age_4_6 = { foster = 1.0; }; age_7_11 = { foster = 1.0; };\n"
             "    age_12_15 = { foster = 1.0; }; age_16_17 = { foster = 1.0; }; };\n"
             "  needs = { uasc = " Z5 "; disabled = " Z5 "; complex = " Z5 "; }; };\n"
             "exits = { return_home = { rate = " Z5 "; }; adoption = { rate = " Z5 "; }; sgo = { rate = " Z5 "; };\n"
             "  cao = { rate = " Z5 "; }; other = { rate = " Z5 "; }; };\n"
             "moves = { rate = { kinship = " Z5 ";\n"
             "  foster = { age_0_3 = %g; age_4_6 = %g; age_7_11 = %g; age_12_15 = %g; age_16_17 = 0.0; };\n"
             "  residential = " Z5 "; semi_independent = " Z5 "; secure = " Z5 "; with_parents = " Z5 ";\n"
             "  adoption = " Z5 "; other = " Z5 "; }; };\n"
             "transitions = { semi_independent = { at_16 = { }; rate = { }; };\n"
             "  leaving_care = { foster = { staying_put = 0.6; independent = 0.4; };\n"
             "    default = { independent = 1.0; }; }; };\n",
             ageing ? "true" : "false", count, mix, entries, mu, mu, mu, mu);
    return testcfg_load(text);
}

static void three_placements(void)
{
    enum { N = 400, REPS = 200 };
    const double mu = 1.2;
    cc_params *p = config("{ age_0_3 = 0; age_4_6 = 0; age_7_11 = 0; age_12_15 = 400; age_16_17 = 0; }",
                          "{ foster = 1.0; }", "{ age_0_3 = [0.0]; age_4_6 = [0.0]; age_7_11 = [0.0]; age_12_15 = [0.0]; age_16_17 = [0.0]; }",
                          mu, 0);
    CHECK(p != NULL, "config");
    if (!p)
        return;
    cce_opts o = {REPS, 2, 2, 11, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run_dfe(p, &o, NULL, NULL, &r, err) == 0, "run");
    if (!r) {
        ccp_free(p);
        return;
    }
    int j = r->L->dfe + CCX_DFE_PL3;
    /* snapshots: 0 = 31 March 2020, 6 = 30 September, 12 = 31 March 2021, 18, 24 */
    static const int at[] = {6, 12, 18, 24};
    for (int q = 0; q < 4; q++) {
        double t = (at[q] % 12 ? 0.5 : 1.0) * mu; /* expected moves since 1 April */
        double share = 1 - exp(-t) * (1 + t);
        double s = 0;
        for (int i = 0; i < REPS; i++)
            s += cce_value(r, i, j, at[q]);
        double mean = s / REPS, want = N * share, se = sqrt(N * share * (1 - share) / REPS);
        CHECK(fabs(mean - want) < 4 * se, "snapshot %d: %.2f children with 3+ placements, expected %.2f +- %.2f",
              at[q], mean, want, 4 * se);
    }
    double s0 = 0;
    for (int i = 0; i < REPS; i++)
        s0 += cce_value(r, i, j, 0);
    CHECK(s0 == 0, "none at the start: %g", s0);
    cce_free(r);
    /* a plain run has no back-test series */
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0 && r->L->dfe == -1, "plain run: no DfE series");
    cce_free(r);
    ccp_free(p);
}

static void starts_by_age(void)
{
    enum { REPS = 100 };
    cc_params *p = config("{ age_0_3 = 0; age_4_6 = 0; age_7_11 = 0; age_12_15 = 0; age_16_17 = 0; }",
                          "{ foster = 1.0; }", "{ age_0_3 = [200.0]; age_4_6 = [0.0]; age_7_11 = [0.0]; age_12_15 = [100.0]; age_16_17 = [0.0]; }",
                          0, 0);
    CHECK(p != NULL, "config");
    if (!p)
        return;
    cce_opts o = {REPS, 1, 2, 12, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run_dfe(p, &o, NULL, NULL, &r, err) == 0, "run");
    if (!r) {
        ccp_free(p);
        return;
    }
    const ccx_layout *L = r->L;
    double band[5] = {0}, all = 0, young = 0, mismatch = 0;
    for (int i = 0; i < REPS; i++)
        for (int k = 1; k < r->ndates; k++) {
            double s = 0;
            for (int b = 0; b < 5; b++) {
                band[b] += cce_value(r, i, L->dfe + b, k);
                s += cce_value(r, i, L->dfe + b, k);
            }
            all += cce_value(r, i, L->ent_all, k);
            young += cce_value(r, i, L->ent_cohort + 0, k);
            mismatch += fabs(s - cce_value(r, i, L->ent_all, k));
        }
    CHECK(mismatch == 0, "the bands add up to all entries each month (off by %g)", mismatch);
    CHECK(band[CCX_DFE_10_15] == all - young, "12-15 entries are all 10 to 15: %g of %g", band[CCX_DFE_10_15],
          all - young);
    CHECK(band[CCX_DFE_5_9] == 0 && band[CCX_DFE_16] == 0, "no 5-9 or 16+ entries: %g, %g", band[CCX_DFE_5_9],
          band[CCX_DFE_16]);
    /* under 1: a quarter of the 0-3 entries (binomial standard error) */
    double share = band[CCX_DFE_U1] / young, se = sqrt(0.25 * 0.75 / young);
    CHECK(fabs(share - 0.25) < 4 * se, "under 1: %.4f of 0-3 entries, expected 0.25 +- %.4f", share, 4 * se);
    CHECK(band[CCX_DFE_U1] + band[CCX_DFE_1_4] == young, "0-3 entries are under 1 or 1 to 4");
    cce_free(r);
    ccp_free(p);
}

static void staying_put(void)
{
    enum { N = 300, REPS = 100 };
    cc_params *p = config("{ age_0_3 = 0; age_4_6 = 0; age_7_11 = 0; age_12_15 = 0; age_16_17 = 300; }",
                          "{ foster = 0.5; residential = 0.5; }",
                          "{ age_0_3 = [0.0]; age_4_6 = [0.0]; age_7_11 = [0.0]; age_12_15 = [0.0]; age_16_17 = [0.0]; }", 0, 1);
    CHECK(p != NULL, "config");
    if (!p)
        return;
    cce_opts o = {REPS, 3, 2, 13, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run_dfe(p, &o, NULL, NULL, &r, err) == 0, "run");
    if (!r) {
        ccp_free(p);
        return;
    }
    double elig = 0, yes = 0, ok = 1;
    for (int i = 0; i < REPS; i++) {
        double e = 0;
        for (int k = 1; k < r->ndates; k++) {
            e += cce_value(r, i, r->L->dfe + CCX_DFE_SP_ELIG, k);
            yes += cce_value(r, i, r->L->dfe + CCX_DFE_SP_YES, k);
        }
        ok = ok && e == N / 2; /* every foster child reaches 18 within 2 years, no residential one counts */
        elig += e;
    }
    CHECK(ok, "eligible: the %d children in foster care at 18, not those in residential care", N / 2);
    double share = yes / elig, se = sqrt(0.6 * 0.4 / elig);
    CHECK(fabs(share - 0.6) < 4 * se, "staying put %.4f, expected 0.6 +- %.4f", share, 4 * se);
    cce_free(r);
    ccp_free(p);
}

int main(void)
{
    three_placements();
    starts_by_age();
    staying_put();
    return check_done("test_dfecount");
}
