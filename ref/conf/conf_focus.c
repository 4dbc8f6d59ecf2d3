/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conference focus core (see conf_focus.h): SIP request handling
 * (INVITE joins, BYE leaves, 486 full room, 488 no common codec), the SDP
 * answer, RTP in/out and the 20 ms mix clock driving every room's mixer.
 *
 * Each INVITE is answered at once with a final response, so there is no
 * INVITE server transaction to keep: a retransmitted INVITE of a known
 * dialog simply gets the same 200 again, and CANCEL finds nothing to
 * cancel (481). The 200 itself is retransmitted until the ACK (RFC 3261
 * 13.3.1.4: T1 doubling up to T2; no ACK within 64*T1 ends the leg with a
 * BYE); those timers ride on the 20 ms mix clock, which runs whenever a
 * leg exists.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "base/buf.h"
#include "base/rng.h"
#include "sip/sip.h"
#include "sdp/sdp.h"
#include "rtp/rtp.h"
#include "conf/conf_int.h"
#include "conf/conf_sdp.h"

int cf_enqueue(struct conf_focus *f, const struct net_addr *src,
		   const struct net_addr *dst, const void *p, size_t len)
{
	struct conf_qpkt *q = mem_alloc(sizeof(*q) + len);

	if (!q)
		return ENOMEM;
	q->next = NULL;
	q->src = *src;
	q->dst = *dst;
	q->len = len;
	memcpy(q->data, p, len);
	if (f->qtail)
		f->qtail->next = q;
	else
		f->qhead = q;
	f->qtail = q;
	return 0;
}

static void cdr_emit(struct conf_focus *f, const struct sip_msg *req,
		     const struct conf_leg *leg, const char *room,
		     uint16_t status, const char *hangup, uint64_t now_us)
{
	struct sip_cdr c;
	uint64_t w = f->cfg.wall_offset_us;

	if (!f->cfg.cdr_write)
		return;
	memset(&c, 0, sizeof(c));
	c.status = status;
	snprintf(c.hangup, sizeof(c.hangup), "%s", hangup);
	snprintf(c.callee, sizeof(c.callee), "%s%s@%s", f->prefix, room,
		 f->domain[0] ? f->domain : "focus");
	snprintf(c.callee_ua, sizeof(c.callee_ua), "conference focus");
	if (leg) {
		snprintf(c.call_id, sizeof(c.call_id), "%s", leg->call_id);
		snprintf(c.caller, sizeof(c.caller), "%s", leg->caller);
		c.setup_us = leg->setup_us + w;
		c.answer_us = leg->answer_us + w;
		c.end_us = now_us + w;
		c.duration_ms = (uint32_t)((now_us - leg->answer_us) / 1000);
		net_addr_str(&leg->sig, c.caller_sig, sizeof(c.caller_sig));
		net_addr_str(&leg->rtp_peer, c.caller_media,
			     sizeof(c.caller_media));
	} else if (req) {
		pl_strcpy(&req->call_id, c.call_id, sizeof(c.call_id));
		snprintf(c.caller, sizeof(c.caller), "%.*s@%.*s",
			 PL_ARG(req->from.uri.user), PL_ARG(req->from.uri.host));
		c.setup_us = c.end_us = now_us + w;
	}
	f->cfg.cdr_write(f->cfg.cdr_arg, &c, room);
}

struct conf_room *cf_room_find(struct conf_focus *f, const char *name)
{
	struct conf_room *r;

	for (r = f->rooms; r; r = r->next)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

void cf_port_release(struct conf_focus *f, uint16_t port)
{
	size_t i = (size_t)(port - f->cfg.port_min) / 2;

	if (i < f->port_cnt) {
		f->port_used[i] = 0;
		f->port_leg[i] = NULL;
	}
}

int cf_port_take(struct conf_focus *f, uint16_t *port)
{
	size_t n;

	for (n = 0; n < f->port_cnt; n++) {
		size_t i = (f->port_next + n) % f->port_cnt;

		if (f->port_used[i])
			continue;
		f->port_used[i] = 1;
		f->port_next = i + 1;
		*port = (uint16_t)(f->cfg.port_min + 2 * i);
		return 0;
	}
	return EADDRINUSE;
}

/* Unlink and free leg; the room ends with its last leg. */
static void leg_end(struct conf_focus *f, struct conf_leg *leg,
		    const char *hangup, uint64_t now_us)
{
	struct conf_leg **pp;
	struct conf_room *r = leg->room, **rp;
	char name[ROOM_NAME_MAX];

	snprintf(name, sizeof(name), "%s", r->name);
	cdr_emit(f, NULL, leg, r->name, 200, hangup, now_us);
	cf_chat_leave(f, leg);
	for (pp = &f->legs; *pp; pp = &(*pp)->next) {
		if (*pp == leg) {
			*pp = leg->next;
			break;
		}
	}
	conf_mix_del(r->mix, leg->slot);
	r->by_slot[leg->slot] = NULL;
	cf_port_release(f, leg->port);
	mem_free(leg->ok);
	mem_free(leg);
	if (!--r->nlegs) {
		for (rp = &f->rooms; *rp; rp = &(*rp)->next) {
			if (*rp == r) {
				*rp = r->next;
				break;
			}
		}
		conf_mix_free(r->mix);
		mem_free(r);
		if (!f->rooms)
			f->next_tick = 0;
	}
	conf_event_changed(f, name, now_us);
}

struct conf_leg *cf_leg_find(struct conf_focus *f, const struct pl *cid,
			     const struct pl *ftag)
{
	struct conf_leg *l;

	for (l = f->legs; l; l = l->next)
		if (pl_eq_str(cid, l->call_id) &&
		    (!ftag || pl_eq_str(ftag, l->from_tag)))
			return l;
	return NULL;
}

int cf_reply(struct conf_focus *f, const struct net_pkt *in,
	     const struct sip_msg *req, uint16_t scode, const char *to_tag,
	     const struct sip_hdr_add *extra, size_t nextra, const char *sdp)
{
	struct pl tag = pl_from_str(to_tag);
	struct pl ct = PL("application/sdp"), body = pl_from_str(sdp);
	int err;

	buf_reset(&f->b);
	err = sip_encode_response(&f->b, req, scode, NULL,
				  to_tag ? &tag : NULL, extra, nextra,
				  sdp ? &ct : NULL, sdp ? &body : NULL);
	if (err)
		return err;
	return cf_enqueue(f, &in->to, &in->from, f->b.data, f->b.len);
}

/*
 * The dialog's route set (RFC 3261 12.1.1): the Record-Route values in
 * their order as the UAS sees them, reversed for the UAC, so that our
 * in-dialog requests go back through the proxies that asked to stay on
 * the path. Too long: none (requests then go straight to the Contact).
 */
void cf_route_set(const struct sip_msg *m, bool reverse, char *out,
		  size_t sz)
{
	struct pl e[16];
	struct sip_list_it it;
	size_t n = 0, k, i;
	int w;

	out[0] = '\0';
	sip_list_begin(&it, m, SIP_HDR_RECORD_ROUTE);
	for (k = 0; k < 16 && !sip_list_next(&it, &e[k]); k++)
		;
	for (i = 0; i < k; i++) {
		const struct pl *v = &e[reverse ? k - 1 - i : i];

		w = snprintf(out + n, sz - n, "%s%.*s", n ? ", " : "",
			     PL_ARG(*v));
		if (w < 0 || (size_t)w >= sz - n) {
			out[0] = '\0';
			return;
		}
		n += (size_t)w;
	}
}

int cf_room_of(struct conf_focus *f, const struct sip_msg *m, char *name,
	       size_t sz)
{
	struct pl user = m->ruri.user;

	if (!pl_prefix_case(&user, f->prefix) ||
	    user.len - strlen(f->prefix) == 0 ||
	    (f->domain[0] && !pl_caseeq_str(&m->ruri.host, f->domain)))
		return ENOENT;
	pl_advance(&user, strlen(f->prefix));
	if (pl_strcpy(&user, name, sz) || strchr(name, '%'))
		return ENOENT;
	return 0;
}

void cf_clock(struct conf_focus *f, uint64_t now_us)
{
	if (f->rooms && !f->next_tick)
		f->next_tick = now_us + CONF_FRAME_US;
}

int cf_leg_new(struct conf_focus *f, const char *name, enum conf_codec c,
	       uint8_t pt, uint64_t now_us, struct conf_leg **legp)
{
	return cf_leg_adopt(f, name, c, pt, 0, now_us, legp);
}

int cf_leg_adopt(struct conf_focus *f, const char *name, enum conf_codec c,
		 uint8_t pt, uint16_t port, uint64_t now_us,
		 struct conf_leg **legp)
{
	struct conf_room *r = cf_room_find(f, name);
	struct conf_leg *leg;
	bool made = false;
	unsigned slot;
	int err;

	if (r && r->nlegs >= f->cfg.room_max)
		return ENOSPC;
	leg = mem_zalloc(sizeof(*leg));
	if (!leg)
		return ENOMEM;
	if (!r) {
		r = mem_zalloc(sizeof(*r));
		if (!r || conf_mix_new(&r->mix, f->cfg.media_timeout_us)) {
			mem_free(r);
			mem_free(leg);
			return ENOMEM;
		}
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->next = f->rooms;
		f->rooms = r;
		made = true;
	}
	leg->port = port;
	err = port ? 0 : cf_port_take(f, &leg->port);
	if (!err)
		err = conf_mix_add(r->mix, c, now_us, &slot);
	if (err) {
		if (leg->port && !port)
			cf_port_release(f, leg->port);
		mem_free(leg);
		if (made) {
			f->rooms = r->next;	/* just made: at the head */
			conf_mix_free(r->mix);
			mem_free(r);
		}
		return err;
	}
	leg->room = r;
	leg->slot = slot;
	leg->pt = pt;
	leg->codec = c;
	leg->ssrc = rng_u32(&f->rng);
	leg->ts = rng_u32(&f->rng);
	leg->seq = (uint16_t)rng_u32(&f->rng);
	leg->bye_cseq = 1;
	leg->setup_us = leg->answer_us = now_us;
	r->by_slot[slot] = leg;
	f->port_leg[(leg->port - f->cfg.port_min) / 2] = leg;
	r->nlegs++;
	leg->next = f->legs;
	f->legs = leg;
	cf_clock(f, now_us);
	*legp = leg;
	return 0;
}

static void contact_of(struct conf_focus *f, const char *room, char *out,
		       size_t sz)
{
	char host[NET_ADDR_STRLEN];

	snprintf(out, sz, "<sip:%s%s@%s>", f->prefix, room,
		 net_addr_str(&f->cfg.sip_addr, host, sizeof(host)));
}

static void on_invite(struct conf_focus *f, uint64_t now_us,
		      const struct net_pkt *in, const struct sip_msg *m)
{
	struct sip_hdr_add hdr[2];
	char name[ROOM_NAME_MAX], contact[ROOM_NAME_MAX + 96];
	char warn[160], caps[512];
	struct conf_leg *leg;
	struct net_addr peer;
	enum conf_codec codec = CONF_PCMU;
	uint8_t pt = 0;
	size_t i, ai = SIZE_MAX;
	int err;

	leg = cf_leg_find(f, &m->call_id, &m->from.tag);
	if (leg) {
		/* Retransmission or re-INVITE: same answer, same dialog. */
		contact_of(f, leg->room->name, contact, sizeof(contact));
		hdr[0] = (struct sip_hdr_add){ "Contact", pl_from_str(contact) };
		hdr[1] = (struct sip_hdr_add){ "Record-Route",
					       pl_from_str(leg->route) };
		cf_reply(f, in, m, 200, leg->to_tag, hdr,
			 leg->route[0] ? 2 : 1, leg->answer);
		return;
	}
	if (m->to.tag.len) {
		cf_reply(f, in, m, 481, NULL, NULL, 0, NULL);
		return;
	}
	if (cf_room_of(f, m, name, sizeof(name))) {
		cf_reply(f, in, m, 404, NULL, NULL, 0, NULL);
		return;
	}
	if (!m->body.len || sdp_decode(&f->sdp, &m->body)) {
		f->sdp.media_cnt = 0;
	}
	if (f->cfg.forward && conf_sdp_pick_fwd(&f->sdp, &ai, &pt))
		ai = SIZE_MAX;
	for (i = 0; !f->cfg.forward && i < f->sdp.media_cnt &&
	     ai == SIZE_MAX; i++) {
		const struct sdp_media *md = &f->sdp.media[i];

		/* Mixing decodes: only plain RTP/AVP audio is acceptable. */
		if (!pl_caseeq_str(&md->type, "audio") || !md->port_n ||
		    !pl_caseeq_str(&md->proto, "RTP/AVP") ||
		    (sdp_media_sec(&f->sdp, i) & (SDP_SEC_SRTP | SDP_SEC_ZRTP |
						  SDP_SEC_DTLS)))
			continue;
		if (!conf_sdp_pick(&f->sdp, i, &pt, &codec))
			ai = i;
	}
	if (ai == SIZE_MAX || conf_sdp_peer(&f->sdp, ai, &peer)) {
		snprintf(warn, sizeof(warn), "305 %s \"Incompatible media "
			 "format: supported RTP/AVP PCMU/8000 PCMA/8000 "
			 "L16/8000\"", f->domain[0] ? f->domain : "focus");
		hdr[0] = (struct sip_hdr_add){ "Warning", pl_from_str(warn) };
		conf_sdp_caps(&f->cfg.media_addr, caps, sizeof(caps));
		cf_reply(f, in, m, 488, NULL, hdr, 1, caps);
		cdr_emit(f, m, NULL, name, 488, "none", now_us);
		return;
	}
	err = cf_leg_new(f, name, codec, pt, now_us, &leg);
	if (err) {
		uint16_t sc = err == ENOSPC ? 486 : err == ENOMEM ? 500 : 503;

		cf_reply(f, in, m, sc, NULL, NULL, 0, NULL);
		cdr_emit(f, m, NULL, name, sc, "none", now_us);
		return;
	}
	leg->rtp_peer = peer;
	leg->sig = in->from;
	pl_strcpy(&m->call_id, leg->call_id, sizeof(leg->call_id));
	pl_strcpy(&m->from.tag, leg->from_tag, sizeof(leg->from_tag));
	/* Our in-dialog requests go to the remote target (Contact). */
	pl_strcpy(m->ncontact ? &m->contact1.addr.uri.raw : &m->from.uri.raw,
		  leg->remote_uri, sizeof(leg->remote_uri));
	pl_strcpy(&m->from.uri.raw, leg->from_uri, sizeof(leg->from_uri));
	cf_route_set(m, false, leg->route, sizeof(leg->route));
	snprintf(leg->caller, sizeof(leg->caller), "%.*s@%.*s",
		 PL_ARG(m->from.uri.user), PL_ARG(m->from.uri.host));
	rng_hex(&f->rng, leg->to_tag, 16);
	leg->to_tag[16] = '\0';
	if (f->cfg.forward)
		conf_sdp_answer_fwd(&f->cfg.media_addr, &f->sdp, ai, leg->ssrc,
				    leg->port, leg->pt, leg->answer,
				    sizeof(leg->answer));
	else
		conf_sdp_answer(&f->cfg.media_addr, &f->sdp, ai, leg->ssrc,
				leg->port, leg->pt, leg->codec, leg->answer,
				sizeof(leg->answer));
	cf_chat_join(f, leg, m, name);
	contact_of(f, name, contact, sizeof(contact));
	hdr[0] = (struct sip_hdr_add){ "Contact", pl_from_str(contact) };
	/* RFC 3261 12.1.1: the 2xx carries the Record-Route set back. */
	hdr[1] = (struct sip_hdr_add){ "Record-Route", pl_from_str(leg->route) };
	err = cf_reply(f, in, m, 200, leg->to_tag, hdr, leg->route[0] ? 2 : 1,
		       leg->answer);
	conf_event_changed(f, name, now_us);
	if (err)
		return;
	/* Keep the 200 for its retransmissions; f->b still holds it. */
	leg->ok = mem_alloc(f->b.len);
	if (leg->ok) {
		memcpy(leg->ok, f->b.data, f->b.len);
		leg->ok_len = f->b.len;
		leg->ok_src = in->to;
		leg->ok_ivl_us = T1_US;
		leg->ok_at_us = now_us + T1_US;
	}
}

#define ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, SUBSCRIBE, REFER"

static void on_request(struct conf_focus *f, uint64_t now_us,
		       const struct net_pkt *in, const struct sip_msg *m)
{
	static const struct sip_hdr_add allow = {
		"Allow", { ALLOW, sizeof(ALLOW) - 1 } };
	struct conf_leg *leg;

	switch (m->mid) {
	case SIP_M_INVITE:
		on_invite(f, now_us, in, m);
		break;
	case SIP_M_ACK:
		leg = cf_leg_find(f, &m->call_id, &m->from.tag);
		if (leg) {
			mem_free(leg->ok);
			leg->ok = NULL;
		}
		break;
	case SIP_M_BYE:
		leg = cf_leg_find(f, &m->call_id, &m->from.tag);
		if (!leg) {
			cf_reply(f, in, m, 481, NULL, NULL, 0, NULL);
			break;
		}
		cf_reply(f, in, m, 200, NULL, NULL, 0, NULL);
		leg_end(f, leg, "caller", now_us);
		break;
	case SIP_M_CANCEL:
		/* Every INVITE got its final answer already. */
		cf_reply(f, in, m, 481, NULL, NULL, 0, NULL);
		break;
	case SIP_M_OPTIONS:
		cf_reply(f, in, m, 200, NULL, &allow, 1, NULL);
		break;
	case SIP_M_SUBSCRIBE:
		conf_event_subscribe(f, now_us, in, m);
		break;
	case SIP_M_REFER:
		conf_refer_request(f, now_us, in, m);
		break;
	default:
		cf_reply(f, in, m, 405, NULL, &allow, 1, NULL);
		break;
	}
}

/* Our BYE to a leg the media timeout dropped. */
static void send_bye(struct conf_focus *f, const struct conf_leg *leg,
		     const char *why)
{
	char host[NET_ADDR_STRLEN], branch[17];
	int err;

	rng_hex(&f->rng, branch, 16);
	branch[16] = '\0';
	net_addr_str(&f->cfg.sip_addr, host, sizeof(host));
	buf_reset(&f->b);
	err = buf_printf(&f->b,
		"BYE %s SIP/2.0\r\n"
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK%s\r\n"
		"%s%s%s"
		"Max-Forwards: 70\r\n"
		"From: <sip:%s%s@%s>;tag=%s\r\n"
		"To: <%s>;tag=%s\r\n"
		"Call-ID: %s\r\nCSeq: %u BYE\r\n"
		"Reason: SIP;cause=408;text=\"%s\"\r\n"
		"Content-Length: 0\r\n\r\n",
		leg->remote_uri, host, branch, leg->route[0] ? "Route: " : "",
		leg->route, leg->route[0] ? "\r\n" : "", f->prefix,
		leg->room->name,
		host, leg->to_tag, leg->from_uri, leg->from_tag,
		leg->call_id, leg->bye_cseq, why);
	if (!err)
		cf_enqueue(f, &f->cfg.sip_addr, &leg->sig, f->b.data, f->b.len);
}

static void on_rtp(struct conf_focus *f, uint64_t now_us,
		   const struct net_pkt *in, struct conf_leg *leg)
{
	struct rtp_hdr h;

	if (rtp_hdr_decode(in->data, in->len, &h) || h.pt != leg->pt)
		return;
	if (!leg->latched) {
		/* Symmetric RTP: answer where the first packet came from. */
		leg->rtp_peer = in->from;
		leg->latched = true;
	} else if (!net_addr_eq(&in->from, &leg->rtp_peer)) {
		return;
	}
	if (f->cfg.forward)
		cf_forward_rtp(f, now_us, in, leg);
	else
		conf_mix_put(leg->room->mix, leg->slot, now_us, h.ts,
			     in->data + h.hdr_len, in->len - h.hdr_len);
}

int conf_focus_input(struct conf_focus *f, uint64_t now_us,
		     const struct net_pkt *in)
{
	uint16_t port = net_addr_port(&in->to);
	struct conf_leg *leg;

	if (!f || !in || !in->data)
		return EINVAL;
	if (port >= f->cfg.port_min && port <= f->cfg.port_max) {
		size_t i = (size_t)(port - f->cfg.port_min) / 2;

		leg = (port - f->cfg.port_min) % 2 || i >= f->port_cnt ? NULL :
		      f->port_leg[i];
		if (leg)
			on_rtp(f, now_us, in, leg);
		return 0;
	}
	if (sip_msg_decode(&f->msg, in->data, in->len))
		return 0;	/* undecodable datagram: nothing to answer */
	if (f->msg.is_req)
		on_request(f, now_us, in, &f->msg);
	else if (conf_event_response(f, now_us, &f->msg) == ENOENT)
		conf_refer_response(f, now_us, in, &f->msg);
	return 0;
}

static void tick_room(struct conf_focus *f, struct conf_room *r,
		      uint64_t now_us)
{
	uint8_t pkt[RTP_HDR_LEN + CONF_FRAME_SAMPLES * 2];
	struct rtp_hdr h = { 0 };
	uint64_t dropped;
	unsigned i;

	conf_mix_tick(r->mix, now_us, &dropped);
	for (i = 0; i < CONF_MIX_MAX; i++) {
		struct conf_leg *leg = r->by_slot[i];
		struct net_addr src;
		const uint8_t *fr;
		size_t len;

		if (!leg || (dropped & (UINT64_C(1) << i)) || f->cfg.forward)
			continue;
		fr = conf_mix_frame(r->mix, i, &len);
		if (!fr || !net_addr_port(&leg->rtp_peer))
			continue;
		h.pt = leg->pt;
		h.seq = leg->seq;
		h.ts = leg->ts;
		h.ssrc = leg->ssrc;
		rtp_hdr_encode(pkt, &h);
		memcpy(pkt + RTP_HDR_LEN, fr, len);
		leg->seq++;
		leg->ts += CONF_FRAME_SAMPLES;
		src = f->cfg.media_addr;
		net_addr_set_port(&src, leg->port);
		cf_enqueue(f, &src, &leg->rtp_peer, pkt, RTP_HDR_LEN + len);
	}
	/* Drop after sending: leg_end may free the room itself. */
	for (i = 0; i < CONF_MIX_MAX && dropped; i++) {
		struct conf_leg *leg = r->by_slot[i];

		if (!(dropped & (UINT64_C(1) << i)) || !leg)
			continue;
		dropped &= ~(UINT64_C(1) << i);
		send_bye(f, leg, "media timeout");
		leg_end(f, leg, "timeout", now_us);
	}
}

/* 200 retransmissions until the ACK (RFC 3261 13.3.1.4). */
static void resend_ok(struct conf_focus *f, uint64_t now_us)
{
	struct conf_leg *leg, *next;

	for (leg = f->legs; leg; leg = next) {
		next = leg->next;
		if (!leg->ok)
			continue;
		if (now_us - leg->answer_us >= 64 * (uint64_t)T1_US) {
			send_bye(f, leg, "no ACK");
			leg_end(f, leg, "timeout", now_us);
			continue;
		}
		if (now_us < leg->ok_at_us)
			continue;
		cf_enqueue(f, &leg->ok_src, &leg->sig, leg->ok, leg->ok_len);
		leg->ok_ivl_us = leg->ok_ivl_us * 2 > T2_US ? T2_US
							    : leg->ok_ivl_us * 2;
		leg->ok_at_us = now_us + leg->ok_ivl_us;
	}
}

int conf_focus_timeout(struct conf_focus *f, uint64_t now_us)
{
	struct conf_room *r, *next;

	if (!f)
		return EINVAL;
	/* Far behind (a stalled driver): skip ahead rather than burst. */
	if (f->next_tick && now_us > f->next_tick + 10 * CONF_FRAME_US)
		f->next_tick = now_us;
	while (f->next_tick && f->next_tick <= now_us) {
		uint64_t t = f->next_tick;

		f->next_tick += CONF_FRAME_US;
		for (r = f->rooms; r; r = next) {
			next = r->next;	/* the room may end in tick_room */
			tick_room(f, r, t);
		}
		resend_ok(f, t);
	}
	conf_event_timeout(f, now_us);
	conf_refer_timeout(f, now_us);
	return 0;
}

int conf_focus_output(struct conf_focus *f, struct net_out *out)
{
	struct conf_qpkt *q;

	if (!f || !out)
		return EINVAL;
	mem_free(f->sent);
	f->sent = NULL;
	q = f->qhead;
	if (!q)
		return ENOENT;
	f->qhead = q->next;
	if (!f->qhead)
		f->qtail = NULL;
	f->sent = q;
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = q->src;
	out->dst = q->dst;
	out->data = q->data;
	out->len = q->len;
	return 0;
}

uint64_t conf_focus_deadline(struct conf_focus *f)
{
	uint64_t d, e;

	if (!f)
		return UINT64_MAX;
	d = f->next_tick ? f->next_tick : UINT64_MAX;
	e = conf_event_deadline(f);
	d = e < d ? e : d;
	e = conf_refer_deadline(f);
	return e < d ? e : d;
}

int conf_focus_new(struct conf_focus **out, const struct conf_focus_cfg *cfg)
{
	struct conf_focus *f;

	if (!out || !cfg || !cfg->room_prefix || !cfg->room_prefix[0] ||
	    !cfg->port_min || cfg->port_max < cfg->port_min ||
	    !cfg->room_max)
		return EINVAL;
	f = mem_zalloc(sizeof(*f));
	if (!f)
		return ENOMEM;
	f->cfg = *cfg;
	f->prefix = mem_strdup(cfg->room_prefix);
	f->domain = mem_strdup(cfg->domain ? cfg->domain : "");
	f->port_cnt = (size_t)(cfg->port_max - cfg->port_min) / 2 + 1;
	f->port_used = mem_zalloc(f->port_cnt);
	f->port_leg = mem_zalloc(f->port_cnt * sizeof(*f->port_leg));
	if (!f->prefix || !f->domain || !f->port_used || !f->port_leg) {
		conf_focus_free(f);
		return ENOMEM;
	}
	rng_seed(&f->rng, cfg->seed);
	buf_init(&f->b);
	*out = f;
	return 0;
}

void conf_focus_free(struct conf_focus *f)
{
	struct conf_qpkt *q;

	if (!f)
		return;
	f->cfg.cdr_write = NULL;	/* teardown is not a hangup */
	conf_refer_free(f);
	conf_event_free(f);
	while (f->legs)
		leg_end(f, f->legs, "none", 0);
	while ((q = f->qhead)) {
		f->qhead = q->next;
		mem_free(q);
	}
	mem_free(f->sent);
	buf_fini(&f->b);
	mem_free(f->port_used);
	mem_free(f->port_leg);
	mem_free(f->prefix);
	mem_free(f->domain);
	mem_free(f);
}

size_t conf_focus_room_count(const struct conf_focus *f)
{
	const struct conf_room *r;
	size_t n = 0;

	for (r = f->rooms; r; r = r->next)
		n++;
	return n;
}

size_t conf_focus_room_size(const struct conf_focus *f, const char *name)
{
	const struct conf_room *r;

	for (r = f->rooms; r; r = r->next)
		if (!strcmp(r->name, name))
			return r->nlegs;
	return 0;
}

static int ops_input(void *c, uint64_t now_us, const struct net_pkt *in)
{
	return conf_focus_input(c, now_us, in);
}

static int ops_timeout(void *c, uint64_t now_us)
{
	return conf_focus_timeout(c, now_us);
}

static int ops_output(void *c, struct net_out *out)
{
	return conf_focus_output(c, out);
}

static uint64_t ops_deadline(void *c)
{
	return conf_focus_deadline(c);
}

const struct core_ops conf_focus_ops = {
	.name = "conf_focus",
	.input = ops_input,
	.timeout = ops_timeout,
	.output = ops_output,
	.deadline = ops_deadline,
};
