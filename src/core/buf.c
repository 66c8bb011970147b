/* buf.c - a growable byte buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int buf_reserve(struct buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (more < b->cap - b->len)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len <= more) {
		if (cap > ((size_t)-1) / 2) {
			b->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	if (!(p = realloc(b->p, cap))) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void buf_add(struct buf *b, const char *s, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return;
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Rendering 100k records is mostly this: one pass over each piece, a
 * byte loop (musl's memcpy costs more on a few bytes) between D and END,
 * locals that a char store cannot alias. */
void buf_join(struct buf *b, const char *const *s, size_t n)
{
	char *d = NULL, *end = NULL;

	for (size_t i = 0; i < n; i++) {
		for (const char *c = s[i]; *c; c++) {
			if (d == end) {
				if (d)
					b->len = (size_t)(d - b->p);
				if (buf_reserve(b, 64) < 0) {
					if (b->p)
						b->p[b->len] = '\0';
					return;
				}
				d = b->p + b->len;
				end = b->p + b->cap - 1;	/* the NUL's byte */
			}
			*d++ = *c;
		}
	}
	if (d) {
		b->len = (size_t)(d - b->p);
		*d = '\0';
	}
}

/* Formats into the room already there; only a longer text is formatted
 * twice (once to learn its length). */
void buf_printf(struct buf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;
	va_list ap;
	int len;

	if (b->oom)
		return;
	va_start(ap, fmt);
	len = vsnprintf(room ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (len < 0) {
		b->oom = 1;
	} else if ((size_t)len < room) {
		b->len += (size_t)len;
		return;
	} else if (buf_reserve(b, (size_t)len) == 0) {
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)len + 1, fmt, ap);
		va_end(ap);
		b->len += (size_t)len;
		return;
	}
	if (b->p)
		b->p[b->len] = '\0';	/* a cut attempt may have overwritten it */
}

void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){ 0 };
}
