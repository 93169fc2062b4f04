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
/* Add d to every stock child c is in (and its spend rate; its SSDA903
 * episode when tracing and d > 0). */
void ccta_count(cc_sim *s, const child *c, double d);
/* The same for the stocks that depend on where c is placed (placement
 * type, provider, location, the KPIs, spend, the episode), leaving out
 * those that depend only on who c is (age, district, need, flags): for a
 * caller that changes c's placement but not its cohort, district, need or
 * flags (-1 before, +1 after), where ccta_count's other adds would cancel. */
void ccta_place(cc_sim *s, const child *c, double d);

#endif
