/* serve: `carecap serve`, the browser workbench. A small web server (GNU
 * libmicrohttpd; it parses HTTP, this module only routes) that serves the
 * page in sim/web/ and Chart.js from Debian's libjs-chart.js, and a JSON API
 * over the runs of servejob.h. It listens on 127.0.0.1 unless told
 * otherwise; any other address needs a token (given, or made and printed in
 * the URL), and with a token every API call without it gets 401. Request
 * paths are only ever compared with fixed names: none reaches the file
 * system except a baseline's, a scenario's or a run's own file by name.
 * Bodies and uploads have size limits. Nothing is run through a shell. */
#ifndef SERVE_H
#define SERVE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    int port;              /* 0: any free port (printed) */
    const char *listen;    /* address to listen on (default 127.0.0.1) */
    const char *token;     /* NULL: none on loopback, made up elsewhere */
    int max_runs;          /* runs at once (default 1) */
    int max_queued;        /* runs waiting (default 8) */
    int keep_runs;         /* run folders kept in outroot, newest first (default 20; 0: all) */
    int threads;           /* worker threads of each run */
    int max_reps, max_years;
    size_t max_body;       /* bytes of a JSON request body */
    size_t max_upload;     /* bytes of all the files of one calibrate upload */
    const char *root;      /* the folder holding config/ and scenarios/ (default .) */
    const char *outroot;   /* the runs' folders (default ROOT/output/serve) */
} srv_opts;

/* Fill o with the defaults. */
void srv_defaults(srv_opts *o);

/* Serve until SIGINT, SIGTERM or SIGHUP. Prints the URL to out (with the
 * token, if any) and messages to err. Returns an exit code (app.h). */
int srv_main(const srv_opts *o, FILE *out, FILE *err);

#endif
