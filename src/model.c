/* model.c - the model's memory: everything a dd_config owns is on the heap
 * (no fixed-size name arrays per record: 100k records must stay small). */
#include "model.h"

#include <stdlib.h>

void model_free(struct dd_config *cfg)
{
	struct dd_settings *s = &cfg->set;
	size_t i;

	for (i = 0; i < cfg->nhost; i++) {
		free(cfg->host[i].name);
		free(cfg->host[i].addr);
	}
	for (i = 0; i < cfg->nsrv; i++) {
		free(cfg->srv[i].name);
		free(cfg->srv[i].target);
	}
	for (i = 0; i < cfg->ncname; i++) {
		free(cfg->cname[i].alias);
		free(cfg->cname[i].target);
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
	*cfg = (struct dd_config){ 0 };
}
