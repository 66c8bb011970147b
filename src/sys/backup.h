/* backup.h - earlier states kept in state_dir, so rollback can bring one
 * back: backups/ID/ (copies of the drop-ins as installed, the INI that
 * produced them, a meta file), applied/ (what dnsdrop itself last wrote, for
 * drift detection) and the staging copy of the conf-dir for dnsmasq --test.
 * All functions return 0 (or a count) or -1 with a sentence in ERR
 * (FSX_ERR_MAX bytes). Call them holding the state lock (fsx_lock).
 * Everything read or written here must be ours (fsx_state_dir, FSX_STATE):
 * a backup is restored and its INI says what dnsdrop runs as root. */
#ifndef DNSDROP_BACKUP_H
#define DNSDROP_BACKUP_H

#include <limits.h>
#include <stddef.h>

#include "buf.h"

#define BACKUP_ID_MAX 24	/* "YYYYMMDDTHHMMSSZ-NNN" and the NUL */
#define BACKUP_FILE_MAX (64u << 20)	/* larger than any render of a capped INI */
#define BACKUP_INI "dnsdrop.ini"
#define BACKUP_HOSTS "hosts.conf"
#define BACKUP_SRV "srv.conf"
#define BACKUP_HOSTSFILE "hosts"	/* hot mode: the hosts file of hosts_dir */
#define BACKUP_META "meta"
#define BACKUP_PENDING "pending"	/* in state_dir: a change not yet served */
#define BACKUP_STAGE "dnsdrop-stage."	/* and 6 random characters: a staging copy */

/* backup_entry.files */
#define BACKUP_HAS_HOSTS 1u
#define BACKUP_HAS_SRV 2u
#define BACKUP_HAS_INI 4u
#define BACKUP_HAS_HOSTSFILE 8u

/* What the caller says about a backup. Control characters are written as
 * '?', so each stays one line of the meta file. NULL: "unknown" / "". */
struct backup_meta {
	const char *user;	/* SUDO_USER, LOGNAME, ... */
	const char *action;	/* "apply", "rollback", ... */
	const char *summary;	/* e.g. "+2 -1 records" */
	const char *note;	/* -m TEXT of that change, escaped; NULL/"": none */
};

struct backup_entry {
	char id[BACKUP_ID_MAX];
	const char *time;	/* UTC ISO 8601 from meta; "" if unknown */
	const char *user, *action, *summary, *note;	/* from meta, "" if unknown */
	char *meta;		/* the meta file they point into; owned */
	unsigned files;		/* BACKUP_HAS_*, as present in the directory */
};

/* What dnsdrop last wrote (applied/). NULL data: that file is absent. */
struct backup_applied {
	char *ini, *hosts, *srv;
	size_t ini_len, hosts_len, srv_len;
	char *file;		/* the hosts file (hot mode) */
	size_t file_len;
};

/* 1 if ID has the form YYYYMMDDTHHMMSSZ-NNN (also keeps "../" out of paths). */
int backup_id_valid(const char *id);

/* Copy CONF_DIR/hosts.conf and srv.conf and HOSTS_DIR/hosts (HOSTS_DIR
 * NULL: none) as they are now (only those that exist; a non-regular file
 * there is an error), plus INI (INI_LEN bytes;
 * NULL: none, e.g. hand-made files) and a meta file, into
 * STATE_DIR/backups/ID. Written as .tmp-ID, fsync'd, then renamed, so a
 * killed run never leaves a half backup that looks whole. ID sorts after
 * every existing backup, even when the clock went back. */
int backup_take(const char *state_dir, const char *conf_dir, const char *hosts_dir,
		const char *ini, size_t ini_len, const struct backup_meta *meta,
		char id_out[BACKUP_ID_MAX], char *err);

/* Remove all but the newest KEEP backups (KEEP 0 counts as 1), and the
 * leftovers of killed runs. Returns how many backups went, or -1. */
int backup_prune(const char *state_dir, unsigned keep, char *err);

/* Every whole backup, newest first, meta parsed; *LIST is NULL when there
 * are none. Free with backup_free_list. */
int backup_list(const char *state_dir, struct backup_entry **list,
		size_t *n, char *err);
void backup_free_list(struct backup_entry *list, size_t n);

/* OUT (PATH_MAX bytes) = STATE_DIR/backups/ID[/FILE]; FILE may be NULL. */
int backup_path(char *out, const char *state_dir, const char *id,
		const char *file, char *err);

/* 0 when backup ID exists (its trust is judged when it is read); 1 with
 * ERR when ID is malformed or no such backup exists. */
int backup_find(const char *state_dir, const char *id, char *err);

/* Read file NAME of backup ID (an unknown ID is an error). *PRESENT is 0
 * and *DATA NULL when the backup has no such file (it did not exist then):
 * restoring it means fsx_remove_atomic. */
int backup_read_file(const char *state_dir, const char *id, const char *name,
		     char **data, size_t *len, int *present, char *err);

/* Record in STATE_DIR/applied what dnsdrop wrote (A): each file
 * atomically, a NULL one removed. Write it after the drop-ins: a kill in
 * between leaves installed files equal to the render, which is never drift. */
int backup_save_applied(const char *state_dir, const struct backup_applied *a, char *err);

/* Read STATE_DIR/applied into OUT (absent files: NULL). */
int backup_read_applied(const char *state_dir, struct backup_applied *out,
			char *err);
void backup_applied_free(struct backup_applied *a);

/* Make OUT_DIR, a fresh directory under TMP_PARENT, holding the conf-dir as
 * dnsmasq would read it after the change: every non-dot entry of CONF_DIR
 * (regular files copied, symlinks recreated), then NAMES[i] written with
 * CONTENTS[i] (NULL: absent). On error nothing is left behind. */
int backup_stage_confdir(const char *conf_dir, const char *tmp_parent,
			 const char *const names[],
			 const struct buf *const contents[], size_t n,
			 char out_dir[PATH_MAX], char *err);

/* Remove what killed runs left in STATE_DIR: temp files of the pending
 * mark and of applied/, staging copies (backups/ leftovers go with the next
 * backup_take). Call under the lock: another run's staging copy would go
 * too. 0 or -1. */
int backup_sweep_state(const char *state_dir, char *err);

/* Remove a staging directory made by backup_stage_confdir. */
int backup_unstage(const char *dir, char *err);

#endif
