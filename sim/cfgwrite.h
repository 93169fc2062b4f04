/* cfgwrite: write a libconfig setting tree back as config text, keeping the
 * comments of the file it was read from.
 *
 * Each setting is written on a line of its own; the comment on the line it
 * was read from, and the comment lines just above it, come with it, so that
 * a number copied from one config keeps the source its author gave it. A
 * setting given a note with ccw_note (one the program made or changed)
 * carries that note instead. */
#ifndef CFGWRITE_H
#define CFGWRITE_H

#include <stdio.h>
#include <libconfig.h>

typedef struct ccw_writer ccw_writer;

/* A writer to `out`. Owns a cache of the source files it reads for their
 * comments; free it with ccw_free. NULL when memory runs out. */
ccw_writer *ccw_new(FILE *out);
void ccw_free(ccw_writer *w);

/* Write setting s and everything below it, indented by `indent` spaces.
 * 0, or -1 when memory ran out. */
int ccw_setting(ccw_writer *w, const config_setting_t *s, int indent);

/* Attach a note (a comment written after the setting instead of the source
 * file's). The note must outlive the writes: the caller owns it. */
void ccw_note(config_setting_t *s, const char *note);

/* The one escaping of text written into config output, used for every
 * string and comment: ccw_string writes s as a libconfig string literal
 * (quotes and backslashes escaped, control characters as \n, \t or \xNN),
 * so any text reads back exactly and cannot end the string; ccw_comment
 * writes s as the text of a comment (after the caller's '#'), control
 * characters and line breaks as spaces, so it cannot start a new line. */
void ccw_string(FILE *o, const char *s);
void ccw_comment(FILE *o, const char *s);

#endif
