/* dmprobe.c - asking the appliance's dnsmasq its version (dmprobe.h). */
#include "dmprobe.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmver.h"
#include "fsx.h"
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

int dmprobe_peek(const char *dnsmasq)
{
	static const char tag[] = "dnsmasq-";
	char err[FSX_ERR_MAX], *data = NULL, *p, *v, *end;
	int ver = 0, fd, rc = -1;
	struct stat st;
	size_t len;

	/* A symlink is followed, as exec would (the appliance's dnsmasq may
	 * be one); only a regular file is read. */
	if ((fd = open(dnsmasq, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		rc = fsx_read_fd(fd, dnsmasq, (size_t)st.st_size, 64u << 20, &data, &len, err);
	close(fd);
	if (rc < 0)
		return -1;
	/* the whole literal, "dnsmasq-2.90\0": a NUL before it and a few
	 * bytes after it (DATA ends in a NUL) */
	for (p = data, end = data + len; !ver && (p = memchr(p, '\0', (size_t)(end - p))); p++) {
		v = p + sizeof tag;
		if ((size_t)(end - p) > sizeof tag && !memcmp(p + 1, tag, sizeof tag - 1) &&
		    memchr(v, '\0', (size_t)(end - v) < 24 ? (size_t)(end - v) : 24))
			ver = (int)dmver_parse(v);
	}
	free(data);
	return ver ? ver : -1;
}
