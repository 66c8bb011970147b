/* cmd_backups.c - backups: list what state_dir/backups holds. */
#include <stdio.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "fsx.h"

static const char *backup_kind(unsigned files)
{
	if (!(files & (BACKUP_HAS_HOSTS | BACKUP_HAS_SRV)))
		return "no drop-ins";
	return files & BACKUP_HAS_INI ? "drop-ins and their INI" : "hand-made drop-ins";
}

int cmd_backups(struct app *app, int argc, char **argv)
{
	struct backup_entry *list = NULL;
	char err[FSX_ERR_MAX];
	size_t n = 0;
	int rc;

	if (app_no_args(app, "backups", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = app_load(app)) != EXIT_OK)
		return rc;
	if (app_rooted(app, app->cfg.set.state_dir, app->state_dir) < 0)
		return EXIT_ENV;
	if (backup_list(app->state_dir, &list, &n, err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	if (n == 0)
		app_step(app, "no backups in %s/backups yet", app->state_dir);
	else
		app_step(app, "%-22s %-20s %-16s %s", "ID", "TIME (UTC)", "USER",
			 "TAKEN BEFORE (what was installed)");
	for (size_t i = 0; i < n; i++)
		app_print("%-22s %-20s %-16s %s: %s (%s)", list[i].id, list[i].time, list[i].user,
		       list[i].action, list[i].summary, backup_kind(list[i].files));
	backup_free_list(list, n);
	return EXIT_OK;
}
