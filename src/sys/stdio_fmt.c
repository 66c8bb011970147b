/* stdio_fmt.c - the static binary's printf family, on fmt_v (fmt.h).
 *
 * Built into the musl binary only (DNSDROP_OWN_PRINTF, set by the Makefile):
 * these definitions take the place of musl's, whose vfprintf and its float
 * formatting are 10 KiB that dnsdrop never needs. The host build keeps
 * glibc's printf, and the unit tests hold fmt_v to it. */
#ifdef DNSDROP_OWN_PRINTF
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"

int vsnprintf(char *restrict s, size_t n, const char *restrict fmt, va_list ap)
{
	int r = fmt_v(s, n, fmt, ap);

	if (r < 0)
		errno = EOVERFLOW;
	return r;
}

int snprintf(char *restrict s, size_t n, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

int vasprintf(char **s, const char *fmt, va_list ap)
{
	int n = vsnprintf(NULL, 0, fmt, ap);

	*s = n < 0 ? NULL : malloc((size_t)n + 1);
	return *s ? vsnprintf(*s, (size_t)n + 1, fmt, ap) : -1;
}

/* Formatted on the stack, or on the heap when longer, then one fwrite. */
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	char small[512], *p = small;
	int n = vsnprintf(small, sizeof small, fmt, ap);

	if (n >= (int)sizeof small && (p = malloc((size_t)n + 1)))
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	if (n >= 0 && (!p || fwrite(p, 1, (size_t)n, f) != (size_t)n))
		n = -1;
	if (p != small)
		free(p);
	return n;
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int printf(const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}
#endif
