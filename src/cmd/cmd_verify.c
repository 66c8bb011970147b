/* cmd_verify.c - verify: ask dnsmasq for every record of the INI. */
#include "app.h"
#include "cmd.h"
#include "plan.h"
#include "protocol.h"

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
		}
	}
	plan_free(&pl);
	return rc;
}
