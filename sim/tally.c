/* tally: the running stocks of a replication: a child is added to, or taken
 * out of, every monthly series it counts in (by age, district, need, placement,
 * provider and location, the KPIs, spend). Called by the engine (sim.c) and by
 * the supply side (place.c) around every change of a child's placement. */
#include <stddef.h>

#include "tally.h"

/* s->prov_where[k]: provider k is outside the county, outside D2N2 too, or
 * an external (bought) provider */
enum { W_OUTSIDE = 1, W_FAR = 2, W_EXTERNAL = 4 };

void ccta_bind(cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        s->prov_where[k] = (uint8_t)((pv->loc != CSU_COUNTY ? W_OUTSIDE : 0) | (pv->loc == CSU_OUTSIDE ? W_FAR : 0) |
                                     (pv->owner == CSU_EXTERNAL ? W_EXTERNAL : 0));
    }
}

void ccta_place(cc_sim *s, const child *c, double d)
{
    const ccx_layout *L = s->L;
    double *cur = s->cur;
    int placed = c->placed, need = c->need;
    cur[L->placed + placed] += d;
    ccmo_child(s, c, d);
    if (s->trace_ep && d > 0)
        cctr_placed(s, &s->ch[c - s->ch]);
    if (placed != need)
        cur[L->shortfall + need] += d;
    int where = 0;
    if (c->prov >= 0) {
        where = s->prov_where[c->prov];
        cur[L->occupancy + c->prov] += d;
    }
    if (where & W_OUTSIDE)
        cur[L->outside] += d;
    if (where & W_FAR) {
        cur[L->outside + 1] += d;
        cur[L->kpi + CCX_KPI_OUTSIDE_D2N2] += d;
    }
    if (placed == CCM_KINSHIP)
        cur[L->kpi + CCX_KPI_KINSHIP] += d;
    if (placed == CCM_FOSTER && (where & W_EXTERNAL))
        cur[L->kpi + CCX_KPI_EXTERNAL_FOSTER] += d;
    if (placed == CCM_RESIDENTIAL && need != CCM_RESIDENTIAL)
        cur[L->kpi + CCX_KPI_RESI_AGAINST_PLAN] += d;
    if (c->cohort == 3 && (placed == CCM_FOSTER || placed == CCM_KINSHIP))
        cur[L->kpi + CCX_KPI_FAMILY_12_15] += d;
    /* on_birthday updates the cohort-dependent stocks above directly: keep
     * it in step when adding one */
}

void ccta_count(cc_sim *s, const child *c, double d)
{
    const ccx_layout *L = s->L;
    double *cur = s->cur;
    cur[L->la_all] += d;
    cur[L->la_cohort + c->cohort] += d;
    cur[L->la_district + c->district] += d;
    cur[L->la_need + c->need] += d;
    for (unsigned f = c->flags, k = 0; f; f >>= 1, k++)
        if (f & 1)
            cur[L->la_flag + k] += d;
    cur[L->needing + c->need] += d;
    ccta_place(s, c, d);
}
