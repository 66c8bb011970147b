/* mra.c - the MRA DNS picture, pure: [mra], the service names, the domains,
 * the public zone lines, dnsmasq's upstream (see mra.h). */
#include "mra.h"

#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "suggest.h"
#include "validate.h"

/* Cisco: _cisco-uds and _cuplogin must not resolve from outside (Jabber
 * would try inside login over the internet); _collab-edge and, with
 * federation, _xmpp-server belong in public DNS, on the Expressway-E. */
const struct mra_service mra_services[MRA_NSERVICES] = {
	{ "_collab-edge._tls", MRA_PUBLIC, 8443 },
	{ "_xmpp-server._tcp", MRA_FEDERATION, 5269 },
	{ "_cisco-uds._tcp", MRA_INSIDE, 8443 },
	{ "_cuplogin._tcp", MRA_INSIDE, 8443 },
};

static const char *const mra_keys[] = { "public_fqdn", "public_address", "domains",
					"federation", NULL };

#define SEP ", \t"

/* Each item of the list V, judged as a name (ADDR NULL) or an address. */
static int list_entry(struct dd_config *cfg, const struct ini_entry *e, struct problems *pr,
		      struct dd_addr *addr, char **name)
{
	char why[VALIDATE_MSG_MAX], warn[VALIDATE_MSG_MAX], norm[DD_NAME_MAX + 1];
	const char *v = e->value;
	size_t n = 0, len;

	while (*(v += strspn(v, SEP))) {
		char item[DD_NAME_MAX + 2];

		len = strcspn(v, SEP);
		memcpy(item, v, len < sizeof item - 1 ? len : sizeof item - 1);
		item[len < sizeof item - 1 ? len : sizeof item - 1] = '\0';
		v += len;
		if (addr ? validate_addr(item, &addr[n], why, warn) < 0
			 : validate_hostname(item, norm, why) < 0) {
			char q[VALIDATE_QUOTE_MAX];

			problems_add(pr, cfg->path, e->line, SEV_ERROR, "%s %s: %s", e->key,
				     validate_quote(item, q), why);
			continue;
		}
		if (!addr && !(name[n] = model_strdup(cfg, norm)))
			return -1;
		n++;
	}
	return (int)n;
}

int mra_entry(struct dd_config *cfg, const struct ini_entry *e, struct problems *pr)
{
	struct dd_mra *m = &cfg->mra;
	char why[VALIDATE_MSG_MAX], name[DD_NAME_MAX + 1];
	size_t k, items = 1;
	int n = 0;

	for (k = 0; mra_keys[k] && strcmp(mra_keys[k], e->key) != 0; k++)
		;
	if (!mra_keys[k]) {
		const char *hint = suggest_word(e->key, mra_keys);
		char q[VALIDATE_QUOTE_MAX];

		/* the key is the INI's text: quoted (escaped) like every other */
		problems_add(pr, cfg->path, e->line, SEV_ERROR,
			     "unknown key %s in [mra]; %s%s%s", validate_quote(e->key, q),
			     hint ? "did you mean " : "the keys are public_fqdn, public_address, domains and federation",
			     hint ? hint : "", hint ? "?" : "");
		return 0;
	}
	if (!m->line)
		m->line = e->line;
	if ((k == 0 && m->public_fqdn) || (k == 1 && m->naddr) || (k == 2 && m->ndomain) ||
	    (k == 3 && m->federation)) {
		problems_add(pr, cfg->path, e->line, SEV_ERROR, "%s is set twice in [mra]; keep one line", e->key);
		return 0;
	}
	for (const char *p = e->value; *p; p++)
		items += *p == ',' || *p == ' ';
	if (k == 0 && validate_hostname(e->value, name, why) < 0)
		problems_add(pr, cfg->path, e->line, SEV_ERROR, "public_fqdn: %s", why);
	else if (k == 0)
		return (m->public_fqdn = model_strdup(cfg, name)) ? 0 : -1;
	else if (k == 1 && (m->addr = model_alloc(cfg, items * sizeof *m->addr)))
		n = list_entry(cfg, e, pr, m->addr, NULL), m->naddr = n > 0 ? (size_t)n : 0;
	else if (k == 2 && (m->domain = model_alloc(cfg, items * sizeof *m->domain)))
		n = list_entry(cfg, e, pr, NULL, m->domain), m->ndomain = n > 0 ? (size_t)n : 0;
	else if (k == 3 && (strcmp(e->value, "yes") == 0 || strcmp(e->value, "no") == 0))
		m->federation = e->value[0] == 'y' ? 2 : 1;
	else if (k == 3)
		problems_add(pr, cfg->path, e->line, SEV_ERROR, "federation must be yes or no");
	else
		return -1;
	return n < 0 ? -1 : 0;
}

void mra_finish(const struct dd_config *cfg, struct problems *pr)
{
	const struct dd_mra *m = &cfg->mra;

	if (m->line && (!m->public_fqdn || !m->naddr))
		problems_add(pr, cfg->path, m->line, SEV_ERROR,
			     "[mra] needs public_fqdn (the Expressway-E's public name) and public_address (its public address)");
}

ssize_t mra_domains(const struct dd_config *cfg, const char ***out)
{
	size_t n = 0, cap = cfg->mra.ndomain + cfg->nsrv + 1;
	const char **d = *out = malloc(cap * sizeof *d);

	if (!d)
		return -1;
	for (size_t i = 0; i < cfg->mra.ndomain; i++)
		d[n++] = cfg->mra.domain[i];
	for (size_t i = 0; !cfg->mra.ndomain && i < cfg->nsrv; i++) {
		const char *name = cfg->srv[i].name, *dom;
		size_t k = 0;

		if (!validate_mra_port(name))
			continue;
		dom = strchr(strchr(name, '.') + 1, '.') + 1;
		while (k < n && strcmp(d[k], dom) != 0)
			k++;
		if (k == n)
			d[n++] = dom;
	}
	return (ssize_t)n;
}

int mra_zone(const struct dd_config *cfg, const char *const *dom, size_t ndom, struct buf *out)
{
	const struct dd_mra *m = &cfg->mra;

	if (!m->public_fqdn)
		return -1;
	buf_printf(out, "; Public DNS records for Cisco MRA, from %s [mra] (dnsdrop doctor --format zone).\n"
		   "; Never publish _cisco-uds._tcp or _cuplogin._tcp in public DNS.\n", cfg->path);
	for (size_t i = 0; i < ndom; i++)
		for (size_t s = 0; s < MRA_NSERVICES; s++)
			if (mra_services[s].kind == MRA_PUBLIC ||
			    (mra_services[s].kind == MRA_FEDERATION && m->federation == 2))
				buf_printf(out, "%s.%s. 3600 IN SRV 10 10 %u %s.\n", mra_services[s].prefix,
					   dom[i], mra_services[s].port, m->public_fqdn);
	for (size_t i = 0; i < m->naddr; i++)
		buf_printf(out, "%s. 3600 IN %s %s\n", m->public_fqdn,
			   m->addr[i].family == AF_INET ? "A" : "AAAA", m->addr[i].text);
	return 0;
}

/* The value of "KEY=" at line L (ending at E), or NULL. */
static const char *value_of(const char *l, const char *e, const char *key)
{
	size_t n = strlen(key);

	l += strspn(l, " \t");
	return (size_t)(e - l) > n && strncmp(l, key, n) == 0 ? l + n : NULL;
}

int mra_upstream(const char *text, char addr[DD_ADDR_MAX], unsigned *port,
		 char resolv[PATH_MAX])
{
	const char *v;

	memcpy(resolv, "/etc/resolv.conf", sizeof "/etc/resolv.conf");
	for (const char *l = text, *e; *l; l = *e ? e + 1 : e) {
		e = l + strcspn(l, "\n");
		if ((v = value_of(l, e, "server=")) && *v != '/') {
			size_t n = strcspn(v, "#@\n"), pn = v[n] == '#' ? strcspn(v + n + 1, "@ \t\n") : 0;
			char num[8] = "53";

			if (n >= DD_ADDR_MAX || pn >= sizeof num)
				continue;
			memcpy(addr, v, n);
			addr[n] = '\0';
			if (pn)
				memcpy(num, v + n + 1, pn), num[pn] = '\0';
			if (validate_number(num, 1, 65535, port) < 0)
				continue;	/* not a port: dnsmasq refuses the line */
			return 1;
		}
		if ((v = value_of(l, e, "resolv-file="))) {
			size_t n = strcspn(v, " \t\n");

			n = n < PATH_MAX ? n : 0;	/* too long to be read */
			memcpy(resolv, v, n);
			resolv[n] = '\0';
		}
		if (strncmp(l + strspn(l, " \t"), "no-resolv", 9) == 0)
			resolv[0] = '\0';
	}
	return 0;
}

int mra_nameserver(const char *text, char addr[DD_ADDR_MAX])
{
	for (const char *l = text, *e, *v; *l; l = *e ? e + 1 : e) {
		e = l + strcspn(l, "\n");
		if ((v = value_of(l, e, "nameserver"))) {
			size_t n;

			v += strspn(v, " \t");
			n = strcspn(v, " \t\n%");
			if (n > 0 && n < DD_ADDR_MAX) {
				memcpy(addr, v, n);
				addr[n] = '\0';
				return 1;
			}
		}
	}
	return 0;
}
