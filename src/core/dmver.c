/* dmver.c - the dnsmasq version table (see dmver.h). */
#include "dmver.h"

#include <string.h>
#include <sys/socket.h>

#include "dnsconf.h"
#include "nameix.h"

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
	{ DMQ_NO_TTL, 0, 275, "a TTL field of host-record is read as a name; "
	  "cname=A,T,TTL and cname=A1,A2,T serve nothing" },
	{ DMQ_CNAME_MULTI_FAILS, 276, 276, "cname=A1,A2,TARGET (two aliases) "
	  "fails --test" },
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

unsigned dmver_from_copyright(const char *found)
{
	/* the first release of each year, from dnsmasq's CHANGELOG */
	static const unsigned short first[] = { 265, 269, 273, 276, 277, 279, 281,
						281, 283, 287, 289, 290, 291 };
	const char *p = strstr(found, "2000-");
	unsigned y = 0;

	for (p = p ? p + 5 : "", y = 0; *p >= '0' && *p <= '9' && y < 10000; p++)
		y = y * 10 + (unsigned)(*p - '0');
	if (y < 2013)
		return 0;
	return first[y - 2013 < sizeof first / sizeof first[0] ? y - 2013 :
		     sizeof first / sizeof first[0] - 1];
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

int dmver_host_ipv6(const struct dd_host *h)
{
	for (size_t j = 0; h && j < h->naddr; j++)
		if (h->addr[j].family == AF_INET6)
			return 1;
	return 0;
}

void dmver_warn(const struct dd_config *cfg, unsigned quirks, const char *who,
		struct problems *pr)
{
	struct nameix hosts;

	if (!(quirks & DMQ_ALIAS_AAAA) || !cfg->ncname)
		return;
	if (nameix_init(&hosts, cfg->nhost, 0) < 0) {
		pr->oom = 1;
		return;
	}
	nameix_add(&hosts, cfg->host, cfg->nhost, sizeof *cfg->host);
	for (const struct dd_cname *c = cfg->cname; c < cfg->cname + cfg->ncname; c++)
		if (!dmver_host_ipv6(nameix_name(&hosts, c->target)))
			problems_add(pr, cfg->path, c->line, SEV_WARNING,
				     "%s (2.80 and older) refuses AAAA queries for alias "
				     "%s, or forwards them upstream when a server= is set "
				     "(the outside view may answer): give %s an IPv6 "
				     "address too, or make %s a host", who, c->alias,
				     c->target, c->alias);
	nameix_free(&hosts);
}

/* The last comma-separated field of V (N bytes) is all digits: a TTL. */
static int ttl_last(const char *v, size_t n, size_t commas)
{
	size_t i = n;

	while (i && v[i - 1] >= '0' && v[i - 1] <= '9')
		i--;
	return commas >= 2 && i < n && i && v[i - 1] == ',';
}

/* One option line read by dnsconf.c (R: name, argument, the line as
 * written): what QUIRKS make of it, or NULL. */
static const char *line_quirk(const struct dnsconf *r, unsigned quirks)
{
	const char *v = r->arg;
	size_t n, commas = 0;

	if (!r->name || !v)
		return NULL;
	n = strlen(v);
	for (size_t i = 0; i < n; i++)
		commas += v[i] == ',';
	if ((quirks & DMQ_NO_QUOTES) && memchr(r->raw, '"', r->rawlen))
		return "refuses this quoted value (Bad name): dnsmasq would not start";
	if (!strcmp(r->name, "host-record") && (quirks & DMQ_NO_TTL) && ttl_last(v, n, commas))
		return "reads the TTL field as one more host name";
	if (!strcmp(r->name, "cname") && commas >= 2 && (quirks & DMQ_NO_TTL))
		return "serves nothing for a cname with a third field (a TTL or a "
		       "second alias)";
	if (!strcmp(r->name, "cname") && commas >= 2 &&
	    (quirks & DMQ_CNAME_MULTI_FAILS) && !ttl_last(v, n, commas))
		return "fails --test on a cname with two aliases";
	if (!strcmp(r->name, "srv-host") && (quirks & DMQ_SRV_COMMA_FAILS) &&
	    commas == 1 && n && v[n - 1] == ',')
		return "refuses srv-host=NAME, (an empty target): write srv-host=NAME";
	return NULL;
}

void dmver_import_warn(const char *file, const char *text, size_t len,
		       unsigned quirks, const char *who, struct problems *pr)
{
	struct dnsconf r = { .file = file, .text = text, .len = len, .pieces = 1 };
	const char *why;

	while (dnsconf_next(&r))
		if ((why = line_quirk(&r, quirks)))
			problems_add(pr, file, r.line, SEV_WARNING, "%s %s", who, why);
}
