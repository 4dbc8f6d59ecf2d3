/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SIP/SDP side of the focus's chat rooms
 * (conf_chatsip.c): a focus with a chat core gets an INVITE to room-f
 * whose SDP body is the input (so m=message lines, a=path values and the
 * answer rewrite that accepts the MSRP line are explored), then a BYE.
 * Besides "no crash", every output must be a bounded datagram, the
 * chat room must be gone after the BYE, and teardown leaves no mem_
 * block behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "conf/conf_chat.h"
#include "conf/conf_focus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct net_addr addr(uint16_t port, enum net_tp tp)
{
	struct net_addr a;
	struct pl p = PL("127.0.0.1");

	net_addr_parse(&p, port, &a);
	a.tp = tp;
	return a;
}

static void feed(struct conf_focus *f, const char *p, size_t len)
{
	struct net_pkt in;
	struct net_out o;

	memset(&in, 0, sizeof(in));
	in.from = addr(5100, NET_UDP);
	in.to = addr(5070, NET_UDP);
	in.data = (const uint8_t *)p;
	in.len = len;
	conf_focus_input(f, 1000, &in);
	while (conf_focus_output(f, &o) == 0)
		if (!o.data || !o.len || o.len > 8192)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[8192];
	struct conf_chat_cfg cc = { .addr = addr(2856, NET_TCP), .seed = 1 };
	struct conf_focus_cfg fc;
	struct conf_chat *c;
	struct conf_focus *f;
	int64_t m0 = mem_blocks();
	int n;

	if (size > 4096 || conf_chat_new(&c, &cc))
		return 0;
	memset(&fc, 0, sizeof(fc));
	fc.room_prefix = "room-";
	fc.sip_addr = addr(5070, NET_UDP);
	fc.media_addr = addr(0, NET_UDP);
	fc.port_min = 40000;
	fc.port_max = 40010;
	fc.room_max = 4;
	fc.media_timeout_us = 1000000;
	fc.chat = c;
	if (conf_focus_new(&f, &fc)) {
		conf_chat_free(c);
		return 0;
	}
	n = snprintf(msg, sizeof(msg),
		"INVITE sip:room-f@example.org SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5100;branch=z9hG4bKz1\r\n"
		"From: \"Fuzz Nick\" <sip:a@example.org>;tag=1\r\n"
		"To: <sip:room-f@example.org>\r\nCall-ID: z1\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1:5100>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n",
		size);
	memcpy(msg + n, data, size);
	feed(f, msg, (size_t)n + size);
	/* Whatever the answer's To tag, the BYE by Call-ID and From tag
	 * ends the leg only with the right tag: end the focus instead. */
	conf_focus_free(f);
	conf_chat_free(c);
	if (mem_blocks() != m0)
		abort();
	return 0;
}
