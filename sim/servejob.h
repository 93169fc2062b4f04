/* servejob: the runs of `carecap serve`. A request's baseline and scenarios
 * are loaded and validated before anything is queued (every problem as
 * `check` reports it); a run is the baseline and up to four scenarios under
 * common random numbers, as `compare` runs them, on a pool that runs at
 * most max_running at once and queues at most max_queued more. A run can be
 * cancelled at any time (between replications); its outputs go into the
 * server's own folder OUTROOT/ID through the staged writer, so a cancelled
 * or failed run leaves nothing. Files are reached only by names from fixed
 * lists: a baseline NAME is config/NAME.cfg, a scenario NAME is
 * scenarios/NAME.cfg (regular files, not links), a run's file is one of the
 * names the run wrote, in the folder of an id the pool made. */
#ifndef SERVEJOB_H
#define SERVEJOB_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "servereq.h"

typedef struct sjb_pool sjb_pool;

typedef struct {
    const char *root;    /* the folder holding config/ and scenarios/ */
    const char *outroot; /* the runs' folders (created) */
    int max_running;     /* runs at once, >= 1 */
    int max_queued;      /* runs waiting, >= 0 */
    int threads;         /* worker threads of each run, >= 1 */
    int keep_runs;       /* run folders kept (newest first), 0: all. Only folders the pool's own
                          * way names (32 hex digits), real folders (not links) of this user, are
                          * removed: at the start and after each run */
} sjb_opts;

/* A pool with its worker threads started; NULL with a message in err (at
 * least 512 bytes). sjb_free cancels every run and waits for the workers. */
sjb_pool *sjb_new(const sjb_opts *o, char *err);
void sjb_free(sjb_pool *p);

/* Write the baselines and scenarios that can be chosen as JSON to f:
 * {"baselines": [{"name", "council", "start"}], "scenarios": [{"file",
 * "name", "description", "baseline"}]} (files that do not load are left
 * out). 0, or -1 when memory ran out. */
int sjb_list(sjb_pool *p, FILE *f);

/* Validate request rq (srq_parse_run) and queue it. 0 with the run's id
 * (32 hex digits and a NUL) in id; 1 when it is invalid (every message in
 * d, as `check` prints them, the edited scenarios' files named NAME.cfg);
 * 2 when the queue is full; -1 when memory ran out. */
int sjb_submit(sjb_pool *p, const srq_run *rq, cc_diag *d, char *id);

/* Validate a back-test request (rq->config: a baseline with a back-test in
 * tests/data/backtests.conf, servebt.h; reps and seed; no scenarios) and
 * queue it: the back-test config run with parameter uncertainty on and
 * off, each beside the published figures. Returns as sjb_submit; its
 * results (sjb_result) are the back-test's JSON (docs/workbench.md). */
int sjb_submit_backtest(sjb_pool *p, const srq_run *rq, cc_diag *d, char *id);

/* An edited scenario rq->scen[0] as the scenario file to save, after the
 * same validation: 0 with *text (malloc'd, the caller frees) and its file
 * name in fname (at least 80 bytes); 1 when invalid (messages in d). */
int sjb_scenario_file(sjb_pool *p, const srq_run *rq, cc_diag *d, char **text, char *fname);

enum { SJB_QUEUED, SJB_RUNNING, SJB_DONE, SJB_FAILED, SJB_CANCELLED };
extern const char *const sjb_state_name[5];

typedef struct {
    int state;
    int position;     /* queued: runs ahead of it */
    int done, total;  /* replications */
    unsigned version; /* changes whenever anything above does */
    char message[512];
} sjb_status;

/* The status of run id, waiting up to wait_ms for a change from version
 * `seen` (0: no wait). 0, or -1 for an unknown id. */
int sjb_status_of(sjb_pool *p, const char *id, unsigned seen, int wait_ms, sjb_status *st);
/* Cancel run id (queued or running). 0, or -1 for an unknown id. */
int sjb_cancel(sjb_pool *p, const char *id);
/* A copy of the finished run's results as JSON (see docs/workbench.md);
 * NULL when id is unknown or not finished. The caller frees it. */
char *sjb_result(sjb_pool *p, const char *id, size_t *len);
/* Open file `name` of finished run id for reading: only a name the run
 * wrote, never through a link. A file descriptor, or -1. */
int sjb_open_file(sjb_pool *p, const char *id, const char *name);

#endif
