/* plan.c - comparing what is on the appliance with what should be. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fsx.h"
#include "render.h"
#include "report.h"
#include "where.h"

int plan_same(const char *a, size_t alen, const char *b, size_t blen)
{
	return a && b && alen == blen && memcmp(a, b, alen) == 0;
}

static void classify(struct dropin *f, const char *last, size_t last_len, struct plan *pl)
{
	if (plan_same(f->have, f->have_len, f->want.p, f->want.len)) {
		f->state = DROPIN_SAME;
		return;
	}
	pl->pending++;
	/* Absent (an upgrade wiped it) or exactly what dnsdrop wrote last:
	 * replacing it loses nothing. Anything else was made by hand. */
	if (!f->have || plan_same(f->have, f->have_len, last, last_len)) {
		f->state = DROPIN_PENDING;
	} else {
		f->state = DROPIN_DRIFT;
		pl->drift++;
	}
}

int plan_diff_text(const struct app *app, const char *a, size_t alen, const char *b, size_t blen,
		   const char *label_a, const char *label_b, struct buf *out, struct diff_stats *st)
{
	struct buf ea = { 0 }, eb = { 0 };
	int rc;

	report_escape(&ea, a ? a : "", a ? alen : 0, REPORT_ESC_NL);
	report_escape(&eb, b ? b : "", b ? blen : 0, REPORT_ESC_NL);
	rc = ea.oom || eb.oom ? -1 : diff_unified(ea.p ? ea.p : "", ea.len, eb.p ? eb.p : "", eb.len,
						   label_a, label_b, 3, app->color_out, out, st);
	buf_free(&ea);
	buf_free(&eb);
	return rc;
}

/* The diff of F, once: plan_diff prints it, plan_summary counts it. */
static int diff_file(const struct app *app, struct dropin *f)
{
	char old_label[PATH_MAX + 16], new_label[PATH_MAX + 16];

	snprintf(old_label, sizeof old_label, "%s/%s (installed)", f->dir, f->name);
	snprintf(new_label, sizeof new_label, "%s (from %s)", f->name, app->ini_path);
	return plan_diff_text(app, f->have, f->have_len, f->want.p, f->want.len, old_label,
			      new_label, &f->diff, &f->st) < 0 ? -1 : 0;
}

/* The hostsdir= line of what dnsdrop last wrote into hosts.conf, under
 * --root, into OUT ("" when it has none). */
static void applied_dir(const struct app *app, const struct plan *pl, char out[PATH_MAX])
{
	char *p = pl->applied.hosts ? strstr(pl->applied.hosts, "\nhostsdir=") : NULL, *nl;

	out[0] = 0;
	if (!p || !(nl = strchr(p += 10, '\n')))
		return;
	*nl = 0;	/* for a moment: the path ends there */
	if (app_rooted(app, p, out) < 0)
		out[0] = 0;
	*nl = '\n';
}

int plan_read(struct app *app, struct plan *pl)
{
	char err[FSX_ERR_MAX], path[PATH_MAX], old[PATH_MAX];
	const char *last[PLAN_NFILES];
	size_t last_len[PLAN_NFILES];
	int moved;

	pl->file[0].name = RENDER_HOSTS;
	pl->file[1].name = RENDER_SRV;
	pl->file[2].name = RENDER_HOSTSFILE;
	pl->file[0].dir = pl->file[1].dir = app->conf_dir;
	pl->file[2].dir = app->hosts_dir;
	render_all(&app->cfg, &pl->file[0].want, &pl->file[1].want, &pl->file[2].want);
	if (pl->file[0].want.oom || pl->file[1].want.oom || pl->file[2].want.oom) {
		app_error(app, "out of memory rendering the drop-ins");
		return EXIT_ENV;
	}
	if (backup_read_applied(app->state_dir, &pl->applied, err) < 0)
		goto fail;
	last[0] = pl->applied.hosts, last_len[0] = pl->applied.hosts_len;
	last[1] = pl->applied.srv, last_len[1] = pl->applied.srv_len;
	last[2] = pl->applied.file, last_len[2] = pl->applied.file_len;
	/* The hosts file of the hosts_dir dnsdrop wrote last, if that was
	 * another one: the next change takes it away. */
	applied_dir(app, pl, old);
	moved = old[0] && strcmp(old, app->hosts_dir) != 0;
	if (moved && (fsx_join(path, old, RENDER_HOSTSFILE, err) < 0 ||
		      fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, &pl->stale_have, &pl->stale_len, err) < 0))
		goto fail;
	if (pl->stale_have)
		memcpy(pl->stale, old, sizeof old), pl->pending++;
	for (int i = 0; i < PLAN_NFILES; i++) {
		struct dropin *f = &pl->file[i];

		/* In restart mode the hosts file is ours only if we wrote it
		 * there: never touch a "hosts" that hosts_dir happens to hold. */
		if (i == PLAN_HOSTSFILE && !app->cfg.set.hosts_hot && (!last[i] || moved))
			continue;
		if (fsx_join(path, f->dir, f->name, err) < 0 ||
		    fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, &f->have, &f->have_len, err) < 0) {
			app_error(app, "%s", err);
			app_error(app, "nothing was changed: check what it is, move it out of the conf-dir, then run the command again");
			return EXIT_ENV;
		}
		classify(f, last[i], last_len[i], pl);
		if (f->state != DROPIN_SAME && diff_file(app, f) < 0) {
			app_error(app, "out of memory comparing %s", f->name);
			return EXIT_ENV;
		}
	}
	return EXIT_OK;
fail:
	app_error(app, "%s", err);
	return EXIT_ENV;
}

void plan_hosts_dir(struct app *app, struct plan *pl, const char *dir)
{
	struct dropin *f = &pl->file[PLAN_HOSTSFILE];

	memcpy(pl->stale, f->dir, sizeof pl->stale);
	free(pl->stale_have);
	pl->stale_have = f->have, pl->stale_len = f->have_len;
	f->have = NULL, f->have_len = 0;
	memcpy(app->hosts_dir, dir, sizeof app->hosts_dir);
}

int plan_diff(const struct app *app, const struct plan *pl, struct buf *out)
{
	int n = 0;

	for (int i = 0; i < PLAN_NFILES; i++) {
		const struct dropin *f = &pl->file[i];

		if (f->state == DROPIN_SAME)
			continue;
		buf_add(out, f->diff.p, f->diff.len);
		n++;
	}
	if (pl->stale[0])
		buf_printf(out, "--- %s/%s (from the earlier hosts_dir: removed)\n", pl->stale,
			   RENDER_HOSTSFILE);
	return n + !!pl->stale[0];
}

int plan_nshown(const struct plan *pl)
{
	const struct dropin *f = &pl->file[PLAN_HOSTSFILE];

	return f->have || f->want.len || f->state != DROPIN_SAME ? PLAN_NFILES : PLAN_HOSTSFILE;
}

void plan_summary(const struct plan *pl, int i, char *out, size_t outsz)
{
	const struct dropin *f = &pl->file[i];

	if (f->state == DROPIN_SAME) {
		snprintf(out, outsz, "%s: unchanged", f->name);
		return;
	}
	/* Count records, not lines: the header comments and the marker are
	 * not news. */
	snprintf(out, outsz, "%s: %zu added, %zu removed%s%s", f->name,
		 f->st.added_records, f->st.removed_records,
		 f->have ? "" : " (a new file)",
		 f->state == DROPIN_DRIFT ? " (edited by hand)" : "");
}

void plan_free(struct plan *pl)
{
	for (int i = 0; i < PLAN_NFILES; i++) {
		buf_free(&pl->file[i].want);
		buf_free(&pl->file[i].diff);
		free(pl->file[i].have);
	}
	free(pl->stale_have);
	backup_applied_free(&pl->applied);
	confdir_free(&pl->cd);
	free(pl->restart_argv);
	*pl = (struct plan){ 0 };
}

/* Load the INI and resolve the appliance: what every command here needs. */
int plan_prepare(struct app *app, struct plan *pl, int read_files)
{
	int rc = app_load(app);

	if (rc == EXIT_OK)
		rc = where_env(app, pl);
	if (rc == EXIT_OK && read_files)
		rc = plan_read(app, pl);
	return rc;
}
