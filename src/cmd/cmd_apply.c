/* cmd_apply.c - apply, reapply and rollback (DESIGN.md section 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "fsx.h"
#include "plan.h"
#include "service.h"
#include "tty.h"
#include "txn.h"

#define TEST_TIMEOUT_MS 30000u

struct apply_opts {
	int dry_run, force, no_restart, no_verify;
	int reapply;		/* silent and restart-free when nothing differs */
};

static int parse_opts(struct app *app, int argc, char **argv, struct apply_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-n") == 0 || strcmp(a, "--dry-run") == 0)
			o->dry_run = 1;
		else if (strcmp(a, "--force") == 0)
			o->force = 1;
		else if (strcmp(a, "--no-restart") == 0)
			o->no_restart = 1;
		else if (strcmp(a, "--no-verify") == 0)
			o->no_verify = 1;
		else {
			app_error(app, "%s: unknown option '%s'; see dnsdrop help %s",
				  o->reapply ? "reapply" : "apply", a, o->reapply ? "reapply" : "apply");
			return -1;
		}
	}
	return 0;
}

static void summarize(const struct plan *pl, char *out, size_t outsz)
{
	char one[128];

	out[0] = '\0';
	for (int i = 0; i < PLAN_NFILES; i++) {
		plan_summary(pl, i, one, sizeof one);
		snprintf(out + strlen(out), outsz - strlen(out), "%s%s", i ? "; " : "", one);
	}
}

static int print_diff(const struct app *app, const struct plan *pl)
{
	struct buf out = { 0 };
	int n = plan_diff(app, pl, &out);

	if (out.oom) {
		buf_free(&out);
		app_error(app, "out of memory computing the diff");
		return -1;
	}
	if (!app->quiet && out.len)
		fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	return n;
}

/* dnsmasq --test on a copy of the whole conf-dir with the new files in
 * place: another file there can make ours fatal (a duplicate cname). */
static int dnsmasq_test(struct app *app, const struct plan *pl)
{
	const char *names[PLAN_NFILES] = { pl->file[0].name, pl->file[1].name };
	const struct buf *contents[PLAN_NFILES] = { &pl->file[0].want, &pl->file[1].want };
	struct service_result res = { 0 };
	char dir[PATH_MAX], err[FSX_ERR_MAX], err2[FSX_ERR_MAX];
	int r;

	if (!app->dnsmasq_bin[0])
		return EXIT_OK;
	if (backup_stage_confdir(app->conf_dir, app->state_dir, names, contents, PLAN_NFILES,
				 dir, err) < 0) {
		app_error(app, "cannot stage the conf-dir for dnsmasq --test: %s", err);
		return EXIT_ENV;
	}
	r = service_dnsmasq_test(app->dnsmasq_bin, dir, pl->cd.filters, TEST_TIMEOUT_MS, &res, err);
	if (backup_unstage(dir, err2) < 0)
		app_error(app, "warning: %s", err2);
	if (r < 0) {
		app_error(app, "dnsmasq --test rejects the conf-dir with the new drop-ins, so nothing was changed: %s",
			  err);
		if (res.output.len)
			fprintf(stderr, "%.*s", (int)res.output.len, res.output.p);
		if (res.exec_errno)
			app_error(app, "set dnsmasq = off in [dnsdrop] only if this appliance has no dnsmasq binary at %s",
				  app->dnsmasq_bin);
	} else {
		app_step(app, "dnsmasq --test accepts the conf-dir with the new drop-ins");
	}
	service_result_free(&res);
	return r < 0 ? (res.exec_errno ? EXIT_ENV : EXIT_INVALID) : EXIT_OK;
}

/* Drop-ins equal to the render: nothing to install, but keep applied/ true
 * (a run killed between rename and record leaves it behind). */
static int in_sync(struct app *app, struct plan *pl, const struct apply_opts *o)
{
	const struct backup_applied *a = &pl->applied;
	char err[FSX_ERR_MAX];
	const struct buf *h = &pl->file[0].want, *s = &pl->file[1].want;

	if (!plan_same(a->ini, a->ini_len, app->ini_text, app->ini_len) ||
	    !plan_same(a->hosts, a->hosts_len, h->p, h->len) ||
	    !plan_same(a->srv, a->srv_len, s->p, s->len)) {
		if (backup_save_applied(app->state_dir, app->ini_text, app->ini_len, h->p, h->len,
					s->p, s->len, err) < 0) {
			app_error(app, "%s", err);
			return EXIT_ENV;
		}
	}
	if (!o->reapply)
		app_step(app, "nothing to do: the installed drop-ins in %s match %s", app->conf_dir,
			 app->ini_path);
	return EXIT_OK;
}

static int refuse_drift(struct app *app, const struct plan *pl)
{
	for (int i = 0; i < PLAN_NFILES; i++)
		if (pl->file[i].state == DROPIN_DRIFT)
			app_error(app, "%s/%s was edited by hand (it is not what dnsdrop wrote last); see 'dnsdrop diff'",
				  app->conf_dir, pl->file[i].name);
	app_error(app, "nothing was changed. Put those records into %s (dnsdrop import helps), or run 'dnsdrop apply --force': the hand-made files go into the backup first",
		  app->ini_path);
	return EXIT_DRIFT;
}

static int sweep(struct app *app, const struct plan *pl)
{
	char err[FSX_ERR_MAX];

	for (int i = 0; i < PLAN_NFILES; i++)
		if (fsx_sweep_temps(app->conf_dir, pl->file[i].name, err) < 0) {
			app_error(app, "%s", err);
			return EXIT_ENV;
		}
	if (backup_sweep_stages(app->state_dir, err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

/* Under the lock: compare, refuse drift, test, back up, change. */
static int apply_locked(struct app *app, struct plan *pl, const struct apply_opts *o)
{
	struct txn t = { app, pl, o->reapply ? "reapply" : "apply", o->no_restart, o->no_verify, "", "" };
	struct dd_config old_cfg = { 0 };
	struct state to = { 0 }, from;
	int rc;

	if ((rc = plan_read(app, pl)) != EXIT_OK || (rc = sweep(app, pl)) != EXIT_OK)
		return rc;
	if (!pl->pending) {
		rc = in_sync(app, pl, o);
		if (rc == EXIT_OK && !o->no_restart && txn_pending(app)) {
			snprintf(t.summary, sizeof t.summary, "finished an interrupted change");
			rc = txn_resume(&t);
			txn_audit(&t, rc);
		}
		return rc;
	}
	if (pl->drift && !o->force)
		return refuse_drift(app, pl);
	summarize(pl, t.summary, sizeof t.summary);
	if (print_diff(app, pl) < 0)
		return EXIT_ENV;
	if (!o->reapply && !tty_confirm(app, "Apply these changes?"))
		return tty_declined(app);
	if ((rc = txn_preflight(&t)) != EXIT_OK || (rc = dnsmasq_test(app, pl)) != EXIT_OK ||
	    (rc = txn_backup(&t)) != EXIT_OK)
		return rc;
	txn_current(pl, &from, &old_cfg);
	for (int i = 0; i < PLAN_NFILES; i++) {
		to.data[i] = pl->file[i].want.p;
		to.len[i] = pl->file[i].want.len;
	}
	to.rec = (struct backup_applied){ app->ini_text, pl->file[0].want.p, pl->file[1].want.p, app->ini_len,
					  to.len[0], to.len[1] };
	to.cfg = &app->cfg;
	rc = txn_run(&t, &to, &from);
	model_free(&old_cfg);
	txn_audit(&t, rc);
	if (rc == EXIT_OK)
		app_step(app, "applied: %s (backup %s)", t.summary, t.backup_id);
	return rc;
}

static int dry_run(struct app *app, struct plan *pl)
{
	char line[128];
	int rc = plan_read(app, pl);

	if (rc != EXIT_OK)
		return rc;
	if (print_diff(app, pl) < 0)
		return EXIT_ENV;
	for (int i = 0; i < PLAN_NFILES; i++) {
		plan_summary(pl, i, line, sizeof line);
		app_step(app, "%s", line);
	}
	if (pl->drift)
		app_error(app, "warning: %d drop-in(s) were edited by hand: apply would refuse without --force",
			  pl->drift);
	return pl->pending ? EXIT_DIFF : EXIT_OK;
}

static int run_apply(struct app *app, const struct apply_opts *o)
{
	struct plan pl = { 0 };
	int rc, fd = -1;

	if ((rc = app_load(app)) != EXIT_OK || (rc = plan_env(app, &pl)) != EXIT_OK)
		goto out;
	if (o->dry_run) {
		rc = dry_run(app, &pl);
		goto out;
	}
	if ((rc = txn_lock(app, &fd)) != EXIT_OK)
		goto out;
	rc = relock_reload(app, &pl);
	if (rc == EXIT_OK)
		rc = apply_locked(app, &pl, o);
	fsx_unlock(fd);
out:
	plan_free(&pl);
	return rc;
}

int cmd_apply(struct app *app, int argc, char **argv)
{
	struct apply_opts o = { 0 };

	if (parse_opts(app, argc, argv, &o) < 0)
		return EXIT_USAGE;
	return run_apply(app, &o);
}

int cmd_reapply(struct app *app, int argc, char **argv)
{
	struct apply_opts o = { .reapply = 1 };

	if (parse_opts(app, argc, argv, &o) < 0)
		return EXIT_USAGE;
	if (o.dry_run) {
		app_error(app, "reapply has no --dry-run; use 'dnsdrop diff'");
		return EXIT_USAGE;
	}
	return run_apply(app, &o);
}
