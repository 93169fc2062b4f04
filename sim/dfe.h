/* dfe: the Department for Education's published "children looked after"
 * figures, read straight from the CSV files a council downloads (Explore
 * Education Statistics layout: time_period, time_identifier,
 * geographic_level, country_code, country_name, region_code, region_name,
 * old_la_code, la_name, new_la_code, breakdown columns..., number, ...).
 *
 * cdf_load reads any number of files and folders, keeps the rows of one
 * council (or region, or England) and returns a set of measures by year
 * ending 31 March, each a number, suppressed (published as c, z, x, k, low,
 * u or any other text: missing, never zero) or absent (not in the files).
 * Where two files give the same measure and year, the newer release wins
 * (see cdf_load). Messages name the file, line and column and never repeat
 * a cell's value. */
#ifndef DFE_H
#define DFE_H

#include <stddef.h>

#include "diag.h"

/* The measures, by the DfE's own definitions (docs/backtest.md). */
typedef enum {
    CDF_IN_CARE,        /* children looked after at 31 March */
    CDF_STARTS,         /* children who started to be looked after in the year */
    CDF_STARTS_U1,      /* ... aged under 1 on starting */
    CDF_STARTS_1_4,
    CDF_STARTS_5_9,
    CDF_STARTS_10_15,
    CDF_STARTS_16,      /* ... aged 16 and over */
    CDF_CEASED,         /* children who ceased to be looked after in the year */
    CDF_CEASED_HOME,    /* ... returned home to parents (planned or not) */
    CDF_CEASED_ADOPTED,
    CDF_CEASED_SGO,
    CDF_CEASED_CAO,     /* residence or child arrangements order */
    CDF_CEASED_18,      /* ... aged 18 or over on ceasing */
    CDF_CEASED_OTHER,   /* the rest: ceased - the five above */
    CDF_STAYPUT_PCT,    /* % of eligible foster leavers aged 18 living with former carers */
    CDF_PL3,            /* looked after at 31 March with 3+ placements in the year */
    CDF_OUTSIDE,        /* looked after at 31 March, placed outside the council's boundary */
    CDF_PL_CHANGES,     /* placement changes in the year */
    CDF_SHORT_TERM,     /* looked after only under a series of short-term placements */
    CDF_NMEASURE
} cdf_measure;

/* Measure names (backtest.csv's measure column) and one-line labels. */
extern const char *const cdf_measure_name[CDF_NMEASURE];
extern const char *const cdf_measure_label[CDF_NMEASURE];
/* 1 for a stock counted at 31 March, 0 for a count over the year, 2 for a
 * percentage. */
extern const int cdf_measure_kind[CDF_NMEASURE];

/* What the files say about a measure in a year. */
enum { CDF_ABSENT = 0, CDF_SUPPRESSED = 1, CDF_PUBLISHED = 2 };
/* Result codes of cdf_load. */
enum { CDF_OK = 0, CDF_EINVAL = 1, CDF_EIO = 2, CDF_ENOMEM = 3, CDF_ENOLA = 4 };

/* Limits on what is read (documented in docs/backtest.md). */
#define CDF_MAX_BYTES (256L * 1024 * 1024) /* one file */
#define CDF_MAX_FILES 4096                 /* files read in all */
#define CDF_MAX_DEPTH 8                    /* folders inside folders */
#define CDF_YEAR0 1990                     /* years ending 31 March CDF_YEAR0..CDF_YEAR1 */
#define CDF_YEAR1 2100

typedef struct cdf_set cdf_set;

/* Read the files and folders paths[0..n-1] (a folder: every regular file
 * in it and its subfolders, in name order) and keep the rows of council
 * `la`: an old_la_code or new_la_code, a council name (case-insensitive),
 * a region's code or name, or "England" (the national rows).
 *
 * Newer release: of two files with a figure for the same measure and year,
 * the one whose latest time_period is later wins; if equal, the one whose
 * earliest time_period is later (DfE files cover a window of years that
 * moves forward each release); if equal, a totals table before a breakdown
 * table (cla_number_and_rate before the rest); if still equal, the file read
 * later (later on the command line, or later in name order in a folder).
 * A suppressed cell in the newer release wins over a number in an older one.
 *
 * A file named on the command line that is not a DfE table is an error; in
 * a folder, such files are listed in a note (notes) and DfE tables that
 * hold none of the measures are passed over quietly. Errors go to errs,
 * notes to notes (both may hold messages whatever the result).
 * Returns CDF_OK and *out (free with cdf_free), or an error code:
 * CDF_EINVAL a file's content, CDF_EIO a file or folder could not be read,
 * CDF_ENOMEM, CDF_ENOLA no row of the files is that council's. */
int cdf_load(const char *const *paths, int n, const char *la, cc_diag *errs, cc_diag *notes, cdf_set **out);
void cdf_free(cdf_set *d);

/* CDF_ABSENT, CDF_SUPPRESSED or CDF_PUBLISHED; *value is set when published. */
int cdf_get(const cdf_set *d, cdf_measure m, int year, double *value);
/* The first and last years (ending 31 March) with any measure; 0 if none. */
int cdf_years(const cdf_set *d, int *first, int *last);
/* Number of files whose rows were used. */
int cdf_nfiles_used(const cdf_set *d);

#endif
