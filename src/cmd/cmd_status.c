/* cmd_status.c - commands that look but never change: diff, verify,
 * backups, status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "confdir.h"
#include "dnsq.h"
#include "fsx.h"
#include "plan.h"
#include "report.h"
#include "txn.h"

#define STATUS_READY_MS 2000u

static int no_args(struct app *app, const char *cmd, int argc, char **argv)
{
	if (argc > 0) {
		app_error(app, "%s takes no arguments (got '%s')", cmd, argv[0]);
		return -1;
	}
	return 0;
}

/* Load the INI and resolve the appliance: what every command here needs. */
static int prepare(struct app *app, struct plan *pl, int read_files)
{
	int rc = app_load(app);

	if (rc == EXIT_OK)
		rc = plan_env(app, pl);
	if (rc == EXIT_OK && read_files)
		rc = plan_read(app, pl);
	return rc;
}

int cmd_diff(struct app *app, int argc, char **argv)
{
	struct plan pl = { 0 };
	struct buf out = { 0 };
	char line[128];
	int rc;

	if (no_args(app, "diff", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = prepare(app, &pl, 1)) == EXIT_OK) {
		plan_diff(app, &pl, &out);
		if (out.oom) {
			app_error(app, "out of memory computing the diff");
			rc = EXIT_ENV;
		} else {
			fwrite(out.p ? out.p : "", 1, out.len, stdout);
			for (int i = 0; i < PLAN_NFILES; i++) {
				plan_summary(&pl, i, line, sizeof line);
				app_step(app, "%s", line);
			}
			rc = pl.pending ? EXIT_DIFF : EXIT_OK;
		}
	}
	buf_free(&out);
	plan_free(&pl);
	return rc;
}

int cmd_verify(struct app *app, int argc, char **argv)
{
	struct plan pl = { 0 };
	struct txn t = { app, &pl, "verify", 0, 0, "", "" };
	int rc;

	if (no_args(app, "verify", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = prepare(app, &pl, 0)) == EXIT_OK) {
		if (pl.verify_off) {
			app_error(app, "verify = off in %s: there is no server to ask", app->ini_path);
			rc = EXIT_ENV;
		} else {
			rc = txn_verify(&t, &app->cfg) == 0 ? EXIT_OK : EXIT_DIFF;
		}
	}
	plan_free(&pl);
	return rc;
}

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

	if (no_args(app, "backups", argc, argv) < 0)
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
		printf("%-22s %-20s %-16s %s: %s (%s)\n", list[i].id, list[i].time, list[i].user,
		       list[i].action, list[i].summary, backup_kind(list[i].files));
	backup_free_list(list, n);
	return EXIT_OK;
}

static const char *state_word(const struct dropin *f)
{
	if (f->state == DROPIN_SAME)
		return "in sync with the INI";
	if (!f->have)
		return "missing: run 'dnsdrop reapply' (an upgrade removes drop-ins)";
	if (f->state == DROPIN_DRIFT)
		return "edited by hand: see 'dnsdrop diff'";
	return "differs from the INI: see 'dnsdrop diff', then 'dnsdrop apply'";
}

static void status_backups(const struct app *app)
{
	struct backup_entry *list = NULL;
	char err[FSX_ERR_MAX], last[512];
	size_t n = 0;

	report_last_change(app->state_dir, last, sizeof last);
	printf("last change  %s\n", last[0] ? last : "none recorded");
	if (backup_list(app->state_dir, &list, &n, err) < 0)
		printf("backups      cannot list: %s\n", err);
	else if (n == 0)
		printf("backups      none\n");
	else
		printf("backups      %zu, newest %s (%s, %s)\n", n, list[0].id, list[0].user,
		       list[0].summary);
	backup_free_list(list, n);
}

static int status_dns(const struct app *app, const struct plan *pl)
{
	char err[DNSQ_ERR_MAX], running[1024];
	int r;

	if (pl->verify_off) {
		printf("dnsmasq      not asked (verify = off)\n");
		return 0;
	}
	r = dnsq_wait_ready(&pl->server, STATUS_READY_MS, err);
	printf("dnsmasq      %s on %s%s%s\n", r == 0 ? "answering" : "NOT answering",
	       pl->server.text, r == 0 ? "" : ": ", r == 0 ? "" : err);
	if (!app->root[0] && confdir_running("/proc", app->cfg.set.dnsmasq_conf, running,
					     sizeof running) > 0 && running[0])
		printf("running      %s\n", running);
	return r;
}

int cmd_status(struct app *app, int argc, char **argv)
{
	struct plan pl = { 0 };
	int rc;

	if (no_args(app, "status", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = prepare(app, &pl, 1)) == EXIT_OK) {
		printf("INI          %s: %zu hosts, %zu srv, %zu cname records\n", app->ini_path,
		       app->cfg.nhost, app->cfg.nsrv, app->cfg.ncname);
		printf("conf-dir     %s (%s)\n", app->conf_dir, app->conf_dir_how);
		if (pl.cd.notes)
			printf("             not taken: %s\n", pl.cd.notes);
		printf("state        %s\n", app->state_dir);
		for (int i = 0; i < PLAN_NFILES; i++)
			printf("%-12s %s\n", pl.file[i].name, state_word(&pl.file[i]));
		if (status_dns(app, &pl) < 0 || pl.pending)
			rc = EXIT_DIFF;
		status_backups(app);
	}
	plan_free(&pl);
	return rc;
}
