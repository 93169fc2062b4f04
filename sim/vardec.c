/* vardec: variance of a run's series split into parameter and process parts. */
#include "vardec.h"

#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "costs.h"
#include "output.h"
#include "runstats.h"

int ccvd_split(const double *x, int n, int g, ccvd_part *out)
{
    memset(out, 0, sizeof *out);
    if (g < 1)
        return -1;
    int G = n / g;
    if (g == 1) {
        if (n < 2)
            return -1;
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++)
            s += x[i];
        double m = s / n;
        for (int i = 0; i < n; i++)
            s2 += (x[i] - m) * (x[i] - m);
        out->proc = out->total = s2 / (n - 1);
        return 0;
    }
    if (G < 2)
        return -1;
    double grand = 0;
    for (int i = 0; i < G * g; i++)
        grand += x[i];
    grand /= (double)G * g;
    double ssb = 0, ssw = 0;
    for (int k = 0; k < G; k++) {
        double m = 0;
        for (int j = 0; j < g; j++)
            m += x[k * g + j];
        m /= g;
        ssb += g * (m - grand) * (m - grand);
        for (int j = 0; j < g; j++)
            ssw += (x[k * g + j] - m) * (x[k * g + j] - m);
    }
    double msb = ssb / (G - 1), msw = ssw / ((double)G * (g - 1));
    out->proc = msw;
    out->param = msb > msw ? (msb - msw) / g : 0;
    out->total = out->param + out->proc;
    return 0;
}

/* The row's leading columns in a compare's variance.csv (NULL: a run's). */
typedef struct {
    const char *scenario;
    const char *what;
} lead;

static const char head[] = "series,date,replications,draws,total_var,parameter_share,process_share\n";

/* A row from the run's accumulator of the series at one date. */
static int row_acc(FILE *f, const cce_result *r, const lead *ld, const char *series, int32_t day, const ccan *acc)
{
    ccan_split v;
    if (ccan_result(acc, &v) != 0)
        return 0; /* too few replications: no row */
    char d[16], t[32], a[32], b[32];
    ccd_format(day, d);
    cco_num(v.total, t);
    if (v.total > 0) {
        cco_num(v.param / v.total, a);
        cco_num(v.proc / v.total, b);
    } else {
        a[0] = b[0] = '\0';
    }
    int groups = r->draw_group > 1 ? r->reps / r->draw_group : (r->uncertainty ? r->reps : 0);
    if (ld && fprintf(f, "%s,%s,", ld->scenario, ld->what) < 0)
        return -1;
    return fprintf(f, "%s,%s,%d,%d,%s,%s,%s\n", series, d, r->reps, groups, t, a, b) < 0 ? -1 : 0;
}

/* The rows of run r: from its own accumulators (r->stats), or with d the
 * differences of d's scenario i. */
static int rows(FILE *f, const cce_result *r, const ccpa *d, int i, const lead *ld)
{
    const ccrs *rs = r->stats;
    int rc = 0;
    static const char *const name[CCRS_NVAR] = {"looked_after/all", "gap/foster", "gap/residential"};
    for (int v = 0; v < CCRS_NVAR && rc == 0; v++) {
        if (d ? !ccpa_var_stock(d, i, v, 1) : ccrs_var_series(rs, v) < 0)
            continue;
        for (int k = 12; k < r->ndates && rc == 0; k += 12)
            rc = row_acc(f, r, ld, name[v], r->dates[k],
                         d ? ccpa_var_stock(d, i, v, k / 12) : ccrs_var_stock(rs, v, k / 12));
    }
    if ((d ? ccpa_var_spend(d, i, 0) != NULL : ccrs_var_spend(rs, 0) != NULL) && r->ndates > 1 && rc == 0) {
        int fy0 = cct_fy(r->dates[1]), fy1 = cct_fy(r->dates[r->ndates - 1]);
        for (int y = fy0; y <= fy1 && rc == 0; y++) {
            int32_t end = 0;
            for (int k = 1; k < r->ndates; k++)
                if (cct_fy(r->dates[k]) == y)
                    end = r->dates[k];
            rc = row_acc(f, r, ld, "spend/total", end, d ? ccpa_var_spend(d, i, y - fy0) : ccrs_var_spend(rs, y - fy0));
        }
    }
    return rc;
}

/* A run's rows come from its accumulators (runstats.h): the same split as
 * ccvd_split of every replication's values, from exact integer sums. */
int ccvd_write(FILE *f, const cce_result *r)
{
    return fputs(head, f) < 0 ? -1 : rows(f, r, NULL, 0, NULL);
}

int ccvd_write_compare_head(FILE *f)
{
    return fprintf(f, "scenario,what,%s", head) < 0 ? -1 : 0;
}

int ccvd_write_compare(FILE *f, const char *scenario, const cce_result *r, const ccpa *d, int i)
{
    lead lv = {scenario, "level"}, ld = {scenario, "difference"};
    int rc = rows(f, r, NULL, 0, &lv);
    if (rc == 0 && d)
        rc = rows(f, r, d, i, &ld);
    return rc;
}
