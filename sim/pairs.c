/* pairs: a compare's paired differences in mergeable accumulators, and
 * comparison.csv's rows from them. */
#include "pairs.h"

#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "ccdate.h"
#include "costs.h"
#include "output.h"
#include "runstats.h"

/* A row of comparison.csv: a difference at a month end, a financial
 * year's sum of money, or the cumulative sum of spend to a year's end. */
enum { ROW_MONTH, ROW_FY, ROW_CUM };
typedef struct {
    int kind, j, k;   /* scenario series j; date k (ROW_MONTH) or year k (ROW_FY, ROW_CUM) */
    int dir;          /* cco_better: +1, -1, or 0 (no share) */
    int32_t day;
    const char *metric, *group;
} row;

/* One scenario's part of the plan. */
typedef struct {
    char *name;
    const ccx_layout *L;
    int *map;         /* [L->n]: the baseline's series of the same metric and group, or -1 */
    row *rows;
    int nrows;
    int vj[CCRS_NVAR], vb[CCRS_NVAR]; /* variance stocks in the scenario's and baseline's layouts (-1: none) */
    int sj, sb;       /* spend/total in each (-1: none) */
    ccb_plan *biz;    /* NULL: no business case */
} scen_plan;

struct ccpa_plan {
    const ccx_layout *Lb;
    int ndates, draw_group, nanniv, fy0, nfy;
    int32_t *dates;
    int *fyk;         /* [k]: financial year of date k, from 0 (k >= 1) */
    int *fy_lo;       /* [y]: year y's dates are k = fy_lo[y] .. fy_lo[y + 1] - 1 */
    int32_t *fy_end;  /* [y]: the last month end in year y */
    int nscen;
    scen_plan *sc;
};

/* One scenario's accumulators. */
typedef struct {
    ccac *acc;        /* [nrows] */
    int64_t *better;  /* [nrows]: replications in which the scenario is better */
    ccan *var;        /* [CCRS_NVAR * nanniv + nfy] */
    ccb_acc *biz;
} scen_acc;

struct ccpa {
    const ccpa_plan *pl;
    int64_t n;
    scen_acc *sc;
};

/* The metrics compared month by month. */
static int compared(const char *metric, const char *group)
{
    static const char *const all[] = {"needing", "placed", "shortfall", "gap", "capacity", "vacancies", "kpi",
                                      "kpi_pct", "placed_outside", "moves"};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcmp(metric, all[i]) == 0)
            return 1;
    return (strcmp(metric, "looked_after") == 0 && strcmp(group, "all") == 0) ||
           (strcmp(metric, "entries") == 0 && strcmp(group, "all") == 0) ||
           (strcmp(metric, "exits") == 0 && (strcmp(group, "all") == 0 || strcmp(group, "sgo") == 0)) ||
           strcmp(metric, "fostering") == 0;
}

static int find(const ccx_layout *L, const char *metric, const char *group)
{
    for (int j = 0; j < L->n; j++)
        if (strcmp(L->metric[j], metric) == 0 && strcmp(L->group[j], group) == 0)
            return j;
    return -1;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void ccpa_plan_free(ccpa_plan *pl)
{
    if (!pl)
        return;
    for (int i = 0; pl->sc && i < pl->nscen; i++) {
        free(pl->sc[i].name);
        free(pl->sc[i].map);
        free(pl->sc[i].rows);
        ccb_plan_free(pl->sc[i].biz);
    }
    free(pl->sc);
    free(pl->dates);
    free(pl->fyk);
    free(pl->fy_lo);
    free(pl->fy_end);
    free(pl);
}

/* Scenario part sp's rows, in the order comparison.csv has them. 0 or -1. */
static int plan_rows(ccpa_plan *pl, scen_plan *sp)
{
    const ccx_layout *L = sp->L;
    int cap = 16;
    sp->rows = malloc((size_t)cap * sizeof *sp->rows);
    if (!sp->rows)
        return -1;
#define ROW(KIND, J, K, DIR, DAY, METRIC)                                            \
    do {                                                                             \
        if (sp->nrows == cap) {                                                      \
            cap *= 2;                                                                \
            row *nr = realloc(sp->rows, (size_t)cap * sizeof *nr);                   \
            if (!nr)                                                                 \
                return -1;                                                           \
            sp->rows = nr;                                                           \
        }                                                                            \
        sp->rows[sp->nrows++] = (row){KIND, J, K, DIR, DAY, METRIC, L->group[J]};    \
    } while (0)
    for (int k = 0; k < pl->ndates; k++)
        for (int j = 0; j < L->n; j++)
            if (L->kind[j] != CCX_MONEY && compared(L->metric[j], L->group[j]))
                ROW(ROW_MONTH, j, k, cco_better(L->metric[j], L->group[j]), pl->dates[k], L->metric[j]);
    /* money: by financial year, and cumulative from the start */
    if (L->spend >= 0 && pl->ndates > 1)
        for (int j = 0; j < L->n; j++) {
            if (L->kind[j] != CCX_MONEY || (strcmp(L->metric[j], "spend") != 0 && strcmp(L->metric[j], "gap_cost") != 0))
                continue;
            for (int y = 0; y < pl->nfy; y++) {
                int32_t end = ccd_from_ymd(pl->fy0 + y + 1, 3, 31);
                ROW(ROW_FY, j, y, -1, end, L->metric[j]);
                if (strcmp(L->metric[j], "spend") == 0)
                    ROW(ROW_CUM, j, y, -1, end, "spend_cumulative");
            }
        }
#undef ROW
    return 0;
}

ccpa_plan *ccpa_plan_new(const cc_params *base, const ccx_layout *Lb, int nscen, const char *const *name,
                         const ccx_layout *const *Ls, const csn_scenario *const *sc, int ndates, int draw_group)
{
    ccpa_plan *pl = calloc(1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->Lb = Lb;
    pl->ndates = ndates;
    pl->draw_group = draw_group;
    pl->nanniv = (ndates - 1) / 12;
    pl->nscen = nscen;
    pl->dates = malloc((size_t)ndates * sizeof *pl->dates);
    pl->fyk = calloc((size_t)ndates, sizeof *pl->fyk);
    pl->sc = calloc((size_t)(nscen > 0 ? nscen : 1), sizeof *pl->sc);
    if (!pl->dates || !pl->fyk || !pl->sc) {
        ccpa_plan_free(pl);
        return NULL;
    }
    for (int k = 0; k < ndates; k++)
        pl->dates[k] = ccd_add_month_ends(base->start_day, k);
    if (ndates > 1) {
        pl->fy0 = cct_fy(pl->dates[1]);
        pl->nfy = cct_fy(pl->dates[ndates - 1]) - pl->fy0 + 1;
    }
    pl->fy_end = calloc((size_t)(pl->nfy > 0 ? pl->nfy : 1), sizeof *pl->fy_end);
    pl->fy_lo = calloc((size_t)pl->nfy + 1, sizeof *pl->fy_lo);
    if (!pl->fy_end || !pl->fy_lo) {
        ccpa_plan_free(pl);
        return NULL;
    }
    for (int k = 1; k < ndates; k++) {
        pl->fyk[k] = cct_fy(pl->dates[k]) - pl->fy0;
        pl->fy_end[pl->fyk[k]] = pl->dates[k];
    }
    /* the dates are in order, so each year's are one run of k */
    for (int y = 0, k = 1; y <= pl->nfy; y++) {
        while (k < ndates && pl->fyk[k] < y)
            k++;
        pl->fy_lo[y] = y == pl->nfy ? ndates : k;
    }
    static const char *const var[CCRS_NVAR][2] = {{"looked_after", "all"}, {"gap", "foster"}, {"gap", "residential"}};
    for (int i = 0; i < nscen; i++) {
        scen_plan *sp = &pl->sc[i];
        const ccx_layout *L = Ls[i];
        sp->L = L;
        sp->name = dup(name[i]);
        sp->map = malloc((size_t)(L->n > 0 ? L->n : 1) * sizeof *sp->map);
        if (!sp->name || !sp->map || plan_rows(pl, sp) != 0) {
            ccpa_plan_free(pl);
            return NULL;
        }
        for (int j = 0; j < L->n; j++)
            sp->map[j] = find(Lb, L->metric[j], L->group[j]);
        for (int v = 0; v < CCRS_NVAR; v++) {
            sp->vj[v] = find(L, var[v][0], var[v][1]);
            sp->vb[v] = find(Lb, var[v][0], var[v][1]);
        }
        sp->sj = find(L, "spend", "total");
        sp->sb = find(Lb, "spend", "total");
        if (sp->sj >= 0 && L->kind[sp->sj] != CCX_MONEY)
            sp->sj = -1;
        if (sc && Lb->spend >= 0) {
            sp->biz = ccb_plan_new(base, Lb, name[i], L, sc[i], ndates, pl->dates);
            if (!sp->biz) {
                ccpa_plan_free(pl);
                return NULL;
            }
        }
    }
    return pl;
}

int ccpa_has_case(const ccpa_plan *pl) { return pl->nscen > 0 && pl->sc[0].biz != NULL; }

static int nvar(const ccpa_plan *pl) { return CCRS_NVAR * pl->nanniv + pl->nfy; }

void ccpa_free(ccpa *a)
{
    if (!a)
        return;
    for (int i = 0; a->sc && i < a->pl->nscen; i++) {
        ccac_free_array(a->sc[i].acc, (size_t)a->pl->sc[i].nrows);
        free(a->sc[i].better);
        ccan_free_array(a->sc[i].var);
        ccb_acc_free(a->sc[i].biz);
    }
    free(a->sc);
    free(a);
}

ccpa *ccpa_new(const ccpa_plan *pl)
{
    ccpa *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->pl = pl;
    a->sc = calloc((size_t)(pl->nscen > 0 ? pl->nscen : 1), sizeof *a->sc);
    if (!a->sc) {
        free(a);
        return NULL;
    }
    for (int i = 0; i < pl->nscen; i++) {
        const scen_plan *sp = &pl->sc[i];
        scen_acc *s = &a->sc[i];
        s->acc = ccac_new_array((size_t)sp->nrows);
        s->better = calloc((size_t)(sp->nrows > 0 ? sp->nrows : 1), sizeof *s->better);
        s->var = ccan_new_array(nvar(pl), pl->draw_group);
        s->biz = sp->biz ? ccb_acc_new(sp->biz) : NULL;
        if (!s->acc || !s->better || !s->var || (sp->biz && !s->biz)) {
            ccpa_free(a);
            return NULL;
        }
    }
    return a;
}

/* Replications added to one accumulator before the next: enough that an
 * accumulator's memory is fetched once for many values. */
enum { CHUNK = 16 };

/* Scenario part sp's nb (<= CHUNK) replications rep[b], values vals[b][0]
 * (the baseline's) and vals[b][1 + si]. Accumulator by accumulator, each
 * taking the replications in order: the same additions as one replication
 * at a time (the accumulators' sums are exact; the variance split's groups
 * see their replications in the same order). */
static int add_scen(const ccpa_plan *pl, int si, scen_acc *s, const int *rep, const double *const *const *vals,
                    int nb)
{
    const scen_plan *sp = &pl->sc[si];
    size_t nd = (size_t)pl->ndates;
    int rc = 0;
    double cum[CHUNK] = {0}, d[CHUNK];
    const double *x[CHUNK], *b[CHUNK];
    for (int r = 0; r < sp->nrows; r++) {
        const row *w = &sp->rows[r];
        int mj = sp->map[w->j];
        for (int q = 0; q < nb; q++) {
            x[q] = vals[q][1 + si] + (size_t)w->j * nd;
            b[q] = mj >= 0 ? vals[q][0] + (size_t)mj * nd : NULL;
        }
        if (w->kind == ROW_MONTH) {
            for (int q = 0; q < nb; q++)
                d[q] = x[q][w->k] - (b[q] ? b[q][w->k] : 0);
        } else if (w->kind == ROW_FY) {
            /* summed in date order, as the kept values were */
            int lo = pl->fy_lo[w->k], hi = pl->fy_lo[w->k + 1];
            for (int q = 0; q < nb; q++) {
                double t = 0;
                for (int k = lo; k < hi; k++)
                    t += x[q][k] - (b[q] ? b[q][k] : 0);
                d[q] = t;
                cum[q] = w->k == 0 ? t : cum[q] + t;
            }
        } else {
            for (int q = 0; q < nb; q++)
                d[q] = cum[q];
        }
        ccac *m = ccac_at(s->acc, (size_t)r);
        int64_t better = 0;
        for (int q = 0; q < nb; q++) {
            rc |= ccac_add(m, d[q]);
            better += w->dir != 0 && w->dir * d[q] > 0;
        }
        s->better[r] += better;
    }
    for (int v = 0; v < CCRS_NVAR; v++) {
        if (sp->vj[v] < 0 || sp->vb[v] < 0)
            continue;
        for (int an = 1; an <= pl->nanniv; an++) {
            ccan *m = ccan_at(s->var, v * pl->nanniv + an - 1);
            size_t k = (size_t)(12 * an);
            for (int q = 0; q < nb; q++)
                rc |= ccan_add(m, rep[q], vals[q][1 + si][(size_t)sp->vj[v] * nd + k] -
                                              vals[q][0][(size_t)sp->vb[v] * nd + k]);
        }
    }
    if (sp->sj >= 0 && sp->sb >= 0)
        for (int y = 0; y < pl->nfy; y++) {
            ccan *m = ccan_at(s->var, CCRS_NVAR * pl->nanniv + y);
            for (int q = 0; q < nb; q++) {
                const double *xs = vals[q][1 + si] + (size_t)sp->sj * nd, *bs = vals[q][0] + (size_t)sp->sb * nd;
                double t = 0;
                for (int k = pl->fy_lo[y]; k < pl->fy_lo[y + 1]; k++)
                    t += xs[k] - bs[k];
                rc |= ccan_add(m, rep[q], t);
            }
        }
    if (s->biz)
        for (int q = 0; q < nb; q++)
            rc |= ccb_acc_add(s->biz, vals[q][0], vals[q][1 + si]);
    return rc ? -1 : 0;
}

int ccpa_add_batch(ccpa *a, const int *rep, const double *const *values, int nb)
{
    int narm = 1 + a->pl->nscen, rc = 0;
    for (int b0 = 0; b0 < nb; b0 += CHUNK) {
        int n = nb - b0 < CHUNK ? nb - b0 : CHUNK;
        const double *const *vals[CHUNK];
        for (int q = 0; q < n; q++)
            vals[q] = values + (size_t)(b0 + q) * (size_t)narm;
        for (int i = 0; i < a->pl->nscen; i++)
            rc |= add_scen(a->pl, i, &a->sc[i], rep + b0, vals, n);
        a->n += n;
    }
    return rc ? -1 : 0;
}

int ccpa_add(ccpa *a, int rep, const double *const *values) { return ccpa_add_batch(a, &rep, values, 1); }

int ccpa_merge(ccpa *dst, const ccpa *src)
{
    const ccpa_plan *pl = dst->pl;
    for (int i = 0; i < pl->nscen; i++) {
        scen_acc *d = &dst->sc[i];
        const scen_acc *s = &src->sc[i];
        for (int r = 0; r < pl->sc[i].nrows; r++) {
            if (ccac_merge(ccac_at(d->acc, (size_t)r), ccac_at_c(s->acc, (size_t)r)) != 0)
                return -1;
            d->better[r] += s->better[r];
        }
        for (int v = 0; v < nvar(pl); v++)
            ccan_merge(ccan_at(d->var, v), ccan_at_c(s->var, v));
        if (d->biz && ccb_acc_merge(d->biz, s->biz) != 0)
            return -1;
    }
    dst->n += src->n;
    return 0;
}

int ccpa_pack(const ccpa *a, unsigned char **buf, size_t *len, size_t *cap)
{
    const ccpa_plan *pl = a->pl;
    if (ccac_put_bytes(buf, len, cap, &a->n, sizeof a->n))
        return -1;
    unsigned char vb[256];
    if (ccan_packed_size() > sizeof vb)
        return -1;
    for (int i = 0; i < pl->nscen; i++) {
        const scen_acc *s = &a->sc[i];
        int nr = pl->sc[i].nrows;
        if (ccac_put_bytes(buf, len, cap, s->better, (size_t)nr * sizeof *s->better))
            return -1;
        for (int r = 0; r < nr; r++)
            if (ccac_pack(ccac_at_c(s->acc, (size_t)r), buf, len, cap) != 0)
                return -1;
        for (int v = 0; v < nvar(pl); v++) {
            ccan_pack(ccan_at_c(s->var, v), vb);
            if (ccac_put_bytes(buf, len, cap, vb, ccan_packed_size()))
                return -1;
        }
        if (s->biz && ccb_acc_pack(s->biz, buf, len, cap) != 0)
            return -1;
    }
    return 0;
}

int ccpa_unpack_merge(ccpa *dst, const unsigned char *buf, size_t len)
{
    const ccpa_plan *pl = dst->pl;
    size_t pos = 0, vs = ccan_packed_size();
    int64_t n;
    if (len < sizeof n)
        return -1;
    memcpy(&n, buf, sizeof n);
    pos = sizeof n;
    for (int i = 0; i < pl->nscen; i++) {
        scen_acc *s = &dst->sc[i];
        int nr = pl->sc[i].nrows;
        if (len - pos < (size_t)nr * sizeof(int64_t))
            return -1;
        for (int r = 0; r < nr; r++) {
            int64_t x;
            memcpy(&x, buf + pos, sizeof x);
            pos += sizeof x;
            s->better[r] += x;
        }
        for (int r = 0; r < nr; r++)
            if (ccac_unpack_merge(ccac_at(s->acc, (size_t)r), buf, len, &pos) != 0)
                return -1;
        for (int v = 0; v < nvar(pl); v++) {
            if (len - pos < vs)
                return -1;
            ccan_unpack_merge(ccan_at(s->var, v), buf + pos);
            pos += vs;
        }
        if (s->biz && ccb_acc_unpack_merge(s->biz, buf, len, &pos) != 0)
            return -1;
    }
    if (pos != len)
        return -1;
    dst->n += n;
    return 0;
}

static void *d_make(const void *ctx) { return ccpa_new(ctx); }
static int d_add(void *acc, int rep, const double *const *values) { return ccpa_add(acc, rep, values); }
static int d_add_batch(void *acc, const int *rep, const double *const *values, int nb)
{
    return ccpa_add_batch(acc, rep, values, nb);
}
static int d_merge(void *dst, const void *src) { return ccpa_merge(dst, src); }
static void d_drop(void *acc) { ccpa_free(acc); }
static int d_pack(const void *acc, unsigned char **buf, size_t *len, size_t *cap)
{
    return ccpa_pack(acc, buf, len, cap);
}
static int d_unpack(void *dst, const unsigned char *buf, size_t len) { return ccpa_unpack_merge(dst, buf, len); }

void ccpa_derive(const ccpa_plan *pl, cce_derive *d)
{
    memset(d, 0, sizeof *d);
    d->ctx = pl;
    d->make = d_make;
    d->add = d_add;
    d->add_batch = d_add_batch;
    d->merge = d_merge;
    d->drop = d_drop;
    d->pack = d_pack;
    d->unpack_merge = d_unpack;
}

int ccpa_write_comparison(FILE *f, const ccpa *a, int i)
{
    const scen_plan *sp = &a->pl->sc[i];
    const scen_acc *s = &a->sc[i];
    if (a->n < 1)
        return 0;
    double *scratch = malloc((size_t)a->n * sizeof *scratch);
    if (!scratch)
        return -1;
    for (int r = 0; r < sp->nrows; r++) {
        const row *w = &sp->rows[r];
        ccy_stats st;
        ccac_stats(ccac_at_c(s->acc, (size_t)r), scratch, &st);
        char date[16], v[8][64];
        ccd_format(w->day, date);
        const double *m = &st.mean;
        for (int q = 0; q < 7; q++)
            cco_num(m[q], v[q]);
        if (w->dir)
            cco_num((double)s->better[r] / (double)a->n, v[7]);
        else
            v[7][0] = '\0';
        cco_field(f, sp->name);
        fprintf(f, ",%s,", date);
        cco_field(f, w->metric);
        fputc(',', f);
        cco_field(f, w->group);
        fprintf(f, ",%s,%s,%s,%s,%s,%s,%s,%s\n", v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }
    free(scratch);
    return 0;
}

const ccan *ccpa_var_stock(const ccpa *a, int i, int v, int anniv)
{
    const scen_plan *sp = &a->pl->sc[i];
    if (sp->vj[v] < 0 || sp->vb[v] < 0 || anniv < 1 || anniv > a->pl->nanniv)
        return NULL;
    return ccan_at_c(a->sc[i].var, v * a->pl->nanniv + anniv - 1);
}

const ccan *ccpa_var_spend(const ccpa *a, int i, int y)
{
    const scen_plan *sp = &a->pl->sc[i];
    if (sp->sj < 0 || sp->sb < 0 || y < 0 || y >= a->pl->nfy)
        return NULL;
    return ccan_at_c(a->sc[i].var, CCRS_NVAR * a->pl->nanniv + y);
}

ccb_case *ccpa_case(const ccpa *a, int i) { return a->sc[i].biz ? ccb_acc_case(a->sc[i].biz) : NULL; }

int ccpa_write_kept(FILE *f, const cce_result *b, const cce_result *s)
{
    if (!b->data || !s->data || b->reps != s->reps || b->ndates != s->ndates)
        return -1;
    const char *name = s->p->scenario;
    const ccx_layout *Ls = s->L;
    ccpa_plan *pl = ccpa_plan_new(b->p, b->L, 1, &name, &Ls, NULL, s->ndates, s->draw_group);
    ccpa *a = pl ? ccpa_new(pl) : NULL;
    int rc = a ? 0 : -1;
    size_t nb = (size_t)b->L->n * (size_t)b->ndates, ns = (size_t)s->L->n * (size_t)s->ndates;
    for (int i = 0; i < s->reps && rc == 0; i++) {
        const double *v[2] = {b->data + (size_t)i * nb, s->data + (size_t)i * ns};
        rc = ccpa_add(a, i, v);
    }
    if (rc == 0)
        rc = ccpa_write_comparison(f, a, 0);
    ccpa_free(a);
    ccpa_plan_free(pl);
    return rc;
}
