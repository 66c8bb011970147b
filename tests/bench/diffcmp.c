/* diffcmp.c - `diffcmp OLD NEW [CONTEXT]`: print the unified diff of two
 * files as `diff -U CONTEXT --label OLD --label NEW OLD NEW` would (CONTEXT
 * defaults to 3), with dnsdrop's diff module; exit 0 when equal, 1 when
 * different, 2 on trouble, as diff does. A benchmark and test driver only:
 * not part of dnsdrop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diff.h"

/* Read all of PATH into *TEXT (malloc'd); sized by fstat, grown if the
 * file grows meanwhile, so one read() usually does it. */
static int slurp(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat sb;
	size_t cap, n = 0;
	ssize_t got;
	char *p = NULL, *q;

	if (fd < 0 || fstat(fd, &sb) < 0)
		goto fail;
	cap = (size_t)sb.st_size + 1;
	if (!(p = malloc(cap)))
		goto fail;
	while ((got = read(fd, p + n, cap - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto fail;
		if ((n += (size_t)got) == cap) {
			if (!(q = realloc(p, cap * 2)))
				goto fail;
			p = q, cap *= 2;
		}
	}
	close(fd);
	*text = p, *len = n;
	return 0;
fail:
	fprintf(stderr, "diffcmp: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(p);
	return -1;
}

int main(int argc, char **argv)
{
	struct buf out = { 0 };
	char *a = NULL, *b = NULL, *end;
	unsigned long context = 3;
	size_t alen, blen;
	int rc;

	if (argc == 4) {
		errno = 0;
		context = strtoul(argv[3], &end, 10);
		if (errno || *end || end == argv[3] || context > 1000000)
			argc = 0;
	}
	if (argc != 3 && argc != 4) {
		fputs("usage: diffcmp OLD NEW [CONTEXT]\n", stderr);
		return 2;
	}
	if (slurp(argv[1], &a, &alen) < 0 || slurp(argv[2], &b, &blen) < 0)
		return 2;
	rc = diff_unified(a, alen, b, blen, argv[1], argv[2],
			  (unsigned)context, 0, &out, NULL);
	if (rc < 0) {
		fputs("diffcmp: out of memory\n", stderr);
		return 2;
	}
	if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len)
		rc = 2;
	if (fflush(stdout) != 0)
		rc = 2;
	if (rc == 2)
		fprintf(stderr, "diffcmp: stdout: %s\n", strerror(errno));
	free(a);
	free(b);
	buf_free(&out);
	return rc;
}
