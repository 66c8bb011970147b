/* test_import.c - import_convert: every dnsmasq form it takes (host-record,
 * address=/NAME/IP, srv-host, cname), the way dnsmasq 2.90 reads a line
 * (quotes, escapes, comments), every error and warning with its line, the
 * rules across lines, and that the INI it writes passes check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "import.h"
#include "validate.h"

struct fx {
	struct problems pr;
	struct buf out;
	struct import_counts c;
};

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fx));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	problems_free(&f->pr);
	buf_free(&f->out);
	free(f);
	return 0;
}

/* Import TEXT as the file "d.conf" (and TEXT2 as "s.conf" unless NULL). */
static struct fx *conv2(void **state, const char *text, const char *text2)
{
	struct fx *f = *state;
	struct import_src src[2] = { { "d.conf", text, strlen(text) },
				     { "s.conf", text2, text2 ? strlen(text2) : 0 } };

	problems_free(&f->pr);
	buf_free(&f->out);
	assert_int_equal(import_convert(src, text2 ? 2 : 1, &f->out, &f->pr, &f->c), 0);
	assert_false(f->out.oom);
	return f;
}

static struct fx *conv(void **state, const char *text)
{
	return conv2(state, text, NULL);
}

/* Problems in FILE on LINE with SEV whose text contains SUB. */
static int has(const struct fx *f, const char *file, int line, enum severity sev, const char *sub)
{
	int n = 0;

	for (size_t i = 0; i < f->pr.n; i++) {
		const struct problem *p = &f->pr.v[i];
		n += strcmp(p->file, file) == 0 && p->line == line && p->sev == sev &&
		     strstr(p->text, sub) != NULL;
	}
	return n;
}

/* A line import cannot take is a warning, and the line stays in the INI as
 * a comment with the reason (the rest of the file is imported). */
#define ERR(f, line, sub) \
	do { \
		assert_int_equal(has(f, "d.conf", line, SEV_WARNING, sub), 1); \
		assert_int_equal(has(f, "d.conf", line, SEV_WARNING, "not imported: "), 1); \
		assert_int_equal(f->pr.errors, 0); \
	} while (0)
#define WARN(f, line, sub) assert_int_equal(has(f, "d.conf", line, SEV_WARNING, sub), 1)

/* The INI holds LINE as a whole line. */
static int ini_line(const struct fx *f, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = f->out.p; p && (p = strstr(p, line)); p++)
		if ((p == f->out.p || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

#define LINE(f, l) assert_true(ini_line(f, l))
#define NO_LINE(f, l) assert_false(ini_line(f, l))

/* The INI loads and validates without an error: `check` would pass. */
static void passes_check(const struct fx *f)
{
	struct dd_config cfg = { 0 };
	struct problems pr = { 0 };

	assert_int_equal(f->pr.errors, 0);
	assert_int_equal(validate_ini(f->out.p, f->out.len, "i.ini", &cfg, &pr), 0);
	for (size_t i = 0; i < pr.n; i++)
		if (pr.v[i].sev == SEV_ERROR)
			fail_msg("check: line %d: %s", pr.v[i].line, pr.v[i].text);
	model_free(&cfg);
	problems_free(&pr);
}

static void t_host_record(void **state)
{
	struct fx *f = conv(state, "host-record=a.example,B.Example.,10.0.0.1,fd00::0001\n"
			    "host-record=fd00::3,10.0.0.3,c.example\n"
			    "host-record=d.example,,fd00::4\n");

	assert_int_equal(f->pr.n, 0);
	LINE(f, "[hosts]");
	LINE(f, "a.example = 10.0.0.1, fd00::1");
	LINE(f, "b.example = 10.0.0.1, fd00::1");
	LINE(f, "c.example = 10.0.0.3, fd00::3");	/* fields in any order */
	LINE(f, "d.example = fd00::4");
	assert_int_equal(f->c.hosts, 4);
	assert_null(strstr(f->out.p, "[srv]"));
	assert_null(strstr(f->out.p, "[cname]"));
	passes_check(f);
}

static void t_host_record_ttl_and_last_address(void **state)
{
	struct fx *f = conv(state, "host-record=a.example,10.0.0.1,10.0.0.2,fd00::1,fd00::2,300\n");

	WARN(f, 1, "TTL 300 dropped");
	WARN(f, 1, "only the last IPv4 address");
	WARN(f, 1, "only the last IPv6 address");
	LINE(f, "a.example = 10.0.0.2, fd00::2");
	assert_int_equal(f->pr.errors, 0);
	passes_check(f);
}

/* A drop-in dnsdrop wrote ends with its generation marker: not a record,
 * and a name no INI may hold. */
static void t_generation_marker(void **state)
{
	struct fx *f = conv(state, "host-record=a.example,10.0.0.1\n"
			    "host-record=dnsdrop-generation.invalid,fd00:dd::1:2:3:4\n");

	WARN(f, 2, "generation marker");
	LINE(f, "a.example = 10.0.0.1");
	assert_int_equal(f->c.hosts, 1);
	assert_int_equal(f->pr.errors, 0);
	passes_check(f);
}

static void t_host_record_errors(void **state)
{
	struct fx *f = conv(state, "host-record=a.example\n"
			    "host-record=a_b.example,10.0.0.1\n"
			    "host-record=z.example,0.0.0.0\n"
			    "host-record=m.example,224.0.0.1,fd00::1\n"
			    "host-record=l.example,127.0.0.1\n"
			    "host-record=n.example,10.0.0.2,10.0.0.1#x\n");

	ERR(f, 1, "needs a name and an address");
	ERR(f, 2, "name \"a_b.example\"");
	ERR(f, 3, "address \"0.0.0.0\"");
	ERR(f, 4, "multicast");
	WARN(f, 5, "loopback");
	ERR(f, 6, "name \"10.0.0.1#x\"");	/* '#' after a non-blank is no comment */
	assert_int_equal(f->c.skipped, 5);
	LINE(f, "; d.conf:2: host-record=a_b.example,10.0.0.1");
	LINE(f, ";   ^ why: host-record: name \"a_b.example\" \"_\" is only allowed at the start of a label of an [srv] name; use \"-\"");
	LINE(f, "l.example = 127.0.0.1");	/* the rest of the file is imported */
	passes_check(f);
}

static void t_host_record_nothing_served(void **state)
{
	struct fx *f = conv(state, "host-record=a.example,b.example\n"
			    "host-record=c.example,\"10.0.0.3\"\n"
			    "host-record=10.0.0.4,300\n");

	WARN(f, 1, "not imported: host-record without an address");
	WARN(f, 2, "a quoted address is a name");
	WARN(f, 3, "without a name");
	assert_int_equal(f->pr.errors, 0);
	LINE(f, "; d.conf:2: host-record=c.example,\"10.0.0.3\"");
	assert_null(strstr(f->out.p, "[hosts]"));
	assert_int_equal(f->c.skipped, 3);
	passes_check(f);
}

static void t_merge_and_duplicates(void **state)
{
	struct fx *f = conv(state, "host-record=a.example,10.0.0.1\n"
			    "host-record=b.example,10.0.0.2\n"
			    "host-record=A.example,fd00::1,10.0.0.9\n"
			    "host-record=a.example,10.0.0.1\n"
			    "address=/a.example/10.0.0.7\n");

	LINE(f, "a.example = 10.0.0.1, 10.0.0.9, fd00::1, 10.0.0.7");
	LINE(f, "b.example = 10.0.0.2");
	WARN(f, 4, "host-record a.example,10.0.0.1 is a duplicate of d.conf:1; dropped");
	assert_int_equal(f->c.hosts, 2);
	/* the merged name keeps the place of its first line */
	assert_true(strstr(f->out.p, "a.example =") < strstr(f->out.p, "b.example ="));
	passes_check(f);
}

static void t_host_line_too_long(void **state)
{
	char text[8192], *p = text;

	for (int i = 0; i < 40; i++)
		p += sprintf(p, "host-record=a.example,fd00:1234:5678:9abc:def0:1234:5678:%x\n", i + 1);
	struct fx *f = conv(state, text);
	assert_int_equal(has(f, "d.conf", 1, SEV_ERROR, "so many addresses"), 1);
}

static void t_address(void **state)
{
	struct fx *f = conv(state, "address=/a.example/10.0.0.1\n"
			    "address=/b.example/c.example/fd00::2\n"
			    "address=/n.example/\n"
			    "address=/#/10.0.0.1\n"
			    "address=/z.example/#\n"
			    "address=/*.w.example/10.0.0.1\n"
			    "address=10.0.0.1\n"
			    "address=/bad.example/10.0.0.256\n"
			    "address=/x_y.example/10.0.0.1\n");

	LINE(f, "a.example = 10.0.0.1");
	LINE(f, "b.example = fd00::2");
	LINE(f, "c.example = fd00::2");
	WARN(f, 1, "also answered every name under a.example");
	WARN(f, 2, "every name under c.example");
	for (int line = 3; line <= 7; line++)
		assert_int_equal(has(f, "d.conf", line, SEV_WARNING, "not imported"), 1);
	ERR(f, 8, "address \"10.0.0.256\"");
	ERR(f, 9, "name \"x_y.example\"");
	LINE(f, "; d.conf:4: address=/#/10.0.0.1");
}

static void t_srv_host(void **state)
{
	struct fx *f = conv(state, "srv-host=_sip._tcp.example.com,SIP.example.com.,5060,10,20\n"
			    "srv-host=_sip._tcp.example.com,sip2.example.com,5060,20\n"
			    "srv-host=_sips._tcp.example.com,sip.example.com,05061\n"
			    "srv-host=_h323cs._tcp.example.com,gk.example.com\n"
			    "srv-host=_sip._udp.example.com\n"
			    "srv-host=_xmpp._tcp.example.com,.\n"
			    "srv-host=_ldap._tcp.example.com,,389,1,1\n"
			    "srv-host = _a._tcp.example.com , t.example.com , 1 , 2 , 3\n");

	LINE(f, "[srv]");
	LINE(f, "_sip._tcp.example.com = sip.example.com:5060 10 20");
	LINE(f, "_sip._tcp.example.com = sip2.example.com:5060 20 0");
	LINE(f, "_sips._tcp.example.com = sip.example.com:5061 0 0");
	LINE(f, "_h323cs._tcp.example.com = gk.example.com:1 0 0");
	WARN(f, 4, "no port given: dnsmasq served port 1");
	LINE(f, "_sip._udp.example.com = .");
	LINE(f, "_xmpp._tcp.example.com = .");
	LINE(f, "_ldap._tcp.example.com = .");
	WARN(f, 7, "port, priority and weight are dropped");
	LINE(f, "_a._tcp.example.com = t.example.com:1 2 3");
	assert_int_equal(f->pr.errors, 0);
	assert_int_equal(f->c.srv, 8);
	passes_check(f);
}

static void t_srv_host_errors(void **state)
{
	struct fx *f = conv(state, "srv-host=_sip._tcp.example.com,t.example.com,0\n"
			    "srv-host=_sip._tcp.example.com,t.example.com,65536\n"
			    "srv-host=_sip._tcp.example.com,t.example.com,1,x\n"
			    "srv-host=_sip._tcp.example.com,t.example.com,1,2,3,4\n"
			    "srv-host=sip.example.com,t.example.com,5060\n"
			    "srv-host=_sip._tcp.example.com,10.0.0.1,5060\n"
			    "srv-host=_sip._tcp.example.com,t.example.com,1,2,-3\n"
			    "srv-host=_sip._foo.example.com,t.example.com,5060\n");

	ERR(f, 1, "port 0");
	ERR(f, 2, "port \"65536\"");
	ERR(f, 3, "priority \"x\"");
	ERR(f, 4, "has 6 fields");
	ERR(f, 5, "name \"sip.example.com\"");
	ERR(f, 6, "target: name \"10.0.0.1\"");
	ERR(f, 7, "weight \"-3\"");
	WARN(f, 8, "_foo");
	assert_int_equal(f->c.skipped, 7);
}

static void t_srv_duplicates_and_dot(void **state)
{
	struct fx *f = conv2(state, "srv-host=_sip._tcp.example.com,a.example.com,5060,1,1\n"
			     "srv-host=_sip._tcp.example.com\n",
			     "srv-host=_sip._tcp.example.com,a.example.com,5060,1,1\n"
			     "srv-host=_sip._tcp.example.com,a.example.com,5060,1,2\n");

	assert_int_equal(has(f, "s.conf", 1, SEV_WARNING, "is a duplicate of d.conf:1; dropped"), 1);
	WARN(f, 2, "\".\" says not offered, yet other srv-host lines offer it");
	LINE(f, "; _sip._tcp.example.com = .");
	LINE(f, "_sip._tcp.example.com = a.example.com:5060 1 1");
	LINE(f, "_sip._tcp.example.com = a.example.com:5060 1 2");
	assert_int_equal(f->c.srv, 2);
	assert_int_equal(f->c.skipped, 1);
	passes_check(f);
}

static void t_cname(void **state)
{
	struct fx *f = conv(state, "host-record=t.example,10.0.0.1\n"
			    "cname=a1.example,A2.example.,t.example,600\n"
			    "cname=a3.example,t.example\n"
			    "cname=a3.example,t.example\n");

	LINE(f, "[cname]");
	LINE(f, "a1.example = t.example");
	LINE(f, "a2.example = t.example");
	LINE(f, "a3.example = t.example");
	WARN(f, 2, "TTL 600 dropped");
	WARN(f, 4, "duplicate of d.conf:3");
	assert_int_equal(f->c.cname, 3);
	passes_check(f);
}

static void t_cname_kept_as_comment(void **state)
{
	struct fx *f = conv(state, "cname=a.example,nowhere.example\n"
			    "host-record=h.example,10.0.0.1\n"
			    "cname=h.example,h2.example\n"
			    "host-record=h2.example,10.0.0.2\n"
			    "cname=b.example,a.example\n");

	WARN(f, 1, "its target is no host here");
	WARN(f, 3, "the alias is also a host");
	WARN(f, 5, "its target is no host here");	/* a chain */
	LINE(f, "; a.example = nowhere.example");
	LINE(f, "; h.example = h2.example");
	LINE(f, "; b.example = a.example");
	assert_int_equal(f->c.cname, 0);
	assert_int_equal(f->c.skipped, 3);
	passes_check(f);
}

static void t_cname_errors(void **state)
{
	struct fx *f = conv(state, "cname=a.example\n"
			    "cname=a.example,600\n"
			    "host-record=t.example,10.0.0.1\n"
			    "host-record=u.example,10.0.0.2\n"
			    "cname=c.example,t.example\n"
			    "cname=c.example,u.example\n"
			    "cname=d_e.example,t.example\n");

	ERR(f, 1, "needs an alias and a target");
	ERR(f, 2, "target: name \"600\"");	/* two fields: no TTL */
	ERR(f, 6, "cname c.example,u.example: the alias already has a target (an earlier cname line)");
	ERR(f, 7, "alias: name \"d_e.example\"");
	LINE(f, "c.example = t.example");
	LINE(f, "; c.example = u.example");
}

static void t_lexing(void **state)
{
	struct fx *f = conv(state, "# a comment\n"
			    "   # an indented comment\n"
			    "\n"
			    "host-record=a.example,10.0.0.1 # trailing comment\r\n"
			    "\thost-record\t=\tb.example , 10.0.0.2\t\n"
			    "host-record=\"c.example\",10.0.0.3\n"
			    "host-record=e.example,10.0.0.5, \"f.example\"#c\n"
			    "host-record=g.example, \"10.0.0.7\"#x ,10.0.0.8\n");

	LINE(f, "a.example = 10.0.0.1");
	LINE(f, "b.example = 10.0.0.2");
	LINE(f, "c.example = 10.0.0.3");
	/* a '#' right after a closing quote, with a blank before the quote:
	 * a comment (dnsmasq 2.90 served f.example, and nothing for g.example
	 * whose quoted address is a name) */
	LINE(f, "e.example = 10.0.0.5");
	LINE(f, "f.example = 10.0.0.5");
	WARN(f, 8, "a quoted address is a name");
	assert_int_equal(f->pr.n, 1);
	f = conv(state, "host-record=x.example,\"10.0.0.1\n"
		 "host-record=\"y.example,z.example\",10.0.0.2\n"
		 "host-record=\"a.example\"\",10.0.0.3\n"
		 "host-record=\"b\\tc.example\",10.0.0.4\n"
		 "host-record=\"d\\.example\",10.0.0.4\n");
	ERR(f, 1, "quote (\") is not closed");
	ERR(f, 2, "name \"y.example,z.example\"");	/* a quoted comma separates nothing */
	ERR(f, 3, "name \"a.example\\\"\"");	/* a quote right after a quote is literal */
	ERR(f, 4, "name \"b\\x09c.example\"");	/* \t decoded */
	ERR(f, 5, "name \"d\\\\.example\"");	/* \. is no escape: the backslash stays */
}

static void t_not_imported(void **state)
{
	struct fx *f = conv(state, "server=/example.com/10.0.0.1\n"
			    "domain-needed\n"
			    "local=/caf\xc3\xa9.example/\t\n"
			    "Host-Record=a.example,10.0.0.1\n"
			    "host-record\n");

	WARN(f, 1, "not imported: \"server\"");
	WARN(f, 2, "not imported: \"domain-needed\"");
	WARN(f, 4, "not imported: \"Host-Record\"");
	ERR(f, 5, "host-record has no value");
	LINE(f, "; Not imported (see the warnings of dnsdrop import):");
	LINE(f, "; d.conf:1: server=/example.com/10.0.0.1");
	LINE(f, "; d.conf:3: local=/caf??.example/");	/* printable ASCII only */
	assert_int_equal(f->c.skipped, 5);
}

static void t_line_limits(void **state)
{
	char text[1100];

	memset(text, 'x', 1025);
	strcpy(text + 1025, "\nhost-record=a.example,10.0.0.1\n");
	struct fx *f = conv(state, text);
	ERR(f, 1, "line of 1025 bytes");
	LINE(f, "a.example = 10.0.0.1");
	memcpy(text, "#", 1);
	text[1024] = '\n';	/* 1024 bytes: dnsmasq reads it whole */
	f = conv(state, text);
	assert_int_equal(f->pr.errors, 0);
	f = conv2(state, "host-record=a.example,10.0.0.1\n", "");
	assert_int_equal(f->pr.n, 0);
	struct import_src bin = { "b.conf", "host-record=a\0b\n", 16 };
	assert_int_equal(import_convert(&bin, 1, &f->out, &f->pr, NULL), 0);
	assert_int_equal(has(f, "b.conf", 1, SEV_WARNING, "not imported: NUL byte"), 1);
}

static void t_header_and_order(void **state)
{
	struct fx *f = conv2(state, "cname=c.example,h.example\nlocal=/x/\n",
			     "srv-host=_a._tcp.example.com,h.example\nhost-record=h.example,10.0.0.1\n");
	const char *o = f->out.p;

	assert_ptr_equal(strstr(o, "; Imported by dnsdrop import"), o);
	LINE(f, ";   d.conf");
	LINE(f, ";   s.conf");
	/* sections in a fixed order whatever the files' order */
	assert_true(strstr(o, "[hosts]") < strstr(o, "[srv]"));
	assert_true(strstr(o, "[srv]") < strstr(o, "[cname]"));
	assert_true(strstr(o, "; Not imported") < strstr(o, "[hosts]"));
	/* problems by file, then line */
	assert_string_equal(f->pr.v[0].file, "d.conf");
	assert_string_equal(f->pr.v[f->pr.n - 1].file, "s.conf");
	passes_check(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_host_record, setup, teardown),
		cmocka_unit_test_setup_teardown(t_host_record_ttl_and_last_address, setup, teardown),
		cmocka_unit_test_setup_teardown(t_generation_marker, setup, teardown),
		cmocka_unit_test_setup_teardown(t_host_record_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_host_record_nothing_served, setup, teardown),
		cmocka_unit_test_setup_teardown(t_merge_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(t_host_line_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(t_address, setup, teardown),
		cmocka_unit_test_setup_teardown(t_srv_host, setup, teardown),
		cmocka_unit_test_setup_teardown(t_srv_host_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_srv_duplicates_and_dot, setup, teardown),
		cmocka_unit_test_setup_teardown(t_cname, setup, teardown),
		cmocka_unit_test_setup_teardown(t_cname_kept_as_comment, setup, teardown),
		cmocka_unit_test_setup_teardown(t_cname_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_lexing, setup, teardown),
		cmocka_unit_test_setup_teardown(t_not_imported, setup, teardown),
		cmocka_unit_test_setup_teardown(t_line_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(t_header_and_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
