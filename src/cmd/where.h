/* where.h - resolving where things are on this appliance (where.c). */
#ifndef DNSDROP_WHERE_H
#define DNSDROP_WHERE_H

#include <stddef.h>

#include "app.h"

struct plan;

/* Resolve APP's settings into paths under --root (conf-dir discovery,
 * state dir, dnsmasq, restart command, verify server). Prints what is wrong.
 * Returns EXIT_OK, EXIT_INVALID or EXIT_ENV. */
int where_env(struct app *app, struct plan *pl);

/* Warn, with the INI line, of each record that behaves differently on the
 * appliance's dnsmasq (where_env or where_check first). */
void where_dnsmasq_warn(struct app *app);

/* What check can judge of the appliance without touching it: when
 * conf_dir = auto finds the conf-dir here, state_dir must lie outside it.
 * Silent when nothing is found (check also runs off the appliance). Warns
 * of records the appliance's dnsmasq serves differently (where_dnsmasq_warn).
 * EXIT_OK or EXIT_INVALID (printed). */
int where_check(struct app *app);

/* Refuse what another file dnsmasq loads also defines (DESIGN.md section
 * 3): the names of the drop-ins about to be installed, TEXT[i] of LEN[i]
 * bytes per file of PL (TEXT NULL: PL's render), against every other file
 * of the conf-dir and of dnsmasq_conf's includes. Prints each clash at its
 * FILE:LINE. EXIT_OK, EXIT_INVALID (a clash) or EXIT_ENV. */
int where_conflicts(struct app *app, const struct plan *pl, char *const text[],
		    const size_t len[]);

#endif
