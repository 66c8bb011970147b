/* diff_print.c - printing the changes diff.c found as unified-diff hunks,
 * exactly as GNU diff -u prints them. */
#include "diff_int.h"

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
		     int color)
{
	size_t len;
	const char *p = diff_line_at(s, i, &len);
	int nl = len && p[len - 1] == '\n';

	color = color && mark != ' ';
	if (color)
		buf_puts(out, mark == '-' ? "\033[31m" : "\033[32m");
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
	else
		buf_printf(out, "%ld,%ld", count ? start + 1 : start, count);
}

/* Print the hunk made of the changes from FIRST to LAST. */
static void put_hunk(const struct ctx *c, const struct change *first,
		     const struct change *last, long ctxl, int color,
		     struct buf *out)
{
	const struct side *a = &c->s[0];
	long a0 = first->a0 > ctxl ? first->a0 - ctxl : 0;
	long a1 = a->n - last->a1 > ctxl ? last->a1 + ctxl : a->n;
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
			put_line(out, a, k, ' ', color);
		for (; k < ch.a1; k++)
			put_line(out, a, k, '-', color);
		for (long m = ch.b0; m < ch.b1; m++)
			put_line(out, &c->s[1], m, '+', color);
		if (ch.a0 == last->a0)
			break;
	}
	for (; k < a1; k++)
		put_line(out, a, k, ' ', color);
}

/* Two changes share a hunk when at most 2 * CONTEXT unchanged lines part
 * them, that is when their contexts touch. */
void diff_put_hunks(const struct ctx *c, long ctxl, int color, struct buf *out)
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

