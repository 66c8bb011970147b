/* conflict.h - names that dnsdrop's drop-ins define and another file
 * dnsmasq loads also defines (DESIGN.md section 3, "the conf-dir is
 * shared"): dnsmasq would serve both answers and no verification could
 * pass. Pure: lines in, problems out. */
#ifndef DNSDROP_CONFLICT_H
#define DNSDROP_CONFLICT_H

#include <stddef.h>

#include "dnsconf.h"
#include "problem.h"

struct conflict_def {
	char *name;		/* lowercase, without a trailing dot (owned) */
	const char *file;	/* one of the set's FILES */
	int line;
	const char *what;	/* "host-record", "address", "cname", ... */
};

/* Names defined, with where; zero it to start, conflict_free to end. */
struct conflict_set {
	struct conflict_def *v;
	size_t n;
	char **files;		/* owned copies of the file names seen */
	size_t nfiles;
	char **hosts;		/* the paths addn-hosts= lines name (owned) */
	size_t nhosts;
	int oom;
};

/* The names line R of FILE defines (host-record, address=/NAME/, cname
 * aliases, srv-host) into S; an addn-hosts= path goes to S->hosts. */
void conflict_scan_line(struct conflict_set *s, const char *file, struct dnsconf *r);

/* The names of hosts-format TEXT ("ADDRESS NAME..." lines, '#' comments),
 * as dnsmasq reads an addn-hosts file, into S. */
void conflict_scan_hosts(struct conflict_set *s, const char *file, const char *text,
			 size_t len);

/* Each definition in THEIRS of a name OURS defines: an error in PR at its
 * FILE:LINE saying what to do (INI names dnsdrop's INI). Sorts both sets.
 * Returns how many. */
size_t conflict_find(struct conflict_set *ours, struct conflict_set *theirs,
		     const char *ini, struct problems *pr);

void conflict_free(struct conflict_set *s);

#endif
