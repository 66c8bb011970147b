/* splice.c - an earlier INI's records with today's [dnsdrop] settings. */
#include "splice.h"

#include <string.h>

/* 1 when the line [P, END) is a section header, *IS_SET when it is
 * [dnsdrop] (inih's rule: the first non-blank byte is '['). */
static int header(const char *p, const char *end, int *is_set)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '[')
		return 0;
	*is_set = end - p >= 9 && memcmp(p, "[dnsdrop]", 9) == 0;
	return 1;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

/* CUR's [dnsdrop] section into OUT, ending in a newline. */
static void put_settings(const char *cur, size_t cur_len, struct buf *out)
{
	const char *p = cur, *end = cur + cur_len, *e;
	int in = 0, is_set = 0;

	for (; p < end; p = e) {
		e = line_end(p, end);
		if (header(p, e, &is_set))
			in = is_set;
		if (in)
			buf_add(out, p, (size_t)(e - p));
	}
	if (out->len && out->p[out->len - 1] != '\n')
		buf_add(out, "\n", 1);
}

void splice_settings(const char *old, size_t old_len, const char *cur, size_t cur_len,
		     struct buf *out)
{
	const char *p = old, *end = old + old_len, *e;
	int in = 0, is_set = 0, done = 0;

	for (; p < end; p = e) {
		e = line_end(p, end);
		if (header(p, e, &is_set)) {
			in = is_set;
			if (in && !done) {
				put_settings(cur, cur_len, out);
				done = 1;
			}
		}
		if (!in)
			buf_add(out, p, (size_t)(e - p));
	}
	if (!done) {
		if (out->len && out->p[out->len - 1] != '\n')
			buf_add(out, "\n", 1);
		put_settings(cur, cur_len, out);
	}
	if (!out->p)
		buf_add(out, "", 0);
}
