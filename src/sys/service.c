/* service.c - running a program the safe way: fork + execve of a fixed
 * argv, clean environment, own session and process group, bounded output, time limit.
 * No SIGCHLD handler: the child is watched with waitid(WNOHANG) between
 * short polls of its output pipe. */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ascii.h"
#include "clock.h"

#define SLICE_MS 20		/* how often a quiet child is checked for exit */
#define CHUNK 8192
#define DRAIN_CHUNKS 64		/* per call: a writer that never stops cannot hold us */
#define HIGH_FD 10		/* child: pipes are moved here before dup2 onto 0-3 */

/* Output is kept as its first and its last max/2 bytes: an init script
 * that fails says why at the end, after whatever it printed before. */
struct reader {
	int fd;			/* read end of the output pipe; -1 once closed */
	size_t max;
	struct service_result *res;
};

/* The restart setting is one line of blank-separated words; nothing is
 * special, so "$(x)" or ";" reach the program literally. */
int service_split(const char *cmdline, const char *root, char ***argv,
		  char *err)
{
	size_t n = 0, rlen = root ? strlen(root) : 0, len;
	const char *p = cmdline;
	char **v, *s;

	*argv = NULL;
	while (rlen > 0 && root[rlen - 1] == '/')	/* "DIR/" + "/etc" */
		rlen--;
	while (is_blank(*p))
		p++;
	if (!*p) {
		snprintf(err, SERVICE_ERR_MAX, "the restart command is empty; "
			 "write an absolute path, e.g. /etc/init.d/dnsmasq restart");
		return -1;
	}
	if (*p != '/') {
		snprintf(err, SERVICE_ERR_MAX, "the restart command must start "
			 "with an absolute path (no shell, no PATH search): %.200s",
			 p);
		return -1;
	}
	/* LEN bytes hold at most LEN/2 + 1 words, each copied with its NUL. */
	len = strlen(p);
	v = malloc((len / 2 + 2) * sizeof *v + rlen + len + 1);
	if (!v) {
		snprintf(err, SERVICE_ERR_MAX, "out of memory");
		return -1;
	}
	s = (char *)(v + len / 2 + 2);
	memcpy(s, root ? root : "", rlen);
	for (size_t off = rlen; *p; off = 0) {
		v[n++] = s;
		s += off;
		while (*p && !is_blank(*p))
			*s++ = *p++;
		*s++ = '\0';
		while (is_blank(*p))
			p++;
	}
	v[n] = NULL;
	*argv = v;
	return 0;
}

/* close_range(2) needs Linux 5.9; older appliance kernels get the loop. */
static void close_from(int lowfd)
{
	struct rlimit rl;
	long max = 1024;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0u) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = (long)rl.rlim_cur;
	if (max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		close(fd);
}

/* In the child: any failure is sent to the parent as an errno through
 * REP_W, which exec closes (CLOEXEC) on success. */
static _Noreturn void child_exec(char *const argv[], int out_w, int rep_w)
{
	char *const env[] = { SERVICE_PATH, NULL };
	sigset_t none;
	int nul, e;

	/* Ignored signals survive exec (dnsdrop ignores SIGPIPE; nohup
	 * ignores SIGHUP): give the program the defaults it expects. */
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Its own session (and so process group), no terminal: a Ctrl-C or a
	 * lost SSH session reaches dnsdrop, which decides, never the init
	 * script halfway through stopping and starting dnsmasq. */
	if (setsid() < 0)
		goto fail;
	/* Move everything above 3 first, so dup2 onto 0-3 clobbers nothing. */
	if ((nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (nul = fcntl(nul, F_DUPFD_CLOEXEC, HIGH_FD)) < 0 ||
	    (out_w = fcntl(out_w, F_DUPFD_CLOEXEC, HIGH_FD)) < 0 ||
	    (rep_w = fcntl(rep_w, F_DUPFD_CLOEXEC, HIGH_FD)) < 0 ||
	    dup2(nul, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0 ||
	    dup2(rep_w, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		goto fail;
	rep_w = 3;
	close_from(4);
	/* A fixed working directory: dnsmasq resolves relative paths in its
	 * config against it, so the restart behaves as it does at boot. */
	if (chdir("/") < 0)
		goto fail;
	execve(argv[0], argv, env);
fail:
	e = errno;
	while (write(rep_w, &e, sizeof e) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* The head stays; past max bytes, the window after it slides on. */
static void keep(struct reader *rd, const char *p, size_t n)
{
	struct buf *out = &rd->res->output;
	size_t head = rd->max - rd->max / 2, over;

	buf_add(out, p, n);
	if (out->oom)
		rd->res->output_dropped += n;	/* counted only */
	if (out->oom || out->len <= rd->max)
		return;
	over = out->len - rd->max;
	memmove(out->p + head, out->p + head + over, rd->max / 2);
	out->len = rd->max;
	out->p[out->len] = '\0';
	rd->res->output_dropped += over;
}

/* A note of what was left out, between the head and the tail. */
static void keep_finish(struct reader *rd)
{
	struct buf *out = &rd->res->output;
	size_t head = rd->max - rd->max / 2, n;
	char note[64];

	if (!rd->res->output_dropped || out->oom)
		return;
	n = (size_t)snprintf(note, sizeof note, "%s[... %zu bytes not shown ...]\n",
			     head && out->p[head - 1] != '\n' ? "\n" : "",
			     rd->res->output_dropped);
	buf_add(out, note, n);
	if (out->oom)
		return;
	memmove(out->p + head + n, out->p + head, out->len - n - head);
	memcpy(out->p + head, note, n);
}

/* Read what is there without blocking; EOF or an error closes the pipe. */
static void drain(struct reader *rd)
{
	char chunk[CHUNK];
	ssize_t n;

	for (int i = 0; rd->fd >= 0 && i < DRAIN_CHUNKS; i++) {
		n = read(rd->fd, chunk, sizeof chunk);
		if (n > 0) {
			keep(rd, chunk, (size_t)n);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			return;
		} else {
			close(rd->fd);
			rd->fd = -1;
		}
	}
}

/* Wait until PID has exited (left unreaped, so its process group id cannot
 * be reused before the final kill) or DEADLINE passes; collect output
 * meanwhile. Returns 1 when it exited, 0 at the deadline. */
static int wait_exit(pid_t pid, struct reader *rd, long long deadline)
{
	siginfo_t si;
	long long left;
	struct pollfd pfd;

	for (;;) {
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0) {
			if (si.si_pid == pid) {
				drain(rd);
				return 1;
			}
		} else if (errno == ECHILD) {
			return 1;
		}
		if ((left = deadline - clock_ms()) <= 0)
			return 0;
		pfd = (struct pollfd){ .fd = rd->fd, .events = POLLIN };
		if (poll(&pfd, rd->fd >= 0, left < SLICE_MS ? (int)left : SLICE_MS) > 0)
			drain(rd);
	}
}

static void supervise(pid_t pid, struct reader *rd)
{
	struct service_result *res = rd->res;
	int status;

	if (!wait_exit(pid, rd, clock_ms() + res->timeout_ms)) {
		res->timed_out = 1;
		kill(-pid, SIGTERM);
		wait_exit(pid, rd, clock_ms() + SERVICE_GRACE_MS);
		kill(-pid, SIGKILL);	/* the leader is a zombie: the group is still ours */
	}
	if (rd->fd >= 0)
		close(rd->fd);
	rd->fd = -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			goto noted;
	}
	if (WIFEXITED(status)) {
		res->exited = 1;
		res->exit_status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
	}
noted:
	keep_finish(rd);
}

/* "ARGV0 ARG ..." for messages, cut to fit. */
static void join_argv(char *const argv[], char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; argv[i] && len < outsz; i++) {
		int n = snprintf(out + len, outsz - len, "%s%s", i ? " " : "", argv[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* Errno from exec as a sentence with the likely fix. */
static void exec_sentence(const char *path, int e, char *err)
{
	const char *why = strerror(e), *fix = "", *arg = "", *end = "";
	struct stat st;

	if (e == ENOENT && lstat(path, &st) == 0)
		why = "its interpreter (the #! line) or loader was not found";
	else if (e == ENOENT)
		fix = " (check the path)";
	else if (e == EACCES && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		why = "it is a directory";
	else if (e == EACCES)
		fix = " (is it executable? chmod +x ", arg = path, end = ")";
	else if (e == ENOEXEC)
		fix = " (not a program; a script needs a #! first line)";
	snprintf(err, SERVICE_ERR_MAX, "cannot run %s: %s%s%s%s", path, why,
		 fix, arg, end);
}

static int start_failed(const char *what, const char *path, int fds[4],
			char *err)
{
	snprintf(err, SERVICE_ERR_MAX, "cannot run %s: %s: %s", path, what,
		 strerror(errno));
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -1;
}

int service_run(char *const argv[], unsigned timeout_ms, size_t max_output,
		struct service_result *res, char *err)
{
	int fd[4] = { -1, -1, -1, -1 };	/* output r/w, exec report r/w */
	struct reader rd = { -1, max_output, res };
	char cmd[256], what[128];
	pid_t pid;

	*res = (struct service_result){ 0 };
	res->timeout_ms = timeout_ms ? timeout_ms : SERVICE_TIMEOUT_MS;
	buf_add(&res->output, "", 0);	/* output.p is a string from here on */
	err[0] = '\0';
	if (!argv[0] || argv[0][0] != '/') {
		snprintf(err, SERVICE_ERR_MAX, "cannot run %s: not an absolute path",
			 argv[0] ? argv[0] : "(nothing)");
		return -1;
	}
	if (pipe2(fd, O_CLOEXEC) < 0 || pipe2(fd + 2, O_CLOEXEC) < 0)
		return start_failed("pipe", argv[0], fd, err);
	if ((pid = fork()) < 0)
		return start_failed("fork", argv[0], fd, err);
	if (pid == 0)
		child_exec(argv, fd[1], fd[3]);
	/* No setpgid(pid, pid) here: it would make setsid fail in the child.
	 * The read below returns only once the child has exec'd (or failed),
	 * so by the time kill(-pid) can happen the group exists. */
	close(fd[1]);
	close(fd[3]);
	while (read(fd[2], &res->exec_errno, sizeof res->exec_errno) < 0 &&
	       errno == EINTR)
		;
	close(fd[2]);
	rd.fd = fd[0];
	fcntl(rd.fd, F_SETFL, O_NONBLOCK);
	supervise(pid, &rd);
	if (res->exec_errno) {
		exec_sentence(argv[0], res->exec_errno, err);
		return -1;
	}
	if (res->exited && res->exit_status == 0 && !res->timed_out)
		return 0;
	join_argv(argv, cmd, sizeof cmd);
	service_describe(res, what, sizeof what);
	snprintf(err, SERVICE_ERR_MAX, "%s %s", cmd, what);
	return -1;
}

void service_describe(const struct service_result *res, char *out,
		      size_t outsz)
{
	unsigned ms = res->timeout_ms;

	if (res->exec_errno)
		snprintf(out, outsz, "could not be started: %s",
			 strerror(res->exec_errno));
	else if (res->timed_out && ms % 1000 == 0)
		snprintf(out, outsz, "timed out after %u s", ms / 1000);
	else if (res->timed_out)
		snprintf(out, outsz, "timed out after %u ms", ms);
	else if (res->signal)
		snprintf(out, outsz, "killed by signal %d", res->signal);
	else if (res->exited)
		snprintf(out, outsz, "exited with status %d", res->exit_status);
	else
		snprintf(out, outsz, "ended, but its status could not be read");
}

/* dnsmasq prints "\ndnsmasq: MESSAGE at line N of FILE" on stderr; that
 * line is what the administrator needs. */
static const char *dnsmasq_message(const struct buf *out, size_t *len)
{
	const char *p = out->p, *end;

	while (p && strncmp(p, "dnsmasq: ", 9))
		if ((p = strchr(p, '\n')))
			p++;
	if (!p)
		return NULL;
	p += 9;
	end = strchr(p, '\n');
	*len = end ? (size_t)(end - p) : strlen(p);
	return p;
}

/* Why this form (checked against dnsmasq 2.90 with strace):
 * --conf-file=/dev/null stops dnsmasq from reading /etc/dnsmasq.conf (an
 * empty --conf-file= does not: it still opens the default), so the live
 * conf-dir named there cannot mask or add to the staging copy; --conf-dir
 * with the real line's filters loads exactly the files dnsmasq would load
 * from the directory (a filter-less test would also parse, say, x.bak). */
int service_dnsmasq_test(const char *dnsmasq_path, const char *conf_dir,
			 const char *filters, unsigned timeout_ms,
			 struct service_result *res, char *err)
{
	char *argv[] = { (char *)dnsmasq_path, "--test", "--conf-file=/dev/null",
			 NULL, NULL };
	const char *msg;
	size_t len = 0, n;
	int rc;

	*res = (struct service_result){ 0 };
	if (strchr(conf_dir, ',')) {
		snprintf(err, SERVICE_ERR_MAX, "cannot test %s with dnsmasq: the "
			 "path has a comma, which dnsmasq reads as a separator",
			 conf_dir);
		return -1;
	}
	n = strlen(conf_dir) + (filters ? strlen(filters) : 0) + 16;
	if (!(argv[3] = malloc(n))) {
		snprintf(err, SERVICE_ERR_MAX, "out of memory");
		return -1;
	}
	snprintf(argv[3], n, "--conf-dir=%s%s%s", conf_dir,
		 filters && *filters ? "," : "", filters ? filters : "");
	rc = service_run(argv, timeout_ms, SERVICE_OUTPUT_MAX, res, err);
	free(argv[3]);
	if (rc == 0 || res->exec_errno || !res->exited)
		return rc;
	if ((msg = dnsmasq_message(&res->output, &len)))
		snprintf(err, SERVICE_ERR_MAX, "dnsmasq --test rejects the "
			 "configuration: %.*s", (int)(len < 400 ? len : 400), msg);
	else
		snprintf(err, SERVICE_ERR_MAX, "dnsmasq --test rejects the "
			 "configuration (exit status %d)", res->exit_status);
	return -1;
}

void service_result_free(struct service_result *res)
{
	buf_free(&res->output);
}
