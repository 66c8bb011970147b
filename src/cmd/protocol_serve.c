/* protocol_serve.c - the part of the protocol that waits on the world: the
 * restart, the proof that the new generation answers, the check of every
 * record, and the signal guard that keeps a change from stopping halfway.
 *
 * Signals during a change (DESIGN.md section 7, README "Safety"):
 *   SIGHUP           the terminal went away: finish the change (output
 *                    errors are ignored until the outcome);
 *   SIGPIPE          ignored for the whole run (main.c): a closed pipe is an
 *                    EPIPE, and after a change the exit code stays its own;
 *   SIGINT, SIGTERM  the administrator wants out: wait for the restart child
 *                    (never two restarts at once), then restore the previous
 *                    state and verify it; exit 4 (5 if that fails too).
 * The handlers only note the signal: a flag is the one thing a handler may
 * safely touch, so this file keeps the only global state of the program. */
#include "protocol.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "dnsq.h"
#include "render.h"
#include "report.h"
#include "service.h"
#include "tty.h"

#define READY_TIMEOUT_MS 10000u
#define QUERY_TIMEOUT_MS 1000u
#define MARKER_POLL_MS 50

static volatile sig_atomic_t stop_sig;	/* first SIGINT or SIGTERM */
static volatile sig_atomic_t hup_seen;
static const int guarded[PROTO_NSIG] = { SIGHUP, SIGINT, SIGTERM };

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup_seen = 1;
	else if (!stop_sig)
		stop_sig = sig;
}

void proto_guard(struct proto *p)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (int i = 0; i < PROTO_NSIG; i++)
		sigaction(guarded[i], &sa, &p->saved[i]);
}

void proto_unguard(struct proto *p)
{
	for (int i = 0; i < PROTO_NSIG; i++)
		sigaction(guarded[i], &p->saved[i], NULL);
}

int proto_stop_signal(void)
{
	return stop_sig;
}

int proto_hup_seen(void)
{
	return hup_seen;
}

int proto_restart(struct proto *t)
{
	struct service_result res = { 0 };
	char err[SERVICE_ERR_MAX], label[160];
	struct tty_step st;
	int r;

	snprintf(label, sizeof label, "restarting dnsmasq: %.120s", t->app->cfg.set.restart);
	tty_step_begin(t->app, &st, label, t->app->cfg.set.restart_timeout * 1000u);
	/* service_run waits for the child even when a signal comes: the
	 * restore's restart never overlaps this one. */
	r = service_run(t->pl->restart_argv, t->app->cfg.set.restart_timeout * 1000u,
			SERVICE_OUTPUT_MAX, &res, err);
	tty_step_end(&st, r == 0);
	if (r < 0)
		app_error(t->app, "restart failed: %s", err);
	if ((r < 0 || t->app->verbose) && res.output.len) {
		fputs("---- output of the restart command ----\n", stderr);
		report_put(stderr, res.output.p, res.output.len, REPORT_ESC_NL);
		fputs(res.output.p[res.output.len - 1] == '\n' ? "---- end ----\n" : "\n---- end ----\n",
		      stderr);
	}
	service_result_free(&res);
	return r;
}

static void show_mismatches(const struct dnsq_report *rep)
{
	for (size_t i = 0; i < rep->kept; i++) {
		fputs("  not served: ", stderr);	/* it quotes DNS answers */
		report_put(stderr, rep->mismatch[i].text, strlen(rep->mismatch[i].text), 0);
		fputc('\n', stderr);
	}
	if (rep->mismatches > rep->kept)
		fprintf(stderr, "  ... and %zu more\n", rep->mismatches - rep->kept);
}

/* How long the new dnsmasq may take to show up: the restart time limit (an
 * init script may restart it later, asynchronously), and at least the time
 * dnsmasq needs to read the records before it opens its port: about 10 s
 * for 100k records here, slower on an appliance. */
static unsigned ready_timeout(const struct proto *t, const struct dd_config *cfg)
{
	size_t n = cfg ? cfg->nhost + cfg->nsrv + cfg->ncname : 0;
	unsigned ms = READY_TIMEOUT_MS + (unsigned)(n / 1000) * 200u;
	unsigned limit = t->app->cfg.set.restart_timeout * 1000u;

	return limit > ms ? limit : ms;
}

/* Ask once for the marker: 1 it answers WANT, 0 something else (no such
 * record: an older generation), -1 no answer. */
static int marker_is(const struct dnsq_server *srv, const struct in6_addr *want, char *err)
{
	struct dnsq_answer ans = { 0 };
	struct in6_addr got;
	int r = dnsq_query(srv, RENDER_MARKER_NAME, ns_t_aaaa, QUERY_TIMEOUT_MS, &ans, err);

	if (r == 0) {
		for (size_t i = 0; i < ans.nrr && r == 0; i++)
			r = ans.rr[i].type == ns_t_aaaa && inet_pton(AF_INET6, ans.rr[i].data, &got) == 1 &&
			    memcmp(&got, want, sizeof got) == 0;
	}
	dnsq_answer_free(&ans);
	return r;
}

int proto_marker(const struct state *s, char out[RENDER_MARKER_ADDR_MAX])
{
	if (s->data[PLAN_HOSTSFILE])
		return render_marker_find(s->data[PLAN_HOSTSFILE], s->len[PLAN_HOSTSFILE], out);
	return render_marker_find(s->data[0], s->len[0], out);
}

int proto_served(const struct plan *pl, const struct state *s)
{
	char want[RENDER_MARKER_ADDR_MAX], err[DNSQ_ERR_MAX];
	struct in6_addr w;

	if (proto_marker(s, want) < 0 || inet_pton(AF_INET6, want, &w) != 1)
		return 1;
	return marker_is(&pl->server, &w, err);
}

/* Wait until the dnsmasq that loaded WANT's generation answers: until then
 * every answer may come from the one that ran before the restart. ST is
 * the progress line, ended before any message. */
static int wait_generation(struct proto *t, const char *want, unsigned timeout_ms,
			   struct tty_step *st)
{
	const struct timespec pause = { 0, MARKER_POLL_MS * 1000000L };
	long long deadline = clock_ms() + timeout_ms;
	char err[DNSQ_ERR_MAX] = "";
	struct in6_addr w;
	int r;

	inet_pton(AF_INET6, want, &w);
	/* Not cut short by INT/TERM: an init script that restarts dnsmasq
	 * after it returned is still at work, and a restore started now would
	 * restart over it (two dnsmasqs, a pid file the script no longer
	 * knows). The caller restores once this restart has shown or timed out. */
	while ((r = marker_is(&t->pl->server, &w, err)) != 1) {
		if (clock_ms() >= deadline) {
			tty_step_end(st, 0);
			if (r < 0)
				app_error(t->app, "dnsmasq does not answer on %s: %s", t->pl->server.text, err);
			else
				app_error(t->app, "dnsmasq on %s still serves another configuration %u s after the restart: the new drop-ins were not loaded",
					  t->pl->server.text, timeout_ms / 1000);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	tty_step_end(st, 1);
	app_step(t->app, "dnsmasq on %s serves the %s drop-ins (generation %s)", t->pl->server.text,
		 t->restoring ? "restored (previous)" : "new", want);
	return 0;
}

/* The new generation answers (or, for files without a marker, dnsmasq
 * answers at all). 0 or -1 (printed). */
static int wait_served(struct proto *t, const struct state *s)
{
	char want[RENDER_MARKER_ADDR_MAX], err[DNSQ_ERR_MAX];
	unsigned ms = ready_timeout(t, s->cfg);
	struct tty_step st;
	int r;

	tty_step_begin(t->app, &st, "waiting for dnsmasq to answer", ms);
	if (proto_marker(s, want) == 0)
		return wait_generation(t, want, ms, &st);
	r = dnsq_wait_ready(&t->pl->server, ms, err);
	tty_step_end(&st, r == 0);
	if (r < 0) {
		app_error(t->app, "dnsmasq does not answer on %s: %s", t->pl->server.text, err);
		return -1;
	}
	return 0;
}

/* Warn of names of CFG that the upstream answers for types the INI does
 * not give them (dnsq_leak.c): not a failure, the old state leaked too. */
static void warn_leaks(const struct proto *t, const struct dd_config *cfg)
{
	struct problems pr = { 0 };

	if (dnsq_leaks(cfg, &t->pl->server, QUERY_TIMEOUT_MS, &pr) > 0)
		report_problems(stderr, &pr, t->app->color_err, t->app->quiet);
	problems_free(&pr);
}

/* SRV targets outside the INI that resolve nowhere: a warning each (a
 * typo there costs an MRA login, and dnsmasq serves it faithfully). */
static void warn_targets(const struct proto *t, const struct dd_config *cfg)
{
	struct problems pr = { 0 };
	char err[DNSQ_ERR_MAX];

	if (dnsq_targets(cfg, &t->pl->server, QUERY_TIMEOUT_MS, &pr, err) < 0)
		app_error(t->app, "warning: SRV targets not checked: %s", err);
	report_problems(stderr, &pr, t->app->color_err, t->app->quiet);
	problems_free(&pr);
}

int proto_verify(struct proto *t, const struct state *s)
{
	struct dnsq_report rep = { 0 };
	struct tty_step st;
	int r;

	if (t->pl->verify_off || t->no_verify) {
		app_step(t->app, "not verifying (%s)", t->no_verify ? "--no-verify" : "verify = off");
		return 0;
	}
	if (wait_served(t, s) < 0)
		return -1;
	if (!s->cfg) {
		app_step(t->app, "dnsmasq answers on %s (these records were not written by dnsdrop: not checked one by one)",
			 t->pl->server.text);
		return 0;
	}
	tty_step_begin(t->app, &st, "asking dnsmasq for every record", 0);
	r = dnsq_verify(s->cfg, &t->pl->server, QUERY_TIMEOUT_MS, &rep);
	tty_step_end(&st, r == 0);
	if (r == 0)
		app_step(t->app, "verified: dnsmasq on %s serves all %zu answers %s",
			 t->pl->server.text, rep.checked,
			 t->restoring ? "of the previous records again" : "as written");
	else if (r > 0)
		app_error(t->app, "verification failed: %zu of %zu answers from %s differ",
			  rep.mismatches, rep.checked, t->pl->server.text);
	else
		app_error(t->app, "verification could not finish: %s", rep.err);
	show_mismatches(&rep);
	dnsq_report_free(&rep);
	if (r == 0) {
		warn_targets(t, s->cfg);
		warn_leaks(t, s->cfg);
	}
	return r == 0 ? 0 : -1;
}
