/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the conference focus core through the four core calls
 * with a fake clock and no sockets: three legs (PCMU, PCMA, L16) join one
 * room, each sends a tone over RTP and the RTP the focus sends back is
 * checked by spectrum (Goertzel: the other two tones present, its own
 * absent); 488 (no common codec, SRTP-only offer), 486 (room full), 404,
 * 481, OPTIONS; the media-timeout drop with its BYE; BYE ends legs and the
 * last one ends the room; one CDR per leg.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/net.h"
#include "sip/sip.h"
#include "sdp/sdp.h"
#include "conf/conf_mix.h"
#include "rtp/rtp.h"
#include "conf/conf_focus.h"
#include "conf_testutil.h"
#include "tone_testutil.h"

#define PORT_MIN 40000

static int64_t blocks_at_start;
static struct sip_msg rsp;
static struct sdp_session ans;
static unsigned ncdr;
static char cdr_room[8][64];
static uint16_t cdr_status[8];
static char cdr_hangup[8][16];

static int setup(void **state)
{
	(void)state;
	blocks_at_start = mem_blocks();
	ncdr = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(mem_blocks(), blocks_at_start);
	return 0;
}

static void on_cdr(void *arg, const struct sip_cdr *c, const char *room)
{
	(void)arg;
	if (ncdr < 8) {
		snprintf(cdr_room[ncdr], sizeof(cdr_room[0]), "%s", room);
		cdr_status[ncdr] = c->status;
		snprintf(cdr_hangup[ncdr], sizeof(cdr_hangup[0]), "%s",
			 c->hangup);
	}
	ncdr++;
}

static struct conf_focus *focus(unsigned room_max, uint64_t timeout_us)
{
	struct conf_focus_cfg cfg;
	struct conf_focus *f;

	memset(&cfg, 0, sizeof(cfg));
	cfg.room_prefix = "room-";
	cfg.domain = "example.org";
	cfg.sip_addr = addr(5070);
	cfg.media_addr = addr(0);
	cfg.port_min = PORT_MIN;
	cfg.port_max = PORT_MIN + 10;
	cfg.room_max = room_max;
	cfg.media_timeout_us = timeout_us;
	cfg.seed = 7;
	cfg.cdr_write = on_cdr;
	assert_int_equal(conf_focus_new(&f, &cfg), 0);
	return f;
}

static void feed(struct conf_focus *f, uint64_t now, uint16_t from_port,
		 uint16_t to_port, const void *p, size_t len)
{
	struct net_pkt in;

	memset(&in, 0, sizeof(in));
	in.from = addr(from_port);
	in.to = addr(to_port);
	in.data = p;
	in.len = len;
	assert_int_equal(conf_focus_input(f, now, &in), 0);
}

/* Send a SIP request from UA i and return the single response's status. */
static uint16_t sip_req(struct conf_focus *f, uint64_t now, int i,
			const char *method, const char *ruri_user,
			const char *sdp)
{
	char msg[2048];
	int n;

	n = snprintf(msg, sizeof(msg),
		"%s sip:%s@example.org SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s%d\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:user%d@example.org>;tag=ft%d\r\n"
		"To: <sip:%s@example.org>\r\n"
		"Call-ID: call%d@test\r\n"
		"CSeq: 1 %s\r\n"
		"Contact: <sip:user%d@127.0.0.1:%d>\r\n"
		"%s"
		"Content-Length: %zu\r\n\r\n%s",
		method, ruri_user, 5100 + i, method, i, i, i, ruri_user, i,
		method, i, 5100 + i,
		sdp ? "Content-Type: application/sdp\r\n" : "",
		sdp ? strlen(sdp) : (size_t)0, sdp ? sdp : "");
	assert_true(n > 0 && (size_t)n < sizeof(msg));
	feed(f, now, (uint16_t)(5100 + i), 5070, msg, (size_t)n);
	drain(f);
	assert_int_equal(nouts, 1);
	assert_int_equal(net_addr_port(&outs[0].dst), 5100 + i);
	assert_int_equal(sip_msg_decode(&rsp, outs[0].data, outs[0].len), 0);
	assert_false(rsp.is_req);
	return rsp.scode;
}

/* ACK from UA i for the 200 just received; nothing comes back. */
static void ack(struct conf_focus *f, uint64_t now, int i)
{
	char msg[1024];
	int n;

	n = snprintf(msg, sizeof(msg),
		"ACK sip:room@127.0.0.1:5070 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKack%d\r\n"
		"From: <sip:user%d@example.org>;tag=ft%d\r\n"
		"To: <sip:room@example.org>;tag=%.*s\r\n"
		"Call-ID: call%d@test\r\nCSeq: 1 ACK\r\n"
		"Content-Length: 0\r\n\r\n", 5100 + i, i, i, i,
		PL_ARG(rsp.to.tag), i);
	feed(f, now, (uint16_t)(5100 + i), 5070, msg, (size_t)n);
	drain(f);
	assert_int_equal(nouts, 0);
}

static const char *offer(int i, const char *fmts, const char *extra)
{
	static char s[512];

	snprintf(s, sizeof(s),
		 "v=0\r\no=u%d 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %d RTP/AVP %s\r\n%s", i, 30000 + 2 * i, fmts, extra);
	return s;
}

/* After a 200: our RTP port and payload type from the answer. */
static void answer_port(uint16_t *port, uint8_t *pt)
{
	struct pl cur, fmt;
	uint32_t v;

	assert_int_equal(sdp_decode(&ans, &rsp.body), 0);
	assert_int_equal(ans.media_cnt, 1);
	*port = ans.media[0].port_n;
	assert_true(*port >= PORT_MIN && *port <= PORT_MIN + 10);
	cur = ans.media[0].fmts;
	assert_true(sdp_fmt_next(&cur, &fmt));
	assert_int_equal(pl_to_u32(&fmt, &v), 0);
	*pt = (uint8_t)v;
	assert_false(sdp_fmt_next(&cur, &fmt));
}

static void send_rtp(struct conf_focus *f, uint64_t now, int i,
		     uint16_t port, uint8_t pt, enum conf_codec codec,
		     double freq, uint32_t t)
{
	uint8_t pkt[12 + CONF_FRAME_SAMPLES * 2];
	int16_t pcm[CONF_FRAME_SAMPLES];
	uint32_t ts = 1000u * (uint32_t)i + t * CONF_FRAME_SAMPLES;
	uint16_t seq = (uint16_t)(500 * i + (int)t);
	struct rtp_hdr h = { .pt = pt, .seq = seq, .ts = ts,
			     .ssrc = (uint32_t)(i + 1) };
	size_t k, len;

	for (k = 0; k < CONF_FRAME_SAMPLES; k++)
		pcm[k] = (int16_t)lrint(8000.0 * sin(2.0 * M_PI * freq *
			(double)(t * CONF_FRAME_SAMPLES + k) / 8000.0));
	rtp_hdr_encode(pkt, &h);
	len = conf_codec_encode(codec, pcm, pkt + 12);
	feed(f, now, (uint16_t)(30000 + 2 * i), port, pkt, 12 + len);
}

static void test_three_legs_mixed(void **state)
{
	static const double freq[3] = { 400.0, 1000.0, 2500.0 };
	static const enum conf_codec codec[3] = { CONF_PCMU, CONF_PCMA,
						  CONF_L16 };
	static int16_t got[3][1600];
	size_t n[3] = { 0, 0, 0 };
	struct conf_focus *f;
	uint16_t port[3];
	uint8_t pt[3];
	uint64_t now = 5000000;
	uint32_t t;
	int i, j;

	(void)state;
	f = focus(3, 500000);
	/* PCMU preferred by 0, PCMA by 1, L16 (dynamic) by 2. */
	assert_int_equal(sip_req(f, now, 0, "INVITE", "room-blue",
				 offer(0, "0 8", "")), 200);
	answer_port(&port[0], &pt[0]);
	ack(f, now, 0);
	assert_int_equal(pt[0], 0);
	assert_non_null(strstr((const char *)outs[0].data, "PCMU/8000"));
	assert_int_equal(sip_req(f, now, 1, "INVITE", "room-blue",
				 offer(1, "18 8", "a=rtpmap:18 G729/8000\r\n")),
			 200);
	answer_port(&port[1], &pt[1]);
	ack(f, now, 1);
	assert_int_equal(pt[1], 8);
	assert_int_equal(sip_req(f, now, 2, "INVITE", "room-blue",
		offer(2, "97", "a=rtpmap:97 L16/8000\r\n")), 200);
	answer_port(&port[2], &pt[2]);
	ack(f, now, 2);
	assert_int_equal(pt[2], 97);
	assert_int_equal(conf_focus_room_size(f, "blue"), 3);
	assert_true(port[0] != port[1] && port[1] != port[2]);
	/* A retransmitted INVITE gets the same answer, no new leg. */
	assert_int_equal(sip_req(f, now, 0, "INVITE", "room-blue",
				 offer(0, "0 8", "")), 200);
	assert_int_equal(conf_focus_room_size(f, "blue"), 3);

	assert_int_equal(conf_focus_deadline(f), now + CONF_FRAME_US);
	for (t = 0; t < 40; t++) {
		for (i = 0; i < 3; i++)
			send_rtp(f, now, i, port[i], pt[i], codec[i], freq[i],
				 t);
		now = conf_focus_deadline(f);
		assert_int_equal(conf_focus_timeout(f, now), 0);
		drain(f);
		assert_int_equal(nouts, 3);
		for (j = 0; j < (int)nouts; j++) {
			int who = net_addr_port(&outs[j].dst) - 30000;

			assert_true(who == 0 || who == 2 || who == 4);
			who /= 2;
			assert_int_equal(net_addr_port(&outs[j].src),
					 port[who]);
			assert_int_equal(outs[j].data[1], pt[who]);
			if (t < 20 || n[who] >= 1600)
				continue;
			assert_int_equal(outs[j].len, 12 +
				conf_codec_frame_len(codec[who]));
			n[who] += conf_codec_decode(codec[who],
				outs[j].data + 12, outs[j].len - 12,
				&got[who][n[who]]);
		}
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(n[i], 1600);
		for (j = 0; j < 3; j++) {
			double a = goertzel(got[i], 1600, freq[j]);

			if (i == j)
				assert_true(a < 150.0);
			else
				assert_true(a > 7000.0 && a < 9000.0);
		}
	}
	/* BYE ends each leg; the last ends the room and the clock. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(sip_req(f, now, i, "BYE", "room-blue", NULL),
				 200);
		assert_int_equal(conf_focus_room_size(f, "blue"),
				 (size_t)(2 - i));
	}
	assert_int_equal(conf_focus_room_count(f), 0);
	assert_int_equal(conf_focus_deadline(f), UINT64_MAX);
	assert_int_equal(ncdr, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(cdr_room[i], "blue");
		assert_int_equal(cdr_status[i], 200);
		assert_string_equal(cdr_hangup[i], "caller");
	}
	conf_focus_free(f);
}

static void test_488(void **state)
{
	struct conf_focus *f;
	const struct sip_hdr *w;
	struct pl cur, fmt;

	(void)state;
	f = focus(3, 500000);
	assert_int_equal(sip_req(f, 0, 0, "INVITE", "room-x",
		offer(0, "18 9", "a=rtpmap:18 G729/8000\r\n")), 488);
	w = sip_msg_hdr_name(&rsp, "Warning");
	assert_non_null(w);
	assert_non_null(pl_find(&w->val, &PL("PCMU/8000")));
	assert_non_null(pl_find(&w->val, &PL("L16/8000")));
	assert_int_equal(sdp_decode(&ans, &rsp.body), 0);
	cur = ans.media[0].fmts;
	assert_true(sdp_fmt_next(&cur, &fmt));
	assert_true(pl_eq_str(&fmt, "0"));
	/* L16 at another rate is not ours either. */
	assert_int_equal(sip_req(f, 0, 1, "INVITE", "room-x",
		offer(1, "96", "a=rtpmap:96 L16/16000\r\n")), 488);
	/* Mixing cannot take SRTP: the offer's only audio is RTP/SAVP. */
	assert_int_equal(sip_req(f, 0, 2, "INVITE", "room-x",
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1"
		"\r\nt=0 0\r\nm=audio 30004 RTP/SAVP 0\r\na=crypto:1 "
		"AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9"
		"CnVubGVz\r\n"), 488);
	/* No offer at all. */
	assert_int_equal(sip_req(f, 0, 3, "INVITE", "room-x", NULL), 488);
	assert_int_equal(conf_focus_room_count(f), 0);
	assert_int_equal(ncdr, 4);
	assert_int_equal(cdr_status[0], 488);
	conf_focus_free(f);
}

static void test_486_and_others(void **state)
{
	struct conf_focus *f;
	uint16_t port;
	uint8_t pt;

	(void)state;
	f = focus(2, 500000);
	assert_int_equal(sip_req(f, 0, 0, "INVITE", "room-a",
				 offer(0, "0", "")), 200);
	assert_int_equal(sip_req(f, 0, 1, "INVITE", "room-a",
				 offer(1, "8", "")), 200);
	assert_int_equal(sip_req(f, 0, 2, "INVITE", "room-a",
				 offer(2, "0", "")), 486);
	assert_int_equal(conf_focus_room_size(f, "a"), 2);
	/* Another room is independent. */
	assert_int_equal(sip_req(f, 0, 3, "INVITE", "room-b",
				 offer(3, "0", "")), 200);
	answer_port(&port, &pt);
	assert_int_equal(conf_focus_room_count(f), 2);
	/* Not a room, wrong prefix, empty name. */
	assert_int_equal(sip_req(f, 0, 4, "INVITE", "alice",
				 offer(4, "0", "")), 404);
	assert_int_equal(sip_req(f, 0, 4, "INVITE", "room-",
				 offer(4, "0", "")), 404);
	assert_int_equal(sip_req(f, 0, 5, "BYE", "room-a", NULL), 481);
	assert_int_equal(sip_req(f, 0, 5, "OPTIONS", "room-a", NULL), 200);
	assert_int_equal(sip_req(f, 0, 5, "MESSAGE", "room-a", NULL), 405);
	/* Garbage on the SIP port and on a media port: silence, no crash. */
	feed(f, 0, 5105, 5070, "garbage\r\n\r\n", 11);
	feed(f, 0, 30000, port, "\x80", 1);
	drain(f);
	assert_int_equal(nouts, 0);
	conf_focus_free(f);
}

/* The 200 is resent at T1, 2*T1... until the ACK; without an ACK for
 * 64*T1 the leg ends with a BYE. */
static void test_ok_retransmit(void **state)
{
	struct conf_focus *f;
	uint64_t now = 0, resent_at[8];
	unsigned nresent = 0;
	size_t k, ack1 = 0;
	bool bye = false, acked = false;

	(void)state;
	f = focus(3, 0);	/* no media timeout: only the ACK timer */
	assert_int_equal(sip_req(f, now, 0, "INVITE", "room-r",
				 offer(0, "0", "")), 200);
	assert_int_equal(sip_req(f, now, 1, "INVITE", "room-r",
				 offer(1, "0", "")), 200);
	while (now < 40000000 && !bye) {
		now = conf_focus_deadline(f);
		conf_focus_timeout(f, now);
		drain(f);
		for (k = 0; k < nouts; k++) {
			if (!memcmp(outs[k].data, "SIP/2.0 200", 11)) {
				/* Both legs' 200s; count leg 0's. */
				if (net_addr_port(&outs[k].dst) == 5100 &&
				    nresent < 8)
					resent_at[nresent++] = now;
				if (net_addr_port(&outs[k].dst) == 5101 &&
				    now > 1000000 && now < 1600000)
					ack1 = k + 1;
			} else if (!memcmp(outs[k].data, "BYE ", 4)) {
				assert_int_equal(net_addr_port(&outs[k].dst),
						 5100);
				bye = true;
			}
		}
		if (ack1) {
			/* leg 1 ACKs its second resend: no more after */
			assert_int_equal(sip_msg_decode(&rsp, outs[ack1 - 1].data,
							outs[ack1 - 1].len), 0);
			ack(f, now, 1);
			ack1 = 0;
			acked = true;
		} else if (acked) {
			for (k = 0; k < nouts; k++)
				assert_int_not_equal(
					net_addr_port(&outs[k].dst), 5101);
		}
	}
	assert_true(acked);
	assert_true(bye);
	/* 0.5, 1.5, 3.5, 7.5, 11.5 ... s (T2 = 4 s), on the 20 ms clock. */
	assert_true(nresent >= 5);
	assert_int_equal(resent_at[0], 500000);
	assert_int_equal(resent_at[1], 1500000);
	assert_int_equal(resent_at[2], 3500000);
	assert_int_equal(resent_at[3], 7500000);
	assert_int_equal(resent_at[4], 11500000);
	assert_true(now >= 32000000 && now < 32100000);
	assert_int_equal(conf_focus_room_size(f, "r"), 1);
	assert_int_equal(ncdr, 1);
	assert_string_equal(cdr_hangup[0], "timeout");
	conf_focus_free(f);
}

static void test_timeout_drop(void **state)
{
	struct conf_focus *f;
	uint16_t port[2];
	uint8_t pt[2];
	uint64_t now = 0;
	uint32_t t;
	size_t k;
	bool bye = false;

	(void)state;
	f = focus(3, 100000);
	assert_int_equal(sip_req(f, now, 0, "INVITE", "room-t",
				 offer(0, "0", "")), 200);
	answer_port(&port[0], &pt[0]);
	assert_int_equal(sip_req(f, now, 1, "INVITE", "room-t",
				 offer(1, "0", "")), 200);
	answer_port(&port[1], &pt[1]);
	/* Only leg 0 keeps sending; leg 1 never does. */
	for (t = 0; t < 10 && !bye; t++) {
		send_rtp(f, now, 0, port[0], pt[0], CONF_PCMU, 400.0, t);
		now = conf_focus_deadline(f);
		conf_focus_timeout(f, now);
		drain(f);
		for (k = 0; k < nouts; k++) {
			if (memcmp(outs[k].data, "BYE ", 4))
				continue;
			bye = true;
			assert_int_equal(net_addr_port(&outs[k].dst), 5101);
			assert_int_equal(sip_msg_decode(&rsp, outs[k].data,
							outs[k].len), 0);
			assert_true(pl_eq_str(&rsp.call_id, "call1@test"));
			assert_true(pl_eq_str(&rsp.to.tag, "ft1"));
		}
	}
	assert_true(bye);
	assert_int_equal(t, 6);	/* 120 ms > 100 ms timeout */
	assert_int_equal(conf_focus_room_size(f, "t"), 1);
	assert_int_equal(ncdr, 1);
	assert_string_equal(cdr_hangup[0], "timeout");
	/* Leg 0 stops too: the room ends on its own. */
	for (t = 0; t < 10; t++) {
		now = conf_focus_deadline(f);
		if (now == UINT64_MAX)
			break;
		conf_focus_timeout(f, now);
		drain(f);
	}
	assert_int_equal(conf_focus_room_count(f), 0);
	conf_focus_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_three_legs_mixed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_488, setup, teardown),
		cmocka_unit_test_setup_teardown(test_486_and_others, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeout_drop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ok_retransmit, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("conf_focus", tests, NULL, NULL);
}
