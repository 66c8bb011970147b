/* sort.h - the one sort of dnsdrop: heapsort, in place, O(n log n), no
 * allocation. Not libc's qsort: musl's is 2 KiB of smoothsort, and libcs
 * put equal elements in different orders; with one sort the host build the
 * tests run and the static binary order every list alike. */
#ifndef DNSDROP_SORT_H
#define DNSDROP_SORT_H

#include <stddef.h>

/* qsort's contract: N elements of SIZE bytes at BASE, ordered by CMP. */
void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
