/* test_dnsq.c - dnsq.c against a real dnsmasq on 127.0.0.1 (a free high
 * port): matches, each kind of mismatch, "." SRV, CNAME, AAAA, TCP for big
 * answers, a dead and a silent server (bounded by the timeout), a server that
 * comes up late, the bounded report, and the time for 10k records
 * (DNSQ_BENCH_N=100000 to try more). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dnsq.h"

#define DNSMASQ "/usr/sbin/dnsmasq"
#define NMANY 100		/* A records of one name: more than UDP carries */
#define TMO 500

struct fixture {
	char dir[64];
	pid_t pid;
	struct dnsq_server srv;
};

/* Upper bounds on durations only tell "bounded by the timeout" from "waits
 * for every query in turn" (tens of seconds): wide enough that a loaded
 * machine's scheduling delays never decide a result. */
#define SLACK_MS 8000

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A port free for both UDP and TCP on 127.0.0.1 (bound, then released). */
static unsigned free_port(void)
{
	for (int i = 0; i < 100; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET };
		socklen_t len = sizeof a;
		int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
		int ok;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = bind(u, (struct sockaddr *)&a, sizeof a) == 0 &&
		     getsockname(u, (struct sockaddr *)&a, &len) == 0 &&
		     bind(t, (struct sockaddr *)&a, sizeof a) == 0;
		close(u);
		close(t);
		if (ok)
			return ntohs(a.sin_port);
	}
	fail_msg("no free port");
	return 0;
}

/* Start dnsmasq -k on PORT with conf-dir DIR/conf after DELAY_MS. */
static pid_t spawn_dnsmasq(const char *dir, unsigned port, unsigned delay_ms)
{
	char portarg[32], confarg[128], pidarg[128], logpath[128];
	pid_t pid;

	snprintf(portarg, sizeof portarg, "--port=%u", port);
	snprintf(confarg, sizeof confarg, "--conf-dir=%s/conf", dir);
	snprintf(pidarg, sizeof pidarg, "--pid-file=%s/dnsmasq.pid", dir);
	snprintf(logpath, sizeof logpath, "%s/dnsmasq.log", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { DNSMASQ, "-k", "--conf-file=/dev/null",
			"--no-resolv", "--no-hosts", "--bind-interfaces",
			"--listen-address=127.0.0.1", "--log-facility=-",
			portarg, confarg, pidarg, NULL };
		int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		/* Dies with the test, even when an assertion aborts it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(fd, 1);
		dup2(fd, 2);
		usleep(delay_ms * 1000);
		execv(DNSMASQ, argv);
		_exit(127);
	}
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

static void server(struct dnsq_server *srv, unsigned port)
{
	char err[DNSQ_ERR_MAX];

	assert_int_equal(dnsq_server_init(srv, "127.0.0.1", port, err), 0);
}

/* dnsmasq binds its port only after it has read every record: 100k take
 * it seconds, hence WAIT_MS. */
static void fx_start(struct fixture *fx, const char *hosts, const char *srv,
		     unsigned wait_ms)
{
	char path[128], err[DNSQ_ERR_MAX];
	FILE *f;
	unsigned port = free_port();

	strcpy(fx->dir, "/tmp/dnsq-test.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(path, sizeof path, "%s/conf", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/conf/hosts.conf", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(hosts, f);
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof path, "%s/conf/srv.conf", fx->dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(srv, f);
	assert_int_equal(fclose(f), 0);
	server(&fx->srv, port);
	fx->pid = spawn_dnsmasq(fx->dir, port, 0);
	if (dnsq_wait_ready(&fx->srv, wait_ms, err) != 0) {
		stop(fx->pid);
		fail_msg("dnsmasq did not start (see %s/dnsmasq.log): %s", fx->dir, err);
	}
}

static void fx_stop(struct fixture *fx)
{
	char cmd[128];

	stop(fx->pid);
	/* Only our own mkdtemp directory, by its full generated name. */
	snprintf(cmd, sizeof cmd, "%s/conf/hosts.conf", fx->dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/conf/srv.conf", fx->dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/conf", fx->dir);
	rmdir(cmd);
	snprintf(cmd, sizeof cmd, "%s/dnsmasq.log", fx->dir);
	unlink(cmd);
	snprintf(cmd, sizeof cmd, "%s/dnsmasq.pid", fx->dir);
	unlink(cmd);
	rmdir(fx->dir);
}

/* ---- the shared server and the INI it serves ---- */

static const char HOSTS[] =
	"host-record=expc1.example.local,10.0.10.11\n"
	"host-record=expc2.example.local,10.0.10.12\n"
	"host-record=expc2.example.local,fd00::12\n"
	"host-record=v6only.example.local,fd00::99\n"
	"host-record=cucm1.example.local,10.0.20.1\n"
	"cname=cucm.example.local,cucm1.example.local\n"
	"cname=v6alias.example.local,v6only.example.local\n"
	/* dnsmasq answers NXDOMAIN itself only for a --local domain; other
	 * unknown names go upstream, which --no-resolv makes REFUSED. */
	"local=/nxd.test/\n";

static const char SRVS[] =
	"srv-host=_cisco-uds._tcp.example.com,cucm1.example.local,8443,10,10\n"
	"srv-host=_collab-edge._tls.example.com,expe.example.com,8443,10,10\n"
	"srv-host=_cisco-uds._tcp.example.com,cucm2.example.local,8443,20,10\n"
	"srv-host=_sip._udp.example.com\n";

static struct dd_addr a_expc1[] = { { AF_INET, "10.0.10.11" } };
static struct dd_addr a_expc2[] = { { AF_INET6, "fd00::12" }, { AF_INET, "10.0.10.12" } };
static struct dd_addr a_v6[] = { { AF_INET6, "fd00::99" } };
static struct dd_addr a_cucm1[] = { { AF_INET, "10.0.20.1" } };
static struct dd_addr a_many[NMANY];

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct dd_host base_hosts[] = {
	{ "expc1.example.local", a_expc1, N(a_expc1), 10 },
	{ "expc2.example.local", a_expc2, N(a_expc2), 11 },
	{ "v6only.example.local", a_v6, N(a_v6), 12 },
	{ "cucm1.example.local", a_cucm1, N(a_cucm1), 13 },
	{ "many.example.local", a_many, NMANY, 14 },
};

static struct dd_srv base_srv[] = {
	{ "_cisco-uds._tcp.example.com", "cucm1.example.local", 8443, 10, 10, 20 },
	{ "_collab-edge._tls.example.com", "expe.example.com", 8443, 10, 10, 21 },
	{ "_cisco-uds._tcp.example.com", "cucm2.example.local", 8443, 20, 10, 22 },
	{ "_sip._udp.example.com", NULL, 0, 0, 0, 23 },
};

static struct dd_cname base_cname[] = {
	{ "cucm.example.local", "cucm1.example.local", 30 },
	{ "v6alias.example.local", "v6only.example.local", 31 },
};

static struct dd_config mkcfg(struct dd_host *h, size_t nh, struct dd_srv *s,
			      size_t ns, struct dd_cname *c, size_t nc)
{
	struct dd_config cfg = { .path = "dnsdrop.ini" };

	cfg.host = h, cfg.nhost = nh, cfg.srv = s, cfg.nsrv = ns;
	cfg.cname = c, cfg.ncname = nc;
	return cfg;
}

static int group_setup(void **state)
{
	static struct fixture fx;
	size_t len = sizeof HOSTS + NMANY * 48;
	char *hosts = malloc(len), *p;

	assert_non_null(hosts);
	p = hosts + sprintf(hosts, "%s", HOSTS);
	for (int i = 0; i < NMANY; i++) {
		a_many[i].family = AF_INET;
		snprintf(a_many[i].text, DD_ADDR_MAX, "10.1.0.%d", i + 1);
		p += sprintf(p, "host-record=many.example.local,%s\n", a_many[i].text);
	}
	fx_start(&fx, hosts, SRVS, 5000);
	free(hosts);
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	fx_stop(*state);
	return 0;
}

/* Verify CFG; expect RC and, if given, exactly the sentences in MSGS. */
static void expect(void **state, struct dd_config cfg, int rc, size_t checked,
		   const char *const *msgs, size_t nmsg)
{
	struct fixture *fx = *state;
	struct dnsq_report rep;
	int got = dnsq_verify(&cfg, &fx->srv, TMO, &rep);

	for (size_t i = 0; i < rep.kept; i++)
		print_message("  line %d: %s\n", rep.mismatch[i].line, rep.mismatch[i].text);
	if (got < 0)
		print_message("  err: %s\n", rep.err);
	assert_int_equal(got, rc);
	assert_int_equal(rep.checked, checked);
	assert_int_equal(rep.mismatches, nmsg);
	assert_int_equal(rep.kept, nmsg);
	for (size_t i = 0; i < nmsg; i++)
		assert_string_equal(rep.mismatch[i].text, msgs[i]);
	dnsq_report_free(&rep);
}

static void test_all_match(void **state)
{
	struct fixture *fx = *state;
	struct dd_config cfg = mkcfg(base_hosts, N(base_hosts), base_srv,
				     N(base_srv), base_cname, N(base_cname));
	struct dnsq_report rep;

	/* 6 host questions (expc2 has A and AAAA), 3 SRV names, 2 aliases */
	expect(state, cfg, 0, 11, NULL, 0);
	assert_int_equal(dnsq_verify(&cfg, &fx->srv, TMO, &rep), 0);
	assert_int_equal(rep.tcp, 1);	/* many.example.local: 100 A records */
	dnsq_report_free(&rep);
	cfg = mkcfg(NULL, 0, NULL, 0, NULL, 0);
	expect(state, cfg, 0, 0, NULL, 0);	/* an empty INI verifies */
}

static void test_a_differs(void **state)
{
	struct dd_addr a[] = { { AF_INET, "10.0.10.99" } };
	struct dd_addr b[] = { { AF_INET, "10.0.10.12" }, { AF_INET, "10.0.10.13" },
			       { AF_INET6, "fd00::12" } };
	struct dd_host h[] = { { "expc1.example.local", a, 1, 10 },
			       { "expc2.example.local", b, 3, 11 } };
	const char *msgs[] = {
		"expc1.example.local A: expected 10.0.10.99, got 10.0.10.11",
		"expc2.example.local A: expected 10.0.10.12, 10.0.10.13, got 10.0.10.12",
	};

	expect(state, mkcfg(h, 2, NULL, 0, NULL, 0), 1, 3, msgs, 2);
}

static void test_missing_host(void **state)
{
	struct dd_addr a[] = { { AF_INET, "10.9.9.9" } };
	struct dd_host h[] = { { "gone.nxd.test", a, 1, 5 },
			       { "gone.example.local", a, 1, 6 } };
	const char *msgs[] = {
		"gone.nxd.test A: expected 10.9.9.9, got no answer (NXDOMAIN)",
		"gone.example.local A: expected 10.9.9.9, got no answer (REFUSED)",
	};

	expect(state, mkcfg(h, 2, NULL, 0, NULL, 0), 1, 2, msgs, 2);
}

static void test_srv_differs(void **state)
{
	struct dd_srv s[] = {
		{ "_cisco-uds._tcp.example.com", "cucm2.example.local", 8443, 20, 10, 7 },
		{ "_cisco-uds._tcp.example.com", "cucm1.example.local", 5061, 10, 10, 8 },
		{ "_collab-edge._tls.example.com", "expe.example.com", 8443, 10, 10, 9 },
	};
	const char *msgs[] = {
		"_cisco-uds._tcp.example.com SRV: expected cucm1.example.local:5061 10 10, "
		"cucm2.example.local:8443 20 10, got cucm1.example.local:8443 10 10, "
		"cucm2.example.local:8443 20 10",
	};

	expect(state, mkcfg(NULL, 0, s, 3, NULL, 0), 1, 2, msgs, 1);
}

static void test_dot_record(void **state)
{
	struct fixture *fx = *state;
	struct dd_srv dot[] = { { "_sip._udp.example.com", NULL, 0, 0, 0, 3 } };
	struct dd_srv real[] = { { "_sip._udp.example.com", "sip.example.com", 5060, 10, 10, 3 } };
	struct dd_srv dot2[] = { { "_collab-edge._tls.example.com", NULL, 0, 10, 10, 4 } };
	const char *m1[] = { "_sip._udp.example.com SRV: expected sip.example.com:5060 10 10, got ." };
	const char *m2[] = { "_collab-edge._tls.example.com SRV: expected ., got expe.example.com:8443 10 10" };
	struct dnsq_answer ans = { 0 };
	char err[DNSQ_ERR_MAX];

	expect(state, mkcfg(NULL, 0, dot, 1, NULL, 0), 0, 1, NULL, 0);
	expect(state, mkcfg(NULL, 0, real, 1, NULL, 0), 1, 1, m1, 1);
	expect(state, mkcfg(NULL, 0, dot2, 1, NULL, 0), 1, 1, m2, 1);
	/* What dnsmasq 2.90 answers for srv-host=NAME: 0 0 1 . */
	assert_int_equal(dnsq_query(&fx->srv, "_sip._udp.example.com", ns_t_srv,
				    TMO, &ans, err), 0);
	assert_int_equal(ans.nrr, 1);
	assert_int_equal(ans.rr[0].type, ns_t_srv);
	assert_string_equal(ans.rr[0].data, ".");
	assert_int_equal(ans.rr[0].priority, 0);
	assert_int_equal(ans.rr[0].weight, 0);
	assert_int_equal(ans.rr[0].port, 1);
	dnsq_answer_free(&ans);
}

static void test_cname(void **state)
{
	struct fixture *fx = *state;
	struct dd_cname c[] = { { "cucm.example.local", "expc1.example.local", 30 },
				{ "v6alias.example.local", "v6only.example.local", 31 },
				{ "nocname.example.local", "expc1.example.local", 32 } };
	const char *msgs[] = {
		"cucm.example.local CNAME: expected expc1.example.local, got cucm1.example.local",
		"nocname.example.local CNAME: expected expc1.example.local, got no answer (REFUSED)",
	};
	struct dnsq_answer ans = { 0 };
	char err[DNSQ_ERR_MAX];

	expect(state, mkcfg(NULL, 0, NULL, 0, c, 3), 1, 3, msgs, 2);
	/* The alias asked for A: the CNAME, then the target's A record. */
	assert_int_equal(dnsq_query(&fx->srv, "cucm.example.local", ns_t_a, TMO,
				    &ans, err), 0);
	assert_int_equal(ans.nrr, 2);
	assert_int_equal(ans.rr[0].type, ns_t_cname);
	assert_string_equal(ans.rr[0].owner, "cucm.example.local");
	assert_string_equal(ans.rr[0].data, "cucm1.example.local");
	assert_int_equal(ans.rr[1].type, ns_t_a);
	assert_string_equal(ans.rr[1].data, "10.0.20.1");
	dnsq_answer_free(&ans);
}

static void test_aaaa(void **state)
{
	struct dd_addr ok[] = { { AF_INET6, "FD00:0:0::99" } };	/* not canonical */
	struct dd_addr bad[] = { { AF_INET6, "fd00::98" } };
	struct dd_host h1[] = { { "v6only.example.local", ok, 1, 12 } };
	struct dd_host h2[] = { { "v6only.example.local", bad, 1, 12 } };
	const char *msgs[] = { "v6only.example.local AAAA: expected fd00::98, got fd00::99" };

	expect(state, mkcfg(h1, 1, NULL, 0, NULL, 0), 0, 1, NULL, 0);
	expect(state, mkcfg(h2, 1, NULL, 0, NULL, 0), 1, 1, msgs, 1);
}

static void test_query_tcp(void **state)
{
	struct fixture *fx = *state;
	struct dnsq_answer ans = { 0 };
	char err[DNSQ_ERR_MAX];

	assert_int_equal(dnsq_query(&fx->srv, "MANY.example.local", ns_t_a, TMO,
				    &ans, err), 0);
	assert_int_equal(ans.rcode, ns_r_noerror);
	assert_int_equal(ans.tcp, 1);
	assert_int_equal(ans.nrr, NMANY);
	assert_string_equal(ans.rr[0].owner, "many.example.local");
	dnsq_answer_free(&ans);
	assert_int_equal(dnsq_query(&fx->srv, "expc2.example.local", ns_t_aaaa,
				    TMO, &ans, err), 0);
	assert_int_equal(ans.tcp, 0);
	assert_int_equal(ans.nrr, 1);
	assert_string_equal(ans.rr[0].data, "fd00::12");
	dnsq_answer_free(&ans);
}

static void test_report_bound(void **state)
{
	static struct dd_host h[60];
	static char names[60][32];
	struct dd_addr a[] = { { AF_INET, "10.9.9.9" } };
	struct fixture *fx = *state;
	struct dd_config cfg;
	struct dnsq_report rep;

	for (int i = 0; i < 60; i++) {	/* INI lines in reverse array order */
		snprintf(names[i], sizeof names[i], "h%02d.nxd.test", i);
		h[i] = (struct dd_host){ names[i], a, 1, 159 - i };
	}
	cfg = mkcfg(h, 60, NULL, 0, NULL, 0);
	assert_int_equal(dnsq_verify(&cfg, &fx->srv, TMO, &rep), 1);
	assert_int_equal(rep.checked, 60);
	assert_int_equal(rep.mismatches, 60);
	assert_int_equal(rep.kept, DNSQ_REPORT_KEEP);
	for (int i = 0; i < DNSQ_REPORT_KEEP; i++)
		assert_int_equal(rep.mismatch[i].line, 100 + i);
	assert_string_equal(rep.mismatch[0].text,
			    "h59.nxd.test A: expected 10.9.9.9, got no answer (NXDOMAIN)");
	dnsq_report_free(&rep);
}

static void test_server_init(void **state)
{
	struct dnsq_server srv;
	char err[DNSQ_ERR_MAX];

	assert_int_equal(dnsq_server_init(&srv, "::1", 53, err), 0);
	assert_string_equal(srv.text, "[::1]:53");
	assert_int_equal(dnsq_server_init(&srv, "127.0.0.1", 0, err), -1);
	assert_int_equal(dnsq_server_init(&srv, "localhost", 53, err), -1);
	assert_non_null(strstr(err, "localhost"));
}

/* Nothing listens: every call fails cleanly and at once (ICMP refused). */
static void test_not_listening(void **state)
{
	struct dd_config cfg = mkcfg(base_hosts, N(base_hosts), base_srv,
				     N(base_srv), base_cname, N(base_cname));
	struct dnsq_server srv;
	struct dnsq_answer ans = { 0 };
	struct dnsq_report rep;
	char err[DNSQ_ERR_MAX];
	long long t0 = ms_now();

	server(&srv, free_port());
	assert_int_equal(dnsq_query(&srv, "expc1.example.local", ns_t_a, TMO,
				    &ans, err), -1);
	assert_non_null(strstr(err, "refused"));
	assert_int_equal(dnsq_verify(&cfg, &srv, TMO, &rep), -1);
	assert_non_null(strstr(rep.err, "refused"));
	dnsq_report_free(&rep);
	assert_true(ms_now() - t0 < TMO);
	t0 = ms_now();
	assert_int_equal(dnsq_wait_ready(&srv, 300, err), -1);
	assert_true(ms_now() - t0 >= 290 && ms_now() - t0 < 300 + SLACK_MS);
	assert_non_null(strstr(err, "did not answer within 300 ms"));
	dnsq_answer_free(&ans);
}

/* 300 hosts s000..s299.example.local, one A record each. */
static struct dd_config hosts300(void)
{
	static struct dd_host h[300];
	static char names[300][32];
	static struct dd_addr a[] = { { AF_INET, "10.9.9.9" } };

	for (int i = 0; i < 300; i++) {
		snprintf(names[i], sizeof names[i], "s%03d.example.local", i);
		h[i] = (struct dd_host){ names[i], a, 1, i + 1 };
	}
	return mkcfg(h, 300, NULL, 0, NULL, 0);
}

/* A UDP socket on 127.0.0.1 that nobody reads yet; SRV points to it. */
static int silent_socket(struct dnsq_server *srv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	server(srv, ntohs(sa.sin_port));
	return fd;
}

/* A server that answers NXDOMAIN to everything, one query every DELAY_MS,
 * and falls silent after LIMIT answers: it echoes the query with QR and the
 * rcode set. Returns its pid. */
static pid_t slow_echo(int fd, unsigned delay_ms, unsigned limit)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned char b[512];
		struct sockaddr_storage from;
		socklen_t len;
		ssize_t n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);

		for (unsigned done = 0;; done++) {
			if (done == limit)
				pause();
			len = sizeof from;
			n = recvfrom(fd, b, sizeof b, 0, (struct sockaddr *)&from, &len);
			if (n < 12)
				continue;
			usleep(delay_ms * 1000);
			b[2] |= 0x80;
			b[3] = (unsigned char)((b[3] & 0xf0) | ns_r_nxdomain);
			sendto(fd, b, (size_t)n, 0, (struct sockaddr *)&from, len);
		}
	}
	return pid;
}

/* A socket that takes queries and never answers: bounded by the timeout. */
static void test_silent_server(void **state)
{
	struct dd_config cfg = mkcfg(base_hosts, N(base_hosts), base_srv,
				     N(base_srv), base_cname, N(base_cname));
	struct dnsq_server srv;
	struct dnsq_answer ans = { 0 };
	struct dnsq_report rep;
	char err[DNSQ_ERR_MAX];
	int fd = silent_socket(&srv);
	long long t0 = ms_now();

	assert_int_equal(dnsq_query(&srv, "expc1.example.local", ns_t_a, 100,
				    &ans, err), -1);
	assert_non_null(strstr(err, "no answer"));
	assert_true(ms_now() - t0 >= 195 && ms_now() - t0 < 200 + SLACK_MS);
	t0 = ms_now();
	assert_int_equal(dnsq_verify(&cfg, &srv, 100, &rep), -1);
	assert_true(ms_now() - t0 < 200 + SLACK_MS);
	print_message("  %s\n", rep.err);
	assert_non_null(strstr(rep.err, "did not answer"));
	assert_true(rep.checked > 0 && rep.checked <= 11);
	dnsq_report_free(&rep);
	/* More questions than the window: gives up after 3 timeouts of silence,
	 * whether the server never answered or stopped after 20 answers. */
	cfg = hosts300();
	for (int i = 0; i < 2; i++) {
		char junk[512];
		pid_t pid;

		while (recv(fd, junk, sizeof junk, MSG_DONTWAIT) > 0)
			;	/* the queries asked so far */
		pid = i ? slow_echo(fd, 0, 20) : 0;

		t0 = ms_now();
		assert_int_equal(dnsq_verify(&cfg, &srv, 100, &rep), -1);
		print_message("  %s (%lld ms)\n", rep.err, ms_now() - t0);
		assert_true(ms_now() - t0 < 200 + SLACK_MS);
		assert_non_null(strstr(rep.err, i ? "stopped answering" : "did not answer"));
		assert_true(i ? rep.checked >= 20 : rep.checked > 0);
		dnsq_report_free(&rep);
		stop(pid);
	}
	close(fd);
}

/* 300 questions to a server that needs 10 ms each, with a 400 ms timeout:
 * 64 in flight would wait 640 ms; the window shrinks and all get answers.
 * The margins are wide (a query answered alone has 390 ms to spare) so a
 * loaded machine's scheduling delays cannot turn answers into timeouts. */
static void test_slow_server(void **state)
{
	struct dd_config cfg = hosts300();
	struct dnsq_server srv;
	struct dnsq_report rep;
	int fd = silent_socket(&srv), rc;
	long long t0 = ms_now();
	pid_t pid;

	pid = slow_echo(fd, 10, -1u);
	rc = dnsq_verify(&cfg, &srv, 400, &rep);
	stop(pid);
	close(fd);
	print_message("  %zu questions, %zu mismatches in %lld ms\n", rep.checked,
		      rep.mismatches, ms_now() - t0);
	if (rc < 0)
		print_message("  err: %s\n", rep.err);
	assert_int_equal(rc, 1);
	assert_int_equal(rep.checked, 300);
	assert_int_equal(rep.mismatches, 300);
	for (size_t i = 0; i < rep.kept; i++)	/* answers, not timeouts */
		assert_non_null(strstr(rep.mismatch[i].text, "(NXDOMAIN)"));
	assert_string_equal(rep.mismatch[0].text, "s000.example.local A: expected "
			    "10.9.9.9, got no answer (NXDOMAIN)");
	dnsq_report_free(&rep);
}

/* wait_ready polls through "refused" until a late dnsmasq answers; by then
 * it has read its conf-dir, so verification passes right away. */
static void test_wait_ready_late(void **state)
{
	struct fixture *fx = *state;
	struct dd_config cfg = mkcfg(base_hosts, N(base_hosts), base_srv,
				     N(base_srv), base_cname, N(base_cname));
	unsigned port = free_port();
	struct dnsq_server srv;
	struct dnsq_report rep;
	char err[DNSQ_ERR_MAX];
	long long t0 = ms_now();
	pid_t pid;

	server(&srv, port);
	pid = spawn_dnsmasq(fx->dir, port, 300);
	assert_int_equal(dnsq_wait_ready(&srv, 5000, err), 0);
	assert_true(ms_now() - t0 >= 300);
	print_message("  ready after %lld ms (started after 300 ms)\n", ms_now() - t0);
	assert_int_equal(dnsq_verify(&cfg, &srv, TMO, &rep), 0);
	dnsq_report_free(&rep);
	stop(pid);
}

/* CPU time (user + system) PID has used so far, from /proc. */
static long long cpu_ms(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	p = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
	fclose(f);
	/* after "comm)": state and 10 more fields, then utime, stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (long long)(ut + st) * 1000 / sysconf(_SC_CLK_TCK);
}

/* N records (half hosts, a quarter SRV in pairs, a quarter CNAMEs): time it. */
static void test_bench(void **state)
{
	const char *env = getenv("DNSQ_BENCH_N");
	size_t n = env ? strtoul(env, NULL, 10) : 10000, nh = n / 2, ns = n / 4, nc = n / 4;
	struct dd_host *h = calloc(nh, sizeof *h);
	struct dd_addr *a = calloc(nh, sizeof *a);
	struct dd_srv *s = calloc(ns, sizeof *s);
	struct dd_cname *c = calloc(nc, sizeof *c);
	char *names = calloc(n, 40), *hosts = malloc(n * 80 + 1), *srvs = malloc(n * 80 + 1);
	char *ph = hosts, *ps = srvs;
	struct dd_config cfg;
	struct fixture fx;
	struct dnsq_report rep;
	long long t0;

	assert_true(h && a && s && c && names && hosts && srvs && nh > 0);
	for (size_t i = 0; i < nh; i++) {
		h[i] = (struct dd_host){ names + 40 * i, &a[i], 1, (int)i + 1 };
		sprintf(h[i].name, "h%zu.bench.test", i);
		a[i].family = AF_INET;
		sprintf(a[i].text, "10.%zu.%zu.%zu", i >> 16 & 255, i >> 8 & 255, i & 255);
		ph += sprintf(ph, "host-record=%s,%s\n", h[i].name, a[i].text);
	}
	for (size_t i = 0; i < ns; i++) {
		char *nm = names + 40 * (nh + i / 2);

		sprintf(nm, "_s%zu._tcp.bench.test", i / 2);
		s[i] = (struct dd_srv){ nm, h[i % nh].name, 5000 + (unsigned)(i & 1), 10, 10, (int)(nh + i) };
		ps += sprintf(ps, "srv-host=%s,%s,%u,10,10\n", nm, s[i].target, s[i].port);
	}
	for (size_t i = 0; i < nc; i++) {
		char *nm = names + 40 * (nh + ns + i);

		sprintf(nm, "c%zu.bench.test", i);
		c[i] = (struct dd_cname){ nm, h[i % nh].name, (int)(nh + ns + i) };
		ph += sprintf(ph, "cname=%s,%s\n", nm, c[i].target);
	}
	t0 = ms_now();
	fx_start(&fx, hosts, srvs, 120000);
	print_message("  dnsmasq up with %zu records after %lld ms\n", n, ms_now() - t0);
	cfg = mkcfg(h, nh, s, ns, c, nc);
	t0 = ms_now();
	assert_int_equal(dnsq_verify(&cfg, &fx.srv, TMO, &rep), 0);
	print_message("  verified %zu records (%zu questions) in %lld ms\n", n,
		      rep.checked, ms_now() - t0);
	assert_int_equal(rep.checked, nh + ns / 2 + nc);
	print_message("  CPU: dnsmasq %lld ms, this process %lld ms\n",
		      cpu_ms(fx.pid), cpu_ms(getpid()));
	dnsq_report_free(&rep);
	fx_stop(&fx);
	free(h), free(a), free(s), free(c), free(names), free(hosts), free(srvs);
}

int main(void)
{
	const struct CMUnitTest with_server[] = {
		cmocka_unit_test(test_all_match),
		cmocka_unit_test(test_a_differs),
		cmocka_unit_test(test_missing_host),
		cmocka_unit_test(test_srv_differs),
		cmocka_unit_test(test_dot_record),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_query_tcp),
		cmocka_unit_test(test_report_bound),
		cmocka_unit_test(test_wait_ready_late),
	};
	const struct CMUnitTest alone[] = {
		cmocka_unit_test(test_server_init),
		cmocka_unit_test(test_not_listening),
		cmocka_unit_test(test_silent_server),
		cmocka_unit_test(test_slow_server),
		cmocka_unit_test(test_bench),
	};
	int failed;

	signal(SIGPIPE, SIG_IGN);
	failed = cmocka_run_group_tests_name("dnsq with dnsmasq", with_server,
					     group_setup, group_teardown);
	return failed + cmocka_run_group_tests_name("dnsq alone", alone, NULL, NULL);
}
