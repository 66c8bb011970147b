/* test_diff.c - diff_unified: exact expected text for the formats that
 * matter (empty texts, missing final newlines, hunk ranges, merging,
 * colour), byte-for-byte agreement with GNU `diff -u --label old --label
 * new` (run through popen), and a randomized property test: the diff
 * applied to A gives B, its counts match its lines, and it is minimal (an
 * O(NM) LCS in the test says what minimal is). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diff.h"

#define MAXL 4096		/* lines per text in the property tests */

struct tline {
	const char *p;
	size_t len;		/* with its '\n', if any */
};

/* --- helpers ---------------------------------------------------------- */

static size_t split(const char *t, size_t len, struct tline *v)
{
	size_t n = 0, i = 0, s = 0;

	for (; i < len; i++)
		if (t[i] == '\n')
			v[n++] = (struct tline){ t + s, i + 1 - s }, s = i + 1;
	if (s < len)
		v[n++] = (struct tline){ t + s, len - s };
	return n;
}

static int run(const char *a, const char *b, unsigned ctx, int color,
	       struct buf *out, struct diff_stats *st)
{
	return diff_unified(a, strlen(a), b, strlen(b), "old", "new", ctx,
			    color, out, st);
}

/* Our diff of A and B must be exactly WANT. */
static void expect(const char *a, const char *b, unsigned ctx,
		   const char *want)
{
	struct buf out = { 0 };
	int rc = run(a, b, ctx, 0, &out, NULL);

	assert_int_equal(rc, *want ? 1 : 0);
	assert_string_equal(out.p ? out.p : "", want);
	buf_free(&out);
}

static int write_file(const char *path, const char *t, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (len && fwrite(t, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static int have_gnu_diff(void)
{
	FILE *p = popen("diff --version 2>/dev/null", "r");
	char line[128] = "";

	if (!p)
		return 0;
	if (!fgets(line, sizeof line, p))
		line[0] = '\0';
	return pclose(p) == 0 && strstr(line, "GNU diffutils") != NULL;
}

/* GNU diff's output for A and B into OUT; its exit status (0 or 1). */
static int gnu_diff(const char *a, size_t alen, const char *b, size_t blen,
		    unsigned ctx, int color, struct buf *out)
{
	char dir[] = "/tmp/test_diff.XXXXXX", pa[64], pb[64], cmd[256];
	char chunk[4096];
	size_t got;
	FILE *p;
	int st;

	assert_non_null(mkdtemp(dir));
	snprintf(pa, sizeof pa, "%s/a", dir);
	snprintf(pb, sizeof pb, "%s/b", dir);
	assert_int_equal(write_file(pa, a, alen), 0);
	assert_int_equal(write_file(pb, b, blen), 0);
	snprintf(cmd, sizeof cmd,
		 "diff -U%u --label old --label new %s %s %s", ctx,
		 color ? "--color=always" : "", pa, pb);
	assert_non_null(p = popen(cmd, "r"));
	while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(out, chunk, got);
	st = pclose(p);
	unlink(pa);
	unlink(pb);
	rmdir(dir);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) < 2);
	return WEXITSTATUS(st);
}

static void show(const char *what, const char *t, size_t len)
{
	fprintf(stderr, "---- %s (%zu bytes):\n%.*s\n", what, len, (int)len,
		t ? t : "");
}

/* Ours and GNU's must agree byte for byte. */
static void expect_gnu_n(const char *a, size_t alen, const char *b,
			 size_t blen, unsigned ctx, int color)
{
	struct buf ours = { 0 }, gnu = { 0 };
	int rc = diff_unified(a, alen, b, blen, "old", "new", ctx, color,
			      &ours, NULL);
	int grc = gnu_diff(a, alen, b, blen, ctx, color, &gnu);

	if (rc != grc || ours.len != gnu.len ||
	    (ours.len && memcmp(ours.p, gnu.p, ours.len))) {
		show("A", a, alen), show("B", b, blen);
		show("GNU diff", gnu.p, gnu.len), show("ours", ours.p, ours.len);
		fail_msg("differs from GNU diff -U%u (color %d)", ctx, color);
	}
	buf_free(&ours);
	buf_free(&gnu);
}

static void expect_gnu(const char *a, const char *b, unsigned ctx, int color)
{
	expect_gnu_n(a, strlen(a), b, strlen(b), ctx, color);
}

/* The lines of T in a new array. */
static struct tline *lines_of(const char *t, size_t len, size_t *n)
{
	size_t cap = 1;
	struct tline *v;

	for (size_t i = 0; i < len; i++)
		cap += t[i] == '\n';
	assert_non_null(v = calloc(cap, sizeof *v));
	*n = split(t, len, v);
	return v;
}

/* Read a hunk header: *OS = 0-based first old line, *OC and *NC the
 * counts (1 when left out); -1 if L is no hunk header. */
static int parse_header(const struct tline *l, long *os, long *oc, long *nc)
{
	char hdr[128];
	int used = 0;
	long ns;

	snprintf(hdr, sizeof hdr, "%.*s", (int)l->len, l->p);
	*oc = *nc = 1;
	if (sscanf(hdr, "@@ -%ld,%ld +%n", os, oc, &used) != 2 &&
	    sscanf(hdr, "@@ -%ld +%n", os, &used) != 1)
		return -1;
	if (sscanf(hdr + used, "%ld,%ld @@", &ns, nc) != 2 &&
	    sscanf(hdr + used, "%ld @@", &ns) != 1)
		return -1;
	*os = *oc ? *os - 1 : *os;	/* a count of 0 names the line before */
	return 0;
}

/* Apply the unified diff D to A's lines into RES; -1 if D is malformed
 * or does not fit A. Counts the '+' and '-' lines into ST. */
static int apply_lines(const struct tline *a, size_t na,
		       const struct tline *dl, size_t n, struct buf *res,
		       struct diff_stats *st)
{
	size_t i = 2, ai = 0;
	long os, oc, nc;

	*st = (struct diff_stats){ 0 };
	if (n < 3 || strncmp(dl[0].p, "--- old\n", 8) ||
	    strncmp(dl[1].p, "+++ new\n", 8))
		return -1;
	while (i < n) {
		if (parse_header(&dl[i], &os, &oc, &nc) < 0 ||
		    os < (long)ai || os > (long)na)
			return -1;
		for (; (long)ai < os; ai++)
			buf_add(res, a[ai].p, a[ai].len);
		for (i++; oc > 0 || nc > 0; i++) {
			char mark;
			size_t len;
			const char *p;

			if (i >= n)
				return -1;
			mark = dl[i].p[0], p = dl[i].p + 1, len = dl[i].len - 1;
			if (mark != ' ' && mark != '-' && mark != '+')
				return -1;
			if (i + 1 < n && dl[i + 1].p[0] == '\\') {
				if (strncmp(dl[i + 1].p,
					    "\\ No newline at end of file\n",
					    dl[i + 1].len))
					return -1;
				len--;
			}
			if (mark != '+') {
				if (ai >= na || a[ai].len != len ||
				    memcmp(a[ai].p, p, len))
					return -1;
				ai++, oc--;
			}
			if (mark != '-')
				buf_add(res, p, len), nc--;
			st->removed += mark == '-';
			st->added += mark == '+';
			if (i + 1 < n && dl[i + 1].p[0] == '\\')
				i++;
		}
		if (oc || nc)
			return -1;
	}
	for (; ai < na; ai++)
		buf_add(res, a[ai].p, a[ai].len);
	return 0;
}

/* apply_lines() on the text of a diff. */
static int apply(const struct tline *a, size_t na, const char *d, size_t dlen,
		 struct buf *res, struct diff_stats *st)
{
	size_t n;
	struct tline *dl = lines_of(d, dlen, &n);
	int rc = apply_lines(a, na, dl, n, res, st);

	free(dl);
	return rc;
}

/* Length of a longest common subsequence of lines: a minimal diff has
 * na + nb - 2 * lcs changed lines. */
static size_t lcs(const struct tline *a, size_t na, const struct tline *b,
		  size_t nb)
{
	size_t *row = calloc(nb + 1, sizeof *row), i, j, diag, up, best;

	assert_non_null(row);
	for (i = 1; i <= na; i++) {
		for (diag = 0, j = 1; j <= nb; j++) {
			up = row[j];
			if (a[i - 1].len == b[j - 1].len &&
			    !memcmp(a[i - 1].p, b[j - 1].p, a[i - 1].len))
				row[j] = diag + 1;
			else if (row[j - 1] > row[j])
				row[j] = row[j - 1];
			diag = up;
		}
	}
	best = row[nb];
	free(row);
	return best;
}

struct rng {
	uint64_t s;
};

static unsigned rnd(struct rng *r, unsigned n)
{
	r->s ^= r->s << 13, r->s ^= r->s >> 7, r->s ^= r->s << 17;
	return (unsigned)((r->s >> 11) % n);
}

/* A random text of up to MAX lines over ALPHA ('\n'-ended lines of one
 * letter each; now and then CR-LF, an empty line, or a longer one so that
 * lines end at every place of an 8-byte word), sometimes without its
 * final newline. */
static void random_text(struct rng *r, const char *alpha, unsigned max,
			struct buf *t)
{
	unsigned n = rnd(r, max + 1), k = (unsigned)strlen(alpha);

	for (unsigned i = 0; i < n; i++) {
		unsigned c = rnd(r, k), kind = rnd(r, 24), m = rnd(r, 20);
		if (kind != 2)
			buf_add(t, &alpha[c], 1);
		while (kind == 0 && m--)
			buf_add(t, &alpha[c], 1);
		buf_puts(t, kind == 1 ? "\r\n" : "\n");
	}
	if (t->len && rnd(r, 8) == 0)
		t->p[--t->len] = '\0';
}

/* B made from A by a few random line edits, so that A and B share a lot. */
static void mutate(struct rng *r, const char *alpha, const struct buf *a,
		   struct buf *b)
{
	struct tline v[MAXL];
	size_t n = split(a->p ? a->p : "", a->len, v), edits = 1 + rnd(r, 5);
	size_t k = strlen(alpha);

	for (size_t i = 0; i <= n; i++) {
		if (edits && rnd(r, (unsigned)n + 1) < 2) {
			unsigned op = rnd(r, 3);
			edits--;
			if (op != 1) {		/* insert (or replace) */
				buf_add(b, &alpha[rnd(r, (unsigned)k)], 1);
				buf_puts(b, "\n");
			}
			if (op != 0 && i < n)	/* delete (or replace) */
				continue;
		}
		if (i < n)
			buf_add(b, v[i].p, v[i].len);
	}
}

/* --- exact output --------------------------------------------------- */

static void test_equal(void **state)
{
	struct buf out = { 0 };
	struct diff_stats st = { 7, 7, 7, 7 };

	(void)state;
	assert_int_equal(run("", "", 3, 0, &out, &st), 0);
	assert_int_equal(run("a\nb\n", "a\nb\n", 3, 1, &out, &st), 0);
	assert_int_equal(run("a\nb", "a\nb", 3, 0, &out, &st), 0);
	assert_null(out.p);
	assert_int_equal(out.len, 0);
	assert_int_equal(st.added + st.removed, 0);
	assert_int_equal(diff_unified(NULL, 0, NULL, 0, "a", "b", 3, 0, &out,
				      NULL), 0);
	assert_null(out.p);
}

static void test_empty_old(void **state)
{
	struct buf out = { 0 };
	struct diff_stats st;

	(void)state;
	expect("", "a\nb\nc\n", 3,
	       "--- old\n+++ new\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n");
	expect("", "x\n", 3, "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n");
	expect("", "x", 3, "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n"
			   "\\ No newline at end of file\n");
	assert_int_equal(diff_unified(NULL, 0, "a\nb\n", 4, "old", "new", 3, 0,
				      &out, &st), 1);
	assert_int_equal(st.added, 2);
	assert_int_equal(st.removed, 0);
	buf_free(&out);
}

static void test_empty_new(void **state)
{
	struct buf out = { 0 };
	struct diff_stats st;

	(void)state;
	expect("a\nb\nc\n", "", 3,
	       "--- old\n+++ new\n@@ -1,3 +0,0 @@\n-a\n-b\n-c\n");
	expect("a", "", 0, "--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n"
			   "\\ No newline at end of file\n");
	assert_int_equal(run("a\nb\nc\n", "", 3, 0, &out, &st), 1);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.removed, 3);
	buf_free(&out);
}

static void test_no_final_newline(void **state)
{
	(void)state;
	/* Only the newline differs: the lines differ. */
	expect("a\nb\n", "a\nb", 3,
	       "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n"
	       "\\ No newline at end of file\n");
	expect("a\nb", "a\nb\n", 3,
	       "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n"
	       "\\ No newline at end of file\n+b\n");
	expect("a\nb", "a\nc", 3,
	       "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n"
	       "\\ No newline at end of file\n+c\n"
	       "\\ No newline at end of file\n");
	/* A shared last line without newline is context, marked once. */
	expect("x\na\nz", "y\na\nz", 3,
	       "--- old\n+++ new\n@@ -1,3 +1,3 @@\n-x\n+y\n a\n z\n"
	       "\\ No newline at end of file\n");
}

static void test_insert_positions(void **state)
{
	const char *base = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";

	(void)state;
	expect(base, "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n", 3,
	       "--- old\n+++ new\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n");
	expect(base, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 3,
	       "--- old\n+++ new\n@@ -7,3 +7,4 @@\n 7\n 8\n 9\n+10\n");
	expect(base, "1\n2\n3\n4\n4.5\n5\n6\n7\n8\n9\n", 3,
	       "--- old\n+++ new\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+4.5\n 5\n"
	       " 6\n 7\n");
	/* With no context, an insertion names the line before it. */
	expect(base, "1\n2\n3\n4\n4.5\n5\n6\n7\n8\n9\n", 0,
	       "--- old\n+++ new\n@@ -4,0 +5 @@\n+4.5\n");
	expect(base, "1\n2\n3\n5\n6\n7\n8\n9\n", 0,
	       "--- old\n+++ new\n@@ -4 +3,0 @@\n-4\n");
	expect(base, "1\n2\n3\n4\n5\n6\n7\n8\n9\n", 3, "");
}

static void test_replace(void **state)
{
	struct buf out = { 0 };
	struct diff_stats st;

	(void)state;
	expect("a\nb\nc\n", "a\nB\nc\n", 3,
	       "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	expect("a\nb\nc\nd\n", "a\nX\nY\nZ\nd\n", 1,
	       "--- old\n+++ new\n@@ -1,4 +1,5 @@\n a\n-b\n-c\n+X\n+Y\n+Z\n"
	       " d\n");
	assert_int_equal(run("a\nb\nc\nd\n", "a\nX\nY\nZ\nd\n", 3, 0, &out,
			     &st), 1);
	assert_int_equal(st.added, 3);
	assert_int_equal(st.removed, 2);
	buf_free(&out);
}

/* The record counts leave out comments, blanks and the marker in either
 * form, wherever they are: a hand-added line whose file keeps the same
 * marker counts as one removed record (it once counted 2^64 - 1). */
static void test_record_counts(void **state)
{
	const char *hdr = "# Generated by dnsdrop\n",
		   *mark = "host-record=dnsdrop-generation.invalid,fd00:dd::1:2:3:4\n",
		   *mark2 = "host-record=dnsdrop-generation.invalid,fd00:dd::5:6:7:8\n",
		   *hot = "fd00:dd::1:2:3:4 dnsdrop-generation.invalid\n";
	char a[512], b[512];
	struct buf out = { 0 };
	struct diff_stats st;

	(void)state;
	snprintf(a, sizeof a, "%shost-record=a,10.0.0.1\n%shost-record=extra,10.9.9.9\n", hdr, mark);
	snprintf(b, sizeof b, "%shost-record=a,10.0.0.1\n%s", hdr, mark);
	assert_int_equal(run(a, b, 3, 0, &out, &st), 1);
	assert_int_equal(st.removed, 1);
	assert_int_equal(st.removed_records, 1);
	assert_int_equal(st.added_records, 0);
	snprintf(a, sizeof a, "# old header\nhost-record=a,10.0.0.1\n\n%s", mark);
	snprintf(b, sizeof b, "%shost-record=a,10.0.0.2\n%s", hdr, mark2);
	assert_int_equal(run(a, b, 3, 0, &out, &st), 1);
	assert_int_equal(st.removed, 4);
	assert_int_equal(st.removed_records, 1);
	assert_int_equal(st.added_records, 1);
	snprintf(a, sizeof a, "10.0.0.1 a\n%s", hot);
	snprintf(b, sizeof b, "10.0.0.2 a\n10.0.0.3 b\n");
	assert_int_equal(run(a, b, 3, 0, &out, &st), 1);
	assert_int_equal(st.removed_records, 1);
	assert_int_equal(st.added_records, 2);
	buf_free(&out);
}

static void test_context_merging(void **state)
{
	const char *base = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n"
			   "15\n16\n";

	(void)state;
	/* 6 unchanged lines between the changes: the contexts touch. */
	expect(base, "1\nX\n3\n4\n5\n6\n7\n8\nY\n10\n11\n12\n13\n14\n15\n16\n",
	       3,
	       "--- old\n+++ new\n@@ -1,12 +1,12 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
	       " 6\n 7\n 8\n-9\n+Y\n 10\n 11\n 12\n");
	/* 7 lines: two hunks. */
	expect(base, "1\nX\n3\n4\n5\n6\n7\n8\n9\nY\n11\n12\n13\n14\n15\n16\n",
	       3,
	       "--- old\n+++ new\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
	       "@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+Y\n 11\n 12\n 13\n");
	/* Context 1: 2 lines apart merge, 3 do not. */
	expect("1\n2\n3\n4\n5\n6\n", "X\n2\n3\nY\n5\n6\n", 1,
	       "--- old\n+++ new\n@@ -1,5 +1,5 @@\n-1\n+X\n 2\n 3\n-4\n+Y\n"
	       " 5\n");
	expect("1\n2\n3\n4\n5\n6\n", "X\n2\n3\n4\nY\n6\n", 1,
	       "--- old\n+++ new\n@@ -1,2 +1,2 @@\n-1\n+X\n 2\n"
	       "@@ -4,3 +4,3 @@\n 4\n-5\n+Y\n 6\n");
	/* A huge context takes the whole text. */
	expect("1\n2\n3\n", "1\nX\n3\n", 4000000000u,
	       "--- old\n+++ new\n@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n");
}

static void test_crlf(void **state)
{
	(void)state;
	expect("a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n", 3,
	       "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+b\n c\r\n");
	expect("a\r\n", "a\r", 3,
	       "--- old\n+++ new\n@@ -1 +1 @@\n-a\r\n+a\r\n"
	       "\\ No newline at end of file\n");
}

static void test_color(void **state)
{
	struct buf out = { 0 };

	(void)state;

	assert_int_equal(run("a\nb\nc", "a\nB\nc", 3, 1, &out, NULL), 1);
	assert_string_equal(out.p,
		"\033[1m--- old\033[0m\n\033[1m+++ new\033[0m\n"
		"\033[36m@@ -1,3 +1,3 @@\033[0m\n a\n"
		"\033[31m-b\033[0m\n\033[32m+B\033[0m\n c\n"
		"\\ No newline at end of file\n");
	buf_free(&out);
}

static void test_appends_and_oom(void **state)
{
	struct buf out = { 0 };

	(void)state;
	buf_puts(&out, "before\n");
	assert_int_equal(run("a\n", "b\n", 3, 0, &out, NULL), 1);
	assert_string_equal(out.p, "before\n--- old\n+++ new\n@@ -1 +1 @@\n"
				   "-a\n+b\n");
	assert_int_equal(run("a\n", "a\n", 3, 0, &out, NULL), 0);
	assert_int_equal(out.len, strlen(out.p));
	buf_free(&out);
	out.oom = 1;		/* a full buffer: the diff is incomplete */
	assert_int_equal(run("a\n", "b\n", 3, 0, &out, NULL), -1);
	buf_free(&out);
}

/* Between equally short diffs, GNU's choice (pinned here without GNU):
 * a deletion slid next to an insertion reads as one replacement, and the
 * middle snake is searched from the top diagonal down. */
static void test_ties(void **state)
{
	(void)state;
	expect("b\nc\nb\na\nb\nc\n", "c\nb\nb\nb\nc\n", 3,
	       "--- old\n+++ new\n@@ -1,6 +1,5 @@\n-b\n c\n b\n-a\n+b\n b\n"
	       " c\n");
	expect("c\nb\nc\nb", "a\nb\nb\nc\nb\n", 3,
	       "--- old\n+++ new\n@@ -1,4 +1,5 @@\n-c\n+a\n+b\n b\n c\n-b\n"
	       "\\ No newline at end of file\n+b\n");
	expect("a\na\na\n", "a\na\n", 3,
	       "--- old\n+++ new\n@@ -1,3 +1,2 @@\n a\n a\n-a\n");
}

/* Bytes that are not text (NUL, 0xff) are lines like any other. */
static void test_binary_bytes(void **state)
{
	static const char a[] = "x\0y\nz\n\xff\n", b[] = "x\0y\nZ\n\xff\n";
	struct buf out = { 0 };
	static const char want[] = "--- old\n+++ new\n@@ -1,3 +1,3 @@\n"
				   " x\0y\n-z\n+Z\n \xff\n";

	(void)state;
	assert_int_equal(diff_unified(a, sizeof a - 1, b, sizeof b - 1, "old",
				      "new", 3, 0, &out, NULL), 1);
	assert_int_equal(out.len, sizeof want - 1);
	assert_memory_equal(out.p, want, sizeof want - 1);
	buf_free(&out);
}

/* --- against GNU diff ------------------------------------------------ */

static const char *const gnu_cases[][2] = {
	{ "", "a\nb\n" },
	{ "a\nb\n", "" },
	{ "a", "" },
	{ "", "a" },
	{ "a\nb\n", "a\nb" },
	{ "a\nb", "a\nb\n" },
	{ "a\nb", "a\nc" },
	{ "a\nb\nc\n", "x\na\nb\nc\n" },
	{ "a\nb\nc\n", "a\nb\nc\nx\n" },
	{ "a\nb\nc\n", "a\nx\nb\nc\n" },
	{ "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n",
	  "a\nB\nc\nd\ne\nf\ng\nh\nI\nj\nk\nl\nm\nN\n" },
	{ "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n" },
	{ "a\r\nb\r\n", "a\nb\n" },
	/* Ties between equally short diffs where plain Myers picks as GNU does. */
	{ "a\na\na\n", "a\na\n" },
	{ "x\na\nb\na\nb\ny\n", "x\na\nb\ny\n" },
	{ "{\n}\n{\n}\n", "{\n}\n{\n}\n{\n}\n" },
	{ "b\nc\nb\na\nb\nc\n", "c\nb\nb\nb\nc\n" },
	{ "c\nb\nc\nb", "a\nb\nb\nc\nb\n" },
	/* dnsmasq drop-ins as dnsdrop writes them. */
	{ "# Generated by dnsdrop\nhost-record=expc1.example.local,10.0.10.11\n"
	  "host-record=expc2.example.local,10.0.10.12\n"
	  "cname=cucm.example.local,cucm1.example.local\n",
	  "# Generated by dnsdrop\nhost-record=expc1.example.local,10.0.10.11\n"
	  "host-record=expc2.example.local,10.0.10.12\n"
	  "host-record=expc2.example.local,fd00::12\n"
	  "cname=cucm.example.local,cucm2.example.local\n" },
	{ "srv-host=_sip._udp.example.com\n"
	  "srv-host=_cisco-uds._tcp.example.com,cucm1.example.local,8443,10,10\n",
	  "srv-host=_cisco-uds._tcp.example.com,cucm1.example.local,8443,10,10\n"
	  "srv-host=_cisco-uds._tcp.example.com,cucm2.example.local,8443,20,10\n"
	  "srv-host=_sip._udp.example.com\n" },
};

static void test_gnu_cases(void **state)
{
	static const unsigned ctxs[] = { 0, 1, 3, 5 };

	(void)state;
	if (!have_gnu_diff())
		skip();
	for (size_t i = 0; i < sizeof gnu_cases / sizeof *gnu_cases; i++)
		for (size_t k = 0; k < 4; k++)
			expect_gnu(gnu_cases[i][0], gnu_cases[i][1], ctxs[k],
				   k == 2);
}

/* Two texts of 20000 lines, 12 edits apart. */
static void test_gnu_large(void **state)
{
	struct buf a = { 0 }, b = { 0 };
	struct rng r = { 42 };

	(void)state;
	if (!have_gnu_diff())
		skip();
	for (unsigned i = 0; i < 20000; i++) {
		buf_printf(&a, "host-record=h%u.example.local,10.0.%u.%u\n", i,
			   i / 256 % 256, i % 256);
		if (rnd(&r, 1666) == 0)
			buf_printf(&b, "cname=c%u.example.local,h%u\n", i, i);
		if (rnd(&r, 1666) != 0)
			buf_printf(&b, "host-record=h%u.example.local,10.0.%u.%u\n",
				   i, i / 256 % 256, i % 256);
	}
	assert_false(a.oom || b.oom);
	expect_gnu_n(a.p, a.len, b.p, b.len, 3, 0);
	buf_free(&a);
	buf_free(&b);
}

/* Texts thousands of changes apart: the diff must still turn A into B,
 * with true counts. */
static void test_many_changes(void **state)
{
	struct buf a = { 0 }, b = { 0 }, c = { 0 }, res = { 0 }, out = { 0 };
	struct diff_stats st, counted;
	struct rng r = { 7 };
	struct tline *la;
	size_t na;

	(void)state;
	for (unsigned i = 0; i < 6000; i++) {
		buf_printf(&a, "line %u\n", i);
		buf_printf(&b, "line %u\n", 5999 - i);	/* reversed */
		buf_printf(&c, "line %u\n", rnd(&r, 6000));	/* shuffled */
	}
	la = lines_of(a.p, a.len, &na);
	for (int k = 0; k < 2; k++) {
		const struct buf *t = k ? &c : &b;

		assert_int_equal(diff_unified(a.p, a.len, t->p, t->len, "old",
					      "new", 3, 0, &out, &st), 1);
		assert_int_equal(apply(la, na, out.p, out.len, &res, &counted),
				 0);
		assert_int_equal(res.len, t->len);
		assert_memory_equal(res.p, t->p, t->len);
		assert_int_equal(st.added, counted.added);
		assert_int_equal(st.removed, counted.removed);
		buf_free(&out);
		buf_free(&res);
	}
	assert_int_equal(st.removed, st.added);
	free(la);
	buf_free(&a), buf_free(&b), buf_free(&c);
}

/* --- properties ------------------------------------------------------ */

/* One random pair: the diff applies, its counts are its lines, it is
 * minimal; returns the number of changed lines. */
static size_t check_pair(const struct buf *ta, const struct buf *tb,
			 unsigned ctx)
{
	static struct tline a[MAXL], b[MAXL];
	const char *pa = ta->p ? ta->p : "", *pb = tb->p ? tb->p : "";
	size_t na = split(pa, ta->len, a), nb = split(pb, tb->len, b);
	struct buf out = { 0 }, res = { 0 };
	struct diff_stats st, counted;
	int rc = diff_unified(pa, ta->len, pb, tb->len, "old", "new", ctx, 0,
			      &out, &st);
	int same = ta->len == tb->len && !memcmp(pa, pb, ta->len);

	assert_int_equal(rc, same ? 0 : 1);
	if (same) {
		assert_int_equal(st.added + st.removed, 0);
		return 0;
	}
	if (apply(a, na, out.p, out.len, &res, &counted) < 0 ||
	    res.len != tb->len || (res.len && memcmp(res.p, pb, res.len))) {
		show("A", pa, ta->len), show("B", pb, tb->len);
		show("diff", out.p, out.len);
		fail_msg("the diff does not turn A into B");
	}
	assert_int_equal(st.added, counted.added);
	assert_int_equal(st.removed, counted.removed);
	assert_int_equal(st.added + st.removed, na + nb - 2 * lcs(a, na, b, nb));
	buf_free(&out);
	buf_free(&res);
	return st.added + st.removed;
}

static void test_random_properties(void **state)
{
	static const char *const alphas[] = { "ab", "abcd", "abcdefgh" };
	struct rng r = { 0x9e3779b97f4a7c15u };

	(void)state;
	for (unsigned t = 0; t < 4000; t++) {
		const char *alpha = alphas[t % 3];
		struct buf a = { 0 }, b = { 0 };

		random_text(&r, alpha, t % 4 ? 12 : 60, &a);
		if (rnd(&r, 2))
			random_text(&r, alpha, t % 4 ? 12 : 60, &b);
		else
			mutate(&r, alpha, &a, &b);
		check_pair(&a, &b, rnd(&r, 5));
		buf_free(&a);
		buf_free(&b);
	}
}

/* Lines of a diff that start with '-' or '+', but for the two labels. */
static size_t changed_lines(const struct buf *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->len; i++)
		n += (i == 0 || d->p[i - 1] == '\n') &&
		     (d->p[i] == '-' || d->p[i] == '+');
	return n - 2;
}

/* Random pairs against GNU diff: ours is never the longer diff (GNU
 * discards frequent lines by a heuristic and may print a longer one; where
 * several are equally short it slides hunks and may pick another). */
static void test_random_gnu(void **state)
{
	struct rng r = { 12345 };

	(void)state;
	if (!have_gnu_diff())
		skip();
	for (unsigned t = 0; t < 400; t++) {
		struct buf a = { 0 }, b = { 0 }, ours = { 0 }, gnu = { 0 };
		unsigned ctx = rnd(&r, 4);
		struct diff_stats st;

		random_text(&r, t % 2 ? "abcd" : "abcdefgh", 16, &a);
		if (rnd(&r, 2))
			random_text(&r, "abcd", 16, &b);
		else
			mutate(&r, "abcd", &a, &b);
		diff_unified(a.p ? a.p : "", a.len, b.p ? b.p : "", b.len,
			     "old", "new", ctx, 0, &ours, &st);
		gnu_diff(a.p, a.len, b.p, b.len, ctx, 0, &gnu);
		if (changed_lines(&gnu) < st.added + st.removed) {
			show("A", a.p, a.len), show("B", b.p, b.len);
			show("GNU diff", gnu.p, gnu.len);
			show("ours", ours.p, ours.len);
			fail_msg("longer than GNU diff -U%u", ctx);
		}
		buf_free(&a), buf_free(&b), buf_free(&ours), buf_free(&gnu);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_empty_old),
		cmocka_unit_test(test_empty_new),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_insert_positions),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_context_merging),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_color),
		cmocka_unit_test(test_appends_and_oom),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_binary_bytes),
		cmocka_unit_test(test_gnu_cases),
		cmocka_unit_test(test_gnu_large),
		cmocka_unit_test(test_many_changes),
		cmocka_unit_test(test_record_counts),
		cmocka_unit_test(test_random_properties),
		cmocka_unit_test(test_random_gnu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
