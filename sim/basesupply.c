/* basesupply: a baseline's supply for a fitted config (see basesupply.h). */
#define _XOPEN_SOURCE 700
#include "basesupply.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libconfig.h>

#include "ccdate.h"
#include "cfgwrite.h"
#include "diag.h"
#include "supply.h"

/* One of the baseline's providers, as the start-date children are shared. */
typedef struct {
    const csu_provider *pv;
    config_setting_t *g; /* its group in the baseline's tree */
    long cap;            /* places on the fitted start date (LONG_MAX: no fixed number) */
    double w;            /* the baseline's own start-date children: the weight */
    int alloc;           /* the fitted start-date children */
    int full;            /* while sharing out: no room left */
    char note[200];
} slot;

/* The tree group of provider `name`: an element of supply.homes or
 * supply.external, or supply.fostering for the in-house pool. */
static config_setting_t *group_of(config_setting_t *sup, const char *name)
{
    if (strcmp(name, "inhouse_foster") == 0)
        return config_setting_get_member(sup, "fostering");
    static const char *const lists[] = {"homes", "external"};
    for (int l = 0; l < 2; l++) {
        config_setting_t *list = config_setting_get_member(sup, lists[l]);
        for (int i = 0; list && i < config_setting_length(list); i++) {
            config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
            const char *n = NULL;
            if (config_setting_lookup_string(g, "name", &n) && strcmp(n, name) == 0)
                return g;
        }
    }
    return NULL;
}

/* Share `amount` out between sl[0..n) in proportion to their weights, never
 * above a slot's capacity; once the weighted slots are full, the rest goes
 * to the others in proportion to their capacity. w and part are scratch of
 * n entries. Returns what did not fit. */
static int share_out(slot **sl, int n, int amount, double *w, int *part)
{
    for (int i = 0; i < n; i++)
        sl[i]->full = sl[i]->cap == 0;
    for (int round = 0; round <= 2 * n && amount > 0; round++) {
        int any = 0;
        for (int i = 0; i < n; i++) {
            w[i] = sl[i]->full ? 0 : sl[i]->w;
            any |= w[i] > 0;
        }
        for (int i = 0; i < n && !any; i++) /* by capacity */
            w[i] = sl[i]->full ? 0 : sl[i]->cap == LONG_MAX ? 1 : (double)sl[i]->cap;
        for (int i = 0; i < n && !any; i++)
            any |= w[i] > 0;
        if (!any)
            break;
        ccm_apportion(w, n, amount, part);
        int capped = 0;
        for (int i = 0; i < n; i++) {
            long room = sl[i]->cap == LONG_MAX ? LONG_MAX : sl[i]->cap - sl[i]->alloc;
            int take = part[i] > room ? (int)room : part[i];
            if (sl[i]->cap != LONG_MAX && part[i] >= room)
                sl[i]->full = capped = 1;
            sl[i]->alloc += take;
            amount -= take;
        }
        if (!capped)
            break;
    }
    return amount;
}

static const char *type_label(int t) { return t == CCM_SEMI ? "semi-independent" : ccm_ptype_name[t]; }

/* Share type ty's fitted start-date children out between the slots of that
 * type and write the fitted start or start_rest into each one's group. */
static int fit_type(int ty, slot *slots, int ns, const cc_params *bp, const cc_params *fitted,
                    const double inhouse[CCM_NCOHORT][CCM_NPT], const double placed[CCM_NCOHORT][CCM_NPT],
                    const char *path, const char *day, FILE *err)
{
    int N = 0, H = 0, base = 0; /* fitted children, in-house ones, the baseline's */
    for (int c = 0; c < CCM_NCOHORT; c++) {
        int n = fitted->init_by_type[c][ty], part[2];
        double w[2] = {inhouse[c][ty], placed[c][ty] - inhouse[c][ty]};
        ccm_apportion(w, 2, n, part);
        N += n;
        H += part[0];
        base += bp->init_by_type[c][ty];
    }
    slot **cs = malloc((size_t)ns * sizeof *cs), **es = malloc((size_t)ns * sizeof *es);
    double *w = malloc((size_t)ns * sizeof *w);
    int *part = malloc((size_t)ns * sizeof *part);
    if (!cs || !es || !w || !part) {
        free(cs), free(es), free(w), free(part);
        return 4;
    }
    int ncs = 0, nes = 0;
    double given = 0;
    slot *rest = NULL, *last_open = NULL;
    for (int i = 0; i < ns; i++) {
        slot *s = &slots[i];
        if (s->pv->type != ty)
            continue;
        given += s->pv->start_total;
        if (s->pv->owner == CSU_COUNCIL) {
            cs[ncs++] = s;
            continue;
        }
        es[nes++] = s;
        if (s->pv->start_rest)
            rest = s;
        if (s->cap == LONG_MAX)
            last_open = s;
    }
    if (rest) /* the baseline's start_rest tier: the share it took implicitly */
        rest->w = base > given ? base - given : 0;
    else
        rest = last_open;
    int over = share_out(cs, ncs, H, w, part);
    if (over > 0)
        fprintf(err,
                "warning: %s: supply: %d children were placed in-house in %s on %s, but the baseline's council %s "
                "places hold %d then: the other %d start with its external tiers (update its homes or households to "
                "the council's own)\n",
                path, H, type_label(ty), day, type_label(ty), H - over, over);
    int left = share_out(es, nes, N - H + over, w, part);
    free(cs), free(es), free(w), free(part);
    if (left > 0 && rest) {
        rest->alloc += left;
        left = 0;
    }
    if (left > 0) {
        fprintf(err,
                "%s: supply: %d of the %d children placed in %s on %s have no place in the baseline's %s providers "
                "(expected an external %s tier without a fixed capacity, as the last resort)\n",
                path, left, N, type_label(ty), day, type_label(ty), type_label(ty));
        return 3;
    }
    for (int i = 0; i < ns; i++) {
        slot *s = &slots[i];
        if (s->pv->type != ty)
            continue;
        config_setting_remove(s->g, "start");
        config_setting_remove(s->g, "start_rest");
        if (s == rest) {
            snprintf(s->note, sizeof s->note, "fitted: takes the other %d %s children on %s", s->alloc,
                     type_label(ty), day);
            config_setting_t *r = config_setting_add(s->g, "start_rest", CONFIG_TYPE_BOOL);
            config_setting_set_bool(r, 1);
            ccw_note(r, s->note);
        } else if (s->alloc > 0) {
            int council = s->pv->owner == CSU_COUNCIL;
            snprintf(s->note, sizeof s->note,
                     "fitted: %d of the %d %s %s children on %s (PLACE_PROVIDER %s), shared as the baseline's start",
                     s->alloc, council ? H : N - H, council ? "in-house" : "external", type_label(ty), day,
                     council ? "PR1-PR3" : "PR0, PR4, PR5 or none");
            config_setting_t *st = config_setting_add(s->g, "start", CONFIG_TYPE_INT);
            config_setting_set_int(st, s->alloc);
            ccw_note(st, s->note);
        }
    }
    return 0;
}

int cbs_append(const char *path, const cc_params *fitted, const double inhouse[CCM_NCOHORT][CCM_NPT],
               const double placed[CCM_NCOHORT][CCM_NPT], FILE *cfg, FILE *err)
{
    cc_diag *dg = ccg_new();
    cc_params *bp = NULL;
    int rc = ccp_load(path, dg, &bp);
    if (rc != CCP_OK) {
        ccg_print(dg, err, NULL);
        fprintf(err, "carecap: %s: the baseline is not valid (%zu error%s); nothing was written\n", path,
                ccg_count(dg), ccg_count(dg) == 1 ? "" : "s");
        ccg_free(dg);
        return rc;
    }
    ccg_free(dg);
    const csu_params *sp = &bp->supply;
    if (!sp->enabled) {
        fprintf(err, "%s: the baseline has no supply section (expected a config with supply, matching and costs)\n",
                path);
        ccp_free(bp);
        return 3;
    }
    /* the tree, to write back: read as ccp_load read it */
    config_t b;
    config_init(&b);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *sl = strrchr(dir, '/');
    if (sl) {
        *sl = '\0';
        config_set_include_dir(&b, dir);
    }
    slot *slots = calloc((size_t)sp->n, sizeof *slots);
    int ns = 0;
    if (!slots || config_read_file(&b, path) != CONFIG_TRUE) {
        fprintf(err, "%s: cannot read the baseline: %s\n", path, slots ? config_error_text(&b) : "out of memory");
        rc = 4;
        goto out;
    }
    config_setting_t *sup = config_lookup(&b, "supply");
    /* the fitted run's t = 0 in the baseline's time (t counts days from the
     * day after the start date) */
    double t = (double)(fitted->start_day - bp->start_day);
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        config_setting_t *g = group_of(sup, pv->name);
        if (!g || k == sp->emergency) /* emergency carers take no one at the start */
            continue;
        slot *s = &slots[ns++];
        s->pv = pv;
        s->g = g;
        int open = pv->open_t <= t && t < pv->close_t; /* as the engine's open_at */
        s->cap = !open ? 0 : pv->avail == CSU_CAPACITY || pv->avail == CSU_POOL ? pv->capacity : LONG_MAX;
        s->w = s->cap > 0 ? pv->start_total : 0;
    }
    char day[16];
    ccd_format(fitted->start_day, day);
    static const int types[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE};
    for (int i = 0; i < 4 && rc == 0; i++)
        rc = fit_type(types[i], slots, ns, bp, fitted, inhouse, placed, path, day, err);
    if (rc == 0) {
        fputs("\n# ---- Supply, matching and costs, copied from ", cfg);
        ccw_comment(cfg, path); /* a path may hold a line break */
        fprintf(cfg, ": SSDA903 holds no places or\n"
                     "# prices. Each setting keeps the comment it has there; only the start-date counts\n"
                     "# (start, start_rest) are fitted to the children in care on %s. ----\n\n",
                day);
        ccw_writer *w = ccw_new(cfg);
        static const char *const sections[] = {"supply", "matching", "costs"};
        for (int k = 0; k < 3 && w && rc == 0; k++) {
            config_setting_t *s = config_lookup(&b, sections[k]);
            if (s && ccw_setting(w, s, 0) != 0)
                rc = 4;
            fputc('\n', cfg);
        }
        if (!w)
            rc = 4;
        ccw_free(w);
    }
out:
    free(slots);
    config_destroy(&b);
    ccp_free(bp);
    return rc;
}
