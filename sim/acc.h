/* acc: a mergeable accumulator of one quantity across replications (one
 * series at one date), taking each replication's value as it finishes, so a
 * run's summaries need memory independent of the number of replications.
 *
 * Whole numbers (counts of children) with a spread under CCAC_COUNT_RANGE
 * go into an integer histogram; other samples of at most CCAC_DISTINCT
 * distinct values into a list of the values and their counts. Either way the
 * sample is known exactly, and ccac_stats gives the very numbers
 * ccy_summarise gives on the whole sample. Anything else (money and ratios
 * over many replications, or counts spread wider) goes into log-spaced bins
 * (kept sparse: only the pages of bins that hold a value, a byte a bin).
 * While at most CCAC_BINS bins hold a value (always, for at most CCAC_BINS
 * values) each percentile is within a relative error of CCAC_ALPHA of the
 * exact one (values of one sign; values under CCAC_TINY in magnitude count
 * as 0); past that, neighbouring bins are merged in pairs, as often as it
 * takes to get back to CCAC_BINS bins holding a value, so the memory is
 * bounded whatever the number of values (about 64 bytes a bin at most),
 * and the bound after L mergers, ccac_alpha, is about 2^L CCAC_ALPHA (one
 * merger for each doubling of the bins the values would need at the bound
 * before; a sample that is spread ever wider as it grows merges more). The
 * mean and standard deviation come from exact sums of the
 * values rounded to CCAC_QUANTUM (so they are within about CCAC_QUANTUM of
 * the exact ones). All sums are integers, so adding and merging give the
 * same accumulator, bit for bit, in any order: the results do not depend on
 * threads or MPI ranks. */
#ifndef ACC_H
#define ACC_H

#include <stddef.h>
#include <stdint.h>

#include "summary.h"

/* relative error bound of a binned percentile */
#define CCAC_ALPHA 1e-4
/* values are summed as whole multiples of 2^-20 */
#define CCAC_QUANTUM_BITS 20
#define CCAC_QUANTUM (1.0 / 1048576.0)
/* magnitudes below this are 0 in the bins (not in the sums) */
#define CCAC_TINY CCAC_QUANTUM
/* magnitudes from this up cannot be summed exactly: ccac_add refuses them */
#define CCAC_MAX 4.0e12
/* widest spread of whole numbers kept as an exact histogram */
enum { CCAC_COUNT_RANGE = 1 << 16 };
/* most distinct values kept as an exact list */
enum { CCAC_DISTINCT = 256 };
/* most log bins holding a value, in all: past it, bins merge in pairs */
enum { CCAC_BINS = 1024 };

typedef struct ccac ccac;

/* An array of n empty accumulators; NULL when memory ran out. Free with
 * ccac_free_array(a, n). */
ccac *ccac_new_array(size_t n);
void ccac_free_array(ccac *a, size_t n);
/* The i-th accumulator of an array. */
ccac *ccac_at(ccac *a, size_t i);
const ccac *ccac_at_c(const ccac *a, size_t i);

/* Add one value. 0, or -1 when memory ran out or |x| >= CCAC_MAX or x is
 * not finite (the accumulator is then unchanged). */
int ccac_add(ccac *a, double x);
/* Add n values x[0..n-1]: the same accumulator, bit for bit, as n calls of
 * ccac_add (batches of up to 128 finite values in range go in at once,
 * whatever the accumulator's form). 0, or -1 as ccac_add for any of them
 * (the others are added). */
int ccac_add_n(ccac *a, const double *x, int n);
/* Add everything src holds to dst (src unchanged). 0, or -1 when memory ran
 * out (dst is then unusable). */
int ccac_merge(ccac *dst, const ccac *src);
/* Heap bytes the accumulator holds (for tests of its memory). */
size_t ccac_bytes(const ccac *a);
/* Number of values added. */
int64_t ccac_count(const ccac *a);
/* 1 when the accumulator holds its sample exactly (not binned). */
int ccac_exact(const ccac *a);
/* The relative error bound of the accumulator's percentiles: 0 when exact,
 * CCAC_ALPHA while no bins have merged, else (g - 1) / (g + 1) with g =
 * ((1 + CCAC_ALPHA) / (1 - CCAC_ALPHA))^(2^level). */
double ccac_alpha(const ccac *a);
/* How many times the bins have merged in pairs (0 when exact). */
int ccac_level(const ccac *a);
/* The statistics of the values added (all 0 when there are none). scratch
 * holds ccac_count(a) doubles (used for exact histograms). */
void ccac_stats(const ccac *a, double *scratch, ccy_stats *out);

/* Serialised form, for sending between MPI ranks: ccac_pack appends the
 * accumulator to buf (grown with realloc; *len and *cap updated), 0 or -1
 * when memory ran out; ccac_unpack_merge merges one packed accumulator at
 * *pos of buf[0..len-1] into dst and advances *pos: 0, or -1 on a malformed
 * buffer or no memory. */
int ccac_pack(const ccac *a, unsigned char **buf, size_t *len, size_t *cap);
/* Append n raw bytes at p to a packed buffer (*buf of *len bytes used and
 * *cap allocated, grown as needed): for the fixed fields a packed form of
 * several accumulators carries beside them. 0, or -1 when memory ran out
 * (the buffer is then as it was). */
int ccac_put_bytes(unsigned char **buf, size_t *len, size_t *cap, const void *p, size_t n);
int ccac_unpack_merge(ccac *dst, const unsigned char *buf, size_t len, size_t *pos);

#endif
