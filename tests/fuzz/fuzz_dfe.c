/* fuzz_dfe: the reader of the DfE's published tables (sim/dfe.c), as
 * `carecap backtest` uses it. The first byte of an input picks the file's
 * name (the reader tells the starts table apart by its name), the rest is
 * the table, read for council 891; every figure it yields is then asked
 * for. Any outcome but a crash, a leak or undefined behaviour is fine.
 * Seeds: tests/fuzz/corpus/dfe/ (the first byte of each is the name). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>

#include "dfe.h"
#include "diag.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"la_cla_who_started_to_be_looked_after.csv",
                                    "cla_number_and_rate_per_10k_children.csv", "la_children_who_ceased.csv",
                                    "table.csv"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *path = fz_write(names[data[0] % 4], data + 1, size - 1);
    cc_diag *errs = ccg_new(), *notes = ccg_new();
    cdf_set *d = NULL;
    const char *paths[] = {path};
    if (errs && notes && cdf_load(paths, 1, "891", errs, notes, &d) == CDF_OK) {
        int f0, f1;
        if (cdf_years(d, &f0, &f1))
            for (int y = f0; y <= f1; y++)
                for (int m = 0; m < CDF_NMEASURE; m++) {
                    double v;
                    cdf_get(d, (cdf_measure)m, y, &v);
                }
    }
    cdf_free(d);
    ccg_free(errs);
    ccg_free(notes);
    fz_clear();
    return 0;
}
