/* fuzz: the temporary folder, file writing and input splitting the harnesses
 * share (see fuzz.h). */
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[4096];
static char path[8192];
static FILE *devnull;

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag;
    if (ftw->level > 0)
        remove(p);
    return 0;
}

void fz_clear(void)
{
    if (dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(void)
{
    fz_clear();
    if (dir[0])
        rmdir(dir);
    if (devnull)
        fclose(devnull);
}

const char *fz_dir(void)
{
    if (!dir[0]) {
        const char *t = getenv("TMPDIR"), *fixed = getenv("CARECAP_FUZZ_DIR");
        if (fixed && *fixed) /* a folder name of the caller's: the same every run */
            snprintf(dir, sizeof dir, "%s", fixed);
        else
            snprintf(dir, sizeof dir, "%s/carecap-fuzz.XXXXXX", t && *t ? t : "/tmp");
        if (fixed && *fixed ? mkdir(dir, 0700) != 0 : !mkdtemp(dir)) {
            perror("carecap fuzz: cannot make a temporary folder");
            abort();
        }
        /* the real path, so harnesses can tell whether a path is inside */
        char real[4096];
        if (realpath(dir, real) && strlen(real) < sizeof dir)
            memcpy(dir, real, strlen(real) + 1);
        atexit(cleanup);
    }
    return dir;
}

const char *fz_write(const char *name, const uint8_t *data, size_t size)
{
    snprintf(path, sizeof path, "%s/%s", fz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("carecap fuzz: cannot write the input file");
        abort();
    }
    return path;
}

FILE *fz_null(void)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) {
        perror("carecap fuzz: /dev/null");
        abort();
    }
    return devnull;
}

int fz_split(const uint8_t *data, size_t size, const char *sep, size_t sep_len, int max, size_t *off,
             size_t *len)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; n < max - 1 && sep_len && i + sep_len <= size;) {
        if (memcmp(data + i, sep, sep_len) == 0) {
            off[n] = start, len[n] = i - start, n++;
            i += sep_len;
            start = i;
        } else
            i++;
    }
    off[n] = start, len[n] = size - start;
    return n + 1;
}

int fz_contains(const uint8_t *data, size_t size, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= size; i++)
        if (memcmp(data + i, s, k) == 0)
            return 1;
    return 0;
}

/* LeakSanitizer: libconfig 1.5 (Debian 12) leaks the text of a string token
 * that its parser rejects (`a "x";` leaks 64 bytes from strbuf_append, `a
 * "";` 1 byte from libconfig_yylex), with a bare config_init,
 * config_read_file, config_destroy and no carecap code. Only the scanner's
 * allocations are ignored: a config_t carecap forgot to destroy still shows
 * as leaks of the parser's settings. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:strbuf_append\nleak:libconfig_yylex\n"; }
