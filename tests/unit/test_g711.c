/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ref/base/g711: the encoders checked over the whole 16-bit
 * input range against a second, differently written encoder (before the
 * move they were also checked equal to the conference mixer's and the
 * voicemail's copies, since deleted), known code values, every code a
 * fixed point of decode-then-encode, and the quantisation error bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "base/g711.h"

/*
 * A second, independently shaped encoder (the one the voicemail beep used
 * before the move to base/g711): a different segment search, so a slip in
 * either one shows up over the full input range.
 */
static uint8_t ref_ulaw(int16_t pcm)
{
	int s = pcm, sign = 0, exp = 7, mant;

	if (s < 0) {
		s = -s;
		sign = 0x80;
	}
	if (s > 32635)
		s = 32635;
	s += 0x84;
	while (exp > 0 && !(s & (0x4000 >> (7 - exp))))
		exp--;
	mant = (s >> (exp + 3)) & 0x0f;
	return (uint8_t)~(sign | (exp << 4) | mant);
}

static uint8_t ref_alaw(int16_t pcm)
{
	int s = pcm, sign = 0x80, exp, mant;

	if (s < 0) {
		s = -s - 1;
		sign = 0;
	}
	if (s >= 256) {
		for (exp = 7; exp > 1 && !(s & (0x4000 >> (7 - exp))); exp--)
			;
		mant = (s >> (exp + 3)) & 0x0f;
	} else {
		exp = 0;
		mant = s >> 4;
	}
	return (uint8_t)((sign | (exp << 4) | mant) ^ 0x55);
}

static void test_g711_full_range(void **state)
{
	int x;

	(void)state;
	for (x = -32768; x <= 32767; x++) {
		assert_int_equal(g711_ulaw_encode((int16_t)x),
				 ref_ulaw((int16_t)x));
		assert_int_equal(g711_alaw_encode((int16_t)x),
				 ref_alaw((int16_t)x));
	}
}

static void test_g711_fixed(void **state)
{
	int c, x;

	(void)state;
	assert_int_equal(g711_ulaw_encode(0), 0xff);
	assert_int_equal(g711_alaw_encode(0), 0xd5);
	assert_int_equal(g711_ulaw_decode(0x00), -32124);
	assert_int_equal(g711_ulaw_decode(0x80), 32124);
	assert_int_equal(g711_alaw_decode(0xaa), 32256);
	assert_int_equal(g711_alaw_decode(0x2a), -32256);
	for (c = 0; c < 256; c++) {
		/* Every code is a fixed point (µ-law's -0 maps to +0). */
		if (c != 0x7f)
			assert_int_equal(g711_ulaw_encode(
				g711_ulaw_decode((uint8_t)c)), c);
		assert_int_equal(g711_alaw_encode(g711_alaw_decode((uint8_t)c)),
				 c);
	}
	for (x = -32768; x <= 32767; x += 7) {
		int eu = g711_ulaw_decode(g711_ulaw_encode((int16_t)x)) - x;
		int ea = g711_alaw_decode(g711_alaw_encode((int16_t)x)) - x;
		int lim = abs(x) / 16 + 40;

		/* Clip region of µ-law aside, error is within half a step. */
		if (abs(x) < 32000)
			assert_true(abs(eu) <= lim);
		assert_true(abs(ea) <= lim);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_g711_full_range),
		cmocka_unit_test(test_g711_fixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
