/* diff.h - unified diff of two texts (Myers' O(ND) algorithm, linear space),
 * in `diff -u` format. Pure: no printing, no disk, no exit. */
#ifndef DNSDROP_DIFF_H
#define DNSDROP_DIFF_H

#include <stddef.h>

#include "buf.h"

struct diff_stats {
	size_t added, removed;	/* lines only in B, lines only in A */
	size_t added_records, removed_records;	/* of those, records (render_is_record) */
};

/* Append to OUT a minimal unified diff of A (ALEN bytes) against B (BLEN
 * bytes): "--- LABEL_A", "+++ LABEL_B", "@@ -l,n +l,n @@" hunks with CONTEXT
 * lines of context, hunks merged when their contexts touch, "\ No newline at
 * end of file" after a last line without '\n', as GNU `diff -U CONTEXT
 * --label LABEL_A --label LABEL_B` prints it (where several diffs are
 * equally short, GNU may pick another). Lines are split on '\n' only and
 * compared as bytes (a '\r' is part of the line). Time O((N + M) D) for D
 * changed lines. COLOR nonzero adds GNU's `--color=always` escapes: removed
 * lines red (\033[31m...\033[0m), added green, hunk headers cyan, label lines
 * bold. Fills ST (may be NULL) with the counts of added and removed lines.
 * Returns 0 when the texts are equal (OUT untouched), 1 when they differ,
 * -1 when out of memory or a text holds 2^29 lines or more (OUT may then
 * hold part of the diff). */
int diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		 const char *label_a, const char *label_b, unsigned context,
		 int color, struct buf *out, struct diff_stats *st);

#endif
