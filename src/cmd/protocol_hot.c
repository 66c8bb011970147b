/* protocol_hot.c - hosts_mode = hot: a change of host addresses only is
 * written into the hosts file of hosts_dir, which dnsmasq rereads by itself
 * (inotify), and served without a restart. Everything else restarts.
 *
 * Only dnsmasq 2.88 and later drop the old entries of a reread hosts file
 * ("handle removal of whole files or entries within files", CHANGELOG
 * 2.88); 2.73-2.87 add the new address next to the old one. So hot mode
 * is refused on anything older, and on a build without inotify. */
#include "protocol.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "service.h"

#define HOT_MIN_VERSION 288	/* major * 100 + minor, as dmver.h */

static int same_or_absent(const char *a, size_t alen, const char *b, size_t blen)
{
	return (!a && !b) || plan_same(a, alen, b, blen);
}

int proto_hot_ok(const struct app *app, char *why, size_t whysz)
{
	unsigned v = app->dm_ver;

	if (!app->dnsmasq_bin[0])
		snprintf(why, whysz, "dnsmasq = off in [dnsdrop], so its version is not known");
	else if (app->dm_inotify < 0 || !v)	/* dm_found: why, or what it said */
		snprintf(why, whysz, "cannot tell the version of %.200s: %.160s", app->dnsmasq_bin,
			 app->dm_found);
	else if (v < HOT_MIN_VERSION)
		snprintf(why, whysz, "dnsmasq %u.%u at %.200s keeps the old address of a changed host next to the new one until a restart (hostsdir drops entries only from 2.88 on)",
			 v / 100, v % 100, app->dnsmasq_bin);
	else if (!app->dm_inotify)
		snprintf(why, whysz, "dnsmasq %u.%u at %.200s is built without inotify, so it never rereads hostsdir",
			 v / 100, v % 100, app->dnsmasq_bin);
	return !app->dnsmasq_bin[0] ? 0 : app->dm_inotify < 0 ? -1 : v >= HOT_MIN_VERSION && app->dm_inotify;
}

/* hosts_dir: created 0755 (dnsmasq may run as another user and must read
 * it), and then only a real directory owned by root or us, writable by
 * nobody else: dnsmasq serves whatever file appears there. */
static int hosts_dir_ready(struct app *app)
{
	const char *dir = app->hosts_dir;
	char err[FSX_ERR_MAX];
	struct stat st;
	int fresh = lstat(dir, &st) < 0 && errno == ENOENT;

	if (fresh && (fsx_mkdir_p(dir, 0755, err) < 0 || chmod(dir, 0755) < 0)) {
		app_error(app, "cannot create hosts_dir %s: %s", dir, fresh ? err : strerror(errno));
		return EXIT_ENV;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		app_error(app, "hosts_dir %s must be a directory (no symlink) owned by root or this user, writable by nobody else; nothing was changed: chown root and chmod 755 it, or set hosts_dir",
			  dir);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

int proto_hot_check(struct proto *t, const struct state *to, const struct state *from)
{
	struct app *app = t->app;
	const int h = PLAN_HOSTSFILE;
	char why[DD_ERR_MAX];
	int r, rc;

	t->hot = 0;
	if (!to->data[h])
		return EXIT_OK;
	if ((r = proto_hot_ok(app, why, sizeof why)) <= 0) {
		app_error(app, "hosts_mode = hot cannot be used here: %s; nothing was changed: set hosts_mode = restart in [dnsdrop] of %s (or install dnsmasq 2.88 or later, built with inotify)",
			  why, app->ini_path);
		return r < 0 ? EXIT_ENV : EXIT_INVALID;
	}
	if ((rc = hosts_dir_ready(app)) != EXIT_OK)
		return rc;
	/* Without a restart only a hosts file that dnsmasq already watches
	 * can change: hosts.conf (its hostsdir= line) and srv.conf stay, and
	 * no earlier change is waiting for its restart (an interrupted hot
	 * one waits for none). */
	t->hot = from->data[h] && !plan_same(to->data[h], to->len[h], from->data[h], from->len[h]) &&
		 same_or_absent(to->data[0], to->len[0], from->data[0], from->len[0]) &&
		 same_or_absent(to->data[1], to->len[1], from->data[1], from->len[1]) &&
		 proto_pending(app) != 1 && !t->no_restart;
	return EXIT_OK;
}

int proto_hot_serve(struct proto *t, const struct state *to, const struct state *from)
{
	char err[FSX_ERR_MAX] = "";
	int rc;

	if (!proto_stop_signal() && proto_verify(t, to) == 0) {
		rc = EXIT_OK;
	} else {
		t->restoring = 1;
		app_error(t->app, "%s failed; writing the previous hosts file back (no restart)",
			  t->action);
		if (proto_install(t, from, err) == 0 && proto_verify(t, from) == 0) {
			app_error(t->app, "the previous state is back and served, without a restart; nothing of this %s remains. %s is as you left it",
				  t->action, t->app->ini_path);
			rc = EXIT_RESTORED;
		} else {
			if (err[0])
				app_error(t->app, "%s", err);
			rc = proto_restore(t, from);
		}
	}
	if (rc != EXIT_RESTORE_FAILED && proto_mark(t, 0, err) < 0)
		app_error(t->app, "warning: %s", err);
	return rc;
}
