/* place: the supply side of one replication: where each child is placed.
 *
 * Providers (council homes, the in-house fostering pool, external tiers)
 * hold children up to their availability. A child who needs foster care,
 * residential care, semi-independent provision or a secure bed is matched
 * from the preference list for its needed type and cohort: the first
 * provider that is eligible (age range, specialism) and has a place (a free
 * bed or slot, a successful search for a probability tier, or always for an
 * unlimited tier) takes it. A child placed in a type other than the one it
 * needs joins that type's waiting list, in order of waiting time, and steps
 * down as soon as a suitable place frees (or at a monthly review that
 * searches again). Fostering households are approved after an assessment
 * lag, resign at a hazard and, if they hold children, leave once those
 * children have moved on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "bigmem.h"
#include "ccdate.h"
#include "rng.h"
#include "place.h"
#include "simint.h"
#include "tally.h"

static int is_matched(int t)
{
    return t == CCM_FOSTER || t == CCM_RESIDENTIAL || t == CCM_SEMI || t == CCM_SECURE;
}

/* ---- allocation ---- */

static int alloc_households(ccs_supply *u, uint32_t cap)
{
    struct ccs_hh *h = realloc(u->hh, cap * sizeof *h);
    if (!h)
        return -1;
    u->hh = h;
    uint32_t **w[] = {&u->hh_pos, &u->hh_free, &u->stack[0], &u->stack[1], &u->stack[2], &u->stack[3],
                      &u->stack[4]};
    for (int i = 0; i < 2 + CCM_NCOHORT; i++) {
        uint32_t *a = realloc(*w[i], cap * sizeof *a);
        if (!a)
            return -1;
        *w[i] = a;
    }
    for (uint32_t j = u->hcap; j < cap; j++) {
        u->hh[j].state = HH_FREE;
        u->hh_pos[j] = NONE;
    }
    return 0;
}

/* Room for more households than planned (rare: a long run with many
 * approvals); new indices go on the free list. */
static int grow_households(cc_sim *s)
{
    ccs_supply *u = &s->sup;
    uint32_t old = u->hcap, cap = old ? old * 2 : 64;
    if (alloc_households(u, cap) != 0)
        return -1;
    u->hcap = cap;
    if (ccs_grow_queue(s) != 0)
        return -1;
    for (uint32_t j = cap; j > old; j--)
        u->hh_free[u->nhh_free++] = j - 1;
    return 0;
}

static int ensure_scratch(ccs_supply *u, size_t n)
{
    if (n <= u->scratch_cap)
        return 0;
    size_t cap = n * 2;
    uint32_t *a = realloc(u->scratch, cap * sizeof *a);
    if (!a)
        return -1;
    u->scratch = a;
    u->scratch_cap = cap;
    return 0;
}

/* Child i's placement changed on the supply side: the engine draws its next
 * event when the call returns (ccpl_take_moved). Room for every child slot
 * is kept (ccpl_grow), so this never allocates. */
int ccpl_grow(cc_sim *s, size_t children);

static void moved(cc_sim *s, uint32_t i)
{
    ccs_supply *u = &s->sup;
    if (u->nmoved == u->moved_cap && ccpl_grow(s, u->moved_cap) != 0) {
        u->moved_lost = 1; /* ccpl_take_moved reports it */
        return;
    }
    u->moved[u->nmoved++] = i;
}

/* Clears n waiting-list records (no list holds them). */
static void wait_clear(struct ccs_wait *w, size_t n)
{
    for (size_t x = 0; x < n; x++)
        w[x] = (struct ccs_wait){.ready_at = 0, .wprev = NONE, .wnext = NONE, .rprev = NONE, .rnext = NONE, .ready = 0};
}

int ccpl_grow(cc_sim *s, size_t children)
{
    ccs_supply *u = &s->sup;
    /* a child can be moved more than once in one call (a closing home, then
     * a step-down): twice the pool, and more on demand */
    size_t cap = 2 * children + 64;
    if (cap > u->moved_cap) {
        uint32_t *a = realloc(u->moved, cap * sizeof *a);
        if (!a)
            return -1;
        u->moved = a;
        u->moved_cap = cap;
    }
    /* the pending heap: one live entry a waiting child, and as many stale
     * ones before a compaction */
    if (cap > u->pend_cap) {
        struct ccs_pending *e = realloc(u->pend, cap * sizeof *e);
        if (!e)
            return -1;
        u->pend = e;
        u->pend_cap = cap;
    }
    /* the waiting-list records: one a slot, new ones clear */
    if (children > u->wt_cap) {
        struct ccs_wait *w = ccbm_grow(u->wt, u->wt_cap * sizeof *w, children * sizeof *w); /* bigmem.h */
        if (!w)
            return -1;
        u->wt = w;
        wait_clear(w + u->wt_cap, children - u->wt_cap);
        u->wt_cap = children;
    }
    return 0;
}

int ccpl_take_moved(cc_sim *s, const uint32_t **list, size_t *n)
{
    ccs_supply *u = &s->sup;
    *n = u->nmoved;
    *list = u->moved;
    u->nmoved = 0;
    int lost = u->moved_lost;
    u->moved_lost = 0;
    return lost ? -1 : 0;
}

static int compile_prefs(cc_sim *s);

int ccpl_new(cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    memset(u, 0, sizeof *u);
    if (!sp->enabled)
        return 0;
    u->used = calloc((size_t)sp->n, sizeof *u->used);
    u->rng = gsl_rng_alloc(ccr_type());
    if (!u->used || !u->rng)
        return -1;
    u->first_ext = 0;
    for (int k = 0; k < sp->n; k++)
        if (sp->prov[k].owner == CSU_COUNCIL)
            u->first_ext = k + 1;
    /* home openings and closings after the start, in time order */
    double horizon = s->snap_t[s->ndates - 1];
    u->sup_ev_t = malloc((size_t)(2 * sp->n + 1) * sizeof *u->sup_ev_t);
    u->sup_ev_k = malloc((size_t)(2 * sp->n + 1) * sizeof *u->sup_ev_k);
    if (!u->sup_ev_t || !u->sup_ev_k)
        return -1;
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        if (!pv->home)
            continue;
        double when[2] = {pv->open_t, pv->close_t};
        for (int e = 0; e < 2; e++) {
            if (!(when[e] > 0 && when[e] <= horizon))
                continue;
            int n = u->nsup_ev++;
            while (n > 0 && u->sup_ev_t[n - 1] > when[e]) {
                u->sup_ev_t[n] = u->sup_ev_t[n - 1];
                u->sup_ev_k[n] = u->sup_ev_k[n - 1];
                n--;
            }
            u->sup_ev_t[n] = when[e];
            u->sup_ev_k[n] = k << 1 | e;
        }
    }
    double years = horizon / DAYS_PER_YEAR;
    uint32_t hcap = (uint32_t)(sp->households + 1.5 * sp->approvals * years + 64);
    if (alloc_households(u, hcap) != 0)
        return -1;
    u->hcap = hcap;
    u->pipe_cap = (uint32_t)(3 * sp->approvals * sp->assessment_days / DAYS_PER_YEAR + 64);
    u->pipe = malloc(u->pipe_cap * sizeof *u->pipe);
    if (!u->pipe || ensure_scratch(u, 1024) != 0)
        return -1;
    /* the compiled lists: sized for the config's own lists here, grown
     * (rarely) when a scenario's phase brings longer ones */
    return compile_prefs(s);
}

void ccpl_bind(cc_sim *s, ccmk_market *mk, int council, const int16_t *market_of)
{
    s->sup.mk = market_of ? mk : NULL;
    s->sup.council = council;
    s->sup.market = market_of;
}

void ccpl_free(cc_sim *s)
{
    ccs_supply *u = &s->sup;
    free(u->used);
    free(u->sup_ev_t);
    free(u->sup_ev_k);
    free(u->hh);
    free(u->hh_pos);
    free(u->hh_free);
    for (int k = 0; k < CCM_NCOHORT; k++)
        free(u->stack[k]);
    free(u->pipe);
    free(u->scratch);
    free(u->start);
    free(u->pl);
    free(u->moved);
    free(u->pend);
    free(u->wt);
    if (u->rng)
        gsl_rng_free(u->rng);
}

/* ---- households ---- */

static void stack_push(ccs_supply *u, uint32_t j)
{
    int k = u->hh[j].cls;
    u->hh_pos[j] = u->nstack[k];
    u->stack[k][u->nstack[k]++] = j;
}

static void stack_remove(ccs_supply *u, uint32_t j)
{
    uint32_t pos = u->hh_pos[j];
    if (pos == NONE)
        return;
    int k = u->hh[j].cls;
    uint32_t last = u->stack[k][--u->nstack[k]];
    u->stack[k][pos] = last;
    u->hh_pos[last] = pos;
    u->hh_pos[j] = NONE;
}

static void schedule_resignation(cc_sim *s, uint32_t j, double t)
{
    double h = s->p->supply.resignation;
    if (h > 0)
        ccq_schedule(s->q, hh_handle(j), t + ccr_exponential(s->sup.rng, DAYS_PER_YEAR / h), 0, PRIO_PROCESS);
}

static int hh_new(cc_sim *s, int slots, int cls, double t)
{
    ccs_supply *u = &s->sup;
    if (u->nhh_free == 0 && grow_households(s) != 0)
        return -1;
    uint32_t j = u->hh_free[--u->nhh_free];
    u->hh[j].slots = (uint8_t)slots;
    u->hh[j].used = 0;
    u->hh[j].cls = (uint8_t)cls;
    u->hh[j].state = HH_ACTIVE;
    u->hh_pos[j] = NONE;
    stack_push(u, j);
    u->nactive++;
    u->pool_slots += slots;
    ccmo_fixed(s, CCT_FOSTER_FEES, CCM_FOSTER, s->p->costs.foster_fee_week / 7);
    schedule_resignation(s, j, t);
    return 0;
}

static void hh_remove(cc_sim *s, uint32_t j)
{
    ccs_supply *u = &s->sup;
    stack_remove(u, j);
    if (u->hh[j].state == HH_ACTIVE) {
        u->nactive--;
        u->pool_slots -= u->hh[j].slots;
    } else {
        u->nresigning--;
    }
    u->hh[j].state = HH_FREE;
    u->hh_free[u->nhh_free++] = j;
    ccmo_fixed(s, CCT_FOSTER_FEES, CCM_FOSTER, -s->p->costs.foster_fee_week / 7);
    ccq_cancel(s->q, hh_handle(j));
}

/* A household with a free slot that takes a child of cohort co (the most
 * age-restricted first, keeping flexible carers for older children), or
 * NONE. any: ignore age limits (children already placed at the start). */
static uint32_t find_household(const ccs_supply *u, int co, int any)
{
    for (int k = any ? 0 : co; k < CCM_NCOHORT; k++)
        if (u->nstack[k])
            return u->stack[k][u->nstack[k] - 1];
    return NONE;
}

/* ---- placing and leaving ---- */

/* The date cache (s->today and its year, month, day) moves to `day`. */
RARE void set_today(cc_sim *s, int32_t day)
{
    ccd_to_ymd(day, &s->ty, &s->tm, &s->td);
    s->today = day;
}

HOT int age_years(cc_sim *s, const child *c, double t)
{
    /* whole days since the start (times are never negative in the event
     * loop, where truncation is floor and saves a libm call) */
    int32_t day = s->p->start_day + 1 + (t >= 0 ? (int32_t)t : (int32_t)floor(t));
    if (day != s->today) {
        /* a few days on within the month's first 28 (every month has
         * them): the day of the month counts on; else the calendar */
        int64_t ahead = (int64_t)day - s->today;
        if (ahead > 0 && ahead <= 28 - s->td) {
            s->td += (int)ahead;
            s->today = day;
        } else {
            set_today(s, day);
        }
    }
    return s->ty - c->by - (s->tm < c->bm || (s->tm == c->bm && s->td < c->bd));
}

static int open_at(const csu_provider *pv, double t)
{
    return t >= pv->open_t && t < pv->close_t;
}

/* Put child i with provider k of placement type `type` (availability
 * already established) until `deadline` (+inf: no time limit); for the
 * pool, into household j. No stock counting. */
HOT void put_as(cc_sim *s, uint32_t i, int k, uint32_t j, int type, double deadline)
{
    ccs_supply *u = &s->sup;
    child *c = &s->ch[i];
    if (j != NONE) {
        u->hh[j].kid[u->hh[j].used] = i;
        u->hh[j].used++;
        if (u->hh[j].used >= u->hh[j].slots)
            stack_remove(u, j);
    }
    u->used[k]++;
    c->prov = (int16_t)k;
    c->hh = j;
    c->placed = (uint8_t)type;
    c->deadline = deadline;
}

/* put_as with provider k's type and time limit from the parameters. */
HOT void put(cc_sim *s, uint32_t i, int k, uint32_t j, double t)
{
    const csu_provider *pv = &s->p->supply.prov[k];
    put_as(s, i, k, j, pv->type, pv->max_days > 0 ? t + pv->max_days : INFINITY);
}

/* A start-date child placed with provider k holds a place of its shared
 * market, room or not. */
static void hold_start(cc_sim *s, int k)
{
    ccs_supply *u = &s->sup;
    if (u->mk && u->market[k] >= 0)
        ccmk_hold(u->mk, u->market[k], u->council);
}

/* Provider k of availability avail (a search succeeding with chance prob)
 * has passed the tests that draw nothing (places, eligibility): search it
 * for child i; 1 if placed there as placement type `type` until `deadline`
 * (+inf: no time limit). Counts the placement flow. */
HOT int take_at(cc_sim *s, uint32_t i, int k, int avail, double prob, int type, double deadline)
{
    ccs_supply *u = &s->sup;
    uint32_t j = NONE;
    switch (avail) {
    case CSU_PROBABILITY:
        if (ccs_child_uniform(s, i) >= prob)
            return 0;
        break;
    case CSU_POOL:
        j = find_household(u, s->ch[i].cohort, 0);
        if (j == NONE)
            return 0;
        break;
    default:
        break;
    }
    if (u->mk && u->market[k] >= 0 && !ccmk_take(u->mk, u->market[k], u->council))
        return 0; /* the region's shared market is full */
    put_as(s, i, k, j, type, deadline);
    s->cur[s->L->placements + k] += 1;
    return 1;
}

/* Try provider k for child i; 1 if placed. Counts the placement flow. */
static int take(cc_sim *s, uint32_t i, int k, double t, int age)
{
    const csu_provider *pv = &s->p->supply.prov[k];
    ccs_supply *u = &s->sup;
    child *c = &s->ch[i];
    /* the cheap test first: most homes in a list are full */
    if (pv->avail == CSU_CAPACITY && (u->used[k] >= pv->capacity || !open_at(pv, t)))
        return 0;
    if (!csu_eligible(pv, c->need, c->flags, age) || (s->no_short && pv->max_days > 0))
        return 0;
    return take_at(s, i, k, pv->avail, pv->probability, pv->type, pv->max_days > 0 ? t + pv->max_days : INFINITY);
}

/* Spell out list[0..n) (CSU_ALL_HOMES as every home) for a child who
 * needs type T with need flags m in cohort co, into pl at *at when pl is
 * not NULL; counts the entries in *at either way. A provider left out
 * could never take the child: its specialism is for others (the test
 * does not depend on age), or it has no places at all in these
 * parameters. The ages are tested in the walk only where the cohort's
 * ages (and a year either side: a birthday and the cohort's change may
 * fall apart within a day) are not all within the provider's range. */
/* An entry's places as the walk's first test reads them: the provider's
 * when it has a number of places, else more than can ever be used. */
static int32_t entry_cap(const csu_provider *pv)
{
    return pv->avail == CSU_CAPACITY ? pv->capacity : INT32_MAX;
}

static void compile_list(struct ccs_pref *pl, const csu_params *sp, const int *list, int n, int T, int m,
                         int co, size_t *at)
{
    int lo = ccm_cohort_lo[co] > 0 ? ccm_cohort_lo[co] - 1 : 0, hi = ccm_cohort_lo[co + 1];
    for (int e = 0; e < n; e++) {
        int all = list[e] == CSU_ALL_HOMES;
        for (int k = all ? 0 : list[e]; k < (all ? sp->n : list[e] + 1); k++) {
            const csu_provider *pv = &sp->prov[k];
            if (all && !pv->home)
                continue;
            if (!csu_eligible(pv, T, m, pv->min_age) || (pv->avail == CSU_CAPACITY && pv->capacity <= 0))
                continue;
            if (pl)
                pl[*at] = (struct ccs_pref){
                    .prob = pv->probability,
                    .cap = entry_cap(pv),
                    .k = (int16_t)k,
                    .avail = (uint8_t)pv->avail,
                    .type = (uint8_t)pv->type,
                    .age_test = !(pv->min_age <= lo && pv->max_age >= hi),
                    .brief = pv->max_days > 0,
                    .min_age = (int8_t)pv->min_age,
                    .max_age = (int8_t)pv->max_age,
                };
            (*at)++;
        }
    }
}

static uint64_t check_prefs(const cc_sim *s);

/* The spelt-out preference list (and its length in *n) for a child needing
 * type T with need flags m in cohort c: the first flagged need's own list
 * for T when it has one, else the cohort's. */
static const int *spelt_list(const csu_params *sp, int T, int m, int c, int *n)
{
    for (int f = 0; f < CCM_NNEED; f++)
        if ((m & (1 << f)) && sp->nneedpref[f][T]) {
            *n = sp->nneedpref[f][T];
            return sp->needpref[f][T];
        }
    *n = sp->npref[T][c];
    return sp->pref[T][c];
}

/* The preference lists of the parameters now in force, by needed type,
 * need flags and cohort: a child with a need flag that has its own list
 * for the type (the first such flag, in uasc, disabled, complex order)
 * walks that list, others their cohort's. Again when the parameters
 * change (a replication's draw, a scenario's phase). -1 if out of
 * memory. */
static int compile_prefs(cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    for (int pass = 0; pass < 2; pass++) {
        struct ccs_pref *pl = pass ? u->pl : NULL;
        size_t at = 0;
        for (int T = 0; T < CCM_NPT; T++)
            for (int m = 0; m < CCM_NNEEDMASK; m++)
                for (int c = 0; c < CCM_NCOHORT; c++) {
                    int n;
                    const int *list = spelt_list(sp, T, m, c, &n);
                    u->psel[T][m][c][0] = (uint32_t)at;
                    compile_list(pl, sp, list, n, T, m, c, &at);
                    u->psel[T][m][c][1] = (uint32_t)(at - u->psel[T][m][c][0]);
                }
        if (pass == 0 && at > u->pl_cap) {
            struct ccs_pref *a = realloc(u->pl, at * sizeof *a);
            if (!a)
                return -1;
            u->pl = a;
            u->pl_cap = at;
        }
    }
    for (int T = 0; T < CCM_NPT; T++)
        for (int m = 0; m < CCM_NNEEDMASK; m++)
            for (int c = 0; c < CCM_NCOHORT; c++) {
                u->pspan[T][m][c][0] = u->pl + u->psel[T][m][c][0];
                u->pspan[T][m][c][1] = u->pspan[T][m][c][0] + u->psel[T][m][c][1];
            }
    if (s->checks)
        s->tot.violations += check_prefs(s);
    return 0;
}

/* Checks (ccs_set_checks): the compiled lists against the parameters. For
 * every list and every age a child of the cohort can have (a year either
 * side), the entries the walk would try are the spelt-out list's providers
 * that take such a child, in order, each with its provider's figures.
 * Returns the number of mismatches. */
static uint64_t check_prefs(const cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    const ccs_supply *u = &s->sup;
    uint64_t bad = 0;
    for (int T = 0; T < CCM_NPT; T++)
        for (int m = 0; m < CCM_NNEEDMASK; m++)
            for (int c = 0; c < CCM_NCOHORT; c++) {
                int n;
                const int *list = spelt_list(sp, T, m, c, &n);
                const struct ccs_pref *e0 = u->pl + u->psel[T][m][c][0];
                uint32_t ne = u->psel[T][m][c][1];
                for (int a = ccm_cohort_lo[c] > 0 ? ccm_cohort_lo[c] - 1 : 0; a <= ccm_cohort_lo[c + 1]; a++) {
                    uint32_t x = 0;
                    for (int y = 0; y < n; y++)
                        for (int k = 0; k < sp->n; k++) {
                            const csu_provider *pv = &sp->prov[k];
                            if (!(list[y] == k || (list[y] == CSU_ALL_HOMES && pv->home)))
                                continue;
                            if (!csu_eligible(pv, T, m, a) || (pv->avail == CSU_CAPACITY && pv->capacity <= 0))
                                continue;
                            /* the next entry the walk tries at this age */
                            while (x < ne && e0[x].age_test && (a < e0[x].min_age || a > e0[x].max_age))
                                x++;
                            if (x == ne) {
                                bad++;
                                continue;
                            }
                            const struct ccs_pref *e = &e0[x++];
                            bad += e->k != k || e->avail != pv->avail || e->type != pv->type ||
                                   e->cap != (pv->avail == CSU_CAPACITY ? pv->capacity : INT32_MAX) ||
                                   e->prob != pv->probability ||
                                   e->brief != (pv->max_days > 0) || e->min_age != pv->min_age ||
                                   e->max_age != pv->max_age;
                        }
                    while (x < ne && e0[x].age_test && (a < e0[x].min_age || a > e0[x].max_age))
                        x++;
                    bad += x != ne; /* an entry the walk would try that takes no such child */
                }
            }
    return bad;
}

/* Walk child i's preference list; only_type >= 0 limits it to providers of
 * that type (a step-down search). 1 if placed. The tests that draw nothing
 * come first, as in take; the child's age is worked out only if an entry
 * needs it. take_at is inlined here (a call for every entry tried in the
 * commonest search of all, a move's, cost more than its work). */
HOT int choose(cc_sim *s, uint32_t i, double t, int only_type)
{
    ccs_supply *u = &s->sup;
    const child *c = &s->ch[i];
    const struct ccs_pref *const *span = u->pspan[c->need][c->flags][c->cohort];
    const struct ccs_pref *e = span[0], *end = span[1];
    const int *used = u->used;
    int age = -1;
    /* (the provider's parameters and no_short are read where an entry
     * needs them: fewer values held through the loop) */
    for (; e < end; e++) {
        if (only_type >= 0 && e->type != only_type)
            continue;
        int k = e->k;
        if (used[k] >= e->cap) /* full (only a provider with a number of places can be) */
            continue;
        if (e->avail == CSU_CAPACITY && !open_at(&s->p->supply.prov[k], t))
            continue;
        if (e->brief && s->no_short)
            continue;
        if (e->age_test) {
            if (age < 0)
                age = age_years(s, c, t);
            if (age < e->min_age || age > e->max_age)
                continue;
        }
        /* with the type and time limit the entry carries (brief: max_days > 0) */
        if (take_at(s, i, k, e->avail, e->prob, e->type, e->brief ? t + s->p->supply.prov[k].max_days : INFINITY))
            return 1;
    }
    return 0;
}

/* ---- the ready sublists ----
 * A freed place goes to the longest-waiting child who is ready and may go
 * there. Most waiting children are not ready yet (care planning takes
 * months), so each type's waiting list has a sublist of the ready ones in
 * the same order, and a freed place walks only that. A child joins its
 * sublist (promote) at the first freed place after its ready_at, which
 * keeps the walk's result exactly that of a walk of the whole list. */

static int pend_live(const cc_sim *s, const struct ccs_pending *e)
{
    const struct ccs_wait *cw = &s->sup.wt[e->i];
    return s->ch[e->i].waiting && !cw->ready && cw->ready_at == e->at;
}

static void pend_sift_down(ccs_supply *u, size_t x)
{
    struct ccs_pending *h = u->pend, v = h[x];
    size_t n = u->npend;
    for (;;) {
        size_t l = 2 * x + 1;
        if (l >= n)
            break;
        if (l + 1 < n && h[l + 1].at < h[l].at)
            l++;
        if (!(h[l].at < v.at))
            break;
        h[x] = h[l];
        x = l;
    }
    h[x] = v;
}

/* Child i (waiting, not ready) becomes ready at time at. Drops the stale
 * entries when the heap is full; grows it only if that is not enough. */
static void pend_push(cc_sim *s, uint32_t i, double at)
{
    ccs_supply *u = &s->sup;
    if (u->npend == u->pend_cap) {
        size_t n = 0;
        for (size_t x = 0; x < u->npend; x++)
            if (pend_live(s, &u->pend[x]))
                u->pend[n++] = u->pend[x];
        u->npend = n;
        for (size_t x = n / 2; x > 0; x--)
            pend_sift_down(u, x - 1);
        if (n == u->pend_cap) {
            size_t cap = 2 * u->pend_cap + 64;
            struct ccs_pending *e = realloc(u->pend, cap * sizeof *e);
            if (!e) {
                u->moved_lost = 1; /* ccpl_take_moved reports it */
                return;
            }
            u->pend = e;
            u->pend_cap = cap;
        }
    }
    size_t x = u->npend++;
    while (x > 0 && at < u->pend[(x - 1) / 2].at) {
        u->pend[x] = u->pend[(x - 1) / 2];
        x = (x - 1) / 2;
    }
    u->pend[x] = (struct ccs_pending){at, i};
}

/* Child i joins its ready sublist after the nearest ready child before it
 * in the waiting list (the sublist keeps the list's order). */
static void ready_link(cc_sim *s, uint32_t i)
{
    ccs_supply *u = &s->sup;
    struct ccs_wait *cw = &u->wt[i];
    int T = s->ch[i].need;
    uint32_t p = cw->wprev;
    while (p != NONE && !u->wt[p].ready)
        p = u->wt[p].wprev;
    uint32_t n = p == NONE ? u->rhead[T] : u->wt[p].rnext;
    cw->rprev = p;
    cw->rnext = n;
    if (p == NONE)
        u->rhead[T] = i;
    else
        u->wt[p].rnext = i;
    if (n != NONE)
        u->wt[n].rprev = i;
    cw->ready = 1;
}

static void ready_unlink(cc_sim *s, uint32_t i)
{
    ccs_supply *u = &s->sup;
    struct ccs_wait *cw = &u->wt[i];
    if (!cw->ready)
        return;
    if (cw->rprev != NONE)
        u->wt[cw->rprev].rnext = cw->rnext;
    else
        u->rhead[s->ch[i].need] = cw->rnext;
    if (cw->rnext != NONE)
        u->wt[cw->rnext].rprev = cw->rprev;
    cw->rprev = cw->rnext = NONE;
    cw->ready = 0;
}

/* Every waiting child whose ready_at is at or before t joins its sublist
 * (promote: the test inline, the work here). */
static void promote_due(cc_sim *s, double t)
{
    ccs_supply *u = &s->sup;
    while (u->npend > 0 && u->pend[0].at <= t) {
        struct ccs_pending e = u->pend[0];
        u->pend[0] = u->pend[--u->npend];
        if (u->npend > 0)
            pend_sift_down(u, 0);
        if (pend_live(s, &e))
            ready_link(s, e.i);
    }
}

static inline void promote(cc_sim *s, double t)
{
    const ccs_supply *u = &s->sup;
    if (u->npend > 0 && u->pend[0].at <= t)
        promote_due(s, t);
}

static void wait_join(cc_sim *s, uint32_t i, double t)
{
    ccs_supply *u = &s->sup;
    struct ccs_wait *cw = &u->wt[i];
    int T = s->ch[i].need;
    s->ch[i].waiting = 1;
    double m = s->p->supply.ready_days;
    cw->ready_at = m > 0 ? t + ccs_child_exponential(s, i, m) : t;
    cw->wnext = NONE;
    cw->wprev = u->wtail[T];
    if (u->wtail[T] != NONE)
        u->wt[u->wtail[T]].wnext = i;
    else
        u->whead[T] = i;
    u->wtail[T] = i;
    u->nwait[T]++;
    cw->ready = 0;
    cw->rprev = cw->rnext = NONE;
    pend_push(s, i, cw->ready_at);
}

HOT void wait_leave(cc_sim *s, uint32_t i)
{
    ccs_supply *u = &s->sup;
    struct ccs_wait *cw = &u->wt[i];
    if (!s->ch[i].waiting)
        return; /* what most calls find, from the child's own slot */
    int T = s->ch[i].need;
    ready_unlink(s, i);
    if (cw->wprev != NONE)
        u->wt[cw->wprev].wnext = cw->wnext;
    else
        u->whead[T] = cw->wnext;
    if (cw->wnext != NONE)
        u->wt[cw->wnext].wprev = cw->wprev;
    else
        u->wtail[T] = cw->wprev;
    cw->wprev = cw->wnext = NONE;
    s->ch[i].waiting = 0;
    u->nwait[T]--;
}

/* Take child i out of its place (no stock counting). Returns the provider
 * whose place is now free for another child (a bed, a contracted place or
 * an active household's slot), or -1. */
HOT int release(cc_sim *s, uint32_t i)
{
    ccs_supply *u = &s->sup;
    child *c = &s->ch[i];
    int k = c->prov;
    if (k < 0)
        return -1;
    const csu_provider *pv = &s->p->supply.prov[k];
    u->used[k]--;
    if (u->mk && u->market[k] >= 0)
        ccmk_give(u->mk, u->market[k], u->council);
    c->prov = -1;
    c->deadline = INFINITY;
    int freed = pv->avail == CSU_CAPACITY ? k : -1;
    uint32_t j = c->hh;
    c->hh = NONE;
    if (j != NONE) {
        uint32_t *kid = u->hh[j].kid;
        for (int x = 0; x < u->hh[j].used; x++)
            if (kid[x] == i) {
                kid[x] = kid[u->hh[j].used - 1];
                break;
            }
        u->hh[j].used--;
        if (u->hh[j].state == HH_ACTIVE) {
            if (u->hh[j].used == u->hh[j].slots - 1)
                stack_push(u, j);
            freed = k;
        } else if (u->hh[j].state == HH_RESIGNING) {
            u->pool_slots--;
            if (u->hh[j].used == 0)
                hh_remove(s, j);
        }
    }
    return freed;
}

RARE void freed_walk(cc_sim *s, int k, double t);

/* A place at provider k has just become free: the longest-waiting child who
 * needs that type and may go there steps down into it. When no child of
 * that type is ready, and none is due to be (promote), the walk would find
 * no one (most freed places): that is known without it. The tests before
 * the walk draw nothing and change nothing, so their order does not
 * matter. */
HOT void freed(cc_sim *s, int k, double t)
{
    const ccs_supply *u = &s->sup;
    if (u->rhead[s->p->supply.prov[k].type] == NONE && !(u->npend > 0 && u->pend[0].at <= t))
        return;
    freed_walk(s, k, t);
}

/* Waiting child w moves to provider k, known to have a place for it. */
static void step_down(cc_sim *s, uint32_t w, int k, double t)
{
    child *c = &s->ch[w];
    ccta_count(s, c, -1);
    wait_leave(s, w);
    int old = release(s, w);
    take(s, w, k, t, age_years(s, c, t));
    c->placed_since = t;
    ccs_new_placement(s, c);
    ccta_count(s, c, +1);
    s->cur[s->L->mv_all] += 1;
    s->cur[s->L->mv_planned] += 1;
    moved(s, w);
    if (old >= 0)
        freed(s, old, t);
}

/* freed, once some child of the type may be ready. */
RARE void freed_walk(cc_sim *s, int k, double t)
{
    const csu_provider *pv = &s->p->supply.prov[k];
    ccs_supply *u = &s->sup;
    if (pv->avail == CSU_CAPACITY && (!open_at(pv, t) || u->used[k] >= pv->capacity))
        return;
    if (pv->max_days > 0)
        return; /* an emergency place is not a step down */
    if (u->mk && u->market[k] >= 0 && !ccmk_room(u->mk, u->market[k], u->council))
        return; /* another holder took the shared place */
    promote(s, t);
    for (uint32_t w = u->rhead[pv->type]; w != NONE; w = u->wt[w].rnext) {
        const child *c = &s->ch[w];
        if (pv->avail == CSU_POOL && find_household(u, c->cohort, 0) == NONE)
            continue;
        if (!csu_eligible(pv, c->need, c->flags, age_years(s, c, t)))
            continue;
        step_down(s, w, k, t);
        return;
    }
}

void ccpl_match(cc_sim *s, uint32_t i, double t)
{
    if (!s->p->supply.enabled)
        return;
    child *c = &s->ch[i];
    wait_leave(s, i);
    if (c->prov >= 0)
        release(s, i); /* callers vacate first; never reached in practice */
    if (!is_matched(c->need) || !choose(s, i, t, -1))
        c->placed = c->need;
    c->placed_since = t;
    if (c->placed != c->need)
        wait_join(s, i, t);
}

void ccpl_vacate(cc_sim *s, uint32_t i, double t)
{
    if (!s->p->supply.enabled)
        return;
    wait_leave(s, i);
    int k = release(s, i);
    if (k >= 0)
        freed(s, k, t);
}

void ccpl_move(cc_sim *s, uint32_t i, double t)
{
    if (!s->p->supply.enabled)
        return;
    child *c = &s->ch[i];
    /* ccpl_vacate */
    wait_leave(s, i);
    int k = release(s, i);
    if (k >= 0)
        freed(s, k, t);
    /* ccpl_match, for a child that now holds no place and waits on no
     * list (a step-down into the freed place moves another child) */
    if (!is_matched(c->need) || !choose(s, i, t, -1))
        c->placed = c->need;
    c->placed_since = t;
    if (c->placed != c->need)
        wait_join(s, i, t);
}

/* A child in a place that is going (a closing home, a resigning household
 * whose children cannot stay) moves: a planned move. */
static void move_on(cc_sim *s, uint32_t i, double t)
{
    child *c = &s->ch[i];
    ccta_spot was = ccta_move_out(s, c);
    ccpl_vacate(s, i, t);
    ccs_new_placement(s, c);
    ccpl_match(s, i, t);
    ccta_move_in(s, c, was);
    s->cur[s->L->mv_all] += 1;
    s->cur[s->L->mv_planned] += 1;
    moved(s, i);
}

void ccpl_review(cc_sim *s, double t)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    if (!sp->enabled)
        return;
    static const int types[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE};
    /* the children to search for are the waiting ones who are ready: once
     * every child whose time has come is on its ready sublist (in the
     * waiting list's order), that sublist is the whole list without those
     * the test below would skip as not ready */
    promote(s, t);
    for (int ti = 0; ti < 4; ti++) {
        int T = types[ti];
        uint32_t n = 0;
        if (ensure_scratch(u, u->nwait[T]) != 0)
            return;
        for (uint32_t w = u->rhead[T]; w != NONE; w = u->wt[w].rnext)
            u->scratch[n++] = w;
        for (uint32_t x = 0; x < n; x++) {
            uint32_t w = u->scratch[x];
            child *c = &s->ch[w];
            if (!c->in_care || !c->waiting || c->need != T)
                continue;
            if (t < u->wt[w].ready_at)
                continue;
            int oldk = c->prov;
            uint32_t oldh = c->hh;
            int oldplaced = c->placed;
            ccta_count(s, c, -1);
            s->no_short = 1;
            int found = choose(s, w, t, T);
            s->no_short = 0;
            if (!found) {
                ccta_count(s, c, +1);
                continue;
            }
            int newk = c->prov;
            uint32_t newh = c->hh;
            int newplaced = c->placed;
            c->prov = (int16_t)oldk;
            c->hh = oldh;
            c->placed = (uint8_t)oldplaced;
            int fk = release(s, w);
            c->prov = (int16_t)newk;
            c->hh = newh;
            c->placed = (uint8_t)newplaced;
            wait_leave(s, w);
            c->placed_since = t;
            ccs_new_placement(s, c);
            ccta_count(s, c, +1);
            s->cur[s->L->mv_all] += 1;
            s->cur[s->L->mv_planned] += 1;
            moved(s, w);
            if (fk >= 0)
                freed(s, fk, t);
        }
    }
}

/* A time-limited (emergency) placement has run its course: the child moves
 * on to a place that is not time-limited. */
void ccpl_deadline(cc_sim *s, uint32_t i, double t)
{
    s->no_short = 1;
    move_on(s, i, t);
    s->no_short = 0;
}

/* ---- start of a replication ---- */

static void schedule_apply(cc_sim *s, double t)
{
    double a = s->p->supply.approvals;
    if (a > 0)
        ccq_schedule(s->q, H_APPLY, t + ccr_exponential(s->sup.rng, DAYS_PER_YEAR / a), 0, PRIO_PROCESS);
}

int ccpl_reset(cc_sim *s, uint64_t seed, uint64_t rep)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    u->nmoved = 0;
    u->moved_lost = 0;
    wait_clear(u->wt, u->wt_cap); /* a replication before may have left children waiting */
    if (!sp->enabled)
        return 0;
    memset(u->used, 0, (size_t)sp->n * sizeof *u->used);
    for (int T = 0; T < CCM_NPT; T++) {
        u->whead[T] = u->wtail[T] = u->rhead[T] = NONE;
        u->nwait[T] = 0;
    }
    u->npend = 0;
    if (compile_prefs(s) != 0)
        return -1;
    ccr_set(u->rng, seed, rep, CCR_SUPPLY, 0);
    u->nhh_free = 0;
    for (uint32_t j = u->hcap; j > 0; j--) {
        u->hh[j - 1].state = HH_FREE;
        u->hh_pos[j - 1] = NONE;
        u->hh_free[u->nhh_free++] = j - 1;
    }
    memset(u->nstack, 0, sizeof u->nstack);
    u->nactive = u->nresigning = 0;
    u->pool_slots = 0;
    /* the households approved at the start: exact numbers by slots and by
     * age limit, paired at random */
    if (sp->pool >= 0 && sp->households > 0) {
        int nslots[CSU_SLOTS], ncls[CCM_NCOHORT];
        ccm_apportion(sp->slots, CSU_SLOTS, sp->households, nslots);
        ccm_apportion(sp->age_limit, CCM_NCOHORT, sp->households, ncls);
        size_t H = (size_t)sp->households;
        if (ensure_scratch(u, 2 * H) != 0)
            return -1;
        uint32_t *sl = u->scratch, *cl = u->scratch + H;
        size_t a = 0, b = 0;
        for (int k = 0; k < CSU_SLOTS; k++)
            for (int x = 0; x < nslots[k]; x++)
                sl[a++] = (uint32_t)(k + 1);
        for (int k = 0; k < CCM_NCOHORT; k++)
            for (int x = 0; x < ncls[k]; x++)
                cl[b++] = (uint32_t)k;
        if (H > 1)
            ccr_shuffle(u->rng, cl, H, sizeof *cl);
        for (size_t x = 0; x < H; x++)
            if (hh_new(s, (int)sl[x], (int)cl[x], 0) != 0)
                return -1;
    }
    /* applications already in assessment at the start come out over the
     * first assessment period, as if recruitment had run at this rate */
    u->pipe_head = u->pipe_len = 0;
    if (sp->approvals > 0 && sp->assessment_days > 0) {
        unsigned int n = gsl_ran_poisson(u->rng, sp->approvals * sp->assessment_days / DAYS_PER_YEAR);
        if (n > u->pipe_cap)
            n = u->pipe_cap;
        for (unsigned int x = 0; x < n; x++)
            u->pipe[x] = ccr_uniform_pos(u->rng) * sp->assessment_days;
        /* sort (insertion: a few dozen at most) */
        for (unsigned int x = 1; x < n; x++) {
            double v = u->pipe[x];
            unsigned int y = x;
            while (y > 0 && u->pipe[y - 1] > v) {
                u->pipe[y] = u->pipe[y - 1];
                y--;
            }
            u->pipe[y] = v;
        }
        u->pipe_len = n;
        if (n > 0)
            ccq_schedule(s->q, H_APPROVE, u->pipe[0], 0, PRIO_PROCESS);
    }
    schedule_apply(s, 0);
    if (u->nsup_ev > 0)
        ccq_schedule(s->q, H_SUPPLY, u->sup_ev_t[0], 0, PRIO_PROCESS);
    return 0;
}

/* Room for the start-date lists of ccpl_initial: 2 x children entries. */
static int ensure_start(ccs_supply *u, size_t children)
{
    if (2 * children <= u->start_cap)
        return 0;
    size_t cap = 2 * children;
    struct ccs_start *a = realloc(u->start, cap * sizeof *a);
    if (!a)
        return -1;
    u->start = a;
    u->start_cap = cap;
    return 0;
}

/* Provider k (of type T, start-date children given) takes its share of the
 * list l[0..n) (the children of its type still without a provider, in the
 * shuffled order) on pass `pass`; the children it takes leave the list,
 * the others keep their order. Returns the new length. */
static size_t start_provider(cc_sim *s, int k, int pass, struct ccs_start *l, size_t n)
{
    const csu_provider *pv = &s->p->supply.prov[k];
    ccs_supply *u = &s->sup;
    int by_total = pv->start[0] < 0;
    int want[CCM_NCOHORT];
    for (int c = 0; c < CCM_NCOHORT; c++)
        want[c] = by_total ? 0 : pv->start[c];
    int left = pv->start_total - (pass == 2 ? u->used[k] : 0);
    size_t w = 0, x = 0;
    for (; x < n && left > 0; x++) {
        uint32_t i = l[x].i;
        int co = l[x].cohort;
        uint32_t j = NONE;
        int fits = by_total || want[co] != 0;
        /* by total: first the children the provider is for by age and
         * specialism (pass 1), then any (pass 2) */
        if (fits && by_total && pass == 1) {
            const child *c = &s->ch[i];
            fits = csu_eligible(pv, c->need, c->flags, age_years(s, c, 0));
        }
        if (fits && pv->avail == CSU_POOL) {
            j = find_household(u, co, 0);
            if (j == NONE)
                j = find_household(u, co, 1);
            fits = j != NONE;
        }
        if (!fits) {
            l[w++] = l[x];
            continue;
        }
        child *c = &s->ch[i];
        ccta_count(s, c, -1);
        put(s, i, k, j, 0);
        hold_start(s, k);
        ccta_count(s, c, +1);
        if (!by_total)
            want[co]--;
        left--;
    }
    if (w < x)
        memmove(l + w, l + x, (n - x) * sizeof *l);
    return w + (n - x);
}

void ccpl_initial(cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    if (!sp->enabled)
        return;
    if (ensure_scratch(u, s->cap) != 0 || ensure_start(u, s->cap) != 0)
        return;
    static const int types[] = {CCM_FOSTER, CCM_RESIDENTIAL, CCM_SEMI, CCM_SECURE};
    /* one look at every slot: the children of each matched type (in slot
     * order) and those placed against their plan, who wait (ones placed
     * with providers below keep their type and need) */
    struct ccs_start *all = u->start, *by = u->start + s->cap;
    size_t nall = 0, nwaiting = 0, cnt[CCM_NPT] = {0}, at[CCM_NPT];
    for (uint32_t i = 0; i < s->cap; i++) {
        const child *c = &s->ch[i];
        if (!c->in_care)
            continue;
        if (c->placed != c->need && is_matched(c->need))
            u->scratch[nwaiting++] = i;
        if (is_matched(c->placed)) {
            all[nall++] = (struct ccs_start){i, c->cohort, c->placed};
            cnt[c->placed]++;
        }
    }
    for (int T = 0, o = 0; T < CCM_NPT; o += (int)cnt[T], T++)
        at[T] = (size_t)o;
    for (size_t x = 0; x < nall; x++)
        by[at[all[x].type]++] = all[x];
    for (int ti = 0; ti < 4; ti++) {
        int T = types[ti];
        size_t n = cnt[T];
        struct ccs_start *l = by + at[T] - n;
        if (n > 1)
            ccr_shuffle(u->rng, l, n, sizeof *l);
        for (int pass = 0; pass < 3; pass++) {
            for (int k = 0; k < sp->n; k++) {
                const csu_provider *pv = &sp->prov[k];
                if (pv->type != T)
                    continue;
                int by_total = pv->start[0] < 0;
                if ((pass == 0 && by_total) || (pass > 0 && !by_total) || pv->start_total == 0)
                    continue;
                if (pass == 2 && pv->start_total - u->used[k] <= 0)
                    continue;
                n = start_provider(s, k, pass, l, n);
            }
        }
        /* the rest of this type's children: the start_rest tier */
        for (int k = 0; k < sp->n && n > 0; k++) {
            if (sp->prov[k].type != T || !sp->prov[k].start_rest)
                continue;
            for (size_t x = 0; x < n; x++) {
                child *c = &s->ch[l[x].i];
                ccta_count(s, c, -1);
                put(s, l[x].i, k, NONE, 0);
                hold_start(s, k);
                ccta_count(s, c, +1);
            }
            n = 0;
        }
    }
    /* children placed against their plan wait for a suitable place, in a
     * random order */
    if (nwaiting > 1)
        ccr_shuffle(u->rng, u->scratch, nwaiting, sizeof *u->scratch);
    for (size_t x = 0; x < nwaiting; x++)
        wait_join(s, u->scratch[x], 0);
}

/* ---- supply events ---- */

static int approve(cc_sim *s, double t)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    double v = ccr_uniform(u->rng), acc = 0;
    int slots = CSU_SLOTS;
    for (int k = 0; k < CSU_SLOTS; k++) {
        acc += sp->slots[k];
        if (v < acc) {
            slots = k + 1;
            break;
        }
    }
    v = ccr_uniform(u->rng);
    acc = 0;
    int cls = CCM_NCOHORT - 1;
    for (int k = 0; k < CCM_NCOHORT; k++) {
        acc += sp->age_limit[k];
        if (v < acc) {
            cls = k;
            break;
        }
    }
    if (hh_new(s, slots, cls, t) != 0)
        return -1;
    s->cur[s->L->fost + 1] += 1;
    for (int x = 0; x < slots; x++)
        freed(s, sp->pool, t);
    return 0;
}

static void resign(cc_sim *s, uint32_t j, double t)
{
    ccs_supply *u = &s->sup;
    s->cur[s->L->fost + 2] += 1;
    if (u->hh[j].used == 0) {
        hh_remove(s, j);
        return;
    }
    stack_remove(u, j);
    u->nactive--;
    u->nresigning++;
    u->pool_slots -= u->hh[j].slots - u->hh[j].used;
    u->hh[j].state = HH_RESIGNING;
    if (s->p->supply.leave_when_empty)
        return;
    /* the household stops now: its children move on, in slot order (a
     * move may step another of them down elsewhere first; none joins) */
    uint32_t kid[CSU_SLOTS];
    int n = u->hh[j].used;
    memcpy(kid, u->hh[j].kid, (size_t)n * sizeof *kid);
    for (int x = 1; x < n; x++)
        for (int y = x; y > 0 && kid[y - 1] > kid[y]; y--) {
            uint32_t v = kid[y];
            kid[y] = kid[y - 1];
            kid[y - 1] = v;
        }
    for (int x = 0; x < n && u->hh[j].state == HH_RESIGNING; x++)
        if (s->ch[kid[x]].in_care && s->ch[kid[x]].hh == j)
            move_on(s, kid[x], t);
}

int ccpl_event(cc_sim *s, const cc_event *ev)
{
    const csu_params *sp = &s->p->supply;
    ccs_supply *u = &s->sup;
    double t = ev->t;
    if (ev->handle == H_APPLY) {
        if (sp->assessment_days > 0) {
            if (u->pipe_len < u->pipe_cap) {
                uint32_t at = (u->pipe_head + u->pipe_len) % u->pipe_cap;
                u->pipe[at] = t + sp->assessment_days;
                if (u->pipe_len++ == 0)
                    ccq_schedule(s->q, H_APPROVE, u->pipe[at], 0, PRIO_PROCESS);
            }
        } else if (approve(s, t) != 0) {
            return -1;
        }
        schedule_apply(s, t);
    } else if (ev->handle == H_APPROVE) {
        u->pipe_head = (u->pipe_head + 1) % u->pipe_cap;
        u->pipe_len--;
        if (u->pipe_len > 0)
            ccq_schedule(s->q, H_APPROVE, u->pipe[u->pipe_head], 0, PRIO_PROCESS);
        if (approve(s, t) != 0)
            return -1;
    } else if (ev->handle == H_SUPPLY) {
        int x = (int)ev->kind;
        int k = u->sup_ev_k[x] >> 1;
        if (x + 1 < u->nsup_ev)
            ccq_schedule(s->q, H_SUPPLY, u->sup_ev_t[x + 1], (uint32_t)(x + 1), PRIO_PROCESS);
        const csu_provider *hp = &sp->prov[k];
        ccmo_fixed(s, CCT_HOMES, hp->type, (u->sup_ev_k[x] & 1 ? -1 : 1) * hp->annual_cost / DAYS_PER_YEAR);
        if (u->sup_ev_k[x] & 1) {
            /* a home closes: its children move to other places */
            for (uint32_t i = 0; i < s->cap && u->used[k] > 0; i++)
                if (s->ch[i].in_care && s->ch[i].prov == k)
                    move_on(s, i, t);
        } else {
            for (int b = 0; b < sp->prov[k].capacity; b++)
                freed(s, k, t);
        }
    } else if (ev->handle >= H_BASE && (ev->handle - H_BASE) % 2 == 1) {
        resign(s, (ev->handle - H_BASE) / 2, t);
    }
    return 0;
}

void ccpl_snapshot(cc_sim *s)
{
    const csu_params *sp = &s->p->supply;
    const ccx_layout *L = s->L;
    ccs_supply *u = &s->sup;
    double *cur = s->cur;
    double t = s->last_t;
    for (int T = 0; T < CCM_NPT; T++)
        cur[L->capacity + T] = cur[L->vacancies + T] = 0;
    if (sp->enabled) {
        for (int k = 0; k < sp->n; k++) {
            const csu_provider *pv = &sp->prov[k];
            if (pv->owner != CSU_COUNCIL)
                continue;
            int cap = pv->avail == CSU_POOL ? u->pool_slots : open_at(pv, t) ? pv->capacity : 0;
            cur[L->capacity + pv->type] += cap;
            cur[L->vacancies + pv->type] += cap - u->used[k];
        }
        cur[L->fost] = u->nactive + u->nresigning;
    }
    /* the capacity gap: children who need a type beyond the council's own
     * places of that type (met by external providers, or not at all) */
    for (int T = 0; T < CCM_NPT; T++)
        cur[L->gap + T] = sp->enabled ? cur[L->needing + T] - cur[L->capacity + T] : 0;
    const double *kpi = cur + L->kpi;
    double den[CCX_NKPI] = {cur[L->la_all], cur[L->placed + CCM_FOSTER], cur[L->placed + CCM_RESIDENTIAL],
                            cur[L->la_cohort + 3], cur[L->outside]};
    for (int k = 0; k < CCX_NKPI; k++)
        cur[L->kpi_pct + k] = den[k] > 0 ? 100 * kpi[k] / den[k] : 0;
}

/* ---- consistency (tests) ---- */

uint64_t ccpl_check(const cc_sim *s, double t)
{
    const csu_params *sp = &s->p->supply;
    const ccs_supply *u = &s->sup;
    if (!sp->enabled)
        return 0;
    uint64_t bad = 0;
    int count[256] = {0};
    uint32_t nwait[CCM_NPT] = {0}, nready[CCM_NPT] = {0};
    if (s->today != INT32_MIN) { /* the date cache of age_years (and draw_dob) */
        int y, m, d;
        ccd_to_ymd(s->today, &y, &m, &d);
        bad += y != s->ty || m != s->tm || d != s->td;
    }
    /* the walk's lists as pointers: the same as psel's */
    for (int T = 0; T < CCM_NPT; T++)
        for (int m = 0; m < CCM_NNEEDMASK; m++)
            for (int c = 0; c < CCM_NCOHORT; c++)
                bad += u->pspan[T][m][c][0] != u->pl + u->psel[T][m][c][0] ||
                       u->pspan[T][m][c][1] != u->pspan[T][m][c][0] + u->psel[T][m][c][1];
    for (uint32_t i = 0; i < s->cap; i++) {
        const child *c = &s->ch[i];
        if (!c->in_care)
            continue;
        if (c->prov >= 0) {
            count[c->prov]++;
            const csu_provider *pv = &sp->prov[c->prov];
            bad += c->placed != pv->type;
            bad += (pv->avail == CSU_POOL) != (c->hh != NONE);
            if (c->hh != NONE) {
                bad += u->hh[c->hh].state == HH_FREE || u->hh[c->hh].used > u->hh[c->hh].slots;
                /* listed among its household's children */
                int listed = 0;
                for (int x = 0; x < u->hh[c->hh].used && x < CSU_SLOTS; x++)
                    listed += u->hh[c->hh].kid[x] == i;
                bad += listed != 1;
            }
        } else {
            bad += is_matched(c->placed) || c->hh != NONE; /* a matched type always has a provider */
        }
        int should_wait = is_matched(c->need) && c->placed != c->need;
        const struct ccs_wait *cw = &u->wt[i];
        bad += c->waiting != should_wait;
        if (c->waiting)
            nwait[c->need]++;
        bad += cw->ready && (!c->waiting || cw->ready_at > t);
        if (cw->ready)
            nready[c->need]++;
    }
    for (int k = 0; k < sp->n && k < 256; k++) {
        const csu_provider *pv = &sp->prov[k];
        bad += count[k] != u->used[k];
        if (pv->avail == CSU_CAPACITY)
            bad += u->used[k] > (open_at(pv, t) || t == pv->close_t ? pv->capacity : 0);
    }
    int pool_used = 0;
    for (uint32_t j = 0; j < u->hcap; j++)
        if (u->hh[j].state != HH_FREE) {
            pool_used += u->hh[j].used;
            bad += u->hh[j].used > u->hh[j].slots;
            bad += (u->hh[j].state == HH_ACTIVE && u->hh[j].used < u->hh[j].slots) != (u->hh_pos[j] != NONE);
            for (int x = 0; x < u->hh[j].used && x < CSU_SLOTS; x++) {
                uint32_t k = u->hh[j].kid[x];
                bad += k >= s->cap || !s->ch[k].in_care || s->ch[k].hh != j;
            }
        }
    if (sp->pool >= 0)
        bad += pool_used != u->used[sp->pool];
    for (int T = 0; T < CCM_NPT; T++)
        bad += nwait[T] != u->nwait[T];
    /* each ready sublist: the list's ready children in the list's order */
    for (int T = 0; T < CCM_NPT; T++) {
        uint32_t r = u->rhead[T], prev = NONE, n = 0;
        for (uint32_t w = u->whead[T]; w != NONE && n <= nwait[T]; w = u->wt[w].wnext, n++)
            if (u->wt[w].ready) {
                bad += r != w || u->wt[w].rprev != prev;
                prev = w;
                r = r == NONE ? NONE : u->wt[r].rnext;
            }
        bad += r != NONE || nready[T] > nwait[T];
    }
    /* the pending heap: ordered, and one live entry for each waiting child
     * not on its sublist (so a freed place's walk misses no ready child) */
    size_t live = 0, pending = 0;
    for (size_t x = 0; x < u->npend; x++) {
        bad += x > 0 && u->pend[x].at < u->pend[(x - 1) / 2].at;
        live += pend_live(s, &u->pend[x]);
    }
    for (int T = 0; T < CCM_NPT; T++)
        pending += nwait[T] - nready[T];
    bad += live != pending;
    return bad;
}

/* ---- scenario levers ---- */

/* Whether two providers look the same to the compiled lists: the fields
 * compile_list and csu_eligible read. */
static int same_for_prefs(const csu_provider *a, const csu_provider *b)
{
    return a->type == b->type && a->home == b->home && a->kind == b->kind && a->avail == b->avail &&
           a->capacity == b->capacity && a->probability == b->probability && a->min_age == b->min_age &&
           a->max_age == b->max_age && (a->max_days > 0) == (b->max_days > 0);
}

/* Whether two parameter sets give the same compiled preference lists: the
 * same lists, and providers the same in every field the lists are made
 * of. Most scenario phases change neither, and compiling them again is a
 * tenth of a compare's instructions. */
static int same_prefs(const csu_params *a, const csu_params *b)
{
    if (a->n != b->n || memcmp(a->npref, b->npref, sizeof a->npref) != 0 ||
        memcmp(a->pref, b->pref, sizeof a->pref) != 0 || memcmp(a->nneedpref, b->nneedpref, sizeof a->nneedpref) != 0 ||
        memcmp(a->needpref, b->needpref, sizeof a->needpref) != 0)
        return 0;
    for (int k = 0; k < a->n; k++)
        if (!same_for_prefs(&a->prov[k], &b->prov[k]))
            return 0;
    return 1;
}

void ccpl_phase(cc_sim *s, const cc_params *old, double t)
{
    const csu_params *sp = &s->p->supply, *op = &old->supply;
    ccs_supply *u = &s->sup;
    if (!sp->enabled)
        return;
    if (!same_prefs(sp, op) && compile_prefs(s) != 0)
        u->moved_lost = 1; /* ccpl_take_moved reports it */
    /* recruitment and resignation rates: redraw (both are memoryless) */
    if (sp->approvals != op->approvals) {
        ccq_cancel(s->q, H_APPLY);
        schedule_apply(s, t);
    }
    if (sp->resignation != op->resignation)
        for (uint32_t j = 0; j < u->hcap; j++)
            if (u->hh[j].state == HH_ACTIVE) {
                ccq_cancel(s->q, hh_handle(j));
                schedule_resignation(s, j, t);
            }
    /* a step-down programme: waiting children get ready at the new pace */
    if (sp->ready_days != op->ready_days)
        for (uint32_t i = 0; i < s->cap; i++) {
            struct ccs_wait *cw = &u->wt[i];
            if (s->ch[i].in_care && s->ch[i].waiting && cw->ready_at > t) {
                cw->ready_at = sp->ready_days > 0 ? t + ccs_child_exponential(s, i, sp->ready_days) : t;
                pend_push(s, i, cw->ready_at); /* the old entry is stale */
            }
        }
    /* contracted places and homes' beds (a home's ramp-up): fewer move
     * children on, more take waiting children */
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        if (pv->avail != CSU_CAPACITY)
            continue;
        for (uint32_t i = 0; i < s->cap && u->used[k] > pv->capacity; i++)
            if (s->ch[i].in_care && s->ch[i].prov == k)
                move_on(s, i, t);
        for (int x = op->prov[k].capacity; x < pv->capacity; x++)
            freed(s, k, t);
    }
}
