/* diff.c - unified diff. Lines are hashed into equivalence classes; lines
 * found in one text only are set aside (they can never match); Myers' O(ND)
 * algorithm in its linear-space form (divide at the "middle snake") marks
 * the rest; changed runs are then slid the way GNU diff slides them, so the
 * output agrees with `diff -u` byte for byte. Reference: E. Myers, "An O(ND)
 * Difference Algorithm and Its Variations", Algorithmica 1 (1986). */
#include "diff.h"
#include "diff_int.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ONES 0x0101010101010101u

static void *alloc_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return malloc(n && size ? n * size : 1);
}

/* Find the end of the line at P (after its '\n', or END) and hash it in the
 * same pass over 8-byte words: the first word holding a '\n' (the exact
 * zero-byte test, on the word xor "\n\n\n\n\n\n\n\n") ends the fast loop.
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
	for (w = 0; p < end && k < 8;) {
		w |= (uint64_t)(unsigned char)*p << (8 * k++);
		if (*p++ == '\n')
			break;
	}
	h = (h ^ w ^ k) * 0xc4ceb9fe1a85ec53u;
	h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdu;
	*hash = h ^ (h >> 33);
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
	size_t n = 0, cap = len / 32 + 16;
	struct line *ln;

	s->t = t;
	if (!(s->ln = alloc_array(cap, sizeof *s->ln)))
		return -1;
	for (; p < end; n++) {
		if (n + 1 == cap) {
			if (cap > SIZE_MAX / 64 ||
			    !(ln = realloc(s->ln, 2 * cap * sizeof *ln)))
				return -1;
			s->ln = ln, cap *= 2;
		}
		s->ln[n].start = (size_t)(p - t);
		p = line_scan(p, end, &s->ln[n].hash);
	}
	s->ln[n].start = len;
	s->n = (long)n;
	s->cls = alloc_array(n, sizeof *s->cls);
	if ((s->chg = calloc(n + 2, 1)))
		s->chg++;
	return s->cls && s->chg ? 0 : -1;
}

const char *diff_line_at(const struct side *s, long i, size_t *len)
{
	*len = s->ln[i + 1].start - s->ln[i].start;
	return s->t + s->ln[i].start;
}

static int same_line(const struct side *a, long i, const struct side *b,
		     long j)
{
	size_t alen, blen;
	const char *p = diff_line_at(a, i, &alen), *q = diff_line_at(b, j, &blen);

	return a->ln[i].hash == b->ln[j].hash && alen == blen &&
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
 * lines numbered after A's), so that Myers compares integers. A slot keeps
 * part of the hash, so a line's bytes are read only on a likely match. */
struct slot {
	uint32_t tag, line;	/* line: 1 + number of the line, 0 = free */
};

/* The first slot to look at for hash H in a table of CAP slots (the
 * high half of the product: no division, any CAP). */
static size_t slot_of(uint64_t h, size_t cap)
{
	return (size_t)(((h & 0xffffffffu) * cap) >> 32);
}

static uint32_t class_of(struct ctx *c, int f, long i, struct slot *slot,
			 size_t cap)
{
	long na = c->s[0].n, r;
	uint64_t h = c->s[f].ln[i].hash;
	size_t k, len, rlen;
	const char *p = diff_line_at(&c->s[f], i, &len), *q;

	for (k = slot_of(h, cap); slot[k].line; k = k + 1 < cap ? k + 1 : 0) {
		if (slot[k].tag != (uint32_t)(h >> 32))
			continue;
		r = (long)slot[k].line - 1;
		q = diff_line_at(&c->s[r >= na], r >= na ? r - na : r, &rlen);
		if (rlen == len && same_bytes(p, q, len))
			return (uint32_t)r;
	}
	r = f ? na + i : i;
	slot[k] = (struct slot){ (uint32_t)(h >> 32), (uint32_t)r + 1 };
	return (uint32_t)r;
}

/* The table outgrows the caches on large texts: fetching the slot of a
 * line 16 lines ahead hides most of the misses. Classes and line numbers
 * are kept in 32 bits: less memory to touch (page faults cost as much). */
static int classify(struct ctx *c)
{
	size_t lines = (size_t)(c->s[0].hi - c->s[0].lo) +
		       (size_t)(c->s[1].hi - c->s[1].lo);
	size_t cap = lines + lines / 2 + 16;
	struct slot *slot;

	if ((size_t)c->s[0].n + (size_t)c->s[1].n >= INT32_MAX)
		return -1;
	if (!(slot = calloc(cap, sizeof *slot)))
		return -1;
	for (int f = 0; f < 2; f++) {
		struct side *s = &c->s[f];
		for (long i = s->lo; i < s->hi; i++) {
			long k = i + 16 < s->hi ? i + 16 : i;
			size_t ahead = slot_of(s->ln[k].hash, cap);

			__builtin_prefetch(&slot[ahead]);
			s->cls[i] = class_of(c, f, i, slot, cap);
		}
	}
	free(slot);
	return 0;
}

/* Hand Myers the lines of S whose class has bit OTHER in SEEN, with where
 * each came from; mark the others changed. */
static long keep_side(struct side *s, const unsigned char *seen, int other,
		      uint32_t *v, uint32_t *where)
{
	long n = 0;

	for (long i = s->lo; i < s->hi; i++) {
		if (seen[s->cls[i]] & other)
			v[n] = s->cls[i], where[n++] = (uint32_t)i;
		else
			s->chg[i] = 1;
	}
	return n;
}

/* A line whose bytes do not occur on the other side is changed in every
 * diff: setting it aside keeps two unrelated texts linear, as in GNU diff. */
static int set_aside(struct ctx *c)
{
	size_t na = (size_t)(c->s[0].hi - c->s[0].lo);
	size_t nb = (size_t)(c->s[1].hi - c->s[1].lo);
	unsigned char *seen = calloc((size_t)(c->s[0].n + c->s[1].n) + 1, 1);

	c->xv = alloc_array(2 * (na + nb), sizeof *c->xv);
	if (!seen || !c->xv) {
		free(seen);
		return -1;
	}
	c->xr = c->xv + na, c->yv = c->xr + na, c->yr = c->yv + nb;
	for (int f = 0; f < 2; f++)
		for (long i = c->s[f].lo; i < c->s[f].hi; i++)
			seen[c->s[f].cls[i]] |= (unsigned char)(1 << f);
	c->nx = keep_side(&c->s[0], seen, 2, c->xv, c->xr);
	c->ny = keep_side(&c->s[1], seen, 1, c->yv, c->yr);
	free(seen);
	return 0;
}

/* Widen a search by one diagonal each way, staying in [DMIN, DMAX]; the
 * new neighbour outside gets OUT, which loses every comparison. */
static void widen(long *v, long *min, long *max, long dmin, long dmax,
		  long out)
{
	if (*min > dmin)
		v[--*min - 1] = out;
	else
		++*min;
	if (*max < dmax)
		v[++*max + 1] = out;
	else
		--*max;
}

/* After C->limit edits without a meeting, settle for the point furthest
 * from its corner that either search reached, as GNU diff does: the diff
 * stays right, perhaps longer than minimal, and the time stays bounded
 * (O((N + M) * limit) per level) for texts with thousands of changes. */
static int furthest(const struct ctx *c, const struct box *b, long fmin,
		    long fmax, long bmin, long bmax, long *xm, long *ym)
{
	long best = 0, x, y;

	for (long k = fmin; k <= fmax; k += 2) {
		x = c->fd[k], y = x - k;
		if (x <= b->x1 && y <= b->y1 && x + y < b->x1 + b->y1 &&
		    x + y - b->x0 - b->y0 > best)
			best = x + y - b->x0 - b->y0, *xm = x, *ym = y;
	}
	for (long k = bmin; k <= bmax; k += 2) {
		x = c->bd[k], y = x - k;
		if (x >= b->x0 && y >= b->y0 && x + y > b->x0 + b->y0 &&
		    b->x1 + b->y1 - x - y > best)
			best = b->x1 + b->y1 - x - y, *xm = x, *ym = y;
	}
	return best > 0;
}

/* Find the middle snake of box B: run the forward and the backward search
 * one edit at a time until their furthest points meet on a diagonal
 * (k = x - y), and return a point of that snake: both halves then cost at
 * most half of the whole, so recursion stays O(log D) deep. Diagonals are
 * scanned from the top down, as GNU diff does: of several meeting points
 * it takes the same one. */
static void mid_snake(const struct ctx *c, const struct box *b, long *xm,
		      long *ym)
{
	const uint32_t *xv = c->xv, *yv = c->yv;
	long *fd = c->fd, *bd = c->bd, dmin = b->x0 - b->y1;
	long dmax = b->x1 - b->y0, fmin = b->x0 - b->y0, fmax = fmin;
	long bmin = b->x1 - b->y1, bmax = bmin;
	int odd = (fmin - bmin) & 1;

	fd[fmin] = b->x0;
	bd[bmin] = b->x1;
	for (long d = 1;; d++) {
		widen(fd, &fmin, &fmax, dmin, dmax, -1);
		for (long k = fmax; k >= fmin; k -= 2) {
			long lo = fd[k - 1], hi = fd[k + 1];
			long x = lo >= hi ? lo + 1 : hi, y = x - k;
			while (x < b->x1 && y < b->y1 && xv[x] == yv[y])
				x++, y++;
			fd[k] = x;
			if (odd && bmin <= k && k <= bmax && bd[k] <= x) {
				*xm = x, *ym = y;
				return;
			}
		}
		widen(bd, &bmin, &bmax, dmin, dmax, LONG_MAX);
		for (long k = bmax; k >= bmin; k -= 2) {
			long lo = bd[k - 1], hi = bd[k + 1];
			long x = lo < hi ? lo : hi - 1, y = x - k;
			while (x > b->x0 && y > b->y0 && xv[x - 1] == yv[y - 1])
				x--, y--;
			bd[k] = x;
			if (!odd && fmin <= k && k <= fmax && x <= fd[k]) {
				*xm = x, *ym = y;
				return;
			}
		}
		if (d >= c->limit &&
		    furthest(c, b, fmin, fmax, bmin, bmax, xm, ym))
			return;
	}
}

/* Mark the lines of a minimal diff (but see furthest) of X[x0,x1) against
 * Y[y0,y1). */
static void compare(struct ctx *c, long x0, long x1, long y0, long y1)
{
	long xm, ym;

	while (x0 < x1 && y0 < y1 && c->xv[x0] == c->yv[y0])
		x0++, y0++;
	while (x0 < x1 && y0 < y1 && c->xv[x1 - 1] == c->yv[y1 - 1])
		x1--, y1--;
	if (x0 < x1 && y0 < y1) {
		mid_snake(c, &(struct box){ x0, x1, y0, y1 }, &xm, &ym);
		compare(c, x0, xm, y0, ym);
		compare(c, xm, x1, ym, y1);
		return;
	}
	while (x0 < x1)
		c->s[0].chg[c->xr[x0++]] = 1;
	while (y0 < y1)
		c->s[1].chg[c->yr[y0++]] = 1;
}

/* GAP[r] = 1 when changed lines of S come just before its r-th unchanged
 * line of the region (r = their number: before the region's end). */
static char *gaps(const struct side *s, char *gap)
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
	return gap;
}

/* A run of changed lines can often slide: "x a [a x]" = "x [a x] a". Like
 * GNU diff, slide each run up then down as far as it goes, merging with the
 * runs it meets, then back up to the lowest place where it faces a change
 * in the other text (a replacement reads as one change), or stay at the
 * bottom. GAP is gaps() of the other text; R counts unchanged lines. */
static void slide_runs(struct side *s, const char *gap)
{
	char *chg = s->chg;
	const uint32_t *cls = s->cls;
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
			while (start > s->lo &&
			       cls[start - 1] == cls[end - 1]) {
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
	slide_runs(&c->s[0], gaps(&c->s[1], gap));
	slide_runs(&c->s[1], gaps(&c->s[0], gap));
	free(gap);
	return 0;
}

static void ctx_free(struct ctx *c)
{
	for (int f = 0; f < 2; f++) {
		free(c->s[f].ln);
		free(c->s[f].cls);
		free(c->s[f].chg ? c->s[f].chg - 1 : NULL);
	}
	free(c->xv);
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
	/* GNU's bound: about the square root of the size, at least 4096. */
	c->limit = 4096;
	while (c->limit * c->limit < c->nx + c->ny)
		c->limit *= 2;
	compare(c, 0, c->nx, 0, c->ny);
	return slide(c);
}

int diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		 const char *label_a, const char *label_b, unsigned context,
		 int color, struct buf *out, struct diff_stats *st)
{
	const char *bold = color ? "\033[1m" : "";
	const char *end = color ? "\033[0m" : "";
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
	buf_printf(out, "%s--- %s%s\n%s+++ %s%s\n", bold, label_a, end, bold,
		   label_b, end);
	diff_put_hunks(&c, (long)context, color, out);
	rc = out->oom ? -1 : 1;
done:
	ctx_free(&c);
	return rc;
}
