/* validate_addr.c - judging addresses and numbers.
 *
 * dnsmasq turns a host-record field that is not an address into one more
 * name, so a typo in an address silently becomes a record for a strange
 * name: every address is checked here with inet_pton (which refuses leading
 * zeros and %zone in glibc and musl alike) and written back canonical. */
#include "validate.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The first byte no address has, named with the likely intent. */
static int check_chars(const char *in, char why[VALIDATE_MSG_MAX])
{
	char q[VALIDATE_QUOTE_MAX], one[2] = { 0, 0 };

	for (const char *p = in; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (is_hex(c) || c == '.' || c == ':')
			continue;
		one[0] = (char)c;
		if (validate_lookalike(p, why))
			;
		else if ((c == ' ' || c == '\t') && p[strspn(p, " \t")] == '#')
			validate_msgf(why, "has \"#\" after it, which is not a comment here: an inline comment is a blank and \";\", e.g. 10.0.0.1 ; note (\"#\" starts a comment only at the start of a line)");
		else if (c == '%')
			validate_msgf(why, "has a zone index (%%...); a DNS record holds a plain address: remove the zone");
		else if (c == '/')
			validate_msgf(why, "has a prefix length (/...); write the one address of the host");
		else if (c == '[' || c == ']')
			validate_msgf(why, "is in brackets; write the address without [ ]");
		else if (c == ' ' || c == '\t')
			validate_msgf(why, "has a blank inside; separate several addresses with commas, e.g. 10.0.0.1, fd00::1");
		else
			validate_msgf(why, "is not an IPv4 or IPv6 address (%s cannot appear in one); write e.g. 10.0.0.1 or fd00::1",
			     validate_quote(one, q));
		return -1;
	}
	return 0;
}

/* Why IN is not dotted-quad: a leading zero gets its own hint, because
 * some tools read 010 as octal 8 and inet_pton refuses it. */
static void why_not_v4(const char *in, char why[VALIDATE_MSG_MAX])
{
	const char *p = in;

	for (;;) {
		size_t n = strcspn(p, ".");
		if (n > 1 && p[0] == '0') {
			validate_msgf(why, "has a leading zero in \"%.*s\"; write the number without it (some tools read it as octal)",
			     (int)(n > 10 ? 10 : n), p);
			return;
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	validate_msgf(why, "is not an IPv4 address; write four numbers from 0 to 255 joined by dots, e.g. 10.0.0.1");
}

/* What inet_ntop writes for an IPv4 address, without the snprintf that
 * musl's makes per call: 100k addresses would pay it 100k times. */
static void v4_text(const unsigned char *b, char *out)
{
	for (int i = 0; i < 4; i++) {
		if (b[i] >= 100)
			*out++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*out++ = (char)('0' + b[i] / 10 % 10);
		*out++ = (char)('0' + b[i] % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

static int judge_v4(const unsigned char *b, char why[VALIDATE_MSG_MAX], char warn[VALIDATE_MSG_MAX])
{
	static const unsigned char zero[4], bcast[4] = { 255, 255, 255, 255 };

	if (memcmp(b, zero, 4) == 0)
		return validate_msgf(why, "is the unspecified address, which no host has; write the host's own address");
	if (memcmp(b, bcast, 4) == 0)
		return validate_msgf(why, "is the broadcast address; write the host's own address");
	if (b[0] >= 224 && b[0] <= 239)
		return validate_msgf(why, "is a multicast address (224.0.0.0/4); a record needs the host's unicast address");
	if (b[0] == 127)
		validate_msgf(warn, "is a loopback address: whoever asks reaches itself; make sure that is meant");
	return 0;
}

/* IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96, deprecated by
 * RFC 4291) addresses are refused: an AAAA record holding one is of no use
 * to a client, the administrator almost surely meant the IPv4, and glibc
 * and musl write ::/96 differently, which would make the output depend on
 * the libc. */
static int judge_v6(const unsigned char *b, char why[VALIDATE_MSG_MAX], char warn[VALIDATE_MSG_MAX])
{
	static const unsigned char zero[16], mapped[12] = { [10] = 0xff, [11] = 0xff };
	char v4[16];
	int map = memcmp(b, mapped, 12) == 0;

	if (memcmp(b, zero, 16) == 0)
		return validate_msgf(why, "is the unspecified address, which no host has; write the host's own address");
	if (b[0] == 0xff)
		return validate_msgf(why, "is a multicast address (ff00::/8); a record needs the host's unicast address");
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		validate_msgf(warn, "is the loopback address: whoever asks reaches itself; make sure that is meant");
	else if (map || memcmp(b, zero, 12) == 0) {
		v4_text(b + 12, v4);
		return validate_msgf(why, "is an IPv4-%s IPv6 address%s; write the IPv4 address %s itself",
				     map ? "mapped" : "compatible",
				     map ? ", useless in an AAAA record" : " (deprecated by RFC 4291)", v4);
	}
	return 0;
}

/* RFC 5952 text of an IPv6 address: lowercase hex without leading zeros,
 * the longest run of two or more zero groups written "::", the first such
 * run on a tie. Written here because musl's inet_ntop shortens the last
 * run on a tie (0:0:0:12::3 where glibc and RFC 5952 say ::12:0:0:0:3), and
 * the render must not depend on the libc. (::/96 and ::ffff:0:0/96, which
 * inet_ntop writes with a dotted quad, are refused before this.) */
void validate_addr_text6(const unsigned char b[16], char out[DD_ADDR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, best_len = 1;

	for (int i = 0, run = 0; i < 8; i++) {
		run = b[2 * i] | b[2 * i + 1] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	for (int i = 0; i < 8; i++) {
		unsigned w = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		int started = 0;

		if (i == best) {
			*out++ = ':';
			if (i == 0)
				*out++ = ':';
			i += best_len - 1;
			continue;
		}
		for (int d = 3; d >= 0; d--) {
			unsigned x = (w >> (d * 4)) & 0xf;

			if (x || started || d == 0) {
				*out++ = hex[x];
				started = 1;
			}
		}
		if (i < 7)
			*out++ = ':';
	}
	*out = '\0';
}

int validate_addr(const char *in, struct dd_addr *out, char why[VALIDATE_MSG_MAX],
		  char warn[VALIDATE_MSG_MAX])
{
	unsigned char b[16];
	int v6 = strchr(in, ':') != NULL;

	warn[0] = '\0';
	if (in[0] == '\0') {
		validate_msgf(why, "is empty; write an IPv4 or IPv6 address, e.g. 10.0.0.1 or fd00::1");
		return -1;
	}
	if (check_chars(in, why) < 0)
		return -1;
	if (!v6 && inet_pton(AF_INET, in, b) != 1) {
		why_not_v4(in, why);
		return -1;
	}
	if (v6 && inet_pton(AF_INET6, in, b) != 1) {
		validate_msgf(why, "is not an IPv6 address; write groups of 1-4 hex digits joined by ':' with at most one '::', e.g. fd00::12");
		return -1;
	}
	if ((v6 ? judge_v6(b, why, warn) : judge_v4(b, why, warn)) < 0)
		return -1;
	out->family = v6 ? AF_INET6 : AF_INET;
	if (!v6)
		v4_text(b, out->text);
	else
		validate_addr_text6(b, out->text);
	return 0;
}

int validate_number(const char *in, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long long v = 0;

	if (in[0] == '\0' || (in[0] == '0' && in[1] != '\0'))
		return -1;
	for (const char *p = in; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > hi)	/* also stops any overflow: hi fits in unsigned */
			return -1;
	}
	if (v < lo)
		return -1;
	*out = (unsigned)v;
	return 0;
}
