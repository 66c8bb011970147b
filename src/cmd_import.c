/* cmd_import.c - TEMPORARY until import.c lands. */
#include "app.h"
#include "cmd.h"

int cmd_import(struct app *app, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	app_error(app, "import is not built yet");
	return EXIT_ENV;
}
