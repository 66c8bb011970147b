/* fuzz_grammar.c - the grammar of DESIGN.md section 4, written apart from
 * the validator (src/validate_*.c) so that the fuzz oracle does not share
 * its mistakes: names, addresses and numbers as a drop-in may hold them. */
#include "fuzz_grammar.h"

#include <arpa/inet.h>
#include <string.h>

#define NAME_MAX_BYTES 253
#define LABEL_MAX_BYTES 63
#define SERVICE_MAX_BYTES 15

static int is_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* One label: 1-63 of [a-z0-9-], no hyphen at either end. */
static int label_ok(const char *s, size_t n)
{
	if (n == 0 || n > LABEL_MAX_BYTES || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_ldh(s[i]))
			return 0;
	return 1;
}

/* Host name: labels joined by '.', at most 253, last label not all digits,
 * lowercase, no trailing dot. */
int fuzz_host_name_ok(const char *s, size_t n)
{
	size_t start = 0, digits = 1;

	if (n == 0 || n > NAME_MAX_BYTES)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!label_ok(s + start, i - start))
			return 0;
		if (i == n) {
			for (size_t j = start; j < n; j++)
				digits &= s[j] >= '0' && s[j] <= '9';
			return !digits;
		}
		start = i + 1;
	}
	return 0;
}

/* The domain of an SRV name: a host name whose labels may also be '_'
 * followed by a label (Active Directory: _msdcs, _sites), '_' counted in
 * the label's 63. */
static int srv_domain_ok(const char *s, size_t n)
{
	size_t start = 0, digits = 1;

	if (n == 0 || n > NAME_MAX_BYTES)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		const char *l = s + start;
		size_t len = i - start;

		if (i < n && s[i] != '.')
			continue;
		if (len > 0 && l[0] == '_' ? len < 2 || len > LABEL_MAX_BYTES || !label_ok(l + 1, len - 1)
					   : !label_ok(l, len))
			return 0;
		if (i == n) {
			for (size_t j = start; j < n; j++)
				digits &= s[j] >= '0' && s[j] <= '9';
			return !digits;
		}
		start = i + 1;
	}
	return 0;
}

/* _service (RFC 6335: 1-15 of [a-z0-9-], a letter, no hyphen at an end or
 * twice in a row) . _proto (an LDH label of at most 62 after its '_') .
 * domain (srv_domain_ok); at most 253 in all. */
int fuzz_srv_name_ok(const char *s, size_t n)
{
	const char *end = s + n, *svc = s + 1, *dot, *proto;
	size_t ns, np;
	int letter = 0;

	if (n == 0 || n > NAME_MAX_BYTES || s[0] != '_')
		return 0;
	if (!(dot = memchr(svc, '.', (size_t)(end - svc))) || end - dot < 3 || dot[1] != '_')
		return 0;
	ns = (size_t)(dot - svc);
	if (ns == 0 || ns > SERVICE_MAX_BYTES || !label_ok(svc, ns) || memmem(svc, ns, "--", 2))
		return 0;
	for (size_t i = 0; i < ns; i++)
		letter |= svc[i] >= 'a' && svc[i] <= 'z';
	proto = dot + 2;
	if (!letter || !(dot = memchr(proto, '.', (size_t)(end - proto))))
		return 0;
	np = (size_t)(dot - proto);
	if (np + 1 > LABEL_MAX_BYTES || !label_ok(proto, np))
		return 0;
	return srv_domain_ok(dot + 1, (size_t)(end - dot - 1));
}

static int v4_forbidden(const unsigned char *b)
{
	static const unsigned char zero[4], bcast[4] = { 255, 255, 255, 255 };

	return !memcmp(b, zero, 4) || !memcmp(b, bcast, 4) || (b[0] >= 224 && b[0] <= 239);
}

/* ::, ff00::/8, ::ffff:0:0/96 (mapped), ::/96 except ::1 (compatible). */
static int v6_forbidden(const unsigned char *b)
{
	static const unsigned char zero[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(b, zero, 16) || b[0] == 0xff || !memcmp(b, mapped, 12))
		return 1;
	return !memcmp(b, zero, 12) && !(memcmp(b, zero, 15) == 0 && b[15] == 1);
}

/* Groups written in TEXT (N bytes, ':'-separated, none when N is 0); -1
 * when one is not lowercase hex of 1-4 digits without a leading zero. */
static int v6_groups(const char *p, size_t n)
{
	int groups = 0;

	for (size_t i = 0, len = 0; n && i <= n; i++) {
		if (i < n && p[i] != ':') {
			if (!strchr("0123456789abcdef", p[i]) || ++len > 4 || (len == 2 && p[i - 1] == '0'))
				return -1;
			continue;
		}
		if (len == 0)
			return -1;
		groups++;
		len = 0;
	}
	return groups;
}

/* IN is the RFC 5952 text of B: lowercase, no leading zeros, "::" for the
 * longest run of two or more zero groups (the first on a tie) and nowhere
 * else. Checked by rule, not against inet_ntop: musl's breaks ties the
 * other way (0:0:0:2::3 for ::2:0:0:0:3). */
static int v6_canonical(const char *in, const unsigned char *b)
{
	const char *dc = strstr(in, "::");
	int best = -1, best_len = 1, before, after;

	for (int i = 0, run = 0; i < 8; i++) {
		run = b[2 * i] | b[2 * i + 1] ? 0 : run + 1;
		if (run > best_len) {
			best_len = run;
			best = i - run + 1;
		}
	}
	if (!dc)
		return best < 0 && v6_groups(in, strlen(in)) == 8;
	before = v6_groups(in, (size_t)(dc - in));
	after = v6_groups(dc + 2, strlen(dc + 2));
	return best >= 0 && before == best && after == 8 - best - best_len;
}

/* An address that inet_pton reads and that is written canonically (IPv4:
 * as inet_ntop writes it back; IPv6: RFC 5952), and not one the rules
 * refuse. *FAMILY gets its family. */
int fuzz_addr_ok(const char *s, size_t n, int *family)
{
	char in[INET6_ADDRSTRLEN + 1], out[INET6_ADDRSTRLEN + 1];
	unsigned char b[16];
	int af;

	if (n == 0 || n >= sizeof in)
		return 0;
	memcpy(in, s, n);
	in[n] = '\0';
	af = memchr(in, ':', n) ? AF_INET6 : AF_INET;
	if (inet_pton(af, in, b) != 1)
		return 0;
	if (af == AF_INET ? !inet_ntop(af, b, out, sizeof out) || strcmp(in, out) : !v6_canonical(in, b))
		return 0;
	*family = af;
	return af == AF_INET ? !v4_forbidden(b) : !v6_forbidden(b);
}

/* Plain decimal in [LO, HI]: digits only, no leading zero, no sign. */
int fuzz_number_ok(const char *s, size_t n, unsigned lo, unsigned hi)
{
	unsigned long v = 0;

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v >= lo && v <= hi;
}
