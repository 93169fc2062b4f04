/* test_bigmem: the large arrays' allocator (bigmem.h): alignment, zeroed
 * memory, growth that keeps the contents; and, where the kernel offers
 * transparent huge pages, that a large array and a nation's child pool
 * (config/england.cfg) are really held in huge pages (/proc/self/smaps). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "check.h"
#include "diag.h"
#include "metrics.h"
#include "params.h"
#include "sim.h"
#include "testcfg.h"

/* 1 when the kernel gives huge pages to madvised memory: the active word
 * of /sys/kernel/mm/transparent_hugepage/enabled is [always] or [madvise] */
static int thp_on(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return 0;
    char line[256] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = 0;
    fclose(f);
    return strstr(line, "[always]") != NULL || strstr(line, "[madvise]") != NULL;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

int main(void)
{
    const size_t MB = (size_t)1 << 20;
    int thp = thp_on();
#if defined(__SANITIZE_ADDRESS__)
    thp = 0; /* the sanitizer's own allocator decides where large blocks go */
#endif
    printf("transparent huge pages %s\n", thp ? "on (checked)" : "off or unknown (not checked)");

    /* a small array: 64-byte aligned, zeroed */
    unsigned char *a = ccbm_alloc(100);
    CHECK(a != NULL && (uintptr_t)a % 64 == 0, "small array 64-byte aligned");
    CHECK(a && all_zero(a, 100), "small array zeroed");
    memset(a, 7, 100);
    a = ccbm_grow(a, 100, 1000);
    CHECK(a != NULL && (uintptr_t)a % 64 == 0, "grown small array aligned");
    int kept = 1;
    for (int i = 0; a && i < 100; i++)
        kept &= a[i] == 7;
    CHECK(kept && all_zero(a + 100, 900), "growth keeps the contents and zeroes the rest");
    CHECK(ccbm_grow(a, 1000, 500) == a, "no growth: the same array");
    free(a);

    /* a large array: 2 MB aligned, zeroed, grown with its contents */
    size_t n1 = 3 * MB + 12345, n2 = 9 * MB + 1;
    unsigned char *b = ccbm_alloc(n1);
    CHECK(b != NULL && (uintptr_t)b % CCBM_HUGE == 0, "large array on a 2 MB boundary");
    CHECK(b && all_zero(b, n1), "large array zeroed");
    for (size_t i = 0; b && i < n1; i++)
        b[i] = (unsigned char)(i * 131 + 7);
    unsigned char *c = ccbm_grow(b, n1, n2);
    CHECK(c != NULL && (uintptr_t)c % CCBM_HUGE == 0, "grown large array on a 2 MB boundary");
    kept = 1;
    for (size_t i = 0; c && i < n1; i++)
        kept &= c[i] == (unsigned char)(i * 131 + 7);
    CHECK(kept, "large growth keeps the contents");
    CHECK(c && all_zero(c + n1, n2 - n1), "large growth zeroes the new part");
    if (c) {
        long long h = ccbm_huge_bytes(c, n2);
        printf("grown array: %zu bytes, %lld in huge pages\n", n2, h);
        CHECK(h <= (long long)n2, "huge bytes at most the array's");
        if (thp)
            CHECK(h >= (long long)CCBM_HUGE, "a %zu-byte array has no huge page (%lld bytes)", n2, h);
    }
    free(c);

    /* a nation's child pool, set up for its first replication */
    char path[4096];
    cc_diag *d = ccg_new();
    cc_params *p = NULL;
    ccp_load(testcfg_root_path("config/england.cfg", path, sizeof path), d, &p);
    ccg_free(d);
    CHECK(p != NULL, "config/england.cfg loads");
    if (p) {
        ccx_layout *L = ccx_new(p);
        enum { NDATES = 3 };
        double snap_t[NDATES] = {0, 31, 61};
        double *out = L ? calloc((size_t)L->n * NDATES, sizeof *out) : NULL;
        cc_sim *s = out ? ccs_new(p, L, NDATES, snap_t) : NULL;
        CHECK(s != NULL, "England's engine");
        if (s) {
            CHECK(ccs_begin(s, 1, 0, out) == 0, "England's start-date population");
            size_t bytes;
            long long huge;
            ccs_pool_memory(s, &bytes, &huge);
            printf("England's child pool: %zu bytes, %lld in huge pages\n", bytes, huge);
            CHECK(bytes >= 8 * MB, "a nation's pool is large (%zu bytes)", bytes);
            if (thp)
                CHECK(huge >= (long long)(bytes / 2), "the child pool is not in huge pages (%lld of %zu bytes)",
                      huge, bytes);
            ccs_free(s);
        }
        free(out);
        ccx_free(L);
        ccp_free(p);
    }
    return check_done("test_bigmem");
}
