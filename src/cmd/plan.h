/* plan.h - what an apply would change: the rendered drop-ins next to the
 * installed ones and to what dnsdrop last wrote, and which of them were
 * edited by hand.
 * Reads only; used by diff, apply, reapply, rollback, status and verify. */
#ifndef DNSDROP_PLAN_H
#define DNSDROP_PLAN_H

#include <stddef.h>

#include "app.h"
#include "backup.h"
#include "buf.h"
#include "confdir.h"
#include "diff.h"
#include "dnsq.h"

#define PLAN_NFILES 3	/* hosts.conf, srv.conf, the hosts file of hosts_dir */
#define PLAN_HOSTSFILE 2

enum dropin_state {
	DROPIN_SAME,		/* installed equals the render */
	DROPIN_PENDING,		/* differs, but installed is absent or what dnsdrop wrote */
	DROPIN_DRIFT,		/* differs, and installed is not what dnsdrop last wrote */
};

struct dropin {
	const char *name;	/* RENDER_HOSTS, RENDER_SRV or RENDER_HOSTSFILE */
	const char *dir;	/* app->conf_dir, or app->hosts_dir */
	struct buf want;	/* the render of the INI */
	char *have;		/* installed content; NULL when absent */
	size_t have_len;
	enum dropin_state state;
	struct buf diff;	/* unified diff installed -> render, unless SAME */
	struct diff_stats st;	/* its counts */
};

struct plan {
	struct dropin file[PLAN_NFILES];
	struct backup_applied applied;	/* what dnsdrop last wrote, and its INI */
	struct confdir_result cd;	/* how conf_dir = auto was found */
	char **restart_argv;
	struct dnsq_server server;
	int verify_off;
	/* The hosts_dir of the INI dnsdrop applied last (its hostsdir= line),
	 * when it is not the INI's and still holds the hosts file dnsdrop
	 * wrote there: a change takes the file away (it counts as pending). */
	char stale[PATH_MAX];
	char *stale_have;
	size_t stale_len;
	int pending;		/* files that differ from the render */
	int drift;		/* files edited by hand */
};

/* Render the INI and read the installed drop-ins and applied/ copies into
 * PL, classifying each file. Returns EXIT_OK or EXIT_ENV (printed). */
int plan_read(struct app *app, struct plan *pl);

/* Rollback to a backup of another hosts_dir DIR (under --root): the hosts
 * file goes there, and the one PL read becomes the stale one, to be taken
 * away. What DIR holds now is not read: it can only be a file of dnsdrop's
 * that the rollback writes over. */
void plan_hosts_dir(struct app *app, struct plan *pl, const char *dir);

/* 1 when A and B are both present and hold the same bytes. */
int plan_same(const char *a, size_t alen, const char *b, size_t blen);

/* Append to OUT the unified diff (3 lines of context) of A against B
 * (NULL: absent) under LABEL_A and LABEL_B, both escaped first
 * (report_escape): an installed drop-in or a backup may hold anything (a
 * hand-made or planted file), and the diff reaches the terminal. Returns
 * as diff_unified (1 when they differ, 0, -1 out of memory). */
int plan_diff_text(const struct app *app, const char *a, size_t alen, const char *b, size_t blen,
		   const char *label_a, const char *label_b, struct buf *out, struct diff_stats *st);

/* Append the unified diff of every differing file and return how many differ. */
int plan_diff(const struct app *app, const struct plan *pl, struct buf *out);

/* How many files to tell of: the hosts file of hosts_dir only in hot mode
 * or while one exists (PLAN_NFILES), else PLAN_HOSTSFILE, so that restart
 * mode never speaks of it. */
int plan_nshown(const struct plan *pl);

/* "hosts.conf: 2 added, 1 removed" for file I. */
void plan_summary(const struct plan *pl, int i, char *out, size_t outsz);

/* app_load, where_env and (READ_FILES) plan_read: what the looking commands
 * need. EXIT_OK, EXIT_INVALID or EXIT_ENV (printed). */
int plan_prepare(struct app *app, struct plan *pl, int read_files);

void plan_free(struct plan *pl);

#endif
