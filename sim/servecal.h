/* servecal: a council's SSDA903 files uploaded to the workbench and fitted
 * into a new baseline (`calibrate`). The files are written, under names of
 * the server's own (episodes-1.csv, header-1.csv, ..., districts.csv), into
 * a private temporary folder (mode 0700) that is removed with everything in
 * it when the request ends, whatever happened: the files never leave the
 * machine and are not kept. The fitted config goes to config/NAME.cfg (with
 * its fit table), a new file only. */
#ifndef SERVECAL_H
#define SERVECAL_H

#include <microhttpd.h>
#include <stddef.h>

#include "diag.h"

typedef struct servecal_upload servecal_upload;

/* Start receiving a multipart/form-data upload on connection c (fields:
 * name, baseline, episodes and header files in pairs, districts). NULL when
 * the request is not such an upload or the folder cannot be made. */
servecal_upload *servecal_begin(struct MHD_Connection *c, size_t max_bytes);
/* Feed n bytes of the body. 0, or -1 once the upload is refused (too large,
 * too many files, malformed): the rest is ignored. */
int servecal_data(servecal_upload *u, const char *data, size_t n);
int servecal_too_big(const servecal_upload *u);
/* Fit the uploaded files (root: the folder holding config/). Returns the
 * HTTP status; *json is the response body (malloc'd), messages in d for a
 * 400. The uploaded files are deleted before it returns. */
unsigned servecal_finish(servecal_upload *u, const char *root, cc_diag *d, char **json);
/* Remove the folder and everything in it; free u (NULL: nothing). */
void servecal_free(servecal_upload *u);

#endif
