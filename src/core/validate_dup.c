/* validate_dup.c - rules across lines: a host or alias defined twice, an
 * SRV record given twice or next to ".", CNAME targets.
 *
 * The benchmark INI has 100k hosts and 100k SRV records, so nothing here
 * compares every pair: records go into hash tables in INI order, so the
 * entry a table keeps for a key is that key's first line, and each look-up
 * costs O(1). Every record's problems come out in the order of the rules
 * below; problems_sort then puts the lines in file order. */
#include "validate.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Open addressing over records (SIZE bytes each at BASE) whose first
 * member is their name (dd_host.name, dd_cname.alias, dd_srv.name) and
 * whose int at offset LINE_OFF is their line. A slot keeps its key's hash, so a probe
 * reads a record (a cache miss at 100k records) only when the hash matches. */
struct slot {
	uint32_t rec;		/* index + 1 of a record; 0: empty */
	uint32_t hash;
};

struct table {
	struct slot *slot;
	size_t mask;
	const char *base;
	size_t size, line_off;
};

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u
/* Slots fetched this many records ahead of their use: at 100k records a
 * table is larger than the caches, and each look-up would wait for one. */
#define AHEAD 16

static uint32_t hash_str(const char *s, uint32_t h)
{
	while (*s)
		h = (h ^ (unsigned char)*s++) * FNV_PRIME;
	return h;
}

static const void *rec_at(const struct table *t, uint32_t slot)
{
	return t->base + (slot - 1) * t->size;
}

static const char *name_at(const struct table *t, uint32_t slot)
{
	return *(const char *const *)rec_at(t, slot);
}

static int line_at(const struct table *t, uint32_t slot)
{
	return *(const int *)((const char *)rec_at(t, slot) + t->line_off);
}

/* A table for N records of SIZE bytes at BASE, at most half full. */
static int table_init(struct table *t, const void *base, size_t n, size_t size, size_t line_off)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	*t = (struct table){ calloc(cap, sizeof *t->slot), cap - 1, base, size, line_off };
	return t->slot ? 0 : -1;
}

/* The slot of the first record named KEY (hash H), or the empty slot it
 * would take (its hash already set: the caller need only fill in ->rec). */
static struct slot *probe_name(struct table *t, const char *key, uint32_t h)
{
	size_t i = h & t->mask;

	while (t->slot[i].rec &&
	       (t->slot[i].hash != h || strcmp(name_at(t, t->slot[i].rec), key) != 0))
		i = (i + 1) & t->mask;
	t->slot[i].hash = h;
	return &t->slot[i];
}

static struct slot *find_name(struct table *t, const char *key)
{
	return probe_name(t, key, hash_str(key, FNV_OFFSET));
}

/* Add the N records of T by name, in INI order; report each one whose
 * name an earlier line has. All hashes first, so that each slot can be
 * fetched AHEAD records before it is probed. -1 when out of memory. */
static int add_name(struct table *t, size_t n, const char *path, struct problems *pr,
		    const char *what, const char *hint)
{
	uint32_t *h = malloc((n + 1) * sizeof *h);

	if (!h)
		return -1;
	for (uint32_t i = 1; i <= n; i++)
		h[i - 1] = hash_str(name_at(t, i), FNV_OFFSET);
	for (uint32_t i = 1; i <= n; i++) {
		const char *key = name_at(t, i);
		struct slot *s;
		if (i + AHEAD <= n)
			__builtin_prefetch(&t->slot[h[i - 1 + AHEAD] & t->mask]);
		if (!(s = probe_name(t, key, h[i - 1]))->rec)
			s->rec = i;
		else
			problems_add(pr, path, line_at(t, i), SEV_ERROR,
				     "%s %s is already defined on line %d; %s", what, key,
				     line_at(t, s->rec), hint);
	}
	free(h);
	return 0;
}

static void check_cname(const struct dd_cname *c, const struct dd_config *cfg,
			struct table *al, struct table *h, struct problems *pr)
{
	const char *path = cfg->path;
	const struct dd_cname *hit;
	uint32_t k;

	if ((k = find_name(h, c->alias)->rec))
		problems_add(pr, path, c->line, SEV_ERROR,
			     "alias %s is also a host (line %d); a name is either a host or an alias: remove one",
			     c->alias, line_at(h, k));
	k = find_name(al, c->target)->rec;
	hit = k ? &cfg->cname[k - 1] : NULL;
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
	else if (!find_name(h, c->target)->rec)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "target %s is not in [hosts]; dnsmasq only answers a CNAME whose target it knows: add \"%s = ADDRESS\" under [hosts]",
			     c->target, c->target);
}

/* Hosts and aliases by name. */
static int check_names(const struct dd_config *cfg, struct problems *pr)
{
	struct table h, al;
	size_t i;
	int rc = -1;

	if (table_init(&h, cfg->host, cfg->nhost, sizeof *cfg->host,
		       offsetof(struct dd_host, line)) < 0)
		return -1;
	if (table_init(&al, cfg->cname, cfg->ncname, sizeof *cfg->cname,
		       offsetof(struct dd_cname, line)) < 0)
		goto out;
	if (add_name(&h, cfg->nhost, cfg->path, pr, "host",
		     "keep one line and delete the other (if the name really has several addresses, they go on one line: name = addr1, addr2)") == 0 &&
	    add_name(&al, cfg->ncname, cfg->path, pr, "alias",
		     "an alias has one target: remove one of the lines") == 0) {
		for (i = 0; i < cfg->ncname; i++)
			check_cname(&cfg->cname[i], cfg, &al, &h, pr);
		rc = 0;
	}
	free(al.slot);
out:
	free(h.slot);
	return rc;
}

/* Same record: name, target (or "."), port, priority and weight. */
static int same_srv(const struct dd_srv *x, const struct dd_srv *y)
{
	return strcmp(x->name, y->name) == 0 && x->port == y->port && x->priority == y->priority &&
	       x->weight == y->weight && (x->target && y->target ? strcmp(x->target, y->target) == 0
								 : x->target == y->target);
}

static uint32_t hash_srv(const struct dd_srv *s)
{
	uint32_t h = hash_str(s->name, FNV_OFFSET);

	h = hash_str(s->target ? s->target : "", (h ^ !s->target) * FNV_PRIME);
	return (((h ^ s->port) * FNV_PRIME ^ s->priority) * FNV_PRIME ^ s->weight) * FNV_PRIME;
}

/* The slot of the first record equal to S (hash H), or the empty slot it
 * would take (hash set, as in probe_name). */
static struct slot *probe_srv(struct table *t, const struct dd_srv *s, uint32_t h)
{
	size_t i;

	for (i = h & t->mask; t->slot[i].rec; i = (i + 1) & t->mask)
		if (t->slot[i].hash == h && same_srv(rec_at(t, t->slot[i].rec), s))
			break;
	t->slot[i].hash = h;
	return &t->slot[i];
}

/* SRV records given twice; hashes first, as in add_name. */
static int srv_twice(const struct dd_config *cfg, struct problems *pr)
{
	uint32_t *h = malloc((cfg->nsrv + 1) * sizeof *h);
	struct table recs;
	struct slot *slot;
	size_t i;

	if (!h || table_init(&recs, cfg->srv, cfg->nsrv, sizeof *cfg->srv,
			     offsetof(struct dd_srv, line)) < 0) {
		free(h);
		return -1;
	}
	for (i = 0; i < cfg->nsrv; i++)
		h[i] = hash_srv(&cfg->srv[i]);
	for (i = 0; i < cfg->nsrv; i++) {
		const struct dd_srv *s = &cfg->srv[i];
		if (i + AHEAD < cfg->nsrv)
			__builtin_prefetch(&recs.slot[h[i + AHEAD] & recs.mask]);
		if ((slot = probe_srv(&recs, s, h[i]))->rec)
			problems_add(pr, cfg->path, s->line, SEV_ERROR,
				     "the same SRV record is already on line %d; remove one of the lines",
				     line_at(&recs, slot->rec));
		else
			slot->rec = (uint32_t)i + 1;
	}
	free(recs.slot);
	free(h);
	return 0;
}

/* "." next to real records of the same name: the table keeps each name's
 * first real record. No "." line (the usual case): nothing to build. */
static int srv_dot(const struct dd_config *cfg, struct problems *pr)
{
	struct table names;
	struct slot *slot;
	size_t i, dots = 0;

	for (i = 0; i < cfg->nsrv; i++)
		dots += !cfg->srv[i].target;
	if (dots == 0)
		return 0;
	if (table_init(&names, cfg->srv, cfg->nsrv, sizeof *cfg->srv, offsetof(struct dd_srv, line)) < 0)
		return -1;
	for (i = 0; i < cfg->nsrv; i++)
		if (cfg->srv[i].target && !(slot = find_name(&names, cfg->srv[i].name))->rec)
			slot->rec = (uint32_t)i + 1;
	for (i = 0; i < cfg->nsrv; i++) {
		const struct dd_srv *s = &cfg->srv[i];
		if (!s->target && (slot = find_name(&names, s->name))->rec)
			problems_add(pr, cfg->path, s->line, SEV_ERROR,
				     "\".\" says %s is not offered, but line %d gives it a record; keep either the \".\" line or the records",
				     s->name, line_at(&names, slot->rec));
	}
	free(names.slot);
	return 0;
}

int validate_dup(const struct dd_config *cfg, struct problems *pr)
{
	/* Per line, a duplicate's message comes before its "." message. */
	if (check_names(cfg, pr) < 0 || srv_twice(cfg, pr) < 0 || srv_dot(cfg, pr) < 0)
		return -1;
	return 0;
}
