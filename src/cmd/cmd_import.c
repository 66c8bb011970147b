/* cmd_import.c - import FILE...: hand-made dnsmasq drop-ins -> an INI on
 * stdout. Reads only: the files are named on the command line and taken as
 * given (no --root), regular files only; nothing is written anywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "config.h"
#include "dmprobe.h"
#include "dmver.h"
#include "fsx.h"
#include "import.h"
#include "report.h"

/* Convert, report, and print the INI only when there is no error (like
 * check: an INI with a value silently left out would be worse than none). */
static int convert(struct app *app, const struct import_src *src, int n)
{
	struct import_counts c;
	struct buf out = { 0 };
	int failed = import_convert(src, (size_t)n, &out, &app->pr, &c) < 0;

	report_problems(stderr, &app->pr, app->color_err, app->quiet);
	if (failed)
		app_error(app, "out of memory importing; nothing imported");
	else if (app->pr.errors)
		app_error(app, "%zu error%s; nothing imported: fix or remove those lines and import again",
			  app->pr.errors, app->pr.errors == 1 ? "" : "s");
	else
		fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	if (failed || app->pr.errors)
		return failed ? EXIT_ENV : EXIT_INVALID;
	if (!app->quiet)
		fprintf(stderr, "dnsdrop: imported %zu hosts, %zu srv and %zu cname lines from %d file%s; %zu left out, kept as comments%s\n",
			c.hosts, c.srv, c.cname, n, n == 1 ? "" : "s", c.skipped,
			c.skipped ? " (see the warnings; exit 1)" : "");
	return c.skipped ? EXIT_DIFF : EXIT_OK;
}

/* --dnsmasq VERSION (default: the appliance's dnsmasq, else 2.90): warn of
 * every line that version reads otherwise than 2.90. -1 on a bad VERSION. */
static int version_warn(struct app *app, const char *want, const struct import_src *src,
			int n)
{
	char path[PATH_MAX], found[160], who[64];
	int v = want ? (int)dmver_parse(want) : -1, inotify;

	if (want && (v <= 0 || strspn(want, "0123456789.") != strlen(want))) {
		app_error(app, "import --dnsmasq %s: not a version such as 2.80", want);
		return -1;
	}
	if (!want && app_rooted(app, "/usr/sbin/dnsmasq", path) == 0)
		v = dmprobe_version(path, found, sizeof found, &inotify);
	if (v < 0)
		v = DMVER_DEFAULT;
	if (v)
		snprintf(who, sizeof who, "dnsmasq %d.%02d", v / 100, v % 100);
	else
		snprintf(who, sizeof who, "this dnsmasq (UNKNOWN: taken as 2.66)");
	for (int i = 0; i < n; i++)
		if (src[i].text)
			dmver_import_warn(src[i].path, src[i].text, src[i].len,
					  dmver_quirks((unsigned)v), who, &app->pr);
	return 0;
}

int cmd_import(struct app *app, int argc, char **argv)
{
	struct import_src *src;
	const char *want = NULL;
	char err[FSX_ERR_MAX], *text;
	int rc = EXIT_OK;

	if (argc >= 2 && !strcmp(argv[0], "--dnsmasq")) {
		want = argv[1];
		argc -= 2, argv += 2;
	}

	if (argc == 0) {
		app_error(app, "usage: import FILE... (the drop-ins made by hand, e.g. hosts.conf srv.conf)");
		return EXIT_USAGE;
	}
	if (!(src = calloc((size_t)argc, sizeof *src))) {
		app_error(app, "out of memory");
		return EXIT_ENV;
	}
	for (int i = 0; i < argc; i++) {	/* every file, each failure reported */
		src[i].path = argv[i];
		if (fsx_read(argv[i], CONFIG_MAX_BYTES, 0, &text, &src[i].len, err) == 0) {
			src[i].text = text;
		} else {
			app_error(app, "%s", err);
			rc = EXIT_ENV;
		}
	}
	if (rc == EXIT_OK && version_warn(app, want, src, argc) < 0)
		rc = EXIT_USAGE;
	if (rc == EXIT_OK)
		rc = convert(app, src, argc);
	for (int i = 0; i < argc; i++)
		free((char *)src[i].text);
	free(src);
	return rc;
}
