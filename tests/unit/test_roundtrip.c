/* test_roundtrip: SSDA903 round trip. Simulate with known rates
 * (tests/data/roundtrip.cfg), export one replication as SSDA903, calibrate
 * a config from it, and check that
 * 1. each exit and move hazard with enough events (>= 30) is recovered inside
 *    its 95% interval (at least 90% of them, as 95% intervals should), and
 *    the entry rates likewise;
 * 2. a run of the calibrated config follows the original run's path: its
 *    mean number in care stays inside the original's 5th-95th percentile
 *    band over the five years after the fitted window. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "check.h"
#include "experiment.h"
#include "ssda903.h"
#include "summary.h"
#include "testcfg.h"

enum { YEARS = 20, AFTER = 5, REPS = 200 };

static double truth_of(const cc_params *p, const char *setting)
{
    for (int k = 0; k < CCM_NROUTE; k++)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            char s[128];
            snprintf(s, sizeof s, "exits.%s.rate.%s", ccm_route_name[k], ccm_cohort_key[c]);
            if (strcmp(s, setting) == 0)
                return p->exit_rate[k][c];
        }
    for (int t = 0; t < CCM_NPT; t++)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            char s[128];
            snprintf(s, sizeof s, "moves.rate.%s.%s", ccm_ptype_name[t], ccm_cohort_key[c]);
            if (strcmp(s, setting) == 0)
                return p->move_rate[t][c];
        }
    for (int c = 0; c < CCM_NCOHORT; c++) {
        char s[128];
        snprintf(s, sizeof s, "entries.rate.%s", ccm_cohort_key[c]);
        if (strcmp(s, setting) == 0) {
            double r = 0;
            for (int d = 0; d < p->nd; d++)
                r += p->entry_rate[c * p->nd + d];
            return r;
        }
    }
    return NAN;
}

int main(void)
{
    char truth_path[4096], dir[] = "/tmp/carecap-rt-XXXXXX";
    testcfg_root_path("tests/data/roundtrip.cfg", truth_path, sizeof truth_path);
    CHECK(mkdtemp(dir) != NULL, "temporary folder");
    char ep[4200], hd[4200], ds[4200], cfg[4200], fitp[4300];
    snprintf(ep, sizeof ep, "%s/episodes.csv", dir);
    snprintf(hd, sizeof hd, "%s/header.csv", dir);
    snprintf(ds, sizeof ds, "%s/districts.csv", dir);
    snprintf(cfg, sizeof cfg, "%s/fitted.cfg", dir);
    snprintf(fitp, sizeof fitp, "%s/fitted.cfg.fit.csv", dir);
    FILE *null = fopen("/dev/null", "w");
    cca_run_opts eo = {truth_path, dir, 1, YEARS, 1, 7, 0, NULL, NULL, 0, 1};
    CHECK(cca_export903(&eo, null, stderr) == 0, "export-903");
    csd_opts co = {ep, hd, ds, NULL, NULL, "Round trip (fitted)", NULL, cfg};
    CHECK(csd_calibrate(&co, null, stderr) == 0, "calibrate");
    fclose(null);

    cc_diag *d = ccg_new();
    cc_params *truth = NULL, *fitted = NULL;
    ccp_load(truth_path, d, &truth);
    ccp_load(cfg, d, &fitted);
    ccg_print(d, stderr, "config");
    ccg_free(d);
    CHECK(truth && fitted, "both configs load");
    if (!truth || !fitted)
        return check_done("test_roundtrip");

    /* 1. rates inside their intervals */
    FILE *f = fopen(fitp, "r");
    CHECK(f != NULL, "fit table");
    char line[512];
    int n = 0, inside = 0;
    printf("%-36s %8s %8s %18s %7s\n", "setting", "true", "fitted", "95% interval", "events");
    while (f && fgets(line, sizeof line, f)) {
        char set[128];
        double est, lo, hi, ev, exy;
        if (sscanf(line, "%127[^,],%lf,%lf,%lf,%lf,%lf", set, &est, &lo, &hi, &ev, &exy) != 6 || ev < 30)
            continue;
        double t = truth_of(truth, set);
        if (isnan(t))
            continue;
        n++;
        int ok = lo <= t && t <= hi;
        inside += ok;
        printf("%-36s %8.4f %8.4f %8.4f-%-9.4f %7.0f%s\n", set, t, est, lo, hi, ev, ok ? "" : "  outside");
    }
    if (f)
        fclose(f);
    CHECK(n >= 20, "only %d rates with 30 events or more", n);
    CHECK(inside >= 0.9 * n, "%d of %d true rates inside their 95%% intervals", inside, n);

    /* 2. the fitted config continues the original path */
    cce_opts o1 = {REPS, YEARS + AFTER, 2, 11, 0, NULL, NULL, 0, NULL, NULL};
    cce_opts o2 = {REPS, AFTER, 2, 12, 0, NULL, NULL, 0, NULL, NULL};
    cce_result *r1 = NULL, *r2 = NULL;
    char err[256];
    CHECK(cce_run(truth, &o1, NULL, NULL, &r1, err) == 0 && cce_run(fitted, &o2, NULL, NULL, &r2, err) == 0, "runs");
    int off = -1;
    for (int k = 0; k < r1->ndates; k++)
        if (r1->dates[k] == r2->dates[0])
            off = k;
    CHECK(off >= 0, "the fitted start date is a date of the original run");
    int outside = 0, checked = 0;
    for (int k = 12; off >= 0 && k < r2->ndates; k += 6) {
        double *x = malloc(REPS * sizeof *x), m2 = 0;
        for (int i = 0; i < REPS; i++) {
            x[i] = cce_value(r1, i, r1->L->la_all, off + k);
            m2 += cce_value(r2, i, r2->L->la_all, k) / REPS;
        }
        ccy_stats st;
        ccy_summarise(x, REPS, &st);
        checked++;
        outside += m2 < st.p05 || m2 > st.p95;
        free(x);
    }
    printf("population path: %d of %d half-yearly points of the fitted run's mean inside the original's band\n",
           checked - outside, checked);
    CHECK(checked > 5 && outside == 0, "%d of %d points outside the original's 5th-95th band", outside, checked);
    cce_free(r1);
    cce_free(r2);
    ccp_free(truth);
    ccp_free(fitted);
    unlink(ep), unlink(hd), unlink(ds), unlink(cfg), unlink(fitp);
    rmdir(dir);
    return check_done("test_roundtrip");
}
