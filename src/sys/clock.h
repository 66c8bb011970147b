/* clock.h - the monotonic clock and one random generator, for the modules
 * that time things (restart, DNS queries) and name things (temp files,
 * query ids). */
#ifndef DNSDROP_CLOCK_H
#define DNSDROP_CLOCK_H

#include <stdint.h>

/* Milliseconds on the monotonic clock. */
long long clock_ms(void);

/* A seed that differs from run to run (getrandom; should the kernel lack
 * it, the clock and the pid). Not secret: callers only need names and ids
 * that are unlikely to clash, and check for clashes themselves. */
uint64_t rand_seed(void);

/* The next value of the splitmix64 generator with state S. */
uint64_t rand_next(uint64_t *s);

#endif
