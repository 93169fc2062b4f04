/* test_uncert: parameter uncertainty against known mathematics.
 * 1. An exit rate fitted from 12 events in 40 child-years, entries Poisson at
 *    L a year into an empty system: given the rate mu the number in care at t
 *    is Poisson with mean L g(mu), g(mu) = (1 - exp(-mu t)) / mu. With the
 *    rate drawn from its posterior Gamma(12.5, 40) (Jeffreys prior) the number
 *    is a Poisson mixture: mean L E[g], variance L E[g] + L^2 Var[g], with
 *    E[g] and E[g^2] in closed form (below). Mean and variance must fall in
 *    their 99% intervals; with uncertainty off the result is plain Poisson.
 * 2. Same seed, same numbers with 1 and 2 threads, uncertainty on.
 * 3. The variance split (vardec): exact on a hand-worked example, and on the
 *    model above (pairs of replications sharing a draw) the parameter share
 *    matches L^2 Var[g] / (L E[g] + L^2 Var[g]). */
#include <math.h>

#include "check.h"
#include "experiment.h"
#include "scenario.h"
#include "testcfg.h"
#include "uncert.h"
#include "vardec.h"

#define Z99 2.5758293035489004

enum { REPS = 3000, YEARS = 10 };
static const double L = 50, EVENTS = 12, EXPOSURE = 40;

static cce_result *run_mm(cc_params *p, int mode, int threads, int group)
{
    cce_opts o = {REPS, YEARS, threads, 77, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_unc u = {mode, group};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run_unc(p, &o, &u, 0, NULL, NULL, &r, err) == 0, "run");
    return r;
}

/* mean, variance and the standard errors of both (from the sample's own
 * fourth central moment) of the number in care at the last date */
static void moments(const cce_result *r, double *mean, double *var, double *se_mean, double *se_var)
{
    int k = r->ndates - 1, n = r->reps;
    double s = 0;
    for (int i = 0; i < n; i++)
        s += cce_value(r, i, r->L->la_all, k);
    double m = s / n, m2 = 0, m4 = 0;
    for (int i = 0; i < n; i++) {
        double d = cce_value(r, i, r->L->la_all, k) - m;
        m2 += d * d;
        m4 += d * d * d * d;
    }
    *mean = m;
    *var = m2 / (n - 1);
    m4 /= n;
    *se_mean = sqrt(*var / n);
    *se_var = sqrt((m4 - *var * *var * (n - 3.0) / (n - 1.0)) / n);
}

static void mixture(void)
{
    char extra[512];
    snprintf(extra, sizeof extra,
             "uncertainty_of = ( { setting = \"exits.other.rate.age_12_15\"; events = %g; exposure = %g; } );\n",
             EVENTS, EXPOSURE);
    cc_params *p = testcfg_mminf_with(L, EVENTS / EXPOSURE, "", extra);
    CHECK(p != NULL, "config with uncertainty loads");
    if (!p)
        return;
    CHECK(ccu_count(p->unc) == 1, "one setting carries uncertainty");
    cce_result *r = run_mm(p, CCE_UNC_ON, 2, 1);
    double t = (r->snap_t[r->ndates - 1]) / 365.25;
    /* mu ~ Gamma(a, rate b): E[1/mu e^{-s mu}] = b/(a-1) (b/(b+s))^(a-1),
     * E[1/mu^2 e^{-s mu}] = b^2/((a-1)(a-2)) (b/(b+s))^(a-2) */
    double a = EVENTS + 0.5, b = EXPOSURE;
    double Eg = b / (a - 1) * (1 - pow(b / (b + t), a - 1));
    double Eg2 = b * b / ((a - 1) * (a - 2)) * (1 - 2 * pow(b / (b + t), a - 2) + pow(b / (b + 2 * t), a - 2));
    double M = L * Eg, V = L * Eg + L * L * (Eg2 - Eg * Eg);
    double mean, var, sem, sev;
    moments(r, &mean, &var, &sem, &sev);
    printf("uncertainty on: mean %.2f (mixture %.2f), variance %.1f (mixture %.1f; Poisson alone %.1f)\n", mean, M,
           var, V, M);
    CHECK(fabs(mean - M) < Z99 * sem, "mean %.2f inside the 99%% interval of the mixture's %.2f +- %.2f", mean, M,
          Z99 * sem);
    CHECK(fabs(var - V) < Z99 * sev, "variance %.1f inside the 99%% interval of the mixture's %.1f +- %.1f", var, V,
          Z99 * sev);
    CHECK(r->uncertainty == 1, "the result says uncertainty was on");
    cce_free(r);

    r = run_mm(p, CCE_UNC_OFF, 2, 1);
    double mu = EVENTS / EXPOSURE, P = L * (1 - exp(-mu * t)) / mu;
    moments(r, &mean, &var, &sem, &sev);
    printf("uncertainty off: mean %.2f, variance %.1f (Poisson %.2f)\n", mean, var, P);
    CHECK(fabs(mean - P) < Z99 * sem, "off: mean %.2f inside the 99%% interval of Poisson's %.2f +- %.2f", mean, P,
          Z99 * sem);
    CHECK(fabs(var - P) < Z99 * sev, "off: variance %.1f inside the 99%% interval of Poisson's %.1f +- %.1f", var,
          P, Z99 * sev);
    CHECK(r->uncertainty == 0, "the result says uncertainty was off");
    cce_free(r);

    /* the split, with pairs of replications sharing a draw */
    r = run_mm(p, CCE_UNC_ON, 2, 2);
    {
        int k = r->ndates - 1;
        double *x = malloc((size_t)r->reps * sizeof *x);
        for (int i = 0; i < r->reps; i++)
            x[i] = cce_value(r, i, r->L->la_all, k);
        ccvd_part v;
        CHECK(ccvd_split(x, r->reps, r->draw_group, &v) == 0, "split");
        double share = L * L * (Eg2 - Eg * Eg) / V;
        printf("parameter share %.3f (expected %.3f), process variance %.1f (expected %.1f)\n", v.param / v.total,
               share, v.proc, M);
        CHECK(fabs(v.param / v.total - share) < 0.03, "parameter share %.3f near %.3f", v.param / v.total, share);
        CHECK(fabs(v.proc - M) < 0.15 * M, "process variance %.1f near the Poisson mean %.1f", v.proc, M);
        free(x);
    }
    cce_free(r);

    /* the same bytes whatever the number of threads */
    cce_result *r1 = run_mm(p, CCE_UNC_ON, 1, 0), *r2 = run_mm(p, CCE_UNC_ON, 2, 0);
    size_t n = (size_t)r1->reps * (size_t)r1->L->n * (size_t)r1->ndates;
    CHECK(memcmp(r1->data, r2->data, n * sizeof *r1->data) == 0, "-j 1 and -j 2 give the same numbers");
    cce_free(r1);
    cce_free(r2);
    ccp_free(p);
}

static void split_by_hand(void)
{
    /* groups {1,3} {5,7} {9,11}: means 2 6 10, grand mean 6; MSB = 2 * 32 / 2
     * = 32, MSW = 6 / 3 = 2; parameter (32 - 2) / 2 = 15, process 2 */
    const double x[] = {1, 3, 5, 7, 9, 11, 100};
    ccvd_part v;
    CHECK(ccvd_split(x, 7, 2, &v) == 0, "split of 3 pairs (the odd value left out)");
    CHECK_NEAR(v.param, 15, 1e-12, "parameter variance");
    CHECK_NEAR(v.proc, 2, 1e-12, "process variance");
    CHECK(ccvd_split(x, 6, 1, &v) == 0 && fabs(v.total - 14) < 1e-12 && v.param == 0,
          "g = 1: the sample variance (14), all process");
    CHECK(ccvd_split(x, 3, 2, &v) == -1, "one group is too few");
}

int main(void)
{
    split_by_hand();
    mixture();
    return check_done("test_uncert");
}
