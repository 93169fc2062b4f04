/* servereq: the JSON side of `carecap serve`, with no network and no engine:
 * a run request read (jansson) into a plain struct with every problem
 * collected; an edited scenario written as a scenario file (the format
 * `compare` reads: every string through cfgwrite's escaping, numbers only as
 * numbers); text written as JSON strings; and the rows of carecap's own
 * CSV outputs turned into JSON arrays. Pure functions of their arguments,
 * so the fuzz target drives them directly. */
#ifndef SERVEREQ_H
#define SERVEREQ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

enum { SRQ_MAXSCEN = 4, SRQ_MAXLEVERS = 24, SRQ_MAXTEXT = 200 };

/* A scenario of a request: a named file of scenarios/ (file set), or
 * levers edited on the page (name, description, levers). */
typedef struct {
    char *file;        /* a scenario file's name (without .cfg), or NULL */
    char *name;        /* the scenario column; edited scenarios only */
    char *description; /* may be NULL */
    char *levers;      /* libconfig text of the levers, one a line ("  { ... },\n"), may be "";
                        * a council_scenario lever's scenario is "\001NAME\001" (srq_next_ref) */
    int nlevers;
} srq_scenario;

typedef struct {
    char *config;      /* a baseline's name in config/ (without .cfg) */
    int reps, years;
    uint64_t seed;
    char *author;      /* who saves a scenario (may be NULL) */
    int nscen;
    srq_scenario scen[SRQ_MAXSCEN];
} srq_run;

typedef struct {
    int max_reps, max_years;
} srq_limits;

/* Read a run request (a JSON object, body[0..n), not NUL-terminated):
 *   {"config": NAME, "reps": N, "years": N, "seed": N, "author": TEXT,
 *    "scenarios": [{"file": NAME} | {"name": TEXT, "description": TEXT,
 *                   "levers": [{"lever": KIND, SETTING: VALUE, ...}, ...]}]}
 * reps, years and seed default to 1000, 10 and 1. Returns 0 and fills *out
 * (free with srq_free), or -1 with every problem added to d (messages name
 * the setting and say what was expected; they never repeat a value). */
int srq_parse_run(const char *body, size_t n, const srq_limits *lim, srq_run *out, cc_diag *d);
void srq_free(srq_run *r);

/* A name of a file in config/ or scenarios/ (or a run id): 1 to 100 of
 * [A-Za-z0-9._-], not starting with '.'. */
int srq_name_ok(const char *s);

/* A scenario file's name: NAME, or FOLDER/NAME (one folder of scenarios/),
 * each part as srq_name_ok. */
int srq_file_ok(const char *s);

/* The next council scenario named in levers text (srq_scenario.levers) from
 * levers on, copied into name (at least 202 bytes); the text after it, or
 * NULL when there is none. */
const char *srq_next_ref(const char *levers, char *name);

/* Write edited scenario s as a scenario file to f: an optional comment line
 * (comment, may be NULL), then name, description, baseline and levers, one
 * lever a line; a council scenario NAME as the path "SCEN_DIR/NAME.cfg"
 * (scen_dir NULL: "NAME.cfg", for a file saved in scenarios/). 0, or -1
 * when a write failed. */
int srq_scenario_text(FILE *f, const srq_scenario *s, const char *baseline, const char *comment, const char *scen_dir);

/* Write s as a JSON string literal (quotes included): quote, backslash,
 * control characters, <, >, & and U+2028/9 escaped, bytes that are not
 * UTF-8 written as U+FFFD, so the output is valid JSON whatever s holds. */
void srq_json_string(FILE *f, const char *s);

/* Write the rows of a CSV output of carecap (header line first, fields as
 * cco_field writes them) whose metric/group `keep` accepts as JSON arrays,
 * comma-separated ([..],[..]): the first four fields as strings, the others
 * as numbers exactly as written (an empty or non-numeric field as null).
 * Returns the number of rows written, or -1 when the text is not such a
 * file (no header). */
long srq_csv_rows(FILE *f, const char *csv, size_t n, int (*keep)(const char *metric, const char *group));

#endif
