/* model.c - the model's memory. The records' names and addresses live in
 * a few large blocks owned by the dd_config: 100k records cost 100k small
 * allocations otherwise, in time and in per-allocation overhead. */
#include "model.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define MEM_BLOCK (256u << 10)	/* above musl's mmap threshold: freed at once */

struct dd_mem {
	struct dd_mem *next;
	size_t used, cap;
	alignas(max_align_t) char data[];
};

/* N bytes from the newest block, or from a new one when they do not fit. */
static void *mem_take(struct dd_config *cfg, size_t n, size_t align)
{
	struct dd_mem *m = cfg->mem;
	size_t at = m ? (m->used + align - 1) & ~(align - 1) : 0;

	if (!m || at > m->cap || n > m->cap - at) {
		size_t cap = n > MEM_BLOCK ? n : MEM_BLOCK;
		if (!(m = malloc(sizeof *m + cap)))
			return NULL;
		*m = (struct dd_mem){ cfg->mem, 0, cap };
		cfg->mem = m;
		at = 0;
	}
	m->used = at + n;
	return m->data + at;
}

void *model_alloc(struct dd_config *cfg, size_t n)
{
	return mem_take(cfg, n, alignof(void *));
}

char *model_strdup(struct dd_config *cfg, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = mem_take(cfg, n, 1);

	return d ? memcpy(d, s, n) : NULL;
}

void model_free(struct dd_config *cfg)
{
	struct dd_settings *s = &cfg->set;

	for (struct dd_mem *m = cfg->mem, *next; m; m = next) {
		next = m->next;
		free(m);
	}
	free(cfg->host);
	free(cfg->srv);
	free(cfg->cname);
	free(s->conf_dir);
	free(s->state_dir);
	free(s->restart);
	free(s->dnsmasq);
	free(s->dnsmasq_conf);
	free(s->verify);
	free(s->hosts_dir);
	*cfg = (struct dd_config){ 0 };
}
