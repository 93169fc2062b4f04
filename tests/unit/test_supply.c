/* test_supply: the supply side against known mathematics and invariants.
 * 1. Erlang B: Poisson entries at rate L, exponential stays with mean D, a
 *    provider with c places and overflow to an unlimited tier: the long-run
 *    share of entries that overflow is B(c, L*D), and the mean occupancy of
 *    the c places is L*D*(1 - B), for two (c, L*D) pairs.
 * 2. Fostering pool: approvals at rate A a year (after an assessment lag),
 *    resignation at hazard h, no children: the number of households is
 *    Poisson with mean A/h in the long run.
 * 3. The baseline: the start-date KPIs equal the seeds' July 2022 figures;
 *    with every-event checks on, no place is ever held by two children or
 *    over capacity, households and waiting lists stay consistent, and every
 *    step-down goes to the type the child needs; and the compiled
 *    preference lists agree with the parameters at every age of each
 *    cohort (the lists are checked whenever they are compiled); every
 *    running stock (by age, district, need, placement, provider, location,
 *    the KPIs; the spend's children by type) equals a recount of the
 *    children in care (ccta_check: a move changes only the stocks whose
 *    spot changed), and a move's spend done in one step equals, bit for
 *    bit, the two steps it replaces (ccmo_move_in).
 * 4. The step-down scenario (a lever that redraws waiting children's
 *    ready times mid-run): the same checks, including the ready sublists a
 *    freed place walks and the heap of children not yet ready. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "experiment.h"
#include "scenario.h"
#include "testcfg.h"

static double erlang_b(int c, double a)
{
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

static const char unlimited_tiers[] =
    "  { name = \"Spot\"; type = \"foster\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"R\"; type = \"residential\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"S\"; type = \"semi_independent\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"X\"; type = \"secure\"; location = \"outside\"; unlimited = true; } ); };\n"
    "matching = { foster = [\"%s\", \"Spot\"]; residential = [\"R\"]; semi_independent = [\"S\"];\n"
    "  secure = [\"X\"]; };\n";

static int series(const cce_result *r, const char *metric, const char *group)
{
    for (int j = 0; j < r->L->n; j++)
        if (strcmp(r->L->metric[j], metric) == 0 && strcmp(r->L->group[j], group) == 0)
            return j;
    return -1;
}

static void erlang(int c, double a)
{
    double D = 0.1, L = a / D; /* years */
    char extra[4096], tiers[2048];
    snprintf(tiers, sizeof tiers, unlimited_tiers, "Pool");
    snprintf(extra, sizeof extra,
             "supply = { external = (\n"
             "  { name = \"Pool\"; type = \"foster\"; location = \"county\"; capacity = %d; },\n%s",
             c, tiers);
    cc_params *p = testcfg_mminf_with(L, 1.0 / D, "", extra);
    CHECK(p != NULL, "Erlang config c=%d", c);
    if (!p)
        return;
    enum { YEARS = 12, WARM = 1 };
    cce_opts o = {300, YEARS, 2, 77, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0, "Erlang run");
    int js = series(r, "placements", "Spot"), jo = series(r, "occupancy", "Pool");
    CHECK(js >= 0 && jo >= 0, "placements/Spot and occupancy/Pool series exist");
    double s = 0, s2 = 0, occ = 0;
    int n = r->reps, samples = 0;
    for (int i = 0; i < n; i++) {
        double over = 0, ent = 0;
        for (int k = 12 * WARM + 1; k < r->ndates; k++) {
            over += cce_value(r, i, js, k);
            ent += cce_value(r, i, r->L->ent_all, k);
            occ += cce_value(r, i, jo, k);
            samples++;
        }
        double f = over / ent;
        s += f;
        s2 += f * f;
    }
    double mean = s / n, sd = sqrt((s2 - n * mean * mean) / (n - 1)), se = sd / sqrt(n);
    double B = erlang_b(c, a);
    CHECK(fabs(mean - B) < 4 * se, "c=%d a=%g: overflow share %.4f, Erlang B %.4f +- %.4f", c, a, mean, B, 4 * se);
    double occ_mean = occ / samples, want = a * (1 - B);
    /* month-end samples are correlated; allow 2% of the mean */
    CHECK(fabs(occ_mean - want) < 0.02 * want, "c=%d a=%g: mean occupancy %.3f, L*D*(1-B) = %.3f", c, a,
          occ_mean, want);
    printf("Erlang B c=%d a=%g: overflow %.4f (B %.4f, +-%.4f); occupancy %.3f (expected %.3f)\n", c, a, mean, B,
           4 * se, occ_mean, want);
    cce_free(r);
    ccp_free(p);
}

static void pool_size(void)
{
    const double A = 30, h = 0.25;
    char extra[4096], tiers[2048];
    snprintf(tiers, sizeof tiers, unlimited_tiers, "inhouse_foster");
    snprintf(extra, sizeof extra,
             "supply = { fostering = { households = 0; slots = [0.5, 0.3, 0.2]; approvals = %g;\n"
             "  assessment_days = 120; resignation = %g; };\n"
             "  external = (\n%s",
             A, h, tiers);
    cc_params *p = testcfg_mminf_with(0, 1, "", extra);
    CHECK(p != NULL, "pool config");
    if (!p)
        return;
    cce_opts o = {400, 30, 2, 99, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0, "pool run");
    int jh = series(r, "fostering", "households");
    int k = r->ndates - 1, n = r->reps;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = cce_value(r, i, jh, k);
        s += x;
        s2 += x * x;
    }
    double mean = s / n, var = (s2 - n * mean * mean) / (n - 1), mu = A / h;
    double se_mean = sqrt(mu / n), se_var = sqrt((mu * (1 + 3 * mu) - mu * mu * (n - 3.0) / (n - 1.0)) / n);
    CHECK(fabs(mean - mu) < 4 * se_mean, "pool: mean households %.2f, expected A/h = %.0f +- %.2f", mean, mu,
          4 * se_mean);
    CHECK(fabs(var - mu) < 4 * se_var, "pool: variance %.1f, expected %.0f +- %.1f (Poisson)", var, mu, 4 * se_var);
    printf("pool: mean %.2f households (A/h = %.0f), variance %.1f\n", mean, mu, var);
    cce_free(r);
    ccp_free(p);
}

static void baseline(void)
{
    char path[4096];
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    ccp_load(testcfg_root_path("config/nottinghamshire.cfg", path, sizeof path), d, &p);
    ccg_free(d);
    CHECK(p != NULL, "baseline loads");
    if (!p)
        return;
    cce_opts o = {12, 10, 2, 3, 1, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0, "baseline run with checks");
    uint64_t bad = 0;
    for (int i = 0; i < r->reps; i++)
        bad += r->tot[i].violations;
    CHECK(bad == 0, "%llu supply-state inconsistencies", (unsigned long long)bad);
    /* the seeds' July 2022 KPIs, in every replication */
    static const struct {
        const char *m, *g;
        double v;
    } kpi[] = {{"kpi", "kinship", 84},
               {"kpi", "external_foster", 303},
               {"kpi", "resi_against_plan", 39},
               {"kpi", "family_based_12_15", 204},
               {"kpi", "outside_d2n2", 290},
               {"placed_outside", "county", 493},
               {"placed", "residential", 163},
               {"placed", "foster", 525}};
    for (size_t x = 0; x < sizeof kpi / sizeof *kpi; x++) {
        int j = series(r, kpi[x].m, kpi[x].g);
        int wrong = j < 0;
        for (int i = 0; i < r->reps && j >= 0; i++)
            wrong += cce_value(r, i, j, 0) != kpi[x].v;
        CHECK(!wrong, "start date %s/%s is %g in every replication", kpi[x].m, kpi[x].g, kpi[x].v);
    }
    /* at every month end: homes within their beds, and every child counted
     * once: children with a provider plus those without add up to all */
    const csu_params *sp = &p->supply;
    int over = 0, twice = 0, planned_bad = 0;
    int jp = series(r, "moves", "planned"), jb = series(r, "moves", "breakdown"), ja = series(r, "moves", "all");
    for (int i = 0; i < r->reps; i++)
        for (int k = 0; k < r->ndates; k++) {
            double held = 0;
            for (int q = 0; q < sp->n; q++) {
                double x = cce_value(r, i, r->L->occupancy + q, k);
                held += x;
                if (sp->prov[q].avail == CSU_CAPACITY && x > sp->prov[q].capacity)
                    over++;
            }
            held += cce_value(r, i, r->L->placed + CCM_KINSHIP, k) + cce_value(r, i, r->L->placed + CCM_PARENTS, k) +
                    cce_value(r, i, r->L->placed + CCM_ADOPTION, k) + cce_value(r, i, r->L->placed + CCM_OTHER, k);
            twice += held != cce_value(r, i, r->L->la_all, k);
            planned_bad += cce_value(r, i, jp, k) + cce_value(r, i, jb, k) != cce_value(r, i, ja, k);
        }
    CHECK(over == 0, "%d month ends with a provider over capacity", over);
    CHECK(twice == 0, "%d month ends where placements do not add up to children in care", twice);
    CHECK(planned_bad == 0, "%d months where planned + breakdown moves != all moves", planned_bad);
    cce_free(r);
    ccp_free(p);
}

/* supply-mini (homes opening and closing, a resigning pool) with checks on,
 * as given and with carers who stop at once (their children move on). */
static void mini(int leave_when_empty)
{
    char path[4096], inc[4200];
    testcfg_root_path("tests/data/supply-mini.cfg", path, sizeof path);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "supply-mini.cfg readable");
    if (!f)
        return;
    static char text[32768];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    /* the resignation rule under test */
    char *lw = strstr(text, "leave_when_empty = true;");
    CHECK(lw != NULL, "supply-mini.cfg sets leave_when_empty");
    if (!lw)
        return;
    if (!leave_when_empty)
        memcpy(lw, "leave_when_empty = false;", 24);
    /* a temporary folder with the variant and the file it includes */
    char dir[] = "/tmp/carecap-test-XXXXXX", cfg[64], mini_copy[64];
    CHECK(mkdtemp(dir) != NULL, "temporary folder");
    snprintf(cfg, sizeof cfg, "%s/supply.cfg", dir);
    snprintf(mini_copy, sizeof mini_copy, "%s/cli-mini.cfg", dir);
    testcfg_root_path("tests/data/cli-mini.cfg", inc, sizeof inc);
    FILE *in = fopen(inc, "r"), *o1 = fopen(mini_copy, "w"), *o2 = fopen(cfg, "w");
    if (in && o1) {
        char buf[4096];
        size_t m;
        while ((m = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, m, o1);
    }
    if (o2)
        fputs(text, o2);
    if (in)
        fclose(in);
    if (o1)
        fclose(o1);
    if (o2)
        fclose(o2);
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    if (ccp_load(cfg, d, &p) != CCP_OK)
        ccg_print(d, stderr, "config");
    ccg_free(d);
    unlink(cfg);
    unlink(mini_copy);
    rmdir(dir);
    CHECK(p != NULL, "supply-mini loads (leave_when_empty %d)", leave_when_empty);
    if (!p)
        return;
    cce_opts o = {60, 6, 2, 8, 1, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(p, &o, NULL, NULL, &r, err) == 0, "supply-mini run");
    uint64_t bad = 0;
    double resigned = 0, planned = 0;
    int jr = series(r, "fostering", "resignations"), jp = series(r, "moves", "planned");
    for (int i = 0; i < r->reps; i++) {
        bad += r->tot[i].violations;
        for (int k = 0; k < r->ndates; k++) {
            resigned += cce_value(r, i, jr, k);
            planned += cce_value(r, i, jp, k);
        }
    }
    CHECK(bad == 0, "supply-mini (leave_when_empty %d): %llu inconsistencies", leave_when_empty,
          (unsigned long long)bad);
    CHECK(resigned > 0 && planned > 0, "supply-mini: resignations (%g) and planned moves (%g) happen", resigned,
          planned);
    cce_free(r);
    ccp_free(p);
}

static void step_down(void)
{
    char path[4096];
    cc_diag *d = ccg_new();
    csn_scenario *sc = NULL;
    if (csn_load(testcfg_root_path("scenarios/step-down.cfg", path, sizeof path), d, &sc) != CCP_OK)
        ccg_print(d, stderr, "scenario");
    ccg_free(d);
    CHECK(sc != NULL, "step-down scenario loads");
    if (!sc)
        return;
    cce_opts o = {4, 3, 2, 5, 1, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    o.phases = (const cc_params *const *)sc->phase;
    o.phase_t = sc->phase_t;
    o.nphase = sc->nphase;
    cce_result *r = NULL;
    char err[256];
    CHECK(cce_run(sc->phase[0], &o, NULL, NULL, &r, err) == 0, "step-down run with checks");
    uint64_t bad = 0;
    for (int i = 0; r && i < r->reps; i++)
        bad += r->tot[i].violations;
    CHECK(r && bad == 0, "step-down: %llu supply-state inconsistencies", (unsigned long long)bad);
    cce_free(r);
    csn_free(sc);
}

int main(void)
{
    erlang(5, 4.0);
    erlang(10, 8.0);
    pool_size();
    baseline();
    mini(1);
    mini(0);
    step_down();
    return check_done("test_supply");
}
