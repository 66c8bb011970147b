/* diff_int.h - what diff.c (the search) and diff_print.c (the hunks) share.
 * Not for other modules: use diff.h. */
#ifndef DNSDROP_DIFF_INT_H
#define DNSDROP_DIFF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct line {
	size_t start;		/* offset of its first byte */
	uint64_t hash;
};

/* One text cut into lines. A line keeps its '\n', so a last line without
 * one never equals the same line with one (GNU diff compares them so). */
struct side {
	const char *t;
	struct line *ln;	/* n + 1 of them: ln[n].start is the length */
	long n;
	long lo, hi;		/* lines the algorithm looks at (trim_ends) */
	uint32_t *cls;		/* number of the first line with these bytes */
	char *chg;		/* 1 = changed; 0 at chg[-1] and chg[n] */
};

struct ctx {
	struct side s[2];
	uint32_t *xv, *yv;	/* classes of the lines left to Myers */
	uint32_t *xr, *yr;	/* where those lines are in A and B */
	long nx, ny;
	long *fd, *bd;		/* furthest x per diagonal, forward and back */
	long limit;		/* edits a middle snake search may take */
};

/* The part of X (lines x0 to x1) and Y that is being compared. */
struct box {
	long x0, x1, y0, y1;
};

/* A change replaces A[a0,a1) with B[b0,b1). */
struct change {
	long a0, a1, b0, b1;
};

/* Line I of S: its bytes and length (with its '\n', if any). */
const char *diff_line_at(const struct side *s, long i, size_t *len);

/* Append the hunks of the marked changes of C with CTXL context lines. */
void diff_put_hunks(const struct ctx *c, long ctxl, int color, struct buf *out);

#endif
