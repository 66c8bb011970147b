/* test_service.c - service.c against real programs: exit status, output,
 * bounds, time limit, exec failures, environment, fds, no shell, and the
 * real dnsmasq --test when it is installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service.h"

#define DNSMASQ "/usr/sbin/dnsmasq"

/* Upper bounds on durations only tell "bounded" from "waits for the
 * program" (30 s or more): wide enough for a loaded machine. */
#define SLACK_MS 8000

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* Run ARGV with a 5 s limit and 64 KiB of output; returns service_run's. */
static int run(char *const argv[], struct service_result *res, char *err)
{
	return service_run(argv, 5000, SERVICE_OUTPUT_MAX, res, err);
}

static void test_split_root(void **state)
{
	char **argv, err[SERVICE_ERR_MAX];

	assert_int_equal(service_split("/etc/init.d/dnsmasq restart", "/tmp/r/",
				       &argv, err), 0);
	assert_string_equal(argv[0], "/tmp/r/etc/init.d/dnsmasq");
	assert_string_equal(argv[1], "restart");
	assert_null(argv[2]);
	free(argv);
	assert_int_equal(service_split(" \t/x  a\tb  ", NULL, &argv, err), 0);
	assert_string_equal(argv[0], "/x");
	assert_string_equal(argv[1], "a");
	assert_string_equal(argv[2], "b");
	assert_null(argv[3]);
	free(argv);
	assert_int_equal(service_split("/x /y", "/", &argv, err), 0);
	assert_string_equal(argv[0], "/x");
	assert_string_equal(argv[1], "/y");	/* arguments never get ROOT */
	free(argv);
	assert_int_equal(service_split("/x", "", &argv, err), 0);
	assert_string_equal(argv[0], "/x");
	free(argv);
}

static void test_split_errors(void **state)
{
	char **argv = (char **)1, err[SERVICE_ERR_MAX];

	assert_int_equal(service_split("   ", "/r", &argv, err), -1);
	assert_null(argv);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(service_split("dnsmasq restart", "/r", &argv, err), -1);
	assert_non_null(strstr(err, "absolute path"));
	assert_non_null(strstr(err, "dnsmasq restart"));
}

static void test_exit_status(void **state)
{
	char *t[] = { "/bin/true", NULL }, *f[] = { "/bin/false", NULL };
	char *s[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX], what[64];

	assert_int_equal(run(t, &res, err), 0);
	assert_int_equal(res.exited, 1);
	assert_int_equal(res.exit_status, 0);
	service_result_free(&res);
	assert_int_equal(run(f, &res, err), -1);
	assert_string_equal(err, "/bin/false exited with status 1");
	service_result_free(&res);
	assert_int_equal(run(s, &res, err), -1);
	assert_int_equal(res.exit_status, 3);
	service_describe(&res, what, sizeof what);
	assert_string_equal(what, "exited with status 3");
	assert_string_equal(err, "/bin/sh -c exit 3 exited with status 3");
	service_result_free(&res);
}

static void test_output_capture(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; echo out2", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];

	assert_int_equal(run(argv, &res, err), 0);
	assert_string_equal(res.output.p, "out\nerr\nout2\n");
	assert_int_equal(res.output_dropped, 0);
	service_result_free(&res);
}

/* 10 MB of output keeps its first and last 500 bytes: a failing init
 * script says why at the end. */
static void test_output_bounded(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "head -c 10485760 /dev/zero; printf 'the end'", NULL };
	const char *note = "\n[... 10484767 bytes not shown ...]\n";
	struct service_result res;
	char err[SERVICE_ERR_MAX];

	assert_int_equal(service_run(argv, 10000, 1000, &res, err), 0);
	assert_int_equal(res.output_dropped, 10485760 + 7 - 1000);
	assert_int_equal(res.output.len, 1000 + strlen(note));
	assert_memory_equal(res.output.p + 500, note, strlen(note));
	assert_memory_equal(res.output.p + res.output.len - 7, "the end", 7);
	assert_int_equal(res.output.p[res.output.len - 8], '\0');
	service_result_free(&res);
}

static void test_timeout(void **state)
{
	char *argv[] = { "/bin/sleep", "100", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX], what[64];
	long long t0 = ms_now();

	assert_int_equal(service_run(argv, 200, 1000, &res, err), -1);
	assert_true(ms_now() - t0 < 200 + SLACK_MS);
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.signal, SIGTERM);
	service_describe(&res, what, sizeof what);
	assert_string_equal(what, "timed out after 200 ms");
	assert_string_equal(err, "/bin/sleep 100 timed out after 200 ms");
	res.timeout_ms = 30000;
	service_describe(&res, what, sizeof what);
	assert_string_equal(what, "timed out after 30 s");
	service_result_free(&res);
}

/* A program that ignores SIGTERM gets SIGKILL after the grace period. */
static void test_timeout_kill(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "trap '' TERM; echo armed; "
			 "while :; do sleep 1; done", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];
	long long t0 = ms_now();

	assert_int_equal(service_run(argv, 300, 1000, &res, err), -1);
	assert_true(ms_now() - t0 < 300 + SERVICE_GRACE_MS + SLACK_MS);
	assert_true(ms_now() - t0 >= 300 + SERVICE_GRACE_MS - 100);
	assert_int_equal(res.timed_out, 1);
	assert_int_equal(res.signal, SIGKILL);
	assert_string_equal(res.output.p, "armed\n");
	service_result_free(&res);
}

/* A daemon started by the program keeps the pipe open: we must not wait
 * for it, only for the program. */
static void test_daemon_holds_pipe(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo started", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];
	long long t0 = ms_now();

	assert_int_equal(run(argv, &res, err), 0);
	assert_true(ms_now() - t0 < SLACK_MS);	/* not the 30 s of the daemon */
	assert_string_equal(res.output.p, "started\n");
	service_result_free(&res);
}

static void test_not_found(void **state)
{
	char *argv[] = { "/nonexistent/dnsdrop-test/prog", "restart", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX], what[128];

	assert_int_equal(run(argv, &res, err), -1);
	assert_int_equal(res.exec_errno, ENOENT);
	assert_string_equal(err, "cannot run /nonexistent/dnsdrop-test/prog: "
			    "No such file or directory (check the path)");
	service_describe(&res, what, sizeof what);
	assert_string_equal(what, "could not be started: No such file or directory");
	service_result_free(&res);
}

static void test_not_executable(void **state)
{
	char dir[] = "/tmp/dnsdrop-svc-XXXXXX", path[64], want[256];
	char *argv[] = { path, NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/dnsmasq", dir);
	write_file(path, "#!/bin/sh\necho hi\n", 0644);
	assert_int_equal(run(argv, &res, err), -1);
	assert_int_equal(res.exec_errno, EACCES);
	snprintf(want, sizeof want, "cannot run %s: Permission denied (is it "
		 "executable? chmod +x %s)", path, path);
	assert_string_equal(err, want);
	service_result_free(&res);
	write_file(path, "echo no shebang\n", 0755);	/* no shell fallback */
	assert_int_equal(run(argv, &res, err), -1);
	assert_int_equal(res.exec_errno, ENOEXEC);
	assert_non_null(strstr(err, "#! first line"));
	service_result_free(&res);
	write_file(path, "#!/nonexistent/interp\n", 0755);
	assert_int_equal(run(argv, &res, err), -1);
	assert_non_null(strstr(err, "interpreter"));
	service_result_free(&res);
	unlink(path);
	rmdir(dir);
}

static void test_clean_environment(void **state)
{
	char *argv[] = { "/usr/bin/env", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];

	setenv("LD_PRELOAD", "/nonexistent/evil.so", 1);
	setenv("IFS", "/", 1);
	setenv("PATH", "/tmp/evil:/usr/bin", 1);
	assert_int_equal(run(argv, &res, err), 0);
	assert_string_equal(res.output.p, SERVICE_PATH "\n");
	service_result_free(&res);
	unsetenv("LD_PRELOAD");
	unsetenv("IFS");
}

static void test_no_shell(void **state)
{
	char mark[64], arg[128];
	char *argv[] = { "/bin/echo", arg, ";", "|", "*", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX], want[256];

	snprintf(mark, sizeof mark, "/tmp/dnsdrop-svc-mark-%ld", (long)getpid());
	unlink(mark);
	snprintf(arg, sizeof arg, "$(touch %s)", mark);
	assert_int_equal(run(argv, &res, err), 0);
	snprintf(want, sizeof want, "%s ; | *\n", arg);
	assert_string_equal(res.output.p, want);
	assert_int_equal(access(mark, F_OK), -1);
	service_result_free(&res);
}

/* A descriptor the parent leaks (no CLOEXEC) must not reach the child;
 * stdin is /dev/null; ignored signals are reset; the cwd is /. */
static void test_child_context(void **state)
{
	char *ls[] = { "/bin/ls", "/proc/self/fd", NULL };
	char *cat[] = { "/bin/cat", NULL };
	char *sig[] = { "/bin/grep", "SigIgn", "/proc/self/status", NULL };
	char *pwd[] = { "/bin/pwd", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];
	int fd = open("/dev/null", O_RDONLY);

	assert_int_equal(dup2(fd, 42), 42);
	assert_int_equal(run(ls, &res, err), 0);
	assert_string_equal(res.output.p, "0\n1\n2\n3\n");	/* 3: ls's own */
	service_result_free(&res);
	close(42);
	close(fd);
	assert_int_equal(run(cat, &res, err), 0);
	assert_string_equal(res.output.p, "");
	service_result_free(&res);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(run(sig, &res, err), 0);
	/* Signals 32-34 belong to the C library, which refuses to change them
	 * (make runs tests with glibc's 32 and 33 ignored): judge 1-31. */
	assert_int_equal(strtoull(res.output.p + strlen("SigIgn:\t"), NULL, 16) & 0x7fffffffu, 0);
	service_result_free(&res);
	signal(SIGPIPE, SIG_DFL);
	assert_int_equal(run(pwd, &res, err), 0);
	assert_string_equal(res.output.p, "/\n");
	service_result_free(&res);
}

static void test_relative_refused(void **state)
{
	char *argv[] = { "bin/true", NULL };
	struct service_result res;
	char err[SERVICE_ERR_MAX];

	assert_int_equal(run(argv, &res, err), -1);
	assert_non_null(strstr(err, "not an absolute path"));
	service_result_free(&res);
}

static void test_describe(void **state)
{
	struct service_result res = { 0 };
	char out[64];

	res.signal = 9;
	service_describe(&res, out, sizeof out);
	assert_string_equal(out, "killed by signal 9");
	res = (struct service_result){ .exited = 1, .exit_status = 1 };
	service_describe(&res, out, sizeof out);
	assert_string_equal(out, "exited with status 1");
	res = (struct service_result){ .timed_out = 1, .timeout_ms = 30000, .signal = 15 };
	service_describe(&res, out, sizeof out);
	assert_string_equal(out, "timed out after 30 s");
}

static void test_dnsmasq(void **state)
{
	char dir[] = "/tmp/dnsdrop-dm-XXXXXX", path[96];
	struct service_result res;
	char err[SERVICE_ERR_MAX];

	if (access(DNSMASQ, X_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/hosts.conf", dir);
	write_file(path, "host-record=a.example,10.0.0.1\ncname=b.example,a.example\n", 0644);
	snprintf(path, sizeof path, "%s/x.bak", dir);
	write_file(path, "bogus-option\n", 0644);
	assert_int_equal(service_dnsmasq_test(DNSMASQ, dir, ".bak", 5000, &res, err), 0);
	service_result_free(&res);
	assert_int_equal(service_dnsmasq_test(DNSMASQ, dir, "*.conf", 5000, &res, err), 0);
	service_result_free(&res);
	/* Without the filter dnsmasq would load x.bak: the test must see it. */
	assert_int_equal(service_dnsmasq_test(DNSMASQ, dir, NULL, 5000, &res, err), -1);
	assert_non_null(strstr(err, "rejects the configuration: bad option at line 1 of "));
	service_result_free(&res);
	unlink(path);
	snprintf(path, sizeof path, "%s/other.conf", dir);
	write_file(path, "cname=b.example,a.example\n", 0644);
	assert_int_equal(service_dnsmasq_test(DNSMASQ, dir, "", 5000, &res, err), -1);
	assert_non_null(strstr(err, "rejects the configuration: duplicate CNAME at line 1 of "));
	assert_non_null(strstr(err, "/other.conf"));
	service_result_free(&res);
	unlink(path);
	snprintf(path, sizeof path, "%s/hosts.conf", dir);
	unlink(path);
	rmdir(dir);
	assert_int_equal(service_dnsmasq_test(DNSMASQ, "/tmp/a,b", NULL, 5000, &res, err), -1);
	assert_non_null(strstr(err, "comma"));
	service_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_root),
		cmocka_unit_test(test_split_errors),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_output_capture),
		cmocka_unit_test(test_output_bounded),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_kill),
		cmocka_unit_test(test_daemon_holds_pipe),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_not_executable),
		cmocka_unit_test(test_clean_environment),
		cmocka_unit_test(test_no_shell),
		cmocka_unit_test(test_child_context),
		cmocka_unit_test(test_relative_refused),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_dnsmasq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
