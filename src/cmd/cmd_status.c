/* cmd_status.c - status: config, conf-dir and how it was found, drift,
 * dnsmasq answering, last change, backups. Looks, never changes. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "confdir.h"
#include "dmver.h"
#include "dnsq.h"
#include "fsx.h"
#include "plan.h"
#include "report.h"
#include "protocol.h"

#define STATUS_READY_MS 2000u

static const char *state_word(const struct plan *pl, const struct dropin *f)
{
	if (f->state == DROPIN_SAME)
		return "in sync with the INI";
	if (!f->have && !pl->applied.ini)
		return "not installed yet (first install): see 'dnsdrop diff', then 'dnsdrop apply'";
	if (!f->have)
		return "missing although dnsdrop installed it (an Expressway upgrade removes drop-ins): run 'dnsdrop reapply'";
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
	app_print("last change  %s", last[0] ? last : "none recorded");
	if (backup_list(app->state_dir, &list, &n, err) < 0)
		app_print("backups      cannot list: %s", err);
	else if (n == 0)
		app_print("backups      none");
	else
		app_print("backups      %zu, newest %s (before %s by %s%s%s%s)", n, list[0].id,
		       list[0].action, list[0].user, list[0].note[0] ? ", note \"" : "", list[0].note,
		       list[0].note[0] ? "\"" : "");
	backup_free_list(list, n);
}

/* The appliance's dnsmasq: its version and what it does differently. */
static void status_version(const struct app *app)
{
	unsigned v = app->dm_ver;

	if (v)
		app_print("version      dnsmasq %u.%02u (%s)", v / 100, v % 100, app->dm_found);
	else
		app_print("version      unknown: %s; taken as %u.%02u (%s)", app->dm_found,
		       (app->dm_guess ? app->dm_guess : 266) / 100,
		       (app->dm_guess ? app->dm_guess : 266) % 100, app->dm_guess ?
		       "the first release of its copyright year" : "the oldest supported");
	for (unsigned q = 1; q && dmver_text(q); q <<= 1)
		if (app->dm_quirks & q)
			app_print("             - %s", dmver_text(q));
}

/* hosts_mode, and whether this dnsmasq can do hot mode (and why not).
 * -1 when the INI asks for hot mode and it cannot work here: apply would
 * refuse the next change of the hosts file. */
static int status_mode(const struct app *app)
{
	char why[DD_ERR_MAX];
	int ok = proto_hot_ok(app, why, sizeof why);

	app_print("hosts mode   %s%s; hot mode %s%s", app->cfg.set.hosts_hot ? "hot, hosts_dir " : "restart",
		  app->cfg.set.hosts_hot ? app->hosts_dir : "", ok > 0 ? "works with this dnsmasq" :
		  "cannot be used here: ", ok > 0 ? "" : why);
	return app->cfg.set.hosts_hot && ok <= 0 ? -1 : 0;
}

/* BUSY: another dnsdrop is changing things now, so its restart is what
 * will serve the installed drop-ins, not a reapply. */
static int status_dns(const struct app *app, const struct plan *pl, int busy)
{
	char err[DNSQ_ERR_MAX], running[1024];
	struct state cur = { 0 };
	int r;

	if (pl->verify_off) {
		app_print("dnsmasq      not asked (verify = off)");
		return 0;
	}
	r = dnsq_wait_ready(&pl->server, STATUS_READY_MS, err);
	app_print("dnsmasq      %s on %s%s%s", r == 0 ? "answering" : "NOT answering",
	       pl->server.text, r == 0 ? "" : ": ", r == 0 ? "" : err);
	for (int i = 0; i < PLAN_NFILES; i++)
		cur.data[i] = pl->file[i].have, cur.len[i] = pl->file[i].have_len;
	if (r == 0 && pl->file[0].have && proto_served(pl, &cur) == 0) {
		app_print("serving      an older configuration than the installed drop-ins%s",
			  busy ? " (the running change restarts it)" : ": run 'dnsdrop reapply'");
		r = -1;
	}
	if (!app->root[0] && confdir_running("/proc", app->cfg.set.dnsmasq_conf, running,
					     sizeof running) > 0 && running[0])
		app_print("running      %s", running);
	return r;
}

/* The pid a running dnsdrop wrote into the lock, if that process lives;
 * 0 when none. Read, never taken: status must not make an apply fail. */
static long lock_holder(const struct app *app)
{
	char path[PATH_MAX], err[FSX_ERR_MAX];
	long pid = fsx_join(path, app->state_dir, "lock", err) == 0 ? fsx_lock_pid(path) : 0;

	return pid > 0 && kill((pid_t)pid, 0) == 0 ? pid : 0;
}

int cmd_status(struct app *app, int argc, char **argv)
{
	long holder;
	struct plan pl = { 0 };
	int rc;

	if (app_no_args(app, "status", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = plan_prepare(app, &pl, 1)) == EXIT_OK) {
		app_print("INI          %s: %zu hosts, %zu srv, %zu cname records", app->ini_path,
		       app->cfg.nhost, app->cfg.nsrv, app->cfg.ncname);
		app_print("conf-dir     %s (%s)", app->conf_dir, app->conf_dir_how);
		if (pl.cd.notes)
			app_print("             not taken: %s", pl.cd.notes);
		app_print("state        %s", app->state_dir);
		status_version(app);
		if (status_mode(app) < 0)
			rc = EXIT_DIFF;
		for (int i = 0; i < plan_nshown(&pl); i++)
			app_print("%-12s %s", pl.file[i].name, state_word(&pl, &pl.file[i]));
		if ((holder = lock_holder(app)) > 0)
			app_print("in progress  dnsdrop (pid %ld) is changing the appliance now: run status again when it is done",
				  holder);
		else if (proto_pending(app))
			app_print("pending      the last change was written but not served yet (dnsmasq was not restarted since): run 'dnsdrop reapply'");
		if (status_dns(app, &pl, holder > 0) < 0 || pl.pending || proto_pending(app))
			rc = EXIT_DIFF;
		status_backups(app);
	}
	plan_free(&pl);
	return rc;
}
