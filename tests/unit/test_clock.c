/* test_clock: a child's exponential clock when its hazard changes mid-stay.
 * The engine does not draw a child's exponential time again when its rates
 * change (a birthday, a drift year, a scenario's phase): it scales the time
 * left by old rate / new rate (sim.c, ccs_plan). That is exact because the
 * clock has no memory, and this test holds it to the mathematics: Poisson
 * entries at L a year, exponential stays at rate m1; at time T (steady
 * state, L / m1 in care, Poisson) the exit rate becomes m2. The children in
 * care then each stay a further Exp(m2), and new entries stay Exp(m2), so
 * s years later the number in care is Poisson with mean
 *   (L / m1) exp(-m2 s) + (L / m2) (1 - exp(-m2 s)).
 * Keeping the old times unscaled would give (L / m1) exp(-m1 s) + ..., far
 * off for m1 = 0.5, m2 = 2. Checked at several month ends after T. */
#include <math.h>

#include "check.h"
#include "experiment.h"
#include "testcfg.h"

static void switch_rate(double L, double m1, double m2, int reps)
{
    cc_params *p1 = testcfg_mminf(L, m1, ""), *p2 = testcfg_mminf(L, m2, "");
    CHECK(p1 && p2, "configs load");
    if (!p1 || !p2)
        return;
    enum { YEARS = 12 };
    const double T = 10 * 365.25; /* 20 mean stays: steady state */
    const cc_params *phases[2] = {p1, p2};
    double phase_t[2] = {0, T};
    cce_opts o = {reps, YEARS, 2, 77, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    o.phases = phases;
    o.phase_t = phase_t;
    o.nphase = 2;
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p1, &o, NULL, NULL, &r, err) == 0, "run: %s", err);
    if (!r)
        return;
    int checked = 0;
    for (int k = 1; k < r->ndates; k++) {
        double s = (r->snap_t[k] - T) / 365.25;
        if (s < 0 || s > 1.5)
            continue;
        double sum = 0, sum2 = 0;
        for (int i = 0; i < r->reps; i++) {
            double x = cce_value(r, i, r->L->la_all, k);
            sum += x;
            sum2 += x * x;
        }
        double mean = sum / r->reps, var = (sum2 - r->reps * mean * mean) / (r->reps - 1);
        double mu = L / m1 * exp(-m2 * s) + L / m2 * (1 - exp(-m2 * s));
        double se = sqrt(mu / r->reps), se_var = sqrt(mu * (1 + 2 * mu) / r->reps);
        CHECK(fabs(mean - mu) < 4 * se, "%.2f years after the change: mean in care %.2f, expected %.2f +- %.2f", s,
              mean, mu, 4 * se);
        CHECK(fabs(var - mu) < 4 * se_var, "%.2f years after: variance %.1f, expected %.1f +- %.1f (Poisson)", s,
              var, mu, 4 * se_var);
        checked++;
    }
    CHECK(checked >= 12, "%d month ends checked", checked);
    cce_free(r);
    ccp_free(p1);
    ccp_free(p2);
}

int main(void)
{
    switch_rate(100, 0.5, 2, 400); /* the hazard rises fourfold */
    switch_rate(100, 2, 0.5, 400); /* and falls */
    return check_done("test_clock");
}
