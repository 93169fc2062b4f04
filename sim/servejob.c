/* servejob: validated runs queued on a small pool of workers; see servejob.h. */
#define _GNU_SOURCE
#include "servejob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "bizcase.h"
#include "ccdate.h"
#include "charts.h"
#include "experiment.h"
#include "output.h"
#include "pairs.h"
#include "params.h"
#include "backtest.h"
#include "dfe.h"
#include "region.h"
#include "regionapp.h"
#include "servebt.h"
#include "scenario.h"
#include "workbook.h"

const char *const sjb_state_name[5] = {"queued", "running", "done", "failed", "cancelled"};

enum { MAXJOBS = 64, MAXFILES = 16 + 2 * CCRG_MAXCOUNCIL + 2 };

typedef struct sjb_job {
    char id[33];
    int state;
    atomic_int cancel;
    int done, total;
    unsigned version;
    char message[512];
    long seq;                /* order of submission */
    /* the run's input, owned */
    char *config;            /* the baseline's name */
    char *config_path;
    cc_params *base;
    ccrg_region *rg;         /* a region's run (region.h): the region file, NULL for a council */
    ccrg_region *rsc[SRQ_MAXSCEN]; /* its region scenarios */
    cdf_set *dfe;            /* a back-test (servebt.h): the published figures, NULL otherwise */
    char *bt_config;         /* the back-test config's name */
    char *bt_la;             /* the council's code in them */
    int nscen;
    csn_scenario *scen[SRQ_MAXSCEN];
    char *scen_text[SRQ_MAXSCEN]; /* edited scenarios: the file to save (NULL: a named one) */
    char *scen_file[SRQ_MAXSCEN]; /* its name in the run folder, or the named file's */
    int reps, years;
    uint64_t seed;
    /* the results */
    char *json;
    size_t json_len;
    int nfiles;
    char *files[MAXFILES];
    int running_base;        /* replications before the current run (for progress) */
} sjb_job;

struct sjb_pool {
    sjb_opts o;
    char *root, *outroot;
    pthread_mutex_t lock;
    pthread_cond_t changed;  /* any job's status, or a new job */
    int stopping;
    long seq;
    sjb_job *job[MAXJOBS];
    int nworkers;
    pthread_t *worker;
};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

static void job_free(sjb_job *j)
{
    if (!j)
        return;
    free(j->config);
    free(j->config_path);
    ccp_free(j->base);
    ccrg_free(j->rg);
    cdf_free(j->dfe);
    free(j->bt_config);
    free(j->bt_la);
    for (int i = 0; i < j->nscen; i++) {
        ccrg_free(j->rsc[i]);
        csn_free(j->scen[i]);
        free(j->scen_text[i]);
        free(j->scen_file[i]);
    }
    free(j->json);
    for (int i = 0; i < j->nfiles; i++)
        free(j->files[i]);
    free(j);
}

/* ---- names to files ---- */

/* The path of NAME.cfg in folder sub of the root when it is a regular file
 * (not a link); NAME may be FOLDER/NAME (srq_file_ok), FOLDER a real
 * folder (not a link). NULL otherwise. */
static char *named_file(const sjb_pool *p, const char *sub, const char *name)
{
    if (!srq_file_ok(name))
        return NULL;
    size_t n = strlen(p->root) + strlen(sub) + strlen(name) + 8;
    char *path = malloc(n);
    if (!path)
        return NULL;
    struct stat sb;
    const char *slash = strchr(name, '/');
    if (slash) {
        snprintf(path, n, "%s/%s/%.*s", p->root, sub, (int)(slash - name), name);
        if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            free(path);
            return NULL;
        }
    }
    snprintf(path, n, "%s/%s/%s.cfg", p->root, sub, name);
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(path);
        return NULL;
    }
    return path;
}

/* Add the names (without .cfg, prefix before them) of the regular files
 * *.cfg in folder root/sub/folder (folder "" : root/sub) to names. */
static int add_names(const sjb_pool *p, const char *sub, const char *folder, char ***names, int *n, int *cap)
{
    char *dir = join(p->root, "/", sub);
    char *dir2 = dir && *folder ? join(dir, "/", folder) : NULL;
    DIR *d = dir && (!*folder || dir2) ? opendir(*folder ? dir2 : dir) : NULL;
    free(dir);
    free(dir2);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || len > 104 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%s%s%.*s", folder, *folder ? "/" : "", (int)(len - 4), e->d_name);
        char *path = named_file(p, sub, name);
        if (!path)
            continue;
        free(path);
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            char **nn = realloc(*names, (size_t)*cap * sizeof *nn);
            if (!nn)
                break;
            *names = nn;
        }
        if (!((*names)[*n] = dupstr(name)))
            break;
        (*n)++;
    }
    if (d)
        closedir(d);
    return 0;
}

/* The sorted names (without .cfg) of the regular files *.cfg in root/sub
 * and, with folders set, in its folders (not links) as FOLDER/NAME. */
static int list_names(const sjb_pool *p, const char *sub, int folders, char ***out)
{
    int n = 0, cap = 0;
    char **names = NULL;
    add_names(p, sub, "", &names, &n, &cap);
    char *dir = folders ? join(p->root, "/", sub) : NULL;
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *path = srq_name_ok(e->d_name) ? join(dir, "/", e->d_name) : NULL;
        struct stat sb;
        if (path && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            add_names(p, sub, e->d_name, &names, &n, &cap);
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    *out = names;
    return n;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Load a scenario quietly (NULL when it does not load). */
static csn_scenario *quiet_scenario(const char *path)
{
    cc_diag *d = ccg_new();
    csn_scenario *s = NULL;
    if (d && csn_load(path, d, &s) != CCP_OK)
        s = NULL;
    ccg_free(d);
    return s;
}

/* The back-tests of the server's folder (servebt.h); NULL when there are
 * none or the file has errors (messages in d when given). Free with free. */
static sbt_list *load_backtests(const sjb_pool *p, cc_diag *d)
{
    sbt_list *l = malloc(sizeof *l);
    char *path = join(p->root, "/", sbt_file);
    cc_diag *dd = d ? d : ccg_new();
    int rc = l && path && dd ? sbt_load(path, dd, l) : -1;
    if (!d)
        ccg_free(dd);
    free(path);
    if (rc != 0) {
        free(l);
        return NULL;
    }
    return l;
}

/* The folder of the published extracts of council code la,
 * ROOT/tests/data/dfe-LA, when it is a real folder (not a link): 0 and the
 * path in *out (malloc'd; out may be NULL), or -1. */
static int published_dir(const sjb_pool *p, const char *la, char **out)
{
    char *path = join(p->root, "/tests/data/dfe-", la);
    struct stat sb;
    int ok = path && lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
    if (ok && out)
        *out = path;
    else
        free(path);
    return ok ? 0 : -1;
}

/* Load a region file or region scenario quietly (NULL when it does not load). */
static ccrg_region *quiet_region(const char *path)
{
    cc_diag *d = ccg_new();
    ccrg_region *g = NULL;
    if (d && ccrg_load(path, d, &g) != CCP_OK)
        g = NULL;
    ccg_free(d);
    return g;
}

/* A region file's entry of the list: its councils (with the config each is,
 * when it is one of config/) and its markets. */
static void list_region(FILE *f, const ccrg_region *g, char **cn, char **cpath, int nc)
{
    char day[16];
    ccd_format(g->last_start, day);
    fputs(",\"council\":", f);
    srq_json_string(f, g->name);
    fputs(",\"start\":", f);
    srq_json_string(f, day);
    fputs(",\"kind\":\"region\",\"councils\":[", f);
    for (int c = 0; c < g->nc; c++) {
        fputs(c ? ",{\"key\":" : "{\"key\":", f);
        srq_json_string(f, g->council[c].key);
        fputs(",\"name\":", f);
        srq_json_string(f, g->council[c].base->name);
        fputs(",\"config\":", f);
        int k = 0;
        while (k < nc && !(cpath[k] && cco_same_file(cpath[k], g->council[c].config)))
            k++;
        if (k < nc)
            srq_json_string(f, cn[k]);
        else
            fputs("null", f);
        fputc('}', f);
    }
    fputs("],\"markets\":[", f);
    for (int m = 0; m < g->nm; m++) {
        const ccrg_market *mk = &g->market[m];
        fputs(m ? ",{\"name\":" : "{\"name\":", f);
        srq_json_string(f, mk->name);
        fprintf(f, ",\"type\":\"%s\",\"location\":\"%s\",\"places\":%d}", ccm_ptype_name[mk->type],
                mk->loc == CSU_OUTSIDE ? "outside" : "d2n2", mk->places);
    }
    fputc(']', f);
}

int sjb_list(sjb_pool *p, FILE *f)
{
    char **cn = NULL, **sn = NULL;
    int nc = list_names(p, "config", 0, &cn), ns = list_names(p, "scenarios", 1, &sn);
    char **cpath = calloc((size_t)nc + 1, sizeof *cpath);
    int *is_region = calloc((size_t)nc + 1, sizeof *is_region);
    sbt_list *bts = load_backtests(p, NULL);
    for (int i = 0; i < nc && cpath; i++)
        cpath[i] = named_file(p, "config", cn[i]);
    fputs("{\"baselines\":[", f);
    int first = 1;
    for (int i = 0; i < nc && cpath && is_region; i++) {
        if (cpath[i] && ccrg_is_region(cpath[i])) {
            /* a region file (region.h): listed with its councils and markets */
            ccrg_region *g = quiet_region(cpath[i]);
            if (g && strcmp(g->scenario, "baseline") == 0) {
                fputs(first ? "{\"name\":" : ",{\"name\":", f);
                srq_json_string(f, cn[i]);
                list_region(f, g, cn, cpath, nc);
                fputc('}', f);
                first = 0;
                is_region[i] = 1;
            } else {
                free(cpath[i]);
                cpath[i] = NULL;
            }
            ccrg_free(g);
            continue;
        }
        cc_diag *d = ccg_new();
        cc_params *pp = NULL;
        /* a scenario file in config/ does not load as a config: left out */
        if (d && cpath[i] && ccp_load(cpath[i], d, &pp) == CCP_OK) {
            char day[16];
            ccd_format(pp->start_day, day);
            fputs(first ? "{\"name\":" : ",{\"name\":", f);
            srq_json_string(f, cn[i]);
            fputs(",\"council\":", f);
            srq_json_string(f, pp->name);
            fputs(",\"start\":", f);
            srq_json_string(f, day);
            fputs(",\"kind\":\"council\"", f);
            const sbt_entry *be = bts ? sbt_find(bts, cn[i]) : NULL;
            char *bp = be ? named_file(p, "config", be->config) : NULL;
            if (bp && published_dir(p, be->la, NULL) == 0) {
                fputs(",\"backtest\":{\"config\":", f);
                srq_json_string(f, be->config);
                fputs(",\"la\":", f);
                srq_json_string(f, be->la);
                fputc('}', f);
            }
            free(bp);
            fputc('}', f);
            first = 0;
        } else {
            free(cpath[i]);
            cpath[i] = NULL;
        }
        ccp_free(pp);
        ccg_free(d);
    }
    fputs("],\"scenarios\":[", f);
    first = 1;
    for (int i = 0; i < ns && cpath && is_region; i++) {
        char *path = named_file(p, "scenarios", sn[i]);
        const char *name = NULL, *desc = NULL, *base = NULL;
        csn_scenario *s = NULL;
        ccrg_region *g = NULL;
        if (path && ccrg_is_region(path)) {
            if ((g = quiet_region(path)) && strcmp(g->scenario, "baseline") != 0 && g->region_path) {
                name = g->scenario;
                desc = g->description;
                base = g->region_path;
            }
        } else if (path && (s = quiet_scenario(path))) {
            name = s->name;
            desc = s->description;
            base = s->baseline;
        }
        int b = -1;
        for (int k = 0; name && k < nc && b < 0; k++)
            if (cpath[k] && is_region[k] == (g != NULL) && cco_same_file(cpath[k], base))
                b = k;
        if (b >= 0) {
            fputs(first ? "{\"file\":" : ",{\"file\":", f);
            srq_json_string(f, sn[i]);
            fputs(",\"name\":", f);
            srq_json_string(f, name);
            fputs(",\"description\":", f);
            srq_json_string(f, desc ? desc : "");
            fputs(",\"baseline\":", f);
            srq_json_string(f, cn[b]);
            fputc('}', f);
            first = 0;
        }
        csn_free(s);
        ccrg_free(g);
        free(path);
    }
    fputs("]}", f);
    for (int i = 0; i < nc && cpath; i++)
        free(cpath[i]);
    int ok = cpath != NULL && is_region != NULL;
    free(bts);
    free(cpath);
    free(is_region);
    free_names(cn, nc);
    free_names(sn, ns);
    return ok ? 0 : -1;
}

/* ---- validation ---- */

/* A file name for an edited scenario: its name with anything but letters,
 * digits, _ and - as '-', at most 60 characters, then ".cfg". */
static void scenario_fname(const char *name, char *out)
{
    size_t o = 0;
    for (const char *c = name; *c && o < 60; c++)
        out[o++] = (char)((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                                  *c == '_' || *c == '-'
                              ? *c
                              : '-');
    if (o == 0 || out[0] == '-')
        o = (size_t)snprintf(out, 16, "scenario");
    strcpy(out + o, ".cfg");
}

/* Messages of d about files in folder dir, with "dir/" taken off, into dst. */
static void copy_messages(cc_diag *dst, const cc_diag *src, const char *dir)
{
    size_t n = strlen(dir);
    for (size_t i = 0; i < ccg_count(src); i++) {
        const char *m = ccg_get(src, i);
        if (strncmp(m, dir, n) == 0 && m[n] == '/')
            m += n + 1;
        ccg_add(dst, "%s", m);
    }
}

/* Write edited scenario s into folder dir as fname (the baseline as
 * baseline, council scenarios in scen_dir) and load it: as a region scenario
 * into *rout when rout is set, else as a council's into *out; the messages
 * go to d with the folder taken off. */
static int load_edited(const srq_scenario *s, const char *dir, const char *fname, const char *baseline,
                       const char *comment, const char *scen_dir, cc_diag *d, csn_scenario **out,
                       ccrg_region **rout)
{
    if (out)
        *out = NULL;
    if (rout)
        *rout = NULL;
    FILE *f = cco_create(dir, fname);
    if (!f) {
        ccg_add(d, "serve: cannot write a scenario into the temporary folder: %s", strerror(errno));
        return -1;
    }
    srq_scenario_text(f, s, baseline, comment, scen_dir);
    if (cco_close(f, fname) != 0) {
        ccg_add(d, "serve: cannot write a scenario into the temporary folder: %s", strerror(errno));
        return -1;
    }
    char *path = join(dir, "/", fname);
    cc_diag *dd = ccg_new();
    int rc = !path || !dd ? CCP_EIO : rout ? ccrg_load(path, dd, rout) : csn_load(path, dd, out);
    if (dd)
        copy_messages(d, dd, dir);
    if (rc != CCP_OK && (!dd || ccg_count(dd) == 0))
        ccg_add(d, "%s: could not be loaded", fname);
    ccg_free(dd);
    if (path)
        unlink(path);
    free(path);
    return rc == CCP_OK ? 0 : -1;
}

/* The comment line of a saved scenario: who saved it and when (comment
 * holds at least 400 bytes). */
static void saved_comment(const char *author, char *comment)
{
    time_t now = time(NULL);
    struct tm tmv;
    char stamp[32] = "";
    if (gmtime_r(&now, &tmv))
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", &tmv);
    snprintf(comment, 400, "Saved from carecap serve %s on %s%s%.200s", cca_version(), stamp,
             author && *author ? " by " : "", author && *author ? author : "");
}

/* The text of an edited scenario as saved: the baseline relative to a file
 * in scenarios/, then the same lines as the file the run loaded. */
static char *saved_text(const srq_scenario *s, const char *config, const char *comment)
{
    char *text = NULL, *base = join("../config/", config, ".cfg");
    size_t len = 0;
    FILE *f = base ? open_memstream(&text, &len) : NULL;
    if (!f) {
        free(base);
        return NULL;
    }
    srq_scenario_text(f, s, base, comment, NULL);
    int bad = fclose(f) != 0;
    free(base);
    if (bad) {
        free(text);
        return NULL;
    }
    return text;
}

/* A file name for edited scenario i (scenario_fname, unique in the job). */
static void edited_fname(const sjb_job *j, const srq_scenario *s, int i, char *fname)
{
    scenario_fname(s->name, fname);
    for (int k = 0; k < i; k++)
        if (j->scen_file[k] && strcmp(j->scen_file[k], fname) == 0)
            snprintf(fname + strlen(fname) - 4, 16, "-%d.cfg", i + 1);
}

/* The end of preparing a job: scenario names must differ; the run's
 * settings are copied. 0, or 1 if any message was added since before. */
static int finish_prepare(sjb_job *j, const srq_run *rq, const char *const *names, cc_diag *d, size_t before)
{
    j->nscen = rq->nscen;
    for (int i = 0; i < j->nscen; i++)
        for (int k = 0; k < i; k++)
            if (names[i] && names[k] && strcmp(names[i], names[k]) == 0)
                ccg_add(d, "request: scenarios[%d]: has the name of scenarios[%d] (expected unique scenario names)", i,
                        k);
    j->reps = rq->reps;
    j->years = rq->years;
    j->seed = rq->seed;
    return ccg_count(d) > before ? 1 : 0;
}

/* prepare() for a region file (region.h): the region and its region
 * scenarios (named in scenarios/, or edited with region levers, whose
 * council scenarios are names from scenarios/). 0, or 1 with messages. */
static int prepare_region(sjb_pool *p, const srq_run *rq, cc_diag *d, sjb_job *j, const char *comment)
{
    size_t before = ccg_count(d);
    cc_diag *dd = ccg_new();
    if (!dd) {
        ccg_add(d, "serve: out of memory");
        return 1;
    }
    if (ccrg_load(j->config_path, dd, &j->rg) != CCP_OK || strcmp(j->rg->scenario, "baseline") != 0) {
        for (size_t i = 0; i < ccg_count(dd); i++)
            ccg_add(d, "%s", ccg_get(dd, i));
        ccg_add(d, "request: config: does not load as a region (expected a region file such as d2n2, not a "
                   "region scenario)");
        ccg_free(dd);
        return 1;
    }
    ccg_free(dd);
    char real[PATH_MAX], scen_real[PATH_MAX];
    char *sdir = join(p->root, "/scenarios", "");
    int have_sdir = sdir && realpath(sdir, scen_real) != NULL;
    free(sdir);
    if (!realpath(j->config_path, real)) {
        ccg_add(d, "serve: %s: cannot be resolved", j->config_path);
        return 1;
    }
    char tmpl[] = "/tmp/carecap-serve-XXXXXX";
    const char *tdir = NULL;
    for (int i = 0; i < rq->nscen; i++) {
        const srq_scenario *s = &rq->scen[i];
        if (s->file) {
            char *path = named_file(p, "scenarios", s->file);
            j->scen_file[i] = join(s->file, ".cfg", "");
            if (!path || !ccrg_is_region(path)) {
                ccg_add(d, "request: scenarios[%d].file: is not a region scenario in scenarios/ (expected one of the "
                           "names listed for this region)", i);
                free(path);
                continue;
            }
            dd = ccg_new();
            if (!dd || ccrg_load(path, dd, &j->rsc[i]) != CCP_OK) {
                for (size_t k = 0; dd && k < ccg_count(dd); k++)
                    ccg_add(d, "%s", ccg_get(dd, k));
            } else if (strcmp(j->rsc[i]->scenario, "baseline") == 0 || !j->rsc[i]->region_path ||
                       !cco_same_file(j->rsc[i]->region_path, j->config_path)) {
                ccg_add(d, "%s: baseline: the region scenario applies to another region (expected %s)", path,
                        j->config_path);
            }
            ccg_free(dd);
            free(path);
            continue;
        }
        /* the council scenarios its levers name: files listed in scenarios/ only */
        char ref[202];
        for (const char *q = s->levers; (q = srq_next_ref(q, ref));) {
            char *path = named_file(p, "scenarios", ref);
            if (!path || !have_sdir)
                ccg_add(d, "request: scenarios[%d].levers: a council_scenario names a scenario that is not in "
                           "scenarios/ (expected one of the names listed)", i);
            free(path);
        }
        if (ccg_count(d) > before)
            continue;
        if (!tdir && !(tdir = mkdtemp(tmpl))) {
            ccg_add(d, "serve: cannot make a temporary folder: %s", strerror(errno));
            break;
        }
        char fname[80];
        edited_fname(j, s, i, fname);
        j->scen_file[i] = dupstr(fname);
        if (load_edited(s, tdir, fname, real, comment, scen_real, d, NULL, &j->rsc[i]) == 0)
            j->scen_text[i] = saved_text(s, rq->config, comment);
    }
    if (tdir)
        rmdir(tdir);
    const char *names[SRQ_MAXSCEN];
    for (int i = 0; i < rq->nscen; i++)
        names[i] = j->rsc[i] ? j->rsc[i]->scenario : NULL;
    return finish_prepare(j, rq, names, d, before);
}

/* Load and check everything rq names into job j. 0, or 1 with messages. */
static int prepare(sjb_pool *p, const srq_run *rq, cc_diag *d, sjb_job *j)
{
    size_t before = ccg_count(d);
    j->config = dupstr(rq->config);
    j->config_path = named_file(p, "config", rq->config);
    if (!j->config_path) {
        ccg_add(d, "request: config: is not a baseline in config/ (expected one of the names listed)");
        return 1;
    }
    if (ccrg_is_region(j->config_path)) { /* region.h: another engine, another results layout */
        char comment[400];
        saved_comment(rq->author, comment);
        return prepare_region(p, rq, d, j, comment);
    }
    cc_diag *dd = ccg_new();
    if (!dd || ccp_load(j->config_path, dd, &j->base) != CCP_OK) {
        if (dd)
            for (size_t i = 0; i < ccg_count(dd); i++)
                ccg_add(d, "%s", ccg_get(dd, i));
        ccg_add(d, "request: config: does not load as a baseline (expected a config, not a scenario)");
        ccg_free(dd);
        return 1;
    }
    ccg_free(dd);
    char real[PATH_MAX];
    if (!realpath(j->config_path, real)) {
        ccg_add(d, "serve: %s: cannot be resolved", j->config_path);
        return 1;
    }
    char tmpl[] = "/tmp/carecap-serve-XXXXXX";
    const char *tdir = NULL;
    char comment[400];
    saved_comment(rq->author, comment);
    for (int i = 0; i < rq->nscen; i++) {
        const srq_scenario *s = &rq->scen[i];
        if (s->file) {
            char *path = named_file(p, "scenarios", s->file);
            if (!path) {
                ccg_add(d, "request: scenarios[%d].file: is not a scenario in scenarios/ (expected one of the names "
                           "listed)", i);
                continue;
            }
            dd = ccg_new();
            if (!dd || csn_load(path, dd, &j->scen[i]) != CCP_OK) {
                for (size_t k = 0; dd && k < ccg_count(dd); k++)
                    ccg_add(d, "%s", ccg_get(dd, k));
            } else if (!cco_same_file(j->scen[i]->baseline, j->config_path)) {
                ccg_add(d, "%s: baseline: the scenario applies to another baseline (expected %s)", path,
                        j->config_path);
            }
            ccg_free(dd);
            j->scen_file[i] = join(s->file, ".cfg", "");
            free(path);
            continue;
        }
        if (!tdir && !(tdir = mkdtemp(tmpl))) {
            ccg_add(d, "serve: cannot make a temporary folder: %s", strerror(errno));
            break;
        }
        char fname[80];
        edited_fname(j, s, i, fname);
        j->scen_file[i] = dupstr(fname);
        if (load_edited(s, tdir, fname, real, comment, NULL, d, &j->scen[i], NULL) == 0)
            j->scen_text[i] = saved_text(s, rq->config, comment);
    }
    if (tdir)
        rmdir(tdir);
    const char *names[SRQ_MAXSCEN];
    for (int i = 0; i < rq->nscen; i++)
        names[i] = j->scen[i] ? j->scen[i]->name : NULL;
    return finish_prepare(j, rq, names, d, before);
}

int sjb_scenario_file(sjb_pool *p, const srq_run *rq, cc_diag *d, char **text, char *fname)
{
    *text = NULL;
    if (rq->nscen != 1 || rq->scen[0].file) {
        ccg_add(d, "request: scenarios: saving takes one edited scenario (expected {\"name\": ..., \"levers\": [...]})");
        return 1;
    }
    sjb_job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    int rc = prepare(p, rq, d, j);
    if (rc == 0) {
        *text = j->scen_text[0];
        j->scen_text[0] = NULL;
        snprintf(fname, 80, "%s", j->scen_file[0]);
        rc = *text ? 0 : -1;
    }
    job_free(j);
    return rc;
}

/* ---- the pool ---- */

static sjb_job *find(sjb_pool *p, const char *id)
{
    for (int i = 0; i < MAXJOBS; i++)
        if (p->job[i] && strcmp(p->job[i]->id, id) == 0)
            return p->job[i];
    return NULL;
}

static void set_state(sjb_pool *p, sjb_job *j, int state, const char *msg)
{
    j->state = state;
    if (msg)
        snprintf(j->message, sizeof j->message, "%s", msg);
    j->version++;
    pthread_cond_broadcast(&p->changed);
}

static int new_id(char *id)
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(id + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* Queue prepared job j (total: its replications); 0 with its id, 2 when
 * the queue is full, -1 when out of memory (j is freed then). */
static int enqueue(sjb_pool *p, sjb_job *j, char *id, int total)
{
    if (new_id(j->id) != 0) {
        job_free(j);
        return -1;
    }
    atomic_init(&j->cancel, 0);
    j->total = total;
    pthread_mutex_lock(&p->lock);
    int waiting = 0, slot = -1;
    long oldest = -1;
    for (int i = 0; i < MAXJOBS; i++) {
        sjb_job *k = p->job[i];
        if (!k)
            slot = slot < 0 ? i : slot;
        else if (k->state == SJB_QUEUED || k->state == SJB_RUNNING)
            waiting++;
        else if (k->state != SJB_RUNNING && slot < 0 && (oldest < 0 || k->seq < p->job[oldest]->seq))
            oldest = i;
    }
    if (slot < 0 && oldest >= 0) {
        job_free(p->job[oldest]); /* its folder stays on disk */
        p->job[oldest] = NULL;
        slot = (int)oldest;
    }
    if (waiting >= p->o.max_queued + p->o.max_running || slot < 0 || p->stopping) {
        pthread_mutex_unlock(&p->lock);
        job_free(j);
        return 2;
    }
    j->seq = p->seq++;
    j->state = SJB_QUEUED;
    j->version = 1;
    p->job[slot] = j;
    memcpy(id, j->id, 33);
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int sjb_submit(sjb_pool *p, const srq_run *rq, cc_diag *d, char *id)
{
    sjb_job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    int rc = prepare(p, rq, d, j);
    if (rc != 0) {
        job_free(j);
        return rc;
    }
    return enqueue(p, j, id, j->reps * (1 + j->nscen));
}

/* Validate a back-test request into job j: the baseline's back-test config
 * and published figures (servebt.h). 0, or 1 with messages. */
static int prepare_backtest(sjb_pool *p, const srq_run *rq, cc_diag *d, sjb_job *j)
{
    size_t before = ccg_count(d);
    if (rq->nscen > 0) {
        ccg_add(d, "request: scenarios: a back-test runs the baseline only (expected no scenarios)");
        return 1;
    }
    sbt_list *l = load_backtests(p, d);
    const sbt_entry *e = l ? sbt_find(l, rq->config) : NULL;
    char *dir = NULL;
    if (!e) {
        if (ccg_count(d) == before)
            ccg_add(d, "request: config: has no back-test (expected a baseline listed in %s)", sbt_file);
    } else if (!(j->config_path = named_file(p, "config", e->config))) {
        ccg_add(d, "%s: the back-test config of this baseline is not in config/ (expected config/%s.cfg)", sbt_file,
                e->config);
    } else if (published_dir(p, e->la, &dir) != 0) {
        ccg_add(d, "%s: the published figures of this baseline are missing (expected the folder tests/data/dfe-%s)",
                sbt_file, e->la);
    }
    if (ccg_count(d) > before) {
        free(l);
        return 1;
    }
    j->config = dupstr(rq->config);
    j->bt_config = dupstr(e->config);
    j->bt_la = dupstr(e->la);
    free(l);
    cc_diag *dd = ccg_new(), *notes = ccg_new();
    if (!dd || !notes || ccp_load(j->config_path, dd, &j->base) != CCP_OK) {
        for (size_t i = 0; dd && i < ccg_count(dd); i++)
            ccg_add(d, "%s", ccg_get(dd, i));
        ccg_add(d, "request: config: its back-test config does not load");
    } else {
        const char *paths[1] = {dir};
        if (cdf_load(paths, 1, j->bt_la, dd, notes, &j->dfe) != CDF_OK) {
            for (size_t i = 0; i < ccg_count(dd); i++)
                ccg_add(d, "%s", ccg_get(dd, i));
            ccg_add(d, "request: config: the published figures of its back-test could not be read");
        }
    }
    ccg_free(dd);
    ccg_free(notes);
    free(dir);
    if (ccg_count(d) > before)
        return 1;
    int f0, f1, y, m, dd2;
    cdf_years(j->dfe, &f0, &f1);
    ccd_to_ymd(j->base->start_day, &y, &m, &dd2);
    int months = (f1 - y) * 12 + (3 - m); /* the run reaches 31 March of the files' last year, as backtest does */
    if (months <= 0) {
        ccg_add(d, "request: config: the published figures end before the back-test's start (expected later years)");
        return 1;
    }
    j->years = (months + 11) / 12;
    if (j->years > 100)
        j->years = 100;
    j->reps = rq->reps;
    j->seed = rq->seed;
    return 0;
}

int sjb_submit_backtest(sjb_pool *p, const srq_run *rq, cc_diag *d, char *id)
{
    sjb_job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    int rc = prepare_backtest(p, rq, d, j);
    if (rc != 0) {
        job_free(j);
        return rc;
    }
    return enqueue(p, j, id, 2 * j->reps);
}

int sjb_status_of(sjb_pool *p, const char *id, unsigned seen, int wait_ms, sjb_status *st)
{
    pthread_mutex_lock(&p->lock);
    sjb_job *j = find(p, id);
    if (j && wait_ms > 0 && j->version == seen && j->state <= SJB_RUNNING) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while ((j = find(p, id)) && j->version == seen && !p->stopping)
            if (pthread_cond_timedwait(&p->changed, &p->lock, &until) != 0)
                break;
        j = find(p, id);
    }
    if (!j) {
        pthread_mutex_unlock(&p->lock);
        return -1;
    }
    st->state = j->state;
    st->done = j->done;
    st->total = j->total;
    st->version = j->version;
    snprintf(st->message, sizeof st->message, "%s", j->message);
    st->position = 0;
    if (j->state == SJB_QUEUED)
        for (int i = 0; i < MAXJOBS; i++)
            if (p->job[i] && p->job[i]->state == SJB_QUEUED && p->job[i]->seq < j->seq)
                st->position++;
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int sjb_cancel(sjb_pool *p, const char *id)
{
    pthread_mutex_lock(&p->lock);
    sjb_job *j = find(p, id);
    if (j) {
        atomic_store(&j->cancel, 1);
        if (j->state == SJB_QUEUED)
            set_state(p, j, SJB_CANCELLED, "cancelled before it started");
    }
    pthread_mutex_unlock(&p->lock);
    return j ? 0 : -1;
}

char *sjb_result(sjb_pool *p, const char *id, size_t *len)
{
    char *c = NULL;
    pthread_mutex_lock(&p->lock);
    sjb_job *j = find(p, id);
    if (j && j->state == SJB_DONE && j->json && (c = malloc(j->json_len + 1))) {
        memcpy(c, j->json, j->json_len + 1);
        *len = j->json_len;
    }
    pthread_mutex_unlock(&p->lock);
    return c;
}

int sjb_open_file(sjb_pool *p, const char *id, const char *name)
{
    int fd = -1;
    pthread_mutex_lock(&p->lock);
    sjb_job *j = find(p, id);
    int known = 0;
    for (int i = 0; j && j->state == SJB_DONE && i < j->nfiles; i++)
        known |= strcmp(j->files[i], name) == 0;
    if (known) {
        /* folder by folder (a region's councils/KEY/...), never through a link */
        char *dir = join(p->outroot, "/", j->id);
        int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
        const char *part = name, *slash;
        while (dfd >= 0 && (slash = strchr(part, '/'))) {
            char sub[128];
            size_t n = (size_t)(slash - part);
            int next = -1;
            if (n > 0 && n < sizeof sub) {
                memcpy(sub, part, n);
                sub[n] = '\0';
                next = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            }
            close(dfd);
            dfd = next;
            part = slash + 1;
        }
        if (dfd >= 0) {
            fd = openat(dfd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            struct stat sb;
            if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
                close(fd);
                fd = -1;
            }
            close(dfd);
        }
        free(dir);
    }
    pthread_mutex_unlock(&p->lock);
    return fd;
}

/* ---- running ---- */

typedef struct {
    sjb_pool *p;
    sjb_job *j;
} runctx;

static int sink(void *ctx, int rep, const double *values, const ccs_totals *tot)
{
    (void)rep, (void)values, (void)tot;
    const runctx *c = ctx;
    return atomic_load(&c->j->cancel) ? 1 : 0;
}

static void progress(void *ctx, int done, int total)
{
    (void)total;
    runctx *c = ctx;
    pthread_mutex_lock(&c->p->lock);
    if (c->j->done != c->j->running_base + done) {
        c->j->done = c->j->running_base + done;
        c->j->version++;
        pthread_cond_broadcast(&c->p->changed);
    }
    pthread_mutex_unlock(&c->p->lock);
}

static int keep_monthly(const char *m, const char *g)
{
    return (strcmp(m, "looked_after") == 0 && strcmp(g, "all") == 0) || strcmp(m, "gap") == 0 ||
           strcmp(m, "placed") == 0 || strcmp(m, "kpi_pct") == 0;
}

static int keep_annual(const char *m, const char *g)
{
    (void)g;
    return strcmp(m, "spend") == 0 || strcmp(m, "entries") == 0 || strcmp(m, "exits") == 0;
}

/* The business case's rows (bizcase.h), every group of them. */
static int is_business(const char *m)
{
    static const char *const names[] = {"lever_cost", "savings",      "net_benefit",      "npv",
                                        "p_payback",  "payback_year", "gap_weeks_closed", "cost_per_gap_week"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(m, names[i]) == 0)
            return 1;
    return 0;
}

static int keep_comparison(const char *m, const char *g)
{
    return (strcmp(m, "looked_after") == 0 && strcmp(g, "all") == 0) || strcmp(m, "gap") == 0 ||
           strcmp(m, "kpi") == 0 || strcmp(m, "placed_outside") == 0 ||
           strcmp(m, "gap_cost") == 0 || ((strcmp(m, "spend") == 0 || strcmp(m, "spend_cumulative") == 0) &&
                                          strcmp(g, "total") == 0) ||
           is_business(m);
}

/* Write buffer text[0..n) as file name into the temporary folder sd. */
static int put_file(const char *sd, const char *name, const char *text, size_t n)
{
    FILE *f = cco_create(sd, name);
    if (!f)
        return -1;
    fwrite(text, 1, n, f);
    return cco_close(f, name);
}

typedef struct {
    char *text;
    size_t len;
    FILE *f;
} membuf;

static int mem_open(membuf *m)
{
    m->text = NULL;
    m->len = 0;
    m->f = open_memstream(&m->text, &m->len);
    return m->f ? 0 : -1;
}

static int mem_close(membuf *m)
{
    int rc = m->f && fclose(m->f) == 0 ? 0 : -1;
    m->f = NULL;
    return rc;
}

/* Run job j; its state is set by the caller from the return: 0 done,
 * 1 cancelled, -1 failed (message in msg, 512 bytes). */

/* The end of a job's writing: a cancelled job leaves its folder unswitched
 * (1); otherwise the staged folder is switched in (0), or -1 with the
 * reason in msg. The stage is freed in every case. */
static int commit_stage(sjb_job *j, cco_stage **st, char *msg)
{
    char err[512];
    if (atomic_load(&j->cancel))
        return 1;
    int rc = cco_stage_commit(*st, err);
    *st = NULL;
    if (rc != 0) {
        snprintf(msg, 512, "%s", err);
        return -1;
    }
    return 0;
}

/* One scenario of a result: its name, description, file and whether the page edited it. */
static void json_scenario(FILE *f, const sjb_job *j, int i, const char *name, const char *description)
{
    fputs(",{\"name\":", f);
    srq_json_string(f, name);
    fputs(",\"description\":", f);
    srq_json_string(f, description ? description : "");
    fputs(",\"file\":", f);
    srq_json_string(f, j->scen_file[i]);
    fprintf(f, ",\"edited\":%s}", j->scen_text[i] ? "true" : "false");
}

/* The files a result offers, closing the scenarios' list before them. */
static void json_files(FILE *f, const char *const *names, int nn)
{
    fputs("],\"files\":[", f);
    for (int i = 0; i < nn; i++) {
        if (i)
            fputc(',', f);
        srq_json_string(f, names[i]);
    }
}

/* A result's JSON opens with its id, its kind (NULL for a run) and its config. */
static void json_head(FILE *f, const sjb_job *j, const char *kind)
{
    fputs("{\"id\":", f);
    srq_json_string(f, j->id);
    if (kind)
        fprintf(f, ",\"kind\":\"%s\"", kind);
    fputs(",\"config\":", f);
    srq_json_string(f, j->config);
}
static int run_job(sjb_pool *p, sjb_job *j, char *msg)
{
    runctx c = {p, j};
    cce_opts eo = {j->reps, j->years, p->o.threads, j->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    cce_result *rb = NULL;
    char err[512];
    membuf mm = {0}, ma = {0}, mc = {0}, mj = {0}, me = {0};
    cco_stage *st = NULL;
    ccb_case *cases[SRQ_MAXSCEN] = {0}; /* each scenario's business case (bizcase.h), as compare */
    int rc = -1;
    if (mem_open(&mm) || mem_open(&ma) || mem_open(&mc) || mem_open(&mj) || mem_open(&me)) {
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    if (cce_run_each(j->base, &eo, sink, &c, progress, &c, &rb, err) != 0) {
        rc = atomic_load(&j->cancel) ? 1 : -1;
        snprintf(msg, 512, "%s", err);
        goto done;
    }
    fprintf(mc.f, "%s\n", cco_cmp_header);
    if (cco_write_monthly(mm.f, rb, 1) || cco_write_annual(ma.f, rb, 1)) {
        snprintf(msg, 512, "out of memory while summarising");
        goto done;
    }
    double wall = rb->wall_seconds;
    for (int i = 0; i < j->nscen; i++) {
        csn_scenario *s = j->scen[i];
        cce_opts so = eo;
        so.phases = (const cc_params *const *)s->phase;
        so.phase_t = s->phase_t;
        so.nphase = s->nphase;
        cce_result *rs = NULL;
        pthread_mutex_lock(&p->lock);
        j->running_base = j->reps * (i + 1);
        pthread_mutex_unlock(&p->lock);
        if (cce_run_each(s->phase[0], &so, sink, &c, progress, &c, &rs, err) != 0) {
            rc = atomic_load(&j->cancel) ? 1 : -1;
            snprintf(msg, 512, "%s", err);
            goto done;
        }
        wall += rs->wall_seconds;
        int bad = cco_write_monthly(mm.f, rs, 0) || cco_write_annual(ma.f, rs, 0) || ccpa_write_kept(mc.f, rb, rs);
        if (!bad && rb->L->spend >= 0) {
            cases[i] = ccb_compute(rb, rs, s);
            bad = !cases[i] || ccb_write_rows(mc.f, cases[i]) != 0;
        }
        cce_free(rs);
        if (bad) {
            snprintf(msg, 512, "out of memory while summarising");
            goto done;
        }
    }
    if (mem_close(&mm) || mem_close(&ma) || mem_close(&mc)) {
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    /* the run's folder, switched in whole */
    char *dir = join(p->outroot, "/", j->id);
    st = dir ? cco_stage_new(dir, err) : NULL;
    free(dir);
    if (!st) {
        snprintf(msg, 512, "%s", dir ? err : "out of memory");
        goto done;
    }
    const char *sd = cco_stage_dir(st);
    const char *names[MAXFILES];
    int nn = 0;
    int werr = put_file(sd, "monthly.csv", mm.text, mm.len) || put_file(sd, "annual.csv", ma.text, ma.len);
    names[nn++] = "monthly.csv";
    names[nn++] = "annual.csv";
    if (j->nscen > 0) {
        werr |= put_file(sd, "comparison.csv", mc.text, mc.len);
        names[nn++] = "comparison.csv";
    }
    FILE *fx = cco_create(sd, "manifest.txt");
    if (fx) {
        fprintf(fx, "program: carecap %s (serve)\nconfig: ", cca_version());
        cco_shell_quote(fx, j->config_path);
        fprintf(fx, "\nconfig_fnv1a64: %016llx\nscenario: baseline\nseed: %llu\nreplications: %d\nyears: %d\n",
                (unsigned long long)j->base->file_hash, (unsigned long long)j->seed, j->reps, j->years);
        for (int i = 0; i < j->nscen; i++) {
            fputs("scenario: ", fx);
            cco_shell_quote(fx, j->scen[i]->name);
            fputs(" (", fx);
            cco_shell_quote(fx, j->scen_file[i]);
            fprintf(fx, ", %d levers, %d phases)\n", j->scen[i]->nlevers, j->scen[i]->nphase);
        }
        fprintf(fx, "compare_wall_seconds: %.3f\n", wall);
    }
    werr |= !fx || cco_close(fx, "manifest.txt") != 0;
    names[nn++] = "manifest.txt";
    for (int i = 0; i < j->nscen; i++)
        if (j->scen_text[i]) {
            werr |= put_file(sd, j->scen_file[i], j->scen_text[i], strlen(j->scen_text[i]));
            names[nn++] = j->scen_file[i];
        }
    if (!werr && rb->L->spend >= 0) {
        char *path = join(sd, "/spend.xlsx", "");
        werr |= !path || (j->nscen > 0 ? ccw_write_compare(path, rb, cases, j->nscen, err)
                                       : ccw_write(path, rb, err)) != 0;
        free(path);
        names[nn++] = "spend.xlsx";
    }
    if (werr) {
        snprintf(msg, 512, "the run's files could not be written: %s", strerror(errno));
        goto done;
    }
    pthread_mutex_lock(&p->lock);
    snprintf(j->message, sizeof j->message, "drawing the charts of report.html");
    j->version++;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    /* gnuplot missing is a warning (the report is still written) */
    if (cch_draw(sd, "the run's folder", me.f) != 0) {
        mem_close(&me);
        snprintf(msg, 512, "the report could not be drawn: %s", me.text ? me.text : "");
        goto done;
    }
    names[nn++] = "report.html";
    int committed = commit_stage(j, &st, msg);
    if (committed != 0) {
        rc = committed;
        goto done;
    }
    /* the results as JSON: the rows the page draws, exactly as in the CSV files */
    char day[16];
    ccd_format(j->base->start_day, day);
    json_head(mj.f, j, NULL);
    fputs(",\"council\":", mj.f);
    srq_json_string(mj.f, j->base->name);
    fprintf(mj.f, ",\"start\":\"%s\",\"reps\":%d,\"years\":%d,\"seed\":%llu,\"wall_seconds\":%.3f", day, j->reps,
            j->years, (unsigned long long)j->seed, wall);
    if (j->nscen > 0 && cases[0]) /* the business case's terms (docs/finance.md) */
        fprintf(mj.f, ",\"business\":{\"price_year\":%d,\"discount_rate\":%.17g}", ccb_price_year(cases[0]),
                ccb_rate(cases[0]));
    fputs(",\"scenarios\":[{\"name\":\"baseline\"}", mj.f);
    for (int i = 0; i < j->nscen; i++)
        json_scenario(mj.f, j, i, j->scen[i]->name, j->scen[i]->description);
    json_files(mj.f, (const char *const *)names, nn);
    fputs("],\"monthly\":[", mj.f);
    srq_csv_rows(mj.f, mm.text, mm.len, keep_monthly);
    fputs("],\"annual\":[", mj.f);
    srq_csv_rows(mj.f, ma.text, ma.len, keep_annual);
    fputs("],\"comparison\":[", mj.f);
    if (j->nscen > 0)
        srq_csv_rows(mj.f, mc.text, mc.len, keep_comparison);
    fputs("]}", mj.f);
    if (mem_close(&mj)) {
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    pthread_mutex_lock(&p->lock);
    j->json = mj.text;
    j->json_len = mj.len;
    mj.text = NULL;
    for (int i = 0; i < nn; i++)
        j->files[j->nfiles++] = dupstr(names[i]);
    pthread_mutex_unlock(&p->lock);
    rc = 0;
done:
    cco_stage_abort(st);
    cce_free(rb);
    for (int i = 0; i < SRQ_MAXSCEN; i++)
        ccb_free(cases[i]);
    membuf *all[] = {&mm, &ma, &mc, &mj, &me};
    for (int i = 0; i < 5; i++) {
        mem_close(all[i]);
        free(all[i]->text);
    }
    return rc;
}

/* ---- a region's run ---- */

static int stop_requested(void *ctx)
{
    const runctx *c = ctx;
    return atomic_load(&c->j->cancel);
}

/* The file rel of folder dir read whole (not through a link), NUL-terminated;
 * NULL when it cannot be read. */
static char *slurp(const char *dir, const char *rel, size_t *len)
{
    char *path = join(dir, "/", rel);
    int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    free(path);
    if (fd < 0)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = 2 * (n + 65536 + 1);
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                close(fd);
                return NULL;
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The rows of folder dir/sub's monthly.csv, annual.csv and comparison.csv
 * that the page draws, as the JSON members "monthly", "annual" and
 * "comparison" (after a comma). */
static void region_rows(FILE *f, const char *dir, const char *sub, int compare)
{
    static const char *const part[] = {"monthly", "annual", "comparison"};
    int (*const keep[])(const char *, const char *) = {keep_monthly, keep_annual, keep_comparison};
    for (int k = 0; k < 3; k++) {
        fprintf(f, ",\"%s\":[", part[k]);
        char rel[300];
        snprintf(rel, sizeof rel, "%s/%s.csv", sub, part[k]);
        size_t len = 0;
        char *text = k < 2 || compare ? slurp(dir, rel, &len) : NULL;
        if (text)
            srq_csv_rows(f, text, len, keep[k]);
        free(text);
        fputc(']', f);
    }
}

/* Is rel a regular file (not a link) in folder dir? */
static int has_file(const char *dir, const char *rel)
{
    char *path = join(dir, "/", rel);
    struct stat sb;
    int ok = path && lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    free(path);
    return ok;
}

/* Run region job j (a region file and its region scenarios, as `compare`
 * runs them: ccrg_run, then regionapp's writer); as run_job. */
static int run_region_job(sjb_pool *p, sjb_job *j, char *msg)
{
    runctx c = {p, j};
    cce_opts eo = {j->reps, j->years, p->o.threads, j->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    ccrg_result *r = NULL, *sc[SRQ_MAXSCEN] = {0};
    char err[512];
    membuf me = {0}, mj = {0};
    cco_stage *st = NULL;
    char *dir = NULL;
    int rc = -1;
    if (mem_open(&me) || mem_open(&mj)) {
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    if (ccrg_run_until(j->rg, &eo, CCE_UNC_CONFIG, progress, &c, stop_requested, &r, err) != 0) {
        rc = atomic_load(&j->cancel) ? 1 : -1;
        snprintf(msg, 512, "%s", err);
        goto done;
    }
    double wall = r->wall_seconds;
    for (int i = 0; i < j->nscen; i++) {
        pthread_mutex_lock(&p->lock);
        j->running_base = j->reps * (i + 1);
        pthread_mutex_unlock(&p->lock);
        if (ccrg_run_until(j->rsc[i], &eo, CCE_UNC_CONFIG, progress, &c, stop_requested, &sc[i], err) != 0) {
            rc = atomic_load(&j->cancel) ? 1 : -1;
            snprintf(msg, 512, "%s", err);
            goto done;
        }
        wall += sc[i]->wall_seconds;
    }
    pthread_mutex_lock(&p->lock);
    snprintf(j->message, sizeof j->message, "writing the files and drawing the charts of every council");
    j->version++;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    dir = join(p->outroot, "/", j->id);
    st = dir ? cco_stage_new(dir, err) : NULL;
    if (!st) {
        snprintf(msg, 512, "%s", dir ? err : "out of memory");
        goto done;
    }
    const char *sd = cco_stage_dir(st);
    cca_run_opts o;
    memset(&o, 0, sizeof o);
    o.config = j->config_path;
    o.outdir = j->id;
    o.reps = j->reps;
    o.years = j->years;
    o.threads = p->o.threads;
    o.seed = j->seed;
    o.command_line = "serve";
    int werr = ccra_write(sd, &o, j->rg, r, (const ccrg_result *const *)sc, (const ccrg_region *const *)j->rsc,
                          j->nscen, me.f) != 0;
    for (int i = 0; !werr && i < j->nscen; i++)
        if (j->scen_text[i])
            werr |= put_file(sd, j->scen_file[i], j->scen_text[i], strlen(j->scen_text[i]));
    if (werr) {
        mem_close(&me);
        snprintf(msg, 512, "the run's files could not be written: %s", me.text ? me.text : "");
        goto done;
    }
    int committed = commit_stage(j, &st, msg);
    if (committed != 0) {
        rc = committed;
        goto done;
    }
    /* the files to offer: the region's, then each council's report and workbook */
    const ccrg_region *g = j->rg;
    char *names[MAXFILES + 2 * CCRG_MAXCOUNCIL + 2];
    int nn = 0;
    const char *top[] = {"report.html", "monthly.csv", "annual.csv", "comparison.csv", "manifest.txt",
                         "region/report.html"};
    for (size_t k = 0; k < sizeof top / sizeof *top; k++)
        if (has_file(dir, top[k]))
            names[nn++] = dupstr(top[k]);
    for (int i = 0; i < j->nscen; i++)
        if (j->scen_text[i])
            names[nn++] = dupstr(j->scen_file[i]);
    for (int k = 0; k < g->nc; k++) {
        char rel[200];
        snprintf(rel, sizeof rel, "councils/%s/report.html", g->council[k].key);
        if (has_file(dir, rel))
            names[nn++] = dupstr(rel);
        snprintf(rel, sizeof rel, "councils/%s/spend.xlsx", g->council[k].key);
        if (has_file(dir, rel))
            names[nn++] = dupstr(rel);
    }
    /* the results as JSON: the region's rows, then each council's, exactly as in its CSV files */
    char day[16];
    ccd_format(g->last_start, day);
    json_head(mj.f, j, NULL);
    fputs(",\"council\":", mj.f);
    srq_json_string(mj.f, g->name);
    fprintf(mj.f, ",\"region\":true,\"start\":\"%s\",\"reps\":%d,\"years\":%d,\"seed\":%llu,\"wall_seconds\":%.3f",
            day, j->reps, j->years, (unsigned long long)j->seed, wall);
    fputs(",\"scenarios\":[{\"name\":\"baseline\"}", mj.f);
    for (int i = 0; i < j->nscen; i++)
        json_scenario(mj.f, j, i, j->rsc[i]->scenario, j->rsc[i]->description);
    json_files(mj.f, (const char *const *)names, nn);
    fputc(']', mj.f);
    region_rows(mj.f, dir, "region", j->nscen > 0);
    fputs(",\"councils\":[", mj.f);
    for (int k = 0; k < g->nc; k++) {
        char sub[100];
        snprintf(sub, sizeof sub, "councils/%s", g->council[k].key);
        ccd_format(g->council[k].base->start_day, day);
        fputs(k ? ",{\"key\":" : "{\"key\":", mj.f);
        srq_json_string(mj.f, g->council[k].key);
        fputs(",\"council\":", mj.f);
        srq_json_string(mj.f, g->council[k].base->name);
        fprintf(mj.f, ",\"start\":\"%s\"", day);
        region_rows(mj.f, dir, sub, j->nscen > 0);
        fputc('}', mj.f);
    }
    fputs("]}", mj.f);
    if (mem_close(&mj)) {
        for (int i = 0; i < nn; i++)
            free(names[i]);
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    pthread_mutex_lock(&p->lock);
    j->json = mj.text;
    j->json_len = mj.len;
    mj.text = NULL;
    for (int i = 0; i < nn; i++) {
        if (j->nfiles < (int)(sizeof j->files / sizeof *j->files))
            j->files[j->nfiles++] = names[i];
        else
            free(names[i]);
    }
    pthread_mutex_unlock(&p->lock);
    rc = 0;
done:
    cco_stage_abort(st);
    free(dir);
    ccrg_result_free(r);
    for (int i = 0; i < SRQ_MAXSCEN; i++)
        ccrg_result_free(sc[i]);
    membuf *all[] = {&me, &mj};
    for (int i = 0; i < 2; i++) {
        mem_close(all[i]);
        free(all[i]->text);
    }
    return rc;
}

/* ---- a back-test ---- */

/* A number as the CSV files write it (cco_num), or null. */
static void json_num(FILE *f, double v)
{
    char b[64];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    cco_num(v, b);
    fputs(b, f);
}

/* A back-test table's rows as JSON: [measure, label, year, actual, mean,
 * p05, p95, inside] (numbers as backtest.csv writes them, null when
 * absent), and its coverage. */
static void bt_json(FILE *f, const cbt_table *t)
{
    char score[256];
    cbt_score(t, score, sizeof score);
    fprintf(f, "{\"compared\":%d,\"inside\":%d,\"score\":", t->compared, t->inside);
    srq_json_string(f, score);
    fputs(",\"rows\":[", f);
    for (int i = 0; i < t->n; i++) {
        const cbt_row *w = &t->row[i];
        int pub = w->actual_st == CDF_PUBLISHED;
        fputs(i ? ",[" : "[", f);
        srq_json_string(f, cdf_measure_name[w->m]);
        fputc(',', f);
        srq_json_string(f, cdf_measure_label[w->m]);
        fprintf(f, ",%d,", w->year);
        json_num(f, pub ? w->actual : NAN);
        fputc(',', f);
        json_num(f, w->modelled ? w->st.mean : NAN);
        fputc(',', f);
        json_num(f, w->modelled ? w->st.p05 : NAN);
        fputc(',', f);
        json_num(f, w->modelled ? w->st.p95 : NAN);
        fputs(w->modelled && pub ? (w->actual >= w->st.p05 && w->actual <= w->st.p95 ? ",1]" : ",0]") : ",null]", f);
    }
    fputs("]}", f);
}

/* Run back-test job j: the back-test config with parameter uncertainty on,
 * then off (the same seed), each set beside the published figures as
 * `carecap backtest` does; as run_job. */
static int run_backtest_job(sjb_pool *p, sjb_job *j, char *msg)
{
    runctx c = {p, j};
    cce_opts eo = {j->reps, j->years, p->o.threads, j->seed, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, NULL, 0};
    eo.sink = sink;
    eo.sink_ctx = &c;
    cce_result *r[2] = {0};
    cbt_table *t[2] = {0};
    cc_diag *notes = ccg_new();
    char err[512];
    membuf mj = {0};
    cco_stage *st = NULL;
    int rc = -1;
    if (!notes || mem_open(&mj)) {
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    double wall = 0;
    for (int k = 0; k < 2; k++) {
        cce_unc un = {k == 0 ? CCE_UNC_ON : CCE_UNC_OFF, 0};
        pthread_mutex_lock(&p->lock);
        j->running_base = j->reps * k;
        snprintf(j->message, sizeof j->message, "running the back-test with parameter uncertainty %s",
                 k == 0 ? "on" : "off");
        j->version++;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        if (cce_run_unc(j->base, &eo, &un, 1, progress, &c, &r[k], err) != 0) {
            rc = atomic_load(&j->cancel) ? 1 : -1;
            snprintf(msg, 512, "%s", err);
            goto done;
        }
        wall += r[k]->wall_seconds;
        cc_diag *nk = k == 0 ? notes : ccg_new(); /* the notes are the same twice: kept once */
        int crc = nk ? cbt_compute(r[k], j->dfe, nk, &t[k]) : -1;
        if (k > 0)
            ccg_free(nk);
        if (crc != 0) {
            snprintf(msg, 512, "%s", crc < 0 ? "out of memory while comparing"
                                             : "no whole year of the run has a published figure");
            goto done;
        }
    }
    char *dir = join(p->outroot, "/", j->id);
    st = dir ? cco_stage_new(dir, err) : NULL;
    free(dir);
    if (!st) {
        snprintf(msg, 512, "%s", dir ? err : "out of memory");
        goto done;
    }
    const char *sd = cco_stage_dir(st);
    char years[64], score[2][256];
    cbt_years(t[0], years, sizeof years);
    cbt_score(t[0], score[0], sizeof score[0]);
    cbt_score(t[1], score[1], sizeof score[1]);
    FILE *fb = cco_create(sd, "backtest.csv"), *fo = cco_create(sd, "backtest-uncertainty-off.csv");
    FILE *ft = cco_create(sd, "backtest.txt");
    int werr = !fb || !fo || !ft;
    if (!werr) {
        werr |= cbt_write_csv(fb, t[0]) != 0 || cbt_write_csv(fo, t[1]) != 0;
        fprintf(ft, "council: %s\nconfig: ", j->bt_la);
        cco_shell_quote(ft, j->config_path);
        fprintf(ft, "\nseed: %llu\nreplications: %d\nyears: %d\ncompared: %s\nscore, uncertainty on: %s\n"
                    "score, uncertainty off: %s\n",
                (unsigned long long)j->seed, j->reps, j->years, years, score[0], score[1]);
        for (size_t i = 0; i < ccg_count(notes); i++)
            fprintf(ft, "note: %s\n", ccg_get(notes, i));
    }
    if (fb)
        werr |= cco_close(fb, "backtest.csv") != 0;
    if (fo)
        werr |= cco_close(fo, "backtest-uncertainty-off.csv") != 0;
    if (ft)
        werr |= cco_close(ft, "backtest.txt") != 0;
    if (werr) {
        snprintf(msg, 512, "the back-test's files could not be written: %s", strerror(errno));
        goto done;
    }
    int committed = commit_stage(j, &st, msg);
    if (committed != 0) {
        rc = committed;
        goto done;
    }
    char day[16];
    ccd_format(j->base->start_day, day);
    json_head(mj.f, j, "backtest");
    fputs(",\"backtest_config\":", mj.f);
    srq_json_string(mj.f, j->bt_config);
    fputs(",\"council\":", mj.f);
    srq_json_string(mj.f, j->base->name);
    fputs(",\"la\":", mj.f);
    srq_json_string(mj.f, j->bt_la);
    fputs(",\"years_compared\":", mj.f);
    srq_json_string(mj.f, years);
    fprintf(mj.f, ",\"start\":\"%s\",\"reps\":%d,\"years\":%d,\"seed\":%llu,\"wall_seconds\":%.3f,\"on\":", day,
            j->reps, j->years, (unsigned long long)j->seed, wall);
    bt_json(mj.f, t[0]);
    fputs(",\"off\":", mj.f);
    bt_json(mj.f, t[1]);
    fputs(",\"notes\":[", mj.f);
    for (size_t i = 0; i < ccg_count(notes); i++) {
        if (i)
            fputc(',', mj.f);
        srq_json_string(mj.f, ccg_get(notes, i));
    }
    fputs("],\"files\":[\"backtest.csv\",\"backtest-uncertainty-off.csv\",\"backtest.txt\"],\"scenarios\":[]}", mj.f);
    if (mem_close(&mj)) {
        snprintf(msg, 512, "out of memory");
        goto done;
    }
    pthread_mutex_lock(&p->lock);
    j->json = mj.text;
    j->json_len = mj.len;
    mj.text = NULL;
    const char *names[] = {"backtest.csv", "backtest-uncertainty-off.csv", "backtest.txt"};
    for (int i = 0; i < 3; i++)
        j->files[j->nfiles++] = dupstr(names[i]);
    pthread_mutex_unlock(&p->lock);
    rc = 0;
done:
    cco_stage_abort(st);
    for (int k = 0; k < 2; k++) {
        cce_free(r[k]);
        cbt_free(t[k]);
    }
    ccg_free(notes);
    mem_close(&mj);
    free(mj.text);
    return rc;
}

/* ---- keeping the newest run folders ---- */

typedef struct {
    char name[33];
    struct timespec t;
} runfolder;

static int is_run_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 32;
}

static int newest_first(const void *a, const void *b)
{
    const runfolder *x = a, *y = b;
    if (x->t.tv_sec != y->t.tv_sec)
        return x->t.tv_sec > y->t.tv_sec ? -1 : 1;
    if (x->t.tv_nsec != y->t.tv_nsec)
        return x->t.tv_nsec > y->t.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Remove all but the newest keep_runs run folders of outroot (by the time
 * they last changed), and forget their runs. Only names of 32 hex digits
 * that are folders (not links) owned by this user are touched; the removal
 * never follows a link (cco_remove_tree). */
static void prune(sjb_pool *p)
{
    if (p->o.keep_runs <= 0)
        return;
    int dfd = open(p->outroot, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    runfolder *list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat sb;
        if (!is_run_id(e->d_name) || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid())
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            runfolder *nl = realloc(list, cap * sizeof *nl);
            if (!nl)
                break;
            list = nl;
        }
        memcpy(list[n].name, e->d_name, 33);
        list[n].t = sb.st_mtim;
        n++;
    }
    if (list)
        qsort(list, n, sizeof *list, newest_first);
    for (size_t i = (size_t)p->o.keep_runs; i < n; i++) {
        pthread_mutex_lock(&p->lock);
        sjb_job *j = find(p, list[i].name);
        int busy = j && j->state <= SJB_RUNNING;
        if (j && !busy) { /* forgotten with its folder */
            for (int k = 0; k < MAXJOBS; k++)
                if (p->job[k] == j)
                    p->job[k] = NULL;
            job_free(j);
        }
        pthread_mutex_unlock(&p->lock);
        if (!busy)
            cco_remove_tree(dirfd(d), list[i].name);
    }
    free(list);
    closedir(d);
}

static void *worker(void *arg)
{
    sjb_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        sjb_job *j = NULL;
        for (int i = 0; i < MAXJOBS; i++)
            if (p->job[i] && p->job[i]->state == SJB_QUEUED && (!j || p->job[i]->seq < j->seq))
                j = p->job[i];
        if (!j) {
            pthread_cond_wait(&p->changed, &p->lock);
            continue;
        }
        set_state(p, j, SJB_RUNNING, "running");
        pthread_mutex_unlock(&p->lock);
        char msg[512] = "";
        int rc = j->rg ? run_region_job(p, j, msg) : j->dfe ? run_backtest_job(p, j, msg) : run_job(p, j, msg);
        pthread_mutex_lock(&p->lock);
        /* the inputs are not needed again: only the results are kept */
        ccp_free(j->base);
        j->base = NULL;
        for (int i = 0; i < j->nscen; i++) {
            csn_free(j->scen[i]);
            j->scen[i] = NULL;
        }
        cdf_free(j->dfe);
        j->dfe = NULL;
        if (j->rg) { /* the names the JSON needs were written there already */
            for (int i = 0; i < j->nscen; i++) {
                ccrg_free(j->rsc[i]);
                j->rsc[i] = NULL;
            }
            ccrg_free(j->rg);
            j->rg = NULL;
        }
        if (rc == 0) {
            /* older run folders go before the run is reported done (it is the newest) */
            pthread_mutex_unlock(&p->lock);
            prune(p);
            pthread_mutex_lock(&p->lock);
            set_state(p, j, SJB_DONE, "done");
        } else if (rc > 0 || atomic_load(&j->cancel))
            set_state(p, j, SJB_CANCELLED, "cancelled; nothing was kept");
        else
            set_state(p, j, SJB_FAILED, msg);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

sjb_pool *sjb_new(const sjb_opts *o, char *err)
{
    sjb_pool *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, 512, "out of memory");
        return NULL;
    }
    p->o = *o;
    p->root = dupstr(o->root);
    p->outroot = dupstr(o->outroot);
    p->worker = calloc((size_t)o->max_running, sizeof *p->worker);
    if (!p->root || !p->outroot || !p->worker) {
        snprintf(err, 512, "out of memory");
        sjb_free(p);
        return NULL;
    }
    if (cco_mkdirs(p->outroot) != 0) {
        snprintf(err, 512, "%s: cannot make the runs' folder: %s", p->outroot, strerror(errno));
        sjb_free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    prune(p);
    for (; p->nworkers < o->max_running; p->nworkers++)
        if (pthread_create(&p->worker[p->nworkers], NULL, worker, p) != 0)
            break;
    if (p->nworkers == 0) {
        snprintf(err, 512, "could not start a worker thread");
        sjb_free(p);
        return NULL;
    }
    return p;
}

void sjb_free(sjb_pool *p)
{
    if (!p)
        return;
    if (p->nworkers) {
        pthread_mutex_lock(&p->lock);
        p->stopping = 1;
        for (int i = 0; i < MAXJOBS; i++)
            if (p->job[i])
                atomic_store(&p->job[i]->cancel, 1);
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
        for (int i = 0; i < p->nworkers; i++)
            pthread_join(p->worker[i], NULL);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->changed);
    }
    for (int i = 0; i < MAXJOBS; i++)
        job_free(p->job[i]);
    free(p->worker);
    free(p->root);
    free(p->outroot);
    free(p);
}
