/* fuzz_target: the text of seek's --target and --vary and sensitivity's
 * --output (target.c, seek.c's csk_parse_vary), parsed against the layout
 * of the repo's config/nottinghamshire.cfg (loaded once), and every target
 * that parses evaluated on one replication's worth of values. The input is
 * split at newlines: each line is tried as a target, a quantity and a
 * --vary argument. */
#include <stdlib.h>
#include <string.h>

#include "ccdate.h"
#include "diag.h"
#include "fuzz.h"
#include "metrics.h"
#include "params.h"
#include "seek.h"
#include "target.h"

#ifndef CARECAP_SOURCE_DIR
#define CARECAP_SOURCE_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static cc_params *county;
static ccx_layout *layout;
static double *values;
enum { NDATES = 12 * 20 + 1 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *root = getenv("CARECAP_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/config/nottinghamshire.cfg", root && *root ? root : CARECAP_SOURCE_DIR);
    cc_diag *d = ccg_new();
    if (ccp_load(path, d, &county) != CCP_OK) {
        ccg_print(d, stderr, "fuzz_target");
        abort();
    }
    ccg_free(d);
    layout = ccx_new(county);
    values = layout ? calloc((size_t)layout->n * NDATES, sizeof *values) : NULL;
    if (!values)
        abort();
    for (size_t i = 0; i < (size_t)layout->n * NDATES; i++)
        values[i] = (double)(i % 7) - 2;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    size_t off[16], len[16];
    int n = fz_split(data, size, "\n", 1, 16, off, len);
    ctg_list *t = ctg_new(layout, county->start_day);
    if (!t)
        return 0;
    for (int i = 0; i < n; i++) {
        char line[4097], err[512];
        memcpy(line, data + off[i], len[i]);
        line[len[i]] = '\0';
        if (strlen(line) != len[i])
            continue;
        ctg_add(t, line, 0, err, sizeof err);
        ctg_add(t, line, 1, err, sizeof err);
        csk_vary v;
        csk_parse_vary(line, &v, err, sizeof err);
    }
    for (int i = 0; i < ctg_count(t); i++)
        if (ctg_months(t) < NDATES)
            (void)ctg_eval(t, i, values, NDATES);
    ctg_free(t);
    return 0;
}
