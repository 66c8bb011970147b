/* import.h - adopting hand-made drop-ins: dnsmasq config lines (host-record,
 * address=/NAME/IP, srv-host, cname) -> the equivalent INI text. Lines are
 * read the way dnsmasq 2.90 reads them (quotes, escapes, '#' comments), so
 * the INI holds what dnsmasq actually served. Pure: no printing, no disk. */
#ifndef DNSDROP_IMPORT_H
#define DNSDROP_IMPORT_H

#include <stddef.h>

#include "buf.h"
#include "model.h"
#include "problem.h"

/* One file to import: its bytes as read, and its name for messages. */
struct import_src {
	const char *path;	/* borrowed: must outlive the problems */
	const char *text;
	size_t len;
};

/* What went into the INI, for the command's summary. */
struct import_counts {
	size_t hosts, srv, cname;	/* INI lines written per section */
	size_t skipped;			/* lines and records kept as comments */
};

/* Convert SRC[0..NSRC) in order and append the INI to OUT: a header naming
 * the files, the lines not imported as ';' comments, then [hosts], [srv] and
 * [cname] (each only when it has lines), records in the order found. Every
 * problem goes to PR as FILE:LINE (sorted by file, then line): an invalid
 * value is an error, a line or record that dnsdrop cannot hold is a warning
 * and a comment in OUT. OUT is meaningful only when PR->errors is 0; then it
 * passes `dnsdrop check`. COUNTS may be NULL. Returns 0, or -1 when out of
 * memory (OUT->oom or PR->oom may also be set). */
int import_convert(const struct import_src *src, size_t nsrc, struct buf *out,
		   struct problems *pr, struct import_counts *counts);

/* ---- Internal: shared between import.c (reading the lines) and
 * import_ini.c (rules across lines, writing the INI) only. ---- */

/* IMPORT_IFNAME: an interface-name= name (target: the interface), never
 * written, kept to warn about the host-record it shadows. */
enum import_kind { IMPORT_HOST, IMPORT_SRV, IMPORT_CNAME, IMPORT_IFNAME };
enum import_fate { IMPORT_KEEP, IMPORT_DROP, IMPORT_COMMENT };

/* One record, in file order (one array): a host address, an SRV record or
 * an alias. */
struct import_rec {
	enum import_kind kind;
	enum import_fate fate;
	char *name;		/* host name, SRV owner or CNAME alias (owned) */
	char *target;		/* SRV target (NULL: "."), CNAME target (owned) */
	struct dd_addr addr;	/* IMPORT_HOST */
	unsigned port, prio, weight;
	const char *file;
	int line;
	const char *why;	/* IMPORT_COMMENT: the reason, for the comment */
	struct import_rec *lead;	/* the first record of its kind and name */
	struct import_rec *next;	/* IMPORT_HOST: next address of the name */
};

/* Append S (N bytes) to OUT with every byte outside printable ASCII as '?',
 * cut after 400 bytes with "...": one valid INI comment line. */
void import_put_clean(struct buf *out, const char *s, size_t n);

/* Rules across the N records R (file order): the first of a kind and name
 * leads (hosts: its line gets every address of the name), an identical
 * record is dropped, "." next to real SRV records and CNAMEs that dnsdrop
 * cannot hold are commented, conflicts are errors. -1 when out of memory. */
int import_merge(struct import_rec *r, size_t n, struct problems *pr);

/* Append the INI of the merged R to OUT: header naming SRC, NOTES (comment
 * lines of what was not imported), the sections; counts added into C. */
void import_write(const struct import_rec *r, size_t n, const struct import_src *src,
		  size_t nsrc, const struct buf *notes, struct buf *out,
		  struct import_counts *c);

/* Sort PR's problems from index FROM on by file (in SRC order), then line,
 * then as added: messages come out in reading order across the files. */
void import_sort_problems(struct problems *pr, size_t from, const struct import_src *src,
			  size_t nsrc);

#endif
