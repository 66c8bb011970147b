/* dnsq_verify.c - compare what a DNS server answers with a dd_config: one
 * question at a time through dnsq_query (which retries and falls back to
 * TCP), in INI order, answers compared as sets. On loopback a dnsmasq
 * answers in well under a millisecond, so 1,000 records take a fraction of
 * a second; no window, no id map. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dnsq.h"
#include "fsx.h"
#include "validate.h"
#include "sort.h"

#define LIST_MAX 8		/* items of a set shown in a mismatch sentence */

enum { CK_HOST, CK_SRV, CK_CNAME };

struct check {
	const char *name;
	int type, kind, line;
	size_t idx, n;		/* host or cname index; SRV: range of vctx.srvp */
	size_t seq;		/* order added: ties on a line keep it */
};

struct strset {
	char (*v)[DNSQ_TEXT_MAX];
	size_t n, cap;
};

struct vctx {
	const struct dd_config *cfg;
	struct dnsq_report *rep;
	struct check *chk;
	size_t nchk;
	const struct dd_srv **srvp;	/* cfg->srv sorted by name, then line */
	struct dnsq_answer ans;
	struct strset want, got;
};

static int cmp_srv(const void *a, const void *b)
{
	const struct dd_srv *x = *(const struct dd_srv *const *)a;
	const struct dd_srv *y = *(const struct dd_srv *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

const struct dd_srv **dnsq_srv_sorted(const struct dd_config *cfg)
{
	const struct dd_srv **p = malloc((cfg->nsrv + 1) * sizeof *p);

	for (size_t i = 0; p && i < cfg->nsrv; i++)
		p[i] = &cfg->srv[i];
	if (p)
		sort_array(p, cfg->nsrv, sizeof *p, cmp_srv);
	return p;
}

size_t dnsq_srv_next(const struct dd_srv *const *p, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && strcmp(p[j]->name, p[i]->name) == 0)
		j++;
	return j;
}

/* By INI line; a host's A before its AAAA (added in that order). */
static int cmp_check(const void *a, const void *b)
{
	const struct check *x = a, *y = b;

	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void add_check(struct vctx *v, const char *name, int type, int kind,
		      size_t idx, size_t n, int line)
{
	v->chk[v->nchk] = (struct check){ name, type, kind, line, idx, n, v->nchk };
	v->nchk++;
}

/* One question per host and family, per SRV name, per alias. -1: no memory. */
static int plan(struct vctx *v)
{
	const struct dd_config *cfg = v->cfg;
	size_t i, j;

	v->chk = calloc(2 * cfg->nhost + cfg->nsrv + cfg->ncname + 1, sizeof *v->chk);
	v->srvp = dnsq_srv_sorted(cfg);
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
	for (i = 0; i < cfg->nsrv; i = j) {
		j = dnsq_srv_next(v->srvp, cfg->nsrv, i);
		add_check(v, v->srvp[i]->name, ns_t_srv, CK_SRV, i, j - i,
			  v->srvp[i]->line);
	}
	/* An alias is asked for A, as a client would: dnsmasq answers the
	 * CNAME itself even when the target has no A record. */
	for (i = 0; i < cfg->ncname; i++)
		add_check(v, cfg->cname[i].alias, ns_t_a, CK_CNAME, i, 0,
			  cfg->cname[i].line);
	sort_array(v->chk, v->nchk, sizeof *v->chk, cmp_check);	/* the report in INI order */
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
		/* The same canonical text dnsq gives an answer: inet_ntop for
		 * IPv4, validate_addr_text6 for IPv6. */
		int ok = inet_pton(fam, a->text, bin) == 1;

		if (ok && fam == AF_INET6)
			validate_addr_text6(bin, txt);
		else if (!ok || !inet_ntop(fam, bin, txt, sizeof txt))
			snprintf(txt, sizeof txt, "%s", a->text);
		rc = set_add(&v->want, "%s", txt);
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

int dnsq_cmp_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sort and drop duplicates: sets compare order-insensitively. */
static void set_norm(struct strset *s)
{
	size_t i, n = 0;

	sort_array(s->v, s->n, sizeof *s->v, dnsq_cmp_text);
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

/* Keep B's text while fewer than DNSQ_REPORT_KEEP are kept: checks run
 * in INI order, so these are the first. */
static int keep(struct vctx *v, const struct check *c, struct buf *b)
{
	struct dnsq_report *r = v->rep;

	if (b->oom || !b->p) {
		buf_free(b);
		return -1;
	}
	if (r->kept == DNSQ_REPORT_KEEP) {
		buf_free(b);
		return 0;
	}
	r->mismatch[r->kept].line = c->line;
	r->mismatch[r->kept++].text = b->p;
	return 0;
}

/* Compare the answer in v->ans with check C; WHY says why none came. */
static int judge(struct vctx *v, const struct check *c, const char *why)
{
	const char *type = dnsq_type_name(c->kind == CK_CNAME ? ns_t_cname : c->type);
	struct buf b = { 0 };
	char tmp[16];

	v->rep->checked++;
	v->want.n = v->got.n = 0;
	if (want_set(v, c) < 0 || (!why && got_set(v, c) < 0)) {
		fsx_errf(v->rep->err, 0, "out of memory comparing %s", c->name);
		return -1;
	}
	set_norm(&v->want);
	set_norm(&v->got);
	if (!why && v->ans.rcode == ns_r_noerror && set_equal(&v->want, &v->got))
		return 0;
	v->rep->mismatches++;
	buf_printf(&b, "%s %s: expected ", c->name, type);
	put_list(&b, &v->want);
	if (why || v->ans.rcode != ns_r_noerror)
		buf_printf(&b, ", got no answer (%s)",
			   why ? why : dnsq_rcode_name(v->ans.rcode, tmp));
	else if (v->got.n == 0)
		buf_printf(&b, ", got no %s record", type);
	else
		buf_puts(&b, ", got "), put_list(&b, &v->got);
	if (keep(v, c, &b) == 0)
		return 0;
	fsx_errf(v->rep->err, 0, "out of memory reporting %s", c->name);
	return -1;
}

/* Ask every check in turn. A question without a reply is a mismatch; the
 * server is taken for gone when it never answered, or when two questions
 * in a row got nothing (each already sent twice). */
static int ask_all(struct vctx *v, const struct dnsq_server *srv, unsigned timeout_ms)
{
	char err[DNSQ_ERR_MAX];
	size_t answered = 0, failed = 0;

	for (size_t i = 0; i < v->nchk; i++) {
		const struct check *c = &v->chk[i];
		int rc = dnsq_query(srv, c->name, c->type, timeout_ms, &v->ans, err);

		failed = rc < 0 ? failed + 1 : 0;
		answered += rc == 0;
		v->rep->tcp += rc == 0 && v->ans.tcp;
		if (judge(v, c, rc < 0 ? err : NULL) < 0)
			return -1;
		if (rc < 0 && (!answered || failed == 2)) {
			fsx_errf(v->rep->err, 0, "DNS server %s %s (%s)", srv->text,
				    answered ? "stopped answering" : "did not answer", err);
			return -1;
		}
	}
	return v->rep->mismatches ? 1 : 0;
}

int dnsq_verify(const struct dd_config *cfg, const struct dnsq_server *srv,
		unsigned timeout_ms, struct dnsq_report *rep)
{
	struct vctx v = { .cfg = cfg, .rep = rep };
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	if (plan(&v) < 0)
		fsx_errf(rep->err, 0, "out of memory");
	else
		rc = ask_all(&v, srv, timeout_ms ? timeout_ms : 1);
	dnsq_answer_free(&v.ans);
	free(v.want.v);
	free(v.got.v);
	free(v.chk);
	free(v.srvp);
	return rc;
}

void dnsq_report_free(struct dnsq_report *rep)
{
	for (size_t i = 0; i < rep->kept; i++)
		free(rep->mismatch[i].text);
	memset(rep, 0, sizeof *rep);
}
