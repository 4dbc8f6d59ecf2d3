/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The focus's subscriptions: the RFC 4575 conference event package
 * (SUBSCRIBE Event: conference to sip:PREFIX NAME@DOMAIN, answered 200,
 * then a NOTIFY with the full conference-info document, and a new full
 * one after every join and leave; Expires honoured up to an hour, 0 a
 * one-shot fetch) and the implicit subscription of a REFER (RFC 3515:
 * 202, then NOTIFY message/sipfrag with the referred INVITE's progress).
 *
 * State lives in memory only and names participants by their AOR and
 * contact, nothing of the audio (POLICY P15). One NOTIFY per subscription
 * is in flight at a time (retransmitted at T1 doubling up to T2, given
 * up after 64*T1); a change while one is in flight sends the then-current
 * full state after its answer. A final error answer to a NOTIFY ends the
 * subscription (RFC 6665 4.1.3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "conf/conf_int.h"

#define SUB_MAX 1024
#define SUB_EXPIRES_MAX 3600
#define REFER_EXPIRES 60

struct conf_sub {
	struct conf_sub *next;
	uint32_t id;
	bool refer;		/* Event: refer, else conference */
	uint32_t refer_id;	/* the REFER's CSeq (Event: refer;id=) */
	char room[ROOM_NAME_MAX];
	char call_id[128];
	char rtag[64], ltag[24];	/* remote's tag, ours */
	char remote_uri[256];	/* its Contact: our Request-URI */
	char rfrom[256];	/* its URI: our To */
	char route[512];
	struct net_addr sig;	/* next hop of our requests */
	struct net_addr local;	/* our address it wrote to */
	uint32_t cseq, version;
	uint64_t expires_us;
	char frag[64];		/* refer: the sipfrag status line */
	bool dirty;		/* changed while a NOTIFY was in flight */
	bool ending;		/* the next NOTIFY terminates */
	bool ended;		/* the terminating NOTIFY is out */
	const char *reason;	/* of the termination */
	uint8_t *req;		/* NOTIFY in flight, else NULL */
	size_t req_len;
	uint32_t req_cseq;
	uint64_t sent_us, retx_at, retx_ivl;
};

static size_t sub_count(const struct conf_focus *f)
{
	const struct conf_sub *s;
	size_t n = 0;

	for (s = f->subs; s; s = s->next)
		n++;
	return n;
}

static void sub_free(struct conf_focus *f, struct conf_sub *s)
{
	struct conf_sub **pp;

	for (pp = &f->subs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	mem_free(s->req);
	mem_free(s);
}

/* Text with XML's five special characters escaped. */
static int xml_put(struct buf *b, const char *s)
{
	int err = 0;

	for (; *s && !err; s++) {
		switch (*s) {
		case '&': err = buf_printf(b, "&amp;"); break;
		case '<': err = buf_printf(b, "&lt;"); break;
		case '>': err = buf_printf(b, "&gt;"); break;
		case '"': err = buf_printf(b, "&quot;"); break;
		case '\'': err = buf_printf(b, "&apos;"); break;
		default: err = buf_printf(b, "%c", *s); break;
		}
	}
	return err;
}

/* RFC 4575 conference-info, state "full", of room s->room. */
static int conf_info(struct conf_focus *f, struct conf_sub *s, struct buf *b)
{
	struct conf_room *r = cf_room_find(f, s->room);
	char ent[ROOM_NAME_MAX + 300];
	unsigned i;
	int err;

	snprintf(ent, sizeof(ent), "sip:%s%s@%s", f->prefix, s->room,
		 f->domain[0] ? f->domain : "focus");
	err = buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
			 "<conference-info xmlns=\"urn:ietf:params:xml:ns:"
			 "conference-info\" entity=\"");
	err |= xml_put(b, ent);
	err |= buf_printf(b, "\" state=\"full\" version=\"%u\">\r\n"
			  " <conference-state>\r\n"
			  "  <user-count>%u</user-count>\r\n"
			  "  <active>%s</active>\r\n"
			  " </conference-state>\r\n <users>\r\n",
			  s->version, r ? r->nlegs : 0u, r ? "true" : "false");
	for (i = 0; r && i < CONF_MIX_MAX && !err; i++) {
		const struct conf_leg *l = r->by_slot[i];

		if (!l)
			continue;
		snprintf(ent, sizeof(ent), "sip:%s", l->caller);
		err |= buf_printf(b, "  <user entity=\"");
		err |= xml_put(b, ent);
		err |= buf_printf(b, "\" state=\"full\">\r\n"
				  "   <endpoint entity=\"");
		err |= xml_put(b, l->remote_uri);
		err |= buf_printf(b, "\">\r\n    <status>connected</status>\r\n"
				  "    <joining-method>%s</joining-method>\r\n"
				  "   </endpoint>\r\n  </user>\r\n",
				  l->dialed_out ? "dialed-out" : "dialed-in");
	}
	err |= buf_printf(b, " </users>\r\n</conference-info>\r\n");
	return err ? ENOMEM : 0;
}

static int send_req(struct conf_focus *f, struct conf_sub *s,
		    uint64_t now_us)
{
	struct buf body;
	char host[NET_ADDR_STRLEN], branch[17], state[64], ev[32];
	uint64_t left;
	int err;

	buf_init(&body);
	s->version++;
	err = s->refer ? buf_printf(&body, "SIP/2.0 %s\r\n", s->frag) :
			 conf_info(f, s, &body);
	if (s->ending)
		snprintf(state, sizeof(state), "terminated;reason=%s",
			 s->reason ? s->reason : "noresource");
	else {
		left = s->expires_us > now_us ?
		       (s->expires_us - now_us) / 1000000 : 0;
		snprintf(state, sizeof(state), "active;expires=%llu",
			 (unsigned long long)left);
	}
	if (s->refer)
		snprintf(ev, sizeof(ev), "refer;id=%u", s->refer_id);
	else
		snprintf(ev, sizeof(ev), "conference");
	rng_hex(&f->rng, branch, 16);
	branch[16] = '\0';
	net_addr_str(&f->cfg.sip_addr, host, sizeof(host));
	buf_reset(&f->b);
	if (!err)
		err = buf_printf(&f->b,
			"NOTIFY %s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s;branch=z9hG4bK%s\r\n"
			"%s%s%s"
			"Max-Forwards: 70\r\n"
			"From: <sip:%s%s@%s>;tag=%s\r\n"
			"To: <%s>;tag=%s\r\n"
			"Call-ID: %s\r\nCSeq: %u NOTIFY\r\n"
			"Contact: <sip:%s%s@%s>\r\n"
			"Event: %s\r\n"
			"Subscription-State: %s\r\n"
			"Content-Type: %s\r\n"
			"Content-Length: %zu\r\n\r\n%.*s",
			s->remote_uri, host, branch,
			s->route[0] ? "Route: " : "", s->route,
			s->route[0] ? "\r\n" : "", f->prefix, s->room,
			f->domain[0] ? f->domain : host, s->ltag, s->rfrom,
			s->rtag, s->call_id, s->cseq, f->prefix, s->room, host,
			ev, state, s->refer ? "message/sipfrag;version=2.0" :
			"application/conference-info+xml", body.len,
			(int)body.len, (const char *)body.data);
	buf_fini(&body);
	if (err)
		return err;
	s->req = mem_alloc(f->b.len);
	if (!s->req)
		return ENOMEM;
	memcpy(s->req, f->b.data, f->b.len);
	s->req_len = f->b.len;
	s->req_cseq = s->cseq++;
	s->sent_us = now_us;
	s->retx_ivl = T1_US;
	s->retx_at = now_us + T1_US;
	s->ended = s->ending;
	return cf_enqueue(f, &s->local, &s->sig, s->req, s->req_len);
}

/* Send the current state now, or after the NOTIFY in flight. */
static void notify(struct conf_focus *f, struct conf_sub *s, uint64_t now_us)
{
	if (s->req) {
		s->dirty = true;
		return;
	}
	s->dirty = false;
	if (send_req(f, s, now_us))
		sub_free(f, s);
}

void conf_event_changed(struct conf_focus *f, const char *room,
			uint64_t now_us)
{
	struct conf_sub *s, *next;

	for (s = f->subs; s; s = next) {
		next = s->next;
		if (!s->refer && !s->ended && !strcmp(s->room, room))
			notify(f, s, now_us);
	}
}

static bool event_is(const struct pl *v, const char *pkg)
{
	struct pl t = *v;
	const char *semi = pl_chr(&t, ';');

	if (semi)
		t.len = (size_t)(semi - t.p);
	pl_trim(&t);
	return pl_caseeq_str(&t, pkg);
}

static struct conf_sub *sub_new(struct conf_focus *f, const struct net_pkt *in,
				const struct sip_msg *m)
{
	struct conf_sub *s;

	if (sub_count(f) >= SUB_MAX)
		return NULL;
	s = mem_zalloc(sizeof(*s));
	if (!s)
		return NULL;
	s->id = ++f->out_seq;
	s->sig = in->from;
	s->local = in->to;
	s->cseq = 1;
	pl_strcpy(&m->call_id, s->call_id, sizeof(s->call_id));
	pl_strcpy(&m->from.tag, s->rtag, sizeof(s->rtag));
	pl_strcpy(m->ncontact ? &m->contact1.addr.uri.raw : &m->from.uri.raw,
		  s->remote_uri, sizeof(s->remote_uri));
	pl_strcpy(&m->from.uri.raw, s->rfrom, sizeof(s->rfrom));
	cf_route_set(m, false, s->route, sizeof(s->route));
	rng_hex(&f->rng, s->ltag, 16);
	s->ltag[16] = '\0';
	s->next = f->subs;
	f->subs = s;
	return s;
}

static void answer(struct conf_focus *f, const struct net_pkt *in,
		   const struct sip_msg *m, struct conf_sub *s, uint16_t sc,
		   uint32_t expires)
{
	struct sip_hdr_add h[3];
	char contact[ROOM_NAME_MAX + 96], host[NET_ADDR_STRLEN], exp[16];
	size_t n = 0;

	snprintf(contact, sizeof(contact), "<sip:%s%s@%s>", f->prefix,
		 s->room, net_addr_str(&f->cfg.sip_addr, host, sizeof(host)));
	snprintf(exp, sizeof(exp), "%u", expires);
	h[n++] = (struct sip_hdr_add){ "Contact", pl_from_str(contact) };
	h[n++] = (struct sip_hdr_add){ "Expires", pl_from_str(exp) };
	if (s->route[0] && !m->to.tag.len)
		h[n++] = (struct sip_hdr_add){ "Record-Route",
					       pl_from_str(s->route) };
	cf_reply(f, in, m, sc, s->ltag, h, n, NULL);
}

void conf_event_subscribe(struct conf_focus *f, uint64_t now_us,
			  const struct net_pkt *in, const struct sip_msg *m)
{
	static const struct sip_hdr_add allow_ev = {
		"Allow-Events", { "conference", 10 } };
	const struct sip_hdr *ev = sip_msg_hdr(m, SIP_HDR_EVENT);
	char name[ROOM_NAME_MAX];
	struct conf_sub *s = NULL;
	uint32_t exp = SUB_EXPIRES_MAX;

	if (!ev || !event_is(&ev->val, "conference")) {
		cf_reply(f, in, m, 489, NULL, &allow_ev, 1, NULL);
		return;
	}
	if (sip_msg_u32(m, SIP_HDR_EXPIRES, &exp) == EBADMSG) {
		cf_reply(f, in, m, 400, NULL, NULL, 0, NULL);
		return;
	}
	if (exp > SUB_EXPIRES_MAX)
		exp = SUB_EXPIRES_MAX;
	if (m->to.tag.len) {
		/* A refresh (or an unsubscribe) of one of ours. */
		for (s = f->subs; s; s = s->next)
			if (!s->refer && pl_eq_str(&m->call_id, s->call_id) &&
			    pl_eq_str(&m->from.tag, s->rtag) &&
			    pl_eq_str(&m->to.tag, s->ltag))
				break;
		if (!s || s->ended) {
			cf_reply(f, in, m, 481, NULL, NULL, 0, NULL);
			return;
		}
	} else {
		if (cf_room_of(f, m, name, sizeof(name))) {
			cf_reply(f, in, m, 404, NULL, NULL, 0, NULL);
			return;
		}
		s = sub_new(f, in, m);
		if (!s) {
			cf_reply(f, in, m, 503, NULL, NULL, 0, NULL);
			return;
		}
		snprintf(s->room, sizeof(s->room), "%s", name);
	}
	s->expires_us = now_us + exp * 1000000ull;
	answer(f, in, m, s, 200, exp);
	if (!exp) {
		s->ending = true;
		s->reason = "timeout";
	}
	notify(f, s, now_us);
}

uint32_t conf_event_refer(struct conf_focus *f, uint64_t now_us,
			  const struct net_pkt *in, const struct sip_msg *m,
			  char *room, size_t roomsz)
{
	struct conf_leg *leg = NULL;
	char name[ROOM_NAME_MAX];
	struct conf_sub *s;

	if (m->to.tag.len) {
		leg = cf_leg_find(f, &m->call_id, &m->from.tag);
		if (!leg || !pl_eq_str(&m->to.tag, leg->to_tag)) {
			cf_reply(f, in, m, 481, NULL, NULL, 0, NULL);
			return 0;
		}
		snprintf(name, sizeof(name), "%s", leg->room->name);
	} else if (cf_room_of(f, m, name, sizeof(name))) {
		cf_reply(f, in, m, 404, NULL, NULL, 0, NULL);
		return 0;
	}
	s = sub_new(f, in, m);
	if (!s) {
		cf_reply(f, in, m, 503, NULL, NULL, 0, NULL);
		return 0;
	}
	s->refer = true;
	s->refer_id = m->cseq.num;
	snprintf(s->room, sizeof(s->room), "%s", name);
	if (leg) {
		/* Inside the participant's dialog: its tags, route and
		 * target; our BYE keeps CSeqs above the NOTIFYs'. */
		snprintf(s->ltag, sizeof(s->ltag), "%s", leg->to_tag);
		snprintf(s->route, sizeof(s->route), "%s", leg->route);
		s->sig = leg->sig;
		s->cseq = leg->bye_cseq + 1;
		leg->bye_cseq += 1000;
	}
	s->expires_us = now_us + REFER_EXPIRES * 1000000ull;
	answer(f, in, m, s, 202, REFER_EXPIRES);
	snprintf(s->frag, sizeof(s->frag), "100 Trying");
	snprintf(room, roomsz, "%s", name);
	notify(f, s, now_us);
	return s->id;
}

static const char *phrase(uint16_t sc)
{
	switch (sc) {
	case 200: return "OK";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 480: return "Temporarily Unavailable";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 503: return "Service Unavailable";
	case 603: return "Decline";
	default: return sc < 300 ? "OK" : "Failed";
	}
}

void conf_event_refer_done(struct conf_focus *f, uint32_t id,
			   uint16_t scode, uint64_t now_us)
{
	struct conf_sub *s;

	for (s = f->subs; s && s->id != id; s = s->next)
		;
	if (!s || !s->refer || s->ended)
		return;
	snprintf(s->frag, sizeof(s->frag), "%u %s", scode, phrase(scode));
	s->ending = true;
	s->reason = "noresource";
	notify(f, s, now_us);
}

int conf_event_response(struct conf_focus *f, uint64_t now_us,
			const struct sip_msg *m)
{
	struct conf_sub *s;

	if (m->cseq.mid != SIP_M_NOTIFY)
		return ENOENT;
	for (s = f->subs; s; s = s->next)
		if (s->req && s->req_cseq == m->cseq.num &&
		    pl_eq_str(&m->call_id, s->call_id) &&
		    pl_eq_str(&m->from.tag, s->ltag))
			break;
	if (!s)
		return 0;	/* a late answer: nothing to do */
	if (m->scode < 200)
		return 0;
	mem_free(s->req);
	s->req = NULL;
	if (m->scode >= 300 || s->ended) {
		sub_free(f, s);
		return 0;
	}
	if (s->dirty)
		notify(f, s, now_us);
	return 0;
}

void conf_event_timeout(struct conf_focus *f, uint64_t now_us)
{
	struct conf_sub *s, *next;

	for (s = f->subs; s; s = next) {
		next = s->next;
		if (s->req) {
			if (now_us < s->retx_at)
				continue;
			if (now_us - s->sent_us >= 64 * (uint64_t)T1_US) {
				sub_free(f, s);	/* the subscriber is gone */
				continue;
			}
			cf_enqueue(f, &s->local, &s->sig, s->req, s->req_len);
			s->retx_ivl = s->retx_ivl * 2 > T2_US ? T2_US :
				      s->retx_ivl * 2;
			s->retx_at = now_us + s->retx_ivl;
		} else if (!s->ending && now_us >= s->expires_us) {
			s->ending = true;
			s->reason = "timeout";
			notify(f, s, now_us);
		}
	}
}

uint64_t conf_event_deadline(const struct conf_focus *f)
{
	const struct conf_sub *s;
	uint64_t d = UINT64_MAX, t;

	for (s = f->subs; s; s = s->next) {
		t = s->req ? s->retx_at : s->ending ? UINT64_MAX :
		    s->expires_us;
		if (t < d)
			d = t;
	}
	return d;
}

void conf_event_free(struct conf_focus *f)
{
	while (f->subs)
		sub_free(f, f->subs);
}
