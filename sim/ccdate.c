/* ccdate: civil calendar dates as day numbers.
 * Conversions follow the well-known era-based civil-from-days arithmetic
 * (400-year Gregorian cycles), exact for any year in int range we use. */
#include "ccdate.h"

#include <string.h>

int32_t ccd_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    if (y < 0) {
        const int era = (y - 399) / 400;
        const int yoe = y - era * 400;
        const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (int32_t)(era * 146097 + doe - 719468);
    }
    /* years from 0 on: unsigned division by constants is a multiply */
    const uint32_t uy = (uint32_t)y;
    const uint32_t era = uy / 400u;
    const uint32_t yoe = uy - era * 400u;
    const uint32_t doe = yoe * 365u + yoe / 4u - yoe / 100u + (uint32_t)doy;
    return (int32_t)(era * 146097u + doe) - 719468;
}

void ccd_to_ymd(int32_t day, int *y_out, int *m, int *d)
{
    /* Days from 0000-03-01. Dates from year 0 on (all carecap uses) make it
     * non-negative, and unsigned division by constants is a multiply. */
    const int32_t z = day + 719468;
    if (z < 0) {
        const int era = (z - 146096) / 146097;
        const int doe = z - era * 146097;
        const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const int mp = (5 * doy + 2) / 153;
        *d = doy - (153 * mp + 2) / 5 + 1;
        *m = mp < 10 ? mp + 3 : mp - 9;
        *y_out = yoe + era * 400 + (*m <= 2);
        return;
    }
    /* Days from 0000-03-01 on: the year that began on 1 March before it,
     * first as (z + 2) / 365.2425, which is that year or the next (year y
     * starts less than 1.75 days before 365.2425 y and less than a day
     * after it), then one compare with the estimated year's first day. */
    const uint32_t uz = (uint32_t)z;
    uint32_t y = (uint32_t)(((uint64_t)uz + 2u) * 400u / 146097u);
    uint32_t start = 365u * y + y / 4u - y / 100u + y / 400u;
    if (start > uz) {
        y--;
        start = 365u * y + y / 4u - y / 100u + y / 400u;
    }
    const uint32_t doy = uz - start;
    const uint32_t mp = (5u * doy + 2u) / 153u;
    *d = (int)(doy - (153u * mp + 2u) / 5u + 1u);
    *m = mp < 10u ? (int)mp + 3 : (int)mp - 9;
    *y_out = (int)y + (*m <= 2);
}

int ccd_days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return len[m - 1];
}

int ccd_parse(const char *s, int32_t *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    int v[3] = {0, 0, 0};
    const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < len[k]; i++) {
            char c = s[start[k] + i];
            if (c < '0' || c > '9')
                return -1;
            v[k] = v[k] * 10 + (c - '0');
        }
    if (v[0] < 1900 || v[0] > 2200 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
        v[2] > ccd_days_in_month(v[0], v[1]))
        return -1;
    *day = ccd_from_ymd(v[0], v[1], v[2]);
    return 0;
}

void ccd_format(int32_t day, char *buf)
{
    int y, m, d;
    ccd_to_ymd(day, &y, &m, &d);
    buf[0] = (char)('0' + (y / 1000) % 10);
    buf[1] = (char)('0' + (y / 100) % 10);
    buf[2] = (char)('0' + (y / 10) % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

int32_t ccd_month_end(int32_t day)
{
    int y, m, d;
    ccd_to_ymd(day, &y, &m, &d);
    return ccd_from_ymd(y, m, ccd_days_in_month(y, m));
}

int32_t ccd_add_years(int32_t day, int years)
{
    int y, m, d;
    ccd_to_ymd(day, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && ccd_days_in_month(y, 2) == 28) {
        m = 3;
        d = 1;
    }
    return ccd_from_ymd(y, m, d);
}

int32_t ccd_add_month_ends(int32_t month_end_day, int months)
{
    int y, m, d;
    ccd_to_ymd(month_end_day, &y, &m, &d);
    int idx = y * 12 + (m - 1) + months;
    y = idx / 12;
    m = idx % 12 + 1;
    return ccd_from_ymd(y, m, ccd_days_in_month(y, m));
}
