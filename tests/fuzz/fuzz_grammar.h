/* fuzz_grammar.h - what a name, address or number in a drop-in may be,
 * for the fuzz oracle (fuzz_core.c). Each takes N bytes at S (no NUL
 * needed) and returns 1 when they are valid, 0 when not. */
#ifndef DNSDROP_FUZZ_GRAMMAR_H
#define DNSDROP_FUZZ_GRAMMAR_H

#include <stddef.h>

/* Labels of 1-63 [a-z0-9-] (no hyphen at an end) joined by '.', at most
 * 253, the last not all digits; lowercase, no trailing dot. */
int fuzz_host_name_ok(const char *s, size_t n);
/* _service._proto.HOSTNAME: service per RFC 6335, proto an LDH label. */
int fuzz_srv_name_ok(const char *s, size_t n);
/* Canonical (inet_pton then inet_ntop gives it back unchanged) and not
 * refused (unspecified, broadcast, multicast, IPv4-mapped or -compatible);
 * *FAMILY gets AF_INET or AF_INET6. */
int fuzz_addr_ok(const char *s, size_t n, int *family);
/* Plain decimal in [LO, HI]: digits only, no leading zero, no sign. */
int fuzz_number_ok(const char *s, size_t n, unsigned lo, unsigned hi);

#endif
