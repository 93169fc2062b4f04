/* cfgfile: opening a config or scenario file safely before libconfig reads
 * it. The file and every file it @includes (found by scanning the text the
 * way libconfig 1.5's scanner does) must be a regular file of bounded size,
 * with bounded strings, groups and nesting, so a directory, FIFO, device or
 * huge file is refused with file:line instead of hanging or killing the
 * process inside libconfig. Only then is the file parsed. */
#ifndef CFGFILE_H
#define CFGFILE_H

#include <libconfig.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

enum {
    CCF_MAX_FILE = 1 << 20,     /* bytes in one file (the bundled configs are < 32 KiB) */
    CCF_MAX_TOTAL = 4 << 20,    /* bytes in a file and all the files it includes */
    CCF_MAX_DEPTH = 10,         /* @include nesting (libconfig's own limit) */
    CCF_MAX_STRING = 4096,      /* bytes in one string literal */
    CCF_MAX_MEMBERS = 100,      /* settings in one group (libconfig adds each in time linear in the group) */
    CCF_MAX_NEST = 64           /* groups, lists and arrays inside one another */
};

enum { CCF_OK = 0, CCF_EINVALID = 3, CCF_EIO = 4, CCF_EPARSE = 5 };

/* Check `path` and everything it includes, then parse it into cfg (which the
 * caller has initialised and destroys). Includes are resolved relative to
 * the folder of `path` (for includes in included files too, as libconfig
 * does). `what` names the kind of file in messages ("config", "scenario").
 * Returns CCF_OK; CCF_EIO when `path` cannot be opened, or CCF_EINVALID when
 * a file is refused (messages in diag); or CCF_EPARSE when libconfig found
 * a syntax error (message in cfg's error fields, not in diag). When hash is
 * not NULL it receives the FNV-1a 64 of the bytes of path and of every file
 * it includes, in reading order. */
int ccf_open(config_t *cfg, const char *path, const char *what, cc_diag *diag, uint64_t *hash);

/* Write the tree of cfg to f as libconfig text that reads back to the same
 * tree: strings escaped, numbers exact (floats keep a decimal point), no
 * comments. Returns 0, or -1 on a write error. */
int ccf_write(const config_t *cfg, FILE *f);

#endif
