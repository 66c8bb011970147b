/* cmd_doctor.c - doctor: the MRA DNS picture of the INI's names, one finding
 * a line: what the INI says (inside), what the servers dnsmasq forwards to
 * answer (upstream), what the appliance's dnsmasq serves; PTR against A;
 * SRV targets and ports; the MRA service names that must or must not be
 * public. --format zone prints what the public DNS must carry ([mra]). */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app.h"
#include "cmd.h"
#include "dnsq.h"
#include "fsx.h"
#include "mra.h"
#include "plan.h"
#include "validate.h"
#include "sort.h"

#define TIMEOUT_MS 1000u
#define TXT_MAX 512
#define ITEMS_MAX 16		/* answers shown per question */

struct doctor {
	struct app *app;
	struct plan pl;
	struct dnsq_server upstream;
	const struct dnsq_server *up;	/* &upstream, NULL when none is known */
	int csv, warnings;
};

/* One finding: WARN or ok, the question, the three views (NULL: not
 * applicable) and what to do. */
static void finding(struct doctor *d, int warn, const char *name, const char *type,
		    const char *inside, const char *upstream, const char *served,
		    const char *todo)
{
	d->warnings += warn;
	if (d->csv) {
		printf("%s,%s,%s,%s,%s,%s,\"%s\"\n", warn ? "warning" : "ok", name, type,
		       inside ? inside : "", upstream ? upstream : "", served ? served : "",
		       todo ? todo : "");
		return;
	}
	printf("%-4s %s %s:", warn ? "WARN" : "ok", name, type);
	if (inside)
		printf(" inside %s", inside);
	if (upstream)
		printf("%s upstream %s", inside ? ";" : "", upstream);
	if (served)
		printf("%s served %s", inside || upstream ? ";" : "", served);
	printf("%s%s\n", todo ? " - " : "", todo ? todo : "");
}

static const char *put(char out[TXT_MAX], const char *s)
{
	snprintf(out, TXT_MAX, "%s", s);
	return out;
}

/* ITEMS (N of them) sorted and joined by blanks into OUT; "none" if N is 0. */
static const char *join(char (*items)[DNSQ_TEXT_MAX], size_t n, char out[TXT_MAX])
{
	size_t o = 0;

	sort_array(items, n, sizeof *items, dnsq_cmp_text);
	out[0] = '\0';
	for (size_t i = 0; i < n && o < TXT_MAX; i++)	/* a cut list stays in OUT */
		o += (size_t)snprintf(out + o, TXT_MAX - o, "%s%s", i ? " " : "", items[i]);
	return n ? out : put(out, "none");
}

static void srv_item(char item[DNSQ_TEXT_MAX], const char *target, unsigned port,
		     unsigned prio, unsigned weight)
{
	if (!target || (strcmp(target, ".") == 0 && port <= 1))
		snprintf(item, DNSQ_TEXT_MAX, ".");
	else
		snprintf(item, DNSQ_TEXT_MAX, "%s:%u/%u/%u", target, port, prio, weight);
}

/* What SRV (NULL: no upstream known) answers for NAME TYPE, as text. */
static const char *ask(const struct dnsq_server *srv, const char *name, int type,
		       char out[TXT_MAX])
{
	struct dnsq_answer ans = { 0 };
	char items[ITEMS_MAX][DNSQ_TEXT_MAX], err[DNSQ_ERR_MAX], tmp[16];
	const char *word = !srv ? "unknown" :
		dnsq_query(srv, name, type, TIMEOUT_MS, &ans, err) < 0 ? "no-reply" :
		ans.rcode != ns_r_noerror ? dnsq_rcode_name(ans.rcode, tmp) : NULL;
	size_t n = 0;

	for (size_t i = 0; !word && i < ans.nrr && n < ITEMS_MAX; i++) {
		const struct dnsq_rr *r = &ans.rr[i];

		if (r->type != type)
			continue;
		if (type == ns_t_srv)
			srv_item(items[n++], r->data, r->port, r->priority, r->weight);
		else
			snprintf(items[n++], DNSQ_TEXT_MAX, "%s", r->data);
	}
	dnsq_answer_free(&ans);
	return word ? put(out, word) : join(items, n, out);
}

/* NAME TYPE as the INI gives it (IN) against what the upstream and dnsmasq
 * answer; "served" as a word when it equals one of the views. */
static void compare(struct doctor *d, const char *name, int type, const char *in)
{
	char up[TXT_MAX], sv[TXT_MAX];
	int bad = strcmp(ask(&d->pl.server, name, type, sv), in) != 0;

	ask(d->up, name, type, up);
	finding(d, bad, name, dnsq_type_name(type), in, up,
		!bad ? "inside" : strcmp(sv, up) == 0 ? "upstream" : sv,
		bad ? "dnsmasq does not serve the INI's answer: run dnsdrop verify, then apply" : NULL);
}

/* The reverse name of address A. */
static void reverse_name(const struct dd_addr *a, char out[80])
{
	unsigned char b[16];
	size_t o = 0;

	inet_pton(a->family, a->text, b);
	if (a->family == AF_INET) {
		snprintf(out, 80, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
		return;
	}
	for (int i = 15; i >= 0; i--)
		o += (size_t)snprintf(out + o, 80 - o, "%x.%x.", b[i] & 15, b[i] >> 4);
	snprintf(out + o, 80 - o, "ip6.arpa");
}

/* WORD is one of the blank-separated words of LIST. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* One host: each family, given (inside vs upstream vs served) or not (a
 * leak of the outside answer); the PTR of each address. */
static void doctor_host(struct doctor *d, const struct dd_host *h)
{
	static const int types[] = { ns_t_a, ns_t_aaaa };
	char items[ITEMS_MAX][DNSQ_TEXT_MAX], in[TXT_MAX], sv[TXT_MAX], rev[80];

	for (int t = 0; t < 2; t++) {
		int fam = t ? AF_INET6 : AF_INET;
		size_t n = 0;

		for (size_t i = 0; i < h->naddr && n < ITEMS_MAX; i++)
			if (h->addr[i].family == fam)
				snprintf(items[n++], DNSQ_TEXT_MAX, "%s", h->addr[i].text);
		if (n) {
			compare(d, h->name, types[t], join(items, n, in));
			continue;
		}
		ask(&d->pl.server, h->name, types[t], sv);
		if (strchr(sv, '.') || strchr(sv, ':'))
			finding(d, 1, h->name, dnsq_type_name(types[t]), "none", NULL, sv,
				t ? "the INI gives no AAAA, so dnsmasq forwards it and serves the outside answer: add the inside IPv6 address to this host in [hosts], or have it removed outside"
				  : "the INI gives no A, so dnsmasq forwards it and serves the outside answer: add the inside IPv4 address to this host in [hosts]");
	}
	for (size_t i = 0; i < h->naddr; i++) {
		int ok;

		reverse_name(&h->addr[i], rev);
		ok = has_word(ask(&d->pl.server, rev, ns_t_ptr, sv), h->name);
		finding(d, !ok, h->addr[i].text, "PTR", h->name, NULL, sv,
			ok ? NULL : "reverse does not give this name back: give each address to one [hosts] line, and remove other ptr-record lines for it");
	}
}

/* One SRV name (records REC[0..N) of the INI): the views, then each target
 * and its port. */
static void doctor_srv(struct doctor *d, const struct dd_srv *const *rec, size_t n)
{
	char items[ITEMS_MAX][DNSQ_TEXT_MAX], in[TXT_MAX], up[TXT_MAX], err[DNSQ_ERR_MAX];
	const char *name = rec[0]->name;
	unsigned want = validate_mra_port(name);
	size_t k;

	for (k = 0; k < n && k < ITEMS_MAX; k++)
		srv_item(items[k], rec[k]->target, rec[k]->port, rec[k]->priority, rec[k]->weight);
	compare(d, name, ns_t_srv, join(items, k, in));
	for (k = 0; k < n; k++) {
		const struct dd_srv *s = rec[k];
		int r;

		if (!s->target)
			continue;
		r = dnsq_resolves(&d->pl.server, s->target, TIMEOUT_MS, err);
		snprintf(in, sizeof in, "target %s:%u", s->target, s->port);
		finding(d, r != 1, name, "SRV", in, NULL, NULL,
			r == 1 ? "resolves" : "resolves to no address: fix the spelling in [srv], or add the target under [hosts]");
		if (want && s->port != want) {
			snprintf(up, sizeof up, "port %u, but MRA clients use %u: fix the port in [srv]", s->port, want);
			finding(d, 1, name, "SRV", in, NULL, NULL, up);
		}
	}
}

/* The MRA service names of domain DOM: inside-only ones must not answer
 * upstream; public ones must, on the Expressway-E. */
static void doctor_domain(struct doctor *d, const char *dom)
{
	const struct dd_mra *m = &d->app->cfg.mra;
	char name[DD_NAME_MAX + 3], up[TXT_MAX], want[DD_NAME_MAX + 16];

	for (size_t s = 0; s < MRA_NSERVICES; s++) {
		const struct mra_service *ms = &mra_services[s];
		const char *todo;
		int none, warn = 1;

		if (ms->kind == MRA_FEDERATION && m->federation != 2)
			continue;
		snprintf(name, sizeof name, "%s.%s", ms->prefix, dom);
		ask(d->up, name, ns_t_srv, up);
		none = !strchr(up, ':');
		snprintf(want, sizeof want, "%s:%u/", m->public_fqdn ? m->public_fqdn : "", ms->port);
		/* only "none" or NXDOMAIN says a name is not public: no upstream,
		 * no reply, REFUSED or SERVFAIL say nothing either way */
		if (none && strcmp(up, "none") != 0 && strcmp(up, "NXDOMAIN") != 0)
			todo = "not checked: the upstream gave no answer; check this name in public DNS by hand";
		else if (ms->kind == MRA_INSIDE)
			warn = !none, todo = none ? "inside only, as Cisco requires" :
				"the outside view answers it, and Cisco requires it not be resolvable from outside: have it removed from public DNS";
		else if (none)
			todo = "missing in public DNS: have the DNS team publish it (dnsdrop doctor --format zone)";
		else
			warn = m->public_fqdn && !strstr(up, want),
			todo = warn ? "does not point at [mra] public_fqdn on the MRA port: correct it in public DNS (dnsdrop doctor --format zone)" : "public";
		finding(d, warn, name, "SRV", NULL, up, NULL, todo);
	}
}

/* ROOT + REL, read whole; NULL when absent or unreadable (free it). */
static char *read_rooted(const struct doctor *d, const char *rel)
{
	char path[PATH_MAX], err[FSX_ERR_MAX], *text = NULL;
	size_t len;

	if (app_rooted(d->app, rel, path) == 0)
		fsx_read(path, 1u << 20, FSX_ABSENT_OK, &text, &len, err);
	return text;
}

/* The servers dnsmasq forwards to: server= in its configuration, else the
 * first nameserver of the resolv file it reads (both under --root). */
static void find_upstream(struct doctor *d)
{
	char resolv[PATH_MAX], addr[DD_ADDR_MAX], err[DNSQ_ERR_MAX];
	char *text = read_rooted(d, d->app->cfg.set.dnsmasq_conf);
	unsigned port = 53;
	int got = mra_upstream(text ? text : "", addr, &port, resolv);

	free(text);
	text = !got && resolv[0] ? read_rooted(d, resolv) : NULL;
	got = got || (text && mra_nameserver(text, addr));
	free(text);
	if (got && dnsq_server_init(&d->upstream, addr, port, err) == 0)
		d->up = &d->upstream;
	else
		finding(d, 1, "upstream", "-", NULL, "unknown", NULL,
			"no server= line in dnsmasq's configuration and no nameserver in its resolv file: the outside view is not checked");
}

static int zone(struct app *app)
{
	const char **dom;
	ssize_t n = mra_domains(&app->cfg, &dom);
	struct buf b = { 0 };
	int rc = EXIT_OK;

	if (n < 0 || mra_zone(&app->cfg, dom, (size_t)n, &b) < 0 || b.oom) {
		app_error(app, "%s has no [mra] section: add public_fqdn and public_address (see dnsdrop help doctor)",
			  app->ini_path);
		rc = EXIT_INVALID;
	} else {
		fwrite(b.p, 1, b.len, stdout);
	}
	buf_free(&b);
	free(dom);
	return rc;
}

static int run(struct doctor *d)
{
	const struct dd_config *cfg = &d->app->cfg;
	const struct dd_srv **srvp = dnsq_srv_sorted(cfg);
	const char **dom = NULL;
	ssize_t nd = mra_domains(cfg, &dom);
	size_t i, j;

	if (!srvp || nd < 0) {
		free(srvp);
		free(dom);
		app_error(d->app, "out of memory");
		return EXIT_ENV;
	}
	if (d->csv)
		puts("level,name,type,inside,upstream,served,todo");
	find_upstream(d);
	for (i = 0; i < cfg->nhost; i++)
		doctor_host(d, &cfg->host[i]);
	for (i = 0; i < cfg->nsrv; i = j) {
		j = dnsq_srv_next(srvp, cfg->nsrv, i);
		doctor_srv(d, srvp + i, j - i);
	}
	for (i = 0; i < (size_t)nd; i++)
		doctor_domain(d, dom[i]);
	free(srvp);
	free(dom);
	return d->warnings ? EXIT_DIFF : EXIT_OK;
}

int cmd_doctor(struct app *app, int argc, char **argv)
{
	struct doctor d = { .app = app };
	const char *fmt = "text";
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			fmt = argv[++i];
		else
			fmt = "";
	}
	if (strcmp(fmt, "text") != 0 && strcmp(fmt, "csv") != 0 && strcmp(fmt, "zone") != 0) {
		app_error(app, "usage: doctor [--format text|csv|zone]");
		return EXIT_USAGE;
	}
	d.csv = fmt[0] == 'c';
	if (fmt[0] == 'z')
		return (rc = app_load(app)) == EXIT_OK ? zone(app) : rc;
	if ((rc = plan_prepare(app, &d.pl, 0)) == EXIT_OK && d.pl.verify_off) {
		app_error(app, "verify = off in %s: there is no server to ask", app->ini_path);
		rc = EXIT_ENV;
	}
	if (rc == EXIT_OK)
		rc = run(&d);
	plan_free(&d.pl);
	return rc;
}
