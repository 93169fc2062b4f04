/* regionapp: the commands of the carecap program for a region file
 * (region.h): check, run, compare (a region and region scenarios) and plot.
 * app.c hands a region file or a region's results folder to these. */
#ifndef REGIONAPP_H
#define REGIONAPP_H

#include <stdio.h>

#include "app.h"
#include "region.h"

/* The council column's value for the region's totals and markets. */
extern const char ccra_region_key[];

int ccra_check(const char *path, FILE *out, FILE *err);
/* run (o->nscenarios 0) or compare (region scenarios of o->config). */
int ccra_run(const cca_run_opts *o, FILE *out, FILE *err);
/* Write every file of a region run (region g's result r, and ns region
 * scenarios sg with results sc) into folder sd, as run and compare write
 * them (o: the seed, the command line for manifest.txt, outdir for
 * messages, no_charts). 0, or -1 with messages in err. */
int ccra_write(const char *sd, const cca_run_opts *o, const ccrg_region *g, const ccrg_result *r,
               const ccrg_result *const *sc, const ccrg_region *const *sg, int ns, FILE *err);
/* Is dir a region's results folder (it has councils/)? */
int ccra_is_results(const char *dir);
/* Draw the charts of the region and of every council again. */
int ccra_plot(const char *dir, FILE *out, FILE *err);

#endif
