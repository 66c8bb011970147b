/* plan.c - resolving the appliance and comparing what is with what should be. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "dmprobe.h"
#include "dmver.h"
#include "fsx.h"
#include "render.h"
#include "report.h"
#include "service.h"

/* 1 when PATH is DIR or lies below it (textually: both are normalised
 * absolute paths without "..", validate.c sees to that). */
static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int resolve_conf_dir(struct app *app, struct plan *pl)
{
	const struct dd_settings *set = &app->cfg.set;
	char err[FSX_ERR_MAX];
	int fd;

	if (strcmp(set->conf_dir, "auto") == 0) {
		struct problems pr = { 0 };

		if (confdir_find_v(set->dnsmasq_conf, app->root, app->dm_quirks & DMQ_STAR_SKIPS,
				   &pl->cd, &pr) < 0) {
			report_problems(stderr, &pr, app->color_err, 0);
			problems_free(&pr);
			app_error(app, "cannot tell where dnsmasq reads drop-ins from; set conf_dir = DIR in [dnsdrop] of %s",
				  app->ini_path);
			return EXIT_ENV;
		}
		problems_free(&pr);
		snprintf(app->conf_dir, sizeof app->conf_dir, "%s", pl->cd.dir_rooted);
		snprintf(app->conf_dir_how, sizeof app->conf_dir_how, "auto: %s", pl->cd.how);
	} else {
		if (app_rooted(app, set->conf_dir, app->conf_dir) < 0)
			return EXIT_ENV;
		snprintf(app->conf_dir_how, sizeof app->conf_dir_how, "conf_dir in %s", app->ini_path);
	}
	if ((fd = fsx_open_dir(app->conf_dir, err)) < 0) {
		app_error(app, "conf-dir (%s): %s", app->conf_dir_how, err);
		app_error(app, "fix conf_dir in [dnsdrop] of %s, or create the directory dnsmasq reads",
			  app->ini_path);
		return EXIT_ENV;
	}
	close(fd);
	return EXIT_OK;
}

/* 1 when PATH, or the nearest part of it that exists, is DIR or below it
 * on disk: a symlink can lead there when the names do not. */
static int inode_within(const char *path, const char *dir)
{
	char p[PATH_MAX];
	struct stat d, s;
	char *slash;

	if (stat(dir, &d) < 0 || snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return 0;
	while (stat(p, &s) < 0 && (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	for (;;) {
		if (s.st_dev == d.st_dev && s.st_ino == d.st_ino)
			return 1;
		if (!(slash = strrchr(p, '/')) || slash == p)
			return 0;
		*slash = '\0';
		if (stat(p, &s) < 0)
			return 0;
	}
}

/* State never lives inside the conf-dir: dnsmasq would load backups. */
static int check_state_dir(struct app *app)
{
	if (app_rooted(app, app->cfg.set.state_dir, app->state_dir) < 0)
		return EXIT_ENV;
	if (path_within(app->state_dir, app->conf_dir) ||
	    inode_within(app->state_dir, app->conf_dir)) {
		app_error(app, "state_dir %s is inside the conf-dir %s: dnsmasq would load the backups as configuration; set state_dir elsewhere (default /tandberg/persistent/dnsdrop)",
			  app->cfg.set.state_dir, app->conf_dir);
		return EXIT_INVALID;
	}
	return EXIT_OK;
}

int plan_dnsmasq(struct app *app)
{
	const char *bin = app->cfg.set.dnsmasq;
	char path[PATH_MAX] = "";
	int v;

	if (strcmp(bin, "off") != 0 && app_rooted(app, bin, path) < 0)
		return EXIT_ENV;
	if (app->dm_probed && !strcmp(path, app->dnsmasq_bin))
		return EXIT_OK;	/* asked already (apply reloads the INI) */
	memcpy(app->dnsmasq_bin, path, sizeof path);
	app->dm_probed = 1;
	v = app->dnsmasq_bin[0] ? dmprobe_version(app->dnsmasq_bin, app->dm_found,
						  sizeof app->dm_found) : -1;
	if (!app->dnsmasq_bin[0])
		snprintf(app->dm_found, sizeof app->dm_found, "not asked (dnsmasq = off)");
	/* None to ask: the usual one. Says UNKNOWN: the first release of its
	 * copyright year (the oldest behaviours when it has none). */
	app->dm_ver = v < 0 ? DMVER_DEFAULT : (unsigned)v;
	app->dm_guess = v == 0 ? dmver_from_copyright(app->dm_found) : 0;
	app->dm_quirks = dmver_quirks(v == 0 ? app->dm_guess : app->dm_ver);
	return EXIT_OK;
}

void plan_dnsmasq_warn(struct app *app)
{
	struct problems pr = { 0 };
	char who[48];

	if (app->dm_ver)
		snprintf(who, sizeof who, "dnsmasq %u.%02u", app->dm_ver / 100, app->dm_ver % 100);
	else
		snprintf(who, sizeof who, "dnsmasq UNKNOWN (taken as %u.%02u)",
			 (app->dm_guess ? app->dm_guess : 266) / 100, (app->dm_guess ? app->dm_guess : 266) % 100);
	dmver_warn(&app->cfg, app->dm_quirks, who, &pr);
	report_problems(stderr, &pr, app->color_err, app->quiet);
	problems_free(&pr);
}

int plan_check(struct app *app)
{
	struct confdir_result cd = { 0 };
	struct problems pr = { 0 };
	int rc = EXIT_OK;

	if ((rc = plan_dnsmasq(app)) != EXIT_OK)
		return rc;
	plan_dnsmasq_warn(app);
	if (strcmp(app->cfg.set.conf_dir, "auto") != 0)
		return EXIT_OK;	/* validate.c judged an explicit conf_dir */
	if (confdir_find_v(app->cfg.set.dnsmasq_conf, app->root,
			   app->dm_quirks & DMQ_STAR_SKIPS, &cd, &pr) == 0) {
		snprintf(app->conf_dir, sizeof app->conf_dir, "%s", cd.dir_rooted);
		rc = check_state_dir(app);
	} else if (app->verbose) {
		app_step(app, "note: conf_dir = auto finds no conf-dir on this machine; apply will look again on the appliance");
	}
	confdir_free(&cd);
	problems_free(&pr);
	return rc;
}

int plan_env(struct app *app, struct plan *pl)
{
	const struct dd_settings *set = &app->cfg.set;
	char err[SERVICE_ERR_MAX];
	int rc;

	if ((rc = plan_dnsmasq(app)) != EXIT_OK || (rc = resolve_conf_dir(app, pl)) != EXIT_OK ||
	    (rc = check_state_dir(app)) != EXIT_OK)
		return rc;
	if (service_split(set->restart, app->root, &pl->restart_argv, err) < 0) {
		app_error(app, "restart: %s", err);
		return EXIT_INVALID;
	}
	pl->verify_off = set->verify_off;
	if (!set->verify_off &&
	    dnsq_server_init(&pl->server, set->verify_addr, set->verify_port, err) < 0) {
		app_error(app, "verify: %s", err);
		return EXIT_INVALID;
	}
	return EXIT_OK;
}

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

int plan_read(struct app *app, struct plan *pl)
{
	char err[FSX_ERR_MAX], path[PATH_MAX];
	const char *last[PLAN_NFILES];
	size_t last_len[PLAN_NFILES];

	pl->file[0].name = RENDER_HOSTS;
	pl->file[1].name = RENDER_SRV;
	render_hosts(&app->cfg, &pl->file[0].want);
	render_srv(&app->cfg, &pl->file[1].want);
	if (pl->file[0].want.oom || pl->file[1].want.oom) {
		app_error(app, "out of memory rendering the drop-ins");
		return EXIT_ENV;
	}
	if (backup_read_applied(app->state_dir, &pl->applied, err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	last[0] = pl->applied.hosts, last_len[0] = pl->applied.hosts_len;
	last[1] = pl->applied.srv, last_len[1] = pl->applied.srv_len;
	for (int i = 0; i < PLAN_NFILES; i++) {
		struct dropin *f = &pl->file[i];
		if (fsx_join(path, app->conf_dir, f->name, err) < 0 ||
		    fsx_read(path, BACKUP_FILE_MAX, FSX_ABSENT_OK, &f->have, &f->have_len, err) < 0) {
			app_error(app, "%s", err);
			app_error(app, "nothing was changed: check what it is, move it out of the conf-dir, then run the command again");
			return EXIT_ENV;
		}
		classify(f, last[i], last_len[i], pl);
	}
	return EXIT_OK;
}

int plan_diff(const struct app *app, const struct plan *pl, struct buf *out)
{
	int n = 0;

	for (int i = 0; i < PLAN_NFILES; i++) {
		const struct dropin *f = &pl->file[i];
		char old_label[PATH_MAX + 16], new_label[PATH_MAX + 16];

		if (f->state == DROPIN_SAME)
			continue;
		snprintf(old_label, sizeof old_label, "%s/%s (installed)", app->conf_dir, f->name);
		snprintf(new_label, sizeof new_label, "%s (from %s)", f->name, app->ini_path);
		if (diff_unified(f->have ? f->have : "", f->have_len, f->want.p, f->want.len,
				 old_label, new_label, 3, app->color_out, out, NULL) < 0)
			out->oom = 1;
		n++;
	}
	return n;
}

/* Count records, not lines: the two header comments are not news. */
static void count_records(const struct buf *d, size_t *added, size_t *removed)
{
	const char *p = d->p, *end = d->p + d->len;

	*added = *removed = 0;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (p[0] == '+' && p[1] != '+' && p[1] != '#')
			++*added;
		else if (p[0] == '-' && p[1] != '-' && p[1] != '#')
			++*removed;
		p = nl ? nl + 1 : end;
	}
}

void plan_summary(const struct plan *pl, int i, char *out, size_t outsz)
{
	const struct dropin *f = &pl->file[i];
	struct buf scratch = { 0 };
	size_t added, removed;

	if (f->state == DROPIN_SAME) {
		snprintf(out, outsz, "%s: unchanged", f->name);
		return;
	}
	diff_unified(f->have ? f->have : "", f->have_len, f->want.p, f->want.len,
		     "a", "b", 0, 0, &scratch, NULL);
	count_records(&scratch, &added, &removed);
	buf_free(&scratch);
	snprintf(out, outsz, "%s: %zu added, %zu removed%s%s", f->name, added, removed,
		 f->have ? "" : " (not installed)",
		 f->state == DROPIN_DRIFT ? " (edited by hand)" : "");
}

void plan_free(struct plan *pl)
{
	for (int i = 0; i < PLAN_NFILES; i++) {
		buf_free(&pl->file[i].want);
		free(pl->file[i].have);
	}
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
		rc = plan_env(app, pl);
	if (rc == EXIT_OK && read_files)
		rc = plan_read(app, pl);
	return rc;
}
