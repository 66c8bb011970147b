/* report.c - printing problems for people and editors. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <syslog.h>
#include <time.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "fsx.h"
#include "utc.h"

int report_color_wanted(FILE *fp, int no_color_flag)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no_color_flag || (nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return 0;
	return isatty(fileno(fp));
}

/* Problem texts quote values from files; a control character there (C0,
 * DEL, or a UTF-8 C1 such as U+009B) must never reach the terminal. */
static void put_text(FILE *fp, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if (*u < 0x20 || *u == 0x7f)
			fprintf(fp, "\\x%02x", *u);
		else if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			fprintf(fp, "\\u%04x", *++u);
		else
			fputc(*u, fp);
	}
}

void report_problems(FILE *fp, const struct problems *pr, int color, int quiet)
{
	size_t shown = 0, hidden = 0;

	for (size_t i = 0; i < pr->n; i++) {
		const struct problem *p = &pr->v[i];
		const char *word = p->sev == SEV_ERROR ? "error" : "warning";
		const char *on = !color ? "" : p->sev == SEV_ERROR ? "\033[1;31m" : "\033[1;33m";
		const char *off = color ? "\033[0m" : "";

		if (quiet && p->sev == SEV_WARNING)
			continue;
		if (shown == REPORT_MAX_SHOWN) {
			hidden++;
			continue;
		}
		shown++;
		put_text(fp, p->file);
		if (p->line > 0)
			fprintf(fp, ":%d", p->line);
		fprintf(fp, ": %s%s:%s ", on, word, off);
		put_text(fp, p->text);
		fputc('\n', fp);
	}
	if (hidden)
		fprintf(fp, "dnsdrop: %zu more problems not shown; fix the ones above first\n", hidden);
	if (pr->oom)
		fprintf(fp, "dnsdrop: out of memory while collecting problems; some are missing\n");
}

void report_user(char *who, size_t whosz)
{
	const char *names[] = { "SUDO_USER", "LOGNAME", "USER" }, *user = NULL;
	const char *ssh = getenv("SSH_CLIENT");
	char uid[24];
	size_t n;

	for (size_t i = 0; i < 3 && !user; i++)
		if ((user = getenv(names[i])) && !*user)
			user = NULL;
	if (!user) {
		snprintf(uid, sizeof uid, "uid %u", (unsigned)getuid());
		user = uid;
	}
	n = strcspn(ssh ? ssh : "", " ");
	if (ssh && n)
		snprintf(who, whosz, "%.64s from %.*s", user, (int)(n > 64 ? 64 : n), ssh);
	else
		snprintf(who, whosz, "%.64s", user);
	/* It goes into one-line records: no control characters or blanks. */
	for (char *p = who; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* One line to the system log, as syslog(3) would send it but without its
 * timestamp (the daemon adds its own): libc's syslog brings ~12 KiB of time
 * zone and locale code into a static binary. No /dev/log: nothing to do. */
static void send_syslog(int priority, const char *msg, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char pkt[1100];
	int n = snprintf(pkt, sizeof pkt, "<%d>dnsdrop[%ld]: %.*s", LOG_USER | priority,
			 (long)getpid(), (int)len, msg);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (n > 0)
		(void)sendto(fd, pkt, (size_t)n < sizeof pkt ? (size_t)n : sizeof pkt - 1, 0,
			     (struct sockaddr *)&sa, sizeof sa);
	close(fd);
}

int report_audit(const char *state_dir, const char *action, int rc,
		 const char *summary, const char *backup_id, const char *note, char *err)
{
	char path[PATH_MAX], line[1024], when[UTC_MAX], who[REPORT_USER_MAX];
	int fd, n, ok;

	report_user(who, sizeof who);
	utc_format(time(NULL), 0, when);
	n = snprintf(line, sizeof line, "%s user=%s action=%s exit=%d backup=%s%s%s%s %s\n", when,
		     who, action, rc, backup_id && *backup_id ? backup_id : "-",
		     note && *note ? " note=\"" : "", note ? note : "", note && *note ? "\"" : "",
		     summary ? summary : "");
	if (n < 0 || (size_t)n >= sizeof line)
		n = (int)strlen(line);
	send_syslog(rc == 0 ? LOG_NOTICE : LOG_ERR, line + strlen(when) + 1,
		    (size_t)n - strlen(when) - 2);
	if (snprintf(path, sizeof path, "%s/dnsdrop.log", state_dir) >= (int)sizeof path) {
		fsx_errf(err, 0, "path too long: %s/dnsdrop.log", state_dir);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fsx_errf(err, errno, "cannot open %s", path);
		return -1;
	}
	ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	if (!ok)
		fsx_errf(err, errno, "cannot append to %s", path);
	if (close(fd) < 0 && ok) {
		fsx_errf(err, errno, "cannot close %s", path);
		ok = 0;
	}
	return ok ? 0 : -1;
}

void report_last_change(const char *state_dir, char *out, size_t outsz)
{
	char path[PATH_MAX], err[FSX_ERR_MAX], *data = NULL, *end, *start;
	size_t len = 0;

	out[0] = '\0';
	if (snprintf(path, sizeof path, "%s/dnsdrop.log", state_dir) >= (int)sizeof path ||
	    fsx_read(path, 64u << 20, FSX_ABSENT_OK, &data, &len, err) < 0 || !data)
		return;
	end = data + len;
	while (end > data && end[-1] == '\n')
		end--;
	for (start = end; start > data && start[-1] != '\n'; start--)
		;
	snprintf(out, outsz, "%.*s", (int)(end - start), start);
	free(data);
}
