/* dnsq_int.h - what dnsq.c lends its unit test: building and reading one
 * DNS message. Private to those two files. */
#ifndef DNSDROP_DNSQ_INT_H
#define DNSDROP_DNSQ_INT_H

#include "dnsq.h"

#define QMAX 300		/* header + name (<= 255 octets) + question + OPT */
#define OPT_LEN 11		/* an empty EDNS0 OPT record */

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

#endif
