/* main.c - the command line: options, dispatch, help, exit codes. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "cmd.h"
#include "fsx.h"
#include "report.h"
#include "suggest.h"

struct command {
	const char *name;
	const char *summary;	/* one line for the list in --help */
	const char *usage;
	const char *help;
	int (*run)(struct app *app, int argc, char **argv);
	int changes;		/* takes -y and -m: it changes the appliance */
};

static const struct command commands[] = {
	{ "check", "validate the INI; print every problem",
	  "check",
	  "Validate the INI and print every problem as FILE:LINE: error|warning: ...\n"
	  "Exit 0 when valid (warnings allowed), 3 when not. Nothing is written.",
	  cmd_check, 0 },
	{ "render", "print what would be written",
	  "render [hosts.conf|srv.conf]",
	  "Print what apply would write: one drop-in, or both, each after a\n"
	  "'==> NAME <==' line. Exit 3 when the INI is invalid.",
	  cmd_render, 0 },
	{ "diff", "diff of the installed drop-ins against the INI",
	  "diff",
	  "Unified diff of the installed drop-ins against the INI (a dry run).\n"
	  "Exit 0 when nothing differs, 1 when something does.",
	  cmd_diff, 0 },
	{ "apply", "back up, write, restart, verify; roll back on failure",
	  "apply [-n|--dry-run] [--force] [--no-restart] [--no-verify] [-y] [-m TEXT]",
	  "Check, diff, back up, write atomically, restart dnsmasq and verify by DNS\n"
	  "queries; on any failure restore the previous drop-ins (exit 4, or 5 if that\n"
	  "fails too). -n shows the diff and exits 1 when something would change.\n"
	  "--force overwrites drop-ins edited by hand (they go into the backup first).\n"
	  "On a terminal it asks before changing anything (no: exit 1); -y does not\n"
	  "ask; without a terminal nothing is asked. -m TEXT: a change note (ticket)\n"
	  "for the audit log, syslog and backups, 1-200 bytes.",
	  cmd_apply, 1 },
	{ "reapply", "apply only if something differs (after an upgrade)",
	  "reapply [-m TEXT]",
	  "Converge the appliance to the INI: apply what differs; restart and verify\n"
	  "when a change is pending or dnsmasq does not serve the drop-ins. Run it\n"
	  "after every Expressway upgrade. Silent and restart-free when all is well.\n"
	  "Never asks.",
	  cmd_reapply, 1 },
	{ "status", "conf-dir, drift, dnsmasq answering, last change",
	  "status",
	  "Show the INI, the conf-dir and how it was found, drift, whether dnsmasq\n"
	  "answers, the last change and the backups. Exit 0 when the drop-ins match\n"
	  "the INI and dnsmasq serves them, 1 when not (or a change is pending, or\n"
	  "hosts_mode = hot is set and this dnsmasq cannot do it).",
	  cmd_status, 0 },
	{ "backups", "list the backups",
	  "backups",
	  "List the backups, newest first: id, time, what each holds (what 'rollback ID'\n"
	  "brings back; -v: its records), and the change that replaced it (who, note).\n"
	  "Exit 0, or 8 when the backups cannot be read.",
	  cmd_backups, 0 },
	{ "rollback", "bring back a backup, restart, verify",
	  "rollback [-n] [--no-verify] [--whole-ini] [-y] [-m TEXT] [ID]",
	  "Restore a backup (INI and drop-ins), restart, verify. Default: the newest\n"
	  "backup whose drop-ins differ from the installed ones.\n"
	  "The INI gets the backup's records and keeps the current [dnsdrop] settings;\n"
	  "--whole-ini takes the backup's INI as it was. Asks on a terminal like apply.\n"
	  "The backup is validated first (its INI like any INI, its drop-ins must be\n"
	  "what that INI renders): exit 3 if not. A malformed or unknown ID: exit 2.\n"
	  "The state it replaces is backed up first, so a rollback can be undone.\n"
	  "-n shows what it would change (exit 1 when something would).",
	  cmd_rollback, 1 },
	{ "verify", "ask dnsmasq for every record of the INI",
	  "verify",
	  "Query dnsmasq for every record in the INI and report mismatches; -v lists\n"
	  "each record with its answer. Exit 0 when all are served as written, 1 when\n"
	  "not. Warns of a split-DNS leak: an upstream's AAAA for a name the INI gives\n"
	  "only IPv4.",
	  cmd_verify, 0 },
	{ "doctor", "the MRA DNS picture: inside, outside, served",
	  "doctor [--format text|csv|zone]",
	  "For every name of the INI: the inside answer, the upstream answer (the\n"
	  "servers dnsmasq forwards to) and which one dnsmasq serves; a type the INI\n"
	  "leaves to the outside (AAAA of an IPv4 host); PTR against A; SRV targets\n"
	  "and MRA ports; _cisco-uds/_cuplogin must not be public, _collab-edge (and\n"
	  "_xmpp-server with federation) must. One finding a line, with what to do.\n"
	  "Exit 0 when nothing needs attention, 1 otherwise. --format zone prints the\n"
	  "records the public DNS must carry, from the INI's [mra] section:\n"
	  "public_fqdn, public_address, domains, federation = yes|no.",
	  cmd_doctor, 0 },
	{ "import", "hand-made dnsmasq lines to INI on stdout",
	  "import [--dnsmasq VERSION] FILE...",
	  "Convert hand-written dnsmasq lines (host-record, address=/NAME/IP,\n"
	  "srv-host, cname) and hosts-format lines (/etc/hosts, addn-hosts files) to\n"
	  "an INI on stdout. A line it cannot take is a FILE:LINE warning and a ';'\n"
	  "comment with the reason; the rest is imported. Exit 0: all imported,\n"
	  "1: some lines left out. The way to adopt drop-ins made by hand.\n"
	  "--dnsmasq VERSION (default: the appliance's, else 2.90) warns of each\n"
	  "line that version reads otherwise (quotes, TTLs, srv-host=NAME,).",
	  cmd_import, 0 },
	{ "help", "this list, or the help of one command",
	  "help [COMMAND]", "Show the usage, or the help of one command.", NULL, 0 },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp)
{
	fputs("usage: dnsdrop [-c FILE] [--root DIR] [-q|-v] [--no-color] COMMAND [options]\n\n"
	      "Manage static DNS records (dnsmasq drop-ins) on a Cisco Expressway from one INI.\n\n"
	      "commands:\n", fp);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\noptions:\n"
	      "  -c FILE      the INI (default " APP_DEFAULT_INI ")\n"
	      "  --root DIR   treat DIR as the appliance's / (sandbox, tests, demo)\n"
	      "  -q, -v       quieter (errors only) / more detail\n"
	      "  -y, --yes    apply/rollback: do not ask (only asked on a terminal)\n"
	      "  -m TEXT      apply/reapply/rollback: change note for the log and backups\n"
	      "  --no-color   no colour (also: NO_COLOR in the environment)\n"
	      "  --help, --version\n\n"
	      "exit codes: 0 ok, 1 differences, 2 usage, 3 invalid INI, 4 failed and restored,\n"
	      "5 failed and NOT restored, 6 locked, 7 edited by hand, 8 environment error.\n"
	      "'dnsdrop help COMMAND' explains one command; man dnsdrop has the rest.\n", fp);
}

/* The command NAME; NULL, said on stderr with the closest one, if none. */
static const struct command *find_command(const char *name)
{
	const char *names[NCOMMANDS + 1], *near;

	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(names[i] = commands[i].name, name) == 0)
			return &commands[i];
	names[NCOMMANDS] = NULL;
	if ((near = suggest_word(name, names)))
		fprintf(stderr, "dnsdrop: no command '%s': did you mean '%s'? ('dnsdrop help' lists them)\n",
			name, near);
	else
		fprintf(stderr, "dnsdrop: no command '%s'; run 'dnsdrop help' for the list\n", name);
	return NULL;
}

static int cmd_help(const char *topic)
{
	const struct command *c;

	if (!topic) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!(c = find_command(topic)))
		return EXIT_USAGE;
	printf("usage: dnsdrop [-c FILE] [--root DIR] %s\n\n%s\n", c->usage, c->help);
	return EXIT_OK;
}

struct cli {
	const char *command;
	int argc;		/* command arguments, global options taken out */
	char **argv;
	int no_color;
	int help, version;
	const char *change_opt;	/* -y or -m as given, for commands that change nothing */
};

/* -m TEXT into app->note, escaped (app.h); over APP_NOTE_MAX bytes or
 * empty: refused, never cut. */
static int take_note(struct app *app, const char *text)
{
	size_t len = strlen(text), n = 0;

	if (!len || len > APP_NOTE_MAX) {
		fprintf(stderr, "dnsdrop: -m: the note is %zu bytes; give 1 to %d, e.g. -m 'CHG0012345 new CUCM node'\n",
			len, APP_NOTE_MAX);
		return -1;
	}
	for (const unsigned char *u = (const unsigned char *)text; *u; u++) {
		if (*u < 0x20 || *u > 0x7e || *u == '"' || *u == '\\')
			n += (size_t)snprintf(app->note + n, sizeof app->note - n, "\\x%02x", *u);
		else
			app->note[n++] = (char)*u;
	}
	app->note[n] = '\0';
	return 0;
}

/* Take a global option at ARGV[*I]; 1 if taken, 0 if not global, -1 bad. */
static int global_option(struct app *app, struct cli *cli, int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "-m") == 0 || strcmp(a, "--message") == 0) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "dnsdrop: %s needs a value, e.g. -m 'CHG0012345 new CUCM node'\n", a);
			return -1;
		}
		cli->change_opt = a;
		return take_note(app, argv[++*i]) < 0 ? -1 : 1;
	}
	if (strcmp(a, "-y") == 0 || strcmp(a, "--yes") == 0) {
		cli->change_opt = a;
		return app->yes = 1;
	}
	if (strcmp(a, "-c") == 0 || strcmp(a, "--root") == 0) {
		if (*i + 1 >= argc || !argv[*i + 1][0]) {
			fprintf(stderr, "dnsdrop: %s needs a value\n", a);
			return -1;
		}
		if (a[1] == 'c')
			app->ini_arg = argv[++*i];
		else
			app->root = argv[++*i];
		return 1;
	}
	if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
		return app->quiet = 1;
	if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
		return app->verbose = 1;
	if (strcmp(a, "--no-color") == 0)
		return cli->no_color = 1;
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
		return cli->help = 1;
	if (strcmp(a, "--version") == 0)
		return cli->version = 1;
	return 0;
}

/* Global options may stand before or after the command. */
static int parse_cli(struct app *app, struct cli *cli, int argc, char **argv)
{
	int dashdash = 0;

	cli->argv = calloc((size_t)argc + 1, sizeof *cli->argv);
	if (!cli->argv)
		return -1;
	for (int i = 1; i < argc; i++) {
		int r = dashdash ? 0 : global_option(app, cli, argc, argv, &i);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--") == 0 && !dashdash) {
			dashdash = 1;
			continue;
		}
		if (!cli->command)
			cli->command = argv[i];
		else
			cli->argv[cli->argc++] = argv[i];
	}
	return 0;
}

/* --root must name a directory: a typo there would otherwise act on "/". */
static int check_root(struct app *app)
{
	struct stat st;

	if (!app->root)
		app->root = "";
	if (!app->root[0])
		return 0;
	if (stat(app->root, &st) < 0) {
		app_error(app, "--root %s: %s; give the directory that holds the sandbox appliance",
			  app->root, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		app_error(app, "--root %s: not a directory; give the directory that holds the sandbox appliance",
			  app->root);
		return -1;
	}
	return 0;
}

/* stdout is checked at exit: a full disk or a closed pipe is an error. But
 * the exit code says what happened to the appliance: after a change it
 * stays the change's (never 8, "nothing changed"), and the lost output is
 * said on stderr and in the audit log. */
static int finish(struct app *app, int rc)
{
	char err[FSX_ERR_MAX], what[128];
	int e;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	e = errno ? errno : EIO;
	app_error(app, "cannot write to standard output: %s%s", strerror(e),
		  app->changed ? "; the change itself is done (see the exit code and dnsdrop.log)" : "");
	if (!app->changed)
		return rc ? rc : EXIT_ENV;
	snprintf(what, sizeof what, "output lost: %s", strerror(e));
	if (report_audit(app->state_dir, "output", rc, what, NULL, NULL, err) < 0)
		app_error(app, "warning: cannot write the audit log: %s", err);
	return rc;
}

static int run(struct app *app, struct cli *cli)
{
	const struct command *c;

	if (cli->version) {
		printf("dnsdrop %s\n", DNSDROP_VERSION);
		return EXIT_OK;
	}
	if (cli->help && !cli->command)
		return cmd_help(NULL);
	if (!cli->command) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(cli->command, "help") == 0)
		return cmd_help(cli->argc ? cli->argv[0] : NULL);
	if (!(c = find_command(cli->command)))
		return EXIT_USAGE;
	if (cli->help)
		return cmd_help(c->name);
	if (cli->change_opt && !c->changes) {
		fprintf(stderr, "dnsdrop: %s is for apply, reapply and rollback; %s changes nothing\n",
			cli->change_opt, c->name);
		return EXIT_USAGE;
	}
	if (check_root(app) < 0)
		return EXIT_ENV;
	return c->run(app, cli->argc, cli->argv);
}

int main(int argc, char **argv)
{
	struct app app = { 0 };
	struct cli cli = { 0 };
	int rc;

	if (parse_cli(&app, &cli, argc, argv) < 0) {
		fputs("dnsdrop: run 'dnsdrop help' for usage\n", stderr);
		free(cli.argv);
		return EXIT_USAGE;
	}
	/* A closed pipe is an EPIPE to report (checked at exit), never a kill
	 * halfway through a change: the one SIGPIPE rule of the program
	 * (service.c resets it for the children). */
	signal(SIGPIPE, SIG_IGN);
	app.color_out = report_color_wanted(stdout, cli.no_color);
	app.color_err = report_color_wanted(stderr, cli.no_color);
	rc = finish(&app, run(&app, &cli));
	app_free(&app);
	free(cli.argv);
	return rc;
}
