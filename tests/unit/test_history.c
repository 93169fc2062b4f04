/* test_history: entrants' ages, move frailty and start-date history against
 * known mathematics.
 * 1. entries.age_profile: the share of 0-3 entrants under 1 is the profile's
 *    first weight over their sum (even: 1/4).
 * 2. moves.frailty_variance v: a child in care all year with move rate L and
 *    a Gamma(mean 1, variance v) frailty makes a negative binomial number of
 *    moves (mean L, variance L + v L^2); the share with 2 or more moves (3+
 *    placements in the DfE's count) is 1 - p0 - p1; v = 0 gives Poisson.
 * 3. Frailty after survival: children who have held their placement T years
 *    without a move carry frailty Gamma(1/v, 1/v + L T): their mean move rate
 *    is L / (1 + v L T); if the placement began with a move, Gamma(1/v + 1,
 *    1/v + L T): L (1 + v) / (1 + v L T).
 * 4. Steady state: an M/G/inf system (Weibull stays) started from its
 *    stationary population, whose elapsed times in care have the equilibrium
 *    density S(a)/D (for Weibull: (a/scale)^k ~ Gamma(1/k)), exits at L a
 *    month from the first month; started with no history it does not (the
 *    check can fail). The same for Weibull moves of a closed population (a
 *    stationary renewal process: the placement's age has the same law). */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "check.h"
#include "experiment.h"
#include "testcfg.h"

#define ZERO5 "{ age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }"
#define FOSTER5                                                                                               \
    "{ age_0_3 = { foster = 1.0; }; age_4_6 = { foster = 1.0; }; age_7_11 = { foster = 1.0; }; age_12_15 = { " \
    "foster = 1.0; }; age_16_17 = { foster = 1.0; }; }"
#define NONEEDS "{ uasc = " ZERO5 "; disabled = " ZERO5 "; complex = " ZERO5 "; }"

/* A one-district foster-only config without ageing: n0 children aged 12-15
 * at the start (history: an initial.history fragment or ""), entries of e0
 * a year aged 0-3 and e12 a year aged 12-15 (age_profile: an entries
 * fragment or ""), exit route "other" at `xr` a year (xdist: its
 * distribution fragment), foster moves at `mr` a year (mextra: more moves
 * settings). */
static cc_params *config(int n0, const char *history, double e0, double e12, const char *age_profile, double xr,
                         const char *xdist, double mr, const char *mextra)
{
    char *text = malloc(65536);
    if (!text)
        return NULL;
    snprintf(text, 65536,
             "name = \"history\"; start_date = \"2020-03-31\"; districts = [\"A\"]; ageing = false;\n"
             "initial = { count = { age_0_3 = 0; age_4_6 = 0; age_7_11 = 0; age_12_15 = %d; age_16_17 = 0; };\n"
             "  placement_mix = " FOSTER5 "; needs = " NONEEDS "; %s };\n"
             "entries = { rate = { age_0_3 = [%g]; age_4_6 = [0.0]; age_7_11 = [0.0]; age_12_15 = [%g]; "
             "age_16_17 = [0.0]; };\n"
             "  placement_mix = " FOSTER5 "; needs = " NONEEDS "; %s };\n"
             "exits = { other = { %s rate = { age_0_3 = %g; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = %g; "
             "age_16_17 = 0.0; }; }; };\n"
             "moves = { %s rate = { foster = { age_0_3 = %g; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = %g; "
             "age_16_17 = 0.0; }; }; };\n"
             "transitions = { leaving_care = { default = { independent = 1.0; }; }; };\n",
             n0, history, e0, e12, age_profile, xdist, xr, xr, mextra, mr, mr);
    cc_params *p = testcfg_load(text);
    free(text);
    return p;
}

static cce_result *run(const cc_params *p, int reps, int years, int dfe)
{
    cce_opts o = {reps, years, 2, 2026, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    int rc = dfe ? cce_run_dfe(p, &o, NULL, NULL, &r, err) : cce_run(p, &o, NULL, NULL, &r, err);
    return rc == 0 ? r : NULL;
}

/* Sum of series j over months 1..12 of replication i. */
static double year_sum(const cce_result *r, int i, int j)
{
    double s = 0;
    for (int k = 1; k <= 12; k++)
        s += cce_value(r, i, j, k);
    return s;
}

static void age_profile(const char *name, const char *profile, double want_u1)
{
    char ap[256];
    snprintf(ap, sizeof ap, "%s", profile);
    cc_params *p = config(0, "", 2000, 0, ap, 0, "", 0, "");
    CHECK(p != NULL, "%s: config", name);
    if (!p)
        return;
    cce_result *r = run(p, 20, 1, 1);
    CHECK(r != NULL, "%s: run", name);
    if (r) {
        double u1 = 0, all = 0;
        for (int i = 0; i < r->reps; i++) {
            u1 += year_sum(r, i, r->L->dfe + CCX_DFE_U1);
            all += year_sum(r, i, r->L->ent_all);
        }
        double share = u1 / all, se = sqrt(want_u1 * (1 - want_u1) / all);
        CHECK(fabs(share - want_u1) < 4 * se, "%s: %.4f of 0-3 entrants under 1 (expected %.4f +- %.4f)", name,
              share, want_u1, 4 * se);
        printf("%s: %.4f of %g entrants aged 0-3 under 1 (expected %.4f)\n", name, share, all, want_u1);
        cce_free(r);
    }
    ccp_free(p);
}

/* Negative binomial (Poisson when v = 0) moves over a year. */
static void frailty(double L, double v)
{
    enum { N = 1000, REPS = 200 };
    char fr[64];
    snprintf(fr, sizeof fr, "frailty_variance = %g;", v);
    cc_params *p = config(N, "", 0, 0, "", 0, "", L, fr);
    CHECK(p != NULL, "frailty %g: config", v);
    if (!p)
        return;
    cce_result *r = run(p, REPS, 1, 1);
    CHECK(r != NULL, "frailty %g: run", v);
    if (r) {
        double s = 0, s2 = 0, pl3 = 0;
        for (int i = 0; i < r->reps; i++) {
            double m = year_sum(r, i, r->L->mv_all);
            s += m;
            s2 += m * m;
            pl3 += cce_value(r, i, r->L->dfe + CCX_DFE_PL3, 12);
        }
        int n = r->reps;
        double mean = s / n, var = (s2 - n * mean * mean) / (n - 1);
        /* per child: mean L, variance L + v L^2; the total of N children */
        double mu = N * L, sig2 = N * (L + v * L * L);
        double p0, p1;
        if (v > 0) {
            double k = 1 / v, q = k / (k + L);
            p0 = pow(q, k);
            p1 = k * p0 * (1 - q);
        } else {
            p0 = exp(-L);
            p1 = L * p0;
        }
        double want = 1 - p0 - p1, got = pl3 / ((double)N * n);
        double se_share = sqrt(want * (1 - want) / ((double)N * n));
        /* sample variance of a near-normal total: relative se sqrt(2/(n-1)) */
        CHECK(fabs(mean - mu) < 4 * sqrt(sig2 / n), "v=%g: mean moves %.1f (expected %.1f)", v, mean, mu);
        CHECK(fabs(var / sig2 - 1) < 4 * sqrt(2.0 / (n - 1)), "v=%g: variance of moves %.0f (expected N(L + v L^2) = %.0f)",
              v, var, sig2);
        CHECK(fabs(got - want) < 4 * se_share, "v=%g: share with 3+ placements %.4f (expected 1 - p0 - p1 = %.4f)", v,
              got, want);
        printf("frailty v=%g: moves mean %.1f (%.1f), variance %.0f (%.0f), 3+ placements %.4f (%.4f)\n", v, mean, mu,
               var, sig2, got, want);
        cce_free(r);
    }
    ccp_free(p);
}

/* A history group for cohort 12-15 with in_care and in_placement quantiles. */
static void history_text(char *buf, size_t n, const double *qc, const double *qp, int nq)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, n - o, "history = { age_12_15 = { in_care = [");
    for (int i = 0; i < nq && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%.6f", i ? ", " : "", qc[i]);
    if (o < n)
        o += (size_t)snprintf(buf + o, n - o, "]; in_placement = [");
    for (int i = 0; i < nq && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%.6f", i ? ", " : "", qp[i]);
    if (o < n)
        snprintf(buf + o, n - o, "]; }; };");
}

/* Children who held their placement T years without moving (in care T
 * years: it began with care; or in care 5 years: it began with a move, and
 * the posterior's shape gains 1: mean rate L (1 + v) / (1 + v L T)). */
static void posterior(double L, double v, double T, int moved)
{
    enum { N = 1000, REPS = 100 };
    char fr[64], h[512];
    double q[2] = {T, T}, qc[2] = {moved ? 5 : T, moved ? 5 : T};
    snprintf(fr, sizeof fr, "frailty_variance = %g;", v);
    history_text(h, sizeof h, qc, q, 2);
    cc_params *p = config(N, h, 0, 0, "", 0, "", L, fr);
    CHECK(p != NULL, "posterior: config");
    if (!p)
        return;
    /* the first month's moves: rate L / (1 + v L T) a year per child */
    cce_result *r = run(p, REPS, 1, 0);
    CHECK(r != NULL, "posterior: run");
    if (r) {
        double m = 0;
        for (int i = 0; i < r->reps; i++)
            m += cce_value(r, i, r->L->mv_all, 1);
        double days = r->snap_t[1] - r->snap_t[0];
        double want = (double)N * REPS * L * (moved ? 1 + v : 1) / (1 + v * L * T) * days / 365.25;
        CHECK(fabs(m - want) < 4 * sqrt(want * (1 + v)), "posterior: first month's moves %.0f (expected %.0f)", m, want);
        printf("posterior%s: first month's moves %.0f, expected %.0f (no update: %.0f)\n", moved ? " after a move" : "", m, want,
               (double)N * REPS * L * days / 365.25);
        cce_free(r);
    }
    ccp_free(p);
}

/* Quantiles (years) at 0, 0.01, ..., 1 of the equilibrium law of a Weibull
 * duration with mean D and shape k: (a/scale)^k ~ Gamma(1/k, 1); the last
 * point is the 0.9995 quantile (the list must end finite). */
static void equilibrium(double D, double k, double *q)
{
    double scale = D / gsl_sf_gamma(1 + 1 / k);
    for (int i = 0; i <= 100; i++) {
        double u = i == 100 ? 0.9995 : i / 100.0;
        q[i] = i == 0 ? 0 : scale * pow(gsl_cdf_gamma_Pinv(u, 1 / k, 1), 1 / k);
    }
}

/* Monthly flow (exits or moves) over months 1-6 against its level. */
static int steady(const char *name, const cc_params *p, int moves, double level, int reps, int quiet)
{
    cce_result *r = run(p, reps, 1, 0);
    if (!r)
        return -1;
    int j = moves ? r->L->mv_all : r->L->ex_all, bad = 0;
    for (int k = 1; k <= 6; k++) {
        double s = 0;
        for (int i = 0; i < r->reps; i++)
            s += cce_value(r, i, j, k);
        double days = r->snap_t[k] - r->snap_t[k - 1];
        double want = level * days / 365.25, got = s / r->reps;
        /* a Poisson-like count per replication, plus 2% for the history's
         * interpolated quantiles */
        double tol = 4 * sqrt(want / r->reps) + 0.02 * want;
        if (fabs(got - want) > tol)
            bad++;
        if (!quiet)
            printf("%s: month %d: %.1f %s (level %.1f +- %.1f)\n", name, k, got, moves ? "moves" : "exits", want, tol);
        else if (k == 1)
            printf("%s: month 1: %.1f %s (level %.1f)\n", name, got, moves ? "moves" : "exits", want);
    }
    cce_free(r);
    return bad;
}

static void steady_state(void)
{
    enum { REPS = 60 };
    const double L = 1000, D = 1, k = 0.8; /* entries a year; mean stay, years; Weibull shape */
    double q[101], zero[2] = {0, 0};
    char *h = malloc(8192);
    if (!h)
        return;
    char wb[64];
    snprintf(wb, sizeof wb, "distribution = \"weibull\"; shape = %g;", k);

    /* exits: entries at L a year into 12-15, stays Weibull mean D; the start
     * population is the mean, L D, with equilibrium elapsed times */
    equilibrium(D, k, q);
    history_text(h, 8192, q, q, 101);
    cc_params *p = config((int)(L * D), h, 0, L, "", 1 / D, wb, 0, "");
    CHECK(p != NULL, "steady state: config");
    if (p) {
        int bad = steady("steady exits, with history", p, 0, L, REPS, 0);
        CHECK(bad == 0, "steady state: %d of the first 6 months' exits off the long-run level", bad);
        ccp_free(p);
    }
    history_text(h, 8192, zero, zero, 2);
    p = config((int)(L * D), h, 0, L, "", 1 / D, wb, 0, "");
    if (p) {
        int bad = steady("steady exits, no history", p, 0, L, REPS, 1);
        CHECK(bad > 0, "control: without history the first months' exits should show the transient");
        ccp_free(p);
    }

    /* moves: a closed population of N children (no entries, no exits) with
     * Weibull placement durations of mean D: a stationary renewal process
     * moves N/D a year, from the start if the placements' ages are in
     * equilibrium */
    const int N = 1000;
    double care[2] = {16, 16};
    (void)care;
    double qc[101];
    for (int i = 0; i <= 100; i++)
        qc[i] = 12; /* in care longer than any placement drawn (capped at age) */
    history_text(h, 8192, qc, q, 101);
    char mv[128];
    snprintf(mv, sizeof mv, "distribution = \"weibull\"; shape = %g;", k);
    p = config(N, h, 0, 0, "", 0, "", 1 / D, mv);
    CHECK(p != NULL, "steady moves: config");
    if (p) {
        int bad = steady("steady moves, with history", p, 1, N / D, REPS, 0);
        CHECK(bad == 0, "steady moves: %d of the first 6 months' moves off the long-run level", bad);
        ccp_free(p);
    }
    p = config(N, "", 0, 0, "", 0, "", 1 / D, mv);
    if (p) {
        int bad = steady("steady moves, no history", p, 1, N / D, REPS, 1);
        CHECK(bad > 0, "control: without history the first months' moves should show the transient");
        ccp_free(p);
    }
    free(h);
}

int main(void)
{
    age_profile("even", "", 0.25);
    age_profile("profile 3:1:1:1", "age_profile = { age_0_3 = [3.0, 1.0, 1.0, 1.0]; };", 0.5);
    frailty(1.5, 0);
    frailty(1.5, 0.6);
    posterior(1.5, 0.6, 2.0, 0);
    posterior(1.5, 0.6, 2.0, 1);
    steady_state();
    return check_done("test_history");
}
