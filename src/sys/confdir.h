/* confdir.h - where dnsmasq reads drop-ins from (DESIGN.md section 3): the
 * conf-dir lines of dnsmasq's main config and of everything it includes,
 * read the way dnsmasq 2.90 reads them; and which config file a running
 * dnsmasq was started with. Only reads files; no printing, no exit. */
#ifndef DNSDROP_CONFDIR_H
#define DNSDROP_CONFDIR_H

#include <stddef.h>

#include "conflict.h"
#include "problem.h"

#define CONFDIR_MAX_DEPTH 8	/* conf-file / conf-dir nesting followed */
#define CONFDIR_MAX_FILES 256	/* config files read in one search */
#define CONFDIR_MAX_CANDS 16	/* candidates named in a message */

struct confdir_result {
	char *dir;		/* the conf-dir as on the appliance, no trailing '/' */
	char *dir_rooted;	/* the same under ROOT: where the files go */
	char *filters;		/* its extension filters as dnsmasq takes them,
				 * ".bak,*.conf", "" for none: for dnsmasq --test */
	char *how;		/* "conf-dir=/x,*.conf at line 12 of /etc/dnsmasq.conf" */
	char *notes;		/* conf-dir lines not taken and why ("; "
				 * separated), NULL when there are none */
};

/* Find the one conf-dir that loads our drop-ins (hosts.conf, srv.conf):
 * read DNSMASQ_CONF (an appliance path, read under ROOT when ROOT is
 * neither NULL nor empty) and, as dnsmasq would, every file it includes
 * with conf-file= or loads through a conf-dir=, each file once (cycles and
 * repeats are skipped as dnsmasq skips them), at most CONFDIR_MAX_DEPTH
 * deep. Relative paths are taken from / (dnsmasq resolves them against its
 * working directory: / at boot and under service_run). Exactly one
 * candidate: fills RES and returns 0. None or several: an error in PR
 * asking for conf_dir in [dnsdrop] and naming each candidate or rejected
 * line with where it was found; returns -1. Problems carry DNSMASQ_CONF as
 * their file (borrowed: it must outlive PR). Free RES with confdir_free.
 * STAR_SKIPS (dmver.h DMQ_STAR_SKIPS): read conf-dir lines as dnsmasq 2.71
 * and older do: no "*" filters, every extension item ("*.conf" too) names
 * a suffix to skip. */
int confdir_find(const char *dnsmasq_conf, const char *root, int star_skips,
		 struct confdir_result *res, struct problems *pr);

/* The names every other file dnsmasq would load defines, into THEIRS (see
 * conflict.h): DNSMASQ_CONF and what it includes or loads through
 * conf-dir= (read as confdir_find reads them with STAR_SKIPS), CONF_DIR (an appliance path,
 * extension list FILTERS) when no conf-dir line loads it, and the hosts
 * files addn-hosts= lines name. CONF_DIR's hosts.conf and srv.conf are
 * dnsdrop's own and not read. A file that cannot be read is passed over
 * (dnsmasq would not start, which the restart reports). Returns 0, or -1
 * when out of memory. */
int confdir_others(const char *dnsmasq_conf, const char *root, const char *conf_dir,
		   const char *filters, int star_skips, struct conflict_set *theirs);

/* Free what RES owns and zero it (a zeroed RES is fine). */
void confdir_free(struct confdir_result *res);

/* Look through PROC_ROOT (normally "/proc") for processes whose comm is
 * dnsmasq and write to OUT one sentence per process started with a config
 * other than EXPECTED_CONF (-C FILE, -CFILE, --conf-file=FILE; none means
 * /etc/dnsmasq.conf), e.g. "dnsmasq (pid 812) was started with -C
 * /tmp/x.conf, not /etc/dnsmasq.conf". OUT is "" when all agree. Returns
 * the number of dnsmasq processes found, or -1 with the reason in OUT. */
int confdir_running(const char *proc_root, const char *expected_conf,
		    char *out, size_t outsz);

#endif
