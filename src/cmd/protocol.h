/* protocol.h - the one way dnsdrop changes the appliance (DESIGN.md
 * section 7), run by apply, reapply and rollback alike: lock, sweep of what
 * a killed run left, dnsmasq --test on a staging copy, backup, atomic write,
 * restart, verification that the new generation answers, restore on
 * failure, audit. From the first change on disk to the outcome no signal
 * stops it halfway (protocol_serve.c). Prints progress and errors; the
 * command files keep only their options and messages. */
#ifndef DNSDROP_PROTOCOL_H
#define DNSDROP_PROTOCOL_H

#include <signal.h>

#include "app.h"
#include "backup.h"
#include "plan.h"
#include "render.h"

#define PROTO_PENDING BACKUP_PENDING	/* in state_dir: a change written, not yet served */
#define PROTO_PENDING_HOT " hot"	/* the end of the mark of a hot change */
#define PROTO_NSIG 3		/* signals guarded during a change (SIGPIPE: main.c) */

/* A state of the appliance. Pointers are borrowed. */
struct state {
	const char *data[PLAN_NFILES];	/* drop-ins; NULL: absent */
	size_t len[PLAN_NFILES];
	struct backup_applied rec;	/* what to record in applied/ (NULL: none) */
	const char *ini_file;		/* written over the INI (rollback); NULL: leave it */
	size_t ini_file_len;
	const struct dd_config *cfg;	/* records to verify; NULL: only "dnsmasq answers" */
	const char *stale;		/* the hosts file of pl->stale (NULL: removed) */
	size_t stale_len;
};

struct proto {
	struct app *app;
	struct plan *pl;
	const char *action;		/* "apply", "rollback", ... for messages and the log */
	int no_restart, no_verify;
	int hot;			/* only the hosts file changes: no restart (protocol_hot.c) */
	char backup_id[BACKUP_ID_MAX];
	char summary[256];		/* "hosts.conf: 2 added, 1 removed; srv.conf: unchanged" */
	/* Set by the protocol itself. */
	int restoring;			/* on the way back: signals no longer cut waits short */
	int was_silent;			/* dnsmasq did not answer before the change */
	struct sigaction saved[PROTO_NSIG];	/* dispositions before the guard */
};

/* Take the state lock in app->state_dir. EXIT_OK (*FD holds it), EXIT_LOCKED
 * or EXIT_ENV, printed. */
int proto_lock(struct app *app, int *fd);

/* After proto_lock: read the INI again (rollback rewrites it under the lock)
 * and, if it changed, resolve PL anew. EXIT_OK, EXIT_INVALID or EXIT_ENV
 * (also when the INI now names another state_dir than the locked one). */
int proto_reload(struct app *app, struct plan *pl);

/* Under the lock, before anything else: remove what killed runs left (temp
 * files in the conf-dir, the probe, the INI's directory, state_dir and
 * applied/, staging copies). EXIT_OK or EXIT_ENV, printed. */
int proto_sweep(struct app *app, const struct plan *pl);

/* The records of an earlier INI (from applied/ or a backup), for checking
 * that they are served again; problems are not shown, and later warnings
 * name LABEL (a string that outlives CFG) as its file. 0, or -1 (CFG
 * empty) when it is no longer valid. */
int proto_parse_ini(const char *text, size_t len, const char *label, struct dd_config *cfg);

/* The state installed now, as PL read it: its drop-ins, applied/ record and,
 * when the installed files are exactly what dnsdrop wrote, the records of
 * the INI that produced them (parsed into *OLD_CFG, which the caller frees
 * with model_free). */
void proto_current(const struct plan *pl, struct state *cur, struct dd_config *old_cfg);

/* The state the INI asks for: PL's render, recorded with APP's INI. */
void proto_target(const struct app *app, const struct plan *pl, struct state *to);

/* Change the appliance from FROM (installed now) to TO: preflight, dnsmasq
 * --test, backup, write, restart, verify; on failure or SIGINT/SIGTERM
 * restore FROM. The audit log gets the outcome. Returns EXIT_OK, EXIT_ENV or
 * EXIT_INVALID (nothing was changed), EXIT_RESTORED or EXIT_RESTORE_FAILED. */
int proto_change(struct proto *p, const struct state *to, const struct state *from);

/* The drop-ins already equal the INI's render: keep applied/ true, and if a
 * change is still pending, or (HEALTH) dnsmasq does not answer with this
 * generation, restart and verify (audited). Silent and restart-free when
 * all is well. EXIT_OK or EXIT_ENV. */
int proto_converge(struct proto *p, int health);

/* 1 when an earlier change was written but not yet served (the pending
 * mark is in state_dir), 2 when that change was hot (the hosts file
 * alone: dnsmasq may serve it already); 0 when none. */
int proto_pending(const struct app *app);

/* The marker's address of state S (in its hosts file, else its
 * hosts.conf) into OUT; 0, or -1 when S carries none. */
int proto_marker(const struct state *s, char out[RENDER_MARKER_ADDR_MAX]);

/* Which generation dnsmasq serves, asked once: 1 the one of S (or S
 * carries no marker), 0 another or none, -1 no answer at all. */
int proto_served(const struct plan *pl, const struct state *s);

/* For protocol_hot.c: write state S (each file not already S's, the INI,
 * applied/); set or clear the pending mark; the way back with a restart. */
int proto_install(struct proto *p, const struct state *s, char *err);
int proto_mark(struct proto *p, int on, char *err);
int proto_restore(struct proto *p, const struct state *from);

/* protocol_hot.c: before anything changes, decide P->hot (TO differs from
 * FROM only in the hosts file, nothing pending) and, when TO has a hosts
 * file, check that this dnsmasq rereads it correctly (2.88+, inotify) and
 * that hosts_dir is a trusted directory (created 0755). EXIT_OK, or
 * EXIT_INVALID / EXIT_ENV with nothing changed (printed). */
int proto_hot_check(struct proto *p, const struct state *to, const struct state *from);
/* 1 when the appliance's dnsmasq (where_dnsmasq asked it) rereads hostsdir
 * files correctly, 0 when not (WHY says which version and what it lacks),
 * -1 when it could not be asked. */
int proto_hot_ok(const struct app *app, char *why, size_t whysz);
/* After TO's hosts file is written: wait for its generation, verify every
 * record; on failure write FROM's back the same way (a restart only if that
 * fails too). EXIT_OK, EXIT_RESTORED or EXIT_RESTORE_FAILED. */
int proto_hot_serve(struct proto *p, const struct state *to, const struct state *from);

/* protocol_serve.c, for protocol.c: the signal guard, restart, verify. */
void proto_guard(struct proto *p);
void proto_unguard(struct proto *p);
int proto_stop_signal(void);		/* SIGINT or SIGTERM caught: restore; else 0 */
int proto_hup_seen(void);		/* SIGHUP caught (the terminal went away) */
int proto_restart(struct proto *p);
int proto_verify(struct proto *p, const struct state *s);

#endif
