/* bizcase: NPV, payback, cashable savings and cost per child-week of gap
 * closed, per replication of a paired comparison, summarised by year. */
#include "bizcase.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "ccdate.h"
#include "costs.h"
#include "output.h"
#include "wideint.h"

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

/* ---- accumulated replication by replication ---- */

struct ccb_plan {
    char *name;
    int fy0, nfy, price_year, ndates;
    double rate, deflator;
    int *months;   /* [y] */
    int *fyk;      /* [k]: financial year of date k (k >= 1), from 0 */
    double *days;  /* [k]: days from date k - 1 to date k (k >= 1) */
    double *lc;    /* [3 * nfy]: capital, one-off, revenue lever costs by year */
    int tb, ts;    /* spend/total in the baseline's and the scenario's layout */
    int gb, gs;    /* the first gap series in each */
    csn_cost *cost;
    int ncost;
};

struct ccb_acc {
    const ccb_plan *pl;
    int64_t n;
    ccac *st;        /* [q * nfy + y] */
    int64_t *above;  /* [q * nfy + y]: replications with the value above 0 */
    ccac *payback;   /* [1] */
    ccwi_i128 weeks, npv; /* exact sums (in quanta of 2^-SUM_BITS) for the cost per week */
    double *v;       /* [CCB_NQ * nfy]: one replication's values (scratch) */
    double *sb, *ss, *net, *cum; /* [nfy] each (scratch) */
};

void ccb_plan_free(ccb_plan *pl)
{
    if (!pl)
        return;
    free(pl->name);
    free(pl->months);
    free(pl->fyk);
    free(pl->days);
    free(pl->lc);
    free(pl->cost);
    free(pl);
}

ccb_plan *ccb_plan_new(const cc_params *base, const ccx_layout *Lb, const char *name, const ccx_layout *Ls,
                       const csn_scenario *sc, int ndates, const int32_t *dates)
{
    if (Lb->spend < 0 || Ls->spend < 0 || ndates < 2)
        return NULL;
    const cct_params *cp = &base->costs;
    int fy0 = cct_fy(dates[1]), nfy = cct_fy(dates[ndates - 1]) - fy0 + 1;
    size_t nf = (size_t)nfy;
    ccb_plan *pl = calloc(1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->name = malloc(strlen(name) + 1);
    pl->months = calloc(nf, sizeof *pl->months);
    pl->fyk = calloc((size_t)ndates, sizeof *pl->fyk);
    pl->days = calloc((size_t)ndates, sizeof *pl->days);
    pl->lc = calloc(3 * nf, sizeof *pl->lc);
    pl->cost = malloc((size_t)(sc->nlevers > 0 ? sc->nlevers : 1) * sizeof *pl->cost);
    if (!pl->name || !pl->months || !pl->fyk || !pl->days || !pl->lc || !pl->cost) {
        ccb_plan_free(pl);
        return NULL;
    }
    strcpy(pl->name, name);
    pl->fy0 = fy0;
    pl->nfy = nfy;
    pl->ndates = ndates;
    pl->price_year = cp->price_year;
    pl->rate = cp->discount_rate;
    pl->deflator = cp->deflator;
    pl->ncost = sc->nlevers;
    if (sc->nlevers > 0)
        memcpy(pl->cost, sc->cost, (size_t)sc->nlevers * sizeof *pl->cost);
    for (int k = 1; k < ndates; k++) {
        pl->fyk[k] = cct_fy(dates[k]) - fy0;
        pl->months[pl->fyk[k]]++;
        pl->days[k] = dates[k] - dates[k - 1];
    }
    ccb_lever_costs(sc->cost, sc->nlevers, base->start_day, dates[ndates - 1], fy0, nfy, pl->lc, pl->lc + nf,
                    pl->lc + 2 * nf);
    pl->tb = Lb->spend + CCT_NLINE; /* spend / total */
    pl->ts = Ls->spend + CCT_NLINE;
    pl->gb = Lb->gap;
    pl->gs = Ls->gap;
    return pl;
}

void ccb_acc_free(ccb_acc *a)
{
    if (!a)
        return;
    size_t nq = (size_t)CCB_NQ * (size_t)a->pl->nfy;
    ccac_free_array(a->st, nq);
    ccac_free_array(a->payback, 1);
    free(a->above);
    free(a->v);
    free(a->sb);
    free(a);
}

ccb_acc *ccb_acc_new(const ccb_plan *pl)
{
    ccb_acc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->pl = pl;
    size_t nf = (size_t)pl->nfy, nq = (size_t)CCB_NQ * nf;
    a->st = ccac_new_array(nq);
    a->payback = ccac_new_array(1);
    a->above = calloc(nq, sizeof *a->above);
    a->v = calloc(nq, sizeof *a->v);
    a->sb = calloc(4 * nf, sizeof *a->sb);
    if (!a->st || !a->payback || !a->above || !a->v || !a->sb) {
        ccb_acc_free(a);
        return NULL;
    }
    a->ss = a->sb + nf;
    a->net = a->sb + 2 * nf;
    a->cum = a->sb + 3 * nf;
    return a;
}

/* The cost per week's two sums are of values in quanta of 2^-SUM_BITS
 * (toward 0), as 128-bit integers: exact, so the same in any order, thread
 * or MPI rank, and (at 2^-40) within about n 10^-12 of the sums of the
 * doubles themselves, below what comparison.csv's four decimals show but
 * for a ratio that falls within that of a half-way point. |x| < 2^80. */
enum { SUM_BITS = 40 };
static ccwi_i128 quanta(double x) { return fabs(x) < 1e24 ? (ccwi_i128)ldexp(x, SUM_BITS) : 0; }

/* Positive part of the capacity gap at date k (series g.. of values v,
 * ndates dates), summed over placement types. */
static double gap_at(const double *v, int g, int ndates, int k)
{
    double s = 0;
    for (int t = 0; t < CCM_NPT; t++) {
        double x = v[(size_t)(g + t) * (size_t)ndates + (size_t)k];
        s += x > 0 ? x : 0;
    }
    return s;
}

int ccb_acc_add(ccb_acc *a, const double *bv, const double *sv)
{
    const ccb_plan *pl = a->pl;
    int nfy = pl->nfy, K = pl->ndates;
    size_t nf = (size_t)nfy;
    const double *lc = pl->lc;
    double *sb = a->sb, *ss = a->ss, *net = a->net, *cum = a->cum;
#define V(q, y) a->v[(size_t)(q) * nf + (size_t)(y)]
    for (int y = 0; y < nfy; y++) {
        sb[y] = ss[y] = 0;
        V(CCB_GAP_WEEKS, y) = 0;
    }
    const double *b = bv + (size_t)pl->tb * (size_t)K, *s = sv + (size_t)pl->ts * (size_t)K;
    for (int k = 1; k < K; k++) {
        int y = pl->fyk[k];
        sb[y] += b[k];
        ss[y] += s[k];
        V(CCB_GAP_WEEKS, y) += (gap_at(bv, pl->gb, K, k) - gap_at(sv, pl->gs, K, k)) * pl->days[k] / 7.0;
    }
    double budget_month = ccb_real(sb[0], pl->deflator, pl->fy0, pl->price_year) / pl->months[0];
    int rc = 0;
    for (int y = 0; y < nfy; y++) {
        double rb = ccb_real(sb[y], pl->deflator, pl->fy0 + y, pl->price_year);
        double rs = ccb_real(ss[y], pl->deflator, pl->fy0 + y, pl->price_year);
        double saving = rb - rs, cash = ccb_cashable(saving, budget_month * pl->months[y], rs);
        double cost = lc[y] + lc[nf + y] + lc[2 * nf + y];
        V(CCB_CAPITAL, y) = lc[y];
        V(CCB_ONE_OFF, y) = lc[nf + y];
        V(CCB_REVENUE, y) = lc[2 * nf + y];
        V(CCB_LEVER_COST, y) = cost;
        V(CCB_SAVINGS, y) = saving;
        V(CCB_CASHABLE, y) = cash;
        V(CCB_NON_CASHABLE, y) = saving - cash;
        V(CCB_NET, y) = net[y] = saving - cost;
        a->weeks += quanta(V(CCB_GAP_WEEKS, y));
    }
    ccb_npv(net, nfy, pl->rate, cum);
    int p = ccb_payback(cum, nfy);
    for (int y = 0; y < nfy; y++) {
        V(CCB_NPV, y) = cum[y];
        V(CCB_PAID, y) = p >= 0 && p <= y;
    }
    a->npv += quanta(cum[nfy - 1]);
#undef V
    for (size_t i = 0; i < (size_t)CCB_NQ * nf; i++) {
        rc |= ccac_add(ccac_at(a->st, i), a->v[i]);
        a->above[i] += a->v[i] > 0;
    }
    rc |= ccac_add(a->payback, p < 0 ? nfy : p);
    a->n++;
    return rc ? -1 : 0;
}

int ccb_acc_merge(ccb_acc *dst, const ccb_acc *src)
{
    size_t nq = (size_t)CCB_NQ * (size_t)dst->pl->nfy;
    for (size_t i = 0; i < nq; i++) {
        if (ccac_merge(ccac_at(dst->st, i), ccac_at_c(src->st, i)) != 0)
            return -1;
        dst->above[i] += src->above[i];
    }
    if (ccac_merge(dst->payback, src->payback) != 0)
        return -1;
    dst->weeks += src->weeks;
    dst->npv += src->npv;
    dst->n += src->n;
    return 0;
}

int ccb_acc_pack(const ccb_acc *a, unsigned char **buf, size_t *len, size_t *cap)
{
    size_t nq = (size_t)CCB_NQ * (size_t)a->pl->nfy;
    if (ccac_put_bytes(buf, len, cap, &a->n, sizeof a->n) ||
        ccac_put_bytes(buf, len, cap, &a->weeks, sizeof a->weeks) ||
        ccac_put_bytes(buf, len, cap, &a->npv, sizeof a->npv) ||
        ccac_put_bytes(buf, len, cap, a->above, nq * sizeof *a->above))
        return -1;
    for (size_t i = 0; i < nq; i++)
        if (ccac_pack(ccac_at_c(a->st, i), buf, len, cap) != 0)
            return -1;
    return ccac_pack(a->payback, buf, len, cap);
}

int ccb_acc_unpack_merge(ccb_acc *dst, const unsigned char *buf, size_t len, size_t *pos)
{
    size_t nq = (size_t)CCB_NQ * (size_t)dst->pl->nfy;
    int64_t n;
    ccwi_i128 weeks, npv;
    size_t head = sizeof n + sizeof weeks + sizeof npv + nq * sizeof(int64_t);
    if (*pos > len || len - *pos < head)
        return -1;
    memcpy(&n, buf + *pos, sizeof n);
    memcpy(&weeks, buf + *pos + sizeof n, sizeof weeks);
    memcpy(&npv, buf + *pos + sizeof n + sizeof weeks, sizeof npv);
    const unsigned char *ab = buf + *pos + sizeof n + sizeof weeks + sizeof npv;
    for (size_t i = 0; i < nq; i++) {
        int64_t x;
        memcpy(&x, ab + i * sizeof x, sizeof x);
        dst->above[i] += x;
    }
    *pos += head;
    for (size_t i = 0; i < nq; i++)
        if (ccac_unpack_merge(ccac_at(dst->st, i), buf, len, pos) != 0)
            return -1;
    if (ccac_unpack_merge(dst->payback, buf, len, pos) != 0)
        return -1;
    dst->weeks += weeks;
    dst->npv += npv;
    dst->n += n;
    return 0;
}

ccb_case *ccb_acc_case(const ccb_acc *a)
{
    const ccb_plan *pl = a->pl;
    if (a->n < 1)
        return NULL;
    size_t nf = (size_t)pl->nfy, nq = (size_t)CCB_NQ * nf;
    ccb_case *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->name = malloc(strlen(pl->name) + 1);
    c->months = malloc(nf * sizeof *c->months);
    c->st = calloc(nq, sizeof *c->st);
    c->better = calloc(nq, sizeof *c->better);
    c->cost = malloc((size_t)(pl->ncost > 0 ? pl->ncost : 1) * sizeof *c->cost);
    double *scratch = malloc((size_t)a->n * sizeof *scratch);
    if (!c->name || !c->months || !c->st || !c->better || !c->cost || !scratch) {
        free(scratch);
        ccb_free(c);
        return NULL;
    }
    strcpy(c->name, pl->name);
    memcpy(c->months, pl->months, nf * sizeof *c->months);
    c->fy0 = pl->fy0;
    c->nfy = pl->nfy;
    c->price_year = pl->price_year;
    c->rate = pl->rate;
    c->deflator = pl->deflator;
    c->ncost = pl->ncost;
    if (pl->ncost > 0)
        memcpy(c->cost, pl->cost, (size_t)pl->ncost * sizeof *c->cost);
    for (size_t i = 0; i < nq; i++) {
        c->better[i] = (double)a->above[i] / (double)a->n;
        ccac_stats(ccac_at_c(a->st, i), scratch, &c->st[i]);
    }
    ccac_stats(a->payback, scratch, &c->payback);
    c->cost_per_week = a->weeks > 0 ? -(double)a->npv / (double)a->weeks : NAN;
    free(scratch);
    return c;
}

ccb_case *ccb_compute(const cce_result *b, const cce_result *s, const csn_scenario *sc)
{
    if (b->L->spend < 0 || s->L->spend < 0 || s->ndates < 2 || b->reps != s->reps || b->ndates != s->ndates ||
        !b->data || !s->data)
        return NULL;
    ccb_plan *pl = ccb_plan_new(b->p, b->L, s->p->scenario, s->L, sc, s->ndates, s->dates);
    ccb_acc *a = pl ? ccb_acc_new(pl) : NULL;
    int rc = a ? 0 : -1;
    size_t sb = (size_t)b->L->n * (size_t)b->ndates, ss = (size_t)s->L->n * (size_t)s->ndates;
    for (int i = 0; i < s->reps && rc == 0; i++)
        rc = ccb_acc_add(a, b->data + (size_t)i * sb, s->data + (size_t)i * ss);
    ccb_case *c = rc == 0 ? ccb_acc_case(a) : NULL;
    ccb_acc_free(a);
    ccb_plan_free(pl);
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
