/* fuzz_serve: the request side of `carecap serve` (sim/servereq.c), which
 * reads JSON from the network. Each input is read as a run request; every
 * edited scenario it yields is written as a scenario file and must read back
 * in libconfig with its name and description unchanged (the escaping holds)
 * and no council scenario's placeholder left in it.
 * The input is also written as a JSON string, and read as one of carecap's
 * CSV outputs turned into JSON rows: both must be valid JSON (jansson), and
 * a string that is valid UTF-8 must come back exactly. A failed property
 * aborts. Seeds: tests/fuzz/corpus/serve/. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <libconfig.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fuzz.h"
#include "servereq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int keep_all(const char *metric, const char *group)
{
    (void)metric, (void)group;
    return 1;
}

/* text[0..n) must be valid JSON; returns it parsed (the caller decrefs). */
static json_t *must_parse(const char *text, size_t n)
{
    json_error_t e;
    json_t *j = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j)
        abort();
    return j;
}

static void scenario_round_trip(const srq_scenario *s, const char *scen_dir)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return;
    srq_scenario_text(f, s, "../config/x.cfg", s->name, scen_dir);
    fclose(f);
    if (memchr(text, '\001', len))
        abort(); /* a council scenario's placeholder was left in the file */
    config_t cfg;
    config_init(&cfg);
    if (!config_read_string(&cfg, text))
        abort(); /* the written scenario does not parse */
    const char *name = NULL, *desc = NULL;
    if (!config_lookup_string(&cfg, "name", &name) || strcmp(name, s->name) != 0)
        abort();
    if (!config_lookup_string(&cfg, "description", &desc) || strcmp(desc, s->description ? s->description : "") != 0)
        abort();
    config_setting_t *lv = config_lookup(&cfg, "levers");
    if (!lv || config_setting_length(lv) != s->nlevers)
        abort();
    config_destroy(&cfg);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_diag *d = ccg_new();
    srq_limits lim = {10000, 30};
    srq_run r;
    if (d && srq_parse_run((const char *)data, size, &lim, &r, d) == 0) {
        for (int i = 0; i < r.nscen; i++)
            if (!r.scen[i].file)
                scenario_round_trip(&r.scen[i], size & 1 ? "/srv/scenarios" : NULL);
        srq_free(&r);
    }
    ccg_free(d);

    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        srq_json_string(f, s);
        fclose(f);
        json_t *j = must_parse(text, len);
        json_t *orig = json_string(s); /* NULL unless s is valid UTF-8 */
        if (!json_is_string(j) || (orig && !json_equal(j, orig)))
            abort();
        json_decref(orig);
        json_decref(j);
        free(text);
    }
    text = NULL;
    f = open_memstream(&text, &len);
    if (f) {
        fputc('[', f);
        srq_csv_rows(f, s, size, keep_all);
        fputc(']', f);
        fclose(f);
        json_decref(must_parse(text, len));
        free(text);
    }
    free(s);
    return 0;
}
