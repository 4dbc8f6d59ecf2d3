/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario topology (sim/scenario/topo.c: link/nat lines, ranges and
 * placement errors with file:line) and its in-process network side
 * (sim/inproc/vnet_topo.c: per-host delay and loss, NAT mapping and
 * filtering, inside addresses unreachable from outside).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>
#include "base/buf.h"
#include "base/mem.h"
#include "inproc/vnet.h"
#include "scenario/scn.h"
#include "scenario/topo.h"
#include "vnet_testutil.h"

static void test_topo_parsers(void **state)
{
	double l;
	uint64_t r;

	(void)state;
	assert_int_equal(scn_loss_parse("5%", &l), 0);
	assert_true(l > 0.0499 && l < 0.0501);
	assert_int_equal(scn_loss_parse("0.2", &l), 0);
	assert_true(l > 0.199 && l < 0.201);
	assert_int_equal(scn_loss_parse("100%", &l), ERANGE);
	assert_int_equal(scn_loss_parse("-1%", &l), ERANGE);
	assert_int_equal(scn_loss_parse("lots", &l), EINVAL);
	assert_int_equal(scn_loss_parse("5%%", &l), EINVAL);
	assert_int_equal(scn_rate_parse("64kbps", &r), 0);
	assert_int_equal(r, 64000);
	assert_int_equal(scn_rate_parse("2.5Mbps", &r), 0);
	assert_int_equal(r, 2500000);
	assert_int_equal(scn_rate_parse("1Gbps", &r), 0);
	assert_int_equal(r, 1000000000);
	assert_int_equal(scn_rate_parse("100", &r), ERANGE);
	assert_int_equal(scn_rate_parse("1Tbps", &r), EINVAL);
	assert_int_equal(scn_rate_parse("-5kbps", &r), EINVAL);
}

static void expect_err(const char *text, const char *want)
{
	struct scn *s = NULL;
	char err[300];

	assert_int_equal(scn_parse(&s, "t.scn", text, strlen(text), err,
				   sizeof(err)), EBADMSG);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_topo_build(void **state)
{
	static const char ok[] =
		"account alice\naccount bob\naccount carol\n"
		"link core delay=20ms\n"
		"link lossy bob carol delay=40ms jitter=5ms loss=8% "
		"rate=256kbps\n"
		"nat home alice bob type=symmetric timeout=30s\n";
	const struct scn_place *p;
	struct scn_topo t;
	struct scn *s = NULL;
	int64_t blocks = mem_blocks();
	char err[300];

	(void)state;
	assert_int_equal(scn_parse(&s, "t.scn", ok, strlen(ok), err,
				   sizeof(err)), 0);
	assert_int_equal(scn_topo_build(&t, s, err, sizeof(err)), 0);
	assert_int_equal(t.nlinks, 2);
	assert_int_equal(t.nnats, 1);
	assert_int_equal(t.platform_link, 0);
	assert_int_equal(t.links[1].delay_us, 40000);
	assert_int_equal(t.links[1].jitter_us, 5000);
	assert_int_equal(t.links[1].rate_bps, 256000);
	assert_string_equal(t.nats[0].type, "symmetric");
	assert_int_equal(t.nats[0].timeout_us, 30000000);
	p = scn_topo_find(&t, "bob");
	assert_non_null(p);
	assert_int_equal(p->link, 1);
	assert_int_equal(p->nat, 0);
	p = scn_topo_find(&t, "alice");
	assert_int_equal(p->link, -1);
	assert_null(scn_topo_find(&t, "dave"));
	scn_topo_fini(&t);
	scn_free(s);
	expect_err("account a\nlink x a loss=100%\n", "t.scn:2: link x: "
		   "loss=100% out of range");
	expect_err("account a\nlink x a delay=11s\n", "t.scn:2: link x: "
		   "delay=11s out of range");
	expect_err("account a\nlink x a jitter=2s\n", "jitter=2s out of");
	expect_err("account a\nlink x a rate=9bps\n", "rate=9bps out of");
	expect_err("account a\nlink x a\nlink y a\n", "t.scn:3: a is "
		   "already on link x (line 2)");
	expect_err("account a\nnat x a\nnat y a\n", "t.scn:3: a is "
		   "already behind nat x (line 2)");
	expect_err("account a\nnat x\n", "t.scn:2: nat x: nobody");
	expect_err("account a\nlink x\nnat x a\n", "t.scn:3: 'x' is "
		   "already a link or nat (line 2)");
	expect_err("account a\nlink x\nlink y\n", "platform's link is "
		   "already x");
	expect_err("account a\nnat x a type=weird\n", "t.scn:2:");
	expect_err("account a\nnat x a timeout=0s\n", "timeout=0s out of");
	expect_err("account a\nlink x bob\n", "t.scn:2:");
	assert_int_equal(mem_blocks(), blocks);
}

/* lan lines: numbered 1.. in file order (links take no LAN number); at
 * most SCN_LAN_MAX; a line of more members than words fails at parse. */
static void test_topo_lan_limits(void **state)
{
	struct buf b;
	struct scn_topo t;
	struct scn *s = NULL;
	int64_t blocks = mem_blocks();
	char err[300], want[80];
	int i;

	(void)state;
	buf_init(&b);
	assert_int_equal(buf_printf(&b, "account b\n"), 0);
	for (i = 0; i < 40; i++)	/* links before do not use up LANs */
		assert_int_equal(buf_printf(&b, "account a%d\nlink k%d a%d\n",
					    i, i, i), 0);
	for (i = 1; i <= SCN_LAN_MAX; i++)
		assert_int_equal(buf_printf(&b, "account b%d\nlan l%d b%d\n",
					    i, i, i), 0);
	assert_int_equal(scn_parse(&s, "t.scn", (const char *)b.data, b.len,
				   err, sizeof(err)), 0);
	assert_int_equal(scn_topo_build(&t, s, err, sizeof(err)), 0);
	assert_int_equal(t.nlinks, 40 + SCN_LAN_MAX);
	assert_int_equal(t.links[39].lan, 0);
	assert_int_equal(t.links[40].lan, 1);
	assert_int_equal(t.links[40 + SCN_LAN_MAX - 1].lan, SCN_LAN_MAX);
	scn_topo_fini(&t);
	scn_free(s);
	/* one more: FILE:LINE */
	assert_int_equal(buf_printf(&b, "lan l%d b\n", SCN_LAN_MAX + 1), 0);
	assert_int_equal(buf_put(&b, "", 1), 0);
	snprintf(want, sizeof(want), "t.scn:%d: lan l%d: more than %d lan "
		 "lines", 1 + 2 * (40 + SCN_LAN_MAX) + 1, SCN_LAN_MAX + 1,
		 SCN_LAN_MAX);
	expect_err((const char *)b.data, want);
	/* 255 members on one line */
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "account a\nlan big"), 0);
	for (i = 0; i < 255; i++)
		assert_int_equal(buf_printf(&b, " m%d", i), 0);
	assert_int_equal(buf_put(&b, "\n", 2), 0);
	expect_err((const char *)b.data, "t.scn:2: more than 64 words");
	buf_fini(&b);
	assert_int_equal(mem_blocks(), blocks);
}

/* A host behind a symmetric NAT talks to a server; another outside
 * host can reach it neither through the mapping nor directly. */
static void test_vnet_nat_and_link(void **state)
{
	struct vnet *v;
	struct tcore a = { 0 }, srv = { 0 }, o = { 0 };
	struct net_addr aa = addr("127.1.0.1:5060", NET_UDP),
			sa = addr("127.0.0.10:5060", NET_UDP),
			oa = addr("127.0.0.30:7000", NET_UDP),
			pub = addr("127.9.1.1:0", NET_UDP), mapped;
	struct vnet_host_opt ho = { 10000, 0, 0, 0.0, 0, 0 };
	struct vnet_nat_stats ns;
	int64_t blocks = mem_blocks();
	int ia, is, io, nat;

	(void)state;
	assert_int_equal(vnet_new(&v, 0, 1), 0);
	nat = vnet_nat_add(v, "symmetric", 60000000, &pub);
	assert_int_equal(nat, 0);
	assert_int_equal(vnet_nat_add(v, "weird", 1, &pub), -EINVAL);
	ho.nat = nat;
	ho.lan = VNET_LAN_MAX + 1;	/* no such LAN */
	assert_int_equal(vnet_host_set(v, &aa, &ho), EINVAL);
	ho.lan = 0;
	assert_int_equal(vnet_host_set(v, &aa, &ho), 0);
	ia = vnet_attach(v, (struct core_ref){ &tops, &a }, &aa, 1);
	is = vnet_attach(v, (struct core_ref){ &tops, &srv }, &sa, 1);
	io = vnet_attach(v, (struct core_ref){ &tops, &o }, &oa, 1);
	assert_true(ia >= 0 && is >= 0 && io >= 0);
	srv.echo = 1;
	tq_push(&a, NET_OUT_SEND, &sa, 0, "ping", 4);
	vnet_kick(v, ia);
	assert_int_equal(vnet_run_until(v, 100000, 0), 0);
	/* the server saw the public side, 10 ms access link + 500 us */
	assert_int_equal(srv.in, 1);
	assert_int_equal(srv.last_in_us, 10500);
	assert_true(net_addr_host_eq(&srv.last_from, &pub));
	mapped = srv.last_from;
	/* its echo came back through the mapping */
	assert_int_equal(a.in, 1);
	assert_string_equal(a.last, "ping");
	assert_true(net_addr_eq(&a.last_from, &sa));
	/* symmetric: another host may not use the mapping */
	tq_push(&o, NET_OUT_SEND, &mapped, 0, "via-map", 7);
	/* and the inside address is private */
	tq_push(&o, NET_OUT_SEND, &aa, 0, "direct", 6);
	vnet_kick(v, io);
	assert_int_equal(vnet_run_until(v, 200000, 0), 0);
	assert_int_equal(a.in, 1);
	assert_int_equal(vnet_nat_stats(v, nat, &ns), 0);
	assert_int_equal(ns.out_pkts, 1);
	assert_int_equal(ns.in_pkts, 1);
	assert_int_equal(ns.filtered, 1);
	assert_int_equal(ns.private_drop, 1);
	assert_int_equal(vnet_nat_stats(v, 5, &ns), EINVAL);
	vnet_free(v);
	assert_int_equal(mem_blocks(), blocks);
}

/* Loss on an access link is per direction and the same for a seed. */
static unsigned lossy_run(uint64_t seed)
{
	struct vnet *v;
	struct tcore a = { 0 }, b = { 0 };
	struct net_addr aa = addr("127.1.0.1:5060", NET_UDP),
			ba = addr("127.0.0.10:5060", NET_UDP);
	struct vnet_host_opt ho = { 0, 2000, 0, 0.3, -1, 0 };
	unsigned i, got;
	int ia;

	assert_int_equal(vnet_new(&v, 0, seed), 0);
	assert_int_equal(vnet_host_set(v, &aa, &ho), 0);
	ia = vnet_attach(v, (struct core_ref){ &tops, &a }, &aa, 1);
	assert_true(vnet_attach(v, (struct core_ref){ &tops, &b }, &ba, 1) >=
		    0);
	for (i = 0; i < 200; i++) {
		tq_push(&a, NET_OUT_SEND, &ba, 0, "x", 1);
		vnet_kick(v, ia);
	}
	assert_int_equal(vnet_run_until(v, 1000000, 0), 0);
	got = b.in;
	vnet_free(v);
	return got;
}

static void test_vnet_link_loss(void **state)
{
	unsigned n = lossy_run(3);

	(void)state;
	assert_true(n > 110 && n < 170);	/* ~70 % of 200 */
	assert_int_equal(lossy_run(3), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topo_parsers),
		cmocka_unit_test(test_topo_build),
		cmocka_unit_test(test_topo_lan_limits),
		cmocka_unit_test(test_vnet_nat_and_link),
		cmocka_unit_test(test_vnet_link_loss),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
