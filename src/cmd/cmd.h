/* cmd.h - the commands; each returns an exit code of app.h. */
#ifndef DNSDROP_CMD_H
#define DNSDROP_CMD_H

#include "app.h"

int cmd_check(struct app *app, int argc, char **argv);
int cmd_render(struct app *app, int argc, char **argv);
int cmd_diff(struct app *app, int argc, char **argv);
int cmd_apply(struct app *app, int argc, char **argv);
int cmd_reapply(struct app *app, int argc, char **argv);
int cmd_status(struct app *app, int argc, char **argv);
int cmd_backups(struct app *app, int argc, char **argv);
int cmd_rollback(struct app *app, int argc, char **argv);
int cmd_verify(struct app *app, int argc, char **argv);
int cmd_import(struct app *app, int argc, char **argv);
int cmd_doctor(struct app *app, int argc, char **argv);

/* Free what app_load and the commands attached to APP. */
void app_free(struct app *app);

#endif
