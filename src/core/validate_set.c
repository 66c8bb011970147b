/* validate_set.c - judging [dnsdrop]: paths, the restart command, the
 * verification server, the number of backups kept (DESIGN.md section 3).
 *
 * These values drive a root process, so they are held to a narrow form:
 * absolute paths without "..", commas or blanks, and a restart command that
 * is executed directly (no shell), hence refused when it looks like it
 * expects one. */
#include "validate.h"

#include "ascii.h"
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

static const char *const set_keys[] = {
	[VSET_CONF_DIR] = "conf_dir", [VSET_STATE_DIR] = "state_dir",
	[VSET_RESTART] = "restart", [VSET_DNSMASQ] = "dnsmasq",
	[VSET_DNSMASQ_CONF] = "dnsmasq_conf", [VSET_VERIFY] = "verify",
	[VSET_KEEP_BACKUPS] = "keep_backups", [VSET_RESTART_TIMEOUT] = "restart_timeout",
	[VSET_HOSTS_MODE] = "hosts_mode", [VSET_HOSTS_DIR] = "hosts_dir", [VSET_N] = NULL
};

static const char *const set_defaults[] = {
	[VSET_CONF_DIR] = "auto", [VSET_STATE_DIR] = "/tandberg/persistent/dnsdrop",
	[VSET_RESTART] = "/etc/init.d/dnsmasq restart", [VSET_DNSMASQ] = "/usr/sbin/dnsmasq",
	[VSET_DNSMASQ_CONF] = "/etc/dnsmasq.conf", [VSET_VERIFY] = "127.0.0.1:53",
	[VSET_KEEP_BACKUPS] = "20", [VSET_RESTART_TIMEOUT] = "30",
	[VSET_HOSTS_MODE] = "restart", [VSET_HOSTS_DIR] = "/tandberg/persistent/dnsdrop-hosts",
};

/* restart is the default: hot is correct only on dnsmasq 2.88+ with
 * inotify (older ones add a changed address next to the old one). */
static const char *const hosts_modes[] = { "restart", "hot", NULL };

#define VERIFY_PORT_DEFAULT 53
#define NUM_MIN 1	/* backups kept; seconds the restart command may take */
#define KEEP_MAX 1000
#define TIMEOUT_MAX 600

/* Shell syntax that would reach the restart program as plain text. */
static const char shell_chars[] = "'\"$`;|&<>\\";

/* An absolute path of LEN bytes at P, in the narrow form described above.
 * Returns the length without trailing slashes ("/" stays "/"), or 0. */
static size_t check_path(const char *p, size_t len, char why[VALIDATE_MSG_MAX])
{
	char q[VALIDATE_QUOTE_MAX];

	if (p[0] != '/') {
		validate_msgf(why, "is a relative path; write an absolute path, starting with \"/\"");
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f || c == ',' || is_blank((char)c)) {
			validate_msgf(why, "contains %s; paths here may not hold commas, blanks or control characters: choose another path",
				      validate_quote((char[]){ (char)c, '\0' }, q));
			return 0;
		}
		if (c == '.' && p[i - 1] == '/' && i + 1 < len && p[i + 1] == '.' &&
		    (i + 2 == len || p[i + 2] == '/')) {
			validate_msgf(why, "has a \"..\" component; write the path without it");
			return 0;
		}
	}
	while (len > 1 && p[len - 1] == '/')
		len--;
	return len;
}

/* restart: an absolute program path, then arguments split on blanks. */
static int check_restart(const char *v, char why[VALIDATE_MSG_MAX])
{
	char q[VALIDATE_QUOTE_MAX];
	size_t n = strcspn(v, " \t");
	const char *bad = v + strcspn(v, shell_chars);

	if (*bad != '\0')
		return validate_msgf(why, "contains %s, but no shell runs this command: it is executed directly and %s would reach it as text; write the program's absolute path and its arguments separated by blanks",
			      validate_quote((char[]){ *bad, '\0' }, q), q);
	if (check_path(v, n, why) == 0)
		return -1;
	for (const char *p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return validate_msgf(why, "contains the control character %s; remove it",
				      validate_quote((char[]){ *p, '\0' }, q));
	}
	return 0;
}

/* verify: off | IPv4 | IPv4:port | [IPv6]:port | IPv6. */
static int parse_verify(const char *v, struct dd_settings *set, char why[VALIDATE_MSG_MAX])
{
	char host[DD_ADDR_MAX + 1], warn[VALIDATE_MSG_MAX], q[VALIDATE_QUOTE_MAX];
	const char *port = NULL, *close, *colon = strchr(v, ':');
	size_t hlen = strlen(v);
	struct dd_addr a;
	unsigned pnum = VERIFY_PORT_DEFAULT;

	if (strcmp(v, "off") == 0) {
		set->verify_off = 1;
		set->verify_addr[0] = '\0';
		set->verify_port = 0;
		return 0;
	}
	if (v[0] == '[') {
		close = strchr(v, ']');
		if (!close || (close[1] != '\0' && close[1] != ':'))
			return validate_msgf(why, "has an unclosed \"[\" or text after \"]\"; write [IPv6]:port, e.g. [::1]:53");
		v++;
		hlen = (size_t)(close - v);
		if (!memchr(v, ':', hlen))
			return validate_msgf(why, "has an IPv4 address in brackets; brackets are for IPv6 only: write e.g. 127.0.0.1:53");
		port = close[1] == ':' ? close + 2 : NULL;
	} else if (colon && !strchr(colon + 1, ':')) {
		hlen = (size_t)(colon - v);
		port = colon + 1;
	}
	if (hlen > DD_ADDR_MAX)
		return validate_msgf(why, "is not an address; write off, ADDRESS, ADDRESS:PORT or [IPv6]:PORT, e.g. 127.0.0.1:53");
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	if (validate_addr(host, &a, why, warn) < 0)	/* loopback is the usual server here: no warning */
		return -1;
	if (port && validate_number(port, 1, 65535, &pnum) < 0)
		return validate_msgf(why, "has the port %s; a port is a number from 1 to 65535, e.g. 53",
			      validate_quote(port, q));
	set->verify_off = 0;
	memcpy(set->verify_addr, a.text, sizeof a.text);
	set->verify_port = pnum;
	return 0;
}

/* Judge V for key K and store it; 1 if invalid (WHY set), -1 out of memory. */
static int set_value(struct dd_settings *set, enum vset_key k, const char *v,
		     char why[VALIDATE_MSG_MAX])
{
	char **slot[] = { &set->conf_dir, &set->state_dir, &set->restart, &set->dnsmasq,
			  &set->dnsmasq_conf, &set->verify, NULL, NULL, NULL, &set->hosts_dir };
	const char *hint;
	size_t len = strlen(v);
	int secs = k == VSET_RESTART_TIMEOUT;
	unsigned hi = secs ? TIMEOUT_MAX : KEEP_MAX;
	/* the word a path key takes instead of a path */
	const char *word = k == VSET_CONF_DIR ? "auto" : k == VSET_DNSMASQ ? "off" : NULL;
	char *d;

	switch (k) {
	case VSET_KEEP_BACKUPS:
	case VSET_RESTART_TIMEOUT:	/* the example is the default */
		if (validate_number(v, NUM_MIN, hi, secs ? &set->restart_timeout : &set->keep_backups) == 0)
			return 0;
		validate_msgf(why, "is not a number%s from %u to %u; write e.g. %s",
			      secs ? " of seconds" : "", NUM_MIN, hi, set_defaults[k]);
		return 1;
	case VSET_HOSTS_MODE:
		for (int i = 0; hosts_modes[i]; i++)
			if (strcmp(v, hosts_modes[i]) == 0) {
				set->hosts_hot = i;
				return 0;
			}
		hint = suggest_word(v, hosts_modes);
		validate_msgf(why, "is neither restart nor hot%s%s%s", hint ? "; did you mean '" : "",
			      hint ? hint : "", hint ? "'?" : "");
		return 1;
	case VSET_VERIFY:
		if (parse_verify(v, set, why) < 0)
			return 1;
		break;
	case VSET_RESTART:
		if (check_restart(v, why) < 0)
			return 1;
		break;
	default:
		if (word && strcmp(v, word) == 0)
			break;
		if ((len = check_path(v, len, why)) > 0)
			break;
		if (v[0] != '/' && word)
			validate_msgf(why, "is neither %s nor an absolute path; write %s or a path starting with \"/\"",
				      word, word);
		return 1;
	}
	if (!(d = strndup(v, len)))
		return -1;
	free(*slot[k]);
	*slot[k] = d;
	return 0;
}

int validate_set_defaults(struct dd_settings *set)
{
	char why[VALIDATE_MSG_MAX];

	for (int k = 0; k < VSET_N; k++)
		if (set_value(set, (enum vset_key)k, set_defaults[k], why) != 0)
			return -1;	/* the defaults are valid: only memory fails */
	return 0;
}

static void unknown_key(const struct ini_entry *e, const char *path, struct problems *pr)
{
	char q[VALIDATE_QUOTE_MAX];
	const char *hint = suggest_word(e->key, set_keys);

	/* No setting has a dot: a name here is a record after [dnsdrop]. */
	if (strchr(e->key, '.'))
		problems_add(pr, path, e->line, SEV_ERROR,
			     "%s is a record, not a [dnsdrop] setting: did you forget [%s] above it? (records come after [hosts], [srv] or [cname])",
			     validate_quote(e->key, q), e->key[0] == '_' ? "srv" : "hosts");
	else
		problems_add(pr, path, e->line, SEV_ERROR, "unknown key %s in [dnsdrop]; %s%s%s",
			     validate_quote(e->key, q),
			     hint ? "did you mean '" : "the keys are conf_dir, state_dir, restart, dnsmasq, dnsmasq_conf, verify, keep_backups, restart_timeout, hosts_mode and hosts_dir",
			     hint ? hint : "", hint ? "'?" : "");
}

int validate_set_entry(struct dd_settings *set, struct vset_lines *seen,
		       const struct ini_entry *e, const char *path, struct problems *pr)
{
	char why[VALIDATE_MSG_MAX], q[VALIDATE_QUOTE_MAX];
	int k, rc;

	for (k = 0; k < VSET_N && strcmp(e->key, set_keys[k]) != 0; k++)
		;
	if (k == VSET_N) {
		unknown_key(e, path, pr);
		return 0;
	}
	if (seen->line[k]) {
		problems_add(pr, path, e->line, SEV_ERROR,
			     "%s is set again; it was first set on line %d: keep one of the two lines",
			     set_keys[k], seen->line[k]);
		return 0;
	}
	seen->line[k] = e->line;
	if (e->value[0] == '\0') {
		problems_add(pr, path, e->line, SEV_ERROR,
			     "%s has no value; write one, or remove the line to keep the default (%s)",
			     set_keys[k], set_defaults[k]);
		return 0;
	}
	rc = set_value(set, (enum vset_key)k, e->value, why);
	if (rc > 0)
		problems_add(pr, path, e->line, SEV_ERROR, "%s %s: %s", set_keys[k],
			     validate_quote(e->value, q), why);
	return rc < 0 ? -1 : 0;
}

/* 1 when path A is B or inside it (both without trailing slashes). */
static int path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strcmp(b, "/") == 0 || (strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/'));
}

void validate_set_finish(const struct dd_settings *set, const struct vset_lines *seen,
			 const char *path, struct problems *pr)
{
	char qs[VALIDATE_QUOTE_MAX], qc[VALIDATE_QUOTE_MAX];
	int line = seen->line[VSET_STATE_DIR] ? seen->line[VSET_STATE_DIR]
					      : seen->line[VSET_CONF_DIR];
	int hline = seen->line[VSET_HOSTS_DIR] ? seen->line[VSET_HOSTS_DIR]
					       : seen->line[VSET_HOSTS_MODE];
	int is_auto = strcmp(set->conf_dir, "auto") == 0;

	/* dnsmasq would read backups or the state as hosts files, or
	 * backups would hold the live hosts file. */
	if (set->hosts_hot && (path_within(set->hosts_dir, set->state_dir) ||
			       path_within(set->state_dir, set->hosts_dir) ||
			       (!is_auto && (path_within(set->hosts_dir, set->conf_dir) ||
					     path_within(set->conf_dir, set->hosts_dir)))))
		problems_add(pr, path, hline, SEV_ERROR,
			     "hosts_dir %s overlaps state_dir %s or conf_dir %s: dnsmasq would read the other files there; put hosts_dir in a directory of its own (default %s)",
			     validate_quote(set->hosts_dir, qs), validate_quote(set->state_dir, qc),
			     set->conf_dir, set_defaults[VSET_HOSTS_DIR]);
	if (is_auto)
		return;
	if (path_within(set->state_dir, set->conf_dir))
		problems_add(pr, path, line, SEV_ERROR,
			     "state_dir %s is conf_dir %s or inside it: dnsmasq would load the backups as configuration; put state_dir elsewhere (default %s)",
			     validate_quote(set->state_dir, qs), validate_quote(set->conf_dir, qc),
			     set_defaults[VSET_STATE_DIR]);
}
