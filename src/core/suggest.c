/* suggest.c - edit distance for "did you mean" hints. */
#include "suggest.h"

#include <ctype.h>
#include <string.h>

#define SUGGEST_MAX_LEN 64	/* longer words are never a typo of a known one */

/* Levenshtein distance, case-insensitive, two rows on the stack. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[2][SUGGEST_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SUGGEST_MAX_LEN;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *prev = row[(i - 1) & 1], *cur = row[i & 1];
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned sub = prev[j - 1] +
				(tolower((unsigned char)a[i - 1]) !=
				 tolower((unsigned char)b[j - 1]));
			unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins)
					   : (del < ins ? del : ins);
		}
	}
	return row[la & 1][lb];
}

const char *suggest_word(const char *word, const char *const *choices)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (; *choices; choices++) {
		unsigned d = edit_distance(word, *choices);
		if (d < best_d) {
			best_d = d;
			best = *choices;
		}
	}
	return best;
}
