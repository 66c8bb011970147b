/* cmd_todo.c - TEMPORARY during development: commands not yet built. */
#include "app.h"
#include "cmd.h"

static int todo(struct app *app)
{
	app_error(app, "this command is not built yet");
	return EXIT_ENV;
}

int cmd_diff(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
int cmd_apply(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
int cmd_reapply(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
int cmd_status(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
int cmd_backups(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
int cmd_rollback(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
int cmd_verify(struct app *app, int argc, char **argv) { (void)argc; (void)argv; return todo(app); }
