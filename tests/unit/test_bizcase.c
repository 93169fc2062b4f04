/* test_bizcase: the business case against hand arithmetic.
 * 1. Discounting, deflating, NPV to date, payback and the cashable split,
 *    each against sums written out by hand.
 * 2. Lever costs by financial year: dates before the run, after it, a
 *    revenue cost that stops (`to`), leap years, a part-year at the end.
 * 3. A scenario whose levers cost money and change nothing: every saving is
 *    0 (to rounding), and the NPV is minus the discounted costs summed by
 *    hand, at the config's own discount rate; it never pays back. Savings,
 *    cashable savings and NPV of a scenario that does change the spend,
 *    against the same sums done in the test from the replications.
 * 4. Ramp-up changes the simulated effect: the phases step up month by
 *    month, a home's beds open one at a time, and extra recruitment phased
 *    in over two years adds fewer carers by then than the same lever at
 *    once (common random numbers). */
#include <math.h>

#include "bizcase.h"
#include "ccdate.h"
#include "check.h"
#include "experiment.h"
#include "scenario.h"
#include "testcfg.h"

static int32_t day(const char *s)
{
    int32_t d = 0;
    ccd_parse(s, &d);
    return d;
}

/* A scenario file on the bundled baseline with the given levers. */
static csn_scenario *scenario(const char *name, const char *base, const char *levers)
{
    char path[] = "/tmp/carecap-biz-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "name = \"%s\";\nbaseline = \"%s\";\nlevers = (\n%s\n);\n", name, base, levers);
    fclose(f);
    cc_diag *d = ccg_new();
    csn_scenario *s = NULL;
    if (csn_load(path, d, &s) != CCP_OK)
        ccg_print(d, stderr, "scenario");
    ccg_free(d);
    unlink(path);
    CHECK(s != NULL, "scenario %s loads", name);
    return s;
}

static cce_result *run(const cc_params *p, const csn_scenario *s, int reps, int years)
{
    cce_opts o = {reps, years, 2, 11, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    if (s) {
        o.phases = (const cc_params *const *)s->phase;
        o.phase_t = s->phase_t;
        o.nphase = s->nphase;
    }
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(s ? s->phase[0] : p, &o, NULL, NULL, &r, err) == 0, "run");
    return r;
}

static int series(const cce_result *r, const char *metric, const char *group)
{
    for (int j = 0; j < r->L->n; j++)
        if (strcmp(r->L->metric[j], metric) == 0 && strcmp(r->L->group[j], group) == 0)
            return j;
    return -1;
}

static int date_index(const cce_result *r, const char *date)
{
    for (int k = 0; k < r->ndates; k++)
        if (r->dates[k] == day(date))
            return k;
    return -1;
}

/* The phase in force at date d. */
static const cc_params *phase_at(const csn_scenario *s, int32_t start, const char *d)
{
    double t = (double)(day(d) - start - 1);
    int k = 0;
    while (k + 1 < s->nphase && s->phase_t[k + 1] <= t)
        k++;
    return s->phase[k];
}

static void arithmetic(void)
{
    /* discount factors: (1.035)^-y, written out */
    CHECK(ccb_discount(0.035, 0) == 1.0, "year 0 is not discounted");
    CHECK_NEAR(ccb_discount(0.035, 1), 1 / 1.035, 1e-15, "year 1");
    CHECK_NEAR(ccb_discount(0.035, 3), 1 / (1.035 * 1.035 * 1.035), 1e-15, "year 3");
    CHECK_NEAR(ccb_discount(0.05, 2), 1 / 1.1025, 1e-15, "5%, year 2");
    /* real terms: cash of 2024-25 in 2022-23 prices at 3% a year */
    CHECK_NEAR(ccb_real(1000, 0.03, 2024, 2022), 1000 / 1.0609, 1e-12, "deflated two years");
    CHECK_NEAR(ccb_real(1000, 0.03, 2022, 2022), 1000, 1e-12, "the price year is real");
    /* NPV to date of net benefits -1000, 300, 400, 500 at 3.5% */
    double net[4] = {-1000, 300, 400, 500}, cum[4];
    ccb_npv(net, 4, 0.035, cum);
    double h1 = -1000 + 300 / 1.035, h2 = h1 + 400 / 1.071225, h3 = h2 + 500 / 1.108717875;
    CHECK_NEAR(cum[0], -1000, 1e-9, "NPV to year 0");
    CHECK_NEAR(cum[1], h1, 1e-9, "NPV to year 1");
    CHECK_NEAR(cum[2], h2, 1e-9, "NPV to year 2");
    CHECK_NEAR(cum[3], h3, 1e-9, "NPV to year 3");
    CHECK(h2 < 0 && h3 > 0, "the hand case pays back in year 3 (%g, %g)", h2, h3);
    CHECK(ccb_payback(cum, 4) == 3, "payback year %d (expected 3)", ccb_payback(cum, 4));
    CHECK(ccb_payback(cum, 3) == -1, "no payback within 3 years");
    double zero[2] = {0, 0};
    CHECK(ccb_payback(zero, 2) == -1, "breaking even is not paying back");
    /* cashable: as far as spend falls below the budget */
    CHECK(ccb_cashable(100, 1000, 950) == 50, "half below the budget");
    CHECK(ccb_cashable(100, 1000, 800) == 100, "all below the budget");
    CHECK(ccb_cashable(100, 1000, 1200) == 0, "all cost avoidance");
    CHECK(ccb_cashable(-40, 1000, 1200) == -40, "a higher spend is cash");
}

static void lever_costs(void)
{
    csn_cost c[4];
    memset(c, 0, sizeof c);
    /* capital on 1 April 2023 (year 1 of a run from 31 July 2022) */
    c[0].capital = 100000;
    c[0].from_day = day("2023-04-01");
    c[0].to_day = INT32_MAX;
    /* 365,000 a year from 1 October 2023 to 30 September 2024:
     * 183 of 2023-24's 366 days, 183 of 2024-25's 365 */
    c[1].revenue = 365000;
    c[1].from_day = day("2023-10-01");
    c[1].to_day = day("2024-10-01");
    /* dated before the run: falls on its first day (year 0) */
    c[2].one_off = 7000;
    c[2].from_day = day("2021-01-01");
    c[2].to_day = INT32_MAX;
    /* dated after the run: left out */
    c[3].capital = 1e6;
    c[3].revenue = 1e6;
    c[3].from_day = day("2027-01-01");
    c[3].to_day = INT32_MAX;
    double cap[5] = {0}, one[5] = {0}, rev[5] = {0};
    ccb_lever_costs(c, 4, day("2022-07-31"), day("2026-07-31"), 2022, 5, cap, one, rev);
    CHECK(cap[1] == 100000 && cap[0] == 0 && cap[2] == 0 && cap[4] == 0, "capital in 2023-24 only");
    CHECK(one[0] == 7000, "an earlier cost falls in year 0");
    CHECK_NEAR(rev[1], 365000.0 * 183 / 366, 1e-6, "revenue 2023-24 (leap year)");
    CHECK_NEAR(rev[2], 365000.0 * 183 / 365, 1e-6, "revenue 2024-25");
    CHECK(rev[0] == 0 && rev[3] == 0 && rev[4] == 0, "no revenue outside its dates");
    /* the present value of a lever setting (for seek) */
    double pv = ccb_cost_pv(c, 4, day("2022-07-31"), day("2026-07-31"), 0.035);
    double hand = 7000 + (100000 + 182500) / 1.035 + 183000 / 1.071225;
    CHECK_NEAR(pv, hand, 1e-6, "PV of the lever costs");
}

static void costs_only(void)
{
    /* biz-mini (every clock exponential; 5% discount rate): levers that
     * change nothing (no extra carers, every entry kept), with costs:
     * 100,000 capital and 20,000 one-off on 1 April 2022, 250,000 a year
     * from then; 36,600 a year from 1 January to 31 December 2024 */
    char path[4096];
    testcfg_root_path("tests/data/biz-mini.cfg", path, sizeof path);
    cc_diag *d = ccg_new();
    cc_params *base = NULL;
    if (ccp_load(path, d, &base) != CCP_OK)
        ccg_print(d, stderr, "biz-mini");
    ccg_free(d);
    CHECK(base != NULL, "biz-mini loads");
    if (!base)
        return;
    CHECK(base->costs.discount_rate == 0.05 && base->costs.deflator == 0.02, "the rates are set by the config");
    csn_scenario *s = scenario(
        "costs-only", path,
        "{ lever = \"foster_recruitment\"; extra_per_year = 0.0; from = \"2022-04-01\"; capital_cost = 100000.0;\n"
        "  one_off_cost = 20000.0; revenue_cost = 250000.0; ramp_up_months = 6; },\n"
        "{ lever = \"edge_of_care\"; entry_multiplier = 1.0; from = \"2024-01-01\"; to = \"2025-01-01\";\n"
        "  revenue_cost = 36600.0; }");
    cce_result *rb = run(base, NULL, 16, 4), *rs = s && rb ? run(base, s, 16, 4) : NULL;
    ccb_case *c = rs ? ccb_compute(rb, rs, s) : NULL;
    CHECK(c != NULL, "business case");
    if (c) {
        CHECK(s->has_costs, "the scenario states costs");
        CHECK(ccb_fy0(c) == 2021 && ccb_nfy(c) == 4, "years 2021-22 to 2024-25 (%d, %d)", ccb_fy0(c), ccb_nfy(c));
        /* by hand, in 2021-22 prices (year 0 = 2021-22, a whole year here):
         * 2022-23: 100,000 + 20,000 + 250,000 = 370,000
         * 2023-24: 250,000 + 36,600 x 91/366 (1 January to 31 March 2024) = 259,100
         * 2024-25: 250,000 + 36,600 x 275/365 (1 April to 31 December 2024) */
        double cost[4] = {0, 370000, 259100, 250000 + 36600.0 * 275 / 365};
        double npv = -(cost[1] / 1.05 + cost[2] / 1.1025 + cost[3] / 1.157625);
        for (int y = 0; y < 4; y++) {
            const ccy_stats *lc = ccb_stat(c, CCB_LEVER_COST, y), *sv = ccb_stat(c, CCB_SAVINGS, y);
            CHECK_NEAR(lc->mean, cost[y], 1e-6, "lever costs by year");
            CHECK(lc->sd == 0, "lever costs are the same in every replication");
            /* the same children and placements: the spend differs only by
             * rounding (a phase change integrates the money at other times) */
            CHECK(fabs(sv->p05) < 1e-6 && fabs(sv->p95) < 1e-6, "year %d: no saving (%g)", y, sv->mean);
            CHECK(ccb_stat(c, CCB_PAID, y)->mean == 0, "never paid back");
        }
        const ccy_stats *n = ccb_stat(c, CCB_NPV, 3);
        CHECK_NEAR(n->mean, npv, 1e-6, "NPV over the run");
        CHECK(n->sd < 1e-6 && fabs(n->p05 - npv) < 1e-6 && fabs(n->p95 - npv) < 1e-6, "NPV the same in every replication");
        CHECK(ccb_payback_stats(c)->p05 == 4, "payback: not within the run (coded as 4)");
        CHECK(isnan(ccb_cost_per_gap_week(c)), "no gap closed, no cost per week");
        /* seek's function gives the same present value of the costs */
        CHECK_NEAR(ccb_cost_pv(s->cost, s->nlevers, base->start_day, rs->dates[rs->ndates - 1], 0.05), -npv, 1e-6,
                   "ccb_cost_pv");
    }
    ccb_free(c);
    cce_free(rs);
    cce_free(rb);
    csn_free(s);
    ccp_free(base);
}

/* Savings, NPV and the cashable split of a scenario that changes the
 * spend, against the same sums done here from the replications. */
static void with_savings(const cc_params *base, const cce_result *rb, const csn_scenario *s, const cce_result *rs)
{
    ccb_case *c = ccb_compute(rb, rs, s);
    CHECK(c != NULL, "business case");
    if (!c)
        return;
    const cct_params *cp = &base->costs;
    int nfy = ccb_nfy(c), fy0 = ccb_fy0(c), n = rb->reps;
    int jb = series(rb, "spend", "total"), js = series(rs, "spend", "total");
    double lc[8] = {0}, lo[8] = {0}, lr[8] = {0};
    ccb_lever_costs(s->cost, s->nlevers, base->start_day, rs->dates[rs->ndates - 1], fy0, nfy, lc, lo, lr);
    double npv_mean = 0, mean_save[8] = {0}, mean_cash[8] = {0};
    for (int i = 0; i < n; i++) {
        double sb[8] = {0}, ss[8] = {0}, cum = 0;
        int months0 = 0;
        for (int k = 1; k < rb->ndates; k++) {
            int y = cct_fy(rb->dates[k]) - fy0;
            sb[y] += cce_value(rb, i, jb, k);
            ss[y] += cce_value(rs, i, js, k);
            months0 += y == 0;
        }
        double budget = sb[0] / pow(1 + cp->deflator, fy0 - cp->price_year) / months0;
        for (int y = 0; y < nfy; y++) {
            double defl = pow(1 + cp->deflator, fy0 + y - cp->price_year);
            double save = (sb[y] - ss[y]) / defl;
            cum += (save - lc[y] - lo[y] - lr[y]) / pow(1 + cp->discount_rate, y);
            mean_save[y] += save / n;
            mean_cash[y] += ccb_cashable(save, budget * ccb_months(c, y), ss[y] / defl) / n;
        }
        npv_mean += cum / n;
    }
    for (int y = 0; y < nfy; y++) {
        CHECK_NEAR(ccb_stat(c, CCB_SAVINGS, y)->mean, mean_save[y], 1e-6 * (1 + fabs(mean_save[y])), "savings");
        CHECK_NEAR(ccb_stat(c, CCB_CASHABLE, y)->mean, mean_cash[y], 1e-6 * (1 + fabs(mean_cash[y])), "cashable");
        CHECK_NEAR(ccb_stat(c, CCB_CASHABLE, y)->mean + ccb_stat(c, CCB_NON_CASHABLE, y)->mean,
                   ccb_stat(c, CCB_SAVINGS, y)->mean, 1e-6 * (1 + fabs(mean_save[y])), "cashable + non-cashable");
    }
    CHECK_NEAR(ccb_stat(c, CCB_NPV, nfy - 1)->mean, npv_mean, 1e-6 * (1 + fabs(npv_mean)), "NPV from the replications");
    CHECK(fabs(npv_mean) > 1000, "the scenario changes the spend (%g)", npv_mean);
    ccb_free(c);
}

static void ramp_up(const char *bpath, const cc_params *base, const cce_result *rb)
{
    csn_scenario *now = scenario("now", bpath,
                                 "{ lever = \"foster_recruitment\"; extra_per_year = 30.0; from = \"2023-04-01\";"
                                 " revenue_cost = 300000.0; capital_cost = 50000.0; }");
    csn_scenario *ramp = scenario(
        "ramp", bpath, "{ lever = \"foster_recruitment\"; extra_per_year = 30.0; from = \"2023-04-01\"; ramp_up_months = 24; }");
    csn_scenario *home = scenario("home", bpath,
                                  "{ lever = \"new_home\"; name = \"Ramp home\"; kind = \"mainstream\"; beds = 2; "
                                  "open = \"2024-04-01\"; annual_cost = 700000.0; ramp_up_months = 18; }");
    if (!now || !ramp || !home)
        goto out;
    CHECK(now->nphase == 2, "a step: two phases (%d)", now->nphase);
    CHECK(ramp->nphase == 26, "24 monthly steps: 26 phases (%d)", ramp->nphase);
    int32_t st = base->start_day;
    double a0 = base->supply.approvals;
    CHECK_NEAR(phase_at(ramp, st, "2023-04-15")->supply.approvals, a0 + 30 * 0.5 / 24, 1e-9, "month 1: 1/48 of the lever");
    CHECK_NEAR(phase_at(ramp, st, "2024-04-01")->supply.approvals, a0 + 30 * 12.5 / 24, 1e-9, "month 13");
    CHECK_NEAR(phase_at(ramp, st, "2025-03-31")->supply.approvals, a0 + 30 * 23.5 / 24, 1e-9, "month 24");
    CHECK_NEAR(phase_at(ramp, st, "2025-04-01")->supply.approvals, a0 + 30, 1e-9, "full from April 2025");
    CHECK_NEAR(phase_at(now, st, "2023-04-01")->supply.approvals, a0 + 30, 1e-9, "no ramp-up: full at once");
    /* the home's beds: round(2 (k + 1/2) / 18) in its k-th month */
    int h = home->phase[0]->supply.n - 1;
    static const char *const when[] = {"2024-04-01", "2024-07-31", "2024-08-01", "2025-04-30", "2025-05-01",
                                       "2025-10-01"};
    static const int beds[] = {0, 0, 1, 1, 2, 2};
    for (int i = 0; i < 6; i++)
        CHECK(phase_at(home, st, when[i])->supply.prov[h].capacity == beds[i], "home beds at %s: %d (expected %d)",
              when[i], phase_at(home, st, when[i])->supply.prov[h].capacity, beds[i]);
    /* the simulated effect: carers gained by March 2025 */
    cce_result *rn = run(base, now, rb->reps, rb->years), *rr = run(base, ramp, rb->reps, rb->years);
    if (rn && rr) {
        int j = series(rb, "fostering", "households"), k = date_index(rb, "2025-03-31");
        double dn = 0, dr = 0;
        for (int i = 0; i < rb->reps; i++) {
            dn += cce_value(rn, i, j, k) - cce_value(rb, i, j, k);
            dr += cce_value(rr, i, j, k) - cce_value(rb, i, j, k);
        }
        dn /= rb->reps;
        dr /= rb->reps;
        CHECK(dn > 10, "recruitment at once adds carers by March 2025 (%g)", dn);
        CHECK(dr > 0 && dr < 0.75 * dn, "phased in over two years it adds fewer (%g against %g)", dr, dn);
        with_savings(base, rb, now, rn);
    }
    cce_free(rn);
    cce_free(rr);
out:
    csn_free(now);
    csn_free(ramp);
    csn_free(home);
}

int main(void)
{
    arithmetic();
    lever_costs();
    costs_only();
    char path[4096];
    testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path);
    cc_diag *d = ccg_new();
    cc_params *base = NULL;
    if (ccp_load(path, d, &base) != CCP_OK)
        ccg_print(d, stderr, "baseline");
    ccg_free(d);
    CHECK(base != NULL, "baseline loads");
    if (base) {
        CHECK(base->costs.discount_rate == 0.035, "Green Book rate by default");
        cce_result *rb = run(base, NULL, 24, 4);
        if (rb)
            ramp_up(path, base, rb);
        cce_free(rb);
        ccp_free(base);
    }
    return check_done("test_bizcase");
}
