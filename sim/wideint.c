/* wideint: 256-bit unsigned arithmetic for exact sums of squares. */
#include "wideint.h"

#include <math.h>

void ccwi_add(ccwi_u256 *a, const ccwi_u256 *b)
{
    ccwi_u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        ccwi_u128 s = (ccwi_u128)a->w[i] + b->w[i] + carry;
        a->w[i] = (uint64_t)s;
        carry = s >> 64;
    }
}

void ccwi_add128(ccwi_u256 *a, ccwi_u128 b)
{
    ccwi_u256 t = {{(uint64_t)b, (uint64_t)(b >> 64), 0, 0}};
    ccwi_add(a, &t);
}

ccwi_u256 ccwi_mul64(const ccwi_u256 *a, uint64_t m)
{
    ccwi_u256 r;
    ccwi_u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        ccwi_u128 p = (ccwi_u128)a->w[i] * m + carry;
        r.w[i] = (uint64_t)p;
        carry = p >> 64;
    }
    return r;
}

ccwi_u256 ccwi_sq128(ccwi_u128 b)
{
    uint64_t lo = (uint64_t)b, hi = (uint64_t)(b >> 64);
    ccwi_u128 ll = (ccwi_u128)lo * lo, lh = (ccwi_u128)lo * hi, hh = (ccwi_u128)hi * hi;
    ccwi_u256 r = {{(uint64_t)ll, (uint64_t)(ll >> 64), (uint64_t)hh, (uint64_t)(hh >> 64)}};
    /* + 2 * lh * 2^64 */
    for (int k = 0; k < 2; k++) {
        ccwi_u256 t = {{0, (uint64_t)lh, (uint64_t)(lh >> 64), 0}};
        ccwi_add(&r, &t);
    }
    return r;
}

int ccwi_cmp(const ccwi_u256 *a, const ccwi_u256 *b)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

ccwi_u256 ccwi_sub_sat(const ccwi_u256 *a, const ccwi_u256 *b)
{
    ccwi_u256 r = {{0, 0, 0, 0}};
    if (ccwi_cmp(a, b) <= 0)
        return r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y) || (x - y < borrow);
        r.w[i] = d;
    }
    return r;
}

double ccwi_to_double(const ccwi_u256 *a)
{
    /* the top two non-zero limbs carry more than a double's 53 bits */
    int top = 3;
    while (top > 0 && a->w[top] == 0)
        top--;
    if (top == 0)
        return (double)a->w[0];
    ccwi_u128 head = ((ccwi_u128)a->w[top] << 64) | a->w[top - 1];
    /* a lower limb only matters as a sticky bit for the rounding */
    if (top >= 2 && (a->w[top - 2] != 0 || (top == 3 && a->w[0] != 0)))
        head |= 1;
    return ldexp((double)head, 64 * (top - 1));
}
