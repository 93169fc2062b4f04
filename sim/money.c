/* money: what the placements and places cost, day by day, by cost line and
 * placement type, in cash terms (inflated by financial year).
 *
 * Each child in a placement adds its daily price to the rate of its cost
 * line (and placement type); fixed commitments (open council homes, block
 * and contracted places, carers' fees, emergency places) add theirs whether
 * used or not. A rate is integrated over time lazily: when it changes, and
 * at each month end, when the month's spend is written out. On 1 April the
 * inflation factors move to the new financial year. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "simint.h"

static double now(const cc_sim *s) { return s->last_t; }

static void flush_out(cc_sim *s);

static void bring(ccs_money *m, int L, int T, double t)
{
    m->acc[L][T] += m->rate[L][T] * m->factor[L] * (t - m->last[L][T]);
    m->last[L][T] = t;
}

void ccmo_fixed(cc_sim *s, int line, int type, double per_day)
{
    if (!s->p->costs.enabled || per_day == 0)
        return;
    flush_out(s);
    ccs_money *m = &s->money;
    bring(m, line, type, now(s));
    m->rate[line][type] += per_day;
}

/* The cost line and daily price of a child placed in type `placed` with
 * provider `prov` (or -1: none); line -1 when its place is paid for as a
 * fixed commitment (a council home, a block place). */
static int price_of(const cc_sim *s, int prov, int placed, double *per_day, double *place_per_day)
{
    const cct_params *cp = &s->p->costs;
    const csu_params *sp = &s->p->supply;
    *per_day = *place_per_day = 0;
    if (prov >= 0) {
        const csu_provider *pv = &sp->prov[prov];
        if (prov == sp->pool || prov == sp->emergency) {
            *per_day = *place_per_day = cp->foster_allowance_week / 7;
            return CCT_FOSTER_ALLOW;
        }
        if (pv->home) {
            *place_per_day = pv->capacity > 0 ? pv->annual_cost / pv->capacity / DAYS_PER_YEAR : 0;
            return -1;
        }
        *place_per_day = pv->price_week / 7;
        if (pv->contract == CSU_BLOCK || pv->contract == CSU_CONTRACT)
            return -1;
        *per_day = pv->price_week / 7;
        switch (pv->type) {
        case CCM_FOSTER:
            return CCT_IFA;
        case CCM_RESIDENTIAL:
            return CCT_RESI;
        case CCM_SEMI:
            return CCT_SEMI;
        default:
            return CCT_SECURE;
        }
    }
    if (placed == CCM_KINSHIP) {
        *per_day = *place_per_day = cp->kinship_week / 7;
        return CCT_KINSHIP;
    }
    if (placed == CCM_PARENTS || placed == CCM_ADOPTION || placed == CCM_OTHER) {
        *per_day = *place_per_day = cp->other_week[placed] / 7;
        return CCT_OTHER;
    }
    return -1;
}

/* price_of for every place a child can be in, into m->price. */
static void cache_prices(cc_sim *s)
{
    struct ccmo_price *pr = s->money.price;
    for (int k = -CCM_NPT; k < s->p->supply.n; k++) {
        struct ccmo_price *x = &pr[CCM_NPT + k];
        x->line = k < 0 ? price_of(s, -1, CCM_NPT + k, &x->per_day, &x->place_per_day)
                        : price_of(s, k, 0, &x->per_day, &x->place_per_day);
    }
}

/* The index in the price cache of child c where it is, and its price. */
static int price_at(const child *c) { return c->prov >= 0 ? CCM_NPT + c->prov : c->placed; }

static const struct ccmo_price *child_price(const cc_sim *s, const child *c)
{
    return &s->money.price[price_at(c)];
}

int ccmo_new(cc_sim *s)
{
    s->money.out_at = -1;
    s->money.price = malloc((size_t)(CCM_NPT + s->p->supply.n) * sizeof *s->money.price);
    return s->money.price ? 0 : -1;
}

void ccmo_free(cc_sim *s) { free(s->money.price); }

/* A child of price pr, placement type T and need `need` starts (d = +1) or
 * stops (-1) accruing spend at time t. */
static void child_spend(ccs_money *m, const cct_params *cp, double t, const struct ccmo_price *pr, int T, int need,
                        double d)
{
    if (pr->line >= 0 && pr->per_day != 0) {
        bring(m, pr->line, T, t);
        m->rate[pr->line][T] += d * pr->per_day;
    }
    m->kacc[T] += m->kids[T] * (t - m->klast[T]);
    m->klast[T] = t;
    m->kids[T] += d;
    if (T != need && need < CCM_NPT) {
        double extra = pr->place_per_day - cp->reference_week[need] / 7;
        m->gacc += m->grate * m->gfactor * (t - m->glast);
        m->glast = t;
        m->grate += d * extra;
    }
}

/* Stop the spend of the child ccmo_move_out left pending, if any: before
 * any other change, so that every total sees the changes in order. */
void ccmo_flush(cc_sim *s)
{
    ccs_money *m = &s->money;
    if (m->out_at < 0)
        return;
    const struct ccmo_price *pr = &m->price[m->out_at];
    m->out_at = -1;
    child_spend(m, &s->p->costs, now(s), pr, m->out_t, m->out_need, -1);
}

static inline void flush_out(cc_sim *s)
{
    if (s->money.out_at >= 0)
        ccmo_flush(s);
}

void ccmo_child(cc_sim *s, const child *c, double d)
{
    if (!s->money.on)
        return;
    flush_out(s);
    child_spend(&s->money, &s->p->costs, now(s), child_price(s, c), c->placed, c->need, d);
}

/* Whether two money states have the same totals, rates and times, bit for
 * bit (the checks of ccmo_move_in). */
static int same_totals(const ccs_money *a, const ccs_money *b)
{
    return memcmp(a->rate, b->rate, sizeof a->rate) == 0 && memcmp(a->acc, b->acc, sizeof a->acc) == 0 &&
           memcmp(a->last, b->last, sizeof a->last) == 0 && memcmp(a->kids, b->kids, sizeof a->kids) == 0 &&
           memcmp(a->kacc, b->kacc, sizeof a->kacc) == 0 && memcmp(a->klast, b->klast, sizeof a->klast) == 0 &&
           memcmp(&a->grate, &b->grate, sizeof a->grate) == 0 && memcmp(&a->gacc, &b->gacc, sizeof a->gacc) == 0 &&
           memcmp(&a->glast, &b->glast, sizeof a->glast) == 0;
}

/* A child of price pr, type T and need `need` whose spend stopped (still
 * pending) and starts again at time t at the same price, type and need:
 * child_spend's -1 then +1 without the second half's updates of the
 * totals (time elapsed 0: they would add +0, and a total is never -0) and
 * of the children by type (-1 then +1, exact); the rates still go down
 * and up again, as the rounding of the two may differ from leaving them
 * alone. */
static inline void back_again(ccs_money *m, const cct_params *cp, double t, const struct ccmo_price *pr, int T,
                              int need)
{
    m->out_at = -1;
    if (pr->line >= 0 && pr->per_day != 0) {
        bring(m, pr->line, T, t);
        double r = m->rate[pr->line][T] - pr->per_day;
        m->rate[pr->line][T] = r + pr->per_day;
    }
    m->kacc[T] += m->kids[T] * (t - m->klast[T]);
    m->klast[T] = t;
    if (T != need && need < CCM_NPT) {
        double extra = pr->place_per_day - cp->reference_week[need] / 7;
        m->gacc += m->grate * m->gfactor * (t - m->glast);
        m->glast = t;
        double g = m->grate - extra;
        m->grate = g + extra;
    }
}

/* ccmo_move_in's other cases: the child is elsewhere now, or another
 * change came between (the two halves as two calls of ccmo_child would
 * do them), or the checks are on (back_again compared bit for bit with
 * the two halves, and the caller's `same` with the recorded spot). */
RARE void move_in_other(cc_sim *s, const child *c, int same)
{
    ccs_money *m = &s->money;
    if (!m->on)
        return;
    const cct_params *cp = &s->p->costs;
    const struct ccmo_price *pr = child_price(s, c);
    int T = c->placed, need = c->need;
    double t = now(s);
    if (s->checks && same && m->out_at >= 0 && (m->out_at != price_at(c) || m->out_t != T))
        s->tot.violations++; /* the caller's `same` is wrong */
    if (m->out_at != price_at(c) || m->out_t != T || m->out_need != need) {
        flush_out(s);
        child_spend(m, cp, t, pr, T, need, +1);
        return;
    }
    ccs_money ref = *m;
    child_spend(&ref, cp, t, pr, T, need, -1);
    child_spend(&ref, cp, t, pr, T, need, +1);
    ref.out_at = -1;
    back_again(m, cp, t, pr, T, need);
    s->tot.violations += !same_totals(m, &ref);
}

/* The child's spend stops where it was and starts where it is, as two
 * calls of ccmo_child would, but in one step (back_again) when nothing
 * changed spend in between (ccmo_move_out's removal still pending) and
 * the child is back at the same price, type and need (most moves: the
 * in-house pool again, a council home again). `same`: the caller found
 * the child with the same provider (or none) and placement type as when
 * ccmo_move_out recorded it, so the same price. With the checks on
 * (ccs_set_checks), the result is compared bit for bit with the two
 * calls' (and `same` with the recorded price and type). */
void ccmo_move_in(cc_sim *s, const child *c, int same)
{
    ccs_money *m = &s->money;
    /* same provider (or none) and type: the same price index and type */
    if (same && m->out_at >= 0 && m->out_need == c->need && !s->checks) {
        back_again(m, &s->p->costs, now(s), &m->price[m->out_at], m->out_t, c->need);
        return;
    }
    move_in_other(s, c, same);
}

static void set_factors(cc_sim *s, int fy)
{
    const cct_params *cp = &s->p->costs;
    ccs_money *m = &s->money;
    m->fy = fy;
    for (int L = 0; L < CCT_NLINE; L++)
        m->factor[L] = pow(1 + cp->inflation[L], fy - cp->price_year);
    m->gfactor = pow(1 + cp->inflation_default, fy - cp->price_year);
}

static double t_of_day(const cc_sim *s, int32_t day) { return (double)(day - s->p->start_day - 1); }

void ccmo_reset(cc_sim *s)
{
    const cc_params *p = s->p;
    const cct_params *cp = &p->costs;
    ccs_money *m = &s->money;
    struct ccmo_price *price = m->price;
    memset(m, 0, sizeof *m);
    m->price = price;
    m->on = cp->enabled;
    m->out_at = -1;
    if (!cp->enabled)
        return;
    cache_prices(s);
    set_factors(s, cct_fy(p->start_day + 1));
    /* fixed commitments in force at the start */
    const csu_params *sp = &p->supply;
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        if (pv->home && pv->open_t <= 0 && pv->close_t > 0)
            m->rate[CCT_HOMES][pv->type] += pv->annual_cost / DAYS_PER_YEAR;
        else if (!pv->home && pv->owner == CSU_EXTERNAL && pv->avail == CSU_CAPACITY &&
                 (pv->contract == CSU_BLOCK || pv->contract == CSU_CONTRACT))
            m->rate[CCT_BLOCK][pv->type] += pv->capacity * pv->price_week / 7;
        else if (k == sp->emergency)
            m->rate[CCT_EMERGENCY][CCM_FOSTER] += pv->capacity * cp->emergency_place_week / 7;
    }
    /* the next 1 April, and the first one-off cost */
    int y, mo, d;
    ccd_to_ymd(p->start_day + 1, &y, &mo, &d);
    int32_t april = ccd_from_ymd(mo >= 4 ? y + 1 : y, 4, 1);
    ccq_schedule(s->q, H_FY, t_of_day(s, april), 0, PRIO_SNAPSHOT);
    int first = -1;
    for (int i = 0; i < cp->n_one_off; i++)
        if (cp->one_off_t[i] >= 0 && (first < 0 || cp->one_off_t[i] < cp->one_off_t[first]))
            first = i;
    if (first >= 0)
        ccq_schedule(s->q, H_ONEOFF, cp->one_off_t[first], (uint32_t)first, PRIO_PROCESS);
}

static void bring_all(cc_sim *s, double t)
{
    flush_out(s);
    ccs_money *m = &s->money;
    for (int L = 0; L < CCT_NLINE; L++)
        for (int T = 0; T < CCM_NPT; T++)
            bring(m, L, T, t);
    for (int T = 0; T < CCM_NPT; T++) {
        m->kacc[T] += m->kids[T] * (t - m->klast[T]);
        m->klast[T] = t;
    }
    m->gacc += m->grate * m->gfactor * (t - m->glast);
    m->glast = t;
}

void ccmo_event(cc_sim *s, const cc_event *ev)
{
    const cct_params *cp = &s->p->costs;
    ccs_money *m = &s->money;
    if (ev->handle == H_FY) {
        bring_all(s, ev->t);
        set_factors(s, m->fy + 1);
        int32_t day = s->p->start_day + 1 + (int32_t)llround(ev->t);
        int y, mo, d;
        ccd_to_ymd(day, &y, &mo, &d);
        ccq_schedule(s->q, H_FY, t_of_day(s, ccd_from_ymd(y + 1, 4, 1)), 0, PRIO_SNAPSHOT);
        return;
    }
    /* a one-off cost, inflated to the year it falls in; then the next one */
    int i = (int)ev->kind;
    m->one_off += cp->one_off_amount[i] * m->factor[CCT_ONE_OFF];
    int next = -1;
    for (int k = 0; k < cp->n_one_off; k++) {
        double tk = cp->one_off_t[k];
        if ((tk > ev->t || (tk == ev->t && k > i)) &&
            (next < 0 || tk < cp->one_off_t[next] || (tk == cp->one_off_t[next] && k < next)))
            next = k;
    }
    if (next >= 0)
        ccq_schedule(s->q, H_ONEOFF, cp->one_off_t[next], (uint32_t)next, PRIO_PROCESS);
}

void ccmo_snapshot(cc_sim *s)
{
    const ccx_layout *L = s->L;
    if (L->spend < 0)
        return;
    ccs_money *m = &s->money;
    double *cur = s->cur;
    bring_all(s, now(s));
    double total = 0, fixed = 0, variable = 0;
    for (int T = 0; T < CCM_NPT; T++)
        cur[L->spend_type + T] = 0;
    for (int k = 0; k < CCT_NLINE; k++) {
        double v = 0;
        for (int T = 0; T < CCM_NPT; T++) {
            v += m->acc[k][T];
            cur[L->spend_type + T] += m->acc[k][T];
            m->acc[k][T] = 0;
        }
        if (k == CCT_ONE_OFF) {
            v += m->one_off;
            m->one_off = 0;
        }
        cur[L->spend + k] = v;
        total += v;
        if (k != CCT_ONE_OFF) {
            if (cct_line_fixed[k])
                fixed += v;
            else
                variable += v;
        }
    }
    cur[L->spend + CCT_NLINE] = total;
    cur[L->spend + CCT_NLINE + 1] = fixed;
    cur[L->spend + CCT_NLINE + 2] = variable;
    for (int T = 0; T < CCM_NPT; T++) {
        cur[L->child_weeks + T] = m->kacc[T] / 7;
        m->kacc[T] = 0;
    }
    cur[L->gap_cost] = m->gacc;
    m->gacc = 0;
}

void ccmo_rebuild(cc_sim *s)
{
    const cc_params *p = s->p;
    const cct_params *cp = &p->costs;
    ccs_money *m = &s->money;
    m->on = cp->enabled;
    if (!cp->enabled)
        return;
    double t = now(s);
    bring_all(s, t);
    int fy = m->fy;
    set_factors(s, fy);
    cache_prices(s);
    memset(m->rate, 0, sizeof m->rate);
    m->grate = 0;
    const csu_params *sp = &p->supply;
    for (int k = 0; k < sp->n; k++) {
        const csu_provider *pv = &sp->prov[k];
        if (pv->home && pv->open_t <= t && t < pv->close_t)
            m->rate[CCT_HOMES][pv->type] += pv->annual_cost / DAYS_PER_YEAR;
        else if (!pv->home && pv->owner == CSU_EXTERNAL && pv->avail == CSU_CAPACITY &&
                 (pv->contract == CSU_BLOCK || pv->contract == CSU_CONTRACT))
            m->rate[CCT_BLOCK][pv->type] += pv->capacity * pv->price_week / 7;
        else if (k == sp->emergency)
            m->rate[CCT_EMERGENCY][CCM_FOSTER] += pv->capacity * cp->emergency_place_week / 7;
    }
    m->rate[CCT_FOSTER_FEES][CCM_FOSTER] += (s->sup.nactive + s->sup.nresigning) * cp->foster_fee_week / 7;
    for (uint32_t i = 0; i < s->cap; i++) {
        const child *c = &s->ch[i];
        if (!c->in_care)
            continue;
        const struct ccmo_price *pr = child_price(s, c);
        if (pr->line >= 0)
            m->rate[pr->line][c->placed] += pr->per_day;
        if (c->placed != c->need)
            m->grate += pr->place_per_day - cp->reference_week[c->need] / 7;
    }
}
