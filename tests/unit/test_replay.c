/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sim/replay's packet layers: every link type, VLAN/MPLS/
 * PPPoE, IPv4 and IPv6 fragment reassembly, IP-in-IP/GRE/ERSPAN/VXLAN,
 * TCP reassembly (several messages per segment, one across segments, out
 * of order, retransmission, gap and resynchronisation), SCTP DATA
 * fragments, WebSocket (masked, fragmented), TLS and MSRP, and bad frames.
 * Each test feeds built frames through rpl_frame and reads the counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "replay/replay.h"
#include "replay_frames.h"
#include "mem_testutil.h"

static struct fb F;		/* big: keep off the stack */
static char sip[4096];

static struct rpl *new_rpl(void)
{
	struct rpl *r = NULL;

	assert_int_equal(rpl_new(&r, NULL), 0);
	return r;
}

static void feed(struct rpl *r, int dlt, const struct fb *f)
{
	assert_int_equal(rpl_frame(r, 1000000, dlt, f->d, f->n, f->n), 0);
}

/* An INVITE of about 800 bytes, so that it can be cut in pieces. */
static size_t invite(const char *cid)
{
	size_t n = fb_sip_req(sip, sizeof(sip), "INVITE", cid, "ft1", "", 1,
			      "INVITE", FB_SDP("10.0.0.1", "4000")
			      "a=x-pad:0123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789012345\r\n"
			      "a=x-pad:0123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789012345\r\n"
			      "a=x-pad:0123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789012345\r\n"
			      "a=x-pad:0123456789012345678901234567890123456789"
			      "0123456789012345678901234567890123456789012345\r\n");

	assert_true(n > 700 && n < sizeof(sip));
	return n;
}

/* The same INVITE under every link layer this reader knows. */
static void test_replay_link_types(void **state)
{
	struct rpl *r = new_rpl();
	size_t n = invite("links"), base;
	struct fb ip;
	int dlts = 0;

	(void)state;
	ip.n = 0;
	fb_ip4(&ip, 1, 2, 17, 8 + n, 1, 0);
	fb_udp(&ip, 5060, 5060, sip, n);

	/* Ethernet with 802.1ad + 802.1Q tags */
	F.n = 0;
	fb_eth(&F, 0x88a8);
	fb_16(&F, 10);
	fb_16(&F, 0x8100);
	fb_16(&F, 20);
	fb_16(&F, 0x0800);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_EN10MB, &F), dlts++;
	/* MPLS two labels */
	F.n = 0;
	fb_eth(&F, 0x8847);
	fb_32(&F, 0x00010040);
	fb_32(&F, 0x00020140);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_EN10MB, &F), dlts++;
	/* PPPoE session */
	F.n = 0;
	fb_eth(&F, 0x8864);
	fb_32(&F, 0x11000001);
	fb_16(&F, (uint16_t)(ip.n + 2));
	fb_16(&F, 0x0021);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_EN10MB, &F), dlts++;
	/* Linux SLL */
	F.n = 0;
	fb_16(&F, 0);
	fb_16(&F, 1);
	fb_16(&F, 6);
	fb_32(&F, 0);
	fb_32(&F, 0);
	fb_16(&F, 0x0800);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_LINUX_SLL, &F), dlts++;
	/* Linux SLL2 */
	F.n = 0;
	fb_16(&F, 0x0800);
	fb_16(&F, 0);
	fb_32(&F, 3);
	fb_16(&F, 1);
	fb_16(&F, 0x0006);
	fb_32(&F, 0);
	fb_32(&F, 0);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_LINUX_SLL2, &F), dlts++;
	/* raw IP, three spellings */
	F.n = 0;
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_RAW, &F), dlts++;
	feed(r, RPL_DLT_LINKTYPE_RAW, &F), dlts++;
	feed(r, RPL_DLT_IPV4, &F), dlts++;
	/* BSD null (little-endian AF_INET) and loop (big-endian) */
	F.n = 0;
	fb_32(&F, 0x02000000);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_NULL, &F), dlts++;
	F.n = 0;
	fb_32(&F, 2);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_LOOP, &F), dlts++;
	/* PPP as ns-3 writes it (no address/control), and HDLC-framed */
	F.n = 0;
	fb_16(&F, 0x0021);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_PPP, &F), dlts++;
	F.n = 0;
	fb_16(&F, 0xff03);
	fb_16(&F, 0x0021);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_PPP_SERIAL, &F), dlts++;
	/* Cisco HDLC */
	F.n = 0;
	fb_16(&F, 0x0f00);
	fb_16(&F, 0x0800);
	fb_put(&F, ip.d, ip.n);
	feed(r, RPL_DLT_C_HDLC, &F), dlts++;

	base = (size_t)rpl_stats(r)->sip_messages;
	assert_int_equal(base, dlts);
	assert_int_equal(rpl_stats(r)->sip_requests, dlts);
	assert_int_equal(rpl_stats(r)->sip_by_method[SIP_M_INVITE], dlts);
	assert_int_equal(rpl_stats(r)->calls, 1);	/* same dialog */
	assert_int_equal(rpl_stats(r)->sip_retrans, dlts - 1);
	assert_int_equal(rpl_stats(r)->frames_undecoded, 0);
	/* a link type this reader lacks is refused, not guessed */
	assert_int_equal(rpl_frame(r, 1, 147, F.d, F.n, F.n),
			 EPROTONOSUPPORT);
	assert_false(rpl_dlt_supported(147));
	rpl_finish(r);
	rpl_free(r);
}

static void test_replay_ipv4_fragments(void **state)
{
	struct rpl *r = new_rpl();
	size_t n = invite("frag4"), udpl = 8 + n, off[3], len[3];
	struct fb udp;
	int order[] = { 2, 0, 0, 1 };	/* last first, a duplicate */
	int i;

	(void)state;
	udp.n = 0;
	fb_udp(&udp, 5060, 5060, sip, n);
	off[0] = 0;
	len[0] = 200;
	off[1] = 200;
	len[1] = 200;
	off[2] = 400;
	len[2] = udpl - 400;
	for (i = 0; i < 4; i++) {
		int k = order[i];

		F.n = 0;
		fb_eth(&F, 0x0800);
		fb_ip4(&F, 1, 2, 17, len[k], 77,
		       (uint16_t)((k < 2 ? 0x2000 : 0) | off[k] / 8));
		fb_put(&F, udp.d + off[k], len[k]);
		feed(r, RPL_DLT_EN10MB, &F);
		assert_int_equal(rpl_stats(r)->sip_messages, i == 3);
	}
	assert_int_equal(rpl_stats(r)->ip_reassembled, 1);
	assert_int_equal(rpl_stats(r)->ip_fragments, 4);
	/* a lone middle fragment is dropped at the end, never dissected */
	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 1, 2, 17, 16, 78, 0x2000 | 10);
	fb_put(&F, udp.d, 16);
	feed(r, RPL_DLT_EN10MB, &F);
	rpl_finish(r);
	assert_int_equal(rpl_stats(r)->ip_frag_dropped, 1);
	assert_int_equal(rpl_stats(r)->sip_messages, 1);
	rpl_free(r);
}

static void test_replay_ipv6_fragments(void **state)
{
	struct rpl *r = new_rpl();
	size_t n = invite("frag6"), udpl = 8 + n;
	struct fb udp;
	int k;

	(void)state;
	udp.n = 0;
	fb_udp(&udp, 5062, 5062, sip, n);
	for (k = 1; k >= 0; k--) {
		size_t o = k ? 304 : 0, l = k ? udpl - 304 : 304;

		F.n = 0;
		fb_eth(&F, 0x86dd);
		fb_ip6(&F, 1, 2, 60, 8 + 8 + l);	/* dst options first */
		fb_16(&F, 44 << 8);
		fb_16(&F, 0);
		fb_32(&F, 0);
		fb_16(&F, 17 << 8);
		fb_16(&F, (uint16_t)(o | (k ? 0 : 1)));
		fb_32(&F, 0xabcdef);
		fb_put(&F, udp.d + o, l);
		feed(r, RPL_DLT_EN10MB, &F);
	}
	assert_int_equal(rpl_stats(r)->sip_messages, 1);
	assert_int_equal(rpl_stats(r)->ip_reassembled, 1);
	rpl_finish(r);
	rpl_free(r);
}

static void test_replay_tunnels(void **state)
{
	struct rpl *r = new_rpl();
	size_t n = invite("tun");
	struct fb in, eth;
	int cnt = 0;

	(void)state;
	in.n = 0;
	fb_ip4(&in, 1, 2, 17, 8 + n, 1, 0);
	fb_udp(&in, 5060, 5060, sip, n);
	eth.n = 0;
	fb_eth(&eth, 0x0800);
	fb_put(&eth, in.d, in.n);

	/* IP in IP */
	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 7, 8, 4, in.n, 2, 0);
	fb_put(&F, in.d, in.n);
	feed(r, RPL_DLT_EN10MB, &F), cnt++;
	/* GRE with checksum, key and sequence, carrying IPv4 */
	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 7, 8, 47, 16 + in.n, 3, 0);
	fb_16(&F, 0xb000);
	fb_16(&F, 0x0800);
	fb_32(&F, 0);
	fb_32(&F, 42);
	fb_32(&F, 7);
	fb_put(&F, in.d, in.n);
	feed(r, RPL_DLT_EN10MB, &F), cnt++;
	/* ERSPAN type II: GRE with S bit, 8-byte header, Ethernet */
	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 7, 8, 47, 8 + 8 + eth.n, 4, 0);
	fb_16(&F, 0x1000);
	fb_16(&F, 0x88be);
	fb_32(&F, 1);
	fb_32(&F, 0x10000001);
	fb_32(&F, 0);
	fb_put(&F, eth.d, eth.n);
	feed(r, RPL_DLT_EN10MB, &F), cnt++;
	/* ERSPAN type III with the O flag (8-byte subheader) */
	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 7, 8, 47, 4 + 20 + eth.n, 5, 0);
	fb_16(&F, 0x0000);
	fb_16(&F, 0x22eb);
	fb_32(&F, 0x20000001);
	fb_32(&F, 0);
	fb_32(&F, 1);		/* O = 1 */
	fb_32(&F, 0);
	fb_32(&F, 0);
	fb_put(&F, eth.d, eth.n);
	feed(r, RPL_DLT_EN10MB, &F), cnt++;
	/* VXLAN */
	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 7, 8, 17, 8 + 8 + eth.n, 6, 0);
	fb_16(&F, 40000);
	fb_16(&F, 4789);
	fb_16(&F, (uint16_t)(8 + 8 + eth.n));
	fb_16(&F, 0);
	fb_32(&F, 0x08000000);
	fb_32(&F, 0x00000100);
	fb_put(&F, eth.d, eth.n);
	feed(r, RPL_DLT_EN10MB, &F), cnt++;
	assert_int_equal(rpl_stats(r)->sip_messages, cnt);
	assert_int_equal(rpl_stats(r)->tunnels, cnt);
	rpl_finish(r);
	rpl_free(r);
}

static void tcp(struct rpl *r, uint8_t s, uint16_t sp, uint8_t d, uint16_t dp,
		uint32_t seq, uint8_t fl, const void *p, size_t n)
{
	fb_eth_tcp4(&F, s, sp, d, dp, seq, fl, p, n);
	feed(r, RPL_DLT_EN10MB, &F);
}

static void test_replay_tcp_reassembly(void **state)
{
	struct rpl *r = new_rpl();
	static char two[8192];
	size_t a, b, n;
	uint32_t seq = 1000;

	(void)state;
	tcp(r, 1, 40000, 2, 5060, seq - 1, FB_SYN, NULL, 0);
	/* two messages in one segment (with a CRLF keep-alive first) */
	a = invite("tcp1");
	memcpy(two, "\r\n\r\n", 4);
	memcpy(two + 4, sip, a);
	b = fb_sip_req(sip, sizeof(sip), "OPTIONS", "tcp2", "x", "", 1,
		       "OPTIONS", "");
	memcpy(two + 4 + a, sip, b);
	n = 4 + a + b;
	tcp(r, 1, 40000, 2, 5060, seq, FB_ACK, two, n);
	seq += (uint32_t)n;
	assert_int_equal(rpl_stats(r)->sip_messages, 2);
	/* one message over three segments, out of order, one resent */
	a = invite("tcp3");
	tcp(r, 1, 40000, 2, 5060, seq + 200, FB_ACK, sip + 200, 100);
	tcp(r, 1, 40000, 2, 5060, seq + 300, FB_ACK, sip + 300, a - 300);
	assert_int_equal(rpl_stats(r)->sip_messages, 2);
	tcp(r, 1, 40000, 2, 5060, seq, FB_ACK, sip, 200);
	assert_int_equal(rpl_stats(r)->sip_messages, 3);
	tcp(r, 1, 40000, 2, 5060, seq, FB_ACK, sip, 200);	/* resent */
	assert_int_equal(rpl_stats(r)->sip_messages, 3);
	assert_true(rpl_stats(r)->tcp_retrans >= 1);
	seq += (uint32_t)a;
	/* a gap: the first 100 bytes of a message never arrive; the next
	 * message is found again after it */
	a = invite("tcp4");
	b = fb_sip_req(two, sizeof(two), "BYE", "tcp5", "y", "z", 2, "BYE",
		       "");
	tcp(r, 1, 40000, 2, 5060, seq + 100, FB_ACK, sip + 100, a - 100);
	tcp(r, 1, 40000, 2, 5060, seq + (uint32_t)a, FB_ACK, two, b);
	tcp(r, 1, 40000, 2, 5060, seq + (uint32_t)(a + b), FB_FIN, NULL, 0);
	tcp(r, 2, 5060, 1, 40000, 5000, FB_FIN, NULL, 0);
	assert_int_equal(rpl_stats(r)->tcp_gaps, 1);
	assert_int_equal(rpl_stats(r)->tcp_gap_bytes, 100);
	assert_true(rpl_stats(r)->tcp_skipped_bytes > 0);
	assert_int_equal(rpl_stats(r)->sip_messages, 4);	/* the BYE */
	assert_int_equal(rpl_stats(r)->sip_by_method[SIP_M_BYE], 1);
	assert_int_equal(rpl_stats(r)->tcp_streams, 1);
	rpl_finish(r);
	rpl_free(r);
}

/* A stream picked up mid-message (no handshake captured). */
static void test_replay_tcp_midstream(void **state)
{
	struct rpl *r = new_rpl();
	static char buf[8192];
	size_t a = invite("mid1"), b;

	(void)state;
	memcpy(buf, sip + 50, a - 50);
	b = fb_sip_req(buf + a - 50, sizeof(buf) - a, "CANCEL", "mid2", "q",
		       "", 1, "CANCEL", "");
	tcp(r, 3, 5060, 4, 5060, 77, FB_ACK, buf, a - 50 + b);
	assert_int_equal(rpl_stats(r)->sip_messages, 1);
	assert_int_equal(rpl_stats(r)->sip_by_method[SIP_M_CANCEL], 1);
	assert_int_equal(rpl_stats(r)->tcp_midstream_bytes, a - 50);
	assert_int_equal(rpl_stats(r)->tcp_skipped_bytes, 0);
	rpl_finish(r);
	rpl_free(r);
}

static size_t ws_frame(uint8_t *out, uint8_t b0, bool mask, const char *p,
		       size_t n)
{
	static const uint8_t key[4] = { 0x12, 0x34, 0x56, 0x78 };
	size_t h = 2, i;

	out[0] = b0;
	if (n < 126) {
		out[1] = (uint8_t)n;
	} else {
		out[1] = 126;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	}
	if (mask) {
		out[1] |= 0x80;
		memcpy(out + h, key, 4);
		h += 4;
	}
	for (i = 0; i < n; i++)
		out[h + i] = mask ? (uint8_t)(p[i] ^ key[i % 4]) : (uint8_t)p[i];
	return h + n;
}

static void test_replay_websocket(void **state)
{
	struct rpl *r = new_rpl();
	static uint8_t buf[16384];
	const char *req = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
			  "Connection: Upgrade\r\nSec-WebSocket-Protocol: sip"
			  "\r\n\r\n";
	const char *rsp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
			  "websocket\r\nConnection: Upgrade\r\n\r\n";
	size_t a, n, half;

	(void)state;
	tcp(r, 1, 50000, 2, 8080, 100, FB_ACK, req, strlen(req));
	tcp(r, 2, 8080, 1, 50000, 900, FB_ACK, rsp, strlen(rsp));
	/* masked client frame, split over two segments */
	a = invite("ws1");
	n = ws_frame(buf, 0x81, true, sip, a);
	tcp(r, 1, 50000, 2, 8080, 100 + (uint32_t)strlen(req), FB_ACK, buf,
	    10);
	tcp(r, 1, 50000, 2, 8080, 110 + (uint32_t)strlen(req), FB_ACK,
	    buf + 10, n - 10);
	assert_int_equal(rpl_stats(r)->sip_messages, 1);
	/* unmasked server message in two frames (text + continuation) */
	a = fb_sip_rsp(sip, sizeof(sip), 200, "ws1", "ft1", "t2", 1,
		       "INVITE", "");
	half = a / 2;
	n = ws_frame(buf, 0x01, false, sip, half);
	n += ws_frame(buf + n, 0x80, false, sip + half, a - half);
	tcp(r, 2, 8080, 1, 50000, 900 + (uint32_t)strlen(rsp), FB_ACK, buf,
	    n);
	assert_int_equal(rpl_stats(r)->sip_messages, 2);
	assert_int_equal(rpl_stats(r)->ws_messages, 2);
	assert_int_equal(rpl_stats(r)->sip_by_scode[200], 1);
	rpl_finish(r);
	rpl_free(r);
}

static void sctp_data(struct rpl *r, uint8_t flags, uint32_t tsn,
		      const char *p, size_t n)
{
	size_t pad = (n + 3) & ~(size_t)3;

	F.n = 0;
	fb_eth(&F, 0x0800);
	fb_ip4(&F, 1, 2, 132, 12 + 16 + pad, 9, 0);
	fb_16(&F, 5060);
	fb_16(&F, 5060);
	fb_32(&F, 1);
	fb_32(&F, 0);
	fb_16(&F, (uint16_t)(flags));	/* type 0 DATA, flags */
	fb_16(&F, (uint16_t)(16 + n));
	fb_32(&F, tsn);
	fb_16(&F, 0);
	fb_16(&F, 0);
	fb_32(&F, 0);
	fb_put(&F, p, n);
	memset(F.d + F.n, 0, pad - n);
	F.n += pad - n;
	feed(r, RPL_DLT_EN10MB, &F);
}

static void test_replay_sctp(void **state)
{
	struct rpl *r = new_rpl();
	size_t a = invite("sctp1");

	(void)state;
	sctp_data(r, 3, 10, sip, a);		/* B+E */
	sctp_data(r, 2, 11, sip, 100);		/* B */
	assert_int_equal(rpl_stats(r)->sip_messages, 1);
	sctp_data(r, 1, 12, sip + 100, a - 100);	/* E */
	assert_int_equal(rpl_stats(r)->sip_messages, 2);
	sctp_data(r, 1, 40, sip + 100, a - 100);	/* E without B */
	assert_int_equal(rpl_stats(r)->sip_messages, 2);
	assert_int_equal(rpl_stats(r)->sctp_chunks, 4);
	rpl_finish(r);
	rpl_free(r);
}

static void test_replay_tls_msrp(void **state)
{
	struct rpl *r = new_rpl();
	uint8_t rec[64] = { 22, 3, 1, 0, 10 };
	const char *send = "MSRP a786hjs2 SEND\r\nTo-Path: msrp://b:7777/s;tcp"
			   "\r\nFrom-Path: msrp://a:7777/t;tcp\r\nMessage-ID: 1"
			   "\r\nByte-Range: 1-5/5\r\nContent-Type: text/plain"
			   "\r\n\r\nhello\r\n-------a786hjs2$\r\n";
	const char *ok = "MSRP a786hjs2 200 OK\r\nTo-Path: msrp://a:7777/t;tcp"
			 "\r\nFrom-Path: msrp://b:7777/s;tcp\r\n"
			 "-------a786hjs2$\r\n";

	(void)state;
	memcpy(rec + 15, (uint8_t[]){ 23, 3, 3, 0, 4, 1, 2, 3, 4 }, 9);
	tcp(r, 1, 40001, 2, 5061, 1, FB_ACK, rec, 24);
	assert_int_equal(rpl_stats(r)->tls_streams, 1);
	assert_int_equal(rpl_stats(r)->tls_records, 2);
	tcp(r, 1, 40002, 2, 7777, 1, FB_ACK, send, 30);
	tcp(r, 1, 40002, 2, 7777, 31, FB_ACK, send + 30, strlen(send) - 30);
	tcp(r, 2, 7777, 1, 40002, 1, FB_ACK, ok, strlen(ok));
	assert_int_equal(rpl_stats(r)->msrp_messages, 2);
	assert_int_equal(rpl_stats(r)->msrp_sessions, 1);
	assert_int_equal(rpl_stats(r)->sip_messages, 0);
	rpl_finish(r);
	rpl_free(r);
}

/* Short, cut and nonsense frames are counted, never fatal. */
static void test_replay_bad_frames(void **state)
{
	struct rpl *r = new_rpl();
	size_t a = invite("bad"), cut;
	int dlts[] = { RPL_DLT_EN10MB, RPL_DLT_LINUX_SLL, RPL_DLT_LINUX_SLL2,
		       RPL_DLT_RAW, RPL_DLT_NULL, RPL_DLT_PPP, RPL_DLT_C_HDLC };
	size_t i;

	(void)state;
	fb_eth_udp4(&F, 1, 5060, 2, 5060, sip, a);
	for (cut = 0; cut < F.n; cut += 7)
		for (i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
			assert_int_equal(rpl_frame(r, 5, dlts[i], F.d, cut,
						   F.n), 0);
	assert_true(rpl_stats(r)->frames_truncated > 0);
	assert_true(rpl_stats(r)->frames_undecoded > 0);
	/* IPv4 header length larger than the packet */
	fb_eth_udp4(&F, 1, 5060, 2, 5060, sip, a);
	F.d[14] = 0x4f;
	feed(r, RPL_DLT_EN10MB, &F);
	rpl_finish(r);
	rpl_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_link_types, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_ipv4_fragments,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_ipv6_fragments,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_tunnels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_tcp_reassembly,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_tcp_midstream,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_websocket, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_sctp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_tls_msrp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_bad_frames, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
