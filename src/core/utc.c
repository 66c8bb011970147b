/* utc.c - UTC timestamps: gmtime_r and snprintf. gmtime_r reads no time
 * zone, so nothing here depends on TZ or /etc/localtime. */
#include "utc.h"

#include <stdio.h>

int utc_format(time_t t, int compact, char out[UTC_MAX])
{
	struct tm tm;
	int n = -1;

	if (gmtime_r(&t, &tm) && tm.tm_year >= -1900 && tm.tm_year <= 8099)
		n = snprintf(out, UTC_MAX, compact ? "%04d%02d%02dT%02d%02d%02dZ"
			     : "%04d-%02d-%02dT%02d:%02d:%02dZ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n != (compact ? 16 : 20)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
