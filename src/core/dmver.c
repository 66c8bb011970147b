/* dmver.c - the dnsmasq version table (see dmver.h). */
#include "dmver.h"

#include <string.h>
#include <sys/socket.h>

static const struct {
	unsigned q, from, to;	/* versions from..to (inclusive) have Q */
	const char *text;
} quirk_tab[] = {
	{ DMQ_STAR_SKIPS, 0, 271, "conf-dir=DIR,*.conf reads *.conf as a suffix to "
	  "skip (filters came in 2.72): every file of DIR loads" },
	{ DMQ_ALIAS_AAAA, 0, 280, "AAAA of an alias whose target has no IPv6 "
	  "address is refused, or forwarded upstream when a server= is set" },
	{ DMQ_UDP_ARCOUNT, 276, 277, "UDP replies that nearly fill 1232 bytes are "
	  "malformed; dnsdrop asks those again over TCP" },
	{ DMQ_NO_QUOTES, 0, 285, "quoted values are refused (Bad name)" },
	{ DMQ_NO_TTL, 0, 275, "a TTL field of host-record or cname is read as a "
	  "name" },
	{ DMQ_CNAME_TTL_FAILS, 276, 276, "cname=ALIAS,TARGET,TTL fails --test" },
	{ DMQ_SRV_COMMA_FAILS, 0, 286, "srv-host=NAME, (empty target) fails" },
	{ DMQ_AAAA_FORWARD, 0, 9999, "AAAA of a host given only IPv4 addresses is "
	  "forwarded upstream when a server= is set (verify warns of a leak)" },
};

#define NQUIRKS (sizeof quirk_tab / sizeof quirk_tab[0])

unsigned dmver_parse(const char *s)
{
	unsigned major = 0, minor = 0, n = 0;

	for (; *s >= '0' && *s <= '9' && major < 100; s++, n++)
		major = major * 10 + (unsigned)(*s - '0');
	if (!n || *s++ != '.')
		return 0;
	for (n = 0; *s >= '0' && *s <= '9' && minor < 100; s++, n++)
		minor = minor * 10 + (unsigned)(*s - '0');
	return n && major < 100 && minor < 100 ? major * 100 + minor : 0;
}

unsigned dmver_quirks(unsigned ver)
{
	unsigned q = 0;

	if (!ver)
		ver = 266;
	for (size_t i = 0; i < NQUIRKS; i++)
		if (ver >= quirk_tab[i].from && ver <= quirk_tab[i].to)
			q |= quirk_tab[i].q;
	return q;
}

const char *dmver_text(unsigned q)
{
	for (size_t i = 0; i < NQUIRKS; i++)
		if (quirk_tab[i].q == q)
			return quirk_tab[i].text;
	return 0;
}

/* 1 when CFG gives NAME an IPv6 address in [hosts]. */
static int has_ipv6(const struct dd_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nhost; i++)
		if (!strcmp(cfg->host[i].name, name))
			for (size_t j = 0; j < cfg->host[i].naddr; j++)
				if (cfg->host[i].addr[j].family == AF_INET6)
					return 1;
	return 0;
}

void dmver_warn(const struct dd_config *cfg, unsigned quirks, const char *who,
		struct problems *pr)
{
	const struct dd_cname *c;

	if (!(quirks & DMQ_ALIAS_AAAA))
		return;
	for (c = cfg->cname; c < cfg->cname + cfg->ncname; c++)
		if (!has_ipv6(cfg, c->target))
			problems_add(pr, cfg->path, c->line, SEV_WARNING,
				     "%s (2.80 and older) refuses AAAA queries for alias "
				     "%s, or forwards them upstream when a server= is set "
				     "(the outside view may answer): give %s an IPv6 "
				     "address too, or make %s a host", who, c->alias,
				     c->target, c->alias);
}
