/* dnsq_verify.c - compare what a DNS server answers with a dd_config: many
 * questions in flight on one UDP socket, answers compared as sets. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "dnsq.h"
#include "dnsq_int.h"

#define WINDOW 64		/* queries in flight while verifying, at most */
#define WINDOW_START 8		/* ... at first: grows by one per answer */
#define LIST_MAX 8		/* items of a set shown in a mismatch sentence */

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
	size_t nchk, next, inflight, answered;
	size_t lost;			/* given up since the last packet */
	long long last_reply;		/* last packet from the server, or start */
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
		dnsq_seterr(v->rep->err, "out of memory comparing %s", c->name);
		return -1;
	}
	set_norm(&v->want);
	set_norm(&v->got);
	if (!why && v->ans.rcode == ns_r_noerror && set_equal(&v->want, &v->got))
		return 0;
	v->rep->mismatches++;
	buf_printf(&b, "%s %s: expected ", c->name,
		   dnsq_type_name(c->kind == CK_CNAME ? ns_t_cname : c->type));
	put_list(&b, &v->want);
	if (why || v->ans.rcode != ns_r_noerror)
		buf_printf(&b, ", got no answer (%s)",
			   why ? why : dnsq_rcode_name(v->ans.rcode, tmp));
	else if (v->got.n == 0)
		buf_printf(&b, ", got no %s record",
			   dnsq_type_name(c->kind == CK_CNAME ? ns_t_cname : c->type));
	else
		buf_puts(&b, ", got "), put_list(&b, &v->got);
	if (keep(v, ci, &b) == 0)
		return 0;
	dnsq_seterr(v->rep->err, "out of memory reporting %s", c->name);
	return -1;
}

/* (Re)send slot S; a full socket buffer counts as a lost packet. */
static int transmit(struct vctx *v, struct slot *s)
{
	s->tries++;
	s->sent = clock_ms();
	if (send(v->fd, s->q, (size_t)s->qlen, 0) == s->qlen ||
	    errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
		return 0;
	dnsq_seterr(v->rep->err, "cannot query DNS server %s: %s", v->srv->text,
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
		id = (unsigned)(rand_next(&v->rng) >> 48);
	while (v->idmap[id]);
	s->qlen = dnsq_build_query(c->name, ns_c_in, c->type, id, s->q);
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
	rc = dnsq_parse_reply(v->rx, len, ns_get16(s->q), c->name, ns_c_in, c->type,
			 &v->ans, err);
	if (rc == 1)
		return 0;	/* a late copy for an id now reused */
	v->answered++;
	v->window += v->window < WINDOW;
	v->ans.tcp = 0;
	if (rc == 2 && (rc = dnsq_query_tcp(v->srv, s->q, s->qlen, c->name, c->type,
				       v->timeout_ms, &v->ans, err)) == 0)
		v->rep->tcp++;
	return judge(v, retire(v, s), rc < 0 ? err : NULL);
}

/* Resend what timed out once; judge what timed out twice. The window starts
 * small, grows by one per answer and halves on a timeout: a server slower
 * than WINDOW answers per timeout (dnsmasq scans its cname and srv-host
 * lists for every query) must neither have queries wait out their timeout
 * in its queue nor be buried in resends. */
static int expire(struct vctx *v)
{
	long long now = clock_ms();
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
	/* Silence for longer than a query may take: the server is gone; do
	 * not wait out every remaining query one by one. */
	if (!v->lost || now - v->last_reply < (TRIES + 1) * (long long)v->timeout_ms)
		return 0;
	if (v->answered)
		dnsq_seterr(v->rep->err, "DNS server %s stopped answering (nothing for "
		       "%lld ms)", v->srv->text, now - v->last_reply);
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
	now = clock_ms();
	for (struct slot *s = v->slot; s < v->slot + WINDOW; s++)
		if (s->qlen && s->sent + v->timeout_ms - now < wait)
			wait = s->sent + v->timeout_ms - now;
	if (v->inflight && poll(&p, 1, wait > 0 ? (int)wait : 0) < 0 &&
	    errno != EINTR) {
		dnsq_seterr(v->rep->err, "cannot wait for DNS answers: %s", strerror(errno));
		return -1;
	}
	while ((n = recv(v->fd, v->rx, sizeof v->rx, MSG_DONTWAIT)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n <= 0)
			continue;
		/* Even a late copy of a resent query shows the server is
		 * alive, only busy: the connected socket hears no one else. */
		v->last_reply = clock_ms();
		v->lost = 0;
		if (on_packet(v, (int)n) < 0)
			return -1;
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		dnsq_seterr(v->rep->err, "cannot query DNS server %s: %s",
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
		dnsq_seterr(rep->err, "out of memory");
		return -1;
	}
	v->cfg = cfg;
	v->srv = srv;
	v->rep = rep;
	v->fd = -1;
	v->timeout_ms = timeout_ms ? timeout_ms : 1;
	v->rng = rand_seed();
	v->window = WINDOW_START;
	v->last_reply = clock_ms();
	if (plan(v) < 0)
		dnsq_seterr(rep->err, "out of memory");
	else if (v->nchk == 0)
		rc = 0;
	else if ((v->fd = dnsq_open_udp(srv, rep->err)) >= 0) {
		while ((v->next < v->nchk || v->inflight) && (rc = pump(v)) == 0)
			;
		if (v->answered == 0 && (rc == 0 || !rep->err[0])) {
			dnsq_seterr(rep->err, "DNS server %s did not answer (%zu queries "
			       "got no reply, %d tries of %u ms each)", srv->text,
			       rep->checked, TRIES, v->timeout_ms);
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
