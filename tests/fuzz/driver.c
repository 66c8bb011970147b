/* driver.c - the fuzz target without libFuzzer, for the dnsmasq oracle of
 * run.sh and for replaying one input by hand:
 *
 *   fuzz_driver OUTDIR [FILE...]
 *
 * Runs every FILE through fuzz_core_check (the same oracle: abort() on a
 * violation, so a replayed crash reproduces here). For each accepted one it
 * writes OUTDIR/N/hosts.conf and OUTDIR/N/srv.conf (N: its position among
 * the FILEs, from 1) and prints "N FILE" on stdout; rejected FILEs print
 * nothing. Without FILE arguments the names are read from stdin, one a line
 * (a libFuzzer corpus can outgrow an argument list). Exits 0, or 1 when a
 * FILE cannot be read or an output written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_core.h"

#define INPUT_MAX (16u << 20)

/* The whole of PATH into a new buffer; NULL (message printed) on failure. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, n = 0, got;

	if (!f) {
		fprintf(stderr, "fuzz_driver: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (n == cap) {
			char *q = cap < INPUT_MAX ? realloc(p, cap = cap ? cap * 2 : 4096) : NULL;
			if (!q) {
				fprintf(stderr, "fuzz_driver: %s is too large\n", path);
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		fprintf(stderr, "fuzz_driver: cannot read %s\n", path);
		free(p);
		p = NULL;
	}
	fclose(f);
	*len = n;
	return p;
}

static int write_file(const char *dir, const char *name, const struct buf *b)
{
	char path[4096];
	FILE *f;
	int ok;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return -1;
	if (!(f = fopen(path, "wb")))
		return -1;
	ok = fwrite(b->p, 1, b->len, f) == b->len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Run FILE (number N) and write its drop-ins under OUTDIR when accepted. */
static int one(const char *outdir, const char *file, int n)
{
	struct buf hosts = { 0 }, srv = { 0 };
	char dir[4096];
	size_t len = 0;
	char *data = read_all(file, &len);
	int rc = 0;

	if (!data)
		return -1;
	if (fuzz_core_check((const uint8_t *)data, len, &hosts, &srv)) {
		if (snprintf(dir, sizeof dir, "%s/%d", outdir, n) >= (int)sizeof dir ||
		    (mkdir(dir, 0755) < 0 && errno != EEXIST) ||
		    write_file(dir, "hosts.conf", &hosts) < 0 || write_file(dir, "srv.conf", &srv) < 0) {
			fprintf(stderr, "fuzz_driver: cannot write the drop-ins of %s under %s\n", file, dir);
			rc = -1;
		} else {
			printf("%d %s\n", n, file);
		}
	}
	buf_free(&hosts);
	buf_free(&srv);
	free(data);
	return rc;
}

int main(int argc, char **argv)
{
	char name[4096];
	size_t len;
	int rc = 0, n = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz_driver OUTDIR [FILE...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		if (one(argv[1], argv[i], ++n) < 0)
			rc = 1;
	while (argc == 2 && fgets(name, sizeof name, stdin)) {
		len = strcspn(name, "\n");
		name[len] = '\0';
		if (len > 0 && one(argv[1], name, ++n) < 0)
			rc = 1;
	}
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}
