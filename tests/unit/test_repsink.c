/* test_repsink: the experiment's per-replication hook (experiment.h,
 * cce_run_each) hands over every replication once, in replication order,
 * with the values and totals the result keeps, whatever the number of
 * threads; a sum formed in the hook is the same bits on 1 and 3 threads; a
 * sink that asks to stop makes the run fail. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "experiment.h"

enum { REPS = 24 };

typedef struct {
    int seen[REPS], order[REPS], n;
    double sum;      /* looked_after/all at the last date, summed in hook order */
    double first[REPS];
    int ndates, j, stop_at;
    const double *last_values;
} sinkctx;

static int sink(void *ctx, int rep, const double *values, const ccs_totals *tot)
{
    sinkctx *c = ctx;
    if (rep < 0 || rep >= REPS || c->n >= REPS)
        return 1;
    c->seen[rep]++;
    c->order[c->n++] = rep;
    c->first[rep] = values[(size_t)c->j * (size_t)c->ndates + (size_t)(c->ndates - 1)] + (double)tot->events * 1e-9;
    c->sum += c->first[rep] / 3.0; /* rounding: order matters for the bits */
    return c->stop_at >= 0 && rep == c->stop_at;
}

static cc_params *load(void)
{
    const char *root = getenv("CARECAP_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/config/nottinghamshire.cfg", root ? root : ".");
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    if (ccp_load(path, d, &p) != CCP_OK)
        ccg_print(d, stderr, "config");
    ccg_free(d);
    return p;
}

static double run(const cc_params *p, int threads, int stop_at, int *ok)
{
    sinkctx c;
    memset(&c, 0, sizeof c);
    c.stop_at = stop_at;
    c.j = 0; /* looked_after/all is the layout's first series */
    c.ndates = 12 * 2 + 1;
    cce_opts o = {REPS, 2, threads, 5, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    int rc = cce_run_each(p, &o, sink, &c, NULL, NULL, &r, err);
    *ok = rc == 0;
    if (stop_at >= 0) {
        CHECK(rc != 0 && r == NULL, "-j %d: a sink that stops at %d fails the run", threads, stop_at);
        CHECK(c.n == stop_at + 1, "-j %d: %d replications handed over before the stop at %d", threads, c.n, stop_at);
        cce_free(r);
        return 0;
    }
    CHECK(rc == 0, "-j %d: run: %s", threads, err);
    if (rc != 0)
        return 0;
    CHECK(strcmp(r->L->metric[0], "looked_after") == 0 && strcmp(r->L->group[0], "all") == 0, "first series");
    CHECK(c.n == REPS, "-j %d: %d replications handed over, expected %d", threads, c.n, REPS);
    int inorder = 1, once = 1, same = 1;
    for (int i = 0; i < REPS; i++) {
        inorder &= c.order[i] == i;
        once &= c.seen[i] == 1;
        same &= c.first[i] == cce_value(r, i, 0, c.ndates - 1) + (double)r->tot[i].events * 1e-9;
    }
    CHECK(inorder, "-j %d: replications handed over in replication order", threads);
    CHECK(once, "-j %d: every replication handed over once", threads);
    CHECK(same, "-j %d: the hook saw the values the result keeps", threads);
    cce_free(r);
    return c.sum;
}

int main(void)
{
    cc_params *p = load();
    CHECK(p != NULL, "nottinghamshire.cfg loads");
    if (!p)
        return check_done("test_repsink");
    int ok1, ok3, ok;
    double s1 = run(p, 1, -1, &ok1), s3 = run(p, 3, -1, &ok3);
    CHECK(ok1 && ok3 && memcmp(&s1, &s3, sizeof s1) == 0, "the hook's sum is the same bits on 1 and 3 threads (%.17g, %.17g)",
          s1, s3);
    run(p, 3, 7, &ok);
    ccp_free(p);
    return check_done("test_repsink");
}
