/* metrics: the output schema (series of metric x group). */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

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

ccx_layout *ccx_new(const cc_params *p)
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
    L->tr16 = add(&b, "transitions_16", "semi_independent", CCX_FLOW);
    L->tr18 = L->n;
    for (int k = 0; k < CCM_NDEST; k++)
        add(&b, "transitions_18", ccm_dest_name[k], CCX_FLOW);
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
