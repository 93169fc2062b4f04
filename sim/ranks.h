/* ranks: replications shared among MPI ranks. When carecap is built with
 * Open MPI (CMake option CARECAP_MPI, on when MPI is found) and started by
 * mpirun (or srun), ccrk_start joins the ranks; otherwise there is one rank,
 * number 0, and every function here is a no-op. Only the calling thread
 * talks to MPI (the worker threads of a rank never do). Rank 0 gathers:
 * the other ranks send it their bytes, which it takes in rank order. */
#ifndef RANKS_H
#define RANKS_H

#include <stddef.h>

/* Join the ranks when launched by an MPI launcher: 0, or -1 (message in
 * err, at least 256 bytes). Call once, before any other ccrk_ function. */
int ccrk_start(char *err);
/* Leave (MPI_Finalize when ccrk_start joined). */
void ccrk_stop(void);
/* This process's rank and the number of ranks (0 and 1 without MPI). */
int ccrk_rank(void);
int ccrk_size(void);
/* 1 when every rank passed ok != 0 (a collective: every rank calls it). */
int ccrk_all(int ok);
/* Send len bytes to rank 0 (from a rank other than 0). 0 or -1. */
int ccrk_send0(const void *buf, size_t len);
/* On rank 0: receive the bytes rank `from` sent with ccrk_send0 into a new
 * buffer (*buf, free it) of *len bytes. 0 or -1. */
int ccrk_recv(int from, unsigned char **buf, size_t *len);
/* Stop every rank with exit status code (MPI_Abort), when the others may
 * be waiting for this one; returns only without MPI ranks. */
void ccrk_abort(int code);
/* Whether this build can use MPI ("Open MPI x.y" or "no"). */
const char *ccrk_build(void);

#endif
