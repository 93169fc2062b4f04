/* diag: a list of user-facing error messages, collected rather than printed
 * at the first failure, so that one `carecap check` shows every problem.
 * Each message reads "file:line: setting: what is wrong (expected ...)". */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct cc_diag cc_diag;

cc_diag *ccg_new(void);
void ccg_free(cc_diag *g);
/* Append one message (printf-style). Never fails visibly: on allocation
 * failure the message is replaced by a fixed "out of memory" note. */
void ccg_add(cc_diag *g, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
size_t ccg_count(const cc_diag *g);
const char *ccg_get(const cc_diag *g, size_t i);
/* Print every message, one per line, to f, each after "prefix: " if prefix. */
void ccg_print(const cc_diag *g, FILE *f, const char *prefix);

#endif
