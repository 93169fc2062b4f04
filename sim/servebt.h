/* servebt: the back-tests the workbench offers. A small libconfig file
 * (tests/data/backtests.conf under the server's folder) pairs a baseline of
 * config/ with its back-test config (config/NAME.cfg, starting years
 * earlier) and the council's code in the DfE's published extracts, which
 * are read from the folder tests/data/dfe-CODE only: a request names the
 * baseline, never a path. The file is checked like a config: every problem
 * as file:line: setting: what is wrong (expected ...), unknown settings
 * refused. */
#ifndef SERVEBT_H
#define SERVEBT_H

#include <libconfig.h>

#include "diag.h"

enum { SBT_MAX = 64 };

typedef struct {
    char baseline[101]; /* a name of config/ */
    char config[101];   /* the back-test config's name in config/ */
    char la[16];        /* the council's code in the published files (letters and digits) */
} sbt_entry;

typedef struct {
    int n;
    sbt_entry e[SBT_MAX];
} sbt_list;

/* The file's place under the server's folder. */
extern const char sbt_file[];

/* Read the back-tests of a parsed file (file: its name in messages) into
 * *out. 0, or -1 with every problem in d (*out then holds the good ones). */
int sbt_read(const config_t *cfg, const char *file, cc_diag *d, sbt_list *out);
/* Read text as such a file (the fuzz target's way in). 0, or -1. */
int sbt_parse_string(const char *text, const char *file, cc_diag *d, sbt_list *out);
/* Load the file at path (checked as cfgfile.h checks a config). 0; 1 when
 * there is no such file (no back-tests); -1 with messages in d. */
int sbt_load(const char *path, cc_diag *d, sbt_list *out);
/* The entry of baseline name, or NULL. */
const sbt_entry *sbt_find(const sbt_list *l, const char *name);

#endif
