/* fuzz_core.h - the fuzz target's one entry, shared by the libFuzzer build
 * (fuzz_core.c's LLVMFuzzerTestOneInput) and the dnsmasq-oracle driver
 * (driver.c). */
#ifndef DNSDROP_FUZZ_CORE_H
#define DNSDROP_FUZZ_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The INI path the rendered headers name (as on the appliance). */
#define FUZZ_INI_PATH "/tandberg/persistent/dnsdrop/dnsdrop.ini"

/* Run DATA (SIZE bytes of INI) through load -> validate -> render and every
 * oracle of fuzz_core.c; abort() on any violation. Returns 1 when the core
 * accepted the INI (HOSTS and SRV then hold the rendered files, to be freed
 * by the caller with buf_free), 0 when it rejected it (both left empty). */
int fuzz_core_check(const uint8_t *data, size_t size, struct buf *hosts, struct buf *srv);

#endif
