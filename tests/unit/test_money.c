/* test_money: spend against hand arithmetic.
 * 1. A deterministic population (N children who never leave, in an
 *    unlimited external foster tier at P a week; K fostering households at
 *    a fee of F a week, none recruited or resigning): spend by month and by
 *    financial year equals N * P / 7 * days and K * F / 7 * days exactly.
 * 2. Block beds cost the same whether they are full or empty.
 * 3. Inflation compounds by financial year: FY k costs (1 + i)^k times the
 *    price-year amount for the same days; one-off costs are inflated to the
 *    year they fall in. */
#include <math.h>

#include "check.h"
#include "experiment.h"
#include "testcfg.h"

static int series(const cce_result *r, const char *metric, const char *group)
{
    for (int j = 0; j < r->L->n; j++)
        if (strcmp(r->L->metric[j], metric) == 0 && strcmp(r->L->group[j], group) == 0)
            return j;
    return -1;
}

static const char zero5[] = "{ age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }";

/* N children aged 12-15 needing `type`, placed by the supply text given. */
static cc_params *config(int n, const char *type, const char *supply)
{
    static char text[32768];
    char mix[512];
    snprintf(mix, sizeof mix,
             "{ age_0_3 = { %s = 1.0; }; age_4_6 = { %s = 1.0; }; age_7_11 = { %s = 1.0; }; age_12_15 = { %s = 1.0; }; "
             "age_16_17 = { %s = 1.0; }; }",
             type, type, type, type, type);
    snprintf(text, sizeof text,
             "name = \"money\"; start_date = \"2021-03-31\"; districts = [\"A\"]; ageing = false;\n"
             "initial = { count = { age_0_3 = 0; age_4_6 = 0; age_7_11 = 0; age_12_15 = %d; age_16_17 = 0; };\n"
             "  district_mix = { age_0_3 = [1.0]; age_4_6 = [1.0]; age_7_11 = [1.0]; age_12_15 = [1.0]; age_16_17 = [1.0]; };\n"
             "  placement_mix = %s; needs = { uasc = %s; disabled = %s; complex = %s; }; };\n"
             "entries = { rate = { age_0_3 = [0.0]; age_4_6 = [0.0]; age_7_11 = [0.0]; age_12_15 = [0.0]; age_16_17 = [0.0]; };\n"
             "  placement_mix = %s; needs = { uasc = %s; disabled = %s; complex = %s; }; };\n"
             "exits = { return_home = { rate = %s; }; adoption = { rate = %s; }; sgo = { rate = %s; };\n"
             "  cao = { rate = %s; }; other = { rate = %s; }; };\n"
             "moves = { rate = { kinship = %s; foster = %s; residential = %s; semi_independent = %s; secure = %s;\n"
             "  with_parents = %s; adoption = %s; other = %s; }; };\n"
             "transitions = { semi_independent = { at_16 = { }; rate = { }; };\n"
             "  leaving_care = { default = { independent = 1.0; }; }; };\n%s",
             n, mix, zero5, zero5, zero5, mix, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, zero5, supply);
    return testcfg_load(text);
}

static const char tiers[] =
    "  { name = \"IFA\"; type = \"foster\"; location = \"d2n2\"; unlimited = true; price_week = 700.0; start_rest = true; },\n"
    "  { name = \"Block\"; type = \"residential\"; location = \"d2n2\"; capacity = 4; contract = \"block\"; price_week = 3500.0; start = %d; },\n"
    "  { name = \"Spot\"; type = \"residential\"; location = \"outside\"; unlimited = true; price_week = 5000.0; start_rest = true; },\n"
    "  { name = \"S\"; type = \"semi_independent\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"X\"; type = \"secure\"; location = \"outside\"; unlimited = true; } ); };\n"
    "matching = { foster = [\"inhouse_foster\", \"IFA\"]; residential = [\"Block\", \"Spot\"];\n"
    "  semi_independent = [\"S\"]; secure = [\"X\"]; };\n"
    "costs = { price_year = 2021; foster_fee_week = 210.0; foster_allowance_week = 350.0;\n"
    "  inflation = { default = %g; };\n"
    "  one_off = ( { name = \"x\"; date = \"2022-06-15\"; amount = 1000.0; } ); };\n";

static cce_result *run(cc_params *p, int years)
{
    cce_opts o = {2, years, 1, 5, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0, "run");
    return r;
}

static double month(const cce_result *r, const char *m, const char *g, int k)
{
    int j = series(r, m, g);
    return j < 0 ? NAN : cce_value(r, 0, j, k);
}

/* sum of months whose month end falls in financial year fy */
static double fy_sum(const cce_result *r, const char *m, const char *g, int fy)
{
    double s = 0;
    for (int k = 1; k < r->ndates; k++)
        if (cct_fy(r->dates[k]) == fy)
            s += month(r, m, g, k);
    return s;
}

static int near(double a, double b) { return fabs(a - b) <= 1e-9 * fabs(b) + 1e-6; }

int main(void)
{
    char supply[8192], tt[4096];
    /* 1. 6 children in IFA at 700 a week; 5 households x 1 slot at 210 a week, no children */
    snprintf(tt, sizeof tt, tiers, 0, 0.0);
    snprintf(supply, sizeof supply,
             "supply = { fostering = { households = 5; approvals = 0.0; resignation = 0.0; };\n  external = (\n%s", tt);
    cc_params *p = config(6, "foster", supply);
    CHECK(p != NULL, "config 1");
    if (p) {
        cce_result *r = run(p, 2);
        /* April 2021 (month 1): 30 days; FY 2021-22: 365 days */
        CHECK(near(month(r, "spend", "ifa", 1), 6 * 700.0 / 7 * 30), "April IFA spend %.6f = 6 x 700/7 x 30",
              month(r, "spend", "ifa", 1));
        CHECK(near(fy_sum(r, "spend", "ifa", 2021), 6 * 700.0 / 7 * 365), "FY 2021-22 IFA spend %.4f",
              fy_sum(r, "spend", "ifa", 2021));
        CHECK(near(fy_sum(r, "spend", "foster_fees", 2021), 5 * 210.0 / 7 * 365), "FY 2021-22 fees %.4f",
              fy_sum(r, "spend", "foster_fees", 2021));
        CHECK(near(fy_sum(r, "spend", "foster_allowances", 2021), 0), "no in-house children: no allowances");
        CHECK(near(fy_sum(r, "child_weeks", "foster", 2021), 6 * 365.0 / 7), "child-weeks %.4f",
              fy_sum(r, "child_weeks", "foster", 2021));
        CHECK(near(fy_sum(r, "spend", "total", 2021),
                   6 * 700.0 / 7 * 365 + 5 * 210.0 / 7 * 365 + 4 * 3500.0 / 7 * 365),
              "FY total = IFA + fees + 4 empty block beds");
        CHECK(near(fy_sum(r, "spend", "one_off", 2022), 1000), "one-off in FY 2022-23 (no inflation)");
        cce_free(r);
        ccp_free(p);
    }
    /* 2. block beds: 4 children in them, or none (all at the spot tier) */
    double block[2], spot[2];
    for (int full = 0; full < 2; full++) {
        snprintf(tt, sizeof tt, tiers, full ? 4 : 0, 0.0);
        snprintf(supply, sizeof supply, "supply = { fostering = { households = 0; approvals = 0.0; resignation = 0.0; };\n  external = (\n%s", tt);
        p = config(4, "residential", supply);
        CHECK(p != NULL, "config 2");
        if (!p)
            continue;
        cce_result *r = run(p, 1);
        block[full] = fy_sum(r, "spend", "block_contracts", 2021);
        spot[full] = fy_sum(r, "spend", "residential_external", 2021);
        cce_free(r);
        ccp_free(p);
    }
    CHECK(near(block[0], block[1]) && near(block[0], 4 * 3500.0 / 7 * 365), "block beds cost %.2f empty, %.2f full",
          block[0], block[1]);
    CHECK(near(spot[0], 4 * 5000.0 / 7 * 365) && near(spot[1], 0), "spot %.2f when the block is empty, %.2f when full",
          spot[0], spot[1]);
    /* 3. inflation 5% a year compounds by financial year */
    snprintf(tt, sizeof tt, tiers, 0, 0.05);
    snprintf(supply, sizeof supply, "supply = { fostering = { households = 0; approvals = 0.0; resignation = 0.0; };\n  external = (\n%s", tt);
    p = config(6, "foster", supply);
    CHECK(p != NULL, "config 3");
    if (p) {
        cce_result *r = run(p, 3);
        double base = 6 * 700.0 / 7;
        CHECK(near(fy_sum(r, "spend", "ifa", 2021), base * 365), "FY 2021-22 at price-year prices");
        CHECK(near(fy_sum(r, "spend", "ifa", 2022), base * 365 * 1.05), "FY 2022-23 x 1.05: %.4f",
              fy_sum(r, "spend", "ifa", 2022));
        CHECK(near(fy_sum(r, "spend", "ifa", 2023), base * 366 * 1.05 * 1.05), "FY 2023-24 (366 days) x 1.05^2: %.4f",
              fy_sum(r, "spend", "ifa", 2023));
        CHECK(near(fy_sum(r, "spend", "one_off", 2022), 1050), "one-off inflated to its year: %.4f",
              fy_sum(r, "spend", "one_off", 2022));
        cce_free(r);
        ccp_free(p);
    }
    return check_done("test_money");
}
