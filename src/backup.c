/* backup.c - earlier states in state_dir: backups/ID/, applied/, and the
 * staging copy of the conf-dir for dnsmasq --test. Every file goes through
 * fsx (temp file, fsync, rename, directory fsync); a backup directory only
 * gets its ID name once it is whole. */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"

#define META_MAX (64u << 10)
#define META_VALUE_MAX 512
#define SCAN_NAME_MAX 32	/* ".tmp-" or ".del-" and an ID */
#define ID_HINT "IDs look like 20250101T120000Z-000; see: dnsdrop backups"

/* Names found in backups/: whole backups, or partial ones of killed runs. */
struct backup_names {
	char (*v)[SCAN_NAME_MAX];
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

static int backup_parse_id(const char *id, time_t *t, unsigned *seq)
{
	struct tm tm = { 0 };

	if (sscanf(id, "%4d%2d%2dT%2d%2d%2dZ-%3u", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, seq) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}

/* The next ID sorts after NEWEST (NULL: none): the same second gets the next
 * sequence number, and a clock that went back cannot make the new backup
 * look older than the last one (prune and rollback go by ID order). */
static int backup_next_id(const char *newest, time_t now,
			  char id[BACKUP_ID_MAX], char *err)
{
	time_t t = now, nt;
	unsigned seq = 0, nseq;
	char stamp[20];
	struct tm tm;

	if (newest && backup_parse_id(newest, &nt, &nseq) == 0 && nt >= now) {
		t = nt;
		seq = nseq + 1;
		if (seq > 999) {
			t++;
			seq = 0;
		}
	}
	if (!gmtime_r(&t, &tm) ||
	    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) != 16) {
		fsx_errf(err, 0, "cannot make a backup ID from the clock (%lld)",
			 (long long)t);
		return -1;
	}
	snprintf(id, BACKUP_ID_MAX, "%.16s-%03u", stamp, seq % 1000);
	return 0;
}

static int backup_names_add(struct backup_names *l, const char *name)
{
	char (*v)[SCAN_NAME_MAX];

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if (!(v = realloc(l->v, l->cap * sizeof *v)))
			return -1;
		l->v = v;
	}
	snprintf(l->v[l->n++], SCAN_NAME_MAX, "%s", name);
	return 0;
}

static int backup_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Whole backups (directories named ID) into IDS, sorted oldest first, and
 * leftovers of killed runs (.tmp-ID, .del-ID) into PART. No backups/: 0. */
static int backup_scan(const char *bdir, struct backup_names *ids,
		       struct backup_names *part, char *err)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int dfd, rc = 0;

	*ids = *part = (struct backup_names){ 0 };
	if (lstat(bdir, &st) < 0 && errno == ENOENT)
		return 0;
	if ((dfd = fsx_open_dir(bdir, err)) < 0)
		return -1;
	if (!(d = fdopendir(dfd))) {
		fsx_errf(err, errno, "cannot read directory %s", bdir);
		close(dfd);
		return -1;
	}
	while (rc == 0) {
		errno = 0;
		if (!(e = readdir(d))) {
			if (errno) {
				fsx_errf(err, errno, "cannot read directory %s",
					 bdir);
				rc = -1;
			}
			break;
		}
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (backup_id_valid(e->d_name))
			rc = backup_names_add(ids, e->d_name);
		else if ((!strncmp(e->d_name, ".tmp-", 5) ||
			  !strncmp(e->d_name, ".del-", 5)) &&
			 backup_id_valid(e->d_name + 5))
			rc = backup_names_add(part, e->d_name);
		if (rc < 0)
			fsx_errf(err, ENOMEM, "cannot list %s", bdir);
	}
	closedir(d);
	if (rc == 0 && ids->n)
		qsort(ids->v, ids->n, sizeof *ids->v, backup_name_cmp);
	return rc;
}

static int backup_remove_dir(const char *bdir, const char *name, char *err)
{
	char path[PATH_MAX];

	if (fsx_join(path, bdir, name, err) < 0)
		return -1;
	return fsx_rmdir_flat(path, err);
}

static int backup_put(const char *dir, const char *name, const char *data,
		      size_t len, mode_t mode, char *err)
{
	if (!data)
		return fsx_remove_atomic(dir, name, err);
	return fsx_write_atomic(dir, name, data, len, mode, err);
}

static int backup_get(const char *dir, const char *name, char **data,
		      size_t *len, char *err)
{
	char path[PATH_MAX];

	if (fsx_join(path, dir, name, err) < 0)
		return -1;
	return fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, data, len, err);
}

static void backup_meta_line(struct buf *b, const char *key, const char *val)
{
	size_t i;
	char c;

	buf_printf(b, "%s=", key);
	for (i = 0; val && val[i] && i < META_VALUE_MAX; i++) {
		c = val[i];
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = '?';
		buf_add(b, &c, 1);
	}
	buf_add(b, "\n", 1);
}

static int backup_write_meta(const char *tdir, const struct backup_meta *m,
			     time_t now, const char *files, char *err)
{
	struct buf b = { 0 };
	char when[32] = "";
	struct tm tm;
	int rc;

	if (gmtime_r(&now, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	backup_meta_line(&b, "time", when);
	backup_meta_line(&b, "user", m && m->user ? m->user : "unknown");
	backup_meta_line(&b, "action", m ? m->action : NULL);
	backup_meta_line(&b, "summary", m ? m->summary : NULL);
	backup_meta_line(&b, "files", files);
	if (b.oom) {
		fsx_errf(err, ENOMEM, "cannot write %s/%s", tdir, BACKUP_META);
		rc = -1;
	} else {
		rc = fsx_write_atomic(tdir, BACKUP_META, b.p, b.len, 0600, err);
	}
	buf_free(&b);
	return rc;
}

/* Fill the temporary backup directory TDIR. */
static int backup_fill(const char *tdir, const char *conf_dir,
		       const char *ini, size_t ini_len,
		       const struct backup_meta *meta, time_t now, char *err)
{
	static const char *const names[] = { BACKUP_HOSTS, BACKUP_SRV };
	char files[64] = "", *data;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		if (backup_get(conf_dir, names[i], &data, &len, err) < 0)
			return -1;
		if (!data)
			continue;
		rc = fsx_write_atomic(tdir, names[i], data, len, 0600, err);
		free(data);
		if (rc < 0)
			return -1;
		snprintf(files + strlen(files), sizeof files - strlen(files),
			 "%s%s", *files ? " " : "", names[i]);
	}
	if (ini) {
		if (fsx_write_atomic(tdir, BACKUP_INI, ini, ini_len, 0600,
				     err) < 0)
			return -1;
		snprintf(files + strlen(files), sizeof files - strlen(files),
			 "%s%s", *files ? " " : "", BACKUP_INI);
	}
	return backup_write_meta(tdir, meta, now, files, err);
}

int backup_take(const char *state_dir, const char *conf_dir,
		const char *ini, size_t ini_len, const struct backup_meta *meta,
		char id_out[BACKUP_ID_MAX], char *err)
{
	char bdir[PATH_MAX], tdir[PATH_MAX], fdir[PATH_MAX];
	char id[BACKUP_ID_MAX], name[SCAN_NAME_MAX], e2[FSX_ERR_MAX];
	struct backup_names ids, part;
	time_t now = time(NULL);
	size_t i;
	int rc = -1;

	if (fsx_join(bdir, state_dir, "backups", err) < 0 ||
	    fsx_mkdir_p(bdir, 0700, err) < 0 ||
	    backup_scan(bdir, &ids, &part, err) < 0)
		return -1;
	/* Under the lock, a .tmp-ID is a killed run's: it could clash. */
	for (i = 0; i < part.n; i++)
		if (backup_remove_dir(bdir, part.v[i], err) < 0)
			goto out;
	if (backup_next_id(ids.n ? ids.v[ids.n - 1] : NULL, now, id, err) < 0)
		goto out;
	snprintf(name, sizeof name, ".tmp-%s", id);
	if (fsx_join(tdir, bdir, name, err) < 0 ||
	    fsx_join(fdir, bdir, id, err) < 0)
		goto out;
	if (mkdir(tdir, 0700) < 0) {
		fsx_errf(err, errno, "cannot create backup directory %s", tdir);
		goto out;
	}
	if (backup_fill(tdir, conf_dir, ini, ini_len, meta, now, err) < 0)
		goto undo;
	if (rename(tdir, fdir) < 0) {
		fsx_errf(err, errno, "cannot rename backup %s to %s in %s",
			 name, id, bdir);
		goto undo;
	}
	if (fsx_fsync_dir(bdir, err) < 0)
		goto out;
	memcpy(id_out, id, BACKUP_ID_MAX);
	rc = 0;
	goto out;
undo:
	fsx_rmdir_flat(tdir, e2);
out:
	free(ids.v);
	free(part.v);
	return rc;
}

int backup_prune(const char *state_dir, unsigned keep, char *err)
{
	char bdir[PATH_MAX], from[PATH_MAX], to[PATH_MAX], del[SCAN_NAME_MAX];
	struct backup_names ids, part;
	size_t i;
	int removed = 0, rc = -1;

	if (fsx_join(bdir, state_dir, "backups", err) < 0 ||
	    backup_scan(bdir, &ids, &part, err) < 0)
		return -1;
	for (i = 0; i < part.n; i++)
		if (backup_remove_dir(bdir, part.v[i], err) < 0)
			goto out;
	if (keep < 1)
		keep = 1;
	for (i = 0; ids.n > keep && i < ids.n - keep; i++) {
		/* Renamed first: a half-removed backup never looks whole. */
		snprintf(del, sizeof del, ".del-%s", ids.v[i]);
		if (fsx_join(from, bdir, ids.v[i], err) < 0 ||
		    fsx_join(to, bdir, del, err) < 0)
			goto out;
		if (rename(from, to) < 0) {
			fsx_errf(err, errno, "cannot rename backup %s to %s in "
				 "%s", ids.v[i], del, bdir);
			goto out;
		}
		if (fsx_rmdir_flat(to, err) < 0)
			goto out;
		removed++;
	}
	if ((removed || part.n) && fsx_fsync_dir(bdir, err) < 0)
		goto out;
	rc = removed;
out:
	free(ids.v);
	free(part.v);
	return rc;
}

static int backup_parse_meta(char *text, struct backup_entry *e)
{
	char *line, *next, *eq, **slot;

	for (line = text; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (!(eq = strchr(line, '=')))
			continue;
		*eq = '\0';
		slot = !strcmp(line, "time") ? &e->time
		     : !strcmp(line, "user") ? &e->user
		     : !strcmp(line, "action") ? &e->action
		     : !strcmp(line, "summary") ? &e->summary : NULL;
		if (!slot)
			continue;
		free(*slot);
		if (!(*slot = strdup(eq + 1)))
			return -1;
	}
	if ((!e->time && !(e->time = strdup(""))) ||
	    (!e->user && !(e->user = strdup(""))) ||
	    (!e->action && !(e->action = strdup(""))) ||
	    (!e->summary && !(e->summary = strdup(""))))
		return -1;
	return 0;
}

static int backup_load_entry(const char *bdir, struct backup_entry *e,
			     char *err)
{
	static const char *const names[] = { BACKUP_HOSTS, BACKUP_SRV,
					     BACKUP_INI };
	static const unsigned bits[] = { BACKUP_HAS_HOSTS, BACKUP_HAS_SRV,
					 BACKUP_HAS_INI };
	char dir[PATH_MAX], path[PATH_MAX], *text;
	struct stat st;
	size_t i, len;
	int rc;

	if (fsx_join(dir, bdir, e->id, err) < 0)
		return -1;
	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (fsx_join(path, dir, names[i], err) == 0 &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			e->files |= bits[i];
	if (fsx_join(path, dir, BACKUP_META, err) < 0 ||
	    fsx_read(path, META_MAX, FSX_ABSENT_OK, &text, &len, err) < 0)
		return -1;
	rc = backup_parse_meta(text, e);
	free(text);
	if (rc < 0)
		fsx_errf(err, ENOMEM, "cannot list backup %s", e->id);
	return rc;
}

int backup_list(const char *state_dir, struct backup_entry **list,
		size_t *n, char *err)
{
	struct backup_names ids, part;
	struct backup_entry *v = NULL;
	char bdir[PATH_MAX];
	size_t i;
	int rc = -1;

	*list = NULL;
	*n = 0;
	if (fsx_join(bdir, state_dir, "backups", err) < 0 ||
	    backup_scan(bdir, &ids, &part, err) < 0)
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
	free(part.v);
	return rc;
}

void backup_free_list(struct backup_entry *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++) {
		free(list[i].time);
		free(list[i].user);
		free(list[i].action);
		free(list[i].summary);
	}
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

int backup_read_file(const char *state_dir, const char *id, const char *name,
		     char **data, size_t *len, int *present, char *err)
{
	char dir[PATH_MAX];
	struct stat st;

	*data = NULL;
	*len = 0;
	*present = 0;
	if (backup_path(dir, state_dir, id, NULL, err) < 0)
		return -1;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fsx_errf(err, 0, "there is no backup %s in %s/backups; "
			 ID_HINT, id, state_dir);
		return -1;
	}
	if (backup_get(dir, name, data, len, err) < 0)
		return -1;
	*present = *data != NULL;
	return 0;
}

int backup_save_applied(const char *state_dir, const char *ini,
			size_t ini_len, const char *hosts, size_t hosts_len,
			const char *srv, size_t srv_len, char *err)
{
	char adir[PATH_MAX];

	if (fsx_join(adir, state_dir, "applied", err) < 0 ||
	    fsx_mkdir_p(adir, 0700, err) < 0)
		return -1;
	if (backup_put(adir, BACKUP_HOSTS, hosts, hosts_len, 0600, err) < 0 ||
	    backup_put(adir, BACKUP_SRV, srv, srv_len, 0600, err) < 0 ||
	    backup_put(adir, BACKUP_INI, ini, ini_len, 0600, err) < 0)
		return -1;
	return 0;
}

int backup_read_applied(const char *state_dir, struct backup_applied *out,
			char *err)
{
	char adir[PATH_MAX];

	*out = (struct backup_applied){ 0 };
	if (fsx_join(adir, state_dir, "applied", err) < 0)
		return -1;
	if (backup_get(adir, BACKUP_INI, &out->ini, &out->ini_len, err) < 0 ||
	    backup_get(adir, BACKUP_HOSTS, &out->hosts, &out->hosts_len,
		       err) < 0 ||
	    backup_get(adir, BACKUP_SRV, &out->srv, &out->srv_len, err) < 0) {
		backup_applied_free(out);
		return -1;
	}
	return 0;
}

void backup_applied_free(struct backup_applied *a)
{
	free(a->ini);
	free(a->hosts);
	free(a->srv);
	*a = (struct backup_applied){ 0 };
}

/* A symlink in the conf-dir is recreated, never read through: dnsmasq
 * follows it at start just as --test will in the copy, while dnsdrop, a root
 * process, never opens what a link points to (a FIFO or device there would
 * hang or harm it). A bare relative target stays relative, so it resolves to
 * the staged sibling; any other relative one is anchored at CONF_DIR. */
static int backup_stage_link(int dfd, const char *conf_dir, const char *name,
			     const char *out_dir, char *err)
{
	char target[PATH_MAX], anchored[PATH_MAX], path[PATH_MAX];
	const char *to = target;
	ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);

	if (n < 0) {
		fsx_errf(err, errno, "cannot read symlink %s in %s", name,
			 conf_dir);
		return -1;
	}
	target[n] = '\0';
	if (target[0] != '/' && (strchr(target, '/') || target[0] == '.')) {
		if (fsx_join(anchored, conf_dir, target, err) < 0)
			return -1;
		to = anchored;
	}
	if (fsx_join(path, out_dir, name, err) < 0)
		return -1;
	if (symlink(to, path) < 0) {
		fsx_errf(err, errno, "cannot stage symlink %s in %s", name,
			 out_dir);
		return -1;
	}
	return 0;
}

static int backup_stage_file(const char *conf_dir, const char *name,
			     const char *out_dir, char *err)
{
	char path[PATH_MAX], *data;
	size_t len;
	int rc;

	if (fsx_join(path, conf_dir, name, err) < 0 ||
	    fsx_read(path, BACKUP_FILE_MAX, 0, &data, &len, err) < 0)
		return -1;
	rc = fsx_write_atomic(out_dir, name, data, len, 0644, err);
	free(data);
	return rc;
}

static int backup_is_ours(const char *const names[], size_t n,
			  const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* Copy what dnsmasq would read from CONF_DIR (dot files are skipped by
 * dnsmasq, and ours are replaced afterwards) into OUT_DIR. */
static int backup_stage_copy(const char *conf_dir, const char *out_dir,
			     const char *const names[], size_t n, char *err)
{
	struct dirent *e;
	struct stat st;
	int dfd, rc = 0;
	DIR *d;

	if ((dfd = fsx_open_dir(conf_dir, err)) < 0)
		return -1;
	if (!(d = fdopendir(dfd))) {
		fsx_errf(err, errno, "cannot read directory %s", conf_dir);
		close(dfd);
		return -1;
	}
	while (rc == 0) {
		errno = 0;
		if (!(e = readdir(d))) {
			if (errno) {
				fsx_errf(err, errno, "cannot read directory %s",
					 conf_dir);
				rc = -1;
			}
			break;
		}
		if (e->d_name[0] == '.' || backup_is_ours(names, n, e->d_name))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			fsx_errf(err, errno, "cannot check %s in %s",
				 e->d_name, conf_dir);
			rc = -1;
		} else if (S_ISREG(st.st_mode))
			rc = backup_stage_file(conf_dir, e->d_name, out_dir, err);
		else if (S_ISLNK(st.st_mode))
			rc = backup_stage_link(dfd, conf_dir, e->d_name,
					       out_dir, err);
	}
	closedir(d);
	return rc;
}

int backup_stage_confdir(const char *conf_dir, const char *tmp_parent,
			 const char *const names[],
			 const struct buf *const contents[], size_t n,
			 char out_dir[PATH_MAX], char *err)
{
	const struct buf *c;
	char e2[FSX_ERR_MAX];
	size_t i;

	if (fsx_join(out_dir, tmp_parent, "dnsdrop-stage.XXXXXX", err) < 0)
		return -1;
	if (!mkdtemp(out_dir)) {
		fsx_errf(err, errno, "cannot create a staging directory in %s",
			 tmp_parent);
		out_dir[0] = '\0';
		return -1;
	}
	if (backup_stage_copy(conf_dir, out_dir, names, n, err) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((c = contents[i]) && c->oom) {
			fsx_errf(err, ENOMEM, "cannot stage %s", names[i]);
			goto fail;
		}
		if (backup_put(out_dir, names[i], c ? (c->p ? c->p : "") : NULL,
			       c ? c->len : 0, 0644, err) < 0)
			goto fail;
	}
	return 0;
fail:
	backup_unstage(out_dir, e2);
	out_dir[0] = '\0';
	return -1;
}

int backup_unstage(const char *dir, char *err)
{
	if (!dir || !dir[0])
		return 0;
	return fsx_rmdir_flat(dir, err);
}
