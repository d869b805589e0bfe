/* timefmt — UTC timestamps in ISO 8601 as the page records ("ts") and the
 * WARC headers (WARC-Date) carry them: 2024-02-29T23:59:59.123Z. The caller
 * owns the output buffer; no allocation, no locale, any thread. */
#ifndef CRAWLD_TIMEFMT_H
#define CRAWLD_TIMEFMT_H

#include <stddef.h>
#include <time.h>

#define TIMEFMT_ISO_SIZE 32 /* enough for any digits and a NUL */

/* ts (CLOCK_REALTIME) as YYYY-MM-DDTHH:MM:SS.F…Z with digits (1..9) of
 * fraction, truncated, into out (cap bytes, NUL-terminated). */
void timefmt_iso(char *out, size_t cap, const struct timespec *ts, int digits);

/* The current time, to the millisecond. */
void timefmt_iso_now(char *out, size_t cap);

#endif
