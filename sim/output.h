/* output: the files of a run: monthly.csv and annual.csv (tidy long format,
 * statistics across replications), comparison.csv, manifest.txt and a copy
 * of the resolved config. A run's results folder is built in a temporary
 * folder beside it and switched in whole (cco_stage), so an interrupted or
 * failed run never leaves a half-written or mixed folder; cco_batch (files
 * renamed into an existing folder one by one) serves export-903. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>

#include "experiment.h"
#include "summary.h"

/* Header line of monthly.csv and annual.csv (documented schema). */
extern const char cco_csv_header[];

/* Create directory `path` and its parents (like mkdir -p). 0 or -1 (errno). */
int cco_mkdirs(const char *path);

/* A set of files being written into one directory. */
typedef struct cco_batch cco_batch;
cco_batch *cco_batch_new(const char *dir);
/* Start file `name` in the batch; returns the stream to write, or NULL. */
FILE *cco_batch_add(cco_batch *b, const char *name);
/* Close and rename every file into place. 0, or -1 with message in err
 * (at least 512 bytes); on failure no temporary file is left behind. */
int cco_batch_commit(cco_batch *b, char *err);
/* Remove every temporary file and free the batch. */
void cco_batch_abort(cco_batch *b);

/* Format a statistic for CSV: fixed point, at most 4 decimals, no trailing
 * zeros ("953", "12.5", "0.0625"). buf holds at least 64 bytes. */
void cco_num(double v, char *buf);
/* Write one CSV field, quoted if it holds a comma, quote or newline. */
void cco_field(FILE *f, const char *s);

/* Rows of monthly.csv: every series at every snapshot date. 0, or -1 when
 * memory ran out. */
int cco_write_monthly(FILE *f, const cce_result *r, int header);
/* Rows of annual.csv: every flow series summed over each year from the start. */
int cco_write_annual(FILE *f, const cce_result *r, int header);

/* Header line of comparison.csv. */
extern const char cco_cmp_header[];
/* (comparison.csv's rows, the paired differences, are written by pairs.h
 * from its accumulators.) */
/* Which way is better for a metric/group: -1 lower, +1 higher, 0 neither. */
int cco_better(const char *metric, const char *group);

/* Statistics of the money flows by financial year (April-March). */
typedef struct {
    int fy0, nfy;       /* first financial year (the year it starts in), count */
    int *months;        /* months of each year the run covers */
    ccy_stats *st;      /* [series * nfy + year], for CCX_MONEY series */
    ccy_stats *unit;    /* [type * nfy + year]: spend per child-week by placement type */
} cco_fy;
/* NULL when the run has no money series or memory ran out. */
cco_fy *cco_fy_summary(const cce_result *r);
void cco_fy_free(cco_fy *fy);
/* Day number of the last day (31 March) of year y of fy. */
int32_t cco_fy_end(const cco_fy *fy, int y);

/* Start file `name` in the batch for a library that writes by path: returns
 * the temporary path to write (renamed on commit), or NULL. */
const char *cco_batch_add_path(cco_batch *b, const char *name);

/* ---- results folders: built aside, switched in whole ----
 * A run's outputs are written into a fresh temporary folder beside the
 * results folder (PARENT/.NAME.carecap-XXXXXX, mode 0700, every file created
 * new with O_EXCL|O_NOFOLLOW, so nothing is written through a symbolic
 * link), then switched in one step: rename(2) when the folder is new,
 * renameat2(RENAME_EXCHANGE) when it exists (with a fallback of two
 * renames), and the old folder removed without following links. The results
 * folder must be new, empty, or hold only carecap's own result files
 * (cco_result_name): carecap never deletes a file it did not write. */
typedef struct cco_stage cco_stage;
/* Start replacing results folder `dir` (created with its parents at the
 * switch). NULL with a message in err (at least 512 bytes) when dir is not
 * a folder, holds other files, or the temporary folder cannot be made. */
cco_stage *cco_stage_new(const char *dir, char *err);
/* The temporary folder, where the outputs are written. */
const char *cco_stage_dir(const cco_stage *s);
/* The results folder as it will be after the switch (resolved path). */
const char *cco_stage_final(const cco_stage *s);
/* Switch the temporary folder in. 0, or -1 with a message in err: on
 * failure the previous results are left as they were and the temporary
 * folder removed. Frees s in both cases. */
int cco_stage_commit(cco_stage *s, char *err);
/* Remove the temporary folder and free s (NULL: nothing). */
void cco_stage_abort(cco_stage *s);
/* Can results go into dir: a temporary folder is made beside it and removed
 * at once (nothing is left). 0, or -1 with a message in msg (as
 * cco_stage_new). */
int cco_check_outdir(const char *dir, char *msg);
/* Do paths a and b name the same file (same device and inode)? */
int cco_same_file(const char *a, const char *b);
/* Is `name` one of the entries carecap writes into a results folder? */
int cco_result_name(const char *name);
/* Copy the regular file dir/name into folder `to` (created new). 0, 1 when
 * dir/name does not exist, -1 (errno) when it is not a regular file, is
 * larger than CCO_MAX_INPUT bytes, or cannot be read or written. */
int cco_copy_file(const char *dir, const char *name, const char *to);
/* Open dir/name for reading: a regular file of at most CCO_MAX_INPUT bytes,
 * not through a symbolic link. NULL with errno (EFBIG: too large, EINVAL:
 * not a regular file, ELOOP: a symbolic link). */
FILE *cco_open_input(const char *path);
#define CCO_MAX_INPUT (1024L * 1024 * 1024)
/* Create the new file dir/name for writing (O_CREAT|O_EXCL|O_NOFOLLOW,
 * fully buffered). NULL with errno. */
FILE *cco_create(const char *dir, const char *name);
/* Close a file written with cco_create: 0, or -1 (errno) when any write or
 * the close failed. The test hook CARECAP_TEST_FAIL_WRITE=NAME makes the
 * close of every file called NAME fail with EIO. */
int cco_close(FILE *f, const char *name);
/* Remove folder dir/name and everything in it, never following a link. */
int cco_remove_tree(int dirfd, const char *name);

/* SIGINT, SIGTERM and SIGHUP while outputs are written: the handler only
 * records the signal in a volatile sig_atomic_t (the one piece of global
 * mutable state in carecap); the writers poll cco_interrupted(), remove
 * their temporary folder and return non-zero. A signal that was ignored
 * when carecap started (a background job's SIGINT, nohup's SIGHUP) stays
 * ignored. The caller keeps what was changed in a cco_sigsave (zeroed). */
typedef struct {
    int caught;             /* cco_signals_catch was called */
    unsigned char ign[3];   /* SIGINT, SIGTERM, SIGHUP were ignored */
} cco_sigsave;
void cco_signals_catch(cco_sigsave *sv);
/* Restore the default action of the signals caught (none if sv->caught is 0). */
void cco_signals_default(cco_sigsave *sv);
/* The signal caught since cco_signals_catch, or 0. */
int cco_interrupted(void);
/* Write s for a line-based file so that it reads back unchanged in a POSIX
 * shell (bash for control characters): as is when it holds only
 * [A-Za-z0-9_./:@%+=,-], else in single quotes, or as $'...' with \n, \t,
 * \\, \' and \xHH escapes when it holds a control character. */
void cco_shell_quote(FILE *f, const char *s);

#endif
