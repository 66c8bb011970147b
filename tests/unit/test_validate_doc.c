/* test_validate_doc.c - the validator on whole documents: [hosts], [srv],
 * [cname] and the rules across lines ([dnsdrop]: test_validate_set.c).
 * Entries are built by hand, so these tests do not depend on config.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "validate_fx.h"

static void t_example(void **state)
{
	struct fx *f = *state;

	add(f, SEC_DNSDROP, "conf_dir", "auto");
	add(f, SEC_DNSDROP, "restart", "/etc/init.d/dnsmasq restart");
	add(f, SEC_DNSDROP, "verify", "127.0.0.1:53");
	add(f, SEC_DNSDROP, "keep_backups", "20");
	add(f, SEC_HOSTS, "expc1.example.local", "10.0.10.11");
	add(f, SEC_HOSTS, "Expc2.Example.local.", "10.0.10.12,fd00:0::12");
	add(f, SEC_SRV, "_cisco-uds._tcp.example.com", "cucm1.example.local:8443 10 10");
	add(f, SEC_SRV, "_cisco-uds._tcp.example.com", "cucm2.example.local:8443 20 10");
	add(f, SEC_SRV, "_sip._udp.example.com", ".");
	add(f, SEC_CNAME, "cucm.example.local", "expc1.example.local");
	run(f);
	CLEAN(f);
	assert_int_equal(f->cfg.nhost, 2);
	assert_string_equal(f->cfg.host[1].name, "expc2.example.local");
	assert_int_equal(f->cfg.host[1].naddr, 2);
	assert_string_equal(f->cfg.host[1].addr[1].text, "fd00::12");
	assert_int_equal(f->cfg.host[1].addr[1].family, AF_INET6);
	assert_int_equal(f->cfg.host[1].line, 6);
	assert_int_equal(f->cfg.nsrv, 3);
	assert_string_equal(f->cfg.srv[1].target, "cucm2.example.local");
	assert_int_equal(f->cfg.srv[1].port, 8443);
	assert_int_equal(f->cfg.srv[1].priority, 20);
	assert_int_equal(f->cfg.srv[1].weight, 10);
	assert_null(f->cfg.srv[2].target);
	assert_int_equal(f->cfg.ncname, 1);
	assert_string_equal(f->cfg.cname[0].target, "expc1.example.local");
}

static void t_defaults(void **state)
{
	struct fx *f = *state;
	struct dd_settings *s = &f->cfg.set;

	add(f, SEC_HOSTS, "a.example", "10.0.0.1");
	run(f);
	CLEAN(f);
	assert_string_equal(s->conf_dir, "auto");
	assert_string_equal(s->state_dir, "/tandberg/persistent/dnsdrop");
	assert_string_equal(s->restart, "/etc/init.d/dnsmasq restart");
	assert_string_equal(s->dnsmasq, "/usr/sbin/dnsmasq");
	assert_string_equal(s->dnsmasq_conf, "/etc/dnsmasq.conf");
	assert_string_equal(s->verify, "127.0.0.1:53");
	assert_int_equal(s->verify_off, 0);
	assert_string_equal(s->verify_addr, "127.0.0.1");
	assert_int_equal(s->verify_port, 53);
	assert_int_equal(s->keep_backups, 20);
}

static void t_no_records(void **state)
{
	struct fx *f = *state;

	add(f, SEC_DNSDROP, "keep_backups", "5");
	run(f);
	NERR(f, 0);
	WARN(f, 0, "no records");
}

static void t_outside_section(void **state)
{
	struct fx *f = *state;

	add(f, SEC_NONE, "a.example", "10.0.0.1");
	add(f, SEC_HOSTS, "b.example", "10.0.0.2");
	run(f);
	ERR(f, 1, "\"a.example\" is outside any section; put it under [hosts], [srv], [cname] or [dnsdrop]");
	NERR(f, 1);
}

static void t_empty_values(void **state)
{
	struct fx *f = *state;

	add(f, SEC_HOSTS, "a.example", "");
	add(f, SEC_SRV, "_sip._tcp.example", "");
	add(f, SEC_CNAME, "c.example", "");
	add(f, SEC_DNSDROP, "verify", "");
	run(f);
	ERR(f, 1, "has no value; write name = address");
	ERR(f, 2, "has no value; write name = target:port");
	ERR(f, 3, "has no value; write alias = target");
	ERR(f, 4, "verify has no value");
	NERR(f, 4);
}

static void t_hosts(void **state)
{
	struct fx *f = *state;

	add(f, SEC_HOSTS, "a.example", "10.0.0.1 ,  10.0.0.2,fd00::1");	/* 1 */
	add(f, SEC_HOSTS, "A.EXAMPLE.", "10.0.0.3");			/* 2 dup of 1 */
	add(f, SEC_HOSTS, "b.example", "10.0.0.1, 10.0.0.1, 10.0.0.1");	/* 3 */
	add(f, SEC_HOSTS, "c.example", "fd00::1, FD00:0::1");		/* 4 */
	add(f, SEC_HOSTS, "d.example", "10.0.0.1,");			/* 5 */
	add(f, SEC_HOSTS, "e.example", "10.0.0.1,,10.0.0.2");		/* 6 */
	add(f, SEC_HOSTS, "f.example", "10.0.0.1 10.0.0.2");		/* 7 */
	add(f, SEC_HOSTS, "g.example", "127.0.0.1");			/* 8 */
	add(f, SEC_HOSTS, "h_1.example", "0.0.0.0, 010.0.0.1");	/* 9 */
	add(f, SEC_HOSTS, "x.example", "10.0.0.1,server=1.2.3.4");	/* 10 */
	add(f, SEC_HOSTS, "y.example", "1.2.3.4#x");			/* 11 */
	add(f, SEC_HOSTS, "z.example", "a.example");			/* 12 */
	run(f);
	ERR(f, 2, "host a.example is already defined on line 1");
	ERR(f, 3, "address 10.0.0.1 is given twice");
	ERR(f, 4, "address fd00::1 is given twice");
	ERR(f, 5, "empty address between commas");
	ERR(f, 6, "empty address between commas");
	ERR(f, 7, "separate several addresses with commas");
	WARN(f, 8, "loopback");
	ERR(f, 9, "\"_\" is only allowed");
	ERR(f, 9, "unspecified");
	ERR(f, 9, "leading zero");
	ERR(f, 10, "address \"server=1.2.3.4\": is not an IPv4 or IPv6 address");
	ERR(f, 11, "\"#\" cannot appear");
	ERR(f, 12, "cannot appear");
	NERR(f, 12);
	assert_int_equal(f->cfg.host[0].naddr, 3);
	assert_string_equal(f->cfg.host[0].addr[1].text, "10.0.0.2");
}

static void t_srv_fields(void **state)
{
	struct fx *f = *state;

	add(f, SEC_SRV, "_a._tcp.example", "t.example:1");		/* 1 */
	add(f, SEC_SRV, "_b._tcp.example", "t.example:65535 0 65535");	/* 2 */
	add(f, SEC_SRV, "_c._tcp.example", "t.example.:5\t7");		/* 3 */
	add(f, SEC_SRV, "_d._tcp.example", "t.example:0");		/* 4 */
	add(f, SEC_SRV, "_e._tcp.example", "t.example:65536");		/* 5 */
	add(f, SEC_SRV, "_f._tcp.example", "t.example:5 65536");		/* 6 */
	add(f, SEC_SRV, "_g._tcp.example", "t.example:5 1 65536");		/* 7 */
	add(f, SEC_SRV, "_h._tcp.example", "t.example:05");		/* 8 */
	add(f, SEC_SRV, "_i._tcp.example", "t.example:5 010");		/* 9 */
	add(f, SEC_SRV, "_j._tcp.example", "t.example:5 1 2 3");		/* 10 */
	add(f, SEC_SRV, "_k._tcp.example", "t.example:5,1,2");		/* 11 */
	add(f, SEC_SRV, "_l._tcp.example", "t.example");			/* 12 */
	add(f, SEC_SRV, "_m._tcp.example", ". 10 10");			/* 13 */
	add(f, SEC_SRV, "_n._tcp.example", "t.example:-1");		/* 14 */
	add(f, SEC_SRV, "_o._tcp.example", ":5");			/* 15 */
	run(f);
	ERR(f, 4, "port \"0\" is not a number from 1 to 65535");
	ERR(f, 5, "port \"65536\"");
	ERR(f, 6, "priority \"65536\" is not a number from 0 to 65535");
	ERR(f, 7, "weight \"65536\" is not a number from 0 to 65535");
	ERR(f, 8, "port \"05\"");
	ERR(f, 9, "priority \"010\"");
	ERR(f, 10, "too many fields");
	ERR(f, 11, "separated by blanks, not commas");
	ERR(f, 12, "has no port");
	ERR(f, 13, "takes no port, priority or weight");
	ERR(f, 14, "port \"-1\"");
	ERR(f, 15, "target \"\": is empty");
	NERR(f, 12);
	assert_int_equal(f->cfg.nsrv, 3);
	assert_int_equal(f->cfg.srv[0].port, 1);
	assert_int_equal(f->cfg.srv[0].priority, 10);
	assert_int_equal(f->cfg.srv[0].weight, 10);
	assert_int_equal(f->cfg.srv[1].port, 65535);
	assert_int_equal(f->cfg.srv[1].priority, 0);
	assert_int_equal(f->cfg.srv[1].weight, 65535);
	assert_string_equal(f->cfg.srv[2].target, "t.example");
	assert_int_equal(f->cfg.srv[2].priority, 7);
	assert_int_equal(f->cfg.srv[2].weight, 10);
}

static void t_srv_targets(void **state)
{
	struct fx *f = *state;

	add(f, SEC_SRV, "_a._tcp.example", "10.0.0.1:5060");		/* 1 */
	add(f, SEC_SRV, "_a._tcp.example", "fd00::1:5060");		/* 2 */
	add(f, SEC_SRV, "_a._tcp.example", "[fd00::1]:5060");		/* 3 */
	add(f, SEC_SRV, "_a._tcp.example", "t_1.example:5060");		/* 4 */
	add(f, SEC_SRV, "a._tcp.example", "t.example:5060");		/* 5 */
	add(f, SEC_SRV, "_a._bogus.example", "t.example:5060");		/* 6 */
	add(f, SEC_SRV, "_a._tcp.example", "t.example:5060#x");		/* 7 */
	add(f, SEC_SRV, "_a._tcp.example", "t.example:5060 1#");		/* 8 */
	run(f);
	ERR(f, 1, "is an address; an SRV target must be a name");
	ERR(f, 2, "is an address");
	ERR(f, 3, "is an address");
	ERR(f, 4, "\"_\" is only allowed");
	ERR(f, 5, "must start with _service._proto");
	WARN(f, 6, "\"_bogus\" is not one of _tcp, _udp, _tls, _sctp");
	ERR(f, 7, "port \"5060#x\"");
	ERR(f, 8, "priority \"1#\"");
	NERR(f, 7);
}

/* A target one edit or one swap of neighbours off a host is a warning,
 * once per target, at its first line; two edits, a known name or an alias
 * are not. */
static void t_srv_near(void **state)
{
	struct fx *f = *state;

	add(f, SEC_HOSTS, "cucm-pub.acme.local", "10.0.0.4");		/* 1 */
	add(f, SEC_HOSTS, "cucm-sub1.acme.local", "10.0.0.5");		/* 2 */
	add(f, SEC_CNAME, "cucm.acme.local", "cucm-pub.acme.local");	/* 3 */
	add(f, SEC_SRV, "_cisco-uds._tcp.acme.com", "cucm-sub.acme.local:8443");	/* 4 */
	add(f, SEC_SRV, "_cuplogin._tcp.acme.com", "cucm-sub.acme.local:8443");	/* 5 */
	add(f, SEC_SRV, "_cuplogin._tcp.acme.com", "cucm-pbu.acme.local:8443");	/* 6 */
	add(f, SEC_SRV, "_a._tcp.acme.com", "cucm-pubx.acme.local:8443");	/* 7 */
	add(f, SEC_SRV, "_a._tcp.acme.com", "cucm-sub2.acme.local:8443");	/* 8 */
	add(f, SEC_SRV, "_b._tcp.acme.com", "cucm.acme.local:8443");		/* 9 */
	add(f, SEC_SRV, "_b._tcp.acme.com", "cucm-pub.acme.local:8443");	/* 10 */
	add(f, SEC_SRV, "_c._tcp.acme.com", "cucm-pxx.acme.local:8443");	/* 11 two edits */
	add(f, SEC_SRV, "_c._tcp.acme.com", "ucmc-pub.acme.local:8443");	/* 12 two swaps */
	run(f);
	WARN(f, 4, "SRV target cucm-sub.acme.local is not in [hosts]: did you mean cucm-sub1.acme.local?");
	WARN(f, 6, "SRV target cucm-pbu.acme.local is not in [hosts]: did you mean cucm-pub.acme.local?");
	WARN(f, 7, "did you mean cucm-pub.acme.local?");
	WARN(f, 8, "did you mean cucm-sub1.acme.local?");
	NERR(f, 0);
	assert_int_equal(f->pr.warnings, 4);
}

static void t_srv_dups(void **state)
{
	struct fx *f = *state;

	add(f, SEC_SRV, "_a._tcp.example", "t.example:5060 10 10");	/* 1 */
	add(f, SEC_SRV, "_A._TCP.example.", "T.example.:5060");		/* 2 same as 1 */
	add(f, SEC_SRV, "_a._tcp.example", "t.example:5060 10 11");	/* 3 differs */
	add(f, SEC_SRV, "_a._tcp.example", "t.example:5061 10 10");	/* 4 differs */
	add(f, SEC_SRV, "_a._tcp.example", "u.example:5060 10 10");	/* 5 differs */
	add(f, SEC_SRV, "_b._tcp.example", ".");			/* 6 */
	add(f, SEC_SRV, "_b._tcp.example", ".");			/* 7 same as 6 */
	add(f, SEC_SRV, "_c._tcp.example", "t.example:5060");		/* 8 */
	add(f, SEC_SRV, "_c._tcp.example", ".");			/* 9 mixed */
	add(f, SEC_SRV, "_a._tcp.example", "t.example:5060 10 10");	/* 10 same as 1 */
	add(f, SEC_SRV, "_a._udp.example", "t.example:5060 10 10");	/* 11 differs */
	run(f);
	ERR(f, 2, "the same SRV record is already on line 1");
	ERR(f, 7, "the same SRV record is already on line 6");
	ERR(f, 9, "\".\" says _c._tcp.example is not offered, but line 8 gives it a record");
	ERR(f, 10, "already on line 1");
	NERR(f, 4);
}

static void t_srv_mra(void **state)
{
	static const struct { const char *svc; unsigned port; } mra[] = {
		{ "_collab-edge._tls", 8443 }, { "_cisco-uds._tcp", 8443 },
		{ "_cuplogin._tcp", 8443 }, { "_xmpp-server._tcp", 5269 },
		{ "_xmpp-client._tcp", 5222 }, { "_sips._tcp", 5061 },
		{ "_sip._tcp", 5060 }, { "_sip._udp", 5060 },
	};
	struct fx *f = *state;
	char name[64], val[64];
	size_t i, n = sizeof mra / sizeof *mra;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s.example.com", mra[i].svc);
		snprintf(val, sizeof val, "t.example:%u", mra[i].port);
		add(f, SEC_SRV, name, val);
		snprintf(val, sizeof val, "t.example:%u", mra[i].port + 1);
		add(f, SEC_SRV, name, val);
	}
	add(f, SEC_SRV, "_sip._tls.example.com", "t.example:5061");	/* not on the list */
	add(f, SEC_SRV, "_sip._tcp.example.com", ".");			/* "." has no port */
	add(f, SEC_SRV, "_sip._tcp.example.net", ".");
	run(f);
	for (i = 0; i < n; i++) {
		char want[160];
		snprintf(want, sizeof want, mra[i].port == 8443
			 ? "%s on port %u is unusual: MRA clients expect port %u"
			 : "%s on port %u is unusual: that service is on port %u (it is not an MRA record",
			 mra[i].svc, mra[i].port + 1, mra[i].port);
		assert_int_equal(count(f, (int)(2 * i + 1), SEV_WARNING, ""), 0);
		WARN(f, (int)(2 * i + 2), want);
	}
	assert_int_equal(f->pr.warnings, n);
	ERR(f, (int)(2 * n + 2), "is not offered");
	NERR(f, 1);
}

static void t_cname(void **state)
{
	struct fx *f = *state;

	add(f, SEC_HOSTS, "h.example", "10.0.0.1");		/* 1 */
	add(f, SEC_CNAME, "A.example.", "H.EXAMPLE.");		/* 2 ok */
	add(f, SEC_CNAME, "b.example", "nohost.example");	/* 3 */
	add(f, SEC_HOSTS, "h2.example", "10.0.0.2");		/* 4 */
	add(f, SEC_CNAME, "h2.example", "h.example");		/* 5 alias is a host */
	add(f, SEC_CNAME, "c.example", "a.example");		/* 6 chain */
	add(f, SEC_CNAME, "a.example", "h.example");		/* 7 alias twice */
	add(f, SEC_CNAME, "l1.example", "l2.example");		/* 8 loop */
	add(f, SEC_CNAME, "l2.example", "l1.example");		/* 9 loop */
	add(f, SEC_CNAME, "s.example", "S.example");		/* 10 self */
	add(f, SEC_CNAME, "d.example", "10.0.0.1");		/* 11 */
	add(f, SEC_CNAME, "e.example", "fd00::1");		/* 12 */
	add(f, SEC_CNAME, "f_1.example", "h.example");		/* 13 */
	add(f, SEC_CNAME, "g.example", "h.example, x.example");	/* 14 */
	add(f, SEC_CNAME, "i.example", "[h.example]");		/* 15 */
	run(f);
	ERR(f, 3, "target nohost.example is not in [hosts]");
	ERR(f, 5, "alias h2.example is also a host (line 4)");
	ERR(f, 6, "target a.example is itself an alias (line 2); dnsmasq does not follow CNAME chains: point c.example at h.example directly");
	ERR(f, 7, "alias a.example is already defined on line 2");
	ERR(f, 8, "l1.example and l2.example (line 9) point at each other");
	ERR(f, 9, "l2.example and l1.example (line 8) point at each other");
	ERR(f, 10, "alias s.example points at itself");
	ERR(f, 11, "is an address; a CNAME points at a name");
	ERR(f, 12, "is an address");
	ERR(f, 13, "alias \"f_1.example\": \"_\"");
	ERR(f, 14, "\",\" is not allowed");
	ERR(f, 15, "is an address");
	NERR(f, 12);
	assert_string_equal(f->cfg.cname[0].alias, "a.example");
	assert_string_equal(f->cfg.cname[0].target, "h.example");
}

/* 100k hosts, 100k SRV records and 10k aliases, all valid: the rules across
 * lines must stay O(n log n) (a quadratic scan would take minutes). */
static void t_large(void **state)
{
	struct fx *f = *state;
	char name[64], val[64];
	clock_t t0 = clock();
	double secs;

	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, "h%d.example.local", i);
		snprintf(val, sizeof val, "10.%d.%d.%d, fd00::%x:%x", i >> 16, (i >> 8) & 255, i & 255, (i >> 16) + 1, i & 0xffff);
		add(f, SEC_HOSTS, name, val);
		snprintf(name, sizeof name, "_s%d._tcp.example.com", i % 5000);
		snprintf(val, sizeof val, "h%d.example.local:%d %d", i, 1 + i % 60000, i % 7);
		add(f, SEC_SRV, name, val);
		if (i % 10 == 0) {
			snprintf(name, sizeof name, "a%d.example.local", i);
			snprintf(val, sizeof val, "h%d.example.local", i);
			add(f, SEC_CNAME, name, val);
		}
	}
	run(f);
	CLEAN(f);
	assert_int_equal(f->cfg.nhost, 100000);
	assert_int_equal(f->cfg.nsrv, 100000);
	assert_int_equal(f->cfg.ncname, 10000);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	print_message("  100k hosts + 100k srv + 10k cname: %.2fs\n", secs);
	assert_true(secs < 20.0);	/* generous: sanitizer builds are slow */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_example), T(t_defaults), T(t_no_records), T(t_outside_section),
		T(t_empty_values), T(t_hosts), T(t_srv_fields), T(t_srv_targets), T(t_srv_near),
		T(t_srv_dups), T(t_srv_mra), T(t_cname),
		T(t_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
