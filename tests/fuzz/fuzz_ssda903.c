/* fuzz_ssda903: the SSDA903 reader and the fit behind `carecap calibrate`:
 * CSV parsing (quotes, BOM, CRLF), column matching, row checks, repairs of
 * extracts' quirks, periods of care, estimates and the fitted config.
 *
 * One input holds several files, separated by a line "%%":
 *   episodes %% header [%% districts [%% options]]
 * A districts part, when present, is the --districts table. The options
 * part is up to three words: a --from date, a --to date ("-" for none) and
 * "baseline", which fits against tests/data/supply-mini.cfg (copied at
 * start-up) so that its supply, matching and start counts are used too. */
#define _XOPEN_SOURCE 700
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ssda903.h"

#ifndef CARECAP_SOURCE_DIR
#define CARECAP_SOURCE_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char baseline[4200];

static void copy_in(const char *root, const char *name)
{
    char src[4096];
    snprintf(src, sizeof src, "%s/tests/data/%s", root, name);
    FILE *f = fopen(src, "rb");
    if (!f) {
        perror(src);
        abort();
    }
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    fz_write(name, buf, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *root = getenv("CARECAP_ROOT");
    root = root && *root ? root : CARECAP_SOURCE_DIR;
    copy_in(root, "cli-mini.cfg");
    copy_in(root, "supply-mini.cfg");
    snprintf(baseline, sizeof baseline, "%s/supply-mini.cfg", fz_dir());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { EPISODES, HEADER, DISTRICTS, OPTIONS, NPART };
    size_t off[NPART], len[NPART];
    int n = fz_split(data, size, "\n%%\n", 4, NPART, off, len);
    if (n < 2)
        return -1;
    static char ep[4200], hd[4200], di[4200], out[4200];
    snprintf(ep, sizeof ep, "%s", fz_write("episodes.csv", data + off[EPISODES], len[EPISODES]));
    snprintf(hd, sizeof hd, "%s", fz_write("header.csv", data + off[HEADER], len[HEADER]));
    if (n > DISTRICTS)
        snprintf(di, sizeof di, "%s", fz_write("districts.csv", data + off[DISTRICTS], len[DISTRICTS]));
    snprintf(out, sizeof out, "%s/fitted.cfg", fz_dir());
    csd_opts o;
    memset(&o, 0, sizeof o);
    o.episodes[0] = ep;
    o.header[0] = hd;
    o.npairs = 1;
    o.districts = n > DISTRICTS ? di : NULL;
    o.name = "Fuzz Council";
    o.out = out;
    char opt[64] = "", from[24] = "", to[24] = "", base[24] = "";
    if (n > OPTIONS) {
        size_t k = len[OPTIONS] < sizeof opt - 1 ? len[OPTIONS] : sizeof opt - 1;
        memcpy(opt, data + off[OPTIONS], k);
        opt[k] = '\0';
        if (strlen(opt) != k) /* a NUL inside: not a string the command line could pass */
            return -1;
        sscanf(opt, "%23s %23s %23s", from, to, base);
        o.from = from[0] && strcmp(from, "-") != 0 ? from : NULL;
        o.to = to[0] && strcmp(to, "-") != 0 ? to : NULL;
        o.baseline = strcmp(base, "baseline") == 0 ? baseline : NULL;
    }
    csd_calibrate(&o, fz_null(), fz_null());
    remove(out);
    char fit[4300];
    snprintf(fit, sizeof fit, "%s.fit.csv", out);
    remove(fit);
    return 0;
}
