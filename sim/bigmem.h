/* bigmem: the engine's large arrays, those that grow with the number of
 * children and are read at random (the child slots, the queue's records,
 * the supply side's waiting records). An array of at least CCBM_HUGE bytes
 * starts on a 2 MB boundary and is a whole number of 2 MB long, and on
 * Linux it is marked for transparent huge pages (madvise MADV_HUGEPAGE:
 * where the kernel allows them, one TLB entry then covers 2 MB instead of
 * 4 KB, so a nation's random touches need no page walk); a smaller one is
 * 64-byte aligned. A refused madvise is not an error (the array is then on
 * ordinary pages). Arrays come zeroed and are freed with free(). Only the
 * growth of a pool past its high-water mark calls these, never an event. */
#ifndef BIGMEM_H
#define BIGMEM_H

#include <stddef.h>

#define CCBM_HUGE ((size_t)2 << 20) /* a huge page: 2 MB on x86-64 and most arm64 kernels */

/* A zeroed array of `bytes` bytes (64-byte aligned; 2 MB aligned and in
 * huge pages where allowed from CCBM_HUGE bytes). The caller owns it and
 * frees it with free(). NULL when out of memory. */
void *ccbm_alloc(size_t bytes);
/* Grow p (from ccbm_alloc or ccbm_grow, `old` bytes long; NULL with old 0)
 * to `bytes` bytes: a new array as ccbm_alloc gives, its first `old` bytes
 * copied from p and the rest zeroed; p is freed. Returns p itself when
 * bytes <= old, and NULL when out of memory (p is then unchanged and
 * still the caller's). */
void *ccbm_grow(void *p, size_t old, size_t bytes);
/* Diagnostics: how many of the bytes [p, p + bytes) the kernel now holds
 * in huge pages, from /proc/self/smaps (AnonHugePages of the mappings that
 * overlap them, at most `bytes`); -1 when that cannot be read (not Linux,
 * no /proc). Slow: not for the event loop. */
long long ccbm_huge_bytes(const void *p, size_t bytes);

#endif
