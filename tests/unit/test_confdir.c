/* test_confdir.c - confdir.c on sandbox roots: one conf-dir, extension
 * filters, conf-file includes, none, several, cycles, dnsmasq's line
 * syntax, and a fake /proc tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confdir.h"
#include "conflict.h"

#define CONF "/etc/dnsmasq.conf"

struct fx {
	char root[64];
	struct confdir_result res;
	struct problems pr;
};

/* Write ROOT/REL, creating its directories. */
static void put(const struct fx *fx, const char *rel, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s%s", fx->root, rel);
	for (char *p = path + strlen(fx->root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void puts_at(const struct fx *fx, const char *rel, const char *text)
{
	put(fx, rel, text, strlen(text));
}

static void dir_at(const struct fx *fx, const char *rel)
{
	char path[512];

	snprintf(path, sizeof path, "%s%s/.keep", fx->root, rel);
	puts_at(fx, path + strlen(fx->root), "");
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);

	strcpy(fx->root, "/tmp/dnsdrop-cd-XXXXXX");
	if (!mkdtemp(fx->root))
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	confdir_free(&fx->res);
	problems_free(&fx->pr);
	snprintf(cmd, sizeof cmd, "rm -rf %s", fx->root);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static int find(struct fx *fx)
{
	return confdir_find(CONF, fx->root, 0, &fx->res, &fx->pr);
}

/* The single error's text, which must contain every NEEDLE. */
static const char *error_with(const struct fx *fx, const char *n1, const char *n2)
{
	assert_int_equal(fx->pr.errors, 1);
	for (size_t i = 0; i < fx->pr.n; i++) {
		if (fx->pr.v[i].sev != SEV_ERROR)
			continue;
		assert_string_equal(fx->pr.v[i].file, CONF);
		assert_non_null(strstr(fx->pr.v[i].text, "set conf_dir in [dnsdrop]"));
		if (n1 && !strstr(fx->pr.v[i].text, n1))
			fail_msg("no \"%s\" in: %s", n1, fx->pr.v[i].text);
		if (n2 && !strstr(fx->pr.v[i].text, n2))
			fail_msg("no \"%s\" in: %s", n2, fx->pr.v[i].text);
		return fx->pr.v[i].text;
	}
	return NULL;
}

static void test_single(void **state)
{
	struct fx *fx = *state;
	char want[128];

	puts_at(fx, CONF, "# Expressway\n\ndomain-needed\n"
		"  conf-dir = /tandberg/dnsmasq.d/ , *.conf   # drop-ins\n");
	dir_at(fx, "/tandberg/dnsmasq.d");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.dir, "/tandberg/dnsmasq.d");
	snprintf(want, sizeof want, "%s/tandberg/dnsmasq.d", fx->root);
	assert_string_equal(fx->res.dir_rooted, want);
	assert_string_equal(fx->res.filters, "*.conf");
	assert_string_equal(fx->res.how, "conf-dir=/tandberg/dnsmasq.d,*.conf "
			    "at line 4 of /etc/dnsmasq.conf");
	assert_null(fx->res.notes);
	assert_int_equal(fx->pr.n, 0);
}

static void test_bak_excluded(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-dir=/etc/dnsmasq.d,.bak,.dpkg-old\r\n");
	dir_at(fx, "/etc/dnsmasq.d");
	/* x.bak is skipped by dnsmasq, so its conf-dir line is not seen. */
	puts_at(fx, "/etc/dnsmasq.d/x.bak", "conf-dir=/other\n");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.dir, "/etc/dnsmasq.d");
	assert_string_equal(fx->res.filters, ".bak,.dpkg-old");
	assert_int_equal(fx->pr.n, 0);
}

static void test_filter_excludes_conf(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-dir=/a,.conf\nconf-dir=/b,*.cfg,*.ini\n"
		"conf-dir=/c,*hosts.conf\n");
	dir_at(fx, "/a");
	dir_at(fx, "/b");
	dir_at(fx, "/c");
	assert_int_equal(find(fx), -1);
	assert_null(fx->res.dir);
	error_with(fx, "conf-dir=/a,.conf at line 1 of /etc/dnsmasq.conf does "
		   "not load hosts.conf and srv.conf: it skips files ending in .conf",
		   "conf-dir=/b,*.cfg,*.ini at line 2 of /etc/dnsmasq.conf does not "
		   "load hosts.conf and srv.conf: it loads only files ending in .cfg, .ini");
	/* srv.conf does not end in "hosts.conf". */
	error_with(fx, "conf-dir=/c,*hosts.conf at line 3", "only files ending in hosts.conf");
}

static void test_star_is_noop(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-dir=/d,*,,\n");
	dir_at(fx, "/d");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.filters, "");
	assert_string_equal(fx->res.how, "conf-dir=/d at line 1 of /etc/dnsmasq.conf");
}

static void test_conf_file_include(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-file=/tandberg/etc/main.conf\n");
	puts_at(fx, "/tandberg/etc/main.conf", "log-queries\n\n"
		"conf-dir=\"/tandberg/etc/d\",*.conf\n");
	dir_at(fx, "/tandberg/etc/d");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.dir, "/tandberg/etc/d");
	assert_string_equal(fx->res.how, "conf-dir=/tandberg/etc/d,*.conf at "
			    "line 3 of /tandberg/etc/main.conf");
}

static void test_none(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "# nothing here\nconf-dir=\nno-resolv\n#conf-dir=/x\n");
	assert_int_equal(find(fx), -1);
	error_with(fx, "no conf-dir line that loads hosts.conf and srv.conf was "
		   "found in /etc/dnsmasq.conf or the files it includes", NULL);
}

static void test_main_missing(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(find(fx), -1);
	error_with(fx, "cannot read /etc/dnsmasq.conf: No such file or directory", NULL);
}

static void test_several(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-dir=/a\nconf-dir=/a/\nconf-file=/etc/more.conf\n");
	puts_at(fx, "/etc/more.conf", "conf-dir=/b,.bak\n");
	dir_at(fx, "/a");
	dir_at(fx, "/b");
	assert_int_equal(find(fx), -1);
	error_with(fx, "2 conf-dir lines load hosts.conf and srv.conf: /a "
		   "(conf-dir=/a at line 1 of /etc/dnsmasq.conf); /b (conf-dir=/b,.bak "
		   "at line 1 of /etc/more.conf)", "(one of these)");
}

/* Two names for one directory (a symlink) are one candidate. */
static void test_symlinked_same_dir(void **state)
{
	struct fx *fx = *state;
	char link[96];

	puts_at(fx, CONF, "conf-dir=/a\nconf-dir=/link,.bak\n");
	dir_at(fx, "/a");
	snprintf(link, sizeof link, "%s/link", fx->root);
	assert_int_equal(symlink("a", link), 0);
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.dir, "/a");
}

/* A conf-dir's own files are config too and may name another conf-dir. */
static void test_nested_conf_dir(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-dir=/d\n");
	puts_at(fx, "/d/10-extra.conf", "conf-dir=/e\n");
	dir_at(fx, "/e");
	assert_int_equal(find(fx), -1);
	error_with(fx, "/e (conf-dir=/e at line 1 of /d/10-extra.conf)", "/d (");
}

static void test_cycle(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-file=/etc/a.conf\n");
	puts_at(fx, "/etc/a.conf", "conf-file=/etc/b.conf\n");
	puts_at(fx, "/etc/b.conf", "conf-file=/etc/a.conf\nconf-file=" CONF
		"\nconf-dir=/d\n");
	dir_at(fx, "/d");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.how, "conf-dir=/d at line 3 of /etc/b.conf");
	assert_int_equal(fx->pr.n, 0);
}

static void test_deep_nesting(void **state)
{
	struct fx *fx = *state;
	char rel[64], text[64];

	puts_at(fx, CONF, "conf-file=/etc/n1.conf\n");
	for (int i = 1; i <= CONFDIR_MAX_DEPTH + 2; i++) {
		snprintf(rel, sizeof rel, "/etc/n%d.conf", i);
		snprintf(text, sizeof text, "conf-file=/etc/n%d.conf\n", i + 1);
		puts_at(fx, rel, text);
	}
	assert_int_equal(find(fx), -1);
	assert_int_equal(fx->pr.warnings, 1);
	assert_non_null(strstr(fx->pr.v[0].text, "nested deeper than"));
}

/* Relative paths are read from / (dnsmasq's working directory at boot);
 * '#' only starts a comment after a blank; a missing conf-file warns. */
static void test_syntax(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-file=/etc/gone.conf\nCONF-DIR=/upper\n"
		"conf-script=/bin/gen\nconf-dir=tandberg/d#1 # comment\n");
	dir_at(fx, "/tandberg/d#1");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.dir, "/tandberg/d#1");
	assert_int_equal(fx->pr.errors, 0);
	assert_int_equal(fx->pr.warnings, 3);
	assert_non_null(strstr(fx->pr.v[0].text, "cannot read /etc/gone.conf, named "
			       "at line 1 of /etc/dnsmasq.conf: No such file"));
	assert_non_null(strstr(fx->pr.v[1].text, "conf-script at line 3"));
	assert_non_null(strstr(fx->pr.v[2].text, "relative path, taken from /"));
}

/* dnsmasq reads a line of 1024 bytes or more as two lines. */
static void test_long_line(void **state)
{
	struct fx *fx = *state;
	char text[1200];

	memset(text, ' ', sizeof text);
	memcpy(text + 1024, "conf-dir=/d\n", 12);
	text[0] = '#';
	put(fx, CONF, text, 1024 + 12);
	dir_at(fx, "/d");
	assert_int_equal(find(fx), 0);
	assert_string_equal(fx->res.how, "conf-dir=/d at line 2 of /etc/dnsmasq.conf");
}

static void proc_entry(const struct fx *fx, const char *pid, const char *comm,
		       const char *cmdline, size_t len)
{
	char rel[64];

	snprintf(rel, sizeof rel, "/proc/%s/comm", pid);
	puts_at(fx, rel, comm);
	snprintf(rel, sizeof rel, "/proc/%s/cmdline", pid);
	put(fx, rel, cmdline, len);
}

static void test_running(void **state)
{
	struct fx *fx = *state;
	char proc[96], out[256];
	static const char c1[] = "/usr/sbin/dnsmasq\0-k\0-C\0/tmp/other.conf\0";
	static const char c2[] = "dnsmasq\0--conf-file=/etc/dnsmasq.conf\0";
	static const char c3[] = "bash\0-C\0/x\0";
	static const char c4[] = "dnsmasq\0-C/etc/dnsmasq.conf\0";

	proc_entry(fx, "1200", "dnsmasq\n", c1, sizeof c1 - 1);
	proc_entry(fx, "300", "dnsmasq\n", c2, sizeof c2 - 1);
	proc_entry(fx, "77", "bash\n", c3, sizeof c3 - 1);
	proc_entry(fx, "400", "dnsmasq\n", c4, sizeof c4 - 1);
	proc_entry(fx, "78", "dnsmasq\n", "", 0);	/* a zombie */
	puts_at(fx, "/proc/self/comm", "dnsmasq\n");	/* not a pid */
	snprintf(proc, sizeof proc, "%s/proc", fx->root);
	assert_int_equal(confdir_running(proc, CONF, out, sizeof out), 4);
	assert_string_equal(out, "dnsmasq (pid 1200) was started with -C "
			    "/tmp/other.conf, not /etc/dnsmasq.conf");
	assert_int_equal(confdir_running(proc, "/tandberg/dnsmasq.conf", out,
					 sizeof out), 4);
	assert_string_equal(out, "dnsmasq (pid 300) was started with -C "
			    "/etc/dnsmasq.conf, not /tandberg/dnsmasq.conf; dnsmasq "
			    "(pid 400) was started with -C /etc/dnsmasq.conf, not "
			    "/tandberg/dnsmasq.conf; dnsmasq "
			    "(pid 1200) was started with -C /tmp/other.conf, not "
			    "/tandberg/dnsmasq.conf");
	assert_int_equal(confdir_running(proc, CONF, out, 20), 4);
	assert_string_equal(out, "dnsmasq (pid 120...");
}

static void test_running_default(void **state)
{
	struct fx *fx = *state;
	char proc[96], out[256];
	static const char c1[] = "dnsmasq\0-k\0";

	proc_entry(fx, "5", "dnsmasq\n", c1, sizeof c1 - 1);
	snprintf(proc, sizeof proc, "%s/proc", fx->root);
	assert_int_equal(confdir_running(proc, CONF, out, sizeof out), 1);
	assert_string_equal(out, "");
	assert_int_equal(confdir_running(proc, "/x.conf", out, sizeof out), 1);
	assert_string_equal(out, "dnsmasq (pid 5) was started without -C, so it "
			    "reads /etc/dnsmasq.conf, not /x.conf");
	snprintf(proc, sizeof proc, "%s/nope", fx->root);
	assert_int_equal(confdir_running(proc, CONF, out, sizeof out), -1);
	assert_non_null(strstr(out, "No such file or directory"));
}

/* dnsmasq 2.71 and older: "*.conf" is a suffix to skip, so a file that
 * 2.72+ would not load (x.bak) is read, and a "*.bak" line loads ours. */
static void test_star_skips_before_272(void **state)
{
	struct fx *fx = *state;

	puts_at(fx, CONF, "conf-dir=/etc/d,*.conf\n");
	dir_at(fx, "/etc/d");
	dir_at(fx, "/etc/o");
	puts_at(fx, "/etc/d/x.bak", "conf-dir=/etc/o,*.bak\n");
	assert_int_equal(find(fx), 0);	/* 2.72+: x.bak is not read */
	confdir_free(&fx->res);
	assert_int_equal(confdir_find(CONF, fx->root, 1, &fx->res, &fx->pr), -1);
	error_with(fx, "/etc/d", "/etc/o");
}

/* The conflict scan reads the conf-dir the same way: on 2.71- x.bak loads,
 * so its name is another file's. */
static void test_others_star_skips(void **state)
{
	struct fx *fx = *state;
	struct conflict_set s = { 0 };

	puts_at(fx, CONF, "conf-dir=/etc/d,*.conf\n");
	dir_at(fx, "/etc/d");
	puts_at(fx, "/etc/d/x.bak", "host-record=n.example.local,10.0.0.1\n");
	assert_int_equal(confdir_others(CONF, fx->root, "/etc/d", "*.conf", 0, &s), 0);
	assert_int_equal(s.n, 0);
	conflict_free(&s);
	assert_int_equal(confdir_others(CONF, fx->root, "/etc/d", "*.conf", 1, &s), 0);
	assert_int_equal(s.n, 1);
	conflict_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_single, setup, teardown),
		cmocka_unit_test_setup_teardown(test_star_skips_before_272, setup, teardown),
		cmocka_unit_test_setup_teardown(test_others_star_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bak_excluded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_excludes_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_star_is_noop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_file_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_main_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_same_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_conf_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running_default, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
