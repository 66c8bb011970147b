/* conflict.c - which names another file dnsmasq loads defines too. Names
 * are compared as DNS compares them: case-insensitively, a trailing dot
 * ignored. Both sets are sorted and walked side by side: linear after the
 * sort. */
#include "conflict.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"

#define FIELDS_MAX (DNSCONF_LINE_MAX + 1)

/* V with room for element N (capacities 16, 32, 64...); NULL when out of
 * memory (V is kept). */
static void *grow(void *v, size_t n, size_t size)
{
	if (n != 0 && (n < 16 || (n & (n - 1))))
		return v;
	return realloc(v, (n ? 2 * n : 16) * size);
}

/* FILE as the set's own copy (lines come file by file: the last one is
 * checked first). */
static const char *own_file(struct conflict_set *s, const char *file)
{
	char **v, *f;

	if (s->nfiles && strcmp(s->files[s->nfiles - 1], file) == 0)
		return s->files[s->nfiles - 1];
	if (!(v = grow(s->files, s->nfiles, sizeof *v)) || !(f = strdup(file))) {
		s->files = v ? v : s->files;
		s->oom = 1;
		return NULL;
	}
	s->files = v;
	s->files[s->nfiles] = f;
	return s->files[s->nfiles++];
}

static void add(struct conflict_set *s, const char *file, int line, const char *what,
		const char *name, size_t len)
{
	const char *f = own_file(s, file);
	struct conflict_def *v;
	char *n;

	while (len > 0 && name[len - 1] == '.')
		len--;
	if (!f || len == 0)
		return;
	if (!(v = grow(s->v, s->n, sizeof *v)) || !(n = strndup(name, len))) {
		s->v = v ? v : s->v;
		s->oom = 1;
		return;
	}
	s->v = v;
	for (char *p = n; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	s->v[s->n++] = (struct conflict_def){ n, f, line, what };
}

static int is_addr(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

static int all_digits(const char *s)
{
	return strspn(s, "0123456789") == strlen(s);
}

/* address=/NAME[/NAME...]/[ADDRESS]: every plain name (no '#', no pattern). */
static void address(struct conflict_set *s, const char *file, int line, char *arg)
{
	char *last = strrchr(arg, '/'), *d, *e;

	if (arg[0] != '/' || last == arg)
		return;
	for (d = arg + 1; d < last; d = e + 1) {
		e = memchr(d, '/', (size_t)(last - d));
		e = e ? e : last;
		if (e > d && !(e - d == 1 && d[0] == '#') && d[0] != '*' && d[0] != '.')
			add(s, file, line, "address", d, (size_t)(e - d));
	}
}

/* Field F (quoted characters still hidden) as a name. */
static void add_field(struct conflict_set *s, const char *file, int line, const char *what,
		      char *f)
{
	dnsconf_unhide(f);
	add(s, file, line, what, f, strlen(f));
}

void conflict_scan_line(struct conflict_set *s, const char *file, struct dnsconf *r)
{
	char *f[FIELDS_MAX], **h;
	size_t n, i;

	if (!r->name || !r->arg)
		return;
	if (strcmp(r->name, "address") == 0 || strcmp(r->name, "addn-hosts") == 0)
		dnsconf_unhide(r->arg);
	if (strcmp(r->name, "address") == 0) {
		address(s, file, r->line, r->arg);
	} else if (strcmp(r->name, "addn-hosts") == 0) {
		if ((h = grow(s->hosts, s->nhosts, sizeof *h)))
			s->hosts = h;
		if (!h || !(s->hosts[s->nhosts] = strdup(r->arg)))
			s->oom = 1;
		else
			s->nhosts++;
	} else if (strcmp(r->name, "host-record") == 0) {
		n = dnsconf_fields(r->arg, f, FIELDS_MAX);
		for (i = 0; i < n; i++)	/* to dnsmasq, a quoted address is a name */
			if (!all_digits(f[i]) && !is_addr(f[i]))
				add_field(s, file, r->line, "host-record", f[i]);
	} else if (strcmp(r->name, "cname") == 0) {
		n = dnsconf_fields(r->arg, f, FIELDS_MAX);
		if (n > 2 && all_digits(f[n - 1]))
			n--;	/* the TTL */
		for (i = 0; i + 1 < n; i++)
			add_field(s, file, r->line, "cname", f[i]);
	} else if (strcmp(r->name, "srv-host") == 0) {
		dnsconf_fields(r->arg, f, FIELDS_MAX);
		add_field(s, file, r->line, "srv-host", f[0]);
	}
}

void conflict_scan_hosts(struct conflict_set *s, const char *file, const char *text,
			 size_t len)
{
	const char *p = text, *end = text + len, *eol, *t;
	int line = 0;

	for (; p < end; p = eol + (eol < end)) {
		int first = 1;

		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol ? eol : end;
		line++;
		for (;;) {
			while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			if (p == eol || *p == '#')
				break;
			for (t = p; t < eol && *t != ' ' && *t != '\t' && *t != '\r'; t++)
				;
			if (!first)	/* the first word is the address */
				add(s, file, line, "hosts-file name", p, (size_t)(t - p));
			first = 0;
			p = t;
		}
	}
}

static int by_name(const void *a, const void *b)
{
	const struct conflict_def *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->line - y->line;
}

size_t conflict_find(struct conflict_set *ours, struct conflict_set *theirs,
		     const char *ini, struct problems *pr)
{
	size_t i = 0, j = 0, found = 0;
	int c;

	sort_array(ours->v, ours->n, sizeof *ours->v, by_name);
	sort_array(theirs->v, theirs->n, sizeof *theirs->v, by_name);
	while (i < ours->n && j < theirs->n) {
		const struct conflict_def *o = &ours->v[i], *t = &theirs->v[j];

		if ((c = strcmp(o->name, t->name)) < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			problems_add(pr, t->file, t->line, SEV_ERROR,
				     "duplicate %s %s: the INI (%s) defines it too, and dnsmasq would serve both answers; move this record into the INI, or delete it here",
				     t->what, t->name, ini);
			found++;
			j++;
		}
	}
	return found;
}

void conflict_free(struct conflict_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	for (size_t i = 0; i < s->nhosts; i++)
		free(s->hosts[i]);
	free(s->v);
	free(s->files);
	free(s->hosts);
	*s = (struct conflict_set){ 0 };
}
