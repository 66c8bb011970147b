/* nameix.c - records by name (see nameix.h). */
#include "nameix.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

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

static uint32_t hash_of(const struct nameix *ix, const void *rec)
{
	const struct dd_srv *s = rec;
	uint32_t h = hash_str(name_of(rec), 2166136261u);

	if (ix->by_record)
		h = hash_str(s->target ? s->target : ".", h) ^ s->port ^ s->priority << 16 ^ s->weight;
	return h * 16777619u;
}

static int same(const struct nameix *ix, const void *x, const void *y)
{
	const struct dd_srv *a = x, *b = y;

	if (strcmp(name_of(x), name_of(y)) != 0)
		return 0;
	return !ix->by_record ||
	       (a->port == b->port && a->priority == b->priority && a->weight == b->weight &&
		(a->target && b->target ? strcmp(a->target, b->target) == 0 : a->target == b->target));
}

int nameix_init(struct nameix *ix, size_t n, int by_record)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	*ix = (struct nameix){ calloc(cap, sizeof *ix->slot), cap - 1, by_record };
	return ix->slot ? 0 : -1;
}

void nameix_free(struct nameix *ix)
{
	free(ix->slot);
	ix->slot = NULL;
}

/* The slot of the first record equal to REC, or the empty one it would go in. */
static size_t slot_of(const struct nameix *ix, const void *rec)
{
	size_t i = hash_of(ix, rec) & ix->mask;

	while (ix->slot[i] && !same(ix, ix->slot[i], rec))
		i = (i + 1) & ix->mask;
	return i;
}

const void *nameix_find(struct nameix *ix, const void *rec, int add)
{
	size_t i = slot_of(ix, rec);

	if (ix->slot[i])
		return ix->slot[i];
	if (add)
		ix->slot[i] = rec;
	return NULL;
}

const void *nameix_name(const struct nameix *ix, const char *name)
{
	return ix->slot[slot_of(ix, &name)];
}

void nameix_add(struct nameix *ix, const void *base, size_t n, size_t size)
{
	for (size_t i = 0; i < n; i++)
		nameix_find(ix, (const char *)base + i * size, 1);
}
