/* check.h: a minimal test harness. CHECK records a failure and goes on;
 * check_done() prints "N passed, N failed" and returns the exit status. */
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdio.h>

static int check_pass, check_fail;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) {                                                       \
            check_pass++;                                                 \
        } else {                                                          \
            check_fail++;                                                 \
            fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                 \
            fputc('\n', stderr);                                          \
        }                                                                 \
    } while (0)

#define CHECK_NEAR(a, b, tol, what)                                                         \
    CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%s: %.10g vs %.10g (tolerance %g)", what, \
          (double)(a), (double)(b), (double)(tol))

static inline int check_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_pass, check_fail);
    return check_fail ? 1 : 0;
}

#endif
