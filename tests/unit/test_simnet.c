/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated-network experiments end to end (ns-3 + proxy core + UAs):
 * what a clean network, a lossy one and NATs do to registrations, calls
 * and voice quality, and that a seed fixes the result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"

#ifdef HAVE_NS3
#include "ns3/simnet.h"

static void base_opt(struct simnet_opt *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->users = 40;
	o->calls = 10;
	o->users_per_node = 10;
	o->reg_spread_us = 2000000;
	o->call_spread_us = 1000000;
	o->call_duration_us = 4000000;
	o->access.delay_us = 10000;
	o->access.rate_bps = 10000000;
	o->core.delay_us = 1000;
	o->auth = true;
}

static void show(const char *what, const struct simnet_result *r)
{
	print_message("%s: reg %u/%u calls %u/%u cdrs %lu setup p50 %.1f "
		      "max %.1f ms rtp %lu/%lu lost %lu (%.2f%%) delay %.2f ms "
		      "jitter %.2f ms R %.1f MOS %.2f\n", what, r->reg_ok,
		      r->reg_failed, r->calls_ok, r->calls_failed,
		      (unsigned long)r->cdrs, r->setup_ms_p50, r->setup_ms_max,
		      (unsigned long)r->rtp_recv, (unsigned long)r->rtp_sent,
		      (unsigned long)r->rtp_lost, r->loss_pct, r->delay_ms_mean,
		      r->jitter_ms_mean, r->r_factor, r->mos);
}

static void test_simnet_clean(void **state)
{
	struct simnet_opt o;
	struct simnet_result r;
	char err[128];
	int64_t blocks = mem_blocks();

	(void)state;
	base_opt(&o);
	assert_int_equal(simnet_run(&o, &r, err, sizeof(err)), 0);
	show("clean", &r);
	assert_int_equal(r.reg_ok, 40);
	assert_int_equal(r.calls_ok, 10);
	assert_int_equal(r.cdrs, 10);
	/* INVITE, 407, ACK, INVITE to the proxy, then to the callee and the
	 * 200 back: about three round trips of 2 x 11 ms */
	assert_true(r.setup_ms_p50 > 40 && r.setup_ms_p50 < 120);
	assert_true(r.rtp_recv > 10 * 2 * 190);
	assert_int_equal(r.rtp_lost, 0);
	/* UA -> access -> router -> access -> UA: 2 x 10 ms + queues */
	assert_true(r.delay_ms_mean > 20 && r.delay_ms_mean < 22);
	assert_true(r.mos > 4.3);
	simnet_result_fini(&r);
	assert_int_equal(mem_blocks(), blocks);
}

static void test_simnet_loss_and_determinism(void **state)
{
	struct simnet_opt o;
	struct simnet_result a, b;
	char err[128];

	(void)state;
	base_opt(&o);
	o.access.loss = 0.05;
	assert_int_equal(simnet_run(&o, &a, err, sizeof(err)), 0);
	assert_int_equal(simnet_run(&o, &b, err, sizeof(err)), 0);
	show("5% loss", &a);
	/* SIP retransmits through 5 % loss per link */
	assert_true(a.reg_ok >= 38);
	assert_true(a.calls_ok >= 8);
	/* two lossy access links per media path: about 10 % */
	assert_true(a.loss_pct > 6 && a.loss_pct < 14);
	assert_true(a.mos < 4.0);
	assert_int_equal(a.reg_ok, b.reg_ok);
	assert_int_equal(a.calls_ok, b.calls_ok);
	assert_int_equal(a.rtp_recv, b.rtp_recv);
	assert_true(a.setup_ms_max == b.setup_ms_max);
	simnet_result_fini(&a);
	simnet_result_fini(&b);
}

static void test_simnet_nat(void **state)
{
	struct simnet_opt o;
	struct simnet_result r;
	char err[128];

	(void)state;
	base_opt(&o);
	o.nat = "carrier-grade";
	assert_int_equal(simnet_run(&o, &r, err, sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "carrier-grade"));
	o.nat = "port";
	assert_int_equal(simnet_run(&o, &r, err, sizeof(err)), 0);
	show("port-restricted NAT", &r);
	/* registration crosses the NAT outbound: it works */
	assert_int_equal(r.reg_ok, 40);
	assert_int_equal(r.calls_ok, 10);
	/* but without a relay the SDP carries private addresses: no RTP
	 * gets through a port-restricted NAT, and the E-model says so */
	assert_true(r.rtp_sent > 0);
	assert_int_equal(r.rtp_recv, 0);
	assert_true(r.mos < 1.01);
	simnet_result_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simnet_clean),
		cmocka_unit_test(test_simnet_loss_and_determinism),
		cmocka_unit_test(test_simnet_nat),
	};
	return cmocka_run_group_tests_name("simnet", tests, NULL, NULL);
}
#else
int main(void)
{
	return 0;
}
#endif
