/* tally: the running stocks of a replication. A child is counted in every
 * series it belongs to (age, district, need, placement, provider, location,
 * KPIs, spend) while it is in care and placed; whoever changes a child's
 * placement takes it out (d = -1) before and puts it back (d = +1) after. */
#ifndef TALLY_H
#define TALLY_H

#include "simint.h"

/* Where each provider is, as the stocks see it (its location and owner),
 * from s->p into s->prov_where (sized by ccs_new); again whenever s->p
 * changes. Does not allocate. */
void ccta_bind(cc_sim *s);
/* The same for the stocks that depend on where c is placed (placement
 * type, provider, location, the KPIs, spend, the episode), leaving out
 * those that depend only on who c is (age, district, need, flags): for a
 * caller that changes c's placement but not its cohort, district, need or
 * flags (-1 before, +1 after), where ccta_count's other adds would cancel. */
void ccta_place(cc_sim *s, const child *c, double d);
/* Add d to every stock child c is in (and its spend rate; its SSDA903
 * episode when tracing and d > 0): the stocks of who c is (age, district,
 * need, flags) here, inlined, and ccta_place's. */
static inline void ccta_count(cc_sim *s, const child *c, double d)
{
    const ccx_layout *L = s->L;
    double *cur = s->cur;
    cur[L->la_all] += d;
    cur[L->la_cohort + c->cohort] += d;
    cur[L->la_district + c->district] += d;
    cur[L->la_need + c->need] += d;
    for (unsigned f = c->flags, k = 0; f; f >>= 1, k++)
        if (f & 1)
            cur[L->la_flag + k] += d;
    cur[L->needing + c->need] += d;
    ccta_place(s, c, d);
}
/* A move that keeps who c is (cohort, district, need, flags), in two
 * halves: ccta_move_out before c gives up its place (its spend stops now,
 * in the order the other children's changes come in; the returned spot
 * says where it was), ccta_move_in once it is placed again (its spend
 * starts; the stocks change only where the new spot differs from the old:
 * for most moves, back to the same provider, none do). Between the two the
 * stocks still count c where it was. */
static inline ccta_spot ccta_move_out(cc_sim *s, const child *c);
static inline void ccta_move_in(cc_sim *s, const child *c, ccta_spot was);
/* (the stocks of ccta_move_in when c's spot differs from `was`: its
 * provider or placement type) */
void ccta_move_diff(cc_sim *s, const child *c, ccta_spot was);
/* Checks (ccs_set_checks): recount every stock the tally keeps (and the
 * spend's children by placement type) from the children in care; returns
 * the number of series that differ from the running ones. Allocates its
 * recount once (s->tally_chk; a failure counts as one difference). */
uint64_t ccta_check(cc_sim *s);

/* The two halves of a move are inline: a move is the commonest event, and
 * most come back to the same spot, where only the spend changes. */
static inline ccta_spot ccta_move_out(cc_sim *s, const child *c)
{
    ccmo_move_out(s, c);
    return (ccta_spot){c->prov, c->placed};
}

static inline void ccta_move_in(cc_sim *s, const child *c, ccta_spot was)
{
    int same = c->prov == was.prov && c->placed == was.placed;
    ccmo_move_in(s, c, same);
    if (s->trace_ep)
        cctr_placed(s, &s->ch[c - s->ch]);
    if (!same)
        ccta_move_diff(s, c, was);
}

#endif
