/* main: the carecap command line. Parses arguments and calls the library;
 * everything else lives in sim/. Exit codes: 0 success, 1 runtime failure,
 * 2 usage error, 3 invalid input, 4 I/O failure. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "serve.h"
#include "seek.h"
#include "sens.h"
#include "ssda903.h"

static const char usage_text[] =
    "Usage: carecap COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  run CONFIG [-r REPS] [-y YEARS] [-s SEED] [-j THREADS] [-o DIR] [--quiet]\n"
    "        simulate REPS replications (default 1000) of YEARS years (default 10)\n"
    "        from the config's start date; write monthly.csv, annual.csv,\n"
    "        manifest.txt and config.cfg into DIR (default output/<config name>)\n"
    "  compare BASELINE SCENARIO... [-r REPS] [-y YEARS] [-s SEED] [-j THREADS] [-o DIR]\n"
    "        run the baseline and each scenario (scenarios/*.cfg) with common\n"
    "        random numbers; write their outputs and comparison.csv (paired\n"
    "        differences) into DIR (default output/compare-<baseline name>)\n"
    "  export-903 CONFIG [-s SEED] [-y YEARS] -o DIR\n"
    "        write one simulated replication's children as SSDA903 episodes.csv and\n"
    "        header.csv (synthetic identifiers) and districts.csv into DIR\n"
    "  calibrate EPISODES.csv HEADER.csv [EPISODES2.csv HEADER2.csv ...] [--districts FILE]\n"
    "            [--from DATE] [--to DATE] [--name NAME] [--baseline CONFIG]\n"
    "            [--entries trend|recent|mean] [--vanished left|kept] -o CONFIG\n"
    "        fit a config to SSDA903 episodes (a pair of files a year, say; FILE maps\n"
    "        HOME_POST to districts) and write CONFIG and CONFIG.fit.csv (estimates,\n"
    "        events, exposure, 95% intervals); --baseline copies that config's supply,\n"
    "        matching and costs, with the start-date children shared out to its providers\n"
    "        (--entries: entry rates from a log-linear trend over the years, the last\n"
    "        12 months, or the window's mean; --vanished: the open episodes of children\n"
    "        missing from every later file leave care then, or stay open)\n"
    "  backtest CONFIG FILE_OR_DIR... --la CODE_OR_NAME [-r REPS] [-y YEARS] [-s SEED] [-j THREADS] [-o DIR]\n"
    "        run the config and set its forecast beside the DfE's published figures\n"
    "        (children looked after CSV files, or folders of them) for the council\n"
    "        (old or new LA code, name, region or England) in every whole April-March\n"
    "        year both cover (-y default: up to the files' last year); write\n"
    "        backtest.csv and the run's files into DIR (default output/backtest-<config\n"
    "        name>) and print the score\n"
    "  plot DIR\n"
    "        draw the charts (DIR/charts/, PNG and SVG, by gnuplot) and DIR/report.html\n"
    "        again from a results folder; run and compare draw them unless --no-charts\n"
    "  serve [--port N] [--listen ADDR] [--token T] [--max-runs N] [--queue N] [--keep-runs N] [-j N]\n"
    "        the browser workbench (docs/workbench.md) on http://127.0.0.1:8017/;\n"
    "        another --listen needs --token (or one is made and printed)\n"    "  check [--resolved] FILE\n"
    "        validate a config or scenario file and report every error; exit 3 if any;\n"
    "        --resolved prints the config with includes expanded and every default filled in\n"
    ;

/* The decision commands (seek, sensitivity), printed after the others. */
static const char usage_decide[] =
    "  seek SCENARIO --vary LEVER.SETTING=FROM:TO[:STEP] --target TARGET... [-r REPS]\n"
    "       [--max-reps N] [--unit-cost GBP] [-y YEARS] [-s SEED] [-j THREADS] [-o DIR]\n"
    "        the first setting of the scenario's lever, going from FROM to TO, that meets\n"
    "        every TARGET, e.g. 'kpi_pct/external_foster <= 40 at 2028-03-31 with p >= 0.8'\n"
    "        or 'mean gap/residential <= 0 over 2027-04-01 to 2028-03-31' (docs/decisions.md);\n"
    "        common random numbers, batches of REPS (default 100) up to N (default 1600)\n"
    "        replications where it is close; write seek.csv and seek.txt into DIR\n"
    "        (default output/seek-<scenario name>); exit 1 when no setting meets them\n"
    "  sensitivity CONFIG --output QUANTITY... [-r REPS] [--sobol N] [--sobol-reps R]\n"
    "       [--sobol-inputs K] [-y YEARS] [-s SEED] [-j THREADS] [-o DIR] [--no-charts]\n"
    "        which of the config's uncertain inputs (uncertainty_of) move each QUANTITY,\n"
    "        e.g. 'spend/total over 2027-04-01 to 2028-03-31': each input alone at the 5th\n"
    "        and 95th percentiles (REPS paired replications, default 100; a tornado chart),\n"
    "        then Sobol indices of the K (default 6) largest from N Saltelli points\n"
    "        (default 32, 0: none) of R replications (default 20); write sensitivity.csv,\n"
    "        sensitivity.txt and charts/tornado.* into DIR (default output/sensitivity-<config>)\n"
      ;

static const char usage_options[] =
    "\n"
    "Options:\n"
    "  -r, --reps N       replications, 1 to 1000000 (default 1000)\n"
    "  -y, --years N      years to simulate, 1 to 100 (default 10)\n"
    "  -s, --seed N       master seed, 0 to 2^64-1 (default 1)\n"
    "  -j, --threads N    worker threads, 1 to 256 (default: the number of cores)\n"
    "  -o, --out DIR      results directory (created if needed)\n"
    "  -q, --quiet        no progress line on stderr and no finishing line on stdout\n"
    "      --no-charts    do not draw charts and report.html after run or compare\n"
    "      --per-rep LIST run: also write per_replication.csv.gz, every replication's\n"
    "                     values of the metrics in LIST (comma-separated names of\n"
    "                     monthly.csv's metrics, or metric/group)\n"
    "      --uncertainty on|off  run, compare, backtest: draw each replication's parameters from\n"
    "                     the config's uncertainty_of (default: the config's uncertainty switch,\n"
    "                     else on when the config carries uncertainty)\n"
    "  -h, --help         this text\n"
    "  -V, --version      program version\n"
    "\n"
    "Exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid config or\n"
    "data, 4 file or directory could not be read or written.\n"
    "\n"
    "With an MPI build, `mpirun -n N carecap run|compare ...` shares the replications\n"
    "among N processes; the output is the same as with -j 1 (docs/cluster.md).\n";

static void print_usage(void)
{
    fputs(usage_text, stdout);
    fputs(usage_decide, stdout);
    fputs(usage_options, stdout);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "carecap: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'carecap --help' for more information.\n");
    return CCA_USAGE;
}

static int parse_u64(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int opt_is(const char *a, const char *s, const char *l)
{
    return strcmp(a, s) == 0 || strcmp(a, l) == 0;
}

static const char *default_dir(const char *prefix, const char *file, char *buf, size_t n)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    snprintf(buf, n, "output/%s%.*s", prefix, (int)len, base);
    return buf;
}

/* seek SCENARIO --vary ... --target ... */
static int seek_command(int argc, char **argv)
{
    enum { MAXT = CSK_MAXTARGET };
    const char *targets[MAXT];
    long ncores = sysconf(_SC_NPROCESSORS_ONLN);
    csk_opts o = {.reps = 100, .max_reps = 1600, .seed = 1, .unit_cost = NAN, .targets = targets,
                  .threads = ncores > 0 ? (int)(ncores > 256 ? 256 : ncores) : 1};
    int have_vary = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long v;
        if (opt_is(a, "-q", "--quiet")) {
            o.quiet = 1;
            continue;
        }
        if (opt_is(a, "-h", "--help")) {
            print_usage();
            return 0;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (o.scenario)
                return usage_error("unexpected argument '%s' (seek takes one scenario file)", a);
            o.scenario = a;
            continue;
        }
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!opt_is(a, "-r", "--reps") && !opt_is(a, "-y", "--years") && !opt_is(a, "-s", "--seed") &&
            !opt_is(a, "-j", "--threads") && !opt_is(a, "-o", "--out") && strcmp(a, "--vary") != 0 &&
            strcmp(a, "--target") != 0 && strcmp(a, "--max-reps") != 0 && strcmp(a, "--unit-cost") != 0)
            return usage_error("unknown option '%s'", a);
        if (!val)
            return usage_error("option '%s' needs a value", a);
        i++;
        if (opt_is(a, "-r", "--reps")) {
            if (parse_u64(val, 1, 1000000, &v) != 0)
                return usage_error("-r: '%s' is not a number of replications (expected 1 to 1000000)", val);
            o.reps = (int)v;
        } else if (strcmp(a, "--max-reps") == 0) {
            if (parse_u64(val, 1, 100000000, &v) != 0)
                return usage_error("--max-reps: '%s' is not a number of replications (expected 1 to 100000000)", val);
            o.max_reps = (int)v;
        } else if (opt_is(a, "-y", "--years")) {
            if (parse_u64(val, 1, 100, &v) != 0)
                return usage_error("-y: '%s' is not a number of years (expected 1 to 100)", val);
            o.years = (int)v;
        } else if (opt_is(a, "-s", "--seed")) {
            if (parse_u64(val, 0, UINT64_MAX, &v) != 0)
                return usage_error("-s: '%s' is not a seed (expected a whole number 0 to 2^64-1)", val);
            o.seed = (uint64_t)v;
        } else if (opt_is(a, "-j", "--threads")) {
            if (parse_u64(val, 1, 256, &v) != 0)
                return usage_error("-j: '%s' is not a number of threads (expected 1 to 256)", val);
            o.threads = (int)v;
        } else if (opt_is(a, "-o", "--out")) {
            o.outdir = val;
        } else if (strcmp(a, "--vary") == 0) {
            char msg[256];
            if (have_vary)
                return usage_error("%s", "seek takes one --vary (several levers at once: see docs/decisions.md)");
            if (csk_parse_vary(val, &o.vary, msg, sizeof msg) != 0)
                return usage_error("--vary: '%s': %s", val, msg);
            have_vary = 1;
        } else if (strcmp(a, "--target") == 0) {
            if (o.ntargets == MAXT)
                return usage_error("more than %d targets", MAXT);
            targets[o.ntargets++] = val;
        } else {
            char *end;
            errno = 0;
            o.unit_cost = strtod(val, &end);
            if (!*val || *end || errno || !isfinite(o.unit_cost) || o.unit_cost < 0)
                return usage_error("--unit-cost: '%s' is not an amount (expected GBP per unit of the setting, 0 or more)",
                                   val);
        }
    }
    if (!o.scenario)
        return usage_error("%s", "seek needs a scenario file");
    if (!have_vary)
        return usage_error("%s", "seek needs --vary LEVER.SETTING=FROM:TO[:STEP]");
    if (o.ntargets == 0)
        return usage_error("%s", "seek needs at least one --target");
    if (o.max_reps < o.reps)
        return usage_error("--max-reps %d is below -r %d (expected at least one batch)", o.max_reps, o.reps);
    char defdir[4096];
    if (!o.outdir)
        o.outdir = default_dir("seek-", o.scenario, defdir, sizeof defdir);
    o.argc = argc;
    o.argv = argv;
    return csk_main(&o, stdout, stderr);
}

/* sensitivity CONFIG --output ... */
static int sensitivity_command(int argc, char **argv)
{
    const char *outputs[CSA_MAXOUT];
    long ncores = sysconf(_SC_NPROCESSORS_ONLN);
    csa_opts o = {.reps = 100, .sobol_n = 32, .sobol_reps = 20, .sobol_inputs = 6, .seed = 1, .outputs = outputs,
                  .threads = ncores > 0 ? (int)(ncores > 256 ? 256 : ncores) : 1};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long v;
        if (opt_is(a, "-q", "--quiet")) {
            o.quiet = 1;
            continue;
        }
        if (strcmp(a, "--no-charts") == 0) {
            o.no_charts = 1;
            continue;
        }
        if (opt_is(a, "-h", "--help")) {
            print_usage();
            return 0;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (o.config)
                return usage_error("unexpected argument '%s' (sensitivity takes one config file)", a);
            o.config = a;
            continue;
        }
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!opt_is(a, "-r", "--reps") && !opt_is(a, "-y", "--years") && !opt_is(a, "-s", "--seed") &&
            !opt_is(a, "-j", "--threads") && !opt_is(a, "-o", "--out") && strcmp(a, "--output") != 0 &&
            strcmp(a, "--sobol") != 0 && strcmp(a, "--sobol-reps") != 0 && strcmp(a, "--sobol-inputs") != 0)
            return usage_error("unknown option '%s'", a);
        if (!val)
            return usage_error("option '%s' needs a value", a);
        i++;
        if (opt_is(a, "-r", "--reps")) {
            if (parse_u64(val, 2, 1000000, &v) != 0)
                return usage_error("-r: '%s' is not a number of replications (expected 2 to 1000000)", val);
            o.reps = (int)v;
        } else if (strcmp(a, "--sobol") == 0) {
            if (parse_u64(val, 0, 100000, &v) != 0)
                return usage_error("--sobol: '%s' is not a number of points (expected 0 to 100000)", val);
            o.sobol_n = (int)v;
        } else if (strcmp(a, "--sobol-reps") == 0) {
            if (parse_u64(val, 1, 1000000, &v) != 0)
                return usage_error("--sobol-reps: '%s' is not a number of replications (expected 1 to 1000000)", val);
            o.sobol_reps = (int)v;
        } else if (strcmp(a, "--sobol-inputs") == 0) {
            if (parse_u64(val, 1, 20, &v) != 0)
                return usage_error("--sobol-inputs: '%s' is not a number of inputs (expected 1 to 20)", val);
            o.sobol_inputs = (int)v;
        } else if (opt_is(a, "-y", "--years")) {
            if (parse_u64(val, 1, 100, &v) != 0)
                return usage_error("-y: '%s' is not a number of years (expected 1 to 100)", val);
            o.years = (int)v;
        } else if (opt_is(a, "-s", "--seed")) {
            if (parse_u64(val, 0, UINT64_MAX, &v) != 0)
                return usage_error("-s: '%s' is not a seed (expected a whole number 0 to 2^64-1)", val);
            o.seed = (uint64_t)v;
        } else if (opt_is(a, "-j", "--threads")) {
            if (parse_u64(val, 1, 256, &v) != 0)
                return usage_error("-j: '%s' is not a number of threads (expected 1 to 256)", val);
            o.threads = (int)v;
        } else if (opt_is(a, "-o", "--out")) {
            o.outdir = val;
        } else {
            if (o.noutputs == CSA_MAXOUT)
                return usage_error("more than %d outputs", CSA_MAXOUT);
            outputs[o.noutputs++] = val;
        }
    }
    if (!o.config)
        return usage_error("%s", "sensitivity needs a config file");
    if (o.noutputs == 0)
        return usage_error("%s", "sensitivity needs at least one --output, e.g. 'spend/total over 2027-04-01 to 2028-03-31'");
    char defdir[4096];
    if (!o.outdir)
        o.outdir = default_dir("sensitivity-", o.config, defdir, sizeof defdir);
    o.argc = argc;
    o.argv = argv;
    return csa_main(&o, stdout, stderr);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "no command given");
    const char *cmd = argv[1];
    if (opt_is(cmd, "-h", "--help") || strcmp(cmd, "help") == 0) {
        print_usage();
        return 0;
    }
    if (opt_is(cmd, "-V", "--version")) {
        printf("carecap %s\n", cca_version());
        return 0;
    }
    if (strcmp(cmd, "check") == 0) {
        if (argc == 4 && strcmp(argv[2], "--resolved") == 0)
            return cca_check_resolved(argv[3], stdout, stderr);
        if (argc != 3)
            return usage_error("%s", "check takes exactly one config file (and --resolved before it)");
        return cca_check(argv[2], stdout, stderr);
    }
    if (strcmp(cmd, "calibrate") == 0) {
        csd_opts co;
        memset(&co, 0, sizeof co);
        const char *pos[2 * CSD_MAXPAIRS];
        int npos = 0;
        for (int i = 2; i < argc; i++) {
            const char *a = argv[i];
            if (a[0] == '-' && a[1] != '\0') {
                const char **dst = opt_is(a, "-o", "--out") ? &co.out
                                   : strcmp(a, "--districts") == 0 ? &co.districts
                                   : strcmp(a, "--from") == 0 ? &co.from
                                   : strcmp(a, "--to") == 0 ? &co.to
                                   : strcmp(a, "--name") == 0 ? &co.name
                                   : strcmp(a, "--baseline") == 0 ? &co.baseline
                                   : strcmp(a, "--vanished") == 0 ? &co.vanished
                                   : strcmp(a, "--entries") == 0 ? &co.entries
                                                              : NULL;
                if (!dst)
                    return usage_error("unknown option '%s'", a);
                if (i + 1 >= argc)
                    return usage_error("option '%s' needs a value", a);
                *dst = argv[++i];
            } else if (npos == 2 * CSD_MAXPAIRS) {
                return usage_error("more than %d pairs of files", CSD_MAXPAIRS);
            } else {
                pos[npos++] = a;
            }
        }
        if (npos < 2 || !co.out)
            return usage_error("%s", "calibrate needs EPISODES.csv HEADER.csv and -o CONFIG");
        if (npos % 2)
            return usage_error("'%s' has no header file (calibrate takes pairs: EPISODES.csv HEADER.csv ...)",
                               pos[npos - 1]);
        for (int k = 0; k < npos / 2; k++) {
            co.episodes[k] = pos[2 * k];
            co.header[k] = pos[2 * k + 1];
        }
        co.npairs = npos / 2;
        return csd_calibrate(&co, stdout, stderr);
    }
    if (strcmp(cmd, "serve") == 0) {
        srv_opts so;
        srv_defaults(&so);
        for (int i = 2; i < argc; i++) {
            const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
            unsigned long long v;
            if (opt_is(a, "-h", "--help")) {
                fputs(usage_text, stdout);
                return 0;
            }
            if (strcmp(a, "--port") != 0 && strcmp(a, "--listen") != 0 && strcmp(a, "--token") != 0 &&
                strcmp(a, "--max-runs") != 0 && strcmp(a, "--queue") != 0 && strcmp(a, "--keep-runs") != 0 &&
                !opt_is(a, "-j", "--threads"))
                return usage_error("unknown option '%s' for serve", a);
            if (!val)
                return usage_error("option '%s' needs a value", a);
            i++;
            if (strcmp(a, "--port") == 0) {
                if (parse_u64(val, 0, 65535, &v) != 0)
                    return usage_error("--port: '%s' is not a port (expected 0 to 65535)", val);
                so.port = (int)v;
            } else if (strcmp(a, "--listen") == 0) {
                so.listen = val;
            } else if (strcmp(a, "--token") == 0) {
                so.token = val;
            } else if (strcmp(a, "--max-runs") == 0) {
                if (parse_u64(val, 1, 64, &v) != 0)
                    return usage_error("--max-runs: '%s' is not a number of runs (expected 1 to 64)", val);
                so.max_runs = (int)v;
            } else if (strcmp(a, "--queue") == 0) {
                if (parse_u64(val, 0, 60, &v) != 0)
                    return usage_error("--queue: '%s' is not a number of runs (expected 0 to 60)", val);
                so.max_queued = (int)v;
            } else if (strcmp(a, "--keep-runs") == 0) {
                if (parse_u64(val, 0, 100000, &v) != 0)
                    return usage_error("--keep-runs: '%s' is not a number of runs (expected 0 to 100000; 0 keeps all)",
                                       val);
                so.keep_runs = (int)v;
            } else {
                if (parse_u64(val, 1, 256, &v) != 0)
                    return usage_error("-j: '%s' is not a number of threads (expected 1 to 256)", val);
                so.threads = (int)v;
            }
        }
        return srv_main(&so, stdout, stderr);
    }
    if (strcmp(cmd, "seek") == 0)
        return seek_command(argc, argv);
    if (strcmp(cmd, "sensitivity") == 0)
        return sensitivity_command(argc, argv);
    if (strcmp(cmd, "plot") == 0) {
        if (argc != 3)
            return usage_error("%s", "plot takes exactly one results folder");
        return cca_plot(argv[2], stdout, stderr);
    }
    int compare = strcmp(cmd, "compare") == 0, export903 = strcmp(cmd, "export-903") == 0;
    int backtest = strcmp(cmd, "backtest") == 0;
    const char *la = NULL;
    if (strcmp(cmd, "run") != 0 && !compare && !export903 && !backtest)
        return usage_error("unknown command '%s'", cmd);
    enum { MAXSCEN = 512 };
    const char *scen[MAXSCEN];

    long ncores = sysconf(_SC_NPROCESSORS_ONLN);
    cca_run_opts o = {.reps = 1000, .years = 10, .threads = ncores > 0 ? (int)(ncores > 256 ? 256 : ncores) : 1,
                      .seed = 1, .scenarios = scen};
    if (backtest)
        o.years = 0; /* up to the published figures' last year */
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long v;
        if (opt_is(a, "-q", "--quiet")) {
            quiet = 1;
            continue;
        }
        if (strcmp(a, "--no-charts") == 0) {
            o.no_charts = 1;
            continue;
        }
        if (opt_is(a, "-h", "--help")) {
            print_usage();
            return 0;
        }
        if (a[0] == '-' && a[1] != '\0') {
            if (!opt_is(a, "-r", "--reps") && !opt_is(a, "-y", "--years") && !opt_is(a, "-s", "--seed") &&
                !opt_is(a, "-j", "--threads") && !opt_is(a, "-o", "--out") && !(backtest && strcmp(a, "--la") == 0) &&
                !(!compare && !export903 && !backtest && strcmp(a, "--per-rep") == 0) &&
                strcmp(a, "--uncertainty") != 0)
                return usage_error("unknown option '%s'", a);
            const char *val = i + 1 < argc ? argv[i + 1] : NULL;
            if (!val)
                return usage_error("option '%s' needs a value", a);
            i++;
            if (opt_is(a, "-r", "--reps")) {
                if (parse_u64(val, 1, 1000000, &v) != 0)
                    return usage_error("-r: '%s' is not a number of replications (expected 1 to 1000000)", val);
                o.reps = (int)v;
            } else if (opt_is(a, "-y", "--years")) {
                if (parse_u64(val, 1, 100, &v) != 0)
                    return usage_error("-y: '%s' is not a number of years (expected 1 to 100)", val);
                o.years = (int)v;
            } else if (opt_is(a, "-s", "--seed")) {
                if (parse_u64(val, 0, UINT64_MAX, &v) != 0)
                    return usage_error("-s: '%s' is not a seed (expected a whole number 0 to 2^64-1)", val);
                o.seed = (uint64_t)v;
            } else if (opt_is(a, "-j", "--threads")) {
                if (parse_u64(val, 1, 256, &v) != 0)
                    return usage_error("-j: '%s' is not a number of threads (expected 1 to 256)", val);
                o.threads = (int)v;
            } else if (opt_is(a, "-o", "--out")) {
                o.outdir = val;
            } else if (strcmp(a, "--la") == 0) {
                la = val;
            } else if (strcmp(a, "--per-rep") == 0) {
                if (!*val)
                    return usage_error("%s", "--per-rep needs a comma-separated list of metrics");
                o.per_rep = val;
            } else if (strcmp(a, "--uncertainty") == 0) {
                if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
                    return usage_error("--uncertainty: '%s' is not a switch (expected on or off)", val);
                o.uncertainty = strcmp(val, "on") == 0 ? CCA_UNC_ON : CCA_UNC_OFF;
            } else {
                i--;
                return usage_error("unknown option '%s'", a);
            }
            continue;
        }
        if (o.config && !compare && !backtest)
            return usage_error("unexpected argument '%s' (run takes one config file)", a);
        if (o.config && o.nscenarios == MAXSCEN)
            return usage_error("more than %d %s", MAXSCEN, backtest ? "published files or folders" : "scenarios");
        if (o.config)
            scen[o.nscenarios++] = a;
        else
            o.config = a;
    }
    if (!o.config)
        return usage_error("%s needs a config file", cmd);
    if (compare && o.nscenarios == 0)
        return usage_error("%s", "compare needs a baseline config and at least one scenario file");
    if (backtest && o.nscenarios == 0)
        return usage_error("%s", "backtest needs a config and at least one published file or folder");
    if (backtest && (!la || !*la))
        return usage_error("%s", "backtest needs --la CODE_OR_NAME (the council, region or England)");
    char defdir[4096];
    if (!o.outdir) {
        const char *base = strrchr(o.config, '/');
        base = base ? base + 1 : o.config;
        size_t n = strlen(base);
        if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
            n -= 4;
        snprintf(defdir, sizeof defdir, "output/%s%.*s",
                 compare ? "compare-" : export903 ? "ssda903-" : backtest ? "backtest-" : "",
                 (int)n, base);
        o.outdir = defdir;
    }
    char cmdline[4096];
    size_t len = 0;
    cmdline[0] = '\0';
    for (int i = 0; i < argc && len < sizeof cmdline - 1; i++) {
        int w = snprintf(cmdline + len, sizeof cmdline - len, "%s%s", i ? " " : "", argv[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    o.command_line = cmdline;
    o.argc = argc;
    o.argv = argv;
    o.progress = !quiet && isatty(2);
    o.quiet = quiet;
    if (export903)
        return cca_export903(&o, stdout, stderr);
    if (backtest)
        return cca_backtest(&o, la, stdout, stderr);
    return compare ? cca_compare(&o, stdout, stderr) : cca_run(&o, stdout, stderr);
}
