/* test_analytic: the engine against known mathematics.
 * 1. M/G/infinity: Poisson entries at rate L a year, stays with mean D years
 *    and no other events: in steady state the number in care is Poisson with
 *    mean L*D, whatever the stay distribution (exponential, Weibull,
 *    lognormal). Mean and variance are checked inside confidence intervals
 *    computed from the replications.
 * 2. Little's law on the baseline: once everyone in care at the start has
 *    left (at most 18 years), the mean number in care equals the entry rate
 *    times the mean time in care. */
#include <math.h>

#include "check.h"
#include "experiment.h"
#include "testcfg.h"

static void mginf(const char *name, const char *dist, double L, double D)
{
    cc_params *p = testcfg_mminf(L, 1.0 / D, dist);
    CHECK(p != NULL, "%s config", name);
    if (!p)
        return;
    cce_opts o = {400, (int)(12 * D), 2, 2024, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0, "%s run", name);
    /* sample the last date (steady state after 12 mean stays) */
    int k = r->ndates - 1, n = r->reps;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = cce_value(r, i, r->L->la_all, k);
        s += x;
        s2 += x * x;
    }
    double mean = s / n, var = (s2 - n * mean * mean) / (n - 1), mu = L * D;
    /* standard errors for a Poisson(mu) sample: mean sqrt(mu/n); sample
     * variance sqrt((mu4 - sigma^4 (n-3)/(n-1)) / n) with mu4 = mu (1 + 3 mu) */
    double se_mean = sqrt(mu / n);
    double se_var = sqrt((mu * (1 + 3 * mu) - mu * mu * (n - 3.0) / (n - 1.0)) / n);
    CHECK(fabs(mean - mu) < 4 * se_mean, "%s: mean in care %.2f, expected L*D = %.1f +- %.2f", name, mean, mu,
          4 * se_mean);
    CHECK(fabs(var - mu) < 4 * se_var, "%s: variance %.1f, expected %.1f +- %.1f (Poisson)", name, var, mu,
          4 * se_var);
    printf("%s: mean %.2f (L*D = %.0f), variance %.1f\n", name, mean, mu, var);
    cce_free(r);
    ccp_free(p);
}

static void littles_law(void)
{
    char path[4096];
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    ccp_load(testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path), d, &p);
    ccg_free(d);
    CHECK(p != NULL, "baseline loads");
    if (!p)
        return;
    enum { YEARS = 60, FROM = 19 };
    cce_opts o = {20, YEARS, 2, 5, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    /* one parameter set: Little's law holds per set, not for a mixture of them */
    cce_unc off = {CCE_UNC_OFF, 0};
    CHECK(cce_run_unc(p, &o, &off, 0, NULL, NULL, &r, err) == 0, "long baseline run");
    /* time-average number in care over years FROM..YEARS (month-end samples) */
    double pop = 0, entries = 0, days = 0, stays = 0;
    int samples = 0;
    for (int i = 0; i < r->reps; i++) {
        for (int k = 12 * FROM + 1; k < r->ndates; k++) {
            pop += cce_value(r, i, r->L->la_all, k);
            entries += cce_value(r, i, r->L->ent_all, k);
            samples++;
        }
        days += r->tot[i].completed_days;
        stays += (double)r->tot[i].completed;
    }
    double Lbar = pop / samples;
    double lambda = entries / (r->reps * (double)(r->snap_t[r->ndates - 1] - r->snap_t[12 * FROM])); /* a day */
    double W = days / stays;                                                                            /* days */
    printf("Little's law: mean in care %.1f; entry rate %.2f a year x mean stay %.3f years = %.1f\n", Lbar,
           lambda * 365.25, W / 365.25, lambda * W);
    CHECK(fabs(Lbar - lambda * W) / Lbar < 0.02, "L = %.1f vs lambda W = %.1f (within 2%%)", Lbar, lambda * W);
    cce_free(r);
    ccp_free(p);
}

int main(void)
{
    mginf("M/M/inf exponential", "", 100, 2);
    mginf("M/G/inf weibull k=2", "distribution = \"weibull\"; shape = 2.0;", 100, 2);
    mginf("M/G/inf weibull k=0.7", "distribution = \"weibull\"; shape = 0.7;", 60, 1.5);
    mginf("M/G/inf lognormal s=1", "distribution = \"lognormal\"; sigma = 1.0;", 100, 2);
    littles_law();
    return check_done("test_analytic");
}
