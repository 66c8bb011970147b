/* app.c - what every command does first: find and load the INI. */
#include "app.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "fsx.h"
#include "report.h"
#include "validate.h"

int app_rooted(const struct app *app, const char *path, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s%s", app->root, path);

	if (n < 0 || n >= PATH_MAX) {
		app_error(app, "path too long: %s%s", app->root, path);
		return -1;
	}
	return 0;
}

/* Print the message FMT to FP through report_escape: messages name paths,
 * files' contents, the environment. */
static void app_vput(FILE *fp, const char *fmt, va_list ap)
{
	char small[512], *p = small;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= (int)sizeof small && (p = malloc((size_t)n + 1)))
		vsnprintf(p, (size_t)n + 1, fmt, aq);
	va_end(aq);
	if (!p)
		p = small;
	if (n > 0)
		report_put(fp, p, strlen(p), 0);
	if (p != small)
		free(p);
	fputc('\n', fp);
}

void app_step(const struct app *app, const char *fmt, ...)
{
	va_list ap;

	if (app->quiet)
		return;
	va_start(ap, fmt);
	app_vput(stdout, fmt, ap);
	va_end(ap);
}

void app_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_vput(stdout, fmt, ap);
	va_end(ap);
}

void app_error(const struct app *app, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);	/* keep the order of progress and errors on a terminal */
	fputs(app->color_err ? "\033[1;31mdnsdrop:\033[0m " : "dnsdrop: ", stderr);
	va_start(ap, fmt);
	app_vput(stderr, fmt, ap);
	va_end(ap);
}

/* An INI over the size limit is a problem of its content (exit 3), said
 * like every other one; it is never read into memory. */
static int too_big(struct app *app)
{
	struct stat st;

	if (lstat(app->ini_path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (unsigned long long)st.st_size <= CONFIG_MAX_BYTES)
		return 0;
	problems_add(&app->pr, app->ini_path, 0, SEV_ERROR,
		     "file is %lld bytes, the limit is %u; check that -c names the right file",
		     (long long)st.st_size, CONFIG_MAX_BYTES);
	report_problems(stderr, &app->pr, app->color_err, app->quiet);
	return 1;
}

/* The INI drives a root command: it must be a file we own that nobody else
 * can write (fsx_read FSX_TRUSTED). A path from -c is taken as given. */
static int read_ini(struct app *app)
{
	char err[FSX_ERR_MAX];

	if (app->ini_arg) {
		if (strlen(app->ini_arg) >= sizeof app->ini_path) {
			app_error(app, "-c %s: path too long", app->ini_arg);
			return EXIT_USAGE;
		}
		memcpy(app->ini_path, app->ini_arg, strlen(app->ini_arg) + 1);
	} else if (app_rooted(app, APP_DEFAULT_INI, app->ini_path) < 0) {
		return EXIT_ENV;
	}
	if (fsx_read(app->ini_path, CONFIG_MAX_BYTES, FSX_TRUSTED, &app->ini_text,
		     &app->ini_len, err) < 0) {
		if (too_big(app))
			return EXIT_INVALID;
		app_error(app, "%s", err);
		if (access(app->ini_path, F_OK) < 0 && errno == ENOENT && app->ini_arg)
			app_error(app, "check the path given to -c");
		else if (access(app->ini_path, F_OK) < 0 && errno == ENOENT)
			app_error(app, "no INI given: pass -c FILE, or write %s (examples: conf.d.example/ in dnsdrop's source)",
				  app->ini_path);
		else
			app_error(app, "the INI must be a regular file you own that nobody else can write: give -c that file itself, or fix it as said above");
		return EXIT_ENV;
	}
	return EXIT_OK;
}

int app_load(struct app *app)
{
	int rc = read_ini(app);

	if (rc != EXIT_OK)
		return rc;
	/* Lines the parser refused (an unknown section, no '=') are left out;
	 * the rest is judged too, so one run shows every problem. */
	if (validate_ini(app->ini_text, app->ini_len, app->ini_path, &app->cfg, &app->pr) < 0) {
		app_error(app, "out of memory reading %s", app->ini_path);
		return EXIT_ENV;
	}
	problems_sort(&app->pr);
	report_problems(stderr, &app->pr, app->color_err, app->quiet);
	if (app->pr.errors) {
		app_error(app, "%s: %zu error%s; nothing was changed", app->ini_path,
			  app->pr.errors, app->pr.errors == 1 ? "" : "s");
		return EXIT_INVALID;
	}
	return EXIT_OK;
}

int app_reload(struct app *app, int *changed)
{
	char err[FSX_ERR_MAX], *text = NULL;
	size_t len = 0;

	if (fsx_read(app->ini_path, CONFIG_MAX_BYTES, FSX_TRUSTED, &text, &len, err) < 0) {
		app_error(app, "%s", err);
		return EXIT_ENV;
	}
	*changed = !(len == app->ini_len && memcmp(text, app->ini_text, len) == 0);
	free(text);
	if (!*changed)
		return EXIT_OK;
	app_free(app);
	return app_load(app);
}

void app_free(struct app *app)
{
	free(app->ini_text);
	app->ini_text = NULL;
	app->ini_len = 0;
	model_free(&app->cfg);
	problems_free(&app->pr);
}

int app_no_args(struct app *app, const char *cmd, int argc, char **argv)
{
	if (argc > 0) {
		app_error(app, "%s takes no arguments (got '%s')", cmd, argv[0]);
		return -1;
	}
	return 0;
}
