/* dnsconf.c - dnsmasq 2.90's line reader. Inside "..." the escapes \\ \"
 * \t \n \e \b \r are decoded and the characters an option parser splits on
 * are "hidden" (mapped to control bytes), so that a quoted comma separates
 * nothing and a quoted address is read as a name; outside quotes, '#' at
 * the start or after a blank begins a comment (one right after a closing
 * quote does too, when a blank came before the quote). */
#include "dnsconf.h"

#include <string.h>

/* dnsmasq's hiding table: a hidden character is the byte of its index. */
static const char meta[] = "\0" "123456 \b\t\n78\r90abcdefABCDE\033F:,.";

static char hide(char c)
{
	const char *m = memchr(meta, c, sizeof meta - 1);

	return m ? (char)(m - meta) : c;
}

void dnsconf_unhide(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < sizeof meta - 1)
			*s = meta[(unsigned char)*s];
}

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* S read in place as dnsmasq reads a line: 0, or -1 when a quote is not
 * closed. The character after a closing quote is never itself a quote. */
static int lex(char *s)
{
	/* \\ \" \t \n \e \b \r and what each stands for, 8 bytes on */
	static const char esc[] = "\\\"tnebr\0\\\"\t\n\033\b\r";
	char *r = s, *w = s, c;
	const char *e;
	int white = 1;

	while (*r) {
		if (*r == '"') {
			for (r++; *r && *r != '"'; r++) {
				c = *r;
				if (c == '\\' && r[1] && (e = strchr(esc, r[1])))
					c = esc[e - esc + 8], r++;
				*w++ = hide(c);
			}
			if (!*r++)
				return -1;
			if (!*r)
				break;
		}
		c = *r++;
		if (is_space(c)) {
			c = ' ';
			white = 1;
		} else if (white && c == '#') {
			break;
		} else {
			white = 0;
		}
		*w++ = c;
	}
	*w = '\0';
	return 0;
}

/* "option = arg" of a lexed line: *NAME NULL for a blank line, *ARG NULL
 * when there is no '='. Blanks around '=' and at both ends are dropped. */
static void split_option(char *s, char **name, char **arg)
{
	char *p;

	while (*s == ' ')
		s++;
	for (p = s + strlen(s); p > s && p[-1] == ' ';)
		*--p = '\0';
	*name = *s ? s : NULL;
	*arg = NULL;
	if (!(p = strchr(s, '=')))
		return;
	for (*arg = p + 1; **arg == ' ';)
		(*arg)++;
	for (; p >= s && (*p == ' ' || *p == '='); p--)
		*p = '\0';
}

int dnsconf_next(struct dnsconf *r)
{
	const char *p = r->text + r->pos, *nl;
	size_t left = r->len - r->pos, n;

	if (r->pos >= r->len)
		return 0;
	nl = memchr(p, '\n', left);
	n = (size_t)((nl ? nl : p + left) - p);
	r->pos += n + (nl != NULL);
	if (r->pieces && n >= DNSCONF_LINE_MAX) {
		n = DNSCONF_LINE_MAX;	/* fgets(1025): the rest is the next line */
		r->pos = (size_t)(p - r->text) + n;
	}
	r->line++;
	r->raw = p;
	r->rawlen = n;
	r->name = r->arg = NULL;
	r->err = memchr(p, '\0', n) ? DNSCONF_NUL : DNSCONF_OK;
	if (n > DNSCONF_LINE_MAX) {
		if (r->err == DNSCONF_OK)
			r->err = DNSCONF_LONG;
		return 1;
	}
	memcpy(r->buf, p, n);
	r->buf[n] = '\0';
	if (lex(r->buf) < 0)
		r->err = DNSCONF_QUOTE;
	else
		split_option(r->buf, &r->name, &r->arg);
	return 1;
}

size_t dnsconf_fields(char *arg, char **f, size_t max)
{
	size_t n = 1;
	char *c, *p;

	f[0] = arg;
	while (n < max && (c = strchr(f[n - 1], ','))) {
		for (p = c, *p = ' '; p >= f[n - 1] && *p == ' '; p--)
			*p = '\0';
		for (c++; *c == ' ';)
			c++;
		f[n++] = c;
	}
	return n;
}
