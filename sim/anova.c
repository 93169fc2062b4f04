/* anova: exact, mergeable one-way ANOVA sums over groups of replications. */
#include "anova.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acc.h"
#include "wideint.h"

struct ccan {
    int g;
    int64_t n, groups; /* values and groups of the complete groups */
    ccwi_i128 t;        /* their sum (quanta) */
    ccwi_u256 s2;      /* sum of squares */
    ccwi_u256 u;       /* sum over groups of the square of the group's sum */
    /* the group being filled */
    int cur_group, cur_n;
    ccwi_i128 cur_t;
    ccwi_u256 cur_s2;
};

ccan *ccan_new_array(int n, int g)
{
    ccan *a = calloc(n > 0 ? (size_t)n : 1, sizeof *a);
    for (int i = 0; a && i < n; i++) {
        a[i].g = g < 1 ? 1 : g;
        a[i].cur_group = -1;
    }
    return a;
}

void ccan_free_array(ccan *a) { free(a); }
ccan *ccan_at(ccan *a, int i) { return a + i; }
const ccan *ccan_at_c(const ccan *a, int i) { return a + i; }

static ccwi_u128 mag(ccwi_i128 v) { return (ccwi_u128)(v < 0 ? -v : v); }

int ccan_add(ccan *a, int rep, double x)
{
    if (!isfinite(x) || fabs(x) >= CCAC_MAX)
        return -1;
    long long q = llrint(ldexp(x, CCAC_QUANTUM_BITS));
    int grp = rep / a->g;
    if (grp != a->cur_group) {
        a->cur_group = grp; /* an unfinished group before it is left out */
        a->cur_n = 0;
        a->cur_t = 0;
        memset(&a->cur_s2, 0, sizeof a->cur_s2);
    }
    a->cur_n++;
    a->cur_t += q;
    ccwi_u128 m = mag(q);
    ccwi_add128(&a->cur_s2, m * m);
    if (a->cur_n == a->g) {
        a->n += a->g;
        a->groups++;
        a->t += a->cur_t;
        ccwi_add(&a->s2, &a->cur_s2);
        ccwi_u256 sq = ccwi_sq128(mag(a->cur_t));
        ccwi_add(&a->u, &sq);
        a->cur_group = -1;
        a->cur_n = 0;
    }
    return 0;
}

void ccan_merge(ccan *dst, const ccan *src)
{
    dst->n += src->n;
    dst->groups += src->groups;
    dst->t += src->t;
    ccwi_add(&dst->s2, &src->s2);
    ccwi_add(&dst->u, &src->u);
}

int ccan_result(const ccan *a, ccan_split *out)
{
    memset(out, 0, sizeof *out);
    double scale = ldexp(1.0, -2 * CCAC_QUANTUM_BITS);
    if (a->g == 1) {
        if (a->n < 2)
            return -1;
        /* (n S2 - T^2) / (n (n - 1)) */
        ccwi_u256 ns2 = ccwi_mul64(&a->s2, (uint64_t)a->n), t2 = ccwi_sq128(mag(a->t));
        ccwi_u256 d = ccwi_sub_sat(&ns2, &t2);
        double n = (double)a->n;
        out->proc = out->total = ccwi_to_double(&d) * scale / (n * (n - 1));
        return 0;
    }
    if (a->groups < 2)
        return -1;
    double g = a->g, G = (double)a->groups, N = (double)a->n;
    /* g SSW = g S2 - U; g N SSB = N U - g T^2 */
    ccwi_u256 gs2 = ccwi_mul64(&a->s2, (uint64_t)a->g);
    ccwi_u256 w = ccwi_sub_sat(&gs2, &a->u);
    ccwi_u256 nu = ccwi_mul64(&a->u, (uint64_t)a->n), t2 = ccwi_sq128(mag(a->t));
    ccwi_u256 gt2 = ccwi_mul64(&t2, (uint64_t)a->g);
    ccwi_u256 b = ccwi_sub_sat(&nu, &gt2);
    double ssw = ccwi_to_double(&w) * scale / g, ssb = ccwi_to_double(&b) * scale / (g * N);
    double msb = ssb / (G - 1), msw = ssw / (G * (g - 1));
    out->proc = msw;
    out->param = msb > msw ? (msb - msw) / g : 0;
    out->total = out->param + out->proc;
    return 0;
}

size_t ccan_packed_size(void) { return 2 * sizeof(int64_t) + sizeof(ccwi_i128) + 2 * sizeof(ccwi_u256); }

void ccan_pack(const ccan *a, unsigned char *buf)
{
    memcpy(buf, &a->n, 8);
    memcpy(buf + 8, &a->groups, 8);
    memcpy(buf + 16, &a->t, 16);
    memcpy(buf + 32, &a->s2, 32);
    memcpy(buf + 64, &a->u, 32);
}

void ccan_unpack_merge(ccan *dst, const unsigned char *buf)
{
    ccan s;
    memset(&s, 0, sizeof s);
    memcpy(&s.n, buf, 8);
    memcpy(&s.groups, buf + 8, 8);
    memcpy(&s.t, buf + 16, 16);
    memcpy(&s.s2, buf + 32, 32);
    memcpy(&s.u, buf + 64, 32);
    ccan_merge(dst, &s);
}
