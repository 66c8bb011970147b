/* cmd_apply.c - apply and reapply: options and messages; the change
 * itself is the protocol (protocol.c, DESIGN.md section 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "fsx.h"
#include "plan.h"
#include "protocol.h"
#include "tty.h"
#include "where.h"

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
	for (int i = 0; i < plan_nshown(pl); i++) {
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

/* Under the lock: compare, refuse drift, change through the protocol. */
static int apply_locked(struct app *app, struct plan *pl, const struct apply_opts *o)
{
	struct proto t = { .app = app, .pl = pl, .action = o->reapply ? "reapply" : "apply",
			    .no_restart = o->no_restart, .no_verify = o->no_verify };
	struct dd_config old_cfg = { 0 };
	struct state to, from;
	int rc;

	if ((rc = plan_read(app, pl)) != EXIT_OK || (rc = where_conflicts(app, pl, NULL, NULL)) != EXIT_OK ||
	    (rc = proto_sweep(app, pl)) != EXIT_OK)
		return rc;
	if (!pl->pending) {
		if (!o->reapply)
			app_step(app, "nothing to do: the installed drop-ins in %s match %s",
				 app->conf_dir, app->ini_path);
		return proto_converge(&t, o->reapply);
	}
	if (pl->drift && !o->force)
		return refuse_drift(app, pl);
	summarize(pl, t.summary, sizeof t.summary);
	if (print_diff(app, pl) < 0)
		return EXIT_ENV;
	if (!o->reapply && !tty_confirm(app, "Apply these changes?"))
		return tty_declined(app);
	proto_current(pl, &from, &old_cfg);
	proto_target(app, pl, &to);
	rc = proto_change(&t, &to, &from);
	model_free(&old_cfg);
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
	for (int i = 0; i < plan_nshown(pl); i++) {
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

	if ((rc = app_load(app)) != EXIT_OK || (rc = where_env(app, &pl)) != EXIT_OK)
		goto out;
	if (!o->reapply)
		where_dnsmasq_warn(app);
	if (o->dry_run) {
		rc = dry_run(app, &pl);
		goto out;
	}
	if ((rc = proto_lock(app, &fd)) != EXIT_OK)
		goto out;
	rc = proto_reload(app, &pl);
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
