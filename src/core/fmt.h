/* fmt.h - printf formatting, the part dnsdrop uses, without libc's stdio.
 *
 * musl's vfprintf is 10 KiB, half of it floating point that dnsdrop never
 * prints. fmt_v knows what dnsdrop's format strings use: flags '-' and
 * '0', a width and a precision (digits or '*'), the lengths hh h l ll z j t,
 * and the conversions d i u x X o c s p %. The static binary's printf family
 * is this (src/sys/stdio_fmt.c); the unit tests hold it to glibc's. */
#ifndef DNSDROP_FMT_H
#define DNSDROP_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf: writes at most CAP bytes into DST, NUL included (nothing when
 * CAP is 0), and returns the length the whole text has, or -1 when that
 * exceeds INT_MAX. An unknown conversion is copied as written. AP is read
 * through a copy, so the caller may pass it again (to format twice). */
int fmt_v(char *dst, size_t cap, const char *fmt, va_list ap);

#endif
