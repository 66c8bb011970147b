/* test_splice.c - splice_settings: an earlier INI's records with today's
 * [dnsdrop] section (what rollback writes unless --whole-ini). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "splice.h"

static void expect_splice(const char *old, const char *cur, const char *want)
{
	struct buf out = { 0 };

	splice_settings(old, strlen(old), cur, strlen(cur), &out);
	assert_false(out.oom);
	assert_non_null(out.p);
	assert_string_equal(out.p, want);
	assert_int_equal(out.len, strlen(want));
	buf_free(&out);
}

static void t_replaced_in_place(void **state)
{
	(void)state;
	expect_splice("; site A\n[dnsdrop]\nverify = off\n\n[hosts]\na.x = 10.0.0.1\n",
		      "[hosts]\na.x = 10.0.0.2\n[dnsdrop]\nverify = 127.0.0.1:53\nkeep_backups = 5\n",
		      "; site A\n[dnsdrop]\nverify = 127.0.0.1:53\nkeep_backups = 5\n[hosts]\na.x = 10.0.0.1\n");
}

static void t_old_has_none(void **state)
{
	(void)state;
	expect_splice("[hosts]\na.x = 10.0.0.1", "  [dnsdrop] ; settings\nrestart = /bin/true",
		      "[hosts]\na.x = 10.0.0.1\n  [dnsdrop] ; settings\nrestart = /bin/true\n");
}

static void t_cur_has_none(void **state)
{
	(void)state;
	expect_splice("[dnsdrop]\nverify = off\n[srv]\n_a._tcp.x = t.x:1\n[dnsdrop]\nkeep_backups = 3\n",
		      "[hosts]\na.x = 10.0.0.2\n", "[srv]\n_a._tcp.x = t.x:1\n");
}

static void t_same_settings_same_bytes(void **state)
{
	const char *ini = "[hosts]\na.x = 10.0.0.1\n\n[dnsdrop]\nverify = 127.0.0.1:5353\n";

	(void)state;
	expect_splice(ini, "[hosts]\nb.x = 10.0.0.9\n\n[dnsdrop]\nverify = 127.0.0.1:5353\n", ini);
	expect_splice("", "", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_replaced_in_place),
		cmocka_unit_test(t_old_has_none),
		cmocka_unit_test(t_cur_has_none),
		cmocka_unit_test(t_same_settings_same_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
