/* backup_stage.c - the staging copy of the conf-dir that dnsmasq --test
 * reads: what dnsmasq would load after the change, in a fresh directory,
 * so the live conf-dir is never tested half-written. */
#include "backup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"

struct stage {
	const char *conf_dir, *out_dir;
	const char *const *names;	/* ours: replaced after the copy */
	size_t n;
};

/* A symlink in the conf-dir is recreated, never read through: dnsmasq
 * follows it at start just as --test will in the copy, while dnsdrop, a root
 * process, never opens what a link points to (a FIFO or device there would
 * hang or harm it). A bare relative target stays relative, so it resolves to
 * the staged sibling; any other relative one is anchored at CONF_DIR. */
static int stage_link(int dfd, const struct stage *sg, const char *name,
		      char *err)
{
	char target[PATH_MAX], anchored[PATH_MAX], path[PATH_MAX];
	const char *to = target;
	ssize_t n = readlinkat(dfd, name, target, sizeof target - 1);

	if (n < 0) {
		fsx_errf(err, errno, "cannot read symlink %s in %s", name,
			 sg->conf_dir);
		return -1;
	}
	target[n] = '\0';
	if (target[0] != '/' && (strchr(target, '/') || target[0] == '.')) {
		if (fsx_join(anchored, sg->conf_dir, target, err) < 0)
			return -1;
		to = anchored;
	}
	if (fsx_join(path, sg->out_dir, name, err) < 0)
		return -1;
	if (symlink(to, path) < 0) {
		fsx_errf(err, errno, "cannot stage symlink %s in %s", name,
			 sg->out_dir);
		return -1;
	}
	return 0;
}

static int stage_file(const struct stage *sg, const char *name, char *err)
{
	char path[PATH_MAX], *data;
	size_t len;
	int rc;

	if (fsx_join(path, sg->conf_dir, name, err) < 0 ||
	    fsx_read(path, BACKUP_FILE_MAX, 0, &data, &len, err) < 0)
		return -1;
	rc = fsx_write_atomic(sg->out_dir, name, data, len, 0644, err);
	free(data);
	return rc;
}

/* Copy what dnsmasq would read from the conf-dir: dot files are skipped by
 * dnsmasq, and ours are replaced afterwards. */
static int stage_entry(void *ctx, int dfd, const char *name,
		       const struct stat *st, char *err)
{
	const struct stage *sg = ctx;
	size_t i;

	if (name[0] == '.')
		return 0;
	for (i = 0; i < sg->n; i++)
		if (!strcmp(sg->names[i], name))
			return 0;
	if (S_ISREG(st->st_mode))
		return stage_file(sg, name, err);
	if (S_ISLNK(st->st_mode))
		return stage_link(dfd, sg, name, err);
	return 0;
}

int backup_stage_confdir(const char *conf_dir, const char *tmp_parent,
			 const char *const names[],
			 const struct buf *const contents[], size_t n,
			 char out_dir[PATH_MAX], char *err)
{
	struct stage sg = { conf_dir, out_dir, names, n };
	const struct buf *c;
	char e2[FSX_ERR_MAX];
	size_t i;
	int rc;

	if (fsx_join(out_dir, tmp_parent, BACKUP_STAGE "XXXXXX", err) < 0)
		return -1;
	if (!mkdtemp(out_dir)) {
		fsx_errf(err, errno, "cannot create a staging directory in %s",
			 tmp_parent);
		out_dir[0] = '\0';
		return -1;
	}
	if (fsx_each_entry(conf_dir, 0, stage_entry, &sg, err) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((c = contents[i]) && c->oom) {
			fsx_errf(err, ENOMEM, "cannot stage %s", names[i]);
			goto fail;
		}
		rc = c ? fsx_write_atomic(out_dir, names[i], c->p ? c->p : "",
					  c->len, 0644, err)
		       : fsx_remove_atomic(out_dir, names[i], err);
		if (rc < 0)
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
