/* test_fmt.c - fmt_v (src/core/fmt.c), the static binary's printf, held to
 * glibc's snprintf: every form dnsdrop's format strings use, truncation at
 * every capacity, and random specs of the grammar it knows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

static int ours(char *dst, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ours(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_v(dst, cap, fmt, ap);
	va_end(ap);
	return r;
}

/* Both at every capacity from 0 to past the end: same return, same bytes,
 * and nothing written past CAP. */
#define SAME(...) do { \
	char want[256], got[256]; \
	int wn = snprintf(want, sizeof want, __VA_ARGS__); \
	for (size_t cap = 0; cap <= (size_t)wn + 1 && cap < sizeof got; cap++) { \
		memset(got, 'Z', sizeof got); \
		assert_int_equal(ours(got, cap, __VA_ARGS__), wn); \
		if (cap) \
			assert_memory_equal(got, want, cap - 1), assert_int_equal(got[cap - 1], \
				cap - 1 < (size_t)wn ? '\0' : want[cap - 1]); \
		assert_int_equal(got[cap], 'Z'); \
	} \
} while (0)

/* Every conversion form found in src/ (grep '%...' src/[a-z]*[/]*.c). */
static void test_forms(void **state)
{
	const char *s = "expc1.acme.com";
	/* not literals: gcc warns of the forms it calls odd (they are still C) */
	const char *zero_prec = "%.5d|%8.3d|%-8.3d|%08.3d|%.0d|%5.0u|%.0x";
	const char *volatile none = NULL;

	(void)state;
	SAME("plain text, no conversion");
	SAME("%s and %s", s, "");
	SAME("%u %zu %d %ld %lld %jd", 42u, (size_t)SIZE_MAX, INT_MIN, LONG_MIN, LLONG_MAX, (intmax_t)-7);
	SAME("%.*s|%.200s|%.3s|%.0s", 5, s, s, s, s);
	SAME("%02d %02x %02u %04o %04d %04x %04X %03u %zo", 7, 0xa, 3u, 0755, -12, 0xbeef, 0xbeef, 9u, (size_t)8);
	SAME("%x %c %c", 0xdeadbeefu, 'a', '\0');
	SAME("[%-5d][%-4s][%-12s][%-10s]", -3, "toolong", s, "");
	SAME("100%% done");
	SAME("%5s|%-5s|%*d|%-*d|%*s", "ab", "ab", 6, 42, 6, 42, -6, "x");
	SAME(zero_prec, 42, -42, 42, 42, 0, 0u, 0u);
	SAME("%hhd %hhu %hd %hu %lu %llu %llx %zd", 300, 300u, 70000, 70000u, ULONG_MAX, ULLONG_MAX, 1ULL << 63, (ssize_t)-5);
	SAME("%s", none);
}

/* Random specs from the grammar fmt_v knows, with long long arguments. */
static void test_random(void **state)
{
	static const char conv[] = "diuxXo", *flags[] = { "", "-", "0", "-0" };
	char fmt[64], want[512], got[512];
	unsigned seed = 20261202;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		/* shifted unsigned: a signed shift past the top bit is UB (UBSan) */
		long long v = (long long)(((unsigned long long)rand_r(&seed) << 33) ^
					  ((unsigned long long)rand_r(&seed) << 2) ^ (unsigned)rand_r(&seed));
		int w = rand_r(&seed) % 40, p = rand_r(&seed) % 30, shape = rand_r(&seed) % 4;
		int n = snprintf(fmt, sizeof fmt, "<%%%s%.*d%s%.*d%s%c>", flags[shape],
				 shape & 1 ? 1 : 0, w, rand_r(&seed) % 2 ? "." : "", 1, p,
				 rand_r(&seed) % 2 ? "ll" : "l", conv[rand_r(&seed) % 6]);

		assert_true(n > 0 && n < (int)sizeof fmt);
		if (rand_r(&seed) % 8 == 0)
			v = 0;
		assert_int_equal(ours(got, sizeof got, fmt, v), snprintf(want, sizeof want, fmt, v));
		assert_string_equal(got, want);
		snprintf(fmt, sizeof fmt, "<%%%s*.*s>", flags[shape & 1]);
		assert_int_equal(ours(got, sizeof got, fmt, w - 20, p - 5, "abcdefghijklmnopqrstuvwxyz"),
				 snprintf(want, sizeof want, fmt, w - 20, p - 5, "abcdefghijklmnopqrstuvwxyz"));
		assert_string_equal(got, want);
	}
}

/* What it does not know is copied as written, and never read past. */
static void test_unknown(void **state)
{
	static const char *const odd[] = { "a%yb", "end%", "end%-08.3l" };
	char got[64];

	(void)state;
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		assert_int_equal(ours(got, sizeof got, odd[i]), (int)strlen(odd[i]));
		assert_string_equal(got, odd[i]);
	}
	assert_int_equal(ours(NULL, 0, "%s", "counted"), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
