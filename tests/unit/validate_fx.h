/* validate_fx.h - the fixture of the validator's tests: a document built
 * entry by entry (the Nth entry on line N), its model and its problems. */
#ifndef TEST_VALIDATE_FX_H
#define TEST_VALIDATE_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

struct fx_doc {
	struct ini_entry *v;
	size_t n, cap;
};

struct fx {
	struct fx_doc doc;
	struct dd_config cfg;
	struct problems pr;
};

static inline int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	*state = f;
	return f ? 0 : -1;
}

static inline void doc_free(struct fx *f)
{
	for (size_t i = 0; i < f->doc.n; i++) {
		free((char *)f->doc.v[i].key);
		free((char *)f->doc.v[i].value);
	}
	free(f->doc.v);
	memset(&f->doc, 0, sizeof f->doc);
}

static inline int teardown(void **state)
{
	struct fx *f = *state;

	doc_free(f);
	model_free(&f->cfg);
	problems_free(&f->pr);
	free(f);
	return 0;
}

/* Append an entry on the next line (the Nth entry is on line N). */
static inline void add(struct fx *f, enum section sec, const char *key, const char *value)
{
	struct fx_doc *d = &f->doc;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = realloc(d->v, d->cap * sizeof *d->v);
		assert_non_null(d->v);
	}
	d->v[d->n] = (struct ini_entry){ .sec = sec, .line = (int)d->n + 1, .key = strdup(key),
					 .value = strdup(value) };
	d->n++;
}

static inline void run(struct fx *f)
{
	static const char path[] = "t.ini";

	assert_int_equal(validate_entries(f->doc.v, f->doc.n, path, &f->cfg, &f->pr), 0);
	assert_ptr_equal(f->cfg.path, path);
}

/* Number of problems on LINE with SEV whose text contains SUB. */
static inline int count(const struct fx *f, int line, enum severity sev, const char *sub)
{
	int n = 0;

	for (size_t i = 0; i < f->pr.n; i++)
		if (f->pr.v[i].line == line && f->pr.v[i].sev == sev && strstr(f->pr.v[i].text, sub))
			n++;
	return n;
}

/* Free everything and start a new document. */
static inline void reset(struct fx *f)
{
	doc_free(f);
	model_free(&f->cfg);
	problems_free(&f->pr);
}

static inline void dump(const struct fx *f)
{
	for (size_t i = 0; i < f->pr.n && i < 40; i++)
		print_message("  %d: %s: %s\n", f->pr.v[i].line,
			      f->pr.v[i].sev == SEV_ERROR ? "error" : "warning", f->pr.v[i].text);
}

#define EXPECT(f, line, sev, sub)                                   \
	do {                                                        \
		if (count(f, line, sev, sub) != 1)                  \
			dump(f);                                    \
		assert_int_equal(count(f, line, sev, sub), 1);      \
	} while (0)
#define ERR(f, line, sub) EXPECT(f, line, SEV_ERROR, sub)
#define WARN(f, line, sub) EXPECT(f, line, SEV_WARNING, sub)
#define CLEAN(f)                                                    \
	do {                                                        \
		if ((f)->pr.n)                                      \
			dump(f);                                    \
		assert_int_equal((f)->pr.n, 0);                     \
	} while (0)
#define NERR(f, n)                                                  \
	do {                                                        \
		if ((f)->pr.errors != (n))                          \
			dump(f);                                    \
		assert_int_equal((f)->pr.errors, (n));              \
	} while (0)

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
