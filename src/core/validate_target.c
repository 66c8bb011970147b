/* validate_target.c - an SRV target one edit (or one swap of neighbouring
 * letters) away from a name the INI
 * defines: "cucm-sub.acme.local" next to host cucm-sub1.acme.local is a
 * typo that check passes and that later fails an MRA login far from its
 * cause. A warning, not an error: a public target may be one letter off an
 * inside name by design.
 *
 * Linear in the names: every name and every one-character deletion of it
 * is hashed (two names are one edit apart only if such variants meet);
 * variants of the unknown targets are sorted, those of the known names
 * looked up in them, and each meeting is confirmed character by character.
 * Which targets are unknown, the name index (nameix.h) says. */
#include "validate.h"

#include <stdint.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "nameix.h"
#include "sort.h"

#define BASE 1099511628211ULL

struct variant {
	uint64_t hash;
	uint32_t idx;		/* into the unknown targets */
};

struct near {
	const struct nameix *host, *alias;	/* the known names */
	const struct dd_srv **unk;	/* first SRV line of each unknown target */
	size_t nunk;
	struct variant *var;
	size_t nvar;
	const char **hit;	/* per unknown target: the closest known name */
};

/* By target, then line: the first line of each target comes first. */
static int cmp_target(const void *a, const void *b)
{
	const struct dd_srv *x = *(const struct dd_srv *const *)a;
	const struct dd_srv *y = *(const struct dd_srv *const *)b;
	int c = strcmp(x->target, y->target);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_var(const void *a, const void *b)
{
	const struct variant *x = a, *y = b;

	return (x->hash > y->hash) - (x->hash < y->hash);
}

/* Length of the common start of A and B. */
static size_t common(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* One substitution, insertion, deletion or swap of two neighbours turns A
 * into B (A != B). A swap ("exmaple") meets too: deleting either of the two
 * letters gives one variant on both sides. */
static int one_edit(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = common(a, b);

	if (la + 1 < lb || lb + 1 < la)
		return 0;
	if (la == lb)
		return strcmp(a + i + 1, b + i + 1) == 0 ||
		       (a[i + 1] == b[i] && a[i] == b[i + 1] && strcmp(a + i + 2, b + i + 2) == 0);
	return la < lb ? strcmp(a + i, b + i + 1) == 0 : strcmp(a + i + 1, b + i) == 0;
}

/* A variant hashing to H: without KNOWN, of unknown target IDX, into the
 * index; with KNOWN, of that known name, looked up in the index. */
static void variant(struct near *nr, uint64_t h, uint32_t idx, const char *known)
{
	struct variant key = { h, idx }, *v;

	if (!known) {
		nr->var[nr->nvar++] = key;
		return;
	}
	v = bsearch(&key, nr->var, nr->nvar, sizeof key, cmp_var);
	while (v && v > nr->var && v[-1].hash == h)
		v--;
	/* Of two names one edit off, the one sharing the longer start:
	 * cucm-sub is cucm-sub1 mistyped rather than cucm-pub. */
	for (; v && v < nr->var + nr->nvar && v->hash == h; v++) {
		const char *t = nr->unk[v->idx]->target, **hit = &nr->hit[v->idx];

		if (one_edit(t, known) && (!*hit || common(t, known) > common(t, *hit)))
			*hit = known;
	}
}

/* variant(NR, hash, IDX, KNOWN) for S and for S without each of its
 * characters: H(x) = sum x[i] * BASE^(len-1-i), so S without S[k] hashes
 * to pre(k) * BASE^(n-1-k) + suf(k+1). */
static void variants(struct near *nr, const char *s, uint32_t idx, const char *known)
{
	uint64_t pw[DD_NAME_MAX + 2], suf[DD_NAME_MAX + 2], pre = 0;
	size_t n = strlen(s);

	if (n > DD_NAME_MAX)
		return;
	pw[0] = 1;
	suf[n] = 0;
	for (size_t i = 1; i <= n; i++)
		pw[i] = pw[i - 1] * BASE;
	for (size_t i = n; i-- > 0;)
		suf[i] = suf[i + 1] + (unsigned char)s[i] * pw[n - 1 - i];
	variant(nr, suf[0], idx, known);
	for (size_t k = 0; k < n; k++) {
		variant(nr, pre * pw[n - 1 - k] + suf[k + 1], idx, known);
		pre = pre * BASE + (unsigned char)s[k];
	}
}

/* The known names, and the unknown targets (each once, at its first
 * line, by name). */
static int collect(const struct dd_config *cfg, struct near *nr)
{
	size_t i, k;

	if (!(nr->unk = malloc((cfg->nsrv + 1) * sizeof *nr->unk)))
		return -1;
	for (i = 0; i < cfg->nsrv; i++)
		if (cfg->srv[i].target && !nameix_name(nr->host, cfg->srv[i].target) &&
		    !nameix_name(nr->alias, cfg->srv[i].target))
			nr->unk[nr->nunk++] = &cfg->srv[i];
	if (nr->nunk > 1)
		sort_array(nr->unk, nr->nunk, sizeof *nr->unk, cmp_target);
	for (i = k = 0; i < nr->nunk; i++)
		if (k == 0 || strcmp(nr->unk[k - 1]->target, nr->unk[i]->target) != 0)
			nr->unk[k++] = nr->unk[i];
	nr->nunk = k;
	return 0;
}

ssize_t validate_unknown_targets(const struct dd_config *cfg, const struct dd_srv ***out)
{
	struct nameix h = { 0 }, al = { 0 };
	struct near nr = { .host = &h, .alias = &al };
	int ok = nameix_init(&h, cfg->nhost, 0) == 0 && nameix_init(&al, cfg->ncname, 0) == 0;

	*out = NULL;
	if (ok) {
		nameix_add(&h, cfg->host, cfg->nhost, sizeof *cfg->host);
		nameix_add(&al, cfg->cname, cfg->ncname, sizeof *cfg->cname);
		ok = collect(cfg, &nr) == 0;
	}
	nameix_free(&h);
	nameix_free(&al);
	if (!ok) {
		free(nr.unk);
		return -1;
	}
	*out = nr.unk;
	return (ssize_t)nr.nunk;
}

/* The variants of every unknown target, sorted. */
static int index_variants(struct near *nr)
{
	size_t i, chars = 0;

	for (i = 0; i < nr->nunk; i++)
		chars += strlen(nr->unk[i]->target) + 1;
	nr->var = malloc((chars + 1) * sizeof *nr->var);
	nr->hit = calloc(nr->nunk + 1, sizeof *nr->hit);
	if (!nr->var || !nr->hit)
		return -1;
	for (i = 0; i < nr->nunk; i++)
		variants(nr, nr->unk[i]->target, (uint32_t)i, NULL);
	if (nr->nvar > 1)
		sort_array(nr->var, nr->nvar, sizeof *nr->var, cmp_var);
	return 0;
}

int validate_targets(const struct dd_config *cfg, const struct nameix *host,
		     const struct nameix *alias, struct problems *pr)
{
	struct near nr = { .host = host, .alias = alias };
	int rc = -1;

	if (collect(cfg, &nr) == 0 && index_variants(&nr) == 0) {
		/* Hosts in INI order: the first near name wins. */
		for (size_t i = 0; i < cfg->nhost && nr.nunk; i++)
			variants(&nr, cfg->host[i].name, 0, cfg->host[i].name);
		for (size_t i = 0; i < nr.nunk; i++)
			if (nr.hit[i])
				problems_add(pr, cfg->path, nr.unk[i]->line, SEV_WARNING,
					     "SRV target %s is not in [hosts]: did you mean %s?",
					     nr.unk[i]->target, nr.hit[i]);
		rc = 0;
	}
	free(nr.unk);
	free(nr.var);
	free(nr.hit);
	return rc;
}
