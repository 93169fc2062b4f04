/* testcfg.h: write a config text to a temporary file and load it. */
#ifndef TESTCFG_H
#define TESTCFG_H


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "params.h"

/* Load config text; on failure prints the diagnostics and returns NULL. */
static inline cc_params *testcfg_load(const char *text)
{
    char path[] = "/tmp/carecap-test-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    if (ccp_load(path, d, &p) != CCP_OK)
        ccg_print(d, stderr, "config");
    ccg_free(d);
    unlink(path);
    return p;
}

/* A one-district config with no initial population, Poisson entries of
 * `rate` a year into cohort 12-15, no ageing, and a single exit route
 * ("other") at `exit_rate` a year drawn from `dist` (a libconfig fragment
 * such as `distribution = "weibull"; shape = 2.0;`). */
static inline cc_params *testcfg_mminf_with(double rate, double exit_rate, const char *dist, const char *extra);

/* The text of testcfg_mminf_with's config, into buf (n bytes). */
static inline void testcfg_mminf_text(double rate, double exit_rate, const char *dist, const char *extra, char *buf,
                                      size_t n);

static inline cc_params *testcfg_mminf_with(double rate, double exit_rate, const char *dist, const char *extra)
{
    char text[16384];
    testcfg_mminf_text(rate, exit_rate, dist, extra, text, sizeof text);
    return testcfg_load(text);
}

static inline void testcfg_mminf_text(double rate, double exit_rate, const char *dist, const char *extra, char *buf,
                                      size_t n)
{
    static const char tmpl[] =
        "name = \"M/G/inf\"; start_date = \"2020-01-31\"; districts = [\"A\"]; ageing = false;\n"
        "initial = { count = { age_0_3 = 0; age_4_6 = 0; age_7_11 = 0; age_12_15 = 0; age_16_17 = 0; };\n"
        "  district_mix = { age_0_3 = [1.0]; age_4_6 = [1.0]; age_7_11 = [1.0]; age_12_15 = [1.0]; age_16_17 = [1.0]; };\n"
        "  placement_mix = { age_0_3 = { foster = 1.0; }; age_4_6 = { foster = 1.0; }; age_7_11 = { foster = 1.0; };\n"
        "    age_12_15 = { foster = 1.0; }; age_16_17 = { foster = 1.0; }; };\n"
        "  needs = { uasc = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "    disabled = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "    complex = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; }; };\n"
        "entries = { rate = { age_0_3 = [0.0]; age_4_6 = [0.0]; age_7_11 = [0.0]; age_12_15 = [%g]; age_16_17 = [0.0]; };\n"
        "  placement_mix = { age_0_3 = { foster = 1.0; }; age_4_6 = { foster = 1.0; }; age_7_11 = { foster = 1.0; };\n"
        "    age_12_15 = { foster = 1.0; }; age_16_17 = { foster = 1.0; }; };\n"
        "  needs = { uasc = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "    disabled = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "    complex = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; }; };\n"
        "exits = {\n"
        "  return_home = { rate = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; };\n"
        "  adoption = { rate = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; };\n"
        "  sgo = { rate = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; };\n"
        "  cao = { rate = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; };\n"
        "  other = { %s rate = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = %g; age_16_17 = 0.0; }; }; };\n"
        "moves = { rate = {\n"
        "  kinship = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  foster = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  residential = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  semi_independent = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  secure = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  with_parents = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  adoption = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; };\n"
        "  other = { age_0_3 = 0.0; age_4_6 = 0.0; age_7_11 = 0.0; age_12_15 = 0.0; age_16_17 = 0.0; }; }; };\n"
        "transitions = { semi_independent = { at_16 = { }; rate = { }; };\n"
        "  leaving_care = { default = { independent = 1.0; }; }; };\n%s";
    snprintf(buf, n, tmpl, rate, dist, exit_rate, extra);
}

static inline cc_params *testcfg_mminf(double rate, double exit_rate, const char *dist)
{
    return testcfg_mminf_with(rate, exit_rate, dist, "");
}

/* Path of a file in the repository (CARECAP_ROOT is set by CTest). */
static inline const char *testcfg_root_path(const char *rel, char *buf, size_t n)
{
    const char *root = getenv("CARECAP_ROOT");
    snprintf(buf, n, "%s/%s", root ? root : "../..", rel);
    return buf;
}

#endif
