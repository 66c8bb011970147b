/* test_fsx.c - fsx against a real filesystem in a mkdtemp directory. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsx.h"

#define NOBODY 65534

struct fx {
	char dir[256];
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
	snprintf(f->dir, sizeof f->dir, "/tmp/test_fsx.XXXXXX");
	if (!mkdtemp(f->dir) || chmod(f->dir, 0755) < 0)
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

static void path_in(char *out, const struct fx *f, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", f->dir, name);
}

static void put(const struct fx *f, const char *name, const char *text,
		mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	path_in(p, f, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* Content of NAME in F's directory, or NULL if absent. Caller frees. */
static char *get(const struct fx *f, const char *name)
{
	char p[PATH_MAX], err[FSX_ERR_MAX], *data;
	size_t len;

	path_in(p, f, name);
	assert_int_equal(fsx_read(p, 1 << 20, FSX_ABSENT_OK, &data, &len, err),
			 0);
	return data;
}

/* How many entries of the test directory start with PREFIX. */
static int count_prefix(const struct fx *f, const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(f->dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void test_write_replaces(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], *s;
	struct stat st;
	mode_t old = umask(077);

	put(f, "hosts.conf", "old\n", 0600);
	assert_int_equal(fsx_write_atomic(f->dir, "hosts.conf", "new text\n",
					  9, 0644, f->err), 0);
	umask(old);
	s = get(f, "hosts.conf");
	assert_string_equal(s, "new text\n");
	free(s);
	path_in(p, f, "hosts.conf");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(count_prefix(f, ".hosts.conf."), 0);
}

static void test_write_new_and_empty(void **state)
{
	struct fx *f = *state;
	char *s;

	assert_int_equal(fsx_write_atomic(f->dir, "srv.conf", NULL, 0, 0644,
					  f->err), 0);
	s = get(f, "srv.conf");
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(count_prefix(f, ".srv.conf."), 0);
}

static void test_write_refuses_symlink_target(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], *s;
	struct stat st;

	put(f, "real", "keep\n", 0644);
	path_in(p, f, "hosts.conf");
	assert_int_equal(symlink("real", p), 0);
	assert_int_equal(fsx_write_atomic(f->dir, "hosts.conf", "x\n", 2, 0644,
					  f->err), -1);
	assert_contains(f->err, "hosts.conf in ");
	assert_contains(f->err, "is a symlink, not a regular file");
	s = get(f, "real");
	assert_string_equal(s, "keep\n");
	free(s);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(count_prefix(f, ".hosts.conf."), 0);
}

static void test_write_refuses_dir_target(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX];

	path_in(p, f, "hosts.conf");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(fsx_write_atomic(f->dir, "hosts.conf", "x\n", 2, 0644,
					  f->err), -1);
	assert_contains(f->err, "is a directory, not a regular file");
	assert_int_equal(count_prefix(f, ".hosts.conf."), 0);
}

static void test_write_refuses_symlinked_dir(void **state)
{
	struct fx *f = *state;
	char real[PATH_MAX], link[PATH_MAX];

	path_in(real, f, "real.d");
	path_in(link, f, "conf.d");
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink("real.d", link), 0);
	assert_int_equal(fsx_write_atomic(link, "hosts.conf", "x\n", 2, 0644,
					  f->err), -1);
	assert_contains(f->err, "is a symlink to ");
	assert_contains(f->err, real);
	assert_int_equal(fsx_remove_atomic(link, "hosts.conf", f->err), -1);
}

static void test_write_bad_name(void **state)
{
	struct fx *f = *state;

	assert_int_equal(fsx_write_atomic(f->dir, "../x", "x", 1, 0644,
					  f->err), -1);
	assert_contains(f->err, "invalid file name");
	assert_int_equal(fsx_write_atomic(f->dir, "", "x", 1, 0644, f->err),
			 -1);
}

/* As root, mode bits do not stop a write: the child drops to nobody. */
static void test_write_readonly_dir(void **state)
{
	struct fx *f = *state;
	char ro[PATH_MAX], *s;
	int status;
	pid_t pid;

	if (geteuid() != 0)
		skip();		/* not root: cannot give the dir to nobody */
	path_in(ro, f, "ro.d");
	assert_int_equal(mkdir(ro, 0755), 0);
	assert_int_equal(fsx_write_atomic(ro, "hosts.conf", "old\n", 4, 0644,
					  f->err), 0);
	assert_int_equal(chown(ro, NOBODY, NOBODY), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[FSX_ERR_MAX];
		int ok = setgid(NOBODY) == 0 && setuid(NOBODY) == 0 &&
			 fsx_write_atomic(ro, "hosts.conf", "new\n", 4, 0644,
					  err) == -1 &&
			 strstr(err, "cannot create temporary file .hosts.conf.") &&
			 strstr(err, ": Permission denied");
		if (!ok)
			fprintf(stderr, "child: %s\n", err);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	chmod(ro, 0755);
	s = get(f, "ro.d/hosts.conf");
	assert_string_equal(s, "old\n");
	free(s);
}

static void test_remove(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX];

	put(f, "srv.conf", "x\n", 0644);
	assert_int_equal(fsx_remove_atomic(f->dir, "srv.conf", f->err), 0);
	assert_null(get(f, "srv.conf"));
	assert_int_equal(fsx_remove_atomic(f->dir, "srv.conf", f->err), 0);
	path_in(p, f, "srv.conf");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(fsx_remove_atomic(f->dir, "srv.conf", f->err), -1);
	assert_contains(f->err, "is a symlink");
}

static void test_read_regular(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], *data;
	size_t len;

	put(f, "a.ini", "abc\n", 0600);
	path_in(p, f, "a.ini");
	assert_int_equal(fsx_read(p, 100, FSX_TRUSTED, &data, &len, f->err), 0);
	assert_int_equal(len, 4);
	assert_string_equal(data, "abc\n");
	free(data);
	assert_int_equal(fsx_read(p, 4, 0, &data, &len, f->err), 0);
	free(data);
	assert_int_equal(fsx_read(p, 3, 0, &data, &len, f->err), -1);
	assert_contains(f->err, "is 4 bytes, more than the limit of 3");
	assert_null(data);
}

static void test_read_absent(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], *data = (char *)1;
	size_t len = 9;

	path_in(p, f, "none");
	assert_int_equal(fsx_read(p, 10, FSX_ABSENT_OK, &data, &len, f->err),
			 0);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(fsx_read(p, 10, 0, &data, &len, f->err), -1);
	assert_contains(f->err, "cannot read ");
	assert_contains(f->err, ": No such file or directory");
}

static void read_refused(struct fx *f, const char *path, unsigned flags,
			 const char *why)
{
	char *data;
	size_t len;

	assert_int_equal(fsx_read(path, 1000, flags, &data, &len, f->err), -1);
	assert_null(data);
	assert_contains(f->err, path);
	assert_contains(f->err, why);
}

static void test_read_not_regular(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX];

	path_in(p, f, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	read_refused(f, p, 0, "is a FIFO, not a regular file");
	path_in(p, f, "d");
	assert_int_equal(mkdir(p, 0700), 0);
	read_refused(f, p, 0, "is a directory, not a regular file");
	put(f, "target", "x", 0600);
	path_in(p, f, "link");
	assert_int_equal(symlink("target", p), 0);
	read_refused(f, p, FSX_ABSENT_OK, "is a symlink, not a regular file");
	read_refused(f, "/dev/null", 0, "is a character device");
}

static void test_read_untrusted(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], d[PATH_MAX], *data;
	size_t len;

	put(f, "w.ini", "x", 0620);
	path_in(p, f, "w.ini");
	read_refused(f, p, FSX_TRUSTED, "fix: chmod go-w ");
	assert_contains(f->err, "writable by its group (mode 0620)");
	put(f, "o.ini", "x", 0606);
	path_in(p, f, "o.ini");
	read_refused(f, p, FSX_TRUSTED, "writable by everyone");
	/* Without the flag the same file reads fine. */
	assert_int_equal(fsx_read(p, 10, 0, &data, &len, f->err), 0);
	free(data);
	if (geteuid() == 0) {
		put(f, "n.ini", "x", 0600);
		path_in(p, f, "n.ini");
		assert_int_equal(chown(p, NOBODY, NOBODY), 0);
		read_refused(f, p, FSX_TRUSTED, "fix: chown ");
	}
	path_in(d, f, "open.d");
	assert_int_equal(mkdir(d, 0777), 0);
	assert_int_equal(chmod(d, 0777), 0);
	put(f, "open.d/a.ini", "x", 0600);
	path_in(p, f, "open.d/a.ini");
	read_refused(f, p, FSX_TRUSTED, "writable by others (mode 0777)");
	assert_int_equal(chmod(d, 01777), 0);	/* sticky, as /tmp */
	assert_int_equal(fsx_read(p, 10, FSX_TRUSTED, &data, &len, f->err), 0);
	free(data);
	if (geteuid() == 0) {
		assert_int_equal(chmod(d, 0755), 0);
		assert_int_equal(chown(d, NOBODY, NOBODY), 0);
		read_refused(f, p, FSX_TRUSTED, "is owned by uid 65534");
	}
}

static void test_lock_busy(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], c;
	int go[2], done[2], fd, status;
	long holder;
	pid_t pid;

	path_in(p, f, "lock");
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[FSX_ERR_MAX];
		long h;
		int cfd, r = fsx_lock(p, &cfd, &h, err);

		c = r == 0 ? 'y' : 'n';
		if (write(go[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(2);
		fsx_unlock(cfd);
		_exit(r == 0 ? 0 : 1);
	}
	assert_int_equal(read(go[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(fsx_lock(p, &fd, &holder, f->err), 1);
	assert_int_equal(fd, -1);
	assert_int_equal(holder, (long)pid);
	assert_int_equal(write(done[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(fsx_lock(p, &fd, &holder, f->err), 0);
	assert_true(fd >= 0);
	fsx_unlock(fd);
	free(get(f, "lock"));
	close(go[0]), close(go[1]), close(done[0]), close(done[1]);
}

static void test_lock_pid_written_and_cleared(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX], want[32], *s;
	int fd;
	long holder;

	path_in(p, f, "lock");
	assert_int_equal(fsx_lock(p, &fd, &holder, f->err), 0);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	s = get(f, "lock");
	assert_string_equal(s, want);
	free(s);
	fsx_unlock(fd);
	s = get(f, "lock");
	assert_string_equal(s, "");
	free(s);
	unlink(p);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(fsx_lock(p, &fd, &holder, f->err), -1);
	assert_contains(f->err, "is a symlink");
}

static void test_sweep(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX];

	put(f, "hosts.conf", "h", 0644);
	put(f, ".hosts.conf.AbC123", "t", 0600);
	put(f, ".hosts.conf.zzzzzz", "t", 0600);
	put(f, ".hosts.conf.toolong", "t", 0600);
	put(f, ".hosts.conf.ab-cd_", "t", 0600);
	put(f, ".srv.conf.abcdef", "t", 0600);
	path_in(p, f, ".hosts.conf.LINK00");
	assert_int_equal(symlink("hosts.conf", p), 0);
	assert_int_equal(fsx_sweep_temps(f->dir, "hosts.conf", f->err), 2);
	assert_int_equal(count_prefix(f, ".hosts.conf."), 3);
	assert_int_equal(count_prefix(f, ".srv.conf."), 1);
	assert_int_equal(count_prefix(f, "hosts.conf"), 1);
	assert_int_equal(fsx_sweep_temps(f->dir, "hosts.conf", f->err), 0);
}

static void test_mkdir_p(void **state)
{
	struct fx *f = *state;
	char p[PATH_MAX];
	struct stat st;

	path_in(p, f, "a/b//c/");
	assert_int_equal(fsx_mkdir_p(p, 0700, f->err), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(fsx_mkdir_p(p, 0700, f->err), 0);
	put(f, "file", "x", 0644);
	path_in(p, f, "file/sub");
	assert_int_equal(fsx_mkdir_p(p, 0700, f->err), -1);
	path_in(p, f, "file");
	assert_int_equal(fsx_mkdir_p(p, 0700, f->err), -1);
	assert_contains(f->err, "is a regular file, not a directory");
}

static void test_rmdir_flat(void **state)
{
	struct fx *f = *state;
	char d[PATH_MAX], p[PATH_MAX], *s;

	put(f, "keep", "k", 0644);
	path_in(d, f, "x.d");
	assert_int_equal(mkdir(d, 0700), 0);
	put(f, "x.d/a", "a", 0644);
	path_in(p, f, "x.d/l");
	assert_int_equal(symlink("../keep", p), 0);
	assert_int_equal(fsx_rmdir_flat(d, f->err), 0);
	assert_int_equal(access(d, F_OK), -1);
	s = get(f, "keep");
	assert_string_equal(s, "k");
	free(s);
	assert_int_equal(fsx_rmdir_flat(d, f->err), 0);
	assert_int_equal(mkdir(d, 0700), 0);
	path_in(p, f, "x.d/sub");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(fsx_rmdir_flat(d, f->err), -1);
	assert_contains(f->err, "is a directory");
}

struct seen {
	char names[512];
	int regular, stop_at;
};

static int note_entry(void *ctx, int dfd, const char *name,
		      const struct stat *st, char *err)
{
	struct seen *s = ctx;

	strcat(s->names, name);
	strcat(s->names, " ");
	s->regular += S_ISREG(st->st_mode);
	if (s->stop_at && !--s->stop_at) {
		snprintf(err, FSX_ERR_MAX, "stopped at %s", name);
		return -1;
	}
	return 0;
}

static void test_each_entry(void **state)
{
	struct fx *f = *state;
	struct seen s = { "", 0, 0 };
	char d[PATH_MAX], p[PATH_MAX];

	path_in(d, f, "e.d");
	assert_int_equal(mkdir(d, 0700), 0);
	put(f, "e.d/a", "a", 0644);
	put(f, "e.d/.b", "b", 0644);
	path_in(p, f, "e.d/l");
	assert_int_equal(symlink("a", p), 0);
	assert_int_equal(fsx_each_entry(d, 0, note_entry, &s, f->err), 0);
	assert_int_equal(s.regular, 2);	/* a and .b; l is a symlink */
	assert_non_null(strstr(s.names, "l "));
	assert_null(strstr(s.names, ". "));
	s = (struct seen){ "", 0, 1 };
	assert_int_equal(fsx_each_entry(d, 0, note_entry, &s, f->err), -1);
	assert_contains(f->err, "stopped at ");
	path_in(p, f, "absent.d");
	assert_int_equal(fsx_each_entry(p, FSX_ABSENT_OK, note_entry, &s,
					f->err), 0);
	assert_int_equal(fsx_each_entry(p, 0, note_entry, &s, f->err), -1);
	assert_contains(f->err, "cannot open directory");
	path_in(p, f, "e.l");
	assert_int_equal(symlink("e.d", p), 0);
	assert_int_equal(fsx_each_entry(p, 0, note_entry, &s, f->err), -1);
	assert_contains(f->err, "is a symlink to ");
}

static void test_errf_keeps_reason(void **state)
{
	char err[FSX_ERR_MAX], big[3000];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	fsx_errf(err, ENOSPC, "cannot rename %s", big);
	assert_true(strlen(err) < FSX_ERR_MAX);
	assert_contains(err, "...: No space left on device");
	fsx_errf(err, 0, "plain %d", 1);
	assert_string_equal(err, "plain 1");
	(void)state;
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_replaces),
		T(test_write_new_and_empty),
		T(test_write_refuses_symlink_target),
		T(test_write_refuses_dir_target),
		T(test_write_refuses_symlinked_dir),
		T(test_write_bad_name),
		T(test_write_readonly_dir),
		T(test_remove),
		T(test_read_regular),
		T(test_read_absent),
		T(test_read_not_regular),
		T(test_read_untrusted),
		T(test_lock_busy),
		T(test_lock_pid_written_and_cleared),
		T(test_sweep),
		T(test_mkdir_p),
		T(test_rmdir_flat),
		T(test_each_entry),
		T(test_errf_keeps_reason),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
