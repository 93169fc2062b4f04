/* metrics: the output schema of a run, a list of series (metric, group),
 * each either a stock (a count sampled at each month end) or a flow (events
 * counted over the month that ends at the date). A replication writes one
 * value per series and date into a flat array; nothing per event is kept. */
#ifndef METRICS_H
#define METRICS_H

#include "params.h"

/* CCX_MONEY: a flow (GBP, or child-weeks) summed by financial year in
 * annual.csv instead of by year from the start date. */
enum { CCX_STOCK = 0, CCX_FLOW = 1, CCX_MONEY = 2 };

typedef struct {
    int n;            /* number of series */
    const char **metric;
    char **group;     /* owned copies */
    unsigned char *kind;
    /* first series index of each block */
    int la_all, la_cohort, la_district, la_need, la_flag;
    int ent_all, ent_cohort;
    int ex_all, ex_route; /* ex_route + CCM route; age_18 at ex_age18 */
    int ex_age18;
    int mv_all;
    int tr16;             /* transitions_16 / semi_independent */
    int tr18;             /* transitions_18 / destination */
    /* supply side */
    int needing, placed, shortfall, capacity, vacancies, gap; /* each + placement type */
    int mv_breakdown, mv_planned;
    int outside;          /* placed_outside / county, then / d2n2 */
    int kpi, kpi_pct;     /* each + CCX_KPI_* */
    int fost;             /* fostering / households (stock), approvals, resignations (flows) */
    int occupancy;        /* occupancy / provider name, each provider */
    int placements;       /* placements / provider name (flow), each provider */
    /* money (only with a costs section; -1 otherwise) */
    int spend;            /* spend / each cost line, then total, fixed, variable */
    int spend_type;       /* spend_by_type / placement type */
    int child_weeks;      /* child_weeks / placement type */
    int gap_cost;         /* gap_cost / all */
    /* the DfE's counts (only for a back-test; -1 otherwise): dfe_starts by
     * age on starting (CCX_DFE_U1..), dfe_placements_3plus / all (children in
     * care at the date with 3 or more placements since 1 April), then
     * dfe_staying_put / eligible and / staying_put (flows) */
    int dfe;
} ccx_layout;

enum { CCX_DFE_U1, CCX_DFE_1_4, CCX_DFE_5_9, CCX_DFE_10_15, CCX_DFE_16, CCX_DFE_PL3, CCX_DFE_SP_ELIG, CCX_DFE_SP_YES,
       CCX_NDFE };

enum { CCX_KPI_KINSHIP, CCX_KPI_EXTERNAL_FOSTER, CCX_KPI_RESI_AGAINST_PLAN, CCX_KPI_FAMILY_12_15,
       CCX_KPI_OUTSIDE_D2N2, CCX_NKPI };
extern const char *const ccx_kpi_name[CCX_NKPI];

/* Build the layout for p. Returns NULL on allocation failure. */
ccx_layout *ccx_new(const cc_params *p);
/* The same, with the DfE's counts at the end when dfe is not 0. */
ccx_layout *ccx_new_with(const cc_params *p, int dfe);
void ccx_free(ccx_layout *L);

#endif
