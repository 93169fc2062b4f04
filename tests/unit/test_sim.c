/* test_sim: invariants of a replication: the initial population reproduces
 * the configured counts exactly; every child is in one cohort, district and
 * type; stocks change only by flows; birthdays move children through the
 * cohorts and out at 18; arrivals are common random numbers; the result does
 * not depend on the number of threads. */
#include <string.h>

#include "check.h"
#include "experiment.h"
#include "sim.h"
#include "testcfg.h"

static double sum_block(const cce_result *r, int rep, int first, int n, int k)
{
    double s = 0;
    for (int j = first; j < first + n; j++)
        s += cce_value(r, rep, j, k);
    return s;
}

static void check_invariants(const cce_result *r, const char *what)
{
    const ccx_layout *L = r->L;
    int bad_sum = 0, bad_flow = 0, bad_exit = 0, bad_18 = 0;
    for (int i = 0; i < r->reps; i++)
        for (int k = 0; k < r->ndates; k++) {
            double all = cce_value(r, i, L->la_all, k);
            if (sum_block(r, i, L->la_cohort, CCM_NCOHORT, k) != all ||
                sum_block(r, i, L->la_district, r->p->nd, k) != all ||
                sum_block(r, i, L->la_need, CCM_NPT, k) != all)
                bad_sum++;
            if (k > 0) {
                double d = all - cce_value(r, i, L->la_all, k - 1);
                if (d != cce_value(r, i, L->ent_all, k) - cce_value(r, i, L->ex_all, k))
                    bad_flow++;
            }
            double ex = 0;
            for (int j = L->ex_route; j <= L->ex_age18 + 1; j++)
                ex += cce_value(r, i, j, k);
            if (ex != cce_value(r, i, L->ex_all, k))
                bad_exit++;
            if (sum_block(r, i, L->tr18, CCM_NDEST, k) != cce_value(r, i, L->ex_age18, k))
                bad_18++;
        }
    CHECK(bad_sum == 0, "%s: %d snapshots where cohorts/districts/types do not add up", what, bad_sum);
    CHECK(bad_flow == 0, "%s: %d months where stock change != entries - exits", what, bad_flow);
    CHECK(bad_exit == 0, "%s: %d months where routes do not add up to exits", what, bad_exit);
    CHECK(bad_18 == 0, "%s: %d months where 18+ destinations != age_18 exits", what, bad_18);
}

int main(void)
{
    int w[4];
    ccm_apportion((double[]){0.5, 0.25, 0.25, 0.0}, 4, 7, w);
    CHECK(w[0] == 3 && w[1] == 2 && w[2] == 2 && w[3] == 0, "apportion 7: %d %d %d %d", w[0], w[1], w[2], w[3]);
    ccm_apportion((double[]){1, 1, 1, 1}, 4, 10, w);
    CHECK(w[0] + w[1] + w[2] + w[3] == 10 && w[0] == 3 && w[3] == 2, "apportion ties to lower index");

    char path[4096];
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    ccp_load(testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path), d, &p);
    ccg_free(d);
    CHECK(p != NULL, "baseline loads");
    if (!p)
        return check_done("test_sim");

    cce_opts o = {40, 5, 1, 11, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r1 = NULL, *r2 = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r1, err) == 0, "run -j1");
    o.threads = 2;
    CHECK(cce_run(p, &o, NULL, NULL, &r2, err) == 0, "run -j2");
    size_t bytes = (size_t)o.reps * (size_t)r1->L->n * (size_t)r1->ndates * sizeof(double);
    CHECK(memcmp(r1->data, r2->data, bytes) == 0, "-j1 and -j2 give identical results");

    /* the start date reproduces the configuration exactly, in every replication */
    const ccx_layout *L = r1->L;
    int bad0 = 0;
    for (int i = 0; i < r1->reps; i++) {
        if (cce_value(r1, i, L->la_all, 0) != 953)
            bad0++;
        for (int c = 0; c < CCM_NCOHORT; c++)
            if (cce_value(r1, i, L->la_cohort + c, 0) != p->init_count[c])
                bad0++;
        if (cce_value(r1, i, L->la_flag + CCM_UASC, 0) != 42)
            bad0++;
        if (cce_value(r1, i, L->la_need + CCM_SEMI, 0) != 110)
            bad0++;
    }
    CHECK(bad0 == 0, "%d start-date counts differ from the configuration", bad0);
    /* district counts at the start: per-cohort largest remainders, summed */
    for (int dd = 0; dd < p->nd; dd++) {
        int expect = 0;
        for (int c = 0; c < CCM_NCOHORT; c++) {
            int dc[256];
            ccm_apportion(p->init_district + c * p->nd, p->nd, p->init_count[c], dc);
            expect += dc[dd];
        }
        CHECK(cce_value(r1, 3, L->la_district + dd, 0) == expect, "district %s at the start", p->district[dd]);
    }
    check_invariants(r1, "baseline");
    for (int i = 0; i < r1->reps; i++)
        CHECK(r1->tot[i].events > 0 && r1->tot[i].peak >= 953, "totals of replication %d", i);
    cce_free(r2);
    r2 = NULL;

    /* Common random numbers: change only the exit hazards; the arrivals of
     * replication k are the same in every month. */
    cc_params *q = NULL;
    d = ccg_new();
    ccp_load(path, d, &q);
    ccg_free(d);
    for (int k = 0; k < CCM_NROUTE; k++)
        for (int c = 0; c < CCM_NCOHORT; c++)
            q->exit_rate[k][c] *= 1.5;
    o.threads = 2;
    CHECK(cce_run(q, &o, NULL, NULL, &r2, err) == 0, "run with faster exits");
    int same_entries = 1, differ_exits = 0;
    for (int i = 0; i < o.reps; i++)
        for (int k = 1; k < r1->ndates; k++) {
            for (int c = 0; c <= CCM_NCOHORT; c++)
                if (cce_value(r1, i, L->ent_all + c, k) != cce_value(r2, i, L->ent_all + c, k))
                    same_entries = 0;
            if (cce_value(r1, i, L->ex_all, k) != cce_value(r2, i, L->ex_all, k))
                differ_exits = 1;
        }
    CHECK(same_entries, "arrivals differ when only exit hazards change (common random numbers broken)");
    CHECK(differ_exits, "exits should differ");
    cce_free(r2);
    ccp_free(q);
    cce_free(r1);

    /* Birthdays: no entries, exits or moves: after 2 years exactly the 256
     * children aged 16-17 have left at 18; after 4 years nobody is under 4;
     * every child moves up one cohort at the exact birthday. */
    d = ccg_new();
    ccp_load(path, d, &q);
    ccg_free(d);
    memset(q->exit_rate, 0, sizeof q->exit_rate);
    memset(q->move_rate, 0, sizeof q->move_rate);
    memset(q->semi_rate, 0, sizeof q->semi_rate);
    memset(q->semi_at16, 0, sizeof q->semi_at16);
    q->entry_total = 0;
    o.reps = 5;
    o.years = 7;
    /* the parameters as set here: a draw would rebuild entry_total from the rates */
    cce_unc off = {CCE_UNC_OFF, 0};
    CHECK(cce_run_unc(q, &o, &off, 0, NULL, NULL, &r1, err) == 0, "ageing-only run");
    L = r1->L;
    double age18_2y = 0, age18_all = 0;
    for (int k = 1; k <= 24; k++)
        age18_2y += cce_value(r1, 0, L->ex_age18, k);
    for (int k = 1; k < r1->ndates; k++)
        age18_all += cce_value(r1, 0, L->ex_age18, k);
    CHECK(age18_2y == 256, "age-18 exits in 2 years: %g (expected the 256 aged 16-17)", age18_2y);
    CHECK(cce_value(r1, 0, L->la_cohort + 0, 48) == 0, "nobody aged 0-3 after 4 years");
    CHECK(cce_value(r1, 0, L->la_all, 84) == 953 - age18_all, "stock is the start less those who turned 18");
    CHECK(cce_value(r1, 0, L->la_cohort + 4, 84) == 953 - age18_all - sum_block(r1, 0, L->la_cohort, 4, 84),
          "consistent cohorts after 7 years");
    /* children aged 12-15 at the start are all 16-17 exactly two years
     * before they leave: count of 16-17s after 1 year = those aged 15 at
     * the start + those aged 16 at the start */
    double c1617_y1 = cce_value(r1, 0, L->la_cohort + 4, 12);
    CHECK(c1617_y1 > 150 && c1617_y1 < 260, "16-17s after a year: %g", c1617_y1);
    check_invariants(r1, "ageing only");
    cce_free(r1);
    ccp_free(q);
    ccp_free(p);
    return check_done("test_sim");
}
