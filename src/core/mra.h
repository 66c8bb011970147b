/* mra.h - the MRA DNS picture, the pure half of dnsdrop doctor: the [mra]
 * section, the service names Cisco's MRA deployment guide splits into
 * inside-only and public, the domains they are asked for, the zone lines
 * the public DNS must carry, and where dnsmasq forwards to. */
#ifndef DNSDROP_MRA_H
#define DNSDROP_MRA_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "model.h"
#include "problem.h"

enum mra_kind { MRA_INSIDE, MRA_PUBLIC, MRA_FEDERATION };

struct mra_service {
	const char *prefix;	/* "_collab-edge._tls" */
	enum mra_kind kind;	/* inside only, public, public with federation */
	unsigned port;
};

#define MRA_NSERVICES 4
extern const struct mra_service mra_services[MRA_NSERVICES];

/* Judge one [mra] entry into CFG->mra. -1 when out of memory. */
int mra_entry(struct dd_config *cfg, const struct ini_entry *e, struct problems *pr);
/* Rules once [mra] is read: public_fqdn and public_address go together. */
void mra_finish(const struct dd_config *cfg, struct problems *pr);

/* The domains MRA clients ask about: [mra] domains, else the domains of the
 * INI's MRA SRV names (_collab-edge._tls.DOMAIN, ...), each once, into *OUT
 * (free it; the names are CFG's). Their number, or -1 out of memory. */
ssize_t mra_domains(const struct dd_config *cfg, const char ***out);

/* The zone-file lines of the public MRA records (SRV per domain, the
 * Expressway-E's A/AAAA), with comments, into OUT. 0, or -1 when CFG has
 * no [mra] public_fqdn. */
int mra_zone(const struct dd_config *cfg, const char *const *dom, size_t ndom,
	     struct buf *out);

/* Where dnsmasq forwards, from its configuration TEXT: the first server=
 * line for all domains into ADDR (DD_ADDR_MAX) and *PORT, 1; else 0 with
 * RESOLV the resolv file it reads (resolv-file=, or /etc/resolv.conf;
 * "" with no-resolv). */
int mra_upstream(const char *text, char addr[DD_ADDR_MAX], unsigned *port,
		 char resolv[PATH_MAX]);
/* The first nameserver of resolv.conf TEXT into ADDR: 1, or 0 when none. */
int mra_nameserver(const char *text, char addr[DD_ADDR_MAX]);

#endif
