/* app.h - the command layer's context: options, the loaded INI, where
 * things are on the (possibly sandboxed) appliance. Only the command layer
 * (main.c and the cmd_*.c files) prints and picks exit codes. */
#ifndef DNSDROP_APP_H
#define DNSDROP_APP_H

#include <limits.h>
#include <stddef.h>

#include "buf.h"
#include "model.h"
#include "problem.h"

/* Exit codes of DESIGN.md section 6. */
enum {
	EXIT_OK = 0,
	EXIT_DIFF = 1,
	EXIT_USAGE = 2,
	EXIT_INVALID = 3,
	EXIT_RESTORED = 4,
	EXIT_RESTORE_FAILED = 5,
	EXIT_LOCKED = 6,
	EXIT_DRIFT = 7,
	EXIT_ENV = 8,
};

#define APP_DEFAULT_INI "/tandberg/persistent/dnsdrop/dnsdrop.ini"
#define APP_NOTE_MAX 200	/* bytes of -m TEXT, as typed */

struct app {
	const char *root;	/* --root DIR, "" when not sandboxed */
	const char *ini_arg;	/* -c FILE as given, or NULL */
	char ini_path[PATH_MAX];	/* the INI as opened (and named in messages) */
	int quiet, verbose;
	int yes;		/* -y: do not ask on a terminal */
	/* -m TEXT, the change note: every byte outside printable ASCII, '"'
	 * and '\\' written as \xHH, so it stays one quoted field of the
	 * audit log and the backup's meta. "" when none. */
	char note[APP_NOTE_MAX * 4 + 1];
	int color_out, color_err;	/* colour on stdout / stderr */
	char *ini_text;		/* the INI's bytes, NUL-terminated */
	size_t ini_len;
	struct dd_config cfg;
	struct problems pr;
	/* Resolved appliance paths, under root. */
	char conf_dir[PATH_MAX];
	char conf_dir_how[PATH_MAX + 128];	/* how conf_dir was found, for status */
	char state_dir[PATH_MAX];
	char hosts_dir[PATH_MAX];	/* set.hosts_dir under root */
	char dnsmasq_conf[PATH_MAX];
	char dnsmasq_bin[PATH_MAX];	/* "" when off */
	int changed;		/* this run changed the appliance (drop-ins, INI,
				 * restart): its exit code stands even when stdout
				 * failed (the reader went away) */
	/* The appliance's dnsmasq (where_dnsmasq, dmver.h). */
	int dm_probed;
	unsigned dm_ver;	/* major * 100 + minor; 0: it does not say */
	unsigned dm_guess;	/* when it does not: its copyright year's first release */
	unsigned dm_quirks;
	int dm_inotify;	/* its build rereads hostsdir (inotify); -1: not run */
	char dm_found[160];	/* what `dnsmasq --version` said, or why not */
};

/* ROOT + PATH into OUT; -1 (with a message) when it does not fit. */
int app_rooted(const struct app *app, const char *path, char out[PATH_MAX]);

/* Read, validate and render-check the INI into app->cfg; print problems.
 * Returns EXIT_OK, EXIT_INVALID or EXIT_ENV. */
int app_load(struct app *app);

/* Read the INI again and, if its bytes changed (*CHANGED = 1), load it anew
 * (app_load). */
int app_reload(struct app *app, int *changed);

/* Progress: one line per step on stdout, unless -q. */
void app_step(const struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line of a command's output on stdout, even with -q; escaped like
 * app_step and app_error (report_escape): outside text cannot reach the
 * terminal raw. */
void app_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A problem of the environment: "dnsdrop: TEXT" on stderr. */
void app_error(const struct app *app, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A command that takes no arguments got some: say so. -1 then, else 0. */
int app_no_args(struct app *app, const char *cmd, int argc, char **argv);

#endif
