/* ranks: MPI when built with it and launched by mpirun; else one rank. */
#include "ranks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef CARECAP_MPI
#include <mpi.h>

/* launched by an MPI launcher? (Open MPI, PMIx, PMI: mpirun, srun) */
static int launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK") || getenv("PMI_SIZE");
}

static int joined(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

int ccrk_start(char *err)
{
    if (!launched() || joined())
        return 0;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, 256, "MPI could not start");
        return -1;
    }
    return 0;
}

void ccrk_stop(void)
{
    if (joined())
        MPI_Finalize();
}

int ccrk_rank(void)
{
    int r = 0;
    if (joined())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int ccrk_size(void)
{
    int n = 1;
    if (joined())
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int ccrk_all(int ok)
{
    if (!joined())
        return ok != 0;
    int in = ok != 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return out;
}

enum { PIECE = 1 << 30 }; /* MPI counts are int: send in pieces */

int ccrk_send0(const void *buf, size_t len)
{
    uint64_t n = len;
    if (MPI_Send(&n, 1, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD) != MPI_SUCCESS)
        return -1;
    for (size_t o = 0; o < len; o += PIECE) {
        size_t m = len - o < PIECE ? len - o : PIECE;
        if (MPI_Send((const unsigned char *)buf + o, (int)m, MPI_BYTE, 0, 2, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

int ccrk_recv(int from, unsigned char **buf, size_t *len)
{
    uint64_t n = 0;
    *buf = NULL;
    if (MPI_Recv(&n, 1, MPI_UINT64_T, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return -1;
    unsigned char *b = malloc(n ? (size_t)n : 1);
    if (!b)
        return -1; /* the sender then blocks: the caller aborts */
    for (size_t o = 0; o < n; o += PIECE) {
        size_t m = n - o < PIECE ? n - o : PIECE;
        if (MPI_Recv(b + o, (int)m, MPI_BYTE, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
            free(b);
            return -1;
        }
    }
    *buf = b;
    *len = (size_t)n;
    return 0;
}

void ccrk_abort(int code)
{
    if (joined())
        MPI_Abort(MPI_COMM_WORLD, code);
}

const char *ccrk_build(void) { return "Open MPI"; }

#else

/* Started by mpirun with more than one process, but built without MPI:
 * every process would run everything and write the same folder. */
int ccrk_start(char *err)
{
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n)
        n = getenv("PMI_SIZE");
    if (n && strtol(n, NULL, 10) > 1) {
        snprintf(err, 256, "this carecap was built without MPI, so it cannot share a run among %ld processes "
                           "(build it with Open MPI present, or run it without mpirun)",
                 strtol(n, NULL, 10));
        return -1;
    }
    return 0;
}
void ccrk_stop(void) {}
int ccrk_rank(void) { return 0; }
int ccrk_size(void) { return 1; }
int ccrk_all(int ok) { return ok != 0; }
int ccrk_send0(const void *buf, size_t len)
{
    (void)buf;
    (void)len;
    return -1;
}
int ccrk_recv(int from, unsigned char **buf, size_t *len)
{
    (void)from;
    *buf = NULL;
    *len = 0;
    return -1;
}
void ccrk_abort(int code) { (void)code; }
const char *ccrk_build(void) { return "no"; }

#endif
