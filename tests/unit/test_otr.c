/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bench OTR client (sim/ua/otr.h): two clients run the AKE by
 * passing their outboxes to each other, then a canary crosses encrypted
 * (never in the bytes between them) and decrypts on the other side;
 * clear text inside a session and data before the AKE are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "ua/otr.h"

#define A "alice@example.test"
#define B "bob@example.test"

/* Move everything queued in from to to; the last plaintext to out. */
static int pass(struct ua_otr *from, struct ua_otr *to, const char *canary,
		char *out, size_t sz, int *got, unsigned *leaks)
{
	char peer[128], *m;
	int n = 0, g;

	while (ua_otr_next(from, &m, peer, sizeof(peer)) == 0) {
		n++;
		if (canary && strstr(m, canary))
			(*leaks)++;
		assert_int_equal(ua_otr_receive(to, strcmp(peer, B) ? B : A,
						m, out, sz, &g), 0);
		if (g)
			*got = 1;
		mem_free(m);
	}
	return n;
}

static void test_otr_ake_and_message(void **state)
{
	static const char canary[] = "OTR-UNIT-CANARY-13-xyzzy";
	struct ua_otr *a, *b;
	int64_t blocks = mem_blocks();
	char out[256] = "";
	unsigned leaks = 0, rounds;
	int got = 0, g;

	(void)state;
	assert_int_equal(ua_otr_new(&a, A), 0);
	assert_int_equal(ua_otr_new(&b, B), 0);
	assert_true(strlen(ua_otr_fingerprint(a)) > 40);
	assert_int_equal(ua_otr_send(a, B, canary), ENOTCONN);
	assert_int_equal(ua_otr_start(a, B), 0);
	for (rounds = 0; rounds < 8 && !(ua_otr_secure(a, B) &&
					 ua_otr_secure(b, A)); rounds++) {
		pass(a, b, NULL, out, sizeof(out), &got, &leaks);
		pass(b, a, NULL, out, sizeof(out), &got, &leaks);
	}
	assert_true(ua_otr_secure(a, B));
	assert_true(ua_otr_secure(b, A));
	assert_int_equal(got, 0);
	assert_int_equal(ua_otr_send(a, B, canary), 0);
	assert_int_equal(pass(a, b, canary, out, sizeof(out), &got, &leaks),
			 1);
	assert_int_equal(leaks, 0);
	assert_int_equal(got, 1);
	assert_string_equal(out, canary);
	/* clear text inside an encrypted session is refused */
	assert_int_equal(ua_otr_receive(b, A, "plain hello", out, sizeof(out),
					&g), EACCES);
	ua_otr_free(a);
	ua_otr_free(b);
	assert_int_equal(mem_blocks(), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_otr_ake_and_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
