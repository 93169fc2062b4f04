/* market: places of a region's shared markets and who holds them. */
#include "market.h"

#include <stdlib.h>
#include <string.h>

struct ccmk_market {
    int nm, nc;
    int *cap, *reserved, *total;
    int *held; /* [m * (nc + 1) + who] */
};

ccmk_market *ccmk_new(int nm, int nc)
{
    ccmk_market *mk = calloc(1, sizeof *mk);
    if (!mk)
        return NULL;
    mk->nm = nm;
    mk->nc = nc;
    size_t n = nm > 0 ? (size_t)nm : 1;
    mk->cap = malloc(n * sizeof *mk->cap);
    mk->reserved = calloc(n, sizeof *mk->reserved);
    mk->total = calloc(n, sizeof *mk->total);
    mk->held = calloc(n * (size_t)(nc + 1), sizeof *mk->held);
    if (!mk->cap || !mk->reserved || !mk->total || !mk->held) {
        ccmk_free(mk);
        return NULL;
    }
    for (int m = 0; m < nm; m++)
        mk->cap[m] = -1;
    return mk;
}

void ccmk_free(ccmk_market *mk)
{
    if (!mk)
        return;
    free(mk->cap);
    free(mk->reserved);
    free(mk->total);
    free(mk->held);
    free(mk);
}

int ccmk_markets(const ccmk_market *mk) { return mk->nm; }
int ccmk_councils(const ccmk_market *mk) { return mk->nc; }

void ccmk_set(ccmk_market *mk, int m, int capacity, int reserved)
{
    mk->cap[m] = capacity;
    mk->reserved[m] = reserved < 0 ? 0 : reserved;
}

int ccmk_capacity(const ccmk_market *mk, int m) { return mk->cap[m]; }
int ccmk_reserved(const ccmk_market *mk, int m) { return mk->reserved[m]; }

void ccmk_clear(ccmk_market *mk)
{
    memset(mk->total, 0, (size_t)mk->nm * sizeof *mk->total);
    memset(mk->held, 0, (size_t)mk->nm * (size_t)(mk->nc + 1) * sizeof *mk->held);
}

int ccmk_room(const ccmk_market *mk, int m, int who)
{
    if (mk->cap[m] < 0)
        return 1;
    if (mk->total[m] >= mk->cap[m])
        return 0;
    /* the background may not take the places reserved for the region */
    return who < mk->nc || mk->held[m * (mk->nc + 1) + who] < mk->cap[m] - mk->reserved[m];
}

void ccmk_hold(ccmk_market *mk, int m, int who)
{
    mk->total[m]++;
    mk->held[m * (mk->nc + 1) + who]++;
}

int ccmk_take(ccmk_market *mk, int m, int who)
{
    if (!ccmk_room(mk, m, who))
        return 0;
    ccmk_hold(mk, m, who);
    return 1;
}

void ccmk_give(ccmk_market *mk, int m, int who)
{
    mk->total[m]--;
    mk->held[m * (mk->nc + 1) + who]--;
}

int ccmk_held(const ccmk_market *mk, int m, int who) { return mk->held[m * (mk->nc + 1) + who]; }
int ccmk_total(const ccmk_market *mk, int m) { return mk->total[m]; }
