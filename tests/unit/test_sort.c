/* test_sort.c - sort_array (src/core/sort.c) against a counting check:
 * sorted, and the same multiset, for every size up to 300 and a large one;
 * and problems_sort keeps the order of problems on one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "problem.h"
#include "sort.h"

struct rec {
	unsigned key;
	char pad[13];	/* an odd size: elements are moved byte by byte */
};

static int by_key(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static void check(size_t n, unsigned seed, unsigned range)
{
	struct rec *v = calloc(n + 1, sizeof *v);
	size_t *count = calloc(range, sizeof *count);

	assert_non_null(v);
	assert_non_null(count);
	for (size_t i = 0; i < n; i++) {
		v[i].key = (unsigned)rand_r(&seed) % range;
		memset(v[i].pad, (int)v[i].key, sizeof v[i].pad);
		count[v[i].key]++;
	}
	v[n].key = range;	/* a sentinel past the end stays put */
	sort_array(v, n, sizeof *v, by_key);
	for (size_t i = 0; i < n; i++) {
		assert_true(i == 0 || v[i - 1].key <= v[i].key);
		assert_int_equal((unsigned char)v[i].pad[12], (unsigned char)v[i].key);
		assert_true(count[v[i].key]-- > 0);
	}
	assert_int_equal(v[n].key, range);
	free(count);
	free(v);
}

static void test_sizes(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 300; n++) {
		check(n, (unsigned)n, 7);	/* many equal keys */
		check(n, (unsigned)n + 1000, 100000);
	}
	check(200000, 42, 1000000);
	sort_array(NULL, 0, sizeof(struct rec), by_key);
}

static void test_problems_stable(void **state)
{
	struct problems pr = { 0 };

	(void)state;
	for (int i = 0; i < 50; i++)
		problems_add(&pr, "f.ini", (i * 7) % 5, SEV_WARNING, "%d", i);
	problems_sort(&pr);
	for (size_t i = 1; i < pr.n; i++) {
		assert_true(pr.v[i - 1].line <= pr.v[i].line);
		if (pr.v[i - 1].line == pr.v[i].line)
			assert_true(atoi(pr.v[i - 1].text) < atoi(pr.v[i].text));
	}
	problems_free(&pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_problems_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
