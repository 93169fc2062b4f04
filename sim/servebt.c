/* servebt: the workbench's list of back-tests; see servebt.h. */
#define _POSIX_C_SOURCE 200809L
#include "servebt.h"

#include <ctype.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgfile.h"
#include "cfgread.h"
#include "servereq.h"

const char sbt_file[] = "tests/data/backtests.conf";

static int code_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]))
            return 0;
    return n >= 1 && n < sizeof ((sbt_entry *)0)->la;
}

int sbt_read(const config_t *cfg, const char *file, cc_diag *d, sbt_list *out)
{
    static const char *const top[] = {"backtests"};
    static const char *const keys[] = {"baseline", "config", "la"};
    memset(out, 0, sizeof *out);
    size_t before = ccg_count(d);
    ccc_reader r = {d, file, 0};
    const config_setting_t *root = config_root_setting(cfg);
    ccc_known(&r, root, top, 1);
    const config_setting_t *l = ccc_list(&r, root, "backtests", 1);
    int n = l ? config_setting_length(l) : 0;
    if (n > SBT_MAX) {
        ccc_error(&r, root, "backtests", "has %d entries (expected at most %d)", n, SBT_MAX);
        n = SBT_MAX;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        if (!config_setting_is_group(e)) {
            ccc_error(&r, e, NULL, "not a group (expected { baseline = ...; config = ...; la = ...; })");
            continue;
        }
        ccc_known(&r, e, keys, 3);
        const char *b = ccc_string(&r, e, "baseline", 1), *c = ccc_string(&r, e, "config", 1),
                   *la = ccc_string(&r, e, "la", 1);
        int ok = b && c && la;
        if (b && !srq_name_ok(b)) {
            ccc_error(&r, e, "baseline", "not a name of config/ (expected 1 to 100 letters, digits, . _ -)");
            ok = 0;
        }
        if (c && !srq_name_ok(c)) {
            ccc_error(&r, e, "config", "not a name of config/ (expected 1 to 100 letters, digits, . _ -)");
            ok = 0;
        }
        if (la && !code_ok(la)) {
            ccc_error(&r, e, "la", "not a council's code (expected 1 to 15 letters and digits, e.g. \"891\")");
            ok = 0;
        }
        for (int k = 0; ok && k < out->n; k++)
            if (strcmp(out->e[k].baseline, b) == 0) {
                ccc_error(&r, e, "baseline", "has a back-test already (expected each baseline once)");
                ok = 0;
            }
        if (!ok)
            continue;
        sbt_entry *x = &out->e[out->n++];
        snprintf(x->baseline, sizeof x->baseline, "%s", b);
        snprintf(x->config, sizeof x->config, "%s", c);
        snprintf(x->la, sizeof x->la, "%s", la);
    }
    return ccg_count(d) > before ? -1 : 0;
}

static void parse_error(const config_t *cfg, const char *file, cc_diag *d)
{
    const char *msg = config_error_text(cfg);
    /* libconfig's own text names the token, not input values beyond it */
    ccg_add(d, "%s:%d: %s (expected a libconfig file of back-tests)", file, config_error_line(cfg),
            msg ? msg : "syntax error");
}

int sbt_parse_string(const char *text, const char *file, cc_diag *d, sbt_list *out)
{
    config_t cfg;
    config_init(&cfg);
    memset(out, 0, sizeof *out);
    int rc;
    if (!config_read_string(&cfg, text)) {
        parse_error(&cfg, file, d);
        rc = -1;
    } else
        rc = sbt_read(&cfg, file, d, out);
    config_destroy(&cfg);
    return rc;
}

int sbt_load(const char *path, cc_diag *d, sbt_list *out)
{
    memset(out, 0, sizeof *out);
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return 1;
    config_t cfg;
    config_init(&cfg);
    int rc = ccf_open(&cfg, path, "back-tests", d, NULL);
    if (rc == CCF_EPARSE)
        parse_error(&cfg, path, d);
    int out_rc = rc != CCF_OK ? -1 : sbt_read(&cfg, path, d, out);
    config_destroy(&cfg);
    return out_rc;
}

const sbt_entry *sbt_find(const sbt_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->e[i].baseline, name) == 0)
            return &l->e[i];
    return NULL;
}
