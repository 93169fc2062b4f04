/* test_evq: the event queue pops in time order, breaks ties by priority then
 * handle, cancels and reschedules by handle, and grows. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "evq.h"


/* ---- a reference: the queue's promise spelt out with a scan ---- */

typedef struct {
    int on;
    double t;
    uint8_t prio;
    uint32_t kind;
} ref_ev;

/* earlier in (time, priority, handle) */
static int ref_before(const ref_ev *m, int a, int b)
{
    if (m[a].t != m[b].t)
        return m[a].t < m[b].t;
    if (m[a].prio != m[b].prio)
        return m[a].prio < m[b].prio;
    return a < b;
}

static int ref_best(const ref_ev *m, int k)
{
    int best = -1;
    for (int h = 0; h < k; h++)
        if (m[h].on && (best < 0 || ref_before(m, h, best)))
            best = h;
    return best;
}

/* How a random sequence of operations draws its times (each a share of
 * the draws; the rest are near: now + Exp(near) days). */
typedef struct {
    const char *name;
    int handles, steps;
    double origin;  /* the first "now" */
    double p_cancel, p_pop, p_again; /* of the steps; of the pops: the popped handle's next event */
    double near;    /* mean days ahead of a near event */
    double sameday; /* a few hours ahead, the same day when there is time left in it */
    double far;     /* uniform up to 20,000 days ahead: the overflow */
    double inf;     /* +infinity */
    double past;    /* up to 5 days before now */
    double now;     /* exactly now (ties with the event just popped) */
    double whole;   /* rounded down to a whole day (ties among many) */
    double same;    /* the handle's pending event again, unchanged or with another kind */
} mix;

static double draw_time(gsl_rng *r, const mix *mx, double now)
{
    double u = gsl_rng_uniform(r), t;
    if ((u -= mx->sameday) < 0) {
        double left = floor(now) + 1 - now; /* the rest of the day */
        t = now + gsl_rng_uniform(r) * (left > 0.25 ? 0.25 : left);
    } else if ((u -= mx->far) < 0) {
        t = now + gsl_rng_uniform(r) * 20000;
    } else if ((u -= mx->inf) < 0) {
        return INFINITY;
    } else if ((u -= mx->past) < 0) {
        t = now - gsl_rng_uniform(r) * 5;
    } else if ((u -= mx->now) < 0) {
        return now;
    } else {
        t = now - mx->near * log1p(-gsl_rng_uniform(r));
    }
    if (gsl_rng_uniform(r) < mx->whole)
        t = floor(t);
    return t;
}

/* Run mx's operations on q (cleared first) and on the reference; returns
 * the number of disagreements (pops, sizes, pending flags, next-event
 * hints), and the pops and the last time popped in *pops, *last. */
static int model_run(cc_evq *q, gsl_rng *r, const mix *mx, int *pops, double *last)
{
    ref_ev *m = calloc((size_t)mx->handles, sizeof *m);
    if (!m)
        return 1;
    ccq_clear(q);
    int bad = 0, on = 0;
    double now = mx->origin;
    *pops = 0;
    for (int step = 0; step < mx->steps; step++) {
        double u = gsl_rng_uniform(r);
        uint32_t h = (uint32_t)gsl_rng_uniform_int(r, (unsigned long)mx->handles);
        if (u < mx->p_cancel) {
            on -= m[h].on;
            m[h].on = 0;
            ccq_cancel(q, h);
        } else if (u < mx->p_cancel + mx->p_pop) {
            int best = ref_best(m, mx->handles);
            uint32_t hint = ccq_next_hint(q);
            cc_event ev;
            int got = ccq_pop(q, &ev);
            if (best < 0) {
                bad += got != 0;
                continue;
            }
            if (hint != UINT32_MAX)
                bad += hint != (uint32_t)best;
            if (!got || ev.handle != (uint32_t)best || ev.t != m[best].t || ev.kind != m[best].kind) {
                if (bad++ < 3)
                    fprintf(stderr, "%s: pop %d: got %u at %.17g, expected %d at %.17g\n", mx->name, *pops,
                            got ? ev.handle : 0u, got ? ev.t : 0.0, best, m[best].t);
                break; /* the rest would disagree too */
            }
            (*pops)++;
            if (isfinite(ev.t))
                now = ev.t;
            m[best].on = 0;
            on--;
            if (gsl_rng_uniform(r) >= mx->p_again)
                continue;
            h = (uint32_t)best;
        }
        if (u >= mx->p_cancel) { /* schedule h (or the popped handle) */
            if (m[h].on && gsl_rng_uniform(r) < mx->same) {
                if (gsl_rng_uniform(r) < 0.5)
                    m[h].kind = (uint32_t)gsl_rng_get(r); /* the same time, another kind */
            } else {
                m[h].t = draw_time(r, mx, now);
                m[h].prio = gsl_rng_uniform(r) < 0.02 ? 255 : (uint8_t)gsl_rng_uniform_int(r, 3);
                m[h].kind = (uint32_t)gsl_rng_get(r);
            }
            on += !m[h].on;
            m[h].on = 1;
            ccq_schedule(q, h, m[h].t, m[h].kind, m[h].prio);
        }
        bad += ccq_size(q) != (size_t)on || ccq_pending(q, h) != m[h].on;
    }
    /* and empty it */
    cc_event ev;
    for (int best; bad == 0 && (best = ref_best(m, mx->handles)) >= 0; m[best].on = 0) {
        if (!ccq_pop(q, &ev) || ev.handle != (uint32_t)best || ev.t != m[best].t)
            bad++;
        if (isfinite(ev.t))
            now = ev.t;
    }
    bad += bad == 0 && (ccq_pop(q, &ev) != 0 || ccq_size(q) != 0);
    *last = now;
    free(m);
    return bad;
}

int main(void)
{
    enum { N = 5000 };
    cc_evq *q = ccq_new(16);
    CHECK(q != NULL, "allocation");
    CHECK(ccq_grow(q, N) == 0 && ccq_capacity(q) == N, "grow");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    static double when[N];
    for (uint32_t h = 0; h < N; h++) {
        when[h] = gsl_rng_uniform(r) * 1000;
        ccq_schedule(q, h, when[h], h, 1);
    }
    /* move a third, cancel a third */
    int cancelled = 0;
    for (uint32_t h = 0; h < N; h += 3) {
        when[h] = gsl_rng_uniform(r) * 1000;
        ccq_schedule(q, h, when[h], h, 1);
    }
    for (uint32_t h = 1; h < N; h += 3) {
        ccq_cancel(q, h);
        when[h] = -1;
        cancelled++;
    }
    ccq_cancel(q, 1); /* cancelling twice is harmless */
    CHECK(ccq_size(q) == (size_t)(N - cancelled), "size %zu", ccq_size(q));
    CHECK(!ccq_pending(q, 1) && ccq_pending(q, 0), "pending flags");
    double last = -1;
    int order_bad = 0, popped = 0, wrong_time = 0;
    cc_event ev;
    while (ccq_pop(q, &ev)) {
        if (ev.t < last)
            order_bad++;
        if (ev.t != when[ev.handle] || ev.kind != ev.handle)
            wrong_time++;
        last = ev.t;
        popped++;
    }
    CHECK(order_bad == 0, "%d events out of order", order_bad);
    CHECK(wrong_time == 0, "%d events with a stale time or kind", wrong_time);
    CHECK(popped == N - cancelled, "popped %d", popped);
    CHECK(ccq_peek_time(q) == INFINITY, "empty queue peeks at infinity");

    /* ties: priority first, then handle (not the order of scheduling) */
    ccq_schedule(q, 12, 5.0, 0, 2);
    ccq_schedule(q, 11, 5.0, 0, 1);
    ccq_schedule(q, 10, 5.0, 0, 2);
    ccq_schedule(q, 13, 5.0, 0, 0);
    ccq_schedule(q, 14, 4.0, 0, 9);
    uint32_t expect[] = {14, 13, 11, 10, 12};
    for (int i = 0; i < 5; i++) {
        CHECK(ccq_pop(q, &ev) == 1 && ev.handle == expect[i], "tie order at %d: got %u", i, ev.handle);
    }
    /* rescheduling later and earlier */
    ccq_schedule(q, 1, 10.0, 0, 1);
    ccq_schedule(q, 2, 20.0, 0, 1);
    ccq_schedule(q, 1, 30.0, 0, 1);
    ccq_schedule(q, 3, 25.0, 0, 1);
    ccq_schedule(q, 3, 5.0, 0, 1);
    uint32_t expect2[] = {3, 2, 1};
    for (int i = 0; i < 3; i++)
        CHECK(ccq_pop(q, &ev) == 1 && ev.handle == expect2[i], "reschedule order at %d: got %u", i, ev.handle);
    /* a popped handle is not pending; rescheduling it at once (the usual
     * case) and cancelling it both work, and peek_time skips it */
    ccq_schedule(q, 5, 1.0, 0, 1);
    ccq_schedule(q, 6, 2.0, 0, 1);
    CHECK(ccq_pop(q, &ev) == 1 && ev.handle == 5, "pop 5");
    CHECK(!ccq_pending(q, 5) && ccq_size(q) == 1, "popped handle not pending");
    CHECK(ccq_peek_time(q) == 2.0, "peek skips the popped event: %g", ccq_peek_time(q));
    ccq_schedule(q, 5, 3.0, 0, 1);
    CHECK(ccq_pending(q, 5) && ccq_size(q) == 2, "rescheduled popped handle");
    CHECK(ccq_pop(q, &ev) == 1 && ev.handle == 6, "then 6");
    ccq_cancel(q, 6);
    CHECK(ccq_pop(q, &ev) == 1 && ev.handle == 5 && ev.t == 3.0, "then 5 at 3");
    CHECK(ccq_pop(q, &ev) == 0 && ccq_size(q) == 0, "then empty");

    /* random operations against a brute-force model: schedule, reschedule,
     * cancel, and pop followed by reschedule or nothing */
    enum { M = 64 };
    double model[M];
    for (int h = 0; h < M; h++)
        model[h] = -1;
    int mismatches = 0;
    double now = 0;
    for (int step = 0; step < 200000; step++) {
        double u = gsl_rng_uniform(r);
        uint32_t h = (uint32_t)gsl_rng_uniform_int(r, M);
        if (u < 0.4) {
            model[h] = now + gsl_rng_uniform(r) * 10;
            ccq_schedule(q, h, model[h], h, 1);
        } else if (u < 0.5) {
            model[h] = -1;
            ccq_cancel(q, h);
        } else {
            int best = -1;
            for (int k = 0; k < M; k++)
                if (model[k] >= 0 && (best < 0 || model[k] < model[best]))
                    best = k;
            int got = ccq_pop(q, &ev);
            if (best < 0) {
                mismatches += got != 0;
                continue;
            }
            if (!got || ev.t != model[best]) {
                mismatches++;
                continue;
            }
            now = ev.t;
            model[ev.handle] = -1;
            if (u < 0.8) {
                model[ev.handle] = now + gsl_rng_uniform(r) * 10;
                ccq_schedule(q, ev.handle, model[ev.handle], ev.handle, 1);
            }
        }
        size_t pending = 0;
        for (int k = 0; k < M; k++)
            pending += model[k] >= 0;
        mismatches += pending != ccq_size(q) || (model[h] >= 0) != ccq_pending(q, h);
    }
    CHECK(mismatches == 0, "%d mismatches against the brute-force model", mismatches);

    /* the same against a model, as a simulation uses the queue (most pops
     * reschedule the popped handle), with times from the same day to
     * decades ahead (the buckets, the overflow and its sorting), +infinity,
     * whole days (ties: priority, then handle) and times before the last
     * pop */
    {
        enum { K = 2000 };
        static double at[K]; /* -1: none pending */
        static int prio[K];
        ccq_clear(q);
        double t0 = 0;
        for (int h = 0; h < K; h++)
            at[h] = -1;
        int bad = 0, pops = 0, hints = 0, hint_bad = 0;
        for (int step = 0; step < 400000; step++) {
            double u = gsl_rng_uniform(r);
            uint32_t h = (uint32_t)gsl_rng_uniform_int(r, K);
            if (u < 0.1) {
                at[h] = -1;
                ccq_cancel(q, h);
                continue;
            }
            if (u < 0.6) {
                int best = -1;
                for (int k = 0; k < K; k++)
                    if (at[k] >= 0 && (best < 0 || at[k] < at[best] ||
                                       (at[k] == at[best] &&
                                        (prio[k] < prio[best] || (prio[k] == prio[best] && k < best)))))
                        best = k;
                uint32_t hint = ccq_next_hint(q);
                int got = ccq_pop(q, &ev);
                if (best < 0) {
                    bad += got != 0;
                    continue;
                }
                /* the hint, when there is one, names the event popped next */
                if (hint != UINT32_MAX) {
                    hints++;
                    hint_bad += hint != (uint32_t)best;
                }
                if (!got || ev.handle != (uint32_t)best || ev.t != at[best] || ev.kind != (uint32_t)best + 1) {
                    bad++;
                    continue;
                }
                pops++;
                if (isfinite(ev.t) && ev.t > t0)
                    t0 = ev.t;
                at[best] = -1;
                if (u > 0.55)
                    continue;
                h = (uint32_t)best; /* the usual case: the popped handle's next event */
            }
            double v = gsl_rng_uniform(r);
            double tw = v < 0.2 ? t0 + gsl_rng_uniform(r) * 3
                        : v < 0.9 ? t0 - 300 * log1p(-gsl_rng_uniform(r))
                        : v < 0.995 ? t0 + gsl_rng_uniform(r) * 20000 : INFINITY;
            if (gsl_rng_uniform(r) < 0.3 && isfinite(tw))
                tw = floor(tw); /* many ties at whole days */
            if (gsl_rng_uniform(r) < 0.01)
                tw = fmax(0, t0 - gsl_rng_uniform(r) * 5); /* before the last pop (>= 0: the model's -1 is none) */
            at[h] = tw;
            prio[h] = (int)gsl_rng_uniform_int(r, 3);
            ccq_schedule(q, h, tw, h + 1, (uint8_t)prio[h]);
            size_t pending = 0;
            for (int k = 0; k < K; k++)
                pending += at[k] >= 0;
            bad += pending != ccq_size(q) || !ccq_pending(q, h);
        }
        CHECK(t0 > 20 * 365.0 && pops > 100000, "the model ran %g days, %d pops", t0, pops);
        CHECK(bad == 0, "%d mismatches against the model over decades of times", bad);
        CHECK(hints > pops / 4 && hint_bad == 0, "next-event hint: %d of %d wrong", hint_bad, hints);
    }

    /* crowded days (a nation has hundreds of events a day; the day's events
     * are sorted when the day comes): thousands of events in a few days,
     * many at the same times, then cancels, reschedules within the day and
     * new events for the day while it is being popped, against a model */
    {
        enum { D = 3000 };
        static double at[D];
        static int prio[D];
        ccq_clear(q);
        for (int h = 0; h < D; h++) {
            double u = gsl_rng_uniform(r);
            at[h] = 100 + (u < 0.3 ? floor(u * 40) / 40 : gsl_rng_uniform(r)) + (h % 3 == 0);
            prio[h] = (int)gsl_rng_uniform_int(r, 3);
            ccq_schedule(q, (uint32_t)h, at[h], (uint32_t)h, (uint8_t)prio[h]);
        }
        int bad = 0, pops = 0;
        for (;;) {
            int best = -1;
            for (int k = 0; k < D; k++)
                if (at[k] >= 0 && (best < 0 || at[k] < at[best] ||
                                   (at[k] == at[best] && (prio[k] < prio[best] || (prio[k] == prio[best] && k < best)))))
                    best = k;
            int got = ccq_pop(q, &ev);
            if (best < 0) {
                bad += got != 0;
                break;
            }
            if (!got || ev.handle != (uint32_t)best || ev.t != at[best]) {
                bad++;
                break;
            }
            pops++;
            at[best] = -1;
            /* now and then: cancel one, move one within its day or to
             * another, or add one later today */
            uint32_t h = (uint32_t)gsl_rng_uniform_int(r, D);
            double u = gsl_rng_uniform(r);
            if (u < 0.05) {
                ccq_cancel(q, h);
                at[h] = -1;
            } else if (u < 0.15) {
                double day = floor(ev.t) + (gsl_rng_uniform(r) < 0.7 ? 0 : 1);
                at[h] = fmax(ev.t, day + gsl_rng_uniform(r));
                prio[h] = (int)gsl_rng_uniform_int(r, 3);
                ccq_schedule(q, h, at[h], h, (uint8_t)prio[h]);
            }
        }
        CHECK(bad == 0 && pops > D / 2, "crowded days: %d mismatches in %d pops", bad, pops);
    }


    /* random operations against the reference, in several mixes: a
     * county's (a few events a day, months to years ahead, ties at whole
     * days, some the same day, a few +infinity and far-future ones), a
     * nation's (hundreds a day, with enough handles for the read-ahead),
     * sparse (days, weeks without an event), and at huge times (past 2^52
     * days, where doubles are whole numbers and then even ones, and past
     * 4.6e18 days, the band of +infinity) */
    {
        const mix mixes[] = {
            {"county", 400, 300000, 0, 0.05, 0.5, 0.9, 120, 0.1, 0.05, 0.005, 0.01, 0.02, 0.3, 0.1},
            {"nation", 9000, 60000, 0, 0.02, 0.5, 0.95, 25, 0.05, 0.01, 0.002, 0.005, 0.01, 0.2, 0.1},
            {"sparse", 6, 100000, 0, 0.1, 0.45, 0.7, 300, 0.05, 0.1, 0.01, 0.01, 0.01, 0.3, 0.1},
            {"2^52", 60, 100000, 4503599627370496.0 - 2.0 * CCQ_NBAND - 452, 0.05, 0.5, 0.9, 40, 0.1, 0.02, 0.005, 0.01, 0.02, 0.3, 0.1},
            {"2^53", 60, 100000, 9007199254740992.0 + 8, 0.05, 0.5, 0.9, 40, 0.1, 0.02, 0.005, 0.01, 0.02, 0.3, 0.1},
            {"4.6e18", 60, 50000, 4.6e18 - 3e5, 0.05, 0.5, 0.9, 2e4, 0.1, 0.02, 0.005, 0.01, 0.02, 0.3, 0.1},
        };
        cc_evq *big = ccq_new(9000);
        CHECK(big != NULL, "allocation");
        for (size_t k = 0; k < sizeof mixes / sizeof *mixes; k++) {
            int pops = 0;
            double tlast = 0;
            int bad = model_run(big, r, &mixes[k], &pops, &tlast);
            CHECK(bad == 0, "%s: %d disagreements with the reference", mixes[k].name, bad);
            CHECK(pops > mixes[k].steps / 4 && tlast > mixes[k].origin + 30 * mixes[k].near,
                  "%s: %d pops, the last at %.17g", mixes[k].name, pops, tlast);
        }
        ccq_free(big);
    }

    /* the same events in any order of scheduling come out in one order:
     * far-future ties (one day of the overflow, whole and fractional
     * times, priorities) brought into the day array together, and more
     * than a day's insertion sort takes (16) on one day */
    {
        enum { E = 40 };
        int bad = 0;
        for (int round = 0; round < 20; round++) {
            ref_ev m[E + 1] = {{0}};
            int order[E];
            for (int i = 0; i < E; i++)
                order[i] = i;
            gsl_ran_shuffle(r, order, E, sizeof *order);
            int n = round < 10 ? E : 16 + round % 3; /* 16, 17, 18 on one day */
            ccq_clear(q);
            for (int i = 0; i < n; i++) {
                int h = order[i];
                m[h] = (ref_ev){1, 5000 + (h % 3 == 0 ? 0 : (double)(h % 7) / 8), (uint8_t)(h % 4), (uint32_t)h};
                ccq_schedule(q, (uint32_t)h, m[h].t, m[h].kind, m[h].prio);
            }
            if (round % 2) { /* a near event first: the far ones wait in the overflow and come later */
                m[E] = (ref_ev){1, 3.5, 0, 0};
                ccq_schedule(q, E, 3.5, 0, 0);
            }
            cc_event e;
            for (int best; (best = ref_best(m, E + 1)) >= 0; m[best].on = 0)
                bad += !ccq_pop(q, &e) || e.handle != (uint32_t)best || e.t != m[best].t;
            bad += ccq_pop(q, &e) != 0;
        }
        CHECK(bad == 0, "far-future ties: %d events out of order", bad);
    }

    /* the edges of the ring's days, each side of every edge, on the day
     * the overflow was last sorted into the ring (the ring then reaches
     * furthest back) and on later days: the current day's end and the next
     * day's start, the ring's last day and the overflow's first */
    {
        int bad = 0;
        const double later[] = {0, 1, 300};
        for (int k = 0; k < 3; k++) {
            ccq_clear(q);
            cc_event e;
            const double sday = CCQ_NBAND / 2 + 88; /* past the first half ring */
            ccq_schedule(q, 0, sday + 0.25, 0, 0); /* a sort of the overflow on day sday */
            bad += !ccq_pop(q, &e);
            if (later[k] > 0) {
                ccq_schedule(q, 0, sday + 0.25 + later[k], 0, 0);
                bad += !ccq_pop(q, &e);
            }
            double tnow = e.t, lo = floor(tnow) + 1, hi = sday + CCQ_NBAND;
            double at[] = {tnow + 0.5, nextafter(lo, 0), lo, lo + 0.5, hi - 1, nextafter(hi, 0), hi, hi + 0.5,
                           hi + 1, hi + 1.5, hi + 2.5, 2 * hi, lo + 1.5, tnow};
            enum { NA = sizeof at / sizeof *at };
            ref_ev m[NA] = {{0}};
            for (int i = NA - 1; i >= 0; i--) {
                m[i] = (ref_ev){1, at[i], 1, (uint32_t)i};
                ccq_schedule(q, (uint32_t)i, at[i], (uint32_t)i, 1);
            }
            for (int best; (best = ref_best(m, NA)) >= 0; m[best].on = 0)
                bad += !ccq_pop(q, &e) || e.handle != (uint32_t)best || e.t != m[best].t;
            bad += ccq_pop(q, &e) != 0;
        }
        CHECK(bad == 0, "the ring's edges: %d events out of order", bad);
    }

    /* +infinity: after every finite event, in priority then handle order,
     * also when more come while they are being popped */
    {
        ccq_clear(q);
        ccq_schedule(q, 7, INFINITY, 1, 2);
        ccq_schedule(q, 3, INFINITY, 2, 2);
        ccq_schedule(q, 9, INFINITY, 3, 1);
        ccq_schedule(q, 4, 1e300, 4, 9);
        ccq_schedule(q, 5, 2.0, 5, 9);
        uint32_t want[] = {5, 4, 9, 8, 3, 7, 2};
        int bad = 0;
        cc_event e;
        for (int i = 0; i < 7; i++) {
            bad += ccq_pop(q, &e) != 1 || e.handle != want[i];
            if (i == 2) { /* among the infinite ones: more of them, before and after */
                ccq_schedule(q, 8, INFINITY, 6, 0);
                ccq_schedule(q, 2, INFINITY, 7, 200);
            }
        }
        CHECK(bad == 0 && ccq_pop(q, &e) == 0, "+infinity: %d out of order", bad);
    }

    CHECK(ccq_grow(q, (size_t)1 << 25) == -1, "more than 2^24 handles refused");
    ccq_schedule(q, 4, 1.0, 0, 1);
    ccq_clear(q);
    CHECK(ccq_size(q) == 0 && !ccq_pending(q, 4), "clear");
    gsl_rng_free(r);
    ccq_free(q);
    return check_done("test_evq");
}
