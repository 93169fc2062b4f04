/* metrics: the output schema (series of metric x group). */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

const char *const ccx_kpi_name[CCX_NKPI] = {"kinship", "external_foster", "resi_against_plan",
                                            "family_based_12_15", "outside_d2n2"};

typedef struct {
    ccx_layout *L;
    int cap;
    int fail;
} builder;

static int add(builder *b, const char *metric, const char *group, int kind)
{
    ccx_layout *L = b->L;
    if (L->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 64;
        const char **m = realloc(L->metric, (size_t)cap * sizeof *m);
        char **g = realloc(L->group, (size_t)cap * sizeof *g);
        unsigned char *k = realloc(L->kind, (size_t)cap);
        if (m)
            L->metric = m;
        if (g)
            L->group = g;
        if (k)
            L->kind = k;
        if (!m || !g || !k) {
            b->fail = 1;
            return -1;
        }
        b->cap = cap;
    }
    size_t len = strlen(group) + 1;
    char *gc = malloc(len);
    if (!gc) {
        b->fail = 1;
        return -1;
    }
    memcpy(gc, group, len);
    L->metric[L->n] = metric;
    L->group[L->n] = gc;
    L->kind[L->n] = (unsigned char)kind;
    return L->n++;
}

ccx_layout *ccx_new(const cc_params *p) { return ccx_new_with(p, 0); }

ccx_layout *ccx_new_with(const cc_params *p, int dfe)
{
    builder b = {calloc(1, sizeof(ccx_layout)), 0, 0};
    if (!b.L)
        return NULL;
    ccx_layout *L = b.L;
    L->la_all = add(&b, "looked_after", "all", CCX_STOCK);
    L->la_cohort = L->n;
    for (int c = 0; c < CCM_NCOHORT; c++)
        add(&b, "looked_after", ccm_cohort_label[c], CCX_STOCK);
    L->la_district = L->n;
    for (int d = 0; d < p->nd; d++)
        add(&b, "looked_after", p->district[d], CCX_STOCK);
    L->la_need = L->n;
    for (int t = 0; t < CCM_NPT; t++)
        add(&b, "looked_after", ccm_ptype_name[t], CCX_STOCK);
    L->la_flag = L->n;
    for (int k = 0; k < CCM_NNEED; k++)
        add(&b, "looked_after_need", ccm_need_name[k], CCX_STOCK);
    L->ent_all = add(&b, "entries", "all", CCX_FLOW);
    L->ent_cohort = L->n;
    for (int c = 0; c < CCM_NCOHORT; c++)
        add(&b, "entries", ccm_cohort_label[c], CCX_FLOW);
    L->ex_all = add(&b, "exits", "all", CCX_FLOW);
    L->ex_route = L->n;
    for (int k = 0; k < CCM_EXIT_OTHER; k++)
        add(&b, "exits", ccm_route_name[k], CCX_FLOW);
    L->ex_age18 = add(&b, "exits", "age_18", CCX_FLOW);
    add(&b, "exits", "other", CCX_FLOW); /* = ex_route + CCM_EXIT_OTHER + 1; see ccx_route */
    L->mv_all = add(&b, "moves", "all", CCX_FLOW);
    L->mv_breakdown = add(&b, "moves", "breakdown", CCX_FLOW);
    L->mv_planned = add(&b, "moves", "planned", CCX_FLOW);
    L->tr16 = add(&b, "transitions_16", "semi_independent", CCX_FLOW);
    L->tr18 = L->n;
    for (int k = 0; k < CCM_NDEST; k++)
        add(&b, "transitions_18", ccm_dest_name[k], CCX_FLOW);
    static const char *const by_type[] = {"needing", "placed", "shortfall", "capacity", "vacancies", "gap"};
    int *first[] = {&L->needing, &L->placed, &L->shortfall, &L->capacity, &L->vacancies, &L->gap};
    for (int m = 0; m < 6; m++) {
        *first[m] = L->n;
        for (int t = 0; t < CCM_NPT; t++)
            add(&b, by_type[m], ccm_ptype_name[t], CCX_STOCK);
    }
    L->outside = add(&b, "placed_outside", "county", CCX_STOCK);
    add(&b, "placed_outside", "d2n2", CCX_STOCK);
    L->kpi = L->n;
    for (int k = 0; k < CCX_NKPI; k++)
        add(&b, "kpi", ccx_kpi_name[k], CCX_STOCK);
    L->kpi_pct = L->n;
    for (int k = 0; k < CCX_NKPI; k++)
        add(&b, "kpi_pct", ccx_kpi_name[k], CCX_STOCK);
    L->fost = add(&b, "fostering", "households", CCX_STOCK);
    add(&b, "fostering", "approvals", CCX_FLOW);
    add(&b, "fostering", "resignations", CCX_FLOW);
    L->occupancy = L->n;
    for (int k = 0; k < p->supply.n; k++)
        add(&b, "occupancy", p->supply.prov[k].name, CCX_STOCK);
    L->placements = L->n;
    for (int k = 0; k < p->supply.n; k++)
        add(&b, "placements", p->supply.prov[k].name, CCX_FLOW);
    L->spend = L->spend_type = L->child_weeks = L->gap_cost = -1;
    if (p->costs.enabled) {
        L->spend = L->n;
        for (int k = 0; k < CCT_NLINE; k++)
            add(&b, "spend", cct_line_name[k], CCX_MONEY);
        add(&b, "spend", "total", CCX_MONEY);
        add(&b, "spend", "fixed", CCX_MONEY);
        add(&b, "spend", "variable", CCX_MONEY);
        L->spend_type = L->n;
        for (int t = 0; t < CCM_NPT; t++)
            add(&b, "spend_by_type", ccm_ptype_name[t], CCX_MONEY);
        L->child_weeks = L->n;
        for (int t = 0; t < CCM_NPT; t++)
            add(&b, "child_weeks", ccm_ptype_name[t], CCX_MONEY);
        L->gap_cost = add(&b, "gap_cost", "all", CCX_MONEY);
    }
    L->dfe = -1;
    if (dfe) {
        static const char *const band[] = {"under_1", "1_4", "5_9", "10_15", "16_over"};
        L->dfe = L->n;
        for (int k = 0; k < 5; k++)
            add(&b, "dfe_starts", band[k], CCX_FLOW);
        add(&b, "dfe_placements_3plus", "all", CCX_STOCK);
        add(&b, "dfe_staying_put", "eligible", CCX_FLOW);
        add(&b, "dfe_staying_put", "staying_put", CCX_FLOW);
    }
    if (b.fail) {
        ccx_free(L);
        return NULL;
    }
    return L;
}

void ccx_free(ccx_layout *L)
{
    if (!L)
        return;
    for (int i = 0; i < L->n; i++)
        free(L->group[i]);
    free(L->group);
    free(L->metric);
    free(L->kind);
    free(L);
}
