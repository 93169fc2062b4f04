/* anova: a mergeable one-way analysis of variance across groups of
 * consecutive replications (those sharing one parameter draw), taken one
 * value at a time: the exact integer sums (values in quanta of 2^-20, as
 * acc.h) from which the between-group and within-group mean squares follow,
 * so the result does not depend on the order, thread or MPI rank in which
 * the groups arrive. Only complete groups count. */
#ifndef ANOVA_H
#define ANOVA_H

#include <stddef.h>
#include <stdint.h>

typedef struct ccan ccan;

/* An array of n empty accumulators for groups of g replications (g >= 1);
 * NULL when memory ran out. */
ccan *ccan_new_array(int n, int g);
void ccan_free_array(ccan *a);
ccan *ccan_at(ccan *a, int i);
const ccan *ccan_at_c(const ccan *a, int i);
/* Add replication rep's value (replication rep belongs to group rep / g).
 * The values of one group must come to one accumulator, one after another
 * (the experiment hands a group to one worker). 0, or -1 when x is not
 * finite or too large (acc.h CCAC_MAX). */
int ccan_add(ccan *a, int rep, double x);
/* dst += src (src's incomplete group, if any, is left out). */
void ccan_merge(ccan *dst, const ccan *src);

typedef struct {
    double total, param, proc;
} ccan_split;
/* The variance split as vardec.h's ccvd_split of the same values. 0, or
 * -1 when there are too few values. */
int ccan_result(const ccan *a, ccan_split *out);

/* Packed size of one accumulator, and packing (for MPI). */
size_t ccan_packed_size(void);
void ccan_pack(const ccan *a, unsigned char *buf);
void ccan_unpack_merge(ccan *dst, const unsigned char *buf);

#endif
