/* cmd_render.c - render [FILE]: print what would be written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "render.h"

int cmd_render(struct app *app, int argc, char **argv)
{
	static const char *const name[3] = { RENDER_HOSTS, RENDER_SRV, RENDER_HOSTSFILE };
	struct buf b[3] = { { 0 }, { 0 }, { 0 } };
	int rc, k = 3, oom;

	for (int i = 0; argc == 1 && i < 3; i++)
		if (strcmp(argv[0], name[i]) == 0)
			k = i;
	if (argc > 1 || (argc == 1 && k == 3)) {
		app_error(app, "usage: render [%s|%s|%s]", RENDER_HOSTS, RENDER_SRV, RENDER_HOSTSFILE);
		return EXIT_USAGE;
	}
	if ((rc = app_load(app)) != EXIT_OK)
		return rc;
	/* The model is all render needs: the INI's text goes before the drop-ins
	 * are built (100k records: 10 MB less at the peak). */
	free(app->ini_text);
	app->ini_text = NULL;
	render_all(&app->cfg, &b[0], &b[1], &b[2]);
	if ((oom = b[0].oom || b[1].oom || b[2].oom))
		app_error(app, "out of memory rendering %s", k < 3 ? name[k] : "the drop-ins");
	/* All files: each under a heading, the hosts file only in hot mode. */
	for (int i = 0; !oom && i < 3; i++) {
		int all = k == 3 && (i < 2 || app->cfg.set.hosts_hot);

		if (all)
			printf("%s==> %s <==\n", i ? "\n" : "", name[i]);
		if (all || k == i)
			fwrite(b[i].p, 1, b[i].len, stdout);
	}
	for (int i = 0; i < 3; i++)
		buf_free(&b[i]);
	return oom ? EXIT_ENV : EXIT_OK;
}
