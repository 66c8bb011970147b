/* diff.c - unified diff: Myers' O(ND) algorithm in its linear-space form
 * (divide at the "middle snake"), then the hunks in `diff -u` format.
 * Reference: E. Myers, "An O(ND) Difference Algorithm and Its Variations",
 * Algorithmica 1 (1986). */
#include "diff.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* One line: its bytes with its '\n', if any (so a last line without one
 * never equals the same line with one, as in GNU diff), and a hash that
 * spares most byte comparisons. */
struct line {
	const char *p;
	size_t len;
	uint32_t hash;
};

struct side {
	struct line *ln;
	long n;
	char *chg;		/* 1 = changed; n + 1 of them, chg[n] = 0 */
};

struct ctx {
	struct side a, b;
	long *fd, *bd;		/* furthest x per diagonal, forward and back */
};

static int side_split(struct side *s, const char *t, size_t len)
{
	const char *p = t, *end = t + len, *nl;
	long n = 0;

	for (const char *q = t; q < end && (nl = memchr(q, '\n', (size_t)(end - q))); q = nl + 1)
		n++;
	n += len && t[len - 1] != '\n';
	if (n >= INT32_MAX / 4)
		return -1;
	s->n = n;
	s->ln = malloc(((size_t)n + 1) * sizeof *s->ln);
	s->chg = calloc((size_t)n + 1, 1);
	if (!s->ln || !s->chg)
		return -1;
	for (long i = 0; i < n; i++) {
		struct line *l = &s->ln[i];
		uint32_t h = 2166136261u;	/* FNV-1a */

		nl = memchr(p, '\n', (size_t)(end - p));
		l->p = p, l->len = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
		for (size_t k = 0; k < l->len; k++)
			h = (h ^ (unsigned char)p[k]) * 16777619u;
		l->hash = h;
		p += l->len;
	}
	return 0;
}

static int same(const struct ctx *c, long x, long y)
{
	const struct line *u = &c->a.ln[x], *v = &c->b.ln[y];

	return u->hash == v->hash && u->len == v->len && !memcmp(u->p, v->p, u->len);
}

/* Widen a search by one diagonal each way, staying in [DMIN, DMAX]; the
 * new neighbour outside gets OUT, which loses every comparison. */
static void widen(long *v, long *min, long *max, long dmin, long dmax, long out)
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

/* Find the middle snake of A[x0,x1) against B[y0,y1): run the forward and
 * the backward search one edit at a time until their furthest points meet
 * on a diagonal (k = x - y), and return a point of that snake: both halves
 * then cost at most half of the whole, so recursion stays O(log D) deep. */
static void mid_snake(const struct ctx *c, long x0, long x1, long y0, long y1, long *xm,
		      long *ym)
{
	long *fd = c->fd, *bd = c->bd, dmin = x0 - y1, dmax = x1 - y0;
	long fmin = x0 - y0, fmax = fmin, bmin = x1 - y1, bmax = bmin;
	int odd = (fmin - bmin) & 1;

	fd[fmin] = x0;
	bd[bmin] = x1;
	for (;;) {
		widen(fd, &fmin, &fmax, dmin, dmax, -1);
		for (long k = fmax; k >= fmin; k -= 2) {
			long x = fd[k - 1] >= fd[k + 1] ? fd[k - 1] + 1 : fd[k + 1], y = x - k;
			while (x < x1 && y < y1 && same(c, x, y))
				x++, y++;
			fd[k] = x;
			if (odd && bmin <= k && k <= bmax && bd[k] <= x) {
				*xm = x, *ym = y;
				return;
			}
		}
		widen(bd, &bmin, &bmax, dmin, dmax, LONG_MAX);
		for (long k = bmax; k >= bmin; k -= 2) {
			long x = bd[k - 1] < bd[k + 1] ? bd[k - 1] : bd[k + 1] - 1, y = x - k;
			while (x > x0 && y > y0 && same(c, x - 1, y - 1))
				x--, y--;
			bd[k] = x;
			if (!odd && fmin <= k && k <= fmax && x <= fd[k]) {
				*xm = x, *ym = y;
				return;
			}
		}
	}
}

/* Mark the lines of a minimal diff of A[x0,x1) against B[y0,y1). */
static void compare(struct ctx *c, long x0, long x1, long y0, long y1)
{
	long xm, ym;

	while (x0 < x1 && y0 < y1 && same(c, x0, y0))
		x0++, y0++;
	while (x0 < x1 && y0 < y1 && same(c, x1 - 1, y1 - 1))
		x1--, y1--;
	if (x0 < x1 && y0 < y1) {
		mid_snake(c, x0, x1, y0, y1, &xm, &ym);
		compare(c, x0, xm, y0, ym);
		compare(c, xm, x1, ym, y1);
		return;
	}
	while (x0 < x1)
		c->a.chg[x0++] = 1;
	while (y0 < y1)
		c->b.chg[y0++] = 1;
}

/* A change replaces A[a0,a1) with B[b0,b1). */
struct change {
	long a0, a1, b0, b1;
};

/* From lines *I of A and *J of B on, find the next change; 0 when none. */
static int next_change(const struct ctx *c, long *i, long *j, struct change *ch)
{
	while (*i < c->a.n && !c->a.chg[*i] && !c->b.chg[*j])
		++*i, ++*j;
	if (*i >= c->a.n && *j >= c->b.n)
		return 0;
	for (ch->a0 = *i; c->a.chg[*i]; ++*i)
		;
	for (ch->b0 = *j; c->b.chg[*j]; ++*j)
		;
	ch->a1 = *i, ch->b1 = *j;
	return 1;
}

static void put_line(struct buf *out, const struct line *l, char mark, int color)
{
	int nl = l->len && l->p[l->len - 1] == '\n';

	color = color && mark != ' ';
	if (color)
		buf_puts(out, mark == '-' ? "\033[31m" : "\033[32m");
	buf_add(out, &mark, 1);
	buf_add(out, l->p, l->len - (size_t)nl);
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
	else
		buf_printf(out, "%ld,%ld", count ? start + 1 : start, count);
}

/* Print the hunk made of the changes from FIRST to LAST. */
static void put_hunk(const struct ctx *c, const struct change *first, const struct change *last,
		     long ctxl, int color, struct buf *out)
{
	long a0 = first->a0 > ctxl ? first->a0 - ctxl : 0;
	long a1 = c->a.n - last->a1 > ctxl ? last->a1 + ctxl : c->a.n;
	long b0 = first->b0 - (first->a0 - a0), b1 = last->b1 + (a1 - last->a1);
	long i = first->a0, j = first->b0, k = a0;
	struct change ch;

	buf_puts(out, color ? "\033[36m@@ -" : "@@ -");
	put_range(out, a0, a1 - a0);
	buf_puts(out, " +");
	put_range(out, b0, b1 - b0);
	buf_puts(out, color ? " @@\033[0m\n" : " @@\n");
	while (next_change(c, &i, &j, &ch)) {
		for (; k < ch.a0; k++)
			put_line(out, &c->a.ln[k], ' ', color);
		for (; k < ch.a1; k++)
			put_line(out, &c->a.ln[k], '-', color);
		for (long m = ch.b0; m < ch.b1; m++)
			put_line(out, &c->b.ln[m], '+', color);
		if (ch.a0 == last->a0)
			break;
	}
	for (; k < a1; k++)
		put_line(out, &c->a.ln[k], ' ', color);
}

/* Two changes share a hunk when at most 2 * CONTEXT unchanged lines part
 * them, that is when their contexts touch. */
static void put_hunks(const struct ctx *c, long ctxl, int color, struct buf *out)
{
	long i = 0, j = 0, ti, tj;
	struct change first, last, ch;

	while (next_change(c, &i, &j, &first)) {
		last = first;
		ti = i, tj = j;
		while (next_change(c, &ti, &tj, &ch) && ch.a0 - last.a1 - ctxl <= ctxl)
			last = ch;
		put_hunk(c, &first, &last, ctxl, color, out);
		i = last.a1, j = last.b1;
	}
}

/* Count the changed lines of S into *ALL, the records among them into *REC. */
static void count(const struct side *s, size_t *all, size_t *rec)
{
	for (long i = 0; i < s->n; i++)
		if (s->chg[i]) {
			const struct line *l = &s->ln[i];	/* its '\n' included */

			++*all;
			*rec += (size_t)render_is_record(l->p, l->len - (l->len && l->p[l->len - 1] == '\n'));
		}
}

int diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		 const char *label_a, const char *label_b, unsigned context,
		 int color, struct buf *out, struct diff_stats *st)
{
	const char *bold = color ? "\033[1m" : "", *end = color ? "\033[0m" : "";
	struct ctx c = { 0 };
	struct diff_stats s = { 0 };
	int rc = -1;

	if (st)
		*st = s;
	if (alen == blen && (!alen || !memcmp(a, b, alen)))
		return 0;
	if (side_split(&c.a, alen ? a : "", alen) < 0 || side_split(&c.b, blen ? b : "", blen) < 0)
		goto done;
	/* One block for both searches: diagonals -b.n-1 .. a.n+1 each. */
	if (!(c.fd = malloc(2 * ((size_t)(c.a.n + c.b.n) + 3) * sizeof *c.fd)))
		goto done;
	c.fd += c.b.n + 1;
	c.bd = c.fd + c.a.n + c.b.n + 3;
	compare(&c, 0, c.a.n, 0, c.b.n);
	count(&c.a, &s.removed, &s.removed_records);
	count(&c.b, &s.added, &s.added_records);
	if (st)
		*st = s;
	buf_printf(out, "%s--- %s%s\n%s+++ %s%s\n", bold, label_a, end, bold, label_b, end);
	put_hunks(&c, (long)context, color, out);
	rc = out->oom ? -1 : 1;
done:
	free(c.a.ln), free(c.a.chg), free(c.b.ln), free(c.b.chg);
	free(c.fd ? c.fd - c.b.n - 1 : NULL);
	return rc;
}
