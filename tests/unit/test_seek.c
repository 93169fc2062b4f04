/* test_seek: seek finds a known answer. Poisson entries at rate L into a
 * tier of c places with exponential stays of mean D and no queue (a child
 * who finds it full goes to an unlimited spot tier): the long-run share
 * sent elsewhere is Erlang B(c, L*D). seek varies c (a block_contract
 * lever's capacity) with the target "mean share sent elsewhere <= 5%" and
 * must return exactly the smallest c with B(c, a) <= 5%, computed here by
 * the Erlang recursion, for two loads; the setting below it must fail; a
 * range that stops short of it must be refused; and the result must not
 * depend on the number of threads. Also: target parsing errors. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "check.h"
#include "ccdate.h"
#include "metrics.h"
#include "seek.h"
#include "target.h"
#include "testcfg.h"

static double erlang_b(int c, double a)
{
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

static const char tiers[] =
    "supply = { external = (\n"
    "  { name = \"Pool\"; type = \"foster\"; location = \"county\"; capacity = 1; },\n"
    "  { name = \"Spot\"; type = \"foster\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"R\"; type = \"residential\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"S\"; type = \"semi_independent\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"X\"; type = \"secure\"; location = \"outside\"; unlimited = true; } ); };\n"
    "matching = { foster = [\"Pool\", \"Spot\"]; residential = [\"R\"]; semi_independent = [\"S\"];\n"
    "  secure = [\"X\"]; };\n";

static char dir[] = "/tmp/carecap-seek-XXXXXX";

/* Write the Erlang config for load a and a scenario varying Pool's capacity;
 * the scenario's path into path. */
static int write_files(double a, char *path, size_t n)
{
    double D = 0.1, L = a / D;
    char text[16384], cfg[4096];
    testcfg_mminf_text(L, 1.0 / D, "", tiers, text, sizeof text);
    snprintf(cfg, sizeof cfg, "%s/erlang.cfg", dir);
    FILE *f = fopen(cfg, "w");
    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    snprintf(path, n, "%s/beds.cfg", dir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "name = \"beds\"; baseline = \"erlang.cfg\";\n"
               "levers = ( { lever = \"block_contract\"; provider = \"Pool\"; capacity = 1; } );\n");
    fclose(f);
    return 0;
}

/* After a year's warm-up, the share of the next eleven years' entries that
 * went to Spot. */
static const char *target = "mean placements/Spot / entries/all <= 0.05 over 2021-02-01 to 2032-01-31";

static csk_result *seek(const char *scen, double lo, double hi, int threads, FILE *err)
{
    const char *tg[1] = {target};
    csk_opts o = {.scenario = scen, .targets = tg, .ntargets = 1, .unit_cost = NAN, .reps = 60, .max_reps = 960,
                  .threads = threads, .seed = 5};
    snprintf(o.vary.lever, sizeof o.vary.lever, "block_contract");
    snprintf(o.vary.setting, sizeof o.vary.setting, "capacity");
    o.vary.a = lo;
    o.vary.b = hi;
    o.vary.step = 1;
    csk_result *r = NULL;
    int rc = csk_search(&o, &r, err);
    CHECK(rc == CCA_OK && r, "seek %g:%g ran (exit %d)", lo, hi, rc);
    return r;
}

static void known(double a)
{
    char scen[4096];
    CHECK(write_files(a, scen, sizeof scen) == 0, "files written");
    int want = 1;
    while (erlang_b(want, a) > 0.05)
        want++;
    printf("a=%g: smallest c with B(c, a) <= 5%% is %d (B(%d) = %.4f, B(%d) = %.4f)\n", a, want, want - 1,
           erlang_b(want - 1, a), want, erlang_b(want, a));
    csk_result *r = seek(scen, 1, 3 * want, 2, stderr);
    if (!r)
        return;
    CHECK(r->found, "a=%g: a setting was found", a);
    if (r->found) {
        const csk_eval *e = &r->evals[r->answer];
        CHECK(e->value == want, "a=%g: seek says c = %g, Erlang B says %d", a, e->value, want);
        CHECK(e->est[0] <= 0.05, "a=%g: the answer's share %.4f is at most 5%%", a, e->est[0]);
        CHECK(r->runner_up >= 0 && r->evals[r->runner_up].value == want - 1 && r->evals[r->runner_up].est[0] > 0.05,
              "a=%g: the runner-up is c = %d and fails", a, want - 1);
        CHECK(r->nevals >= r->nsettings && r->nsettings >= 3 && r->total_reps > 0, "a=%g: evaluations reported", a);
        printf("a=%g: seek found c = %g (share %.4f, 95%% %.4f..%.4f) in %d evaluations of %d settings, %ld "
               "replications; runner-up c = %g (share %.4f)\n",
               a, e->value, e->est[0], e->lo[0], e->hi[0], r->nevals, r->nsettings, r->total_reps,
               r->evals[r->runner_up].value, r->evals[r->runner_up].est[0]);
        /* the same on one thread: every number alike */
        csk_result *r1 = seek(scen, 1, 3 * want, 1, stderr);
        CHECK(r1 && r1->nevals == r->nevals && memcmp(r1->evals, r->evals, (size_t)r->nevals * sizeof *r->evals) == 0,
              "a=%g: the same evaluations on 1 thread as on 2", a);
        csk_free(r1);
    }
    csk_free(r);
    /* a range that stops below the answer is refused */
    r = seek(scen, 1, want - 1, 2, stderr);
    CHECK(r && !r->found && r->answer < 0, "a=%g: range 1..%d is refused", a, want - 1);
    csk_free(r);
}

static void parse_errors(void)
{
    char path[4096];
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    ccp_load(testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path), d, &p);
    ccg_free(d);
    CHECK(p != NULL, "county loads");
    if (!p)
        return;
    ccx_layout *L = ccx_new(p);
    ctg_list *t = ctg_new(L, p->start_day);
    char err[512];
    static const char *const good[] = {
        "kpi_pct/external_foster <= 40 at 2028-03-31 with p >= 0.8",
        "gap/residential <= 0 from 2027-04-01 with p>=0.5",
        "mean spend/total < 1e8 over 2027-04-01 to 2028-03-31",
        "gap/foster > -5 from 2024-01-01 to 2025-12-31 with p >=0.9",
    };
    static const char *const bad[][2] = {
        {"kpi_pct/external_fooster <= 40 at 2028-03-31 with p >= 0.8", "is not a series"},
        {"kpi_pct/external_foster 40 at 2028-03-31 with p >= 0.8", "has no comparison"},
        {"kpi_pct/external_foster <= forty at 2028-03-31 with p >= 0.8", "is not a number"},
        {"kpi_pct/external_foster <= 40 at 2028-03-30 with p >= 0.8", "is not a month end"},
        {"kpi_pct/external_foster <= 40 at 2028-02-30 with p >= 0.8", "is not a date"},
        {"kpi_pct/external_foster <= 40 at 2020-03-31 with p >= 0.8", "before the start date"},
        {"kpi_pct/external_foster <= 40 at 2028-03-31", "has no probability"},
        {"kpi_pct/external_foster <= 40 at 2028-03-31 with p >= 1.5", "is not a probability"},
        {"kpi_pct/external_foster <= 40 by 2028-03-31 with p >= 0.8", "is not when"},
        {"mean kpi_pct/external_foster <= 40 at 2028-03-31 with p >= 0.8", "has no probability (expected no"},
        {"mean kpi_pct/external_foster <= 40 from 2028-03-31", "a mean target reads one date"},
        {"mean spend/total < 1 over 2027-04-01", "needs an end"},
        {"mean spend/total < 1 over 2027-04-01 to 2027-04-20", "holds no month end"},
        {"kpi_pct/external_foster <= 40 at 2028-03-31 with p >= 0.8 please", "is not expected here"},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK(ctg_add(t, good[i], 0, err, sizeof err) == 0, "'%s' parses (%s)", good[i], err);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        int rc = ctg_add(t, bad[i][0], 0, err, sizeof err);
        CHECK(rc != 0 && strstr(err, bad[i][1]), "'%s' is refused with \"%s\" (got \"%s\")", bad[i][0], bad[i][1], err);
    }
    CHECK(ctg_count(t) == 4, "four targets kept");
    /* a quantity for sensitivity */
    CHECK(ctg_add(t, "spend/total over 2027-04-01 to 2028-03-31", 1, err, sizeof err) == 0, "a quantity parses (%s)",
          err);
    CHECK(ctg_add(t, "spend/total <= 3 over 2027-04-01 to 2028-03-31", 1, err, sizeof err) != 0,
          "a quantity with a comparison is refused");
    ctg_free(t);
    ccx_free(L);
    ccp_free(p);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    parse_errors();
    known(2.0);
    known(6.0);
    char path[4200];
    snprintf(path, sizeof path, "%s/erlang.cfg", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/beds.cfg", dir);
    unlink(path);
    rmdir(dir);
    return check_done("test_seek");
}
