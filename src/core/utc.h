/* utc.h - UTC timestamps in the two fixed forms dnsdrop writes, without
 * strftime: in a static musl binary it brings the time zone and locale
 * code (~7 KiB) that a UTC stamp never uses. */
#ifndef DNSDROP_UTC_H
#define DNSDROP_UTC_H

#include <time.h>

#define UTC_MAX 21		/* "2025-01-01T12:00:00Z" and the NUL */

/* Write T into OUT as ISO 8601 UTC, "2025-01-01T12:00:00Z", or with
 * COMPACT as "20250101T120000Z". Returns 0, or -1 with OUT "" when T has
 * no four-digit year. */
int utc_format(time_t t, int compact, char out[UTC_MAX]);

#endif
