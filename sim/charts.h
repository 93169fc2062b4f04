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

/* Draw the charts of results folder `dir`. Warnings go to err (each line
 * starting with "carecap: "). Returns 0, or -1 when the folder's files
 * cannot be read or the charts cannot be written (message in err). */
int cch_plot(const char *dir, FILE *err);
/* Run gnuplot on script NAME.gp in folder cd (no shell). 0, 1 when gnuplot
 * is not installed, -1 when it failed. */
int cch_render(const char *cd, const char *name);

#endif
