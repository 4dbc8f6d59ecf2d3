/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Offer/answer for the RTP relay (RFC 3264 as seen by a relay): an SDP
 * from one side is remembered as where that side wants media, and rewritten
 * to the relay ports the *other* side must send to. Offers create the call
 * and both port pairs of every m-line at once, so an answer can never fail
 * for lack of ports; re-offers (re-INVITE, UPDATE) update the side that
 * sent them: hold/resume, new streams, new addresses (which reset the latch).
 *
 * Each operation is prepared first (decode, allocate, rewrite) and only
 * then committed, so on any error the call is exactly as before and a new
 * call leaves no trace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "rtp/rtp_int.h"
#include "base/mem.h"

/* Static payload types' clock rates (RFC 3551 6). */
static uint32_t static_clock(uint32_t pt)
{
	switch (pt) {
	case 6: return 16000;
	case 10: case 11: return 44100;
	case 14: case 25: case 26: case 28: case 31: case 32: case 33:
	case 34: return 90000;
	case 16: return 11025;
	case 17: return 22050;
	default: return 8000;
	}
}

/* SDP address (bare IPv4 or IPv6 text) and port into a. EINVAL. */
static int sdp_addr(const struct pl *host, uint16_t port, struct net_addr *a)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	memset(a, 0, sizeof(*a));
	if (pl_strcpy(host, tmp, sizeof(tmp)))
		return EINVAL;
	if (inet_pton(AF_INET, tmp, &a->u.in.sin_addr) == 1) {
		a->u.in.sin_family = AF_INET;
		a->u.in.sin_port = htons(port);
	} else if (inet_pton(AF_INET6, tmp, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons(port);
	} else {
		return EINVAL;
	}
	return 0;
}

/* Remember m-line i of the decoded SDP as where side s wants media. */
static void side_apply(struct rtp_side *s, const struct sdp_session *sdp,
		       size_t i, const struct rtp_opts *o)
{
	const struct sdp_media *m = &sdp->media[i];
	const struct sdp_conn *c = sdp_media_conn(sdp, i);
	struct net_addr rtp, rtcp;
	struct sdp_rtpmap rm;
	struct pl cur = m->fmts, fmt, host;
	uint32_t pt;
	uint16_t rport;

	memset(&rtp, 0, sizeof(rtp));
	memset(&rtcp, 0, sizeof(rtcp));
	s->rejected = m->port_n == 0;
	s->mux = m->rtcp_mux;
	s->hold = sdp_media_hold(sdp, i);
	s->encrypted = (sdp_media_sec(sdp, i) &
			(SDP_SEC_SRTP | SDP_SEC_ZRTP | SDP_SEC_DTLS)) != 0;
	if (c && !s->rejected) {
		host = m->rtcp_conn.line >= 0 ? m->rtcp_conn.addr : c->addr;
		rport = m->rtcp_line >= 0 ? m->rtcp_port_n :
			(uint16_t)(m->port_n + 1);
		if (o && net_addr_family(&o->media_from)) {
			/* Media comes from where the signalling came from
			 * (rtpengine's SIP-source-address). */
			rtp = o->media_from;
			net_addr_set_port(&rtp, m->port_n);
			rtcp = o->media_from;
			net_addr_set_port(&rtcp, rport);
		} else {
			/* A hostname or 0.0.0.0 leaves only latching. */
			if (sdp_addr(&c->addr, m->port_n, &rtp))
				memset(&rtp, 0, sizeof(rtp));
			if (sdp_addr(&host, rport, &rtcp))
				memset(&rtcp, 0, sizeof(rtcp));
		}
	}
	/* A new address means a new endpoint: learn its source again. */
	if (!net_addr_eq(&rtp, &s->sdp_rtp)) {
		memset(&s->lat_rtp, 0, sizeof(s->lat_rtp));
		memset(&s->lat_rtcp, 0, sizeof(s->lat_rtcp));
	}
	s->sdp_rtp = rtp;
	s->sdp_rtcp = rtcp;

	s->clk_n = 0;
	while (sdp_fmt_next(&cur, &fmt) && s->clk_n < RTP_CLK_MAX) {
		if (pl_to_u32(&fmt, &pt) || pt > 127)
			continue;
		s->clk_pt[s->clk_n] = (uint8_t)pt;
		s->clk_rate[s->clk_n++] =
			!sdp_media_rtpmap(sdp, i, (uint8_t)pt, &rm) &&
			rm.clock_rate ? rm.clock_rate : static_clock(pt);
	}
}

static bool tag_is(const struct rtp_call *c, int k, const struct pl *tag)
{
	return c->tag[k] && c->tag_len[k] == tag->len &&
	       !memcmp(c->tag[k], tag->p, tag->len);
}

static int set_tag(struct rtp_call *c, int k, const struct pl *tag)
{
	char *t = mem_alloc(tag->len + 1);

	if (!t)
		return ENOMEM;
	memcpy(t, tag->p, tag->len);
	t[tag->len] = '\0';
	mem_free(c->tag[k]);
	c->tag[k] = t;
	c->tag_len[k] = tag->len;
	return 0;
}

static int check_ids(const struct pl *call_id, const struct pl *tag)
{
	if (!call_id || !call_id->len || call_id->len > RTP_CALLID_MAX ||
	    !tag || tag->len > RTP_TAG_MAX)
		return EINVAL;
	return 0;
}

/* Streams for m-lines [c->nstreams, want): allocated into extra[] with
 * both port pairs, not yet attached. EOVERFLOW, ENOMEM. */
static int streams_prepare(struct rtp_relay *r, struct rtp_call *c,
			   const struct sdp_session *sdp,
			   struct rtp_stream **extra, size_t *nextra)
{
	size_t i, want = sdp->media_cnt, n = 0;
	struct rtp_stream *s;
	int err = 0, k;

	*nextra = 0;
	if (want <= c->nstreams)
		return 0;
	if (r->free_cnt < 2 * (want - c->nstreams))
		return EOVERFLOW;
	for (i = c->nstreams; i < want; i++) {
		s = mem_zalloc(sizeof(*s));
		if (!s) {
			err = ENOMEM;
			break;
		}
		extra[n++] = s;
		s->call = c;
		for (k = 0; k < 2; k++) {
			s->side[k].stream = s;
			s->side[k].idx = (uint8_t)k;
			(void)relay_pair_alloc(r, &s->side[k]);
		}
		pl_strcpy(&sdp->media[i].type, s->media, sizeof(s->media));
	}
	if (err) {
		for (i = 0; i < n; i++) {
			relay_pair_free(r, &extra[i]->side[0]);
			relay_pair_free(r, &extra[i]->side[1]);
			mem_free(extra[i]);
		}
		return err;
	}
	*nextra = n;
	return 0;
}

static struct rtp_stream *stream_at(struct rtp_call *c,
				    struct rtp_stream **extra, size_t i)
{
	return i < c->nstreams ? c->streams[i] : extra[i - c->nstreams];
}

/* Rewrite the SDP of side x to side y's relay ports. */
static int rewrite(struct rtp_relay *r, struct rtp_call *c,
		   struct rtp_stream **extra, int y, bool answer,
		   const struct rtp_opts *o, struct buf *out)
{
	const struct sdp_session *sdp = &r->sdp;
	struct sdp_rw rw;
	struct pl addr = pl_from_str(r->addr_str);
	size_t i;

	memset(&rw, 0, sizeof(rw));
	rw.media_cnt = sdp->media_cnt;
	rw.strip_ice = o && o->strip_ice;
	if (o && o->replace_origin)
		rw.origin_addr = addr;
	for (i = 0; i < sdp->media_cnt; i++) {
		struct rtp_side *s = &stream_at(c, extra, i)->side[y];

		rw.media[i].addr = addr;
		rw.media[i].port = s->port;
		/* An answer accepting rtcp-mux names the RTP port in a=rtcp
		 * (RFC 5761 5.1.3); otherwise RTCP is on our port + 1. */
		rw.media[i].rtcp_port = answer && sdp->media[i].rtcp_mux ?
					s->port : (uint16_t)(s->port + 1);
	}
	return sdp_rewrite(sdp, &rw, out);
}

static void commit(struct rtp_relay *r, struct rtp_call *c,
		   struct rtp_stream **extra, size_t nextra, int x,
		   const struct rtp_opts *o)
{
	size_t i;
	bool hold = false;

	for (i = 0; i < nextra; i++)
		c->streams[c->nstreams++] = extra[i];
	for (i = 0; i < r->sdp.media_cnt; i++)
		side_apply(&c->streams[i]->side[x], &r->sdp, i, o);
	for (i = 0; i < c->nstreams; i++)
		hold |= c->streams[i]->side[0].hold ||
			c->streams[i]->side[1].hold;
	c->hold = hold;
}

/* Shared by offer and answer once the call and side are known. */
static int exchange(struct rtp_relay *r, uint64_t now_us, struct rtp_call *c,
		    int x, bool answer, const struct rtp_opts *o,
		    struct buf *out)
{
	struct rtp_stream *extra[RTP_MAX_STREAMS];
	size_t nextra = 0, out_len = out->len, i;
	uint64_t last = c->last_us;
	int err;

	err = streams_prepare(r, c, &r->sdp, extra, &nextra);
	if (err)
		return err;
	err = rewrite(r, c, extra, 1 - x, answer, o, out);
	if (!err) {
		c->last_us = now_us;
		c->signal_us = now_us;
		err = relay_timer_arm(r, c);
	}
	if (err) {
		c->last_us = last;
		out->len = out_len;
		if (out->data)
			out->data[out_len] = '\0';
		for (i = 0; i < nextra; i++) {
			relay_pair_free(r, &extra[i]->side[0]);
			relay_pair_free(r, &extra[i]->side[1]);
			mem_free(extra[i]);
		}
		return err;
	}
	commit(r, c, extra, nextra, x, o);
	/* The hold state may have changed the timeout: set it again. */
	(void)relay_timer_arm(r, c);
	return 0;
}

static int decode(struct rtp_relay *r, const struct pl *sdp_in)
{
	int err = sdp_decode(&r->sdp, sdp_in);

	if (err == EOVERFLOW)
		err = EBADMSG;	/* a body we cannot take: 488, not 503 */
	if (!err && r->sdp.media_cnt > RTP_MAX_STREAMS) {
		snprintf(r->sdp.err, sizeof(r->sdp.err),
			 "more than %d m-lines", RTP_MAX_STREAMS);
		err = EBADMSG;
	}
	if (err && r->cfg.log)
		log_msg(r->cfg.log, LOG_INFO, "rtp: SDP refused: %s",
			r->sdp.err);
	return err;
}

int rtp_relay_offer(struct rtp_relay *r, uint64_t now_us,
		    const struct pl *call_id, const struct pl *from_tag,
		    const struct pl *sdp_in, const struct rtp_opts *opts,
		    struct buf *sdp_out)
{
	struct rtp_call *c;
	bool fresh = false;
	int x, err;

	if (!r || !sdp_in || !sdp_out || check_ids(call_id, from_tag))
		return EINVAL;
	err = decode(r, sdp_in);
	if (err)
		return err;
	c = relay_call_find(r, call_id);
	if (!c) {
		if (r->ncalls >= r->cfg.max_calls)
			return EOVERFLOW;
		c = mem_zalloc(sizeof(*c));
		if (!c)
			return ENOMEM;
		fresh = true;
		c->created_us = now_us;
		c->call_id = mem_alloc(call_id->len + 1);
		if (!c->call_id || set_tag(c, 0, from_tag)) {
			err = ENOMEM;
			goto out;
		}
		memcpy(c->call_id, call_id->p, call_id->len);
		c->call_id[call_id->len] = '\0';
		c->call_id_len = call_id->len;
	}
	if (tag_is(c, 0, from_tag)) {
		x = 0;
	} else if (tag_is(c, 1, from_tag)) {
		x = 1;		/* the callee re-INVITEs */
	} else if (!c->tag[1]) {
		x = 0;		/* a new offer before any answer */
		if (set_tag(c, 0, from_tag))
			return ENOMEM;
	} else {
		return EPROTO;
	}
	err = exchange(r, now_us, c, x, false, opts, sdp_out);
out:
	if (fresh) {
		if (err)
			relay_call_free(r, c);
		else
			relay_call_link(r, c);
	}
	return err;
}

int rtp_relay_answer(struct rtp_relay *r, uint64_t now_us,
		     const struct pl *call_id, const struct pl *from_tag,
		     const struct pl *to_tag, const struct pl *sdp_in,
		     const struct rtp_opts *opts, struct buf *sdp_out)
{
	struct rtp_call *c;
	int x, err;

	if (!r || !sdp_in || !sdp_out || check_ids(call_id, to_tag) ||
	    (from_tag && from_tag->len > RTP_TAG_MAX))
		return EINVAL;
	c = relay_call_find(r, call_id);
	if (!c)
		return ENOENT;
	err = decode(r, sdp_in);
	if (err)
		return err;
	if (r->sdp.media_cnt > c->nstreams) {
		snprintf(r->sdp.err, sizeof(r->sdp.err),
			 "answer has %zu m-lines, offer had %zu",
			 r->sdp.media_cnt, c->nstreams);
		return EBADMSG;
	}
	/* The answer comes from to_tag's side; from_tag names the offerer. */
	if (tag_is(c, 1, to_tag)) {
		x = 1;
	} else if (tag_is(c, 0, to_tag) &&
		   (!from_tag || tag_is(c, 1, from_tag))) {
		x = 0;		/* answer to the callee's re-offer */
	} else {
		/* First answer, or another fork's: it becomes side 1. */
		if (set_tag(c, 1, to_tag))
			return ENOMEM;
		x = 1;
	}
	return exchange(r, now_us, c, x, true, opts, sdp_out);
}

int rtp_relay_delete(struct rtp_relay *r, uint64_t now_us,
		     const struct pl *call_id, struct rtp_call_stats *stats)
{
	struct rtp_call *c;

	if (!r || !call_id)
		return EINVAL;
	c = relay_call_find(r, call_id);
	if (!c)
		return ENOENT;
	if (stats)
		relay_call_stats(r, c, stats);
	(void)now_us;
	relay_call_free(r, c);
	return 0;
}

int rtp_relay_query(const struct rtp_relay *r, const struct pl *call_id,
		    struct rtp_call_stats *stats)
{
	struct rtp_call *c;

	if (!r || !call_id || !stats)
		return EINVAL;
	c = relay_call_find(r, call_id);
	if (!c)
		return ENOENT;
	relay_call_stats(r, c, stats);
	return 0;
}

int rtp_relay_hold(const struct rtp_relay *r, const struct pl *call_id,
		   bool *hold)
{
	struct rtp_call *c;

	if (!r || !call_id || !hold)
		return EINVAL;
	c = relay_call_find(r, call_id);
	if (!c)
		return ENOENT;
	*hold = c->hold;
	return 0;
}
