/* costs: the money side of a config: what each placement, place and
 * commitment costs, by cost line, with inflation by financial year.
 *
 * Prices of external tiers (supply.external[].price_week) and running costs
 * of council homes (supply.homes[].annual_cost) live with the providers; the
 * `costs` section adds the in-house and kinship rates, the reference price of
 * each needed type (for the cost of the capacity gap), inflation and one-off
 * costs. Every amount is in the prices of the financial year (April-March)
 * that starts in `price_year`. */
#ifndef COSTS_H
#define COSTS_H

#include <stdint.h>

#include "cfgread.h"
#include "model.h"

/* Cost lines: the groups of the `spend` metric. */
typedef enum {
    CCT_HOMES,          /* council homes' running costs (fixed, while open) */
    CCT_BLOCK,          /* external places bought by block or contract, used or not (fixed) */
    CCT_FOSTER_FEES,    /* in-house foster carers' fees, per approved household (fixed) */
    CCT_EMERGENCY,      /* emergency foster places retained (fixed) */
    CCT_FOSTER_ALLOW,   /* in-house fostering allowances, per child (variable) */
    CCT_KINSHIP,        /* kinship carers' allowances (variable) */
    CCT_IFA,            /* external foster placements (variable) */
    CCT_RESI,           /* external residential placements, framework and spot (variable) */
    CCT_SEMI,           /* external semi-independent placements, not contracted (variable) */
    CCT_SECURE,         /* external secure placements (variable) */
    CCT_OTHER,          /* with parents, placed for adoption, other (variable) */
    CCT_ONE_OFF,        /* one-off costs (e.g. opening a home) */
    CCT_NLINE
} cct_line;

extern const char *const cct_line_name[CCT_NLINE];
/* 1 for the fixed lines, 0 for the variable ones; one-off costs are neither. */
extern const int cct_line_fixed[CCT_NLINE];

enum { CCT_MAXONEOFF = 64 };

typedef struct {
    int enabled;                  /* a `costs` section was given */
    int price_year;               /* prices are those of FY price_year-(price_year+1) */
    double inflation[CCT_NLINE];  /* a year, by line */
    double inflation_default;     /* a year: lines not given, and the gap cost */
    double foster_allowance_week; /* per child-week with in-house carers */
    double foster_fee_week;       /* per approved household-week */
    double emergency_place_week;  /* per emergency foster place-week, used or not */
    double kinship_week;          /* per child-week in kinship care */
    double other_week[CCM_NPT];   /* per child-week in with_parents, adoption, other */
    double reference_week[CCM_NPT]; /* what a place of the needed type costs, for the gap cost */
    int n_one_off;
    double one_off_t[CCT_MAXONEOFF];      /* days from the start date */
    double one_off_amount[CCT_MAXONEOFF];
    char *one_off_name[CCT_MAXONEOFF];
    /* the business case of scenarios (bizcase.h) */
    double discount_rate;         /* real, a year: HM Treasury Green Book 3.5% unless set */
    double deflator;              /* general inflation a year (cash to real terms): inflation.default unless set */
    /* where each amount was set, for the workbook's assumptions sheet */
    char *source_file;            /* the top-level config */
} cct_params;

/* Parse and validate the optional `costs` section. */
void cct_read(ccc_reader *r, const config_setting_t *root, int32_t start_day, cct_params *c);
void cct_free(cct_params *c);
/* Financial year (the calendar year it starts in) of day number `day`. */
int cct_fy(int32_t day);

#endif
