/* fuzz_scenario: a scenario file applied to a fixed baseline (the repo's
 * config/nottinghamshire.cfg, copied at start-up to config/ in the
 * temporary folder, so the scenarios of scenarios/ are valid seeds as they
 * stand): parse, every lever's settings, the phases built from its dates.
 *
 * Skipped: inputs holding "@include" (see fuzz_config.c), and inputs whose
 * `baseline` names anything but an ordinary file inside the temporary
 * folder (or nothing that exists): a path outside would read the machine's
 * files, and a directory, FIFO or device once made libconfig exit or block
 * (issue 11, point 7; refused since, tested in tests/cli/). */
#define _XOPEN_SOURCE 700
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "scenario.h"

#ifndef CARECAP_SOURCE_DIR
#define CARECAP_SOURCE_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *root = getenv("CARECAP_ROOT");
    char src[4096], dst[4200];
    snprintf(src, sizeof src, "%s/config/nottinghamshire.cfg", root && *root ? root : CARECAP_SOURCE_DIR);
    FILE *f = fopen(src, "rb");
    if (!f) {
        perror(src);
        abort();
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    snprintf(dst, sizeof dst, "%s/config", fz_dir());
    snprintf(src, sizeof src, "%s/scenarios", fz_dir());
    if (mkdir(dst, 0777) != 0 || mkdir(src, 0777) != 0) {
        perror("carecap fuzz: mkdir");
        abort();
    }
    fz_write("config/nottinghamshire.cfg", buf, n);
    return 0;
}

/* 1 when the input's baseline, if it names one, is safe to read. */
static int baseline_ok(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    config_t cfg;
    config_init(&cfg);
    int ok = 1;
    const char *base = NULL;
    if (config_read_string(&cfg, text) == CONFIG_TRUE && config_lookup_string(&cfg, "baseline", &base) &&
        base) {
        char path[8192], real[PATH_MAX];
        snprintf(path, sizeof path, "%s%s%s", base[0] == '/' ? "" : fz_dir(), base[0] == '/' ? "" : "/scenarios/",
                 base);
        struct stat st;
        if (stat(path, &st) == 0)
            ok = S_ISREG(st.st_mode) && realpath(path, real) && strncmp(real, fz_dir(), strlen(fz_dir())) == 0;
    }
    config_destroy(&cfg);
    free(text);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fz_contains(data, size, "@include") || !baseline_ok(data, size))
        return -1;
    const char *path = fz_write("scenarios/scenario.cfg", data, size);
    cc_diag *diag = ccg_new();
    csn_scenario *s = NULL;
    if (csn_load(path, diag, &s) == CCP_OK)
        csn_free(s);
    ccg_print(diag, fz_null(), "carecap: ");
    ccg_free(diag);
    return 0;
}
