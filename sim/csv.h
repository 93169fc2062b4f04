/* csv: a forgiving reader of the CSV files councils export.
 *
 * Reads a whole file into memory and splits it into rows in place. Accepts a
 * UTF-8 byte-order mark, CRLF or LF line ends, quoted fields (with "" for a
 * quote, and commas or line breaks inside), extra columns and any column
 * order; finds columns by name, case-insensitively. */
#ifndef CSV_H
#define CSV_H

#include <stdio.h>

typedef struct ccv_file ccv_file;

/* The largest file read: 1 GiB. */
#define CCV_MAX_BYTES ((size_t)1 << 30)

/* Open and read `path` (a regular file of at most CCV_MAX_BYTES); NULL with
 * errno set if it cannot be read (see ctf_read_max in textfile.h for the
 * errno of a file that is not regular or too large). The returned reader
 * owns the text; free it with ccv_close. */
ccv_file *ccv_open(const char *path);
void ccv_close(ccv_file *f);

/* Read the header row and find each of the n required columns; col[k] is
 * the position of names[k]. Every missing column is reported on err as
 * "PATH:1: column NAME is missing (...)". 0, or -1 if any is missing. */
int ccv_columns(ccv_file *f, const char *path, const char *const *names, int n, int *col, FILE *err);

/* Next data row; 0 at the end of the file. A row that repeats the header
 * row (files concatenated with their headers) is passed over. */
int ccv_row(ccv_file *f);
/* Field `col` of the current row ("" if the row is short); valid until
 * ccv_close. Leading and trailing spaces are removed. */
const char *ccv_field(const ccv_file *f, int col);
/* Line number (from 1) on which the current row starts. */
int ccv_line(const ccv_file *f);
/* Whether the current row ends inside a quoted field that the file never
 * closes (the row then runs to the end of the file). */
int ccv_unclosed(const ccv_file *f);

#endif
