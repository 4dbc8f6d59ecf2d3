/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench UA: what a response to one of our requests means. Matching is by
 * top Via branch and CSeq method (RFC 3261 17.1.3); 2xx retransmissions
 * for an INVITE whose transaction is gone are matched to the call by
 * Call-ID and re-ACKed (13.2.2.4).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "ua/ua_int.h"

static struct ua_tx *tx_match(struct ua *ua, const struct sip_msg *m)
{
	size_t i;

	for (i = 0; i < UA_MAX_TX; i++) {
		struct ua_tx *t = &ua->tx[i];
		if (t->used && t->method == m->cseq.mid &&
		    pl_eq_str(&m->via1.branch, t->branch))
			return t;
	}
	return NULL;
}

/* Route set from Record-Route, reversed for the caller (12.1.2). */
static void take_dialog(struct ua_call *c, const struct sip_msg *m)
{
	struct sip_list_it it;
	struct sip_contact ct;
	const struct sip_hdr *h;
	struct pl e;
	char rr[UA_MAX_ROUTE][256];
	int n = 0, i;

	pl_strcpy(&m->to.tag, c->rtag, sizeof(c->rtag));
	sip_list_begin(&it, m, SIP_HDR_RECORD_ROUTE);
	while (n < UA_MAX_ROUTE && sip_list_next(&it, &e) == 0)
		pl_strcpy(&e, rr[n++], sizeof(rr[0]));
	if (c->outgoing) {
		for (i = 0; i < n; i++)
			memcpy(c->route[i], rr[n - 1 - i], sizeof(c->route[i]));
	} else {
		for (i = 0; i < n; i++)
			memcpy(c->route[i], rr[i], sizeof(c->route[i]));
	}
	c->nroute = n;
	h = sip_msg_hdr(m, SIP_HDR_CONTACT);
	if (h && sip_contact_decode(&ct, &h->val) == 0 && !ct.star)
		pl_strcpy(&ct.addr.uri.raw, c->remote_uri,
			  sizeof(c->remote_uri));
}

static void on_register(struct ua *ua, struct ua_tx *t,
			const struct sip_msg *m)
{
	char detail[32];

	if (m->scode >= 200 && m->scode < 300) {
		ua->reg_expires = t->reg_expires;
		snprintf(detail, sizeof(detail), "%zu",
			 sip_msg_hdr_count(m, SIP_HDR_CONTACT));
		ua_emit(ua, UA_EV_REGISTERED, m->scode, 0, ua->aor, detail);
	} else {
		ua_emit(ua, UA_EV_REG_FAILED, m->scode, 0, ua->aor,
			m->reason.len ? "" : "");
	}
}

static void on_invite_2xx(struct ua *ua, struct ua_call *c,
			  const struct sip_msg *m, const struct ua_tx *t)
{
	if (c->state == UC_UP) {
		/* retransmitted 2xx, or the answer to a re-INVITE */
		ua_send_ack(ua, c, m, 1, t);
		if (t && m->body.len)
			ua_sdp_take(ua, c, &m->body);
		return;
	}
	take_dialog(c, m);
	ua_send_ack(ua, c, m, 1, t);
	if (c->state == UC_CANCELLING) {
		/* CANCEL lost the race with the 200: end it with BYE. */
		c->state = UC_UP;
		ua_send_bye(ua, c);
		return;
	}
	c->state = UC_UP;
	if (m->body.len)
		ua_sdp_take(ua, c, &m->body);
	ua->st.calls_ok++;
	{
		uint64_t d = ua->now_us - c->invite_at_us;
		ua->st.setup_us_sum += d;
		if (d > ua->st.setup_us_max)
			ua->st.setup_us_max = d;
	}
	ua_media_start(ua, c);
	ua_emit(ua, UA_EV_CALL_ANSWERED, m->scode, c->handle, c->peer, "");
	if (c->opt.duration_us)
		ua_timer(ua, &c->t_hangup, ua->now_us + c->opt.duration_us,
			 UT_HANGUP, c);
}

static void on_invite(struct ua *ua, struct ua_tx *t, struct ua_call *c,
		      const struct sip_msg *m)
{
	if (m->scode < 200) {
		if (t)
			ua_timer_stop(ua, &t->t_retrans);
		if (c->state == UC_CALLING && m->scode > 100) {
			c->state = UC_RINGING;
			ua_emit(ua, UA_EV_CALL_RINGING, m->scode, c->handle,
				c->peer, "");
		}
		return;
	}
	if (m->scode < 300) {
		on_invite_2xx(ua, c, m, t);
		return;
	}
	/* non-2xx final: ACK in the transaction (17.1.1.3) */
	if (t)
		ua_send_ack(ua, c, m, 0, t);
	if (c->state == UC_UP)
		return;	/* a refused re-INVITE keeps the call */
	ua->st.calls_failed++;
	ua_emit(ua, UA_EV_CALL_FAILED, m->scode, c->handle, c->peer, "");
	ua_call_free(ua, c);
}

void ua_on_response(struct ua *ua, const struct sip_msg *m,
		    const struct net_pkt *in)
{
	struct ua_tx *t = tx_match(ua, m);
	struct ua_call *c;

	(void)in;
	if (!t) {
		/* 2xx retransmission after the INVITE transaction ended */
		if (m->cseq.mid == SIP_M_INVITE && m->scode >= 200 &&
		    m->scode < 300 && (c = ua_call_find(ua, &m->call_id)))
			on_invite_2xx(ua, c, m, NULL);
		return;
	}
	c = t->call >= 0 ? &ua->calls[t->call] : NULL;
	if (t->got_final) {
		/* retransmitted final: the ACK was lost (17.1.1.2) */
		if (t->method == SIP_M_INVITE && m->scode >= 300 && c)
			ua_send_ack(ua, c, m, 0, t);
		return;
	}
	if (m->scode < 200) {
		if (t->method == SIP_M_INVITE && c)
			on_invite(ua, t, c, m);
		else if (ua->proxy.tp == NET_UDP)
			t->interval_us = UA_T2_US; /* 17.1.2.2 */
		return;
	}
	if ((m->scode == 401 || m->scode == 407) && t->auth_tried < 2 &&
	    t->method != SIP_M_CANCEL && t->method != SIP_M_ACK &&
	    !(c && c->state == UC_CANCELLING)) {
		if (t->method == SIP_M_INVITE && c)
			ua_send_ack(ua, c, m, 0, t);
		/* On success t now holds (or was replaced by) the re-sent
		 * request; either way this response is consumed. */
		if (ua_tx_auth_resend(ua, t, m) == 0)
			return;
	}
	t->got_final = 1;
	ua_timer_stop(ua, &t->t_retrans);
	switch (t->method) {
	case SIP_M_REGISTER:
		on_register(ua, t, m);
		break;
	case SIP_M_INVITE:
		if (c)
			on_invite(ua, t, c, m);
		break;
	case SIP_M_MESSAGE:
		ua_emit(ua, UA_EV_MESSAGE_SENT, m->scode, 0, t->target, "");
		break;
	case SIP_M_OPTIONS:
		ua_emit(ua, UA_EV_OPTIONS_DONE, m->scode, 0, t->target, "");
		break;
	case SIP_M_SUBSCRIBE:
		ua_emit(ua, UA_EV_SUBSCRIBED, m->scode, 0, t->target, "");
		break;
	case SIP_M_PUBLISH: {
		const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_SIP_ETAG);
		if (h)
			pl_strcpy(&h->val, ua->pub_etag, sizeof(ua->pub_etag));
		ua_emit(ua, UA_EV_PUBLISHED, m->scode, 0, ua->aor, "");
		break;
	}
	case SIP_M_BYE:
		if (c)
			ua_call_free(ua, c);
		break;
	default:
		break;
	}
	/* Keep an INVITE transaction on UDP for Timer D (32 s) to re-ACK
	 * retransmitted finals; everything else ends now. */
	if (t->method == SIP_M_INVITE && ua->proxy.tp == NET_UDP &&
	    m->scode >= 300)
		ua_timer(ua, &t->t_timeout, ua->now_us + 32000000ull,
			 UT_TX_TIMEOUT, t);
	else
		ua_tx_free(ua, t);
}
