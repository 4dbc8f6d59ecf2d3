/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the RTP relay core through its sans-IO calls with a fake
 * clock: offer/answer rewrite, socket events, latching behind NAT, RTP and
 * RTCP both ways, rtcp-mux, encrypted traffic passing unchanged, timeouts
 * (90 s, 7200 s on hold), port exhaustion and reuse, statistics, and the
 * RTP/RTCP header helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/buf.h"
#include "rtp/rtp.h"

#define S(x) ((uint64_t)(x) * 1000000)

static int64_t blocks_at_start;
static struct rtp_relay *relay;
static uint64_t now;

static struct net_addr addr(const char *s)
{
	struct net_addr a;
	struct pl pl = pl_from_str(s);

	assert_int_equal(net_addr_parse(&pl, 0, &a), 0);
	return a;
}

static void relay_make(uint16_t min, uint16_t max)
{
	struct rtp_relay_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.addr = addr("127.0.0.1");
	cfg.port_min = min;
	cfg.port_max = max;
	cfg.max_calls = 100;
	assert_int_equal(rtp_relay_new(&relay, &cfg), 0);
	now = S(1000);
}

static int setup(void **state)
{
	(void)state;
	blocks_at_start = mem_blocks();
	relay_make(40000, 40099);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtp_relay_free(relay);
	relay = NULL;
	mem_fail_at(-1, 0);
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static const char *offer_sdp =
	"v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
	"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
	"m=audio 5000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	"a=x-secret-unknown:stays\r\n";
static const char *answer_sdp =
	"v=0\r\no=bob 2 2 IN IP4 192.0.2.20\r\ns=-\r\n"
	"c=IN IP4 192.0.2.20\r\nt=0 0\r\n"
	"m=audio 6000 RTP/AVP 0\r\n";

static int do_offer(const char *cid, const char *tag, const char *sdp,
		    struct buf *out)
{
	struct pl c = pl_from_str(cid), t = pl_from_str(tag),
		  s = pl_from_str(sdp);

	buf_reset(out);
	return rtp_relay_offer(relay, now, &c, &t, &s, NULL, out);
}

static int do_answer(const char *cid, const char *ftag, const char *ttag,
		     const char *sdp, struct buf *out)
{
	struct pl c = pl_from_str(cid), f = pl_from_str(ftag),
		  t = pl_from_str(ttag), s = pl_from_str(sdp);

	buf_reset(out);
	return rtp_relay_answer(relay, now, &c, &f, &t, &s, NULL, out);
}

static int drain_socks(int *opens, int *closes)
{
	struct rtp_sock_ev ev;
	int n = 0;

	*opens = *closes = 0;
	while (!rtp_relay_sock_event(relay, &ev)) {
		if (ev.op == RTP_SOCK_OPEN)
			(*opens)++;
		else
			(*closes)++;
		n++;
	}
	return n;
}

/* Offer from alice, answer from bob: the basic call of every test. */
static void call_setup(const char *cid)
{
	struct buf out;

	buf_init(&out);
	assert_int_equal(do_offer(cid, "ta", offer_sdp, &out), 0);
	assert_int_equal(do_answer(cid, "ta", "tb", answer_sdp, &out), 0);
	buf_fini(&out);
}

static void send_pkt(const char *from, uint16_t to_port, const uint8_t *p,
		     size_t len)
{
	struct net_pkt in;

	memset(&in, 0, sizeof(in));
	in.from = addr(from);
	in.to = addr("127.0.0.1");
	net_addr_set_port(&in.to, to_port);
	in.data = p;
	in.len = len;
	assert_int_equal(rtp_relay_input(relay, now, &in), 0);
}

/* Expect exactly one output: from relay port src to dst, these bytes. */
static void expect_out(uint16_t src, const char *dst, const uint8_t *p,
		       size_t len)
{
	struct net_out o;
	struct net_addr d = addr(dst);
	char a[NET_ADDR_STRLEN], b[NET_ADDR_STRLEN];

	assert_int_equal(rtp_relay_output(relay, &o), 0);
	assert_int_equal(net_addr_port(&o.src), src);
	if (!net_addr_eq(&o.dst, &d))
		fail_msg("sent to %s, want %s",
			 net_addr_str(&o.dst, a, sizeof(a)),
			 net_addr_str(&d, b, sizeof(b)));
	assert_int_equal(o.len, len);
	assert_ptr_equal(o.data, p);	/* zero-copy, byte for byte */
	assert_int_equal(rtp_relay_output(relay, &o), ENOENT);
}

static void expect_none(void)
{
	struct net_out o;

	assert_int_equal(rtp_relay_output(relay, &o), ENOENT);
}

static void rtp_make(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts,
		     uint32_t ssrc)
{
	memset(p, 0xd5, 172);
	p[0] = 0x80;
	p[1] = pt;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

/* RTCP RR with one report block: ssrc reported, cum lost, jitter. */
static size_t rr_make(uint8_t *p, uint32_t about, uint32_t lost,
		      uint32_t jitter)
{
	memset(p, 0, 32);
	p[0] = 0x81;
	p[1] = 201;
	p[3] = 7;		/* 8 words */
	p[4] = 0xbb;		/* sender ssrc */
	p[8] = (uint8_t)(about >> 24);
	p[9] = (uint8_t)(about >> 16);
	p[10] = (uint8_t)(about >> 8);
	p[11] = (uint8_t)about;
	p[13] = (uint8_t)(lost >> 16);
	p[14] = (uint8_t)(lost >> 8);
	p[15] = (uint8_t)lost;
	p[20] = (uint8_t)(jitter >> 24);
	p[21] = (uint8_t)(jitter >> 16);
	p[22] = (uint8_t)(jitter >> 8);
	p[23] = (uint8_t)jitter;
	return 32;
}

static void test_rtp_offer_answer_rewrite(void **state)
{
	struct buf out;
	int o, c;

	(void)state;
	buf_init(&out);
	assert_int_equal(do_offer("c1", "ta", offer_sdp, &out), 0);
	/* Side 0 (alice) got 40000, side 1 (bob) 40002: bob is told 40002. */
	assert_string_equal((char *)out.data,
		"v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 40002 RTP/AVP 0 101\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=x-secret-unknown:stays\r\n");
	assert_int_equal(drain_socks(&o, &c), 4);
	assert_int_equal(o, 4);
	assert_int_equal(do_answer("c1", "ta", "tb", answer_sdp, &out), 0);
	assert_string_equal((char *)out.data,
		"v=0\r\no=bob 2 2 IN IP4 192.0.2.20\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 40000 RTP/AVP 0\r\n");
	assert_int_equal(drain_socks(&o, &c), 0);
	/* A retransmitted offer gives the same ports. */
	assert_int_equal(do_offer("c1", "ta", offer_sdp, &out), 0);
	assert_non_null(strstr((char *)out.data, "m=audio 40002 "));
	assert_int_equal(drain_socks(&o, &c), 0);
	buf_fini(&out);
}

static void test_rtp_latching_both_ways(void **state)
{
	uint8_t a[172], b[172];
	struct rtp_call_stats st;
	struct pl cid = PL("c1");

	(void)state;
	call_setup("c1");
	/* Bob speaks first: alice's SDP address is all we know. */
	rtp_make(b, 0, 100, 1000, 0xb0b);
	send_pkt("192.0.2.20:6000", 40002, b, sizeof(b));
	expect_out(40000, "192.0.2.10:5000", b, sizeof(b));
	/* Alice is behind a NAT: her packets come from elsewhere. */
	rtp_make(a, 0, 7, 5000, 0xa11ce);
	send_pkt("198.51.100.7:7777", 40000, a, sizeof(a));
	expect_out(40002, "192.0.2.20:6000", a, sizeof(a));
	/* From now on bob's media goes to the latched address. */
	send_pkt("192.0.2.20:6000", 40002, b, sizeof(b));
	expect_out(40000, "198.51.100.7:7777", b, sizeof(b));
	/* A stray source does not move the latch. */
	send_pkt("203.0.113.66:1234", 40000, a, sizeof(a));
	expect_out(40002, "192.0.2.20:6000", a, sizeof(a));
	send_pkt("192.0.2.20:6000", 40002, b, sizeof(b));
	expect_out(40000, "198.51.100.7:7777", b, sizeof(b));

	assert_int_equal(rtp_relay_query(relay, &cid, &st), 0);
	assert_int_equal(st.stream_cnt, 1);
	assert_true(pl_eq_str(&st.stream[0].media, "audio"));
	assert_int_equal(st.stream[0].side[0].packets, 2);
	assert_int_equal(st.stream[0].side[0].bytes, 2 * 172);
	assert_int_equal(st.stream[0].side[1].packets, 3);
	assert_int_equal(st.stream[0].side[0].local_port, 40000);
	assert_int_equal(net_addr_port(&st.stream[0].side[0].peer), 7777);
}

static void test_rtp_rtcp_and_stats(void **state)
{
	uint8_t a[10][172], r[32];
	struct rtp_call_stats st;
	struct pl cid = PL("c1");
	uint16_t seq;
	int i = 0;
	size_t n;

	(void)state;
	call_setup("c1");
	/* Ten packets of 20 ms, seq 3 and 4 lost, perfect timing. */
	for (seq = 1; seq <= 12; seq++) {
		now += 20000;
		if (seq == 3 || seq == 4)
			continue;
		rtp_make(a[i], 0, seq, 160u * seq, 0xa11ce);
		send_pkt("192.0.2.10:5000", 40000, a[i], 172);
		expect_out(40002, "192.0.2.20:6000", a[i], 172);
		i++;
	}
	/* Bob's receiver report about alice's SSRC, on RTCP port+1. */
	n = rr_make(r, 0xa11ce, 2, 80);
	send_pkt("192.0.2.20:6001", 40003, r, n);
	expect_out(40001, "192.0.2.10:5001", r, n);
	assert_int_equal(rtp_relay_query(relay, &cid, &st), 0);
	assert_int_equal(st.stream[0].side[0].lost, 2);
	assert_int_equal(st.stream[0].side[0].jitter_us, 0);
	assert_true(st.stream[0].side[0].rtcp_seen);
	assert_int_equal(st.stream[0].side[0].rtcp_lost, 2);
	assert_int_equal(st.stream[0].side[0].rtcp_jitter_us, 10000);
	assert_int_equal(st.stream[0].side[1].kind[RTP_KIND_RTCP], 1);
	assert_int_equal(st.stream[0].side[0].kind[RTP_KIND_RTP], 10);
	/* A report about another SSRC is ignored. */
	n = rr_make(r, 0x1234, 99, 800);
	send_pkt("192.0.2.20:6001", 40003, r, n);
	expect_out(40001, "192.0.2.10:5001", r, n);
	assert_int_equal(rtp_relay_query(relay, &cid, &st), 0);
	assert_int_equal(st.stream[0].side[0].rtcp_lost, 2);
	/* Late timing shows as jitter. */
	now += 20000 + 15000;
	rtp_make(a[0], 0, 13, 160u * 13, 0xa11ce);
	send_pkt("192.0.2.10:5000", 40000, a[0], 172);
	expect_out(40002, "192.0.2.20:6000", a[0], 172);
	assert_int_equal(rtp_relay_query(relay, &cid, &st), 0);
	assert_true(st.stream[0].side[0].jitter_us > 0);
}

static void test_rtp_rtcp_mux(void **state)
{
	static const char *mux_offer =
		"v=0\r\no=a 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
		"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
		"m=audio 5000 RTP/AVP 0\r\na=rtcp:5000\r\na=rtcp-mux\r\n";
	static const char *mux_answer =
		"v=0\r\no=b 1 1 IN IP4 192.0.2.20\r\ns=-\r\n"
		"c=IN IP4 192.0.2.20\r\nt=0 0\r\n"
		"m=audio 6000 RTP/AVP 0\r\na=rtcp:6000\r\na=rtcp-mux\r\n";
	static const char *plain_answer =
		"v=0\r\no=b 1 1 IN IP4 192.0.2.20\r\ns=-\r\n"
		"c=IN IP4 192.0.2.20\r\nt=0 0\r\n"
		"m=audio 6000 RTP/AVP 0\r\n";
	struct buf out;
	uint8_t r[32];
	size_t n = rr_make(r, 1, 0, 0);

	(void)state;
	buf_init(&out);
	assert_int_equal(do_offer("m1", "ta", mux_offer, &out), 0);
	/* Offer: a=rtcp names our RTCP port (fallback if mux refused). */
	assert_non_null(strstr((char *)out.data,
			       "m=audio 40002 RTP/AVP 0\r\na=rtcp:40003\r\n"));
	assert_int_equal(do_answer("m1", "ta", "tb", mux_answer, &out), 0);
	/* Answer accepting mux: a=rtcp equals the RTP port. */
	assert_non_null(strstr((char *)out.data,
			       "m=audio 40000 RTP/AVP 0\r\na=rtcp:40000\r\n"));
	send_pkt("192.0.2.10:5000", 40000, r, n);
	expect_out(40002, "192.0.2.20:6000", r, n);
	send_pkt("192.0.2.20:6000", 40002, r, n);
	expect_out(40000, "192.0.2.10:5000", r, n);

	/* Bob refuses mux: nobody muxes, RTCP on port + 1 (alice's a=rtcp
	 * says 5000, which is where her RTCP goes then). */
	assert_int_equal(do_offer("m2", "ta", mux_offer, &out), 0);
	assert_int_equal(do_answer("m2", "ta", "tb", plain_answer, &out), 0);
	send_pkt("192.0.2.10:5000", 40005, r, n);
	expect_out(40007, "192.0.2.20:6001", r, n);
	send_pkt("192.0.2.20:6001", 40007, r, n);
	expect_out(40005, "192.0.2.10:5000", r, n);
	/* RTCP on an RTP port without mux still reaches the RTCP port. */
	send_pkt("192.0.2.20:6000", 40006, r, n);
	expect_out(40005, "192.0.2.10:5000", r, n);
	buf_fini(&out);
}

static void test_rtp_encrypted_pass(void **state)
{
	static const char *srtp_offer =
		"v=0\r\no=a 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
		"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
		"m=audio 5000 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
		"WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
		"a=zrtp-hash:1.10 abcdef\r\n"
		"a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n";
	struct buf out;
	uint8_t stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
	uint8_t zrtp[28] = { 0x10, 0x00, 0x00, 0x01, 'Z', 'R', 'T', 'P' };
	uint8_t dtls[30] = { 0x16, 0xfe, 0xfd };
	uint8_t srtp[172], rr[32];
	struct rtp_call_stats st;
	struct pl cid = PL("e1");
	size_t n;

	(void)state;
	buf_init(&out);
	assert_int_equal(do_offer("e1", "ta", srtp_offer, &out), 0);
	/* The keys and hashes pass byte for byte. */
	assert_non_null(strstr((char *)out.data, strstr(srtp_offer,
							"a=crypto")));
	assert_int_equal(do_answer("e1", "ta", "tb", answer_sdp, &out), 0);
	rtp_make(srtp, 0, 1, 160, 0xa);
	send_pkt("192.0.2.10:5000", 40000, stun, sizeof(stun));
	expect_out(40002, "192.0.2.20:6000", stun, sizeof(stun));
	send_pkt("192.0.2.10:5000", 40000, zrtp, sizeof(zrtp));
	expect_out(40002, "192.0.2.20:6000", zrtp, sizeof(zrtp));
	send_pkt("192.0.2.10:5000", 40000, dtls, sizeof(dtls));
	expect_out(40002, "192.0.2.20:6000", dtls, sizeof(dtls));
	send_pkt("192.0.2.10:5000", 40000, srtp, sizeof(srtp));
	expect_out(40002, "192.0.2.20:6000", srtp, sizeof(srtp));
	/* SRTCP report blocks are encrypted: never read as stats. */
	n = rr_make(rr, 0xa, 5, 5);
	send_pkt("192.0.2.20:6001", 40003, rr, n);
	expect_out(40001, "192.0.2.10:5001", rr, n);
	assert_int_equal(rtp_relay_query(relay, &cid, &st), 0);
	assert_int_equal(st.stream[0].side[0].kind[RTP_KIND_STUN], 1);
	assert_int_equal(st.stream[0].side[0].kind[RTP_KIND_ZRTP], 1);
	assert_int_equal(st.stream[0].side[0].kind[RTP_KIND_DTLS], 1);
	assert_int_equal(st.stream[0].side[0].kind[RTP_KIND_RTP], 1);
	assert_false(st.stream[0].side[0].rtcp_seen);
	buf_fini(&out);
}

static int ended;
static uint64_t ended_pkts;

static void on_end(void *arg, const struct pl *cid,
		   const struct rtp_call_stats *st)
{
	(void)arg;
	assert_true(pl_eq_str(cid, "t1"));
	ended++;
	ended_pkts = st->stream[0].side[0].packets;
}

static void test_rtp_timeouts(void **state)
{
	static const char *hold_offer =
		"v=0\r\no=alice 1 2 IN IP4 192.0.2.10\r\ns=-\r\n"
		"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
		"m=audio 5000 RTP/AVP 0\r\na=sendonly\r\n";
	uint8_t a[172];
	struct buf out;
	struct pl cid = PL("t1");
	bool hold;
	int o, c;

	(void)state;
	ended = 0;
	rtp_relay_set_end_fn(relay, on_end, NULL);
	buf_init(&out);
	call_setup("t1");
	drain_socks(&o, &c);
	assert_int_equal(rtp_relay_deadline(relay), now + S(90));
	/* Media at +60 s pushes the end to +150 s. */
	now += S(60);
	rtp_make(a, 0, 1, 160, 1);
	send_pkt("192.0.2.10:5000", 40000, a, sizeof(a));
	expect_out(40002, "192.0.2.20:6000", a, sizeof(a));
	now += S(30);
	assert_int_equal(rtp_relay_timeout(relay, now), 0);
	assert_int_equal(ended, 0);
	assert_int_equal(rtp_relay_deadline(relay), now + S(60));
	/* Hold: 7200 s without media is fine. */
	assert_int_equal(do_offer("t1", "ta", hold_offer, &out), 0);
	assert_int_equal(rtp_relay_hold(relay, &cid, &hold), 0);
	assert_true(hold);
	now += S(7000);
	assert_int_equal(rtp_relay_timeout(relay, now), 0);
	assert_int_equal(ended, 0);
	/* Resume: back to 90 s. */
	assert_int_equal(do_offer("t1", "ta", offer_sdp, &out), 0);
	assert_int_equal(rtp_relay_hold(relay, &cid, &hold), 0);
	assert_false(hold);
	now += S(89);
	assert_int_equal(rtp_relay_timeout(relay, now), 0);
	assert_int_equal(ended, 0);
	now += S(1);
	assert_int_equal(rtp_relay_timeout(relay, now), 0);
	assert_int_equal(ended, 1);
	assert_int_equal(ended_pkts, 1);
	assert_int_equal(rtp_relay_query(relay, &cid, NULL), EINVAL);
	{
		struct rtp_call_stats st;
		assert_int_equal(rtp_relay_query(relay, &cid, &st), ENOENT);
	}
	assert_int_equal(drain_socks(&o, &c), 4);
	assert_int_equal(c, 4);
	assert_int_equal(rtp_relay_deadline(relay), UINT64_MAX);
	/* Packets to the closed ports cost nothing and go nowhere. */
	send_pkt("192.0.2.10:5000", 40000, a, sizeof(a));
	expect_none();
	buf_fini(&out);
}

static void test_rtp_port_exhaustion_and_reuse(void **state)
{
	struct buf out;
	struct rtp_call_stats st;
	struct rtp_relay_counters cnt;
	struct pl cid = PL("x1");
	int o, c;

	(void)state;
	rtp_relay_free(relay);
	relay_make(50000, 50007);	/* 4 pairs: two one-stream calls */
	buf_init(&out);
	assert_int_equal(do_offer("x1", "ta", offer_sdp, &out), 0);
	assert_int_equal(do_offer("x2", "ta", offer_sdp, &out), 0);
	out.len = 0;
	assert_int_equal(do_offer("x3", "ta", offer_sdp, &out), EOVERFLOW);
	assert_int_equal(out.len, 0);
	drain_socks(&o, &c);
	assert_int_equal(o, 8);
	assert_int_equal(rtp_relay_delete(relay, now, &cid, &st), 0);
	assert_int_equal(st.stream_cnt, 1);
	assert_int_equal(rtp_relay_delete(relay, now, &cid, NULL), ENOENT);
	drain_socks(&o, &c);
	assert_int_equal(c, 4);
	/* The freed ports serve the next call. */
	assert_int_equal(do_offer("x3", "ta", offer_sdp, &out), 0);
	assert_non_null(strstr((char *)out.data, "m=audio 50002 "));
	drain_socks(&o, &c);
	assert_int_equal(o, 4);
	rtp_relay_counters(relay, &cnt);
	assert_int_equal(cnt.ports_in_use, 8);
	buf_fini(&out);
}

static void test_rtp_reinvite_callee_and_video(void **state)
{
	static const char *bob_reoffer =
		"v=0\r\no=bob 2 3 IN IP4 192.0.2.21\r\ns=-\r\n"
		"c=IN IP4 192.0.2.21\r\nt=0 0\r\n"
		"m=audio 6100 RTP/AVP 8\r\n"
		"m=video 6200 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
	static const char *alice_answer =
		"v=0\r\no=alice 1 3 IN IP4 192.0.2.10\r\ns=-\r\n"
		"c=IN IP4 192.0.2.10\r\nt=0 0\r\n"
		"m=audio 5000 RTP/AVP 8\r\nm=video 5200 RTP/AVP 96\r\n";
	struct buf out;
	uint8_t v[172];
	int o, c;

	(void)state;
	buf_init(&out);
	call_setup("r1");
	drain_socks(&o, &c);
	/* Bob re-INVITEs (from-tag tb) with a new address and video. */
	assert_int_equal(do_offer("r1", "tb", bob_reoffer, &out), 0);
	assert_non_null(strstr((char *)out.data,
			       "m=audio 40000 RTP/AVP 8\r\n"
			       "m=video 40004 RTP/AVP 96\r\n"));
	assert_int_equal(drain_socks(&o, &c), 4);
	assert_int_equal(do_answer("r1", "tb", "ta", alice_answer, &out), 0);
	assert_non_null(strstr((char *)out.data,
			       "m=audio 40002 RTP/AVP 8\r\n"
			       "m=video 40006 RTP/AVP 96\r\n"));
	rtp_make(v, 96, 1, 90000, 7);
	send_pkt("192.0.2.10:5200", 40004, v, sizeof(v));
	expect_out(40006, "192.0.2.21:6200", v, sizeof(v));
	send_pkt("192.0.2.10:5000", 40000, v, sizeof(v));
	expect_out(40002, "192.0.2.21:6100", v, sizeof(v));
	/* An unknown third tag cannot re-offer. */
	assert_int_equal(do_offer("r1", "tz", bob_reoffer, &out), EPROTO);
	buf_fini(&out);
}

static void test_rtp_errors_and_oom(void **state)
{
	struct buf out;
	int64_t n;
	int err;

	(void)state;
	buf_init(&out);
	assert_int_equal(do_offer("b1", "ta", "v=0\r\nbogus\r\n", &out),
			 EBADMSG);
	assert_int_equal(do_answer("nope", "ta", "tb", answer_sdp, &out),
			 ENOENT);
	assert_int_equal(do_offer("", "ta", offer_sdp, &out), EINVAL);
	call_setup("b2");
	/* An answer with more m-lines than the offer had. */
	assert_int_equal(do_answer("b2", "ta", "tb",
		"v=0\r\no=b 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\n"
		"t=0 0\r\nm=audio 1 RTP/AVP 0\r\nm=video 2 RTP/AVP 0\r\n",
		&out), EBADMSG);
	/* Every allocation failure leaves no trace. */
	for (n = 0;; n++) {
		mem_fail_at(n, 1);
		err = do_offer("oom", "ta", offer_sdp, &out);
		if (!err)
			err = do_answer("oom", "ta", "tb", answer_sdp, &out);
		mem_fail_at(-1, 0);
		if (!err)
			break;
		assert_int_equal(err, ENOMEM);
		{
			struct pl cid = PL("oom");
			(void)rtp_relay_delete(relay, now, &cid, NULL);
		}
	}
	assert_true(n > 2);
	buf_fini(&out);
}

static void test_rtp_pkt_helpers(void **state)
{
	uint8_t p[172], bad[12] = { 0x40 };
	struct rtp_hdr h;
	struct rtcp_rr rr;
	uint8_t sr[52] = { 0x81, 200, 0, 12 };

	(void)state;
	rtp_make(p, 0x80 | 96, 513, 0x01020304, 0xdeadbeef);
	assert_int_equal(rtp_hdr_decode(p, sizeof(p), &h), 0);
	assert_true(h.marker);
	assert_int_equal(h.pt, 96);
	assert_int_equal(h.seq, 513);
	assert_int_equal(h.ts, 0x01020304);
	assert_int_equal(h.ssrc, 0xdeadbeef);
	assert_int_equal(h.hdr_len, 12);
	assert_int_equal(h.pad_len, 0);
	/* The encoder writes what rtp_make writes by hand, byte for byte. */
	{
		uint8_t e[172];

		memset(e, 0xd5, sizeof(e));
		rtp_hdr_encode(e, &h);
		assert_memory_equal(e, p, sizeof(e));
		h.marker = false;
		h.pt = 0xff;	/* out of range: only 7 bits are written */
		rtp_hdr_encode(e, &h);
		assert_int_equal(e[1], 0x7f);
	}
	p[171] = 3;		/* padding: the last octet counts it */
	p[0] |= 0x20;
	assert_int_equal(rtp_hdr_decode(p, sizeof(p), &h), 0);
	assert_int_equal(h.pad_len, 3);
	p[0] = 0x92;		/* 2 CSRCs + extension of 1 word */
	p[20] = 0xbe;
	p[21] = 0xde;
	p[22] = 0;
	p[23] = 1;
	assert_int_equal(rtp_hdr_decode(p, sizeof(p), &h), 0);
	assert_int_equal(h.hdr_len, 12 + 8 + 4 + 4);
	assert_int_equal(rtp_hdr_decode(p, 20, &h), EBADMSG);
	assert_int_equal(rtp_hdr_decode(bad, sizeof(bad), &h), EBADMSG);
	assert_int_equal(rtp_pkt_kind(p, 1), RTP_KIND_OTHER);
	assert_int_equal(rtp_pkt_kind((const uint8_t *)"\x81\xc8", 2),
			 RTP_KIND_RTCP);
	assert_int_equal(rtp_pkt_kind((const uint8_t *)"\x80\x00", 2),
			 RTP_KIND_RTP);
	assert_int_equal(rtp_pkt_kind((const uint8_t *)"\x41", 1),
			 RTP_KIND_TURN);
	assert_string_equal(rtp_kind_name(RTP_KIND_ZRTP), "zrtp");
	assert_int_equal(rtp_pkt_kind((const uint8_t *)"\x10\0\0\1ZRTP", 8),
			 RTP_KIND_ZRTP);
	assert_int_equal(rtp_pkt_kind((const uint8_t *)"\x10\0\0\1ZRTx", 8),
			 RTP_KIND_OTHER);
	/* SR: report block after the 20-byte sender info. */
	sr[28] = 0x11;
	sr[33] = 0xff;		/* cum lost 0xffffff = -1 */
	sr[34] = 0xff;
	sr[35] = 0xff;
	assert_int_equal(rtcp_rr_first(sr, sizeof(sr), &rr), 0);
	assert_int_equal(rr.ssrc, 0x11000000);
	assert_int_equal(rr.cum_lost, -1);
	assert_int_equal(rtcp_rr_first(sr, 40, &rr), EBADMSG);
	sr[0] = 0x80;		/* RC 0: no block */
	assert_int_equal(rtcp_rr_first(sr, sizeof(sr), &rr), ENOENT);
}

static void test_rtp_cfg_and_flood(void **state)
{
	struct cfg c;
	struct rtp_relay_cfg rc;
	struct rtp_relay_counters cnt;
	uint8_t a[172];
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(cfg_load_str(&c, "t.conf",
		"[media]\naddress = 127.0.0.1\nports = 40000-40999\n"), 0);
	assert_int_equal(rtp_relay_cfg_load(&c, &rc), 0);
	assert_int_equal(rc.port_min, 40000);
	assert_int_equal(rc.port_max, 40999);
	cfg_fini(&c);
	memset(&c, 0, sizeof(c));
	assert_int_equal(cfg_load_str(&c, "t.conf",
		"[media]\nports = 40000-39000\n"), 0);
	assert_int_equal(rtp_relay_cfg_load(&c, &rc), EINVAL);
	assert_non_null(strstr(c.err, "t.conf:2: [media] ports"));
	cfg_fini(&c);
	/* A flood to unallocated ports forwards nothing. */
	rtp_make(a, 0, 1, 1, 1);
	for (i = 0; i < 1000; i++)
		send_pkt("203.0.113.9:9", (uint16_t)(40000 + i % 200), a,
			 sizeof(a));
	expect_none();
	rtp_relay_counters(relay, &cnt);
	assert_int_equal(cnt.dropped_unknown_port, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rtp_offer_answer_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_latching_both_ways, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_rtcp_and_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_rtcp_mux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_encrypted_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_port_exhaustion_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_reinvite_callee_and_video, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_errors_and_oom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_pkt_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_cfg_and_flood, setup, teardown),
	};
	return cmocka_run_group_tests_name("rtp", tests, NULL, NULL);
}
