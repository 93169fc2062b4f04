/* textfile: a whole file into memory (see textfile.h). */
#define _XOPEN_SOURCE 700
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ctf_read_max(const char *path, size_t max, size_t *len)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; the type is
     * checked before anything is read */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : ESPIPE;
        return NULL;
    }
    if ((uintmax_t)st.st_size > (uintmax_t)max) {
        close(fd);
        errno = EFBIG;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *in = fdopen(fd, "rb");
    if (!in) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int big = 0;
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, in);
        if (n < cap - 1)
            break;
        if (n > max) { /* it grew while being read */
            big = 1;
            break;
        }
        char *nb = realloc(buf, cap *= 2);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int bad = ferror(in);
    fclose(in);
    if (!buf || bad || big || n > max) {
        free(buf);
        errno = !buf ? ENOMEM : bad ? EIO : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *ctf_read(const char *path, size_t *len) { return ctf_read_max(path, SIZE_MAX - 1, len); }

const char *ctf_strerror(int err)
{
    switch (err) {
    case EISDIR: return "is a directory (expected a regular file)";
    case ESPIPE: return "is not a regular file (a FIFO, device or socket; expected a regular file)";
    case EFBIG: return "is larger than the maximum size (expected a smaller file)";
    default: return strerror(err);
    }
}
