/* plan.h - where things are on this appliance and what an apply would
 * change: the resolved paths, the rendered drop-ins next to the installed
 * ones and to what dnsdrop last wrote, and which of them were edited by hand.
 * Reads only; used by diff, apply, reapply, rollback, status and verify. */
#ifndef DNSDROP_PLAN_H
#define DNSDROP_PLAN_H

#include <stddef.h>

#include "app.h"
#include "backup.h"
#include "buf.h"
#include "confdir.h"
#include "dnsq.h"

#define PLAN_NFILES 2

enum dropin_state {
	DROPIN_SAME,		/* installed equals the render */
	DROPIN_PENDING,		/* differs, but installed is absent or what dnsdrop wrote */
	DROPIN_DRIFT,		/* differs, and installed is not what dnsdrop last wrote */
};

struct dropin {
	const char *name;	/* RENDER_HOSTS or RENDER_SRV */
	struct buf want;	/* the render of the INI */
	char *have;		/* installed content; NULL when absent */
	size_t have_len;
	enum dropin_state state;
};

struct plan {
	struct dropin file[PLAN_NFILES];
	struct backup_applied applied;	/* what dnsdrop last wrote, and its INI */
	struct confdir_result cd;	/* how conf_dir = auto was found */
	char **restart_argv;
	struct dnsq_server server;
	int verify_off;
	int pending;		/* files that differ from the render */
	int drift;		/* files edited by hand */
};

/* Resolve APP's settings into paths under --root (conf-dir discovery,
 * state dir, dnsmasq, restart command, verify server). Prints what is wrong.
 * Returns EXIT_OK, EXIT_INVALID or EXIT_ENV. */
int plan_env(struct app *app, struct plan *pl);

/* Resolve the dnsmasq binary (app->dnsmasq_bin) and ask it its version
 * (app->dm_ver, dm_quirks, dm_found); once per run. EXIT_OK or EXIT_ENV. */
int plan_dnsmasq(struct app *app);

/* Warn, with the INI line, of each record that behaves differently on the
 * appliance's dnsmasq (plan_dnsmasq first). */
void plan_dnsmasq_warn(struct app *app);

/* What check can judge of the appliance without touching it: when
 * conf_dir = auto finds the conf-dir here, state_dir must lie outside it.
 * Silent when nothing is found (check also runs off the appliance).
 * EXIT_OK or EXIT_INVALID (printed). */
int plan_check(struct app *app);

/* Render the INI and read the installed drop-ins and applied/ copies into
 * PL, classifying each file. Returns EXIT_OK or EXIT_ENV (printed). */
int plan_read(struct app *app, struct plan *pl);

/* 1 when A and B are both present and hold the same bytes. */
int plan_same(const char *a, size_t alen, const char *b, size_t blen);

/* Append the unified diff of every differing file and return how many differ. */
int plan_diff(const struct app *app, const struct plan *pl, struct buf *out);

/* "hosts.conf: 2 added, 1 removed" for file I. */
void plan_summary(const struct plan *pl, int i, char *out, size_t outsz);

/* app_load, plan_env and (READ_FILES) plan_read: what the looking commands
 * need. EXIT_OK, EXIT_INVALID or EXIT_ENV (printed). */
int plan_prepare(struct app *app, struct plan *pl, int read_files);

void plan_free(struct plan *pl);

#endif
