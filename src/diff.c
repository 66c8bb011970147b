/* diff.c - unified diff: lines are hashed into equivalence classes, lines
 * found in one text only are set aside (they can never match), and Myers'
 * O(ND) algorithm in its linear-space form (divide at the "middle snake")
 * marks the rest. Changed runs are then slid the way GNU diff slides them,
 * so that the output agrees with `diff -u` byte for byte, and printed.
 * Reference: E. Myers, "An O(ND) Difference Algorithm and Its Variations",
 * Algorithmica 1 (1986). */
#include "diff.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One text cut into lines. A line keeps its '\n', so a last line without
 * one never equals the same line with one (GNU diff compares them so). */
struct side {
	const char *t;
	size_t *off;		/* line i is t[off[i]] up to t[off[i + 1]] */
	uint64_t *hash;		/* hash of each line (until classified) */
	long n;
	long lo, hi;		/* the lines the algorithm looks at (see set_aside) */
	long *cls;		/* class: index of the first line with these bytes */
	char *chg;		/* 1 = changed; chg[-1] and chg[n] are 0 (sentinels) */
};

struct ctx {
	struct side s[2];
	long *xv, *yv;		/* classes of the lines left to Myers */
	long *xr, *yr;		/* where those lines are in A and B */
	long nx, ny;
	long *fd, *bd;		/* furthest point per diagonal, forward and back */
};

/* A hunk is a list of changes; a change replaces A[a0,a1) with B[b0,b1). */
struct change {
	long a0, a1, b0, b1;
};

static void *alloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc(n && size ? n * size : 1);
}

#define ONES 0x0101010101010101u

/* Find the end of the line at P (after its '\n', or END) and hash it, in
 * one pass of 8-byte words: a word holding a '\n' (the classic exact test
 * for a zero byte, on the word xor "\n\n\n\n\n\n\n\n") ends the fast loop.
 * Collisions only cost a byte comparison. */
static const char *line_scan(const char *p, const char *end, uint64_t *hash)
{
	uint64_t h = 0x9e3779b97f4a7c15u, w, x;
	unsigned k = 0;

	while (end - p >= 8) {
		memcpy(&w, p, 8);
		x = w ^ (ONES * '\n');
		if ((x - ONES) & ~x & (ONES * 0x80))
			break;
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
		p += 8;
	}
	for (w = 0; p < end && k < 8; k++) {
		w |= (uint64_t)(unsigned char)*p << (8 * k);
		if (*p++ == '\n') {
			k++;
			break;
		}
	}
	h = (h ^ w ^ k) * 0xc4ceb9fe1a85ec53u;
	*hash = h ^ (h >> 29);
	return p;
}

static int same_bytes(const char *p, const char *q, size_t len)
{
	uint64_t u, v;

	for (; len >= 8; p += 8, q += 8, len -= 8) {
		memcpy(&u, p, 8);
		memcpy(&v, q, 8);
		if (u != v)
			return 0;
	}
	while (len--)
		if (*p++ != *q++)
			return 0;
	return 1;
}

static int side_split(struct side *s, const char *t, size_t len)
{
	const char *p = t, *end = t + len;
	size_t n = 0, cap = len / 64 + 16, *off;
	uint64_t h, *hash;

	s->t = t;
	s->off = alloc_array(cap + 1, sizeof *s->off);
	s->hash = alloc_array(cap, sizeof *s->hash);
	if (!s->off || !s->hash)
		return -1;
	for (s->off[0] = 0; p < end; n++) {
		p = line_scan(p, end, &h);
		if (n == cap) {
			if (cap > SIZE_MAX / 32)
				return -1;
			if ((off = realloc(s->off, (2 * cap + 1) * sizeof *off)))
				s->off = off;
			if ((hash = realloc(s->hash, 2 * cap * sizeof *hash)))
				s->hash = hash;
			if (!off || !hash)
				return -1;
			cap *= 2;
		}
		s->hash[n] = h;
		s->off[n + 1] = (size_t)(p - t);
	}
	s->n = (long)n;
	s->cls = alloc_array(n, sizeof *s->cls);
	if ((s->chg = calloc(n + 2, 1)))
		s->chg++;
	return s->cls && s->chg ? 0 : -1;
}

static const char *line_at(const struct side *s, long i, size_t *len)
{
	*len = s->off[i + 1] - s->off[i];
	return s->t + s->off[i];
}

static int same_line(const struct side *a, long i, const struct side *b,
		     long j)
{
	size_t alen, blen;
	const char *p = line_at(a, i, &alen), *q = line_at(b, j, &blen);

	return a->hash[i] == b->hash[j] && alen == blen &&
	       same_bytes(p, q, alen);
}

/* Set the part of each text that the algorithm looks at: all but the common
 * head and tail, though with HORIZON lines of each, as GNU diff keeps
 * CONTEXT lines. Which lines occur elsewhere (set_aside) and how far a run
 * may slide (slide_runs) then agree with GNU on equally short diffs. */
static void trim_ends(struct ctx *c, long horizon)
{
	struct side *a = &c->s[0], *b = &c->s[1];
	long pre = 0, suf = 0;

	while (pre < a->n && pre < b->n && same_line(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       same_line(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	a->lo = b->lo = pre - (pre < horizon ? pre : horizon);
	suf -= suf < horizon ? suf : horizon;
	a->hi = a->n - suf, b->hi = b->n - suf;
}

/* A line's class is the number of the first line with the same bytes (B's
 * lines numbered after A's), so that Myers compares integers. Table slots
 * hold part of the hash, to touch a line's bytes only on a likely match. */
struct slot {
	uint32_t tag, line;	/* line: 1 + number of the line, 0 = free */
};

/* Find or add the class of line I of side F. */
static long class_of(struct ctx *c, int f, long i, struct slot *slot,
		     size_t mask)
{
	long na = c->s[0].n, r;
	uint64_t h = c->s[f].hash[i];
	size_t k, len, rlen;
	const char *p = line_at(&c->s[f], i, &len), *q;

	for (k = h & mask; slot[k].line; k = (k + 1) & mask) {
		if (slot[k].tag != (uint32_t)(h >> 32))
			continue;
		r = (long)slot[k].line - 1;
		q = line_at(&c->s[r >= na], r >= na ? r - na : r, &rlen);
		if (rlen == len && same_bytes(p, q, len))
			return r;
	}
	r = f ? na + i : i;
	slot[k] = (struct slot){ (uint32_t)(h >> 32), (uint32_t)r + 1 };
	return r;
}

/* The table is too big for the caches: prefetching the slot of a line some
 * way ahead hides most of the misses (half the time on large texts). */
static void classify_side(struct ctx *c, int f, struct slot *slot,
			  size_t mask)
{
	struct side *s = &c->s[f];

	for (long i = s->lo; i < s->hi; i++) {
		if (s->hi - i > 16)
			__builtin_prefetch(&slot[s->hash[i + 16] & mask]);
		s->cls[i] = class_of(c, f, i, slot, mask);
	}
}

static int classify(struct ctx *c)
{
	size_t lines = (size_t)(c->s[0].hi - c->s[0].lo + c->s[1].hi - c->s[1].lo);
	size_t cap = 16;
	struct slot *slot;

	if ((size_t)(c->s[0].n + c->s[1].n) >= UINT32_MAX)
		return -1;
	while (cap < lines + lines / 2)
		cap *= 2;
	if (!(slot = calloc(cap, sizeof *slot)))
		return -1;
	for (int f = 0; f < 2; f++) {
		classify_side(c, f, slot, cap - 1);
		free(c->s[f].hash);
		c->s[f].hash = NULL;
	}
	free(slot);
	return 0;
}

/* Keep for Myers the lines of S whose class has bit OTHER in SEEN, noting
 * where each came from; the others are changed in every minimal diff. */
static int keep_side(struct side *s, const unsigned char *seen, int other,
		     long **v, long **where, long *n)
{
	*v = alloc_array((size_t)(s->hi - s->lo), sizeof **v);
	*where = alloc_array((size_t)(s->hi - s->lo), sizeof **where);
	if (!*v || !*where)
		return -1;
	for (long i = s->lo; i < s->hi; i++) {
		if (seen[s->cls[i]] & other)
			(*v)[*n] = s->cls[i], (*where)[(*n)++] = i;
		else
			s->chg[i] = 1;
	}
	return 0;
}

/* Set aside the lines whose bytes do not occur on the other side: this
 * keeps two unrelated texts linear, as in GNU diff. */
static int set_aside(struct ctx *c)
{
	unsigned char *seen = calloc((size_t)(c->s[0].n + c->s[1].n), 1);
	int rc;

	if (!seen)
		return -1;
	for (int f = 0; f < 2; f++)
		for (long i = c->s[f].lo; i < c->s[f].hi; i++)
			seen[c->s[f].cls[i]] |= (unsigned char)(1 << f);
	rc = keep_side(&c->s[0], seen, 2, &c->xv, &c->xr, &c->nx) |
	     keep_side(&c->s[1], seen, 1, &c->yv, &c->yr, &c->ny);
	free(seen);
	return rc;
}

/* Find the middle snake of X[x0,x1) against Y[y0,y1): run the forward and
 * the backward search one edit at a time until their furthest points meet
 * on a diagonal (k = x - y), and return a point of that snake: both halves
 * then cost at most half of the whole, so recursion stays O(log D) deep. */
static void mid_snake(const struct ctx *c, long x0, long x1, long y0, long y1,
		      long *xm, long *ym)
{
	const long *xv = c->xv, *yv = c->yv;
	long *fd = c->fd, *bd = c->bd, dmin = x0 - y1, dmax = x1 - y0;
	long fmin = x0 - y0, fmax = fmin, bmin = x1 - y1, bmax = bmin;
	int odd = (fmin - bmin) & 1;

	fd[fmin] = x0;
	bd[bmin] = x1;
	for (;;) {
		/* Widen each search by one diagonal per side, inside the box;
		 * a sentinel outside loses every comparison. */
		if (fmin > dmin)
			fd[--fmin - 1] = -1;
		else
			++fmin;
		if (fmax < dmax)
			fd[++fmax + 1] = -1;
		else
			--fmax;
		for (long k = fmax; k >= fmin; k -= 2) {
			long lo = fd[k - 1], hi = fd[k + 1];
			long x = lo >= hi ? lo + 1 : hi, y = x - k;
			while (x < x1 && y < y1 && xv[x] == yv[y])
				x++, y++;
			fd[k] = x;
			if (odd && bmin <= k && k <= bmax && bd[k] <= x) {
				*xm = x, *ym = y;
				return;
			}
		}
		if (bmin > dmin)
			bd[--bmin - 1] = LONG_MAX;
		else
			++bmin;
		if (bmax < dmax)
			bd[++bmax + 1] = LONG_MAX;
		else
			--bmax;
		for (long k = bmax; k >= bmin; k -= 2) {
			long lo = bd[k - 1], hi = bd[k + 1];
			long x = lo < hi ? lo : hi - 1, y = x - k;
			while (x > x0 && y > y0 && xv[x - 1] == yv[y - 1])
				x--, y--;
			bd[k] = x;
			if (!odd && fmin <= k && k <= fmax && x <= fd[k]) {
				*xm = x, *ym = y;
				return;
			}
		}
	}
}

/* Mark the lines of a minimal diff of X[x0,x1) against Y[y0,y1). */
static void compare(struct ctx *c, long x0, long x1, long y0, long y1)
{
	long xm, ym;

	while (x0 < x1 && y0 < y1 && c->xv[x0] == c->yv[y0])
		x0++, y0++;
	while (x0 < x1 && y0 < y1 && c->xv[x1 - 1] == c->yv[y1 - 1])
		x1--, y1--;
	if (x0 == x1) {
		while (y0 < y1)
			c->s[1].chg[c->yr[y0++]] = 1;
	} else if (y0 == y1) {
		while (x0 < x1)
			c->s[0].chg[c->xr[x0++]] = 1;
	} else {
		mid_snake(c, x0, x1, y0, y1, &xm, &ym);
		compare(c, x0, xm, y0, ym);
		compare(c, xm, x1, ym, y1);
	}
}

/* GAP[r] = 1 when changed lines of S come just before its r-th unchanged
 * line (r = number of unchanged lines: before the end). */
static void gaps(const struct side *s, char *gap)
{
	long r = 0;
	char pending = 0;

	for (long i = s->lo; i < s->hi; i++) {
		if (s->chg[i]) {
			pending = 1;
		} else {
			gap[r++] = pending;
			pending = 0;
		}
	}
	gap[r] = pending;
}

/* A run of changed lines can often slide: "x a [a x]" = "x [a x] a". Like
 * GNU diff, slide each run up then down as far as it goes, merging with the
 * runs it meets, then back up to the lowest place where it faces a change
 * in the other text (so a replacement reads as one change), or stay at the
 * bottom. GAP is gaps() of the other text. */
static void slide_runs(struct side *s, const char *gap)
{
	char *chg = s->chg;
	const long *cls = s->cls;
	long i = s->lo, r = 0, start, end, len, u;

	while (i < s->hi) {
		if (!chg[i]) {
			i++, r++;
			continue;
		}
		for (start = end = i; chg[end]; end++)
			;
		do {
			len = end - start;
			while (start > s->lo && cls[start - 1] == cls[end - 1]) {
				chg[--start] = 1, chg[--end] = 0, r--;
				while (chg[start - 1])
					start--;
			}
			while (end < s->hi && cls[start] == cls[end]) {
				chg[start++] = 0, chg[end++] = 1, r++;
				while (chg[end])
					end++;
			}
		} while (end - start != len);
		for (u = 0; !gap[r - u]; u++)
			if (start - u == s->lo ||
			    cls[start - u - 1] != cls[end - u - 1])
				break;
		if (gap[r - u])
			for (; u > 0; u--, r--)
				chg[--start] = 1, chg[--end] = 0;
		i = end;
	}
}

static int slide(struct ctx *c)
{
	long n = c->s[0].n > c->s[1].n ? c->s[0].n : c->s[1].n;
	char *gap = malloc((size_t)n + 1);

	if (!gap)
		return -1;
	gaps(&c->s[1], gap);
	slide_runs(&c->s[0], gap);
	gaps(&c->s[0], gap);
	slide_runs(&c->s[1], gap);
	free(gap);
	return 0;
}

/* From lines *I of A and *J of B on, find the next change; 0 when none. */
static int next_change(const struct ctx *c, long *i, long *j,
		       struct change *ch)
{
	const char *ca = c->s[0].chg, *cb = c->s[1].chg;

	while (*i < c->s[0].n && !ca[*i] && !cb[*j])
		++*i, ++*j;
	if (*i >= c->s[0].n && *j >= c->s[1].n)
		return 0;
	for (ch->a0 = *i; ca[*i]; ++*i)
		;
	for (ch->b0 = *j; cb[*j]; ++*j)
		;
	ch->a1 = *i, ch->b1 = *j;
	return 1;
}

static void put_line(struct buf *out, const struct side *s, long i, char mark,
		     const char *color)
{
	const char *p = s->t + s->off[i];
	size_t len = s->off[i + 1] - s->off[i];
	int nl = len && p[len - 1] == '\n';

	if (color)
		buf_puts(out, color);
	buf_add(out, &mark, 1);
	buf_add(out, p, len - (size_t)nl);
	buf_puts(out, color ? "\033[0m\n" : "\n");
	if (!nl)
		buf_puts(out, "\\ No newline at end of file\n");
}

/* GNU's range: "l" for one line, "l,n" for more, and for none the line
 * before the gap ("0,0" for an empty text), which patch relies on. */
static void put_range(struct buf *out, long start, long count)
{
	if (count == 1)
		buf_printf(out, "%ld", start + 1);
	else if (count == 0)
		buf_printf(out, "%ld,0", start);
	else
		buf_printf(out, "%ld,%ld", start + 1, count);
}

/* Print the hunk made of changes FIRST up to LAST (LAST ends it). */
static void put_hunk(const struct ctx *c, const struct change *first,
		     const struct change *last, long ctxl, int color,
		     struct buf *out)
{
	const struct side *a = &c->s[0], *b = &c->s[1];
	long a0 = first->a0 > ctxl ? first->a0 - ctxl : 0;
	long a1 = a->n - last->a1 > ctxl ? last->a1 + ctxl : a->n;
	long b0 = first->b0 - (first->a0 - a0), b1 = last->b1 + (a1 - last->a1);
	long i = first->a0, j = first->b0, k;
	struct change ch;

	buf_puts(out, color ? "\033[36m@@ -" : "@@ -");
	put_range(out, a0, a1 - a0);
	buf_puts(out, " +");
	put_range(out, b0, b1 - b0);
	buf_puts(out, color ? " @@\033[0m\n" : " @@\n");
	for (k = a0; k < first->a0; k++)
		put_line(out, a, k, ' ', NULL);
	while (next_change(c, &i, &j, &ch)) {
		for (; k < ch.a0; k++)
			put_line(out, a, k, ' ', NULL);
		for (k = ch.a0; k < ch.a1; k++)
			put_line(out, a, k, '-', color ? "\033[31m" : NULL);
		for (long m = ch.b0; m < ch.b1; m++)
			put_line(out, b, m, '+', color ? "\033[32m" : NULL);
		if (ch.a0 == last->a0)
			break;
	}
	for (; k < a1; k++)
		put_line(out, a, k, ' ', NULL);
}

/* Group changes into hunks: two changes share a hunk when at most
 * 2 * CONTEXT unchanged lines separate them (their contexts touch). */
static void put_hunks(const struct ctx *c, long ctxl, int color,
		      struct buf *out)
{
	long i = 0, j = 0, ti, tj;
	struct change first, last, ch;

	while (next_change(c, &i, &j, &first)) {
		last = first;
		ti = i, tj = j;
		while (next_change(c, &ti, &tj, &ch) &&
		       ch.a0 - last.a1 - ctxl <= ctxl)
			last = ch;
		put_hunk(c, &first, &last, ctxl, color, out);
		i = last.a1, j = last.b1;
	}
}

static void put_label(struct buf *out, const char *mark, const char *label,
		      int color)
{
	buf_puts(out, color ? "\033[1m" : "");
	buf_printf(out, "%s %s", mark, label);
	buf_puts(out, color ? "\033[0m\n" : "\n");
}

static void ctx_free(struct ctx *c)
{
	for (int f = 0; f < 2; f++) {
		free(c->s[f].off);
		free(c->s[f].hash);
		free(c->s[f].cls);
		free(c->s[f].chg ? c->s[f].chg - 1 : NULL);
	}
	free(c->xv);
	free(c->yv);
	free(c->xr);
	free(c->yr);
	free(c->fd ? c->fd - c->ny - 1 : NULL);
}

/* Everything up to the final changed flags; -1 when out of memory. */
static int analyse(struct ctx *c, const char *a, size_t alen, const char *b,
		   size_t blen, long horizon)
{
	if (side_split(&c->s[0], a, alen) < 0 ||
	    side_split(&c->s[1], b, blen) < 0)
		return -1;
	trim_ends(c, horizon);
	if (classify(c) < 0 || set_aside(c) < 0)
		return -1;
	/* One block for both searches: diagonals -ny-1 .. nx+1 each. */
	c->fd = alloc_array(2 * ((size_t)(c->nx + c->ny) + 3), sizeof *c->fd);
	if (!c->fd)
		return -1;
	c->fd += c->ny + 1;
	c->bd = c->fd + c->nx + c->ny + 3;
	compare(c, 0, c->nx, 0, c->ny);
	return slide(c);
}

int diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		 const char *label_a, const char *label_b, unsigned context,
		 int color, struct buf *out, struct diff_stats *st)
{
	struct ctx c = { 0 };
	struct diff_stats s = { 0, 0 };
	int rc = -1;

	if (st)
		*st = s;
	if (alen == blen && (!alen || !memcmp(a, b, alen)))
		return 0;
	if (analyse(&c, alen ? a : "", alen, blen ? b : "", blen,
		    (long)context) < 0)
		goto done;
	for (long i = 0; i < c.s[0].n; i++)
		s.removed += (size_t)c.s[0].chg[i];
	for (long i = 0; i < c.s[1].n; i++)
		s.added += (size_t)c.s[1].chg[i];
	if (st)
		*st = s;
	put_label(out, "---", label_a, color);
	put_label(out, "+++", label_b, color);
	put_hunks(&c, (long)context, color, out);
	rc = out->oom ? -1 : 1;
done:
	ctx_free(&c);
	return rc;
}
