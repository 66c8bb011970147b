/* test_report.c - the one escaper for outside text, and audit lines that
 * parse back to the fields written (parsed here as a reader of the log
 * would: KEY=VALUE, VALUE plain or "quoted" with \" and \\). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "fsx.h"
#include "report.h"

#define NOBODY 65534

static char *esc(const char *s, size_t len, unsigned flags)
{
	struct buf b = { 0 };

	report_escape(&b, s, len, flags);
	buf_add(&b, "", 0);
	assert_false(b.oom);
	return b.p ? b.p : strdup("");
}

static void expect_esc(const char *in, unsigned flags, const char *want)
{
	char *got = esc(in, strlen(in), flags);

	assert_string_equal(got, want);
	free(got);
}

static void test_plain_text_untouched(void **st)
{
	expect_esc("host.example.local: 10.0.0.1", 0, "host.example.local: 10.0.0.1");
	expect_esc("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_controls_escaped(void **st)
{
	expect_esc("a\033]0;x\007b", 0, "a\\x1b]0;x\\x07b");
	expect_esc("a\nb\tc\x7f", 0, "a\\x0ab\\x09c\\x7f");
	expect_esc("a\nb", REPORT_ESC_NL, "a\nb");
	/* UTF-8 C1 (U+009B is CSI), a raw 0x9B, overlong, surrogate, cut */
	expect_esc("x\xc2\x9b" "2J", 0, "x\\u009b2J");
	expect_esc("x\x9b" "2J", 0, "x\\x9b2J");
	expect_esc("\xc0\xaf", 0, "\\xc0\\xaf");
	expect_esc("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	expect_esc("\xe2\x82", 0, "\\xe2\\x82");
}

static void test_embedded_nul(void **st)
{
	char *got = esc("a\0b", 3, 0);

	assert_string_equal(got, "a\\x00b");
	free(got);
}

/* Parse " KEY=VALUE..." (as written after the time) into KEYS/VALS; the
 * number of fields, or -1 when any part does not parse. */
static int parse_fields(const char *p, char keys[][32], char vals[][512], int max)
{
	int n = 0;

	while (*p) {
		size_t k = 0, v = 0;

		if (*p++ != ' ' || n == max)
			return -1;
		while (*p >= 'a' && *p <= 'z' && k < 31)
			keys[n][k++] = *p++;
		keys[n][k] = '\0';
		if (!k || *p++ != '=')
			return -1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				vals[n][v++] = *p;
			}
			if (*p++ != '"')
				return -1;
		} else {
			while (*p && *p != ' ' && *p != '"')
				vals[n][v++] = *p++;
		}
		vals[n][v] = '\0';
		n++;
	}
	return n;
}

static void test_fields_round_trip(void **st)
{
	static const char *const vals[] = {
		"root", "", "a b", "x=y", "\"quoted\"", "back\\slash", "mallory action=rollback exit=0",
		"end\\", "\" exit=0 \"", "10.0.0.1:22", "tab\there",
	};
	char keys[4][32], got[4][512];
	size_t i;

	for (i = 0; i < sizeof vals / sizeof *vals; i++) {
		struct buf b = { 0 };
		char *e;

		buf_puts(&b, " user=");
		report_escape(&b, vals[i], strlen(vals[i]), REPORT_ESC_FIELD);
		buf_puts(&b, " action=apply");
		assert_int_equal(parse_fields(b.p, keys, got, 4), 2);
		assert_string_equal(keys[0], "user");
		assert_string_equal(keys[1], "action");
		assert_string_equal(got[1], "apply");
		/* what comes back is the value as escaped for text */
		e = esc(vals[i], strlen(vals[i]), 0);
		assert_string_equal(got[0], e);
		free(e);
		buf_free(&b);
	}
}

struct fx {
	char dir[128];
	char err[FSX_ERR_MAX];
};

static int rm_one(const char *p, const struct stat *s, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/test_report.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static char *last_line(const char *dir)
{
	char path[256], line[2048], *r = NULL;
	FILE *fp;

	snprintf(path, sizeof path, "%s/dnsdrop.log", dir);
	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof line, fp)) {
		free(r);
		r = strdup(line);
	}
	fclose(fp);
	assert_non_null(r);
	r[strcspn(r, "\n")] = '\0';
	return r;
}

static void test_audit_forged_env(void **state)
{
	struct fx *f = *state;
	char keys[8][32], vals[8][512], *line, *sp;

	setenv("SUDO_USER", "mallory action=rollback exit=0 backup=20000101T000000Z-000", 1);
	setenv("SSH_CLIENT", "10.0.0.1\033[2J\" 22 22", 1);
	assert_int_equal(report_audit(f->dir, "apply", 4, "hosts.conf: 1 added", "20260101T000000Z-000",
				      "CHG1 exit=0 summary=forged", f->err), 0);
	line = last_line(f->dir);
	assert_null(strchr(line, '\033'));
	assert_non_null(sp = strchr(line, ' '));
	assert_int_equal(parse_fields(sp, keys, vals, 8), 7);
	assert_string_equal(keys[0], "user");
	assert_string_equal(vals[0], "mallory action=rollback exit=0 backup=20000101T000000Z-000");
	assert_string_equal(keys[1], "from");
	assert_string_equal(vals[1], "10.0.0.1\\x1b[2J\"");
	assert_string_equal(keys[2], "action");
	assert_string_equal(vals[2], "apply");
	assert_string_equal(keys[3], "exit");
	assert_string_equal(vals[3], "4");
	assert_string_equal(vals[4], "20260101T000000Z-000");
	assert_string_equal(keys[5], "note");
	assert_string_equal(vals[5], "CHG1 exit=0 summary=forged");
	assert_string_equal(keys[6], "summary");
	assert_string_equal(vals[6], "hosts.conf: 1 added");
	free(line);
	unsetenv("SUDO_USER");
	unsetenv("SSH_CLIENT");
}

static void test_report_user_escaped(void **state)
{
	char who[REPORT_USER_MAX];

	setenv("SUDO_USER", "eve\xc2\x9b" "2J\n", 1);
	unsetenv("SSH_CLIENT");
	report_user(who, sizeof who);
	assert_string_equal(who, "eve\\u009b2J\\x0a");
	unsetenv("SUDO_USER");
}

static void test_log_refused_unless_ours(void **state)
{
	struct fx *f = *state;
	char path[256];

	snprintf(path, sizeof path, "%s/dnsdrop.log", f->dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(report_log_check(f->dir, f->err), -1);
	assert_non_null(strstr(f->err, "a symlink"));
	assert_int_equal(report_audit(f->dir, "apply", 0, "", NULL, NULL, f->err), -1);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(report_log_check(f->dir, f->err), -1);	/* no hang */
	assert_non_null(strstr(f->err, "a FIFO"));
	unlink(path);
	assert_int_equal(report_log_check(f->dir, f->err), 0);
	assert_int_equal(access(path, F_OK), -1);	/* the check creates nothing */
	assert_int_equal(report_audit(f->dir, "apply", 0, "", NULL, NULL, f->err), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(path, NOBODY, NOBODY), 0);
		assert_int_equal(report_log_check(f->dir, f->err), -1);
		assert_non_null(strstr(f->err, "chown"));
	}
	assert_int_equal(chmod(f->dir, 0770), 0);
	assert_int_equal(report_log_check(f->dir, f->err), -1);
	assert_non_null(strstr(f->err, "chmod go-w"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_untouched),
		cmocka_unit_test(test_controls_escaped),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_fields_round_trip),
		cmocka_unit_test(test_report_user_escaped),
		cmocka_unit_test_setup_teardown(test_audit_forged_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_refused_unless_ours, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
