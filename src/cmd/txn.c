/* txn.c - one change of the appliance: backup, atomic write, restart,
 * verify, and the way back. */
#include "txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dnsq.h"
#include "fsx.h"
#include "report.h"
#include "service.h"
#include "tty.h"
#include "validate.h"

#define READY_TIMEOUT_MS 10000u
#define QUERY_TIMEOUT_MS 1000u

int txn_lock(struct app *app, int *fd)
{
	char err[FSX_ERR_MAX], path[PATH_MAX];
	long holder = 0;
	int r;

	if (fsx_mkdir_p(app->state_dir, 0700, err) < 0 ||
	    fsx_join(path, app->state_dir, "lock", err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	r = fsx_lock(path, fd, &holder, err);
	if (r == 1) {
		if (holder > 0)
			app_error(app, "another dnsdrop (pid %ld) holds %s; wait for it to finish (ps -p %ld)",
				  holder, path, holder);
		else
			app_error(app, "another process holds the lock %s; wait for it to finish (fuser %s)",
				  path, path);
		return EXIT_LOCKED;
	}
	if (r < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

int txn_parse_ini(const char *text, size_t len, struct dd_config *cfg)
{
	struct ini_doc doc = { 0 };
	struct problems pr = { 0 };
	int ok = config_parse(text, len, "earlier INI", &doc, &pr) == 0 && !pr.errors &&
		 validate_doc(&doc, "earlier INI", cfg, &pr) == 0 && !pr.errors;

	config_free(&doc);
	problems_free(&pr);
	if (!ok)
		model_free(cfg);
	return ok ? 0 : -1;
}

/* 1 when both installed drop-ins are exactly what dnsdrop wrote last, so
 * the applied INI is the one that produced them. */
static int installed_is_ours(const struct plan *pl)
{
	const struct backup_applied *a = &pl->applied;

	return plan_same(pl->file[0].have, pl->file[0].have_len, a->hosts, a->hosts_len) &&
	       plan_same(pl->file[1].have, pl->file[1].have_len, a->srv, a->srv_len);
}

void txn_current(const struct plan *pl, struct state *cur, struct dd_config *old_cfg)
{
	const struct backup_applied *a = &pl->applied;

	*cur = (struct state){ 0 };
	for (int i = 0; i < PLAN_NFILES; i++) {
		cur->data[i] = pl->file[i].have;
		cur->len[i] = pl->file[i].have_len;
	}
	cur->rec = *a;
	if (installed_is_ours(pl) && a->ini && txn_parse_ini(a->ini, a->ini_len, old_cfg) == 0)
		cur->cfg = old_cfg;
}

/* rollback rewrites the INI under the lock: once we hold the lock, read it
 * again, so we never apply a version older than the file. */
int relock_reload(struct app *app, struct plan *pl)
{
	int changed = 0, rc = app_reload(app, &changed);

	if (rc == EXIT_OK && changed) {
		plan_free(pl);
		rc = plan_env(app, pl);
	}
	return rc;
}

/* Each drop-in must be a regular file or absent: dnsdrop never writes
 * through a symlink or over a directory. */
static int check_targets(struct txn *t)
{
	char path[PATH_MAX], err[FSX_ERR_MAX];
	struct stat st;

	for (int i = 0; i < PLAN_NFILES; i++) {
		if (fsx_join(path, t->app->conf_dir, t->pl->file[i].name, err) < 0 ||
		    (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
		     fsx_refuse_kind(path, st.st_mode, err) < 0)) {
			app_error(t->app, "%s", err);
			app_error(t->app, "nothing was changed: check what it is, move it out of the conf-dir, then run the command again");
			return EXIT_ENV;
		}
	}
	return EXIT_OK;
}

int txn_preflight(struct txn *t)
{
	const char *prog = t->pl->restart_argv[0];
	char err[FSX_ERR_MAX];
	struct stat st;
	int rc;

	if ((rc = check_targets(t)) != EXIT_OK)
		return rc;
	if (fsx_probe_dir(t->app->conf_dir, err) < 0) {
		app_error(t->app, "%s; nothing was changed: make the conf-dir writable for this user, or set conf_dir", err);
		return EXIT_ENV;
	}
	if (t->no_restart)
		return EXIT_OK;
	if (stat(prog, &st) < 0 || !S_ISREG(st.st_mode) || access(prog, X_OK) < 0) {
		app_error(t->app, "the restart program %s %s, so nothing was changed; fix restart in [dnsdrop] of %s",
			  prog, errno == ENOENT ? "does not exist" : "is not an executable file",
			  t->app->ini_path);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

int txn_backup(struct txn *t)
{
	const struct backup_applied *a = &t->pl->applied;
	char err[FSX_ERR_MAX], who[REPORT_USER_MAX];
	struct backup_meta meta = { who, t->action, t->summary, t->app->note };
	/* The INI goes with the drop-ins only when they are what it produced. */
	int ours = installed_is_ours(t->pl);

	report_user(who, sizeof who);
	if (backup_take(t->app->state_dir, t->app->conf_dir, ours ? a->ini : NULL,
			ours ? a->ini_len : 0, &meta, t->backup_id, err) < 0) {
		app_error(t->app, "cannot back up the installed drop-ins, so nothing was changed: %s", err);
		return EXIT_ENV;
	}
	app_step(t->app, "backed up the installed drop-ins as %s", t->backup_id);
	if (backup_prune(t->app->state_dir, t->app->cfg.set.keep_backups, err) < 0)
		app_error(t->app, "warning: cannot remove old backups: %s", err);
	return EXIT_OK;
}

/* Put the INI back (rollback): atomically, in its own directory, 0600. */
static int write_ini(const char *path, const char *data, size_t len, char *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash)
		return fsx_write_atomic(".", path, data, len, 0600, err);
	if ((size_t)(slash - path) >= sizeof dir) {
		fsx_errf(err, 0, "path too long: %s", path);
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return fsx_write_atomic(slash == path ? "/" : dir, slash + 1, data, len, 0600, err);
}

static int restart(struct txn *t)
{
	struct service_result res = { 0 };
	char err[SERVICE_ERR_MAX], label[160];
	struct tty_step st;
	int r;

	snprintf(label, sizeof label, "restarting dnsmasq: %.120s", t->app->cfg.set.restart);
	tty_step_begin(t->app, &st, label, t->app->cfg.set.restart_timeout * 1000u);
	r = service_run(t->pl->restart_argv, t->app->cfg.set.restart_timeout * 1000u,
			SERVICE_OUTPUT_MAX, &res, err);
	tty_step_end(&st, r == 0);
	if (r < 0)
		app_error(t->app, "restart failed: %s", err);
	if ((r < 0 || t->app->verbose) && res.output.len)
		fprintf(stderr, "---- output of the restart command ----\n%.*s%s---- end ----\n",
			(int)res.output.len, res.output.p,
			res.output.p[res.output.len - 1] == '\n' ? "" : "\n");
	service_result_free(&res);
	return r;
}

static void show_mismatches(const struct dnsq_report *rep)
{
	for (size_t i = 0; i < rep->kept; i++)
		fprintf(stderr, "  not served: %s\n", rep->mismatch[i].text);
	if (rep->mismatches > rep->kept)
		fprintf(stderr, "  ... and %zu more\n", rep->mismatches - rep->kept);
}

/* dnsmasq opens its port only once it has read every record: about 10 s
 * for 100k records here, slower on an appliance. */
static unsigned ready_timeout(const struct dd_config *cfg)
{
	size_t n = cfg ? cfg->nhost + cfg->nsrv + cfg->ncname : 0;

	return READY_TIMEOUT_MS + (unsigned)(n / 1000) * 200u;
}

int txn_verify(struct txn *t, const struct dd_config *cfg)
{
	struct dnsq_report rep = { 0 };
	char err[DNSQ_ERR_MAX];
	struct tty_step st;
	int r;

	if (t->pl->verify_off || t->no_verify) {
		app_step(t->app, "not verifying (%s)", t->no_verify ? "--no-verify" : "verify = off");
		return 0;
	}
	tty_step_begin(t->app, &st, "waiting for dnsmasq to answer", ready_timeout(cfg));
	r = dnsq_wait_ready(&t->pl->server, ready_timeout(cfg), err);
	tty_step_end(&st, r == 0);
	if (r < 0) {
		app_error(t->app, "dnsmasq does not answer on %s: %s", t->pl->server.text, err);
		return -1;
	}
	if (!cfg) {
		app_step(t->app, "dnsmasq answers on %s (these records were not written by dnsdrop: not checked one by one)",
			 t->pl->server.text);
		return 0;
	}
	tty_step_begin(t->app, &st, "asking dnsmasq for every record", 0);
	r = dnsq_verify(cfg, &t->pl->server, QUERY_TIMEOUT_MS, &rep);
	tty_step_end(&st, r == 0);
	if (r == 0)
		app_step(t->app, "verified: dnsmasq on %s serves all %zu answers as written",
			 t->pl->server.text, rep.checked);
	else if (r > 0)
		app_error(t->app, "verification failed: %zu of %zu answers from %s differ",
			  rep.mismatches, rep.checked, t->pl->server.text);
	else
		app_error(t->app, "verification could not finish: %s", rep.err);
	show_mismatches(&rep);
	dnsq_report_free(&rep);
	return r == 0 ? 0 : -1;
}

/* Write state S: each drop-in whose content on disk is not already S's
 * (so a failed change puts back only what it touched, and a conf-dir we
 * could not write at all is not "restored" into a second failure), the INI
 * file if S has one, and the applied record. */
static int install(struct txn *t, const struct state *s, char *err)
{
	char path[PATH_MAX], *now;
	size_t len;

	for (int i = 0; i < PLAN_NFILES; i++) {
		const char *name = t->pl->file[i].name;
		int r = fsx_join(path, t->app->conf_dir, name, err) == 0 &&
			fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, &now, &len, err) == 0;

		if (r && (now ? plan_same(now, len, s->data[i], s->len[i]) : !s->data[i])) {
			free(now);
			continue;
		}
		if (r)
			free(now);
		if ((s->data[i] ? fsx_write_atomic(t->app->conf_dir, name, s->data[i],
						      s->len[i], 0644, err)
				   : fsx_remove_atomic(t->app->conf_dir, name, err)) < 0)
			return -1;
	}
	if (s->ini_file && write_ini(t->app->ini_path, s->ini_file, s->ini_file_len, err) < 0)
		return -1;
	return backup_save_applied(t->app->state_dir, s->rec.ini, s->rec.ini_len,
				   s->rec.hosts, s->rec.hosts_len, s->rec.srv,
				   s->rec.srv_len, err);
}

static int restore(struct txn *t, const struct state *from)
{
	char err[FSX_ERR_MAX] = "";

	app_error(t->app, "%s failed; restoring the previous drop-ins from backup %s",
		  t->action, t->backup_id);
	if (install(t, from, err) < 0 || restart(t) < 0 || txn_verify(t, from->cfg) < 0) {
		if (err[0])
			app_error(t->app, "%s", err);
		app_error(t->app, "RESTORE FAILED: DNS on this appliance may be down. The previous drop-ins are in backup %s under %s/backups; run 'dnsdrop rollback %s', or copy them into %s and run %s",
			  t->backup_id, t->app->state_dir, t->backup_id, t->app->conf_dir,
			  t->app->cfg.set.restart);
		return EXIT_RESTORE_FAILED;
	}
	if (from->ini_file)
		app_error(t->app, "the previous state is back and served, its INI too; nothing of this %s remains",
			  t->action);
	else
		app_error(t->app, "the previous state is back and served; only the drop-ins went back: %s still holds the change that failed, so fix it and run dnsdrop apply again",
			  t->app->ini_path);
	return EXIT_RESTORED;
}

/* The "pending" mark: set before the first drop-in is renamed, cleared
 * once dnsmasq serves a known state. A run killed in between leaves it, and
 * the next apply or reapply restarts dnsmasq even though the files already
 * match the INI. */
static int mark(struct txn *t, int on, char *err)
{
	if (on)
		return fsx_write_atomic(t->app->state_dir, TXN_PENDING, t->action,
					strlen(t->action), 0600, err);
	return fsx_remove_atomic(t->app->state_dir, TXN_PENDING, err);
}

int txn_pending(const struct app *app)
{
	char path[PATH_MAX];

	return snprintf(path, sizeof path, "%s/%s", app->state_dir, TXN_PENDING) < (int)sizeof path &&
	       access(path, F_OK) == 0;
}

static int write_failed(struct txn *t, const struct state *from, const char *why)
{
	char err[FSX_ERR_MAX];

	app_error(t->app, "%s", why);
	if (install(t, from, err) < 0) {
		app_error(t->app, "%s", err);
		app_error(t->app, "RESTORE FAILED: the drop-ins in %s may be a mix of old and new; the previous ones are in backup %s: run 'dnsdrop rollback %s' once the disk is fixed",
			  t->app->conf_dir, t->backup_id, t->backup_id);
		return EXIT_RESTORE_FAILED;
	}
	if (mark(t, 0, err) < 0)
		app_error(t->app, "warning: %s", err);
	app_error(t->app, "nothing changed: the previous drop-ins are in place and dnsmasq was not restarted; fix the cause above and run the command again");
	return EXIT_ENV;
}

int txn_run(struct txn *t, const struct state *to, const struct state *from)
{
	char err[FSX_ERR_MAX];
	int rc;

	if (mark(t, 1, err) < 0) {
		app_error(t->app, "nothing changed: %s", err);
		return EXIT_ENV;
	}
	if (install(t, to, err) < 0)
		return write_failed(t, from, err);
	app_step(t->app, "wrote the drop-ins into %s", t->app->conf_dir);
	if (t->no_restart) {
		app_step(t->app, "not restarting (--no-restart): dnsmasq serves the new records after its next restart");
		rc = EXIT_OK;
	} else if (restart(t) == 0 && txn_verify(t, to->cfg) == 0) {
		rc = EXIT_OK;
	} else {
		rc = restore(t, from);
	}
	/* After exit 5 the state is unknown: the mark stays, so the next run
	 * restarts and checks again. */
	if (rc != EXIT_RESTORE_FAILED && mark(t, 0, err) < 0)
		app_error(t->app, "warning: %s", err);
	return rc;
}

int txn_resume(struct txn *t)
{
	char err[FSX_ERR_MAX];

	app_step(t->app, "an earlier run stopped before dnsmasq was restarted; restarting it now");
	if (restart(t) < 0 || txn_verify(t, &t->app->cfg) < 0) {
		app_error(t->app, "dnsmasq does not serve %s yet; fix the cause above and run dnsdrop reapply",
			  t->app->ini_path);
		return EXIT_ENV;
	}
	if (mark(t, 0, err) < 0) {
		app_error(t->app, "%s", err);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

void txn_audit(const struct txn *t, int rc)
{
	char err[FSX_ERR_MAX];

	if (report_audit(t->app->state_dir, t->action, rc, t->summary, t->backup_id,
			 t->app->note, err) < 0)
		app_error(t->app, "warning: cannot write the audit log: %s", err);
}
