/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the bencode decoder and the ng control core behind
 * it. The input is decoded as bencode (and, when it decodes, re-walked
 * through every dict), then handed to rtp_ng_input as "cookie <input>" so
 * offers, answers, queries and deletes with arbitrary keys and SDP reach
 * the relay. Every command must produce exactly one answer with the
 * cookie.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rtp/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rtp_relay *relay;
static struct rtp_ng *ng;
static struct benc items[512];
static uint8_t msg[70000];

static void init(void)
{
	struct rtp_relay_cfg cfg;
	struct pl pl = PL("127.0.0.1");

	memset(&cfg, 0, sizeof(cfg));
	net_addr_parse(&pl, 0, &cfg.addr);
	cfg.port_min = 30000;
	cfg.port_max = 30015;
	if (rtp_relay_new(&relay, &cfg) || rtp_ng_new(&ng, relay))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl in = pl_from_mem(data, size), from = PL("127.0.0.1:9");
	struct net_pkt pkt;
	struct net_out o;
	struct rtp_sock_ev ev;
	size_t n, i;
	int answers = 0;

	if (!relay)
		init();
	if (!benc_decode(&in, items, 512, &n)) {
		for (i = 0; i < n; i++)
			if (items[i].type == BENC_DICT)
				(void)benc_dict_get(items, i, "sdp");
	}
	if (size + 3 > sizeof(msg))
		return 0;
	memcpy(msg, "ck ", 3);
	memcpy(msg + 3, data, size);
	memset(&pkt, 0, sizeof(pkt));
	net_addr_parse(&from, 0, &pkt.from);
	pkt.to = pkt.from;
	pkt.data = msg;
	pkt.len = size + 3;
	/* A new cookie each run would defeat the cache; the same cookie
	 * makes later runs cache hits, so vary it with the input size. */
	msg[1] = (uint8_t)('a' + size % 26);
	if (rtp_ng_input(ng, 1000000, &pkt))
		abort();
	while (!rtp_ng_output(ng, &o)) {
		if (o.len < 3 || memcmp(o.data, msg, 2))
			abort();
		answers++;
	}
	if (answers != 1)
		abort();
	while (!rtp_relay_sock_event(relay, &ev))
		;
	return 0;
}
