/* problem.h - a list of problems (file, line, severity, text) that the pure
 * core returns instead of printing. Only the command layer prints them. */
#ifndef DNSDROP_PROBLEM_H
#define DNSDROP_PROBLEM_H

#include <stddef.h>

enum severity { SEV_WARNING, SEV_ERROR };

struct problem {
	const char *file;	/* borrowed: outlives the list */
	int line;		/* 1-based; 0 when the problem has no line */
	enum severity sev;
	char *text;		/* owned; says what is wrong and what to write */
	size_t seq;		/* the order it was added in */
};

struct problems {
	struct problem *v;
	size_t n, cap;
	size_t errors, warnings;
	int oom;		/* an allocation failed: some problems are missing */
};

/* Append a problem; on allocation failure set ->oom (never aborts). */
void problems_add(struct problems *pr, const char *file, int line,
		  enum severity sev, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Sort by line (stable), so messages come out in file order. */
void problems_sort(struct problems *pr);

void problems_free(struct problems *pr);

#endif
