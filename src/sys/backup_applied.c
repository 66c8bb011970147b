/* backup_applied.c - STATE_DIR/applied: the INI and the drop-ins exactly as
 * dnsdrop last wrote them, so a hand edit of an installed drop-in shows up
 * as drift. */
#include "backup.h"

#include <stdlib.h>

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

	if (fsx_join(adir, state_dir, "applied", err) < 0 ||
	    fsx_mkdir_p(adir, 0700, err) < 0)
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

	*out = (struct backup_applied){ 0 };
	if (fsx_join(adir, state_dir, "applied", err) < 0)
		return -1;
	for (i = 0; i < NAPPLIED; i++) {
		if (fsx_join(path, adir, applied_names[i], err) < 0 ||
		    fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, data[i],
			     len[i], err) < 0) {
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
