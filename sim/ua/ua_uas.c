/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench UA, server side: answering INVITE (by the account's answer
 * setting), ACK, BYE, CANCEL, MESSAGE, NOTIFY and OPTIONS; retransmitted
 * requests get the last response again (17.2), a 2xx to INVITE is
 * retransmitted until its ACK (13.3.1.4). Also the ACK and BYE we send.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "ua/ua_int.h"

static struct ua_srv *srv_find(struct ua *ua, const struct sip_msg *m)
{
	size_t i;

	for (i = 0; i < UA_MAX_SRV; i++) {
		struct ua_srv *s = &ua->srv[i];
		if (s->used && s->method == m->mid &&
		    pl_eq_str(&m->via1.branch, s->branch))
			return s;
	}
	return NULL;
}

/* Send a response to req and remember it for retransmissions. */
static int respond(struct ua *ua, const struct sip_msg *req,
		   const struct net_pkt *in, uint16_t code, const char *tag,
		   const struct sip_hdr_add *extra, size_t nextra,
		   const char *ctype, const struct buf *body, struct buf *keep)
{
	struct buf out;
	struct pl t = pl_from_str(tag), ct = pl_from_str(ctype),
		  b = body ? buf_pl(body) : PL_NULL;
	struct ua_srv *s;
	int err;

	buf_init(&out);
	err = sip_encode_response(&out, req, code, NULL, tag ? &t : NULL,
				  extra, nextra, ctype ? &ct : NULL,
				  body ? &b : NULL);
	if (err)
		goto out;
	ua->st.sip_sent++;
	err = ua_send(ua, &ua->local, &in->from, in->conn_id, out.data,
		      out.len);
	if (keep) {
		buf_reset(keep);
		buf_put(keep, out.data, out.len);
	}
	if (req->mid == SIP_M_ACK || code < 200)
		goto out;
	s = srv_find(ua, req);
	if (!s) {
		s = &ua->srv[ua->srv_next++ % UA_MAX_SRV];
		s->used = 1;
		s->method = req->mid;
		pl_strcpy(&req->via1.branch, s->branch, sizeof(s->branch));
	}
	buf_reset(&s->last_rsp);
	buf_put(&s->last_rsp, out.data, out.len);
	s->peer = in->from;
	s->conn_id = in->conn_id;
out:
	buf_fini(&out);
	return err;
}

static void aor_of(const struct sip_addr *a, char *dst, size_t n)
{
	snprintf(dst, n, "%.*s@%.*s", PL_ARG(a->uri.user),
		 PL_ARG(a->uri.host));
}

/* Record-Route of the request, copied into dialog-creating responses
 * (12.1.1), plus our Contact. */
static size_t dialog_hdrs(struct ua *ua, const struct sip_msg *m,
			  struct sip_hdr_add *h, size_t max, char *contact,
			  size_t csz)
{
	const struct sip_hdr *rr;
	char hp[NET_ADDR_STRLEN];
	size_t n = 0;

	for (rr = sip_msg_hdr(m, SIP_HDR_RECORD_ROUTE); rr && n + 1 < max;
	     rr = sip_msg_hdr_next(m, rr)) {
		h[n].name = "Record-Route";
		h[n].val = rr->val;
		n++;
	}
	net_addr_str(&ua->local, hp, sizeof(hp));
	if (ua->local.tp == NET_UDP)
		snprintf(contact, csz, "<sip:%s@%s>", ua->user, hp);
	else
		snprintf(contact, csz, "<sip:%s@%s;transport=%s>", ua->user,
			 hp, net_tp_name(ua->local.tp));
	h[n].name = "Contact";
	h[n].val = pl_from_str(contact);
	return n + 1;
}

void ua_2xx_retrans(struct ua *ua, struct ua_call *c)
{
	if (!c->ok_rsp.len)
		return;
	ua->st.sip_retrans++;
	ua_send(ua, &ua->local, &c->inv_peer, c->inv_conn, c->ok_rsp.data,
		c->ok_rsp.len);
	c->ok_interval_us *= 2;
	if (c->ok_interval_us > UA_T2_US)
		c->ok_interval_us = UA_T2_US;
	ua_timer(ua, &c->t_2xx, ua->now_us + c->ok_interval_us, UT_2XX, c);
}

static void answer_200(struct ua *ua, struct ua_call *c,
		       const struct sip_msg *m, const struct net_pkt *in)
{
	struct sip_hdr_add h[UA_MAX_ROUTE + 1];
	char contact[320];
	struct buf sdp;
	size_t n = dialog_hdrs(ua, m, h, UA_MAX_ROUTE + 1, contact,
			       sizeof(contact));

	buf_init(&sdp);
	ua_sdp_offer(ua, c, &sdp);
	respond(ua, m, in, 200, c->ltag, h, n, "application/sdp", &sdp,
		&c->ok_rsp);
	buf_fini(&sdp);
	c->inv_peer = in->from;
	c->inv_conn = in->conn_id;
	if (!net_tp_is_stream(in->from.tp) && !in->conn_id) {
		c->ok_interval_us = UA_T1_US;
		ua_timer(ua, &c->t_2xx, ua->now_us + UA_T1_US, UT_2XX, c);
	}
	ua_timer(ua, &c->t_2xx_giveup, ua->now_us + 64 * UA_T1_US,
		 UT_2XX_GIVEUP, c);
}

static void on_invite(struct ua *ua, const struct sip_msg *m,
		      const struct net_pkt *in)
{
	struct sip_hdr_add h[UA_MAX_ROUTE + 1];
	char contact[320];
	struct ua_call *c = ua_call_find(ua, &m->call_id);
	size_t n;

	if (c && m->to.tag.len) {
		/* re-INVITE: hold/resume or a media change */
		if (m->body.len)
			ua_sdp_take(ua, c, &m->body);
		answer_200(ua, c, m, in);
		return;
	}
	if (c)
		return;	/* a forked copy of a call we already have */
	c = ua_call_new(ua);
	if (!c) {
		respond(ua, m, in, 486, NULL, NULL, 0, NULL, NULL, NULL);
		return;
	}
	c->outgoing = 0;
	pl_strcpy(&m->call_id, c->call_id, sizeof(c->call_id));
	aor_of(&m->from, c->peer, sizeof(c->peer));
	c->invite_cseq = m->cseq.num;
	c->lcseq = rng_u32(&ua->rng) & 0xffff;
	/* the caller's tag is the remote tag; route set in order */
	{
		struct sip_msg *mm = (struct sip_msg *)m;
		struct pl ftag = mm->from.tag;
		const struct sip_hdr *ch = sip_msg_hdr(m, SIP_HDR_CONTACT);
		struct sip_list_it it;
		struct sip_contact ct;
		struct pl e;
		pl_strcpy(&ftag, c->rtag, sizeof(c->rtag));
		sip_list_begin(&it, m, SIP_HDR_RECORD_ROUTE);
		while (c->nroute < UA_MAX_ROUTE && sip_list_next(&it, &e) == 0)
			pl_strcpy(&e, c->route[c->nroute++],
				  sizeof(c->route[0]));
		if (ch && sip_contact_decode(&ct, &ch->val) == 0)
			pl_strcpy(&ct.addr.uri.raw, c->remote_uri,
				  sizeof(c->remote_uri));
	}
	buf_put(&c->inv_raw, m->raw.p, m->raw.len);
	if (m->body.len)
		ua_sdp_take(ua, c, &m->body);
	ua_emit(ua, UA_EV_CALL_INCOMING, 0, c->handle, c->peer, "");
	if (ua->answer == UA_ANSWER_BUSY) {
		respond(ua, m, in, 486, c->ltag, NULL, 0, NULL, NULL, NULL);
		ua_call_free(ua, c);
		return;
	}
	n = dialog_hdrs(ua, m, h, UA_MAX_ROUTE + 1, contact, sizeof(contact));
	respond(ua, m, in, 180, c->ltag, h, n, NULL, NULL, NULL);
	c->state = UC_RINGING;
	c->inv_peer = in->from;
	c->inv_conn = in->conn_id;
	if (ua->answer == UA_ANSWER_NO)
		return;
	answer_200(ua, c, m, in);
	c->state = UC_UP;
	ua->st.calls_ok++;
	ua_media_start(ua, c);
	ua_emit(ua, UA_EV_CALL_ANSWERED, 200, c->handle, c->peer, "");
}

static void on_cancel(struct ua *ua, const struct sip_msg *m,
		      const struct net_pkt *in)
{
	struct ua_call *c = ua_call_find(ua, &m->call_id);
	struct sip_msg *inv;

	if (!c || c->outgoing || c->state != UC_RINGING) {
		respond(ua, m, in, 481, NULL, NULL, 0, NULL, NULL, NULL);
		return;
	}
	respond(ua, m, in, 200, NULL, NULL, 0, NULL, NULL, NULL);
	inv = mem_alloc(sizeof(*inv));
	if (inv && sip_msg_decode(inv, c->inv_raw.data, c->inv_raw.len) == 0)
		respond(ua, inv, in, 487, c->ltag, NULL, 0, NULL, NULL, NULL);
	mem_free(inv);
	ua_emit(ua, UA_EV_CALL_FAILED, 487, c->handle, c->peer, "cancelled");
	ua_call_free(ua, c);
}

void ua_on_request(struct ua *ua, const struct sip_msg *m,
		   const struct net_pkt *in)
{
	struct ua_srv *s = srv_find(ua, m);
	struct ua_call *c;
	char peer[128], body[256];

	if (s && m->mid != SIP_M_ACK) {
		/* retransmission: the same answer again (17.2.1, 17.2.2) */
		ua->st.sip_retrans++;
		ua_send(ua, &ua->local, &in->from, in->conn_id,
			s->last_rsp.data, s->last_rsp.len);
		return;
	}
	switch (m->mid) {
	case SIP_M_INVITE:
		on_invite(ua, m, in);
		break;
	case SIP_M_ACK:
		c = ua_call_find(ua, &m->call_id);
		if (c) {
			ua_timer_stop(ua, &c->t_2xx);
			ua_timer_stop(ua, &c->t_2xx_giveup);
		}
		break;
	case SIP_M_BYE:
		c = ua_call_find(ua, &m->call_id);
		if (!c) {
			respond(ua, m, in, 481, NULL, NULL, 0, NULL, NULL,
				NULL);
			break;
		}
		respond(ua, m, in, 200, NULL, NULL, 0, NULL, NULL, NULL);
		ua_emit(ua, UA_EV_CALL_ENDED, 0, c->handle, c->peer,
			"remote hung up");
		ua_call_free(ua, c);
		break;
	case SIP_M_CANCEL:
		on_cancel(ua, m, in);
		break;
	case SIP_M_MESSAGE:
	case SIP_M_NOTIFY:
		respond(ua, m, in, 200, NULL, NULL, 0, NULL, NULL, NULL);
		aor_of(&m->from, peer, sizeof(peer));
		pl_strcpy(&m->body, body, sizeof(body));
		if (m->mid == SIP_M_MESSAGE) {
			/* whole, for a recipient that decrypts it (PGP) */
			buf_reset(&ua->msg_rx);
			if (buf_put(&ua->msg_rx, m->body.p, m->body.len))
				buf_reset(&ua->msg_rx);
		}
		ua_emit(ua, m->mid == SIP_M_MESSAGE ? UA_EV_MESSAGE_RECEIVED
						    : UA_EV_NOTIFY_RECEIVED,
			0, 0, peer, body);
		break;
	case SIP_M_OPTIONS:
		respond(ua, m, in, 200, NULL, NULL, 0, NULL, NULL, NULL);
		break;
	default:
		respond(ua, m, in, 501, NULL, NULL, 0, NULL, NULL, NULL);
		break;
	}
}

void ua_send_ack(struct ua *ua, struct ua_call *c, const struct sip_msg *rsp,
		 int for_2xx, const struct ua_tx *t)
{
	char to_uri[160], rtag[64], branch[40], ruri[300];
	struct buf b;

	snprintf(to_uri, sizeof(to_uri), "sip:%s", c->peer);
	pl_strcpy(&rsp->to.tag, rtag, sizeof(rtag));
	buf_init(&b);
	if (for_2xx) {
		/* a new transaction to the remote target, via the route set
		 * (13.2.2.4) */
		ua_new_branch(ua, branch, sizeof(branch));
		snprintf(ruri, sizeof(ruri), "%s",
			 *c->remote_uri ? c->remote_uri : to_uri);
		ua_build_request(ua, &b, SIP_M_ACK, ruri, to_uri, rtag,
				 c->ltag, c->call_id, c->invite_cseq, branch, c,
				 NULL, NULL, NULL, 0);
	} else {
		/* same branch and Request-URI as the INVITE (17.1.1.3) */
		ua_build_request(ua, &b, SIP_M_ACK, to_uri, to_uri, rtag,
				 c->ltag, c->call_id, rsp->cseq.num,
				 t ? t->branch : "z9hG4bKnone", NULL, NULL, NULL,
				 NULL, 0);
	}
	ua->st.sip_sent++;
	ua_send(ua, &ua->local, &ua->proxy, 0, b.data, b.len);
	buf_fini(&b);
}

int ua_send_bye(struct ua *ua, struct ua_call *c)
{
	char to_uri[160], branch[40], ruri[300];
	struct buf b;
	int err;

	snprintf(to_uri, sizeof(to_uri), "sip:%s", c->peer);
	snprintf(ruri, sizeof(ruri), "%s",
		 *c->remote_uri ? c->remote_uri : to_uri);
	ua_new_branch(ua, branch, sizeof(branch));
	c->lcseq++;
	buf_init(&b);
	err = ua_build_request(ua, &b, SIP_M_BYE, ruri, to_uri, c->rtag,
			       c->ltag, c->call_id, c->lcseq, branch, c, NULL,
			       NULL, NULL, 0);
	if (!err)
		err = ua_tx_start(ua, SIP_M_BYE, &b, branch, c->lcseq,
				  (int)(c - ua->calls), NULL);
	buf_fini(&b);
	ua_media_stop(ua, c);
	ua_timer_stop(ua, &c->t_hangup);
	c->state = UC_ENDED;
	ua_emit(ua, UA_EV_CALL_ENDED, 0, c->handle, c->peer, "hung up");
	return err;
}
