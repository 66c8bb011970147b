/* protocol.c - one change of the appliance: preflight, dnsmasq --test,
 * backup, atomic write, restart, verify, the way back, audit. */
#include "protocol.h"

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
#include "render.h"
#include "service.h"
#include "tty.h"
#include "validate.h"
#include "where.h"

#define TEST_TIMEOUT_MS 30000u
#define SILENT_PROBE_MS 2000u	/* a running dnsmasq answers in milliseconds */

int proto_lock(struct app *app, int *fd)
{
	char err[FSX_ERR_MAX], path[PATH_MAX];
	long holder = 0;
	int r;

	if (fsx_state_dir(app->state_dir, FSX_CREATE, err) < 0 ||
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
	/* The outcome must reach the log: refuse now what would refuse it. */
	if (r < 0 || report_log_check(app->state_dir, err) < 0) {
		if (r == 0)
			fsx_unlock(*fd);
		*fd = -1;
		app_error(app, "%s; nothing was changed", err);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

int proto_parse_ini(const char *text, size_t len, const char *label, struct dd_config *cfg)
{
	struct problems pr = { 0 };
	int ok = validate_ini(text, len, label, cfg, &pr) == 0 && !pr.errors;

	problems_free(&pr);
	if (!ok)
		model_free(cfg);
	return ok ? 0 : -1;
}

/* 1 when A and B hold the same bytes or are both absent. */
static int same_or_absent(const char *a, size_t alen, const char *b, size_t blen)
{
	return (!a && !b) || plan_same(a, alen, b, blen);
}

/* 1 when every installed file is exactly what dnsdrop wrote last, so the
 * applied INI is the one that produced them. */
static int installed_is_ours(const struct plan *pl)
{
	const struct backup_applied *a = &pl->applied;
	const struct dropin *f = pl->file;
	/* the hosts file dnsdrop wrote may be in an earlier hosts_dir */
	int st = pl->stale[0] != 0;

	return plan_same(f[0].have, f[0].have_len, a->hosts, a->hosts_len) &&
	       plan_same(f[1].have, f[1].have_len, a->srv, a->srv_len) &&
	       same_or_absent(st ? pl->stale_have : f[2].have, st ? pl->stale_len : f[2].have_len,
			      a->file, a->file_len);
}

void proto_current(const struct plan *pl, struct state *cur, struct dd_config *old_cfg)
{
	const struct backup_applied *a = &pl->applied;

	*cur = (struct state){ 0 };
	for (int i = 0; i < PLAN_NFILES; i++) {
		cur->data[i] = pl->file[i].have;
		cur->len[i] = pl->file[i].have_len;
	}
	cur->rec = *a;
	cur->stale = pl->stale_have, cur->stale_len = pl->stale_len;
	if (installed_is_ours(pl) && a->ini && proto_parse_ini(a->ini, a->ini_len, "(the INI of the last apply)", old_cfg) == 0)
		cur->cfg = old_cfg;
}

/* rollback rewrites the INI under the lock: once we hold the lock, read it
 * again, so we never apply a version older than the file. The lock belongs
 * to the state_dir it was taken in: an INI that now names another one is
 * refused, never worked on without its lock. */
int proto_reload(struct app *app, struct plan *pl)
{
	char locked[PATH_MAX];
	int changed = 0, rc;

	memcpy(locked, app->state_dir, sizeof locked);
	rc = app_reload(app, &changed);
	if (rc == EXIT_OK && changed) {
		plan_free(pl);
		rc = where_env(app, pl);
	}
	if (rc == EXIT_OK && strcmp(locked, app->state_dir) != 0) {
		app_error(app, "%s changed while this run waited: its state_dir is now %s, not %s where the lock is held; nothing was changed: run the command again",
			  app->ini_path, app->state_dir, locked);
		return EXIT_ENV;
	}
	return rc;
}

/* Each drop-in must be a regular file or absent: dnsdrop never writes
 * through a symlink or over a directory. */
static int check_targets(struct proto *t)
{
	char path[PATH_MAX], err[FSX_ERR_MAX];
	struct stat st;

	for (int i = 0; i < PLAN_NFILES; i++) {
		if (fsx_join(path, t->pl->file[i].dir, t->pl->file[i].name, err) < 0 ||
		    (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
		     fsx_refuse_kind(path, st.st_mode, err) < 0)) {
			app_error(t->app, "%s", err);
			app_error(t->app, "nothing was changed: check what it is, move it out of the conf-dir, then run the command again");
			return EXIT_ENV;
		}
	}
	return EXIT_OK;
}

static int preflight(struct proto *t)
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
	/* Not a refusal: a restart may be what brings a stopped dnsmasq back.
	 * But a verify= naming the wrong address fails every change. */
	if (!t->pl->verify_off && !t->no_verify &&
	    (t->was_silent = dnsq_wait_ready(&t->pl->server, SILENT_PROBE_MS, err) < 0))
		app_error(t->app, "warning: dnsmasq does not answer on %s before this change: if that is not where the appliance's dnsmasq listens, stop now (Ctrl-C) and fix verify in [dnsdrop]",
			  t->pl->server.text);
	return EXIT_OK;
}

static int backup(struct proto *t)
{
	const struct backup_applied *a = &t->pl->applied;
	char err[FSX_ERR_MAX], who[REPORT_USER_MAX];
	struct backup_meta meta = { who, t->action, t->summary, t->app->note };
	/* The INI goes with the drop-ins only when they are what it produced. */
	int ours = installed_is_ours(t->pl);

	report_user(who, sizeof who);
	/* the hosts file in place is the one of an earlier hosts_dir, if any */
	if (backup_take(t->app->state_dir, t->app->conf_dir,
			t->pl->stale[0] ? t->pl->stale : t->app->hosts_dir, ours ? a->ini : NULL,
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

	if (fsx_dirname(path, dir) < 0) {
		fsx_errf(err, 0, "path too long: %s", path);
		return -1;
	}
	return fsx_write_atomic(dir, slash ? slash + 1 : path, data, len, 0600, err);
}

/* Write state S: each drop-in whose content on disk is not already S's
 * (so a failed change puts back only what it touched, and a conf-dir we
 * could not write at all is not "restored" into a second failure), then
 * the hosts file of an earlier hosts_dir (the last round), the INI file if
 * S has one, and the applied record. */
int proto_install(struct proto *t, const struct state *s, char *err)
{
	char path[PATH_MAX], *now;
	size_t len;

	for (int i = 0; i <= PLAN_NFILES; i++) {
		int last = i == PLAN_NFILES;
		const char *name = last ? RENDER_HOSTSFILE : t->pl->file[i].name;
		const char *dir = last ? t->pl->stale : t->pl->file[i].dir;
		const char *data = last ? s->stale : s->data[i];
		size_t dlen = last ? s->stale_len : s->len[i];
		int r = dir[0] && fsx_join(path, dir, name, err) == 0 &&
			fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, &now, &len, err) == 0;

		if (!dir[0] || (r && (now ? plan_same(now, len, data, dlen) : !data))) {
			if (r)
				free(now);
			continue;
		}
		if (r)
			free(now);
		/* 0644 also in hosts_dir: dnsmasq may read it as another user.
		 * The temp file is a dot file, which its inotify code skips. */
		if ((data ? fsx_write_atomic(dir, name, data, dlen, 0644, err)
			  : fsx_remove_atomic(dir, name, err)) < 0)
			return -1;
	}
	if (s->ini_file && write_ini(t->app->ini_path, s->ini_file, s->ini_file_len, err) < 0)
		return -1;
	return backup_save_applied(t->app->state_dir, &s->rec, err);
}

int proto_restore(struct proto *t, const struct state *from)
{
	char err[FSX_ERR_MAX] = "";
	int sig = proto_stop_signal(), restarted = 0, served = 0, installed = 0;

	t->restoring = 1;
	if (sig)
		app_error(t->app, "interrupted by %s: restoring the previous drop-ins from backup %s (wait: this takes a restart)",
			  sig == SIGINT ? "SIGINT" : "SIGTERM", t->backup_id);
	else
		app_error(t->app, "%s failed; restoring the previous drop-ins from backup %s",
			  t->action, t->backup_id);
	/* The verdict is what dnsmasq serves, not what the init script said: a
	 * script that lost its pid file fails while the old dnsmasq serves on. */
	if ((installed = proto_install(t, from, err) == 0)) {
		restarted = proto_restart(t);
		served = proto_verify(t, from) == 0;
	}
	if (!served) {
		if (err[0])
			app_error(t->app, "%s", err);
		if (!from->data[0] && !from->data[1] && !from->data[2])
			app_error(t->app, "RESTORE FAILED: DNS on this appliance may be down. There were no drop-ins before this %s%s: check that dnsmasq runs and answers on %s (verify in [dnsdrop]%s), or run %s",
				  t->action, installed ? ", and dnsdrop took its own out again" : "",
				  t->pl->server.text, t->was_silent ? ": it did not answer before the change either" : "",
				  t->app->cfg.set.restart);
		else
			app_error(t->app, "RESTORE FAILED: DNS on this appliance may be down%s. The previous drop-ins are in backup %s under %s/backups; run 'dnsdrop rollback %s', or copy them into %s and run %s",
				  t->was_silent ? " (dnsmasq did not answer on the verify address before the change either: check verify in [dnsdrop])" : "",
				  t->backup_id, t->app->state_dir, t->backup_id, t->app->conf_dir,
				  t->app->cfg.set.restart);
		return EXIT_RESTORE_FAILED;
	}
	if (restarted < 0)
		app_error(t->app, "the restart command failed, but dnsmasq answers with the previous state");
	if (from->ini_file)
		app_error(t->app, "the previous state is back and served, its INI too; nothing of this %s remains%s",
			  t->action, sig ? ": run the command again when you are ready" : "");
	else
		app_error(t->app, "the previous state is back and served; only the drop-ins went back: %s still holds the change, so %s",
			  t->app->ini_path,
			  sig ? "run the command again when you are ready" : "fix it and run dnsdrop apply again");
	return EXIT_RESTORED;
}

/* The "pending" mark: set before the first drop-in is renamed, cleared
 * only once dnsmasq serves a known state. A run killed in between, or one
 * with --no-restart, leaves it, and the next apply or reapply restarts
 * dnsmasq even though the files already match the INI; unless it says
 * "hot": then only the hosts file dnsmasq rereads changed, and the next
 * run asks dnsmasq before it restarts anything. */
int proto_mark(struct proto *t, int on, char *err)
{
	char what[64];

	if (!on)
		return fsx_remove_atomic(t->app->state_dir, PROTO_PENDING, err);
	snprintf(what, sizeof what, "%s%s", t->action, t->hot ? PROTO_PENDING_HOT : "");
	return fsx_write_atomic(t->app->state_dir, PROTO_PENDING, what, strlen(what), 0600, err);
}

int proto_pending(const struct app *app)
{
	static const char hot[] = PROTO_PENDING_HOT;
	char path[PATH_MAX], err[FSX_ERR_MAX], *what = NULL;
	struct stat st;
	size_t n = 0;
	int r;

	/* lstat: a symlink there counts too (and mark() refuses to remove it). */
	if (snprintf(path, sizeof path, "%s/%s", app->state_dir, PROTO_PENDING) >= (int)sizeof path ||
	    lstat(path, &st) < 0)
		return 0;
	/* what cannot be read as ours is a change waiting for its restart */
	r = fsx_read(path, 64, FSX_STATE, &what, &n, err) == 0 && n >= sizeof hot - 1 &&
	    !memcmp(what + n - (sizeof hot - 1), hot, sizeof hot - 1) ? 2 : 1;
	free(what);
	return r;
}

static int write_failed(struct proto *t, const struct state *from, const char *why)
{
	char err[FSX_ERR_MAX];

	app_error(t->app, "%s", why);
	if (proto_install(t, from, err) < 0) {
		app_error(t->app, "%s", err);
		app_error(t->app, "RESTORE FAILED: the drop-ins in %s may be a mix of old and new; the previous ones are in backup %s: run 'dnsdrop rollback %s' once the disk is fixed",
			  t->app->conf_dir, t->backup_id, t->backup_id);
		return EXIT_RESTORE_FAILED;
	}
	if (proto_mark(t, 0, err) < 0)
		app_error(t->app, "warning: %s", err);
	app_error(t->app, "nothing changed: the previous drop-ins are in place and dnsmasq was not restarted; fix the cause above and run the command again");
	return EXIT_ENV;
}

/* Under the guard: from the pending mark to the outcome. */
static int run(struct proto *t, const struct state *to, const struct state *from)
{
	char err[FSX_ERR_MAX];
	int rc;

	if (proto_stop_signal()) {
		app_error(t->app, "interrupted before anything changed: nothing was changed");
		return EXIT_ENV;
	}
	if (proto_mark(t, 1, err) < 0) {
		app_error(t->app, "nothing changed: %s", err);
		return EXIT_ENV;
	}
	if (proto_install(t, to, err) < 0)
		return write_failed(t, from, err);
	t->app->changed = 1;
	if (t->hot) {
		app_step(t->app, "wrote the hosts file %s/%s; dnsmasq rereads it, no restart",
			 t->app->hosts_dir, RENDER_HOSTSFILE);
		return proto_hot_serve(t, to, from);
	}
	app_step(t->app, "wrote the drop-ins into %s", t->app->conf_dir);
	if (t->no_restart && !proto_stop_signal()) {
		/* The mark stays: the change is pending until a restart serves it. */
		app_step(t->app, "not restarting (--no-restart): dnsmasq serves the new records after its next restart; 'dnsdrop reapply' does it and checks them");
		return EXIT_OK;
	}
	if (!proto_stop_signal() && proto_restart(t) == 0 && !proto_stop_signal() &&
	    proto_verify(t, to) == 0)
		rc = EXIT_OK;
	else
		rc = proto_restore(t, from);
	/* After exit 5 the state is unknown: the mark stays, so the next run
	 * restarts and checks again. */
	if (rc != EXIT_RESTORE_FAILED && proto_mark(t, 0, err) < 0)
		app_error(t->app, "warning: %s", err);
	return rc;
}

static void audit(struct proto *t, int rc)
{
	char err[FSX_ERR_MAX];
	int sig = proto_stop_signal();
	size_t n = strlen(t->summary);

	if (sig || proto_hup_seen())
		snprintf(t->summary + n, sizeof t->summary - n, " (%s)",
			 sig ? (rc == EXIT_RESTORED ? "interrupted: restored" : "interrupted")
			     : "terminal lost: finished");
	if (report_audit(t->app->state_dir, t->action, rc, t->summary, t->backup_id,
			 t->app->note, err) < 0)
		app_error(t->app, "warning: cannot write the audit log: %s", err);
}

/* dnsmasq --test on a copy of the whole conf-dir with TO's files in place:
 * another file there can make ours fatal (a duplicate cname). */
static int dnsmasq_test(struct proto *t, const struct state *to)
{
	struct app *app = t->app;
	/* Only the conf-dir's files: the hosts file is not configuration. */
	const char *names[PLAN_HOSTSFILE] = { t->pl->file[0].name, t->pl->file[1].name };
	struct buf b[PLAN_HOSTSFILE];
	const struct buf *contents[PLAN_HOSTSFILE];
	struct service_result res = { 0 };
	char dir[PATH_MAX], err[FSX_ERR_MAX], err2[FSX_ERR_MAX];
	int r;

	if (!app->dnsmasq_bin[0])
		return EXIT_OK;
	for (int i = 0; i < PLAN_HOSTSFILE; i++) {
		b[i] = (struct buf){ .p = (char *)to->data[i], .len = to->len[i] };
		contents[i] = to->data[i] ? &b[i] : NULL;
	}
	if (backup_stage_confdir(app->conf_dir, app->state_dir, names, contents, PLAN_HOSTSFILE,
				 dir, err) < 0) {
		app_error(app, "cannot stage the conf-dir for dnsmasq --test: %s", err);
		return EXIT_ENV;
	}
	r = service_dnsmasq_test(app->dnsmasq_bin, dir, t->pl->cd.filters, TEST_TIMEOUT_MS, &res, err);
	if (backup_unstage(dir, err2) < 0)
		app_error(app, "warning: %s", err2);
	if (r < 0) {
		app_error(app, "dnsmasq --test rejects the conf-dir with the new drop-ins, so nothing was changed: %s",
			  err);
		if (res.output.len)
			report_put(stderr, res.output.p, res.output.len, REPORT_ESC_NL);
		if (res.exec_errno)
			app_error(app, "set dnsmasq = off in [dnsdrop] only if this appliance has no dnsmasq binary at %s",
				  app->dnsmasq_bin);
	} else {
		app_step(app, "dnsmasq --test accepts the conf-dir with the new drop-ins");
	}
	service_result_free(&res);
	return r < 0 ? (res.exec_errno ? EXIT_ENV : EXIT_INVALID) : EXIT_OK;
}

int proto_sweep(struct app *app, const struct plan *pl)
{
	char err[FSX_ERR_MAX];

	const char *ini = strrchr(app->ini_path, '/');
	char dir[PATH_MAX];
	int ok = 1;

	for (int i = 0; ok && i < PLAN_NFILES; i++)
		/* hosts_dir exists only once hot mode was used */
		if (i != PLAN_HOSTSFILE || access(pl->file[i].dir, F_OK) == 0)
			ok = fsx_sweep_temps(pl->file[i].dir, pl->file[i].name, err) >= 0;
	if (ok && pl->stale[0])
		ok = fsx_sweep_temps(pl->stale, RENDER_HOSTSFILE, err) >= 0;
	if (ok)
		ok = fsx_sweep_temps(app->conf_dir, FSX_PROBE, err) >= 0;
	/* rollback writes the INI through a temp file in its directory */
	if (ok && fsx_dirname(app->ini_path, dir) == 0)
		ok = fsx_sweep_temps(dir, ini ? ini + 1 : app->ini_path, err) >= 0;
	if (ok)
		ok = backup_sweep_state(app->state_dir, err) >= 0;	/* stages too */
	if (!ok) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

void proto_target(const struct app *app, const struct plan *pl, struct state *to)
{
	*to = (struct state){ 0 };
	for (int i = 0; i < PLAN_NFILES; i++) {
		to->data[i] = pl->file[i].want.p;
		to->len[i] = pl->file[i].want.len;
	}
	to->rec = (struct backup_applied){ app->ini_text, pl->file[0].want.p, pl->file[1].want.p,
					   app->ini_len, to->len[0], to->len[1],
					   pl->file[2].want.p, to->len[2] };
	to->cfg = &app->cfg;
}

int proto_change(struct proto *t, const struct state *to, const struct state *from)
{
	int rc;

	if ((rc = proto_hot_check(t, to, from)) != EXIT_OK || (rc = preflight(t)) != EXIT_OK ||
	    (rc = dnsmasq_test(t, to)) != EXIT_OK || (rc = backup(t)) != EXIT_OK)
		return rc;
	proto_guard(t);
	rc = run(t, to, from);
	audit(t, rc);
	proto_unguard(t);
	return rc;
}

/* In sync but not known to be served: restart, verify, clear the mark. */
static int resume(struct proto *t, const struct state *cur)
{
	char err[FSX_ERR_MAX];

	/* From here on dnsmasq is touched: never "nothing changed" (8). */
	t->app->changed = 1;
	if (proto_stop_signal() || proto_restart(t) < 0 || proto_verify(t, cur) < 0) {
		app_error(t->app, "dnsmasq does not serve %s yet; fix the cause above and run dnsdrop reapply",
			  t->app->ini_path);
		return EXIT_RESTORE_FAILED;
	}
	if (proto_mark(t, 0, err) < 0)
		app_error(t->app, "warning: %s", err);
	return EXIT_OK;
}

int proto_converge(struct proto *t, int health)
{
	struct app *app = t->app;
	const struct plan *pl = t->pl;
	const struct backup_applied *a = &pl->applied;
	const struct buf *h = &pl->file[0].want, *s = &pl->file[1].want, *f = &pl->file[2].want;
	struct state cur;
	char err[FSX_ERR_MAX];
	int pending = proto_pending(app), served, rc;

	/* A run killed between rename and record leaves applied/ behind. */
	proto_target(app, pl, &cur);
	if ((!plan_same(a->ini, a->ini_len, app->ini_text, app->ini_len) ||
	     !plan_same(a->hosts, a->hosts_len, h->p, h->len) ||
	     !plan_same(a->srv, a->srv_len, s->p, s->len) ||
	     !same_or_absent(a->file, a->file_len, f->p, f->len)) &&
	    backup_save_applied(app->state_dir, &cur.rec, err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	/* An interrupted hot change: dnsmasq rereads the hosts file by
	 * itself, so it may serve the change already; no restart then. */
	if (pending == 2 && !pl->verify_off && proto_served(pl, &cur) == 1) {
		app_step(app, "an earlier change of the hosts file was interrupted, and dnsmasq serves it already; no restart");
		snprintf(t->summary, sizeof t->summary, "finished an interrupted change (hot, no restart)");
		proto_guard(t);
		if (proto_mark(t, 0, err) < 0)
			app_error(app, "warning: %s", err);
		audit(t, EXIT_OK);
		proto_unguard(t);
		return EXIT_OK;
	}
	if (t->no_restart || (!pending && (!health || pl->verify_off || t->no_verify)))
		return EXIT_OK;
	served = pending ? 0 : proto_served(pl, &cur);
	if (served == 1)
		return EXIT_OK;
	if (pending)
		app_step(app, "an earlier change was written but dnsmasq has not served it yet; restarting it now");
	else
		app_step(app, "dnsmasq on %s %s; restarting it now", pl->server.text,
			 served < 0 ? "does not answer" : "serves an older configuration than the drop-ins");
	snprintf(t->summary, sizeof t->summary, "%s",
		 pending ? "finished an interrupted change" : "restarted: dnsmasq did not serve the drop-ins");
	proto_guard(t);
	rc = resume(t, &cur);
	audit(t, rc);
	proto_unguard(t);
	return rc;
}
