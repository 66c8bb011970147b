/* restore.h - a backup is data from disk: before rollback writes anything,
 * it is judged like a new INI (DESIGN.md section 3). */
#ifndef DNSDROP_RESTORE_H
#define DNSDROP_RESTORE_H

#include <stddef.h>

#include "app.h"
#include "plan.h"

/* The files of backup ID, as read: DATA[i] is pl->file[i] (NULL: absent),
 * INI the INI that produced them (NULL: hand-made drop-ins). */
struct restore_files {
	const char *id;
	const char *data[PLAN_NFILES];
	size_t len[PLAN_NFILES];
	const char *ini;
	size_t ini_len;
};

/* Judge backup F before it is restored: its INI goes through the same load
 * and validation as any INI (problems shown as ID/dnsdrop.ini:LINE) and
 * its drop-ins must be exactly what that INI renders. (The conf-dir check,
 * where_conflicts, and dnsmasq --test in proto_change judge every backup,
 * hand-made ones too.) On EXIT_OK *CFG holds the INI's records (empty for
 * hand-made files; the caller frees it with model_free). EXIT_INVALID
 * (what is wrong printed) otherwise. */
int restore_validate(struct app *app, const struct plan *pl,
		     const struct restore_files *f, struct dd_config *cfg);

#endif
