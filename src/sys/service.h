/* service.h - running the restart command and `dnsmasq --test`: fork and
 * execv of a fixed argv (never a shell), clean environment, time limit,
 * output captured. No printing, no exit, no global state. */
#ifndef DNSDROP_SERVICE_H
#define DNSDROP_SERVICE_H

#include <stddef.h>

#include "buf.h"
#include "model.h"

#define SERVICE_ERR_MAX DD_ERR_MAX		/* size of every ERR buffer below */
#define SERVICE_TIMEOUT_MS 30000u	/* used when a caller passes 0 */
#define SERVICE_GRACE_MS 2000u		/* SIGTERM -> SIGKILL on expiry */
#define SERVICE_OUTPUT_MAX (64u << 10)	/* a sensible max_output for callers */
#define SERVICE_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct service_result {
	int exec_errno;		/* nonzero: the program could not be started */
	int exited;		/* it exited by itself; see exit_status */
	int exit_status;
	int signal;		/* nonzero: it was killed by this signal */
	int timed_out;		/* the limit expired; its process group was killed */
	unsigned timeout_ms;	/* the limit that applied, for messages */
	struct buf output;	/* stdout and stderr as interleaved, bounded */
	size_t output_dropped;	/* bytes past max_output: counted, not kept */
};

/* Split CMDLINE on blanks (no quoting: no shell is involved) into a
 * NULL-terminated *ARGV; argv[0] must be absolute and, when ROOT is neither
 * NULL nor empty, is prefixed with ROOT (the restart program lives in the
 * sandbox too); arguments are kept as written. One allocation: free(*argv)
 * releases everything. Returns 0, or -1 with a sentence in ERR. */
int service_split(const char *cmdline, const char *root, char ***argv,
		  char *err);

/* Run ARGV (argv[0] absolute) in its own session and process group, stdin
 * from /dev/null, stdout+stderr into RES->output (the first and the last
 * MAX_OUTPUT/2 bytes, what lies between counted and noted "[... N bytes
 * not shown ...]"), environment exactly
 * SERVICE_PATH, working directory /, no other fd inherited. After
 * TIMEOUT_MS (0: SERVICE_TIMEOUT_MS) the group gets SIGTERM, then SIGKILL
 * SERVICE_GRACE_MS later. Stops reading once the program itself exits, so
 * a daemon it starts cannot hold us through the pipe. The caller must not
 * have SIGCHLD ignored. Returns 0 when the program exited with status 0;
 * otherwise -1 with a sentence in ERR ("cannot run X: ...", "X exited with
 * status 1"). RES is filled in either case; release it with
 * service_result_free. */
int service_run(char *const argv[], unsigned timeout_ms, size_t max_output,
		struct service_result *res, char *err);

/* What happened, as a phrase: "exited with status 1", "killed by signal
 * 9", "timed out after 30 s", "could not be started: ...". */
void service_describe(const struct service_result *res, char *out,
		      size_t outsz);

/* Syntax-check the drop-ins of CONF_DIR (normally a staging copy) with
 * `DNSMASQ --test --conf-file=/dev/null --conf-dir=CONF_DIR[,FILTERS]`:
 * exactly the files dnsmasq would load from that directory, and nothing of
 * the live configuration. FILTERS is the extension list of the real
 * conf-dir line (confdir_result.filters; NULL or "" for none). Returns 0
 * when dnsmasq accepts it; otherwise -1 with ERR naming dnsmasq's own
 * message ("duplicate CNAME at line 2 of DIR/hosts.conf"). */
int service_dnsmasq_test(const char *dnsmasq_path, const char *conf_dir,
			 const char *filters, unsigned timeout_ms,
			 struct service_result *res, char *err);

/* Free the captured output; RES may be zeroed or filled. */
void service_result_free(struct service_result *res);

#endif
