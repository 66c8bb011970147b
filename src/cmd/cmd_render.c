/* cmd_render.c - render [FILE]: print what would be written. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "render.h"

static int render_one(const struct app *app, const char *name, int heading)
{
	struct buf b[3] = { { 0 }, { 0 }, { 0 } }, out;
	int k = strcmp(name, RENDER_HOSTS) == 0 ? 0 : strcmp(name, RENDER_SRV) == 0 ? 1 : 2;

	render_all(&app->cfg, &b[0], &b[1], &b[2]);
	out = b[k];
	for (int i = 0; i < 3; i++)
		if (i != k)
			buf_free(&b[i]);
	if (out.oom) {
		buf_free(&out);
		app_error(app, "out of memory rendering %s", name);
		return EXIT_ENV;
	}
	if (heading)
		printf("==> %s <==\n", name);
	fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	return EXIT_OK;
}

int cmd_render(struct app *app, int argc, char **argv)
{
	int rc;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], RENDER_HOSTS) != 0 &&
			 strcmp(argv[0], RENDER_SRV) != 0 && strcmp(argv[0], RENDER_HOSTSFILE) != 0)) {
		app_error(app, "usage: render [%s|%s|%s]", RENDER_HOSTS, RENDER_SRV, RENDER_HOSTSFILE);
		return EXIT_USAGE;
	}
	if ((rc = app_load(app)) != EXIT_OK)
		return rc;
	if (argc == 1)
		return render_one(app, argv[0], 0);
	if ((rc = render_one(app, RENDER_HOSTS, 1)) != EXIT_OK)
		return rc;
	putchar('\n');
	if ((rc = render_one(app, RENDER_SRV, 1)) != EXIT_OK || !app->cfg.set.hosts_hot)
		return rc;
	putchar('\n');
	return render_one(app, RENDER_HOSTSFILE, 1);
}
