/* fuzz_oom.c - libFuzzer target: the pure core under allocation failure.
 *
 * Linked with -Wl,--wrap for malloc, calloc, realloc, strdup and strndup,
 * so every allocation of the core (and of Debian's libinih.a) passes
 * through here. For each input the core runs once cleanly, counting its
 * allocations, then once per allocation with exactly that one failing
 * (evenly sampled past OOM_MAX_RUNS). Under ASan and libFuzzer's leak check
 * that finds use-after-free, double free and leaks on the error paths no
 * other test reaches. The oracle: a run in which an allocation failed may
 * fail loudly (validate_ini < 0, problems or buffer ->oom),
 * but if it claims success it must give exactly the clean run's problems and
 * drop-ins: an allocation failure never silently changes the result.
 * FUZZ_OOM_TRACE=1 prints the stack of every injected failure (to find the
 * allocation a crash file names). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "model.h"
#include "problem.h"
#include "render.h"
#include "validate.h"

void __sanitizer_print_stack_trace(void);

#define OOM_MAX_RUNS 64		/* failing runs per input; keeps exec/s useful */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* Allocation number FAIL_AT (0-based, counted in COUNT since arming) fails;
 * disarmed when ARMED is 0. One thread: libFuzzer runs inputs in turn. */
struct injector {
	int armed, fired, trace;
	size_t count, fail_at;
};

static struct injector inject;

static int fail_now(void)
{
	if (!inject.armed)
		return 0;
	if (inject.count++ != inject.fail_at)
		return 0;
	inject.fired = 1;
	if (inject.trace) {	/* FUZZ_OOM_TRACE=1: where each failure is injected */
		fprintf(stderr, "fuzz_oom: failing allocation %zu here:\n", inject.fail_at);
		__sanitizer_print_stack_trace();
	}
	return 1;
}

void *__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	return fail_now() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

/* What one run of the core produced. */
struct outcome {
	int rc;			/* validate_ini: 0 or -1 */
	struct problems pr;
	struct buf hosts, srv;
};

/* Load, judge and render as app.c does (judging even after load errors,
 * as fuzz_core.c does, to reach more of the validator). */
static void run_core(const uint8_t *data, size_t size, struct outcome *o)
{
	struct dd_config cfg = { 0 };

	*o = (struct outcome){ 0 };
	o->rc = validate_ini((const char *)data, size, "oom.ini", &cfg, &o->pr);
	if (o->rc == 0 && !o->pr.oom) {
		problems_sort(&o->pr);
		if (!o->pr.errors) {
			render_hosts(&cfg, &o->hosts);
			render_srv(&cfg, &o->srv);
		}
	}
	model_free(&cfg);
}

static void outcome_free(struct outcome *o)
{
	problems_free(&o->pr);
	buf_free(&o->hosts);
	buf_free(&o->srv);
}

static int failed_loudly(const struct outcome *o)
{
	return o->rc < 0 || o->pr.oom || o->hosts.oom || o->srv.oom;
}

static int same_buf(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static int cmp_problem(const void *a, const void *b)
{
	const struct problem *x = *(const struct problem *const *)a;
	const struct problem *y = *(const struct problem *const *)b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->sev != y->sev)
		return x->sev < y->sev ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* PR's problems in a canonical order (problems_sort skips sorting when it
 * cannot allocate; the order is not what is compared). */
static const struct problem **sorted(const struct problems *pr)
{
	const struct problem **v = __real_malloc((pr->n + 1) * sizeof *v);

	if (!v)
		abort();
	for (size_t i = 0; i < pr->n; i++)
		v[i] = &pr->v[i];
	qsort(v, pr->n, sizeof *v, cmp_problem);
	return v;
}

/* A quiet run must equal the clean one: every problem, every byte. */
static void check_same(const struct outcome *clean, const struct outcome *got, size_t at)
{
	const struct problem **a, **b;
	const char *why = NULL;

	if (got->pr.n != clean->pr.n || got->pr.errors != clean->pr.errors)
		why = "another number of problems";
	if (!why) {
		a = sorted(&clean->pr);
		b = sorted(&got->pr);
		for (size_t i = 0; !why && i < got->pr.n; i++)
			if (cmp_problem(&a[i], &b[i]))
				why = "another problem";
		free(a);
		free(b);
	}
	if (!why && (!same_buf(&got->hosts, &clean->hosts) || !same_buf(&got->srv, &clean->srv)))
		why = "other drop-ins";
	if (why) {
		fprintf(stderr, "fuzz_oom: allocation %zu failed, the core reported no failure but gave %s\n",
			at, why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome clean, got;
	size_t total, step;

	inject = (struct injector){ .armed = 1, .fail_at = SIZE_MAX };
	run_core(data, size, &clean);
	total = inject.count;
	inject.armed = 0;
	if (failed_loudly(&clean)) {
		fprintf(stderr, "fuzz_oom: the clean run failed with no allocation failing\n");
		abort();
	}
	step = total > OOM_MAX_RUNS ? total / OOM_MAX_RUNS : 1;
	for (size_t at = size % step; at < total; at += step) {
		inject = (struct injector){ .armed = 1, .fail_at = at,
					    .trace = getenv("FUZZ_OOM_TRACE") != NULL };
		run_core(data, size, &got);
		inject.armed = 0;
		if (!inject.fired) {
			fprintf(stderr, "fuzz_oom: allocation %zu of %zu never came: the core is not deterministic\n",
				at, total);
			abort();
		}
		if (!failed_loudly(&got))
			check_same(&clean, &got, at);
		outcome_free(&got);
	}
	outcome_free(&clean);
	return 0;
}
