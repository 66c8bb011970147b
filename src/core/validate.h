/* validate.h - judging: INI entries -> the model of model.h, every rule of
 * DESIGN.md section 4. Pure: no printing, no disk.
 * Implemented in validate.c (the walk and the records), validate_name.c
 * (names), validate_addr.c (addresses, numbers), validate_set.c ([dnsdrop])
 * validate_dup.c (rules across lines: duplicates, CNAME targets) and
 * validate_target.c (SRV targets one edit off a host). */
#ifndef DNSDROP_VALIDATE_H
#define DNSDROP_VALIDATE_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "nameix.h"
#include "model.h"
#include "problem.h"

/* Room for one judge's sentence. A sentence names the offending character or
 * label, so it cannot be static; every sentence fits, a longer one is cut. */
#define VALIDATE_MSG_MAX DD_ERR_MAX
/* Room for a value quoted by validate_quote: at most VALIDATE_QUOTE_SHOWN
 * input bytes, each escaped to at most 4, quotes and "...". */
#define VALIDATE_QUOTE_SHOWN 100
#define VALIDATE_QUOTE_MAX (4 * VALIDATE_QUOTE_SHOWN + 8)

/* Read LEN bytes of INI text named PATH and judge every entry: fill CFG
 * with the settings (defaults where unset) and the records, in INI order.
 * Every violation of form or meaning is added to PR with its line; CFG is
 * only meaningful when PR->errors is 0 (free it with model_free either
 * way). Returns 0, or -1 when out of memory. One pass: no entry outlives
 * its line. */
int validate_ini(const char *text, size_t len, const char *path,
		 struct dd_config *cfg, struct problems *pr);

/* The same for N entries made by hand (the unit tests). */
int validate_entries(const struct ini_entry *e, size_t n, const char *path,
		     struct dd_config *cfg, struct problems *pr);

/* The single-value judges, exported for unit tests and import.c. Each
 * returns 0 when valid (writing the normalised form to OUT) or -1 with WHY
 * set to a sentence saying what is wrong and what to write instead; the
 * caller prefixes it with the value, e.g. 'name "a_b.example": ' + WHY. */

/* Host name, CNAME alias or target, SRV target: lowercased, one trailing
 * dot dropped. */
int validate_hostname(const char *in, char out[DD_NAME_MAX + 1],
		      char why[VALIDATE_MSG_MAX]);
/* SRV owner name: _service._proto.domain. WARN[0] is '\0' unless the
 * proto is unusual (not tcp, udp, tls or sctp): then WARN holds why. */
int validate_srvname(const char *in, char out[DD_NAME_MAX + 1],
		     char why[VALIDATE_MSG_MAX], char warn[VALIDATE_MSG_MAX]);
/* IPv4 or IPv6 address of a record, canonical text in OUT->text. WARN[0]
 * is '\0' unless the address is loopback: then WARN holds why. */
/* The canonical (RFC 5952) text of the IPv6 address B into OUT, the same
 * with every libc: used for the render and for DNS answers alike. */
void validate_addr_text6(const unsigned char b[16], char out[DD_ADDR_MAX]);

int validate_addr(const char *in, struct dd_addr *out,
		  char why[VALIDATE_MSG_MAX], char warn[VALIDATE_MSG_MAX]);
/* The port MRA clients expect for SRV name NAME (_collab-edge._tls.D:
 * 8443, ...), 0 when NAME is not a well-known MRA service. */
unsigned validate_mra_port(const char *name);
/* Decimal in [lo, hi], no sign, no leading zeros beyond "0", no blanks. */
int validate_number(const char *in, unsigned lo, unsigned hi, unsigned *out);

/* S in double quotes for a message: bytes outside printable ASCII, '"' and
 * '\\' escaped (\xNN, \", \\), so a value can never end or colour a
 * terminal line; cut with "..." after VALIDATE_QUOTE_SHOWN bytes. */
const char *validate_quote(const char *s, char buf[VALIDATE_QUOTE_MAX]);

/* ---- Internal: shared between the validate_*.c files only. ---- */

/* When P starts with a character pasted for a blank or a hyphen (U+00A0
 * and kin), WHY names it and the fix, and WHY is returned; else NULL. */
const char *validate_lookalike(const char *p, char why[VALIDATE_MSG_MAX]);

/* printf into WHY; a sentence too long for it ends in "...". Returns -1,
 * so a judge can say `return validate_msgf(why, ...)`. */
int validate_msgf(char why[VALIDATE_MSG_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum vset_key {
	VSET_CONF_DIR, VSET_STATE_DIR, VSET_RESTART, VSET_DNSMASQ,
	VSET_DNSMASQ_CONF, VSET_VERIFY, VSET_KEEP_BACKUPS, VSET_RESTART_TIMEOUT,
	VSET_HOSTS_MODE, VSET_HOSTS_DIR, VSET_N
};

/* Where each [dnsdrop] key was first set (0: not set). */
struct vset_lines {
	int line[VSET_N];
};

/* Fill SET with the defaults of DESIGN.md section 3. -1 when out of memory. */
int validate_set_defaults(struct dd_settings *set);
/* Judge one [dnsdrop] entry into SET. -1 when out of memory. */
int validate_set_entry(struct dd_settings *set, struct vset_lines *seen,
		       const struct ini_entry *e, const char *path,
		       struct problems *pr);
/* Rules between settings (state_dir inside conf_dir, hosts_dir inside
 * either), once all are read. */
void validate_set_finish(const struct dd_settings *set,
			 const struct vset_lines *seen, const char *path,
			 struct problems *pr);
/* Rules across records: duplicate hosts, SRV records and aliases; "." next
 * to real SRV records; CNAME targets; SRV targets one edit off a host
 * (validate_targets). Linear. -1 when out of memory. */
int validate_dup(const struct dd_config *cfg, struct problems *pr);
/* Warn for an SRV target not in [hosts] or [cname] (HOST and ALIAS, the
 * name indexes validate_dup builds) that is one edit away from a host
 * ("did you mean"). Linear in the names. -1 when out of memory. */
int validate_targets(const struct dd_config *cfg, const struct nameix *host,
		     const struct nameix *alias, struct problems *pr);
/* The SRV targets of CFG that neither [hosts] nor [cname] defines, each once
 * (its first line), sorted by name, into *OUT (free it). Their number, or
 * -1 when out of memory. */
ssize_t validate_unknown_targets(const struct dd_config *cfg, const struct dd_srv ***out);

#endif
