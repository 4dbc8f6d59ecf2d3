/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The focus's SIP side of chat rooms (conf_chatsip.c): an INVITE offering
 * audio and TCP/MSRP with an a=path joins the room's chat, and the 200's
 * SDP accepts the m=message line with the focus's own MSRP URI in a=path;
 * the nickname is the From display name, else the user part; a SEND to
 * that URI reaches the other participants; an offer without a=path keeps
 * the line refused (port 0); BYE takes the participant out of the chat,
 * and the room's chat ends with its last leg. No mem_ block left.
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
#include "conf/conf_chat.h"
#include "conf/conf_focus.h"

static char last[4096];
static size_t last_len;

static struct net_addr addr(uint16_t port, enum net_tp tp)
{
	struct net_addr a;
	struct pl p = PL("127.0.0.1");

	assert_int_equal(net_addr_parse(&p, port, &a), 0);
	a.tp = tp;
	return a;
}

static size_t drain_focus(struct conf_focus *f)
{
	struct net_out o;
	size_t n = 0;

	while (conf_focus_output(f, &o) == 0) {
		assert_true(o.len < sizeof(last));
		memcpy(last, o.data, o.len);
		last[o.len] = '\0';
		last_len = o.len;
		n++;
	}
	return n;
}

static void sip_in(struct conf_focus *f, int i, const char *msg)
{
	struct net_pkt in;

	memset(&in, 0, sizeof(in));
	in.from = addr((uint16_t)(5100 + i), NET_UDP);
	in.to = addr(5070, NET_UDP);
	in.data = (const uint8_t *)msg;
	in.len = strlen(msg);
	assert_int_equal(conf_focus_input(f, 1000, &in), 0);
}

/* Participant i joins room x; the focus's MSRP URI for it into uri,
 * its To tag into tag. with_path false: an offer without a=path. */
static void join(struct conf_focus *f, int i, const char *dname,
		 bool with_path, char *uri, size_t usz, char *tag)
{
	static struct sip_msg m;
	static struct sdp_session s;
	char sdp[512], msg[2048];
	const struct sdp_line *l;
	int it = -1;

	snprintf(sdp, sizeof(sdp), "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n"
		 "m=message 7%03d TCP/MSRP *\r\na=accept-types:text/plain\r\n"
		 "%s%d;tcp%s", 30000 + 2 * i, i, with_path ?
		 "a=path:msrp://127.0.0.1:2855/relay" : "a=x:", i,
		 with_path ? " msrp://127.0.0.1:7000/own;tcp\r\n" : "\r\n");
	snprintf(msg, sizeof(msg),
		 "INVITE sip:room-x@example.org SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKc%d\r\n"
		 "From: %s<sip:u%d@example.org>;tag=t%d\r\n"
		 "To: <sip:room-x@example.org>\r\nCall-ID: ch%d\r\n"
		 "CSeq: 1 INVITE\r\nContact: <sip:u%d@127.0.0.1:%d>\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
		 5100 + i, i, dname, i, i, i, i, 5100 + i, strlen(sdp), sdp);
	sip_in(f, i, msg);
	assert_int_equal(drain_focus(f), 1);
	assert_int_equal(sip_msg_decode(&m, (const uint8_t *)last, last_len), 0);
	assert_int_equal(m.scode, 200);
	pl_strcpy(&m.to.tag, tag, 32);
	assert_int_equal(sdp_decode(&s, &m.body), 0);
	assert_int_equal(s.media_cnt, 2);
	assert_true(pl_eq_str(&s.media[1].type, "message"));
	if (!with_path) {
		assert_int_equal(s.media[1].port_n, 0);
		return;
	}
	assert_int_equal(s.media[1].port_n, 2856);
	assert_true(pl_eq_str(&s.media[1].proto, "TCP/MSRP"));
	l = sdp_attr_next(&s, 1, "path", &it);
	assert_non_null(l);
	assert_true(pl_prefix_case(&l->aval, "msrp://127.0.0.1:2856/"));
	assert_int_equal(pl_strcpy(&l->aval, uri, usz), 0);
}

static void bye(struct conf_focus *f, int i, const char *tag)
{
	char msg[1024];

	snprintf(msg, sizeof(msg),
		 "BYE sip:room-x@127.0.0.1:5070 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKb%d\r\n"
		 "From: <sip:u%d@example.org>;tag=t%d\r\n"
		 "To: <sip:room-x@example.org>;tag=%s\r\nCall-ID: ch%d\r\n"
		 "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
		 5100 + i, i, i, i, tag, i);
	sip_in(f, i, msg);
	drain_focus(f);
}

static void test_join_chat(void **state)
{
	struct conf_chat_cfg ccfg = { .addr = addr(2856, NET_TCP), .seed = 3 };
	struct conf_focus_cfg cfg;
	struct conf_chat *c;
	struct conf_focus *f;
	struct net_out o;
	struct net_pkt in;
	int64_t blocks = mem_blocks();
	char u1[128], u2[128], u3[128], t1[32], t2[32], t3[32], t4[32];
	char send[1024];
	size_t n, fwd = 0;

	(void)state;
	assert_int_equal(conf_chat_new(&c, &ccfg), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.room_prefix = "room-";
	cfg.sip_addr = addr(5070, NET_UDP);
	cfg.media_addr = addr(0, NET_UDP);
	cfg.port_min = 40000;
	cfg.port_max = 40010;
	cfg.room_max = 4;
	cfg.media_timeout_us = 60000000;
	cfg.chat = c;
	assert_int_equal(conf_focus_new(&f, &cfg), 0);
	join(f, 1, "\"Alice Smith\" ", true, u1, sizeof(u1), t1);
	join(f, 2, "", true, u2, sizeof(u2), t2);
	join(f, 3, "", true, u3, sizeof(u3), t3);
	join(f, 4, "", false, NULL, 0, t4);	/* audio only */
	assert_int_equal(conf_focus_room_size(f, "x"), 4);
	assert_int_equal(conf_chat_room_size(c, "x"), 3);
	assert_string_not_equal(u1, u2);
	/* Alice speaks: the two other chatters get it, with her nick. */
	n = (size_t)snprintf(send, sizeof(send), "MSRP a1b2c3 SEND\r\n"
		"To-Path: %s\r\nFrom-Path: msrp://127.0.0.1:2855/relay1;tcp "
		"msrp://127.0.0.1:7000/own;tcp\r\nMessage-ID: mm1234\r\n"
		"Byte-Range: 1-6/6\r\nContent-Type: text/plain\r\n\r\n"
		"CANARY\r\n-------a1b2c3$\r\n", u1);
	memset(&in, 0, sizeof(in));
	in.from = addr(40001, NET_TCP);
	in.to = addr(2856, NET_TCP);
	in.conn_id = 9;
	in.data = (const uint8_t *)send;
	in.len = n;
	assert_int_equal(conf_chat_input(c, 0, &in), 0);
	while (!conf_chat_output(c, &o))
		if (memmem(o.data, o.len, "CANARY", 6) &&
		    memmem(o.data, o.len, "From: \"Alice Smith\" "
			   "<sip:u1@example.org>", 40))
			fwd++;
	assert_int_equal(fwd, 2);
	bye(f, 2, t2);
	assert_int_equal(conf_chat_room_size(c, "x"), 2);
	bye(f, 1, t1);
	bye(f, 4, t4);
	bye(f, 3, t3);
	assert_int_equal(conf_focus_room_count(f), 0);
	assert_int_equal(conf_chat_room_count(c), 0);
	conf_focus_free(f);
	conf_chat_free(c);
	assert_int_equal(mem_blocks(), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_chat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
