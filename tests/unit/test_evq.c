/* test_evq: the event queue pops in time order, breaks ties by priority then
 * scheduling order, cancels and reschedules by handle, and grows. */
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

    /* ties: priority first, then the order of scheduling */
    ccq_schedule(q, 10, 5.0, 0, 2);
    ccq_schedule(q, 11, 5.0, 0, 1);
    ccq_schedule(q, 12, 5.0, 0, 2);
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
    ccq_schedule(q, 4, 1.0, 0, 1);
    ccq_clear(q);
    CHECK(ccq_size(q) == 0 && !ccq_pending(q, 4), "clear");
    gsl_rng_free(r);
    ccq_free(q);
    return check_done("test_evq");
}
