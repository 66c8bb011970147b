/* fsx.c - touching the disk. Durability: temp file in the same directory,
 * write loop, fsync, rename, fsync the directory. Security: nothing here
 * follows a symlink at a path it writes, removes or reads, and only regular
 * files are read or replaced. Every syscall result is checked, so that fault
 * injection (ENOSPC, EIO) at any step ends in a sentence, never in a torn
 * file. */
#include "fsx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEMP_RAND 6		/* random characters after ".NAME." */
#define TEMP_TRIES 100

void fsx_errf(char *err, int errnum, const char *fmt, ...)
{
	char tail[256] = "";
	size_t tl, room;
	va_list ap;
	int n;

	if (errnum)
		snprintf(tail, sizeof tail, ": %s", strerror(errnum));
	tl = strlen(tail);
	room = FSX_ERR_MAX - tl;	/* keep the reason even when a path is long */
	va_start(ap, fmt);
	n = vsnprintf(err, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		snprintf(err, room, "(unprintable error)");
		n = (int)strlen(err);
	} else if ((size_t)n >= room) {
		memcpy(err + room - 4, "...", 4);
		n = (int)room - 1;
	}
	memcpy(err + n, tail, tl + 1);
}

int fsx_join(char *out, const char *dir, const char *name, char *err)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX) {
		fsx_errf(err, 0, "path too long: %s/%s", dir, name);
		return -1;
	}
	return 0;
}

static const char *fsx_kind(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symlink";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "a special file";
}

int fsx_open_dir(const char *path, char *err)
{
	char real[PATH_MAX];
	struct stat st;
	int fd, e;

	/* O_NOFOLLOW covers the last component only: the parents are system
	 * paths owned by root, and a symlink there is how the appliance is
	 * built. A symlink at the directory itself is a redirection of where
	 * config lands, so it is refused with the real path to use instead. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	e = errno;
	if ((e == ELOOP || e == ENOTDIR) && lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) && realpath(path, real))
			fsx_errf(err, 0, "%s is a symlink to %s; dnsdrop does "
				 "not follow a symlinked directory: name %s "
				 "instead", path, real, real);
		else
			fsx_errf(err, 0, "%s is %s, not a directory", path,
				 fsx_kind(st.st_mode));
		return -1;
	}
	fsx_errf(err, e, "cannot open directory %s", path);
	return -1;
}

static void fsx_user(uid_t uid, char *out, size_t size)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "%u", (unsigned)uid);
}

static int fsx_check_dir_trusted(const char *path, uid_t me, char *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &st) < 0) {
		fsx_errf(err, errno, "cannot check directory %s", dir);
		return -1;
	}
	/* Whoever may rename files in the directory may swap the file: the
	 * sticky bit (as on /tmp) stops that for files they do not own. */
	if (st.st_uid != me && st.st_uid != 0) {
		fsx_errf(err, 0, "refusing %s: its directory %s is owned by uid "
			 "%u, who could replace the file; move the file to a "
			 "directory of yours", path, dir, (unsigned)st.st_uid);
		return -1;
	}
	if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)) {
		fsx_errf(err, 0, "refusing %s: its directory %s is writable by "
			 "others (mode %04o), who could replace the file; fix: "
			 "chmod go-w %s", path, dir,
			 (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/* The INI decides what dnsdrop runs as root: only its owner may write it. */
static int fsx_check_trusted(const char *path, const struct stat *st,
			     char *err)
{
	uid_t me = geteuid();
	char who[64], owner[64];

	fsx_user(me, who, sizeof who);
	if (st->st_uid != me) {
		fsx_user(st->st_uid, owner, sizeof owner);
		fsx_errf(err, 0, "refusing %s: it is owned by %s, not by %s "
			 "who runs dnsdrop, and it decides what dnsdrop runs; "
			 "fix: chown %s %s", path, owner, who, who, path);
		return -1;
	}
	if (st->st_mode & 022) {
		fsx_errf(err, 0, "refusing %s: it is writable by %s (mode %04o)"
			 " and it decides what dnsdrop runs as %s; fix: chmod "
			 "go-w %s", path,
			 (st->st_mode & 002) ? "everyone" : "its group",
			 (unsigned)(st->st_mode & 07777), who, path);
		return -1;
	}
	return fsx_check_dir_trusted(path, me, err);
}

static int fsx_read_fd(int fd, const char *path, size_t hint, size_t max,
		       char **data, size_t *len, char *err)
{
	size_t cap = (hint < max ? hint : max) + 2, n = 0;
	char *p = malloc(cap), *q;
	ssize_t r;

	/* Read to EOF rather than trust st_size: the file may grow. */
	while (p) {
		if (n + 1 >= cap) {
			q = cap <= SIZE_MAX / 2 ? realloc(p, cap * 2) : NULL;
			if (!q)
				break;
			p = q;
			cap *= 2;
		}
		r = read(fd, p + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fsx_errf(err, errno, "cannot read %s", path);
			goto fail;
		}
		if (r == 0) {
			p[n] = '\0';
			*data = p;
			*len = n;
			return 0;
		}
		n += (size_t)r;
		if (n > max) {
			fsx_errf(err, 0, "%s is larger than the limit of %zu "
				 "bytes", path, max);
			goto fail;
		}
	}
	fsx_errf(err, ENOMEM, "cannot read %s", path);
fail:
	free(p);
	return -1;
}

static int fsx_refuse_kind(const char *path, mode_t m, char *err)
{
	fsx_errf(err, 0, "%s is %s, not a regular file%s", path, fsx_kind(m),
		 S_ISLNK(m) ? " (dnsdrop never follows a symlink)" : "");
	return -1;
}

int fsx_read(const char *path, size_t max, unsigned flags,
	     char **data, size_t *len, char *err)
{
	struct stat st;
	int fd, rc = -1;

	*data = NULL;
	*len = 0;
	/* lstat first: a FIFO or device is named without being opened
	 * (opening a device can have side effects). fstat below decides. */
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT && (flags & FSX_ABSENT_OK))
			return 0;
		fsx_errf(err, errno, "cannot read %s", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return fsx_refuse_kind(path, st.st_mode, err);
	/* O_NONBLOCK: a FIFO swapped in after the lstat cannot hang us. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && (flags & FSX_ABSENT_OK))
			return 0;
		if (errno == ELOOP)
			return fsx_refuse_kind(path, S_IFLNK, err);
		fsx_errf(err, errno, "cannot open %s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0)
		fsx_errf(err, errno, "cannot stat %s", path);
	else if (!S_ISREG(st.st_mode))
		fsx_refuse_kind(path, st.st_mode, err);
	else if ((flags & FSX_TRUSTED) && fsx_check_trusted(path, &st, err) < 0)
		;
	else if ((uintmax_t)st.st_size > max)
		fsx_errf(err, 0, "%s is %jd bytes, more than the limit of %zu",
			 path, (intmax_t)st.st_size, max);
	else
		rc = fsx_read_fd(fd, path, (size_t)st.st_size, max, data, len,
				 err);
	close(fd);		/* read-only: nothing to lose on close */
	return rc;
}

static int fsx_check_name(const char *name, char *err)
{
	size_t n = strlen(name);

	if (n == 0 || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || n + 2 + TEMP_RAND > NAME_MAX) {
		fsx_errf(err, 0, "invalid file name \"%s\"", name);
		return -1;
	}
	return 0;
}

/* Refuse a target that is not a regular file: renaming over a symlink would
 * silently replace someone's link, and over a directory cannot work. */
static int fsx_target_ok(int dfd, const char *dir, const char *name,
			 char *err)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		fsx_errf(err, errno, "cannot check %s in %s", name, dir);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fsx_errf(err, 0, "%s in %s is %s, not a regular file; dnsdrop "
			 "will not replace it (move it away after checking what "
			 "it is)", name, dir, fsx_kind(st.st_mode));
		return -1;
	}
	return 0;
}

static uint64_t fsx_mix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The random part need not be secret: O_EXCL|O_NOFOLLOW makes a clash or a
 * planted name fail safely, and we try again. */
static int fsx_create_temp(int dfd, const char *dir, const char *name,
			   char tmp[NAME_MAX + 1], char *err)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec ts;
	uint64_t x;
	int i, k, n, fd;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 20);
	for (i = 0; i < TEMP_TRIES; i++) {
		n = snprintf(tmp, NAME_MAX + 1, ".%s.", name);
		for (k = 0; k < TEMP_RAND; k++)
			tmp[n + k] = set[fsx_mix(&x) % (sizeof set - 1)];
		tmp[n + TEMP_RAND] = '\0';
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST) {
			fsx_errf(err, errno, "cannot create temporary file %s "
				 "in %s", tmp, dir);
			return -1;
		}
	}
	fsx_errf(err, 0, "cannot create a temporary file for %s in %s: %d "
		 "names tried were all taken", name, dir, TEMP_TRIES);
	return -1;
}

/* Give FD its mode and content and make it durable; FD is closed. */
static int fsx_fill(int fd, const char *dir, const char *tmp,
		    const char *data, size_t len, mode_t mode, char *err)
{
	size_t off = 0;
	ssize_t w;

	/* fchmod, not the open mode: the umask must not decide what dnsmasq
	 * (which may drop privileges) can read. */
	if (fchmod(fd, mode) < 0) {
		fsx_errf(err, errno, "cannot set mode %04o on %s in %s",
			 (unsigned)mode, tmp, dir);
		goto fail;
	}
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fsx_errf(err, w < 0 ? errno : EIO, "cannot write %s in "
				 "%s", tmp, dir);
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		fsx_errf(err, errno, "cannot fsync %s in %s", tmp, dir);
		goto fail;
	}
	/* NFS and some filesystems report a failed write-back only here. */
	if (close(fd) < 0) {
		fsx_errf(err, errno, "cannot close %s in %s", tmp, dir);
		return -1;
	}
	return 0;
fail:
	close(fd);
	return -1;
}

int fsx_write_atomic(const char *dir, const char *name, const char *data,
		     size_t len, mode_t mode, char *err)
{
	char tmp[NAME_MAX + 1];
	int dfd, fd, rc = -1;

	if (fsx_check_name(name, err) < 0 || (dfd = fsx_open_dir(dir, err)) < 0)
		return -1;
	if (fsx_target_ok(dfd, dir, name, err) < 0)
		goto out;
	if ((fd = fsx_create_temp(dfd, dir, name, tmp, err)) < 0)
		goto out;
	if (fsx_fill(fd, dir, tmp, data, len, mode, err) < 0) {
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	/* A symlink put at NAME since the check is replaced, not followed
	 * (rename works on names); a directory makes rename fail. */
	if (renameat(dfd, tmp, dfd, name) < 0) {
		fsx_errf(err, errno, "cannot rename %s to %s in %s", tmp, name,
			 dir);
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	if (fsync(dfd) < 0) {
		fsx_errf(err, errno, "wrote %s in %s, but cannot fsync the "
			 "directory, so the change may not survive a crash",
			 name, dir);
		goto out;
	}
	rc = 0;
out:
	close(dfd);
	return rc;
}

int fsx_remove_atomic(const char *dir, const char *name, char *err)
{
	int dfd, rc = -1;

	if (fsx_check_name(name, err) < 0 || (dfd = fsx_open_dir(dir, err)) < 0)
		return -1;
	if (fsx_target_ok(dfd, dir, name, err) < 0)
		goto out;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
		fsx_errf(err, errno, "cannot remove %s in %s", name, dir);
		goto out;
	}
	/* Also when it was already absent: a killed run may have unlinked it
	 * without making that durable. */
	if (fsync(dfd) < 0) {
		fsx_errf(err, errno, "removed %s in %s, but cannot fsync the "
			 "directory, so the change may not survive a crash",
			 name, dir);
		goto out;
	}
	rc = 0;
out:
	close(dfd);
	return rc;
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
	char *slash;
	struct stat st;
	int rc;

	if (mkdir(p, mode) == 0) {
		/* A new directory is only durable once its parent is synced. */
		slash = strrchr(p, '/');
		if (!slash)
			return fsx_fsync_dir(".", err);
		if (slash == p)
			return fsx_fsync_dir("/", err);
		*slash = '\0';
		rc = fsx_fsync_dir(p, err);
		*slash = '/';
		return rc;
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

/* Remove every entry of the open directory D; a subdirectory is an error. */
static int fsx_empty_dir(DIR *d, const char *path, char *err)
{
	struct dirent *e;
	struct stat st;

	for (;;) {
		errno = 0;
		if (!(e = readdir(d)))
			break;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			fsx_errf(err, errno, "cannot check %s in %s", e->d_name,
				 path);
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			fsx_errf(err, 0, "%s in %s is a directory; dnsdrop did "
				 "not make it and will not remove it",
				 e->d_name, path);
			return -1;
		}
		if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			fsx_errf(err, errno, "cannot remove %s in %s",
				 e->d_name, path);
			return -1;
		}
	}
	if (errno) {
		fsx_errf(err, errno, "cannot read directory %s", path);
		return -1;
	}
	return 0;
}

int fsx_rmdir_flat(const char *path, char *err)
{
	DIR *d;
	int dfd, rc;

	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT)
		return 0;
	if (dfd < 0) {
		fsx_errf(err, errno, "cannot open directory %s", path);
		return -1;
	}
	if (!(d = fdopendir(dfd))) {
		fsx_errf(err, errno, "cannot read directory %s", path);
		close(dfd);
		return -1;
	}
	rc = fsx_empty_dir(d, path, err);
	closedir(d);
	if (rc == 0 && rmdir(path) < 0) {
		fsx_errf(err, errno, "cannot remove directory %s", path);
		rc = -1;
	}
	return rc;
}

static long fsx_read_pid(int fd)
{
	char b[32];
	ssize_t n = pread(fd, b, sizeof b - 1, 0);
	char *end;
	long pid;

	if (n <= 0)
		return 0;
	b[n] = '\0';
	errno = 0;
	pid = strtol(b, &end, 10);
	if (errno || end == b || (*end && *end != '\n') || pid <= 0)
		return 0;
	return pid;
}

int fsx_lock(const char *path, int *fd, long *holder_pid, char *err)
{
	char b[32];
	int lfd, n;
	struct stat st;

	*fd = -1;
	*holder_pid = 0;
	lfd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		   0600);
	if (lfd < 0 && errno == ELOOP)
		return fsx_refuse_kind(path, S_IFLNK, err);
	if (lfd < 0) {
		fsx_errf(err, errno, "cannot open lock file %s", path);
		return -1;
	}
	if (fstat(lfd, &st) < 0) {
		fsx_errf(err, errno, "cannot stat lock file %s", path);
		close(lfd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fsx_refuse_kind(path, st.st_mode, err);
		close(lfd);
		return -1;
	}
	/* flock, not fcntl locks: it belongs to the open file, is released
	 * by the kernel when we die, and is not shared with children. */
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			*holder_pid = fsx_read_pid(lfd);
			close(lfd);
			return 1;
		}
		fsx_errf(err, errno, "cannot lock %s", path);
		close(lfd);
		return -1;
	}
	n = snprintf(b, sizeof b, "%ld\n", (long)getpid());
	if (ftruncate(lfd, 0) < 0 || pwrite(lfd, b, (size_t)n, 0) != n) {
		fsx_errf(err, errno ? errno : EIO, "cannot write our pid into "
			 "lock file %s", path);
		close(lfd);
		return -1;
	}
	*fd = lfd;
	return 0;
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

static int fsx_is_temp(const char *ent, const char *name)
{
	size_t n = strlen(name), i;

	if (strlen(ent) != n + 2 + TEMP_RAND || ent[0] != '.' ||
	    strncmp(ent + 1, name, n) || ent[n + 1] != '.')
		return 0;
	for (i = n + 2; ent[i]; i++)
		if (!((ent[i] >= 'A' && ent[i] <= 'Z') ||
		      (ent[i] >= 'a' && ent[i] <= 'z') ||
		      (ent[i] >= '0' && ent[i] <= '9')))
			return 0;
	return 1;
}

int fsx_sweep_temps(const char *dir, const char *name, char *err)
{
	struct dirent *e;
	struct stat st;
	int dfd, count = 0, rc = -1;
	DIR *d;

	if (fsx_check_name(name, err) < 0 || (dfd = fsx_open_dir(dir, err)) < 0)
		return -1;
	if (!(d = fdopendir(dfd))) {
		fsx_errf(err, errno, "cannot read directory %s", dir);
		close(dfd);
		return -1;
	}
	for (;;) {
		errno = 0;
		if (!(e = readdir(d)))
			break;
		if (!fsx_is_temp(e->d_name, name) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dfd, e->d_name, 0) < 0) {
			fsx_errf(err, errno, "cannot remove leftover temporary "
				 "file %s in %s", e->d_name, dir);
			goto out;
		}
		count++;
	}
	if (errno)
		fsx_errf(err, errno, "cannot read directory %s", dir);
	else if (count && fsync(dfd) < 0)
		fsx_errf(err, errno, "cannot fsync directory %s", dir);
	else
		rc = count;
out:
	closedir(d);
	return rc;
}
