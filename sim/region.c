/* region: loading and validating region files and region scenarios. */
#define _XOPEN_SOURCE 700
#include "region.h"
#include "output.h"

#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "cfgfile.h"
#include "cfgread.h"
#include "model.h"
#include "supply.h"

static char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* `rel` against the folder of `file` (as given when rel is absolute). */
static char *resolve(const char *file, const char *rel)
{
    if (rel[0] == '/')
        return dupstr(rel);
    const char *slash = strrchr(file, '/');
    size_t dn = slash ? (size_t)(slash - file) + 1 : 0;
    size_t n = dn + strlen(rel) + 1;
    char *p = malloc(n);
    if (!p)
        return NULL;
    memcpy(p, file, dn);
    memcpy(p + dn, rel, strlen(rel) + 1);
    return p;
}

/* A key: 1 to 32 of [a-z0-9_], starting with a letter. */
static int is_key(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32 || s[0] < 'a' || s[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int open_file(const char *path, const char *what, cc_diag *diag, config_t *cfg, uint64_t *hash)
{
    config_init(cfg);
    int rc = ccf_open(cfg, path, what, diag, hash);
    if (rc == CCF_EPARSE) {
        ccg_add(diag, "%s:%d: cannot parse the file: %s (expected libconfig syntax: name = value; groups in { }, "
                "lists in ( ), strings in double quotes)",
                config_error_file(cfg) ? config_error_file(cfg) : path, config_error_line(cfg), config_error_text(cfg));
        return CCP_EINVALID;
    }
    if (rc == CCF_EIO)
        return CCP_EIO;
    return rc == CCF_OK ? CCP_OK : CCP_EINVALID;
}

int ccrg_is_region(const char *path)
{
    cc_diag *d = ccg_new();
    if (!d)
        return 0;
    config_t cfg;
    int yes = 0;
    if (open_file(path, "region", d, &cfg, NULL) == CCP_OK) {
        const config_setting_t *root = config_root_setting(&cfg);
        if (config_setting_get_member(root, "councils"))
            yes = 1;
        const config_setting_t *b = config_setting_get_member(root, "baseline");
        const char *bs = b ? config_setting_get_string(b) : NULL;
        char *bp = !yes && bs && config_setting_get_member(root, "levers") ? resolve(path, bs) : NULL;
        if (bp) {
            config_t c2;
            if (open_file(bp, "region", d, &c2, NULL) == CCP_OK)
                yes = config_setting_get_member(config_root_setting(&c2), "councils") != NULL;
            config_destroy(&c2);
            free(bp);
        }
    }
    config_destroy(&cfg);
    ccg_free(d);
    return yes;
}

void ccrg_free(ccrg_region *g)
{
    if (!g)
        return;
    for (int c = 0; c < g->nc; c++) {
        ccrg_council *k = &g->council[c];
        free(k->key);
        free(k->config);
        ccp_free(k->base);
        csn_free(k->scen);
        free(k->market_of);
    }
    for (int m = 0; m < g->nm; m++) {
        free(g->market[m].name);
        for (int x = 0; x < g->market[m].nprov; x++)
            free(g->market[m].prov[x]);
    }
    free(g->name);
    free(g->description);
    free(g->scenario);
    free(g->path);
    free(g->region_path);
    free(g);
}

static const char *const top_keys[] = {"name", "description", "councils", "markets"};
static const char *const council_keys[] = {"key", "config"};
static const char *const market_keys[] = {"name", "type", "location", "places", "unlimited", "price_week",
                                          "providers", "background"};
static const char *const bg_keys[] = {"per_year", "mean_weeks"};
static const char *const market_types[] = {"foster", "residential", "semi_independent"};
static const int market_type_of[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI};
static const char *const market_locs[] = {"d2n2", "outside"};

static int find_provider(const cc_params *p, const char *name)
{
    for (int k = 0; k < p->supply.n; k++)
        if (strcmp(p->supply.prov[k].name, name) == 0)
            return k;
    return -1;
}

/* Provider k of each council's running parameters -> its market. */
static int bind_markets(ccrg_region *g, ccc_reader *r, const config_setting_t *mlist)
{
    int ok = 1;
    for (int c = 0; c < g->nc; c++) {
        ccrg_council *k = &g->council[c];
        const cc_params *p = k->phases[0];
        free(k->market_of);
        k->market_of = malloc((size_t)(p->supply.n > 0 ? p->supply.n : 1) * sizeof *k->market_of);
        if (!k->market_of)
            return 0;
        for (int j = 0; j < p->supply.n; j++)
            k->market_of[j] = -1;
    }
    for (int m = 0; m < g->nm; m++) {
        const ccrg_market *mk = &g->market[m];
        const config_setting_t *ms = mlist ? config_setting_get_elem(mlist, (unsigned)m) : NULL;
        for (int x = 0; x < mk->nprov; x++) {
            int found = 0;
            for (int c = 0; c < g->nc; c++) {
                ccrg_council *k = &g->council[c];
                const cc_params *p = k->phases[0];
                int j = find_provider(p, mk->prov[x]);
                if (j < 0)
                    continue;
                found = 1;
                const csu_provider *pv = &p->supply.prov[j];
                if (pv->owner != CSU_EXTERNAL || pv->type != mk->type) {
                    if (ms)
                        ccc_error(r, ms, "providers",
                                  "\"%s\" in %s is not an external %s tier (expected an external tier of the "
                                  "market's type)",
                                  mk->prov[x], k->key, ccm_ptype_name[mk->type]);
                    ok = 0;
                } else if (pv->avail == CSU_UNLIMITED && mk->places >= 0) {
                    if (ms)
                        ccc_error(r, ms, "providers", "\"%s\" in %s is unlimited, a last resort that always has a "
                                  "place (expected it in an unlimited market, or a tier with a capacity or "
                                  "probability)", mk->prov[x], k->key);
                    ok = 0;
                } else if (k->market_of[j] >= 0 && k->market_of[j] != m) {
                    if (ms)
                        ccc_error(r, ms, "providers", "\"%s\" in %s is also a tier of market %s (expected each tier "
                                  "in one market)", mk->prov[x], k->key, g->market[k->market_of[j]].name);
                    ok = 0;
                } else {
                    k->market_of[j] = (int16_t)m;
                }
            }
            if (!found) {
                if (ms)
                    ccc_error(r, ms, "providers", "\"%s\" is a tier of none of the councils (expected the name of "
                              "an external tier in a council's config)", mk->prov[x]);
                ok = 0;
            }
        }
    }
    return ok;
}

static void read_market(ccc_reader *r, const config_setting_t *e, ccrg_region *g, int m)
{
    ccrg_market *mk = &g->market[m];
    ccc_known(r, e, market_keys, sizeof market_keys / sizeof *market_keys);
    const char *name = ccc_string(r, e, "name", 1);
    if (name && !is_key(name))
        ccc_error(r, e, "name", "not a short name (expected 1 to 32 of a-z, 0-9 and _, starting with a letter)");
    else if (name) {
        for (int j = 0; j < m; j++)
            if (g->market[j].name && strcmp(g->market[j].name, name) == 0)
                ccc_error(r, e, "name", "\"%s\" names another market too (expected unique market names)", name);
        mk->name = dupstr(name);
    }
    int t = 0;
    if (ccc_choice(r, e, "type", market_types, 3, 1, &t))
        mk->type = market_type_of[t];
    int l = 0;
    ccc_choice(r, e, "location", market_locs, 2, 1, &l);
    mk->loc = l == 0 ? CSU_D2N2 : CSU_OUTSIDE;
    int unl = 0;
    ccc_bool(r, e, "unlimited", 0, &unl);
    long places = -1;
    int has = config_setting_get_member(e, "places") != NULL;
    if (unl && has)
        ccc_error(r, e, "places", "given with unlimited = true (expected one of places and unlimited)");
    else if (!unl && !has)
        ccc_error(r, e, "places", "missing required setting (expected a number of places, or unlimited = true)");
    else if (has)
        ccc_int(r, e, "places", 0, 1000000, 1, &places);
    mk->places = unl ? -1 : (int)places;
    mk->price_week = 0;
    ccc_number(r, e, "price_week", 0, 1e6, 1, &mk->price_week);
    const config_setting_t *pl = ccc_list(r, e, "providers", 1);
    if (pl) {
        int n = config_setting_length(pl);
        if (n < 1 || n > CCRG_MAXPROV)
            ccc_error(r, e, "providers", "has %d names (expected 1 to %d)", n, CCRG_MAXPROV);
        for (int x = 0; x < n && x < CCRG_MAXPROV; x++) {
            const config_setting_t *s = config_setting_get_elem(pl, (unsigned)x);
            const char *v = config_setting_get_string(s);
            if (!v || strlen(v) > CCC_MAX_NAME) {
                ccc_error(r, e, "providers", "element %d is not a name (expected a string of at most %d characters)",
                          x + 1, CCC_MAX_NAME);
                continue;
            }
            for (int y = 0; y < mk->nprov; y++)
                if (strcmp(mk->prov[y], v) == 0)
                    ccc_error(r, e, "providers", "\"%s\" is listed twice (expected each tier once)", v);
            mk->prov[mk->nprov++] = dupstr(v);
        }
    }
    const config_setting_t *bg = ccc_group(r, e, "background", 0);
    if (bg) {
        ccc_known(r, bg, bg_keys, sizeof bg_keys / sizeof *bg_keys);
        double weeks = 52;
        ccc_number(r, bg, "per_year", 0, 1e6, 1, &mk->bg_per_year);
        ccc_number(r, bg, "mean_weeks", 0.1, 1040, 1, &weeks);
        mk->bg_mean_days = weeks * 7;
    }
}

static void read_council(ccc_reader *r, const config_setting_t *e, const char *path, ccrg_region *g, int c,
                         cc_diag *diag, int *io)
{
    ccrg_council *k = &g->council[c];
    ccc_known(r, e, council_keys, sizeof council_keys / sizeof *council_keys);
    const char *key = ccc_string(r, e, "key", 1);
    if (key && !is_key(key))
        ccc_error(r, e, "key", "not a short name (expected 1 to 32 of a-z, 0-9 and _, starting with a letter)");
    else if (key && strcmp(key, "region") == 0)
        ccc_error(r, e, "key", "\"region\" names the region's own rows (expected another key)");
    else if (key) {
        for (int j = 0; j < c; j++)
            if (g->council[j].key && strcmp(g->council[j].key, key) == 0)
                ccc_error(r, e, "key", "\"%s\" is the key of another council too (expected unique keys)", key);
        k->key = dupstr(key);
    }
    const char *cfgp = ccc_string(r, e, "config", 1);
    if (!cfgp)
        return;
    k->config = resolve(path, cfgp);
    if (!k->config)
        return;
    size_t before = ccg_count(diag);
    int rc = ccp_load(k->config, diag, &k->base);
    if (rc != CCP_OK) {
        if (rc == CCP_EIO)
            *io = 1;
        if (ccg_count(diag) == before || rc == CCP_EIO)
            ccc_error(r, e, "config", "%s cannot be loaded (expected a council config)", cfgp);
        return;
    }
    k->phases = (const cc_params *const *)&k->base;
    k->nphase = 1;
    k->phase_t = NULL;
}

/* A region file: name, councils, markets. */
static int load_region(const char *path, cc_diag *diag, ccrg_region *g)
{
    config_t cfg;
    int rc = open_file(path, "region", diag, &cfg, &g->file_hash);
    if (rc != CCP_OK) {
        config_destroy(&cfg);
        return rc;
    }
    size_t before = ccg_count(diag);
    ccc_reader r = {diag, path, 0};
    const config_setting_t *root = config_root_setting(&cfg);
    ccc_known(&r, root, top_keys, sizeof top_keys / sizeof *top_keys);
    const char *name = ccc_string(&r, root, "name", 1);
    g->name = dupstr(name ? name : "");
    const char *desc = ccc_text(&r, root, "description", 0, 2000);
    g->description = desc ? dupstr(desc) : NULL;
    int io = 0;
    const config_setting_t *cl = ccc_list(&r, root, "councils", 1);
    if (cl) {
        int n = config_setting_length(cl);
        if (n < 1 || n > CCRG_MAXCOUNCIL)
            ccc_error(&r, root, "councils", "has %d councils (expected 1 to %d)", n, CCRG_MAXCOUNCIL);
        for (int c = 0; c < n && c < CCRG_MAXCOUNCIL; c++) {
            const config_setting_t *e = config_setting_get_elem(cl, (unsigned)c);
            if (!config_setting_is_group(e)) {
                ccc_error(&r, e, NULL, "not a group (expected { key = ...; config = ...; })");
                continue;
            }
            g->nc = c + 1;
            read_council(&r, e, path, g, c, diag, &io);
        }
        /* the councils may start on different month ends: the region's clock
         * starts at the first, its results at the last */
        int have = 0;
        for (int c = 0; c < g->nc; c++) {
            const cc_params *p = g->council[c].base;
            if (!p)
                continue;
            if (!have || p->start_day < g->first_start)
                g->first_start = p->start_day;
            if (!have || p->start_day > g->last_start)
                g->last_start = p->start_day;
            have = 1;
            if (ccd_month_end(p->start_day) != p->start_day)
                ccc_error(&r, config_setting_get_elem(cl, (unsigned)c), "config",
                          "the council's start date is not the end of a month (expected a month end, as every "
                          "council's results are monthly)");
        }
        for (int c = 0; c < g->nc && have; c++) {
            const cc_params *p = g->council[c].base;
            if (!p)
                continue;
            int y0, m0, d0, y1, m1, d1;
            ccd_to_ymd(p->start_day, &y0, &m0, &d0);
            ccd_to_ymd(g->last_start, &y1, &m1, &d1);
            g->council[c].offset = (double)(p->start_day - g->first_start);
            g->council[c].months_early = (y1 - y0) * 12 + (m1 - m0);
            if (g->council[c].months_early > 24)
                ccc_error(&r, config_setting_get_elem(cl, (unsigned)c), "config",
                          "starts %d months before the region's last start date (expected start dates within two "
                          "years of each other)", g->council[c].months_early);
        }
    }
    const config_setting_t *ml = ccc_list(&r, root, "markets", 0);
    if (ml) {
        int n = config_setting_length(ml);
        if (n > CCRG_MAXMARKET)
            ccc_error(&r, root, "markets", "has %d markets (expected at most %d)", n, CCRG_MAXMARKET);
        for (int m = 0; m < n && m < CCRG_MAXMARKET; m++) {
            const config_setting_t *e = config_setting_get_elem(ml, (unsigned)m);
            if (!config_setting_is_group(e)) {
                ccc_error(&r, e, NULL, "not a group (expected { name = ...; type = ...; ... })");
                continue;
            }
            g->nm = m + 1;
            read_market(&r, e, g, m);
        }
    }
    if (ccg_count(diag) == before && !bind_markets(g, &r, ml) && ccg_count(diag) == before)
        ccg_add(diag, "%s: out of memory", path);
    config_destroy(&cfg);
    if (ccg_count(diag) > before)
        return io ? CCP_EIO : CCP_EINVALID;
    return CCP_OK;
}

static const char *const scen_keys[] = {"name", "description", "baseline", "levers"};
static const char *const lever_names[] = {"council_scenario", "joint_block", "recruitment_campaign"};
static const char *const lever_keys[3][5] = {
    {"lever", "council", "scenario", NULL},
    {"lever", "market", "places", "from", NULL},
    {"lever", "market", "extra_places", "from", NULL},
};

static int find_market(const ccrg_region *g, const char *name)
{
    for (int m = 0; m < g->nm; m++)
        if (strcmp(g->market[m].name, name) == 0)
            return m;
    return -1;
}

/* Add a change to market m from time t: places += dplaces (unless
 * unlimited), reserved += dres, in every later change too. */
static void add_change(ccc_reader *r, const config_setting_t *e, ccrg_market *mk, double t, int dplaces, int dres)
{
    if (mk->nchange >= CCRG_MAXCHANGE) {
        ccc_error(r, e, "lever", "more than %d levers change market %s (expected fewer)", CCRG_MAXCHANGE, mk->name);
        return;
    }
    int at = mk->nchange;
    while (at > 0 && mk->change_t[at - 1] > t)
        at--;
    for (int x = mk->nchange; x > at; x--) {
        mk->change_t[x] = mk->change_t[x - 1];
        mk->change_places[x] = mk->change_places[x - 1];
        mk->change_reserved[x] = mk->change_reserved[x - 1];
    }
    int places = at > 0 ? mk->change_places[at - 1] : mk->places;
    int res = at > 0 ? mk->change_reserved[at - 1] : 0;
    mk->change_t[at] = t;
    mk->change_places[at] = places;
    mk->change_reserved[at] = res;
    mk->nchange++;
    for (int x = at; x < mk->nchange; x++) {
        if (mk->change_places[x] >= 0)
            mk->change_places[x] += dplaces;
        mk->change_reserved[x] += dres;
    }
}

static int read_date_t(ccc_reader *r, const config_setting_t *e, const char *name, int32_t start, double *t)
{
    const char *s = ccc_string(r, e, name, 1);
    if (!s)
        return 0;
    int32_t day;
    if (ccd_parse(s, &day) != 0) {
        ccc_error(r, e, name, "not a date (expected YYYY-MM-DD)");
        return 0;
    }
    if (day <= start) {
        ccc_error(r, e, name, "is not after the region's first start date (expected a later date)");
        return 0;
    }
    *t = (double)(day - start);
    return 1;
}

static int load_scenario(const char *path, cc_diag *diag, ccrg_region *g)
{
    config_t cfg;
    int rc = open_file(path, "region scenario", diag, &cfg, NULL);
    if (rc != CCP_OK) {
        config_destroy(&cfg);
        return rc;
    }
    size_t before = ccg_count(diag);
    ccc_reader r = {diag, path, 0};
    const config_setting_t *root = config_root_setting(&cfg);
    ccc_known(&r, root, scen_keys, sizeof scen_keys / sizeof *scen_keys);
    const char *name = ccc_string(&r, root, "name", 1);
    const char *desc = ccc_text(&r, root, "description", 0, 2000);
    const char *base = ccc_string(&r, root, "baseline", 1);
    if (name && !is_key(name) && strlen(name) > 64)
        ccc_error(&r, root, "name", "longer than 64 characters (expected a short scenario name)");
    if (!base || !name) {
        config_destroy(&cfg);
        return CCP_EINVALID;
    }
    g->region_path = resolve(path, base);
    rc = g->region_path ? load_region(g->region_path, diag, g) : CCP_EIO;
    if (rc != CCP_OK) {
        config_destroy(&cfg);
        return rc;
    }
    free(g->scenario);
    g->scenario = dupstr(name);
    free(g->description);
    g->description = desc ? dupstr(desc) : NULL;
    const config_setting_t *ll = ccc_list(&r, root, "levers", 1);
    int n = ll ? config_setting_length(ll) : 0;
    int32_t start = g->first_start;
    for (int x = 0; x < n; x++) {
        const config_setting_t *e = config_setting_get_elem(ll, (unsigned)x);
        if (!config_setting_is_group(e)) {
            ccc_error(&r, e, NULL, "not a group (expected { lever = ...; ... })");
            continue;
        }
        int type;
        if (!ccc_choice(&r, e, "lever", lever_names, 3, 1, &type))
            continue;
        size_t nk = 0;
        while (lever_keys[type][nk])
            nk++;
        ccc_known(&r, e, lever_keys[type], nk);
        g->nlevers++;
        if (type == 0) {
            const char *ck = ccc_string(&r, e, "council", 1);
            const char *sp = ccc_string(&r, e, "scenario", 1);
            int c = -1;
            for (int j = 0; ck && j < g->nc; j++)
                if (strcmp(g->council[j].key, ck) == 0)
                    c = j;
            if (ck && c < 0) {
                ccc_error(&r, e, "council", "\"%s\" is not a council of the region (expected one of its keys)", ck);
                continue;
            }
            if (!sp || c < 0)
                continue;
            if (g->council[c].scen) {
                ccc_error(&r, e, "council", "\"%s\" has a scenario already (expected one per council)", ck);
                continue;
            }
            char *spath = resolve(path, sp);
            csn_scenario *s = NULL;
            int src = spath ? csn_load(spath, diag, &s) : CCP_EIO;
            if (src != CCP_OK) {
                ccc_error(&r, e, "scenario", "%s cannot be loaded (expected a council scenario)", sp);
            } else if (!cco_same_file(s->baseline, g->council[c].config)) {
                ccc_error(&r, e, "scenario", "applies to %s, not to %s's config %s (expected a scenario of that "
                          "council)", s->baseline, ck, g->council[c].config);
                csn_free(s);
            } else {
                g->council[c].scen = s;
                g->council[c].phases = (const cc_params *const *)s->phase;
                g->council[c].phase_t = s->phase_t;
                g->council[c].nphase = s->nphase;
            }
            free(spath);
        } else {
            const char *mn = ccc_string(&r, e, "market", 1);
            int m = mn ? find_market(g, mn) : -1;
            if (mn && m < 0)
                ccc_error(&r, e, "market", "\"%s\" is not a market of the region (expected one of its names)", mn);
            double t = 0;
            int okt = read_date_t(&r, e, "from", start, &t);
            long v = 0;
            int okv = ccc_int(&r, e, type == 1 ? "places" : "extra_places", 1, 100000, 1, &v);
            if (m < 0 || !okt || !okv)
                continue;
            if (type == 1 && g->market[m].places >= 0 && v > g->market[m].places)
                ccc_error(&r, e, "places", "%ld is more than market %s's %d places (expected at most its places)", v,
                          mn, g->market[m].places);
            else if (type == 2 && g->market[m].places < 0)
                ccc_error(&r, e, "market", "%s is unlimited (expected a market with a number of places)", mn);
            else if (type == 1)
                add_change(&r, e, &g->market[m], t, 0, (int)v);
            else
                add_change(&r, e, &g->market[m], t, (int)v, 0);
        }
    }
    if (ccg_count(diag) == before && !bind_markets(g, &r, NULL))
        ccg_add(diag, "%s: out of memory", path);
    config_destroy(&cfg);
    return ccg_count(diag) > before ? CCP_EINVALID : CCP_OK;
}

int ccrg_load(const char *path, cc_diag *diag, ccrg_region **out)
{
    *out = NULL;
    ccrg_region *g = calloc(1, sizeof *g);
    if (!g) {
        ccg_add(diag, "%s: out of memory", path);
        return CCP_EINVALID;
    }
    g->path = dupstr(path);
    g->scenario = dupstr("baseline");
    config_t cfg;
    int rc = open_file(path, "region", diag, &cfg, NULL);
    int is_scen = rc == CCP_OK && !config_setting_get_member(config_root_setting(&cfg), "councils");
    config_destroy(&cfg);
    if (rc != CCP_OK) {
        ccrg_free(g);
        return rc;
    }
    if (is_scen)
        rc = load_scenario(path, diag, g);
    else {
        g->region_path = dupstr(path);
        rc = load_region(path, diag, g);
    }
    if (rc != CCP_OK) {
        ccrg_free(g);
        return rc;
    }
    *out = g;
    return CCP_OK;
}
