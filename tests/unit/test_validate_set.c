/* test_validate_set.c - the validator on [dnsdrop]: every key, its forms and
 * defaults, unknown keys with "did you mean", keys set twice, paths, the
 * restart command without a shell, verify forms, state_dir vs conf_dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "validate_fx.h"

/* A fresh document with one record and one setting; returns F. */
static struct fx *one(struct fx *f, const char *key, const char *value)
{
	reset(f);
	add(f, SEC_HOSTS, "a.example", "10.0.0.1");
	add(f, SEC_DNSDROP, key, value);
	run(f);
	return f;
}

static void t_set_all(void **state)
{
	struct fx *f = *state;
	struct dd_settings *s = &f->cfg.set;

	add(f, SEC_DNSDROP, "conf_dir", "/etc/dnsmasq.d/");
	add(f, SEC_DNSDROP, "state_dir", "/var/lib/dnsdrop//");
	add(f, SEC_DNSDROP, "restart", "/usr/sbin/service\tdnsmasq  restart");
	add(f, SEC_DNSDROP, "dnsmasq", "off");
	add(f, SEC_DNSDROP, "dnsmasq_conf", "/etc/dnsmasq.conf");
	add(f, SEC_DNSDROP, "verify", "off");
	add(f, SEC_DNSDROP, "keep_backups", "1000");
	add(f, SEC_HOSTS, "a.example", "10.0.0.1");
	run(f);
	CLEAN(f);
	assert_string_equal(s->conf_dir, "/etc/dnsmasq.d");
	assert_string_equal(s->state_dir, "/var/lib/dnsdrop");
	assert_string_equal(s->restart, "/usr/sbin/service\tdnsmasq  restart");
	assert_string_equal(s->dnsmasq, "off");
	assert_string_equal(s->dnsmasq_conf, "/etc/dnsmasq.conf");
	assert_string_equal(s->verify, "off");
	assert_int_equal(s->verify_off, 1);
	assert_int_equal(s->keep_backups, 1000);
}

static void t_set_unknown(void **state)
{
	static const char *const typo[][2] = {
		{ "conf-dir", "conf_dir" }, { "Conf_Dir", "conf_dir" }, { "VERIFY", "verify" },
		{ "verfy", "verify" }, { "keep_backup", "keep_backups" }, { "restrat", "restart" },
		{ "statedir", "state_dir" }, { "dnsmasq-conf", "dnsmasq_conf" }, { "dnsmaq", "dnsmasq" }, { "restart_timout", "restart_timeout" },
	};
	struct fx *f = *state;
	char want[64];

	for (size_t i = 0; i < sizeof typo / sizeof *typo; i++) {
		snprintf(want, sizeof want, "did you mean '%s'?", typo[i][1]);
		ERR(one(f, typo[i][0], "x"), 2, want);
		NERR(f, 1);
	}
	ERR(one(f, "frobnicate", "1"), 2,
	    "unknown key \"frobnicate\" in [dnsdrop]; the keys are conf_dir, state_dir, restart, dnsmasq, dnsmasq_conf, verify, keep_backups, restart_timeout, hosts_mode and hosts_dir");
}

static void t_set_twice(void **state)
{
	struct fx *f = *state;

	add(f, SEC_DNSDROP, "verify", "off");
	add(f, SEC_DNSDROP, "verify", "127.0.0.1");
	add(f, SEC_DNSDROP, "verify", "off");
	add(f, SEC_DNSDROP, "keep_backups", "0");
	add(f, SEC_DNSDROP, "keep_backups", "3");
	run(f);
	ERR(f, 2, "verify is set again; it was first set on line 1");
	ERR(f, 3, "first set on line 1");
	ERR(f, 4, "keep_backups \"0\": is not a number from 1 to 1000");
	ERR(f, 5, "keep_backups is set again; it was first set on line 4");
	NERR(f, 4);
}

static void t_set_paths(void **state)
{
	static const char *const keys[] = { "conf_dir", "state_dir", "dnsmasq", "dnsmasq_conf" };
	static const char *const bad[][2] = {
		{ "etc/dnsmasq.d", "path" }, { "./x", "" }, { "/a/../b", "\"..\" component" },
		{ "/a/..", "\"..\" component" }, { "/a,b", "\",\"" }, { "/a b", "\" \"" },
		{ "/a\tb", "\"\\x09\"" }, { "/a\x01" "b", "\"\\x01\"" }, { "~/x", "" },
	};
	static const char *const good[] = { "/a/..b", "/a/b..", "/a/.../b", "/a/./b", "/" };
	struct fx *f = *state;

	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			ERR(one(f, keys[k], bad[i][0]), 2, bad[i][1]);
			NERR(f, 1);
		}
		for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
			one(f, keys[k], good[i]);
			if (k == 0 && strcmp(good[i], "/") == 0)
				ERR(f, 2, "is conf_dir \"/\" or inside it");	/* default state_dir */
			else
				CLEAN(f);
		}
	}
	ERR(one(f, "conf_dir", "Auto"), 2, "is neither auto nor an absolute path");
	ERR(one(f, "dnsmasq", "no"), 2, "is neither off nor an absolute path");
	ERR(one(f, "state_dir", "auto"), 2, "is a relative path");
	ERR(one(f, "dnsmasq_conf", "off"), 2, "is a relative path");
}

static void t_set_restart(void **state)
{
	static const char *const shell[] = { "'", "\"", "$", "`", ";", "|", "&", "<", ">", "\\" };
	struct fx *f = *state;
	char val[64];

	for (size_t i = 0; i < sizeof shell / sizeof *shell; i++) {
		snprintf(val, sizeof val, "/etc/init.d/dnsmasq restart %s x", shell[i]);
		ERR(one(f, "restart", val), 2, "no shell runs this command");
		NERR(f, 1);
	}
	ERR(one(f, "restart", "/bin/sh -c \"/etc/init.d/dnsmasq restart\""), 2, "no shell");
	ERR(one(f, "restart", "service dnsmasq restart"), 2, "relative path");
	ERR(one(f, "restart", "/etc/init.d/../x restart"), 2, "\"..\" component");
	one(f, "restart", "/etc/init.d/dnsmasq");
	CLEAN(f);
	assert_string_equal(f->cfg.set.restart, "/etc/init.d/dnsmasq");
	one(f, "restart", "/usr/bin/systemctl restart dnsmasq.service --no-block");
	CLEAN(f);
}

static void t_set_verify(void **state)
{
	static const struct { const char *in, *addr; unsigned port; } ok[] = {
		{ "10.0.0.1", "10.0.0.1", 53 }, { "10.0.0.1:5353", "10.0.0.1", 5353 },
		{ "127.0.0.1:1", "127.0.0.1", 1 }, { "127.0.0.1:65535", "127.0.0.1", 65535 },
		{ "[::1]:5353", "::1", 5353 }, { "::1", "::1", 53 }, { "[fd00::0001]", "fd00::1", 53 },
		{ "fd00::53", "fd00::53", 53 },
	};
	static const char *const bad[][2] = {
		{ "[10.0.0.1]:53", "brackets are for IPv6 only" }, { "10.0.0.1:0", "1 to 65535" },
		{ "10.0.0.1:65536", "1 to 65535" }, { "10.0.0.1:", "port \"\"" },
		{ "10.0.0.1:053", "port \"053\"" }, { "[::1", "unclosed" }, { "[::1]53", "after \"]\"" },
		{ "localhost:53", "not an IPv4 or IPv6" }, { "0.0.0.0", "unspecified" },
		{ "224.0.0.1:53", "multicast" }, { "Off", "not an IPv4 or IPv6" },
		{ "010.0.0.1", "leading zero" }, { "[fe80::1%eth0]:53", "zone" },
		{ "[::1]:", "port \"\"" },
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		one(f, "verify", ok[i].in);
		CLEAN(f);	/* loopback is the usual server: no warning */
		assert_string_equal(f->cfg.set.verify, ok[i].in);
		assert_int_equal(f->cfg.set.verify_off, 0);
		assert_string_equal(f->cfg.set.verify_addr, ok[i].addr);
		assert_int_equal(f->cfg.set.verify_port, ok[i].port);
	}
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		ERR(one(f, "verify", bad[i][0]), 2, bad[i][1]);
		NERR(f, 1);
	}
}

static void t_set_keep(void **state)
{
	static const char *const bad[] = { "0", "1001", "020", "-1", "x", "20 ", "1e2" };
	struct fx *f = *state;

	one(f, "keep_backups", "1");
	CLEAN(f);
	assert_int_equal(f->cfg.set.keep_backups, 1);
	one(f, "keep_backups", "1000");
	CLEAN(f);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ERR(one(f, "keep_backups", bad[i]), 2, "is not a number from 1 to 1000");
}

static void t_set_restart_timeout(void **state)
{
	static const char *const bad[] = { "0", "601", "030", "-1", "x", "1.5" };
	struct fx *f = *state;

	one(f, "restart", "/bin/true");
	CLEAN(f);
	assert_int_equal(f->cfg.set.restart_timeout, 30);	/* the default */
	one(f, "restart_timeout", "1");
	CLEAN(f);
	assert_int_equal(f->cfg.set.restart_timeout, 1);
	one(f, "restart_timeout", "600");
	CLEAN(f);
	assert_int_equal(f->cfg.set.restart_timeout, 600);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ERR(one(f, "restart_timeout", bad[i]), 2, "is not a number of seconds from 1 to 600");
}

/* dnsmasq would load files in state_dir as configuration. */
static void t_set_state_in_conf(void **state)
{
	static const struct { const char *conf, *st; int bad; } c[] = {
		{ "/etc/dnsmasq.d", "/etc/dnsmasq.d", 1 },
		{ "/etc/dnsmasq.d/", "/etc/dnsmasq.d/state/", 1 },
		{ "/etc/dnsmasq.d", "/etc/dnsmasq.d/a/b", 1 },
		{ "/", "/var/dnsdrop", 1 },
		{ "/etc/dnsmasq.d", "/etc/dnsmasq.d2", 0 },
		{ "/etc/dnsmasq.d", "/etc/dnsmasq", 0 },
		{ "/etc/dnsmasq.d/x", "/etc/dnsmasq.d", 0 },
		{ "auto", "/etc/dnsmasq.d", 0 },
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		reset(f);
		add(f, SEC_DNSDROP, "conf_dir", c[i].conf);
		add(f, SEC_DNSDROP, "state_dir", c[i].st);
		add(f, SEC_HOSTS, "a.example", "10.0.0.1");
		run(f);
		if (c[i].bad)
			ERR(f, 2, "dnsmasq would load the backups as configuration");
		else
			CLEAN(f);
	}
	/* the default state_dir inside conf_dir: reported on conf_dir's line */
	ERR(one(f, "conf_dir", "/tandberg/persistent"), 2,
	    "state_dir \"/tandberg/persistent/dnsdrop\" is conf_dir \"/tandberg/persistent\" or inside it");
}

static void t_set_hosts_mode(void **state)
{
	struct fx *f = *state;

	one(f, "restart", "/bin/true");
	CLEAN(f);
	assert_int_equal(f->cfg.set.hosts_hot, 0);	/* the default: restart */
	assert_string_equal(f->cfg.set.hosts_dir, "/tandberg/persistent/dnsdrop-hosts");
	one(f, "hosts_mode", "hot");
	CLEAN(f);
	assert_int_equal(f->cfg.set.hosts_hot, 1);
	one(f, "hosts_mode", "restart");
	CLEAN(f);
	assert_int_equal(f->cfg.set.hosts_hot, 0);
	ERR(one(f, "hosts_mode", "hto"), 2, "is neither restart nor hot; did you mean 'hot'?");
	ERR(one(f, "hosts_mode", "inotify"), 2, "is neither restart nor hot");
	ERR(one(f, "hosts_mod", "hot"), 2, "did you mean 'hosts_mode'?");
	one(f, "hosts_dir", "/var/hd/");
	CLEAN(f);
	assert_string_equal(f->cfg.set.hosts_dir, "/var/hd");
	ERR(one(f, "hosts_dir", "var/hd"), 2, "is a relative path");
}

static void t_set_hosts_dir_overlap(void **state)
{
	static const struct { const char *dir; int bad; } c[] = {
		{ "/tandberg/persistent/dnsdrop", 1 }, { "/tandberg/persistent/dnsdrop/h", 1 },
		{ "/tandberg/persistent", 1 }, { "/etc/dnsmasq.d", 1 }, { "/etc/dnsmasq.d/h", 1 },
		{ "/etc", 1 }, { "/tandberg/persistent/dnsdrop-hosts", 0 }, { "/var/h", 0 },
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		reset(f);
		add(f, SEC_DNSDROP, "conf_dir", "/etc/dnsmasq.d");
		add(f, SEC_DNSDROP, "hosts_mode", "hot");
		add(f, SEC_DNSDROP, "hosts_dir", c[i].dir);
		add(f, SEC_HOSTS, "a.example", "10.0.0.1");
		run(f);
		if (c[i].bad)
			ERR(f, 3, "overlaps state_dir");
		else
			CLEAN(f);
	}
	/* in restart mode hosts_dir is not used, so not judged */
	reset(f);
	add(f, SEC_DNSDROP, "hosts_dir", "/tandberg/persistent/dnsdrop");
	add(f, SEC_HOSTS, "a.example", "10.0.0.1");
	run(f);
	CLEAN(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(t_set_all), T(t_set_unknown), T(t_set_twice), T(t_set_paths),
		T(t_set_restart), T(t_set_verify), T(t_set_keep), T(t_set_restart_timeout),
		T(t_set_state_in_conf), T(t_set_hosts_mode), T(t_set_hosts_dir_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
