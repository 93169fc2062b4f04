/* fuzz_dfe: libFuzzer target for the reader of the DfE's published tables
 * (sim/dfe.c): the input is written to a temporary file and read as one
 * table for council 891; every outcome but a crash, a leak or undefined
 * behaviour is fine. Seeds: tests/fuzz/corpus/dfe/. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dfe.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz_dfe.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    if (done == size) {
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
    }
    unlink(path);
    return 0;
}
