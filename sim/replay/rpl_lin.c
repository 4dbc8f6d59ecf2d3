/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire side of the live re-drive engine (rpl_live_int.h): what
 * arrives is sorted to the role it is for (responses by our branch,
 * requests by our tag in To, a new request without To tag to the callee),
 * retransmissions are absorbed (our last response again, the ACK again
 * for a repeated 2xx), challenges answered, the dialog's remote target,
 * route set and SDP media address learnt, and what is left goes to the
 * role's inbox for rpl_live.c's steps. Streams are framed here (TCP,
 * TLS); RTP arriving on a role's media port is counted. Also the timers
 * (UDP retransmission of our requests, of our final responses to INVITE
 * until the ACK) and the core_ops vtable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_live_int.h"

/* The far side's RTP address from an SDP it sent, if on loopback. */
static void learn_media(struct rpl_role *ro, const struct sip_msg *m)
{
	struct rpl_ep ep;
	struct net_addr a;

	if (!m->body.len || !rpl_sdp_ep(&m->body, &ep))
		return;
	memset(&a, 0, sizeof(a));
	if (ep.af == 4) {
		if (ep.addr[0] != 127)
			return;
		a.u.in.sin_family = AF_INET;
		memcpy(&a.u.in.sin_addr, ep.addr, 4);
		a.u.in.sin_port = htons(ep.port);
	} else {
		static const uint8_t lo6[16] = { [15] = 1 };

		if (memcmp(ep.addr, lo6, 16))
			return;
		a.u.in6.sin6_family = AF_INET6;
		memcpy(&a.u.in6.sin6_addr, ep.addr, 16);
		a.u.in6.sin6_port = htons(ep.port);
	}
	a.tp = NET_UDP;
	ro->rmedia = a;
	ro->has_rmedia = true;
}

static int rx_add(struct rpl_role *ro, const struct sip_msg *m,
		  const struct net_addr *from, uint64_t conn)
{
	struct rpl_rx *x = mem_realloc(ro->rx, (ro->nrx + 1) * sizeof(*x));

	if (!x)
		return ENOMEM;
	ro->rx = x;
	x += ro->nrx;
	memset(x, 0, sizeof(*x));
	buf_init(&x->rsp);
	x->raw = mem_alloc(m->raw.len ? m->raw.len : 1);
	if (!x->raw)
		return ENOMEM;
	memcpy(x->raw, m->raw.p, m->raw.len);
	x->len = m->raw.len;
	x->from = *from;
	x->conn = conn;
	x->is_req = m->is_req;
	x->mid = m->is_req ? m->mid : m->cseq.mid;
	pl_strcpy(m->is_req ? &m->method : &m->cseq.method, x->method,
		  sizeof(x->method));
	x->scode = m->scode;
	x->cseq = m->cseq.num;
	pl_strcpy(&m->via1.branch, x->branch, sizeof(x->branch));
	ro->nrx++;
	learn_media(ro, m);
	return 0;
}

/* Record-Route as our Route set: reversed for the caller (RFC 3261
 * 12.1.2), in order for the callee (12.1.1). */
static void route_set(struct rpl_role *ro, const struct sip_msg *m,
		      bool reverse)
{
	struct sip_list_it it;
	struct pl el[16];
	size_t n = 0, i;

	buf_reset(&ro->route);
	sip_list_begin(&it, m, SIP_HDR_RECORD_ROUTE);
	while (n < 16 && !sip_list_next(&it, &el[n]))
		n++;
	for (i = 0; i < n; i++)
		buf_printf(&ro->route, "Route: %.*s\r\n",
			   PL_ARG(el[reverse ? n - 1 - i : i]));
}

static void learn_target(struct rpl_role *ro, const struct sip_msg *m)
{
	if (!m->ncontact || m->contact1.star)
		return;
	pl_strcpy(&m->contact1.addr.uri.raw, ro->rtarget,
		  sizeof(ro->rtarget));
	ro->dialog = true;
}

/* To for requests in the dialog: the first To with the far side's tag. */
static void set_to(struct rpl_role *ro, const char *tag)
{
	char t[128];

	snprintf(t, sizeof(t), "%s", tag);
	memcpy(ro->to, ro->to0, sizeof(ro->to0));
	strncat(ro->to, ";tag=", sizeof(ro->to) - strlen(ro->to) - 1);
	strncat(ro->to, t, sizeof(ro->to) - strlen(ro->to) - 1);
}

static int find_tx(struct rpl_live *l, const struct sip_msg *m,
		   struct rpl_tx **txp)
{
	int r;
	size_t i;

	for (r = 0; r < 2; r++)
		for (i = 0; i < l->role[r].ntx; i++) {
			struct rpl_tx *t = &l->role[r].tx[i];

			if (pl_eq_str(&m->via1.branch, t->branch) &&
			    pl_caseeq_str(&m->cseq.method, t->method)) {
				*txp = t;
				return r;
			}
		}
	return -1;
}

static int on_response(struct rpl_live *l, const struct sip_msg *m,
		       const struct net_addr *from, uint64_t conn)
{
	struct rpl_tx *t = NULL;
	int r = find_tx(l, m, &t);
	struct rpl_role *ro;

	if (r < 0)
		return 0;	/* stale: an earlier dialog */
	ro = &l->role[r];
	t->got_rsp = true;
	if (m->scode == 100)
		return 0;
	if ((m->scode == 401 || m->scode == 407) && !t->authed &&
	    t->mid != SIP_M_CANCEL && !rpl_tx_auth(l, r, t, m))
		return 0;
	if (m->scode >= 200 && t->final) {
		/* retransmitted final: our ACK was lost */
		size_t i;

		if (t->mid == SIP_M_INVITE && m->scode >= 300)
			return rpl_send_ack_non2xx(l, r, t);
		for (i = ro->ntx; t->mid == SIP_M_INVITE && i-- > 0;)
			if (ro->tx[i].mid == SIP_M_ACK &&
			    ro->tx[i].cseq == t->cseq)
				return rpl_queue(l, r, &ro->tx[i].dst, 0,
						 &ro->tx[i].msg);
		return 0;
	}
	if (m->scode >= 200)
		t->final = m->scode;
	if ((t->mid == SIP_M_INVITE || t->mid == SIP_M_SUBSCRIBE) &&
	    m->to.tag.len && m->scode > 100 && m->scode < 300 && !r) {
		pl_strcpy(&m->to.tag, ro->rtag, sizeof(ro->rtag));
		set_to(ro, ro->rtag);
		learn_target(ro, m);
		/* a re-INVITE refreshes the target only: the route set is
		 * the initial INVITE's (RFC 3261 12.2.1.2); its 2xx carries
		 * no Record-Route, and an empty set would send the ACK and
		 * BYE around the proxy, which then holds the call */
		if (!t->indlg)
			route_set(ro, m, true);
	}
	if (t->mid == SIP_M_INVITE && m->scode >= 300) {
		if (m->to.tag.len) {
			char tag[128];

			pl_strcpy(&m->to.tag, tag, sizeof(tag));
			set_to(ro, tag);
		}
		rpl_send_ack_non2xx(l, r, t);
	}
	return rx_add(ro, m, from, conn);
}

static int on_request(struct rpl_live *l, const struct sip_msg *m,
		      const struct net_addr *from, uint64_t conn)
{
	/* ours to the caller carry its tag in To; the rest is the callee's */
	int r = pl_eq_str(&m->to.tag, l->role[0].ltag) ? 0 : 1;
	struct rpl_role *ro = &l->role[r];
	char tag[24];
	size_t i;

	for (i = 0; i < ro->nrx; i++) {
		struct rpl_rx *x = &ro->rx[i];

		if (x->is_req && pl_eq_str(&m->via1.branch, x->branch) &&
		    pl_caseeq_str(&m->method, x->method)) {
			if (x->rsp.len)	/* retransmission */
				return rpl_queue(l, r, from, conn, &x->rsp);
			return 0;
		}
	}
	if (ro->call_id[0] && pl_eq_str(&m->call_id, ro->call_id)) {
		/* this dialog */
	} else if (r == 1 && !ro->call_id[0] && l->ph == RPL_PH_DLG &&
		   l->started && !m->to.tag.len && m->mid != SIP_M_ACK &&
		   m->mid != SIP_M_CANCEL) {
		pl_strcpy(&m->call_id, ro->call_id, sizeof(ro->call_id));
		pl_strcpy(&m->from.tag, ro->rtag, sizeof(ro->rtag));
		snprintf(ro->to, sizeof(ro->to), "%.*s",
			 (int)(sip_msg_hdr(m, SIP_HDR_FROM)->val.len > 500 ?
			       500 : sip_msg_hdr(m, SIP_HDR_FROM)->val.len),
			 sip_msg_hdr(m, SIP_HDR_FROM)->val.p);
		memcpy(tag, ro->ltag, sizeof(tag));
		snprintf(ro->from, sizeof(ro->from), "%.*s;tag=%s",
			 (int)(sip_msg_hdr(m, SIP_HDR_TO)->val.len > 500 ? 500 :
			       sip_msg_hdr(m, SIP_HDR_TO)->val.len),
			 sip_msg_hdr(m, SIP_HDR_TO)->val.p, tag);
		ro->cseq = m->cseq.num + 100;
		learn_target(ro, m);
		route_set(ro, m, false);
	} else {
		if (m->mid == SIP_M_ACK)
			return 0;
		return rpl_reply_plain(l, r, m, from, conn,
				       m->mid == SIP_M_OPTIONS ? 200 : 481);
	}
	if (m->mid == SIP_M_ACK)
		for (i = 0; i < ro->nrx; i++)
			if (ro->rx[i].is_req && ro->rx[i].mid ==
			    SIP_M_INVITE && ro->rx[i].cseq == m->cseq.num) {
				ro->rx[i].acked = true;
				ro->rx[i].rt_next = 0;
			}
	if (m->mid == SIP_M_INVITE && r == 1 && !rx_add(ro, m, from, conn)) {
		/* as UAs do: a proxy forwards a CANCEL only once the
		 * branch had a provisional (RFC 3261 9.1), and the
		 * capture's 100 was dropped as hop by hop */
		struct buf *rsp = &ro->rx[ro->nrx - 1].rsp;
		size_t q = l->nq;
		int e = rpl_reply_plain(l, r, m, from, conn, 100);

		if (!e && l->nq > q)
			e = buf_put(rsp, l->q[l->nq - 1].data.data,
				    l->q[l->nq - 1].data.len);
		return e;
	}
	return rx_add(ro, m, from, conn);
}

static int on_msg(struct rpl_live *l, const uint8_t *p, size_t len,
		  const struct net_addr *from, uint64_t conn)
{
	if (sip_msg_decode(l->m, p, len))
		return 0;	/* not for us to judge: the step times out */
	return l->m->is_req ? on_request(l, l->m, from, conn)
			    : on_response(l, l->m, from, conn);
}

static struct rpl_conn *conn_of(struct rpl_live *l, uint64_t id, bool add)
{
	struct rpl_conn *c;
	size_t i;

	for (i = 0; i < l->nconns; i++)
		if (l->conns[i].id == id)
			return &l->conns[i];
	if (!add)
		return NULL;
	c = mem_realloc(l->conns, (l->nconns + 1) * sizeof(*c));
	if (!c)
		return NULL;
	l->conns = c;
	c += l->nconns++;
	memset(c, 0, sizeof(*c));
	c->id = id;
	buf_init(&c->in);
	return c;
}

static int l_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct rpl_live *l = core;
	struct rpl_conn *c;
	size_t skip, mlen, off = 0;
	int e = 0;

	l->now = now_us;
	if (!in->conn_id && in->to.tp == NET_UDP &&
	    (net_addr_port(&in->to) == l->cfg.media_port[0] ||
	     net_addr_port(&in->to) == l->cfg.media_port[1]) &&
	    in->len >= 12 && (in->data[0] >> 6) == 2) {
		l->rtp_recv++;	/* RTP that crossed the target's relay */
		if (l->drain_until && l->rtp_recv >= l->rtp_sent)
			rpl_advance(l);
		return 0;
	}
	if (!in->conn_id) {
		e = on_msg(l, in->data, in->len, &in->from, 0);
		goto out;
	}
	c = conn_of(l, in->conn_id, in->data != NULL);
	if (!c)
		goto out;
	if (!in->data) {	/* closed */
		buf_fini(&c->in);
		*c = l->conns[--l->nconns];
		goto out;
	}
	if ((e = buf_put(&c->in, in->data, in->len)))
		goto out;
	while (!e && !sip_frame(c->in.data + off, c->in.len - off, 0, &skip,
				&mlen)) {
		e = on_msg(l, c->in.data + off + skip, mlen, &in->from,
			   in->conn_id);
		c = conn_of(l, in->conn_id, false);
		if (!c)
			goto out;
		off += skip + mlen;
	}
	memmove(c->in.data, c->in.data + off, c->in.len - off);
	c->in.len -= off;
out:
	if (!e)
		rpl_advance(l);
	return e;
}

static void retransmit(struct rpl_live *l)
{
	int r;
	size_t i;

	for (r = 0; r < 2; r++) {
		struct rpl_role *ro = &l->role[r];

		for (i = 0; i < ro->ntx; i++) {
			struct rpl_tx *t = &ro->tx[i];

			if (!t->next_us || t->got_rsp || l->now < t->next_us)
				continue;
			if (l->now >= t->end_us) {
				t->next_us = 0;
				continue;
			}
			rpl_queue(l, r, &t->dst, 0, &t->msg);
			t->ival_us *= 2;
			if (t->mid != SIP_M_INVITE && t->ival_us > RPL_T2_US)
				t->ival_us = RPL_T2_US;
			t->next_us = l->now + t->ival_us;
		}
		for (i = 0; i < ro->nrx; i++) {
			struct rpl_rx *x = &ro->rx[i];

			if (!x->rt_next || x->acked || l->now < x->rt_next)
				continue;
			if (l->now >= x->rt_end) {
				x->rt_next = 0;
				continue;
			}
			rpl_queue(l, r, &x->from, x->conn, &x->rsp);
			x->rt_ival = x->rt_ival * 2 > RPL_T2_US ? RPL_T2_US :
				     x->rt_ival * 2;
			x->rt_next = l->now + x->rt_ival;
		}
	}
}

static int l_timeout(void *core, uint64_t now_us)
{
	struct rpl_live *l = core;

	l->now = now_us;
	retransmit(l);
	rpl_advance(l);
	return 0;
}

static int l_output(void *core, struct net_out *out)
{
	struct rpl_live *l = core;
	struct rpl_pkt *p;

	if (l->qhead >= l->nq) {
		l->qhead = l->nq = 0;
		return ENOENT;
	}
	p = &l->q[l->qhead++];
	buf_fini(&l->last);
	l->last = p->data;	/* ours until the next call */
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = p->src;
	out->dst = p->dst;
	out->conn_id = p->conn;
	out->data = l->last.data;
	out->len = l->last.len;
	return 0;
}

static uint64_t l_deadline(void *core)
{
	struct rpl_live *l = core;
	uint64_t d = UINT64_MAX;
	int r;
	size_t i;

	if (l->ph == RPL_PH_DONE)
		return d;
	for (r = 0; r < 2; r++) {
		for (i = 0; i < l->role[r].ntx; i++) {
			const struct rpl_tx *t = &l->role[r].tx[i];

			if (t->next_us && !t->got_rsp && t->next_us < d)
				d = t->next_us;
		}
		for (i = 0; i < l->role[r].nrx; i++) {
			const struct rpl_rx *x = &l->role[r].rx[i];

			if (x->rt_next && !x->acked && x->rt_next < d)
				d = x->rt_next;
		}
	}
	if (l->wait_since && l->wait_since + rpl_step_timeout(l) < d)
		d = l->wait_since + rpl_step_timeout(l);
	if (l->wake > l->now && l->wake < d)
		d = l->wake;
	if (l->ph == RPL_PH_REG && l->sent &&
	    l->wait_since + rpl_step_timeout(l) < d)
		d = l->wait_since + rpl_step_timeout(l);
	return d;
}

const struct core_ops rpl_live_core_ops = {
	.name = "replay-live",
	.input = l_input,
	.timeout = l_timeout,
	.output = l_output,
	.deadline = l_deadline,
};

