/* uncert: parameter uncertainty in a config, and its per-replication draws. */
#include "uncert.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "model.h"
#include "params.h"
#include "rng.h"

#define Z95 1.6448536269514722 /* standard normal 95th percentile: a 90% range is mean +- Z95 sd */
#define MAX_ITEMS 4096

enum { K_RATE, K_MULT, K_TREND, K_SHARE, K_MIX };          /* what the setting is */
enum { M_GAMMA, M_COUNTS, M_RANGE, M_FACTOR };               /* what the author gave */

typedef struct {
    int kind, method;
    int heap;        /* 1: doubles in p->entry_rate from index off; 0: at byte offset off in cc_params */
    size_t off;
    int n;           /* doubles the setting covers */
    int dest;        /* a share of leave18[type]: the type's other destinations make room */
    double a, b;     /* gamma: shape, rate; range/factor: mu, sigma (log, logit or plain scale) */
    double alpha[CCM_NPT]; /* counts + 1/2 (Jeffreys) for a share (2) or a mix (n) */
    double nom[CCM_NPT];   /* the config's values (a mix's components; else nom[0]) */
    double nomsum;         /* their sum over the n doubles */
    double fit;            /* events / exposure (0 when not a fit, or no events) */
    char path[256];        /* the setting, as uncertainty_of names it */
} item;

struct ccu_spec {
    int n;
    item *it;
    int group;                 /* uncertainty_group (0: not given) */
    int has_drift;             /* a drift group with a size above 0 */
    double drift_sd[CCU_NDF];  /* sd a year of each family's walk steps */
    double persist[CCU_NDF];   /* AR(1) coefficient of each family's walks (1: a random walk) */
    double entry_sd[CCM_NCOHORT]; /* sd a year of each cohort's own entry steps */
    double common_sd;          /* sd a year of the entry step every cohort shares */
    double dof[CCU_NDF];       /* pairs each family's drift size was estimated from (0: taken as known) */
    double shared[CCU_NDF];    /* each family's loading on the step every family shares (signed, sd a year) */
    int has_shared;            /* a loading other than 0 */
};

struct ccu_work {
    const cc_params *const *orig;
    int n;
    cc_params *copy;          /* n working copies */
    const cc_params **ptr;    /* pointers to them, returned by ccu_work_draw */
    gsl_rng *rng;
    double *draw;             /* per item: the drawn value, or the mix's components */
    size_t ndraw;
    int years;                /* forecast years the drift walks cover */
    double *walk;             /* years * CCU_NDRIFT drift values (NULL: no drift) */
    double *common;           /* 2 * years: the shared entry walk and its variance */
    double *shared;           /* 2 * years * CCU_NDF: each family's part of the shared step's walk, and its variance */
};

static double *field(const cc_params *p, const item *t)
{
    return t->heap ? p->entry_rate + t->off : (double *)((uintptr_t)p + t->off);
}

/* Resolve a dotted path to a field range and its kind. Returns 0, or -1 when
 * the path names nothing that can carry uncertainty. */
static int resolve(const cc_params *p, const char *path, item *t)
{
    char buf[256];
    const char *part[8];
    int np = 0;
    if (strlen(path) >= sizeof buf)
        return -1;
    strcpy(buf, path);
    for (char *s = buf, *e; s && np < 8; s = e) {
        e = strchr(s, '.');
        if (e)
            *e++ = '\0';
        part[np++] = s;
        if (!e)
            break;
    }
    t->heap = 0;
    t->n = 1;
#define ISP(i, s) (np > (i) && strcmp(part[i], s) == 0)
#define IDX(i, names, cnt) (np > (i) ? ccc_find(part[i], names, cnt) : -1)
    if (ISP(0, "entries")) {
        if (np == 2 && ISP(1, "trend")) {
            t->kind = K_TREND;
            t->off = offsetof(cc_params, entry_trend);
            return 0;
        }
        if (ISP(1, "rate") && np == 2) {
            t->kind = K_RATE;
            t->heap = 1;
            t->off = 0;
            t->n = CCM_NCOHORT * p->nd;
            return 0;
        }
        int c = IDX(2, ccm_cohort_key, CCM_NCOHORT);
        if (ISP(1, "rate") && np == 3 && c >= 0) {
            t->kind = K_RATE;
            t->heap = 1;
            t->off = (size_t)c * (size_t)p->nd;
            t->n = p->nd;
            return 0;
        }
        if (ISP(1, "placement_mix") && np == 3 && c >= 0) {
            t->kind = K_MIX;
            t->off = offsetof(cc_params, entry_ptype) + (size_t)c * sizeof p->entry_ptype[0];
            t->n = CCM_NPT;
            return 0;
        }
        return -1;
    }
    if (ISP(0, "exits")) {
        int k = IDX(1, ccm_route_name, CCM_NROUTE);
        if (k < 0)
            return -1;
        if (ISP(2, "rate") && np == 3) {
            t->kind = K_RATE;
            t->off = offsetof(cc_params, exit_rate) + (size_t)k * sizeof p->exit_rate[0];
            t->n = CCM_NCOHORT;
            return 0;
        }
        int c = IDX(3, ccm_cohort_key, CCM_NCOHORT);
        if (ISP(2, "rate") && np == 4 && c >= 0) {
            t->kind = K_RATE;
            t->off = offsetof(cc_params, exit_rate) + (size_t)k * sizeof p->exit_rate[0] + (size_t)c * sizeof(double);
            return 0;
        }
        if (ISP(2, "placement_multiplier") && np == 3) {
            t->kind = K_MULT;
            t->off = offsetof(cc_params, type_exit_mult) + (size_t)k * sizeof p->type_exit_mult[0];
            t->n = CCM_NPT;
            return 0;
        }
        int pt = IDX(3, ccm_ptype_name, CCM_NPT);
        if (ISP(2, "placement_multiplier") && np == 4 && pt >= 0) {
            t->kind = K_MULT;
            t->off = offsetof(cc_params, type_exit_mult) + (size_t)k * sizeof p->type_exit_mult[0] +
                     (size_t)pt * sizeof(double);
            return 0;
        }
        return -1;
    }
    if (ISP(0, "moves")) {
        if (ISP(1, "rate") && np == 2) {
            t->kind = K_RATE;
            t->off = offsetof(cc_params, move_rate);
            t->n = CCM_NPT * CCM_NCOHORT;
            return 0;
        }
        int pt = IDX(2, ccm_ptype_name, CCM_NPT);
        if (ISP(1, "rate") && np == 3 && pt >= 0) {
            t->kind = K_RATE;
            t->off = offsetof(cc_params, move_rate) + (size_t)pt * sizeof p->move_rate[0];
            t->n = CCM_NCOHORT;
            return 0;
        }
        int c = IDX(3, ccm_cohort_key, CCM_NCOHORT);
        if (ISP(1, "rate") && np == 4 && pt >= 0 && c >= 0) {
            t->kind = K_RATE;
            t->off = offsetof(cc_params, move_rate) + (size_t)pt * sizeof p->move_rate[0] + (size_t)c * sizeof(double);
            return 0;
        }
        c = IDX(2, ccm_cohort_key, CCM_NCOHORT);
        if (ISP(1, "to_residential") && np == 3 && c >= 0) {
            t->kind = K_SHARE;
            t->off = offsetof(cc_params, escalate) + (size_t)c * sizeof(double);
            return 0;
        }
        return -1;
    }
    if (ISP(0, "needs")) {
        int f = IDX(1, ccm_need_name, CCM_NNEED);
        if (f < 0)
            return -1;
        if (ISP(2, "move_multiplier") && np == 3) {
            t->kind = K_MULT;
            t->off = offsetof(cc_params, need_move_mult) + (size_t)f * sizeof(double);
            return 0;
        }
        int k = IDX(3, ccm_route_name, CCM_NROUTE);
        if (ISP(2, "exit_multiplier") && np == 4 && k >= 0) {
            t->kind = K_MULT;
            t->off = offsetof(cc_params, need_exit_mult) + (size_t)f * sizeof p->need_exit_mult[0] +
                     (size_t)k * sizeof(double);
            return 0;
        }
        return -1;
    }
    if (ISP(0, "initial") && ISP(1, "history") && np == 3 && (ISP(2, "in_care") || ISP(2, "in_placement"))) {
        /* every band's quantiles of the start-date children's time in care
         * (in placement), scaled together: a multiplier on the time scale */
        t->kind = K_MULT;
        t->off = ISP(2, "in_care") ? offsetof(cc_params, hist_care) : offsetof(cc_params, hist_place);
        t->n = CCM_NCOHORT * CCP_MAXQ;
        return 0;
    }
    if (ISP(0, "transitions") && ISP(1, "leaving_care") && np == 4 && ISP(3, "staying_put")) {
        int pt = IDX(2, ccm_ptype_name, CCM_NPT);
        if (pt < 0)
            return -1;
        /* a share; the other destinations make room (apply) */
        t->kind = K_SHARE;
        t->dest = 1;
        t->off = offsetof(cc_params, leave18) + (size_t)pt * sizeof p->leave18[0] +
                 (size_t)CCM_STAYING_PUT * sizeof(double);
        return 0;
    }
    if (ISP(0, "transitions") && ISP(1, "semi_independent") && np == 4) {
        int pt = IDX(3, ccm_ptype_name, CCM_NPT);
        if (pt < 0 || pt == CCM_SEMI)
            return -1;
        if (ISP(2, "rate")) {
            t->kind = K_RATE;
            t->off = offsetof(cc_params, semi_rate) + (size_t)pt * sizeof(double);
            return 0;
        }
        if (ISP(2, "at_16")) {
            t->kind = K_SHARE;
            t->off = offsetof(cc_params, semi_at16) + (size_t)pt * sizeof(double);
            return 0;
        }
    }
    return -1;
#undef ISP
#undef IDX
}

static int read_pair(ccc_reader *r, const config_setting_t *e, const char *name, double lo, double hi, double v[2])
{
    config_setting_t *l = ccc_list(r, e, name, 1);
    if (!l)
        return 0;
    if (config_setting_length(l) != 2) {
        ccc_error(r, l, NULL, "is not a pair (expected [low, high])");
        return 0;
    }
    for (unsigned i = 0; i < 2; i++)
        if (!ccc_number_at(r, config_setting_get_elem(l, i), lo, hi, &v[i]))
            return 0;
    if (!(v[0] < v[1])) {
        ccc_error(r, l, NULL, "is not an interval (expected [low, high] with low < high)");
        return 0;
    }
    return 1;
}

static double logit(double x)
{
    return log(x / (1 - x));
}

/* One element of uncertainty_of. Returns 1 and fills t when it is valid. */
static int read_item(ccc_reader *r, config_setting_t *e, const cc_params *p, config_setting_t *root, item *t)
{
    static const char *const keys[] = {"setting", "events", "exposure", "counts", "range90", "factor90", "why"};
    if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
        ccc_error(r, e, NULL, "is not a group (expected { setting = \"...\"; ... })");
        return 0;
    }
    ccc_known(r, e, keys, sizeof keys / sizeof *keys);
    ccc_text(r, e, "why", 0, 1000);
    const char *path = ccc_string(r, e, "setting", 1);
    if (!path)
        return 0;
    memset(t, 0, sizeof *t);
    if (resolve(p, path, t) != 0) {
        ccc_error(r, e, "setting", "names no rate, share, mix, multiplier or trend that can carry uncertainty "
                                   "(expected a path such as \"exits.return_home.rate.age_0_3\"; see "
                                   "docs/config-reference.md)");
        return 0;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    /* the history's time scale names the whole table (initial.history) */
    int whole = strncmp(path, "initial.history.", 16) == 0;
    if (!config_setting_lookup(root, whole ? "initial.history" : path)) {
        ccc_error(r, e, "setting", "names a setting this config does not have (expected a setting written in the "
                                   "config: a value left at its default carries no uncertainty)");
        return 0;
    }
    int has[4] = {config_setting_get_member(e, "events") || config_setting_get_member(e, "exposure"),
                  config_setting_get_member(e, "counts") != NULL, config_setting_get_member(e, "range90") != NULL,
                  config_setting_get_member(e, "factor90") != NULL};
    if (has[0] + has[1] + has[2] + has[3] != 1) {
        ccc_error(r, e, NULL, "states its uncertainty in none or several ways (expected exactly one of: events and "
                                 "exposure, counts, range90, factor90)");
        return 0;
    }
    const double *v = field(p, t);
    for (int i = 0; i < t->n; i++) {
        t->nomsum += v[i];
        if (i < CCM_NPT)
            t->nom[i] = v[i];
    }
    if (has[0]) {
        t->method = M_GAMMA;
        if (t->kind != K_RATE) {
            ccc_error(r, e, "events", "applies to a rate only (expected counts, range90 or factor90 here)");
            return 0;
        }
        double ev = 0, ex = 0;
        int ok = ccc_number(r, e, "events", 0, 1e9, 1, &ev);
        ok &= ccc_number(r, e, "exposure", 1e-6, 1e12, 1, &ex);
        if (!ok)
            return 0;
        t->a = ev + 0.5; /* Jeffreys prior */
        t->b = ex;
        t->fit = ev / ex;
        return 1;
    }
    if (has[1]) {
        t->method = M_COUNTS;
        if (t->kind != K_SHARE && t->kind != K_MIX) {
            ccc_error(r, e, "counts", "applies to a share or a mix only (expected events and exposure, range90 or "
                                      "factor90 here)");
            return 0;
        }
        int want = t->kind == K_MIX ? t->n : 2;
        config_setting_t *l = ccc_list(r, e, "counts", 1);
        if (!l)
            return 0;
        if (config_setting_length(l) != want) {
            char order[256] = "[with, without]";
            if (t->kind == K_MIX) {
                size_t o = (size_t)snprintf(order, sizeof order, "one count per placement type:");
                for (int i = 0; i < CCM_NPT && o < sizeof order; i++)
                    o += (size_t)snprintf(order + o, sizeof order - o, " %s%s", ccm_ptype_name[i],
                                          i + 1 < CCM_NPT ? "," : "");
            }
            ccc_error(r, l, NULL, "has %d values (expected %d: %s)", config_setting_length(l), want, order);
            return 0;
        }
        for (int i = 0; i < want; i++) {
            double c = 0;
            if (!ccc_number_at(r, config_setting_get_elem(l, (unsigned)i), 0, 1e9, &c))
                return 0;
            t->alpha[i] = c + 0.5; /* Jeffreys prior */
        }
        return 1;
    }
    if (has[2]) {
        t->method = M_RANGE;
        if (t->n != 1) {
            ccc_error(r, e, "range90", "applies to a single number (expected factor90 for a group of settings)");
            return 0;
        }
        double lo_ok = t->kind == K_TREND ? -0.5 : 0, hi_ok = t->kind == K_TREND ? 1 : t->kind == K_SHARE ? 1 : 1e6;
        double iv[2];
        if (!read_pair(r, e, "range90", lo_ok, hi_ok, iv))
            return 0;
        if (!(iv[0] <= v[0] && v[0] <= iv[1])) {
            ccc_error(r, e, "range90", "does not contain the setting's value (expected a 90%% range around it)");
            return 0;
        }
        if (t->kind == K_TREND) {
            t->a = (iv[0] + iv[1]) / 2;
            t->b = (iv[1] - iv[0]) / (2 * Z95);
        } else if (t->kind == K_SHARE) {
            if (iv[0] <= 0 || iv[1] >= 1) {
                ccc_error(r, e, "range90", "reaches 0 or 1 (expected a share's range strictly between 0 and 1)");
                return 0;
            }
            t->a = (logit(iv[0]) + logit(iv[1])) / 2;
            t->b = (logit(iv[1]) - logit(iv[0])) / (2 * Z95);
        } else if (t->kind == K_MIX) {
            ccc_error(r, e, "range90", "does not apply to a mix (expected counts)");
            return 0;
        } else {
            if (iv[0] <= 0) {
                ccc_error(r, e, "range90", "starts at 0 (expected a positive low end for a rate or multiplier)");
                return 0;
            }
            t->a = (log(iv[0]) + log(iv[1])) / 2;
            t->b = (log(iv[1]) - log(iv[0])) / (2 * Z95);
        }
        return 1;
    }
    t->method = M_FACTOR;
    if (t->kind != K_RATE && t->kind != K_MULT) {
        ccc_error(r, e, "factor90", "applies to rates and multipliers only (expected range90 or counts here)");
        return 0;
    }
    double iv[2];
    if (!read_pair(r, e, "factor90", 0.01, 100, iv))
        return 0;
    if (!(iv[0] <= 1 && 1 <= iv[1])) {
        ccc_error(r, e, "factor90", "does not contain 1 (expected [low, high] with low <= 1 <= high)");
        return 0;
    }
    t->a = (log(iv[0]) + log(iv[1])) / 2;
    t->b = (log(iv[1]) - log(iv[0])) / (2 * Z95);
    return 1;
}

static int overlaps(const item *a, const item *b)
{
    if (a->heap != b->heap)
        return 0;
    size_t w = a->heap ? 1 : sizeof(double);
    size_t a0 = a->off, a1 = a->off + (size_t)a->n * w, b0 = b->off, b1 = b->off + (size_t)b->n * w;
    return a0 < b1 && b0 < a1;
}

/* The optional top-level group `drift` (sizes of the year-on-year random
 * walks) and `uncertainty_group`, into u. */
static void read_drift(ccc_reader *r, config_setting_t *root, ccu_spec *u)
{
    static const char *const keys[] = {"entries", "exits", "moves", "staying_put", "persistence", "why",
                                       "entries_by_cohort", "common", "dof", "shared"};
    long g = 0;
    if (config_setting_get_member(root, "uncertainty_group") &&
        ccc_int(r, root, "uncertainty_group", 1, 1000, 0, &g))
        u->group = (int)g;
    config_setting_t *d = ccc_group(r, root, "drift", 0);
    if (!d)
        return;
    ccc_known(r, d, keys, sizeof keys / sizeof *keys);
    ccc_text(r, d, "why", 0, 1000);
    for (int k = 0; k < CCU_NDF; k++) {
        /* a step's sd a year on the log (logit) scale; 1 would be a factor
         * of e in one year, surely a unit error */
        double v = 0;
        if (ccc_number(r, d, keys[k], 0, 1, 0, &v))
            u->drift_sd[k] = v;
        u->has_drift |= u->drift_sd[k] > 0;
    }
    /* persistence: one number for every family, or a group by family */
    for (int k = 0; k < CCU_NDF; k++)
        u->persist[k] = 1;
    config_setting_t *ps = config_setting_get_member(d, "persistence");
    if (ps && config_setting_type(ps) == CONFIG_TYPE_GROUP) {
        ccc_known(r, ps, keys, CCU_NDF);
        for (int k = 0; k < CCU_NDF; k++)
            ccc_number(r, ps, keys[k], 0, 1, 0, &u->persist[k]);
    } else if (ps) {
        double v = 1;
        if (ccc_number(r, d, "persistence", 0, 1, 0, &v))
            for (int k = 0; k < CCU_NDF; k++)
                u->persist[k] = v;
    }
    /* entries by cohort (each cohort's own steps; entries sizes them all
     * when absent), the step every cohort shares, and the pairs behind
     * each family's size */
    for (int c = 0; c < CCM_NCOHORT; c++)
        u->entry_sd[c] = u->drift_sd[CCU_DF_ENTRIES];
    config_setting_t *bc = ccc_group(r, d, "entries_by_cohort", 0);
    if (bc) {
        ccc_known(r, bc, ccm_cohort_key, CCM_NCOHORT);
        for (int c = 0; c < CCM_NCOHORT; c++) {
            ccc_number(r, bc, ccm_cohort_key[c], 0, 1, 0, &u->entry_sd[c]);
            u->has_drift |= u->entry_sd[c] > 0;
        }
    }
    if (ccc_number(r, d, "common", 0, 1, 0, &u->common_sd))
        u->has_drift |= u->common_sd > 0;
    /* the families' loadings on one step a year they all share (a common
     * shock: signed, so that two families can move together or apart) */
    config_setting_t *sh = ccc_group(r, d, "shared", 0);
    if (sh) {
        ccc_known(r, sh, keys, CCU_NDF);
        for (int k = 0; k < CCU_NDF; k++)
            if (ccc_number(r, sh, keys[k], -1, 1, 0, &u->shared[k]) && u->shared[k] != 0)
                u->has_shared = u->has_drift = 1;
    }
    config_setting_t *df = ccc_group(r, d, "dof", 0);
    if (df) {
        ccc_known(r, df, keys, CCU_NDF);
        for (int k = 0; k < CCU_NDF; k++) {
            long n = 0;
            if (ccc_int(r, df, keys[k], 1, 100000, 0, &n))
                u->dof[k] = (double)n;
        }
    }
}

void ccu_read(ccc_reader *r, config_setting_t *root, cc_params *p)
{
    p->uncertainty = -1;
    int on = 0;
    /* absent: on when the config carries uncertainty (not filled in by check --resolved) */
    if (config_setting_get_member(root, "uncertainty") && ccc_bool(r, root, "uncertainty", 0, &on))
        p->uncertainty = on;
    config_setting_t *l = ccc_list(r, root, "uncertainty_of", 0);
    int n = l ? config_setting_length(l) : 0;
    if (n > MAX_ITEMS) {
        ccc_error(r, l, NULL, "has %d entries (expected at most %d)", n, MAX_ITEMS);
        return;
    }
    if (!l && !config_setting_get_member(root, "drift") && !config_setting_get_member(root, "uncertainty_group"))
        return;
    ccu_spec *u = calloc(1, sizeof *u);
    item *it = calloc((size_t)(n > 0 ? n : 1), sizeof *it);
    if (!u || !it) {
        free(u);
        free(it);
        ccc_error(r, root, NULL, "out of memory");
        return;
    }
    u->it = it;
    p->unc = u;
    read_drift(r, root, u);
    for (int i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        item t;
        if (!read_item(r, e, p, root, &t))
            continue;
        int dup = 0;
        for (int j = 0; j < u->n && !dup; j++)
            dup = overlaps(&u->it[j], &t);
        if (dup) {
            ccc_error(r, e, "setting", "overlaps a setting given uncertainty earlier in the list (expected each "
                                       "number at most once)");
            continue;
        }
        u->it[u->n++] = t;
    }
}

void ccu_free(ccu_spec *u)
{
    if (!u)
        return;
    free(u->it);
    free(u);
}

int ccu_count(const ccu_spec *u)
{
    return u ? u->n + u->has_drift : 0;
}

int ccu_nitems(const ccu_spec *u)
{
    return u ? u->n : 0;
}

int ccu_group(const ccu_spec *u)
{
    return u ? u->group : 0;
}

const double *ccu_drift(const ccu_spec *u)
{
    return u && u->has_drift ? u->drift_sd : NULL;
}

/* ---- check's report ---- */

static int covered(const cc_params *p, const double *x)
{
    const ccu_spec *u = p->unc;
    for (int i = 0; u && i < u->n; i++) {
        const double *f = field(p, &u->it[i]);
        if (x >= f && x < f + u->it[i].n)
            return 1;
    }
    return 0;
}

static void count(const cc_params *p, const double *x, int n, double neutral, int *all, int *with)
{
    for (int i = 0; i < n; i++)
        if (x[i] != neutral) {
            (*all)++;
            *with += covered(p, &x[i]);
        }
}

static void tally(const cc_params *p, FILE *out, const char *what, const double *x, int n, double neutral)
{
    int all = 0, with = 0;
    count(p, x, n, neutral, &all, &with);
    if (all)
        fprintf(out, "  %-40s %4d of %4d\n", what, with, all);
}

void ccu_report(const cc_params *p, FILE *out)
{
    int nit = p->unc ? p->unc->n : 0;
    fprintf(out, "uncertainty: %d setting%s in uncertainty_of; draws %s by default\n", nit, nit == 1 ? "" : "s",
            (p->uncertainty == 1 || (p->uncertainty < 0 && ccu_count(p->unc) > 0)) ? "on" : "off");
    const double *d = ccu_drift(p->unc);
    if (d)
        fprintf(out, "  drift a year (sd of a step; persistence): entries %g; %g, exits %g; %g, moves %g; %g (log); "
                     "staying put %g; %g (logit)\n",
                d[CCU_DF_ENTRIES], p->unc->persist[CCU_DF_ENTRIES], d[CCU_DF_EXITS], p->unc->persist[CCU_DF_EXITS],
                d[CCU_DF_MOVES], p->unc->persist[CCU_DF_MOVES], d[CCU_DF_STAYPUT], p->unc->persist[CCU_DF_STAYPUT]);
    if (d) {
        const ccu_spec *u = p->unc;
        fprintf(out, "  drift of entries by cohort (own steps):");
        for (int c = 0; c < CCM_NCOHORT; c++)
            fprintf(out, " %s %g", ccm_cohort_label[c], u->entry_sd[c]);
        fprintf(out, "; shared by every cohort %g\n", u->common_sd);
        fprintf(out, "  drift sizes estimated from (pairs; 0: taken as known): entries %g, exits %g, moves %g, "
                     "staying put %g\n", u->dof[CCU_DF_ENTRIES], u->dof[CCU_DF_EXITS], u->dof[CCU_DF_MOVES],
                u->dof[CCU_DF_STAYPUT]);
        if (u->has_shared)
            fprintf(out, "  drift step every family shares (loading a year): entries %g, exits %g, moves %g, "
                         "staying put %g\n", u->shared[CCU_DF_ENTRIES], u->shared[CCU_DF_EXITS],
                    u->shared[CCU_DF_MOVES], u->shared[CCU_DF_STAYPUT]);
    } else
        fprintf(out, "  drift: none (the rates hold still over the forecast)\n");
    fprintf(out, "  %-40s %s\n", "numbers used (not 0; not 1 for multipliers)", "with uncertainty");
    tally(p, out, "entries.rate", p->entry_rate, CCM_NCOHORT * p->nd, 0);
    tally(p, out, "entries.trend", &p->entry_trend, 1, 0);
    tally(p, out, "entries.placement_mix", &p->entry_ptype[0][0], CCM_NCOHORT * CCM_NPT, 0);
    tally(p, out, "exits.*.rate", &p->exit_rate[0][0], CCM_NROUTE * CCM_NCOHORT, 0);
    tally(p, out, "exits.*.placement_multiplier", &p->type_exit_mult[0][0], CCM_NROUTE * CCM_NPT, 1);
    tally(p, out, "moves.rate", &p->move_rate[0][0], CCM_NPT * CCM_NCOHORT, 0);
    tally(p, out, "moves.to_residential", p->escalate, CCM_NCOHORT, 0);
    tally(p, out, "needs.*.exit_multiplier", &p->need_exit_mult[0][0], CCM_NNEED * CCM_NROUTE, 1);
    tally(p, out, "needs.*.move_multiplier", p->need_move_mult, CCM_NNEED, 1);
    tally(p, out, "transitions.semi_independent.rate", p->semi_rate, CCM_NPT, 0);
    tally(p, out, "transitions.semi_independent.at_16", p->semi_at16, CCM_NPT, 0);
    int all = 0, with = 0;
    for (int pt = 0; pt < CCM_NPT; pt++)
        if (p->leave18[pt][CCM_STAYING_PUT] != 0) {
            all++;
            with += covered(p, &p->leave18[pt][CCM_STAYING_PUT]);
        }
    if (all)
        fprintf(out, "  %-40s %4d of %4d\n", "transitions.leaving_care.*.staying_put", with, all);
}

/* ---- draws ---- */

ccu_work *ccu_work_new(const cc_params *const *phases, int n, int years)
{
    ccu_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->orig = phases;
    w->n = n;
    w->copy = calloc((size_t)n, sizeof *w->copy);
    w->ptr = calloc((size_t)n, sizeof *w->ptr);
    w->rng = gsl_rng_alloc(ccr_type());
    const ccu_spec *u = phases[0]->unc;
    w->ndraw = (size_t)(u ? u->n : 0) * CCM_NPT + 1;
    w->draw = calloc(w->ndraw, sizeof *w->draw);
    w->years = years > 0 ? years : 1;
    if (ccu_drift(u)) {
        w->walk = calloc((size_t)w->years * CCU_NDRIFT, sizeof *w->walk);
        w->common = calloc((size_t)w->years * 2, sizeof *w->common);
        w->shared = calloc((size_t)w->years * 2 * CCU_NDF, sizeof *w->shared);
    }
    if (!w->copy || !w->ptr || !w->rng || !w->draw || (ccu_drift(u) && (!w->walk || !w->common || !w->shared))) {
        ccu_work_free(w);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        size_t ne = (size_t)CCM_NCOHORT * (size_t)phases[i]->nd;
        w->copy[i].entry_rate = malloc(ne * sizeof(double));
        if (!w->copy[i].entry_rate) {
            ccu_work_free(w);
            return NULL;
        }
        w->ptr[i] = &w->copy[i];
    }
    return w;
}

void ccu_work_free(ccu_work *w)
{
    if (!w)
        return;
    for (int i = 0; w->copy && i < w->n; i++) {
        /* the copies share everything but entry_rate and the derived tables */
        free(w->copy[i].entry_rate);
        if (w->copy[i].entry_cell)
            gsl_ran_discrete_free(w->copy[i].entry_cell);
        for (int c = 0; c < CCM_NCOHORT; c++)
            if (w->copy[i].entry_pt[c])
                gsl_ran_discrete_free(w->copy[i].entry_pt[c]);
    }
    free(w->copy);
    free(w->ptr);
    free(w->common);
    free(w->shared);
    if (w->rng)
        gsl_rng_free(w->rng);
    free(w->draw);
    free(w->walk);
    free(w);
}

/* Apply a drawn value x (the setting's new value where the config has
 * t->nom) to field f[0..n-1] of a phase: scaled for rates, shares and
 * multipliers, shifted for a trend, so that a scenario's lever on the phase
 * holds on top of the draw. */
static void apply(const item *t, double *f, const double *x)
{
    const double *nom = t->nom;
    if (t->kind == K_MIX) {
        double s = 0;
        for (int i = 0; i < t->n; i++) {
            if (nom[i] > 0)
                f[i] *= x[i] / nom[i];
            s += f[i];
        }
        for (int i = 0; s > 0 && i < t->n; i++)
            f[i] /= s;
        return;
    }
    if (t->kind == K_TREND) {
        f[0] += x[0] - nom[0];
        return;
    }
    /* a fit scales its numbers by the drawn rate over the fitted one; other
     * draws are the setting's new value (a group's new sum) */
    double sum = t->fit > 0 ? t->fit : t->method == M_GAMMA ? 0 : t->nomsum;
    if (t->method == M_FACTOR) {
        for (int i = 0; i < t->n; i++)
            f[i] *= x[0];
    } else if (sum > 0) {
        for (int i = 0; i < t->n; i++)
            f[i] *= x[0] / sum;
    } else {
        for (int i = 0; i < t->n; i++)
            f[i] += x[0] / t->n;
    }
    if (t->kind == K_SHARE)
        for (int i = 0; i < t->n; i++)
            f[i] = f[i] > 1 ? 1 : f[i];
    if (t->dest) {
        /* f[0] is leave18[type][CCM_STAYING_PUT], the first destination:
         * the others keep their proportions of what is left */
        double before = 0;
        for (int k = 1; k < CCM_NDEST; k++)
            before += f[k];
        for (int k = 1; k < CCM_NDEST && before > 0; k++)
            f[k] *= (1 - f[0]) / before;
    }
}

static void draw_item(const item *t, gsl_rng *r, double *x)
{
    const double *nom = t->nom;
    switch (t->method) {
    case M_GAMMA:
        x[0] = gsl_ran_gamma(r, t->a, 1 / t->b);
        return;
    case M_COUNTS:
        if (t->kind == K_SHARE) {
            x[0] = gsl_ran_beta(r, t->alpha[0], t->alpha[1]);
            return;
        }
        {
            /* Dirichlet over the components the config has (a zero share stays zero) */
            double s = 0;
            for (int i = 0; i < t->n; i++) {
                x[i] = nom[i] > 0 ? gsl_ran_gamma(r, t->alpha[i], 1) : 0;
                s += x[i];
            }
            for (int i = 0; s > 0 && i < t->n; i++)
                x[i] /= s;
        }
        return;
    case M_RANGE:
    case M_FACTOR: {
        double z = t->a + t->b * gsl_ran_ugaussian(r);
        x[0] = t->kind == K_TREND ? z : t->kind == K_SHARE && t->method == M_RANGE ? 1 / (1 + exp(-z)) : exp(z);
        return;
    }
    }
}

/* The drift walks of one draw: for each walk, an AR(1) process in its
 * scale, x_y = phi x_(y-1) + s z_y from x_(-1) = 0 (phi = persistence; 1:
 * a random walk), one step a year, the first forecast year taking one step
 * (the fitted level is the mean of the years up to the start date). An
 * entry cohort's walk is its own (entries_by_cohort) plus one shared by
 * every cohort (common), both with the entries' persistence. A family with
 * dof n has its sizes' variance scaled by n / chi2(n) for the whole draw
 * (the size is an estimate from n year pairs: a scaled inverse chi-square).
 * A log-scale walk's multiplier is exp(x_y - Var(x_y)/2), so that its mean
 * stays 1 (the fitted rate); the logit walk's shift x_y keeps median 0.
 * The walks' steps come from stream (seed, draw) index 1, the scales and
 * the shared steps from index 2, apart from the parameters' index 0, so a
 * config without drift draws its parameters as before and one without
 * common or dof draws its walks as before.
 * The step every family shares (drift.shared): one standard normal z_y a
 * year, from index 3; family f's part of it walks as u_y = phi_f u_(y-1) +
 * b_f s_f z_y (b_f its signed loading, s_f its dof scale) and is added to
 * every walk of the family, so that two families' year-on-year changes
 * have covariance b_f b_g (the common shock). A config without it draws as
 * before. */
static void draw_walks(ccu_work *w, const ccu_spec *u, uint64_t seed, uint64_t draw)
{
    double scale[CCU_NDF], *common = w->common, *cvar = w->common + w->years;
    ccr_set(w->rng, seed, draw, CCR_PARAMS, 2);
    for (int k = 0; k < CCU_NDF; k++) { /* drawn whatever the dof, so one family's does not change another's */
        double c = gsl_ran_chisq(w->rng, u->dof[k] > 0 ? u->dof[k] : 1);
        scale[k] = u->dof[k] > 0 && c > 0 ? sqrt(u->dof[k] / c) : 1;
    }
    {
        double s = u->common_sd * scale[CCU_DF_ENTRIES], phi = u->persist[CCU_DF_ENTRIES], x = 0, var = 0;
        for (int y = 0; y < w->years; y++) {
            x = phi * x + s * gsl_ran_ugaussian(w->rng);
            var = phi * phi * var + s * s;
            common[y] = x;
            cvar[y] = var;
        }
    }
    double *sh = w->shared, *shv = w->shared + (size_t)w->years * CCU_NDF;
    memset(sh, 0, (size_t)w->years * 2 * CCU_NDF * sizeof *sh);
    if (u->has_shared) {
        double x[CCU_NDF] = {0}, var[CCU_NDF] = {0};
        ccr_set(w->rng, seed, draw, CCR_PARAMS, 3);
        for (int y = 0; y < w->years; y++) {
            double z = gsl_ran_ugaussian(w->rng);
            for (int f = 0; f < CCU_NDF; f++) {
                double b = u->shared[f] * scale[f], phi = u->persist[f];
                x[f] = phi * x[f] + b * z;
                var[f] = phi * phi * var[f] + b * b;
                sh[(size_t)y * CCU_NDF + (size_t)f] = x[f];
                shv[(size_t)y * CCU_NDF + (size_t)f] = var[f];
            }
        }
    }
    ccr_set(w->rng, seed, draw, CCR_PARAMS, 1);
    for (int j = 0; j < CCU_NDRIFT; j++) {
        int fam = j < CCU_DR_EXIT ? CCU_DF_ENTRIES : j < CCU_DR_MOVE ? CCU_DF_EXITS
                  : j == CCU_DR_MOVE ? CCU_DF_MOVES : CCU_DF_STAYPUT;
        double s = (fam == CCU_DF_ENTRIES ? u->entry_sd[j - CCU_DR_ENTRY] : u->drift_sd[fam]) * scale[fam];
        double phi = u->persist[fam], x = 0, var = 0;
        for (int y = 0; y < w->years; y++) {
            /* every step is drawn, even of size 0, so one family's size
             * does not change another's walk */
            double z = gsl_ran_ugaussian(w->rng);
            x = phi * x + s * z;
            var = phi * phi * var + s * s;
            double xt = fam == CCU_DF_ENTRIES ? x + common[y] : x, vt = fam == CCU_DF_ENTRIES ? var + cvar[y] : var;
            xt += sh[(size_t)y * CCU_NDF + (size_t)fam];
            vt += shv[(size_t)y * CCU_NDF + (size_t)fam];
            w->walk[(size_t)y * CCU_NDRIFT + (size_t)j] = j == CCU_DR_STAYPUT ? xt : exp(xt - vt / 2);
        }
    }
}

/* Refill the working copies from the originals with w->draw applied to the
 * items whose use[i] is set (every item when use is NULL). */
static const cc_params *const *fill(ccu_work *w, const unsigned char *use)
{
    const ccu_spec *u = w->orig[0]->unc;
    for (int k = 0; k < w->n; k++) {
        cc_params *c = &w->copy[k];
        const cc_params *o = w->orig[k];
        double *er = c->entry_rate;
        gsl_ran_discrete_t *cell = c->entry_cell, *pt[CCM_NCOHORT];
        memcpy(pt, c->entry_pt, sizeof pt);
        *c = *o;
        c->entry_rate = er;
        c->entry_cell = cell;
        memcpy(c->entry_pt, pt, sizeof pt);
        memcpy(er, o->entry_rate, (size_t)CCM_NCOHORT * (size_t)o->nd * sizeof(double));
        for (int i = 0; u && i < u->n; i++)
            if (!use || use[i])
                apply(&u->it[i], field(c, &u->it[i]), w->draw + (size_t)i * CCM_NPT);
        /* a draw carries its drift walks; quantiles (sensitivity) none */
        c->drift = use ? NULL : w->walk;
        c->drift_years = c->drift ? w->years : 0;
        ccp_rederive(c);
        if (c->entry_total > 0 && !c->entry_cell)
            return NULL;
    }
    return w->ptr;
}

const cc_params *const *ccu_work_draw(ccu_work *w, uint64_t seed, uint64_t draw)
{
    const ccu_spec *u = w->orig[0]->unc;
    ccr_set(w->rng, seed, draw, CCR_PARAMS, 0);
    for (int i = 0; u && i < u->n; i++)
        draw_item(&u->it[i], w->rng, w->draw + (size_t)i * CCM_NPT);
    if (w->walk)
        draw_walks(w, u, seed, draw);
    return fill(w, NULL);
}

/* Quantile q of item t's distribution into x (as draw_item draws). A mix
 * moves along its largest component's marginal (a beta), the others
 * keeping their proportions. */
static void quantile_item(const item *t, double q, double *x)
{
    const double *nom = t->nom;
    switch (t->method) {
    case M_GAMMA:
        x[0] = gsl_cdf_gamma_Pinv(q, t->a, 1 / t->b);
        return;
    case M_COUNTS:
        if (t->kind == K_SHARE) {
            x[0] = gsl_cdf_beta_Pinv(q, t->alpha[0], t->alpha[1]);
            return;
        }
        {
            int j = 0;
            double sa = 0, sn = 0;
            for (int i = 0; i < t->n; i++) {
                if (nom[i] > nom[j])
                    j = i;
                sa += nom[i] > 0 ? t->alpha[i] : 0;
                sn += nom[i];
            }
            double xj = sa > t->alpha[j] ? gsl_cdf_beta_Pinv(q, t->alpha[j], sa - t->alpha[j]) : 1;
            for (int i = 0; i < t->n; i++)
                x[i] = i == j ? xj : sn > nom[j] ? nom[i] * (1 - xj) / (sn - nom[j]) : 0;
        }
        return;
    case M_RANGE:
    case M_FACTOR: {
        double z = t->a + t->b * gsl_cdf_ugaussian_Pinv(q);
        x[0] = t->kind == K_TREND ? z : t->kind == K_SHARE && t->method == M_RANGE ? 1 / (1 + exp(-z)) : exp(z);
        return;
    }
    }
}

const struct cc_params *const *ccu_work_quantiles(ccu_work *w, const double *q)
{
    const ccu_spec *u = w->orig[0]->unc;
    int n = u ? u->n : 0;
    unsigned char *use = calloc((size_t)(n > 0 ? n : 1), 1);
    if (!use)
        return NULL;
    for (int i = 0; i < n; i++)
        if (q[i] > 0 && q[i] < 1) {
            quantile_item(&u->it[i], q[i], w->draw + (size_t)i * CCM_NPT);
            use[i] = 1;
        }
    const cc_params *const *r = fill(w, use);
    free(use);
    return r;
}

const char *ccu_setting(const ccu_spec *u, int i)
{
    return u && i >= 0 && i < u->n ? u->it[i].path : NULL;
}
