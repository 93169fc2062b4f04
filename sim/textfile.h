/* textfile: read a whole file into memory, for the readers that parse text
 * in place (csv, cfgwrite). */
#ifndef TEXTFILE_H
#define TEXTFILE_H

#include <stddef.h>

/* The file at path as a NUL-terminated buffer the caller frees (its length
 * in *len if len is not NULL), or NULL with errno set when it cannot be read
 * or memory runs out. */
char *ctf_read(const char *path, size_t *len);

#endif
