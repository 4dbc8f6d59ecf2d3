/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops that are host names, in the proxy core with a fake resolver
 * and a fake clock: the request waits for the driver's answer and is then
 * forwarded to the address (a family we listen on preferred); the answer
 * is cached; a name that does not resolve, a lookup never answered, or no
 * resolver at all gives 404 Unresolvable Destination.
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
/* The fixture's digest helpers are not needed here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "proxy_testutil.h"

static int64_t blocks_at_start;
static int nlookups;
static char asked[64];

static void f_lookup(void *arg, const char *name)
{
	(void)arg;
	nlookups++;
	snprintf(asked, sizeof(asked), "%s", name);
}

static int setup_with(void **state, bool resolver)
{
	static struct fx f;
	struct sip_proxy_cfg c;

	blocks_at_start = mem_blocks();
	nlookups = 0;
	asked[0] = 0;
	fx_cfg(&f, &c, 5);
	if (resolver)
		c.resolver.lookup = f_lookup;
	f.now = 1000000;
	assert_int_equal(sip_proxy_new(&f.p, &c), 0);
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, true);
}

static int setup_none(void **state)
{
	return setup_with(state, false);
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static void message(struct fx *f, const char *host, int n)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "MESSAGE sip:bob@%s:5099 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKd%d\n"
		 "Route: <sip:127.0.0.1:5060;lr>, <sip:%s:5099;lr>\n"
		 "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=a%d\n"
		 "To: <sip:bob@%s>\nCall-ID: dns-%d\nCSeq: 1 MESSAGE\n"
		 "Content-Length: 0\n\n", host, n, host, n, host, n);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void answer(struct fx *f, const char *name, const char *ip6,
		   const char *ip4)
{
	struct net_addr a[2];
	size_t n = 0;

	if (ip6)
		fx_addr(ip6, NET_UDP, &a[n++]);
	if (ip4)
		fx_addr(ip4, NET_UDP, &a[n++]);
	sip_proxy_resolved(f->p, f->now, name, a, n);
}

static void test_dns_wait_then_forward(void **state)
{
	struct fx *f = *state;
	struct fx_out o;
	struct sip_proxy_stats st;

	message(f, "far.example", 1);
	fx_none(f);	/* waiting for the name */
	assert_int_equal(nlookups, 1);
	assert_string_equal(asked, "far.example");
	/* ::1 first, but we listen on IPv4 only: 127.0.0.2 is taken */
	answer(f, "far.example", "[::1]:0", "127.0.0.2");
	fx_expect_to(f, "MESSAGE sip:bob@far.example:5099", &o);
	assert_int_equal(net_addr_port(&o.dst), 5099);
	assert_int_equal(net_addr_family(&o.dst), AF_INET);
	fx_reply(f, &o, "127.0.0.2:5099", 200, "b", NULL);
	fx_expect(f, "SIP/2.0 200");
	/* cached: the next one goes at once, no second lookup */
	message(f, "FAR.example", 2);
	fx_expect(f, "MESSAGE sip:bob@FAR.example:5099");
	assert_int_equal(nlookups, 1);
	/* the cache expires (60 s) */
	fx_drain(f);
	fx_advance(f, 61000000);
	fx_drain(f);
	message(f, "far.example", 3);
	fx_none(f);
	assert_int_equal(nlookups, 2);
	sip_proxy_stats(f->p, &st);
	assert_int_equal(st.dns_parked, 2);
}

static void test_dns_failures(void **state)
{
	struct fx *f = *state;

	/* does not resolve: 404 when the answer comes */
	message(f, "nowhere.example", 1);
	fx_none(f);
	answer(f, "nowhere.example", NULL, NULL);
	fx_expect(f, "SIP/2.0 404 Unresolvable Destination");
	/* negative answers are cached */
	message(f, "nowhere.example", 2);
	fx_expect(f, "SIP/2.0 404");
	assert_int_equal(nlookups, 1);
	/* never answered: 404 after the wait */
	message(f, "slow.example", 3);
	fx_advance(f, 4900000);
	fx_none(f);
	fx_advance(f, 200000);
	fx_expect(f, "SIP/2.0 404 Unresolvable Destination");
	/* a late answer finds nobody waiting */
	answer(f, "slow.example", NULL, "127.0.0.3");
	fx_none(f);
}

static void test_dns_no_resolver(void **state)
{
	struct fx *f = *state;

	message(f, "far.example", 1);
	fx_expect(f, "SIP/2.0 404 Unresolvable Destination");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dns_wait_then_forward,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dns_no_resolver,
						setup_none, teardown),
	};

	return cmocka_run_group_tests_name("proxy_dns", tests, NULL, NULL);
}
