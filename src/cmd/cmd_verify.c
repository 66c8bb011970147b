/* cmd_verify.c - verify: ask dnsmasq for every record of the INI. */
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "app.h"
#include "cmd.h"
#include "dnsq.h"
#include "plan.h"
#include "protocol.h"

#define LIST_TIMEOUT_MS 1000u

/* One question, its answers on one line: "  line 4  NAME A  10.0.0.1, ...". */
static void list_one(const struct plan *pl, int line, const char *name, int type)
{
	struct dnsq_answer ans = { 0 };
	char err[DNSQ_ERR_MAX];

	printf("  line %-5d %s %s", line, name, dnsq_type_name(type));
	if (dnsq_query(&pl->server, name, type, LIST_TIMEOUT_MS, &ans, err) < 0)
		printf(" (no reply: %s)", err);
	else if (ans.nrr == 0)
		printf(" (no answer)");
	for (size_t i = 0; i < ans.nrr; i++) {
		const struct dnsq_rr *r = &ans.rr[i];
		if (r->type == ns_t_srv)
			printf("%s %u %u %u %s", i ? "," : "", r->priority, r->weight, r->port, r->data);
		else
			printf("%s %s", i ? "," : "", r->data);
	}
	putchar('\n');
	dnsq_answer_free(&ans);
}

/* verify -v: each record of the INI with what dnsmasq answers for it. */
static void list_answers(const struct app *app, const struct plan *pl)
{
	const struct dd_config *c = &app->cfg;

	printf("what dnsmasq on %s answers, record by record:\n", pl->server.text);
	for (size_t i = 0; i < c->nhost; i++) {
		int v4 = 0, v6 = 0;
		for (size_t k = 0; k < c->host[i].naddr; k++)
			*(c->host[i].addr[k].family == AF_INET ? &v4 : &v6) = 1;
		if (v4)
			list_one(pl, c->host[i].line, c->host[i].name, ns_t_a);
		if (v6)
			list_one(pl, c->host[i].line, c->host[i].name, ns_t_aaaa);
	}
	for (size_t i = 0; i < c->nsrv; i++)
		if (!i || strcmp(c->srv[i - 1].name, c->srv[i].name))
			list_one(pl, c->srv[i].line, c->srv[i].name, ns_t_srv);
	for (size_t i = 0; i < c->ncname; i++)
		list_one(pl, c->cname[i].line, c->cname[i].alias, ns_t_cname);
}

int cmd_verify(struct app *app, int argc, char **argv)
{
	struct plan pl = { 0 };
	struct proto t = { .app = app, .pl = &pl, .action = "verify" };
	struct state s = { .cfg = &app->cfg };	/* no drop-ins: no marker to wait for */
	int rc;

	if (app_no_args(app, "verify", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = plan_prepare(app, &pl, 0)) == EXIT_OK) {
		if (pl.verify_off) {
			app_error(app, "verify = off in %s: there is no server to ask", app->ini_path);
			rc = EXIT_ENV;
		} else {
			rc = proto_verify(&t, &s) == 0 ? EXIT_OK : EXIT_DIFF;
			if (app->verbose)
				list_answers(app, &pl);
		}
	}
	plan_free(&pl);
	return rc;
}
