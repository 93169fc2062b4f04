/* textfile: read a whole file into memory, for the readers that parse text
 * in place (csv, cfgwrite). Only regular files are read: a FIFO, a device
 * or a directory is refused before any byte is read, and a file larger than
 * the caller's maximum is refused from its size. */
#ifndef TEXTFILE_H
#define TEXTFILE_H

#include <stddef.h>

/* The file at path as a NUL-terminated buffer the caller frees (its length
 * in *len if len is not NULL), or NULL with errno set when it cannot be read
 * or memory runs out: EISDIR for a directory, ESPIPE for another file that is
 * not a regular one (FIFO, device, socket), EFBIG when it holds more than
 * max bytes. ctf_read has no maximum. */
char *ctf_read_max(const char *path, size_t max, size_t *len);
char *ctf_read(const char *path, size_t *len);

/* What ctf_read_max's errno means, for a message after "PATH: cannot read: "
 * (strerror for the others). */
const char *ctf_strerror(int err);

#endif
