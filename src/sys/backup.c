/* backup.c - earlier states in state_dir: backups/ID/ (applied/ is in
 * backup_applied.c, the staging copy for dnsmasq --test in backup_stage.c).
 * Every file goes through fsx (temp file, fsync, rename, directory fsync);
 * a backup directory only gets its ID name once it is whole. */
#include "backup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fsx.h"
#include "utc.h"
#include "sort.h"

#define META_MAX (64u << 10)
#define META_VALUE_MAX 512
#define SCAN_NAME_MAX 32	/* ".tmp-" or ".del-" and an ID */
#define ID_HINT "IDs look like 20250101T120000Z-000; see: dnsdrop backups"

/* The whole backups found in backups/. */
struct backup_names {
	char (*v)[BACKUP_ID_MAX];
	size_t n, cap;
};

int backup_id_valid(const char *id)
{
	static const char form[] = "ddddddddTddddddZ-ddd";
	size_t i;

	if (!id)
		return 0;
	for (i = 0; form[i]; i++)
		if (form[i] == 'd' ? !(id[i] >= '0' && id[i] <= '9')
				   : id[i] != form[i])
			return 0;
	return id[i] == '\0';
}

/* The value of the N digits at S (checked by backup_id_valid). */
static int backup_digits(const char *s, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

static int backup_parse_id(const char *id, time_t *t, unsigned *seq)
{
	struct tm tm = { 0 };

	if (!backup_id_valid(id))
		return -1;
	tm.tm_year = backup_digits(id, 4) - 1900;
	tm.tm_mon = backup_digits(id + 4, 2) - 1;
	tm.tm_mday = backup_digits(id + 6, 2);
	tm.tm_hour = backup_digits(id + 9, 2);
	tm.tm_min = backup_digits(id + 11, 2);
	tm.tm_sec = backup_digits(id + 13, 2);
	*seq = (unsigned)backup_digits(id + 17, 3);
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}

/* The ID for time T and sequence SEQ (carried into the next second). */
static int backup_format_id(time_t t, unsigned seq, char id[BACKUP_ID_MAX])
{
	char stamp[UTC_MAX];

	t += seq / 1000;
	if (utc_format(t, 1, stamp) < 0)
		return -1;
	snprintf(id, BACKUP_ID_MAX, "%.16s-%03u", stamp, seq % 1000);
	return 0;
}

/* The next ID sorts after the newest of IDS (sorted) and after the clock:
 * the same second gets the next sequence number, and a clock that went
 * back cannot make the new backup look older than the last one (prune and
 * rollback go by ID order). When no ID can follow the newest (one named
 * 99991231T235959Z-999), the clock's first free ID is taken: a strange
 * name in backups/ never stops a backup. */
static int backup_next_id(const struct backup_names *ids, time_t now,
			  char id[BACKUP_ID_MAX], char *err)
{
	unsigned seq, nseq;
	size_t j = 0;
	time_t nt;

	if (ids->n && backup_parse_id(ids->v[ids->n - 1], &nt, &nseq) == 0 && nt >= now &&
	    backup_format_id(nt, nseq + 1, id) == 0)
		return 0;
	/* the clock's IDs ascend with SEQ, as IDS do: one walk finds a free one */
	for (seq = 0; seq < 1000u * 60 && backup_format_id(now, seq, id) == 0; seq++) {
		int c = 1;

		while (j < ids->n && (c = strcmp(ids->v[j], id)) < 0)
			j++;
		if (c != 0)
			return 0;
	}
	fsx_errf(err, 0, "cannot make a backup ID from the clock (%lld)",
		 (long long)now);
	return -1;
}

static int backup_names_add(struct backup_names *l, const char *name)
{
	char (*v)[BACKUP_ID_MAX];

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if (!(v = realloc(l->v, l->cap * sizeof *v)))
			return -1;
		l->v = v;
	}
	snprintf(l->v[l->n++], BACKUP_ID_MAX, "%s", name);
	return 0;
}

static int backup_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct backup_scan {
	const char *bdir;
	struct backup_names *ids;
	int clean;		/* remove leftovers; without it a backup that is not ours is an error */
	int left;		/* leftovers removed */
};

static int backup_scan_entry(void *ctx, int dfd, const char *name,
			     const struct stat *st, char *err)
{
	struct backup_scan *sc = ctx;
	char path[PATH_MAX];

	(void)dfd;
	if (!S_ISDIR(st->st_mode))
		return 0;
	/* A directory that is not ours is not a backup of ours: never
	 * restored, never counted for the next ID. Listing it is refused. */
	if (fsx_check_owned(name, st, FSX_STATE_WHY, err) < 0) {
		if (sc->clean || fsx_join(path, sc->bdir, name, err) < 0)
			return 0;
		return fsx_check_owned(path, st, FSX_STATE_WHY, err);
	}
	if (backup_id_valid(name)) {
		if (backup_names_add(sc->ids, name) == 0)
			return 0;
		fsx_errf(err, ENOMEM, "cannot list %s", sc->bdir);
		return -1;
	}
	/* Leftovers of killed runs: under the lock they are no one's, and a
	 * .tmp-ID could clash. */
	if (!sc->clean || (strncmp(name, ".tmp-", 5) && strncmp(name, ".del-", 5)) ||
	    !backup_id_valid(name + 5))
		return 0;
	sc->left++;
	return fsx_join(path, sc->bdir, name, err) < 0 ? -1 : fsx_rmdir_flat(path, err);
}

/* Trust STATE_DIR (FLAGS as for fsx_state_dir) and its backups/ (BDIR,
 * PATH_MAX bytes; FSX_ABSENT_OK), and list the whole backups (directories
 * named ID and ours) into IDS, sorted oldest first (free IDS->v). Without
 * CLEAN a backup that is not ours is an error; with CLEAN the leftovers of
 * killed runs (.tmp-ID, .del-ID) are removed. Returns how many leftovers
 * went, or -1. No backups/: 0. */
static int backup_scan(const char *state_dir, unsigned flags, char *bdir,
		       struct backup_names *ids, int clean, char *err)
{
	struct backup_scan sc = { bdir, ids, clean, 0 };

	*ids = (struct backup_names){ 0 };
	if (fsx_state_dir(state_dir, flags, err) < 0 ||
	    fsx_join(bdir, state_dir, "backups", err) < 0 ||
	    fsx_state_dir(bdir, flags | FSX_ABSENT_OK, err) < 0)
		return -1;
	if (fsx_each_entry(bdir, FSX_ABSENT_OK | FSX_LENIENT, backup_scan_entry,
			   &sc, err) < 0) {
		free(ids->v);
		ids->v = NULL;
		return -1;
	}
	if (ids->n)
		sort_array(ids->v, ids->n, sizeof *ids->v, backup_name_cmp);
	return sc.left;
}

/* Rename backup FROM to TO in BDIR; 0 or -1. */
static int backup_rename(const char *bdir, const char *from, const char *to,
			 char *err)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (fsx_join(a, bdir, from, err) < 0 || fsx_join(b, bdir, to, err) < 0)
		return -1;
	if (rename(a, b) < 0) {
		fsx_errf(err, errno, "cannot rename backup %s to %s in %s", from,
			 to, bdir);
		return -1;
	}
	return 0;
}

/* Read DIR/NAME (absent: *DATA NULL); FLAGS as for fsx_read. */
static int backup_get(const char *dir, const char *name, unsigned flags,
		      char **data, size_t *len, char *err)
{
	char path[PATH_MAX];

	if (fsx_join(path, dir, name, err) < 0)
		return -1;
	return fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK | flags, data, len,
			err);
}

/* The meta file's keys, one line each; list entries parse all but "files". */
static const char *const meta_keys[] = { "time", "user", "action", "summary",
					  "note", "files" };

static int backup_write_meta(const char *tdir, const struct backup_meta *m,
			     time_t now, const char *files, char *err)
{
	struct buf b = { 0 };
	char when[UTC_MAX], c;
	const char *val[] = { when, m && m->user ? m->user : "unknown", m ? m->action : NULL,
			      m ? m->summary : NULL, m ? m->note : NULL, files };
	int rc;

	utc_format(now, 0, when);
	for (size_t k = 0; k < sizeof val / sizeof *val; k++) {
		buf_printf(&b, "%s=", meta_keys[k]);
		for (size_t i = 0; val[k] && val[k][i] && i < META_VALUE_MAX; i++) {
			c = val[k][i];
			if ((unsigned char)c < 0x20 || c == 0x7f)
				c = '?';
			buf_add(&b, &c, 1);
		}
		buf_add(&b, "\n", 1);
	}
	if (b.oom) {
		fsx_errf(err, ENOMEM, "cannot write %s/%s", tdir, BACKUP_META);
		rc = -1;
	} else {
		rc = fsx_write_atomic(tdir, BACKUP_META, b.p, b.len, 0600, err);
	}
	buf_free(&b);
	return rc;
}

/* Fill the temporary backup directory TDIR: the drop-ins as installed in
 * CONF_DIR, the hosts file of HOSTS_DIR, the INI, and the meta file naming
 * them. */
static int backup_fill(const char *tdir, const char *conf_dir, const char *hosts_dir,
		       const char *ini, size_t ini_len,
		       const struct backup_meta *meta, time_t now, char *err)
{
	static const char *const names[] = { BACKUP_HOSTS, BACKUP_SRV,
					     BACKUP_HOSTSFILE, BACKUP_INI };
	const char *dir[] = { conf_dir, conf_dir, hosts_dir, NULL };
	char files[64] = "", *data;
	size_t i, len, used;
	int rc;

	for (i = 0; i < 4; i++) {
		data = NULL;
		len = ini_len;
		if (dir[i] && backup_get(dir[i], names[i], 0, &data, &len, err) < 0)
			return -1;
		if (!(i < 3 ? data : ini))
			continue;
		rc = fsx_write_atomic(tdir, names[i], i < 3 ? data : ini, len,
				      0600, err);
		free(data);
		if (rc < 0)
			return -1;
		used = strlen(files);
		snprintf(files + used, sizeof files - used, "%s%s",
			 used ? " " : "", names[i]);
	}
	return backup_write_meta(tdir, meta, now, files, err);
}

int backup_take(const char *state_dir, const char *conf_dir, const char *hosts_dir,
		const char *ini, size_t ini_len, const struct backup_meta *meta,
		char id_out[BACKUP_ID_MAX], char *err)
{
	char bdir[PATH_MAX], tdir[PATH_MAX];
	char id[BACKUP_ID_MAX], name[SCAN_NAME_MAX], e2[FSX_ERR_MAX];
	struct backup_names ids = { 0 };
	time_t now = time(NULL);
	int rc;

	if (backup_scan(state_dir, FSX_CREATE, bdir, &ids, 1, err) < 0)
		return -1;
	rc = backup_next_id(&ids, now, id, err);
	free(ids.v);
	if (rc < 0)
		return -1;
	snprintf(name, sizeof name, ".tmp-%s", id);
	if (fsx_join(tdir, bdir, name, err) < 0)
		return -1;
	if (mkdir(tdir, 0700) < 0) {
		fsx_errf(err, errno, "cannot create backup directory %s", tdir);
		return -1;
	}
	if (backup_fill(tdir, conf_dir, hosts_dir, ini, ini_len, meta, now, err) < 0 ||
	    backup_rename(bdir, name, id, err) < 0) {
		fsx_rmdir_flat(tdir, e2);
		return -1;
	}
	if (fsx_fsync_dir(bdir, err) < 0)
		return -1;
	memcpy(id_out, id, BACKUP_ID_MAX);
	return 0;
}

int backup_prune(const char *state_dir, unsigned keep, char *err)
{
	char bdir[PATH_MAX], to[PATH_MAX], del[SCAN_NAME_MAX];
	struct backup_names ids = { 0 };
	int removed = 0, rc = 0, left;

	if ((left = backup_scan(state_dir, 0, bdir, &ids, 1, err)) < 0)
		return -1;
	/* KEEP 0 counts as 1; renamed first: a half-removed backup never
	 * looks whole. */
	for (size_t i = 0; rc == 0 && i + (keep ? keep : 1) < ids.n; i++) {
		snprintf(del, sizeof del, ".del-%s", ids.v[i]);
		rc = backup_rename(bdir, ids.v[i], del, err) < 0 ||
		     fsx_join(to, bdir, del, err) < 0 || fsx_rmdir_flat(to, err) < 0 ? -1 : 0;
		removed += rc == 0;
	}
	if (rc == 0 && (removed || left))
		rc = fsx_fsync_dir(bdir, err);
	free(ids.v);
	return rc < 0 ? -1 : removed;
}

/* Point E's fields into TEXT, the meta file read (NULL: none), "" for a
 * key it lacks; the last line of a key counts. */
static void backup_parse_meta(char *text, struct backup_entry *e)
{
	const char **slot[] = { &e->time, &e->user, &e->action, &e->summary, &e->note };
	char *line, *next, *eq;
	size_t i;

	for (i = 0; i < 5; i++)
		*slot[i] = "";
	for (line = text; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (!(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		for (i = 0; i < 5; i++)
			if (!strcmp(line, meta_keys[i]))
				*slot[i] = eq + 1;
	}
}

static int backup_load_entry(const char *bdir, struct backup_entry *e,
			     char *err)
{
	/* in the order of their BACKUP_HAS_* bits */
	static const char *const names[] = { BACKUP_HOSTS, BACKUP_SRV,
					     BACKUP_INI, BACKUP_HOSTSFILE };
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;
	size_t i, len;

	if (fsx_join(dir, bdir, e->id, err) < 0 ||
	    fsx_state_dir(dir, 0, err) < 0)
		return -1;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (fsx_join(path, dir, names[i], err) == 0 &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			e->files |= 1u << i;
	if (fsx_join(path, dir, BACKUP_META, err) < 0 ||
	    fsx_read(path, META_MAX, FSX_ABSENT_OK | FSX_STATE, &e->meta, &len,
		     err) < 0)
		return -1;
	backup_parse_meta(e->meta, e);
	return 0;
}

int backup_list(const char *state_dir, struct backup_entry **list,
		size_t *n, char *err)
{
	struct backup_names ids = { 0 };
	struct backup_entry *v = NULL;
	char bdir[PATH_MAX];
	size_t i;
	int rc = -1;

	*list = NULL;
	*n = 0;
	if (backup_scan(state_dir, FSX_ABSENT_OK, bdir, &ids, 0, err) < 0)
		return -1;
	if (ids.n && !(v = calloc(ids.n, sizeof *v))) {
		fsx_errf(err, ENOMEM, "cannot list backups in %s", bdir);
		goto out;
	}
	for (i = 0; i < ids.n; i++) {
		memcpy(v[i].id, ids.v[ids.n - 1 - i], BACKUP_ID_MAX);
		if (backup_load_entry(bdir, &v[i], err) < 0) {
			backup_free_list(v, ids.n);
			goto out;
		}
	}
	*list = v;
	*n = ids.n;
	rc = 0;
out:
	free(ids.v);
	return rc;
}

void backup_free_list(struct backup_entry *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++)
		free(list[i].meta);
	free(list);
}

int backup_path(char *out, const char *state_dir, const char *id,
		const char *file, char *err)
{
	int n;

	if (!backup_id_valid(id)) {
		fsx_errf(err, 0, "\"%.64s\" is not a backup ID; " ID_HINT, id);
		return -1;
	}
	n = snprintf(out, PATH_MAX, "%s/backups/%s%s%s", state_dir, id,
		     file ? "/" : "", file ? file : "");
	if (n < 0 || n >= PATH_MAX) {
		fsx_errf(err, 0, "path too long: %s/backups/%s", state_dir, id);
		return -1;
	}
	return 0;
}

/* DIR (PATH_MAX bytes) = backup ID's directory; 1 with ERR when ID is
 * malformed or there is no such backup. */
static int backup_dir(const char *state_dir, const char *id, char *dir, char *err)
{
	struct stat st;

	if (backup_path(dir, state_dir, id, NULL, err) < 0)
		return 1;
	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		fsx_errf(err, 0, "there is no backup %s in %s/backups; "
			 ID_HINT, id, state_dir);
		return 1;
	}
	return 0;
}

int backup_read_file(const char *state_dir, const char *id, const char *name,
		     char **data, size_t *len, int *present, char *err)
{
	char dir[PATH_MAX], bdir[PATH_MAX];

	*data = NULL;
	*len = 0;
	*present = 0;
	/* The state dir, backups/ and the backup itself: all ours. */
	if (backup_dir(state_dir, id, dir, err) != 0 ||
	    fsx_state_dir(state_dir, 0, err) < 0 ||
	    fsx_join(bdir, state_dir, "backups", err) < 0 ||
	    fsx_state_dir(bdir, 0, err) < 0 || fsx_state_dir(dir, 0, err) < 0 ||
	    backup_get(dir, name, FSX_STATE, data, len, err) < 0)
		return -1;
	*present = *data != NULL;
	return 0;
}

int backup_find(const char *state_dir, const char *id, char *err)
{
	char dir[PATH_MAX];

	return backup_dir(state_dir, id, dir, err);
}
