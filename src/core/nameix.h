/* nameix.h - records by name: open addressing, at most half full, over
 * records whose first member is their name (dd_host.name, dd_cname.alias,
 * dd_srv.name), so a look-up by name alone passes the address of a
 * `const char *` as the record. Records go in in INI order: the entry kept
 * for a name is its first line. Every look-up is O(1); nothing compares
 * every pair. */
#ifndef DNSDROP_NAMEIX_H
#define DNSDROP_NAMEIX_H

#include <stddef.h>

struct nameix {
	const void **slot;
	size_t mask;
	int by_record;		/* SRV: same name, target, port, priority, weight */
};

/* Room for N records; -1 when out of memory. */
int nameix_init(struct nameix *ix, size_t n, int by_record);
void nameix_free(struct nameix *ix);

/* The first record added that equals REC; NULL when none (and, with ADD,
 * REC is added). */
const void *nameix_find(struct nameix *ix, const void *rec, int add);

/* The first record named NAME; NULL when none. */
const void *nameix_name(const struct nameix *ix, const char *name);

/* Add the N records at BASE (SIZE bytes each) in order, duplicates left
 * out. */
void nameix_add(struct nameix *ix, const void *base, size_t n, size_t size);

#endif
