/* model.h - what a valid INI means: settings and records, names already
 * lowercase without a trailing dot, addresses in canonical text. Built by
 * validate.c, read by render.c, dnsq.c and the commands. */
#ifndef DNSDROP_MODEL_H
#define DNSDROP_MODEL_H

#include <stddef.h>

#define DD_NAME_MAX 253		/* whole name, without the trailing dot */
/* The size of every error-message buffer (ERR, WHY) in core and sys: room
 * for two paths and a reason. */
#define DD_ERR_MAX 1024
#define DD_LABEL_MAX 63
#define DD_ADDR_MAX 46		/* INET6_ADDRSTRLEN */
#define DD_RENDER_LINE_MAX 1023	/* dnsmasq splits lines of 1024 bytes and more */

struct dd_addr {
	int family;		/* AF_INET or AF_INET6 */
	char text[DD_ADDR_MAX];	/* canonical, from inet_ntop */
};

struct dd_host {
	char *name;
	struct dd_addr *addr;
	size_t naddr;
	int line;
};

struct dd_srv {
	char *name;
	char *target;		/* NULL for ".": service explicitly not offered */
	unsigned port, priority, weight;
	int line;
};

struct dd_cname {
	char *alias;
	char *target;
	int line;
};

/* Settings of [dnsdrop], as written on the appliance (not yet under --root).
 * Every field has its default when the INI does not set it. */
struct dd_settings {
	char *conf_dir;		/* "auto" or an absolute path */
	char *state_dir;
	char *restart;		/* absolute program path, then arguments split on blanks */
	char *dnsmasq;		/* absolute path, or "off" */
	char *dnsmasq_conf;
	char *verify;		/* "off" or "ADDRESS:PORT" as written */
	int verify_off;
	char verify_addr[DD_ADDR_MAX];	/* canonical address */
	unsigned verify_port;
	unsigned keep_backups;
	unsigned restart_timeout;	/* seconds; then the restart is killed and rolled back */
};

/* [mra]: what the customer's public DNS must carry for Mobile and Remote
 * Access (dnsdrop doctor --format zone). Unset: line 0. */
struct dd_mra {
	int line;		/* first [mra] line; 0: no [mra] section */
	char *public_fqdn;	/* the Expressway-E's public name */
	struct dd_addr *addr;	/* its public addresses */
	size_t naddr;
	char **domain;		/* the public domains; none: those of [srv] */
	size_t ndomain;
	int federation;		/* publish _xmpp-server._tcp */
};

struct dd_config {
	const char *path;	/* the INI as named to the user (borrowed) */
	struct dd_settings set;
	struct dd_host *host;
	size_t nhost;
	struct dd_srv *srv;
	size_t nsrv;
	struct dd_cname *cname;
	size_t ncname;
	struct dd_mra mra;
	struct dd_mem *mem;	/* holds the records' names and addresses */
};

/* N bytes, aligned for a pointer (every field of a record), owned by CFG
 * until model_free; NULL when out of memory. */
void *model_alloc(struct dd_config *cfg, size_t n);
/* A copy of S owned by CFG until model_free; NULL when out of memory. */
char *model_strdup(struct dd_config *cfg, const char *s);

/* Free everything a dd_config owns and zero it. */
void model_free(struct dd_config *cfg);

#endif
