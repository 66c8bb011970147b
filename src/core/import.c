/* import.c - adopting hand-made drop-ins: dnsmasq lines -> INI text.
 *
 * Each line is read as dnsmasq 2.90 reads it (dnsconf.h); the four record
 * options are then taken apart as dnsmasq's parser does and every value is
 * judged by dnsdrop's own rules (validate.h). The rules across lines and
 * the INI text are in import_ini.c. */
#include "import.h"
#include "render.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsconf.h"
#include "validate.h"

#define FIELDS_MAX (DNSCONF_LINE_MAX + 1)

struct imp {
	const struct dnsconf *at;	/* the line being read */
	struct import_rec *r;
	size_t n, cap;
	struct buf notes;	/* lines not imported, as INI comments */
	struct import_counts c;	/* .skipped: the lines in notes so far */
	const char *noted_file;	/* the line last put into notes */
	int noted_line;
	struct problems *pr;
	int oom;
};

/* A warning on the current line. SKIP: the line is not imported (one that
 * dnsmasq itself refused, or with a value dnsdrop refuses, too: the rest
 * of the file is), and goes into the notes as written (once), the warning
 * as its reason. TEXT holds the longest sentence with room to spare: the
 * names, quoted values and validate.h's sentences in it are bounded. */
static void __attribute__((format(printf, 3, 4))) say(struct imp *im, int skip, const char *fmt, ...)
{
	const struct dnsconf *at = im->at;
	char text[4 * DD_ERR_MAX];
	size_t n = at->rawlen;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	problems_add(im->pr, at->file, at->line, SEV_WARNING, "%s%s", skip ? "not imported: " : "", text);
	if (!skip)
		return;
	while (n > 0 && isspace((unsigned char)at->raw[n - 1]))
		n--;
	if (im->noted_file != at->file || im->noted_line != at->line) {
		buf_puts(&im->notes, "; ");
		import_put_clean(&im->notes, at->file, strlen(at->file));
		buf_printf(&im->notes, ":%d: ", at->line);
		import_put_clean(&im->notes, at->raw, n);
		buf_puts(&im->notes, "\n");
		im->noted_file = at->file;
		im->noted_line = at->line;
		im->c.skipped++;
	}
	buf_puts(&im->notes, ";   ^ why: ");
	import_put_clean(&im->notes, text, strlen(text));
	buf_puts(&im->notes, "\n");
}

#define WARN(im, ...) say(im, 0, __VA_ARGS__)
#define SKIP(im, ...) say(im, 1, __VA_ARGS__)

/* A number field as dnsmasq reads it (digits only, leading zeros fine,
 * empty is 0) within 0-65535: 0, or -1. */
static int number(char *s, unsigned *out)
{
	dnsconf_unhide(s);
	if (!*s) {
		*out = 0;
		return 0;
	}
	while (s[0] == '0' && s[1])
		s++;
	return validate_number(s, 0, 65535, out);
}

/* FILE is named as a drop-in dnsdrop writes (apply --force replaces it). */
static int ours(const char *file)
{
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	return !strcmp(base, RENDER_HOSTS) || !strcmp(base, RENDER_SRV);
}

static int all_digits(const char *s)
{
	return strspn(s, "0123456789") == strlen(s);
}

/* S as inet_pton reads it: AF_INET6, AF_INET, or 0 when no address (a
 * quoted one is still hidden, so to dnsmasq a name). */
static int family(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET6, s, b) == 1 ? AF_INET6 : inet_pton(AF_INET, s, b) == 1 ? AF_INET : 0;
}

/* Record T of the current line, its name and target copied, at the end. */
static void add_rec(struct imp *im, const struct import_rec *t)
{
	struct import_rec *r;

	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		if (!(r = realloc(im->r, cap * sizeof *r))) {
			im->oom = 1;
			return;
		}
		im->r = r;
		im->cap = cap;
	}
	r = &im->r[im->n];
	*r = *t;
	r->file = im->at->file;
	r->line = im->at->line;
	if (!(r->name = strdup(t->name)) || (t->target && !(r->target = strdup(t->target)))) {
		free(r->name);
		im->oom = 1;
		return;
	}
	im->n++;
}

/* Judge address S into A: 1 if valid, 0 if not (reported). */
static int judge_addr(struct imp *im, const char *what, char *s, struct dd_addr *a)
{
	char why[VALIDATE_MSG_MAX], warn[VALIDATE_MSG_MAX], q[VALIDATE_QUOTE_MAX];

	dnsconf_unhide(s);
	if (validate_addr(s, a, why, warn) < 0) {
		SKIP(im, "%s: address %s %s", what, validate_quote(s, q), why);
		return 0;
	}
	if (warn[0])
		WARN(im, "%s: address %s %s", what, validate_quote(s, q), warn);
	return 1;
}

/* Judge host name S into OUT: 1 if valid, 0 if not (reported). */
static int judge_name(struct imp *im, const char *what, char *s, char out[DD_NAME_MAX + 1])
{
	char why[VALIDATE_MSG_MAX], q[VALIDATE_QUOTE_MAX];

	dnsconf_unhide(s);
	if (validate_hostname(s, out, why) == 0)
		return 1;
	SKIP(im, "%s: name %s %s", what, validate_quote(s, q), why);
	return 0;
}

/* host-record=NAME[,NAME...],[IPv4],[IPv6][,TTL], fields in any order: an
 * all-digit field is the TTL (empty too), an address is one if inet_pton
 * takes it as written (a quoted one is a name), the rest are names. dnsmasq
 * keeps only the last IPv4 and the last IPv6 address of a line. */
static void host_record(struct imp *im, char **f, size_t n)
{
	char name[DD_NAME_MAX + 1], q[VALIDATE_QUOTE_MAX];
	struct dd_addr a[2];
	char *addr[2] = { NULL, NULL };
	size_t names = 0, i;
	int ok = 1, fam, v6;

	if (n < 2) {
		SKIP(im, "host-record needs a name and an address: host-record=NAME,ADDRESS (dnsmasq refuses this line)");
		return;
	}
	if (strcasecmp(f[0], RENDER_MARKER_NAME) == 0) {
		/* Not a record: nothing is lost, apply writes a new one. */
		WARN(im, "%s is the generation marker dnsdrop writes by itself: dropped (not a record)",
		     RENDER_MARKER_NAME);
		return;
	}
	for (i = 0; i < n; i++) {
		v6 = (fam = family(f[i])) == AF_INET6;
		if (all_digits(f[i])) {
			if (f[i][0])
				WARN(im, "host-record: TTL %s dropped: dnsdrop writes no TTL (dnsmasq then uses local-ttl, 0 by default)", f[i]);
		} else if (fam) {
			if (addr[v6])
				WARN(im, "host-record: dnsmasq served only the last IPv%c address of a line: %s was not served and is dropped",
				     v6 ? '6' : '4', validate_quote(addr[v6], q));
			addr[v6] = f[i];
		} else {
			f[names++] = f[i];	/* the names first, in order */
		}
	}
	if (!names || (!addr[0] && !addr[1])) {
		SKIP(im, "host-record without %s: dnsmasq served nothing for it%s",
		     names ? "an address" : "a name",
		     memchr(im->at->raw, '"', im->at->rawlen) ? " (to dnsmasq, a quoted address is a name)" : "");
		return;
	}
	for (i = 0; i < 2; i++)
		if (addr[i] && !judge_addr(im, "host-record", addr[i], &a[i]))
			ok = 0;
	for (i = 0; i < names; i++)
		if (judge_name(im, "host-record", f[i], name) && ok)
			for (int j = 0; j < 2; j++)
				if (addr[j])
					add_rec(im, &(struct import_rec){ .kind = IMPORT_HOST, .name = name, .addr = a[j] });
}

/* address=/NAME[/NAME...]/ADDRESS: dnsmasq answers NAME and every name under
 * it. Its other forms (no address, '#', /#/, patterns) are not records. */
static void address(struct imp *im, char *arg)
{
	char name[DD_NAME_MAX + 1];
	char *ip = strrchr(arg, '/'), *d, *e;
	struct dd_addr a;
	int ok;

	if (arg[0] != '/' || ip == arg || !ip[1] || strcmp(ip + 1, "#") == 0) {
		SKIP(im, "only address=/NAME/ADDRESS is a record dnsdrop can hold");
		return;
	}
	for (d = arg + 1; d < ip; d = e + 1) {
		e = memchr(d, '/', (size_t)(ip - d));
		e = e ? e : ip;
		if (e == d || (e - d == 1 && d[0] == '#') || d[0] == '*' || d[0] == '.') {
			SKIP(im, "address=/.../ with an empty name, '#', '*' or a leading dot is a pattern, not a name dnsdrop can hold");
			return;
		}
	}
	*ip++ = '\0';
	ok = judge_addr(im, "address", ip, &a);
	for (d = arg + 1; d; d = e) {
		if ((e = strchr(d, '/')))
			*e++ = '\0';
		if (!judge_name(im, "address", d, name) || !ok)
			continue;
		WARN(im, "address=/%s/ also answered every name under %s and gave no reverse answer; dnsdrop's [hosts] line answers the name itself only (add the names you need) and also answers the reverse (PTR) lookup of %s with %s",
		     name, name, a.text, name);
		add_rec(im, &(struct import_rec){ .kind = IMPORT_HOST, .name = name, .addr = a });
	}
}

/* srv-host=NAME[,TARGET[,PORT[,PRIORITY[,WEIGHT]]]] with dnsmasq's defaults
 * (port 1, priority 0, weight 0) written out; no target, "" or "." is the
 * service not offered. */
static void srv_host(struct imp *im, char **f, size_t n)
{
	static const char *const what[3] = { "port", "priority", "weight" };
	char name[DD_NAME_MAX + 1], target[DD_NAME_MAX + 1], why[VALIDATE_MSG_MAX],
		warn[VALIDATE_MSG_MAX], q[VALIDATE_QUOTE_MAX];
	unsigned num[3] = { 1, 0, 0 };
	int ok = 1, dot = n < 2;

	dnsconf_unhide(f[0]);
	if (validate_srvname(f[0], name, why, warn) < 0) {
		SKIP(im, "srv-host: name %s %s", validate_quote(f[0], q), why);
		ok = 0;
	} else if (warn[0]) {
		WARN(im, "srv-host: name %s: %s", validate_quote(f[0], q), warn);
	}
	if (n > 5) {
		SKIP(im, "srv-host has %zu fields; write srv-host=NAME,TARGET,PORT,PRIORITY,WEIGHT (dnsmasq refuses this line)", n);
		return;
	}
	if (n >= 2) {
		dnsconf_unhide(f[1]);
		dot = !f[1][0] || strcmp(f[1], ".") == 0;
		if (!dot && !judge_name(im, "srv-host target", f[1], target))
			ok = 0;
	}
	for (size_t i = 2; i < n; i++)
		if (number(f[i], &num[i - 2]) < 0) {
			SKIP(im, "srv-host: %s %s is not a number from 0 to 65535", what[i - 2], validate_quote(f[i], q));
			ok = 0;
		}
	if (ok && !dot && num[0] == 0) {
		SKIP(im, "srv-host: port 0 is no port a client can reach; write 1-65535");
		ok = 0;
	}
	if (!ok)
		return;
	if (!dot && n == 2)
		WARN(im, "srv-host: no port given: dnsmasq served port 1, written out as such; check it");
	if (dot && n > 2)
		WARN(im, "srv-host: target \".\" (service not offered): its port, priority and weight are dropped");
	if (dot)
		num[0] = num[1] = num[2] = 0;
	add_rec(im, &(struct import_rec){ .kind = IMPORT_SRV, .name = name, .target = dot ? NULL : target,
					 .port = num[0], .prio = num[1], .weight = num[2] });
}

/* cname=ALIAS[,ALIAS...],TARGET[,TTL]: with three fields or more, an
 * all-digit last one is the TTL. */
static void cname(struct imp *im, char **f, size_t n)
{
	char alias[DD_NAME_MAX + 1], target[DD_NAME_MAX + 1];
	int ok;

	if (n < 2) {
		SKIP(im, "cname needs an alias and a target: cname=ALIAS,TARGET (dnsmasq refuses this line)");
		return;
	}
	dnsconf_unhide(f[n - 1]);
	if (n > 2 && all_digits(f[n - 1])) {
		if (f[n - 1][0])
			WARN(im, "cname: TTL %s dropped: dnsdrop writes no TTL (dnsmasq then uses local-ttl, 0 by default)", f[n - 1]);
		n--;
	}
	ok = judge_name(im, "cname target", f[n - 1], target);
	for (size_t i = 0; i + 1 < n; i++)
		if (judge_name(im, "cname alias", f[i], alias) && ok)
			add_rec(im, &(struct import_rec){ .kind = IMPORT_CNAME, .name = alias, .target = target });
}

/* A hosts-format line (/etc/hosts, addn-hosts, Pi-hole's custom.list):
 * ADDRESS NAME [NAME...], as dnsconf_next gives a line without '=' (each
 * blank a ' ', none at either end). 0 when S is not one. Given to import
 * next to the drop-ins, their names are CNAME targets like any host. */
static int hosts_line(struct imp *im, char *s)
{
	char name[DD_NAME_MAX + 1], *end = s + strcspn(s, " "), *save, *n;
	struct dd_addr a;

	if (!*end)
		return 0;	/* a hosts line has a name after the address */
	*end = '\0';
	if (!family(s)) {
		*end = ' ';
		return 0;
	}
	if (!judge_addr(im, "hosts line", s, &a))
		return 1;
	for (n = strtok_r(end + 1, " ", &save); n; n = strtok_r(NULL, " ", &save))
		if (judge_name(im, "hosts line", n, name))
			add_rec(im, &(struct import_rec){ .kind = IMPORT_HOST, .name = name, .addr = a });
	return 1;
}

/* interface-name=NAME,INTERFACE: not a record dnsdrop holds, but dnsmasq
 * answers NAME from it before any host-record (import_merge warns). */
static void interface_name(struct imp *im, char *arg)
{
	char name[DD_NAME_MAX + 1], why[VALIDATE_MSG_MAX], *f[FIELDS_MAX];

	if (!arg || dnsconf_fields(arg, f, FIELDS_MAX) < 2)
		return;
	dnsconf_unhide(f[0]);
	if (validate_hostname(f[0], name, why) == 0)
		add_rec(im, &(struct import_rec){ .kind = IMPORT_IFNAME, .fate = IMPORT_DROP, .name = name,
						 .target = f[1] });
}

/* One line of a drop-in, read by dnsconf_next. */
static void one_line(struct imp *im, const struct dnsconf *r)
{
	static const char *const known[] = { "host-record", "address", "srv-host", "cname" };
	char *f[FIELDS_MAX], q[VALIDATE_QUOTE_MAX];
	size_t k;

	if (r->err == DNSCONF_NUL)
		SKIP(im, "NUL byte: this is not a text file");
	else if (r->err == DNSCONF_LONG)
		SKIP(im, "line of %zu bytes: dnsmasq reads a line of more than %d bytes as several lines; split it",
		     r->rawlen, DNSCONF_LINE_MAX);
	else if (r->err == DNSCONF_QUOTE)
		SKIP(im, "a quote (\") is not closed; dnsmasq refuses this line");
	if (r->err || !r->name || (!r->arg && hosts_line(im, r->name)))
		return;
	for (k = 0; k < 4 && strcmp(r->name, known[k]) != 0; k++)
		;
	if (k == 4) {
		SKIP(im, "%s: dnsdrop holds host-record, address=/NAME/ADDRESS, srv-host and cname only%s",
		     validate_quote(r->name, q), ours(r->file) ?
		     "; apply --force replaces this file, and this line with it: move it to a file of your own in the conf-dir first" : "");
		if (strcmp(r->name, "interface-name") == 0)
			interface_name(im, r->arg);
		return;
	}
	if (!r->arg)
		SKIP(im, "%s has no value (dnsmasq refuses this line)", known[k]);
	else if (k == 1)
		address(im, r->arg);
	else if (k == 0)
		host_record(im, f, dnsconf_fields(r->arg, f, FIELDS_MAX));
	else if (k == 2)
		srv_host(im, f, dnsconf_fields(r->arg, f, FIELDS_MAX));
	else
		cname(im, f, dnsconf_fields(r->arg, f, FIELDS_MAX));
}

int import_convert(const struct import_src *src, size_t nsrc, struct buf *out,
		   struct problems *pr, struct import_counts *counts)
{
	struct imp im = { .pr = pr };
	size_t i, from = pr->n;

	for (i = 0; i < nsrc && !im.oom; i++) {
		struct dnsconf r = { .file = src[i].path, .text = src[i].text, .len = src[i].len };

		for (im.at = &r; !im.oom && dnsconf_next(&r);)
			one_line(&im, &r);
	}
	if (!im.oom && import_merge(im.r, im.n, pr) < 0)
		im.oom = 1;
	if (!im.oom)
		import_write(im.r, im.n, src, nsrc, &im.notes, out, &im.c);
	import_sort_problems(pr, from, src, nsrc);
	if (counts)
		*counts = im.c;
	for (i = 0; i < im.n; i++) {
		free(im.r[i].name);
		free(im.r[i].target);
	}
	free(im.r);
	im.oom |= im.notes.oom;
	buf_free(&im.notes);
	return im.oom || out->oom ? -1 : 0;
}
