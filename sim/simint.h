/* simint: the state of one replication (children, queue, stocks, supply,
 * spend), shared as data by the engine's modules: sim.c (the event loop and
 * the demand side: entries, exits, moves, birthdays), place.c (the supply
 * side: providers, fostering households, matching, step-down waiting lists),
 * tally.c (the running stocks), money.c and trace.c. The calls go one way:
 * sim.c drives the supply side through place.h; place.c calls tally, money,
 * the queue and the shared market (market.h), never sim.c. Not part of the
 * library's interface. */
#ifndef SIMINT_H
#define SIMINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "costs.h"
#include "evq.h"
#include "market.h"
#include "rng.h"
#include "sim.h"
#include "ziggurat.h"

/* Functions of the event loop's path that must be inlined where they are
 * called (a call would cost more than their work), and rare paths that
 * must not be (their size would crowd the common one). GCC and Clang;
 * other compilers decide for themselves. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#define RARE static __attribute__((noinline))
#else
#define HOT static inline
#define RARE static
#endif

#define DAYS_PER_YEAR 365.25
#define NONE UINT32_MAX

/* Handles of the queue: a few processes, then children at H_BASE + 2i and
 * fostering households at H_BASE + 2j + 1. */
enum { H_MONTH = 0, H_ARRIVAL, H_YEAR, H_APPLY, H_APPROVE, H_SUPPLY, H_FY, H_ONEOFF, H_PHASE, H_BASE };
/* Event kinds of a child; 0..CCM_NROUTE-1 are non-exponential exit routes. */
enum { EV_MOVE = CCM_NROUTE, EV_BUNDLE, EV_BIRTHDAY, EV_DEADLINE };
/* Priorities at equal times: the month-end snapshot (end of a day) comes
 * before anything that happens at the start of the next day; supply changes
 * (a home opening, a household approved) before children's events. */
enum { PRIO_SNAPSHOT = 0, PRIO_PROCESS = 1, PRIO_CHILD = 2 };

static inline uint32_t child_handle(uint32_t i) { return H_BASE + 2 * i; }
static inline uint32_t hh_handle(uint32_t j) { return H_BASE + 2 * j + 1; }
/* 1 and the child's slot in *i if h is a child's handle, else 0. */
static inline int child_of_handle(uint32_t h, uint32_t *i)
{
    if (h < H_BASE || (h - H_BASE) % 2 != 0)
        return 0;
    *i = (h - H_BASE) / 2;
    return 1;
}

typedef struct {
    /* first cache line: what every event of the child reads (ccs_plan:
     * its stream, its clock, its next birthday and deadline, its placement);
     * a slot is two whole cache lines (the pool is allocated aligned) */
    _Alignas(64) ccr_taus_state rs; /* the child's own random stream (taus2 state; ccs_child_rng) */
    double xclock;       /* when its exponential hazards' clock fires (ccs_plan), or +inf */
    double xrate;        /* the sum of those hazards (a year) the clock runs at; 0: stopped */
    double next_bday;    /* time of the next cohort boundary, or +inf */
    double deadline;     /* end of a time-limited (emergency) placement, or +inf */
    int16_t prov;        /* provider index, or -1 (no provider: kinship, with parents, ...) */
    uint8_t cohort, district, need, placed, flags;
    uint8_t in_care;     /* the slot holds a child in care */
    /* the rest: read by some events only */
    double placed_since; /* time the current placement began */
    double frail;        /* move-hazard multiplier (Gamma, mean 1; 1 when moves.frailty_variance is 0) */
    double entered;      /* time the child entered care */
    uint32_t serial;     /* order of arrival in this replication; seeds its stream */
    uint32_t hh;         /* fostering household, or NONE */
    int16_t by;          /* birth date: year, month, day */
    uint8_t bm, bd;
    uint8_t entrant;     /* entered during the run (its whole stay is observable) */
    uint8_t dest18;      /* destination drawn at the 18th birthday */
    uint8_t waiting;     /* on the waiting list of its needed type (its place there: ccs_supply.wt) */
    uint8_t pl_n;        /* back-test: placements in April-March year pl_fy (saturating) */
    int16_t pl_fy;       /* back-test: that year (cc_sim.fy_idx), -1 before the run */
} child;
_Static_assert(offsetof(child, in_care) < 64 && sizeof(child) == 128,
               "what every event reads fits the slot's first cache line; a slot is two lines");

/* Where a child is placed, as the stocks see it (tally.c's moves). */
typedef struct {
    int16_t prov;
    uint8_t placed;
} ccta_spot;

/* A child's SSDA903 episode (export-903's trace, trace.c): kept apart from
 * the child slots, which every event reads (s->ep[i] belongs to slot i;
 * allocated only while a trace is being written). */
typedef struct {
    double since;        /* placed_since of the open episode's placement */
    int32_t start;       /* the open episode's start day */
    uint8_t open, first; /* an episode is open; it is the period's first */
    char place[3], provider[4];
} ccs_episode;

/* Household states. */
enum { HH_FREE = 0, HH_ACTIVE, HH_RESIGNING };

typedef struct {
    /* providers */
    int *used;            /* children placed with each provider */
    double *sup_ev_t;     /* home open/close times, sorted */
    int *sup_ev_k;        /* provider << 1 | (1 if closing) */
    int nsup_ev;
    int first_ext;        /* providers [0, first_ext) are homes or the pool */
    /* fostering households */
    struct ccs_hh {       /* what placing or releasing a child reads: one record, 16 bytes */
        uint32_t kid[CSU_SLOTS]; /* its children: kid[x], x < used */
        uint8_t slots, used, cls, state;
    } *hh;
    uint32_t *hh_pos;     /* position in its class's free stack, or NONE */
    uint32_t *stack[CCM_NCOHORT]; /* active households with a free slot, by oldest cohort taken */
    uint32_t nstack[CCM_NCOHORT];
    uint32_t *hh_free;    /* unused household indices */
    uint32_t nhh_free, hcap;
    uint32_t nactive, nresigning;
    int pool_slots;       /* slots of active households + used slots of resigning ones */
    /* approvals in the assessment pipeline (a ring of times) */
    double *pipe;
    uint32_t pipe_head, pipe_len, pipe_cap;
    gsl_rng *rng;         /* the supply stream: applications, approvals, resignations */
    /* each child slot's place in the waiting lists (wt[i] belongs to slot
     * i; wt_cap of them, grown with the pool by ccpl_grow): kept apart from
     * the child slots, which every event reads, as only the supply side
     * reads these, and only for waiting children (child.waiting says which,
     * so a child leaving a place does not touch its record). Between
     * replications ccpl_reset clears them all; a child leaving care has left
     * its list, so a reused slot's record is clear (ready 0, links NONE). */
    struct ccs_wait {
        double ready_at;       /* from when it may step down (care planning done) */
        uint32_t wprev, wnext; /* waiting list links (by needed type), NONE at the ends */
        uint32_t rprev, rnext; /* ready sublist links (waiting and ready_at passed), NONE at the ends */
        uint8_t ready;         /* on the ready sublist of that list (waiting: child.waiting) */
    } *wt;
    size_t wt_cap;
    /* waiting lists by needed type: head is the longest waiting */
    uint32_t whead[CCM_NPT], wtail[CCM_NPT];
    uint32_t nwait[CCM_NPT];
    /* the ready sublists: the waiting children whose ready_at has passed,
     * in the waiting lists' order (what a freed place walks) */
    uint32_t rhead[CCM_NPT];
    /* waiting children not yet promoted to their ready sublist: a binary
     * min-heap by ready_at; entries go stale (the child left, or its
     * ready_at was redrawn) and are dropped when they come out */
    struct ccs_pending { double at; uint32_t i; } *pend;
    size_t npend, pend_cap;
    uint32_t *scratch;    /* for the monthly review and the start-date assignment */
    size_t scratch_cap;
    /* the preference lists of the parameters in force, with every council
     * home spelt out (CSU_ALL_HOMES): child with needed type T, need
     * flags f and cohort c walks pl[psel[T][f][c][0] ...], psel[..][1]
     * entries (compile_prefs). Each entry carries what the walk tests, so
     * the walk does not read the provider's parameters; providers that
     * can never take such a child (specialism, no places) are left out. */
    struct ccs_pref {
        double prob;      /* CSU_PROBABILITY: the chance a search finds a place */
        int32_t cap;      /* CSU_CAPACITY: places; others INT32_MAX (never full) */
        int16_t k;        /* the provider */
        uint8_t avail;    /* CSU_CAPACITY ... CSU_POOL */
        uint8_t type;     /* its placement type */
        uint8_t age_test; /* the cohort's ages are not all within min..max */
        uint8_t brief;    /* a time-limited (emergency) place */
        int8_t min_age, max_age;
    } *pl;
    size_t pl_cap;
    uint32_t psel[CCM_NPT][CCM_NNEEDMASK][CCM_NCOHORT][2];
    /* the same lists as where their entries begin and end in pl (the walk's
     * two loads; set with psel) */
    const struct ccs_pref *pspan[CCM_NPT][CCM_NNEEDMASK][CCM_NCOHORT][2];
    /* the start-date assignment's lists of children by type (ccpl_initial) */
    struct ccs_start { uint32_t i; uint8_t cohort, type; } *start;
    size_t start_cap;
    /* children whose placement the supply side changed during the current
     * ccpl_ call: the engine draws their next events (ccpl_take_moved) */
    uint32_t *moved;
    size_t nmoved, moved_cap;
    int moved_lost;       /* the list could not grow (out of memory) */
    /* a region's shared markets (NULL when the council runs alone):
     * market[k] is provider k's market or -1; council is this council's
     * index in the market's accounts */
    ccmk_market *mk;
    const int16_t *market;
    int council;
} ccs_supply;

/* Money: spend accrues per day at a rate (GBP a day in price-year prices)
 * by cost line and placement type, integrated lazily: a pair's total is
 * brought up to date only when its rate changes and at month ends. */
typedef struct {
    double rate[CCT_NLINE][CCM_NPT];
    double acc[CCT_NLINE][CCM_NPT];   /* this month, cash terms */
    double last[CCT_NLINE][CCM_NPT];
    double factor[CCT_NLINE];         /* inflation factor of the current financial year */
    double kids[CCM_NPT], kacc[CCM_NPT], klast[CCM_NPT]; /* children placed, child-days */
    double grate, gacc, glast;        /* the capacity gap's extra cost a day */
    double gfactor;                   /* its inflation factor (the default rate) */
    double one_off;                   /* one-off costs this month */
    int fy;                           /* current financial year */
    /* the price of a child by where it is (child_price), cached from the
     * parameters by ccmo_reset and ccmo_rebuild: [t] for a child of
     * placement type t with no provider, [CCM_NPT + k] with provider k */
    struct ccmo_price {
        double per_day, place_per_day;
        int line;                     /* cost line, or -1: a fixed commitment */
    } *price;
    /* a child moving (ccmo_move_out) whose spend has not been stopped yet:
     * its price's index in price[], placement type and need where it was;
     * out_at -1 when none. The next change of any child's spend stops it
     * first, so the totals see the changes in the order they happen. */
    int out_at, out_t, out_need;
    int on;                           /* costs are enabled (the parameters' costs.enabled) */
} ccs_money;

struct cc_sim {
    const cc_params *p;
    const ccx_layout *L;
    uint64_t seed, rep;          /* of the replication running */
    uint64_t child_base;         /* ccr_stream_base of its children's streams */
    int done;                    /* it has reached its last snapshot */
    int ndates;
    const double *snap_t;
    cc_evq *q;
    child *ch;
    uint32_t *freel;
    size_t nfree, cap;
    size_t hi;                   /* no slot from hi up has held a child this replication (alloc_slot) */
    gsl_rng *arr, *init;
    double *cur;                 /* running stocks and this month's flows, by series */
    double *out;
    int route_series[CCM_NROUTE];
    double mexit[CCM_NNEEDMASK][CCM_NROUTE];
    double mmove[CCM_NNEEDMASK];
    double l18[CCM_NPT][CCM_NDEST];   /* destinations at 18 now (leave18 with this year's drift) */
    double entry_max;                 /* largest entry drift multiplier this year (1: none) */
    /* exponential hazards a year by (cohort, need flags, placement): the
     * routes, the move, the semi-independent step, their sum, then the
     * routes' sum alone (added in route order, as on_bundle's walk adds) */
    double (*xr)[CCM_NROUTE + 4];
    double (*xr_old)[CCM_NROUTE + 4]; /* the previous phase's table (scenarios) */
    int all_exp; /* every duration is exponential: one draw plans a child */
    int frail;   /* moves.frailty_variance > 0: each child's move hazard has its own multiplier */
    int frail_exp;       /* frail, and moves are exponential (their rate joins the draw of the sum) */
    ccz_gamma_k fgam[2]; /* with frail: the frailty's gamma of shape 1/v (at entry), 1/v + 1 (after a move) */
    int move_drawn;      /* moves are not exponential: drawn apart */
    unsigned exit_drawn; /* bit k: exit route k is not exponential: drawn apart */
    double arrival_mean;         /* mean days between entries now */
    int year;
    uint32_t next_serial;
    uint32_t in_care;
    double last_t;
    ccs_totals tot;
    ccs_supply sup;
    ccs_money money;
    uint8_t *prov_where;         /* by provider: where it is, as the stocks see it (tally.c) */
    double *tally_chk;           /* checks: tally.c's recount of the stocks (NULL until the first) */
    int no_short;                /* matching skips time-limited (emergency) places */
    int32_t today;               /* day whose y-m-d is cached below, for ages */
    int ty, tm, td;
    /* draw_dob's month (place.c sets today alone): its first day, length,
     * year and month, the year counted from 1 March (the year, or the one
     * before in January and February) and the leap years from year 1 to it */
    int32_t mfirst, mlen;
    int my, mm, tmy;
    int32_t tleaps;
    int checks;                  /* verify the supply state after every event */
    const cc_params *const *phases; /* scenario phases (NULL: one set of parameters) */
    const double *phase_t;
    int nphase;
    gsl_rng *thin;               /* which entries an edge-of-care lever prevents */
    FILE *trace_ep, *trace_hd;   /* SSDA903 trace (export-903): episodes, header; NULL: none */
    ccs_episode *ep;             /* with a trace: each child slot's episode (cap of them) */
    /* back-test (L->dfe >= 0): which snapshots are 31 March, and the
     * April-March year now (0 until the first 31 March, then 1, ...) */
    uint8_t *march;
    int16_t fy_idx;
    /* scratch for the initial population */
    int *lab_d, *lab_t, *lab_f;
    size_t lab_cap;
};

/* A child in care begins a new placement (back-test counts): the first of
 * the April-March year counts the placement it held on 1 April too. */
static inline void ccs_new_placement(cc_sim *s, child *c)
{
    if (s->L->dfe < 0)
        return;
    if (c->pl_fy != s->fy_idx) {
        c->pl_fy = s->fy_idx;
        c->pl_n = 1;
    }
    if (c->pl_n < UINT8_MAX)
        c->pl_n++;
}

/* Child i's random stream as a GSL generator: a view of the state kept in
 * the child's slot (valid until the child pool grows). */
static inline gsl_rng ccs_child_rng(cc_sim *s, uint32_t i)
{
    return (gsl_rng){gsl_rng_taus2, &s->ch[i].rs};
}

/* A uniform draw from child i's stream. */
static inline double ccs_child_uniform(cc_sim *s, uint32_t i)
{
    gsl_rng r = ccs_child_rng(s, i);
    return ccr_uniform(&r);
}

/* An exponential with mean `mean` from child i's stream. */
static inline double ccs_child_exponential(cc_sim *s, uint32_t i, double mean)
{
    gsl_rng r = ccs_child_rng(s, i);
    return ccr_exponential(&r, mean);
}

/* The queue has handles for every child slot and every household. */
static inline int ccs_grow_queue(cc_sim *s)
{
    size_t n = s->cap > s->sup.hcap ? s->cap : s->sup.hcap;
    return ccq_grow(s->q, H_BASE + 2 * n);
}

/* money.c: spend */
int ccmo_new(cc_sim *s);                              /* allocate (ccs_new); 0 or -1 */
void ccmo_free(cc_sim *s);
void ccmo_reset(cc_sim *s);                           /* fixed commitments at the start */
void ccmo_child(cc_sim *s, const child *c, double d); /* a child (d = +1) or its removal (-1) */
void ccmo_flush(cc_sim *s);                           /* perform a deferred removal (ccmo_move_out) now */
void ccmo_move_in(cc_sim *s, const child *c, int same); /* a moving child where it now is (+1); same: where it was */
void ccmo_fixed(cc_sim *s, int line, int type, double per_day); /* change a fixed commitment now */
void ccmo_event(cc_sim *s, const cc_event *ev);       /* new financial year, one-off cost */
void ccmo_snapshot(cc_sim *s);                        /* this month's spend into the stocks */
void ccmo_rebuild(cc_sim *s);                         /* prices or commitments changed: recompute the rates */

/* A moving child's removal (-1) from the spend, deferred: recorded here
 * (its price, placement type and need where it is), performed by the next
 * change of any child's spend (ccmo_flush) or, at once with its return,
 * by ccmo_move_in. Inline: a move's commonest step. */
static inline void ccmo_move_out(cc_sim *s, const child *c)
{
    ccs_money *m = &s->money;
    if (!m->on)
        return;
    if (m->out_at >= 0)
        ccmo_flush(s);
    m->out_at = c->prov >= 0 ? CCM_NPT + c->prov : c->placed;
    m->out_t = c->placed;
    m->out_need = c->need;
}

/* trace.c: SSDA903 episodes of a replication */
void cctr_placed(cc_sim *s, child *c);                /* after any placement: open/close episodes */
void cctr_left(cc_sim *s, child *c, const char *rec); /* the child leaves care (REC code) */
void cctr_finish(cc_sim *s);                          /* write the episodes still open */

#endif
