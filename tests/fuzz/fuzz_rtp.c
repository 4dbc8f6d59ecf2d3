/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the relay's packet path: the RTP header decoder,
 * the RTCP report block reader, and rtp_relay_input on a call that is set
 * up once. Input: byte 0 picks the relay port (4 ports of the call, or an
 * unallocated one), byte 1 the source, the rest is the datagram. Every
 * forwarded datagram must be the input, unchanged and uncopied.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rtp/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rtp_relay *relay;
static uint64_t now = 1000000;

static void init(void)
{
	struct rtp_relay_cfg cfg;
	struct pl pl = PL("127.0.0.1"), cid = PL("f"), ta = PL("a"),
		  tb = PL("b");
	struct pl offer = PL("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n"
			     "c=IN IP4 10.0.0.1\r\nt=0 0\r\n"
			     "m=audio 5000 RTP/AVP 0\r\n");
	struct pl answer = PL("v=0\r\no=- 1 1 IN IP4 10.0.0.2\r\ns=-\r\n"
			      "c=IN IP4 10.0.0.2\r\nt=0 0\r\n"
			      "m=audio 6000 RTP/AVP 0\r\na=rtcp-mux\r\n");
	struct buf out;

	memset(&cfg, 0, sizeof(cfg));
	net_addr_parse(&pl, 0, &cfg.addr);
	cfg.port_min = 40000;
	cfg.port_max = 40007;
	if (rtp_relay_new(&relay, &cfg))
		abort();
	buf_init(&out);
	if (rtp_relay_offer(relay, now, &cid, &ta, &offer, NULL, &out) ||
	    rtp_relay_answer(relay, now, &cid, &ta, &tb, &answer, NULL, &out))
		abort();
	buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_pkt in;
	struct net_out o;
	struct rtp_hdr h;
	struct rtcp_rr rr;
	struct pl src;

	if (!relay)
		init();
	(void)rtp_hdr_decode(data, size, &h);
	(void)rtcp_rr_first(data, size, &rr);
	(void)rtp_pkt_kind(data, size);
	if (size < 2)
		return 0;
	memset(&in, 0, sizeof(in));
	src = (data[1] & 1) ? PL("10.0.0.1:5000") : PL("10.0.0.2:6000");
	net_addr_parse(&src, 0, &in.from);
	{
		struct pl me = PL("127.0.0.1");
		net_addr_parse(&me, 0, &in.to);
	}
	net_addr_set_port(&in.to, (uint16_t)(40000 + data[0] % 6));
	in.data = data + 2;
	in.len = size - 2;
	now += 20000;
	if (rtp_relay_input(relay, now, &in))
		abort();
	while (!rtp_relay_output(relay, &o))
		if (o.data != in.data || o.len != in.len)
			abort();
	return 0;
}
