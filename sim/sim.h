/* sim: one replication of the model, a discrete-event simulation in
 * continuous time (days; t = 0 is the end of the start date). The state of a
 * replication (child pool, event queue, generators) is allocated once per
 * thread by ccs_new and reused by every ccs_run; the event loop itself does
 * not allocate, except to grow the child pool past its high-water mark. */
#ifndef SIM_H
#define SIM_H

#include <stdint.h>
#include <stdio.h>

#include "metrics.h"
#include "params.h"

typedef struct cc_sim cc_sim;

/* What a replication did, beyond the monthly series (for tests and bench). */
typedef struct {
    uint64_t events;          /* events popped from the queue */
    uint64_t entries;         /* children who entered care */
    uint64_t completed;       /* entrants who entered at least 18 years before the
                                 end (so every such stay is observed whole) and left */
    double completed_days;    /* their total time in care, days */
    double child_days;        /* integral of the number in care over the run, days */
    double horizon;           /* length of the run, days */
    uint32_t peak;            /* largest number in care at once */
    uint64_t violations;      /* supply-state inconsistencies found (checks on) */
    double pending;           /* events pending in the queue, averaged over the month ends (bench) */
} ccs_totals;

/* A replication engine for p and layout L, sampling at the ndates snapshot
 * times snap_t[] (days, snap_t[0] = 0). The arrays must outlive the engine.
 * Returns NULL on allocation failure. */
cc_sim *ccs_new(const cc_params *p, const ccx_layout *L, int ndates, const double *snap_t);
void ccs_free(cc_sim *s);
/* Run replication `rep` of master seed `seed`, writing L->n * ndates values
 * into out (series-major: out[series * ndates + date]). Returns 0, or -1 if
 * memory ran out. totals may be NULL. */
int ccs_run(cc_sim *s, uint64_t seed, uint64_t rep, double *out, ccs_totals *totals);
/* The same in steps, for a region's event loop (region.h), which runs
 * several councils' engines in time order: ccs_begin sets the replication
 * up (its start-date population and first events); ccs_next is the time of
 * the next event (+infinity once the last snapshot is taken); ccs_step
 * handles that one event and returns 0, 1 when the run is over, or -1 when
 * memory ran out; ccs_end writes totals (may be NULL). ccs_run is ccs_begin,
 * ccs_step until it is over, ccs_end. */
int ccs_begin(cc_sim *s, uint64_t seed, uint64_t rep, double *out);
double ccs_next(const cc_sim *s);
int ccs_step(cc_sim *s);
void ccs_end(cc_sim *s, ccs_totals *totals);
/* Join a region's shared market (market.h) as council `council`: provider
 * k of the engine's parameters holds places of market market_of[k] (-1:
 * its own). Before ccs_begin; market_of must outlive the engine. */
struct ccmk_market;
void ccs_bind_market(cc_sim *s, struct ccmk_market *mk, int council, const int16_t *market_of);
/* Tests: verify the whole supply state (every place held by one child,
 * capacities, households, waiting lists) after every event, counting what
 * is wrong in totals.violations. Slow. */
void ccs_set_checks(cc_sim *s, int on);
/* Tests and diagnostics: the bytes of the child pool, and how many of them
 * the kernel holds in huge pages now (bigmem.h: -1 when unknown). Slow. */
void ccs_pool_memory(const cc_sim *s, size_t *bytes, long long *huge);
/* Write every child's SSDA903 episodes and header rows to these streams
 * (without header lines) during the next ccs_run calls; NULL: none. */
void ccs_set_trace(cc_sim *s, FILE *episodes, FILE *header);
/* A scenario: phases[0] (the parameters the engine was made for) holds from
 * the start, phases[k] from phase_t[k] days. The arrays must outlive the
 * engine; every phase has the same providers. */
void ccs_set_phases(cc_sim *s, const cc_params *const *phases, const double *phase_t, int n);
/* Parameter uncertainty: the next ccs_run uses phases[0] (and phases[k] in
 * place of the phases set before, as many of them) instead: the same
 * parameters with other values (uncert.h's working copies; same districts,
 * providers and sizes). The arrays must outlive the run. Rebuilds the hazard
 * tables; does not allocate. */
void ccs_rebind(cc_sim *s, const cc_params *const *phases);


#endif
