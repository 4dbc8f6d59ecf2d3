/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media accounting: the endpoints SDP announced (decoded with ref/sdp:
 * connection address, port, RTCP port, profile) and the RTP streams
 * (RFC 3550) seen on the wire. A datagram to or from an announced
 * endpoint is RTP or RTCP (told apart by payload type, RFC 5761 4) unless
 * the SDP said it is something else (T.38 udptl). Elsewhere a stream
 * counts only after three packets with the same SSRC and steadily
 * increasing sequence numbers on ports above 1023; its first packets are
 * counted then. A stream is (source, destination, SSRC), as tshark's
 * "RTP Streams" has it. Endpoints belong to their call and go with it.
 */
#include <string.h>
#include "base/mem.h"
#include "sdp/sdp.h"
#include "replay/rpl_int.h"

static uint32_t ep_hash(const struct rpl_ep *ep)
{
	uint32_t h = rpl_hash(ep->addr, ep->af == 4 ? 4 : 16, RPL_HASH_INIT);

	return rpl_hash(&ep->port, sizeof(ep->port), h);
}

static struct rpl_mep *mep_find(struct rpl *r, const struct rpl_ep *ep)
{
	uint32_t h = ep_hash(ep);
	struct rpl_ent *e;

	for (e = rpl_tab_bucket(&r->meps, h); e; e = e->hnext)
		if (e->hash == h && rpl_ep_eq(&((struct rpl_mep *)e)->ep, ep))
			return (struct rpl_mep *)e;
	return NULL;
}

static void mep_unlink(struct rpl_call *c, struct rpl_mep *m)
{
	size_t i;

	for (i = 0; i < c->nmep; i++) {
		if (c->mep[i] == m) {
			memmove(&c->mep[i], &c->mep[i + 1],
				(c->nmep - i - 1) * sizeof(c->mep[0]));
			c->nmep--;
			return;
		}
	}
}

static void mep_free(struct rpl *r, struct rpl_mep *m)
{
	if (m->call)
		mep_unlink(m->call, m);
	rpl_tab_del(&r->meps, &m->ent);
	mem_free(m);
}

void rpl_media_call_gone(struct rpl *r, struct rpl_call *call)
{
	while (call->nmep)
		mep_free(r, call->mep[0]);
}

/* Announce ep for call; endpoints are owned by exactly one call. */
static void mep_set(struct rpl *r, struct rpl_call *call,
		    const struct rpl_ep *ep, enum rpl_mkind kind, bool srtp)
{
	struct rpl_mep *m = mep_find(r, ep);

	if (!m) {
		m = mem_zalloc(sizeof(*m));
		if (!m)
			return;
		m->ep = *ep;
		if (rpl_tab_add(&r->meps, &m->ent, ep_hash(ep), r->now_us)) {
			mem_free(m);
			return;
		}
	}
	m->kind = kind;
	m->srtp = srtp;
	if (m->call == call)
		return;
	if (m->call)
		mep_unlink(m->call, m);
	if (call->nmep == RPL_CALL_MEPS)
		mep_free(r, call->mep[0]);
	m->call = call;
	call->mep[call->nmep++] = m;
}

/* Endpoints of one m-line: RTP and its RTCP (a=rtcp port, or the next
 * port, RFC 3605 / RFC 3550 11; the same port with rtcp-mux). */
static void announce(struct rpl *r, struct rpl_call *call, int side,
		     const struct sdp_session *s, size_t i)
{
	const struct sdp_media *md = &s->media[i];
	const struct sdp_conn *conn = sdp_media_conn(s, i);
	enum rpl_mkind kind = RPL_M_OTHER;
	struct rpl_ep ep;
	bool srtp;

	if (rpl_find(&md->proto, "MSRP")) {
		/* a=path names the session's end last (RFC 4975 8.2) */
		const struct sdp_line *l;
		int it = -1;

		while ((l = sdp_attr_next(s, (int)i, "path", &it)))
			rpl_msrp_sdp_path(r, call, &l->aval);
		return;
	}
	if (!conn || !md->port_n ||
	    rpl_ep_parse_host(&conn->addr, md->port_n, &ep))
		return;
	srtp = ((md->flags | s->flags) & SDP_SEC_SRTP) != 0;
	if (rpl_find(&md->proto, "RTP"))
		kind = RPL_M_RTP;
	else if (pl_caseeq_str(&md->proto, "udptl"))
		kind = RPL_M_UDPTL;
	else if (rpl_find(&md->proto, "MSRP") ||
		 rpl_find(&md->proto, "TCP"))
		return;		/* streams are found by their first bytes */
	mep_set(r, call, &ep, kind, srtp);
	if (kind != RPL_M_RTP)
		return;
	if (side >= 0 && side < 2 && !call->media[side].af &&
	    pl_eq_str(&md->type, "audio"))
		call->media[side] = ep;
	call->srtp |= srtp;
	if (!md->rtcp_mux) {
		ep.port = md->rtcp_port_n ? md->rtcp_port_n :
			  (uint16_t)(md->port_n + 1);
		mep_set(r, call, &ep, kind, srtp);
	}
}

void rpl_media_sdp(struct rpl *r, struct rpl_call *call, int side,
		   const struct pl *sdp)
{
	size_t i;

	if (sdp_decode(&r->sdp, sdp)) {
		r->st.sdp_malformed++;
		return;
	}
	for (i = 0; i < r->sdp.media_cnt; i++)
		announce(r, call, side, &r->sdp, i);
}

static uint32_t rtp_hash(const struct rpl_ep *s, const struct rpl_ep *d,
			 uint32_t ssrc)
{
	return (ep_hash(s) * 31 + ep_hash(d)) ^ ssrc;
}

static void rtp_free(struct rpl *r, struct rpl_rtp *s)
{
	struct rpl_stream_rec rec;

	if (s->confirmed && r->cfg.stream_fn) {
		memset(&rec, 0, sizeof(rec));
		rec.src = s->src;
		rec.dst = s->dst;
		rec.ssrc = s->ssrc;
		rec.packets = s->pkts;
		rec.first_us = s->first_us;
		rec.last_us = s->ent.last_us;
		memcpy(rec.pt_seen, s->pt_seen, sizeof(rec.pt_seen));
		rec.sdp = s->sdp;
		rec.srtp = s->srtp;
		r->cfg.stream_fn(r->cfg.arg, &rec);
	}
	rpl_tab_del(&r->rtps, &s->ent);
	mem_free(s);
}

void rpl_media_sweep(struct rpl *r, uint64_t older_than_us)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->rtps)) && e->last_us < older_than_us)
		rtp_free(r, (struct rpl_rtp *)e);
}

void rpl_media_free_all(struct rpl *r)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->rtps)))
		rtp_free(r, (struct rpl_rtp *)e);
	while ((e = rpl_tab_oldest(&r->meps)))
		mep_free(r, (struct rpl_mep *)e);
}

static bool rtcp_ok(const uint8_t *p, size_t n)
{
	return n >= 8 && p[1] >= 192 && p[1] <= 223 &&
	       ((size_t)rpl_be16(p + 2) + 1) * 4 <= n;
}

static void confirm(struct rpl *r, struct rpl_rtp *s, bool srtp)
{
	s->confirmed = true;
	s->srtp = srtp;
	r->st.rtp_streams++;
	r->st.rtp_packets += s->pending;
	if (srtp)
		r->st.srtp_streams++;
}

bool rpl_media_input(struct rpl *r, const struct rpl_pdu *pdu)
{
	const uint8_t *p = pdu->data;
	size_t n = pdu->len;
	struct rpl_mep *m;
	struct rpl_rtp *s = NULL;
	struct rpl_ent *e;
	uint32_t ssrc, h;
	uint16_t seq;
	uint8_t pt;

	if (n < 12 || (p[0] >> 6) != 2)
		return false;
	m = mep_find(r, &pdu->dst);
	if (!m)
		m = mep_find(r, &pdu->src);
	if (m && m->kind != RPL_M_RTP)
		return false;
	if (p[1] >= 192 && p[1] <= 223) {
		if (!rtcp_ok(p, n) || (!m && p[1] != 200 && p[1] != 201))
			return false;
		r->st.rtcp_packets++;
		if (r->cfg.pdu_fn)
			r->cfg.pdu_fn(r->cfg.arg, RPL_K_RTCP, pdu);
		return true;
	}
	if (n < 12 + (size_t)(p[0] & 15) * 4)
		return false;
	if (!m && (pdu->src.port < 1024 || pdu->dst.port < 1024))
		return false;
	pt = p[1] & 0x7f;
	seq = rpl_be16(p + 2);
	ssrc = rpl_be32(p + 8);
	h = rtp_hash(&pdu->src, &pdu->dst, ssrc);
	for (e = rpl_tab_bucket(&r->rtps, h); e; e = e->hnext) {
		struct rpl_rtp *x = (struct rpl_rtp *)e;

		if (e->hash == h && x->ssrc == ssrc &&
		    rpl_ep_eq(&x->src, &pdu->src) &&
		    rpl_ep_eq(&x->dst, &pdu->dst)) {
			s = x;
			break;
		}
	}
	if (!s) {
		if (r->rtps.n >= r->cfg.max_flows)
			rtp_free(r, (struct rpl_rtp *)rpl_tab_oldest(&r->rtps));
		s = mem_zalloc(sizeof(*s));
		if (!s)
			return false;
		s->src = pdu->src;
		s->dst = pdu->dst;
		s->ssrc = ssrc;
		s->last_seq = seq;
		s->first_us = r->now_us;
		if (rpl_tab_add(&r->rtps, &s->ent, h, r->now_us)) {
			mem_free(s);
			return false;
		}
	} else {
		uint16_t d = (uint16_t)(seq - s->last_seq);

		s->run = d >= 1 && d <= 100 ? (uint8_t)(s->run < 255 ?
						       s->run + 1 : 255) : 0;
		if (d >= 1 && d <= 0x8000)
			s->last_seq = seq;
		rpl_tab_touch(&r->rtps, &s->ent, r->now_us);
	}
	s->pkts++;
	s->pt_seen[pt / 8] |= (uint8_t)(1u << (pt % 8));
	if (m) {
		s->sdp = true;
		r->st.rtp_sdp_matched++;
		if (m->call)
			m->call->media_pkts++;
	}
	if (!s->confirmed) {
		s->pending++;
		if (m || s->run >= 2)
			confirm(r, s, m && m->srtp);
		else
			return false;
	} else {
		r->st.rtp_packets++;
	}
	if (r->cfg.pdu_fn)
		r->cfg.pdu_fn(r->cfg.arg, RPL_K_RTP, pdu);
	return true;
}
