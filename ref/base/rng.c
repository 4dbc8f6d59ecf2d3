/* SPDX-License-Identifier: BSD-3-Clause */
/* xoshiro256** by Blackman and Vigna (public domain algorithm). */
#include "base/rng.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t rng_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t rng_u32(struct rng *r)
{
	return (uint32_t)(rng_u64(r) >> 32);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* Rejection sampling removes modulo bias. */
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	uint64_t v;

	do
		v = rng_u64(r);
	while (v >= lim);
	return v % n;
}

double rng_unit(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

void rng_hex(struct rng *r, char *dst, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 16 == 0)
			v = rng_u64(r);
		dst[i] = hex[v & 15];
		v >>= 4;
	}
	dst[len] = '\0';
}

void rng_bytes(struct rng *r, void *dst, size_t len)
{
	unsigned char *d = dst;
	size_t i;
	uint64_t v = 0;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			v = rng_u64(r);
		d[i] = (unsigned char)v;
		v >>= 8;
	}
}
