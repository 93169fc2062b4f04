/* params: load, validate and freeze a council's model parameters. */
#include "params.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sf_gamma.h>

#include "ccdate.h"
#include "cfgfile.h"
#include "cfgread.h"
#include "uncert.h"

#define SHARE_TOL 0.005
#define MAX_RATE 50.0   /* events a year: anything above is surely a unit error */
#define DAYS_PER_YEAR 365.25

static const char *const top_keys[] = {"name", "scenario", "start_date", "districts", "ageing", "initial",
                                       "entries", "exits", "moves", "needs", "transitions",
                                       "supply", "matching", "costs",
                                       "uncertainty", "uncertainty_of", "drift", "uncertainty_group"};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A group with exactly one number per cohort (age_0_3 ... age_16_17). */
static void read_cohorts(ccc_reader *r, const config_setting_t *parent, const char *name, double lo, double hi,
                         int required, double out[CCM_NCOHORT])
{
    config_setting_t *g = required ? ccc_group(r, parent, name, 1) : ccc_group_defaults(r, parent, name);
    if (!g)
        return;
    ccc_known(r, g, ccm_cohort_key, CCM_NCOHORT);
    for (int c = 0; c < CCM_NCOHORT; c++)
        ccc_number(r, g, ccm_cohort_key[c], lo, hi, 1, &out[c]);
}

static void check_sum(ccc_reader *r, const config_setting_t *s, double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    if (fabs(sum - 1.0) > SHARE_TOL) {
        ccc_error(r, s, NULL, "shares sum to %.4g (expected 1, within %g)", sum, SHARE_TOL);
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] /= sum;
}

/* A group of shares keyed by names[]; absent names are 0; the sum must be 1. */
static void read_shares(ccc_reader *r, const config_setting_t *parent, const char *name, const char *const *names,
                        size_t n, int required, double *out)
{
    config_setting_t *g = ccc_group(r, parent, name, required);
    if (!g)
        return;
    ccc_known(r, g, names, n);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        if (config_setting_get_member(g, names[i]) && !ccc_number(r, g, names[i], 0, 1, 1, &out[i]))
            ok = 0;
    }
    if (ok)
        check_sum(r, g, out, n);
}

/* A list with one number per district. */
static void read_district_list(ccc_reader *r, const config_setting_t *parent, const char *name, int nd,
                               double lo, double hi, int shares, double *out)
{
    config_setting_t *l = ccc_list(r, parent, name, 1);
    if (!l)
        return;
    int len = config_setting_length(l);
    if (len != nd) {
        ccc_error(r, l, NULL, "has %d value%s (expected one per district, %d, in the order of 'districts')", len,
                  len == 1 ? "" : "s", nd);
        return;
    }
    int ok = 1;
    for (int i = 0; i < nd; i++)
        if (!ccc_number_at(r, config_setting_get_elem(l, (unsigned)i), lo, hi, &out[i]))
            ok = 0;
    if (ok && shares)
        check_sum(r, l, out, (size_t)nd);
}

static void read_dist(ccc_reader *r, const config_setting_t *g, cc_dist *d)
{
    d->family = CCM_DIST_EXP;
    d->shape = 1;
    ccc_choice(r, g, "distribution", ccm_dist_name, 3, 0, &d->family);
    int has_shape = config_setting_get_member(g, "shape") != NULL;
    int has_sigma = config_setting_get_member(g, "sigma") != NULL;
    if (d->family == CCM_DIST_WEIBULL)
        ccc_number(r, g, "shape", 0.1, 10, 1, &d->shape);
    else if (has_shape)
        ccc_error(r, g, "shape", "only applies to distribution = \"weibull\"");
    if (d->family == CCM_DIST_LOGNORMAL)
        ccc_number(r, g, "sigma", 0.05, 5, 1, &d->shape);
    else if (has_sigma)
        ccc_error(r, g, "sigma", "only applies to distribution = \"lognormal\"");
}

/* Placement types allowed for a cohort: semi-independent is for 16-17 only. */
static void check_ptype_ages(ccc_reader *r, const config_setting_t *mix, double v[CCM_NCOHORT][CCM_NPT])
{
    if (!mix)
        return;
    for (int c = 0; c < CCM_NCOHORT - 1; c++)
        if (v[c][CCM_SEMI] > 0) {
            config_setting_t *g = config_setting_get_member(mix, ccm_cohort_key[c]);
            ccc_error(r, g ? g : mix, g ? "semi_independent" : NULL,
                      "semi-independent provision is for 16-17 year olds only (expected 0 or absent)");
        }
}

static void read_ptype_mix(ccc_reader *r, const config_setting_t *parent, double v[CCM_NCOHORT][CCM_NPT])
{
    config_setting_t *mix = ccc_group(r, parent, "placement_mix", 1);
    if (!mix)
        return;
    ccc_known(r, mix, ccm_cohort_key, CCM_NCOHORT);
    for (int c = 0; c < CCM_NCOHORT; c++)
        read_shares(r, mix, ccm_cohort_key[c], ccm_ptype_name, CCM_NPT, 1, v[c]);
    check_ptype_ages(r, mix, v);
}

/* `needs`: optional, and so is each need (left out: no child has it); a need
 * that is given has all five cohorts. */
static void read_need_shares(ccc_reader *r, const config_setting_t *parent, double v[CCM_NNEED][CCM_NCOHORT])
{
    for (int k = 0; k < CCM_NNEED; k++)
        for (int c = 0; c < CCM_NCOHORT; c++)
            v[k][c] = 0;
    config_setting_t *g = ccc_group_defaults(r, parent, "needs");
    if (!g)
        return;
    ccc_known(r, g, ccm_need_name, CCM_NNEED);
    for (int k = 0; k < CCM_NNEED; k++)
        read_cohorts(r, g, ccm_need_name[k], 0, 1, 0, v[k]);
}

/* A list of 2 to CCP_MAXQ non-decreasing durations in years, stored in days;
 * returns its length, or 0 after an error. */
static int read_quantiles(ccc_reader *r, const config_setting_t *g, const char *name, int ages_to, double *out)
{
    config_setting_t *l = ccc_list(r, g, name, 1);
    if (!l)
        return 0;
    int n = config_setting_length(l);
    if (n < 2 || n > CCP_MAXQ) {
        ccc_error(r, l, NULL, "has %d value%s (expected 2 to %d quantiles, in years, at evenly spaced "
                  "probabilities from 0 to 1)", n, n == 1 ? "" : "s", CCP_MAXQ);
        return 0;
    }
    int ok = 1;
    for (int i = 0; i < n; i++) {
        double v = 0;
        if (!ccc_number_at(r, config_setting_get_elem(l, (unsigned)i), 0, ages_to, &v)) {
            ok = 0;
            continue;
        }
        if (i > 0 && v < out[i - 1] / DAYS_PER_YEAR) {
            ccc_error(r, l, NULL, "value %d is below the one before it (expected quantiles in increasing "
                      "order)", i + 1);
            ok = 0;
        }
        out[i] = v * DAYS_PER_YEAR;
    }
    return ok ? n : 0;
}

/* initial.history: per cohort, quantiles of the time the start-date children
 * have been in care and in their current placement (left out: none). */
static void read_history(ccc_reader *r, const config_setting_t *g, cc_params *p)
{
    static const char *const keys[] = {"in_care", "in_placement"};
    for (int c = 0; c < CCM_NCOHORT; c++)
        p->hist_n[c] = 0;
    config_setting_t *h = ccc_group(r, g, "history", 0);
    p->hist_indep = 0;
    if (!h)
        return;
    static const char *const hkeys[] = {"age_0_3", "age_4_6", "age_7_11", "age_12_15", "age_16_17", "pairing"};
    ccc_known(r, h, hkeys, sizeof hkeys / sizeof *hkeys);
    /* how the two times pair up: observed deciles of the same children
     * (together) or a stated steady state in which a placement's age does
     * not depend on the time in care (independent) */
    static const char *const pairing[] = {"together", "independent"};
    int pr = 0;
    if (config_setting_get_member(h, "pairing") && ccc_choice(r, h, "pairing", pairing, 2, 0, &pr))
        p->hist_indep = pr == 1;
    for (int c = 0; c < CCM_NCOHORT; c++) {
        config_setting_t *cg = ccc_group(r, h, ccm_cohort_key[c], 0);
        if (!cg)
            continue;
        ccc_known(r, cg, keys, 2);
        int nc = read_quantiles(r, cg, "in_care", ccm_cohort_lo[c + 1], p->hist_care[c]);
        int np = read_quantiles(r, cg, "in_placement", ccm_cohort_lo[c + 1], p->hist_place[c]);
        if (nc && np && nc != np)
            ccc_error(r, cg, "in_placement", "has %d quantiles and in_care %d (expected the same number)", np, nc);
        else if (nc && np)
            p->hist_n[c] = nc;
    }
}

static void read_initial(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    static const char *const keys[] = {"count", "district_mix", "placement_mix", "needs", "resi_against_plan",
                                       "history"};
    config_setting_t *g = ccc_group(r, root, "initial", 1);
    if (!g)
        return;
    ccc_known(r, g, keys, sizeof keys / sizeof *keys);
    config_setting_t *cg = ccc_group(r, g, "count", 1);
    if (cg) {
        ccc_known(r, cg, ccm_cohort_key, CCM_NCOHORT);
        for (int c = 0; c < CCM_NCOHORT; c++) {
            long v = 0;
            if (ccc_int(r, cg, ccm_cohort_key[c], 0, 10000000, 1, &v))
                p->init_count[c] = (int)v;
        }
    }
    /* with one district, every child is in it: district_mix may be left out */
    for (int i = 0; p->nd == 1 && i < CCM_NCOHORT; i++)
        p->init_district[i] = 1;
    int had_dm = config_setting_get_member(g, "district_mix") != NULL;
    config_setting_t *dm = p->nd == 1 ? ccc_group_defaults(r, g, "district_mix") : ccc_group(r, g, "district_mix", 1);
    if (dm && p->nd == 1 && r->fill && !had_dm)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            config_setting_t *a = config_setting_add(dm, ccm_cohort_key[c], CONFIG_TYPE_ARRAY);
            if (a)
                config_setting_set_float_elem(a, -1, 1.0);
        }
    if (dm && p->nd > 0) {
        ccc_known(r, dm, ccm_cohort_key, CCM_NCOHORT);
        for (int c = 0; c < CCM_NCOHORT; c++)
            read_district_list(r, dm, ccm_cohort_key[c], p->nd, 0, 1, 1, p->init_district + c * p->nd);
    }
    read_ptype_mix(r, g, p->init_ptype);
    read_need_shares(r, g, p->init_need);
    p->resi_against_plan = 0;
    ccc_number(r, g, "resi_against_plan", 0, 1, 0, &p->resi_against_plan);
    read_history(r, g, p);
}

/* entries.age_profile: per cohort, weights of each single year of age of
 * the entrants (left out: even over the band). */
static void read_age_profile(ccc_reader *r, const config_setting_t *g, cc_params *p)
{
    for (int c = 0; c < CCM_NCOHORT; c++) {
        int span = ccm_cohort_lo[c + 1] - ccm_cohort_lo[c];
        p->entry_age_even[c] = 1;
        for (int j = 0; j < CCP_MAXSPAN; j++)
            p->entry_age_cdf[c][j] = j < span ? (double)(j + 1) / span : 1;
    }
    config_setting_t *ap = ccc_group(r, g, "age_profile", 0);
    if (!ap)
        return;
    ccc_known(r, ap, ccm_cohort_key, CCM_NCOHORT);
    for (int c = 0; c < CCM_NCOHORT; c++) {
        config_setting_t *l = ccc_list(r, ap, ccm_cohort_key[c], 0);
        if (!l)
            continue;
        int lo = ccm_cohort_lo[c], span = ccm_cohort_lo[c + 1] - lo, n = config_setting_length(l);
        if (n != span) {
            ccc_error(r, l, NULL, "has %d weight%s (expected %d, one for each single year of age %d to %d)", n,
                      n == 1 ? "" : "s", span, lo, lo + span - 1);
            continue;
        }
        double w[CCP_MAXSPAN], sum = 0;
        int ok = 1;
        for (int j = 0; j < span; j++) {
            if (!ccc_number_at(r, config_setting_get_elem(l, (unsigned)j), 0, 1e6, &w[j]))
                ok = 0;
            else
                sum += w[j];
        }
        if (ok && sum <= 0) {
            ccc_error(r, l, NULL, "weights sum to 0 (expected at least one positive weight)");
            ok = 0;
        }
        if (!ok)
            continue;
        double acc = 0;
        for (int j = 0; j < span; j++) {
            acc += w[j];
            p->entry_age_cdf[c][j] = j + 1 == span ? 1 : acc / sum;
        }
        p->entry_age_even[c] = 0;
    }
}

static void read_entries(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    static const char *const keys[] = {"rate", "trend", "placement_mix", "needs", "age_profile"};
    config_setting_t *g = ccc_group(r, root, "entries", 1);
    if (!g)
        return;
    ccc_known(r, g, keys, sizeof keys / sizeof *keys);
    config_setting_t *rg = ccc_group(r, g, "rate", 1);
    if (rg && p->nd > 0) {
        ccc_known(r, rg, ccm_cohort_key, CCM_NCOHORT);
        for (int c = 0; c < CCM_NCOHORT; c++)
            read_district_list(r, rg, ccm_cohort_key[c], p->nd, 0, 1e6, 0, p->entry_rate + c * p->nd);
    }
    p->entry_trend = 0;
    ccc_number(r, g, "trend", -0.5, 1.0, 0, &p->entry_trend);
    read_ptype_mix(r, g, p->entry_ptype);
    read_need_shares(r, g, p->entry_need);
    read_age_profile(r, g, p);
}

static void read_exits(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    static const char *const route_keys[] = {"distribution", "shape", "sigma", "rate", "placement_multiplier"};
    /* a route left out (or the whole group) has no exits */
    for (int k = 0; k < CCM_NROUTE; k++) {
        p->exit_dist[k].family = CCM_DIST_EXP;
        p->exit_dist[k].shape = 1;
        for (int c = 0; c < CCM_NCOHORT; c++)
            p->exit_rate[k][c] = 0;
        for (int t = 0; t < CCM_NPT; t++)
            p->type_exit_mult[k][t] = 1;
    }
    config_setting_t *g = ccc_group_defaults(r, root, "exits");
    if (!g)
        return;
    ccc_known(r, g, ccm_route_name, CCM_NROUTE);
    for (int k = 0; k < CCM_NROUTE; k++) {
        config_setting_t *rg = ccc_group_defaults(r, g, ccm_route_name[k]);
        if (!rg)
            continue;
        ccc_known(r, rg, route_keys, 5);
        read_dist(r, rg, &p->exit_dist[k]);
        read_cohorts(r, rg, "rate", 0, MAX_RATE, 1, p->exit_rate[k]);
        config_setting_t *pm = ccc_group_defaults(r, rg, "placement_multiplier");
        if (pm) {
            ccc_known(r, pm, ccm_ptype_name, CCM_NPT);
            for (int t = 0; t < CCM_NPT; t++)
                ccc_number(r, pm, ccm_ptype_name[t], 0, 100, 0, &p->type_exit_mult[k][t]);
        }
    }
}

static void read_moves(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    static const char *const keys[] = {"distribution", "shape", "sigma", "rate", "to_residential",
                                       "frailty_variance"};
    /* a type left out of moves.rate (or rate, or the whole group) has no breakdowns */
    p->move_frailty_var = 0;
    p->move_dist.family = CCM_DIST_EXP;
    p->move_dist.shape = 1;
    for (int c = 0; c < CCM_NCOHORT; c++) {
        p->escalate[c] = 0;
        for (int t = 0; t < CCM_NPT; t++)
            p->move_rate[t][c] = 0;
    }
    config_setting_t *g = ccc_group_defaults(r, root, "moves");
    if (!g)
        return;
    ccc_known(r, g, keys, 6);
    read_cohorts(r, g, "to_residential", 0, 1, 0, p->escalate);
    ccc_number(r, g, "frailty_variance", 0, 100, 0, &p->move_frailty_var);
    read_dist(r, g, &p->move_dist);
    config_setting_t *rg = ccc_group_defaults(r, g, "rate");
    if (!rg)
        return;
    ccc_known(r, rg, ccm_ptype_name, CCM_NPT);
    for (int t = 0; t < CCM_NPT; t++)
        read_cohorts(r, rg, ccm_ptype_name[t], 0, MAX_RATE, 0, p->move_rate[t]);
}

static void read_needs(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    static const char *const keys[] = {"exit_multiplier", "move_multiplier"};
    for (int k = 0; k < CCM_NNEED; k++) {
        for (int j = 0; j < CCM_NROUTE; j++)
            p->need_exit_mult[k][j] = 1;
        p->need_move_mult[k] = 1;
    }
    config_setting_t *g = ccc_group_defaults(r, root, "needs");
    if (!g)
        return;
    ccc_known(r, g, ccm_need_name, CCM_NNEED);
    for (int k = 0; k < CCM_NNEED; k++) {
        config_setting_t *ng = ccc_group_defaults(r, g, ccm_need_name[k]);
        if (!ng)
            continue;
        ccc_known(r, ng, keys, 2);
        config_setting_t *em = ccc_group_defaults(r, ng, "exit_multiplier");
        if (em) {
            ccc_known(r, em, ccm_route_name, CCM_NROUTE);
            for (int j = 0; j < CCM_NROUTE; j++)
                ccc_number(r, em, ccm_route_name[j], 0, 100, 0, &p->need_exit_mult[k][j]);
        }
        ccc_number(r, ng, "move_multiplier", 0, 100, 0, &p->need_move_mult[k]);
    }
}

static void read_transitions(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    static const char *const keys[] = {"semi_independent", "leaving_care"};
    static const char *const semi_keys[] = {"at_16", "rate"};
    static const char *lc_keys[CCM_NPT + 1];
    lc_keys[0] = "default";
    for (int t = 0; t < CCM_NPT; t++)
        lc_keys[t + 1] = ccm_ptype_name[t];
    config_setting_t *g = ccc_group(r, root, "transitions", 1);
    if (!g)
        return;
    ccc_known(r, g, keys, 2);
    /* left out: no moves to semi-independent provision */
    for (int t = 0; t < CCM_NPT; t++)
        p->semi_at16[t] = p->semi_rate[t] = 0;
    config_setting_t *sg = ccc_group_defaults(r, g, "semi_independent");
    if (sg) {
        ccc_known(r, sg, semi_keys, 2);
        config_setting_t *a = ccc_group_defaults(r, sg, "at_16");
        config_setting_t *rt = ccc_group_defaults(r, sg, "rate");
        /* a child in semi-independent provision cannot move to it */
        if (a && config_setting_get_member(a, "semi_independent"))
            ccc_error(r, a, "semi_independent", "has no effect: a child already in semi-independent provision "
                                                "does not move to it (expected absent)");
        if (rt && config_setting_get_member(rt, "semi_independent"))
            ccc_error(r, rt, "semi_independent", "has no effect: a child already in semi-independent provision "
                                                 "does not move to it (expected absent)");
        if (a) {
            ccc_known(r, a, ccm_ptype_name, CCM_NPT);
            for (int t = 0; t < CCM_NPT; t++)
                if (t != CCM_SEMI)
                    ccc_number(r, a, ccm_ptype_name[t], 0, 1, 0, &p->semi_at16[t]);
        }
        if (rt) {
            ccc_known(r, rt, ccm_ptype_name, CCM_NPT);
            for (int t = 0; t < CCM_NPT; t++)
                if (t != CCM_SEMI)
                    ccc_number(r, rt, ccm_ptype_name[t], 0, MAX_RATE, 0, &p->semi_rate[t]);
        }
    }
    config_setting_t *lc = ccc_group(r, g, "leaving_care", 1);
    if (lc) {
        ccc_known(r, lc, lc_keys, CCM_NPT + 1);
        double def[CCM_NDEST] = {0, 0, 1};
        read_shares(r, lc, "default", ccm_dest_name, CCM_NDEST, 1, def);
        for (int t = 0; t < CCM_NPT; t++) {
            memcpy(p->leave18[t], def, sizeof def);
            read_shares(r, lc, ccm_ptype_name[t], ccm_dest_name, CCM_NDEST, 0, p->leave18[t]);
        }
    }
}

static void read_districts(ccc_reader *r, const config_setting_t *root, cc_params *p)
{
    config_setting_t *l = ccc_list(r, root, "districts", 1);
    if (!l)
        return;
    int n = config_setting_length(l);
    if (n < 1 || n > 255) {
        ccc_error(r, l, NULL, "has %d names (expected 1 to 255 district names)", n);
        return;
    }
    p->district = calloc((size_t)n, sizeof *p->district);
    if (!p->district)
        return;
    p->nd = n;
    for (int i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *s = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
        if (s && strlen(s) > CCC_MAX_NAME) {
            ccc_error(r, e, NULL, "is a string of %zu characters (expected at most %d)", strlen(s), CCC_MAX_NAME);
            s = "?";
        } else if (!s || !*s || strpbrk(s, ",\"\n\r")) {
            ccc_error(r, e, NULL, "is not a district name (expected a non-empty string without commas or quotes)");
            s = "?";
        }
        for (int j = 0; j < i; j++)
            if (strcmp(p->district[j], s) == 0 && strcmp(s, "?") != 0)
                ccc_error(r, e, NULL, "district \"%s\" is listed twice (expected unique names)", s);
        p->district[i] = dupstr(s);
    }
}

static void derive(cc_params *p)
{
    int nc = CCM_NCOHORT * p->nd;
    p->entry_total = 0;
    for (int i = 0; i < nc; i++)
        p->entry_total += p->entry_rate[i];
    if (p->entry_total > 0)
        p->entry_cell = gsl_ran_discrete_preproc((size_t)nc, p->entry_rate);
    for (int c = 0; c < CCM_NCOHORT; c++)
        p->entry_pt[c] = gsl_ran_discrete_preproc(CCM_NPT, p->entry_ptype[c]);
    /* Scale parameters so that each duration's mean is 1/rate years. */
    for (int k = 0; k < CCM_NROUTE; k++)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            double mean = p->exit_rate[k][c] > 0 ? DAYS_PER_YEAR / p->exit_rate[k][c] : INFINITY;
            const cc_dist *d = &p->exit_dist[k];
            p->exit_scale[k][c] = d->family == CCM_DIST_WEIBULL     ? mean / gsl_sf_gamma(1 + 1 / d->shape)
                                  : d->family == CCM_DIST_LOGNORMAL ? log(mean) - d->shape * d->shape / 2
                                                                    : mean;
        }
    for (int t = 0; t < CCM_NPT; t++)
        for (int c = 0; c < CCM_NCOHORT; c++) {
            double mean = p->move_rate[t][c] > 0 ? DAYS_PER_YEAR / p->move_rate[t][c] : INFINITY;
            const cc_dist *d = &p->move_dist;
            p->move_scale[t][c] = d->family == CCM_DIST_WEIBULL     ? mean / gsl_sf_gamma(1 + 1 / d->shape)
                                  : d->family == CCM_DIST_LOGNORMAL ? log(mean) - d->shape * d->shape / 2
                                                                    : mean;
        }
}

/* ccp_load, and with fill set ccp_print_resolved (which prints the tree to
 * `print` when it is valid). */
static int load(const char *path, cc_diag *diag, int fill, FILE *print, cc_params **out)
{
    *out = NULL;
    uint64_t hash = 0;
    config_t cfg;
    config_init(&cfg);
    int rc = ccf_open(&cfg, path, "config", diag, &hash);
    if (rc == CCF_EPARSE) {
        const char *f = config_error_file(&cfg);
        ccg_add(diag, "%s:%d: cannot parse the file: %s (expected libconfig syntax: name = value; groups in { }, arrays in [ ], strings in double quotes)",
                f ? f : path, config_error_line(&cfg), config_error_text(&cfg));
        config_destroy(&cfg);
        return CCP_EINVALID;
    }
    if (rc != CCF_OK) {
        config_destroy(&cfg);
        return rc == CCF_EIO ? CCP_EIO : CCP_EINVALID;
    }
    cc_params *p = calloc(1, sizeof *p);
    if (!p) {
        config_destroy(&cfg);
        ccg_add(diag, "%s: out of memory", path);
        return CCP_EIO;
    }
    p->path = dupstr(path);
    p->file_hash = hash;
    for (int c = 0; c < CCM_NCOHORT; c++)
        p->entry_keep[c] = 1;
    p->ageing = 1;
    size_t before = ccg_count(diag);
    ccc_reader r = {diag, path, fill};
    const config_setting_t *root = config_root_setting(&cfg);
    ccc_known(&r, root, top_keys, sizeof top_keys / sizeof *top_keys);

    const char *s = ccc_string(&r, root, "name", 1);
    p->name = dupstr(s ? s : "");
    s = ccc_string(&r, root, "scenario", 0);
    if (!s && !config_setting_get_member(root, "scenario"))
        ccc_fill_string(&r, root, "scenario", "baseline");
    p->scenario = dupstr(s ? s : "baseline");
    if (p->scenario && (!*p->scenario || strpbrk(p->scenario, ",\"\n\r")))
        ccc_error(&r, root, "scenario", "is not a usable label (expected a non-empty string without commas or quotes)");
    s = ccc_string(&r, root, "start_date", 1);
    if (s && ccd_parse(s, &p->start_day) != 0)
        ccc_error(&r, root, "start_date", "\"%s\" is not a date (expected YYYY-MM-DD, a real calendar date)", s);
    else if (s && ccd_month_end(p->start_day) != p->start_day)
        ccc_error(&r, root, "start_date", "\"%s\" is not the last day of a month (expected a month end, e.g. 2022-07-31)", s);
    ccc_bool(&r, root, "ageing", 0, &p->ageing);
    read_districts(&r, root, p);
    int nd = p->nd > 0 ? p->nd : 1;
    p->init_district = calloc((size_t)(CCM_NCOHORT * nd), sizeof(double));
    p->entry_rate = calloc((size_t)(CCM_NCOHORT * nd), sizeof(double));
    if (!p->name || !p->scenario || !p->path || !p->init_district || !p->entry_rate) {
        ccg_add(diag, "%s: out of memory", path);
    } else {
        read_initial(&r, root, p);
        read_entries(&r, root, p);
        read_exits(&r, root, p);
        read_moves(&r, root, p);
        read_needs(&r, root, p);
        read_transitions(&r, root, p);
        ccu_read(&r, config_root_setting(&cfg), p);
        for (int c = 0; c < CCM_NCOHORT; c++)
            ccm_apportion(p->init_ptype[c], CCM_NPT, p->init_count[c], p->init_by_type[c]);
        csu_read(&r, root, p->start_day, (const int(*)[CCM_NPT])p->init_by_type, &p->supply);
        cct_read(&r, root, p->start_day, &p->costs);
        if (p->costs.enabled && !p->supply.enabled)
            ccc_error(&r, root, "costs", "needs a supply section (expected supply = { ... }: prices belong to places)");
    }
    if (ccg_count(diag) == before && print && ccf_write(&cfg, print) != 0)
        ccg_add(diag, "%s: cannot write the resolved config", path);
    config_destroy(&cfg);
    if (ccg_count(diag) > before) {
        ccp_free(p);
        return CCP_EINVALID;
    }
    derive(p);
    *out = p;
    return CCP_OK;
}

int ccp_load(const char *path, cc_diag *diag, cc_params **out)
{
    return load(path, diag, 0, NULL, out);
}

int ccp_print_resolved(const char *path, cc_diag *diag, FILE *f)
{
    cc_params *p = NULL;
    int rc = load(path, diag, 1, f, &p);
    ccp_free(p);
    return rc;
}

void ccp_free(cc_params *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nd; i++)
        free(p->district[i]);
    free(p->district);
    free(p->init_district);
    free(p->entry_rate);
    if (p->entry_cell)
        gsl_ran_discrete_free(p->entry_cell);
    for (int c = 0; c < CCM_NCOHORT; c++)
        if (p->entry_pt[c])
            gsl_ran_discrete_free(p->entry_pt[c]);
    ccu_free(p->unc);
    csu_free(&p->supply);
    cct_free(&p->costs);
    free(p->path);
    free(p->name);
    free(p->scenario);
    free(p);
}

int ccp_write_resolved(const char *config_path, const char *path)
{
    config_t cfg;
    config_init(&cfg);
    cc_diag *d = ccg_new();
    int ok = d && ccf_open(&cfg, config_path, "config", d, NULL) == CCF_OK &&
             config_write_file(&cfg, path) == CONFIG_TRUE;
    ccg_free(d);
    config_destroy(&cfg);
    return ok ? 0 : -1;
}

void ccp_rederive(cc_params *p)
{
    if (p->entry_cell)
        gsl_ran_discrete_free(p->entry_cell);
    p->entry_cell = NULL;
    for (int c = 0; c < CCM_NCOHORT; c++) {
        if (p->entry_pt[c])
            gsl_ran_discrete_free(p->entry_pt[c]);
        p->entry_pt[c] = NULL;
    }
    derive(p);
}

int ccp_district(const cc_params *p, const char *name)
{
    for (int i = 0; i < p->nd; i++)
        if (strcmp(p->district[i], name) == 0)
            return i;
    return -1;
}
