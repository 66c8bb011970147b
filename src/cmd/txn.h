/* txn.h - one change of the appliance under the state lock: back up what is
 * installed, write the new drop-ins atomically, restart dnsmasq, verify by
 * DNS queries, and on failure bring the old state back (DESIGN.md section 7,
 * steps 5-10). Shared by apply and rollback. Prints progress and errors. */
#ifndef DNSDROP_TXN_H
#define DNSDROP_TXN_H

#include "app.h"
#include "backup.h"
#include "plan.h"

#define TXN_PENDING BACKUP_PENDING

/* A state of the appliance. Pointers are borrowed. */
struct state {
	const char *data[PLAN_NFILES];	/* drop-ins; NULL: absent */
	size_t len[PLAN_NFILES];
	struct backup_applied rec;	/* what to record in applied/ (NULL: none) */
	const char *ini_file;		/* written over the INI (rollback); NULL: leave it */
	size_t ini_file_len;
	const struct dd_config *cfg;	/* records to verify; NULL: only "dnsmasq answers" */
};

struct txn {
	struct app *app;
	struct plan *pl;
	const char *action;		/* "apply", "rollback", ... for messages and the log */
	int no_restart, no_verify;
	char backup_id[BACKUP_ID_MAX];
	char summary[256];		/* "hosts.conf: 2 added, 1 removed; srv.conf: unchanged" */
};

/* After txn_lock: read the INI again (rollback rewrites it under the lock)
 * and, if it changed, resolve PL anew. EXIT_OK, EXIT_INVALID or EXIT_ENV. */
int relock_reload(struct app *app, struct plan *pl);

/* Take the state lock in app->state_dir. EXIT_OK (*FD holds it), EXIT_LOCKED
 * or EXIT_ENV, printed. */
int txn_lock(struct app *app, int *fd);

/* The records of an earlier INI (from applied/ or a backup), for checking
 * that they are served again; problems are not shown. 0, or -1 (CFG empty)
 * when it is no longer valid. */
int txn_parse_ini(const char *text, size_t len, struct dd_config *cfg);

/* The state installed now, as PL read it: its drop-ins, applied/ record and,
 * when the installed files are exactly what dnsdrop wrote, the records of
 * the INI that produced them (parsed into *OLD_CFG, which the caller frees
 * with model_free). */
void txn_current(const struct plan *pl, struct state *cur, struct dd_config *old_cfg);

/* Under the lock, before anything else: remove what killed runs left (temp
 * files in the conf-dir, the probe, the INI's directory, state_dir and
 * applied/, staging copies). EXIT_OK or EXIT_ENV, printed. */
int txn_sweep(struct app *app, const struct plan *pl);

/* Before anything changes: the drop-ins are regular files or absent, the
 * conf-dir takes a new file, and the restart program is an executable file
 * (else a change could be written but never restarted). EXIT_OK/EXIT_ENV. */
int txn_preflight(struct txn *t);

/* Back up the installed state into state_dir/backups (fills t->backup_id)
 * and prune to keep_backups. EXIT_OK or EXIT_ENV. */
int txn_backup(struct txn *t);

/* Install TO (from FROM, the state installed now), restart, verify; on any
 * failure restore FROM. Returns EXIT_OK, EXIT_ENV (failed before dnsmasq
 * saw anything; FROM is in place), EXIT_RESTORED or EXIT_RESTORE_FAILED. */
int txn_run(struct txn *t, const struct state *to, const struct state *from);

/* 1 when an earlier run was stopped between writing the drop-ins and
 * dnsmasq serving a known state (the pending mark is in state_dir). */
int txn_pending(const struct app *app);

/* Finish such a run: restart, verify the INI's records, clear the mark.
 * EXIT_OK, or EXIT_RESTORE_FAILED (dnsmasq was restarted and does not
 * serve the INI; the mark stays for the next run). */
int txn_resume(struct txn *t);

/* Check that dnsmasq serves CFG (NULL: that it answers at all). 0 or -1. */
int txn_verify(struct txn *t, const struct dd_config *cfg);

/* One line in state_dir/dnsdrop.log and syslog for this change. */
void txn_audit(const struct txn *t, int rc);

#endif
