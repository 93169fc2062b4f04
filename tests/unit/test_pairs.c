/* test_pairs: a compare's paired run (experiment.h cce_run_arms) and its
 * accumulators of the differences (pairs.h).
 * 1. The paired run gives each arm the very results of a run of that arm
 *    alone (the same seed streams and parameter draws): monthly.csv and
 *    annual.csv the same bytes, with parameter uncertainty on.
 * 2. comparison.csv's rows and the business case from the accumulators fed
 *    as replications finish (three threads, nothing kept) are the same bytes
 *    as from the two runs' kept values taken in replication order.
 * 3. The accumulators merge in any order, and through their packed form
 *    (MPI), to the same bytes: replications split between two accumulators
 *    in two ways, merged both ways round, and packed and unpacked. */
#include <stdlib.h>
#include <string.h>

#include "bizcase.h"
#include "check.h"
#include "experiment.h"
#include "output.h"
#include "pairs.h"
#include "scenario.h"
#include "testcfg.h"

enum { REPS = 24, YEARS = 2 };

static csn_scenario *scenario(const char *base)
{
    char path[] = "/tmp/carecap-pairs-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "name = \"more-carers\";\nbaseline = \"%s\";\nlevers = (\n"
               "{ lever = \"foster_recruitment\"; extra_per_year = 6.0; from = \"2022-01-01\"; capital_cost = 50000.0; }\n"
               ");\n",
            base);
    fclose(f);
    cc_diag *d = ccg_new();
    csn_scenario *s = NULL;
    if (csn_load(path, d, &s) != CCP_OK)
        ccg_print(d, stderr, "scenario");
    ccg_free(d);
    unlink(path);
    return s;
}

/* What f wrote into a memory stream, as a string (free it). */
typedef struct {
    char *text;
    size_t len;
    FILE *f;
} mem;

static void mem_open(mem *m)
{
    m->text = NULL;
    m->len = 0;
    m->f = open_memstream(&m->text, &m->len);
}

static char *mem_close(mem *m)
{
    fclose(m->f);
    return m->text;
}

/* comparison.csv's rows of scenario 0 of a and its business case. */
static char *rows(const ccpa *a)
{
    mem m;
    mem_open(&m);
    ccpa_write_comparison(m.f, a, 0);
    ccb_case *c = ccpa_case(a, 0);
    if (c)
        ccb_write_rows(m.f, c);
    ccb_free(c);
    return mem_close(&m);
}

static char *outputs(const cce_result *r)
{
    mem m;
    mem_open(&m);
    cco_write_monthly(m.f, r, 1);
    cco_write_annual(m.f, r, 1);
    return mem_close(&m);
}

int main(void)
{
    char path[4096];
    testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path);
    cc_diag *d = ccg_new();
    cc_params *base = NULL;
    if (ccp_load(path, d, &base) != CCP_OK)
        ccg_print(d, stderr, "nottinghamshire");
    ccg_free(d);
    CHECK(base != NULL, "the county loads");
    csn_scenario *s = base ? scenario(path) : NULL;
    CHECK(s != NULL, "the scenario loads");
    if (!s) {
        ccp_free(base);
        return check_done("test_pairs");
    }
    cce_unc un = {CCE_UNC_ON, 0};
    int unc = cce_uncertainty_on(base, un.mode);

    /* the two runs alone, every value kept */
    cce_opts o = {REPS, YEARS, 2, 17, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    char err[256];
    cce_result *rb = NULL, *rs = NULL;
    CHECK(cce_run_unc(base, &o, &un, 0, NULL, NULL, &rb, err) == 0, "baseline run: %s", err);
    o.phases = (const cc_params *const *)s->phase;
    o.phase_t = s->phase_t;
    o.nphase = s->nphase;
    CHECK(cce_run_unc(s->phase[0], &o, &un, 0, NULL, NULL, &rs, err) == 0, "scenario run: %s", err);

    /* the paired run: nothing kept, the differences accumulated */
    ccx_layout *lb = ccx_new(base), *ls = ccx_new(s->phase[0]);
    const char *name = s->phase[0]->scenario;
    const csn_scenario *scs = s;
    int group = rb ? rb->draw_group : 1;
    ccpa_plan *pl = ccpa_plan_new(base, lb, 1, &name, (const ccx_layout *const *)&ls, &scs, 12 * YEARS + 1, group);
    CHECK(pl != NULL && ccpa_has_case(pl), "a plan with a business case");
    cce_arm arms[2] = {{base, NULL, NULL, 0}, {s->phase[0], (const cc_params *const *)s->phase, s->phase_t, s->nphase}};
    cce_opts po = {REPS, YEARS, 3, 17, 0, NULL, NULL, 0, NULL, NULL, 1, NULL, NULL, 0};
    cce_derive dv;
    ccpa_derive(pl, &dv);
    cce_result *res[2] = {NULL, NULL};
    void *acc = NULL;
    CHECK(cce_run_arms(arms, 2, &po, &un, 0, &dv, NULL, NULL, res, &acc, err) == 0, "paired run: %s", err);
    CHECK(unc && rb && rb->uncertainty && res[0] && res[0]->uncertainty, "parameter uncertainty on");
    CHECK(res[0] && !res[0]->data && res[1] && !res[1]->data, "the paired run keeps no replication's values");

    if (rb && rs && res[0] && res[1] && acc) {
        /* 1. each arm's results as when it ran alone */
        for (int a = 0; a < 2; a++) {
            char *alone = outputs(a ? rs : rb), *paired = outputs(res[a]);
            CHECK(strcmp(alone, paired) == 0, "arm %d: monthly and annual outputs as when run alone", a);
            free(alone);
            free(paired);
        }
        /* 2. comparison.csv and the business case as from the kept values */
        mem m;
        mem_open(&m);
        ccpa_write_kept(m.f, rb, rs);
        ccb_case *c = ccb_compute(rb, rs, s);
        CHECK(c != NULL, "business case from kept values");
        if (c)
            ccb_write_rows(m.f, c);
        ccb_free(c);
        char *kept = mem_close(&m), *paired = rows(acc);
        CHECK(strlen(paired) > 1000 && strstr(paired, "cost_per_gap_week") && strstr(paired, "spend_cumulative"),
              "comparison rows written (%zu bytes)", strlen(paired));
        CHECK(strcmp(kept, paired) == 0, "comparison.csv from the accumulators as from the kept values");
        free(kept);

        /* 3. merged in any order, and packed: the same bytes */
        size_t nb = (size_t)rb->L->n * (size_t)rb->ndates, ns = (size_t)rs->L->n * (size_t)rs->ndates;
        ccpa *x[4];
        for (int i = 0; i < 4; i++)
            x[i] = ccpa_new(pl);
        int cut[2] = {2 * group, REPS - 2 * group}; /* whole draw groups */
        for (int w = 0; w < 2; w++)
            for (int i = 0; i < REPS; i++) {
                const double *v[2] = {rb->data + (size_t)i * nb, rs->data + (size_t)i * ns};
                CHECK(ccpa_add(x[2 * w + (i >= cut[w])], i, v) == 0, "add");
            }
        CHECK(ccpa_merge(x[1], x[0]) == 0 && ccpa_merge(x[2], x[3]) == 0, "merge");
        char *m1 = rows(x[1]), *m2 = rows(x[2]);
        CHECK(strcmp(m1, paired) == 0, "later replications merged with earlier: the same bytes");
        CHECK(strcmp(m2, paired) == 0, "earlier replications merged with later: the same bytes");
        unsigned char *buf = NULL;
        size_t len = 0, cap = 0;
        ccpa *y = ccpa_new(pl); /* as rank 0: its own share, then another rank's packed */
        for (int i = 0; i < cut[1]; i++) {
            const double *v[2] = {rb->data + (size_t)i * nb, rs->data + (size_t)i * ns};
            CHECK(ccpa_add(y, i, v) == 0, "add");
        }
        CHECK(ccpa_pack(x[3], &buf, &len, &cap) == 0 && ccpa_unpack_merge(y, buf, len) == 0, "pack, unpack");
        /* 4. added in batches (as a paired run's workers add them; one
         * longer than ccpa_add_batch's chunk): the very accumulators of
         * one replication at a time, packed byte for byte */
        {
            ccpa *one = ccpa_new(pl), *bat = ccpa_new(pl);
            const double *bv[2 * REPS];
            int brep[REPS], sizes[] = {1, 5, REPS - 6}, at = 0;
            for (int i = 0; i < REPS; i++) {
                bv[2 * i] = rb->data + (size_t)i * nb;
                bv[2 * i + 1] = rs->data + (size_t)i * ns;
                brep[i] = i;
                CHECK(ccpa_add(one, i, bv + 2 * i) == 0, "add");
            }
            for (size_t q = 0; q < sizeof sizes / sizeof *sizes; q++) {
                CHECK(ccpa_add_batch(bat, brep + at, bv + 2 * at, sizes[q]) == 0, "add a batch");
                at += sizes[q];
            }
            unsigned char *p1 = NULL, *p2 = NULL;
            size_t l1 = 0, c1 = 0, l2 = 0, c2 = 0;
            CHECK(ccpa_pack(one, &p1, &l1, &c1) == 0 && ccpa_pack(bat, &p2, &l2, &c2) == 0, "pack");
            CHECK(l1 == l2 && l1 > 0 && memcmp(p1, p2, l1) == 0,
                  "batches of 1, 5 and %d: the same accumulators as one at a time", REPS - 6);
            free(p1);
            free(p2);
            ccpa_free(one);
            ccpa_free(bat);
        }
        char *m3 = rows(y);
        CHECK(strcmp(m3, paired) == 0, "through the packed form: the same bytes");
        CHECK(len > 8 && ccpa_unpack_merge(y, buf, len - 1) != 0, "a short packed form is refused");
        free(buf);
        free(m1);
        free(m2);
        free(m3);
        ccpa_free(y);
        for (int i = 0; i < 4; i++)
            ccpa_free(x[i]);
        free(paired);
    }
    dv.drop(acc);
    cce_free(res[0]);
    cce_free(res[1]);
    ccpa_plan_free(pl);
    ccx_free(lb);
    ccx_free(ls);
    cce_free(rb);
    cce_free(rs);
    csn_free(s);
    ccp_free(base);
    return check_done("test_pairs");
}
