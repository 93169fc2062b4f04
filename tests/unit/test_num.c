/* test_num: cco_num (the CSV number format) writes exactly what "%.4f" with
 * trailing zeros stripped writes, for whole numbers, random reals of every
 * magnitude, values next to a rounding half-way point, and negatives. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "output.h"

/* The reference: the format cco_num documents, by snprintf alone. */
static void reference(double v, char *buf)
{
    snprintf(buf, 64, "%.4f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
}

static int bad;

static void agree(double v)
{
    char a[64], b[64];
    cco_num(v, a);
    reference(v, b);
    if (strcmp(a, b) != 0 && bad++ < 10)
        CHECK(0, "%.17g: cco_num \"%s\", %%.4f \"%s\"", v, a, b);
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 14);
    for (long i = -20000; i <= 20000; i++)
        agree((double)i);
    double special[] = {0.0, -0.0, 0.5, -0.5, 0.00005, -0.00005, 0.00004999, -0.00006, 0.12345, 1.00005,
                        2.5e-5, 1e9, -1e9, 999999999.99995, 1e15, 1e300, -3.25, 0.0625, 1e-300, NAN, INFINITY};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        agree(special[i]);
    for (int i = 0; i < 500000; i++) {
        double mag = pow(10, gsl_rng_uniform(r) * 14 - 5); /* 1e-5 .. 1e9 */
        double v = (gsl_rng_uniform(r) - 0.5) * 2 * mag;
        agree(v);
        /* next to a half-way point of the fourth decimal */
        double h = (floor(v * 1e4) + 0.5) / 1e4;
        agree(h);
        agree(nextafter(h, INFINITY));
        agree(nextafter(h, -INFINITY));
        /* means of counts: k / n */
        agree((double)gsl_rng_uniform_int(r, 100000) / (double)(1 + gsl_rng_uniform_int(r, 10000)));
    }
    CHECK(bad == 0, "%d values formatted differently", bad);
    gsl_rng_free(r);
    return check_done("test_num");
}
