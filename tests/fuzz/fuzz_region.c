/* fuzz_region: a region file or region scenario (region.h) over a fixed
 * council config (the repo's config/nottinghamshire.cfg, copied at start-up
 * to the temporary folder as council.cfg, with a small region file beside it
 * as base.cfg for inputs that are scenarios): parse, every council and
 * market setting, the tiers bound to markets, every lever.
 *
 * Skipped: inputs holding "@include" (see fuzz_config.c), and inputs holding
 * a '/' or "..": every path a region file names (a council's config, a
 * scenario's baseline, a council scenario) is then a file of the temporary
 * folder, so the harness never reads the machine's files. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "region.h"

#ifndef CARECAP_SOURCE_DIR
#define CARECAP_SOURCE_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *root = getenv("CARECAP_ROOT");
    char src[4096];
    snprintf(src, sizeof src, "%s/config/nottinghamshire.cfg", root && *root ? root : CARECAP_SOURCE_DIR);
    FILE *f = fopen(src, "rb");
    if (!f) {
        perror(src);
        abort();
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    fz_write("council.cfg", buf, n);
    static const char base[] =
        "name = \"Base\";\ncouncils = ( { key = \"a\"; config = \"council.cfg\"; },\n"
        "  { key = \"b\"; config = \"council.cfg\"; } );\n"
        "markets = ( { name = \"ifa\"; type = \"foster\"; location = \"d2n2\"; places = 300; price_week = 820.0;\n"
        "  providers = [ \"IFA D2N2\" ]; background = { per_year = 50.0; mean_weeks = 52.0; }; } );\n";
    fz_write("base.cfg", (const uint8_t *)base, sizeof base - 1);
    static const char scen[] = "name = \"s\";\nbaseline = \"council.cfg\";\nlevers = ( { lever = \"foster_recruitment\"; "
                               "extra_per_year = 10.0; from = \"2023-04-01\"; } );\n";
    fz_write("scenario.cfg", (const uint8_t *)scen, sizeof scen - 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fz_contains(data, size, "@include") || fz_contains(data, size, "/") || fz_contains(data, size, ".."))
        return -1;
    const char *path = fz_write("region.cfg", data, size);
    cc_diag *diag = ccg_new();
    ccrg_region *g = NULL;
    if (ccrg_load(path, diag, &g) == CCP_OK)
        ccrg_free(g);
    ccg_print(diag, fz_null(), "carecap: ");
    ccg_free(diag);
    return 0;
}
