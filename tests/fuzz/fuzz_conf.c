/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the conference focus: a room with one joined leg,
 * then the input is fed as an RTP packet to the leg's media port (first
 * byte 0x01, dropped) or else as a SIP datagram (INVITE, BYE, SUBSCRIBE to
 * the conference event package, REFER, responses...), followed by a few
 * timer turns (mix ticks, NOTIFY and INVITE retransmissions).
 * Besides "no crash", it checks that teardown leaves no mem_ block behind
 * and that every output is a SIP or RTP datagram within its bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "conf/conf_focus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char invite[] =
	"INVITE sip:room-f@example.org SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5100;branch=z9hG4bKf1\r\n"
	"From: <sip:a@example.org>;tag=1\r\nTo: <sip:room-f@example.org>\r\n"
	"Call-ID: f1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
	"Content-Length: 90\r\n\r\n"
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\nm=audio 30000 RTP/AVP 0 8\r\n";

static struct net_addr addr(uint16_t port)
{
	struct net_addr a;
	struct pl p = PL("127.0.0.1");

	net_addr_parse(&p, port, &a);
	return a;
}

static void feed(struct conf_focus *f, uint16_t from, uint16_t to,
		 const void *p, size_t len)
{
	struct net_pkt in;

	memset(&in, 0, sizeof(in));
	in.from = addr(from);
	in.to = addr(to);
	in.data = p;
	in.len = len;
	conf_focus_input(f, 1000, &in);
}

static void drain(struct conf_focus *f)
{
	struct net_out o;

	while (conf_focus_output(f, &o) == 0)
		if (!o.data || !o.len || o.len > 4096)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_focus_cfg cfg;
	struct conf_focus *f;
	int64_t blocks = mem_blocks();
	uint64_t now;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.room_prefix = "room-";
	cfg.sip_addr = addr(5070);
	cfg.media_addr = addr(0);
	cfg.port_min = 40000;
	cfg.port_max = 40003;
	cfg.room_max = 2;
	cfg.media_timeout_us = 60000;
	if (conf_focus_new(&f, &cfg))
		abort();
	feed(f, 5100, 5070, invite, sizeof(invite) - 1);
	drain(f);
	if (conf_focus_room_size(f, "f") != 1)
		abort();	/* the harness itself is broken */
	if (size && data[0] == 0x01)
		feed(f, 30000, 40000, data + 1, size - 1);
	else
		feed(f, 5101, 5070, data, size);
	for (i = 0; i < 5; i++) {
		now = conf_focus_deadline(f);
		if (now == UINT64_MAX)
			break;
		conf_focus_timeout(f, now);
		drain(f);
	}
	drain(f);
	conf_focus_free(f);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
