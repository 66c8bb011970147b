/* confdir_proc.c - which config file a running dnsmasq was started with,
 * read from /proc/PID/comm and /proc/PID/cmdline. */
#include "confdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "sort.h"

#define DEFAULT_CONF "/etc/dnsmasq.conf"

/* Up to SZ - 1 bytes of PROC/PID/WHAT, NUL-terminated; -1 if unreadable. */
static ssize_t read_proc(const char *proc, long pid, const char *what,
			 char *buf, size_t sz)
{
	char path[PATH_MAX];
	size_t n = 0;
	ssize_t r = 0;
	int fd = -1;

	if (snprintf(path, sizeof path, "%s/%ld/%s", proc, pid, what) <
	    (int)sizeof path)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && n < sz - 1 &&
	       ((r = read(fd, buf + n, sz - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	if (fd >= 0)
		close(fd);
	buf[n] = '\0';
	return fd < 0 || r < 0 ? -1 : (ssize_t)n;
}

/* The config files on one dnsmasq command line (NUL-separated ARGS):
 * -C FILE, -CFILE, --conf-file=FILE, as getopt reads them. */
static void report_pid(struct buf *b, long pid, const char *args,
		       size_t len, const char *expected)
{
	const char *a = args + strlen(args) + 1, *end = args + len, *file;
	struct buf files = { 0 };
	int differs = 0;

	for (; a < end && strcmp(a, "--"); a += strlen(a) + 1) {
		file = NULL;
		if (!strncmp(a, "--conf-file=", 12))
			file = a + 12;
		else if (!strncmp(a, "-C", 2) && a[2])
			file = a + 2;
		else if (!strcmp(a, "-C") && a + 3 < end)
			file = a += 3;	/* the next argument */
		if (!file)
			continue;
		differs |= strcmp(file, expected) != 0;
		buf_printf(&files, "%s-C %s", files.len ? ", " : "", file);
	}
	if (!files.len && strcmp(expected, DEFAULT_CONF))
		buf_printf(b, "%sdnsmasq (pid %ld) was started without -C, so it "
			   "reads %s, not %s", b->len ? "; " : "", pid,
			   DEFAULT_CONF, expected);
	else if (differs)
		buf_printf(b, "%sdnsmasq (pid %ld) was started with %s, not %s",
			   b->len ? "; " : "", pid, files.p, expected);
	buf_free(&files);
}

/* The pid a /proc entry NAME stands for; 0 if it is not all digits. */
static long pid_of(const char *name)
{
	long pid = 0;

	for (; *name >= '0' && *name <= '9' && pid < 1000000000L; name++)
		pid = pid * 10 + (*name - '0');
	return *name ? 0 : pid;
}

static int cmp_pids(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int confdir_running(const char *proc_root, const char *expected_conf,
		    char *out, size_t outsz)
{
	enum { MAX_PIDS = 64, CMDLINE_MAX = 64 << 10 };
	char comm[32], *cmd = malloc(CMDLINE_MAX);
	long pids[MAX_PIDS];
	size_t n = 0;
	struct buf b = { 0 };
	struct dirent *e;
	ssize_t len;
	DIR *d;

	if (!cmd || !(d = opendir(proc_root))) {
		snprintf(out, outsz, "cannot read %s: %s", proc_root,
			 strerror(errno));
		free(cmd);
		return -1;
	}
	while ((e = readdir(d)) && n < MAX_PIDS) {
		if ((pids[n] = pid_of(e->d_name)) && read_proc(proc_root, pids[n],
		    "comm", comm, sizeof comm) >= 0 && !strcmp(comm, "dnsmasq\n"))
			n++;
	}
	closedir(d);
	sort_array(pids, n, sizeof *pids, cmp_pids);
	for (size_t i = 0; i < n; i++) {
		len = read_proc(proc_root, pids[i], "cmdline", cmd, CMDLINE_MAX);
		if (len > 0)	/* empty: a zombie or a kernel thread */
			report_pid(&b, pids[i], cmd, (size_t)len, expected_conf);
	}
	if (outsz && snprintf(out, outsz, "%s", b.p ? b.p : "") >= (int)outsz &&
	    outsz > 4)
		memcpy(out + outsz - 4, "...", 4);	/* cut, and says so */
	buf_free(&b);
	free(cmd);
	return (int)n;
}
