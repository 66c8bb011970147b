/* cmd_check.c - check: validate the INI and the settings; print every
 * problem. Reads only the INI (and the conf-dir it may find). */
#include "app.h"
#include "cmd.h"
#include "plan.h"
#include "where.h"

int cmd_check(struct app *app, int argc, char **argv)
{
	int rc;

	if (app_no_args(app, "check", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = app_load(app)) != EXIT_OK || (rc = where_check(app)) != EXIT_OK)
		return rc;
	app_step(app, "%s: ok: %zu hosts, %zu srv, %zu cname records%s", app->ini_path,
		 app->cfg.nhost, app->cfg.nsrv, app->cfg.ncname,
		 app->pr.warnings ? " (see the warnings above)" : "");
	return EXIT_OK;
}
