/* test_date: calendar arithmetic (day numbers, parsing, month ends, birthdays). */
#include "ccdate.h"
#include "check.h"

#include <string.h>

int main(void)
{
    CHECK(ccd_from_ymd(1970, 1, 1) == 0, "epoch");
    CHECK(ccd_from_ymd(2000, 3, 1) == 11017, "2000-03-01 is day 11017");
    CHECK(ccd_from_ymd(2022, 7, 31) == 19204, "2022-07-31 is day 19204");
    int bad = 0;
    for (int32_t d = -800000; d <= 200000; d += 7) {
        int y, m, dd;
        ccd_to_ymd(d, &y, &m, &dd);
        if (ccd_from_ymd(y, m, dd) != d)
            bad++;
    }
    CHECK(bad == 0, "round trip failed %d times", bad);
    /* every day of 1600-2400 (four 400-year cycles' leap rules): a real
     * date that maps back to the day, the day after the one before */
    bad = 0;
    int py = 1599, pm = 12, pd = 31;
    for (int32_t d = ccd_from_ymd(1600, 1, 1); d <= ccd_from_ymd(2400, 12, 31); d++) {
        int y, m, dd;
        ccd_to_ymd(d, &y, &m, &dd);
        int next = (dd == pd + 1 && m == pm && y == py) ||
                   (dd == 1 && pd == ccd_days_in_month(py, pm) && ((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1)));
        bad += !next || ccd_from_ymd(y, m, dd) != d;
        py = y;
        pm = m;
        pd = dd;
    }
    CHECK(bad == 0, "day by day from 1600 to 2400: %d days wrong", bad);
    /* 29 February of a common year is 1 March (set_birthday and draw_dob
     * shift birth dates by whole years without a special case) */
    bad = 0;
    for (int y = 1890; y < 2210; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        int32_t feb29 = ccd_from_ymd(y, 2, 29);
        bad += leap ? feb29 != ccd_from_ymd(y, 2, 28) + 1 || feb29 + 1 != ccd_from_ymd(y, 3, 1)
                    : feb29 != ccd_from_ymd(y, 3, 1);
        bad += feb29 != ccd_add_years(ccd_from_ymd(2000, 2, 29), y - 2000);
    }
    CHECK(bad == 0, "29 February is not 1 March in common years (%d)", bad);

    int32_t day;
    CHECK(ccd_parse("2022-07-31", &day) == 0 && day == 19204, "parse 2022-07-31");
    CHECK(ccd_parse("2024-02-29", &day) == 0, "leap day parses");
    const char *invalid[] = {"2023-02-29", "2022-02-30", "2022-13-01", "2022-00-10", "2022-7-31",
                             "22-07-31",   "2022/07/31", "2022-07-31x", "",          "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
        CHECK(ccd_parse(invalid[i], &day) != 0, "'%s' must not parse", invalid[i]);

    char buf[16];
    ccd_format(19204, buf);
    CHECK(strcmp(buf, "2022-07-31") == 0, "format gave %s", buf);
    ccd_format(ccd_from_ymd(1999, 1, 9), buf);
    CHECK(strcmp(buf, "1999-01-09") == 0, "format gave %s", buf);

    CHECK(ccd_month_end(ccd_from_ymd(2024, 2, 3)) == ccd_from_ymd(2024, 2, 29), "leap February");
    CHECK(ccd_month_end(ccd_from_ymd(2023, 2, 3)) == ccd_from_ymd(2023, 2, 28), "common February");
    int32_t s = ccd_from_ymd(2022, 7, 31);
    CHECK(ccd_add_month_ends(s, 1) == ccd_from_ymd(2022, 8, 31), "one month on");
    CHECK(ccd_add_month_ends(s, 7) == ccd_from_ymd(2023, 2, 28), "seven months on");
    CHECK(ccd_add_month_ends(s, 120) == ccd_from_ymd(2032, 7, 31), "ten years on");
    CHECK(ccd_add_month_ends(ccd_from_ymd(2023, 1, 31), -1) == ccd_from_ymd(2022, 12, 31), "one month back");

    int32_t leapling = ccd_from_ymd(2008, 2, 29);
    CHECK(ccd_add_years(leapling, 4) == ccd_from_ymd(2012, 2, 29), "leap birthday in a leap year");
    CHECK(ccd_add_years(leapling, 1) == ccd_from_ymd(2009, 3, 1), "leap birthday in a common year is 1 March");
    CHECK(ccd_add_years(ccd_from_ymd(2010, 6, 15), 18) == ccd_from_ymd(2028, 6, 15), "18th birthday");
    CHECK(ccd_add_years(ccd_from_ymd(2028, 6, 15), -18) == ccd_from_ymd(2010, 6, 15), "years back");
    return check_done("test_date");
}
