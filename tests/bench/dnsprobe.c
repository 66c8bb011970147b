/* dnsprobe.c - `dnsprobe PORT NAME ADDR [INTERVAL_MS]`: ask 127.0.0.1:PORT
 * for NAME/A every INTERVAL_MS (default 10) until SIGTERM or SIGINT, then
 * print one line:
 *   sent=N ok=N failed=N maxgap_ms=X first_ms=X
 * ok counts queries answered NOERROR with ADDR among the A records; failed =
 * sent - ok (lost, refused, SERVFAIL, wrong answer); maxgap_ms is the longest
 * time between two consecutive good answers (about INTERVAL_MS when DNS
 * never stopped). A benchmark driver for tests/bench/bench.sh (the DNS outage
 * window around a dnsmasq restart); not part of dnsdrop. Exit 2 on trouble.
 * Build: gcc -O2 tests/bench/dnsprobe.c -lresolv (glibc) or musl-gcc -static. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXQ 65536 /* 16-bit DNS ids: one id per query of a run */

static volatile sig_atomic_t stop;
static unsigned char answered[MAXQ];
static unsigned sent, ok;
static double first_ok = -1, last_ok = -1, maxgap;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 1 when MSG is a NOERROR answer with an A record equal to WANT. */
static int good_answer(const unsigned char *msg, int len, struct in_addr want)
{
	ns_msg m;
	ns_rr rr;
	int i, n;

	if (ns_initparse(msg, len, &m) < 0 || ns_msg_getflag(m, ns_f_rcode) != ns_r_noerror)
		return 0;
	n = ns_msg_count(m, ns_s_an);
	for (i = 0; i < n; i++) {
		if (ns_parserr(&m, ns_s_an, i, &rr) < 0)
			return 0;
		if (ns_rr_type(rr) == ns_t_a && ns_rr_rdlen(rr) == 4 &&
		    memcmp(ns_rr_rdata(rr), &want, 4) == 0)
			return 1;
	}
	return 0;
}

/* Read every answer waiting on FD. */
static void drain(int fd, struct in_addr want)
{
	unsigned char r[4096];
	double t;
	int n, id;

	while ((n = (int)recv(fd, r, sizeof r, 0)) >= 0 || errno == ECONNREFUSED) {
		if (n < 12)
			continue;
		id = r[0] << 8 | r[1];
		if (id >= (int)sent || answered[id] || !good_answer(r, n, want))
			continue;
		answered[id] = 1;
		ok++;
		t = now_ms();
		if (first_ok < 0)
			first_ok = t;
		else if (t - last_ok > maxgap)
			maxgap = t - last_ok;
		last_ok = t;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned char q[512];
	struct in_addr want;
	struct sigaction sig = { .sa_handler = on_signal };
	struct pollfd p;
	double interval, next, t, start, end;
	int fd, qlen;

	if (argc < 4 || argc > 5 || inet_pton(AF_INET, argv[3], &want) != 1) {
		fputs("usage: dnsprobe PORT NAME IPV4 [INTERVAL_MS]\n", stderr);
		return 2;
	}
	interval = argc == 5 ? atof(argv[4]) : 10;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((qlen = res_mkquery(ns_o_query, argv[2], ns_c_in, ns_t_a, NULL, 0, NULL, q,
				sizeof q)) < 0) {
		fprintf(stderr, "dnsprobe: cannot build a query for %s\n", argv[2]);
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("dnsprobe: socket");
		return 2;
	}
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);

	start = next = now_ms();
	while (!stop && sent < MAXQ) {
		t = now_ms();
		if (t >= next) {
			q[0] = (unsigned char)(sent >> 8);
			q[1] = (unsigned char)sent;
			/* ECONNREFUSED (nothing listens: dnsmasq is down) is an
			 * unanswered query, nothing more. */
			(void)send(fd, q, (size_t)qlen, 0);
			sent++;
			next += interval;
			continue;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(next - t) + 1) > 0)
			drain(fd, want);
	}
	/* The last queries are still in flight: wait for them a little. */
	for (end = now_ms() + 200; (t = now_ms()) < end;) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(end - t) + 1) > 0)
			drain(fd, want);
	}
	if (first_ok < 0)
		maxgap = now_ms() - start;
	printf("sent=%u ok=%u failed=%u maxgap_ms=%.1f first_ms=%.1f\n", sent, ok, sent - ok,
	       maxgap, first_ok < 0 ? -1.0 : first_ok - start);
	return 0;
}
