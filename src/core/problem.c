/* problem.c - the problem list of the pure core. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sort.h"

void problems_add(struct problems *pr, const char *file, int line,
		  enum severity sev, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	int len;

	if (pr->n == pr->cap) {
		size_t cap = pr->cap ? pr->cap * 2 : 16;
		struct problem *v = realloc(pr->v, cap * sizeof *v);
		if (!v) {
			pr->oom = 1;
			return;
		}
		pr->v = v;
		pr->cap = cap;
	}
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(text = malloc((size_t)len + 1))) {
		pr->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, (size_t)len + 1, fmt, ap);
	va_end(ap);
	pr->v[pr->n] = (struct problem){ file, line, sev, text, pr->n };
	pr->n++;
	if (sev == SEV_ERROR)
		pr->errors++;
	else
		pr->warnings++;
	/* TEXT is owned by the list now and freed by problems_free. */
	// cppcheck-suppress memleak
}

/* By line, then in the order they were added: the sort is stable. */
static int by_line(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	return x->line != y->line ? (x->line > y->line) - (x->line < y->line) :
	       (x->seq > y->seq) - (x->seq < y->seq);
}

void problems_sort(struct problems *pr)
{
	sort_array(pr->v, pr->n, sizeof *pr->v, by_line);
}

void problems_free(struct problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		free(pr->v[i].text);
	free(pr->v);
	*pr = (struct problems){ 0 };
}
