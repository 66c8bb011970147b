/* fsx.c - touching the disk. Durability: temp file in the same directory,
 * write loop, fsync, rename, fsync the directory. Security: nothing here
 * follows a symlink at a path it writes, removes or reads, and only regular
 * files are read or replaced. Every syscall result is checked, so that fault
 * injection (ENOSPC, EIO) at any step ends in a sentence, never in a torn
 * file. */
#include "fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

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

const char *fsx_kind(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "a regular file";
	case S_IFDIR: return "a directory";
	case S_IFLNK: return "a symlink";
	case S_IFIFO: return "a FIFO";
	case S_IFSOCK: return "a socket";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	default: return "a special file";
	}
}

/* Where the symlink PATH points, anchored at PATH's directory when
 * relative, into OUT (PATH_MAX bytes); -1 unless that is a directory. */
static int fsx_link_dir(const char *path, char *out)
{
	char t[PATH_MAX];
	const char *slash = strrchr(path, '/');
	ssize_t n = readlink(path, t, sizeof t - 1);
	struct stat st;
	int k;

	if (n < 0)
		return -1;
	t[n] = '\0';
	if (t[0] == '/' || !slash)
		k = snprintf(out, PATH_MAX, "%s", t);
	else
		k = snprintf(out, PATH_MAX, "%.*s/%s", (int)(slash - path), path,
			     t);
	return k < PATH_MAX && stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0
									  : -1;
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
		if (S_ISLNK(st.st_mode) && fsx_link_dir(path, real) == 0)
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

int fsx_dirname(const char *path, char *dir)
{
	const char *slash = strrchr(path, '/');
	int n = !slash ? snprintf(dir, PATH_MAX, ".")
		       : snprintf(dir, PATH_MAX, "%.*s", slash == path ? 1 : (int)(slash - path), path);

	return n < PATH_MAX ? 0 : -1;
}

int fsx_check_owned(const char *path, const struct stat *st, const char *why,
		    char *err)
{
	unsigned me = (unsigned)geteuid();

	if (st->st_uid != me) {
		fsx_errf(err, 0, "refusing %s: it is owned by uid %u, not by uid "
			 "%u who runs dnsdrop, and %s; fix: chown %u %s", path,
			 (unsigned)st->st_uid, me, why, me, path);
		return -1;
	}
	if (st->st_mode & 022) {
		fsx_errf(err, 0, "refusing %s: it is writable by %s (mode %04o)"
			 " and %s; fix: chmod go-w %s", path,
			 (st->st_mode & 002) ? "everyone" : "its group",
			 (unsigned)(st->st_mode & 07777), why, path);
		return -1;
	}
	return 0;
}

/* The INI decides what dnsdrop runs as root: only its owner may write it,
 * nor may others rename files in its directory (fsx_read has checked the
 * file itself). Users are named by uid: a name lookup would drag the
 * passwd and nscd code into the binary for one message. */
static int fsx_check_dir_trusted(const char *path, char *err)
{
	char dir[PATH_MAX];
	struct stat st;

	fsx_dirname(path, dir);	/* a prefix of PATH: it fits */
	if (stat(dir, &st) < 0) {
		fsx_errf(err, errno, "cannot check directory %s", dir);
		return -1;
	}
	/* Whoever may rename files in the directory may swap the file: the
	 * sticky bit (as on /tmp) stops that for files they do not own. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
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

int fsx_read_fd(int fd, const char *path, size_t hint, size_t max,
		char **data, size_t *len, char *err)
{
	size_t cap = (hint < max ? hint : max) + 2, n = 0;
	char *p = malloc(cap), *q;
	ssize_t r;
	int e = ENOMEM;

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
			e = errno;
			break;
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
			e = EFBIG;
			goto fail;
		}
	}
	fsx_errf(err, e, "cannot read %s", path);
fail:
	free(p);
	errno = e;
	return -1;
}

int fsx_refuse_kind(const char *path, mode_t m, char *err)
{
	fsx_errf(err, 0, "%s is %s, not a regular file%s", path, fsx_kind(m),
		 S_ISLNK(m) ? " (dnsdrop never follows a symlink)" : "");
	return -1;
}

int fsx_open_reg(const char *path, int oflags, const char *what,
		 const char *why, struct stat *st, char *err)
{
	int fd = open(path, oflags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	int e = errno;

	if (fd < 0) {
		if (e == ELOOP)
			fsx_refuse_kind(path, S_IFLNK, err);
		else
			fsx_errf(err, e, "cannot open %s%s", what, path);
		errno = e;
		return -1;
	}
	if (fstat(fd, st) < 0)
		fsx_errf(err, errno, "cannot stat %s%s", what, path);
	else if (!S_ISREG(st->st_mode))
		fsx_refuse_kind(path, st->st_mode, err);
	else if (!why || fsx_check_owned(path, st, why, err) == 0)
		return fd;
	close(fd);
	errno = 0;
	return -1;
}

int fsx_read(const char *path, size_t max, unsigned flags,
	     char **data, size_t *len, char *err)
{
	const char *why = (flags & FSX_TRUSTED) ? "it decides what dnsdrop runs"
			  : (flags & FSX_STATE) ? FSX_STATE_WHY : NULL;
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
	if ((fd = fsx_open_reg(path, O_RDONLY, "", why, &st, err)) < 0)
		return errno == ENOENT && (flags & FSX_ABSENT_OK) ? 0 : -1;
	if ((flags & FSX_TRUSTED) && fsx_check_dir_trusted(path, err) < 0)
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

int fsx_check_name(const char *name, char *err)
{
	size_t n = strlen(name);

	if (n == 0 || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || n + 2 + FSX_TEMP_RAND > NAME_MAX) {
		fsx_errf(err, 0, "invalid file name \"%s\"", name);
		return -1;
	}
	return 0;
}

/* Open DIR for a change of NAME: a valid name, DIR not a symlink, and NAME
 * absent or a regular file. Renaming over a symlink would silently replace
 * someone's link, and over a directory cannot work. The fd or -1. */
static int fsx_open_target(const char *dir, const char *name, char *err)
{
	struct stat st;
	int dfd;

	if (fsx_check_name(name, err) < 0 || (dfd = fsx_open_dir(dir, err)) < 0)
		return -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return dfd;
		fsx_errf(err, errno, "cannot check %s in %s", name, dir);
	} else if (S_ISREG(st.st_mode)) {
		return dfd;
	} else {
		fsx_errf(err, 0, "%s in %s is %s, not a regular file; dnsdrop "
			 "will not replace it (move it away after checking what "
			 "it is)", name, dir, fsx_kind(st.st_mode));
	}
	close(dfd);
	return -1;
}

/* Make the change to NAME (DONE: "wrote", "removed") durable by syncing
 * the directory DFD, which is closed. */
static int fsx_sync_close(int dfd, const char *done, const char *dir,
			  const char *name, char *err)
{
	int rc = 0;

	if (fsync(dfd) < 0) {
		fsx_errf(err, errno, "%s %s in %s, but cannot fsync the "
			 "directory, so the change may not survive a crash",
			 done, name, dir);
		rc = -1;
	}
	close(dfd);
	return rc;
}

/* The random part need not be secret: O_EXCL|O_NOFOLLOW makes a clash or a
 * planted name fail safely, and we try again. */
static int fsx_create_temp(int dfd, const char *dir, const char *name,
			   char tmp[NAME_MAX + 1], char *err)
{
	static const char set[] = FSX_TEMP_SET;
	uint64_t x = rand_seed();
	int i, k, n, fd;

	for (i = 0; i < TEMP_TRIES; i++) {
		n = snprintf(tmp, NAME_MAX + 1, ".%s.", name);
		for (k = 0; k < FSX_TEMP_RAND; k++)
			tmp[n + k] = set[rand_next(&x) % (sizeof set - 1)];
		tmp[n + FSX_TEMP_RAND] = '\0';
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
	int dfd, fd;

	if ((dfd = fsx_open_target(dir, name, err)) < 0)
		return -1;
	if ((fd = fsx_create_temp(dfd, dir, name, tmp, err)) < 0)
		goto out;
	if (fsx_fill(fd, dir, tmp, data, len, mode, err) < 0)
		goto undo;
	/* A symlink put at NAME since the check is replaced, not followed
	 * (rename works on names); a directory makes rename fail. */
	if (renameat(dfd, tmp, dfd, name) == 0)
		return fsx_sync_close(dfd, "wrote", dir, name, err);
	fsx_errf(err, errno, "cannot rename %s to %s in %s", tmp, name, dir);
undo:
	unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return -1;
}

int fsx_remove_atomic(const char *dir, const char *name, char *err)
{
	int dfd;

	if ((dfd = fsx_open_target(dir, name, err)) < 0)
		return -1;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT) {
		fsx_errf(err, errno, "cannot remove %s in %s", name, dir);
		close(dfd);
		return -1;
	}
	/* Also when it was already absent: a killed run may have unlinked it
	 * without making that durable. */
	return fsx_sync_close(dfd, "removed", dir, name, err);
}

int fsx_probe_dir(const char *dir, char *err)
{
	char tmp[NAME_MAX + 1];
	int dfd, fd, rc = -1;

	/* A temp name like any other: a run killed before the unlink leaves
	 * what fsx_sweep_temps(DIR, FSX_PROBE) removes. */
	if ((dfd = fsx_open_dir(dir, err)) < 0)
		return -1;
	if ((fd = fsx_create_temp(dfd, dir, FSX_PROBE, tmp, err)) >= 0) {
		close(fd);
		if (unlinkat(dfd, tmp, 0) == 0)
			rc = 0;
		else
			fsx_errf(err, errno, "cannot remove %s in %s", tmp, dir);
	}
	close(dfd);
	return rc;
}
