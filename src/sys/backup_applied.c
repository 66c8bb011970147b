/* backup_applied.c - STATE_DIR/applied: the INI and the drop-ins exactly as
 * dnsdrop last wrote them, so a hand edit of an installed drop-in shows up
 * as drift. */
#include "backup.h"

#include <stdlib.h>
#include <string.h>

#include "fsx.h"

/* In the order they are written: the INI last, as in the apply. */
static const char *const applied_names[] = { BACKUP_HOSTS, BACKUP_SRV,
					      BACKUP_HOSTSFILE, BACKUP_INI };
#define NAPPLIED (sizeof applied_names / sizeof *applied_names)

int backup_save_applied(const char *state_dir, const struct backup_applied *a, char *err)
{
	const char *data[] = { a->hosts, a->srv, a->file, a->ini };
	size_t len[] = { a->hosts_len, a->srv_len, a->file_len, a->ini_len }, i;
	char adir[PATH_MAX];
	int rc;

	if (fsx_state_dir(state_dir, FSX_CREATE, err) < 0 ||
	    fsx_join(adir, state_dir, "applied", err) < 0 ||
	    fsx_state_dir(adir, FSX_CREATE, err) < 0)
		return -1;
	for (i = 0; i < NAPPLIED; i++) {
		rc = data[i] ? fsx_write_atomic(adir, applied_names[i], data[i],
						len[i], 0600, err)
			     : fsx_remove_atomic(adir, applied_names[i], err);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int backup_read_applied(const char *state_dir, struct backup_applied *out,
			char *err)
{
	char **data[] = { &out->hosts, &out->srv, &out->file, &out->ini };
	size_t *len[] = { &out->hosts_len, &out->srv_len, &out->file_len, &out->ini_len }, i;
	char adir[PATH_MAX], path[PATH_MAX];
	int r;

	*out = (struct backup_applied){ 0 };
	if ((r = fsx_state_dir(state_dir, FSX_ABSENT_OK, err)) != 0 ||
	    fsx_join(adir, state_dir, "applied", err) < 0 ||
	    (r = fsx_state_dir(adir, FSX_ABSENT_OK, err)) != 0)
		return r < 0 ? -1 : 0;
	for (i = 0; i < NAPPLIED; i++) {
		if (fsx_join(path, adir, applied_names[i], err) < 0 ||
		    fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK | FSX_STATE,
			     data[i], len[i], err) < 0) {
			backup_applied_free(out);
			return -1;
		}
	}
	return 0;
}

void backup_applied_free(struct backup_applied *a)
{
	free(a->ini);
	free(a->hosts);
	free(a->srv);
	free(a->file);
	*a = (struct backup_applied){ 0 };
}

/* A staging copy for dnsmasq --test (backup_stage_confdir) in CTX, the
 * state dir. */
static int sweep_stage(void *ctx, int dfd, const char *name, const struct stat *st, char *err)
{
	char path[PATH_MAX];

	(void)dfd;
	if (!S_ISDIR(st->st_mode) || strncmp(name, BACKUP_STAGE, sizeof BACKUP_STAGE - 1) != 0)
		return 0;
	return fsx_join(path, ctx, name, err) < 0 ? -1 : fsx_rmdir_flat(path, err);
}

/* The temp files of killed runs in STATE_DIR (the pending mark) and in
 * applied/, and the staging copies for dnsmasq --test. */
int backup_sweep_state(const char *state_dir, char *err)
{
	char adir[PATH_MAX];
	int r;

	if ((r = fsx_state_dir(state_dir, FSX_ABSENT_OK, err)) != 0)
		return r < 0 ? -1 : 0;
	if (fsx_sweep_temps(state_dir, BACKUP_PENDING, err) < 0 ||
	    fsx_each_entry(state_dir, FSX_ABSENT_OK | FSX_LENIENT, sweep_stage,
			   (void *)state_dir, err) < 0 ||
	    fsx_join(adir, state_dir, "applied", err) < 0 ||
	    (r = fsx_state_dir(adir, FSX_ABSENT_OK, err)) < 0)
		return -1;
	for (size_t i = 0; r == 0 && i < NAPPLIED; i++)
		if (fsx_sweep_temps(adir, applied_names[i], err) < 0)
			return -1;
	return 0;
}
