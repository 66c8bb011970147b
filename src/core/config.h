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
	char *key;		/* as written, whitespace stripped */
	char *value;		/* as written, whitespace and inline comment stripped */
};

struct ini_doc {
	struct ini_entry *v;
	size_t n, cap;
	char *mem;		/* every key and value (config_parse); NULL when each
				 * entry owns its strings (a document built by hand) */
	size_t used, size;
};

/* Parse LEN bytes of INI text named PATH (for messages) into the empty
 * DOC. Every problem of form (over-long or indented lines, NUL bytes, bad
 * UTF-8, unknown sections, lines that are neither section, key = value nor
 * comment) goes to PR with its line. Returns 0, or -1 when out of memory.
 * Pure. */
int config_parse(const char *text, size_t len, const char *path,
		 struct ini_doc *doc, struct problems *pr);

/* Free everything DOC owns and zero it. */
void config_free(struct ini_doc *doc);

#endif
