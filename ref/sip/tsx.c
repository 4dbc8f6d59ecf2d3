/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP transactions (RFC 3261 17, RFC 6026): server and client, INVITE and
 * non-INVITE, with timers A-M taken from the core's timer queue. Server
 * transactions absorb request retransmissions and retransmit their last
 * response; client transactions retransmit over UDP, send the hop-by-hop
 * ACK for non-2xx finals and hand every response up once (2xx: each).
 * Timer C (RFC 3261 16.6 step 11) cancels a branch that rings too long.
 * The proxy logic that joins server and client transactions is in
 * proxy_route.c; this file only knows the state machines.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define TIMER_C_US (180ull * 1000000ull)

static bool reliable(const struct tsx *t)
{
	return net_tp_is_stream(t->peer.tp);
}

static uint64_t t1(const struct sip_proxy *p) { return p->cfg.t1_us; }

int tsx_init(struct sip_proxy *p)
{
	size_t n = 1;

	while (n < p->cfg.max_tsx && n < (1u << 20))
		n <<= 1;
	p->tsx_buckets = n;
	p->tsx_tab = mem_zalloc(n * sizeof(*p->tsx_tab));
	return p->tsx_tab ? 0 : ENOMEM;
}

void tsx_fini(struct sip_proxy *p)
{
	while (p->tsx_all)
		tsx_free(p, p->tsx_all);
	mem_free(p->tsx_tab);
	p->tsx_tab = NULL;
}

static void timer_set(struct sip_proxy *p, struct tsx *t, uint32_t *id,
		      int kind, uint64_t delay)
{
	if (*id)
		tq_cancel(&p->tq, *id);
	*id = TQ_NONE;
	if (tq_add(&p->tq, p->now + delay, kind, t, id))
		*id = TQ_NONE;
}

static void timer_stop(struct sip_proxy *p, uint32_t *id)
{
	if (*id)
		tq_cancel(&p->tq, *id);
	*id = TQ_NONE;
}

/* Server key (RFC 3261 17.2.3): branch + sent-by + method, ACK and CANCEL
 * matched to the INVITE when asked; RFC 2543 peers without the magic
 * cookie are keyed on Call-ID, From tag, CSeq number and the Via. */
static int srv_key(const struct sip_msg *m, const struct net_addr *from,
		   bool as_invite, char *dst, size_t sz)
{
	const char *meth = as_invite ? "INVITE" : sip_method_name(m->mid);
	struct pl mp = m->method;
	int n;

	if (m->mid != SIP_M_OTHER || as_invite)
		mp = pl_from_str(meth);
	char src[NET_ADDR_STRLEN];

	/* The source address too: a UDP retransmission comes from where
	 * the request came from, and another host reusing a branch (RFC
	 * 4475 messages do) is another transaction, not a replay. */
	net_addr_str(from, src, sizeof(src));
	if (pl_prefix_case(&m->via1.branch, "z9hG4bK"))
		n = snprintf(dst, sz, "S|%.*s|%.*s:%u|%.*s|%s",
			     PL_ARG(m->via1.branch), PL_ARG(m->via1.host),
			     m->via1.port, PL_ARG(mp), src);
	else
		n = snprintf(dst, sz, "S2|%.*s|%.*s|%u|%.*s|%.*s|%s",
			     PL_ARG(m->call_id), PL_ARG(m->from.tag),
			     m->cseq.num, PL_ARG(m->via1.raw), PL_ARG(mp), src);
	return (n < 0 || (size_t)n >= sz) ? EOVERFLOW : 0;
}

static struct tsx *find_key(struct sip_proxy *p, const char *key)
{
	uint32_t h = fnv1a(key, strlen(key), FNV_INIT);
	struct tsx *t;

	for (t = p->tsx_tab[h & (p->tsx_buckets - 1)]; t; t = t->hnext)
		if (t->hash == h && !strcmp(t->key, key))
			return t;
	return NULL;
}

static struct tsx *tsx_alloc(struct sip_proxy *p, const char *key)
{
	struct tsx *t = mem_zalloc(sizeof(*t));
	size_t b;

	if (!t)
		return NULL;
	t->key = mem_strdup(key);
	if (!t->key) {
		mem_free(t);
		return NULL;
	}
	t->hash = fnv1a(key, strlen(key), FNV_INIT);
	b = t->hash & (p->tsx_buckets - 1);
	t->hnext = p->tsx_tab[b];
	p->tsx_tab[b] = t;
	t->next = p->tsx_all;
	if (p->tsx_all)
		p->tsx_all->prev = t;
	p->tsx_all = t;
	p->ntsx++;
	return t;
}

void tsx_free(struct sip_proxy *p, struct tsx *t)
{
	struct tsx **pp;
	int i;

	if (!t)
		return;
	timer_stop(p, &t->t_retx);
	timer_stop(p, &t->t_life);
	timer_stop(p, &t->t_ring);
	if (t->push_wait)
		pn_drop(p, t);
	if (t->dns_wait)
		dns_drop(p, t);
	for (pp = &p->tsx_tab[t->hash & (p->tsx_buckets - 1)]; *pp;
	     pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			break;
		}
	}
	if (t->prev)
		t->prev->next = t->next;
	else
		p->tsx_all = t->next;
	if (t->next)
		t->next->prev = t->prev;
	for (i = 0; i < t->nkids; i++)
		if (t->kids[i])
			t->kids[i]->parent = NULL;
	if (t->parent)
		route_kid_gone(t);
	p->ntsx--;
	dns_alt_drop(p, t);
	mem_free(t->key);
	mem_free(t->device);
	mem_free(t->req);
	mem_free(t->rsp);
	mem_free(t->best);
	mem_free(t);
}

int tsx_srv_new(struct sip_proxy *p, const struct net_pkt *pkt,
		const struct sip_msg *msg, struct tsx **tp)
{
	char key[512];
	struct tsx *t;
	int err;

	err = srv_key(msg, &pkt->from, false, key, sizeof(key));
	if (err)
		return err;
	t = tsx_alloc(p, key);
	if (!t)
		return ENOMEM;
	t->server = true;
	t->method = msg->mid;
	t->invite = msg->mid == SIP_M_INVITE;
	t->state = t->invite ? TS_PROCEEDING : TS_TRYING;
	t->peer = pkt->from;
	t->local = pkt->to;
	t->conn_id = pkt->conn_id;
	t->rport = msg->via1.rport;
	t->via_port = msg->via1.port;
	t->req = mem_alloc(msg->raw.len ? msg->raw.len : 1);
	if (!t->req) {
		tsx_free(p, t);
		return ENOMEM;
	}
	memcpy(t->req, msg->raw.p, msg->raw.len);
	t->req_len = msg->raw.len;
	/* A lost transaction must not live forever: bounded by 64*T1 until
	 * a final response restarts its timers (Timer C covers INVITE). */
	timer_set(p, t, &t->t_life, TM_TSX_LIFE,
		  (t->invite ? TIMER_C_US : 0) + 64 * t1(p) + 5000000ull);
	*tp = t;
	return 0;
}

struct tsx *tsx_srv_find(struct sip_proxy *p, const struct net_pkt *pkt,
			 const struct sip_msg *msg, bool as_invite)
{
	char key[512];

	if (srv_key(msg, &pkt->from, as_invite, key, sizeof(key)))
		return NULL;
	return find_key(p, key);
}

void tsx_srv_touch(struct sip_proxy *p, struct tsx *t)
{
	if (!t->final_sent)
		timer_set(p, t, &t->t_life, TM_TSX_LIFE,
			  TIMER_C_US + 64 * t1(p) + 5000000ull);
}

void tsx_rsp_dst(const struct tsx *t, struct net_addr *dst)
{
	*dst = t->peer;
	/* RFC 3581: rport answers the source port; without it RFC 3261
	 * 18.2.2 says the Via port, which NATed and ephemeral-port clients
	 * never listen on: refd answers the source like force_rport. */
	(void)t->rport;
}

static int srv_send(struct sip_proxy *p, struct tsx *t)
{
	struct net_addr dst;

	tsx_rsp_dst(t, &dst);
	return px_send(p, &t->local, &dst, t->conn_id, t->rsp, t->rsp_len);
}

int tsx_srv_respond(struct sip_proxy *p, struct tsx *t, const uint8_t *d,
		    size_t len, uint16_t code)
{
	uint8_t *c;

	if (t->state >= TS_COMPLETED && code >= 200)
		return EPROTO;
	c = mem_alloc(len ? len : 1);
	if (!c)
		return ENOMEM;
	memcpy(c, d, len);
	mem_free(t->rsp);
	t->rsp = c;
	t->rsp_len = len;
	t->code = code;
	srv_send(p, t);
	if (code < 200) {
		if (!t->invite)
			t->state = TS_PROCEEDING;
		return 0;
	}
	t->final_sent = true;
	if (t->invite && code < 300) {
		t->state = TS_ACCEPTED;	/* Timer L */
		timer_set(p, t, &t->t_life, TM_TSX_LIFE, 64 * t1(p));
	} else if (t->invite) {
		t->state = TS_COMPLETED;
		t->retx_us = t1(p);
		if (!reliable(t))	/* Timer G */
			timer_set(p, t, &t->t_retx, TM_TSX_RETX, t->retx_us);
		timer_set(p, t, &t->t_life, TM_TSX_LIFE, 64 * t1(p)); /* H */
	} else {
		t->state = TS_COMPLETED;	/* Timer J */
		timer_set(p, t, &t->t_life, TM_TSX_LIFE,
			  reliable(t) ? 0 : 64 * t1(p));
	}
	return 0;
}

int tsx_cli_new(struct sip_proxy *p, enum sip_method m, const char *branch,
		const struct net_addr *dst, uint64_t conn_id,
		const uint8_t *d, size_t len, struct tsx **tp)
{
	char key[160];
	struct tsx *t;
	const struct net_addr *src;

	snprintf(key, sizeof(key), "C|%s|%s", branch, sip_method_name(m));
	/* a twin would shadow this one: its responses would never match */
	if (find_key(p, key))
		return EEXIST;
	t = tsx_alloc(p, key);
	if (!t)
		return ENOMEM;
	snprintf(t->branch, sizeof(t->branch), "%s", branch);
	t->method = m;
	t->invite = m == SIP_M_INVITE;
	t->state = TS_TRYING;
	t->peer = *dst;
	t->conn_id = conn_id;
	src = px_local(p, dst->tp, net_addr_family(dst));
	if (src)
		t->local = *src;
	t->req = mem_alloc(len ? len : 1);
	if (!t->req) {
		tsx_free(p, t);
		return ENOMEM;
	}
	memcpy(t->req, d, len);
	t->req_len = len;
	px_send(p, &t->local, &t->peer, t->conn_id, t->req, t->req_len);
	t->retx_us = t1(p);
	if (!reliable(t))	/* Timer A / E */
		timer_set(p, t, &t->t_retx, TM_TSX_RETX, t->retx_us);
	timer_set(p, t, &t->t_life, TM_TSX_LIFE, 64 * t1(p)); /* B / F */
	if (tp)
		*tp = t;
	return 0;
}

struct tsx *tsx_cli_find(struct sip_proxy *p, const struct sip_msg *rsp)
{
	char key[160];
	int n;

	n = snprintf(key, sizeof(key), "C|%.*s|%.*s",
		     PL_ARG(rsp->via1.branch), PL_ARG(rsp->cseq.method));
	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	return find_key(p, key);
}

/* CANCEL or ACK for client INVITE t (RFC 3261 9.1, 17.1.1.3): same
 * Request-URI, Call-ID, From, CSeq number, Route and top Via; the ACK
 * takes To from the response. */
static int build_hop(struct sip_proxy *p, struct tsx *t, const char *meth,
		     const struct sip_msg *rsp, struct buf *b)
{
	struct sip_msg *m = &p->m2;
	const struct sip_hdr *h;
	struct pl via, rest;
	int err;

	err = sip_msg_decode(m, t->req, t->req_len);
	if (err)
		return err;
	h = sip_msg_hdr(m, SIP_HDR_VIA);
	if (!h)
		return EBADMSG;
	via = h->val;
	pl_split(&h->val, ',', &via, &rest);
	pl_trim(&via);
	buf_reset(b);
	err = buf_printf(b, "%s %.*s SIP/2.0\r\nVia: %.*s\r\n"
			 "Max-Forwards: 70\r\nFrom: %.*s\r\nTo: %.*s\r\n"
			 "Call-ID: %.*s\r\nCSeq: %u %s\r\n", meth,
			 PL_ARG(m->ruri_pl), PL_ARG(via),
			 PL_ARG(m->from.raw),
			 PL_ARG(rsp ? rsp->to.raw : m->to.raw),
			 PL_ARG(m->call_id), m->cseq.num, meth);
	for (h = sip_msg_hdr(m, SIP_HDR_ROUTE); h && !err;
	     h = sip_msg_hdr_next(m, h))
		err = buf_printf(b, "Route: %.*s\r\n", PL_ARG(h->val));
	if (!err)
		err = buf_put_str(b, "Content-Length: 0\r\n\r\n");
	return err;
}

static void send_ack(struct sip_proxy *p, struct tsx *t,
		     const struct sip_msg *rsp)
{
	struct buf b;

	buf_init(&b);
	if (!build_hop(p, t, "ACK", rsp, &b))
		px_send(p, &t->local, &t->peer, t->conn_id, b.data, b.len);
	buf_fini(&b);
}

/* Send CANCEL for client INVITE t as its own client transaction, whose
 * responses are absorbed here. Once only: a ring timeout and a later
 * 2xx on another branch both cancel, and a second CANCEL transaction
 * under the same key would never see its 200 and resend for 32 s. */
static void send_cancel(struct sip_proxy *p, struct tsx *t)
{
	struct buf b;

	t->cancel_pending = false;
	if (t->cancel_sent)
		return;
	t->cancel_sent = true;
	buf_init(&b);
	if (!build_hop(p, t, "CANCEL", NULL, &b))
		tsx_cli_new(p, SIP_M_CANCEL, t->branch, &t->peer, t->conn_id,
			    b.data, b.len, NULL);
	buf_fini(&b);
}

void tsx_cli_cancel(struct sip_proxy *p, struct tsx *t)
{
	if (!t->invite || t->state != TS_TRYING) {
		if (t->invite && t->state == TS_PROCEEDING)
			send_cancel(p, t);
		return;
	}
	/* RFC 3261 9.1: no CANCEL before a provisional response. */
	t->cancel_pending = true;
}

static void up(struct sip_proxy *p, struct tsx *t, uint16_t code,
	       const struct sip_msg *rsp)
{
	if (t->done)
		t->done(p, t, code, rsp);
	else if (t->parent)
		route_branch_rsp(p, t, code, rsp);
	else if (rsp && t->invite && code >= 200 && code < 300)
		route_rsp_stateless(p, rsp);
}

void tsx_cli_conn_failed(struct sip_proxy *p, const struct net_addr *dst)
{
	struct tsx *t, *next;

	/* Walked only while some request has DNS alternatives: closes are
	 * frequent under stream load, failovers rare. */
	if (!p->alt_tsx || !net_tp_is_stream(dst->tp))
		return;
	for (t = p->tsx_all; t; t = next) {
		next = t->next;
		if (t->server || t->state != TS_TRYING || t->prov_rx ||
		    t->conn_id || !t->parent || !t->parent->alts ||
		    t->peer.tp != dst->tp || !net_addr_eq(&t->peer, dst))
			continue;
		/* next may be freed by what the failover sends: restart */
		t->state = TS_TERMINATED;
		up(p, t, 503, NULL);
		tsx_free(p, t);
		next = p->tsx_all;
	}
}

void tsx_cli_response(struct sip_proxy *p, struct tsx *t,
		      const struct sip_msg *rsp)
{
	uint16_t code = rsp->scode;

	if (t->invite) {
		switch (t->state) {
		case TS_TRYING:
		case TS_PROCEEDING:
			if (code < 200) {
				t->state = TS_PROCEEDING;
				t->prov_rx = true;
				timer_stop(p, &t->t_retx);
				timer_set(p, t, &t->t_life, TM_TSX_LIFE,
					  TIMER_C_US);
				if (t->cancel_pending)
					send_cancel(p, t);
				up(p, t, code, rsp);
			} else if (code < 300) {
				t->state = TS_ACCEPTED;	/* Timer M */
				timer_stop(p, &t->t_retx);
				timer_set(p, t, &t->t_life, TM_TSX_LIFE,
					  64 * t1(p));
				up(p, t, code, rsp);
			} else {
				t->state = TS_COMPLETED;	/* Timer D */
				timer_stop(p, &t->t_retx);
				send_ack(p, t, rsp);
				timer_set(p, t, &t->t_life, TM_TSX_LIFE,
					  reliable(t) ? 0 : 32000000ull);
				t->code = code;
				up(p, t, code, rsp);
			}
			break;
		case TS_ACCEPTED:
			if (code >= 200 && code < 300)
				up(p, t, code, rsp);
			break;
		case TS_COMPLETED:
			if (code >= 300)
				send_ack(p, t, rsp);
			break;
		default:
			break;
		}
		return;
	}
	if (t->state >= TS_COMPLETED)
		return;
	if (code < 200) {
		t->state = TS_PROCEEDING;
		return;
	}
	t->state = TS_COMPLETED;	/* Timer K */
	t->code = code;
	timer_stop(p, &t->t_retx);
	timer_set(p, t, &t->t_life, TM_TSX_LIFE,
		  reliable(t) ? 0 : p->cfg.t4_us);
	up(p, t, code, rsp);
}

static void srv_timer(struct sip_proxy *p, struct tsx *t, int kind)
{
	if (kind == TM_TSX_RETX) {	/* Timer G */
		t->t_retx = TQ_NONE;
		if (t->state != TS_COMPLETED)
			return;
		srv_send(p, t);
		t->retx_us *= 2;
		if (t->retx_us > p->cfg.t2_us)
			t->retx_us = p->cfg.t2_us;
		timer_set(p, t, &t->t_retx, TM_TSX_RETX, t->retx_us);
		return;
	}
	t->t_life = TQ_NONE;
	if (t->call) {	/* never answered: the call ends, ports freed */
		cdr_call_final(p, t->call, 408, NULL, NULL);
		t->call = NULL;
	}
	tsx_free(p, t);	/* H, I, J, L, or a transaction never answered */
}

static void cli_timer(struct sip_proxy *p, struct tsx *t, int kind)
{
	if (kind == TM_TSX_RETX) {	/* A, E */
		t->t_retx = TQ_NONE;
		if (t->state != TS_TRYING &&
		    !(t->state == TS_PROCEEDING && !t->invite))
			return;
		px_send(p, &t->local, &t->peer, t->conn_id, t->req,
			t->req_len);
		t->retx_us *= 2;
		if (t->retx_us > p->cfg.t2_us &&
		    (!t->invite || t->state == TS_PROCEEDING))
			t->retx_us = p->cfg.t2_us;
		if (!t->invite && t->state == TS_PROCEEDING)
			t->retx_us = p->cfg.t2_us;
		timer_set(p, t, &t->t_retx, TM_TSX_RETX, t->retx_us);
		return;
	}
	t->t_life = TQ_NONE;
	if (t->invite && t->state == TS_PROCEEDING) {
		/* Timer C: cancel the branch, then wait 64*T1 for its 487. */
		t->state = TS_TRYING;
		t->prov_rx = true;
		send_cancel(p, t);
		timer_set(p, t, &t->t_life, TM_TSX_LIFE, 64 * t1(p));
		return;
	}
	if (t->state == TS_TRYING || t->state == TS_PROCEEDING) {
		/* Timer B / F: the branch answers 408 (RFC 3261 16.7 6). */
		t->state = TS_TERMINATED;
		up(p, t, 408, NULL);
	}
	tsx_free(p, t);
}

void tsx_timer(struct sip_proxy *p, int kind, void *arg)
{
	struct tsx *t = arg;

	if (t->server)
		srv_timer(p, t, kind);
	else
		cli_timer(p, t, kind);
}
