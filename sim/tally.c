/* tally: the running stocks of a replication: a child is added to, or taken
 * out of, every monthly series it counts in (by age, district, need, placement,
 * provider and location, the KPIs, spend). Called by the engine (sim.c) and by
 * the supply side (place.c) around every change of a child's placement. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

/* s->prov_where[k]: provider k is outside the county, outside D2N2 too, or
 * an external (bought) provider */
enum { W_OUTSIDE = 1, W_FAR = 2, W_EXTERNAL = 4 };

/* The stocks a placed child is in besides its placement type and its
 * provider's occupancy, as bits (place_bits): what depends on where it is,
 * the same as ccta_place counts (a move compares the bits of its old and
 * new spot; the checks recount with them). */
enum {
    S_SHORT = 1,        /* shortfall (placed in a type other than its need) */
    S_OUTSIDE = 2,      /* placed_outside/county */
    S_FAR = 4,          /* placed_outside/d2n2 and the KPI outside_d2n2 */
    S_KINSHIP = 8,      /* KPI kinship */
    S_EXT_FOSTER = 16,  /* KPI external_foster */
    S_RESI_AGAINST = 32, /* KPI resi_against_plan */
    S_FAMILY = 64       /* KPI family_based_12_15 */
};

void ccta_bind(cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        s->prov_where[k] = (uint8_t)((pv->loc != CSU_COUNTY ? W_OUTSIDE : 0) | (pv->loc == CSU_OUTSIDE ? W_FAR : 0) |
                                     (pv->owner == CSU_EXTERNAL ? W_EXTERNAL : 0));
    }
}

/* The S_ bits of a child of need `need` and cohort `cohort` placed in type
 * `placed` with provider `prov` (-1: none). */
static unsigned place_bits(const cc_sim *s, int prov, int placed, int need, int cohort)
{
    unsigned where = prov >= 0 ? s->prov_where[prov] : 0;
    unsigned b = 0;
    if (placed != need)
        b |= S_SHORT;
    if (where & W_OUTSIDE)
        b |= S_OUTSIDE;
    if (where & W_FAR)
        b |= S_FAR;
    if (placed == CCM_KINSHIP)
        b |= S_KINSHIP;
    if (placed == CCM_FOSTER && (where & W_EXTERNAL))
        b |= S_EXT_FOSTER;
    if (placed == CCM_RESIDENTIAL && need != CCM_RESIDENTIAL)
        b |= S_RESI_AGAINST;
    if (cohort == 3 && (placed == CCM_FOSTER || placed == CCM_KINSHIP))
        b |= S_FAMILY;
    return b;
}

/* Add d to the stocks of the bits b (a child of need `need`). */
static void add_bits(double *cur, const ccx_layout *L, unsigned b, int need, double d)
{
    if (b & S_SHORT)
        cur[L->shortfall + need] += d;
    if (b & S_OUTSIDE)
        cur[L->outside] += d;
    if (b & S_FAR) {
        cur[L->outside + 1] += d;
        cur[L->kpi + CCX_KPI_OUTSIDE_D2N2] += d;
    }
    if (b & S_KINSHIP)
        cur[L->kpi + CCX_KPI_KINSHIP] += d;
    if (b & S_EXT_FOSTER)
        cur[L->kpi + CCX_KPI_EXTERNAL_FOSTER] += d;
    if (b & S_RESI_AGAINST)
        cur[L->kpi + CCX_KPI_RESI_AGAINST_PLAN] += d;
    if (b & S_FAMILY)
        cur[L->kpi + CCX_KPI_FAMILY_12_15] += d;
}

void ccta_place(cc_sim *s, const child *c, double d)
{
    const ccx_layout *L = s->L;
    double *cur = s->cur;
    cur[L->placed + c->placed] += d;
    ccmo_child(s, c, d);
    if (s->trace_ep && d > 0)
        cctr_placed(s, &s->ch[c - s->ch]);
    if (c->prov >= 0)
        cur[L->occupancy + c->prov] += d;
    add_bits(cur, L, place_bits(s, c->prov, c->placed, c->need, c->cohort), c->need, d);
    /* on_birthday updates the cohort-dependent stocks (S_FAMILY) directly:
     * keep it in step when adding one */
}

void ccta_move_diff(cc_sim *s, const child *c, ccta_spot was)
{
    const ccx_layout *L = s->L;
    double *cur = s->cur;
    if (c->placed != was.placed) {
        cur[L->placed + was.placed] -= 1;
        cur[L->placed + c->placed] += 1;
    }
    if (was.prov >= 0)
        cur[L->occupancy + was.prov] -= 1;
    if (c->prov >= 0)
        cur[L->occupancy + c->prov] += 1;
    unsigned ob = place_bits(s, was.prov, was.placed, c->need, c->cohort);
    unsigned nb = place_bits(s, c->prov, c->placed, c->need, c->cohort);
    add_bits(cur, L, ob & ~nb, c->need, -1);
    add_bits(cur, L, nb & ~ob, c->need, +1);
}

uint64_t ccta_check(cc_sim *s)
{
    const ccx_layout *L = s->L;
    const cc_params *p = s->p;
    size_t n = (size_t)L->n;
    if (!s->tally_chk) {
        s->tally_chk = malloc(n * (sizeof(double) + 1));
        if (!s->tally_chk)
            return 1;
    }
    double *want = s->tally_chk;
    unsigned char *kept = (unsigned char *)(want + n);
    memset(want, 0, n * sizeof *want);
    memset(kept, 0, n);
    /* every series the tally keeps, zero or not */
    int first[] = {L->la_all, L->la_cohort, L->la_district, L->la_need, L->la_flag, L->needing, L->placed, L->shortfall,
                   L->outside, L->kpi, L->occupancy};
    /* (the districts and providers as many as the layout has: the
     * placements series follow the occupancy ones) */
    int count[] = {1, CCM_NCOHORT, L->la_need - L->la_district, CCM_NPT, CCM_NNEED, CCM_NPT, CCM_NPT, CCM_NPT, 2,
                   CCX_NKPI, L->placements - L->occupancy};
    for (size_t g = 0; g < sizeof first / sizeof *first; g++)
        for (int x = 0; x < count[g]; x++)
            kept[first[g] + x] = 1;
    double kids[CCM_NPT] = {0};
    for (uint32_t i = 0; i < s->cap; i++) {
        const child *c = &s->ch[i];
        if (!c->in_care)
            continue;
        want[L->la_all] += 1;
        want[L->la_cohort + c->cohort] += 1;
        want[L->la_district + c->district] += 1;
        want[L->la_need + c->need] += 1;
        for (int k = 0; k < CCM_NNEED; k++)
            if (c->flags & (1u << k))
                want[L->la_flag + k] += 1;
        want[L->needing + c->need] += 1;
        want[L->placed + c->placed] += 1;
        if (c->prov >= 0)
            want[L->occupancy + c->prov] += 1;
        add_bits(want, L, place_bits(s, c->prov, c->placed, c->need, c->cohort), c->need, 1);
        kids[c->placed] += 1;
    }
    uint64_t bad = 0;
    for (size_t j = 0; j < n; j++)
        bad += kept[j] && want[j] != s->cur[j];
    if (p->costs.enabled)
        for (int t = 0; t < CCM_NPT; t++)
            bad += kids[t] != s->money.kids[t];
    return bad;
}
