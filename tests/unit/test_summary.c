/* test_summary: the sample sort agrees with gsl_sort on whole-number and
 * real samples of many sizes (ties, sorted, reversed input), and the
 * statistics match GSL's on known data. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "check.h"
#include "summary.h"

static int same_stats(double *a, size_t n)
{
    double *b = malloc(n * sizeof *b);
    if (!b || n == 0) {
        free(b);
        return 0;
    }
    memcpy(b, a, n * sizeof *b);
    ccy_stats st;
    ccy_summarise(a, n, &st);
    gsl_sort(b, 1, n);
    int ok = memcmp(a, b, n * sizeof *a) == 0;
    double m = gsl_stats_mean(b, 1, n), sd = n > 1 ? gsl_stats_sd_m(b, 1, n, m) : 0;
    ok = ok && fabs(st.mean - m) <= 1e-12 * (1 + fabs(m));
    ok = ok && fabs(st.sd - sd) <= 1e-9 * (1 + sd);
    ok = ok && st.p05 == gsl_stats_quantile_from_sorted_data(b, 1, n, 0.05);
    ok = ok && st.p50 == gsl_stats_quantile_from_sorted_data(b, 1, n, 0.5);
    ok = ok && st.p95 == gsl_stats_quantile_from_sorted_data(b, 1, n, 0.95);
    free(b);
    return ok;
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 11);
    static double x[5000];
    const size_t sizes[] = {1, 2, 3, 15, 16, 17, 100, 999, 1000, 5000};
    int bad = 0, cases = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int kind = 0; kind < 7; kind++) {
            for (size_t i = 0; i < n; i++) {
                double u = gsl_rng_uniform(r);
                switch (kind) {
                case 0: x[i] = floor(u * 30) + 900; break;          /* counts, many ties */
                case 1: x[i] = u * 1000 - 500; break;               /* reals */
                case 2: x[i] = floor(u * 1e6); break;               /* wide whole numbers */
                case 3: x[i] = (double)i; break;                    /* sorted */
                case 4: x[i] = (double)(n - i) + 0.5; break;        /* reversed reals */
                case 5: x[i] = 7; break;                            /* all equal */
                default: x[i] = u < 0.5 ? -3.25 : 2.5; break;       /* two values */
                }
            }
            cases++;
            if (!same_stats(x, n)) {
                bad++;
                fprintf(stderr, "mismatch: n=%zu kind=%d\n", n, kind);
            }
        }
    }
    CHECK(bad == 0, "%d of %d samples sorted or summarised differently from GSL", bad, cases);

    double k[] = {4, 1, 3, 2, 5};
    ccy_stats st;
    ccy_summarise(k, 5, &st);
    CHECK(st.mean == 3 && fabs(st.sd - sqrt(2.5)) < 1e-15, "mean 3, sd sqrt(2.5): %g %g", st.mean, st.sd);
    CHECK(st.p50 == 3 && st.p25 == 2 && st.p75 == 4, "quartiles 2,3,4");
    CHECK(fabs(st.p05 - 1.2) < 1e-12 && fabs(st.p95 - 4.8) < 1e-12, "p05 1.2, p95 4.8: %g %g", st.p05, st.p95);
    double one[] = {42};
    ccy_summarise(one, 1, &st);
    CHECK(st.mean == 42 && st.sd == 0 && st.p05 == 42 && st.p95 == 42, "single replication");
    gsl_rng_free(r);
    return check_done("test_summary");
}
