/* test_validate.c - the single-value judges of validate.h (names, SRV
 * names, addresses, numbers, quoting) at every boundary of DESIGN.md
 * section 4. Whole documents: test_validate_doc.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "validate.h"

/* A name of LEN bytes: labels of 63 'a' separated by dots. */
static char *long_name(size_t len, char *buf)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (i % 64 == 63) ? '.' : 'a';
	buf[len] = '\0';
	return buf;
}

static int host_ok(const char *in, const char *want)
{
	char out[DD_NAME_MAX + 1], why[VALIDATE_MSG_MAX];

	if (validate_hostname(in, out, why) < 0)
		return 0;
	return want == NULL || strcmp(out, want) == 0;
}

static const char *host_why(const char *in)
{
	static char why[VALIDATE_MSG_MAX];
	char out[DD_NAME_MAX + 1];

	why[0] = '\0';
	assert_int_equal(validate_hostname(in, out, why), -1);
	return why;
}

static void t_hostname_ok(void **state)
{
	(void)state;
	assert_true(host_ok("expc1.example.local", "expc1.example.local"));
	assert_true(host_ok("ExpC1.Example.LOCAL", "expc1.example.local"));
	assert_true(host_ok("expc1.example.local.", "expc1.example.local"));
	assert_true(host_ok("localhost", "localhost"));	/* single label allowed */
	assert_true(host_ok("123host.example", NULL));
	assert_true(host_ok("a-b.example", NULL));
	assert_true(host_ok("xn--bcher-kva.example", NULL));
	assert_true(host_ok("host.x1", NULL));
	assert_true(host_ok("1host", NULL));
}

static void t_hostname_lengths(void **state)
{
	char buf[400], name[320];

	(void)state;
	memset(buf, 'a', 63);
	strcpy(buf + 63, ".example");
	assert_true(host_ok(buf, NULL));
	memset(buf, 'a', 64);
	strcpy(buf + 64, ".example");
	assert_non_null(strstr(host_why(buf), "label of 64 characters"));
	assert_true(host_ok(long_name(253, name), NULL));
	snprintf(buf, sizeof buf, "%s.", long_name(253, name));
	assert_true(host_ok(buf, NULL));	/* 254 with the trailing dot */
	assert_non_null(strstr(host_why(long_name(254, name)), "254 characters"));
	snprintf(buf, sizeof buf, "%s.", long_name(254, name));
	assert_non_null(strstr(host_why(buf), "at most 253"));
	assert_non_null(strstr(host_why(long_name(300, name)), "300 characters"));
}

static void t_hostname_shape(void **state)
{
	(void)state;
	assert_non_null(strstr(host_why(""), "empty"));
	assert_non_null(strstr(host_why("."), "empty"));
	assert_non_null(strstr(host_why(".example"), "empty label"));
	assert_non_null(strstr(host_why("a..example"), "empty label"));
	assert_non_null(strstr(host_why("a.example.."), "empty label"));
	assert_non_null(strstr(host_why("-a.example"), "\"-a\" starts or ends"));
	assert_non_null(strstr(host_why("a-.example"), "\"a-\" starts or ends"));
	assert_non_null(strstr(host_why("a.example-"), "starts or ends"));
	assert_non_null(strstr(host_why("host.123"), "all-digit label \"123\""));
	assert_non_null(strstr(host_why("10.0.0.1"), "all-digit"));
	assert_non_null(strstr(host_why("42"), "all-digit"));
}

static void t_hostname_chars(void **state)
{
	static const char *const bad[] = { ",", "#", "\"", "'", "\\", "/", "*", ";", "=", ":",
					   "@", "!", "$", "(", "[", "{", "+", "%", "?", "~" };
	char in[32], want[32];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(in, sizeof in, "a%sb.example", bad[i]);
		if (bad[i][0] == '"' || bad[i][0] == '\\')
			snprintf(want, sizeof want, "\"\\%s\" is not allowed", bad[i]);
		else
			snprintf(want, sizeof want, "\"%s\" is not allowed", bad[i]);
		if (!strstr(host_why(in), want))
			fail_msg("%s: %s", in, host_why(in));
	}
	assert_non_null(strstr(host_why("a b.example"), "blank"));
	assert_non_null(strstr(host_why("a\tb.example"), "blank"));
	assert_non_null(strstr(host_why("a\x01" "b.example"), "\"\\x01\" is not allowed"));
	assert_non_null(strstr(host_why("a\nb.example"), "\"\\x0a\" is not allowed"));
	assert_non_null(strstr(host_why("a\x7f" "b.example"), "\"\\x7f\" is not allowed"));
	assert_non_null(strstr(host_why("b\xc3\xbc" "cher.example"), "xn--"));
	assert_non_null(strstr(host_why("b\xc3\xbc" "cher.example"), "\\xc3"));
	assert_non_null(strstr(host_why("exp_c1.example.local"),
				"\"_\" is only allowed at the start of a label of an [srv] name; use \"-\""));
	assert_non_null(strstr(host_why("_sip._tcp.example.com"), "[srv]"));
}

static const char *srv_why(const char *in)
{
	static char why[VALIDATE_MSG_MAX];
	char out[DD_NAME_MAX + 1], warn[VALIDATE_MSG_MAX];

	why[0] = '\0';
	assert_int_equal(validate_srvname(in, out, why, warn), -1);
	assert_string_equal(warn, "");
	return why;
}

static const char *srv_ok(const char *in, const char *want)
{
	static char warn[VALIDATE_MSG_MAX];
	char out[DD_NAME_MAX + 1], why[VALIDATE_MSG_MAX];

	if (validate_srvname(in, out, why, warn) < 0)
		fail_msg("%s: %s", in, why);
	if (want)
		assert_string_equal(out, want);
	return warn;
}

static void t_srvname(void **state)
{
	char buf[300], name[300];

	(void)state;
	assert_string_equal(srv_ok("_sip._tcp.example.com", "_sip._tcp.example.com"), "");
	assert_string_equal(srv_ok("_SIP._TCP.Example.COM.", "_sip._tcp.example.com"), "");
	assert_string_equal(srv_ok("_collab-edge._tls.example.com", NULL), "");
	assert_string_equal(srv_ok("_x._udp.example", NULL), "");
	assert_string_equal(srv_ok("_x._sctp.example", NULL), "");
	assert_string_equal(srv_ok("_sip._tcp.localhost", NULL), "");	/* one-label domain */
	assert_string_equal(srv_ok("_abcdefghijklmno._tcp.example", NULL), "");	/* 15 */
	assert_string_equal(srv_ok("_1a._tcp.example", NULL), "");
	/* Active Directory: '_' labels in the domain, site names in capitals */
	assert_string_equal(srv_ok("_ldap._tcp.dc._msdcs.corp.example.com", NULL), "");
	assert_string_equal(srv_ok("_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.Corp.Example.com",
				   "_kerberos._tcp.default-first-site-name._sites.dc._msdcs.corp.example.com"), "");
	assert_string_equal(srv_ok("_ldap._tcp.pdc._msdcs.corp.example.com.", "_ldap._tcp.pdc._msdcs.corp.example.com"), "");
	assert_non_null(strstr(srv_ok("_sip._foo.example.com", NULL), "\"_foo\" is not one of"));
	assert_non_null(strstr(srv_why("sip._tcp.example.com"), "must start with _service._proto"));
	assert_non_null(strstr(srv_why("_sip.tcp.example.com"), "_proto label"));
	assert_non_null(strstr(srv_why("_sip"), "_proto label"));
	assert_non_null(strstr(srv_why("_sip._tcp"), "needs a domain"));
	assert_non_null(strstr(srv_why("_sip._tcp."), "needs a domain"));
	assert_non_null(strstr(srv_why("_sip._tcp.."), "empty label"));
	assert_non_null(strstr(srv_why("_abcdefghijklmnop._tcp.example"), "at most 15"));
	assert_non_null(strstr(srv_why("_123._tcp.example"), "no letter"));
	assert_non_null(strstr(srv_why("_-sip._tcp.example"), "hyphen"));
	assert_non_null(strstr(srv_why("_sip-._tcp.example"), "hyphen"));
	assert_non_null(strstr(srv_why("_si--p._tcp.example"), "two in a row"));
	assert_non_null(strstr(srv_why("_._tcp.example"), "_service label is empty"));
	assert_non_null(strstr(srv_why("_sip._.example"), "_proto label is empty"));
	assert_non_null(strstr(srv_why("_sip._-tcp.example"), "starts or ends"));
	assert_non_null(strstr(srv_why("__sip._tcp.example"), "only allowed at the start"));
	assert_non_null(strstr(srv_why("_s_ip._tcp.example"), "only allowed at the start"));
	assert_non_null(strstr(srv_why("_sip._tcp.x_.example"), "only allowed at the start"));
	assert_non_null(strstr(srv_why("_sip._tcp._.example"), "only \"_\""));
	assert_non_null(strstr(srv_why("_sip._tcp._-x.example"), "starts or ends"));
	assert_non_null(strstr(srv_why("_ldap._tcp.dc.__msdcs.example"), "only allowed at the start"));
	assert_non_null(strstr(srv_why("_sip._tcp.a_b.example"), "only allowed at the start"));
	assert_non_null(strstr(srv_why("_sip._tcp.example.123"), "all-digit"));
	assert_non_null(strstr(srv_why("_sip._tcp.ex ample"), "blank"));
	assert_non_null(strstr(srv_why("_sip._tcp.ex,ample"), "\",\" is not allowed"));
	assert_non_null(strstr(srv_why("_sip._tcp.b\xc3\xbc" "cher"), "xn--"));
	/* 253 in all: "_sip._tcp." is 10 bytes */
	snprintf(buf, sizeof buf, "_sip._tcp.%s", long_name(243, name));
	srv_ok(buf, NULL);
	snprintf(buf, sizeof buf, "_sip._tcp.%s", long_name(244, name));
	assert_non_null(strstr(srv_why(buf), "254 characters"));
}

static const char *addr_ok(const char *in, const char *want)
{
	static char warn[VALIDATE_MSG_MAX];
	char why[VALIDATE_MSG_MAX];
	struct dd_addr a;

	if (validate_addr(in, &a, why, warn) < 0)
		fail_msg("%s: %s", in, why);
	assert_string_equal(a.text, want);
	assert_int_equal(a.family, strchr(want, ':') ? AF_INET6 : AF_INET);
	return warn;
}

static const char *addr_why(const char *in)
{
	static char why[VALIDATE_MSG_MAX];
	char warn[VALIDATE_MSG_MAX];
	struct dd_addr a;

	assert_int_equal(validate_addr(in, &a, why, warn), -1);
	return why;
}

static void t_addr(void **state)
{
	(void)state;
	assert_string_equal(addr_ok("10.0.10.11", "10.0.10.11"), "");
	assert_string_equal(addr_ok("0.0.0.1", "0.0.0.1"), "");
	assert_string_equal(addr_ok("223.255.255.255", "223.255.255.255"), "");
	assert_string_equal(addr_ok("240.0.0.1", "240.0.0.1"), "");
	assert_string_equal(addr_ok("255.255.255.254", "255.255.255.254"), "");
	assert_string_equal(addr_ok("FD00:0:0:0::12", "fd00::12"), "");
	assert_string_equal(addr_ok("fd00:0000::0012", "fd00::12"), "");
	assert_string_equal(addr_ok("2001:db8::1", "2001:db8::1"), "");
	assert_string_equal(addr_ok("64:ff9b::1.2.3.4", "64:ff9b::102:304"), "");
	assert_string_equal(addr_ok("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"), "");
	assert_string_equal(addr_ok("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), "");
	assert_string_equal(addr_ok("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"), "");
	assert_non_null(strstr(addr_ok("127.0.0.1", "127.0.0.1"), "loopback"));
	assert_non_null(strstr(addr_ok("127.1.2.3", "127.1.2.3"), "loopback"));
	assert_non_null(strstr(addr_ok("::1", "::1"), "loopback"));
	assert_non_null(strstr(addr_ok("0:0:0:0:0:0:0:1", "::1"), "loopback"));
	assert_non_null(strstr(addr_why("010.0.0.1"), "leading zero in \"010\""));
	assert_non_null(strstr(addr_why("10.0.0.01"), "leading zero in \"01\""));
	assert_non_null(strstr(addr_why("10.00.0.1"), "leading zero"));
	assert_non_null(strstr(addr_why("1.2.3"), "four numbers"));
	assert_non_null(strstr(addr_why("1.2.3.256"), "four numbers"));
	assert_non_null(strstr(addr_why("1.2.3.4.5"), "four numbers"));
	assert_non_null(strstr(addr_why("1.2.3.a"), "four numbers"));
	assert_non_null(strstr(addr_why("0.0.0.0"), "unspecified"));
	assert_non_null(strstr(addr_why("::"), "unspecified"));
	assert_non_null(strstr(addr_why("0:0::0"), "unspecified"));
	assert_non_null(strstr(addr_why("224.0.0.1"), "multicast"));
	assert_non_null(strstr(addr_why("239.255.255.255"), "multicast"));
	assert_non_null(strstr(addr_why("255.255.255.255"), "broadcast"));
	assert_non_null(strstr(addr_why("ff02::1"), "multicast"));
	assert_non_null(strstr(addr_why("FF05::2"), "multicast"));
	assert_non_null(strstr(addr_why("::ffff:10.0.0.1"), "IPv4-mapped"));
	assert_non_null(strstr(addr_why("::ffff:10.0.0.1"), "write the IPv4 address 10.0.0.1"));
	assert_non_null(strstr(addr_why("::1.2.3.4"), "IPv4-compatible"));
	assert_non_null(strstr(addr_why("::2"), "write the IPv4 address 0.0.0.2"));
	assert_non_null(strstr(addr_why("::0.1.0.0"), "IPv4-compatible"));
	assert_non_null(strstr(addr_why("fe80::1%eth0"), "zone"));
	assert_non_null(strstr(addr_why("10.0.0.0/24"), "prefix length"));
	assert_non_null(strstr(addr_why("[fd00::1]"), "brackets"));
	assert_non_null(strstr(addr_why("10.0.0.1 10.0.0.2"), "commas"));
	assert_non_null(strstr(addr_why(""), "empty"));
	assert_non_null(strstr(addr_why("host.example"), "\"h\" cannot appear"));
	assert_non_null(strstr(addr_why("1.2.3.4#x"), "\"#\" cannot appear"));
	assert_non_null(strstr(addr_why("1.2.3.4\x01"), "\"\\x01\" cannot appear"));
	assert_non_null(strstr(addr_why("1::2::3"), "IPv6"));
	assert_non_null(strstr(addr_why("00001::1"), "IPv6"));
	assert_non_null(strstr(addr_why("1:2:3:4:5:6:7:8:9"), "IPv6"));
}

static void t_number(void **state)
{
	unsigned v = 7;

	(void)state;
	assert_int_equal(validate_number("0", 0, 65535, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(validate_number("65535", 0, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(validate_number("1", 1, 65535, &v), 0);
	assert_int_equal(validate_number("0", 1, 65535, &v), -1);
	assert_int_equal(validate_number("65536", 0, 65535, &v), -1);
	assert_int_equal(validate_number("00", 0, 65535, &v), -1);
	assert_int_equal(validate_number("010", 0, 65535, &v), -1);
	assert_int_equal(validate_number("", 0, 65535, &v), -1);
	assert_int_equal(validate_number("-1", 0, 65535, &v), -1);
	assert_int_equal(validate_number("+1", 0, 65535, &v), -1);
	assert_int_equal(validate_number(" 1", 0, 65535, &v), -1);
	assert_int_equal(validate_number("1 ", 0, 65535, &v), -1);
	assert_int_equal(validate_number("1e3", 0, 65535, &v), -1);
	assert_int_equal(validate_number("0x10", 0, 65535, &v), -1);
	assert_int_equal(validate_number("99999999999999999999999", 0, 4294967295u, &v), -1);
	assert_int_equal(validate_number("4294967295", 0, 4294967295u, &v), 0);
	assert_int_equal(v, 4294967295u);
}

static void t_quote(void **state)
{
	char q[VALIDATE_QUOTE_MAX], in[300];

	(void)state;
	assert_string_equal(validate_quote("a\"b\\c\x01\xc3", q), "\"a\\\"b\\\\c\\x01\\xc3\"");
	memset(in, 'x', 299);
	in[299] = '\0';
	validate_quote(in, q);
	assert_int_equal(strlen(q), VALIDATE_QUOTE_SHOWN + 5);
	assert_non_null(strstr(q, "...\""));
	memset(in, '\x01', 299);
	validate_quote(in, q);
	assert_true(strlen(q) < VALIDATE_QUOTE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_hostname_ok),
		cmocka_unit_test(t_hostname_lengths),
		cmocka_unit_test(t_hostname_shape),
		cmocka_unit_test(t_hostname_chars),
		cmocka_unit_test(t_srvname),
		cmocka_unit_test(t_addr),
		cmocka_unit_test(t_number),
		cmocka_unit_test(t_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
