/* costs: parse and validate the money side of a config. */
#include "costs.h"

#include <stdlib.h>
#include <string.h>

#include "ccdate.h"

const char *const cct_line_name[CCT_NLINE] = {
    "council_homes", "block_contracts", "foster_fees", "emergency_foster", "foster_allowances", "kinship",
    "ifa", "residential_external", "semi_independent_external", "secure_external", "other_placements",
    "one_off"};
const int cct_line_fixed[CCT_NLINE] = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int cct_fy(int32_t day)
{
    int y, m, d;
    ccd_to_ymd(day, &y, &m, &d);
    return m >= 4 ? y : y - 1;
}

void cct_read(ccc_reader *r, const config_setting_t *root, int32_t start_day, cct_params *c)
{
    static const char *const keys[] = {"price_year",   "inflation",       "foster_allowance_week",
                                       "foster_fee_week", "emergency_place_week", "kinship_week",
                                       "other_week",   "reference_week",  "one_off",
                                       "discount_rate", "deflator"};
    static const char *const other_keys[] = {"with_parents", "adoption", "other"};
    static const int other_types[] = {CCM_PARENTS, CCM_ADOPTION, CCM_OTHER};
    static const char *const ref_keys[] = {"foster", "residential", "semi_independent", "secure"};
    static const int ref_types[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE};
    static const char *const one_keys[] = {"name", "date", "amount"};
    memset(c, 0, sizeof *c);
    config_setting_t *g = ccc_group(r, root, "costs", 0);
    if (!g)
        return;
    c->enabled = 1;
    ccc_known(r, g, keys, sizeof keys / sizeof *keys);
    long py = 0;
    if (ccc_int(r, g, "price_year", 1990, 2100, 1, &py))
        c->price_year = (int)py;
    config_setting_t *inf = ccc_group(r, g, "inflation", 0);
    if (inf) {
        const char *ikeys[CCT_NLINE + 1];
        ikeys[0] = "default";
        for (int k = 0; k < CCT_NLINE; k++)
            ikeys[k + 1] = cct_line_name[k];
        ccc_known(r, inf, ikeys, CCT_NLINE + 1);
        double def = 0;
        ccc_number(r, inf, "default", -0.2, 0.5, 0, &def);
        c->inflation_default = def;
        for (int k = 0; k < CCT_NLINE; k++) {
            c->inflation[k] = def;
            ccc_number(r, inf, cct_line_name[k], -0.2, 0.5, 0, &c->inflation[k]);
        }
    }
    c->discount_rate = 0.035;
    ccc_number(r, g, "discount_rate", 0, 0.5, 0, &c->discount_rate);
    c->deflator = c->inflation_default;
    ccc_number(r, g, "deflator", -0.2, 0.5, 0, &c->deflator);
    ccc_number(r, g, "foster_allowance_week", 0, 1e6, 0, &c->foster_allowance_week);
    ccc_number(r, g, "foster_fee_week", 0, 1e6, 0, &c->foster_fee_week);
    ccc_number(r, g, "emergency_place_week", 0, 1e6, 0, &c->emergency_place_week);
    ccc_number(r, g, "kinship_week", 0, 1e6, 0, &c->kinship_week);
    config_setting_t *ow = ccc_group(r, g, "other_week", 0);
    if (ow) {
        ccc_known(r, ow, other_keys, 3);
        for (int k = 0; k < 3; k++)
            ccc_number(r, ow, other_keys[k], 0, 1e6, 0, &c->other_week[other_types[k]]);
    }
    config_setting_t *rw = ccc_group(r, g, "reference_week", 0);
    if (rw) {
        ccc_known(r, rw, ref_keys, 4);
        for (int k = 0; k < 4; k++)
            ccc_number(r, rw, ref_keys[k], 0, 1e6, 0, &c->reference_week[ref_types[k]]);
    }
    config_setting_t *oo = ccc_list(r, g, "one_off", 0);
    int n = oo ? config_setting_length(oo) : 0;
    if (n > CCT_MAXONEOFF) {
        ccc_error(r, oo, NULL, "has %d entries (expected at most %d)", n, CCT_MAXONEOFF);
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(oo, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
            ccc_error(r, e, NULL, "is not a one-off cost (expected a group { name = ...; date = ...; amount = ...; })");
            continue;
        }
        ccc_known(r, e, one_keys, 3);
        const char *name = ccc_string(r, e, "name", 1);
        const char *date = ccc_string(r, e, "date", 1);
        double amount = 0;
        ccc_number(r, e, "amount", 0, 1e10, 1, &amount);
        int32_t day = 0;
        if (date && ccd_parse(date, &day) != 0)
            ccc_error(r, e, "date", "\"%s\" is not a date (expected YYYY-MM-DD, a real calendar date)", date);
        c->one_off_name[c->n_one_off] = dupstr(name ? name : "?");
        c->one_off_t[c->n_one_off] = (double)(day - start_day - 1);
        c->one_off_amount[c->n_one_off] = amount;
        c->n_one_off++;
    }
}

void cct_free(cct_params *c)
{
    for (int i = 0; i < c->n_one_off; i++)
        free(c->one_off_name[i]);
    c->n_one_off = 0;
    free(c->source_file);
    c->source_file = NULL;
}
