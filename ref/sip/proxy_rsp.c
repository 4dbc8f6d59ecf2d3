/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The response side of the stateful proxy (RFC 3261 16.7, 16.10): CANCEL
 * of every pending branch, branch responses joined into the server
 * transaction (provisionals forwarded, every 2xx forwarded and the other
 * branches cancelled, best final chosen once all branches are done: 6xx
 * first, then the lowest class, 503 sent as 500, 487 after a CANCEL), SDP
 * answers through the media relay, and stateless forwarding of responses
 * that match no transaction along the next Via (received, rport).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

void route_cancel(struct sip_proxy *p, struct tsx *inv, struct tsx *t,
		  const struct sip_msg *msg)
{
	int i;

	px_reply(p, t, msg, 200, NULL, NULL, 0, NULL, NULL);
	if (inv->final_sent || pn_cancel(p, inv))
		return;
	inv->cancelled = true;
	for (i = 0; i < inv->nkids; i++)
		if (inv->kids[i] && !(inv->kfinal & (1u << i)))
			tsx_cli_cancel(p, inv->kids[i]);
}

void route_kid_gone(struct tsx *kid)
{
	struct tsx *t = kid->parent;

	if (t && kid->kidx < t->nkids && t->kids[kid->kidx] == kid)
		t->kids[kid->kidx] = NULL;
	kid->parent = NULL;
}

/* Response bytes for upstream: our Via removed, SDP through the relay. */
static int fwd_rsp(struct sip_proxy *p, struct tsx *t,
		   const struct sip_msg *rsp, struct buf *b)
{
	struct buf sdp;
	struct pl body;
	bool rewritten = false;
	int err;

	buf_init(&sdp);
	if (t->invite && rsp->body.len && rsp->scode < 300)
		cdr_media_answer(p, rsp, &sdp, &rewritten);
	body = buf_pl(&sdp);
	err = sip_encode_response_fwd(b, rsp, rewritten ? &body : NULL, NULL);
	buf_fini(&sdp);
	return err;
}

/* RFC 3261 16.7 3: a response with no Via left under ours was meant for
 * us (a UAS that answered the INVITE with the CANCEL's Via): never
 * forwarded; as the best final, the proxy answers the code itself. */
static bool via_beyond_us(const struct sip_msg *rsp)
{
	struct sip_list_it it;
	struct pl e;

	sip_list_begin(&it, rsp, SIP_HDR_VIA);
	return !sip_list_next(&it, &e) && !sip_list_next(&it, &e);
}

static int rank(uint16_t code)
{
	if (code >= 600)
		return 0;
	if (code >= 300 && code < 400)
		return 1;
	if (code == 401 || code == 407)
		return 2;
	if (code >= 400 && code < 500 && code != 408)
		return 3;
	if (code == 408)
		return 5;
	return 4;
}

static void send_best(struct sip_proxy *p, struct tsx *t)
{
	struct sip_msg *m = &p->m2;
	uint16_t code = t->best_code;

	/* Nobody answered: the failure route (voicemail) gets the call. */
	if (t->invite && (!code || code == 408 || code == 480 ||
			  code == 486) &&
	    !sip_msg_decode(m, t->req, t->req_len) &&
	    !route_failover(p, t, m))
		return;
	if (t->best && code != 503) {
		if (t->call)
			cdr_call_final(p, t->call, code, NULL, NULL);
		t->call = NULL;
		tsx_srv_respond(p, t, t->best, t->best_len, code);
		return;
	}
	/* RFC 3261 16.7 6: a 503 becomes 500; a cancelled request whose
	 * branches never answered gets 487. */
	if (!code || code == 408)
		code = t->cancelled ? 487 : 408;
	else if (code == 503)
		code = 500;
	if (t->call)
		cdr_call_final(p, t->call, code, NULL, NULL);
	t->call = NULL;
	if (!sip_msg_decode(m, t->req, t->req_len))
		px_reply(p, t, m, code, NULL, NULL, 0, NULL, NULL);
}

/* Rang ring_s unanswered: cancel the branches, the failure route takes
 * the call (their 487s then lose to its answer). */
void route_ring(struct sip_proxy *p, struct tsx *t)
{
	struct sip_msg *m = &p->m2;
	int i;

	t->t_ring = TQ_NONE;
	if (t->final_sent || t->any_2xx || t->cancelled || t->failed_over ||
	    sip_msg_decode(m, t->req, t->req_len) || route_failover(p, t, m))
		return;
	/* the new branch is the last kid: every one before it goes */
	for (i = 0; i + 1 < t->nkids; i++)
		if (t->kids[i] && !(t->kfinal & (1u << i)))
			tsx_cli_cancel(p, t->kids[i]);
}

void route_branch_rsp(struct sip_proxy *p, struct tsx *kid, uint16_t code,
		      const struct sip_msg *rsp)
{
	struct tsx *t = kid->parent;
	struct buf b;
	struct net_addr dst;
	uint32_t all;
	int i;

	if (!t)
		return;
	buf_init(&b);
	if (code < 200) {
		if (code == 100 || t->final_sent || !rsp)
			goto out;
		tsx_srv_touch(p, t);
		if (!fwd_rsp(p, t, rsp, &b))
			tsx_srv_respond(p, t, b.data, b.len, code);
		goto out;
	}
	t->kfinal |= 1u << kid->kidx;
	if (code < 300 && rsp && kid->msg_id)
		msync_live(p, kid);	/* P10: delivered to that device */
	if (code < 300 && rsp) {
		if (fwd_rsp(p, t, rsp, &b))
			goto out;
		if (t->call) {
			cdr_call_final(p, t->call, code, rsp, &kid->peer);
			t->call = NULL;
		}
		if (!t->final_sent) {
			tsx_srv_respond(p, t, b.data, b.len, code);
		} else {
			/* Further 2xx (other branches, retransmissions):
			 * forwarded too (RFC 3261 16.7 5, RFC 6026). */
			tsx_rsp_dst(t, &dst);
			px_send(p, &t->local, &dst, t->conn_id, b.data, b.len);
		}
		t->any_2xx = true;
		if (t->invite)
			for (i = 0; i < t->nkids; i++)
				if (t->kids[i] && !(t->kfinal & (1u << i)))
					tsx_cli_cancel(p, t->kids[i]);
		goto out;
	}
	if (t->final_sent)
		goto out;
	/* RFC 3263 4.3: the next DNS target after a 503 or no answer */
	if ((code == 503 || code == 408) && t->alts)
		(void)route_alt(p, t);
	if (code >= 600 && t->invite)
		for (i = 0; i < t->nkids; i++)
			if (t->kids[i] && i != kid->kidx &&
			    !(t->kfinal & (1u << i)))
				tsx_cli_cancel(p, t->kids[i]);
	if (!t->best_code || rank(code) < rank(t->best_code)) {
		mem_free(t->best);
		t->best = NULL;
		t->best_len = 0;
		t->best_code = code;
		if (rsp && via_beyond_us(rsp) && !fwd_rsp(p, t, rsp, &b)) {
			t->best_len = b.len;
			t->best = (uint8_t *)buf_detach(&b);
		}
	}
	all = t->nkids >= 32 ? UINT32_MAX : (1u << t->nkids) - 1;
	if ((t->kfinal & all) == all)
		send_best(p, t);
 out:
	buf_fini(&b);
}

void route_rsp_stateless(struct sip_proxy *p, const struct sip_msg *rsp)
{
	struct sip_list_it it;
	struct sip_via v;
	struct pl e, host;
	struct net_addr dst;
	char s[NET_ADDR_STRLEN + 8];
	uint32_t port = 0;
	struct buf b;

	/* RFC 3261 16.11 / 18.2.2: the next Via, received and rport. */
	sip_list_begin(&it, rsp, SIP_HDR_VIA);
	if (sip_list_next(&it, &e) || sip_list_next(&it, &e) ||
	    sip_via_decode(&v, &e))
		return;
	host = pl_isset(&v.received) ? v.received : v.host;
	if (pl_isset(&v.rport_val))
		pl_to_u32(&v.rport_val, &port);
	if (!port || port > 65535)
		port = v.port ? v.port : 5060;
	if (host.len > 45)
		return;
	snprintf(s, sizeof(s), pl_chr(&host, ':') ? "[%.*s]:%u" : "%.*s:%u",
		 PL_ARG(host), port);
	e = pl_from_str(s);
	if (net_addr_parse(&e, (uint16_t)port, &dst) ||
	    net_tp_parse(&v.transport, &dst.tp))
		return;
	buf_init(&b);
	if (!sip_encode_response_fwd(&b, rsp, NULL, NULL))
		px_send(p, px_local(p, dst.tp, net_addr_family(&dst)), &dst, 0,
			b.data, b.len);
	buf_fini(&b);
}
