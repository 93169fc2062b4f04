/* test_evq: the event queue pops in time order, breaks ties by priority then
 * handle, cancels and reschedules by handle, and grows. */
#include <math.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "evq.h"

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

    CHECK(ccq_grow(q, (size_t)1 << 25) == -1, "more than 2^24 handles refused");
    ccq_schedule(q, 4, 1.0, 0, 1);
    ccq_clear(q);
    CHECK(ccq_size(q) == 0 && !ccq_pending(q, 4), "clear");
    gsl_rng_free(r);
    ccq_free(q);
    return check_done("test_evq");
}
