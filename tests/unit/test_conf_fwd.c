/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward mode of the conference focus: RTP/SAVP offers are accepted and
 * answered with the offered profile, format and a=crypto line; a packet
 * one participant sends (opaque bytes: SRTP is never decrypted) reaches
 * each other participant byte for byte from that participant's focus
 * port, never the sender; the mix clock sends nothing of its own; a
 * silent participant is still dropped after the media timeout while a
 * sending one stays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "base/net.h"
#include "sip/sip.h"
#include "sdp/sdp.h"
#include "conf/conf_focus.h"
#include "conf_testutil.h"

static void feed(struct conf_focus *f, uint64_t now, uint16_t from,
		 uint16_t to, const void *p, size_t len)
{
	struct net_pkt in;

	memset(&in, 0, sizeof(in));
	in.from = addr(from);
	in.to = addr(to);
	in.data = p;
	in.len = len;
	assert_int_equal(conf_focus_input(f, now, &in), 0);
	drain(f);
}

/* Participant i joins with an SRTP offer; returns our port for it. */
static uint16_t join(struct conf_focus *f, uint64_t now, int i)
{
	static struct sip_msg m;
	static struct sdp_session s;
	char sdp[512], msg[2048];
	const char *crypto = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
		"inline:ROOMKEYROOMKEYROOMKEYROOMKEYROOMKEYROOM";
	int n;

	snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %d RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n%s\r\n",
		 30000 + 2 * i, crypto);
	n = snprintf(msg, sizeof(msg),
		 "INVITE sip:room-x@example.org SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKf%d\r\n"
		 "From: <sip:u%d@example.org>;tag=t%d\r\n"
		 "To: <sip:room-x@example.org>\r\nCall-ID: fw%d\r\n"
		 "CSeq: 1 INVITE\r\nContact: <sip:u%d@127.0.0.1:%d>\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
		 5100 + i, i, i, i, i, i, 5100 + i, strlen(sdp), sdp);
	feed(f, now, (uint16_t)(5100 + i), 5070, msg, (size_t)n);
	assert_int_equal(nouts, 1);
	assert_int_equal(sip_msg_decode(&m, outs[0].data, outs[0].len), 0);
	assert_int_equal(m.scode, 200);
	assert_int_equal(sdp_decode(&s, &m.body), 0);
	assert_true(pl_eq_str(&s.media[0].proto, "RTP/SAVP"));
	assert_non_null(memmem(m.body.p, m.body.len, crypto, strlen(crypto)));
	return s.media[0].port_n;
}

static void test_forward(void **state)
{
	struct conf_focus_cfg cfg;
	struct conf_focus *f;
	int64_t blocks = mem_blocks();
	uint8_t pkt[60];
	uint16_t p1, p2, p3;
	uint64_t t;
	size_t i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.room_prefix = "room-";
	cfg.sip_addr = addr(5070);
	cfg.media_addr = addr(0);
	cfg.port_min = 40000;
	cfg.port_max = 40010;
	cfg.room_max = 4;
	cfg.media_timeout_us = 2000000;
	cfg.forward = true;
	assert_int_equal(conf_focus_new(&f, &cfg), 0);
	p1 = join(f, 1000, 1);
	p2 = join(f, 1000, 2);
	p3 = join(f, 1000, 3);
	/* an SRTP-looking packet: RTP header, then opaque bytes */
	memset(pkt, 0xA5, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 0;
	feed(f, 2000, 30002, p1, pkt, sizeof(pkt));
	assert_int_equal(nouts, 2);
	for (i = 0; i < nouts; i++) {
		uint16_t d = net_addr_port(&outs[i].dst);

		assert_true(d == 30004 || d == 30006);
		assert_int_equal(net_addr_port(&outs[i].src),
				 d == 30004 ? p2 : p3);
		assert_int_equal(outs[i].len, sizeof(pkt));
		assert_memory_equal(outs[i].data, pkt, sizeof(pkt));
	}
	/* The clock runs (200 resends until ACKs) but sends no audio. */
	for (t = 20000; t < 400000; t += 20000) {
		assert_int_equal(conf_focus_timeout(f, t), 0);
		drain(f);
		for (i = 0; i < nouts; i++)
			assert_true(net_addr_port(&outs[i].dst) >= 5100);
	}
	/* Only 1 keeps sending: 2 and 3 time out, 1 stays. */
	for (t = 400000; t < 3000000; t += 20000) {
		feed(f, t, 30002, p1, pkt, sizeof(pkt));
		assert_int_equal(conf_focus_timeout(f, t), 0);
		drain(f);
	}
	assert_int_equal(conf_focus_room_size(f, "x"), 1);
	conf_focus_free(f);
	assert_int_equal(mem_blocks(), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
