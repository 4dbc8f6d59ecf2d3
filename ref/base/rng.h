/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded pseudo-random generator (xoshiro256**, seeded through splitmix64)
 * injected into cores for branches, tags, SSRCs and nonces' salt. The same
 * seed gives the same sequence: determinism in the simulated drivers. Not
 * for secrets: the live driver seeds it from getrandom() and keeps key
 * material in OpenSSL/libsodium.
 */
#ifndef BASE_RNG_H
#define BASE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
uint32_t rng_u32(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);
/* len lowercase hex characters into dst, NUL-terminated (dst: len + 1). */
void rng_hex(struct rng *r, char *dst, size_t len);
void rng_bytes(struct rng *r, void *dst, size_t len);

#endif
