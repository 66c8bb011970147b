/* config.h - loading: INI bytes -> entries (section, key, value, line) with
 * inih. No meaning is given to keys here; validate.c does that. */
#ifndef DNSDROP_CONFIG_H
#define DNSDROP_CONFIG_H

#include <stddef.h>

#include "problem.h"

#define CONFIG_MAX_BYTES (16u << 20)	/* see README: 100k records fit, a stray log does not */
#define CONFIG_MAX_LINE 1000		/* longer lines are an error, never cut */

enum section { SEC_NONE, SEC_DNSDROP, SEC_HOSTS, SEC_SRV, SEC_CNAME, SEC_MRA };

struct ini_entry {
	enum section sec;
	int line;
	const char *key;	/* as written, whitespace stripped */
	const char *value;	/* as written, whitespace and inline comment stripped */
};

/* Called with each entry, in INI order; KEY and VALUE live only until it
 * returns. 0 to go on, -1 when out of memory. */
typedef int config_fn(void *ctx, const struct ini_entry *e);

/* Parse LEN bytes of INI text named PATH (for messages), calling FN(CTX,
 * entry) for each entry of a known section. Every problem of form
 * (over-long or indented lines, NUL bytes, bad UTF-8, unknown sections,
 * lines that are neither section, key = value nor comment) goes to PR with
 * its line. Returns 0, or -1 when out of memory (FN said so). Pure. */
int config_parse(const char *text, size_t len, const char *path, config_fn *fn, void *ctx,
		 struct problems *pr);

#endif
