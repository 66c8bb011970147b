/* cmd_diff.c - diff: the unified diff of the installed drop-ins against
 * the INI's render (a dry run; exit 1 when they differ). */
#include <stdio.h>

#include "app.h"
#include "cmd.h"
#include "plan.h"

int cmd_diff(struct app *app, int argc, char **argv)
{
	struct plan pl = { 0 };
	struct buf out = { 0 };
	char line[128];
	int rc;

	if (app_no_args(app, "diff", argc, argv) < 0)
		return EXIT_USAGE;
	if ((rc = plan_prepare(app, &pl, 1)) == EXIT_OK) {
		plan_diff(app, &pl, &out);
		if (out.oom) {
			app_error(app, "out of memory computing the diff");
			rc = EXIT_ENV;
		} else {
			fwrite(out.p ? out.p : "", 1, out.len, stdout);
			for (int i = 0; i < plan_nshown(&pl); i++) {
				plan_summary(&pl, i, line, sizeof line);
				app_step(app, "%s", line);
			}
			rc = pl.pending ? EXIT_DIFF : EXIT_OK;
		}
	}
	buf_free(&out);
	plan_free(&pl);
	return rc;
}
