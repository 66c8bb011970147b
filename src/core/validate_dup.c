/* validate_dup.c - rules across lines: a host or alias defined twice, an
 * SRV record given twice or next to ".", CNAME targets.
 *
 * Nothing here compares every pair: records go into a name index
 * (nameix.h) in INI order, so the entry it keeps for a key is that key's
 * first line. Each rule's problems come out in the order of the rules
 * below; problems_sort then puts the lines in file order. */
#include "validate.h"

#include <stddef.h>
#include <string.h>

#include "nameix.h"

/* Add the N records at BASE (SIZE bytes each, line at LINE_OFF) in INI
 * order; report each one whose name an earlier line has. */
static void add_names(struct nameix *ix, const void *base, size_t n, size_t size, size_t line_off,
		      const char *path, struct problems *pr, const char *what, const char *hint)
{
	for (size_t i = 0; i < n; i++) {
		const char *rec = (const char *)base + i * size;
		const char *first = nameix_find(ix, rec, 1);
		if (first)
			problems_add(pr, path, *(const int *)(rec + line_off), SEV_ERROR,
				     "%s %s is already defined on line %d; %s", what, *(const char *const *)rec,
				     *(const int *)(first + line_off), hint);
	}
}

static void check_cname(const struct dd_cname *c, const char *path, struct nameix *al,
			struct nameix *h, struct problems *pr)
{
	const struct dd_host *host = nameix_name(h, c->alias);
	const struct dd_cname *hit = nameix_name(al, c->target);

	if (host)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "alias %s is also a host (line %d); a name is either a host or an alias: remove one",
			     c->alias, host->line);
	if (strcmp(c->alias, c->target) == 0)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "alias %s points at itself; point it at a name from [hosts]", c->alias);
	else if (hit && strcmp(hit->target, c->alias) == 0)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "%s and %s (line %d) point at each other; point both at a name from [hosts]",
			     c->alias, c->target, hit->line);
	else if (hit)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "target %s is itself an alias (line %d); dnsmasq does not follow CNAME chains: point %s at %s directly",
			     c->target, hit->line, c->alias, hit->target);
	else if (!nameix_name(h, c->target))
		problems_add(pr, path, c->line, SEV_ERROR,
			     "target %s is not in [hosts]; dnsmasq only answers a CNAME whose target it knows: add \"%s = ADDRESS\" under [hosts]",
			     c->target, c->target);
}

/* Hosts and aliases by name. */
static int check_names(const struct dd_config *cfg, struct problems *pr)
{
	struct nameix h, al;
	int rc = -1;

	if (nameix_init(&h, cfg->nhost, 0) < 0)
		return -1;
	if (nameix_init(&al, cfg->ncname, 0) == 0) {
		add_names(&h, cfg->host, cfg->nhost, sizeof *cfg->host, offsetof(struct dd_host, line),
			  cfg->path, pr, "host",
			  "keep one line and delete the other (if the name really has several addresses, they go on one line: name = addr1, addr2)");
		add_names(&al, cfg->cname, cfg->ncname, sizeof *cfg->cname,
			  offsetof(struct dd_cname, line), cfg->path, pr, "alias",
			  "an alias has one target: remove one of the lines");
		for (size_t i = 0; i < cfg->ncname; i++)
			check_cname(&cfg->cname[i], cfg->path, &al, &h, pr);
		rc = validate_targets(cfg, &h, &al, pr);
	}
	nameix_free(&al);
	nameix_free(&h);
	return rc;
}

/* SRV records given twice; then "." next to real records of the same name
 * (the index keeps each name's first real record; no "." line, the usual
 * case: nothing to build). */
static int check_srv(const struct dd_config *cfg, struct problems *pr)
{
	struct nameix ix;
	const struct dd_srv *s, *first;
	size_t i, dots = 0;

	if (nameix_init(&ix, cfg->nsrv, 1) < 0)
		return -1;
	for (i = 0, s = cfg->srv; i < cfg->nsrv; i++, s++) {
		dots += !s->target;
		if ((first = nameix_find(&ix, s, 1)))
			problems_add(pr, cfg->path, s->line, SEV_ERROR,
				     "the same SRV record is already on line %d; remove one of the lines",
				     first->line);
	}
	nameix_free(&ix);
	if (dots == 0 || nameix_init(&ix, cfg->nsrv, 0) < 0)
		return dots ? -1 : 0;
	for (i = 0, s = cfg->srv; i < cfg->nsrv; i++, s++)
		if (s->target)
			nameix_find(&ix, s, 1);
	for (i = 0, s = cfg->srv; i < cfg->nsrv; i++, s++)
		if (!s->target && (first = nameix_name(&ix, s->name)))
			problems_add(pr, cfg->path, s->line, SEV_ERROR,
				     "\".\" says %s is not offered, but line %d gives it a record; keep either the \".\" line or the records",
				     s->name, first->line);
	nameix_free(&ix);
	return 0;
}

int validate_dup(const struct dd_config *cfg, struct problems *pr)
{
	/* Per line, a duplicate's message comes before its "." message. */
	return check_names(cfg, pr) < 0 || check_srv(cfg, pr) < 0 ? -1 : 0;
}
