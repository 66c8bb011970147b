/* test_backup.c - backups, the applied record and staging, on a real
 * filesystem in a mkdtemp directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backup.h"
#include "fsx.h"

struct fx {
	char root[256];
	char state[512], conf[512];
	char err[FSX_ERR_MAX];
};

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->root, sizeof f->root, "/tmp/test_backup.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->state, sizeof f->state, "%s/state", f->root);
	snprintf(f->conf, sizeof f->conf, "%s/conf.d", f->root);
	if (mkdir(f->state, 0700) < 0 || mkdir(f->conf, 0755) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void put(const char *dir, const char *name, const char *text)
{
	char err[FSX_ERR_MAX];

	if (fsx_write_atomic(dir, name, text, strlen(text), 0644, err) < 0)
		fail_msg("%s", err);
}

static char *get(const char *dir, const char *name)
{
	char p[PATH_MAX], err[FSX_ERR_MAX], *data;
	size_t len;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if (fsx_read(p, 1 << 20, FSX_ABSENT_OK, &data, &len, err) < 0)
		fail_msg("%s", err);
	return data;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *s = get(dir, name);

	if (!want) {
		assert_null(s);
		return;
	}
	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void take(struct fx *f, const char *ini, char id[BACKUP_ID_MAX])
{
	struct backup_meta m = { "alice", "apply", "+1 host", "CHG1" };

	if (backup_take(f->state, f->conf, NULL, ini, ini ? strlen(ini) : 0, &m, id,
			f->err) < 0)
		fail_msg("%s", f->err);
	assert_true(backup_id_valid(id));
}

static void test_id_valid(void **state)
{
	assert_true(backup_id_valid("20250101T120000Z-000"));
	assert_false(backup_id_valid("20250101T120000Z-00"));
	assert_false(backup_id_valid("20250101T120000Z-0000"));
	assert_false(backup_id_valid("2025010aT120000Z-000"));
	assert_false(backup_id_valid("../../etc/passwd"));
	assert_false(backup_id_valid(""));
	assert_false(backup_id_valid(NULL));
	(void)state;
}

static void test_take_and_list(void **state)
{
	struct fx *f = *state;
	struct backup_entry *l;
	char id[BACKUP_ID_MAX], dir[PATH_MAX], *meta;
	size_t n;

	put(f->conf, "hosts.conf", "host-record=a.example,10.0.0.1\n");
	put(f->conf, "srv.conf", "srv-host=_sip._tcp.example,a.example,5060\n");
	take(f, "[hosts]\na.example = 10.0.0.1\n", id);
	assert_int_equal(backup_path(dir, f->state, id, NULL, f->err), 0);
	assert_file(dir, "hosts.conf", "host-record=a.example,10.0.0.1\n");
	assert_file(dir, "srv.conf",
		    "srv-host=_sip._tcp.example,a.example,5060\n");
	assert_file(dir, "dnsdrop.ini", "[hosts]\na.example = 10.0.0.1\n");
	meta = get(dir, "meta");
	assert_contains(meta, "user=alice\naction=apply\nsummary=+1 host\n");
	assert_contains(meta, "files=hosts.conf srv.conf dnsdrop.ini\n");
	free(meta);
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].id, id);
	assert_string_equal(l[0].user, "alice");
	assert_string_equal(l[0].action, "apply");
	assert_string_equal(l[0].summary, "+1 host");
	assert_int_equal(strlen(l[0].time), 20);	/* 2025-01-01T12:00:00Z */
	assert_int_equal(l[0].time[19], 'Z');
	assert_int_equal(l[0].files,
			 BACKUP_HAS_HOSTS | BACKUP_HAS_SRV | BACKUP_HAS_INI);
	backup_free_list(l, n);
}

static void test_take_only_existing(void **state)
{
	struct fx *f = *state;
	struct backup_entry *l;
	char id[BACKUP_ID_MAX];
	size_t n;

	put(f->conf, "hosts.conf", "hand-made\n");
	put(f->conf, "other.conf", "not ours\n");
	take(f, NULL, id);
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].files, BACKUP_HAS_HOSTS);
	backup_free_list(l, n);
}

static void test_list_empty(void **state)
{
	struct fx *f = *state;
	struct backup_entry *l = (void *)1;
	size_t n = 7;

	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_null(l);
	assert_int_equal(n, 0);
}

/* IDs taken back to back (same second) stay unique and in order. */
static void test_ids_unique_and_sorted(void **state)
{
	struct fx *f = *state;
	char id[6][BACKUP_ID_MAX];
	struct backup_entry *l;
	size_t n, i;

	put(f->conf, "hosts.conf", "x\n");
	for (i = 0; i < 6; i++) {
		take(f, NULL, id[i]);
		if (i) {
			assert_true(strcmp(id[i - 1], id[i]) < 0);
			if (!strncmp(id[i - 1], id[i], 16))
				assert_int_equal(atoi(id[i] + 17),
						 atoi(id[i - 1] + 17) + 1);
		}
	}
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(l[i].id, id[5 - i]);	/* newest first */
	backup_free_list(l, n);
}

/* A backup from "the future" (clock went back): the next one sorts after. */
static void test_id_after_clock_went_back(void **state)
{
	struct fx *f = *state;
	char d[PATH_MAX], id[BACKUP_ID_MAX];

	snprintf(d, sizeof d, "%s/backups/29990101T000000Z-998", f->state);
	assert_int_equal(fsx_mkdir_p(d, 0700, f->err), 0);
	take(f, NULL, id);
	assert_string_equal(id, "29990101T000000Z-999");
	take(f, NULL, id);
	assert_string_equal(id, "29990101T000001Z-000");
	/* the sequence running out moves to the next second, across a year */
	snprintf(d, sizeof d, "%s/backups/29991231T235959Z-999", f->state);
	assert_int_equal(fsx_mkdir_p(d, 0700, f->err), 0);
	take(f, NULL, id);
	assert_string_equal(id, "30000101T000000Z-000");
}

/* No ID can follow 99991231T235959Z-999: the clock's first free one is
 * taken, so a planted name never stops a backup. */
static void test_id_after_the_last_possible(void **state)
{
	struct fx *f = *state;
	char d[PATH_MAX], id[BACKUP_ID_MAX], id2[BACKUP_ID_MAX];

	snprintf(d, sizeof d, "%s/backups/99991231T235959Z-999", f->state);
	assert_int_equal(fsx_mkdir_p(d, 0700, f->err), 0);
	take(f, NULL, id);
	assert_true(strcmp(id, "99991231T235959Z-999") < 0);
	take(f, NULL, id2);
	assert_string_not_equal(id, id2);
}

/* State that is not ours is refused, by path and with the fix. */
static void test_untrusted_state_refused(void **state)
{
	struct fx *f = *state;
	char id[BACKUP_ID_MAX], b[PATH_MAX], *data;
	struct backup_meta m = { "alice", "apply", "", NULL };
	size_t len;
	int present;

	take(f, "[hosts]\n", id);
	snprintf(b, sizeof b, "%s/backups/%s/dnsdrop.ini", f->state, id);
	assert_int_equal(chmod(b, 0620), 0);
	assert_int_equal(backup_read_file(f->state, id, BACKUP_INI, &data, &len, &present, f->err), -1);
	assert_contains(f->err, "chmod go-w");
	assert_int_equal(chmod(f->state, 0770), 0);
	assert_int_equal(backup_take(f->state, f->conf, NULL, NULL, 0, &m, id, f->err), -1);
	assert_contains(f->err, f->state);
	assert_contains(f->err, "chmod go-w");
	assert_int_equal(backup_find(f->state, "20000101T000000Z-000", f->err), 1);
	assert_int_equal(backup_find(f->state, "../x", f->err), 1);
}

/* The meta time is UTC ISO 8601, as strftime would write it. */
static void test_meta_time_is_utc(void **state)
{
	struct fx *f = *state;
	char id[BACKUP_ID_MAX], lo[32], hi[32];
	struct backup_entry *l;
	time_t t;
	size_t n;

	t = time(NULL);
	strftime(lo, sizeof lo, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	take(f, NULL, id);
	t = time(NULL);
	strftime(hi, sizeof hi, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_true(strcmp(lo, l[0].time) <= 0 && strcmp(l[0].time, hi) <= 0);
	assert_int_equal(strncmp(id, l[0].time, 4), 0);
	backup_free_list(l, n);
}

static void test_prune_keeps_newest(void **state)
{
	struct fx *f = *state;
	char id[5][BACKUP_ID_MAX];
	struct backup_entry *l;
	size_t n, i;

	put(f->conf, "hosts.conf", "x\n");
	for (i = 0; i < 5; i++)
		take(f, NULL, id[i]);
	assert_int_equal(backup_prune(f->state, 2, f->err), 3);
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(l[0].id, id[4]);
	assert_string_equal(l[1].id, id[3]);
	backup_free_list(l, n);
	assert_int_equal(backup_prune(f->state, 2, f->err), 0);
	assert_int_equal(backup_prune(f->state, 0, f->err), 1);	/* 0 -> 1 */
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].id, id[4]);
	backup_free_list(l, n);
}

static void test_partial_backups_ignored(void **state)
{
	struct fx *f = *state;
	char d[PATH_MAX], id[BACKUP_ID_MAX];
	struct backup_entry *l;
	size_t n;
	int present;
	char *data;

	snprintf(d, sizeof d, "%s/backups/.tmp-20250101T000000Z-000", f->state);
	assert_int_equal(fsx_mkdir_p(d, 0700, f->err), 0);
	put(d, "hosts.conf", "half\n");
	snprintf(d, sizeof d, "%s/backups/.del-20240101T000000Z-000", f->state);
	assert_int_equal(fsx_mkdir_p(d, 0700, f->err), 0);
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(backup_read_file(f->state, "20250101T000000Z-000",
					  "hosts.conf", &data, &n, &present,
					  f->err), -1);
	assert_contains(f->err, "there is no backup 20250101T000000Z-000");
	take(f, NULL, id);
	assert_int_equal(access(d, F_OK), -1);	/* leftovers cleaned */
	snprintf(d, sizeof d, "%s/backups/.tmp-20250101T000000Z-000", f->state);
	assert_int_equal(access(d, F_OK), -1);
}

static void test_take_refuses_symlinked_dropin(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], id[BACKUP_ID_MAX] = "";
	struct backup_entry *l;
	struct dirent *e;
	size_t n;
	DIR *d;

	snprintf(p, sizeof p, "%s/hosts.conf", f->conf);
	assert_int_equal(symlink("/etc/hostname", p), 0);
	assert_int_equal(backup_take(f->state, f->conf, NULL, NULL, 0, NULL, id,
				     f->err), -1);
	assert_contains(f->err, "is a symlink");
	assert_string_equal(id, "");
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 0);
	snprintf(p, sizeof p, "%s/backups", f->state);
	assert_non_null(d = opendir(p));
	while ((e = readdir(d)))	/* no .tmp-ID left behind */
		assert_true(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
	closedir(d);
}

static void test_meta_one_line_each(void **state)
{
	struct fx *f = *state;
	struct backup_meta m = { "eve\nfiles=evil", NULL, "a\tb", NULL };
	struct backup_entry *l;
	char id[BACKUP_ID_MAX];
	size_t n;

	assert_int_equal(backup_take(f->state, f->conf, NULL, NULL, 0, &m, id,
				     f->err), 0);
	assert_int_equal(backup_list(f->state, &l, &n, f->err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].user, "eve?files=evil");
	assert_string_equal(l[0].action, "");
	assert_string_equal(l[0].summary, "a?b");
	assert_int_equal(l[0].files, 0);
	backup_free_list(l, n);
}

static void test_read_file(void **state)
{
	struct fx *f = *state;
	char id[BACKUP_ID_MAX], *data;
	size_t len;
	int present;

	put(f->conf, "hosts.conf", "h\n");
	take(f, "ini\n", id);
	assert_int_equal(backup_read_file(f->state, id, "hosts.conf", &data,
					  &len, &present, f->err), 0);
	assert_true(present);
	assert_int_equal(len, 2);
	assert_string_equal(data, "h\n");
	free(data);
	assert_int_equal(backup_read_file(f->state, id, "srv.conf", &data,
					  &len, &present, f->err), 0);
	assert_false(present);
	assert_null(data);
	assert_int_equal(backup_read_file(f->state, "../../x", "srv.conf",
					  &data, &len, &present, f->err), -1);
	assert_contains(f->err, "is not a backup ID");
}

static void test_applied_roundtrip(void **state)
{
	struct fx *f = *state;
	struct backup_applied a;

	assert_int_equal(backup_read_applied(f->state, &a, f->err), 0);
	assert_null(a.ini);
	assert_null(a.hosts);
	assert_null(a.srv);
	assert_int_equal(backup_save_applied(f->state, &(struct backup_applied){
		"i\n", "h\n", "s\n", 2, 2, 2, "f\n", 2 }, f->err), 0);
	assert_int_equal(backup_read_applied(f->state, &a, f->err), 0);
	assert_string_equal(a.ini, "i\n");
	assert_string_equal(a.hosts, "h\n");
	assert_int_equal(a.srv_len, 2);
	assert_string_equal(a.file, "f\n");
	backup_applied_free(&a);
	assert_int_equal(backup_save_applied(f->state, &(struct backup_applied){
		"j\n", "", NULL, 2, 0, 0, NULL, 0 }, f->err), 0);
	assert_int_equal(backup_read_applied(f->state, &a, f->err), 0);
	assert_string_equal(a.ini, "j\n");
	assert_string_equal(a.hosts, "");
	assert_null(a.srv);
	assert_null(a.file);
	backup_applied_free(&a);
}

static void test_stage(void **state)
{
	struct fx *f = *state;
	const char *const names[] = { "hosts.conf", "srv.conf" };
	struct buf hosts = { 0 };
	const struct buf *const contents[] = { &hosts, NULL };
	char out[PATH_MAX], p[PATH_MAX + 64], link[PATH_MAX];
	ssize_t k;

	put(f->conf, "hosts.conf", "old\n");
	put(f->conf, "srv.conf", "old srv\n");
	put(f->conf, "other.conf", "cname=x,y\n");
	put(f->conf, ".hidden", "skip\n");
	snprintf(p, sizeof p, "%s/sub", f->conf);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/bare.conf", f->conf);
	assert_int_equal(symlink("other.conf", p), 0);
	snprintf(p, sizeof p, "%s/up.conf", f->conf);
	assert_int_equal(symlink("../x.conf", p), 0);
	buf_puts(&hosts, "new\n");
	assert_int_equal(backup_stage_confdir(f->conf, f->root, names, contents,
					      2, out, f->err), 0);
	assert_file(out, "hosts.conf", "new\n");
	assert_file(out, "srv.conf", NULL);
	assert_file(out, "other.conf", "cname=x,y\n");
	assert_file(out, ".hidden", NULL);
	snprintf(p, sizeof p, "%s/sub", out);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof p, "%s/bare.conf", out);
	k = readlink(p, link, sizeof link - 1);
	assert_true(k > 0);
	link[k] = '\0';
	assert_string_equal(link, "other.conf");
	snprintf(p, sizeof p, "%s/up.conf", out);
	k = readlink(p, link, sizeof link - 1);
	assert_true(k > 0);
	link[k] = '\0';
	snprintf(p, sizeof p, "%s/../x.conf", f->conf);
	assert_string_equal(link, p);
	assert_file(f->conf, "hosts.conf", "old\n");	/* conf-dir untouched */
	assert_int_equal(backup_unstage(out, f->err), 0);
	assert_int_equal(access(out, F_OK), -1);
	buf_free(&hosts);
}

static int count_stages(const struct fx *f)
{
	struct dirent *e;
	DIR *d = opendir(f->root);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "dnsdrop-stage.", 14);
	closedir(d);
	return n;
}

static void test_stage_failure_leaves_nothing(void **state)
{
	struct fx *f = *state;
	const char *const names[] = { "hosts.conf" };
	const struct buf *const contents[] = { NULL };
	char out[PATH_MAX], p[PATH_MAX];
	int fd;

	snprintf(p, sizeof p, "%s/missing", f->root);
	assert_int_equal(backup_stage_confdir(p, f->root, names, contents, 1,
					      out, f->err), -1);
	assert_contains(f->err, "cannot open directory");
	assert_string_equal(out, "");
	/* A FIFO is skipped (dnsmasq skips it too), never opened. */
	snprintf(p, sizeof p, "%s/fifo.conf", f->conf);
	assert_int_equal(mkfifo(p, 0600), 0);
	put(f->conf, "a.conf", "a\n");
	assert_int_equal(backup_stage_confdir(f->conf, f->root, names,
					      contents, 1, out, f->err), 0);
	assert_int_equal(backup_unstage(out, f->err), 0);
	/* A failure after some files were copied removes the copy. */
	snprintf(p, sizeof p, "%s/z-huge.conf", f->conf);
	assert_true((fd = open(p, O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(ftruncate(fd, (off_t)BACKUP_FILE_MAX + 1), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(backup_stage_confdir(f->conf, f->root, names,
					      contents, 1, out, f->err), -1);
	assert_contains(f->err, "more than the limit");
	assert_string_equal(out, "");
	assert_int_equal(count_stages(f), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_id_valid),
		T(test_take_and_list),
		T(test_take_only_existing),
		T(test_list_empty),
		T(test_ids_unique_and_sorted),
		T(test_id_after_clock_went_back),
		T(test_id_after_the_last_possible),
		T(test_untrusted_state_refused),
		T(test_meta_time_is_utc),
		T(test_prune_keeps_newest),
		T(test_partial_backups_ignored),
		T(test_take_refuses_symlinked_dropin),
		T(test_meta_one_line_each),
		T(test_read_file),
		T(test_applied_roundtrip),
		T(test_stage),
		T(test_stage_failure_leaves_nothing),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
