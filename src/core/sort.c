/* sort.c - heapsort (sort.h). */
#include "sort.h"

static void swap(char *a, char *b, size_t size)
{
	for (char t; size--; a++, b++)
		t = *a, *a = *b, *b = t;
}

/* Move element ROOT down the heap of the first N elements. */
static void sift(char *v, size_t root, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && cmp(v + child * size, v + (child + 1) * size) < 0)
			child++;
		if (cmp(v + root * size, v + child * size) >= 0)
			return;
		swap(v + root * size, v + child * size, size);
	}
}

void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *v = base;

	for (size_t i = n / 2; i-- > 0;)
		sift(v, i, n, size, cmp);
	for (size_t end = n; end-- > 1;) {
		swap(v, v + end * size, size);
		sift(v, 0, end, size, cmp);
	}
}
