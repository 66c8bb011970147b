/* dmprobe.h - which dnsmasq the appliance runs: `dnsmasq --version`, read
 * with the table of src/core/dmver.h. No printing, no exit. */
#ifndef DNSDROP_DMPROBE_H
#define DNSDROP_DMPROBE_H

#include <stddef.h>

#define DMPROBE_TIMEOUT_MS 5000u

/* Run DNSMASQ (an absolute path) --version; FOUND (FOUNDSZ bytes) gets its
 * first line as printed, or why it could not be run. Returns the version
 * (major * 100 + minor), 0 when the binary did not say (the oldest archive
 * builds print "UNKNOWN"), -1 when it could not be run. *INOTIFY is 1 when
 * its compile time options list inotify (it rereads hostsdir), 0 when
 * not, -1 when it could not be run. */
int dmprobe_version(const char *dnsmasq, char *found, size_t foundsz, int *inotify);

/* The version DNSMASQ's file holds without running it: dnsmasq answers
 * version.bind with "dnsmasq-" VERSION, a string in the binary (measured
 * on 2.66 to 2.92: it is what --version says). Returns it (major * 100 +
 * minor), or -1 when the file cannot be read or says no number (UNKNOWN
 * builds): then ask dmprobe_version. */
int dmprobe_peek(const char *dnsmasq);

#endif
