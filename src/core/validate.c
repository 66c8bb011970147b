/* validate.c - judging: the walk over the INI entries and the records of
 * [hosts], [srv] and [cname], one line at a time. Names, addresses and
 * settings are judged in validate_name.c, validate_addr.c and
 * validate_set.c; rules across lines in validate_dup.c.
 *
 * Every problem is collected, never only the first. A record whose own
 * line is valid enters the model even when other lines are not, so the
 * rules across lines can still name the first of two duplicates. */
#include "validate.h"
#include "mra.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "sort.h"

struct vctx {
	const char *path;
	struct dd_config *cfg;
	struct problems *pr;
	size_t hcap, scap, ccap;
	struct vset_lines seen;	/* the line of each [dnsdrop] key */
	size_t records;		/* lines of [hosts], [srv] and [cname] */
};

#define SRV_DEFAULT_PRIORITY 10
#define SRV_DEFAULT_WEIGHT 10

/* Well-known MRA services and the port their clients expect. */
static const struct {
	const char *prefix;
	unsigned port;
} mra_ports[] = {
	{ "_collab-edge._tls.", 8443 }, { "_cisco-uds._tcp.", 8443 },
	{ "_cuplogin._tcp.", 8443 }, { "_xmpp-server._tcp.", 5269 },
	{ "_xmpp-client._tcp.", 5222 }, { "_sips._tcp.", 5061 },
	{ "_sip._tcp.", 5060 }, { "_sip._udp.", 5060 },
};

/* Room for element N in V (of *CAP elements of SIZE): V itself, a larger
 * copy, or NULL when out of memory (V is then untouched). */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *nv;

	if (n < *cap)
		return v;
	if (ncap > SIZE_MAX / size || !(nv = realloc(v, ncap * size)))
		return NULL;
	*cap = ncap;
	return nv;
}

/* A writable copy of S: in BUF (SIZE bytes) when it fits, which every
 * value of a 1000-byte line does, else on the heap. NULL out of memory. */
static char *scratch(const char *s, char *buf, size_t size)
{
	size_t n = strlen(s) + 1;
	char *d = n <= size ? buf : malloc(n);

	return d ? memcpy(d, s, n) : NULL;
}

/* Number of decimal digits of V. */
static size_t digits(unsigned v)
{
	size_t n = 1;

	while ((v /= 10) != 0)
		n++;
	return n;
}

/* dnsmasq reads a line of 1024 bytes or more as two lines; the name limits
 * keep every line far below, and this makes sure of it. */
static int line_fits(struct vctx *v, int line, size_t len)
{
	if (len <= DD_RENDER_LINE_MAX)
		return 1;
	problems_add(v->pr, v->path, line, SEV_ERROR,
		     "the drop-in line for this record would be %zu bytes, more than dnsmasq reads as one line (%d); shorten the names",
		     len, DD_RENDER_LINE_MAX);
	return 0;
}

/* A target written as an address: SRV and CNAME targets must be names. */
static int looks_like_addr(const char *s)
{
	unsigned char b[4];

	return s[0] == '[' || strchr(s, ':') || inet_pton(AF_INET, s, b) == 1;
}

/* "WHAT "VAL": WHY" at LINE. */
static void bad(struct vctx *v, int line, enum severity sev, const char *what, const char *val,
		const char *why)
{
	char q[VALIDATE_QUOTE_MAX];

	problems_add(v->pr, v->path, line, sev, "%s %s: %s", what, validate_quote(val, q), why);
}

/* An SRV or CNAME target S: a host name, not an address (ADDR says what to
 * do instead). 1 if valid, into OUT; else reported. */
static int judge_target(struct vctx *v, int line, const char *s, char out[DD_NAME_MAX + 1],
			const char *addr)
{
	char why[VALIDATE_MSG_MAX], q[VALIDATE_QUOTE_MAX];

	if (looks_like_addr(s))
		problems_add(v->pr, v->path, line, SEV_ERROR, "target %s is an address; %s",
			     validate_quote(s, q), addr);
	else if (validate_hostname(s, out, why) < 0)
		bad(v, line, SEV_ERROR, "target", s, why);
	else
		return 1;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct dd_addr *x = a, *y = b;

	return x->family != y->family ? x->family - y->family : strcmp(x->text, y->text);
}

/* The same address twice on one line: sorted, so O(k log k) per line. */
static int dup_addrs(struct vctx *v, const struct ini_entry *e, const struct dd_addr *a, size_t n)
{
	struct dd_addr *s;

	if (n < 2)
		return 0;
	if (!(s = malloc(n * sizeof *s)))
		return -1;
	memcpy(s, a, n * sizeof *s);
	sort_array(s, n, sizeof *s, cmp_addr);
	for (size_t i = 1; i < n; i++)
		/* cppcheck-suppress arrayIndexThenCheck ; i >= 1 here, s[i - 2] only when i >= 2 */
		if (cmp_addr(&s[i - 1], &s[i]) == 0 && (i < 2 || cmp_addr(&s[i - 2], &s[i]) != 0))
			problems_add(v->pr, v->path, e->line, SEV_ERROR,
				     "address %s is given twice on this line; remove one", s[i].text);
	free(s);
	return 0;
}

/* Split E->value on commas into A (room for one per comma + 1); returns the
 * number of valid addresses. */
static size_t host_addrs(struct vctx *v, const struct ini_entry *e, char *val, struct dd_addr *a)
{
	char why[VALIDATE_MSG_MAX], warn[VALIDATE_MSG_MAX];
	size_t n = 0, len;
	char *item = val, *end;

	for (int last = 0; !last; item = end + 1) {
		end = item + strcspn(item, ",");
		last = *end == '\0';
		*end = '\0';
		while (is_blank(*item))
			item++;
		for (len = strlen(item); len && is_blank(item[len - 1]); len--)
			item[len - 1] = '\0';
		if (len == 0) {
			problems_add(v->pr, v->path, e->line, SEV_ERROR,
				     "empty address between commas; remove the extra comma (write name = addr1, addr2)");
		} else if (validate_addr(item, &a[n], why, warn) < 0) {
			bad(v, e->line, SEV_ERROR, "address", item, why);
		} else {
			if (warn[0])
				bad(v, e->line, SEV_WARNING, "address", item, warn);
			n++;
		}
	}
	return n;
}

/* [hosts] name = addr[, addr ...] */
static int host_entry(struct vctx *v, const struct ini_entry *e)
{
	char name[DD_NAME_MAX + 1], why[VALIDATE_MSG_MAX], line[CONFIG_MAX_LINE + 1], *val;
	struct dd_config *cfg = v->cfg;
	size_t slots = 1, n;
	struct dd_addr *a;
	struct dd_host *h;
	int ok = validate_hostname(e->key, name, why) == 0;

	if (!ok)
		bad(v, e->line, SEV_ERROR, "name", e->key, why);
	for (const char *p = e->value; *p; p++)
		slots += *p == ',';
	/* In the model's memory from the start: a line with errors leaves
	 * its few bytes there unused, and a valid one costs no copy. */
	if (!(a = model_alloc(cfg, slots * sizeof *a)) || !(val = scratch(e->value, line, sizeof line)))
		return -1;
	n = host_addrs(v, e, val, a);
	if (val != line)
		free(val);
	for (size_t i = 0; ok && i < n; i++)
		ok = line_fits(v, e->line, strlen("host-record=,") + strlen(name) + strlen(a[i].text));
	if (dup_addrs(v, e, a, n) < 0)
		return -1;
	if (!ok)
		return 0;
	if (!(h = grow(cfg->host, &v->hcap, cfg->nhost, sizeof *h)))
		return -1;
	cfg->host = h;
	cfg->host[cfg->nhost] = (struct dd_host){ model_strdup(cfg, name), a, n, e->line };
	if (!cfg->host[cfg->nhost].name)
		return -1;
	cfg->nhost++;
	return 0;
}

/* Split VAL in place on blanks into at most MAX fields in F; returns the
 * count, or MAX + 1 when there are more. */
static int split_blanks(char *val, char **f, int max)
{
	int n = 0;
	char *p = val;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			return n;
		if (n == max)
			return max + 1;
		f[n++] = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

/* The value of an [srv] line into REC; TARGET[0] is '\0' for ".".
 * 1 if valid, 0 if not (reported), -1 out of memory. */
static int srv_value(struct vctx *v, const struct ini_entry *e, char target[DD_NAME_MAX + 1],
		     struct dd_srv *rec)
{
	static const char form[] = "write target:port [priority [weight]], e.g. cucm1.example.local:8443 10 10";
	static const struct {
		const char *what;
		unsigned lo, eg;
	} num[] = { { "port", 1, 5061 }, { "priority", 0, 10 }, { "weight", 0, 10 } };
	unsigned *out[] = { &rec->port, &rec->priority, &rec->weight };
	char *f[3] = { "", "", "" }, *val, *colon, q[VALIDATE_QUOTE_MAX], line[CONFIG_MAX_LINE + 1];
	int n, ok = 0;

	target[0] = '\0';
	if (strchr(e->value, ',')) {
		problems_add(v->pr, v->path, e->line, SEV_ERROR,
			     "fields are separated by blanks, not commas; %s", form);
		return 0;
	}
	if (!(val = scratch(e->value, line, sizeof line)))
		return -1;
	n = split_blanks(val, f, 3);
	if (n > 3)
		problems_add(v->pr, v->path, e->line, SEV_ERROR, "too many fields; %s", form);
	else if (strcmp(f[0], ".") == 0 && n > 1)
		problems_add(v->pr, v->path, e->line, SEV_ERROR,
			     "\".\" (service not offered) takes no port, priority or weight; write just \".\"");
	else if (strcmp(f[0], ".") == 0)
		ok = 1;
	else {
		/* f[0] "target:port" becomes the port; priority and weight
		 * are judged even without one. */
		if (!(colon = strrchr(f[0], ':'))) {
			problems_add(v->pr, v->path, e->line, SEV_ERROR, "%s has no port; %s",
				     validate_quote(f[0], q), form);
		} else {
			*colon = '\0';
			ok = judge_target(v, e->line, f[0], target,
					  "an SRV target must be a name: give the address a name under [hosts] and use that name here");
			f[0] = colon + 1;
		}
		for (int i = !colon; i < n; i++) {
			if (validate_number(f[i], num[i].lo, 65535, out[i]) == 0)
				continue;
			problems_add(v->pr, v->path, e->line, SEV_ERROR,
				     "%s %s is not a number from %u to 65535; write e.g. %u",
				     num[i].what, validate_quote(f[i], q), num[i].lo, num[i].eg);
			ok = 0;
		}
	}
	if (val != line)
		free(val);
	return ok;
}

unsigned validate_mra_port(const char *name)
{
	for (size_t i = 0; i < sizeof mra_ports / sizeof *mra_ports; i++)
		if (strncmp(name, mra_ports[i].prefix, strlen(mra_ports[i].prefix)) == 0)
			return mra_ports[i].port;
	return 0;
}

/* MRA clients look for these services on one port only. */
static void mra_port(struct vctx *v, const struct dd_srv *rec)
{
	unsigned want = validate_mra_port(rec->name);
	size_t n = strcspn(strchr(rec->name, '.') + 1, ".") + strcspn(rec->name, ".") + 1;

	if (want && rec->port != want)
		problems_add(v->pr, v->path, rec->line, SEV_WARNING,
			     want == 8443
			     ? "%.*s on port %u is unusual: MRA clients expect port %u; check the port"
			     : "%.*s on port %u is unusual: that service is on port %u (it is not an MRA record; MRA's are _collab-edge._tls and _cisco-uds._tcp on 8443); check the port",
			     (int)n, rec->name, rec->port, want);
}

/* [srv] name = target:port [priority [weight]] | . */
static int srv_entry(struct vctx *v, const struct ini_entry *e)
{
	char name[DD_NAME_MAX + 1], target[DD_NAME_MAX + 1], why[VALIDATE_MSG_MAX],
		warn[VALIDATE_MSG_MAX];
	struct dd_srv rec = { NULL, NULL, 0, SRV_DEFAULT_PRIORITY, SRV_DEFAULT_WEIGHT, e->line };
	struct dd_config *cfg = v->cfg;
	struct dd_srv *s;
	int ok = validate_srvname(e->key, name, why, warn) == 0, vok;

	if (!ok || warn[0])
		bad(v, e->line, ok ? SEV_WARNING : SEV_ERROR, "name", e->key, ok ? warn : why);
	if ((vok = srv_value(v, e, target, &rec)) < 0)
		return -1;
	if (!ok || !vok)
		return 0;
	rec.name = name;
	if (target[0]) {
		mra_port(v, &rec);
		if (!line_fits(v, e->line, strlen("srv-host=,,,,") + strlen(name) + strlen(target) +
					   digits(rec.port) + digits(rec.priority) + digits(rec.weight)))
			return 0;
	}
	if (!(s = grow(cfg->srv, &v->scap, cfg->nsrv, sizeof *s)))
		return -1;
	cfg->srv = s;
	if (!(rec.name = model_strdup(cfg, name)) ||
	    (target[0] && !(rec.target = model_strdup(cfg, target))))
		return -1;
	cfg->srv[cfg->nsrv++] = rec;
	return 0;
}

/* [cname] alias = target */
static int cname_entry(struct vctx *v, const struct ini_entry *e)
{
	char alias[DD_NAME_MAX + 1] = "", target[DD_NAME_MAX + 1] = "", why[VALIDATE_MSG_MAX];
	struct dd_config *cfg = v->cfg;
	struct dd_cname rec = { NULL, NULL, e->line }, *c;
	int ok = validate_hostname(e->key, alias, why) == 0;

	if (!ok)
		bad(v, e->line, SEV_ERROR, "alias", e->key, why);
	ok &= judge_target(v, e->line, e->value, target,
			   "a CNAME points at a name: to give the alias an address, put it under [hosts] instead");
	if (!ok || !line_fits(v, e->line, strlen("cname=,") + strlen(alias) + strlen(target)))
		return 0;
	if (!(c = grow(cfg->cname, &v->ccap, cfg->ncname, sizeof *c)))
		return -1;
	cfg->cname = c;
	if (!(rec.alias = model_strdup(cfg, alias)) || !(rec.target = model_strdup(cfg, target)))
		return -1;
	cfg->cname[cfg->ncname++] = rec;
	return 0;
}

/* An empty value, with the form the section expects. */
static void empty_value(struct vctx *v, const struct ini_entry *e)
{
	static const char *const form[] = {
		[SEC_HOSTS] = "name = address[, address ...]",
		[SEC_SRV] = "name = target:port [priority [weight]], or name = . (not offered)",
		[SEC_CNAME] = "alias = target",
	};
	char q[VALIDATE_QUOTE_MAX];

	problems_add(v->pr, v->path, e->line, SEV_ERROR, "%s has no value; write %s",
		     validate_quote(e->key, q), form[e->sec]);
}

/* One line of [hosts], [srv] or [cname]. */
static int record_entry(struct vctx *v, const struct ini_entry *e)
{
	v->records++;
	if (e->value[0] == '\0') {
		empty_value(v, e);
		return 0;
	}
	if (e->sec == SEC_HOSTS)
		return host_entry(v, e);
	if (e->sec == SEC_SRV)
		return srv_entry(v, e);
	return cname_entry(v, e);
}

/* config_fn: one entry, as the loader reads it. */
static int judge_entry(void *ctx, const struct ini_entry *e)
{
	struct vctx *v = ctx;
	char q[VALIDATE_QUOTE_MAX];

	if (e->sec == SEC_DNSDROP)
		return validate_set_entry(&v->cfg->set, &v->seen, e, v->path, v->pr);
	if (e->sec == SEC_MRA)
		return mra_entry(v->cfg, e, v->pr);
	if (e->sec != SEC_NONE)
		return record_entry(v, e);
	problems_add(v->pr, v->path, e->line, SEV_ERROR,
		     "%s is outside any section; put it under [hosts], [srv], [cname] or [dnsdrop]",
		     validate_quote(e->key, q));
	return 0;
}

/* Judge the INI TEXT (LEN bytes) or, when TEXT is NULL, the N entries at
 * E; then the rules across lines. */
static int judge(const char *path, struct dd_config *cfg, struct problems *pr, const char *text,
		 size_t len, const struct ini_entry *e, size_t n)
{
	struct vctx v = { .path = path, .cfg = cfg, .pr = pr };

	*cfg = (struct dd_config){ .path = path };
	if (validate_set_defaults(&cfg->set) < 0)
		return -1;
	if (text && config_parse(text, len, path, judge_entry, &v, pr) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (judge_entry(&v, &e[i]) < 0)
			return -1;
	validate_set_finish(&cfg->set, &v.seen, path, pr);
	mra_finish(cfg, pr);
	if (validate_dup(cfg, pr) < 0)
		return -1;
	if (v.records == 0 && !pr->errors)	/* with errors, they say why */
		problems_add(pr, path, 0, SEV_WARNING,
			     "no records: apply would install empty drop-ins; add records under [hosts], [srv] or [cname]");
	return pr->oom ? -1 : 0;
}

int validate_ini(const char *text, size_t len, const char *path, struct dd_config *cfg,
		 struct problems *pr)
{
	return judge(path, cfg, pr, text, len, NULL, 0);
}

int validate_entries(const struct ini_entry *e, size_t n, const char *path,
		     struct dd_config *cfg, struct problems *pr)
{
	return judge(path, cfg, pr, NULL, 0, e, n);
}
