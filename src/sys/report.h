/* report.h - how problems and progress look: FILE:LINE: error: TEXT,
 * colour only on a terminal and never with NO_COLOR. */
#ifndef DNSDROP_REPORT_H
#define DNSDROP_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "problem.h"

#define REPORT_MAX_SHOWN 200	/* past this, a count: 100k bad lines stay readable */

#define REPORT_LOG "dnsdrop.log"	/* the audit log, in state_dir */

/* report_escape flags */
#define REPORT_ESC_NL 1u	/* keep newlines: multi-line output (restart's) */
#define REPORT_ESC_FIELD 2u	/* an audit field value: quoted unless plain */

/* The one way outside text (environment, DNS answers, file names and
 * contents, restart output, backups) reaches a terminal, the audit log or
 * syslog: append LEN bytes of S to OUT with control bytes, DEL and invalid
 * UTF-8 as \xNN and C1 controls (U+0080-U+009F) as \uNNNN. With
 * REPORT_ESC_FIELD a value that is empty or holds anything but
 * [A-Za-z0-9._:/@+,-] is put in double quotes, with " and \ escaped by a
 * backslash: a "KEY=VALUE KEY=VALUE" line then splits back into exactly
 * the fields that were written. */
struct buf;
void report_escape(struct buf *out, const char *s, size_t len, unsigned flags);

/* report_escape S (LEN bytes) onto FP. */
void report_put(FILE *fp, const char *s, size_t len, unsigned flags);

/* Nonzero when FP is a terminal, NO_COLOR is unset and NO_COLOR_FLAG is 0. */
int report_color_wanted(FILE *fp, int no_color_flag);

/* Print PR (sorted by line) to FP, at most REPORT_MAX_SHOWN, then a count of
 * the rest. Warnings are left out when QUIET. */
void report_problems(FILE *fp, const struct problems *pr, int color, int quiet);



/* Who is running us, for backups: SUDO_USER, LOGNAME or USER (else
 * "uid N"), plus " from ADDR" when SSH_CLIENT says so; escaped. */
#define REPORT_USER_MAX 160
void report_user(char *out, size_t outsz);

/* Append one line to STATE_DIR/dnsdrop.log (fsync'd) and send it to syslog:
 * "TIME user=U [from=ADDR] action=A exit=N backup=ID [note=N]
 * summary=S", each value
 * a report_escape field. The log must be a regular file of ours. 0, or -1 with
 * a sentence in ERR (FSX_ERR_MAX bytes). */
int report_audit(const char *state_dir, const char *action, int rc,
		 const char *summary, const char *backup_id, const char *note, char *err);

/* Before a change: can report_audit write the log (a regular file of ours,
 * created 0600 if missing)? 0, or -1 with ERR naming the path and fix. */
int report_log_check(const char *state_dir, char *err);

/* The last line of STATE_DIR/dnsdrop.log into OUT, escaped ("" when none
 * or the log cannot be trusted). */
void report_last_change(const char *state_dir, char *out, size_t outsz);
#endif
