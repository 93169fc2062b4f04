/* bizcase: NPV, payback, cashable savings and cost per child-week of gap
 * closed, per replication of a paired comparison, summarised by year. */
#include "bizcase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "costs.h"
#include "output.h"

const char *const ccb_q_metric[CCB_NQ] = {"lever_cost", "lever_cost", "lever_cost", "lever_cost", "savings",
                                          "savings",    "savings",    "net_benefit", "npv",       "p_payback",
                                          "gap_weeks_closed"};
const char *const ccb_q_group[CCB_NQ] = {"capital", "one_off", "revenue", "all", "all", "cashable",
                                         "non_cashable", "all", "all", "all", "all"};
/* Which way is better (comparison.csv's share_better): +1 higher, 0 neither. */
static const int q_better[CCB_NQ] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1};

struct ccb_case {
    char *name;
    int fy0, nfy, price_year;
    double rate, deflator, cost_per_week;
    int *months;
    ccy_stats *st; /* [q * nfy + y] */
    double *better; /* [q * nfy + y]: share of replications above 0 */
    ccy_stats payback;
    csn_cost *cost;
    int ncost;
};

double ccb_discount(double r, int y) { return pow(1 + r, -y); }

double ccb_real(double cash, double g, int fy, int price_year) { return cash / pow(1 + g, fy - price_year); }

void ccb_npv(const double *net, int nfy, double r, double *cum)
{
    double s = 0;
    for (int y = 0; y < nfy; y++) {
        s += net[y] * ccb_discount(r, y);
        cum[y] = s;
    }
}

int ccb_payback(const double *cum, int nfy)
{
    for (int y = 0; y < nfy; y++)
        if (cum[y] > 0)
            return y;
    return -1;
}

double ccb_cashable(double saving, double budget, double scenario_spend)
{
    if (saving <= 0)
        return saving;
    double below = budget - scenario_spend;
    return below <= 0 ? 0 : below < saving ? below : saving;
}

static int32_t fy_first(int fy) { return ccd_from_ymd(fy, 4, 1); }

void ccb_lever_costs(const csn_cost *c, int n, int32_t start, int32_t end, int fy0, int nfy, double *capital,
                     double *one_off, double *revenue)
{
    int32_t first = start + 1;
    for (int i = 0; i < n; i++) {
        int32_t d = c[i].from_day > first ? c[i].from_day : first;
        if (d <= end) {
            int y = cct_fy(d) - fy0;
            if (y >= 0 && y < nfy) {
                capital[y] += c[i].capital;
                one_off[y] += c[i].one_off;
            }
        }
        if (c[i].revenue <= 0)
            continue;
        int32_t last = c[i].to_day != INT32_MAX && c[i].to_day - 1 < end ? c[i].to_day - 1 : end;
        for (int y = 0; y < nfy; y++) {
            int32_t a = fy_first(fy0 + y), b = fy_first(fy0 + y + 1) - 1;
            int32_t lo = a > d ? a : d, hi = b < last ? b : last;
            if (hi >= lo)
                revenue[y] += c[i].revenue * (double)(hi - lo + 1) / (double)(b - a + 1);
        }
    }
}

double ccb_cost_pv(const csn_cost *c, int n, int32_t start, int32_t end, double r)
{
    int fy0 = cct_fy(start + 1), nfy = cct_fy(end) - fy0 + 1;
    if (nfy < 1)
        return 0;
    double *v = calloc((size_t)nfy * 3, sizeof *v);
    if (!v)
        return NAN;
    ccb_lever_costs(c, n, start, end, fy0, nfy, v, v + nfy, v + 2 * nfy);
    double pv = 0;
    for (int y = 0; y < nfy; y++)
        pv += (v[y] + v[nfy + y] + v[2 * nfy + y]) * ccb_discount(r, y);
    free(v);
    return pv;
}

void ccb_free(ccb_case *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->months);
    free(c->st);
    free(c->better);
    free(c->cost);
    free(c);
}

/* Positive part of the capacity gap of run r, replication i, date k,
 * summed over placement types. */
static double gap_at(const cce_result *r, int i, int k)
{
    double g = 0;
    for (int t = 0; t < CCM_NPT; t++) {
        double v = cce_value(r, i, r->L->gap + t, k);
        g += v > 0 ? v : 0;
    }
    return g;
}

ccb_case *ccb_compute(const cce_result *b, const cce_result *s, const csn_scenario *sc)
{
    if (b->L->spend < 0 || s->L->spend < 0 || s->ndates < 2 || b->reps != s->reps || b->ndates != s->ndates)
        return NULL;
    const cct_params *cp = &b->p->costs;
    int n = s->reps, K = s->ndates;
    int fy0 = cct_fy(s->dates[1]), nfy = cct_fy(s->dates[K - 1]) - fy0 + 1;
    ccb_case *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    size_t nf = (size_t)nfy;
    c->name = malloc(strlen(s->p->scenario) + 1);
    c->months = calloc(nf, sizeof *c->months);
    c->st = calloc((size_t)CCB_NQ * nf, sizeof *c->st);
    c->better = calloc((size_t)CCB_NQ * nf, sizeof *c->better);
    c->cost = malloc((size_t)(sc->nlevers > 0 ? sc->nlevers : 1) * sizeof *c->cost);
    /* per replication, by year: q-major values; then across replications */
    double *v = malloc((size_t)CCB_NQ * nf * (size_t)n * sizeof *v);
    double *lc = calloc(3 * nf, sizeof *lc), *net = malloc(nf * sizeof *net), *cum = malloc(nf * sizeof *cum);
    double *x = malloc((size_t)n * sizeof *x), *pb = malloc((size_t)n * sizeof *pb);
    if (!c->name || !c->months || !c->st || !c->better || !c->cost || !v || !lc || !net || !cum || !x || !pb) {
        free(v), free(lc), free(net), free(cum), free(x), free(pb);
        ccb_free(c);
        return NULL;
    }
    strcpy(c->name, s->p->scenario);
    c->fy0 = fy0;
    c->nfy = nfy;
    c->price_year = cp->price_year;
    c->rate = cp->discount_rate;
    c->deflator = cp->deflator;
    c->ncost = sc->nlevers;
    if (sc->nlevers > 0)
        memcpy(c->cost, sc->cost, (size_t)sc->nlevers * sizeof *c->cost);
    for (int k = 1; k < K; k++)
        c->months[cct_fy(s->dates[k]) - fy0]++;
    ccb_lever_costs(sc->cost, sc->nlevers, s->p->start_day, s->dates[K - 1], fy0, nfy, lc, lc + nf, lc + 2 * nf);
#define V(q, y, i) v[((size_t)(q) * nf + (size_t)(y)) * (size_t)n + (size_t)(i)]
    int tb = b->L->spend + CCT_NLINE, ts = s->L->spend + CCT_NLINE; /* spend / total */
    double weeks_all = 0, npv_all = 0;
    for (int i = 0; i < n; i++) {
        double *sb = calloc(2 * nf, sizeof *sb);
        if (!sb) {
            free(v), free(lc), free(net), free(cum), free(x), free(pb);
            ccb_free(c);
            return NULL;
        }
        double *ss = sb + nf;
        for (int y = 0; y < nfy; y++)
            V(CCB_GAP_WEEKS, y, i) = 0;
        for (int k = 1; k < K; k++) {
            int y = cct_fy(s->dates[k]) - fy0;
            sb[y] += cce_value(b, i, tb, k);
            ss[y] += cce_value(s, i, ts, k);
            V(CCB_GAP_WEEKS, y, i) += (gap_at(b, i, k) - gap_at(s, i, k)) * (s->dates[k] - s->dates[k - 1]) / 7.0;
        }
        double budget_month = ccb_real(sb[0], cp->deflator, fy0, cp->price_year) / c->months[0];
        for (int y = 0; y < nfy; y++) {
            double rb = ccb_real(sb[y], cp->deflator, fy0 + y, cp->price_year);
            double rs = ccb_real(ss[y], cp->deflator, fy0 + y, cp->price_year);
            double saving = rb - rs, cash = ccb_cashable(saving, budget_month * c->months[y], rs);
            double cost = lc[y] + lc[nf + y] + lc[2 * nf + y];
            V(CCB_CAPITAL, y, i) = lc[y];
            V(CCB_ONE_OFF, y, i) = lc[nf + y];
            V(CCB_REVENUE, y, i) = lc[2 * nf + y];
            V(CCB_LEVER_COST, y, i) = cost;
            V(CCB_SAVINGS, y, i) = saving;
            V(CCB_CASHABLE, y, i) = cash;
            V(CCB_NON_CASHABLE, y, i) = saving - cash;
            V(CCB_NET, y, i) = net[y] = saving - cost;
            weeks_all += V(CCB_GAP_WEEKS, y, i);
        }
        free(sb);
        ccb_npv(net, nfy, cp->discount_rate, cum);
        int p = ccb_payback(cum, nfy);
        pb[i] = p < 0 ? nfy : p;
        for (int y = 0; y < nfy; y++) {
            V(CCB_NPV, y, i) = cum[y];
            V(CCB_PAID, y, i) = p >= 0 && p <= y;
        }
        npv_all += cum[nfy - 1];
    }
    for (int q = 0; q < CCB_NQ; q++)
        for (int y = 0; y < nfy; y++) {
            int above = 0;
            for (int i = 0; i < n; i++) {
                x[i] = V(q, y, i);
                above += x[i] > 0;
            }
            c->better[(size_t)q * nf + (size_t)y] = (double)above / n;
            ccy_summarise(x, (size_t)n, &c->st[(size_t)q * nf + (size_t)y]);
        }
#undef V
    ccy_summarise(pb, (size_t)n, &c->payback);
    c->cost_per_week = weeks_all > 0 ? -npv_all / weeks_all : NAN;
    free(v), free(lc), free(net), free(cum), free(x), free(pb);
    return c;
}

static void row(FILE *f, const char *scen, int32_t day, const char *metric, const ccy_stats *st, const char *better)
{
    char date[16], v[7][64];
    ccd_format(day, date);
    const double *a = &st->mean;
    for (int k = 0; k < 7; k++)
        cco_num(a[k], v[k]);
    cco_field(f, scen);
    fprintf(f, ",%s,%s,all,%s,%s,%s,%s,%s,%s,%s,%s\n", date, metric, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
            better);
}

int ccb_write_rows(FILE *f, const ccb_case *c)
{
    char share[64];
    for (int q = 0; q < CCB_NQ; q++)
        for (int y = 0; y < c->nfy; y++) {
            const ccy_stats *st = &c->st[(size_t)q * (size_t)c->nfy + (size_t)y];
            int32_t end = ccd_from_ymd(c->fy0 + y + 1, 3, 31);
            cco_field(f, c->name);
            char date[16], v[7][64];
            ccd_format(end, date);
            const double *a = &st->mean;
            for (int k = 0; k < 7; k++)
                cco_num(a[k], v[k]);
            share[0] = '\0';
            if (q_better[q])
                cco_num(c->better[(size_t)q * (size_t)c->nfy + (size_t)y], share);
            fprintf(f, ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", date, ccb_q_metric[q], ccb_q_group[q], v[0], v[1], v[2],
                    v[3], v[4], v[5], v[6], share);
        }
    int32_t last = ccd_from_ymd(c->fy0 + c->nfy, 3, 31);
    row(f, c->name, last, "payback_year", &c->payback, "");
    char cpw[64] = "";
    if (isfinite(c->cost_per_week))
        cco_num(c->cost_per_week, cpw);
    cco_field(f, c->name);
    char date[16];
    ccd_format(last, date);
    fprintf(f, ",%s,cost_per_gap_week,all,%s,,,,,,,\n", date, cpw);
    return ferror(f) ? -1 : 0;
}

const char *ccb_name(const ccb_case *c) { return c->name; }
int ccb_fy0(const ccb_case *c) { return c->fy0; }
int ccb_nfy(const ccb_case *c) { return c->nfy; }
int ccb_months(const ccb_case *c, int y) { return c->months[y]; }
double ccb_rate(const ccb_case *c) { return c->rate; }
double ccb_deflator(const ccb_case *c) { return c->deflator; }
int ccb_price_year(const ccb_case *c) { return c->price_year; }
const ccy_stats *ccb_stat(const ccb_case *c, int q, int y) { return &c->st[(size_t)q * (size_t)c->nfy + (size_t)y]; }
const ccy_stats *ccb_payback_stats(const ccb_case *c) { return &c->payback; }
double ccb_cost_per_gap_week(const ccb_case *c) { return c->cost_per_week; }
const csn_cost *ccb_costs(const ccb_case *c, int *n)
{
    *n = c->ncost;
    return c->cost;
}
