/* diffcmp.c - `diffcmp OLD NEW`: print the unified diff of two files the way
 * `diff -u --label OLD --label NEW OLD NEW` does, with dnsdrop's diff
 * module; exit 0 when equal, 1 when different, 2 on trouble (as diff).
 * A benchmark and test driver only; not part of dnsdrop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diff.h"

static int slurp(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *p = malloc(cap), *q;

	if (!f || !p)
		goto fail;
	while ((got = fread(p + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			if (!(q = realloc(p, cap * 2)))
				goto fail;
			p = q, cap *= 2;
		}
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	*text = p, *len = n;
	return 0;
fail:
	fprintf(stderr, "diffcmp: %s: %s\n", path, strerror(errno ? errno : ENOMEM));
	if (f)
		fclose(f);
	free(p);
	return -1;
}

int main(int argc, char **argv)
{
	struct buf out = { 0 };
	struct diff_stats st;
	char *a = NULL, *b = NULL;
	size_t alen, blen;
	int rc;

	if (argc != 3 && argc != 4) {
		fputs("usage: diffcmp OLD NEW\n", stderr);
		return 2;
	}
	if (slurp(argv[1], &a, &alen) < 0 || slurp(argv[2], &b, &blen) < 0)
		return 2;
	rc = diff_unified(a, alen, b, blen, argv[1], argv[2],
			  argc == 4 ? (unsigned)atoi(argv[3]) : 3, 0, &out, &st);
	if (rc < 0) {
		fputs("diffcmp: out of memory\n", stderr);
		return 2;
	}
	if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
		rc = 2;
	if (fflush(stdout) != 0)
		rc = 2;
	free(a);
	free(b);
	buf_free(&out);
	return rc;
}
