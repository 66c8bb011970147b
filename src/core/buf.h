/* buf.h - a growable byte buffer for rendered text. */
#ifndef DNSDROP_BUF_H
#define DNSDROP_BUF_H

#include <stddef.h>

struct buf {
	char *p;		/* always NUL-terminated once anything was added */
	size_t len, cap;
	int oom;		/* an append failed; the content is incomplete */
};

/* Append LEN bytes; on allocation failure set ->oom and keep what is there. */
void buf_add(struct buf *b, const char *s, size_t len);
void buf_puts(struct buf *b, const char *s);
/* Append the N strings S[0..N) as one piece: a whole line in one step. */
void buf_join(struct buf *b, const char *const *s, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

#endif
