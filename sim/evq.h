/* evq: the future-event queue, a two-level calendar queue (a sorted array
 * for the current day, day buckets for the next years, an overflow list).
 * Every entity that can have a pending event (a child, the arrival process,
 * the month-end clock, ...) owns a handle 0..capacity-1 and has at most one
 * pending event, which can be scheduled, rescheduled or cancelled in O(1)
 * (among the current day's events: O(the number of that day's events)); a
 * pop is O(1), and each day's events are sorted once, when the day comes.
 * Times are days: the buckets are a day wide, which suits a few to a few
 * hundred events a day; any times work.
 * Ties in time are broken by priority (lower first), then by handle (lower
 * first), so a run is deterministic. Handles are below 2^24 and priorities
 * below 256. No allocation except in ccq_new and ccq_grow. */
#ifndef EVQ_H
#define EVQ_H

#include <stddef.h>
#include <stdint.h>

/* Days the ring of day buckets spans (a power of two): events further
 * ahead wait in an overflow list, walked into the ring every half ring.
 * 4,096 (11 years) holds nearly every event of a 10-year run; at 1,024 a
 * nation's walk of the overflow was 7% of its time. */
#define CCQ_NBAND 4096

typedef struct cc_evq cc_evq;

typedef struct {
    double t;        /* event time, days */
    uint32_t handle; /* who the event belongs to */
    uint32_t kind;   /* what happens (meaning is the caller's) */
} cc_event;

/* A queue for handles 0..capacity-1. Returns NULL on allocation failure. */
cc_evq *ccq_new(size_t capacity);
void ccq_free(cc_evq *q);
/* Raise the handle capacity (never shrinks). Returns 0, or -1 when out of
 * memory or above 2^24 handles. */
int ccq_grow(cc_evq *q, size_t capacity);
size_t ccq_capacity(const cc_evq *q);
size_t ccq_size(const cc_evq *q);
/* Schedule (or move, if one is pending) the event of handle h; the same
 * event as the pending one (time, kind, priority) leaves the queue as it is. */
void ccq_schedule(cc_evq *q, uint32_t h, double t, uint32_t kind, uint8_t prio);
/* Remove h's pending event, if any. */
void ccq_cancel(cc_evq *q, uint32_t h);
int ccq_pending(const cc_evq *q, uint32_t h);
/* Pop the earliest event into *ev. Returns 0 when the queue is empty.
 * The popped handle is no longer pending. */
int ccq_pop(cc_evq *q, cc_event *ev);
/* Time of the earliest event, or +infinity when empty (may move the next
 * day's events into the day array: not const). */
double ccq_peek_time(cc_evq *q);
/* The handle of the earliest event if the current day's array holds it,
 * else UINT32_MAX (the next pop would first bring in the next day): a hint
 * (the caller may yet schedule an earlier one), for fetching what that
 * event will need while this one is handled. */
uint32_t ccq_next_hint(const cc_evq *q);
/* The same for the event k places after the next one (k = 0: the next
 * one, ccq_next_hint), or UINT32_MAX when the day array holds fewer: for
 * fetching what events further ahead will need. */
uint32_t ccq_hint_ahead(const cc_evq *q, size_t k);
/* Remove every pending event (handles keep their capacity). */
void ccq_clear(cc_evq *q);

#endif
