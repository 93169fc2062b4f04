/* wideint: exact 256-bit unsigned integers for order-independent sums of
 * squares. The accumulators (acc.h, vardec.h) add values as fixed-point
 * integers so that a sum is the same in whatever order, thread or MPI rank
 * the values arrive; the squares of those integers need more than 128 bits.
 * Only what the accumulators use: add, multiply by a 64-bit factor, square
 * of a 128-bit magnitude, subtract, compare, convert to double. */
#ifndef WIDEINT_H
#define WIDEINT_H

#include <stdint.h>

typedef struct {
    uint64_t w[4]; /* little-endian limbs */
} ccwi_u256;

/* GCC and clang's 128-bit integers (an extension of C11) */
__extension__ typedef __int128 ccwi_i128;
__extension__ typedef unsigned __int128 ccwi_u128;

/* *a += b */
void ccwi_add(ccwi_u256 *a, const ccwi_u256 *b);
/* *a += b */
void ccwi_add128(ccwi_u256 *a, ccwi_u128 b);
/* a * m (the product must fit in 256 bits: the callers' ranges keep it so) */
ccwi_u256 ccwi_mul64(const ccwi_u256 *a, uint64_t m);
/* b * b */
ccwi_u256 ccwi_sq128(ccwi_u128 b);
/* -1, 0, 1 as a <, ==, > b */
int ccwi_cmp(const ccwi_u256 *a, const ccwi_u256 *b);
/* a - b, or 0 when b > a */
ccwi_u256 ccwi_sub_sat(const ccwi_u256 *a, const ccwi_u256 *b);
/* a as the nearest double (to within one rounding of each limb) */
double ccwi_to_double(const ccwi_u256 *a);

#endif
