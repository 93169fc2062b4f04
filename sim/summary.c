/* summary: mean, sd and percentiles across replications (GSL statistics).
 *
 * The statistics are GSL's; only the sort is ours. Summarising a run sorts
 * one sample of `reps` values for every metric, group and date (tens of
 * thousands of sorts for a county), and gsl_sort's heapsort was a fifth of
 * a 1,000-replication run. Most samples are counts of children, whole
 * numbers in a narrow range, which a counting sort orders in linear time;
 * anything else goes to an insertion-sort-finished quicksort. Both give the
 * same sorted array, so the percentiles do not depend on which ran; for
 * counts the mean and standard deviation come from the counts themselves
 * (GSL's running mean divides at every step, and was another tenth of a
 * run), equal to GSL's to rounding. */
#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

enum { COUNT_RANGE = 4096, SMALL = 16 };

static void insertion_sort(double *x, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = x[i];
        size_t j = i;
        while (j > 0 && x[j - 1] > v) {
            x[j] = x[j - 1];
            j--;
        }
        x[j] = v;
    }
}

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Quicksort with median-of-three pivots; recursion on the smaller side only,
 * so the stack stays O(log n). Leaves runs of < SMALL for insertion sort. */
static void quick(double *x, size_t n)
{
    while (n >= SMALL) {
        size_t mid = n / 2;
        if (x[mid] < x[0])
            swap(&x[mid], &x[0]);
        if (x[n - 1] < x[0])
            swap(&x[n - 1], &x[0]);
        if (x[n - 1] < x[mid])
            swap(&x[n - 1], &x[mid]);
        double pivot = x[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i >= j)
                break;
            swap(&x[i], &x[j]);
            i++;
            j--;
        }
        size_t left = j + 1; /* x[0..j] <= pivot <= x[j+1..n-1] */
        if (left < n - left) {
            quick(x, left);
            x += left;
            n -= left;
        } else {
            quick(x + left, n - left);
            n = left;
        }
    }
}

/* The mean and standard deviation of n whole numbers given as counts:
 * count[v] values lo + v, v < range (the first and last counts not 0). */
static void count_moments(double lo, const uint32_t *count, size_t range, size_t n, ccy_stats *out)
{
    double sum = 0;
    for (size_t v = 0; v < range; v++)
        sum += (double)count[v] * (double)v;
    double m = sum / (double)n, ss = 0;
    for (size_t v = 0; v < range; v++)
        if (count[v])
            ss += (double)count[v] * ((double)v - m) * ((double)v - m);
    out->mean = lo + m;
    out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
}

/* Sort x ascending and set the mean and standard deviation. NaNs are not
 * expected (every metric is a count, a sum or a ratio of counts). */
static void sort_sample(double *x, size_t n, ccy_stats *out)
{
    double lo = x[0], hi = x[0];
    int whole = 1;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (v < lo)
            lo = v;
        if (v > hi)
            hi = v;
        if (v != floor(v))
            whole = 0;
    }
    if (whole && hi - lo < COUNT_RANGE && n > SMALL) {
        /* whole numbers in a narrow range: count them; the mean and the
         * squared deviations come from the counts, exactly summed */
        uint32_t count[COUNT_RANGE];
        size_t range = (size_t)(hi - lo) + 1;
        memset(count, 0, range * sizeof count[0]);
        for (size_t i = 0; i < n; i++)
            count[(size_t)(x[i] - lo)]++;
        size_t k = 0;
        for (size_t v = 0; v < range; v++)
            for (uint32_t c = count[v]; c > 0; c--)
                x[k++] = lo + (double)v;
        count_moments(lo, count, range, n, out);
        return;
    }
    quick(x, n);
    insertion_sort(x, n);
    out->mean = gsl_stats_mean(x, 1, n);
    out->sd = n > 1 ? gsl_stats_sd_m(x, 1, n, out->mean) : 0.0;
}

void ccy_summarise(double *x, size_t n, ccy_stats *out)
{
    sort_sample(x, n, out);
    out->p05 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.05);
    out->p25 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.25);
    out->p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    out->p75 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.75);
    out->p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
}

void ccy_summarise_counts(double lo, const uint32_t *count, size_t range, size_t n, double *scratch, ccy_stats *out)
{
    if (!(n > SMALL && range < COUNT_RANGE)) { /* ccy_summarise takes another path: take it */
        size_t k = 0;
        for (size_t v = 0; v < range; v++)
            for (uint32_t c = count[v]; c > 0; c--)
                scratch[k++] = lo + (double)v;
        ccy_summarise(scratch, k, out);
        return;
    }
    count_moments(lo, count, range, n, out);
    /* the order statistics GSL's interpolated quantiles read, in one walk */
    static const double f[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
    size_t want[10], lhs[5];
    double delta[5], got[10];
    for (int q = 0; q < 5; q++) {
        const double index = f[q] * (double)(n - 1);
        lhs[q] = (size_t)index;
        delta[q] = index - (double)lhs[q];
        want[2 * q] = lhs[q];
        want[2 * q + 1] = lhs[q] + 1 < n ? lhs[q] + 1 : lhs[q];
    }
    size_t seen = 0;
    int w = 0;
    for (size_t v = 0; v < range && w < 10; v++) {
        seen += count[v];
        while (w < 10 && want[w] < seen)
            got[w++] = lo + (double)v;
    }
    double *p[5] = {&out->p05, &out->p25, &out->p50, &out->p75, &out->p95};
    for (int q = 0; q < 5; q++)
        *p[q] = lhs[q] == n - 1 ? got[2 * q] : (1 - delta[q]) * got[2 * q] + delta[q] * got[2 * q + 1];
}
