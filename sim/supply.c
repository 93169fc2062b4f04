/* supply: parse and validate the places a council can use and the matching
 * preference lists. */
#include "supply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"

#define SHARE_TOL 0.005

const char *const csu_loc_name[CSU_NLOC] = {"county", "d2n2", "outside"};
const char *const csu_kind_name[CSU_NKIND] = {"any", "mainstream", "specialist", "disability", "secure",
                                              "emergency"};
const char *const csu_contract_name[CSU_NCONTRACT] = {"block", "framework", "spot", "contract", "inhouse"};

/* Placement types that are matched to providers; the others (kinship,
 * with parents, placed for adoption, other) are where the child needs to be
 * and have no capacity. */
static const int matched_types[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE};
enum { NMATCHED = 4 };

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int is_matched(int t)
{
    for (int i = 0; i < NMATCHED; i++)
        if (matched_types[i] == t)
            return 1;
    return 0;
}

/* A date setting as days from the start date's next day (the model's t). */
static void read_date(ccc_reader *r, const config_setting_t *g, const char *name, int32_t start_day, double *out)
{
    const char *s = ccc_string(r, g, name, 0);
    if (!s)
        return;
    int32_t d;
    if (ccd_parse(s, &d) != 0) {
        ccc_error(r, g, name, "\"%s\" is not a date (expected YYYY-MM-DD, a real calendar date)", s);
        return;
    }
    *out = (double)(d - start_day - 1);
}

/* `start`: a whole number, or a group of numbers by cohort. */
static void read_start(ccc_reader *r, const config_setting_t *g, csu_provider *pv)
{
    memset(pv->start, 0, sizeof pv->start);
    pv->start_total = 0;
    config_setting_t *s = config_setting_get_member(g, "start");
    if (!s)
        return;
    if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
        ccc_known(r, s, ccm_cohort_key, CCM_NCOHORT);
        for (int c = 0; c < CCM_NCOHORT; c++) {
            long v = 0;
            if (ccc_int(r, s, ccm_cohort_key[c], 0, 1000000, 0, &v))
                pv->start[c] = (int)v;
            pv->start_total += pv->start[c];
        }
        return;
    }
    long v = 0;
    if (ccc_int(r, g, "start", 0, 1000000, 0, &v)) {
        pv->start_total = (int)v;
        pv->start[0] = -1; /* by total: spread over cohorts at run time */
    }
}

/* Provider names become output groups: no commas, quotes or line breaks. */
static char *read_name(ccc_reader *r, const config_setting_t *g)
{
    const char *name = ccc_string(r, g, "name", 1);
    if (name && (!*name || strpbrk(name, ",\"\n\r"))) {
        ccc_error(r, g, "name", "\"%s\" is not a usable name (expected a non-empty string without commas or quotes)",
                  name);
        name = "?";
    }
    return dupstr(name ? name : "?");
}

static void defaults(csu_provider *pv)
{
    memset(pv, 0, sizeof *pv);
    pv->owner = CSU_EXTERNAL;
    pv->loc = CSU_COUNTY;
    pv->kind = CSU_ANY;
    pv->contract = CSU_SPOT;
    pv->min_age = 0;
    pv->max_age = 17;
    pv->open_t = -INFINITY;
    pv->close_t = INFINITY;
}

static void read_ages(ccc_reader *r, const config_setting_t *g, csu_provider *pv)
{
    long lo = 0, hi = 17;
    ccc_int(r, g, "min_age", 0, 17, 0, &lo);
    ccc_int(r, g, "max_age", 0, 17, 0, &hi);
    if (lo > hi)
        ccc_error(r, g, "max_age", "is %ld, below min_age %ld (expected min_age <= max_age)", hi, lo);
    pv->min_age = (int)lo;
    pv->max_age = (int)hi;
}

static void read_home(ccc_reader *r, const config_setting_t *g, int32_t start_day, csu_provider *pv)
{
    static const char *const keys[] = {"name", "kind", "beds", "min_age", "max_age", "open", "close",
                                       "location", "annual_cost", "start", "max_days"};
    defaults(pv);
    ccc_known(r, g, keys, sizeof keys / sizeof *keys);
    pv->name = read_name(r, g);
    pv->owner = CSU_COUNCIL;
    pv->home = 1;
    pv->contract = CSU_INHOUSE;
    pv->avail = CSU_CAPACITY;
    pv->kind = CSU_MAINSTREAM;
    int kind = 0; /* index into the kinds after "any" */
    if (ccc_choice(r, g, "kind", csu_kind_name + 1, CSU_NKIND - 1, 1, &kind))
        pv->kind = kind + 1;
    pv->type = CCM_RESIDENTIAL;
    long beds = 0;
    ccc_int(r, g, "beds", 1, 1000, 1, &beds);
    pv->capacity = (int)beds;
    read_ages(r, g, pv);
    read_date(r, g, "open", start_day, &pv->open_t);
    read_date(r, g, "close", start_day, &pv->close_t);
    if (pv->close_t <= pv->open_t)
        ccc_error(r, g, "close", "is not after the open date (expected a later date)");
    ccc_choice(r, g, "location", csu_loc_name, CSU_NLOC, 0, &pv->loc);
    ccc_number(r, g, "annual_cost", 0, 1e9, 0, &pv->annual_cost);
    ccc_number(r, g, "max_days", 1, 3650, 0, &pv->max_days);
    read_start(r, g, pv);
    if (pv->start_total > pv->capacity)
        ccc_error(r, g, "start", "%d children at the start in %d beds (expected at most beds)", pv->start_total,
                  pv->capacity);
}

static void read_external(ccc_reader *r, const config_setting_t *g, csu_provider *pv)
{
    static const char *const keys[] = {"name", "type", "location", "capacity", "probability", "unlimited",
                                       "contract", "price_week", "min_age", "max_age", "start", "start_rest",
                                       "max_days"};
    defaults(pv);
    ccc_known(r, g, keys, sizeof keys / sizeof *keys);
    pv->name = read_name(r, g);
    pv->type = CCM_FOSTER;
    const char *type = ccc_string(r, g, "type", 1);
    if (type) {
        int t = ccc_find(type, ccm_ptype_name, CCM_NPT);
        if (t < 0 || !is_matched(t))
            ccc_error(r, g, "type",
                      "unknown value \"%s\" (expected one of: foster, residential, semi_independent, secure)", type);
        else
            pv->type = t;
    }
    ccc_choice(r, g, "location", csu_loc_name, CSU_NLOC, 1, &pv->loc);
    ccc_choice(r, g, "contract", csu_contract_name, CSU_NCONTRACT - 1, 0, &pv->contract);
    int has_c = config_setting_get_member(g, "capacity") != NULL;
    int has_p = config_setting_get_member(g, "probability") != NULL;
    int unlimited = 0;
    ccc_bool(r, g, "unlimited", 0, &unlimited);
    if (has_c + has_p + unlimited != 1) {
        ccc_error(r, g, NULL, "availability is not given exactly once (expected one of capacity = N, "
                              "probability = P or unlimited = true)");
    } else if (has_c) {
        long v = 0;
        ccc_int(r, g, "capacity", 0, 1000000, 1, &v);
        pv->capacity = (int)v;
        pv->avail = CSU_CAPACITY;
    } else if (has_p) {
        ccc_number(r, g, "probability", 0, 1, 1, &pv->probability);
        pv->avail = CSU_PROBABILITY;
    } else {
        pv->avail = CSU_UNLIMITED;
    }
    ccc_number(r, g, "price_week", 0, 1e6, 0, &pv->price_week);
    ccc_number(r, g, "max_days", 1, 3650, 0, &pv->max_days);
    read_ages(r, g, pv);
    read_start(r, g, pv);
    ccc_bool(r, g, "start_rest", 0, &pv->start_rest);
    if (pv->avail == CSU_CAPACITY && pv->start_total > pv->capacity)
        ccc_error(r, g, "start", "%d children at the start in %d places (expected at most capacity)",
                  pv->start_total, pv->capacity);
    if (pv->start_rest && pv->avail == CSU_CAPACITY)
        ccc_error(r, g, "start_rest", "needs a tier without a fixed capacity (expected unlimited = true or a probability)");
}

static void read_fostering(ccc_reader *r, const config_setting_t *g, csu_params *s, csu_provider *pv)
{
    static const char *const keys[] = {"households", "slots", "age_limit", "approvals", "assessment_days",
                                       "resignation", "leave_when_empty", "location", "start",
                                       "emergency_places", "emergency_days"};
    defaults(pv);
    ccc_known(r, g, keys, sizeof keys / sizeof *keys);
    pv->name = dupstr("inhouse_foster");
    pv->type = CCM_FOSTER;
    pv->owner = CSU_COUNCIL;
    pv->avail = CSU_POOL;
    pv->contract = CSU_INHOUSE;
    long hh = 0;
    ccc_int(r, g, "households", 0, 1000000, 1, &hh);
    s->households = (int)hh;
    s->slots[0] = 1;
    config_setting_t *sl = ccc_list(r, g, "slots", 0);
    if (sl) {
        if (config_setting_length(sl) != CSU_SLOTS) {
            ccc_error(r, sl, NULL, "has %d values (expected 3 shares: households with 1, 2 and 3 slots)",
                      config_setting_length(sl));
        } else {
            double sum = 0;
            for (int i = 0; i < CSU_SLOTS; i++) {
                ccc_number_at(r, config_setting_get_elem(sl, (unsigned)i), 0, 1, &s->slots[i]);
                sum += s->slots[i];
            }
            if (fabs(sum - 1) > SHARE_TOL)
                ccc_error(r, sl, NULL, "shares sum to %.4g (expected 1, within %g)", sum, SHARE_TOL);
            else
                for (int i = 0; i < CSU_SLOTS; i++)
                    s->slots[i] /= sum;
        }
    }
    for (int c = 0; c < CCM_NCOHORT; c++)
        s->age_limit[c] = c == CCM_NCOHORT - 1;
    config_setting_t *al = ccc_group(r, g, "age_limit", 0);
    if (al) {
        ccc_known(r, al, ccm_cohort_key, CCM_NCOHORT);
        double sum = 0;
        for (int c = 0; c < CCM_NCOHORT; c++) {
            s->age_limit[c] = 0;
            ccc_number(r, al, ccm_cohort_key[c], 0, 1, 0, &s->age_limit[c]);
            sum += s->age_limit[c];
        }
        if (fabs(sum - 1) > SHARE_TOL)
            ccc_error(r, al, NULL, "shares sum to %.4g (expected 1, within %g)", sum, SHARE_TOL);
        else
            for (int c = 0; c < CCM_NCOHORT; c++)
                s->age_limit[c] /= sum;
    }
    ccc_number(r, g, "approvals", 0, 100000, 1, &s->approvals);
    s->assessment_days = 0;
    ccc_number(r, g, "assessment_days", 0, 3650, 0, &s->assessment_days);
    ccc_number(r, g, "resignation", 0, 10, 1, &s->resignation);
    s->leave_when_empty = 1;
    ccc_bool(r, g, "leave_when_empty", 0, &s->leave_when_empty);
    ccc_choice(r, g, "location", csu_loc_name, CSU_NLOC, 0, &pv->loc);
    read_start(r, g, pv);
    /* the slots of the starting households, as apportioned at run time */
    int n[CSU_SLOTS];
    ccm_apportion(s->slots, CSU_SLOTS, s->households, n);
    int slots = n[0] + 2 * n[1] + 3 * n[2];
    pv->capacity = slots;
    if (pv->start_total > slots)
        ccc_error(r, g, "start", "%d children at the start in %d slots (expected at most the households' slots)",
                  pv->start_total, slots);
    /* emergency foster carers: a separate council provider of short stays */
    long places = 0;
    ccc_int(r, g, "emergency_places", 0, 10000, 0, &places);
    double days = 0;
    int has_days = ccc_number(r, g, "emergency_days", 1, 365, 0, &days);
    if (places > 0 && !has_days)
        ccc_error(r, g, "emergency_days", "missing required setting (expected the longest emergency stay in days, "
                                          "1 to 365, with emergency_places)");
    if (places > 0) {
        csu_provider *e = &s->prov[s->n];
        defaults(e);
        e->name = dupstr("emergency_foster");
        e->type = CCM_FOSTER;
        e->owner = CSU_COUNCIL;
        e->avail = CSU_CAPACITY;
        e->contract = CSU_INHOUSE;
        e->loc = pv->loc;
        e->capacity = (int)places;
        e->max_days = days;
        s->emergency = s->n++;
    }
}

static int find_provider(const csu_params *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->prov[i].name, name) == 0)
            return i;
    return -1;
}

/* A preference list: provider names, the last always available. */
static void read_pref(ccc_reader *r, const config_setting_t *parent, const char *name, csu_params *s, int *n,
                      int *out)
{
    config_setting_t *l = ccc_list(r, parent, name, 0);
    if (!l)
        return;
    int len = config_setting_length(l);
    if (len < 1 || len > CSU_MAXPREF) {
        ccc_error(r, l, NULL, "has %d choices (expected 1 to %d provider names)", len, CSU_MAXPREF);
        return;
    }
    int ok = 1;
    for (int i = 0; i < len; i++) {
        config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *v = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
        int idx = -1;
        if (v && strcmp(v, "council_homes") == 0)
            idx = CSU_ALL_HOMES;
        else if (v)
            idx = find_provider(s, v);
        if (idx == -1) {
            ccc_error(r, e, NULL, "\"%s\" is not a provider (expected council_homes, inhouse_foster, "
                                  "emergency_foster, or the name of a home or external tier in supply)",
                      v ? v : "?");
            ok = 0;
            continue;
        }
        out[i] = idx;
    }
    if (!ok)
        return;
    int last = out[len - 1];
    const csu_provider *pv = last >= 0 ? &s->prov[last] : NULL;
    if (!pv || pv->avail != CSU_UNLIMITED || pv->min_age > 0 || pv->max_age < 17 || pv->max_days > 0) {
        ccc_error(r, l, NULL, "the last choice is not always available (expected an unlimited external tier "
                              "for all ages, the last resort, at the end)");
        return;
    }
    *n = len;
}

static void read_matching(ccc_reader *r, const config_setting_t *root, csu_params *s)
{
    const char *keys[NMATCHED + CCM_NCOHORT + CCM_NNEED + 1];
    const char *tkeys[NMATCHED];
    for (int i = 0; i < NMATCHED; i++)
        keys[i] = tkeys[i] = ccm_ptype_name[matched_types[i]];
    for (int c = 0; c < CCM_NCOHORT; c++)
        keys[NMATCHED + c] = ccm_cohort_key[c];
    for (int k = 0; k < CCM_NNEED; k++)
        keys[NMATCHED + CCM_NCOHORT + k] = ccm_need_name[k];
    keys[NMATCHED + CCM_NCOHORT + CCM_NNEED] = "ready_after_months";
    config_setting_t *g = ccc_group(r, root, "matching", 1);
    if (!g)
        return;
    ccc_known(r, g, keys, NMATCHED + CCM_NCOHORT + CCM_NNEED + 1);
    double months = 0;
    ccc_number(r, g, "ready_after_months", 0, 240, 0, &months);
    s->ready_days = months * 365.25 / 12;
    for (int i = 0; i < NMATCHED; i++) {
        int t = matched_types[i];
        int n = 0, list[CSU_MAXPREF];
        if (!config_setting_get_member(g, tkeys[i])) {
            ccc_error(r, g, tkeys[i], "missing required setting (expected a list of provider names)");
            continue;
        }
        read_pref(r, g, tkeys[i], s, &n, list);
        for (int c = 0; c < CCM_NCOHORT; c++) {
            s->npref[t][c] = n;
            memcpy(s->pref[t][c], list, (size_t)n * sizeof *list);
        }
    }
    for (int c = 0; c < CCM_NCOHORT; c++) {
        config_setting_t *cg = ccc_group(r, g, ccm_cohort_key[c], 0);
        if (!cg)
            continue;
        ccc_known(r, cg, tkeys, NMATCHED);
        for (int i = 0; i < NMATCHED; i++)
            if (config_setting_get_member(cg, tkeys[i]))
                read_pref(r, cg, tkeys[i], s, &s->npref[matched_types[i]][c], s->pref[matched_types[i]][c]);
    }
    for (int k = 0; k < CCM_NNEED; k++) {
        config_setting_t *ng = ccc_group(r, g, ccm_need_name[k], 0);
        if (!ng)
            continue;
        ccc_known(r, ng, tkeys, NMATCHED);
        for (int i = 0; i < NMATCHED; i++)
            if (config_setting_get_member(ng, tkeys[i]))
                read_pref(r, ng, tkeys[i], s, &s->nneedpref[k][matched_types[i]], s->needpref[k][matched_types[i]]);
    }
}

/* Start-date children of each cohort and type must fit the providers. */
static void check_start(ccc_reader *r, const config_setting_t *sup, const csu_params *s,
                        const int init_by_type[CCM_NCOHORT][CCM_NPT])
{
    for (int i = 0; i < NMATCHED; i++) {
        int t = matched_types[i];
        int total = 0, given = 0, by_total = 0, rest = 0;
        for (int c = 0; c < CCM_NCOHORT; c++)
            total += init_by_type[c][t];
        for (int k = 0; k < s->n; k++) {
            const csu_provider *pv = &s->prov[k];
            if (pv->type != t)
                continue;
            rest += pv->start_rest;
            if (pv->start[0] < 0)
                by_total += pv->start_total;
            else
                for (int c = 0; c < CCM_NCOHORT; c++) {
                    given += pv->start[c];
                    if (pv->start[c] > init_by_type[c][t])
                        ccc_error(r, sup, NULL,
                                  "%s: start has %d children of %s in %s, but only %d are placed in %s at the start "
                                  "(expected at most that)",
                                  pv->name, pv->start[c], ccm_cohort_label[c], ccm_ptype_name[t],
                                  init_by_type[c][t], ccm_ptype_name[t]);
                }
        }
        if (given + by_total > total)
            ccc_error(r, sup, NULL,
                      "providers of type %s have %d children at the start, but only %d are placed in %s "
                      "(expected at most that)",
                      ccm_ptype_name[t], given + by_total, total, ccm_ptype_name[t]);
        else if (given + by_total < total && rest != 1)
            ccc_error(r, sup, NULL,
                      "%d children placed in %s at the start have no provider (expected exactly one %s tier "
                      "with start_rest = true; found %d)",
                      total - given - by_total, ccm_ptype_name[t], ccm_ptype_name[t], rest);
    }
}

void csu_read(ccc_reader *r, const config_setting_t *root, int32_t start_day,
              const int init_by_type[CCM_NCOHORT][CCM_NPT], csu_params *s)
{
    static const char *const keys[] = {"homes", "fostering", "external"};
    memset(s, 0, sizeof *s);
    s->pool = s->emergency = -1;
    config_setting_t *g = ccc_group(r, root, "supply", 0);
    if (!g) {
        if (config_setting_get_member(root, "matching"))
            ccc_error(r, root, "matching", "needs a supply section (expected supply = { ... } as well)");
        return;
    }
    s->enabled = 1;
    ccc_known(r, g, keys, 3);
    config_setting_t *homes = ccc_list(r, g, "homes", 0);
    config_setting_t *fost = ccc_group(r, g, "fostering", 0);
    config_setting_t *ext = ccc_list(r, g, "external", 1);
    int nh = homes ? config_setting_length(homes) : 0;
    int ne = ext ? config_setting_length(ext) : 0;
    s->prov = calloc((size_t)(nh + ne + 2), sizeof *s->prov);
    if (!s->prov) {
        ccc_error(r, g, NULL, "out of memory");
        return;
    }
    for (int i = 0; i < nh; i++) {
        config_setting_t *h = config_setting_get_elem(homes, (unsigned)i);
        if (config_setting_type(h) != CONFIG_TYPE_GROUP) {
            ccc_error(r, h, NULL, "is not a home (expected a group { name = ...; beds = ...; })");
            continue;
        }
        read_home(r, h, start_day, &s->prov[s->n]);
        if (s->prov[s->n].kind == CSU_SECURE)
            s->prov[s->n].type = CCM_SECURE;
        s->n++;
    }
    if (fost) {
        s->pool = s->n;
        read_fostering(r, fost, s, &s->prov[s->n++]);
    }
    for (int i = 0; i < ne; i++) {
        config_setting_t *e = config_setting_get_elem(ext, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
            ccc_error(r, e, NULL, "is not an external tier (expected a group { name = ...; type = ...; })");
            continue;
        }
        read_external(r, e, &s->prov[s->n++]);
    }
    for (int i = 0; i < s->n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(s->prov[i].name, s->prov[j].name) == 0) {
                ccc_error(r, g, NULL, "provider name \"%s\" is used twice (expected unique names)", s->prov[i].name);
                break;
            }
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->prov[i].name, "council_homes") == 0)
            ccc_error(r, g, NULL, "\"council_homes\" is reserved (expected another name)");
    read_matching(r, root, s);
    check_start(r, g, s, init_by_type);
}

void csu_free(csu_params *s)
{
    if (!s->prov)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->prov[i].name);
    free(s->prov);
    s->prov = NULL;
}

int csu_eligible(const csu_provider *pv, int need_type, int flags, int age_years)
{
    if (age_years < pv->min_age || age_years > pv->max_age)
        return 0;
    /* a secure bed is for a child who needs one, and only for that child */
    if ((pv->kind == CSU_SECURE) != (need_type == CCM_SECURE) && pv->home)
        return 0;
    switch (pv->kind) {
    case CSU_SPECIALIST:
        return (flags & ((1 << CCM_DISABLED) | (1 << CCM_COMPLEX))) != 0;
    case CSU_DISABILITY:
        return (flags & (1 << CCM_DISABLED)) != 0;
    case CSU_SECURE:
        return need_type == CCM_SECURE;
    default:
        return 1;
    }
}
