/* tally: the running stocks of a replication. A child is counted in every
 * series it belongs to (age, district, need, placement, provider, location,
 * KPIs, spend) while it is in care and placed; whoever changes a child's
 * placement takes it out (d = -1) before and puts it back (d = +1) after. */
#ifndef TALLY_H
#define TALLY_H

#include "simint.h"

/* Add d to every stock child c is in (and its spend rate; its SSDA903
 * episode when tracing and d > 0). */
void ccta_count(cc_sim *s, const child *c, double d);

#endif
