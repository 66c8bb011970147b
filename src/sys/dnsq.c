/* dnsq.c - one DNS question and its answer: wire format built by res_mkquery
 * and read by ns_initparse/ns_parserr/dn_expand (libc), over our own UDP
 * socket, TCP when truncated; and waiting for a server to come up.
 * dnsq_verify.c asks its questions through dnsq_query. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dnsq.h"
#include "dnsq_int.h"
#include "fsx.h"
#include "validate.h"

/* What dnsmasq 2.90 offers itself (its edns-packet-max): asking for more only
 * invites fragmentation; dnsmasq sets TC beyond it and we go to TCP. */
#define UDP_PAYLOAD 1232
#define RXMAX 4096
#define TRIES 2			/* a lost UDP query is sent once more */

const char *dnsq_type_name(int type)
{
	static const unsigned char types[] = { ns_t_a, ns_t_aaaa, ns_t_srv, ns_t_cname,
		ns_t_ptr };
	static const char names[][6] = { "A", "AAAA", "SRV", "CNAME", "PTR", "?" };
	size_t i = 0;

	while (i < sizeof types && types[i] != type)
		i++;
	return names[i];
}

const char *dnsq_rcode_name(int rcode, char tmp[16])
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED" };

	if (rcode >= 0 && rcode < 6)
		return names[rcode];
	snprintf(tmp, 16, "RCODE %d", rcode);
	return tmp;
}

/* Build a query for NAME (CLASS, TYPE) with ID into Q; its length or -1. */
int dnsq_build_query(const char *name, int class, int type, unsigned id,
		       unsigned char *q)
{
	int n = res_mkquery(ns_o_query, name, class, type, NULL, 0, NULL, q,
			    QMAX - OPT_LEN);

	if (n < NS_HFIXEDSZ)
		return -1;
	ns_put16(id, q);
	/* res_mkquery adds no OPT record, and without one dnsmasq stops at
	 * 512 bytes (29 A records); with one it sends up to UDP_PAYLOAD. */
	ns_put16(1, q + 10);		/* ARCOUNT */
	q[n] = 0;			/* owner: root */
	ns_put16(ns_t_opt, q + n + 1);
	ns_put16(UDP_PAYLOAD, q + n + 3);	/* CLASS carries the size */
	memset(q + n + 5, 0, 6);	/* ext. rcode, version 0, flags, RDLEN */
	return n + OPT_LEN;
}

/* SRC lowercased into DST (DD_NAME_MAX + 3 bytes); -1 when too long. */
static int lower_name(char *dst, const char *src)
{
	size_t len = strlen(src);

	if (len > DD_NAME_MAX + 1)
		return -1;
	for (size_t i = 0; i <= len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	return 0;
}

/* Expanded name from rdata at SRC into DST, lowercase, root as ".". */
static int expand_name(const ns_msg *m, const unsigned char *src, char *dst)
{
	char tmp[NS_MAXDNAME];
	size_t len;

	if (dn_expand(ns_msg_base(*m), ns_msg_end(*m), src, tmp, sizeof tmp) < 0)
		return -1;
	len = strlen(tmp);
	if (len > 1 && tmp[len - 1] == '.')
		tmp[len - 1] = '\0';
	return lower_name(dst, len ? tmp : ".");
}

/* Append RR to ANS when it is IN A/AAAA/SRV/CNAME/PTR. 0; -1: malformed;
 * -2: out of memory. */
static int take_rr(const ns_msg *m, const ns_rr *rr, struct dnsq_answer *ans)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	int t = ns_rr_type(*rr), len = ns_rr_rdlen(*rr), ok;
	struct dnsq_rr *o;

	if (ns_rr_class(*rr) != ns_c_in || *dnsq_type_name(t) == '?')
		return 0;
	if (ans->nrr == ans->cap) {
		size_t cap = ans->cap ? 2 * ans->cap : 16;
		void *p = realloc(ans->rr, cap * sizeof *ans->rr);

		if (!p)
			return -2;
		ans->rr = p;
		ans->cap = cap;
	}
	o = &ans->rr[ans->nrr];
	memset(o, 0, sizeof *o);
	o->type = t;
	if (lower_name(o->owner, ns_rr_name(*rr)) < 0)
		return -1;
	if (t == ns_t_a)
		ok = len == 4 && inet_ntop(AF_INET, rd, o->data, sizeof o->data);
	else if (t == ns_t_aaaa) {
		ok = len == 16;
		if (ok)
			validate_addr_text6(rd, o->data);
	} else if (t == ns_t_cname || t == ns_t_ptr)
		ok = expand_name(m, rd, o->data) == 0;
	else {
		ok = len > 6 && expand_name(m, rd + 6, o->data) == 0;
		o->priority = ok ? ns_get16(rd) : 0;
		o->weight = ok ? ns_get16(rd + 2) : 0;
		o->port = ok ? ns_get16(rd + 4) : 0;
	}
	ans->nrr += ok != 0;
	return ok ? 0 : -1;
}

/* Read MSG as the reply to (ID, NAME, CLASS, TYPE) into ANS. 0: answered;
 * 1: not a reply to that question (stale or foreign: ignore); 2: truncated
 * or unreadable (ask over TCP; ERR says why when unreadable); -1 with ERR:
 * malformed records. dnsmasq 2.76 and 2.77 send UDP replies that count an
 * OPT record they left out once the answer nearly fills the size we offer:
 * ns_initparse fails on those, and TCP gets the whole answer. */
int dnsq_parse_reply(const unsigned char *msg, int len, unsigned id,
		       const char *name, int class, int type,
		       struct dnsq_answer *ans, char *err)
{
	ns_msg m;
	ns_rr rr;

	if (len < NS_HFIXEDSZ || ns_get16(msg) != id)
		return 1;
	if (ns_initparse(msg, len, &m) < 0) {
		fsx_errf(err, 0, "malformed DNS reply for %s %s", name, dnsq_type_name(type));
		return msg[2] & 0x80 ? 2 : -1;	/* a reply (QR): try TCP */
	}
	if (!ns_msg_getflag(m, ns_f_qr) || ns_msg_count(m, ns_s_qd) != 1 ||
	    ns_parserr(&m, ns_s_qd, 0, &rr) < 0 || (int)ns_rr_type(rr) != type ||
	    (int)ns_rr_class(rr) != class || strcasecmp(ns_rr_name(rr), name) != 0)
		return 1;
	ans->rcode = ns_msg_getflag(m, ns_f_rcode);
	ans->nrr = 0;
	if (ns_msg_getflag(m, ns_f_tc))
		return 2;
	for (int i = 0, rc = 0; i < ns_msg_count(m, ns_s_an); i++) {
		if (ns_parserr(&m, ns_s_an, i, &rr) < 0 ||
		    (rc = take_rr(&m, &rr, ans)) < 0) {
			fsx_errf(err, 0, "%s in the answer for %s %s", rc == -2 ?
			       "out of memory" : "malformed record", name,
			       dnsq_type_name(type));
			return -1;
		}
	}
	return 0;
}

/* A UDP socket connected to SRV: the kernel then drops packets from anyone
 * else and turns ICMP port-unreachable (nothing listening, e.g. dnsmasq
 * still restarting) into ECONNREFUSED at once instead of a timeout. */
static int open_udp(const struct dnsq_server *srv, char *err)
{
	int fd = socket(srv->sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		fsx_errf(err, errno, "cannot open a UDP socket");
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&srv->sa, srv->salen) < 0) {
		fsx_errf(err, errno, "cannot reach DNS server %s", srv->text);
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait up to WAIT_MS on FD for the reply to Q; parse_reply's codes, plus
 * 3 when nothing came in time. */
static int await_udp(int fd, const struct dnsq_server *srv,
		     const unsigned char *q, const char *name, int class,
		     int type, unsigned wait_ms, struct dnsq_answer *ans, char *err)
{
	unsigned char rx[RXMAX];
	long long deadline = clock_ms() + wait_ms, left;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int rc;

	while ((left = deadline - clock_ms()) > 0) {
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		n = recv(fd, rx, sizeof rx, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			fsx_errf(err, errno, "cannot query DNS server %s", srv->text);
			return -1;
		}
		rc = dnsq_parse_reply(rx, (int)n, ns_get16(q), name, class, type, ans, err);
		if (rc != 1)
			return rc;
	}
	return 3;
}

/* Read (OUT == 0) or write exactly N bytes on non-blocking FD by DEADLINE. */
static int io_full(int fd, unsigned char *p, size_t n, int out, long long deadline)
{
	struct pollfd pf = { .fd = fd, .events = out ? POLLOUT : POLLIN };
	long long left;
	ssize_t r;

	while (n > 0) {
		r = out ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if ((left = deadline - clock_ms()) <= 0 || poll(&pf, 1, (int)left) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/* Ask Q again over TCP (dnsmasq caps UDP answers, e.g. 100 A records for one
 * name). 0 with ANS, or -1 with ERR. */
static int query_tcp(const struct dnsq_server *srv, const unsigned char *q, int qlen,
		     const char *name, int type, unsigned timeout_ms,
		     struct dnsq_answer *ans, char *err)
{
	long long deadline = clock_ms() + timeout_ms;
	unsigned char out[QMAX + 2], len2[2], *in = NULL;
	int fd, rc = -1, e;

	fd = socket(srv->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ns_put16((unsigned)qlen, out);
	memcpy(out + 2, q, (size_t)qlen);
	if (fd >= 0 && (connect(fd, (const struct sockaddr *)&srv->sa,
				srv->salen) == 0 || errno == EINPROGRESS) &&
	    io_full(fd, out, (size_t)qlen + 2, 1, deadline) == 0 &&
	    io_full(fd, len2, 2, 0, deadline) == 0 &&
	    (in = malloc(ns_get16(len2) + 1u)) != NULL &&
	    io_full(fd, in, ns_get16(len2), 0, deadline) == 0) {
		err[0] = '\0';
		rc = dnsq_parse_reply(in, (int)ns_get16(len2), ns_get16(q), name,
				 ns_c_in, type, ans, err);
		if (rc > 0 && !err[0])
			fsx_errf(err, 0, "%s answer over TCP for %s %s", rc == 2 ?
			       "truncated" : "mismatched", name, dnsq_type_name(type));
	} else {
		fsx_errf(err, errno, "answer for %s %s truncated, and TCP to %s failed",
			 name, dnsq_type_name(type), srv->text);
	}
	e = errno;
	free(in);
	if (fd >= 0)
		close(fd);
	errno = e;
	ans->tcp = rc == 0;
	return rc == 0 ? 0 : -1;
}

int dnsq_server_init(struct dnsq_server *srv, const char *addr, unsigned port,
		     char *err)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&srv->sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&srv->sa;
	int v6, n;

	memset(srv, 0, sizeof *srv);
	if (port == 0 || port > 65535) {
		fsx_errf(err, 0, "bad DNS server port %u (1-65535)", port);
		return -1;
	}
	v6 = inet_pton(AF_INET, addr, &in4->sin_addr) != 1;
	if (v6 && inet_pton(AF_INET6, addr, &in6->sin6_addr) != 1) {
		fsx_errf(err, 0, "bad DNS server address '%s' (IPv4 or IPv6)", addr);
		return -1;
	}
	if (v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		srv->salen = sizeof *in6;
	} else {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		srv->salen = sizeof *in4;
	}
	n = snprintf(srv->text, sizeof srv->text, "%s%s%s:%u", v6 ? "[" : "", addr,
		     v6 ? "]" : "", port);
	if (n < 0 || (size_t)n >= sizeof srv->text) {
		fsx_errf(err, 0, "DNS server address '%s' is too long", addr);
		return -1;
	}
	return 0;
}

int dnsq_query(const struct dnsq_server *srv, const char *name, int type,
	       unsigned timeout_ms, struct dnsq_answer *ans, char *err)
{
	unsigned char q[QMAX];
	uint64_t rng = rand_seed();
	int qlen = dnsq_build_query(name, ns_c_in, type, (unsigned)(rand_next(&rng) >> 48), q);
	int fd, rc = 3;

	ans->tcp = 0;
	if (qlen < 0) {
		fsx_errf(err, 0, "cannot build a DNS query for '%s'", name);
		return -1;
	}
	if ((fd = open_udp(srv, err)) < 0)
		return -1;
	for (int i = 0; i < TRIES && rc == 3; i++) {
		if (send(fd, q, (size_t)qlen, 0) != qlen) {
			fsx_errf(err, errno, "cannot query DNS server %s", srv->text);
			rc = -1;
		} else {
			rc = await_udp(fd, srv, q, name, ns_c_in, type, timeout_ms,
				       ans, err);
		}
	}
	close(fd);
	if (rc == 3)
		fsx_errf(err, 0, "no answer from %s for %s %s (%d tries of %u ms)",
		       srv->text, name, dnsq_type_name(type), TRIES, timeout_ms);
	if (rc == 2)
		rc = query_tcp(srv, q, qlen, name, type, timeout_ms, ans, err);
	return rc == 0 ? 0 : -1;
}

void dnsq_answer_free(struct dnsq_answer *ans)
{
	free(ans->rr);
	memset(ans, 0, sizeof *ans);
}

int dnsq_wait_ready(const struct dnsq_server *srv, unsigned timeout_ms,
		    char *err)
{
	long long deadline = clock_ms() + timeout_ms, left, t0;
	struct dnsq_answer ans = { 0 };
	char last[DNSQ_ERR_MAX];
	unsigned char q[QMAX];
	uint64_t rng = rand_seed();
	unsigned step = 10;
	int fd, rc = 3;

	if ((fd = open_udp(srv, err)) < 0)
		return -1;
	fsx_errf(err, 0, "no reply yet");
	/* CHAOS TXT version.bind is answered by dnsmasq itself; any name in
	 * class IN could be forwarded upstream and hang there. Any reply counts. */
	while (rc != 0 && rc != 2 && (left = deadline - (t0 = clock_ms())) > 0) {
		unsigned wait = left < step ? (unsigned)left : step;
		int qlen = dnsq_build_query("version.bind", ns_c_chaos, ns_t_txt,
				       (unsigned)(rand_next(&rng) >> 48), q);

		if (qlen > 0 && send(fd, q, (size_t)qlen, 0) == qlen)
			rc = await_udp(fd, srv, q, "version.bind", ns_c_chaos,
				       ns_t_txt, wait, &ans, err);
		else if (qlen > 0)
			fsx_errf(err, 0, "%s", strerror(errno));
		if (rc != 0 && rc != 2 && (left = t0 + wait - clock_ms()) > 0)
			nanosleep(&(struct timespec){ 0, left * 1000000L }, NULL);
		step = step * 2 > 50 ? 50 : step * 2;
	}
	close(fd);
	dnsq_answer_free(&ans);
	if (rc == 0 || rc == 2)
		return 0;
	memcpy(last, err, sizeof last);
	fsx_errf(err, 0, "DNS server %s did not answer within %u ms (last: %s)",
	       srv->text, timeout_ms, last);
	return -1;
}


int dnsq_resolves(const struct dnsq_server *srv, const char *name,
		  unsigned timeout_ms, char *err)
{
	static const int types[] = { ns_t_a, ns_t_aaaa };
	struct dnsq_answer ans = { 0 };
	int found = 0;

	for (int i = 0; i < 2 && !found; i++) {
		if (dnsq_query(srv, name, types[i], timeout_ms, &ans, err) < 0) {
			dnsq_answer_free(&ans);
			return -1;
		}
		for (size_t k = 0; k < ans.nrr; k++)
			found |= ans.rr[k].type == types[i];
	}
	dnsq_answer_free(&ans);
	return found;
}

int dnsq_targets(const struct dd_config *cfg, const struct dnsq_server *srv,
		 unsigned timeout_ms, struct problems *pr, char *err)
{
	const struct dd_srv **unk;
	ssize_t n = validate_unknown_targets(cfg, &unk);
	int rc = 0;

	if (n < 0) {
		fsx_errf(err, 0, "out of memory");
		return -1;
	}
	for (ssize_t i = 0; i < n && rc >= 0; i++)
		if ((rc = dnsq_resolves(srv, unk[i]->target, timeout_ms, err)) == 0)
			problems_add(pr, cfg->path, unk[i]->line, SEV_WARNING,
				     "SRV target %s resolves to no address (asked %s); check the spelling, or add it under [hosts]",
				     unk[i]->target, srv->text);
	free(unk);
	problems_sort(pr);
	return rc < 0 ? -1 : 0;
}
