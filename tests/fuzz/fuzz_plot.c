/* fuzz_plot: the results-folder reader of `carecap plot` and what it makes
 * from the rows: chart data files, gnuplot scripts and report.html.
 *
 * One input holds the folder's files, separated by a line "%%":
 *   monthly.csv [%% annual.csv [%% comparison.csv [%% manifest.txt]]]
 * A file whose part is missing is absent from the folder. The charts are
 * made as when gnuplot is not installed, and fast: fork and waitpid below
 * stand in for libc's, so charts.c's render() sees a child that exits 127
 * (exec failed: no gnuplot) without a process being made. Should
 * render() ever start gnuplot another way, PATH points at an empty folder,
 * so the result is the same, only slower. The folder is emptied after each
 * input. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "charts.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char results[4200];

enum { FAKE_CHILD = 0x3fffffff };

pid_t fork(void) { return FAKE_CHILD; }

pid_t waitpid(pid_t pid, int *status, int options)
{
    if (pid == FAKE_CHILD) {
        if (status)
            *status = 127 << 8; /* exited 127: the exec found no gnuplot */
        return pid;
    }
    return (pid_t)syscall(SYS_wait4, pid, status, options, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char bin[4200];
    snprintf(bin, sizeof bin, "%s/no-gnuplot", fz_dir());
    snprintf(results, sizeof results, "%s/results", fz_dir());
    if (mkdir(bin, 0777) != 0 || setenv("PATH", bin, 1) != 0) {
        perror("carecap fuzz: PATH");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"results/monthly.csv", "results/annual.csv", "results/comparison.csv",
                                        "results/manifest.txt"};
    size_t off[4], len[4];
    int n = fz_split(data, size, "\n%%\n", 4, 4, off, len);
    if (mkdir(results, 0777) != 0) {
        perror("carecap fuzz: mkdir");
        abort();
    }
    for (int i = 0; i < n; i++)
        fz_write(names[i], data + off[i], len[i]);
    cch_plot(results, fz_null());
    /* empty the temporary folder and make the (empty) PATH folder again */
    fz_clear();
    char bin[4200];
    snprintf(bin, sizeof bin, "%s/no-gnuplot", fz_dir());
    if (mkdir(bin, 0777) != 0)
        abort();
    return 0;
}
