/* validate_dup.c - rules across lines: a host or alias defined twice, an
 * SRV record given twice or next to ".", CNAME targets.
 *
 * Nothing here compares every pair: records go into a hash index in INI
 * order, so the entry it keeps for a key is that key's first line, and a
 * look-up costs O(1). Each rule's problems come out in the order of the
 * rules below; problems_sort then puts the lines in file order. */
#include "validate.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Open addressing, at most half full, over records whose first member is
 * their name (dd_host.name, dd_cname.alias, dd_srv.name): a look-up by name
 * alone passes the address of a `const char *` as the record. */
struct index {
	const void **slot;
	size_t mask;
	int by_record;		/* SRV: same name, target, port, priority, weight */
};

static const char *name_of(const void *rec)
{
	return *(const char *const *)rec;
}

static uint32_t hash_str(const char *s, uint32_t h)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;	/* FNV-1a */
	return h;
}

static uint32_t hash_of(const struct index *ix, const void *rec)
{
	const struct dd_srv *s = rec;
	uint32_t h = hash_str(name_of(rec), 2166136261u);

	if (ix->by_record)
		h = hash_str(s->target ? s->target : ".", h) ^ s->port ^ s->priority << 16 ^ s->weight;
	return h * 16777619u;
}

static int same(const struct index *ix, const void *x, const void *y)
{
	const struct dd_srv *a = x, *b = y;

	if (strcmp(name_of(x), name_of(y)) != 0)
		return 0;
	return !ix->by_record ||
	       (a->port == b->port && a->priority == b->priority && a->weight == b->weight &&
		(a->target && b->target ? strcmp(a->target, b->target) == 0 : a->target == b->target));
}

static int index_init(struct index *ix, size_t n, int by_record)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	*ix = (struct index){ calloc(cap, sizeof *ix->slot), cap - 1, by_record };
	return ix->slot ? 0 : -1;
}

/* The first record added that equals REC; NULL when none (and, with ADD,
 * REC is added). */
static const void *index_find(struct index *ix, const void *rec, int add)
{
	size_t i = hash_of(ix, rec) & ix->mask;

	for (; ix->slot[i]; i = (i + 1) & ix->mask)
		if (same(ix, ix->slot[i], rec))
			return ix->slot[i];
	if (add)
		ix->slot[i] = rec;
	return NULL;
}

static const void *find_name(struct index *ix, const char *name)
{
	return index_find(ix, &name, 0);
}

/* Add the N records at BASE (SIZE bytes each, line at LINE_OFF) in INI
 * order; report each one whose name an earlier line has. */
static void add_names(struct index *ix, const void *base, size_t n, size_t size, size_t line_off,
		      const char *path, struct problems *pr, const char *what, const char *hint)
{
	for (size_t i = 0; i < n; i++) {
		const char *rec = (const char *)base + i * size;
		const char *first = index_find(ix, rec, 1);
		if (first)
			problems_add(pr, path, *(const int *)(rec + line_off), SEV_ERROR,
				     "%s %s is already defined on line %d; %s", what, name_of(rec),
				     *(const int *)(first + line_off), hint);
	}
}

static void check_cname(const struct dd_cname *c, const char *path, struct index *al,
			struct index *h, struct problems *pr)
{
	const struct dd_host *host = find_name(h, c->alias);
	const struct dd_cname *hit = find_name(al, c->target);

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
	else if (!find_name(h, c->target))
		problems_add(pr, path, c->line, SEV_ERROR,
			     "target %s is not in [hosts]; dnsmasq only answers a CNAME whose target it knows: add \"%s = ADDRESS\" under [hosts]",
			     c->target, c->target);
}

/* Hosts and aliases by name. */
static int check_names(const struct dd_config *cfg, struct problems *pr)
{
	struct index h, al;
	int rc = -1;

	if (index_init(&h, cfg->nhost, 0) < 0)
		return -1;
	if (index_init(&al, cfg->ncname, 0) == 0) {
		add_names(&h, cfg->host, cfg->nhost, sizeof *cfg->host, offsetof(struct dd_host, line),
			  cfg->path, pr, "host",
			  "keep one line and delete the other (if the name really has several addresses, they go on one line: name = addr1, addr2)");
		add_names(&al, cfg->cname, cfg->ncname, sizeof *cfg->cname,
			  offsetof(struct dd_cname, line), cfg->path, pr, "alias",
			  "an alias has one target: remove one of the lines");
		for (size_t i = 0; i < cfg->ncname; i++)
			check_cname(&cfg->cname[i], cfg->path, &al, &h, pr);
		rc = 0;
	}
	free(al.slot);
	free(h.slot);
	return rc;
}

/* SRV records given twice; then "." next to real records of the same name
 * (the index keeps each name's first real record; no "." line, the usual
 * case: nothing to build). */
static int check_srv(const struct dd_config *cfg, struct problems *pr)
{
	struct index ix;
	const struct dd_srv *s, *first;
	size_t i, dots = 0;

	if (index_init(&ix, cfg->nsrv, 1) < 0)
		return -1;
	for (i = 0, s = cfg->srv; i < cfg->nsrv; i++, s++) {
		dots += !s->target;
		if ((first = index_find(&ix, s, 1)))
			problems_add(pr, cfg->path, s->line, SEV_ERROR,
				     "the same SRV record is already on line %d; remove one of the lines",
				     first->line);
	}
	free(ix.slot);
	if (dots == 0 || index_init(&ix, cfg->nsrv, 0) < 0)
		return dots ? -1 : 0;
	for (i = 0, s = cfg->srv; i < cfg->nsrv; i++, s++)
		if (s->target)
			index_find(&ix, s, 1);
	for (i = 0, s = cfg->srv; i < cfg->nsrv; i++, s++)
		if (!s->target && (first = find_name(&ix, s->name)))
			problems_add(pr, cfg->path, s->line, SEV_ERROR,
				     "\".\" says %s is not offered, but line %d gives it a record; keep either the \".\" line or the records",
				     s->name, first->line);
	free(ix.slot);
	return 0;
}

int validate_dup(const struct dd_config *cfg, struct problems *pr)
{
	/* Per line, a duplicate's message comes before its "." message. */
	return check_names(cfg, pr) < 0 || check_srv(cfg, pr) < 0 ? -1 : 0;
}
