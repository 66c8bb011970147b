/* cmd_backups.c - backups: list what state_dir/backups holds. Each backup
 * is named by the state it brings back (its records), then by the change
 * that replaced it, so one read tells which backup holds which address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "fsx.h"
#include "render.h"
#include "report.h"

struct holds {
	size_t addr, cname, srv, other;
};

/* Count the record lines of one drop-in; with -v print them too. */
static void count_lines(const char *p, size_t len, struct holds *h, int show)
{
	const char *end = p + len, *nl;

	for (; p && p < end; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		if (p == nl || *p == '#' || !strncmp(p, RENDER_MARKER_LINE, sizeof RENDER_MARKER_LINE - 1))
			continue;	/* the generation marker is not a record */
		if (!strncmp(p, "host-record=", 12) || !strncmp(p, "address=", 8))
			h->addr++;
		else if (!strncmp(p, "cname=", 6))
			h->cname++;
		else if (!strncmp(p, "srv-host=", 9))
			h->srv++;
		else
			h->other++;
		if (show) {	/* a hand-made drop-in may hold anything */
			fputs("      ", stdout);
			report_put(stdout, p, (size_t)(nl - p), 0);
			putchar('\n');
		}
	}
}

static void show_holds(const struct app *app, const struct backup_entry *e)
{
	static const char *const names[] = { BACKUP_HOSTS, BACKUP_SRV };
	struct holds h = { 0 };
	char err[FSX_ERR_MAX], *data;
	size_t len;
	int present;

	if (!(e->files & (BACKUP_HAS_HOSTS | BACKUP_HAS_SRV))) {
		printf("  holds no drop-ins (none were installed then; rolling back to it removes them)\n");
		return;
	}
	printf("  holds");
	for (int i = 0; i < 2; i++) {
		if (backup_read_file(app->state_dir, e->id, names[i], &data, &len, &present, err) < 0) {
			printf(" (cannot read: %s)", err);
			continue;
		}
		if (app->verbose && i == 0)
			putchar('\n');
		count_lines(data, len, &h, app->verbose);
		free(data);
	}
	printf("%s%zu addresses, %zu cname, %zu srv records%s%s\n", app->verbose ? "  in all " : " ",
	       h.addr, h.cname, h.srv, h.other ? " and other lines" : "",
	       e->files & BACKUP_HAS_INI ? ", with the INI that made them" : " (hand-made drop-ins, no INI)");
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
		app_step(app, "newest first; 'dnsdrop rollback ID' brings back what a backup holds%s",
			 app->verbose ? "" : " (-v lists its records)");
	for (size_t i = 0; i < n; i++) {
		const struct backup_entry *e = &list[i];

		app_print("%s  taken %s", e->id, e->time);
		show_holds(app, e);
		app_print("  replaced by %s by %s%s%s%s: %s", e->action[0] ? e->action : "a change", e->user,
		       e->note[0] ? ", note \"" : "", e->note, e->note[0] ? "\"" : "", e->summary);
	}
	backup_free_list(list, n);
	return EXIT_OK;
}
