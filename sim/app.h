/* app: the commands of the carecap program (run, check), as library calls
 * that return the program's exit code, so main.c only parses arguments and
 * the tests can call the same code. */
#ifndef APP_H
#define APP_H

#include <stdint.h>
#include <stdio.h>

enum { CCA_OK = 0, CCA_RUNTIME = 1, CCA_USAGE = 2, CCA_INVALID = 3, CCA_IO = 4 };

typedef struct {
    const char *config; /* baseline config file */
    const char *outdir; /* results directory (created) */
    int reps, years, threads;
    uint64_t seed;
    int progress;       /* show a progress line on err */
    const char *command_line; /* recorded in the manifest (when argv is NULL) */
    const char *const *scenarios; /* compare: scenario files (run: none) */
    int nscenarios;
    int no_charts;      /* do not draw charts and report.html after the run */
    int quiet;          /* no finishing line on out */
    int argc;           /* the command's arguments (NULL: command_line), */
    char *const *argv;  /* recorded in the manifest shell-quoted */
    const char *per_rep; /* run: metrics for per_replication.csv.gz (perrep.h), or NULL */
    int uncertainty;    /* --uncertainty: CCA_UNC_CONFIG (0: as the config says), CCA_UNC_ON, CCA_UNC_OFF */
} cca_run_opts;

/* The values of cca_run_opts.uncertainty (the same as experiment.h's CCE_UNC_*). */
enum { CCA_UNC_CONFIG = 0, CCA_UNC_ON = 1, CCA_UNC_OFF = 2 };

/* The end of loading a config: print the messages collected in d (NULL:
 * out of memory), then a count line when the load failed (rc, params.h's
 * CCP_*), and free d. Returns the exit code. */
typedef struct cc_diag cc_diag;
int cca_loaded(const char *path, cc_diag *d, int rc, FILE *err);

/* End a staged write (output.h's cco_stage): switch the temporary folder in,
 * or remove it after a failure (failed != 0) or a signal, saying "nothing
 * was written to DIR". Returns the exit code: rc when the write succeeded
 * or rc already says what failed, CCA_IO or CCA_RUNTIME otherwise. */
typedef struct cco_stage cco_stage;
int cca_finish(cco_stage *st, int failed, int rc, const char *dir, FILE *err);

/* Validate the config, run the experiment, write the results. Messages go
 * to err, each line starting with "carecap: ". Returns an exit code. */
int cca_run(const cca_run_opts *o, FILE *out, FILE *err);
/* Run the baseline and every scenario with common random numbers; write
 * their outputs (the scenario column tells them apart) and comparison.csv. */
int cca_compare(const cca_run_opts *o, FILE *out, FILE *err);
/* Validate a config or scenario file only; prints "FILE: ok" to out or
 * every error to err. */
int cca_check(const char *config, FILE *out, FILE *err);
/* check --resolved: validate a config and print it to out with includes
 * expanded and every default written out (a valid config that runs the same). */
int cca_check_resolved(const char *config, FILE *out, FILE *err);
const char *cca_version(void);
/* Write one replication's children as SSDA903 files (synthetic data):
 * episodes.csv, header.csv and districts.csv (HOME_POST to district). */
int cca_export903(const cca_run_opts *o, FILE *out, FILE *err);
/* backtest: run the config (o->years 0: up to the files' last year) and set
 * its forecast beside the DfE's published figures in files[0..nfiles-1]
 * (files or folders) for council la; writes backtest.csv, backtest.txt,
 * monthly.csv, annual.csv, config.cfg and manifest.txt into o->outdir, the
 * charts and report.html unless o->no_charts, and the score line to out. */
int cca_backtest(const cca_run_opts *o, const char *la, FILE *out, FILE *err);
/* Draw the charts and report.html of results folder `dir` again. */
int cca_plot(const char *dir, FILE *out, FILE *err);

#endif
