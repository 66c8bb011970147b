/* import_ini.c - the INI side of import: rules across the imported records
 * (merging the addresses of a name, duplicates, what dnsdrop's INI cannot
 * hold) and writing the INI text. The 100k-record files of the benchmark
 * must not take quadratic time: the records are sorted once, so that a
 * name's records are neighbours, and look-ups are binary searches. Pure. */
#include "import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sort.h"

#define CMPU(x, y) (((x) > (y)) - ((x) < (y)))

void import_put_clean(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n && i < 400; i++)
		buf_add(out, s[i] < 0x20 || s[i] > 0x7e ? "?" : s + i, 1);
	if (n > 400)
		buf_puts(out, "...");
}

/* By kind, name, then content: identical records are neighbours. */
static int cmp_body(const struct import_rec *a, const struct import_rec *b)
{
	int c = (int)a->kind - (int)b->kind;

	if (c || (c = strcmp(a->name, b->name)))
		return c;
	if (a->kind == IMPORT_HOST)
		return a->addr.family != b->addr.family ? a->addr.family - b->addr.family
							: strcmp(a->addr.text, b->addr.text);
	if (!a->target || !b->target)
		return !!a->target - !!b->target;
	if ((c = strcmp(a->target, b->target)) || a->kind == IMPORT_CNAME)
		return c;
	return a->port != b->port ? CMPU(a->port, b->port)
	       : a->prio != b->prio ? CMPU(a->prio, b->prio) : CMPU(a->weight, b->weight);
}

/* Ties in file order (the records are one array in file order), so the
 * first of identical records comes first. */
static int cmp_sort(const void *x, const void *y)
{
	const struct import_rec *a = *(struct import_rec *const *)x;
	const struct import_rec *b = *(struct import_rec *const *)y;
	int c = cmp_body(a, b);

	return c ? c : CMPU(a, b);
}

/* Kind and name only: groups, and bsearch for a name. */
static int cmp_name(const void *x, const void *y)
{
	const struct import_rec *a = *(struct import_rec *const *)x;
	const struct import_rec *b = *(struct import_rec *const *)y;
	int c = (int)a->kind - (int)b->kind;

	return c ? c : strcmp(a->name, b->name);
}

/* R as its dnsmasq line would say it, for messages. */
static const char *describe(const struct import_rec *r, char *buf, size_t size)
{
	if (r->kind == IMPORT_HOST)
		snprintf(buf, size, "host-record %s,%s", r->name, r->addr.text);
	else if (r->kind == IMPORT_CNAME)
		snprintf(buf, size, "cname %s,%s", r->name, r->target);
	else if (!r->target)
		snprintf(buf, size, "srv-host %s", r->name);
	else
		snprintf(buf, size, "srv-host %s,%s,%u,%u,%u", r->name, r->target, r->port,
			 r->prio, r->weight);
	return buf;
}

#define DESCRIBE_MAX (2 * DD_NAME_MAX + 64)

static void comment(struct import_rec *r, const char *why, struct problems *pr)
{
	char d[DESCRIBE_MAX];

	r->fate = IMPORT_COMMENT;
	r->why = why;
	problems_add(pr, r->file, r->line, SEV_WARNING, "not imported: %s: %s; kept as a comment",
		     describe(r, d, sizeof d), why);
}

/* The M sorted records P of one kind and name. */
static void group(struct import_rec **p, size_t m, struct problems *pr)
{
	struct import_rec *lead = p[0], *same = p[0];
	size_t i, len = strlen(p[0]->name) + 1;	/* "NAME = A1, A2": 3 + (len + 2) per address - 2 */
	int dot = 0, real = 0;
	char d[DESCRIBE_MAX];

	for (i = 1; i < m; i++)
		lead = p[i] < lead ? p[i] : lead;
	for (i = 0; i < m; i++) {
		p[i]->lead = lead;
		if (i > 0 && cmp_body(p[i - 1], p[i]) == 0) {
			p[i]->fate = IMPORT_DROP;
			problems_add(pr, p[i]->file, p[i]->line, SEV_WARNING,
				     "%s is a duplicate of %s:%d; dropped%s", describe(p[i], d, sizeof d),
				     same->file, same->line,
				     p[i]->kind == IMPORT_CNAME ? " (dnsmasq refuses a cname twice: this file did not load)" : "");
			continue;
		}
		same = p[i];
		if (p[i]->kind == IMPORT_CNAME && strcmp(p[i]->target, lead->target) != 0) {
			comment(p[i], "the alias already has a target (an earlier cname line); dnsmasq refuses a second cname for one alias: keep one", pr);
			continue;
		}
		dot |= p[i]->kind == IMPORT_SRV && !p[i]->target;
		real |= p[i]->kind == IMPORT_SRV && p[i]->target;
		len += strlen(p[i]->addr.text) + 2;
	}
	if (lead->kind == IMPORT_HOST && len > CONFIG_MAX_LINE)
		problems_add(pr, lead->file, lead->line, SEV_ERROR,
			     "%s has so many addresses that its [hosts] line would be %zu bytes, more than an INI line may have (%d)",
			     lead->name, len, CONFIG_MAX_LINE);
	for (i = 0; dot && real && i < m; i++)
		if (p[i]->fate == IMPORT_KEEP && !p[i]->target)
			comment(p[i], "\".\" says not offered, yet other srv-host lines offer it", pr);
}

/* A host address of NAME among the N sorted records P, or NULL. */
static struct import_rec *find_host(struct import_rec **p, size_t n, char *name)
{
	struct import_rec key = { .kind = IMPORT_HOST, .name = name }, *k = &key, **hit;

	hit = bsearch(&k, p, n, sizeof *p, cmp_name);
	return hit ? *hit : NULL;
}

/* A CNAME dnsdrop's INI cannot hold is kept as a comment. */
static void check_cname(struct import_rec *r, struct import_rec **p, size_t n, struct problems *pr)
{
	if (find_host(p, n, r->name))
		comment(r, "the alias is also a host, and a name is one or the other", pr);
	else if (!find_host(p, n, r->target))
		comment(r, "its target is no host here, and dnsdrop needs the target under [hosts]", pr);
}

/* dnsmasq answers an interface-name= name with the interface's address and
 * never reaches a host-record of that name: the INI would change it. */
static void check_ifname(const struct import_rec *r, struct import_rec **p, size_t n,
			 struct problems *pr)
{
	const struct import_rec *h = find_host(p, n, r->name);

	if (h && h->fate == IMPORT_KEEP)
		problems_add(pr, h->lead->file, h->lead->line, SEV_WARNING,
			     "dnsmasq answered %s from interface-name=%s,%s (%s:%d), with that interface's address, never with this host-record: the INI gives %s instead; check which address is right",
			     r->name, r->name, r->target, r->file, r->line, h->addr.text);
}

int import_merge(struct import_rec *r, size_t n, struct problems *pr)
{
	struct import_rec **p;
	size_t i, j;

	if (n == 0)
		return 0;
	if (!(p = malloc(n * sizeof *p)))
		return -1;
	for (i = 0; i < n; i++)
		p[i] = &r[i];
	sort_array(p, n, sizeof *p, cmp_sort);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && cmp_name(&p[i], &p[j]) == 0; j++)
			;
		if (p[i]->kind != IMPORT_IFNAME)
			group(p + i, j - i, pr);
	}
	for (i = n; i-- > 0;)	/* backwards, so each chain ends up in file order */
		if (r[i].kind == IMPORT_HOST && r[i].fate == IMPORT_KEEP && r[i].lead != &r[i]) {
			r[i].next = r[i].lead->next;
			r[i].lead->next = &r[i];
		}
	for (i = 0; i < n; i++)
		if (r[i].kind == IMPORT_CNAME && r[i].fate == IMPORT_KEEP)
			check_cname(&r[i], p, n, pr);
		else if (r[i].kind == IMPORT_IFNAME)
			check_ifname(&r[i], p, n, pr);
	free(p);
	return 0;
}

static void put_rec(struct buf *out, const struct import_rec *r)
{
	if (r->kind == IMPORT_HOST) {
		buf_printf(out, "%s = %s", r->name, r->addr.text);
		for (const struct import_rec *a = r->next; a; a = a->next)
			buf_printf(out, ", %s", a->addr.text);
		buf_puts(out, "\n");
	} else if (r->kind == IMPORT_CNAME) {
		buf_printf(out, "%s = %s\n", r->name, r->target);
	} else if (!r->target) {
		buf_printf(out, "%s = .\n", r->name);
	} else {
		buf_printf(out, "%s = %s:%u %u %u\n", r->name, r->target, r->port, r->prio, r->weight);
	}
}

/* The section of KIND, when it has any line; counted in *KEPT, *SKIPPED. */
static void put_section(const struct import_rec *r, size_t n, enum import_kind kind,
			struct buf *out, size_t *kept, size_t *skipped)
{
	static const char *const title[] = { "hosts", "srv", "cname" };
	int any = 0;

	for (size_t i = 0; i < n; i++, r++) {
		if (r->kind != kind || r->fate == IMPORT_DROP || (kind == IMPORT_HOST && r->lead != r))
			continue;
		if (!any++)
			buf_printf(out, "\n[%s]\n", title[kind]);
		if (r->fate == IMPORT_COMMENT) {
			buf_puts(out, "; not imported (");
			import_put_clean(out, r->file, strlen(r->file));
			buf_printf(out, ":%d: %s):\n; ", r->line, r->why);
			(*skipped)++;
		} else {
			(*kept)++;
		}
		put_rec(out, r);
	}
}

void import_write(const struct import_rec *r, size_t n, const struct import_src *src,
		  size_t nsrc, const struct buf *notes, struct buf *out,
		  struct import_counts *c)
{
	buf_puts(out, "; Imported by dnsdrop import from these dnsmasq drop-ins:\n");
	for (size_t i = 0; i < nsrc; i++) {
		buf_puts(out, ";   ");
		import_put_clean(out, src[i].path, strlen(src[i].path));
		buf_puts(out, "\n");
	}
	buf_puts(out, "; Check it (dnsdrop check), then run dnsdrop apply --force: apply refuses\n"
		      "; to replace drop-ins made by hand until --force, and backs them up first.\n");
	if (notes->len) {
		buf_puts(out, "\n; Not imported (see the warnings of dnsdrop import):\n");
		buf_add(out, notes->p, notes->len);
	}
	put_section(r, n, IMPORT_HOST, out, &c->hosts, &c->skipped);
	put_section(r, n, IMPORT_SRV, out, &c->srv, &c->skipped);
	put_section(r, n, IMPORT_CNAME, out, &c->cname, &c->skipped);
}

struct pkey {
	size_t file;	/* index in SRC */
	struct problem p;
};

static int cmp_pkey(const void *x, const void *y)
{
	const struct pkey *a = x, *b = y;

	return a->file != b->file ? CMPU(a->file, b->file)
	       : a->p.line != b->p.line ? CMPU(a->p.line, b->p.line) : CMPU(a->p.seq, b->p.seq);
}

void import_sort_problems(struct problems *pr, size_t from, const struct import_src *src,
			  size_t nsrc)
{
	size_t n = pr->n - from, i, f;
	struct pkey *k;

	if (n < 2 || !(k = malloc(n * sizeof *k)))
		return;
	for (i = 0; i < n; i++) {
		for (f = 0; f < nsrc && src[f].path != pr->v[from + i].file; f++)
			;
		k[i] = (struct pkey){ f, pr->v[from + i] };
	}
	sort_array(k, n, sizeof *k, cmp_pkey);
	for (i = 0; i < n; i++)
		pr->v[from + i] = k[i].p;
	free(k);
}
