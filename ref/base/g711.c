/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * G.711 µ-law and A-law companders (see g711.h). µ-law clips the magnitude
 * at 32635 so that adding the bias cannot overflow segment 7; A-law works
 * on the 12-bit magnitude (the 3 low bits are below its finest step), and
 * negative inputs use -x - 1 so that -32768 stays in range.
 */
#include "base/g711.h"

#define ULAW_BIAS 0x84
#define ULAW_CLIP 32635

uint8_t g711_ulaw_encode(int16_t pcm)
{
	int x = pcm;
	uint8_t sign = 0;
	int exp = 7;
	int mask;

	if (x < 0) {
		sign = 0x80;
		x = -x;
	}
	if (x > ULAW_CLIP)
		x = ULAW_CLIP;
	x += ULAW_BIAS;
	/* Segment = position of the top bit among bits 14..7. */
	for (mask = 0x4000; !(x & mask) && exp > 0; exp--, mask >>= 1)
		;
	return (uint8_t)~(sign | (exp << 4) | ((x >> (exp + 3)) & 0x0f));
}

int16_t g711_ulaw_decode(uint8_t u)
{
	int exp, mant, x;

	u = (uint8_t)~u;
	exp = (u >> 4) & 7;
	mant = u & 0x0f;
	x = (((mant << 3) + ULAW_BIAS) << exp) - ULAW_BIAS;
	return (int16_t)((u & 0x80) ? -x : x);
}

uint8_t g711_alaw_encode(int16_t pcm)
{
	int x = pcm;
	uint8_t mask;
	int seg, mant;

	if (x >= 0) {
		mask = 0xd5;
	} else {
		mask = 0x55;
		x = -x - 1;
	}
	x >>= 3;		/* 12-bit magnitude, 0..4095 */
	if (x < 32) {
		seg = 0;
		mant = x >> 1;
	} else {
		seg = 1;
		while (seg < 7 && x >= (32 << seg))
			seg++;
		mant = (x >> seg) & 0x0f;
	}
	return (uint8_t)(((seg << 4) | mant) ^ mask);
}

int16_t g711_alaw_decode(uint8_t a)
{
	int seg, t;

	a ^= 0x55;
	seg = (a >> 4) & 7;
	t = (a & 0x0f) << 4;
	if (seg == 0) {
		t += 8;
	} else {
		t += 0x108;
		t <<= seg - 1;
	}
	return (int16_t)((a & 0x80) ? t : -t);
}
