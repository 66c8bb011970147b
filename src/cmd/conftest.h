/* conftest.h - dnsmasq --test on a copy of the whole conf-dir with given
 * drop-ins in place: another file there can make ours fatal (a duplicate
 * cname). Used before apply and rollback write anything. */
#ifndef DNSDROP_CONFTEST_H
#define DNSDROP_CONFTEST_H

#include "app.h"
#include "buf.h"
#include "plan.h"

/* Stage the conf-dir with CONTENTS[i] as pl->file[i] (NULL: absent) and
 * run app->dnsmasq_bin --test on it (nothing when dnsmasq = off). EXIT_OK,
 * EXIT_INVALID (dnsmasq rejects it, its words shown) or EXIT_ENV; printed. */
int conftest_run(struct app *app, const struct plan *pl,
		 const struct buf *const contents[PLAN_NFILES]);

#endif
