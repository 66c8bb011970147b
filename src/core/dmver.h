/* dmver.h - what each dnsmasq release does differently, where it matters
 * to dnsdrop: a pure table of version ranges, as measured by `make compat`
 * (tests/compat) on 2.66, 2.76, 2.80, 2.85, 2.89, 2.90 and 2.92 and read in
 * dnsmasq's changelog for the releases in between. The probe that asks the
 * appliance's binary is src/sys/dmprobe.c. */
#ifndef DNSDROP_DMVER_H
#define DNSDROP_DMVER_H

#include <stddef.h>

#include "model.h"
#include "problem.h"

#define DMVER_DEFAULT 290u	/* assumed when no dnsmasq can be asked */

enum dmver_quirk {
	DMQ_STAR_SKIPS = 1u << 0,	/* 2.71-: conf-dir=DIR,*.conf skips "*.conf" */
	DMQ_ALIAS_AAAA = 1u << 1,	/* 2.80-: alias AAAA refused or forwarded */
	DMQ_UDP_ARCOUNT = 1u << 2,	/* 2.76-2.77: near-full UDP replies malformed */
	DMQ_NO_QUOTES = 1u << 3,	/* 2.85-: quoted values refused */
	DMQ_NO_TTL = 1u << 4,		/* 2.75-: a TTL field is read as a name */
	DMQ_CNAME_MULTI_FAILS = 1u << 5,	/* 2.76: cname=A1,A2,TARGET fails --test */
	DMQ_SRV_COMMA_FAILS = 1u << 6,	/* 2.86-: srv-host=NAME, fails */
	DMQ_AAAA_FORWARD = 1u << 7,	/* all: AAAA of an IPv4-only host forwarded */
};

/* "2.90", "2.90test3", "2.80rc1" -> 290 or 280 (major * 100 + minor); 0
 * when S does not start with MAJOR.MINOR ("UNKNOWN"). */
unsigned dmver_parse(const char *s);

/* For a binary whose --version says UNKNOWN (the oldest archive builds):
 * the first release of the last year of its copyright line FOUND
 * ("Copyright (c) 2000-2016" -> 276), the careful guess; 0 if none. */
unsigned dmver_from_copyright(const char *found);

/* The quirks of version VER (major * 100 + minor); VER 0 (not known):
 * those of the oldest release dnsdrop supports, 2.66, the careful guess. */
unsigned dmver_quirks(unsigned ver);

/* One sentence on quirk Q (one bit), for status; NULL for no such bit. */
const char *dmver_text(unsigned q);

/* 1 when host H (NULL: no such host) has an IPv6 address. */
int dmver_host_ipv6(const struct dd_host *h);

/* Warn in PR, with the INI line, of each record of CFG that behaves
 * differently on a dnsmasq with QUIRKS; WHO names it ("dnsmasq 2.80"). */
void dmver_warn(const struct dd_config *cfg, unsigned quirks, const char *who,
		struct problems *pr);

/* Warn in PR (as FILE:LINE) of each hand-made line of TEXT (LEN bytes,
 * dnsmasq syntax, for import) that a dnsmasq with QUIRKS reads otherwise
 * than 2.90 does: a quoted value, a TTL field, cname=A1,A2,TARGET,
 * srv-host=NAME, . */
void dmver_import_warn(const char *file, const char *text, size_t len,
		       unsigned quirks, const char *who, struct problems *pr);

#endif
