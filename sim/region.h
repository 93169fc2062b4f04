/* region: several councils that buy from the same providers, run together.
 * A region file names its councils' configs and the markets they share
 * (independent fostering agencies' households, private children's home
 * beds, semi-independent places; in the region or beyond it), each with a
 * number of places, a weekly price, the councils' external tiers whose
 * places are places of that market, and the background demand of councils
 * outside the region. A region scenario names a region file as its
 * baseline and lists region-level levers (a council's own scenario, a joint
 * block contract, a recruitment campaign for a market).
 *
 * One replication runs every council's engine in one event loop (time
 * order; see ccrg_run for the fairness rule), so a place one council takes
 * is not there for another. The result is each council's usual result plus
 * a region result: the series every council has, summed, and per market
 * its places, occupancy and who holds them. */
#ifndef REGION_H
#define REGION_H

#include <stdint.h>

#include "diag.h"
#include "experiment.h"
#include "params.h"
#include "scenario.h"

enum { CCRG_MAXCOUNCIL = 16, CCRG_MAXMARKET = 16, CCRG_MAXPROV = 16, CCRG_MAXCHANGE = 8 };

typedef struct {
    char *key;              /* short name [a-z][a-z0-9_]* (folders, the council column) */
    char *config;           /* its config file, as resolved against the region file's folder */
    cc_params *base;        /* the council's config */
    csn_scenario *scen;     /* the council's own scenario (a lever), or NULL */
    const cc_params *const *phases; /* what runs: scen's phases, or &base */
    const double *phase_t;
    int nphase;
    int16_t *market_of;     /* per provider of phases[0]: market index or -1 */
    double offset;          /* its start date, days after the region's first start date */
    int months_early;       /* months its start date comes before the region's last start date */
} ccrg_council;

typedef struct {
    char *name;             /* [a-z][a-z0-9_]* */
    int type;               /* ccm_ptype: foster, residential or semi_independent */
    int loc;                /* CSU_D2N2 (in the region) or CSU_OUTSIDE (beyond it) */
    int places;             /* -1: unlimited */
    double price_week;
    double bg_per_year;     /* background placements that start a year */
    double bg_mean_days;    /* their mean stay */
    int nprov;
    char *prov[CCRG_MAXPROV]; /* the councils' tiers that are this market */
    /* changes from region levers, in time order */
    int nchange;
    double change_t[CCRG_MAXCHANGE];
    int change_places[CCRG_MAXCHANGE];   /* places from then on (-1: unlimited) */
    int change_reserved[CCRG_MAXCHANGE]; /* places the background may not take from then on */
} ccrg_market;

typedef struct {
    char *name;             /* the region's name */
    char *scenario;         /* the scenario column: "baseline" or the region scenario's name */
    char *description;      /* the file's description (region or region scenario), or NULL */
    char *path;             /* the file loaded (region or region scenario) */
    char *region_path;      /* the region file (the scenario's baseline) */
    uint64_t file_hash;     /* FNV-1a 64 of the region file and its includes */
    int32_t first_start;    /* the earliest council start date (the region's clock starts there) */
    int32_t last_start;     /* the latest (the region's results start there) */
    int nc, nm;
    ccrg_council council[CCRG_MAXCOUNCIL];
    ccrg_market market[CCRG_MAXMARKET];
    int nlevers;
} ccrg_region;

/* Is `path` a region file or a region scenario (a file whose top level has
 * `councils`, or `baseline` and `levers` naming a region file)? */
int ccrg_is_region(const char *path);
/* Load and validate a region file or region scenario; every problem goes
 * to diag as file:line: setting: what is wrong (expected ...). Returns
 * CCP_OK, CCP_EINVALID or CCP_EIO; *out (free with ccrg_free) on success. */
int ccrg_load(const char *path, cc_diag *diag, ccrg_region **out);
void ccrg_free(ccrg_region *g);

/* The results of a region run: each council's result (its usual series,
 * its scenario column the region's) and the region's. */
typedef struct {
    const ccrg_region *g;
    int nc;
    cce_result *council[CCRG_MAXCOUNCIL];
    cce_result *total;      /* summed series, then the markets' series */
    cc_params *total_p;     /* a shallow view that names the scenario (owned) */
    cc_params *view[CCRG_MAXCOUNCIL];
    double wall_seconds;
    uint64_t events;
} ccrg_result;

/* Seed of council c's streams: the master seed for the first council (a
 * region of one is that council run alone), a SplitMix64 mix of the seed
 * and c for the others. */
uint64_t ccrg_council_seed(uint64_t seed, int c);

/* Run o->reps replications of the region over o->threads threads (the
 * result is the same whatever the number). uncertainty: CCE_UNC_* as for
 * a council run, applied to each council with its own seed. With o->mpi
 * under mpirun (ranks.h), a collective: the ranks share the replications
 * and rank 0 gathers them; on the other ranks success leaves *out NULL, and
 * a failure on any rank fails the call on every rank. 0, or -1 with a
 * message in err (at least 256 bytes). */
int ccrg_run(const ccrg_region *g, const cce_opts *o, int uncertainty, cce_progress progress, void *ctx,
             ccrg_result **out, char *err);
/* ccrg_run, with stop(ctx) polled before each replication (from the worker
 * threads): once it returns nonzero, no replication starts and the call
 * fails with "the run was stopped" in err. Not with o->mpi (stop unused). */
int ccrg_run_until(const ccrg_region *g, const cce_opts *o, int uncertainty, cce_progress progress, void *ctx,
                   int (*stop)(void *ctx), ccrg_result **out, char *err);
void ccrg_result_free(ccrg_result *r);

#endif
