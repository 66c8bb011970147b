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

#include <sys/stat.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "buf.h"
#include "fsx.h"
#include "utc.h"

int report_color_wanted(FILE *fp, int no_color_flag)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no_color_flag || (nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return 0;
	return isatty(fileno(fp));
}

/* The length of the valid UTF-8 sequence at U (N bytes left) and its code
 * point, or 0: overlong forms, surrogates and stray bytes are not text. */
static size_t utf8_seq(const unsigned char *u, size_t n, unsigned *cp)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t k = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
	unsigned c;

	if (!k || u[0] > 0xf4 || k > n)
		return 0;
	c = u[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3f);
	}
	if (c < min[k] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return k;
}

/* 1 when a field value can stand without quotes: it parses back as is. */
static int field_plain(const char *s, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789._:/@+,-", s[i]) || !s[i])
			return 0;
	return 1;
}

void report_escape(struct buf *out, const char *s, size_t len, unsigned flags)
{
	const unsigned char *u = (const unsigned char *)s;
	int quote = (flags & REPORT_ESC_FIELD) && !field_plain(s, len);
	unsigned cp;
	size_t i, k;

	if (quote)
		buf_add(out, "\"", 1);
	for (i = 0; i < len; i += k) {
		k = 1;
		if (u[i] == '\n' && (flags & REPORT_ESC_NL))
			buf_add(out, "\n", 1);
		else if (u[i] < 0x20 || u[i] == 0x7f)
			buf_printf(out, "\\x%02x", u[i]);
		else if (quote && (u[i] == '"' || u[i] == '\\'))
			buf_printf(out, "\\%c", u[i]);
		else if (u[i] < 0x80)
			buf_add(out, s + i, 1);
		else if (!(k = utf8_seq(u + i, len - i, &cp)))
			buf_printf(out, "\\x%02x", u[k++ + i]);
		else if (cp <= 0x9f)	/* C1 controls: U+009B is CSI */
			buf_printf(out, "\\u%04x", cp);
		else
			buf_add(out, s + i, k);
	}
	if (quote)
		buf_add(out, "\"", 1);
}

void report_put(FILE *fp, const char *s, size_t len, unsigned flags)
{
	struct buf b = { 0 };

	report_escape(&b, s, len, flags);
	if (b.len)
		fwrite(b.p, 1, b.len, fp);
	buf_free(&b);
}

static void put_text(FILE *fp, const char *s)
{
	report_put(fp, s, strlen(s), 0);
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

/* Who runs us, as the environment says (anyone can set it: it is only
 * ever escaped): the user, and the client address of SSH_CLIENT (its first
 * word) or "" in FROM. Both bounded, unescaped. */
static void report_who(char user[65], char from[65])
{
	const char *names[] = { "SUDO_USER", "LOGNAME", "USER" }, *u = NULL;
	const char *ssh = getenv("SSH_CLIENT");

	for (size_t i = 0; i < 3 && !u; i++)
		if ((u = getenv(names[i])) && !*u)
			u = NULL;
	if (u)
		snprintf(user, 65, "%s", u);
	else
		snprintf(user, 65, "uid %u", (unsigned)getuid());
	snprintf(from, 65, "%.*s", (int)strcspn(ssh ? ssh : "", " "), ssh ? ssh : "");
}

void report_user(char *who, size_t whosz)
{
	char user[65], from[65];
	struct buf b = { 0 };

	report_who(user, from);
	report_escape(&b, user, strlen(user), 0);
	if (from[0]) {
		buf_puts(&b, " from ");
		report_escape(&b, from, strlen(from), 0);
	}
	snprintf(who, whosz, "%s", b.p && !b.oom ? b.p : "unknown");
	buf_free(&b);
}

/* " KEY=VALUE", VALUE escaped and quoted as a field. */
static void add_field(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, " %s=", key);
	report_escape(b, val, strlen(val), REPORT_ESC_FIELD);
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

/* Open STATE_DIR/dnsdrop.log to append: ours, a regular file (O_NONBLOCK:
 * a FIFO planted there cannot hang us), never through a symlink. CHECK:
 * a missing log is -2, and nothing is created. */
static int open_log(const char *state_dir, int check, char *err)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (fsx_state_dir(state_dir, 0, err) < 0 ||
	    fsx_join(path, state_dir, REPORT_LOG, err) < 0)
		return -1;
	if (check && lstat(path, &st) < 0 && errno == ENOENT)
		return -2;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		  0600);
	/* ELOOP: a symlink; ENXIO: a FIFO without a reader, or a socket */
	if (fd < 0 && (errno == ELOOP || errno == ENXIO) && lstat(path, &st) == 0 &&
	    !S_ISREG(st.st_mode))
		;
	else if (fd < 0) {
		fsx_errf(err, errno, "cannot open %s", path);
		return -1;
	} else if (fstat(fd, &st) < 0) {
		fsx_errf(err, errno, "cannot stat %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode))
		fsx_errf(err, 0, "refusing the audit log %s: it is %s, not a regular file; "
			 "move it away (dnsdrop creates a new one)", path, fsx_kind(st.st_mode));
	else if (fsx_check_owned(path, &st, "it is the audit log", err) == 0)
		return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

int report_log_check(const char *state_dir, char *err)
{
	/* No log yet: a trusted state_dir takes a new one; the check itself
	 * creates nothing (a run that stops before a change leaves no trace). */
	int fd = open_log(state_dir, 1, err);

	if (fd >= 0)
		close(fd);
	return fd == -1 ? -1 : 0;
}

int report_audit(const char *state_dir, const char *action, int rc,
		 const char *summary, const char *backup_id, const char *note, char *err)
{
	char when[UTC_MAX], user[65], from[65];
	struct buf line = { 0 };
	size_t body;
	int fd, ok;

	report_who(user, from);
	utc_format(time(NULL), 0, when);
	buf_puts(&line, when);
	body = line.len;
	add_field(&line, "user", user);
	if (from[0])
		add_field(&line, "from", from);
	add_field(&line, "action", action);
	buf_printf(&line, " exit=%d", rc);
	add_field(&line, "backup", backup_id && *backup_id ? backup_id : "-");
	if (note && *note)
		add_field(&line, "note", note);
	add_field(&line, "summary", summary ? summary : "");
	buf_add(&line, "\n", 1);
	if (line.oom) {
		buf_free(&line);
		fsx_errf(err, ENOMEM, "cannot write the audit line");
		return -1;
	}
	send_syslog(rc == 0 ? LOG_NOTICE : LOG_ERR, line.p + body + 1, line.len - body - 2);
	if ((fd = open_log(state_dir, 0, err)) < 0) {
		buf_free(&line);
		return -1;
	}
	ok = write(fd, line.p, line.len) == (ssize_t)line.len && fsync(fd) == 0;
	if (!ok)
		fsx_errf(err, errno ? errno : EIO, "cannot append to %s/" REPORT_LOG, state_dir);
	if (close(fd) < 0 && ok) {
		fsx_errf(err, errno, "cannot close %s/" REPORT_LOG, state_dir);
		ok = 0;
	}
	buf_free(&line);
	return ok ? 0 : -1;
}

void report_last_change(const char *state_dir, char *out, size_t outsz)
{
	char path[PATH_MAX], err[FSX_ERR_MAX], *data = NULL, *end, *start;
	size_t len = 0;

	struct buf b = { 0 };

	out[0] = '\0';
	if (fsx_state_dir(state_dir, FSX_ABSENT_OK, err) != 0 ||
	    fsx_join(path, state_dir, REPORT_LOG, err) < 0 ||
	    fsx_read(path, 64u << 20, FSX_ABSENT_OK | FSX_STATE, &data, &len, err) < 0 || !data)
		return;
	end = data + len;
	while (end > data && end[-1] == '\n')
		end--;
	for (start = end; start > data && start[-1] != '\n'; start--)
		;
	report_escape(&b, start, (size_t)(end - start), 0);
	snprintf(out, outsz, "%s", b.p && !b.oom ? b.p : "");
	buf_free(&b);
	free(data);
}
