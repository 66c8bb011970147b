/* test_conflict.c - the one dnsmasq-syntax reader (dnsconf_next: quotes,
 * comments, "name = value", long lines in pieces or refused) and the
 * conflict check over what it reads (conflict_scan_line, _hosts, _find). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "conflict.h"
#include "dnsconf.h"

/* Scan TEXT of FILE into S as dnsmasq config. */
static void scan(struct conflict_set *s, const char *file, const char *text)
{
	struct dnsconf r = { .file = file, .text = text, .len = strlen(text), .pieces = 1 };

	while (dnsconf_next(&r))
		conflict_scan_line(s, file, &r);
}

static void test_reader_lines(void **state)
{
	const char *text = "  # comment\n"
			   "cache-size = 150\n"
			   "host-record=\"a,b\",10.0.0.1 # ours\n"
			   "x=\"open\n"
			   "domain-needed";
	struct dnsconf r = { .file = "f", .text = text, .len = strlen(text) };
	char *f[4];

	assert_int_equal(dnsconf_next(&r), 1);
	assert_null(r.name);
	assert_int_equal(dnsconf_next(&r), 1);
	assert_string_equal(r.name, "cache-size");
	assert_string_equal(r.arg, "150");
	assert_int_equal(r.line, 2);
	assert_int_equal(dnsconf_next(&r), 1);
	assert_string_equal(r.name, "host-record");
	assert_int_equal(dnsconf_fields(r.arg, f, 4), 2);	/* the quoted comma is hidden */
	dnsconf_unhide(f[0]);
	assert_string_equal(f[0], "a,b");
	assert_string_equal(f[1], "10.0.0.1");
	assert_int_equal(dnsconf_next(&r), 1);
	assert_int_equal(r.err, DNSCONF_QUOTE);
	assert_null(r.name);
	assert_int_equal(dnsconf_next(&r), 1);
	assert_string_equal(r.name, "domain-needed");
	assert_null(r.arg);
	assert_int_equal(r.line, 5);
	assert_int_equal(dnsconf_next(&r), 0);
}

/* 1030 bytes: refused whole, or two lines as dnsmasq's fgets reads them. */
static void test_reader_long(void **state)
{
	char text[1100];
	struct dnsconf whole = { .file = "f", .text = text }, parts;

	memset(text, '#', 1024);
	strcpy(text + 1024, "a=b\nc=d\n");
	whole.len = strlen(text);
	parts = whole;
	parts.pieces = 1;
	assert_int_equal(dnsconf_next(&whole), 1);
	assert_int_equal(whole.err, DNSCONF_LONG);
	assert_int_equal(whole.rawlen, 1027);
	assert_int_equal(dnsconf_next(&whole), 1);
	assert_string_equal(whole.name, "c");
	assert_int_equal(whole.line, 2);
	assert_int_equal(dnsconf_next(&parts), 1);
	assert_null(parts.name);	/* the comment's first 1024 bytes */
	assert_int_equal(dnsconf_next(&parts), 1);
	assert_string_equal(parts.name, "a");
	assert_int_equal(parts.line, 2);
	assert_int_equal(dnsconf_next(&parts), 1);
	assert_int_equal(parts.line, 3);
}

static const struct conflict_def *find(const struct conflict_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static void test_scan_forms(void **state)
{
	struct conflict_set s = { 0 };

	scan(&s, "o.conf",
	     "host-record=A.example,b.example.,10.0.0.1,fd00::1,300\n"
	     "host-record=\"10.0.0.9\",10.0.0.2\n"
	     "address=/c.example/d.example/10.0.0.3\n"
	     "address=/#/10.0.0.4\n"
	     "address=/*.e.example/10.0.0.5\n"
	     "cname=f.example,g.example,h.example,600\n"
	     "srv-host=_sip._tcp.example,i.example,5060\n"
	     "addn-hosts=/etc/more.hosts\n"
	     "server=/j.example/10.0.0.6\n");
	assert_int_equal(s.n, 8);
	assert_non_null(find(&s, "a.example"));
	assert_string_equal(find(&s, "b.example")->what, "host-record");
	assert_int_equal(find(&s, "10.0.0.9")->line, 2);	/* quoted: a name */
	assert_string_equal(find(&s, "d.example")->what, "address");
	assert_int_equal(find(&s, "d.example")->line, 3);
	assert_non_null(find(&s, "f.example"));
	assert_non_null(find(&s, "g.example"));
	assert_null(find(&s, "h.example"));	/* the target */
	assert_string_equal(find(&s, "_sip._tcp.example")->what, "srv-host");
	assert_null(find(&s, "i.example"));
	assert_string_equal(find(&s, "a.example")->file, "o.conf");
	assert_int_equal(s.nhosts, 1);
	assert_string_equal(s.hosts[0], "/etc/more.hosts");
	conflict_free(&s);
}

static void test_scan_hosts(void **state)
{
	struct conflict_set s = { 0 };
	const char *text = "# hosts\n10.0.0.1\tA.example  b.example # c.example\n\n::1 d.example";

	conflict_scan_hosts(&s, "h", text, strlen(text));
	assert_int_equal(s.n, 3);
	assert_int_equal(find(&s, "a.example")->line, 2);
	assert_string_equal(find(&s, "b.example")->what, "hosts-file name");
	assert_int_equal(find(&s, "d.example")->line, 4);
	assert_null(find(&s, "c.example"));
	conflict_free(&s);
}

static int has(const struct problems *pr, const char *file, int line, const char *sub)
{
	for (size_t i = 0; i < pr->n; i++)
		if (strcmp(pr->v[i].file, file) == 0 && pr->v[i].line == line &&
		    pr->v[i].sev == SEV_ERROR && strstr(pr->v[i].text, sub))
			return 1;
	return 0;
}

static void test_find(void **state)
{
	struct conflict_set ours = { 0 }, theirs = { 0 };
	struct problems pr = { 0 };

	scan(&ours, "hosts.conf", "host-record=x.example,10.0.0.1\nhost-record=y.example,10.0.0.2\n");
	scan(&ours, "srv.conf", "srv-host=_sip._tcp.example,x.example,5060\n");
	scan(&theirs, "a.conf", "host-record=z.example,10.0.0.3\ncname=X.Example.,elsewhere\n");
	scan(&theirs, "b.conf", "# b\nsrv-host=_sip._tcp.example,w.example,5060\nhost-record=x.example,10.0.0.9\n");
	assert_int_equal(conflict_find(&ours, &theirs, "dnsdrop.ini", &pr), 3);
	assert_int_equal(pr.errors, 3);
	assert_true(has(&pr, "a.conf", 2, "duplicate cname x.example: the INI (dnsdrop.ini) defines it too"));
	assert_true(has(&pr, "a.conf", 2, "move this record into the INI, or delete it here"));
	assert_true(has(&pr, "b.conf", 2, "duplicate srv-host _sip._tcp.example"));
	assert_true(has(&pr, "b.conf", 3, "duplicate host-record x.example"));
	problems_free(&pr);
	conflict_free(&theirs);
	scan(&theirs, "c.conf", "host-record=w.example,10.0.0.4\n");
	assert_int_equal(conflict_find(&ours, &theirs, "dnsdrop.ini", &pr), 0);
	assert_int_equal(pr.n, 0);
	conflict_free(&ours);
	conflict_free(&theirs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_lines),
		cmocka_unit_test(test_reader_long),
		cmocka_unit_test(test_scan_forms),
		cmocka_unit_test(test_scan_hosts),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
