/* cmd_rollback.c - bring back an earlier state from the backups: its
 * drop-ins and the INI that produced them, through the same protocol as
 * apply (the state it replaces is backed up first, so a rollback can itself
 * be rolled back). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backup.h"
#include "cmd.h"
#include "fsx.h"
#include "plan.h"
#include "protocol.h"
#include "restore.h"
#include "splice.h"
#include "tty.h"
#include "where.h"

/* The files of one backup, read into memory. */
struct snapshot {
	char id[BACKUP_ID_MAX];
	char *data[PLAN_NFILES];
	size_t len[PLAN_NFILES];
	char *ini;
	size_t ini_len;
	struct dd_config cfg;	/* the INI's records (empty without an INI) */
};

static void snapshot_free(struct snapshot *s)
{
	for (int i = 0; i < PLAN_NFILES; i++)
		free(s->data[i]);
	free(s->ini);
	model_free(&s->cfg);
	*s = (struct snapshot){ 0 };
}

static int snapshot_read(struct app *app, const struct plan *pl, const char *id,
			 struct snapshot *s)
{
	char err[FSX_ERR_MAX];
	int present;

	snprintf(s->id, sizeof s->id, "%s", id);
	for (int i = 0; i <= PLAN_NFILES; i++) {
		int ini = i == PLAN_NFILES;

		if (backup_read_file(app->state_dir, id, ini ? BACKUP_INI : pl->file[i].name,
				     ini ? &s->ini : &s->data[i], ini ? &s->ini_len : &s->len[i],
				     &present, err) < 0) {
			app_error(app, "%s", err);
			return EXIT_ENV;
		}
	}
	return EXIT_OK;
}

/* ID, or else the newest backup whose drop-ins differ from the installed
 * ones (the newest may just be the state a failed apply restored). */
static int choose(struct app *app, const struct plan *pl, const char *id, struct snapshot *s)
{
	struct backup_entry *list = NULL;
	char err[FSX_ERR_MAX];
	size_t n = 0;
	int rc = EXIT_OK, found = 0;

	if (id) {
		/* Malformed or unknown: the same answer, exit 2 (usage). */
		if (backup_find(app->state_dir, id, err) != 0) {
			app_error(app, "%s", err);
			return EXIT_USAGE;
		}
		return snapshot_read(app, pl, id, s);
	}
	if (backup_list(app->state_dir, &list, &n, err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	for (size_t i = 0; i < n && !found && rc == EXIT_OK; i++) {
		if ((rc = snapshot_read(app, pl, list[i].id, s)) != EXIT_OK)
			break;
		/* absent on both sides counts as the same */
		for (int f = 0; f < PLAN_NFILES; f++)
			found |= (s->data[f] || pl->file[f].have) &&
				 !plan_same(s->data[f], s->len[f], pl->file[f].have, pl->file[f].have_len);
		if (!found)
			snapshot_free(s);
	}
	backup_free_list(list, n);
	if (rc == EXIT_OK && !found) {
		app_step(app, "nothing to roll back: no backup differs from the installed drop-ins (%zu backups)", n);
		return -1;
	}
	return rc;
}

/* The INI a rollback writes: the backup's records with today's [dnsdrop]
 * settings, or with --whole-ini the backup's INI as it was. */
static int rollback_ini(const struct app *app, struct snapshot *s, int whole)
{
	struct buf b = { 0 };

	if (!s->ini || whole)
		return 0;
	/* hosts_mode and hosts_dir decide what the drop-ins hold: a backup made
	 * under others comes back with its INI whole, or the INI would not
	 * render what gets installed. */
	if (s->cfg.set.hosts_hot != app->cfg.set.hosts_hot ||
	    strcmp(s->cfg.set.hosts_dir ? s->cfg.set.hosts_dir : "",
		   app->cfg.set.hosts_dir ? app->cfg.set.hosts_dir : "") != 0) {
		app_step(app, "the backup was made with other hosts_mode/hosts_dir settings: its INI comes back whole");
		return 0;
	}
	splice_settings(s->ini, s->ini_len, app->ini_text, app->ini_len, &b);
	if (b.oom) {
		buf_free(&b);
		app_error(app, "out of memory joining the backup's INI with the current settings");
		return -1;
	}
	free(s->ini);
	s->ini = b.p;
	s->ini_len = b.len;
	model_free(&s->cfg);
	if (proto_parse_ini(s->ini, s->ini_len, "(the backup's records)", &s->cfg) == 0)
		return 0;
	app_error(app, "the backup's records with the current [dnsdrop] settings do not make a valid INI; nothing was changed: run 'dnsdrop rollback --whole-ini' to bring back the backup's INI as it was");
	return -1;
}

/* rollback -n: the diff from the installed drop-ins to the backup's. 1 when
 * a rollback would change something, 0 when not, -1 out of memory. */
static int show_diff(const struct app *app, const struct plan *pl, const struct snapshot *s)
{
	struct buf out = { 0 };
	int n = 0, oom = 0;

	for (int i = 0; i < PLAN_NFILES; i++) {
		const struct dropin *f = &pl->file[i];
		char a[PATH_MAX + 16], b[BACKUP_ID_MAX + 32];
		int r;

		snprintf(a, sizeof a, "%s/%s", f->dir, f->name);
		snprintf(b, sizeof b, "backup %s/%s", s->id, f->name);
		r = plan_diff_text(app, f->have, f->have_len, s->data[i], s->len[i], a, b, &out, NULL);
		n += r > 0 || (!f->have != !s->data[i]);
		oom |= r < 0;
	}
	if (!oom && !app->quiet && out.len)
		fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	if (oom)
		app_error(app, "out of memory computing the diff");
	return oom ? -1 : n;
}

/* What a backup without an INI brings back. */
static const char *no_ini_kind(const struct snapshot *s)
{
	return s->data[0] || s->data[1] || s->data[2] ?
	       " (hand-made drop-ins: the INI stays as it is)" :
	       " (from before dnsdrop: no drop-ins, so dnsdrop's are removed; the INI stays as it is, and the next apply or reapply installs its records again)";
}

/* rollback -n after the backup was judged: its diff; EXIT_DIFF when a
 * rollback would change something. */
static int dry_run(const struct app *app, const struct plan *pl, const struct snapshot *s)
{
	int rc = show_diff(app, pl, s);

	if (rc > 0)
		app_step(app, "rollback would bring back backup %s%s", s->id,
			 s->ini ? " and the INI that produced it" : no_ini_kind(s));
	return rc < 0 ? EXIT_ENV : rc > 0 ? EXIT_DIFF : EXIT_OK;
}

/* A backup made under another hosts_dir: its hosts file goes back there,
 * and the one in the current hosts_dir goes away (plan_hosts_dir). */
static int rollback_hosts_dir(struct app *app, struct plan *pl, const struct snapshot *s)
{
	char dir[PATH_MAX];

	if (!s->data[PLAN_HOSTSFILE] || !s->ini || !s->cfg.set.hosts_dir)
		return EXIT_OK;
	if (app_rooted(app, s->cfg.set.hosts_dir, dir) < 0)
		return EXIT_ENV;
	if (strcmp(dir, app->hosts_dir))
		plan_hosts_dir(app, pl, dir);
	return EXIT_OK;
}

struct rb_opts {
	const char *id;
	int dry_run, no_verify, whole;
};

/* Before the change: the conflict check, the INI to write, the diff and, on
 * a terminal, the question. EXIT_OK to go on. */
static int prepare(struct app *app, const struct plan *pl, const struct rb_opts *o,
		   struct snapshot *s)
{
	int rc;

	if ((rc = where_conflicts(app, pl, s->data, s->len)) != EXIT_OK)
		return rc;
	if (rollback_ini(app, s, o->whole) < 0 || show_diff(app, pl, s) < 0)
		return EXIT_ENV;
	if (!tty_confirm(app, "Roll back to this backup?"))
		return tty_declined(app);
	return EXIT_OK;
}

/* Under the lock (a dry run: without): choose the backup, judge it, and
 * show it or bring it back through the protocol. */
static int rollback(struct app *app, struct plan *pl, const struct rb_opts *o)
{
	struct proto t = { .app = app, .pl = pl, .action = "rollback", .no_verify = o->no_verify };
	struct snapshot snap = { 0 };
	struct dd_config old_cfg = { 0 };
	struct state to = { 0 }, from;
	int rc;

	if ((rc = plan_read(app, pl)) != EXIT_OK || (!o->dry_run && (rc = proto_sweep(app, pl)) != EXIT_OK))
		return rc;
	if ((rc = choose(app, pl, o->id, &snap)) != EXIT_OK) {
		rc = rc < 0 ? EXIT_OK : rc;
		goto out;
	}
	/* A backup is data from disk: judged like a new INI first (dry run too). */
	rc = restore_validate(app, pl, &(struct restore_files){ snap.id,
			      { snap.data[0], snap.data[1], snap.data[2] },
			      { snap.len[0], snap.len[1], snap.len[2] }, snap.ini, snap.ini_len }, &snap.cfg);
	if (rc == EXIT_OK)
		rc = rollback_hosts_dir(app, pl, &snap);
	if (rc != EXIT_OK || o->dry_run) {
		rc = rc != EXIT_OK ? rc : dry_run(app, pl, &snap);
		goto out;
	}
	snprintf(t.summary, sizeof t.summary, "back to backup %s", snap.id);
	app_step(app, "rolling back to backup %s%s", snap.id,
		 snap.ini ? "" : no_ini_kind(&snap));
	if ((rc = prepare(app, pl, o, &snap)) != EXIT_OK)
		goto out;
	proto_current(pl, &from, &old_cfg);
	for (int i = 0; i < PLAN_NFILES; i++) {
		to.data[i] = snap.data[i];
		to.len[i] = snap.len[i];
	}
	to.rec = (struct backup_applied){ snap.ini, snap.data[0], snap.data[1], snap.ini_len,
					  snap.len[0], snap.len[1], snap.data[2], snap.len[2] };
	to.ini_file = snap.ini;
	to.ini_file_len = snap.ini_len;
	to.cfg = snap.ini ? &snap.cfg : NULL;
	if (snap.ini) {
		from.ini_file = app->ini_text;
		from.ini_file_len = app->ini_len;
	}
	rc = proto_change(&t, &to, &from);
	if (rc == EXIT_OK)
		app_step(app, "rolled back to %s; the state before is backup %s", snap.id, t.backup_id);
	model_free(&old_cfg);
out:
	snapshot_free(&snap);
	return rc;
}

int cmd_rollback(struct app *app, int argc, char **argv)
{
	struct plan pl = { 0 };
	struct rb_opts o = { 0 };
	int rc, fd = -1;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--no-verify") == 0)
			o.no_verify = 1;
		else if (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "--dry-run") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[i], "--whole-ini") == 0)
			o.whole = 1;
		else if (argv[i][0] != '-' && !o.id)
			o.id = argv[i];
		else {
			app_error(app, "usage: rollback [-n] [--no-verify] [--whole-ini] [-y] [-m TEXT] [ID]");
			return EXIT_USAGE;
		}
	}
	if ((rc = app_load(app)) == EXIT_OK && (rc = where_env(app, &pl)) == EXIT_OK) {
		if (o.dry_run) {
			rc = rollback(app, &pl, &o);
		} else if ((rc = proto_lock(app, &fd)) == EXIT_OK) {
			if ((rc = proto_reload(app, &pl)) == EXIT_OK)
				rc = rollback(app, &pl, &o);
			fsx_unlock(fd);
		}
	}
	plan_free(&pl);
	return rc;
}
