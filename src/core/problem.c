/* problem.c - the problem list of the pure core. */
#include "problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
	pr->v[pr->n++] = (struct problem){ file, line, sev, text };
	if (sev == SEV_ERROR)
		pr->errors++;
	else
		pr->warnings++;
	/* TEXT is owned by the list now and freed by problems_free. */
	// cppcheck-suppress memleak
}

/* Insertion into runs would be quadratic on 100k problems; a merge sort
 * keeps it O(n log n) and stable, which qsort does not promise. */
static void merge_sort(struct problem *v, struct problem *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(v, tmp, mid);
	merge_sort(v + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = v[j].line < v[i].line ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	for (i = 0; i < n; i++)
		v[i] = tmp[i];
}

void problems_sort(struct problems *pr)
{
	struct problem *tmp;

	if (pr->n < 2 || !(tmp = malloc(pr->n * sizeof *tmp)))
		return;
	merge_sort(pr->v, tmp, pr->n);
	free(tmp);
}

void problems_free(struct problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		free(pr->v[i].text);
	free(pr->v);
	*pr = (struct problems){ 0 };
}
