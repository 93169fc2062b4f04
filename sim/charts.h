/* charts: pictures of a run for a committee paper, drawn by gnuplot, and a
 * self-contained report.html. Everything is made from the files of a
 * results folder (monthly.csv, annual.csv, comparison.csv, manifest.txt), so
 * `carecap plot DIR` can redraw them at any time: data files and gnuplot
 * scripts go into DIR/charts/, PNG and SVG beside them, and DIR/report.html
 * holds the SVGs inline. Without gnuplot the data and scripts are still
 * written and a warning says how to render them later. */
#ifndef CHARTS_H
#define CHARTS_H

#include <stdio.h>

/* Draw the charts of results folder `dir` again: a copy of its results and
 * the new charts/ and report.html are built in a temporary folder beside it
 * and switched in whole (cco_stage), so a failure or a signal leaves the
 * folder as it was. Warnings go to err (each line starting with
 * "carecap: "). Returns 0, or -1 when the folder's files cannot be read or
 * the charts cannot be written or drawn (message in err). */
int cch_plot(const char *dir, FILE *err);
/* Draw the charts of the results in folder `dir`, a new folder that carecap
 * is filling (charts/ and report.html must not exist yet; every file is
 * created new). `shown` names the folder in messages. Results files are
 * read only if regular and at most CCO_MAX_INPUT bytes. 0, or -1 (message
 * in err; also when cco_interrupted() became true). gnuplot missing is a
 * warning; gnuplot failing, or drawing an empty picture, is an error. */
int cch_draw(const char *dir, const char *shown, FILE *err);
/* Run gnuplot on script NAME.gp in folder cd (no shell). 0 when it exited 0
 * and drew a non-empty PNG and SVG, 1 when gnuplot is not installed, 2 when
 * a signal came (gnuplot is stopped), -1 when it failed. */
int cch_render(const char *cd, const char *name);
/* Write s to an HTML page with < > & " ' escaped. */
void cch_html_text(FILE *f, const char *s);
/* Copy the SVG file at path into an HTML page (without its XML prologue),
 * reading it only if it is a regular file (cco_open_input). 0, or -1 when it
 * cannot be read or holds no <svg. */
int cch_inline_svg(FILE *f, const char *path);

#endif
