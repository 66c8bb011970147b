/* validate_name.c - judging names: host names, CNAME aliases and targets,
 * SRV owner names and targets.
 *
 * dnsmasq accepts almost any byte in a name and reads ',' '#' and line ends
 * as syntax, so this is the only guard between the INI and a drop-in that
 * means something else: a name is [a-z0-9.-] after lowercasing, plus, in an
 * SRV name only, a '_' that starts a label: the _service and _proto labels
 * and labels of the domain after them (Active Directory's
 * _ldap._tcp.dc._msdcs.DOMAIN, _kerberos._tcp.SITE._sites.DOMAIN). */
#include "validate.h"
#include "render.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SERVICE_MAX 15		/* RFC 6335 section 5.1 */

/* Every sentence is bounded by design (labels and characters it names are
 * short); should one still not fit, it ends in "..." rather than mid-word. */
int validate_msgf(char why[VALIDATE_MSG_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(why, VALIDATE_MSG_MAX, fmt, ap);
	va_end(ap);
	if (n >= VALIDATE_MSG_MAX)
		memcpy(why + VALIDATE_MSG_MAX - 4, "...", 4);
	return -1;
}

const char *validate_quote(const char *s, char buf[VALIDATE_QUOTE_MAX])
{
	size_t o = 0, i;
	unsigned char c;

	buf[o++] = '"';
	for (i = 0; i < VALIDATE_QUOTE_SHOWN && s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(buf + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			buf[o++] = (char)c;
		}
	}
	if (s[i] != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Characters that mail and word processors paste in for a blank or a
 * hyphen: they look like one, so the message names them. UTF-8, code
 * point, name; the blank-likes first, then the hyphen-likes (from
 * LOOK_HYPHEN). */
static const struct {
	char utf8[4];
	unsigned short cp;
	char name[22];
} lookalikes[] = {
	{ "\xc2\xa0", 0xa0, "a non-breaking space" }, { "\xe2\x80\x8b", 0x200b, "a zero-width space" },
	{ "\xef\xbb\xbf", 0xfeff, "a byte order mark" }, { "\xc2\xad", 0xad, "a soft hyphen" },
	{ "\xe2\x80\x91", 0x2011, "a non-breaking hyphen" }, { "\xe2\x80\x93", 0x2013, "an en dash" },
};
#define LOOK_HYPHEN 3

const char *validate_lookalike(const char *p, char why[VALIDATE_MSG_MAX])
{
	for (size_t i = 0; i < sizeof lookalikes / sizeof *lookalikes; i++) {
		/* only a match may be read past its first byte */
		if (strncmp(p, lookalikes[i].utf8, strlen(lookalikes[i].utf8)) != 0)
			continue;
		validate_msgf(why, "has %s (U+%04X), which looks like a plain %s but is not ASCII (often pasted from mail or a document); %s",
			      lookalikes[i].name, lookalikes[i].cp, i >= LOOK_HYPHEN ? "hyphen" : "blank",
			      i >= LOOK_HYPHEN ? "type a plain hyphen (-) in its place"
					       : "delete it and retype the blanks around it");
		return why;
	}
	return NULL;
}

/* Why the byte at P may not be in a name (there); SRV says the '_' hint is
 * about an SRV name. */
static void bad_char(const char *p, int srv, char why[VALIDATE_MSG_MAX])
{
	unsigned char c = (unsigned char)*p;
	char q[VALIDATE_QUOTE_MAX], one[2] = { (char)c, 0 };

	if (validate_lookalike(p, why))
		;
	else if (c >= 0x80)
		validate_msgf(why, "has a non-ASCII byte (\\x%02x); write the name in its IDNA form, which starts with \"xn--\" (e.g. from: idn2 NAME)", c);
	else if (c == '_' && srv)
		validate_msgf(why, "\"_\" is only allowed at the start of a label (as in _ldap._tcp.dc._msdcs.example.com); use \"-\" elsewhere");
	else if (c == '_')
		validate_msgf(why, "\"_\" is only allowed at the start of a label of an [srv] name; use \"-\"");
	else if (c == ' ' || c == '\t')
		validate_msgf(why, "has a blank (%s); a name is one word of letters, digits, hyphens and dots", validate_quote(one, q));
	else
		validate_msgf(why, "%s is not allowed in a name (dnsmasq would read it as syntax or another line); use only letters, digits, hyphens and dots",
		     validate_quote(one, q));
}

/* Copy IN lowercased without one trailing dot into OUT, judging every
 * byte ('_' only at the start of a label, and only when SRV), then the
 * length. One pass: 100k records carry 200k names. */
static int normalise(const char *in, int srv, char out[DD_NAME_MAX + 1],
		     char why[VALIDATE_MSG_MAX])
{
	size_t len;

	for (len = 0; in[len] != '\0'; len++) {
		unsigned char c = (unsigned char)in[len];
		if ((c >= 'a' && c <= 'z') || c == '.' || (c >= '0' && c <= '9') || c == '-')
			;	/* the usual bytes first */
		else if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		else if (c != '_' || !srv || (len > 0 && in[len - 1] != '.')) {
			bad_char(in + len, srv, why);
			return -1;
		}
		if (len <= DD_NAME_MAX)
			out[len] = (char)c;
	}
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return validate_msgf(why, "is empty; write a name such as host.example.com");
	if (len > DD_NAME_MAX)
		return validate_msgf(why, "is %zu characters long; a name may have at most %d (not counting a trailing dot): shorten it",
		     len, DD_NAME_MAX);
	out[len] = '\0';
	return 0;
}

/* One label of N bytes at L (characters already judged; a leading '_'
 * is judged with the rest of the label after it). */
static int check_label(const char *l, size_t n, char why[VALIDATE_MSG_MAX])
{
	size_t u = n > 0 && l[0] == '_';

	if (n == 1 && u) {
		validate_msgf(why, "has a label that is only \"_\"; write the whole label, e.g. _msdcs");
		return -1;
	}
	if (n == 0) {
		validate_msgf(why, "has an empty label (a leading dot or two dots in a row); remove the extra dot");
		return -1;
	}
	if (n > DD_LABEL_MAX) {
		validate_msgf(why, "has a label of %zu characters; a label (the part between dots) may have at most %d",
		     n, DD_LABEL_MAX);
		return -1;
	}
	if (l[u] == '-' || l[n - 1] == '-') {
		validate_msgf(why, "label \"%.*s\" starts or ends with \"-\"; a label must begin and end with a letter or digit",
		     (int)n, l);
		return -1;
	}
	return 0;
}

/* The dot-separated labels of NAME, host name rules. */
static int check_labels(const char *name, char why[VALIDATE_MSG_MAX])
{
	const char *l = name;
	size_t n;
	int digits;

	for (;;) {
		for (n = 0; l[n] != '\0' && l[n] != '.'; n++)
			;
		if (check_label(l, n, why) < 0)
			return -1;
		if (l[n] == '\0')
			break;
		l += n + 1;
	}
	digits = 1;
	for (size_t i = 0; i < n; i++)
		digits &= l[i] >= '0' && l[i] <= '9';
	if (digits)
		return validate_msgf(why, "ends in the all-digit label \"%.*s\", which reads as part of an address; the last label of a name needs a letter",
		     (int)n, l);
	return 0;
}

int validate_hostname(const char *in, char out[DD_NAME_MAX + 1], char why[VALIDATE_MSG_MAX])
{
	if (normalise(in, 0, out, why) < 0 || check_labels(out, why) < 0)
		return -1;
	if (strcmp(out, RENDER_MARKER_NAME) == 0)
		return validate_msgf(why, "is reserved: dnsdrop writes it into hosts.conf to tell which configuration dnsmasq serves; use another name");
	return 0;
}

/* RFC 6335 section 5.1: 1-15 of [a-z0-9-], a letter, no hyphen at either
 * end or twice in a row. S (N bytes) is the label without its '_'. */
static int check_service(const char *s, size_t n, char why[VALIDATE_MSG_MAX])
{
	int letter = 0, twice = 0;

	if (n == 0)
		return validate_msgf(why, "the _service label is empty; write e.g. _sip._tcp.example.com");
	if (n > SERVICE_MAX)
		return validate_msgf(why, "service \"_%.*s\" is %zu characters; RFC 6335 allows at most %d (check the spelling)",
		     (int)n, s, n, SERVICE_MAX);
	for (size_t i = 0; i < n; i++) {
		letter |= s[i] >= 'a' && s[i] <= 'z';	/* S is lowercased */
		twice |= i && s[i] == '-' && s[i - 1] == '-';
	}
	if (!letter)
		return validate_msgf(why, "service \"_%.*s\" has no letter; RFC 6335 service names need one (e.g. _sip)", (int)n, s);
	if (s[0] == '-' || s[n - 1] == '-' || twice)
		return validate_msgf(why, "service \"_%.*s\" has a hyphen at an end or two in a row; RFC 6335 does not allow that",
		     (int)n, s);
	return 0;
}

/* The _proto label: P (N bytes) without its '_'. Sets WARN when unusual. */
static int check_proto(const char *p, size_t n, char why[VALIDATE_MSG_MAX],
		       char warn[VALIDATE_MSG_MAX])
{
	static const char usual[][5] = { "tcp", "udp", "tls", "sctp" };

	if (n == 0)
		return validate_msgf(why, "the _proto label is empty; write e.g. _tcp");
	if (n + 1 > DD_LABEL_MAX)
		return validate_msgf(why, "the _proto label has %zu characters; a label may have at most %d", n + 1, DD_LABEL_MAX);
	if (p[0] == '-' || p[n - 1] == '-')
		return validate_msgf(why, "protocol \"_%.*s\" starts or ends with \"-\"; write e.g. _tcp", (int)n, p);
	for (size_t i = 0; i < sizeof usual / sizeof *usual; i++)
		if (strlen(usual[i]) == n && memcmp(p, usual[i], n) == 0)
			return 0;
	validate_msgf(warn, "protocol \"_%.*s\" is not one of _tcp, _udp, _tls, _sctp; check the spelling", (int)n, p);
	return 0;
}

int validate_srvname(const char *in, char out[DD_NAME_MAX + 1], char why[VALIDATE_MSG_MAX],
		     char warn[VALIDATE_MSG_MAX])
{
	const char *dot, *proto, *domain;

	warn[0] = '\0';
	if (in[0] != '_')
		return validate_msgf(why, "must start with _service._proto, e.g. _sip._tcp.example.com");
	if (normalise(in, 1, out, why) < 0)
		return -1;
	dot = strchr(out, '.');
	if (!dot || dot[1] != '_')
		return validate_msgf(why, "needs a _proto label after the _service label, e.g. _sip._tcp.example.com");
	proto = dot + 1;
	dot = strchr(proto, '.');
	if (!dot)
		return validate_msgf(why, "needs a domain after _service._proto, e.g. _sip._tcp.example.com");
	domain = dot + 1;
	if (check_service(out + 1, (size_t)(proto - 1 - (out + 1)), why) < 0 ||
	    check_proto(proto + 1, (size_t)(dot - (proto + 1)), why, warn) < 0 ||
	    check_labels(domain, why) < 0) {
		warn[0] = '\0';
		return -1;
	}
	return 0;
}
