/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the media glue (ref/io/io_media.c) with the real RTP relay
 * core on loopback: an offer/answer through the SIP proxy's media hooks
 * opens relay ports as real UDP sockets, RTP sent by each side reaches the
 * other through them, and deleting the call closes the ports again, after
 * relaying what already reached them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "io/io.h"
#include "io/io_media.h"

static int64_t blocks_at_start;

static int setup(void **state)
{
	(void)state;
	blocks_at_start = mem_blocks();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static struct net_addr loopback(uint16_t port)
{
	struct pl pl = PL("127.0.0.1");
	struct net_addr a;

	assert_int_equal(net_addr_parse(&pl, port, &a), 0);
	return a;
}

/* A UDP socket standing for one phone's media port. */
static int phone(struct net_addr *a)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	socklen_t sl = sizeof(a->u);

	*a = loopback(0);
	assert_int_equal(bind(fd, &a->u.sa, net_addr_len(a)), 0);
	assert_int_equal(getsockname(fd, &a->u.sa, &sl), 0);
	return fd;
}

static void sdp(char *dst, size_t n, uint16_t port)
{
	snprintf(dst, n, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n"
		 "a=rtpmap:0 PCMU/8000\r\n", port);
}

/* The port of the m= line of a rewritten SDP. */
static uint16_t m_port(const struct buf *b)
{
	char tmp[2048];
	const char *m;

	assert_true(b->len < sizeof(tmp));
	memcpy(tmp, b->data, b->len);
	tmp[b->len] = 0;
	m = strstr(tmp, "m=audio ");
	assert_non_null(m);
	return (uint16_t)atoi(m + 8);
}

/* Send one RTP packet from fd to port, expect it on rx within ~1 s. */
static void rtp_through(struct io_loop *l, int fd, uint16_t port, int rx,
			uint16_t seq)
{
	uint8_t pkt[172] = { 0x80, 0x00 }, got[256];
	struct net_addr to = loopback(port);
	ssize_t n = -1;
	int i;

	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[11] = 7;	/* SSRC */
	assert_int_equal(sendto(fd, pkt, sizeof(pkt), 0, &to.u.sa,
				net_addr_len(&to)), (ssize_t)sizeof(pkt));
	for (i = 0; i < 200 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		n = recv(rx, got, sizeof(got), 0);
	}
	assert_int_equal(n, (ssize_t)sizeof(pkt));
	assert_memory_equal(got, pkt, sizeof(pkt));
}

/*
 * A relay on ports base..base+span of our own (other suites may run relays
 * at once) attached to l, and one call set up through its SIP media ops:
 * A (port_a, tag fta) offers, B (port_b, tag ftb) answers; out_b is the
 * offer B got, out_a the answer A got.
 */
struct mcall {
	struct rtp_relay *r;
	struct io_media m;
	struct sip_media_ops ops;
	struct buf out_a, out_b;
};

static void mcall_open(struct mcall *c, struct io_loop *l, uint16_t base,
		       uint16_t span, uint64_t timeout_us, const struct pl *cid,
		       const struct pl *fta, const struct pl *ftb,
		       uint16_t port_a, uint16_t port_b)
{
	struct rtp_relay_cfg rc;
	char text[512];
	struct pl s;

	memset(c, 0, sizeof(*c));
	memset(&rc, 0, sizeof(rc));
	rc.addr = loopback(0);
	rc.port_min = base;
	rc.port_max = (uint16_t)(base + span);
	rc.timeout_us = timeout_us;
	assert_int_equal(rtp_relay_new(&c->r, &rc), 0);
	assert_int_equal(io_media_attach(&c->m, l, c->r), 0);
	io_media_sip_ops(&c->m, &c->ops);
	buf_init(&c->out_a);
	buf_init(&c->out_b);
	sdp(text, sizeof(text), port_a);
	s = pl_from_str(text);
	assert_int_equal(c->ops.offer(c->ops.arg, cid, fta, &s, &c->out_b), 0);
	sdp(text, sizeof(text), port_b);
	s = pl_from_str(text);
	assert_int_equal(c->ops.answer(c->ops.arg, cid, fta, ftb, &s,
				       &c->out_a), 0);
	io_media_pump(&c->m);
}

/* After io_loop_free of its loop. */
static void mcall_close(struct mcall *c)
{
	buf_fini(&c->out_a);
	buf_fini(&c->out_b);
	rtp_relay_free(c->r);
}

static void test_io_media_call(void **state)
{
	struct io_loop *l = NULL;
	struct mcall c;
	struct net_addr pa, pb;
	struct pl cid = PL("call-1@test"), fta = PL("ta"), ftb = PL("tb");
	struct io_opts o = { 0 };
	char err[128];
	uint16_t to_b, to_a, base;
	int fa, fb, k;

	(void)state;
	fa = phone(&pa);
	fb = phone(&pb);
	assert_int_equal(io_loop_new(&l, &o, err, sizeof(err)), 0);
	base = (uint16_t)(42000 + (getpid() % 1000) * 16);
	mcall_open(&c, l, base, 15, 0, &cid, &fta, &ftb, net_addr_port(&pa),
		   net_addr_port(&pb));
	assert_true(c.m.opened >= 2);
	assert_int_equal(c.m.open_fail, 0);
	to_b = m_port(&c.out_b);	/* where B sends: in the offer B got */
	to_a = m_port(&c.out_a);	/* where A sends: in the answer A got */
	assert_true(to_a >= base && to_a <= base + 15);
	assert_true(to_b >= base && to_b <= base + 15);
	assert_int_not_equal(to_a, to_b);

	for (k = 0; k < 3; k++) {
		rtp_through(l, fa, to_a, fb, (uint16_t)k);
		rtp_through(l, fb, to_b, fa, (uint16_t)(100 + k * 2));
	}

	/* The CDR's figures: [0] what the caller sent, whoever offered. */
	{
		struct sip_cdr_media st;
		char ra[NET_ADDR_STRLEN], rb[NET_ADDR_STRLEN];

		snprintf(ra, sizeof(ra), "127.0.0.1:%u", to_a);
		snprintf(rb, sizeof(rb), "127.0.0.1:%u", to_b);
		assert_int_equal(c.ops.stats(c.ops.arg, &cid, &fta, &st), 0);
		assert_true(st.present);
		assert_int_equal(st.packets[0], 3);
		assert_int_equal(st.packets[1], 3);
		assert_int_equal(st.bytes[0], 3 * 172);
		assert_int_equal(st.bytes[1], 3 * 172);
		assert_int_equal(st.lost[0], 0);
		assert_string_equal(st.relay[0], ra);
		assert_string_equal(st.relay[1], rb);
		/* Late offer: the callee offered, so the sides swap. */
		assert_int_equal(c.ops.stats(c.ops.arg, &cid, &ftb, &st), 0);
		assert_string_equal(st.relay[0], rb);
		assert_string_equal(st.relay[1], ra);
	}
	c.ops.del(c.ops.arg, &cid, &fta);
	io_media_pump(&c.m);
	assert_int_equal(c.m.closed, c.m.opened);
	{
		struct sip_cdr_media st;

		assert_int_equal(c.ops.stats(c.ops.arg, &cid, &fta, &st), ENOENT);
	}
	/* The relay's ports are free again: we can bind one. */
	{
		struct net_addr a = loopback(to_a);
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		assert_int_equal(bind(fd, &a.u.sa, net_addr_len(&a)), 0);
		close(fd);
	}
	io_loop_free(l);
	mcall_close(&c);
	close(fa);
	close(fb);
}

/*
 * A call the relay ends by itself (no media for its timeout: 300 ms here)
 * still gets its figures into the CDR written later, and its ports close.
 */
static void test_io_media_timeout_stats(void **state)
{
	struct rtp_relay_counters cnt;
	struct io_loop *l = NULL;
	struct mcall c;
	struct sip_cdr_media st;
	struct net_addr pa, pb;
	struct pl cid = PL("call-2@test"), fta = PL("ta"), ftb = PL("tb");
	struct io_opts o = { 0 };
	char err[128];
	uint16_t base;
	int fa, fb, i;

	(void)state;
	fa = phone(&pa);
	fb = phone(&pb);
	assert_int_equal(io_loop_new(&l, &o, err, sizeof(err)), 0);
	base = (uint16_t)(42000 + (getpid() % 1000) * 16 + 8);
	mcall_open(&c, l, base, 7, 300000, &cid, &fta, &ftb,
		   net_addr_port(&pa), net_addr_port(&pb));
	rtp_through(l, fa, m_port(&c.out_a), fb, 1);
	rtp_through(l, fa, m_port(&c.out_a), fb, 2);
	rtp_through(l, fb, m_port(&c.out_b), fa, 9);
	for (i = 0; i < 300; i++) {
		rtp_relay_counters(c.r, &cnt);
		if (cnt.calls_timed_out)
			break;
		assert_int_equal(io_run_once(l, 10), 0);
	}
	assert_int_equal(cnt.calls_timed_out, 1);
	assert_int_equal(c.m.closed, c.m.opened);
	assert_int_equal(c.ops.stats(c.ops.arg, &cid, &fta, &st), 0);
	assert_true(st.present);
	assert_int_equal(st.packets[0], 2);
	assert_int_equal(st.packets[1], 1);
	assert_int_equal(st.bytes[0], 2 * 172);
	/* asked with the other side as the caller: swapped */
	assert_int_equal(c.ops.stats(c.ops.arg, &cid, &ftb, &st), 0);
	assert_int_equal(st.packets[0], 1);
	assert_int_equal(st.packets[1], 2);
	{
		struct pl other = PL("no-such-call");

		assert_int_equal(c.ops.stats(c.ops.arg, &other, &fta, &st),
				 ENOENT);
	}
	io_loop_free(l);
	mcall_close(&c);
	close(fa);
	close(fb);
}

/* Send RTP packets seq0.. from fd to port; the loop does not run. */
static void rtp_queue(int fd, uint16_t port, uint16_t seq0, int n)
{
	uint8_t pkt[172] = { 0x80, 0x00 };
	struct net_addr to = loopback(port);
	int i;

	pkt[11] = 9;	/* SSRC */
	for (i = 0; i < n; i++) {
		pkt[2] = (uint8_t)((seq0 + i) >> 8);
		pkt[3] = (uint8_t)(seq0 + i);
		assert_int_equal(sendto(fd, pkt, sizeof(pkt), 0, &to.u.sa,
					net_addr_len(&to)),
				 (ssize_t)sizeof(pkt));
	}
}

/* Expect packets seq0.. on fd, already there, then nothing more. */
static void rtp_expect(int fd, uint16_t seq0, int n)
{
	uint8_t got[256];
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(recv(fd, got, sizeof(got), MSG_DONTWAIT), 172);
		assert_int_equal(got[2] << 8 | got[3], (uint16_t)(seq0 + i));
	}
	assert_int_equal(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
}

/*
 * RTP that reached the relay's ports before the call ended, but that the
 * loop had not read yet (the BYE came first in its readiness order, as in
 * t_replay_live's corpus runs: ACK, 66 RTP packets and BYE sent back to
 * back), is relayed and counted in the CDR, not dropped with the sockets.
 */
static void test_io_media_end_reads_queued(void **state)
{
	struct io_loop *l = NULL;
	struct mcall c;
	struct sip_cdr_media st;
	struct net_addr pa, pb;
	struct pl cid = PL("call-3@test"), fta = PL("ta"), ftb = PL("tb");
	struct io_opts o = { 0 };
	char err[128];
	uint16_t base;
	int fa, fb;

	(void)state;
	fa = phone(&pa);
	fb = phone(&pb);
	assert_int_equal(io_loop_new(&l, &o, err, sizeof(err)), 0);
	base = (uint16_t)(42000 + (getpid() % 1000) * 16);
	mcall_open(&c, l, base, 15, 0, &cid, &fta, &ftb, net_addr_port(&pa),
		   net_addr_port(&pb));
	/* one packet each way through the loop: both sides latched */
	rtp_through(l, fa, m_port(&c.out_a), fb, 1);
	rtp_through(l, fb, m_port(&c.out_b), fa, 100);
	/* then the last packets, queued on the relay's sockets unread */
	rtp_queue(fa, m_port(&c.out_a), 2, 24);
	rtp_queue(fb, m_port(&c.out_b), 101, 42);
	/* the BYE: the proxy takes the CDR figures, then ends the call */
	assert_int_equal(c.ops.stats(c.ops.arg, &cid, &fta, &st), 0);
	assert_int_equal(st.packets[0], 25);
	assert_int_equal(st.packets[1], 43);
	c.ops.del(c.ops.arg, &cid, &fta);
	io_media_pump(&c.m);
	assert_int_equal(c.m.closed, c.m.opened);
	assert_int_equal(c.m.read_at_end, 66);
	/* every queued packet was relayed, in order */
	rtp_expect(fb, 2, 24);
	rtp_expect(fa, 101, 42);
	io_loop_free(l);
	mcall_close(&c);
	close(fa);
	close(fb);
}

/* [media] in one call: absent -> ENOENT, bad -> file:line:key, good ->
 * relay attached and the ng protocol answering a ping. */
static void test_io_media_start(void **state)
{
	struct io_loop *l = NULL;
	struct io_opts o = { 0 };
	struct io_media m;
	struct cfg c;
	char err[256], text[256], rx[128];
	uint16_t ng = (uint16_t)(43000 + (getpid() % 1000) * 16 + 7);
	struct net_addr to = loopback(ng);
	ssize_t n = -1;
	int fd, i;

	(void)state;
	assert_int_equal(io_loop_new(&l, &o, err, sizeof(err)), 0);
	assert_int_equal(cfg_load_str(&c, "x.ini", "[sip]\nlisten = u\n"), 0);
	assert_int_equal(io_media_start(&m, l, &c, NULL, err, sizeof(err)),
			 ENOENT);
	io_media_stop(&m);
	cfg_fini(&c);
	assert_int_equal(cfg_load_str(&c, "x.ini", "[media]\naddress = "
				      "127.0.0.1\nports = 9-5\n"), 0);
	assert_int_equal(io_media_start(&m, l, &c, NULL, err, sizeof(err)),
			 EINVAL);
	assert_non_null(strstr(c.err, "x.ini:3: [media] ports:"));
	cfg_fini(&c);
	snprintf(text, sizeof(text), "[media]\naddress = 127.0.0.1\n"
		 "ports = %u-%u\nng_listen = udp:127.0.0.1:%u\n",
		 (unsigned)(ng + 100), (unsigned)(ng + 131), (unsigned)ng);
	assert_int_equal(cfg_load_str(&c, "x.ini", text), 0);
	assert_int_equal(io_media_start(&m, l, &c, NULL, err, sizeof(err)), 0);
	assert_non_null(m.ng_core);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sendto(fd, "c1 d7:command4:pinge", 20, 0, &to.u.sa,
	       net_addr_len(&to));
	for (i = 0; i < 200 && n < 0; i++) {
		assert_int_equal(io_run_once(l, 5), 0);
		n = recv(fd, rx, sizeof(rx) - 1, 0);
	}
	assert_true(n > 0);
	rx[n] = 0;
	assert_non_null(strstr(rx, "pong"));
	close(fd);
	io_loop_free(l);
	io_media_stop(&m);
	cfg_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_io_media_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_io_media_timeout_stats,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_media_end_reads_queued,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_media_start, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("io_media", tests, NULL, NULL);
}
