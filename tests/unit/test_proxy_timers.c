/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the transaction timers of the SIP core (RFC 3261 17) that
 * test_proxy.c does not time: G and H (a final response to an INVITE
 * resent until ACKed, then given up), D (a downstream 486 resent while
 * the client transaction is Completed is ACKed again, not forwarded
 * twice), E (non-INVITE retransmissions doubling up to T2) and K (a
 * retransmitted 200 of a non-INVITE is absorbed). The clock is the
 * fixture's: T1 500 ms, T2 4 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "sip/proxy.h"
#include "sip/sip.h"
#include "base/mem.h"
/* Not every fixture helper is needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

static int64_t blocks_at_start;

static int setup(void **state)
{
	static struct fx f;

	blocks_at_start = mem_blocks();
	fx_init(&f, false);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

/* Retransmissions of prefix seen while the clock moves to t0 + until_us
 * in 100 ms steps; *at gets the time of each, relative to t0, in ms. */
static int count_until(struct fx *f, const char *prefix, uint64_t t0,
		       uint64_t until_us, unsigned *at, int max)
{
	int n = 0, k;

	while (f->now - t0 < until_us) {
		fx_advance(f, 100000);
		for (k = fx_count(f, prefix); k > 0; k--)
			if (n < max)
				at[n++] = (unsigned)((f->now - t0) / 1000);
	}
	return n;
}

static const char invite[] =
	"INVITE sip:bob@example.test SIP/2.0\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtg1;rport\n"
	"Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at1\n"
	"To: <sip:bob@example.test>\nCall-ID: tg-1\nCSeq: 1 INVITE\n"
	"Contact: <sip:alice@127.0.0.1:5070>\nContent-Length: 0\n\n";

static void test_timer_g_h_d(void **state)
{
	static const unsigned want[] = { 500, 1500, 3500, 7500, 11500, 15500,
					 19500, 23500, 27500, 31500 };
	struct fx *f = *state;
	struct fx_out o;
	unsigned at[32];
	uint64_t t0;
	int n, i;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_in(f, "127.0.0.1:5070", NET_UDP, invite);
	fx_expect(f, "SIP/2.0 100");
	fx_expect_to(f, "INVITE sip:bob@127.0.0.1:5081", &o);
	fx_reply(f, &o, "127.0.0.1:5081", 486, "bt", NULL);
	t0 = f->now;
	fx_expect_to(f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_expect(f, "SIP/2.0 486");
	fx_none(f);
	/* Timer D: bob resends his 486: ACKed again, alice not told twice */
	fx_reply(f, &o, "127.0.0.1:5081", 486, "bt", NULL);
	fx_expect_to(f, "ACK sip:bob@127.0.0.1:5081", NULL);
	fx_none(f);
	/* Timer G: alice never ACKs; T1, 2T1, 4T1, then every T2 */
	n = count_until(f, "SIP/2.0 486", t0, 40000000ull, at, 32);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++)
		assert_true(at[i] >= want[i] && at[i] <= want[i] + 100);
	/* Timer H (64*T1) ended it: a late ACK meets nothing, no output */
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "ACK sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtg1;rport\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=at1\n"
	      "To: <sip:bob@example.test>;tag=bt\nCall-ID: tg-1\n"
	      "CSeq: 1 ACK\nContent-Length: 0\n\n");
	fx_advance(f, 10000000ull);
	fx_none(f);
}

static void test_timer_e_k(void **state)
{
	static const unsigned want[] = { 500, 1500, 3500, 7500, 11500 };
	struct fx *f = *state;
	struct fx_out o;
	unsigned at[16];
	uint64_t t0;
	int n, i;

	fx_register(f, "bob", "127.0.0.1:5081", 3600);
	fx_in(f, "127.0.0.1:5070", NET_UDP,
	      "OPTIONS sip:bob@example.test SIP/2.0\n"
	      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKte1\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=o\n"
	      "To: <sip:bob@example.test>\nCall-ID: te-1\nCSeq: 1 OPTIONS\n"
	      "Content-Length: 0\n\n");
	t0 = f->now;
	fx_expect_to(f, "OPTIONS sip:bob@127.0.0.1:5081", &o);
	/* Timer E: T1, 2T1, 4T1, then T2 */
	n = count_until(f, "OPTIONS sip:bob@127.0.0.1:5081", t0,
			12000000ull, at, 16);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_true(at[i] >= want[i] && at[i] <= want[i] + 100);
	/* bob answers, then resends his 200: alice gets one (Timer K) */
	fx_reply(f, &o, "127.0.0.1:5081", 200, "bo", NULL);
	fx_expect(f, "SIP/2.0 200");
	fx_reply(f, &o, "127.0.0.1:5081", 200, "bo", NULL);
	fx_none(f);
	fx_advance(f, 6000000ull);
	fx_none(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_g_h_d, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_e_k, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("proxy_timers", tests, NULL,
					   NULL);
}
