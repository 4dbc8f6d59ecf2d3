/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3263 in the proxy core with a fake resolver and clock: the lookup
 * key follows the URI (NAPTR without port and transport, SRV of an
 * explicit transport); the request goes to the first target and fails
 * over to the next one on a 503, on no answer (Timer F) and on a failed
 * TCP connection; the SRV weights spread requests; targets without SRV
 * take the URI's default port; TTLs bound the cache; a sips hop only
 * ever leaves over TLS.
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
static char asked[300];

static void f_lookup(void *arg, const char *key)
{
	(void)arg;
	nlookups++;
	snprintf(asked, sizeof(asked), "%s", key);
}

static int setup(void **state)
{
	static struct fx f;
	struct sip_proxy_cfg c;

	blocks_at_start = mem_blocks();
	nlookups = 0;
	asked[0] = 0;
	fx_cfg(&f, &c, 9);
	c.resolver.lookup = f_lookup;
	f.now = 1000000;
	assert_int_equal(sip_proxy_new(&f.p, &c), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fx_fini(*state);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

/* A MESSAGE pre-routed through us to the hop uri. */
static void message(struct fx *f, const char *hop, int n)
{
	char m[1024];

	snprintf(m, sizeof(m),
		 "MESSAGE sip:bob@svc.example SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKs%d\n"
		 "Route: <sip:127.0.0.1:5060;lr>, <%s;lr>\n"
		 "Max-Forwards: 70\nFrom: <sip:alice@example.test>;tag=a%d\n"
		 "To: <sip:bob@svc.example>\nCall-ID: srv-%d\nCSeq: 1 MESSAGE\n"
		 "Content-Length: 0\n\n", n, hop, n, n);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static struct sip_dns_target tgt(const char *ip, enum net_tp tp,
				 uint32_t rank, uint16_t weight,
				 uint16_t group)
{
	struct sip_dns_target t;

	memset(&t, 0, sizeof(t));
	fx_addr(ip, tp, &t.addr);
	if (!strchr(ip, ':'))
		net_addr_set_port(&t.addr, 0);	/* A, no SRV */
	t.rank = rank;
	t.weight = weight;
	t.group = group;
	return t;
}

static void expect_at(struct fx *f, const char *ipport, enum net_tp tp,
		      struct fx_out *o)
{
	char s[NET_ADDR_STRLEN];

	fx_expect_to(f, "MESSAGE sip:bob@svc.example", o);
	net_addr_str(&o->dst, s, sizeof(s));
	assert_string_equal(s, ipport);
	assert_int_equal(o->dst.tp, tp);
}

static void test_naptr_key_and_503_failover(void **state)
{
	struct fx *f = *state;
	struct sip_dns_target t[2];
	struct sip_proxy_stats st;
	struct fx_out o;

	message(f, "sip:svc.example", 1);
	fx_none(f);
	assert_string_equal(asked, "naptr:svc.example");
	t[0] = tgt("127.0.0.2:5072", NET_UDP, 10, 0, 0);
	t[1] = tgt("127.0.0.3:5073", NET_UDP, 20, 0, 1);
	sip_proxy_resolved_targets(f->p, f->now, "naptr:svc.example", t, 2,
				   60);
	expect_at(f, "127.0.0.2:5072", NET_UDP, &o);
	fx_reply(f, &o, "127.0.0.2:5072", 503, "x", NULL);
	expect_at(f, "127.0.0.3:5073", NET_UDP, &o);
	fx_none(f);	/* the 503 is not the answer yet */
	fx_reply(f, &o, "127.0.0.3:5073", 200, "y", NULL);
	fx_expect(f, "SIP/2.0 200");
	sip_proxy_stats(f->p, &st);
	assert_int_equal(st.dns_failovers, 1);
	/* every target failing: the best answer, 503 sent as 500 */
	message(f, "sip:svc.example", 2);
	expect_at(f, "127.0.0.2:5072", NET_UDP, &o);
	fx_reply(f, &o, "127.0.0.2:5072", 503, "x", NULL);
	expect_at(f, "127.0.0.3:5073", NET_UDP, &o);
	fx_reply(f, &o, "127.0.0.3:5073", 503, "y", NULL);
	fx_expect(f, "SIP/2.0 500");
	assert_int_equal(nlookups, 1);
}

static void test_timeout_failover(void **state)
{
	struct fx *f = *state;
	struct sip_dns_target t[2];
	struct fx_out o;
	int i;

	message(f, "sip:svc.example;transport=udp", 1);
	assert_string_equal(asked, "_sip._udp.svc.example");
	t[0] = tgt("127.0.0.2:5072", NET_UDP, 10, 0, 0);
	t[1] = tgt("127.0.0.3:5073", NET_UDP, 20, 0, 1);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 2, 60);
	expect_at(f, "127.0.0.2:5072", NET_UDP, &o);
	/* silence: retransmissions, then Timer F (64 T1) */
	for (i = 0; i < 33; i++) {
		fx_advance(f, 1000000);
		while (f->nq && net_addr_port(&f->q[0].dst) == 5072)
			fx_expect(f, "MESSAGE");	/* retransmission */
		if (f->nq)
			break;
	}
	expect_at(f, "127.0.0.3:5073", NET_UDP, &o);
	fx_reply(f, &o, "127.0.0.3:5073", 200, "y", NULL);
	fx_expect(f, "SIP/2.0 200");
}

static void test_tcp_connect_failover(void **state)
{
	struct fx *f = *state;
	struct sip_dns_target t[2];
	struct net_pkt close;
	struct fx_out o;

	message(f, "sip:svc.example;transport=tcp", 1);
	assert_string_equal(asked, "_sip._tcp.svc.example");
	t[0] = tgt("127.0.0.2:5072", NET_TCP, 10, 0, 0);
	t[1] = tgt("127.0.0.3:5073", NET_TCP, 20, 0, 1);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 2, 60);
	expect_at(f, "127.0.0.2:5072", NET_TCP, &o);
	/* the driver's close chunk for the dialled connection that failed */
	memset(&close, 0, sizeof(close));
	close.from = o.dst;
	close.to = f->listen[1];
	close.conn_id = 99;
	assert_int_equal(sip_proxy_input(f->p, f->now, &close), 0);
	expect_at(f, "127.0.0.3:5073", NET_TCP, &o);
	fx_reply(f, &o, "127.0.0.3:5073", 200, "y", NULL);
	fx_expect(f, "SIP/2.0 200");
}

static void test_sips_only_tls(void **state)
{
	struct fx *f = *state;
	struct sip_dns_target t[3];
	struct fx_out o;

	message(f, "sips:sec.example", 1);
	assert_string_equal(asked, "naptr:sec.example");
	/* UDP and TCP are preferred by NAPTR, but the hop is sips */
	t[0] = tgt("127.0.0.2:5072", NET_UDP, 0 << 16 | 10, 0, 0);
	t[1] = tgt("127.0.0.4:5074", NET_TCP, 1u << 16 | 10, 0, 1);
	t[2] = tgt("127.0.0.3:5075", NET_TLS, 2u << 16 | 10, 0, 2);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 3, 60);
	expect_at(f, "127.0.0.3:5075", NET_TLS, &o);
	/* no clear target to fail over to: 503 sent as 500 */
	fx_reply(f, &o, "127.0.0.3:5075", 503, "x", NULL);
	fx_expect(f, "SIP/2.0 500");
	fx_none(f);
	/* a sips domain with only clear targets: refused */
	message(f, "sips:clear.example", 2);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 2, 60);
	fx_expect(f, "SIP/2.0 403 TLS Required");
	fx_none(f);
	/* sips without SRV: its A record on 5061 over TLS */
	message(f, "sips:plain.example", 3);
	t[0] = tgt("127.0.0.5", NET_UDP, 0, 0, 0);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 1, 60);
	expect_at(f, "127.0.0.5:5061", NET_TLS, &o);
}

static void test_weights_and_ttl(void **state)
{
	struct fx *f = *state;
	struct sip_dns_target t[2];
	struct fx_out o;
	int i, a = 0, b = 0;

	message(f, "sip:svc.example", 0);
	t[0] = tgt("127.0.0.2:5072", NET_UDP, 10, 50, 0);
	t[1] = tgt("127.0.0.3:5073", NET_UDP, 10, 50, 1);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 2, 30);
	fx_drain(f);
	for (i = 1; i <= 40; i++) {
		message(f, "sip:svc.example", i);
		fx_expect_to(f, "MESSAGE sip:bob@svc.example", &o);
		a += net_addr_port(&o.dst) == 5072;
		b += net_addr_port(&o.dst) == 5073;
		fx_drain(f);
	}
	assert_int_equal(a + b, 40);
	assert_true(a >= 8 && b >= 8);
	assert_int_equal(nlookups, 1);
	/* the record's TTL (30 s) ends the cache */
	fx_advance(f, 31000000);
	fx_drain(f);
	message(f, "sip:svc.example", 99);
	fx_none(f);
	assert_int_equal(nlookups, 2);
	/* nothing found: 404, cached as a failure */
	sip_proxy_resolved_targets(f->p, f->now, asked, NULL, 0, 0);
	fx_expect(f, "SIP/2.0 404 Unresolvable Destination");
	message(f, "sip:svc.example", 100);
	fx_expect(f, "SIP/2.0 404");
	assert_int_equal(nlookups, 2);
}

static void test_a_fallback_and_port(void **state)
{
	struct fx *f = *state;
	struct sip_dns_target t[1];
	struct fx_out o;

	/* NAPTR and SRV gave nothing: A/AAAA with the default port */
	message(f, "sip:svc.example", 1);
	t[0] = tgt("127.0.0.6", NET_UDP, 0, 0, 0);
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 1, 60);
	expect_at(f, "127.0.0.6:5060", NET_UDP, &o);
	/* an explicit port: A/AAAA only, that port */
	message(f, "sip:svc.example:5999;transport=tcp", 2);
	assert_string_equal(asked, "svc.example");
	sip_proxy_resolved_targets(f->p, f->now, asked, t, 1, 60);
	expect_at(f, "127.0.0.6:5999", NET_TCP, &o);
	/* localhost never asks for NAPTR/SRV (RFC 6761) */
	message(f, "sip:localhost", 3);
	assert_string_equal(asked, "localhost");
}

static void test_unanswered_asked_again(void **state)
{
	struct fx *f = *state;

	message(f, "sip:lost.example", 1);
	fx_none(f);
	assert_int_equal(nlookups, 1);
	fx_advance(f, 5100000);	/* the request's wait: 404 */
	fx_expect(f, "SIP/2.0 404 Unresolvable Destination");
	message(f, "sip:lost.example", 2);	/* still in flight: no ask */
	assert_int_equal(nlookups, 1);
	fx_advance(f, 5100000);
	fx_expect(f, "SIP/2.0 404");
	/* never answered within twice the wait: asked again */
	message(f, "sip:lost.example", 3);
	assert_int_equal(nlookups, 2);
	fx_advance(f, 5100000);
	fx_expect(f, "SIP/2.0 404");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_naptr_key_and_503_failover,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_failover, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_connect_failover,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sips_only_tls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_weights_and_ttl, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_a_fallback_and_port,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_asked_again,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("proxy_srv", tests, NULL, NULL);
}
