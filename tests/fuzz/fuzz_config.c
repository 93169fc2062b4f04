/* fuzz_config: a baseline config through the whole loader (libconfig parse,
 * every setting's type and range, cross-checks, derived tables), and the
 * resolved copy `check --resolved` writes when it loads.
 *
 * Inputs holding "@include" are skipped: an include names any file on the
 * machine by path, and the fuzzer would read whatever it guessed. Includes
 * of ordinary files, and the refusal of directories, FIFOs and devices
 * (which once made libconfig exit or block: issue 11, point 7), are tested
 * in tests/bad/ and tests/cli/. */
#include <stdlib.h>

#include "fuzz.h"
#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fz_contains(data, size, "@include"))
        return -1;
    const char *path = fz_write("config.cfg", data, size);
    cc_diag *diag = ccg_new();
    cc_params *p = NULL;
    if (ccp_load(path, diag, &p) == CCP_OK) {
        char out[4200];
        snprintf(out, sizeof out, "%s/resolved.cfg", fz_dir());
        ccp_write_resolved(path, out);
        ccp_free(p);
    }
    ccg_print(diag, fz_null(), "carecap: ");
    ccg_free(diag);
    return 0;
}
