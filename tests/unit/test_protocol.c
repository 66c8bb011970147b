/* test_protocol.c - the protocol and plan modules through their stable
 * functions, on a real filesystem: the sweep of what killed runs left,
 * the state_dir held fixed under the lock, the pending mark, earlier INIs,
 * and the validation of a backup before rollback writes it. */
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

#include "app.h"
#include "cmd.h"
#include "fsx.h"
#include "model.h"
#include "plan.h"
#include "render.h"
#include "restore.h"
#include "where.h"
#include "protocol.h"

struct fx {
	char dir[128], conf[192], state[192], ini[192];
	struct app app;
	struct plan pl;
};

static int rm_one(const char *p, const struct stat *s, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_true((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static void write_ini(struct fx *f, const char *state_sub)
{
	char text[1024];

	snprintf(text, sizeof text, "[dnsdrop]\nconf_dir = %s\nstate_dir = %s/%s\nrestart = /bin/true\n"
		 "verify = off\ndnsmasq = off\n[hosts]\na.example.local = 10.0.0.1\n",
		 f->conf, f->dir, state_sub);
	put(f->dir, "dnsdrop.ini", text);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/test_protocol.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->conf, sizeof f->conf, "%s/conf.d", f->dir);
	snprintf(f->state, sizeof f->state, "%s/state", f->dir);
	snprintf(f->ini, sizeof f->ini, "%s/dnsdrop.ini", f->dir);
	if (mkdir(f->conf, 0755) < 0 || mkdir(f->state, 0700) < 0)
		return -1;
	write_ini(f, "state");
	f->app.root = "";
	f->app.ini_arg = f->ini;
	f->app.quiet = 1;
	if (app_load(&f->app) != EXIT_OK || where_env(&f->app, &f->pl) != EXIT_OK ||
	    plan_read(&f->app, &f->pl) != EXIT_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	plan_free(&f->pl);
	app_free(&f->app);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Every temp name a killed run can leave goes; everything else stays. */
static void test_sweep_leftovers(void **state)
{
	struct fx *f = *state;
	char applied[256], stage[256];

	snprintf(applied, sizeof applied, "%s/applied", f->state);
	snprintf(stage, sizeof stage, "%s/dnsdrop-stage.Ab12Cd", f->state);
	assert_int_equal(mkdir(applied, 0700), 0);
	assert_int_equal(mkdir(stage, 0700), 0);
	put(stage, "local.conf", "x\n");
	put(f->conf, ".hosts.conf.Ab12Cd", "torn");
	put(f->conf, ".srv.conf.Ab12Cd", "torn");
	put(f->conf, ".dnsdrop-probe.Qw12Er", "");
	put(f->conf, "local.conf", "keep\n");
	put(f->conf, ".hidden", "keep\n");
	put(applied, ".hosts.conf.Zx12Cv", "torn");
	put(applied, ".dnsdrop.ini.Zx12Cv", "torn");
	put(f->state, ".pending.Zx12Cv", "apply");
	put(f->dir, ".dnsdrop.ini.Zx12Cv", "torn");
	assert_int_equal(proto_sweep(&f->app, &f->pl), EXIT_OK);
	assert_false(exists(f->conf, ".hosts.conf.Ab12Cd"));
	assert_false(exists(f->conf, ".srv.conf.Ab12Cd"));
	assert_false(exists(f->conf, ".dnsdrop-probe.Qw12Er"));
	assert_false(exists(applied, ".hosts.conf.Zx12Cv"));
	assert_false(exists(applied, ".dnsdrop.ini.Zx12Cv"));
	assert_false(exists(f->state, ".pending.Zx12Cv"));
	assert_false(exists(f->state, "dnsdrop-stage.Ab12Cd"));
	assert_false(exists(f->dir, ".dnsdrop.ini.Zx12Cv"));
	assert_true(exists(f->conf, "local.conf"));
	assert_true(exists(f->conf, ".hidden"));
}

/* The lock is taken in one state_dir: an INI that names another one by
 * the time it is read again is refused. */
static void test_state_dir_fixed_under_lock(void **state)
{
	struct fx *f = *state;

	assert_int_equal(proto_reload(&f->app, &f->pl), EXIT_OK);
	write_ini(f, "other");
	assert_int_equal(proto_reload(&f->app, &f->pl), EXIT_ENV);
	assert_false(exists(f->dir, "other"));
}

static void test_pending_mark(void **state)
{
	struct fx *f = *state;
	char p[256];

	assert_false(proto_pending(&f->app));
	snprintf(p, sizeof p, "%s/pending", f->state);
	assert_int_equal(symlink("/nonexistent", p), 0);
	assert_true(proto_pending(&f->app));	/* seen even when dangling */
}

static void test_parse_earlier_ini(void **state)
{
	static const char good[] = "[hosts]\na.example.local = 10.0.0.1\n";
	static const char bad[] = "[hosts]\na.example.local = 10.0.0.300\n";
	struct dd_config cfg = { 0 };

	assert_int_equal(proto_parse_ini(good, strlen(good), "earlier", &cfg), 0);
	assert_int_equal(cfg.nhost, 1);
	model_free(&cfg);
	assert_int_equal(proto_parse_ini(bad, strlen(bad), "earlier", &cfg), -1);
	assert_int_equal(cfg.nhost, 0);
}

static void test_plan_same(void **state)
{
	assert_true(plan_same("ab", 2, "ab", 2));
	assert_false(plan_same("ab", 2, "ac", 2));
	assert_false(plan_same("ab", 2, "ab", 1));
	assert_false(plan_same(NULL, 0, "", 0));
	assert_false(plan_same(NULL, 0, NULL, 0));
}

/* A backup whose drop-ins are what its INI renders passes; one changed
 * line, or an INI that does not validate, is refused as invalid. */
static void test_restore_validate(void **state)
{
	struct fx *f = *state;
	const struct buf *h = &f->pl.file[0].want, *s = &f->pl.file[1].want;
	struct restore_files rf = { "20260101T000000Z-000", { h->p, s->p }, { h->len, s->len },
				    f->app.ini_text, f->app.ini_len };
	struct dd_config cfg;
	char *tampered;

	assert_int_equal(restore_validate(&f->app, &f->pl, &rf, &cfg), EXIT_OK);
	assert_int_equal(cfg.nhost, 1);
	model_free(&cfg);
	assert_non_null(tampered = malloc(h->len + 40));
	memcpy(tampered, h->p, h->len);
	memcpy(tampered + h->len, "address=/evil.example.com/10.6.6.6\n", 35);
	rf.data[0] = tampered;
	rf.len[0] = h->len + 35;
	assert_int_equal(restore_validate(&f->app, &f->pl, &rf, &cfg), EXIT_INVALID);
	rf.data[0] = NULL;
	rf.len[0] = 0;
	assert_int_equal(restore_validate(&f->app, &f->pl, &rf, &cfg), EXIT_INVALID);
	rf.data[0] = h->p;
	rf.len[0] = h->len;
	rf.ini = "[hosts]\na.example.local = 10.0.0.1\n[dnsdrop]\nrestart = sh -c evil\n";
	rf.ini_len = strlen(rf.ini);
	assert_int_equal(restore_validate(&f->app, &f->pl, &rf, &cfg), EXIT_INVALID);
	free(tampered);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_dir_fixed_under_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_mark, setup, teardown),
		cmocka_unit_test(test_parse_earlier_ini),
		cmocka_unit_test(test_plan_same),
		cmocka_unit_test_setup_teardown(test_restore_validate, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
