/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private state of the RTP relay, shared by rtp_relay.c (ports, table,
 * forwarding, timers) and rtp_call.c (offer/answer/delete). A call holds
 * one stream per m-line; a stream has two sides, 0 for the side that sent
 * the first offer (the From tag) and 1 for the answerer. Each side owns a
 * relay port pair: the side's endpoint sends to it, and the relay sends to
 * the side's endpoint from it (symmetric RTP).
 */
#ifndef RTP_RTP_INT_H
#define RTP_RTP_INT_H

#include "rtp/rtp.h"
#include "base/tq.h"
#include "sdp/sdp.h"

#define RTP_CLK_MAX 8

struct rtp_stream;

struct rtp_side {
	/* Hot: read or written for every packet, kept together. */
	struct rtp_stream *stream;
	uint8_t idx;		/* 0 or 1 */
	bool mux, hold, rejected;
	bool encrypted;		/* SDP says so, or ZRTP/DTLS seen: RTCP
				 * report blocks are not readable */
	uint16_t port;		/* local RTP port, RTCP on port + 1 */
	struct net_addr lat_rtp, lat_rtcp; /* latched; family 0: not yet */
	struct net_addr sdp_rtp, sdp_rtcp; /* from its SDP; family 0: none */
	struct rtp_side_stats st;
	/* RFC 3550 A.1 and A.8 receive state, for what this side sends. */
	bool seq_init;
	uint16_t max_seq;
	uint32_t base_seq, cycles, received;
	uint32_t ssrc;
	uint32_t jit_q4;	/* jitter in timestamp units, times 16 */
	int64_t last_transit;
	uint32_t clock;		/* of the last packet's payload type */
	/* Cold: set from the SDP. */
	uint8_t clk_n;
	uint8_t clk_pt[RTP_CLK_MAX];
	uint32_t clk_rate[RTP_CLK_MAX];
};

struct rtp_call;

struct rtp_stream {
	struct rtp_call *call;
	char media[16];
	struct rtp_side side[2];
};

struct rtp_call {
	struct rtp_call *hnext;
	char *call_id;
	size_t call_id_len;
	char *tag[2];
	size_t tag_len[2];
	struct rtp_stream *streams[RTP_MAX_STREAMS];
	size_t nstreams;
	uint64_t created_us, last_us, signal_us;
	uint32_t timer;
	bool hold;
};

struct rtp_relay {
	struct rtp_relay_cfg cfg;
	char addr_str[NET_ADDR_STRLEN];
	uint16_t base;		/* first port of the first pair */
	uint32_t npairs;
	struct rtp_side **slot;	/* per pair: owner, NULL when free */
	uint32_t *freeq;	/* FIFO of free pairs: reuse the oldest */
	uint32_t free_head, free_cnt;
	uint8_t *have;		/* per port: socket open as last reported */
	uint8_t *in_dirty;	/* per pair: queued in dirty[] */
	uint32_t *dirty;	/* FIFO of ports whose state may differ */
	uint32_t dirty_head, dirty_cnt;
	struct rtp_call **htab;
	size_t hmask, ncalls;
	struct tq tq;
	struct net_out outq[RTP_OUTQ_LEN];
	size_t oq_head, oq_cnt;
	struct sdp_session sdp;	/* scratch for offer/answer */
	rtp_end_fn *end_fn;
	void *end_arg;
	struct rtp_relay_counters cnt;
};

/* rtp_relay.c */
struct rtp_call *relay_call_find(const struct rtp_relay *r,
				 const struct pl *call_id);
void relay_call_link(struct rtp_relay *r, struct rtp_call *c);
void relay_call_free(struct rtp_relay *r, struct rtp_call *c);
int relay_pair_alloc(struct rtp_relay *r, struct rtp_side *s);
void relay_pair_free(struct rtp_relay *r, struct rtp_side *s);
int relay_timer_arm(struct rtp_relay *r, struct rtp_call *c);
void relay_call_stats(const struct rtp_relay *r, const struct rtp_call *c,
		      struct rtp_call_stats *st);

#endif
