/* sim: one replication: initial population, entries, competing risks per
 * child, birthdays, transitions at 16 and 18, monthly snapshots. */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bigmem.h"
#include "ccdate.h"
#include "evq.h"
#include "rng.h"
#include "place.h"
#include "simint.h"
#include "tally.h"
#include "uncert.h"
#include "ziggurat.h"

/* The trace's episodes for every slot up to cap (ccs_episode), from the
 * first replication with a trace on (then kept as long as the slots). 0 or
 * -1. */
static int grow_episodes(cc_sim *s, size_t from, size_t cap)
{
    if (!s->trace_ep && !s->ep)
        return 0;
    ccs_episode *ep = realloc(s->ep, cap * sizeof *ep);
    if (!ep)
        return -1;
    s->ep = ep;
    memset(ep + from, 0, (cap - from) * sizeof *ep);
    return 0;
}

static int grow_pool(cc_sim *s, size_t cap)
{
    /* aligned, so that each slot's first cache line is one line; a
     * nation's pool in huge pages (bigmem.h: its slots are touched at
     * random); the new slots are zero */
    child *ch = ccbm_grow(s->ch, s->cap * sizeof *ch, cap * sizeof *ch);
    if (!ch)
        return -1;
    s->ch = ch;
    if (grow_episodes(s, s->ep ? s->cap : 0, cap) != 0)
        return -1;
    uint32_t *fl = realloc(s->freel, cap * sizeof *fl);
    if (!fl)
        return -1;
    s->freel = fl;
    size_t old = s->cap;
    s->cap = cap;
    if (ccs_grow_queue(s) != 0) {
        s->cap = old;
        return -1;
    }
    s->cap = old;
    if (ccpl_grow(s, cap) != 0)
        return -1;
    /* New slots go on the free list so that lower slots are reused first. */
    for (size_t i = cap; i > s->cap; i--)
        fl[s->nfree++] = (uint32_t)(i - 1);
    s->cap = cap;
    return 0;
}

static double exp_rates_of(const cc_sim *s, int co, int fl, int pt, double rate[CCM_NROUTE + 4]);

/* This forecast year's drift (uncert.h: CCU_NDRIFT values), or NULL. */
static const double *drift_now(const cc_sim *s)
{
    const cc_params *p = s->p;
    if (!p->drift || p->drift_years <= 0)
        return NULL;
    int y = s->year < p->drift_years ? s->year : p->drift_years - 1;
    return p->drift + (size_t)y * CCU_NDRIFT;
}

/* The destinations at 18 with the staying-put share shifted by `shift` on
 * the logit scale; the other destinations keep their proportions. */
static void shift_leave18(const double in[CCM_NDEST], double shift, double out[CCM_NDEST])
{
    double sp = in[CCM_STAYING_PUT];
    memcpy(out, in, CCM_NDEST * sizeof *out);
    if (shift == 0 || sp <= 0 || sp >= 1)
        return;
    double x = 1 / (1 + exp(-(log(sp / (1 - sp)) + shift)));
    for (int k = 0; k < CCM_NDEST; k++)
        out[k] = k == CCM_STAYING_PUT ? x : in[k] * (1 - x) / (1 - sp);
}

/* The tables derived from the parameters: need multipliers (with this
 * year's drift of exits and moves folded in), the destinations at 18, and
 * the exponential hazards by (cohort, need flags, placement). Again when a
 * scenario's parameters change or a drift year begins. */
static void derive_rates(cc_sim *s)
{
    const cc_params *p = s->p;
    const double *dr = drift_now(s);
    for (int m = 0; m < CCM_NNEEDMASK; m++) {
        for (int k = 0; k < CCM_NROUTE; k++) {
            s->mexit[m][k] = dr ? dr[CCU_DR_EXIT + k] : 1;
            for (int f = 0; f < CCM_NNEED; f++)
                if (m & (1 << f))
                    s->mexit[m][k] *= p->need_exit_mult[f][k];
        }
        s->mmove[m] = dr ? dr[CCU_DR_MOVE] : 1;
        for (int f = 0; f < CCM_NNEED; f++)
            if (m & (1 << f))
                s->mmove[m] *= p->need_move_mult[f];
    }
    for (int pt = 0; pt < CCM_NPT; pt++)
        shift_leave18(p->leave18[pt], dr ? dr[CCU_DR_STAYPUT] : 0, s->l18[pt]);
    s->entry_max = 1;
    for (int c = 0; dr && c < CCM_NCOHORT; c++)
        s->entry_max = c == 0 || dr[CCU_DR_ENTRY + c] > s->entry_max ? dr[CCU_DR_ENTRY + c] : s->entry_max;
    s->frail = p->move_frailty_var > 0;
    if (s->frail)
        for (int moved = 0; moved < 2; moved++)
            ccz_gamma_prep(&s->fgam[moved], 1 / p->move_frailty_var + moved);
    /* with frailty a child's move hazard is its own: the shared table's
     * sum of exponential rates leaves moves out (move_rate adds them back) */
    s->frail_exp = s->frail && p->move_dist.family == CCM_DIST_EXP;
    s->move_drawn = p->move_dist.family != CCM_DIST_EXP;
    s->exit_drawn = 0;
    for (int k = 0; k < CCM_NROUTE; k++)
        if (p->exit_dist[k].family != CCM_DIST_EXP)
            s->exit_drawn |= 1u << k;
    s->all_exp = !s->move_drawn && !s->frail && !s->exit_drawn;
    for (int co = 0; co < CCM_NCOHORT; co++)
        for (int fl = 0; fl < CCM_NNEEDMASK; fl++)
            for (int pt = 0; pt < CCM_NPT; pt++) {
                double *row = s->xr[((size_t)co * CCM_NNEEDMASK + (size_t)fl) * CCM_NPT + (size_t)pt];
                row[CCM_NROUTE + 2] = exp_rates_of(s, co, fl, pt, row);
            }
}

cc_sim *ccs_new(const cc_params *p, const ccx_layout *L, int ndates, const double *snap_t)
{
    cc_sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p;
    s->L = L;
    s->ndates = ndates;
    s->snap_t = snap_t;
    int n0 = 0;
    for (int c = 0; c < CCM_NCOHORT; c++)
        n0 += p->init_count[c];
    size_t cap = (size_t)n0 + (size_t)(p->entry_total * 2) + 64;
    s->q = ccq_new(H_BASE + 2 * cap);
    s->arr = gsl_rng_alloc(ccr_type());
    s->init = gsl_rng_alloc(ccr_type());
    s->cur = calloc((size_t)L->n, sizeof *s->cur);
    s->prov_where = calloc((size_t)p->supply.n + 1, 1);
    if (!s->q || !s->arr || !s->init || !s->cur || !s->prov_where || ccmo_new(s) != 0 || ccpl_new(s) != 0 ||
        grow_pool(s, cap) != 0) {
        ccs_free(s);
        return NULL;
    }
    for (int k = 0; k < CCM_NROUTE; k++)
        s->route_series[k] = k == CCM_EXIT_OTHER ? L->ex_age18 + 1 : L->ex_route + k;
    s->xr = malloc((size_t)CCM_NCOHORT * CCM_NNEEDMASK * CCM_NPT * sizeof *s->xr);
    s->xr_old = malloc((size_t)CCM_NCOHORT * CCM_NNEEDMASK * CCM_NPT * sizeof *s->xr);
    s->thin = gsl_rng_alloc(ccr_type());
    if (!s->xr || !s->xr_old || !s->thin) {
        ccs_free(s);
        return NULL;
    }
    derive_rates(s);
    ccta_bind(s);
    if (L->dfe >= 0) {
        s->march = calloc((size_t)ndates, 1);
        if (!s->march) {
            ccs_free(s);
            return NULL;
        }
        for (int k = 0; k < ndates; k++) {
            int y, m, d;
            ccd_to_ymd(ccd_add_month_ends(p->start_day, k), &y, &m, &d);
            s->march[k] = m == 3;
        }
    }
    return s;
}

void ccs_free(cc_sim *s)
{
    if (!s)
        return;
    free(s->ch);
    free(s->freel);
    free(s->ep);
    free(s->xr);
    free(s->xr_old);
    if (s->thin)
        gsl_rng_free(s->thin);
    ccpl_free(s);
    ccq_free(s->q);
    if (s->arr)
        gsl_rng_free(s->arr);
    if (s->init)
        gsl_rng_free(s->init);
    free(s->cur);
    free(s->prov_where);
    free(s->tally_chk);
    ccmo_free(s);
    free(s->lab_d);
    free(s->lab_t);
    free(s->lab_f);
    free(s->march);
    free(s);
}

static void advance_clock(cc_sim *s, double t)
{
    s->tot.child_days += s->in_care * (t - s->last_t);
    s->last_t = t;
}

/* ---- durations ---- */

/* Time of the event, given that `elapsed` days on its clock have passed
 * without it, for a duration of family d with scale parameter `scale`
 * (Weibull scale in days, or lognormal mu) divided by rate multiplier m. */
static double draw_after(const gsl_rng *r, const cc_dist *d, double scale, double m, double elapsed)
{
    if (m <= 0 || !isfinite(scale))
        return INFINITY;
    if (d->family == CCM_DIST_WEIBULL) {
        double lam = scale / m, k = d->shape;
        double total = lam * pow(pow(elapsed / lam, k) + ccz_exp1(r), 1 / k);
        return total - elapsed;
    }
    double mu = scale - log(m), sg = d->shape;
    double f0 = elapsed > 0 ? gsl_cdf_lognormal_P(elapsed, mu, sg) : 0;
    double u = f0 + ccr_uniform_pos(r) * (1 - f0);
    if (u >= 1)
        return INFINITY;
    double total = gsl_cdf_lognormal_Pinv(u, mu, sg);
    return total > elapsed ? total - elapsed : 0;
}

/* The child's frailty as a multiplier of time in draw_after: a Weibull
 * hazard times z is the time scale divided by z^(1/k); for exponential and
 * lognormal durations the frailty multiplies the rate multiplier itself
 * (for lognormal this is an accelerated-failure-time approximation). */
static double frail_aft(const cc_params *p, const child *c)
{
    if (p->move_frailty_var <= 0)
        return 1;
    return p->move_dist.family == CCM_DIST_WEIBULL ? pow(c->frail, 1 / p->move_dist.shape) : c->frail;
}

/* Cumulative move hazard of child c, frailty 1, over `t` days in its current
 * placement. */
static double move_cumhaz(const cc_sim *s, const child *c, double t)
{
    const cc_params *p = s->p;
    double m = s->mmove[c->flags], scale = p->move_scale[c->placed][c->cohort];
    if (t <= 0 || m <= 0 || !isfinite(scale))
        return 0;
    if (p->move_dist.family == CCM_DIST_EXP)
        return p->move_rate[c->placed][c->cohort] * m * t / DAYS_PER_YEAR;
    if (p->move_dist.family == CCM_DIST_WEIBULL)
        return pow(t * m / scale, p->move_dist.shape);
    double q = gsl_cdf_lognormal_Q(t, scale - log(m), p->move_dist.shape);
    return q > 0 ? -log(q) : 700;
}

/* Exponential hazards, a year, of a child in cohort co with need flags fl
 * placed in type pt: routes, move, semi-independent step (and in element
 * CCM_NROUTE + 3 the routes' sum); returns the sum of them all, which
 * leaves the move out when moves have frailty (a child's own move hazard
 * is the move's rate here times its frailty: move_rate). */
static double exp_rates_of(const cc_sim *s, int co, int fl, int pt, double rate[CCM_NROUTE + 4])
{
    const cc_params *p = s->p;
    double sum = 0;
    for (int k = 0; k < CCM_NROUTE; k++) {
        rate[k] = p->exit_dist[k].family == CCM_DIST_EXP
                      ? p->exit_rate[k][co] * s->mexit[fl][k] * p->type_exit_mult[k][pt]
                      : 0;
        sum += rate[k];
    }
    rate[CCM_NROUTE + 3] = sum;
    rate[CCM_NROUTE] = p->move_dist.family == CCM_DIST_EXP ? p->move_rate[pt][co] * s->mmove[fl] : 0;
    if (!s->frail)
        sum += rate[CCM_NROUTE];
    rate[CCM_NROUTE + 1] = co == CCM_NCOHORT - 1 ? p->semi_rate[pt] : 0;
    sum += rate[CCM_NROUTE + 1];
    return sum;
}

/* The precomputed row of exp_rates_of for child c; element CCM_NROUTE + 2
 * is the sum, CCM_NROUTE + 3 the exit routes' sum. */
static const double *exp_rates(const cc_sim *s, const child *c)
{
    return s->xr[((size_t)c->cohort * CCM_NNEEDMASK + c->flags) * CCM_NPT + c->placed];
}

/* The child's own exponential move hazard a year, given its row of
 * exp_rates: with frailty the row's times the child's frailty (the row's
 * sum then leaves moves out). 0 when moves are not exponential. */
static double move_rate(const cc_sim *s, const child *c, const double *row)
{
    return s->frail_exp ? row[CCM_NROUTE] * c->frail : row[CCM_NROUTE];
}

/* ccs_plan's durations that are not exponential (s->exit_drawn's routes,
 * moves when s->move_drawn), each drawn again from child c's stream given
 * the time elapsed on its clock: *best and *kind become the earliest of
 * them when it is earlier. Kept out of ccs_plan, whose usual case (every
 * clock exponential) then needs no stream and no loop. */
static void draw_durations(cc_sim *s, child *c, double t, double *best, uint32_t *kind)
{
    const cc_params *p = s->p;
    gsl_rng rv = ccs_child_rng(s, (uint32_t)(c - s->ch));
    const gsl_rng *r = &rv;
    for (unsigned k = 0, todo = s->exit_drawn; todo; k++, todo >>= 1) {
        if (!(todo & 1))
            continue;
        double dt = draw_after(r, &p->exit_dist[k], p->exit_scale[k][c->cohort],
                               s->mexit[c->flags][k] * p->type_exit_mult[k][c->placed], t - c->entered);
        if (t + dt < *best) {
            *best = t + dt;
            *kind = k;
        }
    }
    if (s->move_drawn) {
        double dt = draw_after(r, &p->move_dist, p->move_scale[c->placed][c->cohort],
                               s->mmove[c->flags] * frail_aft(p, c), t - c->placed_since);
        if (t + dt < *best) {
            *best = t + dt;
            *kind = EV_MOVE;
        }
    }
}

/* Draw the child's next event (competing risks: the earliest wins).
 *
 * The exponential hazards race as one clock, their sum: on_bundle picks
 * which fired. The clock is drawn when `fresh` (the child has just entered,
 * or its clock has just fired); otherwise it keeps running and only its
 * pace follows the new sum: with the sum going from l0 to l1 the time left
 * is scaled by l0 / l1. That is exact, not an approximation: an
 * exponential clock has no memory, so the time it has left is exponential
 * with the old rate, and scaled so, with the new one. A birthday, a move the
 * supply side makes, a drift year or a scenario's new hazards therefore
 * take no draw from the child's stream. Durations that are not exponential
 * (Weibull, lognormal) are drawn again each time, given the time elapsed.
 * Inlined at every call (the drift year's loop over every child in care, a
 * move, an entry: each call saves the call's own 20 or so instructions;
 * docs/performance.md, "A child's clock, entry and exit"). */
HOT void ccs_plan(cc_sim *s, uint32_t i, double t, int fresh)
{
    child *c = &s->ch[i];
    double best = c->next_bday;
    uint32_t kind = EV_BIRTHDAY;
    if (c->deadline < best) {
        best = c->deadline;
        kind = EV_DEADLINE;
    }
    if (s->exit_drawn | s->move_drawn)
        draw_durations(s, c, t, &best, &kind);
    /* with frailty, the child's own move hazard joins the sum */
    const double *row = exp_rates(s, c);
    double sum = row[CCM_NROUTE + 2];
    if (s->frail_exp)
        sum += move_rate(s, c, row);
    double te = INFINITY;
    if (sum > 0) {
        if (fresh || !(c->xrate > 0)) { /* a stopped clock has no time left to scale: draw */
            gsl_rng r = ccs_child_rng(s, i);
            te = t + ccz_exponential(&r, DAYS_PER_YEAR / sum);
        } else if (sum == c->xrate) {
            te = c->xclock;
        } else {
            te = t + (c->xclock - t) * (c->xrate / sum);
        }
    }
    c->xclock = te;
    c->xrate = sum;
    if (te < best) {
        best = te;
        kind = EV_BUNDLE;
    }
    if (isfinite(best))
        ccq_schedule(s->q, child_handle(i), best, kind, PRIO_CHILD);
    else
        ccq_cancel(s->q, child_handle(i));
}

static void set_birthday(cc_sim *s, child *c)
{
    if (!s->p->ageing) {
        c->next_bday = INFINITY;
        return;
    }
    /* the birthday in the year the next cohort starts; 29 February counts
     * as 1 March in other years (as ccd_add_years; ccd_from_ymd gives 1
     * March for it by itself) */
    int y = c->by + ccm_cohort_lo[c->cohort + 1];
    c->next_bday = (double)(ccd_from_ymd(y, c->bm, c->bd) - s->p->start_day - 1);
}

/* Day number of y-m-d shifted by k years (29 February to 1 March, which
 * ccd_from_ymd does itself). */
static int32_t shift_years(int y, int m, int d, int k) { return ccd_from_ymd(y + k, m, d); }

/* Leap years from year 1 to year y >= 0. */
static inline int32_t leaps_to(int y)
{
    uint32_t u = (uint32_t)y;
    return (int32_t)(u / 4 - u / 100 + u / 400);
}

/* The day `a` years before s->today (29 February to 1 March): a years of
 * 365 days and one more for every 29 February in between, which are the
 * leap years among the a years counted from 1 March that end at today's. */
static inline int32_t years_before(const cc_sim *s, int a)
{
    if ((s->tm == 2 && s->td == 29) || s->tmy < a) /* rare: the general way */
        return shift_years(s->ty, s->tm, s->td, -a);
    return s->today - 365 * a - (s->tleaps - leaps_to(s->tmy - a));
}

/* draw_dob's month: the one of s->today (s->ty, s->tm, s->td set). */
static void set_month(cc_sim *s, int32_t today)
{
    s->mfirst = today - s->td + 1;
    s->mlen = ccd_days_in_month(s->ty, s->tm);
    s->my = s->ty;
    s->mm = s->tm;
    s->tmy = s->ty - (s->tm <= 2);
    s->tleaps = s->tmy >= 0 ? leaps_to(s->tmy) : 0;
}

/* Birth date of a child in cohort `co` on day `today`, drawn from the
 * child's stream: with cdf NULL uniform over the dates that put it in that
 * cohort; otherwise its single year of age within the cohort is drawn from
 * the cumulative weights cdf[] (entries.age_profile), then the date
 * uniformly within that year of age, both from one uniform (ccr_cdf_pick
 * stretches it within the year's share: a 32-bit uniform spread over the
 * dates leaves each date's chance off its share by a few parts in a
 * million at most, for a year of age with 1% of the weights or more). */
HOT void draw_dob(cc_sim *s, const gsl_rng *r, int co, const double *cdf, int32_t today, child *c)
{
    if (today != s->today) { /* many children are drawn on the same day or month */
        s->today = today;
        if (today - s->mfirst >= 0 && today - s->mfirst < s->mlen) {
            s->ty = s->my;
            s->tm = s->mm;
            s->td = today - s->mfirst + 1;
        } else {
            ccd_to_ymd(today, &s->ty, &s->tm, &s->td);
            set_month(s, today);
        }
    } else if (s->tm != s->mm || s->ty != s->my) { /* place.c's today outside the month */
        set_month(s, today);
    }
    int from = ccm_cohort_lo[co], to = ccm_cohort_lo[co + 1];
    double u = ccr_uniform(r); /* one uniform: the year of age, then the date */
    if (cdf) {
        from += ccr_cdf_pick(&u, cdf, to - from);
        to = from + 1;
    }
    int32_t lo = years_before(s, to) + 1;
    int32_t hi = years_before(s, from);
    int32_t dob = lo + (int32_t)(u * (double)(hi - lo + 1));
    int y, m, d;
    ccd_to_ymd(dob, &y, &m, &d);
    c->by = (int16_t)y;
    c->bm = (uint8_t)m;
    c->bd = (uint8_t)d;
}

static int alloc_slot(cc_sim *s, uint32_t *slot)
{
    if (s->nfree == 0 && grow_pool(s, s->cap * 2) != 0)
        return -1;
    *slot = s->freel[--s->nfree];
    if (*slot >= s->hi)
        s->hi = *slot + 1;
    if (s->ep)
        memset(&s->ep[*slot], 0, sizeof *s->ep);
    return 0;
}

/* Child i leaves care at time t; `series` is the exit route's series. */
static void leave(cc_sim *s, uint32_t i, double t, int series)
{
    child *c = &s->ch[i];
    s->cur[s->L->ex_all] += 1;
    s->cur[series] += 1;
    if (c->entrant && c->entered <= s->tot.horizon - 18 * DAYS_PER_YEAR) {
        s->tot.completed++;
        s->tot.completed_days += t - c->entered;
    }
    if (s->trace_ep) {
        static const char *const rec[CCM_NROUTE] = {"E4A", "E11", "E45", "E41", "E8"};
        static const char *const rec18[CCM_NDEST] = {"E17", "E5", "E6"};
        const char *code = series == s->L->ex_age18 ? rec18[c->dest18] : "E8";
        for (int k = 0; k < CCM_NROUTE; k++)
            if (series == s->route_series[k])
                code = rec[k];
        cctr_left(s, c, code);
    }
    ccta_count(s, c, -1);
    ccpl_vacate(s, i, t);
    c->in_care = 0;
    s->in_care--;
    ccq_cancel(s->q, child_handle(i));
    s->freel[s->nfree++] = i;
}

/* Move to semi-independent provision (at 16 or later at 16-17): the child
 * now needs semi-independent provision and is matched to it. */
static void to_semi(cc_sim *s, uint32_t i, double t)
{
    child *c = &s->ch[i];
    ccta_count(s, c, -1);
    ccpl_vacate(s, i, t);
    c->need = CCM_SEMI;
    c->placed = CCM_SEMI;
    c->placed_since = t;
    ccs_new_placement(s, c);
    ccpl_match(s, i, t);
    ccta_count(s, c, +1);
    s->cur[s->L->tr16] += 1;
}

/* ---- initial population ---- */

static int ensure_labels(cc_sim *s, size_t n)
{
    if (n <= s->lab_cap)
        return 0;
    int *a = realloc(s->lab_d, n * sizeof *a);
    if (!a)
        return -1;
    s->lab_d = a;
    a = realloc(s->lab_t, n * sizeof *a);
    if (!a)
        return -1;
    s->lab_t = a;
    a = realloc(s->lab_f, n * sizeof *a);
    if (!a)
        return -1;
    s->lab_f = a;
    s->lab_cap = n;
    return 0;
}

static void fill_labels(int *lab, const int *counts, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < counts[i]; j++)
            lab[k++] = i;
}

/* A value from quantiles q[0..n-1] at probabilities 0, 1/(n-1), ..., 1,
 * by linear interpolation at probability u. */
static double quantile_at(const double *q, int n, double u)
{
    double x = u * (n - 1);
    int i = (int)x;
    if (i >= n - 1)
        return q[n - 1];
    return q[i] + (x - i) * (q[i + 1] - q[i]);
}

/* A start-date child's time in care and in its placement so far (days, from
 * initial.history; one uniform from its stream gives both, at the same
 * probability, so each keeps its stated distribution and the placement
 * (stochastically the shorter) rarely needs capping): the placement began
 * no earlier than care, and care no earlier than birth. Its clocks start
 * that long before time 0. */
static void draw_history(cc_sim *s, const gsl_rng *r, child *c)
{
    const cc_params *p = s->p;
    int n = p->hist_n[c->cohort];
    /* together: one draw for both (time in placement never exceeds time in
     * care); independent: the placement's age has its own draw, capped below */
    double u = ccr_uniform(r);
    double in_care = quantile_at(p->hist_care[c->cohort], n, u);
    double in_place = quantile_at(p->hist_place[c->cohort], n, p->hist_indep ? ccr_uniform(r) : u);
    double age = (double)(p->start_day - ccd_from_ymd(c->by, c->bm, c->bd));
    if (in_care > age) {
        /* a child younger than its time in care: its birth date is drawn
         * again, evenly over the band's dates at least in_care days before
         * the start date, so that the stated time in care holds (the age
         * within the band is an assumption, the history is data); capped
         * only when the band has no such date */
        int from = ccm_cohort_lo[c->cohort + 1];
        int y, m, d;
        ccd_to_ymd(p->start_day, &y, &m, &d);
        int32_t lo = shift_years(y, m, d, -from) + 1;
        int32_t hi = p->start_day - (int32_t)ceil(in_care);
        if (hi >= lo) {
            int32_t dob = lo + (int32_t)ccr_uniform_int(r, (unsigned long)(hi - lo + 1));
            ccd_to_ymd(dob, &y, &m, &d);
            c->by = (int16_t)y;
            c->bm = (uint8_t)m;
            c->bd = (uint8_t)d;
            age = (double)(p->start_day - dob);
        }
        if (in_care > age)
            in_care = age;
    }
    if (in_place > in_care)
        in_place = in_care;
    c->entered = -in_care;
    c->placed_since = -in_place;
}

/* A child's move-hazard frailty: Gamma with mean 1 and variance v at entry
 * (H = 0, moved = 0). For a start-date child, H is the cumulative hazard
 * (frailty 1) it has survived in its current placement, and `moved` is 1
 * when that placement began with a move (not with entry to care): the
 * likelihood z^moved exp(-z H) makes the posterior Gamma(shape 1/v + moved,
 * rate 1/v + H). Earlier placements are not known and not used. */
static double draw_frailty(const cc_sim *s, const gsl_rng *r, double H, int moved)
{
    double v = s->p->move_frailty_var;
    return ccz_gamma_k1(r, &s->fgam[moved != 0]) / (1 / v + H);
}

/* The children in care at the start date: exact counts per cohort, and per
 * cohort exact (largest-remainder) counts per district, placement type and
 * need flag, paired at random by the replication's initial-population
 * stream; each child's birth date comes from its own stream. */
static int initial_population(cc_sim *s, uint64_t seed, uint64_t rep)
{
    const cc_params *p = s->p;
    ccr_set(s->init, seed, rep, CCR_INITIAL, 0);
    int against[CCM_NCOHORT], tcs[CCM_NCOHORT][CCM_NPT];
    double wres[CCM_NCOHORT];
    int total_resi = 0;
    for (int c = 0; c < CCM_NCOHORT; c++) {
        ccm_apportion(p->init_ptype[c], CCM_NPT, p->init_count[c], tcs[c]);
        wres[c] = tcs[c][CCM_RESIDENTIAL];
        total_resi += tcs[c][CCM_RESIDENTIAL];
    }
    /* residential children whose plan recommends family care, over cohorts */
    ccm_apportion(wres, CCM_NCOHORT, (int)lround(p->resi_against_plan * total_resi), against);
    for (int c = 0; c < CCM_NCOHORT; c++) {
        int n = p->init_count[c];
        if (n == 0)
            continue;
        if (ensure_labels(s, (size_t)n) != 0)
            return -1;
        int dc[256];
        ccm_apportion(p->init_district + c * p->nd, p->nd, n, dc);
        fill_labels(s->lab_d, dc, p->nd);
        fill_labels(s->lab_t, tcs[c], CCM_NPT);
        ccr_shuffle(s->init, s->lab_d, (size_t)n, sizeof(int));
        ccr_shuffle(s->init, s->lab_t, (size_t)n, sizeof(int));
        int left_against = against[c];
        for (int j = 0; j < n; j++) {
            uint32_t slot;
            if (alloc_slot(s, &slot) != 0)
                return -1;
            child *ch = &s->ch[slot];
            memset(ch, 0, sizeof *ch);
            ch->serial = s->next_serial++;
            ch->pl_fy = -1;
            ch->prov = -1;
            ch->deadline = INFINITY;
            ch->hh = NONE;
            gsl_rng rv = ccs_child_rng(s, slot), *r = &rv;
            ccr_set_index(r, s->child_base, ch->serial);
            ch->cohort = (uint8_t)c;
            ch->district = (uint8_t)s->lab_d[j];
            ch->placed = (uint8_t)s->lab_t[j];
            ch->need = ch->placed;
            if (ch->placed == CCM_RESIDENTIAL && left_against > 0) {
                ch->need = CCM_FOSTER;
                left_against--;
            }
            draw_dob(s, r, c, NULL, p->start_day, ch);
            ch->frail = 1;
            if (p->hist_n[c] > 0)
                draw_history(s, r, ch);
            ch->in_care = 1;
            set_birthday(s, ch);
            s->lab_f[j] = (int)slot;
        }
        /* exactly round(share * n) children of the cohort carry each flag */
        for (int f = 0; f < CCM_NNEED; f++) {
            int k = (int)lround(p->init_need[f][c] * n);
            int *idx = s->lab_t; /* type labels are consumed: reuse as scratch */
            memcpy(idx, s->lab_f, (size_t)n * sizeof *idx);
            for (int j = 0; j < k; j++) {
                int pick = j + (int)ccr_uniform_int(s->init, (unsigned long)(n - j));
                int tmp = idx[j];
                idx[j] = idx[pick];
                idx[pick] = tmp;
                s->ch[idx[j]].flags |= (uint8_t)(1 << f);
            }
        }
        for (int j = 0; j < n; j++) {
            child *ch = &s->ch[s->lab_f[j]];
            gsl_rng rv = ccs_child_rng(s, (uint32_t)s->lab_f[j]);
            if (s->frail) /* given its placement's history */
                ch->frail = draw_frailty(s, &rv, move_cumhaz(s, ch, -ch->placed_since),
                                         ch->placed_since > ch->entered);
            ccta_count(s, ch, +1);
            s->in_care++;
        }
    }
    return 0;
}

/* ---- event handlers ---- */

HOT void schedule_arrival(cc_sim *s, double t)
{
    if (s->p->entry_total <= 0)
        return;
    ccq_schedule(s->q, H_ARRIVAL, t + ccz_exponential(s->arr, s->arrival_mean), 0, PRIO_PROCESS);
}

static void set_arrival_rate(cc_sim *s)
{
    /* with drift, entries arrive at the largest cohort's drifted rate and
     * on_arrival keeps each with its cohort's drift over that */
    double mult = pow(1 + s->p->entry_trend, s->year) * s->entry_max;
    s->arrival_mean = DAYS_PER_YEAR / (s->p->entry_total * mult);
}

/* A child enters care at time t: the arrival stream picks the cell (cohort
 * and district); everything else comes from the child's own stream. */
static int on_arrival(cc_sim *s, double t)
{
    const cc_params *p = s->p;
    size_t cell = ccr_discrete(s->arr, p->entry_cell);
    const double *dr = drift_now(s);
    if (dr) { /* drift thins the entries (the same in baseline and scenario: no serial is used) */
        double keep = dr[CCU_DR_ENTRY + cell / (size_t)p->nd] / s->entry_max;
        if (keep < 1 && ccr_uniform(s->arr) >= keep)
            return 0;
    }
    /* an edge-of-care lever prevents some entries: the arrival still uses
     * its serial, so every later child keeps its own random stream */
    double keep = p->entry_keep[cell / (size_t)p->nd];
    if (keep < 1 && ccr_uniform(s->thin) >= keep) {
        s->next_serial++;
        return 0;
    }
    uint32_t slot;
    if (alloc_slot(s, &slot) != 0)
        return -1;
    child *c = &s->ch[slot];
    /* the slot whole, in one assignment (the fields not named are zero) */
    *c = (child){.serial = s->next_serial++,
                 .cohort = (uint8_t)(cell / (size_t)p->nd),
                 .district = (uint8_t)(cell % (size_t)p->nd),
                 .entered = t,
                 .placed_since = t,
                 .entrant = 1,
                 .in_care = 1,
                 .prov = -1,
                 .deadline = INFINITY,
                 .hh = NONE};
    gsl_rng rv = ccs_child_rng(s, slot), *r = &rv;
    ccr_set_taus(&c->rs, s->child_base, c->serial); /* ccr_set_index, inlined */
    /* entries come at t >= 0, where truncation is the floor */
    int32_t today = p->start_day + 1 + (t >= 0 ? (int32_t)t : (int32_t)floor(t));
    draw_dob(s, r, c->cohort, p->entry_age_even[c->cohort] ? NULL : p->entry_age_cdf[c->cohort], today, c);
    c->pl_fy = s->fy_idx;
    c->pl_n = 1;
    if (s->L->dfe >= 0) { /* age on starting, in the DfE's bands (draw_dob cached today's date) */
        int age = s->ty - c->by - (s->tm < c->bm || (s->tm == c->bm && s->td < c->bd));
        int band = age < 1 ? CCX_DFE_U1 : age < 5 ? CCX_DFE_1_4 : age < 10 ? CCX_DFE_5_9 : age < 16 ? CCX_DFE_10_15
                                                                                                  : CCX_DFE_16;
        s->cur[s->L->dfe + band] += 1;
    }
    double qn[CCM_NNEED]; /* the need flags, independent, from one uniform */
    for (int f = 0; f < CCM_NNEED; f++)
        qn[f] = p->entry_need[f][c->cohort];
    c->flags = (uint8_t)ccr_events(ccr_uniform(r), qn, CCM_NNEED);
    c->need = (uint8_t)ccr_discrete(r, p->entry_pt[c->cohort]);
    c->placed = c->need;
    c->frail = s->frail ? draw_frailty(s, r, 0, 0) : 1;
    set_birthday(s, c);
    ccpl_match(s, slot, t);
    ccta_count(s, c, +1);
    s->in_care++;
    if (s->in_care > s->tot.peak)
        s->tot.peak = s->in_care;
    s->tot.entries++;
    s->cur[s->L->ent_all] += 1;
    s->cur[s->L->ent_cohort + c->cohort] += 1;
    ccs_plan(s, slot, t, 1);
    return 0;
}

static void on_birthday(cc_sim *s, uint32_t i, double t)
{
    const cc_params *p = s->p;
    child *c = &s->ch[i];
    gsl_rng rv = ccs_child_rng(s, i), *r = &rv;
    if (c->cohort == CCM_NCOHORT - 1) {
        /* 18th birthday: care ends; where the young person goes next */
        double u = ccr_uniform(r), acc = 0;
        int dest = CCM_NDEST - 1;
        for (int k = 0; k < CCM_NDEST; k++) {
            acc += s->l18[c->placed][k];
            if (u < acc) {
                dest = k;
                break;
            }
        }
        s->cur[s->L->tr18 + dest] += 1;
        c->dest18 = (uint8_t)dest;
        /* DfE: care leavers in a foster placement on their 18th birthday who
         * are eligible for care leavers support: looked after for at least
         * 13 weeks since 14 (one episode here: 91 days in care by now). A
         * start-date child without a stated history is taken as eligible. */
        int eligible = t - c->entered >= 91 || (!c->entrant && p->hist_n[CCM_NCOHORT - 1] == 0);
        if (s->L->dfe >= 0 && eligible && (c->placed == CCM_FOSTER || c->placed == CCM_KINSHIP)) {
            s->cur[s->L->dfe + CCX_DFE_SP_ELIG] += 1;
            if (dest == CCM_STAYING_PUT)
                s->cur[s->L->dfe + CCX_DFE_SP_YES] += 1;
        }
        leave(s, i, t, s->L->ex_age18);
        return;
    }
    /* only the stocks that depend on the cohort change (see ccs_count) */
    const ccx_layout *L = s->L;
    int family = c->placed == CCM_FOSTER || c->placed == CCM_KINSHIP;
    s->cur[L->la_cohort + c->cohort] -= 1;
    if (family && c->cohort == 3)
        s->cur[L->kpi + CCX_KPI_FAMILY_12_15] -= 1;
    c->cohort++;
    s->cur[L->la_cohort + c->cohort] += 1;
    if (family && c->cohort == 3)
        s->cur[L->kpi + CCX_KPI_FAMILY_12_15] += 1;
    set_birthday(s, c);
    if (c->cohort == CCM_NCOHORT - 1 && ccr_uniform(r) < p->semi_at16[c->placed])
        to_semi(s, i, t);
    ccs_plan(s, i, t, 0);
}

/* A placement ends and the child moves; a foster placement that breaks down
 * may end in a need for residential care (escalation). `fired`: the move
 * came from the child's exponential clock (on_bundle), which is drawn
 * again, rather than from a move duration drawn apart. */
static void move(cc_sim *s, uint32_t i, double t, int fired)
{
    child *c = &s->ch[i];
    s->cur[s->L->mv_all] += 1;
    s->cur[s->L->mv_breakdown] += 1;
    c->placed_since = t;
    double esc = s->p->escalate[c->cohort];
    int escalate = c->placed == CCM_FOSTER && esc > 0 && ccs_child_uniform(s, i) < esc;
    /* the place is given up first: the child does not go back to it; who
     * the child is stays the same unless its need escalates */
    if (escalate) {
        ccta_count(s, c, -1);
        ccpl_vacate(s, i, t);
        c->need = CCM_RESIDENTIAL;
        c->placed = CCM_RESIDENTIAL;
        ccs_new_placement(s, c);
        ccpl_match(s, i, t);
        ccta_count(s, c, +1);
    } else {
        ccta_spot was = ccta_move_out(s, c);
        ccs_new_placement(s, c);
        ccpl_move(s, i, t);
        ccta_move_in(s, c, was);
    }
    ccs_plan(s, i, t, fired);
}

static void on_bundle(cc_sim *s, uint32_t i, double t)
{
    child *c = &s->ch[i];
    const double *rate = exp_rates(s, c);
    double fm = move_rate(s, c, rate);
    double sum = rate[CCM_NROUTE + 2];
    if (s->frail_exp)
        sum += fm;
    double u = ccs_child_uniform(s, i) * sum, acc = rate[CCM_NROUTE + 3];
    int k = CCM_NROUTE;
    if (u < acc) { /* an exit (rare beside moves): which route; else acc is the routes' sum */
        acc = 0;
        for (k = 0; k < CCM_NROUTE; k++) {
            acc += rate[k];
            if (u < acc)
                break;
        }
    }
    if (k == CCM_NROUTE && !(u < acc + fm))
        k++;
    if (k < CCM_NROUTE) {
        leave(s, i, t, s->route_series[k]);
        return;
    }
    if (k == CCM_NROUTE) {
        move(s, i, t, 1);
        return;
    }
    to_semi(s, i, t);
    ccs_plan(s, i, t, 1);
}

/* Draw the next events of the children the supply side moved while
 * handling the last event (a step-down, a closing home). 0 or -1. */
static int replan_moved(cc_sim *s, double t)
{
    const uint32_t *l;
    size_t n;
    int rc = ccpl_take_moved(s, &l, &n);
    for (size_t x = 0; x < n; x++)
        if (s->ch[l[x]].in_care)
            ccs_plan(s, l[x], t, 0);
    return rc;
}

static void snapshot(cc_sim *s, int k)
{
    const ccx_layout *L = s->L;
    if (L->dfe >= 0) {
        /* children in care with 3 or more placements since 1 April */
        uint32_t n = 0;
        for (size_t i = 0; i < s->cap; i++) {
            const child *c = &s->ch[i];
            n += c->in_care && c->pl_fy == s->fy_idx && c->pl_n >= 3;
        }
        s->cur[L->dfe + CCX_DFE_PL3] = n;
    }
    s->tot.pending += (double)ccq_size(s->q) / s->ndates;
    for (int j = 0; j < L->n; j++) {
        s->out[(size_t)j * (size_t)s->ndates + (size_t)k] = s->cur[j];
        if (L->kind[j] != CCX_STOCK)
            s->cur[j] = 0;
    }
    if (s->march && s->march[k])
        s->fy_idx++; /* a new April-March year begins */
}

void ccs_set_checks(cc_sim *s, int on) { s->checks = on; }

/* Checks (ccs_set_checks): the loops over the children in care stop at
 * s->hi (drift_year, switch_phase, ccs_begin): 1 if a child in care is at
 * or above it, or it is past the pool's end, else 0. */
static uint64_t check_slots(const cc_sim *s)
{
    if (s->hi > s->cap)
        return 1;
    for (size_t i = s->hi; i < s->cap; i++)
        if (s->ch[i].in_care)
            return 1;
    return 0;
}

void ccs_pool_memory(const cc_sim *s, size_t *bytes, long long *huge)
{
    *bytes = s->cap * sizeof *s->ch;
    *huge = ccbm_huge_bytes(s->ch, *bytes);
}

void ccs_bind_market(cc_sim *s, ccmk_market *mk, int council, const int16_t *market_of)
{
    ccpl_bind(s, mk, council, market_of);
}

void ccs_set_trace(cc_sim *s, FILE *episodes, FILE *header)
{
    s->trace_ep = episodes;
    s->trace_hd = header;
}

void ccs_set_phases(cc_sim *s, const cc_params *const *phases, const double *phase_t, int n)
{
    s->phases = phases;
    s->phase_t = phase_t;
    s->nphase = n;
}

void ccs_rebind(cc_sim *s, const cc_params *const *phases)
{
    s->p = phases[0];
    if (s->nphase > 1)
        s->phases = phases;
    derive_rates(s);
    ccta_bind(s);
}

/* Do the children's clocks differ between phases a and b? When they do
 * not (a lever on the supply side, on entries, a ramp-up's step of such a
 * lever), no child in care draws its next event again, so the pairing with
 * the baseline's replication is kept whole. */
static int clocks_differ(const cc_params *a, const cc_params *b)
{
    for (int k = 0; k < CCM_NROUTE; k++)
        if (a->exit_dist[k].family != b->exit_dist[k].family || a->exit_dist[k].shape != b->exit_dist[k].shape)
            return 1;
    return a->move_dist.family != b->move_dist.family || a->move_dist.shape != b->move_dist.shape ||
           a->move_frailty_var != b->move_frailty_var ||
           memcmp(a->exit_rate, b->exit_rate, sizeof a->exit_rate) != 0 ||
           memcmp(a->exit_scale, b->exit_scale, sizeof a->exit_scale) != 0 ||
           memcmp(a->move_rate, b->move_rate, sizeof a->move_rate) != 0 ||
           memcmp(a->move_scale, b->move_scale, sizeof a->move_scale) != 0 ||
           memcmp(a->type_exit_mult, b->type_exit_mult, sizeof a->type_exit_mult) != 0 ||
           memcmp(a->need_exit_mult, b->need_exit_mult, sizeof a->need_exit_mult) != 0 ||
           memcmp(a->need_move_mult, b->need_move_mult, sizeof a->need_move_mult) != 0;
}

/* A forecast year begins with drift: the hazards of this year's drift, and
 * every child in care plans again under them. */
static void drift_year(cc_sim *s, double t)
{
    derive_rates(s);
    for (uint32_t i = 0; i < s->hi; i++)
        if (s->ch[i].in_care)
            ccs_plan(s, i, t, 0);
}

/* A scenario's parameters change at time t (phase k): new hazards for the
 * children whose hazards changed, new supply and prices. */
static void switch_phase(cc_sim *s, int k, double t)
{
    const cc_params *old = s->p;
    double (*keep)[CCM_NROUTE + 4] = s->xr_old;
    s->xr_old = s->xr;
    s->xr = keep;
    s->p = s->phases[k];
    derive_rates(s);
    ccta_bind(s);
    size_t rowb = (CCM_NROUTE + 4) * sizeof(double);
    int differ = clocks_differ(old, s->p);
    for (uint32_t i = 0; i < s->hi && differ; i++) {
        const child *c = &s->ch[i];
        if (!c->in_care)
            continue;
        size_t row = ((size_t)c->cohort * CCM_NNEEDMASK + c->flags) * CCM_NPT + c->placed;
        if (!s->all_exp || memcmp(s->xr[row], s->xr_old[row], rowb) != 0)
            ccs_plan(s, i, t, 0);
    }
    ccpl_phase(s, old, t);
    ccmo_rebuild(s);
    if (k + 1 < s->nphase)
        ccq_schedule(s->q, H_PHASE, s->phase_t[k + 1], (uint32_t)(k + 1), PRIO_PROCESS);
}

int ccs_begin(cc_sim *s, uint64_t seed, uint64_t rep, double *out)
{
    const cc_params *p = s->p;
    s->seed = seed;
    s->rep = rep;
    s->done = 0;
    ccq_clear(s->q);
    s->nfree = 0;
    s->hi = 0;
    for (size_t i = s->cap; i > 0; i--) {
        s->ch[i - 1].in_care = 0;
        s->freel[s->nfree++] = (uint32_t)(i - 1);
    }
    memset(s->cur, 0, (size_t)s->L->n * sizeof *s->cur);
    memset(&s->tot, 0, sizeof s->tot);
    s->out = out;
    s->next_serial = 0;
    s->in_care = 0;
    s->last_t = 0;
    s->year = 0;
    s->today = INT32_MIN; /* the date cache (see draw_dob, age_years) */
    s->mlen = 0; /* draw_dob's month: none */
    s->fy_idx = 0;
    double horizon = s->snap_t[s->ndates - 1];
    s->tot.horizon = horizon;
    if (s->nphase > 1 && s->p != s->phases[0]) {
        s->p = s->phases[0];
        derive_rates(s);
        ccta_bind(s);
    } else if (s->p->drift) {
        derive_rates(s); /* the first year's drift (a run before may have left the last year's) */
    }
    if (s->trace_ep && !s->ep && grow_episodes(s, 0, s->cap) != 0)
        return -1;
    ccr_set(s->thin, seed, rep, CCR_THIN, 0);
    s->child_base = ccr_stream_base(seed, rep, CCR_CHILD);
    ccmo_reset(s);
    if (ccpl_reset(s, seed, rep) != 0 || initial_population(s, seed, rep) != 0)
        return -1;
    ccpl_initial(s);
    s->tot.peak = s->in_care;
    ccpl_snapshot(s);
    ccmo_snapshot(s);
    snapshot(s, 0);
    for (uint32_t i = 0; i < s->hi; i++)
        if (s->ch[i].in_care)
            ccs_plan(s, i, 0, 1);
    ccr_set(s->arr, seed, rep, CCR_ARRIVALS, 0);
    set_arrival_rate(s);
    schedule_arrival(s, 0);
    if (s->ndates > 1)
        ccq_schedule(s->q, H_MONTH, s->snap_t[1], 1, PRIO_SNAPSHOT);
    if (s->nphase > 1)
        ccq_schedule(s->q, H_PHASE, s->phase_t[1], 1, PRIO_PROCESS);
    if (p->entry_trend != 0 || p->drift)
        /* at the end of each anniversary of the start date, when the year's
         * output window closes */
        ccq_schedule(s->q, H_YEAR, (double)(ccd_add_years(p->start_day, 1) - p->start_day), 0, PRIO_PROCESS);
    return 0;
}

double ccs_next(const cc_sim *s)
{
    return s->done ? INFINITY : ccq_peek_time(s->q);
}

/* How many events ahead the engine fetches a child's slot: with a nation's
 * few hundred events a day, four events of work hide a slot's trip from
 * memory better than one (measured: docs/performance.md). */
#define FETCH_AHEAD 4
/* A pool of up to this many slots (512 KiB) stays in a core's cache (L2 on
 * current server cores is 512 KiB to 2 MiB): fetching ahead only costs it
 * instructions (measured: docs/performance.md, "A child's clock, entry and exit"). */
#define FETCH_MIN_SLOTS 4096

/* While this event is handled, fetch from memory what the next ones will
 * read (with a nation's children the slots are rarely in the cache): both
 * cache lines of the slot of the child FETCH_AHEAD events ahead in the day,
 * and, for the next event's child (whose slot an earlier call fetched),
 * its fostering household's record and its waiting record, which a move
 * reads. Hints only: the caller may yet schedule other events first. */
static void fetch_ahead(cc_sim *s)
{
    uint32_t i;
    if (child_of_handle(ccq_hint_ahead(s->q, FETCH_AHEAD), &i) && i < s->cap) {
        const char *slot = (const char *)&s->ch[i];
        for (size_t b = 0; b < sizeof(child); b += 64)
            __builtin_prefetch(slot + b);
    }
    if (child_of_handle(ccq_next_hint(s->q), &i) && i < s->cap) {
        const child *c = &s->ch[i];
        if (c->hh < s->sup.hcap)
            __builtin_prefetch(&s->sup.hh[c->hh]);
        if (c->waiting && i < s->sup.wt_cap)
            __builtin_prefetch(&s->sup.wt[i]);
    }
}

int ccs_step(cc_sim *s)
{
    const cc_params *p = s->p;
    cc_event ev;
    if (s->done || !ccq_pop(s->q, &ev)) {
        s->done = 1;
        return 1;
    }
    {
        if (s->cap > FETCH_MIN_SLOTS)
            fetch_ahead(s);
        s->tot.events++;
        advance_clock(s, ev.t);
        if (s->checks)
            s->tot.violations += ccpl_check(s, ev.t) + ccta_check(s) + check_slots(s);
        uint32_t i;
        if (child_of_handle(ev.handle, &i)) {
            if (ev.kind == EV_BIRTHDAY)
                on_birthday(s, i, ev.t);
            else if (ev.kind == EV_BUNDLE)
                on_bundle(s, i, ev.t);
            else if (ev.kind == EV_MOVE)
                move(s, i, ev.t, 0);
            else if (ev.kind == EV_DEADLINE)
                ccpl_deadline(s, i, ev.t);
            else
                leave(s, i, ev.t, s->route_series[ev.kind]);
        } else if (ev.handle == H_ARRIVAL) {
            if (on_arrival(s, ev.t) != 0)
                return -1;
            schedule_arrival(s, ev.t);
        } else if (ev.handle == H_MONTH) {
            int k = (int)ev.kind;
            ccpl_snapshot(s);
            ccmo_snapshot(s);
            snapshot(s, k);
            ccpl_review(s, ev.t);
            if (k + 1 >= s->ndates) {
                s->done = 1;
                return 1;
            }
            ccq_schedule(s->q, H_MONTH, s->snap_t[k + 1], (uint32_t)(k + 1), PRIO_SNAPSHOT);
        } else if (ev.handle == H_PHASE) {
            switch_phase(s, (int)ev.kind, ev.t);
        } else if (ev.handle == H_FY || ev.handle == H_ONEOFF) {
            ccmo_event(s, &ev);
        } else if (ev.handle >= H_APPLY) {
            if (ccpl_event(s, &ev) != 0)
                return -1;
        } else if (ev.handle == H_YEAR) {
            s->year++;
            if (s->p->drift)
                drift_year(s, ev.t);
            set_arrival_rate(s);
            schedule_arrival(s, ev.t);
            ccq_schedule(s->q, H_YEAR, (double)(ccd_add_years(p->start_day, s->year + 1) - p->start_day), 0,
                         PRIO_PROCESS);
        }
        if (s->sup.nmoved && replan_moved(s, ev.t) != 0)
            return -1;
    }
    return 0;
}

void ccs_end(cc_sim *s, ccs_totals *totals)
{
    cctr_finish(s);
    if (totals)
        *totals = s->tot;
}

int ccs_run(cc_sim *s, uint64_t seed, uint64_t rep, double *out, ccs_totals *totals)
{
    if (ccs_begin(s, seed, rep, out) != 0)
        return -1;
    int rc;
    while ((rc = ccs_step(s)) == 0)
        ;
    if (rc < 0)
        return -1;
    ccs_end(s, totals);
    return 0;
}
