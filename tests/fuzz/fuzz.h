/* fuzz: what every libFuzzer harness of tests/fuzz/ shares. The loaders read
 * files by path, so a harness writes its input into a private temporary
 * folder (made once per process, removed at exit) and calls the loader on
 * it; messages go to a /dev/null stream so the fuzzer's own output stays
 * readable. Nothing here keeps state between inputs except the folder. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The per-process temporary folder ("$TMPDIR/carecap-fuzz.XXXXXX", or
 * $CARECAP_FUZZ_DIR, which must not exist, for runs that must repeat
 * exactly: paths end up in messages and comparisons), made on the first call and removed with everything in it when the process exits.
 * Aborts if it cannot be made (the harness cannot run without it). */
const char *fz_dir(void);
/* Write `size` bytes to fz_dir()/name (creating subfolders named in `name`
 * is the caller's job). Returns the full path in a static buffer that the
 * next call overwrites; aborts on a write error. */
const char *fz_write(const char *name, const uint8_t *data, size_t size);
/* Remove everything inside fz_dir() (the folder itself stays). */
void fz_clear(void);
/* A stream that discards what is written to it, opened once. */
FILE *fz_null(void);
/* Split data at each occurrence of the separator `sep` (sep_len bytes) into
 * at most `max` parts: part i is data[off[i] .. off[i] + len[i]). The last
 * part takes the rest, separators included. Returns the number of parts
 * (at least 1). */
int fz_split(const uint8_t *data, size_t size, const char *sep, size_t sep_len, int max, size_t *off,
             size_t *len);
/* 1 when the bytes contain the string `s`. */
int fz_contains(const uint8_t *data, size_t size, const char *s);

#endif
