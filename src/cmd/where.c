/* where.c - where things are on this appliance: conf-dir discovery, the
 * state dir (never inside the conf-dir), dnsmasq, the restart command and
 * the verification server, resolved under --root. */
#include "where.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conflict.h"
#include "dmprobe.h"
#include "dmver.h"
#include "dnsconf.h"
#include "fsx.h"
#include "plan.h"
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

		if (confdir_find(set->dnsmasq_conf, app->root, app->dm_quirks & DMQ_STAR_SKIPS,
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
	while (stat(p, &s) < 0) {
		/* No part of PATH exists (not even "/"): it is nowhere. */
		if (!(slash = strrchr(p, '/')) || slash == p)
			return 0;
		*slash = '\0';
	}
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

/* Resolve the dnsmasq binary (app->dnsmasq_bin) and ask it its version
 * (app->dm_ver, dm_quirks, dm_found); once per run. QUICK (check, which
 * needs only the quirks): read the version written in the binary when it
 * is there (dmprobe_peek), as `dnsmasq --version` takes 5 ms (a program of
 * 20-odd libraries). EXIT_OK or EXIT_ENV. */
static int where_dnsmasq(struct app *app, int quick)
{
	const char *bin = app->cfg.set.dnsmasq;
	char path[PATH_MAX] = "";
	int v;

	if (strcmp(bin, "off") != 0 && app_rooted(app, bin, path) < 0)
		return EXIT_ENV;
	if (app->dm_probed && !strcmp(path, app->dnsmasq_bin))
		return EXIT_OK;	/* asked already (apply reloads the INI) */
	memcpy(app->dnsmasq_bin, path, sizeof path);
	if (quick && path[0] && (v = dmprobe_peek(path)) > 0) {
		app->dm_ver = (unsigned)v;
		app->dm_quirks = dmver_quirks(app->dm_ver);
		return EXIT_OK;
	}
	app->dm_probed = 1;
	v = path[0] ? dmprobe_version(path, app->dm_found, sizeof app->dm_found,
				      &app->dm_inotify) : -1;
	if (!path[0])
		snprintf(app->dm_found, sizeof app->dm_found, "not asked (dnsmasq = off)");
	/* None to ask: the usual one. Says UNKNOWN: the first release of its
	 * copyright year (the oldest behaviours when it has none). */
	app->dm_ver = v < 0 ? DMVER_DEFAULT : (unsigned)v;
	app->dm_guess = v == 0 ? dmver_from_copyright(app->dm_found) : 0;
	app->dm_quirks = dmver_quirks(v == 0 ? app->dm_guess : app->dm_ver);
	return EXIT_OK;
}

void where_dnsmasq_warn(struct app *app)
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

int where_check(struct app *app)
{
	struct confdir_result cd = { 0 };
	struct problems pr = { 0 };
	int rc;

	if ((rc = where_dnsmasq(app, 1)) != EXIT_OK)
		return rc;
	where_dnsmasq_warn(app);
	if (strcmp(app->cfg.set.conf_dir, "auto") != 0)
		return EXIT_OK;	/* validate.c judged an explicit conf_dir */
	if (confdir_find(app->cfg.set.dnsmasq_conf, app->root,
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

int where_env(struct app *app, struct plan *pl)
{
	const struct dd_settings *set = &app->cfg.set;
	char err[SERVICE_ERR_MAX];
	int rc;

	if ((rc = where_dnsmasq(app, 0)) != EXIT_OK || (rc = resolve_conf_dir(app, pl)) != EXIT_OK ||
	    (rc = check_state_dir(app)) != EXIT_OK)
		return rc;
	if (app_rooted(app, set->hosts_dir, app->hosts_dir) < 0)
		return EXIT_ENV;
	if (set->hosts_hot && (path_within(app->hosts_dir, app->conf_dir) ||
			       path_within(app->conf_dir, app->hosts_dir) ||
			       path_within(app->hosts_dir, app->state_dir) ||
			       path_within(app->state_dir, app->hosts_dir))) {
		/* the words of validate_set.c's check (one string in the binary) */
		app_error(app, "hosts_dir %s overlaps state_dir %s or conf_dir %s: dnsmasq would read the other files there; put hosts_dir in a directory of its own (default %s)",
			  set->hosts_dir, app->state_dir, app->conf_dir, "/tandberg/persistent/dnsdrop-hosts");
		return EXIT_INVALID;
	}
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

/* Our drop-ins' TEXT (NULL: the render in PL) against every other file
 * dnsmasq loads: a name both define would be answered twice. Ours are read
 * only when the others define names at all (most appliances: none). */
int where_conflicts(struct app *app, const struct plan *pl, char *const text[],
		    const size_t len[])
{
	const struct dd_settings *set = &app->cfg.set;
	int is_auto = strcmp(set->conf_dir, "auto") == 0, rc = EXIT_OK;
	struct conflict_set ours = { 0 }, theirs = { 0 };
	struct problems pr = { 0 };

	if (confdir_others(set->dnsmasq_conf, app->root, is_auto ? pl->cd.dir : set->conf_dir,
			   is_auto ? pl->cd.filters : NULL, app->dm_quirks & DMQ_STAR_SKIPS,
			   &theirs) < 0) {
		app_error(app, "out of memory reading the other files dnsmasq loads");
		rc = EXIT_ENV;
	}
	for (int i = 0; i < PLAN_NFILES && rc == EXIT_OK && theirs.n; i++) {
		struct dnsconf r = { .file = pl->file[i].name, .pieces = 1,
				     .text = text ? text[i] : pl->file[i].want.p,
				     .len = text ? len[i] : pl->file[i].want.len };
		while (r.text && dnsconf_next(&r))
			conflict_scan_line(&ours, r.file, &r);
	}
	if (rc == EXIT_OK && ours.oom) {
		app_error(app, "out of memory reading the drop-ins");
		rc = EXIT_ENV;
	} else if (rc == EXIT_OK && conflict_find(&ours, &theirs, app->ini_path, &pr) > 0) {
		report_problems(stderr, &pr, app->color_err, 0);
		app_error(app, "nothing was changed: another file dnsmasq loads defines a name of the INI");
		rc = EXIT_INVALID;
	}
	problems_free(&pr);
	conflict_free(&ours);
	conflict_free(&theirs);
	return rc;
}
