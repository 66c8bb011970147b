/* report.c - printing problems for people and editors. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int report_color_wanted(FILE *fp, int no_color_flag)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no_color_flag || (nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return 0;
	return isatty(fileno(fp));
}

void report_problems(FILE *fp, const struct problems *pr, int color, int quiet)
{
	size_t shown = 0, hidden = 0;

	for (size_t i = 0; i < pr->n; i++) {
		const struct problem *p = &pr->v[i];
		const char *word = p->sev == SEV_ERROR ? "error" : "warning";
		const char *on = !color ? "" : p->sev == SEV_ERROR ? "\033[1;31m" : "\033[1;33m";
		const char *off = color ? "\033[0m" : "";

		if (quiet && p->sev == SEV_WARNING)
			continue;
		if (shown == REPORT_MAX_SHOWN) {
			hidden++;
			continue;
		}
		shown++;
		if (p->line > 0)
			fprintf(fp, "%s:%d: %s%s:%s %s\n", p->file, p->line, on, word, off, p->text);
		else
			fprintf(fp, "%s: %s%s:%s %s\n", p->file, on, word, off, p->text);
	}
	if (hidden)
		fprintf(fp, "dnsdrop: %zu more problems not shown; fix the ones above first\n", hidden);
	if (pr->oom)
		fprintf(fp, "dnsdrop: out of memory while collecting problems; some are missing\n");
}
