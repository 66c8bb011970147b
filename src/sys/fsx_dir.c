/* fsx_dir.c - touching the disk, whole directories: walking entries,
 * creating and syncing directories, removing a flat one, the state lock,
 * sweeping the temp files a killed run left. The same rules as fsx.c: no
 * symlink is followed, every syscall result is checked. */
#include "fsx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate.h"

int fsx_each_entry(const char *path, unsigned flags, fsx_entry_fn *fn,
		   void *ctx, char *err)
{
	struct dirent *e;
	struct stat st;
	int dfd, rc = 0;
	DIR *d;

	if ((flags & FSX_ABSENT_OK) && lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if ((dfd = fsx_open_dir(path, err)) < 0)
		return -1;
	if (!(d = fdopendir(dfd))) {
		fsx_errf(err, errno, "cannot read directory %s", path);
		close(dfd);
		return -1;
	}
	while (rc == 0) {
		errno = 0;
		if (!(e = readdir(d))) {
			if (errno) {
				fsx_errf(err, errno, "cannot read directory %s",
					 path);
				rc = -1;
			}
			break;
		}
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			rc = fn(ctx, dfd, e->d_name, &st, err);
		} else if (errno != ENOENT && !(flags & FSX_LENIENT)) {
			fsx_errf(err, errno, "cannot check %s in %s", e->d_name,
				 path);
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int fsx_state_dir(const char *path, unsigned flags, char *err)
{
	struct stat st;
	int fd;

	if ((flags & FSX_CREATE) && fsx_mkdir_p(path, 0700, err) < 0)
		return -1;
	if ((flags & FSX_ABSENT_OK) && lstat(path, &st) < 0 && errno == ENOENT)
		return 1;
	if ((fd = fsx_open_dir(path, err)) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		fsx_errf(err, errno, "cannot check directory %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	return fsx_check_owned(path, &st, FSX_STATE_WHY, err);
}

int fsx_fsync_dir(const char *path, char *err)
{
	int dfd = fsx_open_dir(path, err), rc = 0;

	if (dfd < 0)
		return -1;
	if (fsync(dfd) < 0) {
		fsx_errf(err, errno, "cannot fsync directory %s", path);
		rc = -1;
	}
	close(dfd);
	return rc;
}

static int fsx_mkdir_one(char *p, mode_t mode, char *err)
{
	char parent[PATH_MAX];
	struct stat st;

	if (mkdir(p, mode) == 0) {
		/* A new directory is only durable once its parent is synced. */
		fsx_dirname(p, parent);	/* a prefix of P: it fits */
		return fsx_fsync_dir(parent, err);
	}
	if (errno != EEXIST) {
		fsx_errf(err, errno, "cannot create directory %s", p);
		return -1;
	}
	if (stat(p, &st) < 0) {
		fsx_errf(err, errno, "cannot check directory %s", p);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fsx_errf(err, 0, "%s is %s, not a directory", p,
			 fsx_kind(st.st_mode));
		return -1;
	}
	return 0;
}

int fsx_mkdir_p(const char *path, mode_t mode, char *err)
{
	char p[PATH_MAX];
	size_t i, n = strlen(path);
	char c;

	if (n == 0 || n >= sizeof p) {
		fsx_errf(err, 0, "invalid directory path \"%.200s\"", path);
		return -1;
	}
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if ((p[i] != '/' && p[i] != '\0') || p[i - 1] == '/')
			continue;
		c = p[i];
		p[i] = '\0';
		if (fsx_mkdir_one(p, mode, err) < 0)
			return -1;
		p[i] = c;
	}
	return 0;
}

/* fsx_rmdir_flat: remove one entry of CTX, the directory's path. */
static int fsx_unlink_entry(void *ctx, int dfd, const char *name,
			    const struct stat *st, char *err)
{
	if (S_ISDIR(st->st_mode)) {
		fsx_errf(err, 0, "%s in %s is a directory; dnsdrop did not make "
			 "it and will not remove it", name, (const char *)ctx);
		return -1;
	}
	if (unlinkat(dfd, name, 0) < 0) {
		fsx_errf(err, errno, "cannot remove %s in %s", name,
			 (const char *)ctx);
		return -1;
	}
	return 0;
}

int fsx_rmdir_flat(const char *path, char *err)
{
	if (fsx_each_entry(path, FSX_ABSENT_OK, fsx_unlink_entry, (void *)path,
			   err) < 0)
		return -1;
	if (rmdir(path) < 0 && errno != ENOENT) {
		fsx_errf(err, errno, "cannot remove directory %s", path);
		return -1;
	}
	return 0;
}

/* The pid a holder wrote into the lock file: "123\n"; 0 if unreadable. */
static long fsx_read_pid(int fd)
{
	char b[32];
	ssize_t n = pread(fd, b, sizeof b - 1, 0);
	unsigned pid;

	if (n <= 0)
		return 0;
	b[n] = '\0';
	b[strcspn(b, "\n")] = '\0';
	return validate_number(b, 0, INT_MAX, &pid) == 0 ? (long)pid : 0;
}

long fsx_lock_pid(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	long pid = fd < 0 ? 0 : fsx_read_pid(fd);

	if (fd >= 0)
		close(fd);
	return pid;
}

int fsx_lock(const char *path, int *fd, long *holder_pid, char *err)
{
	char b[32];
	int lfd, n;
	struct stat st;

	*fd = -1;
	*holder_pid = 0;
	lfd = fsx_open_reg(path, O_RDWR | O_CREAT, "lock file ", FSX_STATE_WHY,
			   &st, err);
	if (lfd < 0)
		return -1;
	/* flock, not fcntl locks: it belongs to the open file, is released
	 * by the kernel when we die, and is not shared with children. */
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			*holder_pid = fsx_read_pid(lfd);
			close(lfd);
			return 1;
		}
		fsx_errf(err, errno, "cannot lock %s", path);
		goto fail;
	}
	n = snprintf(b, sizeof b, "%ld\n", (long)getpid());
	if (ftruncate(lfd, 0) < 0 || pwrite(lfd, b, (size_t)n, 0) != n) {
		fsx_errf(err, errno ? errno : EIO, "cannot write our pid into "
			 "lock file %s", path);
		goto fail;
	}
	*fd = lfd;
	return 0;
fail:
	close(lfd);
	return -1;
}

void fsx_unlock(int fd)
{
	if (fd < 0)
		return;
	/* A stale pid would name the wrong holder to the next waiter; a
	 * failure here only costs that, the lock goes with the close. */
	if (ftruncate(fd, 0) < 0) {
		/* nothing better to do */
	}
	close(fd);
}

struct sweep {
	const char *dir, *name;
	int count;
};

/* ENT is ".NAME." and FSX_TEMP_RAND of fsx_create_temp's characters. */
static int fsx_is_temp(const char *ent, const char *name)
{
	size_t n = strlen(name);

	return strlen(ent) == n + 2 + FSX_TEMP_RAND && ent[0] == '.' &&
	       !strncmp(ent + 1, name, n) && ent[n + 1] == '.' &&
	       strspn(ent + n + 2, FSX_TEMP_SET) == FSX_TEMP_RAND;
}

static int fsx_sweep_entry(void *ctx, int dfd, const char *ent,
			   const struct stat *st, char *err)
{
	struct sweep *s = ctx;

	if (!fsx_is_temp(ent, s->name) || !S_ISREG(st->st_mode))
		return 0;
	if (unlinkat(dfd, ent, 0) < 0) {
		fsx_errf(err, errno, "cannot remove leftover temporary file %s "
			 "in %s", ent, s->dir);
		return -1;
	}
	s->count++;
	return 0;
}

int fsx_sweep_temps(const char *dir, const char *name, char *err)
{
	struct sweep s = { dir, name, 0 };

	if (fsx_check_name(name, err) < 0 ||
	    fsx_each_entry(dir, FSX_LENIENT, fsx_sweep_entry, &s, err) < 0)
		return -1;
	if (s.count && fsx_fsync_dir(dir, err) < 0)
		return -1;
	return s.count;
}
