/* runstats: a run's summaries accumulated as replications finish. */
#include "runstats.h"

#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "costs.h"

/* (values of one cell gathered for ccac_add_n, this many at a time: a
 * worker's whole batch, experiment.c's BATCH, and ccac_add_n's most) */
enum { CCRS_BATCH = 128 };

struct ccrs {
    const ccx_layout *L;
    int ndates, years;
    const int32_t *dates;
    size_t nmon, nann, nmoney, nunit;
    ccac *mon;    /* [j * ndates + k] */
    ccac *ann;    /* [j * years + y] */
    int fy0, nfy; /* financial years (nfy 0: no money) */
    int *fyk;     /* [k]: financial year of date k (from 1) */
    int *months;  /* [y] */
    ccac *money;  /* [j * nfy + y] */
    ccac *unit;   /* [t * nfy + y] */
    int var_j[CCRS_NVAR];
    int nanniv;
    ccan *var;    /* [v * nanniv + a - 1], then spend/total by year */
    int spend_total;
    double *fysum, *fywk; /* one replication's yearly sums (scratch) */
    double *fyb;          /* a batch's yearly values, [y * CCRS_BATCH + b] (scratch) */
};

static int find(const ccx_layout *L, const char *metric, const char *group)
{
    for (int j = 0; j < L->n; j++)
        if (strcmp(L->metric[j], metric) == 0 && strcmp(L->group[j], group) == 0)
            return j;
    return -1;
}

ccrs *ccrs_new(const ccx_layout *L, int ndates, const int32_t *dates, int years, int draw_group)
{
    ccrs *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->L = L;
    s->ndates = ndates;
    s->dates = dates;
    s->years = years;
    s->nmon = (size_t)L->n * (size_t)ndates;
    s->nann = (size_t)L->n * (size_t)years;
    s->mon = ccac_new_array(s->nmon);
    s->ann = ccac_new_array(s->nann);
    static const char *const var[CCRS_NVAR][2] = {{"looked_after", "all"}, {"gap", "foster"}, {"gap", "residential"}};
    for (int v = 0; v < CCRS_NVAR; v++)
        s->var_j[v] = find(L, var[v][0], var[v][1]);
    s->nanniv = (ndates - 1) / 12;
    int j = find(L, "spend", "total");
    s->spend_total = j >= 0 && L->kind[j] == CCX_MONEY ? j : -1;
    if (L->spend >= 0 && ndates >= 2) {
        s->fy0 = cct_fy(dates[1]);
        s->nfy = cct_fy(dates[ndates - 1]) - s->fy0 + 1;
    }
    int nfy = s->nfy;
    s->fyk = calloc((size_t)ndates, sizeof *s->fyk);
    s->months = calloc((size_t)(nfy > 0 ? nfy : 1), sizeof *s->months);
    s->nmoney = (size_t)L->n * (size_t)nfy;
    s->nunit = (size_t)CCM_NPT * (size_t)nfy;
    s->money = ccac_new_array(s->nmoney);
    s->unit = ccac_new_array(s->nunit);
    s->var = ccan_new_array(CCRS_NVAR * s->nanniv + nfy, draw_group);
    s->fysum = calloc((size_t)(nfy > 0 ? nfy : 1), sizeof *s->fysum);
    s->fywk = calloc((size_t)(nfy > 0 ? nfy : 1), sizeof *s->fywk);
    s->fyb = calloc((size_t)(nfy > 0 ? nfy : 1) * CCRS_BATCH, sizeof *s->fyb);
    if (!s->mon || !s->ann || !s->fyk || !s->months || !s->money || !s->unit || !s->var || !s->fysum || !s->fywk ||
        !s->fyb) {
        ccrs_free(s);
        return NULL;
    }
    for (int k = 1; k < ndates && nfy > 0; k++) {
        s->fyk[k] = cct_fy(dates[k]) - s->fy0;
        s->months[s->fyk[k]]++;
    }
    return s;
}

void ccrs_free(ccrs *s)
{
    if (!s)
        return;
    ccac_free_array(s->mon, s->nmon);
    ccac_free_array(s->ann, s->nann);
    ccac_free_array(s->money, s->nmoney);
    ccac_free_array(s->unit, s->nunit);
    ccan_free_array(s->var);
    free(s->fyk);
    free(s->months);
    free(s->fysum);
    free(s->fywk);
    free(s->fyb);
    free(s);
}

/* Sum series v's months by financial year into out[0..nfy-1], in date
 * order (as output.c summed them). */
static void fy_sums(const ccrs *s, const double *v, double *out)
{
    memset(out, 0, (size_t)s->nfy * sizeof *out);
    for (int k = 1; k < s->ndates; k++)
        out[s->fyk[k]] += v[k];
}

int ccrs_add(ccrs *s, int rep, const double *values) { return ccrs_add_batch(s, &rep, &values, 1); }


/* Cell by cell, each with every replication of the batch: a cell's bins
 * are then fetched once a batch, not once a replication. A batch of more
 * than CCRS_BATCH is added CCRS_BATCH at a time, in order. */
int ccrs_add_batch(ccrs *s, const int *rep, const double *const *values, int nb)
{
    if (nb > CCRS_BATCH) {
        int rc = 0;
        for (int b0 = 0; b0 < nb; b0 += CCRS_BATCH)
            rc |= ccrs_add_batch(s, rep + b0, values + b0, nb - b0 < CCRS_BATCH ? nb - b0 : CCRS_BATCH);
        return rc ? -1 : 0;
    }
    const ccx_layout *L = s->L;
    int nd = s->ndates, rc = 0;
    double cell[CCRS_BATCH];
    for (int j = 0; j < L->n; j++) {
        size_t off = (size_t)j * (size_t)nd;
        for (int k = 0; k < nd; k++) {
            for (int b = 0; b < nb; b++)
                cell[b] = values[b][off + (size_t)k];
            rc |= ccac_add_n(ccac_at(s->mon, off + (size_t)k), cell, nb);
        }
        if (L->kind[j] == CCX_FLOW)
            for (int y = 1; y <= s->years; y++) {
                for (int b = 0; b < nb; b++) {
                    const double *v = values[b] + off;
                    double sum = 0;
                    for (int k = 12 * (y - 1) + 1; k <= 12 * y; k++)
                        sum += v[k];
                    cell[b] = sum;
                }
                rc |= ccac_add_n(ccac_at(s->ann, (size_t)j * (size_t)s->years + (size_t)(y - 1)), cell, nb);
            }
        /* by financial year: the batch's sums of each year gathered
         * (fyb[y * CCRS_BATCH + b]), then each year's accumulator visited
         * once a batch */
        if (L->kind[j] == CCX_MONEY && s->nfy > 0) {
            for (int b = 0; b < nb; b++) {
                fy_sums(s, values[b] + off, s->fysum);
                for (int y = 0; y < s->nfy; y++)
                    s->fyb[(size_t)y * CCRS_BATCH + (size_t)b] = s->fysum[y];
            }
            for (int y = 0; y < s->nfy; y++)
                rc |= ccac_add_n(ccac_at(s->money, (size_t)j * (size_t)s->nfy + (size_t)y),
                                 s->fyb + (size_t)y * CCRS_BATCH, nb);
        }
    }
    for (int t = 0; t < CCM_NPT && s->nfy > 0; t++) {
        for (int b = 0; b < nb; b++) {
            const double *vb = values[b];
            fy_sums(s, vb + (size_t)(L->spend_type + t) * (size_t)nd, s->fysum);
            fy_sums(s, vb + (size_t)(L->child_weeks + t) * (size_t)nd, s->fywk);
            for (int y = 0; y < s->nfy; y++) {
                double w = s->fywk[y];
                s->fyb[(size_t)y * CCRS_BATCH + (size_t)b] = w > 0 ? s->fysum[y] / w : 0;
            }
        }
        for (int y = 0; y < s->nfy; y++)
            rc |= ccac_add_n(ccac_at(s->unit, (size_t)t * (size_t)s->nfy + (size_t)y), s->fyb + (size_t)y * CCRS_BATCH,
                             nb);
    }
    for (int b = 0; b < nb; b++) {
        const double *vb = values[b];
        for (int v = 0; v < CCRS_NVAR; v++) {
            if (s->var_j[v] < 0)
                continue;
            const double *x = vb + (size_t)s->var_j[v] * (size_t)nd;
            for (int a = 1; a <= s->nanniv; a++)
                rc |= ccan_add(ccan_at(s->var, v * s->nanniv + a - 1), rep[b], x[12 * a]);
        }
        if (s->spend_total >= 0 && s->nfy > 0) {
            fy_sums(s, vb + (size_t)s->spend_total * (size_t)nd, s->fysum);
            for (int y = 0; y < s->nfy; y++)
                rc |= ccan_add(ccan_at(s->var, CCRS_NVAR * s->nanniv + y), rep[b], s->fysum[y]);
        }
    }
    return rc ? -1 : 0;
}

int ccrs_merge(ccrs *dst, const ccrs *src) { return ccrs_merge_part(dst, src, 0, 1); }

/* (cells dealt round-robin, so that each part gets its share of the dear
 * binned ones, which lie together in the layout) */
static int merge_cells(ccac *dst, const ccac *src, size_t n, int part, int nparts)
{
    for (size_t i = (size_t)part; i < n; i += (size_t)nparts)
        if (ccac_merge(ccac_at(dst, i), ccac_at_c(src, i)) != 0)
            return -1;
    return 0;
}

int ccrs_merge_part(ccrs *dst, const ccrs *src, int part, int nparts)
{
    if (merge_cells(dst->mon, src->mon, dst->nmon, part, nparts) != 0 ||
        merge_cells(dst->ann, src->ann, dst->nann, part, nparts) != 0 ||
        merge_cells(dst->money, src->money, dst->nmoney, part, nparts) != 0 ||
        merge_cells(dst->unit, src->unit, dst->nunit, part, nparts) != 0)
        return -1;
    if (part == 0)
        for (int i = 0; i < CCRS_NVAR * dst->nanniv + dst->nfy; i++)
            ccan_merge(ccan_at(dst->var, i), ccan_at_c(src->var, i));
    return 0;
}

const ccac *ccrs_monthly(const ccrs *s, int j, int k) { return ccac_at_c(s->mon, (size_t)j * (size_t)s->ndates + (size_t)k); }
const ccac *ccrs_annual(const ccrs *s, int j, int y) { return ccac_at_c(s->ann, (size_t)j * (size_t)s->years + (size_t)y); }
int ccrs_fy0(const ccrs *s) { return s->fy0; }
int ccrs_nfy(const ccrs *s) { return s->nfy; }
int ccrs_fy_months(const ccrs *s, int y) { return s->months[y]; }
const ccac *ccrs_fy(const ccrs *s, int j, int y) { return ccac_at_c(s->money, (size_t)j * (size_t)s->nfy + (size_t)y); }
const ccac *ccrs_unit(const ccrs *s, int t, int y) { return ccac_at_c(s->unit, (size_t)t * (size_t)s->nfy + (size_t)y); }
int ccrs_var_series(const ccrs *s, int v) { return s->var_j[v]; }
const ccan *ccrs_var_stock(const ccrs *s, int v, int a) { return ccan_at_c(s->var, v * s->nanniv + a - 1); }
const ccan *ccrs_var_spend(const ccrs *s, int y)
{
    return s->spend_total >= 0 ? ccan_at_c(s->var, CCRS_NVAR * s->nanniv + y) : NULL;
}

static double alpha_max(const ccac *a, size_t n, double m)
{
    for (size_t i = 0; i < n; i++) {
        double e = ccac_alpha(ccac_at_c(a, i));
        m = e > m ? e : m;
    }
    return m;
}

double ccrs_alpha(const ccrs *s)
{
    double m = alpha_max(s->mon, s->nmon, 0);
    m = alpha_max(s->ann, s->nann, m);
    m = alpha_max(s->money, s->nmoney, m);
    return alpha_max(s->unit, s->nunit, m);
}

static int pack_all(const ccac *a, size_t n, unsigned char **buf, size_t *len, size_t *cap)
{
    for (size_t i = 0; i < n; i++)
        if (ccac_pack(ccac_at_c(a, i), buf, len, cap) != 0)
            return -1;
    return 0;
}

int ccrs_pack(const ccrs *s, unsigned char **buf, size_t *len, size_t *cap)
{
    if (pack_all(s->mon, s->nmon, buf, len, cap) || pack_all(s->ann, s->nann, buf, len, cap) ||
        pack_all(s->money, s->nmoney, buf, len, cap) || pack_all(s->unit, s->nunit, buf, len, cap))
        return -1;
    int nv = CCRS_NVAR * s->nanniv + s->nfy;
    size_t need = (size_t)nv * ccan_packed_size();
    if (*len + need > *cap) {
        unsigned char *b = realloc(*buf, *len + need);
        if (!b)
            return -1;
        *buf = b;
        *cap = *len + need;
    }
    for (int i = 0; i < nv; i++)
        ccan_pack(ccan_at_c(s->var, i), *buf + *len + (size_t)i * ccan_packed_size());
    *len += need;
    return 0;
}

static int unpack_all(ccac *a, size_t n, const unsigned char *buf, size_t len, size_t *pos)
{
    for (size_t i = 0; i < n; i++)
        if (ccac_unpack_merge(ccac_at(a, i), buf, len, pos) != 0)
            return -1;
    return 0;
}

int ccrs_unpack_merge(ccrs *dst, const unsigned char *buf, size_t len)
{
    size_t pos = 0;
    if (unpack_all(dst->mon, dst->nmon, buf, len, &pos) || unpack_all(dst->ann, dst->nann, buf, len, &pos) ||
        unpack_all(dst->money, dst->nmoney, buf, len, &pos) || unpack_all(dst->unit, dst->nunit, buf, len, &pos))
        return -1;
    int nv = CCRS_NVAR * dst->nanniv + dst->nfy;
    if (len - pos != (size_t)nv * ccan_packed_size())
        return -1;
    for (int i = 0; i < nv; i++)
        ccan_unpack_merge(ccan_at(dst->var, i), buf + pos + (size_t)i * ccan_packed_size());
    return 0;
}
