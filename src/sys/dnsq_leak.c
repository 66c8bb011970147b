/* dnsq_leak.c - the split-DNS leak (dnsq.h dnsq_leaks): dnsmasq answers a
 * name of the INI only for the types the INI gives it; every other type is
 * forwarded to its server= lines, the outside view. Measured on 2.66 to
 * 2.92 (make compat): AAAA of a host given only IPv4 addresses is forwarded
 * on every version, AAAA of an alias on 2.80 and older. dnsmasq has no
 * exact-name way to stop that (local=/NAME/ also takes every name below
 * NAME), so dnsdrop asks and says what to add instead of guessing. */
#include <arpa/nameser.h>
#include <string.h>

#include "dmver.h"
#include "dnsq.h"
#include "nameix.h"

/* Ask NAME AAAA; warn at LINE when an address comes back. 0 when asked,
 * -1 when SRV gave no answer (its upstream may be dead: stop asking). */
static int ask(const struct dd_config *cfg, const struct dnsq_server *srv,
	       const char *name, int line, unsigned timeout_ms,
	       struct problems *pr)
{
	struct dnsq_answer ans = { 0 };
	char err[DNSQ_ERR_MAX];
	int rc = dnsq_query(srv, name, ns_t_aaaa, timeout_ms, &ans, err);
	size_t i = 0;

	while (rc == 0 && i < ans.nrr && ans.rr[i].type != ns_t_aaaa)
		i++;
	if (rc == 0 && i < ans.nrr)
		problems_add(pr, cfg->path, line, SEV_WARNING, "split-DNS leak: "
			     "%s AAAA is answered %s by the upstream server (the "
			     "INI gives %s no IPv6 address, so dnsmasq forwards "
			     "the question): add its inside IPv6 address to "
			     "[hosts], or, if no name below %s must resolve, "
			     "add local=/%s/ to a file of your own in the "
			     "conf-dir", name, ans.rr[i].data, name, name, name);
	dnsq_answer_free(&ans);	/* a failed query may hold part of an answer */
	return rc;
}

int dnsq_leaks(const struct dd_config *cfg, const struct dnsq_server *srv,
	       unsigned timeout_ms, struct problems *pr)
{
	size_t n = pr->warnings;
	struct nameix hosts;
	int live = 1;

	if (nameix_init(&hosts, cfg->nhost, 0) < 0) {
		pr->oom = 1;
		return 0;
	}
	nameix_add(&hosts, cfg->host, cfg->nhost, sizeof *cfg->host);
	for (size_t i = 0; live && i < cfg->nhost; i++)
		if (!dmver_host_ipv6(&cfg->host[i]))
			live = ask(cfg, srv, cfg->host[i].name, cfg->host[i].line,
				   timeout_ms, pr) == 0;
	for (size_t i = 0; live && i < cfg->ncname; i++)
		if (!dmver_host_ipv6(nameix_name(&hosts, cfg->cname[i].target)))
			live = ask(cfg, srv, cfg->cname[i].alias, cfg->cname[i].line,
				   timeout_ms, pr) == 0;
	nameix_free(&hosts);
	return (int)(pr->warnings - n);
}
