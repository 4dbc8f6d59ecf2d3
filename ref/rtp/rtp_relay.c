/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP relay core: port pairs, the call table, socket events for the
 * driver, the inactivity timers and the forwarding path. Offer/answer
 * handling is in rtp_call.c.
 *
 * Forwarding is a table lookup by local port (an array indexed by port,
 * no hashing), a latch check and one output slot that points at the
 * received bytes: the relay never copies a payload. Statistics read the
 * first byte (RFC 7983) and, for plain RTP/RTCP, the headers only.
 *
 * Known limits: one relay address (no multi-homing); a side latches once
 * per SDP change and does not follow a later source change (a NAT rebind
 * mid-call needs a re-INVITE); packets from other sources are still
 * forwarded, as rtpengine does without strict-source.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "rtp/rtp_int.h"
#include "base/mem.h"

#define TIMER_CALL 1

int rtp_relay_cfg_load(struct cfg *c, struct rtp_relay_cfg *out)
{
	struct rtp_relay_cfg cfg;
	const char *v;
	struct pl pl, lo, hi;
	uint32_t a, b;

	if (!cfg_has_section(c, "media"))
		return ENOENT;
	memset(&cfg, 0, sizeof(cfg));
	v = cfg_get(c, "media", "address");
	pl = pl_from_str(v ? v : "127.0.0.1");
	if (net_addr_parse(&pl, 0, &cfg.addr))
		return cfg_fail(c, "media", "address",
				"not a numeric address: '%s'", v);
	v = cfg_get(c, "media", "ports");
	pl = pl_from_str(v ? v : "40000-40999");
	if (pl_split(&pl, '-', &lo, &hi) || pl_to_u32(&lo, &a) ||
	    pl_to_u32(&hi, &b))
		return cfg_fail(c, "media", "ports",
				"expected MIN-MAX, got '%s'", v);
	if (a < 1024 || b > 65535 || a + 3 > b)
		return cfg_fail(c, "media", "ports",
				"range %u-%u: need 1024-65535 and 4 ports", a,
				b);
	cfg.port_min = (uint16_t)a;
	cfg.port_max = (uint16_t)b;
	*out = cfg;
	return 0;
}

static void dirty_push(struct rtp_relay *r, uint32_t pair)
{
	uint32_t n = 2 * r->npairs;

	if (r->in_dirty[pair])
		return;
	r->in_dirty[pair] = 1;
	r->dirty[(r->dirty_head + r->dirty_cnt++) % n] = 2 * pair;
	r->dirty[(r->dirty_head + r->dirty_cnt++) % n] = 2 * pair + 1;
}

int rtp_relay_sock_event(struct rtp_relay *r, struct rtp_sock_ev *ev)
{
	uint32_t n = 2 * r->npairs, idx, pair;
	uint8_t want;

	while (r->dirty_cnt) {
		idx = r->dirty[r->dirty_head];
		r->dirty_head = (r->dirty_head + 1) % n;
		r->dirty_cnt--;
		pair = idx / 2;
		if (idx & 1)
			r->in_dirty[pair] = 0;
		want = r->slot[pair] != NULL;
		if (want == r->have[idx])
			continue;
		r->have[idx] = want;
		ev->op = want ? RTP_SOCK_OPEN : RTP_SOCK_CLOSE;
		ev->local = r->cfg.addr;
		ev->local.tp = NET_UDP;
		net_addr_set_port(&ev->local, (uint16_t)(r->base + idx));
		return 0;
	}
	return ENOENT;
}

int relay_pair_alloc(struct rtp_relay *r, struct rtp_side *s)
{
	uint32_t pair;

	if (!r->free_cnt)
		return EOVERFLOW;
	pair = r->freeq[r->free_head];
	r->free_head = (r->free_head + 1) % r->npairs;
	r->free_cnt--;
	r->slot[pair] = s;
	s->port = (uint16_t)(r->base + 2 * pair);
	r->cnt.ports_in_use += 2;
	dirty_push(r, pair);
	return 0;
}

void relay_pair_free(struct rtp_relay *r, struct rtp_side *s)
{
	uint32_t pair;

	if (!s->port)
		return;
	pair = (uint32_t)(s->port - r->base) / 2;
	r->slot[pair] = NULL;
	r->freeq[(r->free_head + r->free_cnt++) % r->npairs] = pair;
	r->cnt.ports_in_use -= 2;
	dirty_push(r, pair);
	s->port = 0;
}

int rtp_relay_new(struct rtp_relay **rp, const struct rtp_relay_cfg *cfg)
{
	struct rtp_relay *r;
	uint32_t min, i;
	size_t hsize = 16;
	int err = ENOMEM;

	if (!rp || !cfg)
		return EINVAL;
	min = (cfg->port_min + 1u) & ~1u;
	if (!cfg->port_min || min + 3 > cfg->port_max ||
	    (net_addr_family(&cfg->addr) != AF_INET &&
	     net_addr_family(&cfg->addr) != AF_INET6))
		return EINVAL;
	r = mem_zalloc(sizeof(*r));
	if (!r)
		return ENOMEM;
	r->cfg = *cfg;
	r->base = (uint16_t)min;
	r->npairs = (cfg->port_max - min + 1) / 2;
	if (!r->cfg.max_calls)
		r->cfg.max_calls = r->npairs / 2;
	if (!r->cfg.timeout_us)
		r->cfg.timeout_us = 90ull * 1000000;
	if (!r->cfg.hold_timeout_us)
		r->cfg.hold_timeout_us = 7200ull * 1000000;
	net_addr_host(&cfg->addr, r->addr_str, sizeof(r->addr_str));
	while (hsize < 2 * (size_t)r->cfg.max_calls && hsize < (1u << 24))
		hsize <<= 1;
	r->hmask = hsize - 1;
	tq_init(&r->tq);
	r->slot = mem_zalloc(r->npairs * sizeof(*r->slot));
	r->freeq = mem_alloc(r->npairs * sizeof(*r->freeq));
	r->have = mem_zalloc(2 * r->npairs);
	r->in_dirty = mem_zalloc(r->npairs);
	r->dirty = mem_alloc(2 * r->npairs * sizeof(*r->dirty));
	r->htab = mem_zalloc(hsize * sizeof(*r->htab));
	if (!r->slot || !r->freeq || !r->have || !r->in_dirty || !r->dirty ||
	    !r->htab)
		goto out;
	for (i = 0; i < r->npairs; i++)
		r->freeq[i] = i;
	r->free_cnt = r->npairs;
	r->cnt.ports_total = 2 * r->npairs;
	*rp = r;
	return 0;
out:
	rtp_relay_free(r);
	return err;
}

void rtp_relay_free(struct rtp_relay *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->htab && i <= r->hmask; i++)
		while (r->htab[i])
			relay_call_free(r, r->htab[i]);
	tq_fini(&r->tq);
	mem_free(r->slot);
	mem_free(r->freeq);
	mem_free(r->have);
	mem_free(r->in_dirty);
	mem_free(r->dirty);
	mem_free(r->htab);
	mem_free(r);
}

void rtp_relay_set_end_fn(struct rtp_relay *r, rtp_end_fn *fn, void *arg)
{
	r->end_fn = fn;
	r->end_arg = arg;
}

const struct net_addr *rtp_relay_addr(const struct rtp_relay *r)
{
	return &r->cfg.addr;
}

static size_t hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (len--) {
		h ^= (uint8_t)*p++;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 32));
}

struct rtp_call *relay_call_find(const struct rtp_relay *r,
				 const struct pl *call_id)
{
	struct rtp_call *c = r->htab[hash(call_id->p, call_id->len) & r->hmask];

	for (; c; c = c->hnext)
		if (c->call_id_len == call_id->len &&
		    !memcmp(c->call_id, call_id->p, call_id->len))
			return c;
	return NULL;
}

void relay_call_link(struct rtp_relay *r, struct rtp_call *c)
{
	size_t b = hash(c->call_id, c->call_id_len) & r->hmask;

	c->hnext = r->htab[b];
	r->htab[b] = c;
	r->ncalls++;
	r->cnt.calls++;
}

void relay_call_free(struct rtp_relay *r, struct rtp_call *c)
{
	struct rtp_call **pp = &r->htab[hash(c->call_id, c->call_id_len) &
					r->hmask];
	size_t i;

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			r->ncalls--;
			break;
		}
	}
	if (c->timer)
		tq_cancel(&r->tq, c->timer);
	for (i = 0; i < c->nstreams; i++) {
		relay_pair_free(r, &c->streams[i]->side[0]);
		relay_pair_free(r, &c->streams[i]->side[1]);
		mem_free(c->streams[i]);
	}
	mem_free(c->call_id);
	mem_free(c->tag[0]);
	mem_free(c->tag[1]);
	mem_free(c);
}

/* Last activity: signalling, or a packet on any side. Kept per side so
 * the packet path does not touch the call. */
static uint64_t call_last(const struct rtp_call *c)
{
	uint64_t last = c->last_us;
	size_t i;
	int k;

	for (i = 0; i < c->nstreams; i++)
		for (k = 0; k < 2; k++)
			if (c->streams[i]->side[k].st.last_packet_us > last)
				last = c->streams[i]->side[k].st.last_packet_us;
	return last;
}

int relay_timer_arm(struct rtp_relay *r, struct rtp_call *c)
{
	uint64_t to = c->hold ? r->cfg.hold_timeout_us : r->cfg.timeout_us;
	uint32_t id;
	int err;

	err = tq_add(&r->tq, call_last(c) + to, TIMER_CALL, c, &id);
	if (err)
		return err;
	if (c->timer)
		tq_cancel(&r->tq, c->timer);
	c->timer = id;
	return 0;
}

void relay_call_stats(const struct rtp_relay *r, const struct rtp_call *c,
		      struct rtp_call_stats *st)
{
	size_t i, k;

	memset(st, 0, sizeof(*st));
	st->created_us = c->created_us;
	st->last_media_us = call_last(c);
	st->last_signal_us = c->signal_us;
	for (k = 0; k < 2; k++)
		st->tag[k] = c->tag[k] ? pl_from_mem(c->tag[k], c->tag_len[k]) :
			     PL_NULL;
	st->stream_cnt = c->nstreams;
	for (i = 0; i < c->nstreams; i++) {
		const struct rtp_stream *s = c->streams[i];

		st->stream[i].media = pl_from_str(s->media);
		for (k = 0; k < 2; k++) {
			st->stream[i].side[k] = s->side[k].st;
			st->stream[i].side[k].local_port = s->side[k].port;
			st->stream[i].side[k].peer = s->side[k].lat_rtp;
			st->stream[i].side[k].peer_rtcp = s->side[k].lat_rtcp;
		}
	}
	(void)r;
}

/* ---- statistics of one received packet ------------------------------- */

static uint32_t clock_of(const struct rtp_side *s, uint8_t pt)
{
	uint8_t i;

	for (i = 0; i < s->clk_n; i++)
		if (s->clk_pt[i] == pt)
			return s->clk_rate[i];
	return 8000;
}

/* RFC 3550 A.1 (sequence, loss) and A.8 (interarrival jitter). */
static void rtp_account(struct rtp_side *s, uint64_t now_us,
			const uint8_t *p, size_t len)
{
	struct rtp_hdr h;
	uint16_t delta;
	uint32_t expected, arrival;
	int64_t transit, d;

	if (rtp_hdr_decode(p, len, &h))
		return;
	if (!s->seq_init || h.ssrc != s->ssrc) {
		s->seq_init = true;
		s->ssrc = h.ssrc;
		s->base_seq = h.seq;
		s->max_seq = h.seq;
		s->cycles = 0;
		s->received = 0;
		s->jit_q4 = 0;
		s->clock = clock_of(s, h.pt);
		s->last_transit = INT64_MIN;
	} else {
		delta = (uint16_t)(h.seq - s->max_seq);
		if (delta && delta < 3000) {	/* in order, maybe a gap */
			if (h.seq < s->max_seq)
				s->cycles += 65536;
			s->max_seq = h.seq;
		}
	}
	s->received++;
	expected = s->cycles + s->max_seq - s->base_seq + 1;
	s->st.lost = expected > s->received ? expected - s->received : 0;
	s->st.ssrc = h.ssrc;

	arrival = (uint32_t)(now_us * s->clock / 1000000);
	transit = (int64_t)(int32_t)(arrival - h.ts);
	if (s->last_transit != INT64_MIN) {
		d = transit - s->last_transit;
		if (d < 0)
			d = -d;
		if (d < (int64_t)s->clock * 10)	/* ignore ts jumps */
			s->jit_q4 += (uint32_t)d - ((s->jit_q4 + 8) >> 4);
	}
	s->last_transit = transit;
	s->st.jitter_us = (uint32_t)((uint64_t)(s->jit_q4 >> 4) * 1000000 /
				     (s->clock ? s->clock : 8000));
}

/* Side x sent an RTCP packet: its report block describes side y's media. */
static void rtcp_account(struct rtp_side *x, struct rtp_side *y,
			 const uint8_t *p, size_t len)
{
	struct rtcp_rr rr;
	uint32_t clk;

	if (x->encrypted || y->encrypted || rtcp_rr_first(p, len, &rr))
		return;
	if (y->seq_init && rr.ssrc != y->ssrc)
		return;
	clk = y->clock ? y->clock : 8000;
	y->st.rtcp_seen = true;
	y->st.rtcp_lost = rr.cum_lost > 0 ? (uint32_t)rr.cum_lost : 0;
	y->st.rtcp_jitter_us = (uint32_t)((uint64_t)rr.jitter * 1000000 / clk);
}

/* ---- the four sans-IO calls ------------------------------------------ */

static bool addr_set(const struct net_addr *a)
{
	return a->u.sa.sa_family != 0;
}

static void emit(struct rtp_relay *r, const struct rtp_side *from,
		 uint16_t src_port, const struct net_addr *dst,
		 const struct net_pkt *in)
{
	struct net_out *o;

	if (r->oq_cnt == RTP_OUTQ_LEN) {
		r->cnt.dropped_queue_full++;
		return;
	}
	o = &r->outq[(r->oq_head + r->oq_cnt++) % RTP_OUTQ_LEN];
	o->kind = NET_OUT_SEND;
	o->src = r->cfg.addr;
	o->src.tp = NET_UDP;
	net_addr_set_port(&o->src, src_port);
	o->dst = *dst;
	o->dst.tp = NET_UDP;
	o->conn_id = 0;
	o->data = in->data;
	o->len = in->len;
	(void)from;
}

int rtp_relay_input(struct rtp_relay *r, uint64_t now_us,
		    const struct net_pkt *in)
{
	uint16_t port = net_addr_port(&in->to);
	uint32_t idx;
	struct rtp_side *x, *y;
	enum rtp_kind kind;
	const struct net_addr *dst;
	bool rtcp_port, rtcp, mux;
	uint16_t src;

	r->cnt.packets_in++;
	if (port < r->base || (idx = (uint32_t)(port - r->base)) >=
	    2 * r->npairs || !(x = r->slot[idx / 2])) {
		r->cnt.dropped_unknown_port++;
		return 0;
	}
	rtcp_port = idx & 1;
	y = &x->stream->side[1 - x->idx];
	kind = rtp_pkt_kind(in->data, in->len);
	x->st.packets++;
	x->st.bytes += in->len;
	x->st.kind[kind]++;
	x->st.last_packet_us = now_us;
	if (kind == RTP_KIND_ZRTP || kind == RTP_KIND_DTLS)
		x->encrypted = true;	/* SRTP keys follow: stop reading */

	/* Symmetric latching: the first packet tells where the side is. */
	if (rtcp_port) {
		if (!addr_set(&x->lat_rtcp))
			x->lat_rtcp = in->from;
	} else if (!addr_set(&x->lat_rtp)) {
		x->lat_rtp = in->from;
	}
	rtcp = rtcp_port || kind == RTP_KIND_RTCP;
	if (kind == RTP_KIND_RTP && !rtcp_port)
		rtp_account(x, now_us, in->data, in->len);
	else if (kind == RTP_KIND_RTCP) {
		x->st.rtcp_bytes += in->len;
		rtcp_account(x, y, in->data, in->len);
	}

	/* rtcp-mux is negotiated end to end (we pass the attribute
	 * through): only when both SDPs carry it. Otherwise RTCP goes port+1
	 * to port+1, everything else between the RTP ports. */
	mux = x->mux && y->mux;
	if (rtcp && !mux) {
		dst = addr_set(&y->lat_rtcp) ? &y->lat_rtcp : &y->sdp_rtcp;
		src = (uint16_t)(y->port + 1);
	} else {
		dst = addr_set(&y->lat_rtp) ? &y->lat_rtp : &y->sdp_rtp;
		src = y->port;
	}
	if (!addr_set(dst) || y->rejected || !net_addr_port(dst)) {
		x->st.dropped++;
		r->cnt.dropped_no_dest++;
		return 0;
	}
	emit(r, x, src, dst, in);
	return 0;
}

int rtp_relay_output(struct rtp_relay *r, struct net_out *out)
{
	if (!r->oq_cnt)
		return ENOENT;
	*out = r->outq[r->oq_head];
	r->oq_head = (r->oq_head + 1) % RTP_OUTQ_LEN;
	/* Back to slot 0 when empty: the usual one-in-one-out keeps using
	 * the same cache lines. */
	if (!--r->oq_cnt)
		r->oq_head = 0;
	r->cnt.packets_out++;
	return 0;
}

int rtp_relay_timeout(struct rtp_relay *r, uint64_t now_us)
{
	struct tq_ent e;
	struct rtp_call *c;
	struct rtp_call_stats st;
	struct pl cid;
	uint64_t to;

	while (!tq_pop(&r->tq, now_us, &e)) {
		c = e.arg;
		c->timer = 0;
		to = c->hold ? r->cfg.hold_timeout_us : r->cfg.timeout_us;
		if (call_last(c) + to > now_us) {
			/* Media flowed since the timer was set: re-arm. If
			 * that fails the call ends now rather than never. */
			if (!relay_timer_arm(r, c))
				continue;
		}
		r->cnt.calls_timed_out++;
		if (r->cfg.log)
			log_msg(r->cfg.log, LOG_INFO,
				"rtp: call %.*s ended: no media for %llu s",
				(int)(c->call_id_len > 64 ? 64 :
				      c->call_id_len), c->call_id,
				(unsigned long long)(to / 1000000));
		if (r->end_fn) {
			relay_call_stats(r, c, &st);
			cid = pl_from_mem(c->call_id, c->call_id_len);
			r->end_fn(r->end_arg, &cid, &st);
		}
		relay_call_free(r, c);
	}
	return 0;
}

uint64_t rtp_relay_deadline(const struct rtp_relay *r)
{
	return tq_deadline(&r->tq);
}

void rtp_relay_counters(const struct rtp_relay *r,
			struct rtp_relay_counters *c)
{
	*c = r->cnt;
}

static int ops_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	return rtp_relay_input(core, now_us, in);
}

static int ops_timeout(void *core, uint64_t now_us)
{
	return rtp_relay_timeout(core, now_us);
}

static int ops_output(void *core, struct net_out *out)
{
	return rtp_relay_output(core, out);
}

static uint64_t ops_deadline(void *core)
{
	return rtp_relay_deadline(core);
}

const struct core_ops rtp_relay_core_ops = {
	.name = "rtp",
	.input = ops_input,
	.timeout = ops_timeout,
	.output = ops_output,
	.deadline = ops_deadline,
};
