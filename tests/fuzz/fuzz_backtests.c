/* fuzz_backtests: the workbench's list of back-tests (sim/servebt.c,
 * tests/data/backtests.conf), read as the server reads it: the input is
 * written as a file and loaded (cfgfile's checks, then libconfig, then every
 * setting checked). Every entry it accepts must be a name of config/ that
 * the server's name rule accepts, paired with a council's code of letters
 * and digits only (the code becomes part of a folder's name), and every
 * message must name the file. A failed property aborts. Seeds:
 * tests/fuzz/corpus/backtests/. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "servebt.h"
#include "servereq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fz_write("backtests.conf", data, size);
    cc_diag *d = ccg_new();
    sbt_list *l = malloc(sizeof *l);
    if (!d || !l) {
        ccg_free(d);
        free(l);
        return 0;
    }
    int rc = sbt_load(path, d, l);
    if (rc == 0 && ccg_count(d) != 0)
        abort(); /* accepted with messages */
    for (int i = 0; i < l->n; i++) {
        const sbt_entry *e = &l->e[i];
        if (!srq_name_ok(e->baseline) || !srq_name_ok(e->config) || !e->la[0])
            abort();
        for (const char *c = e->la; *c; c++)
            if (!isalnum((unsigned char)*c))
                abort(); /* a code that could reach outside tests/data/dfe-CODE */
        if (sbt_find(l, e->baseline) != e)
            abort(); /* a baseline twice */
    }
    for (size_t i = 0; i < ccg_count(d); i++)
        if (strncmp(ccg_get(d, i), path, strlen(path)) != 0)
            abort(); /* a message that does not name the file */
    ccg_free(d);
    free(l);
    return 0;
}
