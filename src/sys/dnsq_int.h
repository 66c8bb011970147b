/* dnsq_int.h - what dnsq.c lends dnsq_verify.c: building, sending and
 * reading one DNS message. Private to those two files. */
#ifndef DNSDROP_DNSQ_INT_H
#define DNSDROP_DNSQ_INT_H

#include <stdint.h>

#include "clock.h"
#include "dnsq.h"

#define QMAX 300		/* header + name (<= 255 octets) + question + OPT */
#define OPT_LEN 11		/* an empty EDNS0 OPT record */
/* What dnsmasq 2.90 offers itself (its edns-packet-max): asking for more only
 * invites fragmentation; dnsmasq sets TC beyond it and we go to TCP. */
#define UDP_PAYLOAD 1232
#define RXMAX 4096
#define TRIES 2			/* a lost UDP query is sent once more */

void dnsq_seterr(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Query for NAME (CLASS, TYPE) with ID and an EDNS0 OPT into Q (QMAX bytes);
 * its length or -1. */
int dnsq_build_query(const char *name, int class, int type, unsigned id,
		     unsigned char *q);
/* Read MSG as the reply to (ID, NAME, CLASS, TYPE) into ANS. 0: answered;
 * 1: not a reply to that question (ignore); 2: truncated (ask over TCP);
 * -1 with ERR: malformed. */
int dnsq_parse_reply(const unsigned char *msg, int len, unsigned id,
		     const char *name, int class, int type,
		     struct dnsq_answer *ans, char *err);
/* A UDP socket connected to SRV, or -1 with ERR. */
int dnsq_open_udp(const struct dnsq_server *srv, char *err);
/* Ask query Q (QLEN bytes) over TCP; 0 with ANS, or -1 with ERR. */
int dnsq_query_tcp(const struct dnsq_server *srv, const unsigned char *q,
		   int qlen, const char *name, int type, unsigned timeout_ms,
		   struct dnsq_answer *ans, char *err);

#endif
