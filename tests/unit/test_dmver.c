/* test_dmver.c - the dnsmasq version table (src/core/dmver.c): parsing
 * --version, the quirks of each range edge, the UNKNOWN guess, and the
 * warnings for records and hand-made lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "dmver.h"

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(dmver_parse("2.90"), 290);
	assert_int_equal(dmver_parse("2.80rc1"), 280);
	assert_int_equal(dmver_parse("2.9"), 209);
	assert_int_equal(dmver_parse("UNKNOWN"), 0);
	assert_int_equal(dmver_parse("2."), 0);
	assert_int_equal(dmver_parse(".90"), 0);
	assert_int_equal(dmver_parse("123456.1"), 0);
}

/* Each quirk at both edges of its range. */
static void test_quirks(void **state)
{
	(void)state;
	assert_true(dmver_quirks(271) & DMQ_STAR_SKIPS);
	assert_false(dmver_quirks(272) & DMQ_STAR_SKIPS);
	assert_true(dmver_quirks(280) & DMQ_ALIAS_AAAA);
	assert_false(dmver_quirks(281) & DMQ_ALIAS_AAAA);
	assert_false(dmver_quirks(275) & DMQ_UDP_ARCOUNT);
	assert_true(dmver_quirks(276) & DMQ_UDP_ARCOUNT);
	assert_true(dmver_quirks(277) & DMQ_UDP_ARCOUNT);
	assert_false(dmver_quirks(278) & DMQ_UDP_ARCOUNT);
	assert_true(dmver_quirks(285) & DMQ_NO_QUOTES);
	assert_false(dmver_quirks(286) & DMQ_NO_QUOTES);
	assert_true(dmver_quirks(286) & DMQ_SRV_COMMA_FAILS);
	assert_true(dmver_quirks(276) & DMQ_CNAME_MULTI_FAILS);
	assert_false(dmver_quirks(277) & DMQ_CNAME_MULTI_FAILS);
	assert_false(dmver_quirks(287) & DMQ_SRV_COMMA_FAILS);
	assert_int_equal(dmver_quirks(290), DMQ_AAAA_FORWARD);
	assert_int_equal(dmver_quirks(0), dmver_quirks(266));
	for (unsigned q = 1; q <= DMQ_AAAA_FORWARD; q <<= 1)
		assert_non_null(dmver_text(q));
	assert_null(dmver_text(1u << 20));
}

static void test_copyright(void **state)
{
	(void)state;
	assert_int_equal(dmver_from_copyright("Dnsmasq version UNKNOWN  Copyright (c) 2000-2013 Simon Kelley"), 265);
	assert_int_equal(dmver_from_copyright("Dnsmasq version UNKNOWN  Copyright (c) 2000-2016 Simon Kelley"), 276);
	assert_int_equal(dmver_from_copyright("Copyright (c) 2000-2099"), 291);
	assert_int_equal(dmver_from_copyright("Copyright (c) 2000-2012"), 0);
	assert_int_equal(dmver_from_copyright("no year"), 0);
}

static void test_alias_warning(void **state)
{
	struct dd_addr v4 = { AF_INET, "10.0.0.1" }, v6[] = { { AF_INET, "10.0.0.2" },
							      { AF_INET6, "fd00::2" } };
	struct dd_host h[] = { { "a.example.local", &v4, 1, 2 }, { "b.example.local", v6, 2, 3 } };
	struct dd_cname c[] = { { "x.example.local", "a.example.local", 5 },
				{ "y.example.local", "b.example.local", 6 } };
	struct dd_config cfg = { .path = "t.ini", .host = h, .nhost = 2, .cname = c, .ncname = 2 };
	struct problems pr = { 0 };

	(void)state;
	dmver_warn(&cfg, dmver_quirks(290), "dnsmasq 2.90", &pr);
	assert_int_equal(pr.n, 0);
	dmver_warn(&cfg, dmver_quirks(280), "dnsmasq 2.80", &pr);
	assert_int_equal(pr.n, 1);
	assert_int_equal(pr.v[0].line, 5);
	assert_non_null(strstr(pr.v[0].text, "alias x.example.local"));
	problems_free(&pr);
}

static void test_import_lines(void **state)
{
	static const char text[] =
		"host-record=\"q.example.local\",10.0.0.1\n"
		"host-record=t.example.local,10.0.0.2,300\r\n"
		"cname=c.example.local,d.example.local,t.example.local\n"
		"srv-host=_sip._udp.example.local,\n"
		"  # srv-host=_x._tcp.example.local,\n"
		"srv-host=_sip._tcp.example.local\n"
		"no equals sign";
	struct problems pr = { 0 };

	(void)state;
	dmver_import_warn("h.conf", text, sizeof text - 1, dmver_quirks(290), "2.90", &pr);
	assert_int_equal(pr.n, 0);
	dmver_import_warn("h.conf", text, sizeof text - 1, dmver_quirks(266), "2.66", &pr);
	assert_int_equal(pr.n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pr.v[i].line, i + 1);
	assert_non_null(strstr(pr.v[2].text, "serves nothing"));
	problems_free(&pr);
	dmver_import_warn("h.conf", text, sizeof text - 1, dmver_quirks(276), "2.76", &pr);
	assert_int_equal(pr.n, 3);	/* quotes, two aliases fail, srv comma */
	assert_non_null(strstr(pr.v[1].text, "fails --test"));
	problems_free(&pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_copyright),
		cmocka_unit_test(test_alias_warning),
		cmocka_unit_test(test_import_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
