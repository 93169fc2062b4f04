/* test_ziggurat: the fast exponential (sim/ziggurat.c) against the exact
 * distribution: its tables (every layer of equal area, the edges where the
 * density says), and a million draws (moments, Kolmogorov-Smirnov,
 * chi-square over the layers' own edges and over the tail); the gamma
 * draw built on it (moments and Kolmogorov-Smirnov at shapes from a
 * child's frailty, 0.012, to 40); the fast normal the gamma draws on (its
 * tables, moments, Kolmogorov-Smirnov, chi-square over the layers' edges
 * and the tail, the signs), and a gamma's constants worked out once
 * giving the same draws as ccz_gamma. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "rng.h"
#include "ziggurat.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Chi-square of counts n[0..k-1] against probabilities p (summing to 1). */
static double chisq(const long *n, const double *p, int k, long total)
{
    double c = 0;
    for (int b = 0; b < k; b++) {
        double e = p[b] * (double)total;
        c += ((double)n[b] - e) * ((double)n[b] - e) / e;
    }
    return c;
}

/* Kolmogorov-Smirnov D sqrt(n) of the sorted x[0..n-1] against Gamma(a, b). */
/* The bin of y >= 0 among a ziggurat's layers and tail: [edges[i+1],
 * edges[i]) is bin i - 1 for i = 1..nl-1 (edges decreasing, edges[1] = r),
 * and past r bins `step` wide, the last of nt open-ended. */
static int layer_bin(double y, double r, const double *edges, int nl, double step, int nt)
{
    if (y >= r) {
        int t = (int)((y - r) / step);
        return nl - 1 + (t < nt - 1 ? t : nt - 1);
    }
    int lo = 1, hi = nl; /* edges[lo] > y >= edges[hi]: find the bin */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (y >= edges[mid])
            hi = mid;
        else
            lo = mid;
    }
    return lo - 1;
}

/* Pool the last tail bins whose expected count (p times total) is under 5
 * into the one before; returns the number of bins left. */
static int pool_tail(long *cnt, double *p, int nl, int nt, long total)
{
    while (nt > 1 && p[nl - 1 + nt - 1] * (double)total < 5) {
        p[nl - 1 + nt - 2] += p[nl - 1 + nt - 1];
        cnt[nl - 1 + nt - 2] += cnt[nl - 1 + nt - 1];
        nt--;
    }
    return nl - 1 + nt;
}

static double ks_gamma(double *x, int n, double a, double b)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    double d = 0;
    for (int i = 0; i < n; i++) {
        double F = gsl_cdf_gamma_P(x[i], a, b);
        d = fmax(d, fmax(fabs(F - (double)i / n), fabs((double)(i + 1) / n - F)));
    }
    return d * sqrt((double)n);
}

static void gamma_draws(gsl_rng *g, double *x)
{
    static const double shapes[] = {0.011985, 0.3, 1.011985, 2.5, 40};
    enum { N = 200000 };
    for (size_t t = 0; t < sizeof shapes / sizeof *shapes; t++) {
        double a = shapes[t], b = 1 / (a + 0.7); /* a scale that is not 1 */
        double m1 = 0, m2 = 0;
        for (int i = 0; i < N; i++) {
            x[i] = ccz_gamma(g, a, b);
            m1 += x[i];
            m2 += x[i] * x[i];
        }
        m1 /= N;
        double var = m2 / N - m1 * m1, mean = a * b, v = a * b * b;
        /* standard errors: sqrt(v / N) for the mean; the variance's from the
         * fourth central moment v^2 (3 + 6 / a) */
        CHECK_NEAR(m1, mean, 5 * sqrt(v / N), "gamma mean");
        CHECK(fabs(var - v) < 5 * sqrt((v * v * (3 + 6 / a) - v * v) / N), "gamma(%g, %g) variance %g, expected %g",
              a, b, var, v);
        double ks = ks_gamma(x, N, a, b);
        CHECK(ks < 1.95, "gamma(%g, %g): Kolmogorov-Smirnov D sqrt(n) = %.3f (0.1%% critical value 1.95)", a, b,
              ks);
    }
}

/* The normal ziggurat: its tables, then a million draws against the exact
 * distribution. */
static void normal_draws(gsl_rng *g, double *x, int n)
{
    /* equal areas v under exp(-x^2 / 2): the base layer with its tail, then
     * each layer's rectangle */
    double r = ccz_nx[1], fr = exp(-r * r / 2), v = r * fr + sqrt(2 * acos(-1.0)) / 2 * erfc(r / sqrt(2));
    CHECK_NEAR(ccz_nx[0] * fr, v, 1e-15, "normal: base layer's area");
    int bad = 0;
    for (int i = 1; i < CCZ_NN; i++) {
        bad += fabs(ccz_nx[i] * (ccz_nf[i + 1] - ccz_nf[i]) - v) > 1e-12 * v;
        bad += !(ccz_nx[i + 1] < ccz_nx[i]);
    }
    for (int i = 0; i <= CCZ_NN; i++)
        bad += fabs(ccz_nf[i] - exp(-ccz_nx[i] * ccz_nx[i] / 2)) > 1e-15;
    for (int i = 0; i < CCZ_NN; i++) {
        bad += ccz_nw[i] != ccz_nx[i] / 16777216.0;
        bad += (double)ccz_nk[i] * ccz_nw[i] > ccz_nx[i + 1];
        bad += (double)(ccz_nk[i] + 1) * ccz_nw[i] < ccz_nx[i + 1] * (1 - 1e-9); /* and no fewer than fit */
    }
    CHECK(bad == 0, "normal: %d table entries inconsistent", bad);
    CHECK(ccz_nx[CCZ_NN] == 0 && ccz_nf[CCZ_NN] == 1, "normal: the top layer reaches the density's peak");

    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    long neg = 0;
    for (int i = 0; i < n; i++) {
        double y = ccz_normal(g);
        x[i] = y;
        m1 += y;
        m2 += y * y;
        m3 += y * y * y;
        m4 += y * y * y * y;
        neg += y < 0;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    /* standard errors of the k-th raw moment: sqrt(E X^2k - (E X^k)^2 / n):
     * 1, sqrt(2), sqrt(15), sqrt(96) */
    double se = 1 / sqrt((double)n);
    CHECK_NEAR(m1, 0, 5 * se, "normal mean");
    CHECK_NEAR(m2, 1, 5 * sqrt(2.0) * se, "normal second moment");
    CHECK_NEAR(m3, 0, 5 * sqrt(15.0) * se, "normal third moment");
    CHECK_NEAR(m4, 3, 5 * sqrt(96.0) * se, "normal fourth moment");
    CHECK(fabs((double)neg - n / 2.0) < 5 * sqrt(n / 4.0), "normal: %ld of %d draws negative", neg, n);

    /* |x| counted between the layers' edges and past r in steps of 0.25 */
    enum { NT = 6 };
    long cnt[CCZ_NN + NT] = {0};
    double p[CCZ_NN + NT];
    for (int i = 1; i < CCZ_NN; i++) /* |x| in [x[i+1], x[i]) */
        p[i - 1] = erfc(ccz_nx[i + 1] / sqrt(2)) - erfc(ccz_nx[i] / sqrt(2));
    for (int t = 0; t < NT; t++) {
        double a = r + 0.25 * t, b = r + 0.25 * (t + 1);
        p[CCZ_NN - 1 + t] = t < NT - 1 ? erfc(a / sqrt(2)) - erfc(b / sqrt(2)) : erfc(a / sqrt(2));
    }
    long tail = 0;
    for (int i = 0; i < n; i++) {
        double y = fabs(x[i]);
        tail += y >= r;
        cnt[layer_bin(y, r, ccz_nx, CCZ_NN, 0.25, NT)]++;
    }
    int k = pool_tail(cnt, p, CCZ_NN, NT, n);
    double c = chisq(cnt, p, k, n), crit = gsl_cdf_chisq_Qinv(0.001, k - 1);
    CHECK(c < crit, "normal: chi-square over the layers' edges and the tail %.1f, 0.1%% critical value %.1f (%d df)",
          c, crit, k - 1);
    double et = n * erfc(r / sqrt(2));
    CHECK(fabs((double)tail - et) < 4 * sqrt(et), "normal: %ld draws past r, expected %.1f", tail, et);

    /* Kolmogorov-Smirnov against the normal's distribution function */
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    double d = 0;
    for (int i = 0; i < n; i++) {
        double F = gsl_cdf_ugaussian_P(x[i]);
        d = fmax(d, fmax(fabs(F - (double)i / n), fabs((double)(i + 1) / n - F)));
    }
    CHECK(d * sqrt((double)n) < 1.95, "normal: Kolmogorov-Smirnov D sqrt(n) = %.3f (0.1%% critical value 1.95)",
          d * sqrt((double)n));

    /* a gamma's constants worked out once draw what ccz_gamma draws */
    gsl_rng *h = gsl_rng_clone(g);
    ccz_gamma_k gk;
    ccz_gamma_prep(&gk, 0.069);
    bad = 0;
    for (int i = 0; i < 1000; i++)
        bad += ccz_gamma_k1(g, &gk) * 2.5 != ccz_gamma(h, 0.069, 2.5);
    CHECK(bad == 0, "ccz_gamma_k1 differs from ccz_gamma %d times", bad);
    gsl_rng_free(h);
}

int main(void)
{
    /* the tables: equal areas v (the base layer with its tail too) */
    double r = ccz_x[1], v = r * exp(-r) + exp(-r);
    CHECK_NEAR(ccz_x[0] * exp(-r), v, 1e-15, "base layer's area");
    int bad = 0;
    for (int i = 1; i < CCZ_N; i++) {
        if (fabs(ccz_x[i] * (ccz_f[i + 1] - ccz_f[i]) - v) > 1e-12 * v)
            bad++;
        if (!(ccz_x[i + 1] < ccz_x[i]))
            bad++;
    }
    CHECK(bad == 0, "%d layers not of area v or not ordered", bad);
    CHECK(ccz_x[CCZ_N] == 0 && ccz_f[CCZ_N] == 1, "the top layer reaches the density's peak");
    bad = 0;
    for (int i = 0; i <= CCZ_N; i++)
        bad += fabs(ccz_f[i] - exp(-ccz_x[i])) > 1e-15;
    for (int i = 0; i < CCZ_N; i++) {
        bad += ccz_w[i] != ccz_x[i] / 16777216.0;
        bad += (double)ccz_k[i] * ccz_w[i] > ccz_x[i + 1]; /* accepted at once only under the curve */
        bad += (double)(ccz_k[i] + 1) * ccz_w[i] < ccz_x[i + 1] * (1 - 1e-9) && i > 0; /* and no fewer than fit */
    }
    CHECK(bad == 0, "%d table entries inconsistent", bad);

    /* a million draws */
    enum { N = 1000000 };
    double *x = malloc(N * sizeof *x);
    CHECK(x != NULL, "memory");
    if (!x)
        return check_done("test_ziggurat");
    gsl_rng *g = gsl_rng_alloc(ccr_type());
    ccr_set(g, 20261202, 0, CCR_CHILD, 1);
    double m1 = 0, m2 = 0, m3 = 0;
    for (int i = 0; i < N; i++) {
        x[i] = ccz_exp1(g);
        m1 += x[i];
        m2 += x[i] * x[i];
        m3 += x[i] * x[i] * x[i];
    }
    m1 /= N;
    m2 /= N;
    m3 /= N;
    /* E X^k = k!; standard errors sqrt((2k)! - k!^2) / sqrt(N): 1, 4.5, 26.7 over 1000; 5 of them */
    CHECK_NEAR(m1, 1, 5 * 1.0 / 1000, "mean");
    CHECK_NEAR(m2, 2, 5 * 4.47 / 1000, "second moment");
    CHECK_NEAR(m3, 6, 5 * 26.2 / 1000, "third moment");
    CHECK_NEAR(ccz_exponential(g, 3.5) >= 0, 1, 0, "a scaled draw is a time");

    /* counts between the layers' edges (each layer's share of the
     * density between x[i+1] and x[i]) and past r in whole units */
    enum { NT = 6 };
    long n[CCZ_N + NT] = {0};
    double p[CCZ_N + NT];
    for (int i = 1; i < CCZ_N; i++) /* bins [x[i+1], x[i]), i = 1..N-1 */
        p[i - 1] = exp(-ccz_x[i + 1]) - exp(-ccz_x[i]);
    for (int t = 0; t < NT; t++) /* [r + t, r + t + 1), the last open-ended */
        p[CCZ_N - 1 + t] = t < NT - 1 ? exp(-(r + t)) - exp(-(r + t + 1)) : exp(-(r + t));
    for (int i = 0; i < N; i++)
        n[layer_bin(x[i], r, ccz_x, CCZ_N, 1.0, NT)]++;
    /* the tail's bins are few draws each: pool them into one expected >= 5 */
    int k = pool_tail(n, p, CCZ_N, NT, N);
    double c = chisq(n, p, k, N), crit = gsl_cdf_chisq_Qinv(0.001, k - 1);
    CHECK(c < crit, "chi-square over the layers' edges and the tail %.1f, 0.1%% critical value %.1f (%d df)", c,
          crit, k - 1);
    /* the tail itself: P(X >= r) = exp(-r) (about 454 draws) */
    long tail = 0;
    for (int i = 0; i < N; i++)
        tail += x[i] >= r;
    double et = N * exp(-r);
    CHECK(fabs((double)tail - et) < 4 * sqrt(et), "%ld draws past r, expected %.1f", tail, et);

    /* Kolmogorov-Smirnov against 1 - exp(-x) */
    qsort(x, N, sizeof *x, cmp_double);
    double d = 0;
    for (int i = 0; i < N; i++) {
        double F = -expm1(-x[i]);
        double a = fabs(F - (double)i / N), b = fabs((double)(i + 1) / N - F);
        d = fmax(d, fmax(a, b));
    }
    /* 1.95 / sqrt(N): the 0.1% critical value */
    CHECK(d * sqrt((double)N) < 1.95, "Kolmogorov-Smirnov D sqrt(n) = %.3f (0.1%% critical value 1.95)",
          d * sqrt((double)N));
    gamma_draws(g, x);
    normal_draws(g, x, N);
    free(x);
    gsl_rng_free(g);
    return check_done("test_ziggurat");
}
