/* conftest.c - dnsmasq --test on a staging copy of the conf-dir. */
#include "conftest.h"

#include <stdio.h>

#include "backup.h"
#include "fsx.h"
#include "report.h"
#include "service.h"

#define TEST_TIMEOUT_MS 30000u

int conftest_run(struct app *app, const struct plan *pl,
		 const struct buf *const contents[PLAN_NFILES])
{
	const char *names[PLAN_NFILES] = { pl->file[0].name, pl->file[1].name };
	struct service_result res = { 0 };
	char dir[PATH_MAX], err[FSX_ERR_MAX], err2[FSX_ERR_MAX];
	int r;

	if (!app->dnsmasq_bin[0])
		return EXIT_OK;
	if (backup_stage_confdir(app->conf_dir, app->state_dir, names, contents, PLAN_NFILES,
				 dir, err) < 0) {
		app_error(app, "cannot stage the conf-dir for dnsmasq --test: %s", err);
		return EXIT_ENV;
	}
	r = service_dnsmasq_test(app->dnsmasq_bin, dir, pl->cd.filters, TEST_TIMEOUT_MS, &res, err);
	if (backup_unstage(dir, err2) < 0)
		app_error(app, "warning: %s", err2);
	if (r < 0) {
		app_error(app, "dnsmasq --test rejects the conf-dir with the new drop-ins, so nothing was changed: %s",
			  err);
		if (res.output.len)
			report_put(stderr, res.output.p, res.output.len, REPORT_ESC_NL);
		if (res.exec_errno)
			app_error(app, "set dnsmasq = off in [dnsdrop] only if this appliance has no dnsmasq binary at %s",
				  app->dnsmasq_bin);
	} else {
		app_step(app, "dnsmasq --test accepts the conf-dir with the new drop-ins");
	}
	service_result_free(&res);
	return r < 0 ? (res.exec_errno ? EXIT_ENV : EXIT_INVALID) : EXIT_OK;
}
