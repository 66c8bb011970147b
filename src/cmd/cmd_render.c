/* cmd_render.c - render [FILE]: print what would be written. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "render.h"

static int render_one(const struct app *app, const char *name, int heading)
{
	struct buf b[2] = { { 0 }, { 0 } }, out;

	render_all(&app->cfg, &b[0], &b[1]);
	out = b[strcmp(name, RENDER_HOSTS) != 0];
	buf_free(&b[strcmp(name, RENDER_HOSTS) == 0]);
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
			 strcmp(argv[0], RENDER_SRV) != 0)) {
		app_error(app, "usage: render [%s|%s]", RENDER_HOSTS, RENDER_SRV);
		return EXIT_USAGE;
	}
	if ((rc = app_load(app)) != EXIT_OK)
		return rc;
	if (argc == 1)
		return render_one(app, argv[0], 0);
	if ((rc = render_one(app, RENDER_HOSTS, 1)) != EXIT_OK)
		return rc;
	putchar('\n');
	return render_one(app, RENDER_SRV, 1);
}
