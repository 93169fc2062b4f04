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
 *    matches L^2 Var[g] / (L E[g] + L^2 Var[g]).
 * 4. Drift: entries at L a year whose log rate takes a random walk step of
 *    sd s a year (mean-preserving), so that in forecast year y (0 first) the
 *    rate is L W_y with E W_y = 1 and Var W_y = exp((y + 1) s^2) - 1 (with
 *    persistence phi < 1, an AR(1): exp(s^2 (1 + phi^2 + ... + phi^2y)) - 1): the
 *    year's entries have mean L and variance L + L^2 Var W_y (a Poisson
 *    mixture), inside their 99% intervals in the first and the last year;
 *    without uncertainty plain Poisson; the same bytes on 1 and 2 threads;
 *    uncertainty_group sets the draw group.
 * 5. A staying-put share with counts (the 2019 back-test config: 32 of 74):
 *    over many draws its mean and variance are Beta(32.5, 42.5)'s, and the
 *    other destinations at 18 make room (each row still sums to 1). */
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

/* entries in forecast year y of replication i */
static double year_entries(const cce_result *r, int i, int y)
{
    double n = 0;
    for (int k = 12 * y + 1; k <= 12 * y + 12; k++)
        n += cce_value(r, i, r->L->ent_all, k);
    return n;
}

static void drift(double PHI)
{
    const double S = 0.25, LE = 60;
    enum { DY = 5 };
    char extra[256];
    snprintf(extra, sizeof extra,
             "drift = { entries = %g; exits = 0.2; persistence = %g; why = \"test\"; };\nuncertainty_group = 3;\n", S,
             PHI);
    cc_params *p = testcfg_mminf_with(LE, 0.5, "", extra);
    CHECK(p != NULL, "config with drift loads");
    if (!p)
        return;
    CHECK(ccu_count(p->unc) == 1 && ccu_drift(p->unc) != NULL, "the drift group counts as one uncertain setting");
    CHECK(ccu_group(p->unc) == 3, "uncertainty_group read");
    cce_opts o = {REPS, DY, 2, 93, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_unc u = {CCE_UNC_ON, 1}; /* a draw per replication: the years' counts are independent mixtures */
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run_unc(p, &o, &u, 0, NULL, NULL, &r, err) == 0, "run with drift");
    if (!r)
        return;
    for (int y = 0; y < DY; y += DY - 1) {
        double s = 0, s2 = 0, s4 = 0;
        for (int i = 0; i < r->reps; i++)
            s += year_entries(r, i, y);
        double m = s / r->reps;
        for (int i = 0; i < r->reps; i++) {
            double d = year_entries(r, i, y) - m;
            s2 += d * d;
            s4 += d * d * d * d;
        }
        double var = s2 / (r->reps - 1), m4 = s4 / r->reps;
        double sem = sqrt(var / r->reps), sev = sqrt((m4 - var * var) / r->reps);
        double vx = 0; /* Var x_y of the AR(1) walk */
        for (int i = 0; i <= y; i++)
            vx = PHI * PHI * vx + S * S;
        double V = LE + LE * LE * (exp(vx) - 1);
        printf("drift (persistence %g): year %d entries mean %.2f (expected %.0f), variance %.1f (expected %.1f; Poisson %.0f)\n", PHI,
               y + 1, m, LE, var, V, LE);
        CHECK(fabs(m - LE) < Z99 * sem, "year %d: mean %.2f inside the 99%% interval of %.0f +- %.2f", y + 1, m, LE,
              Z99 * sem);
        CHECK(fabs(var - V) < Z99 * sev, "year %d: variance %.1f inside the 99%% interval of %.1f +- %.1f", y + 1, var,
              V, Z99 * sev);
    }
    cce_free(r);
    /* off: plain Poisson entries */
    u.mode = CCE_UNC_OFF;
    CHECK(cce_run_unc(p, &o, &u, 0, NULL, NULL, &r, err) == 0, "run without uncertainty");
    {
        double s = 0, s2 = 0;
        for (int i = 0; i < r->reps; i++)
            s += year_entries(r, i, DY - 1);
        double m = s / r->reps;
        for (int i = 0; i < r->reps; i++)
            s2 += (year_entries(r, i, DY - 1) - m) * (year_entries(r, i, DY - 1) - m);
        double var = s2 / (r->reps - 1);
        CHECK(fabs(var - LE) < 0.15 * LE, "off: last year's entries variance %.1f near Poisson's %.0f", var, LE);
    }
    cce_free(r);
    /* the config's group, and the same bytes on 1 and 2 threads */
    u.mode = CCE_UNC_ON;
    u.draw_group = 0;
    o.reps = 300;
    cce_result *r1 = NULL, *r2 = NULL;
    o.threads = 1;
    CHECK(cce_run_unc(p, &o, &u, 0, NULL, NULL, &r1, err) == 0, "run -j 1");
    o.threads = 2;
    CHECK(cce_run_unc(p, &o, &u, 0, NULL, NULL, &r2, err) == 0, "run -j 2");
    CHECK(r1->draw_group == 3, "the run uses the config's uncertainty_group (%d)", r1->draw_group);
    size_t n = (size_t)r1->reps * (size_t)r1->L->n * (size_t)r1->ndates;
    CHECK(memcmp(r1->data, r2->data, n * sizeof *r1->data) == 0, "drift: -j 1 and -j 2 give the same numbers");
    cce_free(r1);
    cce_free(r2);
    ccp_free(p);
}

/* The drift draws themselves (no run): entries by cohort plus a shared
 * walk (variances add, cohorts covary by the shared one's), and a size's
 * dof (the staying-put shift, x itself, has variance sd^2 n / (n - 2)). */
static void drift_parts(void)
{
    const double E0 = 0.05, E4 = 0.3, C = 0.15, SP = 0.3, NU = 6;
    char extra[512];
    snprintf(extra, sizeof extra,
             "drift = { entries = 0.2; staying_put = %g; entries_by_cohort = { age_0_3 = %g; age_16_17 = %g; };"
             " common = %g; dof = { staying_put = %g; }; why = \"test\"; };\n", SP, E0, E4, C, NU);
    cc_params *p = testcfg_mminf_with(60, 0.5, "", extra);
    CHECK(p != NULL, "config with drift by cohort, common and dof loads");
    if (!p)
        return;
    const cc_params *ph[1] = {p};
    ccu_work *w = ccu_work_new(ph, 1, 2);
    CHECK(w != NULL, "work");
    enum { N = 20000 };
    double v0 = E0 * E0 + C * C, v4 = E4 * E4 + C * C, v1 = 0.2 * 0.2 + C * C;
    double s[3] = {0}, ss[3] = {0}, s04 = 0, sp = 0, sp2 = 0;
    for (int i = 0; i < N; i++) {
        const cc_params *const *d = ccu_work_draw(w, 11, (uint64_t)i);
        const double *dr = d[0]->drift;
        /* year 0: log multiplier = x - Var x / 2 */
        double x0 = log(dr[CCU_DR_ENTRY + 0]) + v0 / 2, x4 = log(dr[CCU_DR_ENTRY + 4]) + v4 / 2;
        double x1 = log(dr[CCU_DR_ENTRY + 1]) + v1 / 2;
        double x[3] = {x0, x4, x1};
        for (int k = 0; k < 3; k++) {
            s[k] += x[k];
            ss[k] += x[k] * x[k];
        }
        s04 += x0 * x4;
        double y = dr[CCU_DR_STAYPUT];
        sp += y;
        sp2 += y * y;
    }
    double want[3] = {v0, v4, v1};
    const char *name[3] = {"0-3", "16-17", "4-6 (entries' size)"};
    for (int k = 0; k < 3; k++) {
        double m = s[k] / N, v = ss[k] / N - m * m;
        printf("drift parts: cohort %s log-entry step variance %.5f (expected %.5f)\n", name[k], v, want[k]);
        CHECK(fabs(m) < 4 * sqrt(want[k] / N), "cohort %s: mean step %.5f near 0", name[k], m);
        CHECK(fabs(v - want[k]) < 4 * want[k] * sqrt(2.0 / N), "cohort %s: variance %.5f near %.5f", name[k], v,
              want[k]);
    }
    double c = s04 / N - (s[0] / N) * (s[1] / N);
    printf("drift parts: covariance of cohorts 0-3 and 16-17 %.5f (expected the shared %.5f)\n", c, C * C);
    CHECK(fabs(c - C * C) < 4 * sqrt(v0 * v4 / N), "the cohorts covary by the shared walk's variance");
    double m = sp / N, v = sp2 / N - m * m, V = SP * SP * NU / (NU - 2);
    /* the shift is a t with NU dof scaled by SP: kurtosis 3 + 6 / (NU - 4) */
    double se = V * sqrt((2 + 6 / (NU - 4)) / N);
    printf("drift parts: staying-put shift variance %.5f (expected %.5f with dof %g; %.5f without)\n", v, V, NU,
           SP * SP);
    CHECK(fabs(v - V) < 4 * se, "staying-put shift variance %.5f near sd^2 n/(n-2) = %.5f", v, V);
    ccu_work_free(w);
    ccp_free(p);
}

/* The step every family shares (drift.shared): entries, an exit route and
 * the staying-put shift covary by the product of their signed loadings,
 * each walk's variance is its own plus its loading squared, and a config
 * with the loadings at 0 draws its walks as without them. */
static void drift_shared(void)
{
    const double E = 0.1, BE = 0.2, BX = -0.15, BS = 0.3, X = 0.1;
    char extra[512];
    snprintf(extra, sizeof extra,
             "drift = { entries = %g; exits = %g; shared = { entries = %g; exits = %g; staying_put = %g; };"
             " why = \"test\"; };\n", E, X, BE, BX, BS);
    cc_params *p = testcfg_mminf_with(60, 0.5, "", extra);
    CHECK(p != NULL, "config with a shared drift step loads");
    if (!p)
        return;
    const cc_params *ph[1] = {p};
    ccu_work *w = ccu_work_new(ph, 1, 2);
    CHECK(w != NULL, "work");
    enum { N = 20000 };
    double ve = E * E + BE * BE, vx = X * X + BX * BX;
    double s[3] = {0}, ss[3] = {0}, sex = 0, ses = 0;
    for (int i = 0; i < N && w; i++) {
        const double *dr = ccu_work_draw(w, 5, (uint64_t)i)[0]->drift;
        double x[3] = {log(dr[CCU_DR_ENTRY + 2]) + ve / 2, log(dr[CCU_DR_EXIT + 1]) + vx / 2, dr[CCU_DR_STAYPUT]};
        for (int k = 0; k < 3; k++) {
            s[k] += x[k];
            ss[k] += x[k] * x[k];
        }
        sex += x[0] * x[1];
        ses += x[0] * x[2];
    }
    double want[3] = {ve, vx, BS * BS};
    for (int k = 0; k < 3; k++) {
        double m = s[k] / N, v = ss[k] / N - m * m;
        CHECK(fabs(v - want[k]) < 4 * want[k] * sqrt(2.0 / N), "shared step: walk %d variance %.5f near %.5f", k, v,
              want[k]);
    }
    double cex = sex / N - s[0] / N * s[1] / N, ces = ses / N - s[0] / N * s[2] / N;
    printf("drift shared: covariance entries x exits %.5f (expected %.5f), entries x staying put %.5f (expected "
           "%.5f)\n", cex, BE * BX, ces, BE * BS);
    CHECK(fabs(cex - BE * BX) < 4 * sqrt(ve * vx / N), "entries and exits covary by b_E b_X");
    CHECK(fabs(ces - BE * BS) < 4 * sqrt(ve * BS * BS / N), "entries and staying put covary by b_E b_S");
    ccu_work_free(w);
    ccp_free(p);
    /* loadings of 0: the same walks as a config without the group */
    cc_params *a = testcfg_mminf_with(60, 0.5, "", "drift = { entries = 0.1; exits = 0.1; why = \"t\"; };\n");
    cc_params *b = testcfg_mminf_with(60, 0.5, "",
                                      "drift = { entries = 0.1; exits = 0.1; shared = { exits = 0; }; why = \"t\"; };\n");
    CHECK(a && b, "configs with and without zero loadings load");
    if (a && b) {
        const cc_params *pa[1] = {a}, *pb[1] = {b};
        ccu_work *wa = ccu_work_new(pa, 1, 3), *wb = ccu_work_new(pb, 1, 3);
        const double *da = ccu_work_draw(wa, 9, 4)[0]->drift, *db = ccu_work_draw(wb, 9, 4)[0]->drift;
        CHECK(memcmp(da, db, 3 * CCU_NDRIFT * sizeof *da) == 0, "zero loadings draw the walks unchanged");
        ccu_work_free(wa);
        ccu_work_free(wb);
    }
    ccp_free(a);
    ccp_free(b);
}

static void staying_put(void)
{
    char path[4096];
    cc_diag *g = ccg_new();
    cc_params *p = NULL;
    CHECK(ccp_load(testcfg_root_path("config/nottinghamshire-2019.cfg", path, sizeof path), g, &p) == CCP_OK,
          "the 2019 config loads");
    ccg_free(g);
    if (!p)
        return;
    const cc_params *ph[1] = {p};
    ccu_work *w = ccu_work_new(ph, 1, 3);
    CHECK(w != NULL, "work");
    enum { N = 20000 };
    double a = 32.5, b = 42.5, s = 0, s2 = 0;
    int sums = 1, moved_kin = 0;
    for (int i = 0; i < N; i++) {
        const cc_params *const *d = ccu_work_draw(w, 5, (uint64_t)i);
        double x = d[0]->leave18[CCM_FOSTER][CCM_STAYING_PUT], t = 0;
        for (int k = 0; k < CCM_NDEST; k++)
            t += d[0]->leave18[CCM_FOSTER][k];
        sums &= fabs(t - 1) < 1e-9;
        moved_kin |= d[0]->leave18[CCM_KINSHIP][CCM_STAYING_PUT] != p->leave18[CCM_KINSHIP][CCM_STAYING_PUT];
        s += x;
        s2 += x * x;
    }
    double m = s / N, v = s2 / N - m * m, M = a / (a + b), V = a * b / ((a + b) * (a + b) * (a + b + 1));
    printf("staying put: mean %.4f (Beta %.4f), variance %.6f (Beta %.6f)\n", m, M, v, V);
    CHECK(fabs(m - M) < Z99 * sqrt(V / N), "staying-put mean %.4f near Beta's %.4f", m, M);
    CHECK(fabs(v - V) < 0.1 * V, "staying-put variance %.6f near Beta's %.6f", v, V);
    CHECK(sums, "every drawn row of destinations at 18 sums to 1");
    CHECK(moved_kin, "the kinship share is drawn too");
    ccu_work_free(w);
    ccp_free(p);
}

/* The start-date children's history: the 2019 config draws its in-care time
 * scale (initial.history.in_care, factor90 from the fit), one factor for
 * every band and quantile; the placement history is not drawn. */
static void history_scale(void)
{
    char path[4096];
    cc_diag *g = ccg_new();
    cc_params *p = NULL;
    CHECK(ccp_load(testcfg_root_path("config/nottinghamshire-2019.cfg", path, sizeof path), g, &p) == CCP_OK,
          "the 2019 config loads");
    ccg_free(g);
    if (!p)
        return;
    const cc_params *ph[1] = {p};
    ccu_work *w = ccu_work_new(ph, 1, 3);
    enum { N = 2000 };
    int one = 1, place = 1;
    double s = 0, s2 = 0;
    for (int i = 0; w && i < N; i++) {
        const cc_params *d = ccu_work_draw(w, 3, (uint64_t)i)[0];
        double f = d->hist_care[3][50] / p->hist_care[3][50];
        for (int c = 0; c < CCM_NCOHORT; c++)
            for (int q = 0; q < p->hist_n[c]; q++) {
                one &= fabs(d->hist_care[c][q] - f * p->hist_care[c][q]) <= 1e-9 * (1 + p->hist_care[c][q]);
                place &= d->hist_place[c][q] == p->hist_place[c][q];
            }
        s += log(f);
        s2 += log(f) * log(f);
    }
    double sd = sqrt(s2 / N - (s / N) * (s / N));
    printf("history: in-care time scale drawn, log sd %.4f\n", sd);
    CHECK(one, "every band's and quantile's time in care is scaled by the one drawn factor");
    CHECK(sd > 0.01 && sd < 0.5, "the time scale varies between draws (log sd %.4f)", sd);
    CHECK(place, "the placement history is not drawn");
    ccu_work_free(w);
    ccp_free(p);
}

int main(void)
{
    history_scale();
    split_by_hand();
    staying_put();
    drift_parts();
    drift_shared();
    drift(1);
    drift(0.5);
    mixture();
    return check_done("test_uncert");
}
