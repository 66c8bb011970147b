/* dnsq.h - ask a DNS server (the appliance's dnsmasq) whether it serves the
 * records of a dd_config. Queries are built with res_mkquery and read with
 * ns_initparse/ns_parserr/dn_expand over our own UDP socket; an answer that
 * comes back truncated is asked again over TCP. Nothing here prints. */
#ifndef DNSDROP_DNSQ_H
#define DNSDROP_DNSQ_H

#include <stddef.h>
#include <sys/socket.h>

#include "model.h"
#include "problem.h"

#define DNSQ_ERR_MAX DD_ERR_MAX		/* size of every ERR buffer below */
#define DNSQ_TEXT_MAX (DD_NAME_MAX + 24)	/* "target:port prio weight" */
#define DNSQ_REPORT_KEEP 50		/* mismatch sentences kept in a report */

struct dnsq_server {
	struct sockaddr_storage sa;
	socklen_t salen;
	char text[DD_ADDR_MAX + 8];	/* "127.0.0.1:53" or "[::1]:53" */
};

struct dnsq_rr {
	int type;			/* ns_t_a, ns_t_aaaa, ns_t_srv, ns_t_cname, ns_t_ptr */
	char owner[DD_NAME_MAX + 3];	/* lowercase, no trailing dot */
	char data[DD_NAME_MAX + 3];	/* inet_ntop text, or target ("." = root) */
	unsigned priority, weight, port;	/* SRV only */
};

struct dnsq_answer {
	int rcode;			/* ns_r_noerror, ns_r_nxdomain, ... */
	int tcp;			/* UDP answer was truncated (TC): this came over TCP */
	struct dnsq_rr *rr;		/* answer section; other types are skipped */
	size_t nrr, cap;
};

struct dnsq_mismatch {
	int line;			/* INI line of the record (first of an SRV set) */
	char *text;			/* "expc1.example.local A: expected 10.0.10.11, got ..." */
};

struct dnsq_report {
	size_t checked;			/* questions asked and compared: one per name and type */
	size_t mismatches;		/* questions whose answer differs from the INI */
	size_t tcp;			/* answers that had to be fetched over TCP */
	size_t kept;			/* mismatch[0..kept): the first ones in INI order */
	struct dnsq_mismatch mismatch[DNSQ_REPORT_KEEP];	/* the rest are only counted */
	char err[DNSQ_ERR_MAX];		/* why verification stopped early (return -1) */
};

/* Parse ADDR (IPv4 or IPv6 text) and PORT into SRV. 0, or -1 with ERR. */
int dnsq_server_init(struct dnsq_server *srv, const char *addr, unsigned port,
		     char *err);

/* Ask SRV one question (class IN) and put the answer section into ANS (which
 * must be zeroed or reused). A lost query is sent once more; a truncated
 * answer is fetched over TCP. Returns 0 when the server replied (any rcode,
 * see ans->rcode), -1 with ERR when there was no usable reply within
 * 2 x TIMEOUT_MS (connection refused is reported at once). */
int dnsq_query(const struct dnsq_server *srv, const char *name, int type,
	       unsigned timeout_ms, struct dnsq_answer *ans, char *err);

/* "A", "AAAA", "SRV", "CNAME", "PTR" ("?" for others). */
const char *dnsq_type_name(int type);
/* "NOERROR", "NXDOMAIN", ...; "RCODE N" in TMP for others. */
const char *dnsq_rcode_name(int rcode, char tmp[16]);

/* Release what ANS holds and zero it. */
void dnsq_answer_free(struct dnsq_answer *ans);

/* Poll SRV (steps of 10-50 ms) until it answers anything, e.g. just after a
 * restart. 0 when it did within TIMEOUT_MS, -1 with ERR otherwise. */
int dnsq_wait_ready(const struct dnsq_server *srv, unsigned timeout_ms,
		    char *err);

/* Query SRV for every record of CFG and compare exactly, order-insensitive:
 * each host's A set and AAAA set (the families it has), each SRV name's set of
 * (target, port, priority, weight), each CNAME (alias asked for A must answer
 * a CNAME to the target). TIMEOUT_MS is per query (sent twice at most); many
 * queries are in flight at once. Returns 0 when everything matches, 1 when
 * there are mismatches (see REP), -1 when verification could not finish
 * (rep->err; counts cover what was done). Free REP with dnsq_report_free. */
int dnsq_verify(const struct dd_config *cfg, const struct dnsq_server *srv,
		unsigned timeout_ms, struct dnsq_report *rep);

/* The split-DNS leak (dnsq_leak.c): ask SRV for AAAA of each host of CFG
 * given no IPv6 address and of each alias of such a host; an address in
 * the answer came from upstream, the outside view. One warning per leak in
 * PR, with the INI line and what to add. Stops at the first question left
 * unanswered (TIMEOUT_MS, sent twice). Returns the number of leaks. */
int dnsq_leaks(const struct dd_config *cfg, const struct dnsq_server *srv,
	       unsigned timeout_ms, struct problems *pr);

/* 1 when SRV answers NAME with an A or (else) AAAA record, 0 when with
 * neither, -1 with ERR when it did not answer. */
int dnsq_resolves(const struct dnsq_server *srv, const char *name,
		  unsigned timeout_ms, char *err);

/* Ask SRV for every SRV target of CFG that the INI does not define (each
 * once) and add to PR, with the INI line, a warning for each that resolves
 * to no address. 0, or -1 with ERR when SRV did not answer. */
int dnsq_targets(const struct dd_config *cfg, const struct dnsq_server *srv,
		 unsigned timeout_ms, struct problems *pr, char *err);

/* strcmp as sort_array's comparator, for lists of DNSQ_TEXT_MAX items. */
int dnsq_cmp_text(const void *a, const void *b);

/* CFG's SRV records sorted by name, then INI line (free it), or NULL when
 * out of memory; dnsq_srv_next(P, N, I) is where the run of P[I]'s name ends. */
const struct dd_srv **dnsq_srv_sorted(const struct dd_config *cfg);
size_t dnsq_srv_next(const struct dd_srv *const *p, size_t n, size_t i);

/* Release the sentences REP holds and zero it. */
void dnsq_report_free(struct dnsq_report *rep);

#endif
