/* tty.c - the confirm prompt and the progress line of a change. */
#include "tty.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define TICK_MS 500

int tty_confirm(const struct app *app, const char *question)
{
	char line[8] = "";
	ssize_t n;

	if (app->yes || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return 1;
	printf("%s [y/N] ", question);
	fflush(stdout);
	/* A terminal in canonical mode hands over one line per read. */
	n = read(STDIN_FILENO, line, sizeof line - 1);
	if (n <= 0)
		putchar('\n');
	line[n > 0 ? n : 0] = '\0';
	return (line[0] | 0x20) == 'y' && (line[1] == '\n' ||
		((line[1] | 0x20) == 'e' && (line[2] | 0x20) == 's' && line[3] == '\n'));
}

/* The updating line is drawn by a child process, so the waits of the
 * protocol (restart, DNS) stay as they are and no timer signal interrupts
 * them. It dies with us (PDEATHSIG) and is killed at the end of the step. */
static void ticker(const char *label, long long t0, unsigned limit_s)
{
	char line[256];
	int n;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	for (;;) {
		n = snprintf(line, sizeof line, "\r\033[K%.160s ... %lld s", label,
			     (clock_ms() - t0) / 1000);
		if (limit_s)
			n += snprintf(line + n, sizeof line - (size_t)n, " of %u s", limit_s);
		if (write(STDOUT_FILENO, line, (size_t)n) < 0)
			_exit(0);
		nanosleep(&(struct timespec){ 0, TICK_MS * 1000000L }, NULL);
	}
}

void tty_step_begin(const struct app *app, struct tty_step *s, const char *label,
		    unsigned limit_ms)
{
	s->t0 = clock_ms();
	s->pid = -1;
	snprintf(s->label, sizeof s->label, "%s", label);
	if ((s->on = !app->quiet) == 0)
		return;
	fflush(stdout);
	if (!isatty(STDOUT_FILENO)) {
		printf("%s ... ", s->label);	/* the duration ends the line */
		fflush(stdout);
		return;
	}
	if ((s->pid = fork()) == 0)
		ticker(s->label, s->t0, (limit_ms + 999) / 1000);
}

void tty_step_end(struct tty_step *s, int ok)
{
	long long ms = clock_ms() - s->t0;

	if (!s->on)
		return;
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (isatty(STDOUT_FILENO))
		printf("\r\033[K%s ... ", s->label);
	printf("%s %lld.%lld s\n", ok ? "done in" : "failed after", ms / 1000, ms % 1000 / 100);
	fflush(stdout);
}

int tty_declined(const struct app *app)
{
	app_step(app, "nothing was changed (not confirmed; -y answers yes for scripts)");
	return EXIT_DIFF;
}
