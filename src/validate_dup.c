/* validate_dup.c - rules across lines: a host or alias defined twice, an
 * SRV record given twice or next to ".", CNAME targets.
 *
 * The benchmark INI has 100k hosts and 100k SRV records, so nothing here
 * compares every pair: each list is sorted once (O(n log n)) and duplicates
 * are neighbours; look-ups are binary searches. Ties sort by line, so the
 * first of equal entries is the one earlier in the INI. */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

struct ref {
	const char *key;
	const char *target;	/* CNAME target, NULL for hosts */
	int line;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct ref *)a)->key, ((const struct ref *)b)->key);
}

/* The first entry of sorted R (N) whose key is KEY, or NULL. */
static const struct ref *find(const struct ref *r, size_t n, const char *key)
{
	struct ref k = { key, NULL, 0 };
	const struct ref *hit = bsearch(&k, r, n, sizeof *r, cmp_key);

	while (hit && hit > r && strcmp(hit[-1].key, key) == 0)
		hit--;
	return hit;
}

/* Report every entry of sorted R (N) whose key an earlier line has. */
static void report_dups(const struct ref *r, size_t n, const char *path, struct problems *pr,
			const char *what, const char *hint)
{
	size_t first = 0;

	for (size_t i = 1; i < n; i++) {
		if (strcmp(r[i].key, r[first].key) != 0) {
			first = i;
			continue;
		}
		problems_add(pr, path, r[i].line, SEV_ERROR,
			     "%s %s is already defined on line %d; %s", what, r[i].key,
			     r[first].line, hint);
	}
}

static void check_cname(const struct ref *c, const struct ref *al, size_t nal, const struct ref *h,
			size_t nh, const char *path, struct problems *pr)
{
	const struct ref *hit;

	if ((hit = find(h, nh, c->key)))
		problems_add(pr, path, c->line, SEV_ERROR,
			     "alias %s is also a host (line %d); a name is either a host or an alias: remove one",
			     c->key, hit->line);
	if (strcmp(c->key, c->target) == 0)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "alias %s points at itself; point it at a name from [hosts]", c->key);
	else if ((hit = find(al, nal, c->target)) && strcmp(hit->target, c->key) == 0)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "%s and %s (line %d) point at each other; point both at a name from [hosts]",
			     c->key, c->target, hit->line);
	else if (hit)
		problems_add(pr, path, c->line, SEV_ERROR,
			     "target %s is itself an alias (line %d); dnsmasq does not follow CNAME chains: point %s at %s directly",
			     c->target, hit->line, c->key, hit->target);
	else if (!find(h, nh, c->target))
		problems_add(pr, path, c->line, SEV_ERROR,
			     "target %s is not in [hosts]; dnsmasq only answers a CNAME whose target it knows: add \"%s = ADDRESS\" under [hosts]",
			     c->target, c->target);
}

/* Hosts and aliases, sorted by name. */
static int check_names(const struct dd_config *cfg, struct problems *pr)
{
	struct ref *h = malloc((cfg->nhost + 1) * sizeof *h);
	struct ref *al = malloc((cfg->ncname + 1) * sizeof *al);
	size_t i;

	if (!h || !al) {
		free(h);
		free(al);
		return -1;
	}
	for (i = 0; i < cfg->nhost; i++)
		h[i] = (struct ref){ cfg->host[i].name, NULL, cfg->host[i].line };
	for (i = 0; i < cfg->ncname; i++)
		al[i] = (struct ref){ cfg->cname[i].alias, cfg->cname[i].target, cfg->cname[i].line };
	qsort(h, cfg->nhost, sizeof *h, cmp_ref);
	qsort(al, cfg->ncname, sizeof *al, cmp_ref);
	report_dups(h, cfg->nhost, cfg->path, pr, "host",
		    "give all addresses of a name on one line: name = addr1, addr2");
	report_dups(al, cfg->ncname, cfg->path, pr, "alias",
		    "an alias has one target: remove one of the lines");
	for (i = 0; i < cfg->ncname; i++)
		check_cname(&al[i], al, cfg->ncname, h, cfg->nhost, cfg->path, pr);
	free(h);
	free(al);
	return 0;
}

/* Ordered by name, then "." before records, then the whole record, then line. */
static int cmp_srv(const void *a, const void *b)
{
	const struct dd_srv *x = *(const struct dd_srv *const *)a, *y = *(const struct dd_srv *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (!x->target || !y->target)
		c = (x->target != NULL) - (y->target != NULL);
	else
		c = strcmp(x->target, y->target);
	if (c)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight < y->weight ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Same record: cmp_srv without the line. */
static int same_srv(const struct dd_srv *x, const struct dd_srv *y)
{
	return strcmp(x->name, y->name) == 0 && x->port == y->port && x->priority == y->priority &&
	       x->weight == y->weight && (x->target && y->target ? strcmp(x->target, y->target) == 0
								 : x->target == y->target);
}

/* One name's records S[0..N): "." and real records do not mix. */
static void srv_group(const struct dd_srv *const *s, size_t n, const char *path, struct problems *pr)
{
	int real = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i]->target && (!real || s[i]->line < real))
			real = s[i]->line;
	for (size_t i = 0; real && i < n && !s[i]->target; i++)
		problems_add(pr, path, s[i]->line, SEV_ERROR,
			     "\".\" says %s is not offered, but line %d gives it a record; keep either the \".\" line or the records",
			     s[i]->name, real);
}

static int check_srv(const struct dd_config *cfg, struct problems *pr)
{
	const struct dd_srv **s = malloc((cfg->nsrv + 1) * sizeof *s);
	size_t i, group = 0, first = 0;

	if (!s)
		return -1;
	for (i = 0; i < cfg->nsrv; i++)
		s[i] = &cfg->srv[i];
	qsort(s, cfg->nsrv, sizeof *s, cmp_srv);
	for (i = 1; i <= cfg->nsrv; i++) {
		if (i < cfg->nsrv && same_srv(s[i], s[first])) {
			problems_add(pr, cfg->path, s[i]->line, SEV_ERROR,
				     "the same SRV record is already on line %d; remove one of the lines",
				     s[first]->line);
			continue;
		}
		first = i;
		if (i == cfg->nsrv || strcmp(s[i]->name, s[group]->name) != 0) {
			srv_group(s + group, i - group, cfg->path, pr);
			group = i;
		}
	}
	free(s);
	return 0;
}

int validate_dup(const struct dd_config *cfg, struct problems *pr)
{
	if (check_names(cfg, pr) < 0 || check_srv(cfg, pr) < 0)
		return -1;
	return 0;
}
