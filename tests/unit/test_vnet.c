/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process virtual network: latency, routing by claim (exact and
 * wildcard), streams with per-side ids and close, timers in virtual time,
 * loss determinism, and the capture (real TLS records on TLS
 * connections, clear otherwise).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include "base/mem.h"
#include "inproc/vnet.h"
#include "vnet_testutil.h"

static void test_vnet_udp_latency_and_timer(void **state)
{
	struct vnet *v;
	struct tcore a = { 0 }, b = { 0 };
	struct net_addr aa = addr("127.0.0.1:5000", NET_UDP),
			ba = addr("127.0.0.2:5060", NET_UDP);
	struct net_addr nowhere = addr("127.0.0.9:1", NET_UDP);
	struct vnet_stats st;
	int64_t blocks = mem_blocks();
	int ia, ib;

	(void)state;
	assert_int_equal(vnet_new(&v, 1000000, 1), 0);
	ia = vnet_attach(v, (struct core_ref){ &tops, &a }, &aa, 1);
	ib = vnet_attach(v, (struct core_ref){ &tops, &b }, &ba, 1);
	assert_true(ia >= 0 && ib >= 0);
	assert_int_equal(vnet_attach(v, (struct core_ref){ &tops, &b }, &ba, 1),
			 -EEXIST);
	b.echo = 1;
	tq_push(&a, NET_OUT_SEND, &ba, 0, "hello", 5);
	tq_push(&a, NET_OUT_SEND, &nowhere, 0, "lost", 4);
	a.timer_at = 1000000 + 86400ull * 1000000 * 183;	/* 183 days */
	vnet_kick(v, ia);
	assert_int_equal(vnet_run_until(v, 1000000 + 400, 0), 0);
	assert_int_equal(b.in, 0);
	assert_int_equal(vnet_run_until(v, 1000000 + 2000, 0), 0);
	assert_int_equal(b.in, 1);
	assert_int_equal(b.last_in_us, 1000500);
	assert_string_equal(b.last, "hello");
	assert_int_equal(a.in, 1);	/* the echo, 500 us later */
	assert_int_equal(a.last_in_us, 1001000);
	assert_int_equal(a.fired_at, 0);
	assert_int_equal(vnet_run_until(v, UINT64_MAX - 1, 0), 0);
	assert_int_equal(a.fired_at, 1000000 + 86400ull * 1000000 * 183);
	vnet_stats(v, &st);
	assert_int_equal(st.delivered, 2);
	assert_int_equal(st.dropped, 1);
	vnet_free(v);
	assert_int_equal(mem_blocks(), blocks);
}

static void test_vnet_stream_and_wildcard(void **state)
{
	struct vnet *v;
	struct tcore a = { 0 }, b = { 0 }, r = { 0 };
	struct net_addr aa = addr("127.0.0.1:0", NET_TCP),
			ba = addr("127.0.0.2:5060", NET_TCP),
			ra = addr("127.0.0.3:0", NET_UDP),
			rport = addr("127.0.0.3:40002", NET_UDP),
			ua = addr("127.0.0.1:7000", NET_UDP);
	uint64_t bconn;
	int ia, ib, ir;

	(void)state;
	assert_int_equal(vnet_new(&v, 0, 1), 0);
	ia = vnet_attach(v, (struct core_ref){ &tops, &a }, &aa, 1);
	assert_int_equal(vnet_claim(v, ia, &ua), 0);
	ib = vnet_attach(v, (struct core_ref){ &tops, &b }, &ba, 1);
	ir = vnet_attach(v, (struct core_ref){ &tops, &r }, &ra, 1);
	assert_true(ir >= 0);
	tq_push(&a, NET_OUT_SEND, &ba, 0, "REGISTER", 8);
	tq_push(&a, NET_OUT_SEND, &ba, 0, " more", 5);	/* same conn */
	tq_push(&a, NET_OUT_SEND, &rport, 0, "rtp", 3);
	vnet_kick(v, ia);
	assert_int_equal(vnet_run_until(v, 10000, 0), 0);
	assert_int_equal(b.in, 2);
	assert_string_equal(b.last, " more");
	assert_int_equal(r.in, 1);	/* wildcard claim of 127.0.0.3 */
	bconn = b.last_conn;
	assert_true(bconn != 0);
	tq_push(&b, NET_OUT_SEND, NULL, bconn, "200 OK", 6);
	tq_push(&b, NET_OUT_CLOSE, NULL, bconn, "", 0);
	vnet_kick(v, ib);
	assert_int_equal(vnet_run_until(v, 20000, 0), 0);
	assert_string_equal(a.last, "200 OK");
	assert_true(a.last_conn != 0 && a.last_conn != bconn);
	assert_int_equal(a.closes, 1);
	vnet_free(v);
}

static unsigned run_lossy(uint64_t seed)
{
	struct vnet *v;
	struct tcore a = { 0 }, b = { 0 };
	struct net_addr aa = addr("127.0.0.1:5000", NET_UDP),
			ba = addr("127.0.0.2:5000", NET_UDP);
	unsigned i, got;
	int ia;

	assert_int_equal(vnet_new(&v, 0, seed), 0);
	vnet_set_loss(v, 0.3);
	ia = vnet_attach(v, (struct core_ref){ &tops, &a }, &aa, 1);
	vnet_attach(v, (struct core_ref){ &tops, &b }, &ba, 1);
	for (i = 0; i < 400; i++) {
		tq_push(&a, NET_OUT_SEND, &ba, 0, "x", 1);
		vnet_kick(v, ia);
		assert_int_equal(vnet_run_until(v, vnet_now(v) + 20000, 0), 0);
	}
	got = b.in;
	vnet_free(v);
	return got;
}

static void test_vnet_loss_deterministic(void **state)
{
	unsigned a = run_lossy(5), b = run_lossy(5), c = run_lossy(6);

	(void)state;
	assert_true(a > 240 && a < 320);
	assert_int_equal(a, b);
	assert_int_not_equal(a, c);
}

static void test_vnet_capture(void **state)
{
	char path[] = "/tmp/vnet-capXXXXXX";
	char errbuf[PCAP_ERRBUF_SIZE];
	struct vnet *v;
	struct tcore a = { 0 }, b = { 0 };
	struct net_addr aa = addr("127.0.0.1:5000", NET_UDP),
			ba = addr("127.0.0.2:5060", NET_UDP),
			ta = addr("127.0.0.2:5061", NET_TLS);
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int fd, ia, n = 0, clear = 0, tls = 0, hello = 0;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vnet_new(&v, 1700000000ull * 1000000, 1), 0);
	ia = vnet_attach(v, (struct core_ref){ &tops, &a }, &aa, 1);
	vnet_attach(v, (struct core_ref){ &tops, &b }, (struct net_addr[]){
			    ba, ta }, 2);
	assert_int_equal(vnet_capture_open(v, path), 0);
	tq_push(&a, NET_OUT_SEND, &ba, 0, "CANARY-clear", 12);
	tq_push(&a, NET_OUT_SEND, &ta, 0, "CANARY-tls", 10);
	vnet_kick(v, ia);
	assert_int_equal(vnet_run_until(v, vnet_now(v) + 10000, 0), 0);
	assert_string_equal(b.last, "CANARY-tls");	/* cores see clear */
	vnet_free(v);

	p = pcap_open_offline(path, errbuf);
	assert_non_null(p);
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		if (memmem(d, h->caplen, "CANARY-clear", 12))
			clear++;
		if (memmem(d, h->caplen, "CANARY-tls", 10))
			tls++;
		/* a TLS handshake record: the link runs real TLS */
		if (memmem(d, h->caplen, "\x16\x03\x01", 3))
			hello++;
		assert_int_equal(h->ts.tv_sec, 1700000000);
	}
	pcap_close(p);
	unlink(path);
	assert_true(n >= 4);	/* datagram, handshake flights, data */
	assert_int_equal(clear, 1);
	assert_int_equal(tls, 0);
	assert_true(hello >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vnet_udp_latency_and_timer),
		cmocka_unit_test(test_vnet_stream_and_wildcard),
		cmocka_unit_test(test_vnet_loss_deterministic),
		cmocka_unit_test(test_vnet_capture),
	};
	return cmocka_run_group_tests_name("vnet", tests, NULL, NULL);
}
