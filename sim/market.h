/* market: the shared markets of a region (independent fostering agencies'
 * households, private children's home beds, semi-independent places): a
 * finite number of places each, held by the region's councils or by the
 * background demand of councils outside the region. A place one holder
 * takes is not there for another. Plain counters, no randomness: the
 * region's event loop decides who asks when (region.h). */
#ifndef MARKET_H
#define MARKET_H

typedef struct ccmk_market ccmk_market;

/* nm markets shared by nc councils; holder nc is the background demand.
 * Every market starts unlimited with nothing reserved. NULL when out of
 * memory. */
ccmk_market *ccmk_new(int nm, int nc);
void ccmk_free(ccmk_market *mk);
int ccmk_markets(const ccmk_market *mk);
int ccmk_councils(const ccmk_market *mk);
/* Places of market m (< 0: unlimited), and how many of them the background
 * demand may not take (a joint block contract of the region's councils). */
void ccmk_set(ccmk_market *mk, int m, int capacity, int reserved);
int ccmk_capacity(const ccmk_market *mk, int m);
int ccmk_reserved(const ccmk_market *mk, int m);
/* Every place empty (the start of a replication). */
void ccmk_clear(ccmk_market *mk);
/* May holder `who` take a place of market m now? */
int ccmk_room(const ccmk_market *mk, int m, int who);
/* Take a place if there is room: 1, else 0. */
int ccmk_take(ccmk_market *mk, int m, int who);
/* Take a place even beyond the capacity (children already placed at the
 * start date; the market is over-full until they leave). */
void ccmk_hold(ccmk_market *mk, int m, int who);
/* Give back a place holder `who` holds. */
void ccmk_give(ccmk_market *mk, int m, int who);
int ccmk_held(const ccmk_market *mk, int m, int who);
int ccmk_total(const ccmk_market *mk, int m);

#endif
