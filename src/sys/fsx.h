/* fsx.h - touching the disk: bounded reads, atomic writes and removals,
 * directories, the state lock. Every function returns 0 (or a count) on
 * success and -1 on failure with a whole sentence in ERR, e.g.
 * "cannot rename .hosts.conf.Xa1b2c to hosts.conf in /tandberg/etc/dnsmasq.d:
 * No space left on device". Nothing here prints or exits. */
#ifndef DNSDROP_FSX_H
#define DNSDROP_FSX_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "model.h"

#define FSX_ERR_MAX DD_ERR_MAX
#define FSX_TEMP_RAND 6	/* random characters in a temp name ".NAME.Xa1b2c" */
#define FSX_TEMP_SET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* fsx_read and fsx_each_entry flags */
#define FSX_TRUSTED 1u		/* owned by the euid, not group/world-writable */
#define FSX_ABSENT_OK 2u	/* a missing file is not an error: *DATA = NULL */
#define FSX_LENIENT 4u		/* fsx_each_entry: skip what cannot be stat'ed */
#define FSX_STATE 8u		/* state: owned by the euid, not group/world-writable */
#define FSX_CREATE 16u		/* fsx_state_dir: make it (0700) when missing */

/* Why state must be ours, for the refusals. */
#define FSX_STATE_WHY "dnsdrop restores and runs what state_dir holds"

/* Format an error sentence into ERR; ERRNUM != 0 appends ": strerror". */
void fsx_errf(char *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Join DIR and NAME into OUT (PATH_MAX bytes); -1 if too long. */
int fsx_join(char *out, const char *dir, const char *name, char *err);

/* What mode M is, as a phrase: "a regular file", "a symlink", "a FIFO"... */
const char *fsx_kind(mode_t m);

/* 0 if NAME can be a file name in a directory and leaves room for a temp
 * name; -1 with ERR otherwise ("", ".", "..", a '/'). */
int fsx_check_name(const char *name, char *err);

/* -1 with ERR saying PATH is the kind M names, not a regular file. */
int fsx_refuse_kind(const char *path, mode_t m, char *err);

/* 0 if ST (of PATH) is owned by the euid and not writable by group or
 * others; -1 with ERR naming PATH, WHY it matters and the fix otherwise. */
int fsx_check_owned(const char *path, const struct stat *st, const char *why,
		    char *err);

/* Trust the state directory PATH (state_dir, backups/, applied/, one
 * backup): opened without following a symlink, a directory owned by the
 * euid and not writable by group or others. FSX_CREATE makes it (and its
 * missing parents) 0700 first; FSX_ABSENT_OK: a missing PATH returns 1.
 * 0 when trusted, -1 with ERR (the path and the fix) otherwise. */
int fsx_state_dir(const char *path, unsigned flags, char *err);

/* Open directory PATH read-only; a symlink at PATH itself is refused with
 * its target named (config must not silently land elsewhere). fd or -1. */
int fsx_open_dir(const char *path, char *err);

/* Read the regular file PATH (never a symlink, FIFO, device or directory:
 * the sentence names what it is) of at most MAX bytes into a NUL-terminated
 * heap buffer *DATA of *LEN bytes (caller frees). FSX_TRUSTED also requires
 * the file to be owned by the euid and not writable by group or others, nor
 * its directory, and says what to run to fix it. FSX_STATE requires the
 * file to be owned and not group/other-writable (its directory is checked
 * by fsx_state_dir). FSX_ABSENT_OK: a missing
 * file returns 0 with *DATA NULL and *LEN 0. */
int fsx_read(const char *path, size_t max, unsigned flags,
	     char **data, size_t *len, char *err);

/* Open the regular file PATH with OFLAGS (O_CREAT makes it 0600), never
 * following a symlink nor blocking on a FIFO, and fstat it into ST. WHAT
 * names it in messages ("" or "lock file "); WHY, unless NULL, requires it
 * to be ours as fsx_check_owned does. The fd, or -1 with ERR (errno is
 * open's, ENOENT for a missing PATH, or 0 when the file was refused). */
int fsx_open_reg(const char *path, int oflags, const char *what,
		 const char *why, struct stat *st, char *err);

/* Read the open FD (named PATH in messages) to EOF, at most MAX bytes, into
 * a NUL-terminated heap buffer *DATA of *LEN bytes (caller frees); HINT is
 * the size expected. -1 with ERR, and errno the cause (EFBIG: over MAX). */
int fsx_read_fd(int fd, const char *path, size_t hint, size_t max,
		char **data, size_t *len, char *err);

/* Replace DIR/NAME by LEN bytes of DATA with MODE, atomically: temp file
 * ".NAME.XXXXXX" in DIR (O_EXCL|O_NOFOLLOW), write, fsync, rename, fsync DIR.
 * Refuses a symlinked DIR and a target that is not a regular file. On failure
 * before the rename the temp file is removed and the old file is untouched;
 * only a failed fsync of DIR after the rename leaves the new content in place
 * (not yet durable), which ERR says. */
int fsx_write_atomic(const char *dir, const char *name, const char *data,
		     size_t len, mode_t mode, char *err);

/* Remove the regular file DIR/NAME and fsync DIR; absent is success. A
 * symlink or other non-regular file at DIR/NAME is refused, never removed. */
int fsx_remove_atomic(const char *dir, const char *name, char *err);

/* The directory of PATH into DIR (PATH_MAX bytes): "." when PATH has no
 * '/', "/" for a file in the root. -1 when it does not fit. */
int fsx_dirname(const char *path, char *dir);

/* Create PATH and missing parents with MODE (existing ones are kept as they
 * are); each new directory is fsync'd into its parent. */
int fsx_mkdir_p(const char *path, mode_t mode, char *err);

#define FSX_PROBE "dnsdrop-probe"	/* fsx_probe_dir's ".dnsdrop-probe.Xa1b2c" */

/* Create and remove a dot file in DIR: can we write there at all (a
 * read-only mount, a missing permission)? Say so before anything changes. */
int fsx_probe_dir(const char *dir, char *err);

/* fsync the directory PATH so renames and unlinks in it are durable. */
int fsx_fsync_dir(const char *path, char *err);

/* Remove directory PATH and the files and symlinks directly in it (never
 * following them); a subdirectory inside is an error. Absent is success. */
int fsx_rmdir_flat(const char *path, char *err);

/* Called by fsx_each_entry for entry NAME of the directory open as DFD,
 * with its lstat; returning -1 (with ERR) stops the walk. */
typedef int fsx_entry_fn(void *ctx, int dfd, const char *name,
			 const struct stat *st, char *err);

/* Call FN for every entry of directory PATH but "." and ".." (opened as
 * fsx_open_dir does: a symlinked PATH is refused). An entry gone before it
 * could be stat'ed is skipped; one that cannot be stat'ed otherwise is an
 * error unless FLAGS has FSX_LENIENT. FSX_ABSENT_OK: a missing PATH is 0.
 * Returns 0 or -1 (FN's -1, or with ERR set here). */
int fsx_each_entry(const char *path, unsigned flags, fsx_entry_fn *fn,
		   void *ctx, char *err);

/* Take the exclusive lock PATH (created 0600): flock(LOCK_EX|LOCK_NB), then
 * our pid is written into it. 0: locked, *FD holds it until fsx_unlock.
 * 1: busy, *HOLDER_PID is the pid written by the holder (0 if unknown).
 * -1: error. */
int fsx_lock(const char *path, int *fd, long *holder_pid, char *err);

/* The pid written into the lock PATH, read without taking the lock (0 if
 * none): the holder, when that process still lives. */
long fsx_lock_pid(const char *path);

/* Clear the pid and release the lock taken by fsx_lock. */
void fsx_unlock(int fd);

/* Remove ".NAME.XXXXXX" temp files a killed run left in DIR (dnsmasq skips
 * them, but the conf-dir should stay clean). Call only under the lock: a
 * concurrent writer's temp file would go too. Returns how many, or -1. */
int fsx_sweep_temps(const char *dir, const char *name, char *err);

#endif
