/* bigmem: large arrays on 2 MB boundaries, marked for transparent huge
 * pages on Linux (madvise), and a diagnostic that reads back from
 * /proc/self/smaps how much of an array the kernel put in huge pages. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "bigmem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* bytes rounded up to a multiple of `to` (a power of two); 0 on overflow */
static size_t round_up(size_t bytes, size_t to)
{
    if (bytes > SIZE_MAX - (to - 1))
        return 0;
    return (bytes + to - 1) & ~(to - 1);
}

/* The length an array of `bytes` bytes is given, and its alignment. */
static size_t length_of(size_t bytes, size_t *align)
{
    if (bytes == 0)
        bytes = 1;
    *align = bytes >= CCBM_HUGE ? CCBM_HUGE : 64;
    return round_up(bytes, *align);
}

void *ccbm_alloc(size_t bytes)
{
    size_t align, len = length_of(bytes, &align);
    if (len == 0)
        return NULL;
    void *p = aligned_alloc(align, len);
    if (!p)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* before the first touch, so that the pages are huge from their first
     * fault on (khugepaged would otherwise gather them only slowly); a
     * kernel without transparent huge pages says EINVAL: ordinary pages */
    if (align == CCBM_HUGE)
        (void)madvise(p, len, MADV_HUGEPAGE);
#endif
    memset(p, 0, len);
    return p;
}

void *ccbm_grow(void *p, size_t old, size_t bytes)
{
    if (p && bytes <= old)
        return p;
    void *n = ccbm_alloc(bytes);
    if (!n)
        return NULL;
    if (p && old)
        memcpy(n, p, old);
    free(p);
    return n;
}

long long ccbm_huge_bytes(const void *p, size_t bytes)
{
#if defined(__linux__)
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    uintptr_t lo = (uintptr_t)p, hi = lo + bytes;
    int in = 0; /* the current mapping overlaps [lo, hi) */
    long long huge = 0;
    char line[512];
    int start = 1; /* line[] begins a line (the rest of a long one is skipped) */
    while (fgets(line, sizeof line, f)) {
        int whole = strchr(line, '\n') != NULL;
        if (!start) {
            start = whole;
            continue;
        }
        start = whole;
        unsigned long a, b;
        unsigned long long kb;
        char c;
        /* a mapping's first line is "start-end perms ..." in hex; its
         * fields follow as "Name: value" */
        if (memchr(line, ':', strcspn(line, " ")) == NULL && sscanf(line, "%lx-%lx %c", &a, &b, &c) == 3)
            in = a < hi && b > lo;
        else if (in && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1)
            huge += (long long)kb * 1024;
    }
    fclose(f);
    return huge > (long long)bytes ? (long long)bytes : huge;
#else
    (void)p;
    (void)bytes;
    return -1;
#endif
}
