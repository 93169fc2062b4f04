/* test_sens: sensitivity ranks a planted dominant input first. Poisson
 * entries at rate L into care, exponential stays at exit rate h: children in
 * care at a date average L/h. The config states a wide uncertainty on the
 * entry rate (a factor 0.5 to 2, 90%) and narrow ones on the exit rate
 * (0.95 to 1.05) and an equally wide one on a route no child takes (a zero
 * rate), the planted one listed last; the
 * one-at-a-time swing of children in care must be largest for the entry
 * rate, near L/h x (upper - lower factor), and the Sobol total index must be
 * largest for it too. A config without uncertainty is refused. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "check.h"
#include "sens.h"
#include "testcfg.h"

static char dir[] = "/tmp/carecap-sens-XXXXXX";

static const char extra[] =
    "supply = { external = (\n"
    "  { name = \"F\"; type = \"foster\"; location = \"county\"; unlimited = true; },\n"
    "  { name = \"R\"; type = \"residential\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"S\"; type = \"semi_independent\"; location = \"outside\"; unlimited = true; },\n"
    "  { name = \"X\"; type = \"secure\"; location = \"outside\"; unlimited = true; } ); };\n"
    "matching = { foster = [\"F\"]; residential = [\"R\"]; semi_independent = [\"S\"]; secure = [\"X\"]; };\n"
    "%s";

static const char *write_cfg(const char *name, const char *unc, double L, double h)
{
    static char path[4200];
    char text[16384], ex[4096];
    snprintf(ex, sizeof ex, extra, unc);
    testcfg_mminf_text(L, h, "", ex, text, sizeof text);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return path;
}

static void planted(double L, double h)
{
    const char *cfg = write_cfg("planted.cfg",
                                "uncertainty_of = (\n"
                                "  { setting = \"exits.other.rate\"; factor90 = [0.95, 1.05]; },\n"
                                "  { setting = \"exits.return_home.rate\"; factor90 = [0.5, 2.0]; },\n"
                                "  { setting = \"entries.rate\"; factor90 = [0.5, 2.0]; } );\n",
                                L, h);
    CHECK(cfg != NULL, "config written");
    const char *out[1] = {"looked_after/all at 2024-01-31"};
    csa_opts o = {.config = cfg, .outputs = out, .noutputs = 1, .reps = 40, .sobol_n = 32, .sobol_reps = 8,
                  .sobol_inputs = 3, .threads = 2, .seed = 11};
    csa_result *r = NULL;
    int rc = csa_analyse(&o, &r, stderr);
    CHECK(rc == CCA_OK && r, "sensitivity ran (exit %d)", rc);
    if (!r)
        return;
    const csa_input *top = &r->in[r->rank[0]];
    CHECK(strcmp(top->input, "entries.rate") == 0, "L=%g: the planted input ranks first (got %s)", L, top->input);
    /* the swing: L/h times the factors' 5th..95th percentiles (0.5 and 2) */
    double want = L / h * (2.0 - 0.5), got = top->swing[0];
    CHECK(fabs(got - want) < 0.15 * want, "L=%g: swing %.1f, expected about %.1f", L, got, want);
    int best = r->rank[0];
    for (int i = 0; i < r->ninputs; i++)
        if (r->in[i].total[0] > r->in[best].total[0])
            best = i;
    CHECK(best == r->rank[0] && r->in[best].total[0] > 0.5, "L=%g: the planted input has the largest total index "
          "(%.2f)", L, r->in[r->rank[0]].total[0]);
    printf("L=%g h=%g: %s swing %.1f (expected %.1f), S1 %.2f, ST %.2f; next %s swing %.1f\n", L, h, top->input, got,
           want, top->first[0], top->total[0], r->in[r->rank[1]].input, r->in[r->rank[1]].swing[0]);
    csa_free(r);
    unlink(cfg);
}

static void none(void)
{
    const char *cfg = write_cfg("none.cfg", "", 10, 1);
    const char *out[1] = {"looked_after/all at 2024-01-31"};
    csa_opts o = {.config = cfg, .outputs = out, .noutputs = 1, .reps = 4, .threads = 1, .seed = 1};
    csa_result *r = NULL;
    FILE *err = tmpfile();
    int rc = csa_analyse(&o, &r, err);
    char buf[1024] = "";
    rewind(err);
    size_t n = fread(buf, 1, sizeof buf - 1, err);
    buf[n] = '\0';
    fclose(err);
    CHECK(rc == CCA_INVALID && !r && strstr(buf, "uncertainty_of: the config states no uncertainty"),
          "a config without uncertainty is refused (exit %d: %s)", rc, buf);
    unlink(cfg);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    planted(20, 1);
    planted(60, 2);
    none();
    rmdir(dir);
    return check_done("test_sens");
}
