/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each role of the live re-drive puts on the wire (rpl_live_int.h).
 * Requests are built fresh around the captured one: the headers the
 * re-drive owns (Via with our branch, From/To with our tags, Call-ID,
 * CSeq, Contact on our socket, Route from the dialog's route set,
 * credentials, Content-Length) are ours; every other captured header and
 * the body follow, IPv4 literals mapped into 127/8 and SDP pointed at the
 * role's media port. Responses copy Via, Record-Route, From, To, Call-ID
 * and CSeq from the request received (RFC 3261 8.2.6) and take status,
 * reason, the other headers and the body from the capture.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "base/mem.h"
#include "replay/rpl_live_int.h"

const char *rpl_tp_via(enum net_tp tp)
{
	return tp == NET_TCP ? "TCP" : tp == NET_TLS ? "TLS" : "UDP";
}

static const char *tp_param(const struct rpl_live *l)
{
	return l->cfg.target.tp == NET_TCP ? ";transport=tcp" :
	       l->cfg.target.tp == NET_TLS ? ";transport=tls" : "";
}

int rpl_queue_from(struct rpl_live *l, const struct net_addr *src,
		   const struct net_addr *dst, uint64_t conn,
		   const uint8_t *data, size_t len)
{
	struct rpl_pkt *p;

	if (l->qhead && l->qhead == l->nq)
		l->qhead = l->nq = 0;
	if (l->nq == l->qcap) {
		size_t nc = l->qcap ? l->qcap * 2 : 16;

		p = mem_realloc(l->q, nc * sizeof(*p));
		if (!p)
			return ENOMEM;
		l->q = p;
		l->qcap = nc;
	}
	p = &l->q[l->nq];
	memset(p, 0, sizeof(*p));
	p->src = *src;
	p->dst = *dst;
	p->dst.tp = src->tp;
	p->conn = conn;
	buf_init(&p->data);
	if (buf_put(&p->data, data, len)) {
		buf_fini(&p->data);
		return ENOMEM;
	}
	l->nq++;
	return 0;
}

int rpl_queue(struct rpl_live *l, int r, const struct net_addr *dst,
	      uint64_t conn, const struct buf *b)
{
	struct net_addr src = l->cfg.local[r];

	src.tp = l->cfg.target.tp;
	return rpl_queue_from(l, &src, dst, conn, b->data, b->len);
}

void rpl_role_reset(struct rpl_live *l, int r)
{
	struct rpl_role *ro = &l->role[r];
	size_t i;

	for (i = 0; i < ro->nrx; i++) {
		mem_free(ro->rx[i].raw);
		buf_fini(&ro->rx[i].rsp);
	}
	for (i = 0; i < ro->ntx; i++) {
		buf_fini(&ro->tx[i].head);
		buf_fini(&ro->tx[i].body);
		buf_fini(&ro->tx[i].cred);
		buf_fini(&ro->tx[i].msg);
	}
	mem_free(ro->rx);
	mem_free(ro->tx);
	buf_fini(&ro->route);
	memset(ro, 0, sizeof(*ro));
	buf_init(&ro->route);
	ro->inv = -1;
	rng_hex(&l->rng, ro->ltag, 12);
}

/* Where a URI (Route or remote target) leads: a loopback literal, else
 * the target (nothing captured may steer traffic off this host). */
static void uri_dst(const struct rpl_live *l, const struct pl *uri_s,
		    struct net_addr *dst)
{
	struct sip_uri u;
	char host[80];
	struct pl p;
	struct net_addr a;

	*dst = l->cfg.target;
	if (sip_uri_decode(&u, uri_s) || !u.host.len || u.host.len > 64)
		return;
	rpl_hostport(host, sizeof(host), u.host_ipv6, u.host.p, u.host.len,
		     u.port ? u.port : 5060);
	p = pl_from_str(host);
	if (net_addr_parse(&p, 5060, &a))
		return;
	if (net_addr_eq(&a, &l->cfg.target) ||
	    net_addr_eq(&a, &l->cfg.local[0]) ||
	    net_addr_eq(&a, &l->cfg.local[1]))
		*dst = a;
}

static void next_hop(const struct rpl_live *l, const struct rpl_role *ro,
		     struct net_addr *dst)
{
	struct pl rt = pl_from_mem(ro->route.data, ro->route.len), v;
	const char *lt, *gt;
	struct sip_addr a;

	if (rt.len && (lt = pl_chr(&rt, '<')) &&
	    (gt = memchr(lt, '>', rt.len - (size_t)(lt - rt.p)))) {
		v = pl_from_mem(lt, (size_t)(gt - lt + 1));
		if (!sip_addr_decode(&a, &v)) {
			uri_dst(l, &a.uri.raw, dst);
			return;
		}
	}
	v = pl_from_str(ro->rtarget);
	uri_dst(l, &v, dst);
}

static int contact(struct rpl_live *l, struct buf *b, int r, int sock,
		   const struct sip_msg *cap)
{
	struct pl params = cap->contact1.addr.params;

	if (cap->contact1.star)
		return buf_put_str(b, "Contact: *\r\n");
	if (buf_printf(b, "Contact: <sip:%s@%s:%u%s>",
		       l->role[r].acct->user, l->lhost[sock],
		       net_addr_port(&l->cfg.local[sock]), tp_param(l)))
		return ENOMEM;
	if (params.len && rpl_rw_ipv4(b, &params))
		return ENOMEM;
	return buf_put_str(b, "\r\n");
}

/* Kept headers (IPv4-mapped), RAck with our INVITE's CSeq, then body. */
static int rest(struct rpl_live *l, int r, const struct sip_msg *cap,
		struct buf *head, struct buf *body)
{
	const struct rpl_role *ro = &l->role[r];
	const struct sip_hdr *h;
	size_t i;
	int e = 0;

	for (i = 0; i < cap->nhdrs && !e; i++) {
		h = &cap->hdrs[i];
		if (h->id == SIP_HDR_RACK && ro->inv >= 0) {
			uint32_t rseq = 0;
			struct pl tok, tail;

			pl_split(&h->val, ' ', &tok, &tail);
			pl_to_u32(&tok, &rseq);
			e = buf_printf(head, "RAck: %u %u INVITE\r\n", rseq,
				       ro->tx[ro->inv].cseq);
			continue;
		}
		if (!rpl_rw_keep(h))
			continue;
		e = buf_put_pl(head, &h->name);
		if (!e)
			e = buf_put_str(head, ": ");
		if (!e)
			e = rpl_rw_ipv4(head, &h->val);
		if (!e)
			e = buf_put_str(head, "\r\n");
	}
	if (e || !cap->body.len)
		return e;
	h = sip_msg_hdr(cap, SIP_HDR_CONTENT_TYPE);
	if (h && pl_prefix_case(&h->val, "application/sdp"))
		return rpl_rw_sdp(body, &cap->body, l->lhost[r],
				  l->cfg.media_port[r]);
	return rpl_rw_ipv4(body, &cap->body);
}

int rpl_tx_send(struct rpl_live *l, int r, struct rpl_tx *tx, uint64_t now)
{
	const struct net_addr *me = &l->cfg.local[r];
	int e;

	buf_reset(&tx->msg);
	e = buf_printf(&tx->msg, "%s %s SIP/2.0\r\nVia: SIP/2.0/%s %s:%u;"
		       "branch=%s;rport\r\n", tx->method, tx->ruri,
		       rpl_tp_via(l->cfg.target.tp), l->lhost[r],
		       net_addr_port(me), tx->branch);
	e = e ? e : buf_put(&tx->msg, tx->head.data, tx->head.len);
	e = e ? e : buf_printf(&tx->msg, "CSeq: %u %s\r\n", tx->cseq,
			       tx->mid == SIP_M_ACK ? "ACK" : tx->method);
	e = e ? e : buf_put(&tx->msg, tx->cred.data, tx->cred.len);
	e = e ? e : buf_printf(&tx->msg, "Content-Length: %zu\r\n\r\n",
			       tx->body.len);
	e = e ? e : buf_put(&tx->msg, tx->body.data, tx->body.len);
	e = e ? e : rpl_queue(l, r, &tx->dst, 0, &tx->msg);
	if (e)
		return e;
	tx->got_rsp = false;
	tx->ival_us = RPL_T1_US;
	tx->next_us = l->cfg.target.tp == NET_UDP && tx->mid != SIP_M_ACK ?
		      now + RPL_T1_US : 0;
	tx->end_us = now + RPL_TX_LIFE_US;
	return 0;
}

static struct rpl_tx *tx_new(struct rpl_live *l, int r, const char *method,
			     enum sip_method mid)
{
	struct rpl_role *ro = &l->role[r];
	struct rpl_tx *t = mem_realloc(ro->tx, (ro->ntx + 1) * sizeof(*t));

	if (!t)
		return NULL;
	ro->tx = t;
	t += ro->ntx++;
	memset(t, 0, sizeof(*t));
	buf_init(&t->head);
	buf_init(&t->body);
	buf_init(&t->cred);
	buf_init(&t->msg);
	snprintf(t->method, sizeof(t->method), "%s", method);
	t->mid = mid;
	memcpy(t->branch, "z9hG4bK", 7);
	rng_hex(&l->rng, t->branch + 7, 24);
	return t;
}

static int std_head(struct rpl_live *l, int r, struct buf *b, bool route,
		    const char *to)
{
	struct rpl_role *ro = &l->role[r];
	int e = buf_printf(b, "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\n"
			   "Call-ID: %s\r\n", ro->from, to, ro->call_id);

	if (!e && route)
		e = buf_put(b, ro->route.data, ro->route.len);
	return e;
}

int rpl_send_ack_non2xx(struct rpl_live *l, int r, struct rpl_tx *inv)
{
	struct rpl_role *ro = &l->role[r];
	struct buf b;
	int e;

	buf_init(&b);
	e = buf_printf(&b, "ACK %s SIP/2.0\r\nVia: SIP/2.0/%s %s:%u;"
		       "branch=%s;rport\r\nMax-Forwards: 70\r\nFrom: %s\r\n"
		       "To: %s\r\nCall-ID: %s\r\nCSeq: %u ACK\r\n"
		       "Content-Length: 0\r\n\r\n", inv->ruri,
		       rpl_tp_via(l->cfg.target.tp), l->lhost[r],
		       net_addr_port(&l->cfg.local[r]), inv->branch, ro->from,
		       ro->to, ro->call_id, inv->cseq);
	if (!e)
		e = rpl_queue(l, r, &inv->dst, 0, &b);
	inv->acked = !e;
	buf_fini(&b);
	return e;
}

/* Request-URI of the caller's first request, from the accounts. */
static void first_ruri(struct rpl_live *l, const struct sip_msg *cap,
		       char *out, size_t sz)
{
	const struct rpl_acct *me = l->role[0].acct, *to = l->role[1].acct;
	const struct rpl_acct *a;
	char aor[200];

	snprintf(aor, sizeof(aor), "%.*s@%.*s", PL_ARG(cap->ruri.user),
		 PL_ARG(cap->ruri.host));
	a = cap->ruri.user.len ? rpl_acct_find(l->cfg.accts, l->cfg.nacct,
					       aor) : NULL;
	if (cap->mid == SIP_M_REGISTER || !cap->ruri.user.len)
		snprintf(out, sz, "sip:%s", me->domain);
	else if (a)
		snprintf(out, sz, "sip:%s@%s", a->user, a->domain);
	else if (to)
		snprintf(out, sz, "sip:%s@%s", to->user, to->domain);
	else
		snprintf(out, sz, "sip:%.*s@%s", (int)(cap->ruri.user.len > 60
			 ? 60 : cap->ruri.user.len), cap->ruri.user.p,
			 me->domain);
}

/* CANCEL of role r's pending INVITE. */
static int cancel(struct rpl_live *l, int r)
{
	struct rpl_role *ro = &l->role[r];
	struct rpl_tx *t = tx_new(l, r, "CANCEL", SIP_M_CANCEL), *inv;
	int e;

	if (!t)
		return ENOMEM;
	inv = &ro->tx[ro->inv];	/* tx_new may move the array */
	memcpy(t->branch, inv->branch, sizeof(t->branch));
	snprintf(t->ruri, sizeof(t->ruri), "%s", inv->ruri);
	t->cseq = inv->cseq;
	t->dst = inv->dst;
	e = std_head(l, r, &t->head, false, ro->to0);
	return e ? e : rpl_tx_send(l, r, t, l->now);
}

/*
 * A diverged dialog leaves nothing open on the target: the callee
 * refuses what it has not answered (480), the caller cancels its
 * pending INVITE or hangs up the call it has. Best effort: the answers
 * are not awaited.
 */
void rpl_abandon(struct rpl_live *l)
{
	struct rpl_role *a = &l->role[0], *b = &l->role[1];
	struct rpl_tx *inv, *t;
	size_t i;

	for (i = 0; i < b->nrx; i++) {
		struct rpl_rx *x = &b->rx[i];

		if (x->is_req && x->mid == SIP_M_INVITE && !x->final &&
		    !sip_msg_decode(l->m2, x->raw, x->len) &&
		    !rpl_reply_plain(l, 1, l->m2, &x->from, x->conn, 480))
			x->final = true;
	}
	if (a->inv < 0)
		return;
	inv = &a->tx[a->inv];
	if (!inv->final) {
		cancel(l, 0);
		return;
	}
	if (inv->final / 100 != 2 || !a->dialog)
		return;
	for (i = 0; i < a->ntx; i++)
		if (a->tx[i].mid == SIP_M_BYE)
			return;
	t = tx_new(l, 0, "BYE", SIP_M_BYE);
	if (!t)
		return;
	snprintf(t->ruri, sizeof(t->ruri), "%s", a->rtarget);
	next_hop(l, a, &t->dst);
	t->cseq = ++a->cseq;
	if (!std_head(l, 0, &t->head, true, a->to))
		rpl_tx_send(l, 0, t, l->now);
}

/*
 * A dialog the capture leaves open: every step ran and none ended it (no
 * BYE either way, no CANCEL); left so, the target would hold it, and its
 * relay ports, until a timer fires. The UA that owns it, the caller,
 * closes it as a person would: BYE for a confirmed call, CANCEL for one
 * still ringing.
 */
int rpl_close_open(struct rpl_live *l, const char **what)
{
	struct rpl_role *a = &l->role[0];
	bool confirmed = false;
	struct rpl_tx *t;
	size_t i;
	int r;

	if (a->inv < 0)
		return ENOENT;	/* no INVITE dialog: nothing held */
	for (r = 0; r < 2; r++) {
		const struct rpl_role *ro = &l->role[r];

		for (i = 0; i < ro->ntx; i++)
			if (ro->tx[i].mid == SIP_M_BYE)
				return ENOENT;
		for (i = 0; i < ro->nrx; i++)
			if (ro->rx[i].is_req && ro->rx[i].mid == SIP_M_BYE)
				return ENOENT;
	}
	for (i = 0; i < a->ntx; i++) {
		confirmed |= a->tx[i].mid == SIP_M_INVITE &&
			     a->tx[i].final / 100 == 2;
		if (a->tx[i].mid == SIP_M_CANCEL && !confirmed)
			return ENOENT;	/* captured CANCEL: its end */
	}
	if (!confirmed) {
		if (a->tx[a->inv].final)
			return ENOENT;	/* refused: no dialog */
		*what = "CANCEL";
		return cancel(l, 0);
	}
	if (!a->dialog)
		return ENOENT;
	t = tx_new(l, 0, "BYE", SIP_M_BYE);
	if (!t)
		return ENOMEM;
	snprintf(t->ruri, sizeof(t->ruri), "%s", a->rtarget);
	next_hop(l, a, &t->dst);
	t->cseq = ++a->cseq;
	*what = "BYE";
	r = std_head(l, 0, &t->head, true, a->to);
	return r ? r : rpl_tx_send(l, 0, t, l->now);
}

/* A plain answer to x, kept for its retransmissions. */
static int answer(struct rpl_live *l, struct rpl_rx *x, uint16_t scode)
{
	size_t q = l->nq;
	int e;

	if (sip_msg_decode(l->m2, x->raw, x->len))
		return EBADMSG;
	e = rpl_reply_plain(l, 1, l->m2, &x->from, x->conn, scode);
	if (!e && l->nq > q) {
		buf_reset(&x->rsp);
		e = buf_put(&x->rsp, l->q[l->nq - 1].data.data,
			    l->q[l->nq - 1].data.len);
	}
	if (!e)
		x->final = x->used = true;
	return e;
}

/* While closing: the callee's side answers what the close brings it, a
 * BYE with 200, a CANCEL with 200 and its INVITE with 487. */
void rpl_close_answer(struct rpl_live *l)
{
	struct rpl_role *b = &l->role[1];
	size_t i, j;

	for (i = 0; i < b->nrx; i++) {
		struct rpl_rx *x = &b->rx[i];

		if (!x->is_req || x->final || (x->mid != SIP_M_BYE &&
					       x->mid != SIP_M_CANCEL) ||
		    answer(l, x, 200) || x->mid != SIP_M_CANCEL)
			continue;
		for (j = 0; j < b->nrx; j++) {
			struct rpl_rx *y = &b->rx[j];

			if (y->is_req && y->mid == SIP_M_INVITE && !y->final &&
			    y->cseq == x->cseq)
				answer(l, y, 487);
		}
	}
}

/* The close's outcome: the BYE's final status, or the INVITE's after the
 * CANCEL (487); 0 while none came. */
uint16_t rpl_close_status(const struct rpl_live *l)
{
	const struct rpl_role *a = &l->role[0];
	size_t i;

	for (i = a->ntx; i-- > 0;)
		if (a->tx[i].mid == SIP_M_BYE)
			return a->tx[i].final;
	return a->inv >= 0 ? a->tx[a->inv].final : 0;
}

int rpl_send_req(struct rpl_live *l, int r, const struct rpl_step *st,
		 char *why, size_t whysz)
{
	struct rpl_role *ro = &l->role[r];
	struct sip_msg *cap = l->m;
	struct rpl_tx *t, *inv = ro->inv >= 0 ? &ro->tx[ro->inv] : NULL;
	bool indlg;
	int e;

	if (sip_msg_decode(cap, st->raw, st->len))
		return snprintf(why, whysz, "captured request does not "
				"decode"), EBADMSG;
	if (st->mid == SIP_M_ACK && inv && inv->final >= 300)
		return inv->acked ? 0 : rpl_send_ack_non2xx(l, r, inv);
	if (st->mid == SIP_M_ACK && inv && !inv->final)
		return snprintf(why, whysz, "the final response it "
				"acknowledges is not on the captured leg"),
		       EPROTO;
	if (st->mid == SIP_M_CANCEL) {
		if (!inv)
			return snprintf(why, whysz, "CANCEL without an INVITE"
					" sent"), EPROTO;
		if (inv->final)
			return 0;	/* too late: the final crossed it */
		return cancel(l, r);
	}
	indlg = st->to_tag || r == 1;
	if (indlg && !ro->dialog)
		return snprintf(why, whysz, "no dialog to send %s in (no "
				"remote target learnt)", st->method), EPROTO;
	t = tx_new(l, r, st->method, st->mid);
	if (!t)
		return ENOMEM;
	inv = ro->inv >= 0 ? &ro->tx[ro->inv] : NULL;	/* array moved */
	t->indlg = indlg;
	if (indlg) {
		snprintf(t->ruri, sizeof(t->ruri), "%s", ro->rtarget);
		next_hop(l, ro, &t->dst);
	} else {
		if (!ro->ruri0[0])
			first_ruri(l, cap, ro->ruri0, sizeof(ro->ruri0));
		snprintf(t->ruri, sizeof(t->ruri), "%s", ro->ruri0);
		t->dst = l->cfg.target;
	}
	if (st->mid == SIP_M_ACK) {
		t->cseq = inv ? inv->cseq : ro->cseq;
	} else {
		t->cseq = ++ro->cseq;
	}
	e = std_head(l, r, &t->head, indlg, indlg ? ro->to : ro->to0);
	if (!e && cap->ncontact)
		e = contact(l, &t->head, r, st->mid == SIP_M_REGISTER ? 1 : r,
			    cap);
	if (!e)
		e = rest(l, r, cap, &t->head, &t->body);
	if (e)
		return e;
	if (st->mid == SIP_M_INVITE)
		ro->inv = (int)(t - ro->tx);
	return rpl_tx_send(l, r, t, l->now);
}

/* Latest request of method m this role received and has not finished. */
static struct rpl_rx *req_to_answer(struct rpl_role *ro, const char *m,
				    bool final_ok)
{
	size_t i;

	for (i = ro->nrx; i-- > 0;)
		if (ro->rx[i].is_req && !strcasecmp(ro->rx[i].method, m) &&
		    (final_ok || !ro->rx[i].final))
			return &ro->rx[i];
	return NULL;
}

static int copy_hdrs(struct buf *b, const struct sip_msg *req,
		     const char *ltag, uint16_t scode)
{
	const struct sip_hdr *h;
	size_t i;
	int e = 0;

	for (i = 0; i < req->nhdrs && !e; i++) {
		h = &req->hdrs[i];
		if (h->id == SIP_HDR_TO && !req->to.tag.len && scode > 100 &&
		    ltag)
			e = buf_printf(b, "To: %.*s;tag=%s\r\n",
				       PL_ARG(h->val), ltag);
		else if (h->id == SIP_HDR_VIA || h->id == SIP_HDR_FROM ||
			 h->id == SIP_HDR_TO || h->id == SIP_HDR_CALL_ID ||
			 h->id == SIP_HDR_CSEQ ||
			 h->id == SIP_HDR_RECORD_ROUTE)
			e = buf_put_pl(b, &h->line);
	}
	return e;
}

int rpl_send_rsp(struct rpl_live *l, int r, const struct rpl_step *st,
		 char *why, size_t whysz)
{
	struct rpl_role *ro = &l->role[r];
	struct sip_msg *cap = l->m, *req = l->m2;
	struct rpl_rx *rx = req_to_answer(ro, st->method, false);
	struct buf b, head, body;
	int e;

	if (!rx)
		return snprintf(why, whysz, "no %s received to answer with "
				"%u", st->method, st->scode), EPROTO;
	if (sip_msg_decode(cap, st->raw, st->len) ||
	    sip_msg_decode(req, rx->raw, rx->len))
		return snprintf(why, whysz, "captured response does not "
				"decode"), EBADMSG;
	buf_init(&b);
	buf_init(&head);
	buf_init(&body);
	e = buf_printf(&b, "SIP/2.0 %u %.*s\r\n", st->scode,
		       (int)(cap->reason.len > 80 ? 80 : cap->reason.len),
		       cap->reason.p);
	e = e ? e : copy_hdrs(&b, req, ro->ltag, st->scode);
	if (!e && cap->ncontact && st->scode > 100 && st->scode < 400)
		e = contact(l, &b, r, r, cap);
	e = e ? e : rest(l, r, cap, &head, &body);
	e = e ? e : buf_put(&b, head.data, head.len);
	e = e ? e : buf_printf(&b, "Content-Length: %zu\r\n\r\n", body.len);
	e = e ? e : buf_put(&b, body.data, body.len);
	e = e ? e : rpl_queue(l, r, &rx->from, rx->conn, &b);
	if (!e) {
		buf_reset(&rx->rsp);
		e = buf_put(&rx->rsp, b.data, b.len);
	}
	if (!e && st->scode >= 200) {
		rx->final = true;
		if (rx->mid == SIP_M_INVITE && l->cfg.target.tp == NET_UDP) {
			rx->rt_ival = RPL_T1_US;
			rx->rt_next = l->now + RPL_T1_US;
			rx->rt_end = l->now + RPL_TX_LIFE_US;
		}
	}
	buf_fini(&b);
	buf_fini(&head);
	buf_fini(&body);
	return e;
}

int rpl_reply_plain(struct rpl_live *l, int r, const struct sip_msg *req,
		    const struct net_addr *to, uint64_t conn,
		    uint16_t scode)
{
	struct buf b;
	int e;

	buf_init(&b);
	e = buf_printf(&b, "SIP/2.0 %u %s\r\n", scode, sip_reason(scode));
	e = e ? e : copy_hdrs(&b, req, l->role[r].ltag, scode);
	e = e ? e : buf_put_str(&b, "Content-Length: 0\r\n\r\n");
	e = e ? e : rpl_queue(l, r, to, conn, &b);
	buf_fini(&b);
	return e;
}

int rpl_send_register(struct rpl_live *l, int r, uint32_t expires)
{
	struct rpl_role *ro = &l->role[r];
	const struct rpl_acct *a = ro->acct;
	struct rpl_tx *t = tx_new(l, r, "REGISTER", SIP_M_REGISTER);
	int e;

	char tag[24];

	if (!t)
		return ENOMEM;
	memcpy(tag, ro->ltag, sizeof(tag));
	snprintf(ro->call_id, sizeof(ro->call_id), "reg-%s@127.0.0.1", tag);
	snprintf(ro->from, sizeof(ro->from), "<sip:%s@%s>;tag=%s", a->user,
		 a->domain, tag);
	snprintf(ro->to0, sizeof(ro->to0), "<sip:%s@%s>", a->user, a->domain);
	snprintf(t->ruri, sizeof(t->ruri), "sip:%s", a->domain);
	t->dst = l->cfg.target;
	t->cseq = ++ro->cseq;
	e = std_head(l, r, &t->head, false, ro->to0);
	if (!e && !expires)	/* every binding, earlier runs' too */
		e = buf_put_str(&t->head, "Contact: *\r\nExpires: 0\r\n");
	else if (!e)
		e = buf_printf(&t->head, "Contact: <sip:%s@%s:%u%s>\r\n"
			       "Expires: %u\r\n", a->user, l->lhost[r],
			       net_addr_port(&l->cfg.local[r]), tp_param(l),
			       expires);
	return e ? e : rpl_tx_send(l, r, t, l->now);
}

static void hash_hex(bool sha, const char *s, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(s, strlen(s), md, &n, sha ? EVP_sha256() : EVP_md5(),
		   NULL);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[2 * n] = 0;
}

static void unquote(struct pl *p)
{
	if (p->len >= 2 && p->p[0] == '"' && p->p[p->len - 1] == '"') {
		p->p++;
		p->len -= 2;
	}
}

int rpl_tx_auth(struct rpl_live *l, int r, struct rpl_tx *tx,
		const struct sip_msg *rsp)
{
	const struct rpl_acct *a = l->role[r].acct;
	enum sip_hdr_id id = rsp->scode == 407 ? SIP_HDR_PROXY_AUTHENTICATE :
			     SIP_HDR_WWW_AUTHENTICATE;
	const struct sip_hdr *h;
	struct sip_auth c;
	char ha1[65], ha2[65], resp[65], cnonce[17], tmp[1200];
	bool sha = false;

	for (h = sip_msg_hdr(rsp, id); h; h = sip_msg_hdr_next(rsp, h)) {
		if (sip_auth_decode(&c, &h->val))
			continue;
		unquote(&c.algorithm);
		if (!c.algorithm.len || pl_caseeq_str(&c.algorithm, "MD5"))
			break;
		if (pl_caseeq_str(&c.algorithm, "SHA-256")) {
			sha = true;
			break;
		}
	}
	if (!h)
		return ENOENT;
	unquote(&c.realm);
	unquote(&c.nonce);
	unquote(&c.opaque);
	unquote(&c.qop);
	if (c.realm.len > 200 || c.nonce.len > 300 || c.opaque.len > 300)
		return EINVAL;
	rng_hex(&l->rng, cnonce, 16);
	snprintf(tmp, sizeof(tmp), "%s:%.*s:%s", a->user, PL_ARG(c.realm),
		 a->password);
	hash_hex(sha, tmp, ha1);
	snprintf(tmp, sizeof(tmp), "%s:%s", tx->method, tx->ruri);
	hash_hex(sha, tmp, ha2);
	if (c.qop.len)
		snprintf(tmp, sizeof(tmp), "%s:%.*s:00000001:%s:auth:%s", ha1,
			 PL_ARG(c.nonce), cnonce, ha2);
	else
		snprintf(tmp, sizeof(tmp), "%s:%.*s:%s", ha1, PL_ARG(c.nonce),
			 ha2);
	hash_hex(sha, tmp, resp);
	buf_reset(&tx->cred);
	buf_printf(&tx->cred, "%s: Digest username=\"%s\", realm=\"%.*s\", "
		   "nonce=\"%.*s\", uri=\"%s\", response=\"%s\", algorithm=%s",
		   rsp->scode == 407 ? "Proxy-Authorization" : "Authorization",
		   a->user, PL_ARG(c.realm), PL_ARG(c.nonce), tx->ruri, resp,
		   sha ? "SHA-256" : "MD5");
	if (c.qop.len)
		buf_printf(&tx->cred, ", qop=auth, nc=00000001, cnonce=\"%s\"",
			   cnonce);
	if (c.opaque.p)
		buf_printf(&tx->cred, ", opaque=\"%.*s\"", PL_ARG(c.opaque));
	if (buf_put_str(&tx->cred, "\r\n"))
		return ENOMEM;
	tx->authed = true;
	tx->cseq = ++l->role[r].cseq;
	rng_hex(&l->rng, tx->branch + 7, 24);
	return rpl_tx_send(l, r, tx, l->now);
}
