/* summary: mean, sd and percentiles across replications (GSL statistics). */
#include "summary.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void ccy_summarise(double *x, size_t n, ccy_stats *out)
{
    gsl_sort(x, 1, n);
    out->mean = gsl_stats_mean(x, 1, n);
    out->sd = n > 1 ? gsl_stats_sd_m(x, 1, n, out->mean) : 0.0;
    out->p05 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.05);
    out->p25 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.25);
    out->p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    out->p75 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.75);
    out->p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
}
