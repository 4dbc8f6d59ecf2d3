/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIP service core's front: creation, the four sans-IO calls, stream
 * reassembly, first checks on every message and the output queue.
 * Requests pass the transaction layer (retransmissions, ACK, CANCEL,
 * overload) here and are then routed by proxy_route.c; responses go to
 * their client transaction or are forwarded statelessly.
 *
 * Malformed requests get 400 with the decoder's reason, built from the
 * raw header lines when the message could not be decoded; malformed
 * responses are dropped and counted (RFC 3261 16.7, 18.1.2).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define CONN_BUCKETS 256
#define CONN_MAX_BUF (256 * 1024)

struct conn {
	struct conn *next;
	uint64_t id;
	struct buf b;
};

static void cfg_defaults(struct sip_proxy_cfg *c)
{
	if (!c->max_tsx) c->max_tsx = 65536;
	if (!c->max_aors) c->max_aors = 65536;
	if (!c->max_calls) c->max_calls = 65536;
	if (!c->max_subs) c->max_subs = 16384;
	if (!c->min_expires) c->min_expires = 60;
	if (!c->max_expires) c->max_expires = 7200;
	if (!c->default_expires) c->default_expires = 3600;
	if (!c->max_call_s) c->max_call_s = 12 * 3600;
	if (!c->nonce_ttl_s) c->nonce_ttl_s = 300;
	if (!c->fail_burst) c->fail_burst = 10;
	if (!c->fail_refill_s) c->fail_refill_s = 6;
	if (!c->t1_us) c->t1_us = 500000;
	if (!c->t2_us) c->t2_us = 4000000;
	if (!c->t4_us) c->t4_us = 5000000;
}

int sip_proxy_new(struct sip_proxy **pp, const struct sip_proxy_cfg *cfg)
{
	struct sip_proxy *p;
	int err = ENOMEM;

	if (!pp || !cfg || !cfg->domain || !cfg->rng || !cfg->nlisten ||
	    !cfg->listen)
		return EINVAL;
	p = mem_zalloc(sizeof(*p));
	if (!p)
		return ENOMEM;
	p->cfg = *cfg;
	cfg_defaults(&p->cfg);
	tq_init(&p->tq);
	buf_init(&p->sb);
	p->domain = mem_strdup(cfg->domain);
	p->listen = mem_alloc(cfg->nlisten * sizeof(*p->listen));
	p->networks = mem_alloc((cfg->nnetworks + 1) * sizeof(*p->networks));
	p->secret = mem_alloc(cfg->nonce_secret_len + 1);
	p->conn_tab = mem_zalloc(CONN_BUCKETS * sizeof(*p->conn_tab));
	if (!p->domain || !p->listen || !p->networks || !p->secret ||
	    !p->conn_tab)
		goto out;
	memcpy(p->listen, cfg->listen, cfg->nlisten * sizeof(*p->listen));
	if (cfg->nnetworks)
		memcpy(p->networks, cfg->networks,
		       cfg->nnetworks * sizeof(*p->networks));
	if (cfg->nonce_secret_len)
		memcpy(p->secret, cfg->nonce_secret, cfg->nonce_secret_len);
	p->cfg.domain = p->domain;
	p->cfg.listen = p->listen;
	p->cfg.networks = p->networks;
	p->cfg.nonce_secret = p->secret;
	err = tsx_init(p);
	if (!err)
		err = reg_init(p);
	if (!err)
		err = auth_init(p);
	if (!err)
		err = cdr_init(p);
	if (!err)
		err = pres_init(p);
 out:
	if (err) {
		sip_proxy_free(p);
		return err;
	}
	*pp = p;
	return 0;
}

static void conn_drop(struct sip_proxy *p, uint64_t id)
{
	struct conn **cp = &p->conn_tab[id % CONN_BUCKETS], *c;

	for (; *cp; cp = &(*cp)->next) {
		if ((*cp)->id == id) {
			c = *cp;
			*cp = c->next;
			buf_fini(&c->b);
			mem_free(c);
			return;
		}
	}
}

void sip_proxy_free(struct sip_proxy *p)
{
	struct outq *o;
	size_t i;

	if (!p)
		return;
	if (p->tsx_tab)
		tsx_fini(p);
	pn_fini(p);
	dns_fini(p);
	msync_fini(p);
	pres_fini(p);
	cdr_fini(p);
	auth_fini(p);
	reg_fini(p);
	if (p->conn_tab)
		for (i = 0; i < CONN_BUCKETS; i++)
			while (p->conn_tab[i])
				conn_drop(p, p->conn_tab[i]->id);
	while ((o = p->oq_head)) {
		p->oq_head = o->next;
		mem_free(o);
	}
	mem_free(p->oq_cur);
	tq_fini(&p->tq);
	buf_fini(&p->sb);
	mem_free(p->conn_tab);
	mem_free(p->domain);
	mem_free(p->listen);
	mem_free(p->networks);
	mem_free(p->secret);
	mem_free(p);
}

bool px_dst_allowed(const struct sip_proxy *p, const struct net_addr *a)
{
	size_t i;

	for (i = 0; i < p->cfg.nnetworks; i++)
		if (net_addr_in_prefix(a, &p->networks[i].pfx,
				       p->networks[i].bits))
			return true;
	return false;
}

int px_send(struct sip_proxy *p, const struct net_addr *src,
	    const struct net_addr *dst, uint64_t conn_id,
	    const void *data, size_t len)
{
	struct outq *o;

	if (!px_dst_allowed(p, dst)) {
		p->st.tx_refused++;
		return EACCES;
	}
	o = mem_alloc(sizeof(*o) + len + 1);
	if (!o)
		return ENOMEM;
	memset(&o->out, 0, sizeof(o->out));
	o->next = NULL;
	o->out.kind = NET_OUT_SEND;
	if (src)
		o->out.src = *src;
	o->out.dst = *dst;
	o->out.src.tp = dst->tp;
	o->out.conn_id = conn_id;
	memcpy(o->data, data, len);
	o->len = len;
	if (p->oq_tail)
		p->oq_tail->next = o;
	else
		p->oq_head = o;
	p->oq_tail = o;
	p->st.tx++;
	return 0;
}

const struct net_addr *px_local(const struct sip_proxy *p, enum net_tp tp,
				int family)
{
	size_t i;

	for (i = 0; i < p->cfg.nlisten; i++)
		if (p->listen[i].tp == tp &&
		    net_addr_family(&p->listen[i]) == family)
			return &p->listen[i];
	for (i = 0; i < p->cfg.nlisten; i++)
		if (p->listen[i].tp == tp)
			return &p->listen[i];
	for (i = 0; i < p->cfg.nlisten; i++)
		if (net_addr_family(&p->listen[i]) == family)
			return &p->listen[i];
	return &p->listen[0];
}

bool px_host_is_us(const struct sip_proxy *p, const struct pl *host,
		   uint16_t port)
{
	char hb[NET_ADDR_STRLEN];
	size_t i;

	if (pl_caseeq_str(host, p->domain))
		return true;
	for (i = 0; i < p->cfg.nlisten; i++) {
		net_addr_host(&p->listen[i], hb, sizeof(hb));
		if (!pl_caseeq_str(host, hb))
			continue;
		if (!port || port == net_addr_port(&p->listen[i]))
			return true;
	}
	return false;
}

bool px_uri_is_us(const struct sip_proxy *p, const struct sip_uri *u)
{
	if (u->scheme != SIP_SCHEME_SIP && u->scheme != SIP_SCHEME_SIPS)
		return false;
	return px_host_is_us(p, &u->host, u->port);
}

void px_aor(const struct sip_proxy *p, const struct sip_uri *u, char *dst,
	    size_t sz)
{
	char user[128];
	size_t n;

	if (sip_unescape(&u->user, user, sizeof(user), &n))
		snprintf(user, sizeof(user), "%.*s", PL_ARG(u->user));
	if (px_host_is_us(p, &u->host, u->port))
		snprintf(dst, sz, "%s@%s", user, p->domain);
	else
		snprintf(dst, sz, "%s@%.*s", user, PL_ARG(u->host));
}

void px_tag(struct sip_proxy *p, char *dst, size_t len)
{
	rng_hex(p->cfg.rng, dst, len);
}

int px_reply(struct sip_proxy *p, struct tsx *t, const struct sip_msg *msg,
	     uint16_t code, const char *reason,
	     const struct sip_hdr_add *extra, size_t nextra,
	     const struct pl *ctype, const struct pl *body)
{
	char tag[17];
	struct pl tp;
	struct buf b;
	int err;

	if (p->force_tag)
		snprintf(tag, sizeof(tag), "%s", p->force_tag);
	else
		px_tag(p, tag, 16);
	tp = pl_from_str(tag);
	buf_init(&b);
	err = sip_encode_response(&b, msg, code, reason,
				  code > 100 ? &tp : NULL, extra, nextra,
				  ctype, body);
	if (!err) {
		if (cdr_traced(msg) && p->cfg.store.trace_add) {
			struct sip_msg *rm = mem_alloc(sizeof(*rm));

			if (rm && !sip_msg_decode(rm, b.data, b.len)) {
				struct net_addr dst;

				tsx_rsp_dst(t, &dst);
				cdr_trace(p, rm, true, t->peer.tp, &t->local,
					  &dst);
			}
			mem_free(rm);
		}
		err = tsx_srv_respond(p, t, b.data, b.len, code);
	}
	buf_fini(&b);
	return err;
}

/* Answer without a transaction (overload 503, version 505). */
static void reply_stateless(struct sip_proxy *p, const struct net_pkt *pkt,
			    const struct sip_msg *msg, uint16_t code,
			    const struct sip_hdr_add *extra, size_t nextra)
{
	struct buf b;

	buf_init(&b);
	if (!sip_encode_response(&b, msg, code, NULL, NULL, extra, nextra,
				 NULL, NULL))
		px_send(p, &pkt->to, &pkt->from, pkt->conn_id, b.data, b.len);
	buf_fini(&b);
}

/* Header line "Name: value" whose name is one of the listed forms. */
static bool line_is(const struct pl *line, const char *const *names)
{
	struct pl name, rest;

	if (pl_split(line, ':', &name, &rest))
		return false;
	pl_trim(&name);
	for (; *names; names++)
		if (pl_caseeq_str(&name, *names))
			return true;
	return false;
}

/* 400 (or 505) for a request the decoder refused: echo the raw Via,
 * From, To, Call-ID and CSeq lines (RFC 3261 8.2.6.2), the reason being
 * the decoder's words with anything unprintable removed. */
static void reply_raw(struct sip_proxy *p, const struct net_pkt *pkt,
		      const char *why)
{
	static const char *const keep[] = { "via", "v", "from", "f", "to",
		"t", "call-id", "i", "cseq", NULL };
	struct pl all = pl_from_mem(pkt->data, pkt->len), line, rest, first;
	char reason[128];
	struct buf b;
	uint16_t code = 400;
	bool via = false;
	size_t i, j = 0;

	pl_split(&all, '\n', &first, &rest);
	pl_trim(&first);
	if (first.len > 8 && first.p[first.len - 8] == ' ' &&
	    pl_prefix_case(&(struct pl){ first.p + first.len - 7, 7 },
			   "SIP/") &&
	    memcmp(first.p + first.len - 3, "2.0", 3))
		code = 505;
	for (i = 0; why[i] && j + 1 < sizeof(reason); i++)
		if (why[i] >= 0x20 && why[i] < 0x7f)
			reason[j++] = why[i];
	reason[j] = 0;
	buf_init(&b);
	buf_printf(&b, "SIP/2.0 %u %s\r\n", code,
		   code == 505 ? "Version Not Supported" :
		   j ? reason : "Bad Request");
	while (rest.len) {
		pl_split(&rest, '\n', &line, &rest);
		pl_rtrim(&line);
		if (!line.len)
			break;
		if (line.p[0] == ' ' || line.p[0] == '\t')
			continue;	/* folded continuation: dropped */
		if (line_is(&line, keep)) {
			if (line_is(&line, (const char *const[]){ "via", "v",
								  NULL }))
				via = true;
			buf_printf(&b, "%.*s\r\n", PL_ARG(line));
		}
	}
	buf_put_str(&b, "Content-Length: 0\r\n\r\n");
	if (via)
		px_send(p, &pkt->to, &pkt->from, pkt->conn_id, b.data, b.len);
	buf_fini(&b);
}

static void handle_ack(struct sip_proxy *p, const struct net_pkt *pkt,
		       struct sip_msg *msg)
{
	struct tsx *t = tsx_srv_find(p, pkt, msg, true);

	if (t && t->invite && t->state == TS_COMPLETED) {
		/* RFC 3261 17.2.1: Confirmed, Timer I absorbs repeats. */
		t->state = TS_CONFIRMED;
		if (t->t_retx)
			tq_cancel(&p->tq, t->t_retx);
		t->t_retx = TQ_NONE;
		if (t->t_life)
			tq_cancel(&p->tq, t->t_life);
		t->t_life = TQ_NONE;
		if (tq_add(&p->tq, p->now + (net_tp_is_stream(t->peer.tp) ?
				0 : p->cfg.t4_us), TM_TSX_LIFE, t, &t->t_life))
			t->t_life = TQ_NONE;
		return;
	}
	if (t && t->state == TS_CONFIRMED)
		return;
	route_ack(p, pkt, msg);	/* ACK for 2xx: end to end */
}

/* RFC 3261 21.5.4: a 503 (overload, relay full) says when to retry. */
const struct sip_hdr_add px_retry_after = { "Retry-After", { "5", 1 } };

static void handle_req(struct sip_proxy *p, const struct net_pkt *pkt,
		       struct sip_msg *msg)
{
	struct tsx *t, *inv;

	p->st.rx_req++;
	if (cdr_traced(msg))
		cdr_trace(p, msg, false, pkt->from.tp, &pkt->from, &pkt->to);
	if (!pl_eq_str(&msg->version, "SIP/2.0")) {
		reply_stateless(p, pkt, msg, 505, NULL, 0);
		return;
	}
	if (msg->mid == SIP_M_ACK) {
		handle_ack(p, pkt, msg);
		return;
	}
	t = tsx_srv_find(p, pkt, msg, false);
	if (t) {
		p->st.rx_retrans++;
		if (t->rsp)
			px_send(p, &t->local, &t->peer, t->conn_id, t->rsp,
				t->rsp_len);
		return;
	}
	if (p->ntsx >= p->cfg.max_tsx) {
		p->st.tsx_overload++;
		reply_stateless(p, pkt, msg, 503, &px_retry_after, 1);
		return;
	}
	if (tsx_srv_new(p, pkt, msg, &t)) {
		reply_stateless(p, pkt, msg, 500, &px_retry_after, 1);
		return;
	}
	if (msg->mid == SIP_M_CANCEL) {
		inv = tsx_srv_find(p, pkt, msg, true);
		if (!inv || !inv->invite) {
			px_reply(p, t, msg, 481, NULL, NULL, 0, NULL, NULL);
			return;
		}
		route_cancel(p, inv, t, msg);
		return;
	}
	if (msg->mid == SIP_M_INVITE)
		px_reply(p, t, msg, 100, NULL, NULL, 0, NULL, NULL);
	route_request(p, pkt, msg, t);
}

static void handle_rsp(struct sip_proxy *p, const struct net_pkt *pkt,
		       struct sip_msg *msg)
{
	struct tsx *t;

	p->st.rx_rsp++;
	if (!px_host_is_us(p, &msg->via1.host, msg->via1.port)) {
		p->st.rx_bad_rsp++;	/* RFC 3261 18.1.2: not ours */
		return;
	}
	if (cdr_traced(msg))
		cdr_trace(p, msg, false, pkt->from.tp, &pkt->from, &pkt->to);
	t = tsx_cli_find(p, msg);
	if (t) {
		tsx_cli_response(p, t, msg);
		return;
	}
	route_rsp_stateless(p, msg);
}

static bool keepalive(const uint8_t *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (d[i] != '\r' && d[i] != '\n')
			return false;
	return true;
}

static void handle_one(struct sip_proxy *p, const struct net_pkt *pkt)
{
	struct sip_msg *msg = &p->m1;
	int err;

	if (keepalive(pkt->data, pkt->len))
		return;
	err = sip_msg_decode(msg, pkt->data, pkt->len);
	if (err) {
		bool rsp = pkt->len >= 4 && !memcmp(pkt->data, "SIP/", 4);

		if (rsp) {
			p->st.rx_bad_rsp++;
			return;
		}
		p->st.rx_bad_req++;
		reply_raw(p, pkt, err == EBADMSG ? msg->err : "Bad Request");
		return;
	}
	if (msg->is_req)
		handle_req(p, pkt, msg);
	else
		handle_rsp(p, pkt, msg);
}

static struct conn *conn_get(struct sip_proxy *p, uint64_t id)
{
	struct conn **cp = &p->conn_tab[id % CONN_BUCKETS], *c;

	for (c = *cp; c; c = c->next)
		if (c->id == id)
			return c;
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	buf_init(&c->b);
	c->next = *cp;
	*cp = c;
	return c;
}

static void close_conn(struct sip_proxy *p, const struct net_pkt *in)
{
	struct outq *o = mem_zalloc(sizeof(*o));

	conn_drop(p, in->conn_id);
	if (!o)
		return;
	o->out.kind = NET_OUT_CLOSE;
	o->out.conn_id = in->conn_id;
	o->out.dst = in->from;
	if (p->oq_tail)
		p->oq_tail->next = o;
	else
		p->oq_head = o;
	p->oq_tail = o;
}

/* Stream transports: frame whole messages out of the chunks of one
 * connection (RFC 3261 18.3); an unframeable stream is closed. */
static int stream_input(struct sip_proxy *p, const struct net_pkt *in)
{
	struct net_pkt one = *in;
	struct conn *c;
	size_t off = 0, skip, mlen;
	int err;

	if (!in->data && !in->len) {
		conn_drop(p, in->conn_id);
		reg_conn_closed(p, in->conn_id);
		tsx_cli_conn_failed(p, &in->from);
		return 0;
	}
	c = conn_get(p, in->conn_id);
	if (!c)
		return ENOMEM;
	if (c->b.len + in->len > CONN_MAX_BUF) {
		close_conn(p, in);
		return 0;
	}
	if (buf_put(&c->b, in->data, in->len))
		return ENOMEM;
	for (;;) {
		err = sip_frame(c->b.data + off, c->b.len - off, 65536, &skip,
				&mlen);
		if (err == ENODATA) {
			off += skip;
			break;
		}
		if (err) {
			close_conn(p, in);
			return 0;
		}
		one.data = c->b.data + off + skip;
		one.len = mlen;
		handle_one(p, &one);
		off += skip + mlen;
		c = conn_get(p, in->conn_id);
		if (!c)
			return 0;
	}
	if (off) {
		memmove(c->b.data, c->b.data + off, c->b.len - off);
		c->b.len -= off;
	}
	return 0;
}

int sip_proxy_input(struct sip_proxy *p, uint64_t now_us,
		    const struct net_pkt *in)
{
	if (!p || !in)
		return EINVAL;
	p->now = now_us;
	if (in->data && in->len)
		p->st.rx_inputs++;
	if (net_tp_is_stream(in->from.tp) && in->conn_id)
		return stream_input(p, in);
	if (!in->data || !in->len)
		return 0;
	handle_one(p, in);
	return 0;
}

int sip_proxy_timeout(struct sip_proxy *p, uint64_t now_us)
{
	struct tq_ent e;

	if (!p)
		return EINVAL;
	p->now = now_us;
	while (!tq_pop(&p->tq, now_us, &e)) {
		switch (e.kind) {
		case TM_TSX_RETX:
		case TM_TSX_LIFE:
			tsx_timer(p, e.kind, e.arg);
			break;
		case TM_BINDING:
			reg_timer(p, e.arg);
			break;
		case TM_CALL:
			cdr_timer(p, e.arg);
			break;
		case TM_PUSH:
			pn_timer(p, e.arg);
			break;
		case TM_DNS:
			dns_timer(p, e.arg);
			break;
		case TM_RING:
			route_ring(p, e.arg);
			break;
		default:
			pres_timer(p, e.kind, e.arg);
			break;
		}
	}
	return 0;
}

int sip_proxy_output(struct sip_proxy *p, struct net_out *out)
{
	struct outq *o;

	if (!p || !out)
		return EINVAL;
	mem_free(p->oq_cur);
	p->oq_cur = NULL;
	o = p->oq_head;
	if (!o)
		return ENOENT;
	p->oq_head = o->next;
	if (!p->oq_head)
		p->oq_tail = NULL;
	p->oq_cur = o;
	*out = o->out;
	out->data = o->data;
	out->len = o->len;
	return 0;
}

uint64_t sip_proxy_deadline(struct sip_proxy *p)
{
	return p ? tq_deadline(&p->tq) : UINT64_MAX;
}

void sip_proxy_stats(const struct sip_proxy *p, struct sip_proxy_stats *st)
{
	*st = p->st;
	st->tsx_live = p->ntsx;
}

static int ops_input(void *c, uint64_t now, const struct net_pkt *in)
{
	return sip_proxy_input(c, now, in);
}

static int ops_timeout(void *c, uint64_t now)
{
	return sip_proxy_timeout(c, now);
}

static int ops_output(void *c, struct net_out *out)
{
	return sip_proxy_output(c, out);
}

static uint64_t ops_deadline(void *c)
{
	return sip_proxy_deadline(c);
}

const struct core_ops sip_proxy_core_ops = {
	.name = "sip",
	.input = ops_input,
	.timeout = ops_timeout,
	.output = ops_output,
	.deadline = ops_deadline,
};
