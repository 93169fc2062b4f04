/* backtest: a run's forecast set beside the DfE's published figures, year by
 * year (April-March years ending 31 March), measure by measure, by the DfE's
 * definitions (docs/backtest.md): the table of backtest.csv, its one-line
 * score, the charts of each measure's fan with the published points on it,
 * and the back-test section of report.html. Only whole April-March years
 * inside the run are compared; a year the files lack is not invented and a
 * measure the model cannot produce is listed with empty model columns. */
#ifndef BACKTEST_H
#define BACKTEST_H

#include <stdio.h>

#include "dfe.h"
#include "diag.h"
#include "experiment.h"
#include "summary.h"

/* Header line of backtest.csv (documented schema). */
extern const char cbt_csv_header[];

typedef struct {
    cdf_measure m;
    int year;        /* ending 31 March */
    int actual_st;   /* CDF_SUPPRESSED or CDF_PUBLISHED */
    double actual;
    int modelled;    /* the model produces this measure */
    ccy_stats st;    /* across replications, when modelled */
} cbt_row;

typedef struct {
    cbt_row *row;
    int n;
    int compared, inside;   /* rows with both figures; of them inside the 5th-95th percentiles */
    double mape;            /* mean absolute % error over compared rows with actual != 0 */
    int nmape;
    int first, last;        /* the whole years of the run (0 if none) */
} cbt_table;

/* Set run r (made with cce_opts.dfe = 1) beside the figures d. Notes (years
 * partly inside the run, measures the model cannot produce or the files
 * lack) go to notes. Returns 0 and *out (free with cbt_free), -1 when memory
 * ran out, 1 when no whole April-March year of the run has a published
 * figure (a message in notes says which years each side has). */
int cbt_compute(const cce_result *r, const cdf_set *d, cc_diag *notes, cbt_table **out);
void cbt_free(cbt_table *t);

/* Write backtest.csv's rows (with the header line). 0, or -1 on a write error. */
int cbt_write_csv(FILE *f, const cbt_table *t);
/* The one-line score ("N of M measure-years inside the 90% band (P%); mean
 * absolute error E%") into buf (at least 256 bytes). */
void cbt_score(const cbt_table *t, char *buf, size_t n);

/* "year to 31 March Y" or "years to 31 March Y0-Y1": the years compared. */
void cbt_years(const cbt_table *t, char *buf, size_t n);

/* Charts of results folder dir's backtest.csv into folder cd (data, gnuplot
 * script, PNG and SVG when draw is set). Returns the number of charts, 0
 * when the folder has no backtest.csv, -1 when the files cannot be written. */
int cbt_charts(const char *dir, const char *cd, int draw, FILE *err);
/* The back-test section of report.html (nothing without backtest.csv). */
void cbt_report(FILE *f, const char *dir, const char *cd, int rendered);

#endif
