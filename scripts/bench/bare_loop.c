/* bare_loop: the reference cost of a discrete-event loop with nothing in it.
 *
 * A binary min-heap holds N pending events, each a (time, id) pair. The loop
 * pops the earliest event, draws its successor's time t + Exp(mean) from a
 * GSL generator and pushes it back (the "hold" model), M times; it prints the
 * wall-clock cost per event. The pop and the push are separate heap
 * operations, as in a simulator that handles an event before it schedules
 * the next one.
 *
 * Usage: bare_loop N [M] [taus2|mt19937] [seed]
 *   N      events pending (the heap size), >= 1
 *   M      events to time (default 10000000); N events are run first, untimed
 *   rng    GSL generator (default taus2, as carecap uses)
 *   seed   generator seed (default 1)
 *
 * Output (one line): rng=... pending=N events=M seconds=S ns_per_event=X checksum=C
 * Build: cc -std=c11 -O2 bare_loop.c $(pkg-config --cflags --libs gsl) -o bare_loop
 */
#define _POSIX_C_SOURCE 199309L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

typedef struct {
    double t;
    uint32_t id;
} event;

typedef struct {
    event *a;
    size_t n;
} heap;

static void heap_push(heap *h, event e)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->a[parent].t <= e.t)
            break;
        h->a[i] = h->a[parent];
        i = parent;
    }
    h->a[i] = e;
}

/* Requires h->n > 0. */
static event heap_pop(heap *h)
{
    event top = h->a[0];
    event last = h->a[--h->n];
    size_t n = h->n, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h->a[c + 1].t < h->a[c].t)
            c++;
        if (last.t <= h->a[c].t)
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (n > 0)
        h->a[i] = last;
    return top;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A whole decimal number >= lo into *out; returns 0, or -1 if s is not one. */
static int parse_u64(const char *s, unsigned long long lo, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo)
        return -1;
    *out = v;
    return 0;
}

/* Run m events; returns a checksum so the work cannot be optimised away. */
static double run(heap *h, gsl_rng *r, double mean, unsigned long long m)
{
    double sum = 0;
    for (unsigned long long k = 0; k < m; k++) {
        event e = heap_pop(h);
        sum += e.t;
        e.t += gsl_ran_exponential(r, mean);
        heap_push(h, e);
    }
    return sum;
}

int main(int argc, char **argv)
{
    unsigned long long n, m = 10000000ULL, seed = 1;
    if (argc < 2 || argc > 5 || parse_u64(argv[1], 1, &n) != 0 || n > UINT32_MAX ||
        (argc > 2 && parse_u64(argv[2], 1, &m) != 0) || (argc > 4 && parse_u64(argv[4], 0, &seed) != 0)) {
        fprintf(stderr, "usage: bare_loop N [M] [taus2|mt19937] [seed]\n");
        return 2;
    }
    const char *rname = argc > 3 ? argv[3] : "taus2";
    const gsl_rng_type *type;
    if (strcmp(rname, "taus2") == 0)
        type = gsl_rng_taus2;
    else if (strcmp(rname, "mt19937") == 0)
        type = gsl_rng_mt19937;
    else {
        fprintf(stderr, "bare_loop: unknown generator '%s' (taus2 or mt19937)\n", rname);
        return 2;
    }

    gsl_rng *r = gsl_rng_alloc(type);
    heap h = {malloc((size_t)n * sizeof(event)), 0};
    if (!r || !h.a) {
        fprintf(stderr, "bare_loop: out of memory\n");
        return 1;
    }
    gsl_rng_set(r, (unsigned long)seed);

    /* Mean gap N time units: one event per unit of time on average, so the
     * pending times keep the same spread whatever N is. */
    double mean = (double)n;
    for (uint32_t id = 0; id < n; id++)
        heap_push(&h, (event){gsl_ran_exponential(r, mean), id});

    double check = run(&h, r, mean, n); /* warm-up: caches, branch history */
    double t0 = now();
    check += run(&h, r, mean, m);
    double secs = now() - t0;

    printf("rng=%s pending=%llu events=%llu seconds=%.4f ns_per_event=%.2f checksum=%.6g\n", rname, n, m, secs,
           secs * 1e9 / (double)m, check);
    free(h.a);
    gsl_rng_free(r);
    return 0;
}
