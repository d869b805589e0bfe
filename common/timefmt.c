/* timefmt — see timefmt.h. */
#include "timefmt.h"

#include <stdio.h>

void timefmt_iso(char *out, size_t cap, const struct timespec *ts, int digits)
{
    if (digits < 1)
        digits = 1;
    if (digits > 9)
        digits = 9;
    long frac = ts->tv_nsec;
    for (int i = digits; i < 9; i++)
        frac /= 10;
    struct tm tm;
    gmtime_r(&ts->tv_sec, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%0*ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, digits, frac);
}

void timefmt_iso_now(char *out, size_t cap)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    timefmt_iso(out, cap, &now, 3);
}
