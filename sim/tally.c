/* tally: the running stocks of a replication: a child is added to, or taken
 * out of, every monthly series it counts in (by age, district, need, placement,
 * provider and location, the KPIs, spend). Called by the engine (sim.c) and by
 * the supply side (place.c) around every change of a child's placement. */
#include <stddef.h>

#include "tally.h"

void ccta_count(cc_sim *s, const child *c, double d)
{
    const ccx_layout *L = s->L;
    double *cur = s->cur;
    cur[L->la_all] += d;
    cur[L->la_cohort + c->cohort] += d;
    cur[L->la_district + c->district] += d;
    cur[L->la_need + c->need] += d;
    for (int f = 0; f < CCM_NNEED; f++)
        if (c->flags & (1 << f))
            cur[L->la_flag + f] += d;
    cur[L->needing + c->need] += d;
    cur[L->placed + c->placed] += d;
    ccmo_child(s, c, d);
    if (s->trace_ep && d > 0)
        cctr_placed(s, &s->ch[c - s->ch]);
    if (c->placed != c->need)
        cur[L->shortfall + c->need] += d;
    int loc = CSU_COUNTY, external = 0;
    if (c->prov >= 0) {
        const csu_provider *pv = &s->p->supply.prov[c->prov];
        loc = pv->loc;
        external = pv->owner == CSU_EXTERNAL;
        cur[L->occupancy + c->prov] += d;
    }
    if (loc != CSU_COUNTY)
        cur[L->outside] += d;
    if (loc == CSU_OUTSIDE) {
        cur[L->outside + 1] += d;
        cur[L->kpi + CCX_KPI_OUTSIDE_D2N2] += d;
    }
    if (c->placed == CCM_KINSHIP)
        cur[L->kpi + CCX_KPI_KINSHIP] += d;
    if (c->placed == CCM_FOSTER && external)
        cur[L->kpi + CCX_KPI_EXTERNAL_FOSTER] += d;
    if (c->placed == CCM_RESIDENTIAL && c->need != CCM_RESIDENTIAL)
        cur[L->kpi + CCX_KPI_RESI_AGAINST_PLAN] += d;
    if (c->cohort == 3 && (c->placed == CCM_FOSTER || c->placed == CCM_KINSHIP))
        cur[L->kpi + CCX_KPI_FAMILY_12_15] += d;
    /* on_birthday updates the cohort-dependent stocks above directly: keep
     * it in step when adding one */
}
