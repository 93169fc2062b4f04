/* ccdate: civil calendar dates as day numbers.
 * A day number counts days since 1970-01-01 (proleptic Gregorian), so date
 * arithmetic is integer arithmetic and birthdays fall on exact dates. */
#ifndef CCDATE_H
#define CCDATE_H

#include <stdint.h>

/* Day number of year-month-day (month 1-12, day 1-31). No range checks:
 * a day past its month's end counts on into the next month, so 29
 * February of a common year is 1 March (birthdays rely on it). */
int32_t ccd_from_ymd(int y, int m, int d);
/* Inverse of ccd_from_ymd. */
void ccd_to_ymd(int32_t day, int *y, int *m, int *d);
/* Parse "YYYY-MM-DD" strictly (real calendar date). Returns 0 on success. */
int ccd_parse(const char *s, int32_t *day);
/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void ccd_format(int32_t day, char *buf);
/* Last day of the month containing day. */
int32_t ccd_month_end(int32_t day);
/* The date `years` years after day; 29 February maps to 1 March in common years. */
int32_t ccd_add_years(int32_t day, int years);
/* The date `months` months after a month-end day, again a month end. */
int32_t ccd_add_month_ends(int32_t month_end_day, int months);
/* Days in month m of year y. */
int ccd_days_in_month(int y, int m);

#endif
