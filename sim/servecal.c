/* servecal: SSDA903 uploads fitted in a private folder; see servecal.h. */
#define _GNU_SOURCE
#include "servecal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "servereq.h"
#include "ssda903.h"

struct servecal_upload {
    struct MHD_PostProcessor *pp;
    char dir[64];           /* the private folder */
    size_t max, bytes;
    int refused, too_big;
    int nep, nhd, ndist;
    FILE *cur;              /* the file being received */
    char curkey[32];
    char name[104], baseline[104];
};

/* Receive one piece of a field. */
static enum MHD_Result field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                             const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
                             size_t size)
{
    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
    servecal_upload *u = cls;
    if (u->refused)
        return MHD_NO;
    u->bytes += size;
    if (u->bytes > u->max) {
        u->refused = u->too_big = 1;
        return MHD_NO;
    }
    int ep = strcmp(key, "episodes") == 0, hd = strcmp(key, "header") == 0, di = strcmp(key, "districts") == 0;
    if (strcmp(key, "name") == 0 || strcmp(key, "baseline") == 0) {
        char *dst = key[0] == 'n' ? u->name : u->baseline;
        size_t have = strlen(dst);
        if (off != have || have + size >= sizeof u->name) {
            u->refused = 1;
            return MHD_NO;
        }
        memcpy(dst + have, data, size);
        dst[have + size] = '\0';
        return MHD_YES;
    }
    if (!ep && !hd && !di) {
        u->refused = 1;
        return MHD_NO;
    }
    if (off == 0) {
        /* a new file: the one before is complete */
        if (u->cur && cco_close(u->cur, u->curkey) != 0) {
            u->cur = NULL;
            u->refused = 1;
            return MHD_NO;
        }
        u->cur = NULL;
        int *count = ep ? &u->nep : hd ? &u->nhd : &u->ndist;
        if (*count >= (di ? 1 : CSD_MAXPAIRS)) {
            u->refused = 1;
            return MHD_NO;
        }
        (*count)++;
        if (di)
            snprintf(u->curkey, sizeof u->curkey, "districts.csv");
        else
            snprintf(u->curkey, sizeof u->curkey, "%s-%d.csv", ep ? "episodes" : "header", *count);
        u->cur = cco_create(u->dir, u->curkey);
        if (!u->cur) {
            u->refused = 1;
            return MHD_NO;
        }
    }
    if (!u->cur || (size && fwrite(data, 1, size, u->cur) != size)) {
        u->refused = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

servecal_upload *servecal_begin(struct MHD_Connection *c, size_t max_bytes)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!t || strncasecmp(t, "multipart/form-data", 19) != 0)
        return NULL;
    servecal_upload *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->max = max_bytes;
    const char *tmp = "/tmp";
    snprintf(u->dir, sizeof u->dir, "%s/carecap-upload-XXXXXX", tmp);
    if (!mkdtemp(u->dir)) {
        free(u);
        return NULL;
    }
    u->pp = MHD_create_post_processor(c, 64 * 1024, field, u);
    if (!u->pp) {
        rmdir(u->dir);
        free(u);
        return NULL;
    }
    return u;
}

int servecal_data(servecal_upload *u, const char *data, size_t n)
{
    if (!u->refused && MHD_post_process(u->pp, data, n) != MHD_YES)
        u->refused = 1;
    return u->refused ? -1 : 0;
}

int servecal_too_big(const servecal_upload *u)
{
    return u->too_big;
}

/* Remove every file in the folder, and the folder. */
static void remove_all(servecal_upload *u)
{
    if (!u->dir[0])
        return;
    char *slash = strrchr(u->dir, '/');
    *slash = '\0';
    int dfd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *slash = '/';
    if (dfd >= 0) {
        cco_remove_tree(dfd, slash + 1);
        close(dfd);
    }
    u->dir[0] = '\0';
}

/* Copy file `from` to a new file `to` (never over an existing one). */
static int copy_new(const char *from, const char *to)
{
    FILE *in = cco_open_input(from);
    int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        else if (fd >= 0)
            close(fd);
        if (fd >= 0)
            unlink(to);
        return -1;
    }
    char buf[65536];
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        bad |= fwrite(buf, 1, n, out) != n;
    bad |= ferror(in);
    fclose(in);
    bad |= fclose(out) != 0;
    if (bad)
        unlink(to);
    return bad ? -1 : 0;
}

/* Lines of text with the private folder's path taken off, into d. */
static void add_lines(cc_diag *d, char *text, const char *dir)
{
    size_t dl = strlen(dir);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *p;
        while ((p = strstr(line, dir)) && p[dl] == '/')
            memmove(p, p + dl + 1, strlen(p + dl + 1) + 1);
        ccg_add(d, "%s", line);
    }
}

unsigned servecal_finish(servecal_upload *u, const char *root, cc_diag *d, char **json)
{
    *json = NULL;
    if (!u) {
        ccg_add(d, "calibrate: the upload is not a form with files (expected multipart/form-data)");
        return MHD_HTTP_BAD_REQUEST;
    }
    MHD_post_process(u->pp, NULL, 0);
    if (u->cur && cco_close(u->cur, u->curkey) != 0)
        u->refused = 1;
    u->cur = NULL;
    unsigned status = MHD_HTTP_BAD_REQUEST;
    if (u->too_big) {
        ccg_add(d, "calibrate: the files are too large together (expected at most %zu MB)", u->max >> 20);
        status = MHD_HTTP_CONTENT_TOO_LARGE;
        goto out;
    }
    if (u->refused) {
        ccg_add(d, "calibrate: the upload could not be read (expected the fields name, baseline, episodes, header "
                   "and districts)");
        goto out;
    }
    if (!srq_name_ok(u->name) || strchr(u->name, '.')) {
        ccg_add(d, "calibrate: name: is not a name for a new baseline (expected letters, digits, _ and -)");
        goto out;
    }
    if (u->nep == 0 || u->nep != u->nhd) {
        ccg_add(d, "calibrate: %d episodes and %d header files (expected one header file for each episodes file)",
                u->nep, u->nhd);
        goto out;
    }
    char target[4200], fit[4300], base[4200] = "";
    snprintf(target, sizeof target, "%s/config/%s.cfg", root, u->name);
    snprintf(fit, sizeof fit, "%s.fit.csv", target);
    struct stat sb;
    if (lstat(target, &sb) == 0 || lstat(fit, &sb) == 0) {
        ccg_add(d, "calibrate: name: config/ already has a baseline of that name (expected a new name)");
        goto out;
    }
    if (u->baseline[0]) {
        snprintf(base, sizeof base, "%s/config/%s.cfg", root, u->baseline);
        if (!srq_name_ok(u->baseline) || lstat(base, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            ccg_add(d, "calibrate: baseline: is not a baseline in config/ (expected one of the names listed)");
            goto out;
        }
    }
    char ep[CSD_MAXPAIRS][96], hd[CSD_MAXPAIRS][96], dist[96], outcfg[sizeof u->dir + sizeof u->name + 8];
    csd_opts o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < u->nep; i++) {
        snprintf(ep[i], sizeof ep[i], "%s/episodes-%d.csv", u->dir, i + 1);
        snprintf(hd[i], sizeof hd[i], "%s/header-%d.csv", u->dir, i + 1);
        o.episodes[i] = ep[i];
        o.header[i] = hd[i];
    }
    o.npairs = u->nep;
    if (u->ndist) {
        snprintf(dist, sizeof dist, "%s/districts.csv", u->dir);
        o.districts = dist;
    }
    snprintf(outcfg, sizeof outcfg, "%s/%s.cfg", u->dir, u->name);
    o.out = outcfg;
    o.name = u->name;
    o.baseline = base[0] ? base : NULL;
    char *otext = NULL, *etext = NULL;
    size_t olen = 0, elen = 0;
    FILE *of = open_memstream(&otext, &olen), *ef = open_memstream(&etext, &elen);
    int rc = of && ef ? csd_calibrate(&o, of, ef) : 1;
    if (of)
        fclose(of);
    if (ef)
        fclose(ef);
    char fitout[200];
    snprintf(fitout, sizeof fitout, "%s.fit.csv", outcfg);
    if (rc == 0 && (copy_new(outcfg, target) != 0 || copy_new(fitout, fit) != 0)) {
        unlink(target);
        ccg_add(d, "calibrate: config/%s.cfg: cannot be written: %s", u->name, strerror(errno));
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    } else if (rc == 0) {
        cc_diag *w = ccg_new();
        char *text = NULL;
        size_t len = 0;
        FILE *f = w ? open_memstream(&text, &len) : NULL;
        if (f) {
            if (etext)
                add_lines(w, etext, u->dir);
            if (otext)
                add_lines(w, otext, u->dir);
            fputs("{\"config\":", f);
            srq_json_string(f, u->name);
            fputs(",\"messages\":[", f);
            for (size_t i = 0; i < ccg_count(w); i++) {
                if (i)
                    fputc(',', f);
                srq_json_string(f, ccg_get(w, i));
            }
            fputs("]}", f);
            fclose(f);
        }
        ccg_free(w);
        *json = text;
        status = text ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR;
    } else {
        if (etext)
            add_lines(d, etext, u->dir);
        if (ccg_count(d) == 0)
            ccg_add(d, "calibrate: the files could not be fitted");
        status = rc == 4 ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_BAD_REQUEST;
    }
    free(otext);
    free(etext);
out:
    remove_all(u);
    return status;
}

void servecal_free(servecal_upload *u)
{
    if (!u)
        return;
    if (u->cur)
        fclose(u->cur);
    if (u->pp)
        MHD_destroy_post_processor(u->pp);
    remove_all(u);
    free(u);
}
