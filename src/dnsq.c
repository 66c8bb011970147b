/* dnsq.c - ask DNS whether the INI's records are served. Wire format is built
 * by res_mkquery and read by ns_initparse/ns_parserr/dn_expand (libc); this
 * file only moves packets, matches them to questions and compares sets. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dnsq.h"

#define QMAX 300		/* header + name (<= 255 octets) + question + OPT */
#define OPT_LEN 11		/* an empty EDNS0 OPT record */
/* What dnsmasq 2.90 offers itself (its edns-packet-max): asking for more only
 * invites fragmentation; dnsmasq sets TC beyond it and we go to TCP. */
#define UDP_PAYLOAD 1232
#define RXMAX 4096
#define TRIES 2			/* a lost UDP query is sent once more */
#define WINDOW 64		/* queries in flight while verifying */
#define LIST_MAX 8		/* items of a set shown in a mismatch sentence */

static void seterr(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(err, DNSQ_ERR_MAX, fmt, ap);
	va_end(ap);
	if (n >= DNSQ_ERR_MAX)	/* a cut message still names the problem */
		memcpy(err + DNSQ_ERR_MAX - 4, "...", 4);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rng_seed(void)
{
	uint64_t s;

	/* Ids only tell our answers from stale or foreign packets; should the
	 * kernel lack getrandom, clock and pid still differ from run to run. */
	if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
		s = (uint64_t)now_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	return s | 1;
}

static unsigned rng_id(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned)(*s >> 24) & 0xffff;
}

static const char *type_name(int type)
{
	switch (type) {
	case ns_t_a: return "A";
	case ns_t_aaaa: return "AAAA";
	case ns_t_srv: return "SRV";
	case ns_t_cname: return "CNAME";
	default: return "?";
	}
}

static const char *rcode_name(int rcode, char tmp[16])
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL",
		"NXDOMAIN", "NOTIMP", "REFUSED" };

	if (rcode >= 0 && rcode < 6)
		return names[rcode];
	snprintf(tmp, 16, "RCODE %d", rcode & 0xffff);
	return tmp;
}

/* Build a query for NAME (CLASS, TYPE) with ID into Q; its length or -1. */
static int build_query(const char *name, int class, int type, unsigned id,
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

/* Expanded name from rdata at SRC into DST, lowercase, root as ".". */
static int expand_name(const ns_msg *m, const unsigned char *src, char *dst)
{
	char tmp[NS_MAXDNAME];
	size_t i, len;

	if (dn_expand(ns_msg_base(*m), ns_msg_end(*m), src, tmp, sizeof tmp) < 0)
		return -1;
	len = strlen(tmp);
	if (len > 0 && tmp[len - 1] == '.' && len > 1)
		tmp[--len] = '\0';
	if (len == 0)
		tmp[len++] = '.';
	if (len > DD_NAME_MAX + 1)
		return -1;
	for (i = 0; i < len; i++)
		dst[i] = (char)tolower((unsigned char)tmp[i]);
	dst[len] = '\0';
	return 0;
}

/* Append RR to ANS when it is IN A/AAAA/SRV/CNAME. 0; -1: malformed;
 * -2: out of memory. */
static int take_rr(const ns_msg *m, const ns_rr *rr, struct dnsq_answer *ans)
{
	const unsigned char *rd = ns_rr_rdata(*rr);
	int t = ns_rr_type(*rr), len = ns_rr_rdlen(*rr), ok;
	struct dnsq_rr *o;

	if (ns_rr_class(*rr) != ns_c_in || (t != ns_t_a && t != ns_t_aaaa &&
					   t != ns_t_srv && t != ns_t_cname))
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
	if (strlen(ns_rr_name(*rr)) > DD_NAME_MAX + 1)
		return -1;
	for (size_t i = 0; i <= strlen(ns_rr_name(*rr)); i++)
		o->owner[i] = (char)tolower((unsigned char)ns_rr_name(*rr)[i]);
	if (t == ns_t_a)
		ok = len == 4 && inet_ntop(AF_INET, rd, o->data, sizeof o->data);
	else if (t == ns_t_aaaa)
		ok = len == 16 && inet_ntop(AF_INET6, rd, o->data, sizeof o->data);
	else if (t == ns_t_cname)
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
 * (ask over TCP); -1 with ERR: malformed. */
static int parse_reply(const unsigned char *msg, int len, unsigned id,
		       const char *name, int class, int type,
		       struct dnsq_answer *ans, char *err)
{
	ns_msg m;
	ns_rr rr;

	if (len < NS_HFIXEDSZ || ns_get16(msg) != id)
		return 1;
	if (ns_initparse(msg, len, &m) < 0) {
		seterr(err, "malformed DNS reply for %s %s", name, type_name(type));
		return -1;
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
			seterr(err, "%s in the answer for %s %s", rc == -2 ?
			       "out of memory" : "malformed record", name,
			       type_name(type));
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
		seterr(err, "cannot open a UDP socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&srv->sa, srv->salen) < 0) {
		seterr(err, "cannot reach DNS server %s: %s", srv->text,
		       strerror(errno));
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
	long long deadline = now_ms() + wait_ms, left;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int rc;

	while ((left = deadline - now_ms()) > 0) {
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		n = recv(fd, rx, sizeof rx, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			seterr(err, "cannot query DNS server %s: %s", srv->text,
			       strerror(errno));
			return -1;
		}
		rc = parse_reply(rx, (int)n, ns_get16(q), name, class, type, ans, err);
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
		if ((left = deadline - now_ms()) <= 0 || poll(&pf, 1, (int)left) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return 0;
}

/* Ask Q again over TCP (dnsmasq caps UDP answers, e.g. 100 A records for one
 * name). 0 with ANS, or -1 with ERR. */
static int query_tcp(const struct dnsq_server *srv, const unsigned char *q,
		     int qlen, const char *name, int type, unsigned timeout_ms,
		     struct dnsq_answer *ans, char *err)
{
	long long deadline = now_ms() + timeout_ms;
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
		rc = parse_reply(in, (int)ns_get16(len2), ns_get16(q), name,
				 ns_c_in, type, ans, err);
		if (rc > 0)
			seterr(err, "%s answer over TCP for %s %s", rc == 2 ?
			       "truncated" : "mismatched", name, type_name(type));
	} else {
		seterr(err, "answer for %s %s truncated, and TCP to %s failed: %s",
		       name, type_name(type), srv->text, strerror(errno));
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
	int n;

	memset(srv, 0, sizeof *srv);
	if (port == 0 || port > 65535) {
		seterr(err, "bad DNS server port %u (1-65535)", port);
		return -1;
	}
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		srv->salen = sizeof *in4;
		n = snprintf(srv->text, sizeof srv->text, "%s:%u", addr, port);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		srv->salen = sizeof *in6;
		n = snprintf(srv->text, sizeof srv->text, "[%s]:%u", addr, port);
	} else {
		seterr(err, "bad DNS server address '%s' (IPv4 or IPv6)", addr);
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof srv->text) {
		seterr(err, "DNS server address '%s' is too long", addr);
		return -1;
	}
	return 0;
}

int dnsq_query(const struct dnsq_server *srv, const char *name, int type,
	       unsigned timeout_ms, struct dnsq_answer *ans, char *err)
{
	unsigned char q[QMAX];
	uint64_t rng = rng_seed();
	int qlen = build_query(name, ns_c_in, type, rng_id(&rng), q);
	int fd, rc = 3;

	ans->tcp = 0;
	if (qlen < 0) {
		seterr(err, "cannot build a DNS query for '%s'", name);
		return -1;
	}
	if ((fd = open_udp(srv, err)) < 0)
		return -1;
	for (int i = 0; i < TRIES && rc == 3; i++) {
		if (send(fd, q, (size_t)qlen, 0) != qlen) {
			seterr(err, "cannot query DNS server %s: %s", srv->text,
			       strerror(errno));
			rc = -1;
		} else {
			rc = await_udp(fd, srv, q, name, ns_c_in, type, timeout_ms,
				       ans, err);
		}
	}
	close(fd);
	if (rc == 3)
		seterr(err, "no answer from %s for %s %s (%d tries of %u ms)",
		       srv->text, name, type_name(type), TRIES, timeout_ms);
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
	long long start = now_ms(), deadline = start + timeout_ms, left, t0;
	struct dnsq_answer ans = { 0 };
	unsigned char q[QMAX];
	uint64_t rng = rng_seed();
	unsigned step = 10;
	int fd, rc = 3;

	if ((fd = open_udp(srv, err)) < 0)
		return -1;
	seterr(err, "no reply yet");
	/* CHAOS TXT version.bind is answered by dnsmasq itself; any name in
	 * class IN could be forwarded upstream and hang there. Any reply counts. */
	while (rc != 0 && rc != 2 && (left = deadline - (t0 = now_ms())) > 0) {
		unsigned wait = left < step ? (unsigned)left : step;
		int qlen = build_query("version.bind", ns_c_chaos, ns_t_txt,
				       rng_id(&rng), q);

		if (qlen > 0 && send(fd, q, (size_t)qlen, 0) == qlen)
			rc = await_udp(fd, srv, q, "version.bind", ns_c_chaos,
				       ns_t_txt, wait, &ans, err);
		else if (qlen > 0)
			seterr(err, "%s", strerror(errno));
		if (rc != 0 && rc != 2 && (left = t0 + wait - now_ms()) > 0)
			nanosleep(&(struct timespec){ 0, left * 1000000L }, NULL);
		step = step * 2 > 50 ? 50 : step * 2;
	}
	close(fd);
	dnsq_answer_free(&ans);
	if (rc == 0 || rc == 2)
		return 0;
	{
		char last[DNSQ_ERR_MAX];

		memcpy(last, err, sizeof last);
		seterr(err, "DNS server %s did not answer within %u ms (last: %s)",
		       srv->text, timeout_ms, last);
	}
	return -1;
}

/* Verification: WINDOW questions in flight on one socket, matched by id. */

enum { CK_HOST, CK_SRV, CK_CNAME };

struct check {
	const char *name;
	int type, kind, line;
	size_t idx, n;		/* host or cname index; SRV: range of vctx.srvp */
};

struct slot {
	size_t check;
	unsigned tries;
	int qlen;		/* 0: free */
	long long sent;
	unsigned char q[QMAX];
};

struct strset {
	char (*v)[DNSQ_TEXT_MAX];
	size_t n, cap;
};

struct vctx {
	const struct dd_config *cfg;
	const struct dnsq_server *srv;
	struct dnsq_report *rep;
	unsigned timeout_ms;
	int fd;
	uint64_t rng;
	struct check *chk;
	size_t nchk, next, inflight, lost, answered;
	size_t window;			/* in flight allowed now, 1..WINDOW */
	const struct dd_srv **srvp;	/* cfg->srv sorted by name, then line */
	struct dnsq_answer ans;
	struct strset want, got;
	size_t key[DNSQ_REPORT_KEEP];	/* check index of each kept mismatch */
	struct slot slot[WINDOW];
	uint16_t idmap[65536];		/* query id -> slot + 1; 0: free */
	unsigned char rx[RXMAX];
};

static int cmp_srv(const void *a, const void *b)
{
	const struct dd_srv *x = *(const struct dd_srv *const *)a;
	const struct dd_srv *y = *(const struct dd_srv *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void add_check(struct vctx *v, const char *name, int type, int kind,
		      size_t idx, size_t n, int line)
{
	struct check *c = &v->chk[v->nchk++];

	c->name = name;
	c->type = type;
	c->kind = kind;
	c->idx = idx;
	c->n = n;
	c->line = line;
}

/* One question per host and family, per SRV name, per alias. -1: no memory. */
static int plan(struct vctx *v)
{
	const struct dd_config *cfg = v->cfg;
	size_t i, j;

	v->chk = calloc(2 * cfg->nhost + cfg->nsrv + cfg->ncname + 1, sizeof *v->chk);
	v->srvp = calloc(cfg->nsrv + 1, sizeof *v->srvp);
	if (!v->chk || !v->srvp)
		return -1;
	for (i = 0; i < cfg->nhost; i++) {
		const struct dd_host *h = &cfg->host[i];
		int has4 = 0, has6 = 0;

		for (j = 0; j < h->naddr; j++) {
			has4 |= h->addr[j].family == AF_INET;
			has6 |= h->addr[j].family == AF_INET6;
		}
		/* Only the families the INI gives: dnsmasq forwards the other
		 * family of a host-record name upstream, so that answer is not
		 * ours to judge (REFUSED here, with no upstream). */
		if (has4)
			add_check(v, h->name, ns_t_a, CK_HOST, i, 0, h->line);
		if (has6)
			add_check(v, h->name, ns_t_aaaa, CK_HOST, i, 0, h->line);
	}
	for (i = 0; i < cfg->nsrv; i++)
		v->srvp[i] = &cfg->srv[i];
	if (cfg->nsrv > 1)
		qsort(v->srvp, cfg->nsrv, sizeof *v->srvp, cmp_srv);
	for (i = 0; i < cfg->nsrv; i = j) {
		for (j = i + 1; j < cfg->nsrv &&
		     strcmp(v->srvp[j]->name, v->srvp[i]->name) == 0; j++)
			;
		add_check(v, v->srvp[i]->name, ns_t_srv, CK_SRV, i, j - i,
			  v->srvp[i]->line);
	}
	/* An alias is asked for A, as a client would: dnsmasq answers the
	 * CNAME itself even when the target has no A record. */
	for (i = 0; i < cfg->ncname; i++)
		add_check(v, cfg->cname[i].alias, ns_t_a, CK_CNAME, i, 0,
			  cfg->cname[i].line);
	return 0;
}

static int set_add(struct strset *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_add(struct strset *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(s->v, cap * sizeof *s->v);

		if (!p)
			return -1;
		s->v = p;
		s->cap = cap;
	}
	va_start(ap, fmt);
	n = vsnprintf(s->v[s->n], DNSQ_TEXT_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= DNSQ_TEXT_MAX)
		return -1;
	s->n++;
	return 0;
}

/* An SRV record as the INI writes it. dnsmasq 2.90 answers srv-host=NAME
 * (no target) with "0 0 1 ." (priority 0, weight 0, port 1, root target):
 * exactly that reads as ".", anything else in full. */
static int add_srv(struct strset *s, const char *target, unsigned port,
		   unsigned prio, unsigned weight)
{
	if (!target || (strcmp(target, ".") == 0 && port == 1 && prio == 0 &&
			weight == 0))
		return set_add(s, ".");
	return set_add(s, "%s:%u %u %u", target, port, prio, weight);
}

static int want_set(struct vctx *v, const struct check *c)
{
	int fam = c->type == ns_t_aaaa ? AF_INET6 : AF_INET, rc = 0;

	if (c->kind == CK_CNAME)
		return set_add(&v->want, "%s", v->cfg->cname[c->idx].target);
	for (size_t k = 0; c->kind == CK_SRV && k < c->n && rc == 0; k++) {
		const struct dd_srv *sv = v->srvp[c->idx + k];

		rc = add_srv(&v->want, sv->target, sv->port, sv->priority, sv->weight);
	}
	for (size_t k = 0; c->kind == CK_HOST && k < v->cfg->host[c->idx].naddr &&
	     rc == 0; k++) {
		const struct dd_addr *a = &v->cfg->host[c->idx].addr[k];
		unsigned char bin[16];
		char txt[DD_ADDR_MAX];

		if (a->family != fam)
			continue;
		/* Same canonical text as inet_ntop gives for the answer. */
		if (inet_pton(fam, a->text, bin) == 1 &&
		    inet_ntop(fam, bin, txt, sizeof txt))
			rc = set_add(&v->want, "%s", txt);
		else
			rc = set_add(&v->want, "%s", a->text);
	}
	return rc;
}

static int got_set(struct vctx *v, const struct check *c)
{
	int type = c->kind == CK_CNAME ? ns_t_cname : c->type, rc = 0;

	for (size_t k = 0; k < v->ans.nrr && rc == 0; k++) {
		const struct dnsq_rr *r = &v->ans.rr[k];

		if (r->type != type || strcasecmp(r->owner, c->name) != 0)
			continue;
		if (type == ns_t_srv)
			rc = add_srv(&v->got, r->data, r->port, r->priority, r->weight);
		else
			rc = set_add(&v->got, "%s", r->data);
	}
	return rc;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sort and drop duplicates: sets compare order-insensitively. */
static void set_norm(struct strset *s)
{
	size_t i, n = 0;

	if (s->n > 1)		/* qsort(NULL, 0, ...) is undefined */
		qsort(s->v, s->n, sizeof *s->v, cmp_text);
	for (i = 0; i < s->n; i++)
		if (n == 0 || strcmp(s->v[n - 1], s->v[i]) != 0)
			memmove(s->v[n++], s->v[i], DNSQ_TEXT_MAX);
	s->n = n;
}

static int set_equal(const struct strset *a, const struct strset *b)
{
	size_t i;

	for (i = 0; a->n == b->n && i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return a->n == b->n;
}

static void put_list(struct buf *b, const struct strset *s)
{
	for (size_t i = 0; i < s->n && i < LIST_MAX; i++)
		buf_printf(b, "%s%s", i ? ", " : "", s->v[i]);
	if (s->n > LIST_MAX)
		buf_printf(b, " and %zu more", s->n - LIST_MAX);
}

/* Keep B's text if it is among the first DNSQ_REPORT_KEEP by INI line. */
static int keep(struct vctx *v, size_t ci, struct buf *b)
{
	struct dnsq_report *r = v->rep;
	int line = v->chk[ci].line;
	size_t at = r->kept;

	if (b->oom || !b->p) {
		buf_free(b);
		return -1;
	}
	while (at > 0 && (line < r->mismatch[at - 1].line ||
			  (line == r->mismatch[at - 1].line && ci < v->key[at - 1])))
		at--;
	if (at == DNSQ_REPORT_KEEP) {
		buf_free(b);
		return 0;
	}
	if (r->kept == DNSQ_REPORT_KEEP)
		free(r->mismatch[--r->kept].text);
	memmove(&r->mismatch[at + 1], &r->mismatch[at],
		(r->kept - at) * sizeof *r->mismatch);
	memmove(&v->key[at + 1], &v->key[at], (r->kept - at) * sizeof *v->key);
	r->mismatch[at].line = line;
	r->mismatch[at].text = b->p;
	v->key[at] = ci;
	r->kept++;
	return 0;
}

/* Compare the answer in v->ans with check CI; WHY says why none came. */
static int judge(struct vctx *v, size_t ci, const char *why)
{
	const struct check *c = &v->chk[ci];
	struct buf b = { 0 };
	char tmp[16];

	v->rep->checked++;
	v->want.n = v->got.n = 0;
	if (want_set(v, c) < 0 || (!why && got_set(v, c) < 0)) {
		seterr(v->rep->err, "out of memory comparing %s", c->name);
		return -1;
	}
	set_norm(&v->want);
	set_norm(&v->got);
	if (!why && v->ans.rcode == ns_r_noerror && set_equal(&v->want, &v->got))
		return 0;
	v->rep->mismatches++;
	buf_printf(&b, "%s %s: expected ", c->name,
		   type_name(c->kind == CK_CNAME ? ns_t_cname : c->type));
	put_list(&b, &v->want);
	if (why || v->ans.rcode != ns_r_noerror)
		buf_printf(&b, ", got no answer (%s)",
			   why ? why : rcode_name(v->ans.rcode, tmp));
	else if (v->got.n == 0)
		buf_printf(&b, ", got no %s record",
			   type_name(c->kind == CK_CNAME ? ns_t_cname : c->type));
	else
		buf_puts(&b, ", got "), put_list(&b, &v->got);
	if (keep(v, ci, &b) == 0)
		return 0;
	seterr(v->rep->err, "out of memory reporting %s", c->name);
	return -1;
}

/* (Re)send slot S; a full socket buffer counts as a lost packet. */
static int transmit(struct vctx *v, struct slot *s)
{
	s->tries++;
	s->sent = now_ms();
	if (send(v->fd, s->q, (size_t)s->qlen, 0) == s->qlen ||
	    errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
		return 0;
	seterr(v->rep->err, "cannot query DNS server %s: %s", v->srv->text,
	       strerror(errno));
	return -1;
}

static int launch(struct vctx *v)
{
	const struct check *c = &v->chk[v->next];
	struct slot *s = v->slot;
	unsigned id;

	while (s->qlen)		/* a slot is free: inflight < WINDOW */
		s++;
	do
		id = rng_id(&v->rng);
	while (v->idmap[id]);
	s->qlen = build_query(c->name, ns_c_in, c->type, id, s->q);
	if (s->qlen < 0) {
		s->qlen = 0;
		return judge(v, v->next++, "cannot build the query");
	}
	s->check = v->next++;
	s->tries = 0;
	v->idmap[id] = (uint16_t)(s - v->slot + 1);
	v->inflight++;
	return transmit(v, s);
}

static size_t retire(struct vctx *v, struct slot *s)
{
	v->idmap[ns_get16(s->q)] = 0;
	s->qlen = 0;
	v->inflight--;
	return s->check;
}

static int on_packet(struct vctx *v, int len)
{
	char err[DNSQ_ERR_MAX];
	unsigned k = len >= NS_HFIXEDSZ ? v->idmap[ns_get16(v->rx)] : 0;
	struct slot *s = &v->slot[k ? k - 1 : 0];
	const struct check *c = &v->chk[s->check];
	int rc;

	if (!k)
		return 0;
	rc = parse_reply(v->rx, len, ns_get16(s->q), c->name, ns_c_in, c->type,
			 &v->ans, err);
	if (rc == 1)
		return 0;	/* a late copy for an id now reused */
	v->lost = 0;
	v->answered++;
	v->window += v->window < WINDOW;
	v->ans.tcp = 0;
	if (rc == 2 && (rc = query_tcp(v->srv, s->q, s->qlen, c->name, c->type,
				       v->timeout_ms, &v->ans, err)) == 0)
		v->rep->tcp++;
	return judge(v, retire(v, s), rc < 0 ? err : NULL);
}

/* Resend what timed out once; judge what timed out twice. A timeout halves
 * the window: a server slower than WINDOW answers per timeout (dnsmasq scans
 * its cname and srv-host lists for every query) must not be buried in
 * resends; each answer widens it again by one. */
static int expire(struct vctx *v)
{
	long long now = now_ms();
	char why[64];

	snprintf(why, sizeof why, "timeout, %d tries of %u ms", TRIES,
		 v->timeout_ms);
	for (struct slot *s = v->slot; s < v->slot + WINDOW; s++) {
		if (!s->qlen || now - s->sent < v->timeout_ms)
			continue;
		v->window = v->window > 1 ? v->window / 2 : 1;
		if (s->tries < TRIES ? transmit(v, s) < 0 :
		    (v->lost++, judge(v, retire(v, s), why) < 0))
			return -1;
	}
	if (v->lost < WINDOW)
		return 0;
	seterr(v->rep->err, "DNS server %s stopped answering (%zu queries in a "
	       "row got no reply)", v->srv->text, v->lost);
	return -1;
}

/* One round: fill the window, wait for the first reply or deadline, read
 * every reply queued, then handle timeouts. */
static int pump(struct vctx *v)
{
	struct pollfd p = { .fd = v->fd, .events = POLLIN };
	long long wait = v->timeout_ms, now;
	ssize_t n;

	while (v->inflight < v->window && v->next < v->nchk)
		if (launch(v) < 0)
			return -1;
	now = now_ms();
	for (struct slot *s = v->slot; s < v->slot + WINDOW; s++)
		if (s->qlen && s->sent + v->timeout_ms - now < wait)
			wait = s->sent + v->timeout_ms - now;
	if (v->inflight && poll(&p, 1, wait > 0 ? (int)wait : 0) < 0 &&
	    errno != EINTR)
		wait = -1;	/* poll itself failed: report below */
	while ((n = recv(v->fd, v->rx, sizeof v->rx, MSG_DONTWAIT)) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && on_packet(v, (int)n) < 0)
			return -1;
	if (wait == -1 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		seterr(v->rep->err, "cannot query DNS server %s: %s",
		       v->srv->text, strerror(errno));
		return -1;
	}
	return expire(v);
}

int dnsq_verify(const struct dd_config *cfg, const struct dnsq_server *srv,
		unsigned timeout_ms, struct dnsq_report *rep)
{
	struct vctx *v = calloc(1, sizeof *v);
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	if (!v) {
		seterr(rep->err, "out of memory");
		return -1;
	}
	*v = (struct vctx){ .cfg = cfg, .srv = srv, .rep = rep, .fd = -1,
		.timeout_ms = timeout_ms ? timeout_ms : 1, .rng = rng_seed(),
		.window = WINDOW };
	if (plan(v) < 0)
		seterr(rep->err, "out of memory");
	else if (v->nchk == 0)
		rc = 0;
	else if ((v->fd = open_udp(srv, rep->err)) >= 0) {
		while ((v->next < v->nchk || v->inflight) && (rc = pump(v)) == 0)
			;
		if (rc == 0 && v->answered == 0) {
			seterr(rep->err, "DNS server %s did not answer any of %zu "
			       "queries", srv->text, v->nchk);
			rc = -1;
		} else if (rc == 0) {
			rc = rep->mismatches ? 1 : 0;
		}
	}
	if (v->fd >= 0)
		close(v->fd);
	dnsq_answer_free(&v->ans);
	free(v->want.v);
	free(v->got.v);
	free(v->chk);
	free(v->srvp);
	free(v);
	return rc;
}

void dnsq_report_free(struct dnsq_report *rep)
{
	for (size_t i = 0; i < rep->kept; i++)
		free(rep->mismatch[i].text);
	memset(rep, 0, sizeof *rep);
}
