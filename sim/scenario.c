/* scenario: load a strategy scenario (a baseline plus levers) as phases. */
#include "scenario.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "cfgfile.h"
#include "cfgread.h"

static const char *const lever_names[] = {"foster_recruitment", "foster_retention", "new_home", "close_home",
                                          "convert_home",       "step_down",        "edge_of_care",
                                          "kinship_sgo",        "d2n2_local",       "block_contract",
                                          "inflation"};
enum { L_RECRUIT, L_RETAIN, L_NEW_HOME, L_CLOSE_HOME, L_CONVERT, L_STEP_DOWN, L_EDGE, L_KINSHIP_SGO, L_D2N2,
       L_BLOCK, L_INFLATION, L_N };
/* Every lever but `inflation` may state its costs; every lever that acts
 * from a date may ramp up (closing a home is a step). */
#define COSTS "capital_cost", "one_off_cost", "revenue_cost"
#define RAMP "ramp_up_months"
enum { NKEYS = 16 };
static const char *const lever_keys[L_N][NKEYS] = {
    [L_RECRUIT] = {"lever", "extra_per_year", "from", COSTS, RAMP, NULL},
    [L_RETAIN] = {"lever", "resignation_multiplier", "from", COSTS, RAMP, NULL},
    [L_NEW_HOME] = {"lever", "name", "kind", "beds", "min_age", "max_age", "open", "close", "location",
                    "annual_cost", COSTS, RAMP, NULL},
    [L_CLOSE_HOME] = {"lever", "home", "date", COSTS, NULL},
    [L_CONVERT] = {"lever", "home", "date", "name", "kind", "beds", "min_age", "max_age", "annual_cost", COSTS,
                   RAMP, NULL},
    [L_STEP_DOWN] = {"lever", "ready_after_months", "from", COSTS, RAMP, NULL},
    [L_EDGE] = {"lever", "entry_multiplier", "from", "to", COSTS, RAMP, NULL},
    [L_KINSHIP_SGO] = {"lever", "sgo_multiplier", "kinship_multiplier", "from", COSTS, RAMP, NULL},
    [L_D2N2] = {"lever", "provider", "probability", "from", COSTS, RAMP, NULL},
    [L_BLOCK] = {"lever", "provider", "capacity", "price_week", "from", COSTS, RAMP, NULL},
    [L_INFLATION] = {"lever", "line", "rate", NULL},
};
/* The setting that dates each kind of lever (its costs start then, and its
 * ramp-up). */
static const char *const lever_date[L_N] = {
    [L_RECRUIT] = "from", [L_RETAIN] = "from",   [L_NEW_HOME] = "open",    [L_CLOSE_HOME] = "date",
    [L_CONVERT] = "date", [L_STEP_DOWN] = "from", [L_EDGE] = "from",       [L_KINSHIP_SGO] = "from",
    [L_D2N2] = "from",    [L_BLOCK] = "from",     [L_INFLATION] = NULL};

static int has_key(int type, const char *key)
{
    for (int i = 0; i < NKEYS && lever_keys[type][i]; i++)
        if (strcmp(lever_keys[type][i], key) == 0)
            return 1;
    return 0;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static size_t nkeys(const char *const *k)
{
    size_t n = 0;
    while (n < NKEYS && k[n])
        n++;
    return n;
}

/* A date setting as t (days after the start date); *t untouched if absent. */
static int read_t(ccc_reader *r, const config_setting_t *g, const char *name, int required, int32_t start,
                  double *t)
{
    const char *s = ccc_string(r, g, name, required);
    if (!s)
        return 0;
    int32_t d;
    if (ccd_parse(s, &d) != 0) {
        ccc_error(r, g, name, "\"%s\" is not a date (expected YYYY-MM-DD, a real calendar date)", s);
        return 0;
    }
    *t = (double)(d - start - 1);
    return 1;
}

/* The date `k` calendar months after day (the day of the month kept, or the
 * month's last day when it has fewer days). */
static int32_t add_months(int32_t day, int k)
{
    int y, m, d;
    ccd_to_ymd(day, &y, &m, &d);
    int mm = m - 1 + k;
    y += mm / 12;
    m = mm % 12 + 1;
    int dim = ccd_days_in_month(y, m);
    return ccd_from_ymd(y, m, d < dim ? d : dim);
}

/* t (days after the start date) of the day `k` months after the day at t. */
static double months_after(int32_t start, double t, int k)
{
    int32_t day = (int32_t)t + start + 1;
    return (double)(add_months(day, k) - start - 1);
}

/* The share of a lever's full effect at t for a lever dated at t0 with a
 * ramp-up of n months: 0 before t0; in the k-th month from t0, (k + 1/2)/n;
 * 1 from n months on (and at once when n is 0). */
static double ramp_share(int32_t start, double t0, int n, double t)
{
    if (t < t0)
        return 0;
    for (int k = 0; k < n; k++)
        if (t < months_after(start, t0, k + 1))
            return (k + 0.5) / n;
    return 1;
}

/* base moved the share f of the way to full (exactly full at f = 1). */
static double toward(double base, double full, double f)
{
    return f >= 1 ? full : base + f * (full - base);
}

static int find_prov(const cc_params *p, const char *name)
{
    for (int k = 0; k < p->supply.n; k++)
        if (strcmp(p->supply.prov[k].name, name) == 0)
            return k;
    return -1;
}

/* Append a council home to p's providers. */
static csu_provider *add_home(cc_params *p)
{
    csu_params *sp = &p->supply;
    csu_provider *a = realloc(sp->prov, (size_t)(sp->n + 1) * sizeof *a);
    if (!a)
        return NULL;
    sp->prov = a;
    csu_provider *h = &a[sp->n++];
    memset(h, 0, sizeof *h);
    h->owner = CSU_COUNCIL;
    h->home = 1;
    h->avail = CSU_CAPACITY;
    h->contract = CSU_INHOUSE;
    h->kind = CSU_MAINSTREAM;
    h->type = CCM_RESIDENTIAL;
    h->loc = CSU_COUNTY;
    h->max_age = 17;
    h->open_t = -INFINITY;
    h->close_t = INFINITY;
    return h;
}

static void home_fields(ccc_reader *r, const config_setting_t *g, int32_t start, csu_provider *h)
{
    int kind = 0;
    if (ccc_choice(r, g, "kind", csu_kind_name + 1, CSU_NKIND - 1, 1, &kind))
        h->kind = kind + 1;
    h->type = h->kind == CSU_SECURE ? CCM_SECURE : CCM_RESIDENTIAL;
    long v = 0;
    if (ccc_int(r, g, "beds", 1, 1000, 1, &v))
        h->capacity = (int)v;
    v = 0;
    if (ccc_int(r, g, "min_age", 0, 17, 0, &v))
        h->min_age = (int)v;
    v = 17;
    if (ccc_int(r, g, "max_age", 0, 17, 0, &v))
        h->max_age = (int)v;
    ccc_number(r, g, "annual_cost", 0, 1e9, 0, &h->annual_cost);
    (void)start;
}

/* A home's beds during its ramp-up: the staircase's share of them, rounded
 * (before it opens, the first step's, so only the steps change it). */
static void home_ramp(csu_provider *h, int32_t start, int n, double t)
{
    if (n <= 0 || h->open_t == -INFINITY)
        return;
    double f = ramp_share(start, h->open_t, n, t > h->open_t ? t : h->open_t);
    h->capacity = (int)floor(f * h->capacity + 0.5);
}

/* The lever's costs into *c (its date at t0, its end at t1). */
static void read_cost(ccc_reader *r, const config_setting_t *g, int type, int32_t start, double t0, double t1,
                      long ramp, csn_cost *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->kind, sizeof c->kind, "%s", lever_names[type]);
    const char *label = NULL;
    static const char *const lkeys[] = {"name", "home", "provider"};
    for (int i = 0; i < 3 && !label; i++)
        if (has_key(type, lkeys[i]) && config_setting_get_member(g, lkeys[i]) &&
            config_setting_type(config_setting_get_member(g, lkeys[i])) == CONFIG_TYPE_STRING)
            label = config_setting_get_string(config_setting_get_member(g, lkeys[i]));
    snprintf(c->label, sizeof c->label, "%s", label ? label : lever_names[type]);
    c->line = config_setting_source_line(g);
    c->ramp_months = (int)ramp;
    c->from_day = (int32_t)t0 + start + 1;
    c->to_day = isfinite(t1) ? (int32_t)t1 + start + 1 : INT32_MAX;
    if (!has_key(type, "capital_cost"))
        return;
    ccc_number(r, g, "capital_cost", 0, 1e10, 0, &c->capital);
    ccc_number(r, g, "one_off_cost", 0, 1e10, 0, &c->one_off);
    ccc_number(r, g, "revenue_cost", 0, 1e9, 0, &c->revenue);
}

/* Apply lever g to p for the phase that starts at t (structural levers
 * always; others when in force at t, by their ramp-up's share). With cost
 * not NULL, also read the lever's costs into it. Returns 0, or -1 on an
 * error. */
static int apply(ccc_reader *r, const config_setting_t *g, cc_params *p, double t, csn_cost *cost)
{
    int type = -1;
    if (!ccc_choice(r, g, "lever", lever_names, L_N, 1, &type))
        return -1;
    ccc_known(r, g, lever_keys[type], nkeys(lever_keys[type]));
    int32_t start = p->start_day;
    double from = 0, to = INFINITY;
    read_t(r, g, "from", 0, start, &from);
    read_t(r, g, "to", 0, start, &to);
    if (to <= from)
        ccc_error(r, g, "to", "is not after `from` (expected a later date)");
    long ramp = 0;
    if (has_key(type, RAMP))
        ccc_int(r, g, RAMP, 0, CSN_MAXRAMP, 0, &ramp);
    int active = from <= t && t < to;
    double f = active ? ramp_share(start, from, (int)ramp, t) : 0;
    csu_params *sp = &p->supply;
    const char *name;
    int k;
    double t0 = from, t1 = to; /* the costs' dates */
    switch (type) {
    case L_RECRUIT: {
        double x = 0;
        ccc_number(r, g, "extra_per_year", 0, 100000, 1, &x);
        if (sp->pool < 0)
            ccc_error(r, g, "lever", "foster_recruitment needs a fostering pool in the baseline (expected supply.fostering)");
        else if (active)
            sp->approvals += toward(0, x, f);
        break;
    }
    case L_RETAIN: {
        double x = 1;
        ccc_number(r, g, "resignation_multiplier", 0, 10, 1, &x);
        if (active)
            sp->resignation *= toward(1, x, f);
        break;
    }
    case L_NEW_HOME: {
        csu_provider *h = add_home(p);
        if (!h)
            return -1;
        name = ccc_string(r, g, "name", 1);
        h->name = dupstr(name ? name : "?");
        home_fields(r, g, start, h);
        read_t(r, g, "open", 1, start, &h->open_t);
        read_t(r, g, "close", 0, start, &h->close_t);
        ccc_choice(r, g, "location", csu_loc_name, CSU_NLOC, 0, &h->loc);
        if (name && find_prov(p, name) != sp->n - 1)
            ccc_error(r, g, "name", "\"%s\" is already a provider (expected a new name)", name);
        if (h->close_t <= h->open_t)
            ccc_error(r, g, "close", "is not after `open` (expected a later date)");
        home_ramp(h, start, (int)ramp, t);
        t0 = h->open_t;
        t1 = h->close_t;
        break;
    }
    case L_CLOSE_HOME:
    case L_CONVERT: {
        name = ccc_string(r, g, "home", 1);
        double when = 0;
        read_t(r, g, "date", 1, start, &when);
        t0 = when;
        t1 = INFINITY;
        k = name ? find_prov(p, name) : -1;
        if (name && (k < 0 || !sp->prov[k].home)) {
            ccc_error(r, g, "home", "\"%s\" is not a council home of the baseline (expected one of its homes)", name);
            break;
        }
        if (k < 0)
            break;
        if (when < sp->prov[k].close_t)
            sp->prov[k].close_t = when;
        if (type == L_CONVERT) {
            csu_provider *h = add_home(p);
            if (!h)
                return -1;
            const char *nn = ccc_string(r, g, "name", 0);
            char buf[512];
            snprintf(buf, sizeof buf, "%s (converted)", sp->prov[k].name);
            h->name = dupstr(nn ? nn : buf);
            h->loc = sp->prov[k].loc;
            home_fields(r, g, start, h);
            h->open_t = when;
            home_ramp(h, start, (int)ramp, t);
        }
        break;
    }
    case L_STEP_DOWN: {
        double m = 0;
        ccc_number(r, g, "ready_after_months", 0, 240, 1, &m);
        if (active)
            sp->ready_days = toward(sp->ready_days, m * 365.25 / 12, f);
        break;
    }
    case L_EDGE: {
        double m[CCM_NCOHORT];
        for (int c = 0; c < CCM_NCOHORT; c++)
            m[c] = 1;
        config_setting_t *e = config_setting_get_member(g, "entry_multiplier");
        if (!e) {
            ccc_error(r, g, "entry_multiplier", "missing required setting (expected a number in [0, 1], or one per cohort)");
        } else if (config_setting_type(e) == CONFIG_TYPE_GROUP) {
            ccc_known(r, e, ccm_cohort_key, CCM_NCOHORT);
            for (int c = 0; c < CCM_NCOHORT; c++)
                ccc_number(r, e, ccm_cohort_key[c], 0, 1, 0, &m[c]);
        } else {
            double x = 1;
            ccc_number(r, g, "entry_multiplier", 0, 1, 1, &x);
            for (int c = 0; c < CCM_NCOHORT; c++)
                m[c] = x;
        }
        if (active)
            for (int c = 0; c < CCM_NCOHORT; c++)
                p->entry_keep[c] *= toward(1, m[c], f);
        break;
    }
    case L_KINSHIP_SGO: {
        double sgo = 1, kin = 1;
        ccc_number(r, g, "sgo_multiplier", 0, 10, 0, &sgo);
        ccc_number(r, g, "kinship_multiplier", 0, 10, 0, &kin);
        if (active) {
            sgo = toward(1, sgo, f);
            kin = toward(1, kin, f);
            for (int c = 0; c < CCM_NCOHORT; c++) {
                p->exit_rate[CCM_SGO][c] *= sgo;
                double *mix = p->entry_ptype[c], sum = 0;
                mix[CCM_KINSHIP] *= kin;
                for (int q = 0; q < CCM_NPT; q++)
                    sum += mix[q];
                for (int q = 0; q < CCM_NPT && sum > 0; q++)
                    mix[q] /= sum;
            }
        }
        break;
    }
    case L_D2N2:
    case L_BLOCK: {
        name = ccc_string(r, g, "provider", 1);
        k = name ? find_prov(p, name) : -1;
        if (name && k < 0) {
            ccc_error(r, g, "provider", "\"%s\" is not an external tier of the baseline (expected one of its tiers)", name);
            break;
        }
        if (k < 0)
            break;
        csu_provider *pv = &sp->prov[k];
        if (type == L_D2N2) {
            double x = 0;
            if (pv->avail != CSU_PROBABILITY)
                ccc_error(r, g, "provider", "\"%s\" is not a tier with a probability (expected a framework or spot tier)", name);
            else if (ccc_number(r, g, "probability", 0, 1, 1, &x) && active)
                pv->probability = toward(pv->probability, x, f);
        } else {
            long cap = pv->capacity;
            double price = pv->price_week;
            if (pv->avail != CSU_CAPACITY || pv->home)
                ccc_error(r, g, "provider", "\"%s\" is not an external tier with a capacity (expected a block or contract tier)", name);
            ccc_int(r, g, "capacity", 0, 1000000, 0, &cap);
            ccc_number(r, g, "price_week", 0, 1e6, 0, &price);
            if (active) {
                pv->capacity = (int)floor(toward(pv->capacity, (double)cap, f) + 0.5);
                pv->price_week = price;
            }
        }
        break;
    }
    case L_INFLATION: {
        const char *line = ccc_string(r, g, "line", 1);
        double rate = 0;
        ccc_number(r, g, "rate", -0.2, 0.5, 1, &rate);
        if (!p->costs.enabled) {
            ccc_error(r, g, "lever", "inflation needs a costs section in the baseline (expected costs = { ... })");
            break;
        }
        if (line && strcmp(line, "default") == 0) {
            for (int q = 0; q < CCT_NLINE; q++)
                p->costs.inflation[q] = rate;
            p->costs.inflation_default = rate;
        } else if (line) {
            int q = ccc_find(line, cct_line_name, CCT_NLINE);
            if (q < 0)
                ccc_error(r, g, "line", "unknown cost line \"%s\" (expected default or a spend group, e.g. ifa)", line);
            else
                p->costs.inflation[q] = rate;
        }
        break;
    }
    }
    if (cost) {
        read_cost(r, g, type, start, t0, t1, ramp, cost);
        if ((cost->capital > 0 || cost->one_off > 0 || cost->revenue > 0) && !p->costs.enabled)
            ccc_error(r, g, config_setting_get_member(g, "capital_cost")   ? "capital_cost"
                            : config_setting_get_member(g, "one_off_cost") ? "one_off_cost"
                                                                           : "revenue_cost",
                      "a lever's costs need a costs section in the baseline (expected costs = { ... } there, for "
                      "the business case)");
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void csn_free(csn_scenario *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nphase; i++)
        ccp_free(s->phase[i]);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s->baseline);
    free(s->cost);
    free(s);
}

/* Apply the csn_sets to the levers' tree. Returns the errors recorded. */
static int set_levers(ccc_reader *r, config_setting_t *root, const csn_set *set, int nset)
{
    int bad = 0;
    config_setting_t *levers = config_setting_get_member(root, "levers");
    int n = levers && config_setting_is_aggregate(levers) ? config_setting_length(levers) : 0;
    for (int i = 0; i < nset; i++) {
        const char *which = set[i].lever;
        config_setting_t *g = NULL;
        char *end;
        long k = strtol(which, &end, 10);
        if (*which && *end == '\0') {
            if (k >= 1 && k <= n)
                g = config_setting_get_elem(levers, (unsigned)(k - 1));
        } else {
            for (int j = 0; j < n; j++) {
                config_setting_t *e = config_setting_get_elem(levers, (unsigned)j);
                const char *kind = NULL;
                if (config_setting_type(e) == CONFIG_TYPE_GROUP && config_setting_lookup_string(e, "lever", &kind) &&
                    strcmp(kind, which) == 0) {
                    if (g) {
                        ccc_error(r, levers, NULL, "has more than one %s lever (expected its number, e.g. %d.%s)",
                                  which, j + 1, set[i].setting);
                        bad++;
                        g = NULL;
                        goto next;
                    }
                    g = e;
                }
            }
        }
        if (!g || config_setting_type(g) != CONFIG_TYPE_GROUP) {
            ccc_error(r, levers ? levers : root, levers ? NULL : "levers",
                      "has no lever %s (expected a lever's number, 1 to %d, or its kind)", which, n);
            bad++;
            continue;
        }
        config_setting_t *s = config_setting_get_member(g, set[i].setting);
        if (!s || (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64 &&
                   config_setting_type(s) != CONFIG_TYPE_FLOAT) || strcmp(set[i].setting, "lever") == 0) {
            ccc_error(r, g, set[i].setting, "is not a number this lever has in the file (expected a numeric "
                                            "setting of the lever to vary, written in the file)");
            bad++;
            continue;
        }
        if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
            config_setting_set_float(s, set[i].value);
        else
            config_setting_set_int64(s, (long long)llround(set[i].value));
    next:;
    }
    return bad;
}

static int load(const char *path, const csn_set *set, int nset, cc_diag *diag, csn_scenario **out);

int csn_load(const char *path, cc_diag *diag, csn_scenario **out)
{
    return load(path, NULL, 0, diag, out);
}

int csn_load_set(const char *path, const csn_set *set, int nset, cc_diag *diag, csn_scenario **out)
{
    return load(path, set, nset, diag, out);
}

static int load(const char *path, const csn_set *set, int nset, cc_diag *diag, csn_scenario **out)
{
    static const char *const keys[] = {"name", "description", "baseline", "levers"};
    *out = NULL;
    config_t cfg;
    config_init(&cfg);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int rc0 = ccf_open(&cfg, path, "scenario", diag, NULL);
    if (rc0 == CCF_EPARSE) {
        const char *ef = config_error_file(&cfg);
        ccg_add(diag, "%s:%d: cannot parse the file: %s (expected libconfig syntax)", ef ? ef : path,
                config_error_line(&cfg), config_error_text(&cfg));
        config_destroy(&cfg);
        return CCP_EINVALID;
    }
    if (rc0 != CCF_OK) {
        config_destroy(&cfg);
        return rc0 == CCF_EIO ? CCP_EIO : CCP_EINVALID;
    }
    size_t before = ccg_count(diag);
    ccc_reader r = {diag, path, 0};
    config_setting_t *root = config_root_setting(&cfg);
    if (nset > 0 && set_levers(&r, root, set, nset) > 0) {
        config_destroy(&cfg);
        return CCP_EINVALID;
    }
    ccc_known(&r, root, keys, 4);
    csn_scenario *s = calloc(1, sizeof *s);
    const char *name = ccc_string(&r, root, "name", 1);
    const char *desc = ccc_text(&r, root, "description", 0, 2000);
    const char *base = ccc_string(&r, root, "baseline", 1);
    config_setting_t *levers = ccc_list(&r, root, "levers", 1);
    if (name && (!*name || strpbrk(name, ",\"\n\r")))
        ccc_error(&r, root, "name", "is not a usable label (expected a non-empty string without commas or quotes)");
    if (!s || ccg_count(diag) > before || !base) {
        config_destroy(&cfg);
        csn_free(s);
        return CCP_EINVALID;
    }
    s->name = dupstr(name);
    s->description = dupstr(desc ? desc : "");
    s->path = dupstr(path);
    char bpath[8192];
    if (base[0] == '/')
        snprintf(bpath, sizeof bpath, "%s", base);
    else
        snprintf(bpath, sizeof bpath, "%s/%s", dir, base);
    s->baseline = dupstr(bpath);
    /* the baseline itself must be valid */
    cc_params *p0 = NULL;
    int rc = ccp_load(bpath, diag, &p0);
    if (rc != CCP_OK) {
        config_destroy(&cfg);
        csn_free(s);
        return rc;
    }
    int n = levers ? config_setting_length(levers) : 0;
    s->nlevers = n;
    s->cost = calloc((size_t)(n > 0 ? n : 1), sizeof *s->cost);
    /* phase dates: every `from` and `to` after the start, and the monthly
     * steps of every ramp-up */
    double *dates = malloc(((size_t)n * (CSN_MAXRAMP + 3) + 1) * sizeof *dates);
    if (!s->cost || !dates) {
        free(dates);
        ccp_free(p0);
        config_destroy(&cfg);
        csn_free(s);
        return CCP_EINVALID;
    }
    int nd = 0;
    for (int i = 0; i < n; i++) {
        config_setting_t *g = config_setting_get_elem(levers, (unsigned)i);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            ccc_error(&r, g, NULL, "is not a lever (expected a group { lever = \"...\"; ... })");
            continue;
        }
        cc_diag *quiet = ccg_new();
        ccc_reader qr = {quiet, path, 0};
        static const char *const dkeys[] = {"from", "to"};
        for (int d = 0; d < 2; d++) {
            double t = 0;
            if (read_t(&qr, g, dkeys[d], 0, p0->start_day, &t) && t > 0)
                dates[nd++] = t;
        }
        int type = -1;
        long ramp = 0;
        double t0 = 0;
        if (ccc_choice(&qr, g, "lever", lever_names, L_N, 1, &type) && has_key(type, RAMP) &&
            ccc_int(&qr, g, RAMP, 1, CSN_MAXRAMP, 0, &ramp)) {
            read_t(&qr, g, lever_date[type], 0, p0->start_day, &t0);
            for (int k = 1; k <= ramp; k++) {
                double t = months_after(p0->start_day, t0, k);
                if (t > 0)
                    dates[nd++] = t;
            }
        }
        ccg_free(quiet);
    }
    qsort(dates, (size_t)nd, sizeof *dates, cmp_double);
    double phase_t[CSN_MAXPHASE];
    int np = 1;
    phase_t[0] = 0;
    for (int i = 0; i < nd; i++)
        if (dates[i] != phase_t[np - 1]) {
            if (np == CSN_MAXPHASE) {
                ccc_error(&r, levers, NULL,
                          "has more than %d distinct dates, ramp-up steps included (expected fewer, or shorter "
                          "ramp-ups)",
                          CSN_MAXPHASE - 1);
                break;
            }
            phase_t[np++] = dates[i];
        }
    free(dates);
    /* phase 0 reports the levers' errors and reads their costs; the others
     * are built quietly */
    for (int k = 0; k < np && ccg_count(diag) == before; k++) {
        cc_params *p = k == 0 ? p0 : NULL;
        if (!p && ccp_load(bpath, diag, &p) != CCP_OK)
            break;
        cc_diag *quiet = ccg_new();
        ccc_reader pr = {k == 0 ? diag : quiet, path, 0};
        for (int i = 0; i < n; i++) {
            config_setting_t *g = config_setting_get_elem(levers, (unsigned)i);
            if (config_setting_type(g) == CONFIG_TYPE_GROUP)
                apply(&pr, g, p, phase_t[k], k == 0 ? &s->cost[i] : NULL);
        }
        ccg_free(quiet);
        free(p->scenario);
        p->scenario = dupstr(s->name);
        ccp_rederive(p);
        s->phase[k] = p;
        s->phase_t[k] = phase_t[k];
        s->nphase = k + 1;
        if (k == 0)
            p0 = NULL;
    }
    for (int i = 0; i < n; i++)
        s->has_costs |= s->cost[i].capital > 0 || s->cost[i].one_off > 0 || s->cost[i].revenue > 0;
    if (p0)
        ccp_free(p0);
    config_destroy(&cfg);
    if (ccg_count(diag) > before) {
        csn_free(s);
        return CCP_EINVALID;
    }
    *out = s;
    return CCP_OK;
}
