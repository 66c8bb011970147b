/* dmprobe.c - asking the appliance's dnsmasq its version (dmprobe.h). */
#include "dmprobe.h"

#include <stdio.h>
#include <string.h>

#include "dmver.h"
#include "service.h"

int dmprobe_version(const char *dnsmasq, char *found, size_t foundsz, int *inotify)
{
	char *argv[] = { (char *)dnsmasq, "--version", NULL };
	char err[SERVICE_ERR_MAX];
	struct service_result res = { 0 };
	const char *p, *v;
	int ver = -1;
	size_t len;

	*inotify = -1;
	if (service_run(argv, DMPROBE_TIMEOUT_MS, 4096, &res, err) < 0) {
		snprintf(found, foundsz, "%s", err);
	} else {
		p = res.output.p ? res.output.p : "";
		/* "Compile time options: ... loop-detect inotify dumpfile"; a
		 * build without it says "no-inotify" */
		*inotify = strstr(p, " inotify") != NULL;
		len = strcspn(p, "\n");
		while (len && p[len - 1] == ' ')
			len--;
		snprintf(found, foundsz, "%.*s", (int)len, p);
		ver = 0;
		/* "Dnsmasq version 2.90  Copyright (c) 2000-2024 Simon Kelley" */
		if ((v = strstr(found, "version ")))
			ver = (int)dmver_parse(v + 8);
	}
	service_result_free(&res);
	return ver;
}
