/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * REFER to the focus (RFC 3515, RFC 4579 5.5): a participant (inside its
 * dialog) or anyone allowed to reach the room URI asks the focus to bring
 * the Refer-To target in. The focus answers 202 with the implicit
 * subscription (conf_event.c), INVITEs the target with its own offer
 * through the node the REFER came from (the proxy, which anchors the
 * media and writes the leg's CDR), ACKs the answer, adds the leg to the
 * room as "dialed-out", and reports the outcome as a sipfrag NOTIFY.
 *
 * The INVITE client transaction is kept small: retransmitted at T1
 * doubling until a provisional or final answer, given up (408) after
 * 64*T1 without one or 60 s without a final; a non-2xx final is ACKed on
 * the same branch; a 2xx is ACKed end to end (Contact, reversed
 * Record-Route) and the ACK is resent for a retransmitted 2xx for 32 s.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "conf/conf_int.h"
#include "conf/conf_sdp.h"

#define OUT_MAX 64
#define RING_US 60000000ull
#define LINGER_US 32000000ull

struct conf_out {
	struct conf_out *next;
	uint32_t sub_id;		/* the REFER's subscription */
	char room[ROOM_NAME_MAX];
	char call_id[64], ltag[24], branch[24];
	char target[256];		/* Refer-To URI: Request-URI, To */
	struct net_addr dst, local;	/* next hop (the proxy), our side */
	uint16_t port;			/* our RTP port, 0 once adopted */
	uint8_t *req;			/* INVITE, then the ACK of a 2xx */
	size_t len;
	bool proceeding, done;
	uint64_t start_us, retx_at, retx_ivl;
};

static void out_free(struct conf_focus *f, struct conf_out *o)
{
	struct conf_out **pp;

	for (pp = &f->outs; *pp; pp = &(*pp)->next) {
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	}
	if (o->port)
		cf_port_release(f, o->port);
	mem_free(o->req);
	mem_free(o);
}

static size_t out_count(const struct conf_focus *f)
{
	const struct conf_out *o;
	size_t n = 0;

	for (o = f->outs; o; o = o->next)
		n++;
	return n;
}

static int keep(struct conf_out *o, const struct buf *b)
{
	uint8_t *p = mem_alloc(b->len);

	if (!p)
		return ENOMEM;
	memcpy(p, b->data, b->len);
	mem_free(o->req);
	o->req = p;
	o->len = b->len;
	return 0;
}

static int send_invite(struct conf_focus *f, struct conf_out *o)
{
	char host[NET_ADDR_STRLEN], sdp[512];

	net_addr_str(&f->cfg.sip_addr, host, sizeof(host));
	conf_sdp_offer(&f->cfg.media_addr, o->port, o->sub_id, sdp,
		       sizeof(sdp));
	buf_reset(&f->b);
	if (buf_printf(&f->b,
		       "INVITE %s SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n"
		       "Max-Forwards: 70\r\n"
		       "From: <sip:%s%s@%s>;tag=%s\r\n"
		       "To: <%s>\r\n"
		       "Call-ID: %s\r\nCSeq: 1 INVITE\r\n"
		       "Contact: <sip:%s%s@%s>\r\n"
		       "Content-Type: application/sdp\r\n"
		       "Content-Length: %zu\r\n\r\n%s",
		       o->target, host, o->branch, f->prefix, o->room,
		       f->domain[0] ? f->domain : host, o->ltag, o->target,
		       o->call_id, f->prefix, o->room, host, strlen(sdp), sdp) ||
	    keep(o, &f->b))
		return ENOMEM;
	return cf_enqueue(f, &o->local, &o->dst, o->req, o->len);
}

void conf_refer_request(struct conf_focus *f, uint64_t now_us,
			const struct net_pkt *in, const struct sip_msg *m)
{
	const struct sip_hdr *rt = sip_msg_hdr(m, SIP_HDR_REFER_TO);
	struct conf_room *r;
	struct sip_addr a;
	struct conf_out *o;
	char host[NET_ADDR_STRLEN], room[ROOM_NAME_MAX];
	uint32_t id;

	if (!rt || sip_addr_decode(&a, &rt->val) ||
	    (a.uri.scheme != SIP_SCHEME_SIP &&
	     a.uri.scheme != SIP_SCHEME_SIPS) ||
	    pl_chr(&a.uri.raw, '?') || a.uri.raw.len >= sizeof(o->target)) {
		/* Embedded headers (Replaces...) are not supported. */
		cf_reply(f, in, m, 400, NULL, NULL, 0, NULL);
		return;
	}
	id = conf_event_refer(f, now_us, in, m, room, sizeof(room));
	if (!id)
		return;
	r = cf_room_find(f, room);
	if (r && r->nlegs >= f->cfg.room_max) {
		conf_event_refer_done(f, id, 486, now_us);
		return;
	}
	o = out_count(f) < OUT_MAX ? mem_zalloc(sizeof(*o)) : NULL;
	if (!o || cf_port_take(f, &o->port)) {
		mem_free(o);
		conf_event_refer_done(f, id, 503, now_us);
		return;
	}
	o->sub_id = id;
	snprintf(o->room, sizeof(o->room), "%s", room);
	pl_strcpy(&a.uri.raw, o->target, sizeof(o->target));
	rng_hex(&f->rng, o->ltag, 16);
	o->ltag[16] = '\0';
	rng_hex(&f->rng, o->branch, 16);
	o->branch[16] = '\0';
	rng_hex(&f->rng, o->call_id, 24);
	snprintf(o->call_id + 24, sizeof(o->call_id) - 24, "@%s",
		 net_addr_host(&f->cfg.sip_addr, host, sizeof(host)));
	o->dst = in->from;
	o->local = in->to;
	o->start_us = now_us;
	o->retx_ivl = T1_US;
	o->retx_at = now_us + T1_US;
	o->next = f->outs;
	f->outs = o;
	if (send_invite(f, o)) {
		conf_event_refer_done(f, id, 500, now_us);
		out_free(f, o);
	}
}

/* ACK: of a 2xx end to end (new branch, Route), else hop by hop. */
static int send_ack(struct conf_focus *f, struct conf_out *o,
		    const struct sip_msg *m, const char *ruri,
		    const char *route)
{
	char host[NET_ADDR_STRLEN], branch[24];

	net_addr_str(&f->cfg.sip_addr, host, sizeof(host));
	if (m->scode < 300) {
		rng_hex(&f->rng, branch, 16);
		branch[16] = '\0';
	} else {
		snprintf(branch, sizeof(branch), "%s", o->branch);
	}
	buf_reset(&f->b);
	if (buf_printf(&f->b,
		       "ACK %s SIP/2.0\r\n"
		       "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n"
		       "%s%s%s"
		       "Max-Forwards: 70\r\n"
		       "From: <sip:%s%s@%s>;tag=%s\r\n"
		       "To: <%s>;tag=%.*s\r\n"
		       "Call-ID: %s\r\nCSeq: 1 ACK\r\n"
		       "Content-Length: 0\r\n\r\n",
		       ruri, host, branch, route[0] ? "Route: " : "", route,
		       route[0] ? "\r\n" : "", f->prefix, o->room,
		       f->domain[0] ? f->domain : host, o->ltag, o->target,
		       PL_ARG(m->to.tag), o->call_id))
		return ENOMEM;
	if (m->scode < 300 && keep(o, &f->b))
		return ENOMEM;
	return cf_enqueue(f, &o->local, &o->dst, f->b.data, f->b.len);
}

/* The callee answered: its leg joins the room. */
static uint16_t answered(struct conf_focus *f, struct conf_out *o,
			 uint64_t now_us, const struct sip_msg *m,
			 const char *contact, const char *route)
{
	struct conf_leg *leg;
	struct net_addr peer;
	enum conf_codec codec;
	uint8_t pt;
	size_t i;

	if (!m->body.len || sdp_decode(&f->sdp, &m->body))
		return 488;
	for (i = 0; i < f->sdp.media_cnt; i++)
		if (pl_caseeq_str(&f->sdp.media[i].type, "audio") &&
		    f->sdp.media[i].port_n &&
		    !conf_sdp_pick(&f->sdp, i, &pt, &codec) &&
		    !conf_sdp_peer(&f->sdp, i, &peer))
			break;
	if (i == f->sdp.media_cnt)
		return 488;
	if (cf_leg_adopt(f, o->room, codec, pt, o->port, now_us, &leg))
		return 486;
	o->port = 0;	/* the leg owns it now */
	leg->rtp_peer = peer;
	leg->sig = o->dst;
	leg->dialed_out = true;
	snprintf(leg->call_id, sizeof(leg->call_id), "%s", o->call_id);
	pl_strcpy(&m->to.tag, leg->from_tag, sizeof(leg->from_tag));
	snprintf(leg->to_tag, sizeof(leg->to_tag), "%s", o->ltag);
	snprintf(leg->remote_uri, sizeof(leg->remote_uri), "%s", contact);
	snprintf(leg->from_uri, sizeof(leg->from_uri), "%s", o->target);
	snprintf(leg->route, sizeof(leg->route), "%s", route);
	snprintf(leg->caller, sizeof(leg->caller), "%.*s@%.*s",
		 PL_ARG(m->to.uri.user), PL_ARG(m->to.uri.host));
	leg->bye_cseq = 2;
	return 200;
}

int conf_refer_response(struct conf_focus *f, uint64_t now_us,
			const struct net_pkt *in, const struct sip_msg *m)
{
	char contact[256], route[512];
	struct conf_out *o;
	uint16_t sc;

	(void)in;
	if (m->cseq.mid != SIP_M_INVITE)
		return ENOENT;
	for (o = f->outs; o; o = o->next)
		if (pl_eq_str(&m->call_id, o->call_id) &&
		    pl_eq_str(&m->from.tag, o->ltag))
			break;
	if (!o)
		return ENOENT;
	if (m->scode < 200) {
		o->proceeding = true;
		return 0;
	}
	if (o->done) {
		/* A retransmitted 2xx: our ACK again. */
		if (m->scode < 300 && o->req)
			cf_enqueue(f, &o->local, &o->dst, o->req, o->len);
		return 0;
	}
	o->done = true;
	o->retx_at = now_us + LINGER_US;
	if (m->scode >= 300) {
		send_ack(f, o, m, o->target, "");
		conf_event_refer_done(f, o->sub_id, m->scode, now_us);
		if (o->port)
			cf_port_release(f, o->port);
		o->port = 0;
		return 0;
	}
	if (m->ncontact)
		pl_strcpy(&m->contact1.addr.uri.raw, contact, sizeof(contact));
	else
		snprintf(contact, sizeof(contact), "%s", o->target);
	cf_route_set(m, true, route, sizeof(route));
	send_ack(f, o, m, contact, route);
	sc = answered(f, o, now_us, m, contact, route);
	conf_event_refer_done(f, o->sub_id, sc, now_us);
	if (sc == 200)
		conf_event_changed(f, o->room, now_us);
	return 0;
}

void conf_refer_timeout(struct conf_focus *f, uint64_t now_us)
{
	struct conf_out *o, *next;

	for (o = f->outs; o; o = next) {
		next = o->next;
		if (o->done) {
			if (now_us >= o->retx_at)
				out_free(f, o);
			continue;
		}
		if ((!o->proceeding &&
		     now_us - o->start_us >= 64 * (uint64_t)T1_US) ||
		    now_us - o->start_us >= RING_US) {
			conf_event_refer_done(f, o->sub_id, 408, now_us);
			out_free(f, o);
			continue;
		}
		if (o->proceeding || now_us < o->retx_at)
			continue;
		cf_enqueue(f, &o->local, &o->dst, o->req, o->len);
		o->retx_ivl *= 2;
		o->retx_at = now_us + o->retx_ivl;
	}
}

uint64_t conf_refer_deadline(const struct conf_focus *f)
{
	const struct conf_out *o;
	uint64_t d = UINT64_MAX, t;

	for (o = f->outs; o; o = o->next) {
		t = o->done || !o->proceeding ? o->retx_at :
		    o->start_us + RING_US;
		if (t < d)
			d = t;
	}
	return d;
}

void conf_refer_free(struct conf_focus *f)
{
	while (f->outs)
		out_free(f, f->outs);
}
