/* tty.h - what a person at a terminal sees during a change: the question
 * before it (apply, rollback) and one updating line per long step. Off a
 * terminal nothing is asked and each step is one plain line with its
 * duration, so deploy.sh, Ansible and cron read the same as before. */
#ifndef DNSDROP_TTY_H
#define DNSDROP_TTY_H

#include "app.h"

/* 1 to go on: yes typed at the prompt, -y, or no terminal on stdin and
 * stdout (nothing asked). 0 when declined (default, EOF). */
int tty_confirm(const struct app *app, const char *question);

/* Said when tty_confirm returned 0: nothing was changed. EXIT_DIFF. */
int tty_declined(const struct app *app);

/* One long step. Between begin and end nothing else may print: on a
 * terminal the line is rewritten twice a second with the time elapsed
 * against LIMIT_MS (0: no limit shown); end prints the outcome and the
 * duration. */
struct tty_step {
	long long t0;
	int on;			/* 0 with -q */
	int pid;		/* the process drawing the line, or -1 */
	char label[160];
};
void tty_step_begin(const struct app *app, struct tty_step *s, const char *label,
		    unsigned limit_ms);
void tty_step_end(struct tty_step *s, int ok);

#endif
