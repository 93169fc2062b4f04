/* place: the narrow interface through which the engine (sim.c) drives the
 * supply side of a replication: matching a child to a place, vacating it,
 * the monthly step-down review, supply events (applications, approvals,
 * resignations, homes opening and closing), scenario phases. The supply
 * side never calls the engine back: when it moves children (a step-down, a
 * closing home) it lists them, and the engine draws their next events after
 * the call (ccpl_take_moved). In a region the places of shared markets are
 * also held in a ccmk_market (ccpl_bind). */
#ifndef PLACE_H
#define PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "evq.h"
#include "market.h"
#include "params.h"
#include "sim.h"

int ccpl_new(cc_sim *s);                /* allocate; 0 or -1 */
void ccpl_free(cc_sim *s);
/* Room to list `children` moved children (the engine's child pool size). 0 or -1. */
int ccpl_grow(cc_sim *s, size_t children);
int ccpl_reset(cc_sim *s, uint64_t seed, uint64_t rep); /* start-date supply; 0 or -1 */
void ccpl_initial(cc_sim *s);           /* place the start-date children with providers */
/* Place child i (need set, no place held) from its preference list. The
 * caller keeps the child out of the stocks (ccta_count -1 before, +1 after)
 * around this and ccpl_vacate. */
void ccpl_match(cc_sim *s, uint32_t i, double t);
/* Child i leaves its place (exit, breakdown, move at 16): free it, take it
 * off the waiting list, and let the longest-waiting child step down. */
void ccpl_vacate(cc_sim *s, uint32_t i, double t);
/* Child i moves: ccpl_vacate, then ccpl_match, in one call. The caller
 * counts the stocks around it as around those two. */
void ccpl_move(cc_sim *s, uint32_t i, double t);
void ccpl_review(cc_sim *s, double t);  /* the monthly step-down review */
int ccpl_event(cc_sim *s, const cc_event *ev); /* supply events; 0 or -1 */
void ccpl_snapshot(cc_sim *s);          /* derived stocks before a snapshot */
void ccpl_deadline(cc_sim *s, uint32_t i, double t); /* a time-limited placement ends */
void ccpl_phase(cc_sim *s, const cc_params *old, double t); /* parameters changed (scenario lever) */
uint64_t ccpl_check(const cc_sim *s, double t); /* count inconsistencies in the supply state */
/* The children the last calls moved (in order, possibly repeated), whose
 * next events the engine must draw; the list is emptied and stays valid
 * until the next ccpl_ call. -1 when a child could not be listed (out of
 * memory: the replication fails). */
int ccpl_take_moved(cc_sim *s, const uint32_t **list, size_t *n);
/* Join the region market mk as council `council`: provider k's places are
 * also places of market market_of[k] (-1: not shared). NULL mk: alone.
 * market_of must outlive the engine. */
void ccpl_bind(cc_sim *s, ccmk_market *mk, int council, const int16_t *market_of);

#endif
