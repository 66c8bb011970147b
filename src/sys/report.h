/* report.h - how problems and progress look: FILE:LINE: error: TEXT,
 * colour only on a terminal and never with NO_COLOR. */
#ifndef DNSDROP_REPORT_H
#define DNSDROP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "problem.h"

#define REPORT_MAX_SHOWN 200	/* past this, a count: 100k bad lines stay readable */

/* Nonzero when FP is a terminal, NO_COLOR is unset and NO_COLOR_FLAG is 0. */
int report_color_wanted(FILE *fp, int no_color_flag);

/* Print PR (sorted by line) to FP, at most REPORT_MAX_SHOWN, then a count of
 * the rest. Warnings are left out when QUIET. */
void report_problems(FILE *fp, const struct problems *pr, int color, int quiet);



/* Who is running us, for backups and the audit log: SUDO_USER, LOGNAME or
 * USER (else "uid N"), plus " from ADDR" when SSH_CLIENT says so. */
#define REPORT_USER_MAX 160
void report_user(char *out, size_t outsz);

/* Append one line to STATE_DIR/dnsdrop.log (fsync'd) and send it to syslog:
 * time, user, action, result (exit code), backup ID, note (already
 * escaped, "" or NULL: none), summary. 0, or -1 with
 * a sentence in ERR (FSX_ERR_MAX bytes). */
int report_audit(const char *state_dir, const char *action, int rc,
		 const char *summary, const char *backup_id, const char *note, char *err);

/* The last line of STATE_DIR/dnsdrop.log into OUT ("" when none). */
void report_last_change(const char *state_dir, char *out, size_t outsz);
#endif
