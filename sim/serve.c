/* serve: the workbench's web server (libmicrohttpd) and its routes; see serve.h. */
#define _GNU_SOURCE
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "diag.h"
#include "servecal.h"
#include "servejob.h"
#include "servereq.h"

#ifndef CARECAP_WEB_DIR
#define CARECAP_WEB_DIR "sim/web"
#endif
#ifndef CARECAP_CHARTJS
#define CARECAP_CHARTJS "/usr/share/javascript/chart.js/chart.min.js"
#endif

typedef struct {
    srv_opts o;
    char token[128];
    int loopback;
    int port;
    sjb_pool *pool;
} server;

/* The page's files: a request path is compared with these names only. */
static const struct {
    const char *url, *file, *type;
} assets[] = {
    {"/", CARECAP_WEB_DIR "/index.html", "text/html; charset=utf-8"},
    {"/index.html", CARECAP_WEB_DIR "/index.html", "text/html; charset=utf-8"},
    {"/app.js", CARECAP_WEB_DIR "/app.js", "text/javascript; charset=utf-8"},
    {"/style.css", CARECAP_WEB_DIR "/style.css", "text/css; charset=utf-8"},
    {"/chart.js", CARECAP_CHARTJS, "text/javascript; charset=utf-8"},
};

void srv_defaults(srv_opts *o)
{
    memset(o, 0, sizeof *o);
    o->port = 8017;
    o->listen = "127.0.0.1";
    o->max_runs = 1;
    o->max_queued = 8;
    o->keep_runs = 20;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    o->threads = n > 0 ? (int)(n > 256 ? 256 : n) : 1;
    o->max_reps = 10000;
    o->max_years = 30;
    o->max_body = 64 * 1024;
    o->max_upload = 256L * 1024 * 1024;
    o->root = ".";
}

/* ---- per request ---- */

typedef struct {
    char *body;
    size_t len;
    int too_big;
    servecal_upload *upload; /* POST /api/calibrate */
} request;

static void add_common(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, const char *type, char *buf, size_t n,
                                int own)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, buf, own ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
    if (!r) {
        if (own)
            free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    add_common(r);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* {"errors": [messages]} with status. */
static enum MHD_Result send_errors(struct MHD_Connection *c, unsigned status, const cc_diag *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return MHD_NO;
    fputs("{\"errors\":[", f);
    for (size_t i = 0; i < ccg_count(d); i++) {
        if (i)
            fputc(',', f);
        srq_json_string(f, ccg_get(d, i));
    }
    fputs("]}", f);
    if (fclose(f) != 0) {
        free(text);
        return MHD_NO;
    }
    return send_buf(c, status, "application/json", text, len, 1);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    cc_diag *d = ccg_new();
    if (!d)
        return MHD_NO;
    ccg_add(d, "%s", msg);
    enum MHD_Result r = send_errors(c, status, d);
    ccg_free(d);
    return r;
}

static enum MHD_Result send_json(struct MHD_Connection *c, char *text, size_t len)
{
    return send_buf(c, MHD_HTTP_OK, "application/json", text, len, 1);
}

/* A file opened by the server (fd owned), with its type. */
static enum MHD_Result send_fd(struct MHD_Connection *c, int fd, const char *type, const char *attachment)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    add_common(r);
    if (attachment) {
        char cd[160];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", attachment);
        MHD_add_response_header(r, "Content-Disposition", cd);
    }
    if (strncmp(type, "text/html", 9) == 0)
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Constant-time comparison of the token given with the server's. */
static int token_ok(const server *s, const char *given)
{
    if (!s->token[0])
        return 1;
    if (!given)
        return 0;
    size_t n = strlen(s->token), m = strlen(given);
    unsigned diff = (unsigned)(n ^ m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)s->token[i] ^ (unsigned char)(i < m ? given[i] : 0);
    return diff == 0;
}

static const char *bearer(struct MHD_Connection *c)
{
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (a && strncmp(a, "Bearer ", 7) == 0)
        return a + 7;
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
}

/* On loopback without a token, only requests for this machine's own names
 * are answered (a web page elsewhere cannot reach the server through a
 * name that resolves here: DNS rebinding). */
static int host_ok(const server *s, struct MHD_Connection *c)
{
    if (s->token[0] || !s->loopback)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!h)
        return 0;
    const char *names[] = {"127.0.0.1", "localhost", "[::1]"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(h, names[i], n) == 0) {
            if (h[n] == '\0')
                return s->port == 80;
            if (h[n] == ':') {
                char *end;
                long p = strtol(h + n + 1, &end, 10);
                return *end == '\0' && p == s->port;
            }
        }
    }
    return 0;
}

static int content_type_is(struct MHD_Connection *c, const char *want)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t n = strlen(want);
    return t && strncasecmp(t, want, n) == 0 && (t[n] == '\0' || t[n] == ';' || t[n] == ' ');
}

/* ---- a run's progress, streamed as lines of JSON until it ends ---- */

typedef struct {
    server *s;
    char id[33];
    unsigned seen;
    int ended;         /* the last line has been queued */
    char line[1024];
    size_t off, len;
} stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *st = cls;
    if (st->off == st->len) {
        if (st->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        sjb_status ss;
        /* a line at least every second: a client that went away is noticed */
        if (sjb_status_of(st->s->pool, st->id, st->seen, 1000, &ss) != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        st->seen = ss.version;
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        fprintf(f, "{\"id\":\"%s\",\"state\":\"%s\",\"done\":%d,\"total\":%d,\"position\":%d,\"message\":", st->id,
                sjb_state_name[ss.state], ss.done, ss.total, ss.position);
        srq_json_string(f, ss.message);
        fputs("}\n", f);
        fclose(f);
        if (!text || len > sizeof st->line) {
            free(text);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        memcpy(st->line, text, len);
        free(text);
        st->off = 0;
        st->len = len;
        st->ended = ss.state > 1;
    }
    size_t n = st->len - st->off < max ? st->len - st->off : max;
    memcpy(buf, st->line + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream *st = cls;
    /* the client went away before the run ended: the run is cancelled */
    if (!st->ended)
        sjb_cancel(st->s->pool, st->id);
    free(st);
}

static enum MHD_Result post_run(server *s, struct MHD_Connection *c, const request *rq, int backtest)
{
    cc_diag *d = ccg_new();
    if (!d)
        return MHD_NO;
    srq_limits lim = {s->o.max_reps, s->o.max_years};
    srq_run run;
    char id[33];
    enum MHD_Result ret;
    int rc = srq_parse_run(rq->body ? rq->body : "", rq->len, &lim, &run, d) != 0 ? 1
             : backtest                                                         ? sjb_submit_backtest(s->pool, &run, d, id)
                                                                                : sjb_submit(s->pool, &run, d, id);
    srq_free(&run);
    if (rc == 1)
        ret = send_errors(c, MHD_HTTP_BAD_REQUEST, d);
    else if (rc == 2)
        ret = send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                         "serve: too many runs are waiting (expected fewer; try again when one has finished)");
    else if (rc != 0)
        ret = send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "serve: out of memory");
    else {
        stream *st = calloc(1, sizeof *st);
        struct MHD_Response *r =
            st ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, stream_read, st, stream_free) : NULL;
        if (!r) {
            if (st)
                free(st);
            sjb_cancel(s->pool, id);
            ccg_free(d);
            return MHD_NO;
        }
        st->s = s;
        memcpy(st->id, id, sizeof id);
        MHD_add_response_header(r, "Content-Type", "application/x-ndjson");
        MHD_add_response_header(r, "X-Carecap-Run", id);
        add_common(r);
        ret = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
    }
    ccg_free(d);
    return ret;
}

static enum MHD_Result post_save(server *s, struct MHD_Connection *c, const request *rq)
{
    cc_diag *d = ccg_new();
    if (!d)
        return MHD_NO;
    srq_limits lim = {s->o.max_reps, s->o.max_years};
    srq_run run;
    char *text = NULL, fname[80];
    int rc = srq_parse_run(rq->body ? rq->body : "", rq->len, &lim, &run, d) == 0
                 ? sjb_scenario_file(s->pool, &run, d, &text, fname)
                 : 1;
    srq_free(&run);
    enum MHD_Result ret;
    if (rc == 1)
        ret = send_errors(c, MHD_HTTP_BAD_REQUEST, d);
    else if (rc != 0 || !text)
        ret = send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "serve: out of memory");
    else {
        struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(text);
            ccg_free(d);
            return MHD_NO;
        }
        char cd[160];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", fname);
        MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
        MHD_add_response_header(r, "Content-Disposition", cd);
        add_common(r);
        ret = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
    }
    ccg_free(d);
    return ret;
}

static const char *file_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".csv") == 0)
        return "text/csv; charset=utf-8";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".xlsx") == 0)
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return "text/plain; charset=utf-8";
}

/* A run's file: NAME, or up to two folders and NAME (a region's
 * councils/KEY/report.html), each part as srq_name_ok. */
static int file_path_ok(const char *name)
{
    char part[128];
    int parts = 0;
    for (const char *p = name;; parts++) {
        size_t n = strcspn(p, "/");
        if (n == 0 || n >= sizeof part || parts == 3)
            return 0;
        memcpy(part, p, n);
        part[n] = '\0';
        if (!srq_name_ok(part))
            return 0;
        if (!p[n])
            return 1;
        p += n + 1;
    }
}

/* /api/runs/ID[/REST]: ID and REST split off url (NULL when malformed). */
static int run_path(const char *url, char *id, const char **rest)
{
    const char *p = url + strlen("/api/runs/");
    size_t n = strcspn(p, "/");
    if (n != 32)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return -1;
    memcpy(id, p, 32);
    id[32] = '\0';
    *rest = p[n] ? p + n + 1 : NULL;
    return 0;
}

static enum MHD_Result api(server *s, struct MHD_Connection *c, const char *url, int post, request *rq)
{
    if (!token_ok(s, bearer(c)))
        return send_error(c, MHD_HTTP_UNAUTHORIZED,
                          "serve: this server needs its token (expected the URL it printed, with ?token=...)");
    if (rq->too_big)
        return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "serve: the request is too large (expected a smaller body)");
    if (post && strcmp(url, "/api/calibrate") == 0 &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Carecap-Upload"))
        return send_error(c, MHD_HTTP_BAD_REQUEST,
                          "serve: an upload needs the header X-Carecap-Upload (expected the page's upload form)");
    if (post && strcmp(url, "/api/calibrate") != 0 && !content_type_is(c, "application/json"))
        return send_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                          "serve: the request is not JSON (expected Content-Type: application/json)");
    if (!post && strcmp(url, "/api/info") == 0) {
        char *text = NULL;
        if (asprintf(&text,
                     "{\"version\":\"%s\",\"max_reps\":%d,\"max_years\":%d,\"max_runs\":%d,\"max_queued\":%d,"
                     "\"max_upload\":%zu}",
                     cca_version(), s->o.max_reps, s->o.max_years, s->o.max_runs, s->o.max_queued,
                     s->o.max_upload) < 0)
            return MHD_NO;
        return send_json(c, text, strlen(text));
    }
    if (!post && strcmp(url, "/api/baselines") == 0) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
            return MHD_NO;
        int rc = sjb_list(s->pool, f);
        if (fclose(f) != 0 || rc != 0) {
            free(text);
            return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "serve: out of memory");
        }
        return send_json(c, text, len);
    }
    if (post && strcmp(url, "/api/runs") == 0)
        return post_run(s, c, rq, 0);
    if (post && strcmp(url, "/api/backtests") == 0)
        return post_run(s, c, rq, 1);
    if (post && strcmp(url, "/api/scenario-file") == 0)
        return post_save(s, c, rq);
    if (post && strcmp(url, "/api/calibrate") == 0) {
        cc_diag *d = ccg_new();
        char *json = NULL;
        if (!d)
            return MHD_NO;
        unsigned st = servecal_finish(rq->upload, s->o.root, d, &json);
        enum MHD_Result r = json ? send_json(c, json, strlen(json)) : send_errors(c, st, d);
        ccg_free(d);
        return r;
    }
    if (strncmp(url, "/api/runs/", 10) == 0) {
        char id[33];
        const char *rest;
        if (run_path(url, id, &rest) != 0)
            return send_error(c, MHD_HTTP_NOT_FOUND, "serve: no such run (expected /api/runs/ID)");
        if (post && rest && strcmp(rest, "cancel") == 0)
            return sjb_cancel(s->pool, id) == 0 ? send_buf(c, MHD_HTTP_OK, "application/json", "{}", 2, 0)
                                                 : send_error(c, MHD_HTTP_NOT_FOUND, "serve: no such run");
        if (!post && !rest) {
            sjb_status ss;
            if (sjb_status_of(s->pool, id, 0, 0, &ss) != 0)
                return send_error(c, MHD_HTTP_NOT_FOUND, "serve: no such run");
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            if (!f)
                return MHD_NO;
            fprintf(f, "{\"id\":\"%s\",\"state\":\"%s\",\"done\":%d,\"total\":%d,\"position\":%d,\"message\":", id,
                    sjb_state_name[ss.state], ss.done, ss.total, ss.position);
            srq_json_string(f, ss.message);
            fputc('}', f);
            fclose(f);
            return text ? send_json(c, text, len) : MHD_NO;
        }
        if (!post && rest && strcmp(rest, "results") == 0) {
            size_t len = 0;
            char *text = sjb_result(s->pool, id, &len);
            return text ? send_json(c, text, len)
                        : send_error(c, MHD_HTTP_NOT_FOUND, "serve: no finished run with this id");
        }
        if (!post && rest && strncmp(rest, "files/", 6) == 0) {
            const char *name = rest + 6;
            int fd = file_path_ok(name) ? sjb_open_file(s->pool, id, name) : -1;
            if (fd < 0)
                return send_error(c, MHD_HTTP_NOT_FOUND, "serve: the run has no such file");
            const char *dl = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "download");
            const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
            int html = strcmp(base, "report.html") == 0;
            return send_fd(c, fd, file_type(name), html && !dl ? NULL : base);
        }
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "serve: no such page (expected /api/...)");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **con_cls)
{
    (void)version;
    server *s = cls;
    int post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    request *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq)))
            return MHD_NO;
        *con_cls = rq;
        int upload = post && strcmp(url, "/api/calibrate") == 0;
        /* a body announced as too large is refused before it is read */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (post && cl && strtoull(cl, NULL, 10) > (upload ? s->o.max_upload : s->o.max_body) && host_ok(s, c) &&
            token_ok(s, bearer(c)))
            return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
                              "serve: the request is too large (expected a smaller body)");
        if (upload && token_ok(s, bearer(c)) && host_ok(s, c))
            rq->upload = servecal_begin(c, s->o.max_upload);
        return MHD_YES;
    }
    if (*size) {
        if (rq->upload) {
            if (servecal_data(rq->upload, data, *size) != 0)
                rq->too_big = servecal_too_big(rq->upload);
        } else if (rq->too_big || rq->len + *size > s->o.max_body) {
            rq->too_big = 1;
        } else {
            char *nb = realloc(rq->body, rq->len + *size + 1);
            if (!nb)
                return MHD_NO;
            memcpy(nb + rq->len, data, *size);
            rq->body = nb;
            rq->len += *size;
            rq->body[rq->len] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    if (!host_ok(s, c))
        return send_error(c, MHD_HTTP_FORBIDDEN,
                          "serve: unexpected Host header (expected 127.0.0.1, localhost or [::1] and the port)");
    if (!post && !get)
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "serve: method not allowed (expected GET or POST)");
    if (strncmp(url, "/api/", 5) == 0)
        return api(s, c, url, post, rq);
    if (post)
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "serve: method not allowed (expected GET)");
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(url, assets[i].url) == 0) {
            int fd = open(assets[i].file, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return send_error(c, MHD_HTTP_NOT_FOUND, "serve: a file of the page is missing (reinstall carecap)");
            return send_fd(c, fd, assets[i].type, NULL);
        }
    return send_error(c, MHD_HTTP_NOT_FOUND, "serve: no such page");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    request *rq = *con_cls;
    if (!rq)
        return;
    servecal_free(rq->upload);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

static void quiet_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls, (void)fmt, (void)ap;
}

int srv_main(const srv_opts *o, FILE *out, FILE *err)
{
    server s;
    memset(&s, 0, sizeof s);
    s.o = *o;
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    int v6 = 0;
    if (inet_pton(AF_INET, o->listen, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)o->port);
        s.loopback = (ntohl(a4.sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, o->listen, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)o->port);
        v6 = 1;
        s.loopback = IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr);
    } else {
        fprintf(err, "carecap: serve: --listen: not an IP address (expected e.g. 127.0.0.1 or ::1)\n");
        return CCA_USAGE;
    }
    if (o->token) {
        size_t n = strlen(o->token);
        if (n < 16 || n >= sizeof s.token || strspn(o->token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                               "0123456789-_.~") != n) {
            fprintf(err, "carecap: serve: --token: expected 16 to 127 letters, digits or - _ . ~\n");
            return CCA_USAGE;
        }
        memcpy(s.token, o->token, n + 1);
    } else if (!s.loopback) {
        unsigned char b[16];
        if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
            fprintf(err, "carecap: serve: cannot make a token: %s\n", strerror(errno));
            return CCA_RUNTIME;
        }
        for (int i = 0; i < 16; i++)
            snprintf(s.token + 2 * i, 3, "%02x", b[i]);
    }
    char outroot[4096];
    if (o->outroot)
        snprintf(outroot, sizeof outroot, "%s", o->outroot);
    else
        snprintf(outroot, sizeof outroot, "%s/output/serve", o->root);
    /* every thread started from here on has the stop signals blocked: this
     * thread takes them with sigwait, nothing is done in a handler */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    char msg[512];
    sjb_opts jo = {o->root, outroot, o->max_runs, o->max_queued, o->threads, o->keep_runs};
    s.pool = sjb_new(&jo, msg);
    if (!s.pool) {
        fprintf(err, "carecap: serve: %s\n", msg);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return CCA_IO;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | (v6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, handle, &s, MHD_OPTION_SOCK_ADDR,
        v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)32, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_NOTIFY_COMPLETED, completed, &s, MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(err, "carecap: serve: cannot listen on %s port %d (in use, or not this machine's address)\n",
                o->listen, o->port);
        sjb_free(s.pool);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return CCA_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    s.port = info ? info->port : o->port;
    fprintf(out, "carecap: serving the workbench at http://%s%s%s:%d/%s%s\n", v6 ? "[" : "", o->listen, v6 ? "]" : "",
            s.port, s.token[0] ? "?token=" : "", s.token);
    if (o->keep_runs > 0)
        fprintf(out, "carecap: runs are kept in %s/ (the newest %d); Ctrl-C stops the server\n", outroot,
                o->keep_runs);
    else
        fprintf(out, "carecap: runs are kept in %s/; Ctrl-C stops the server\n", outroot);
    fflush(out);
    int sig = 0;
    sigwait(&stop, &sig);
    while (sig == SIGPIPE)
        sigwait(&stop, &sig);
    fprintf(err, "carecap: serve: stopping\n");
    MHD_stop_daemon(d);
    sjb_free(s.pool);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return CCA_OK;
}
