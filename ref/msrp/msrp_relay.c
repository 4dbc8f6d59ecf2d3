/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP relay core (RFC 4976), the sans-IO half that does not route:
 * connection, session and transaction tables (bounded from config, hashed
 * by connection id, session id and transaction id), timers through
 * base/tq.h, the output queue, and the four calls of base/core.h. What a
 * request means and where it goes is msrp_route.c.
 *
 * Known limit: closing a connection walks every route and transaction
 * (O(n) in the bounded tables), which keeps the per-byte path free of
 * back-pointers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "msrp/msrp_int.h"

void msrp_relay_cfg_defaults(struct msrp_relay_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_conns = 1024;
	cfg->max_sessions = 4096;
	cfg->max_sessions_per_conn = 64;
	cfg->max_txns = 16384;
	cfg->max_head = 16384;
	cfg->max_hold = 65536;
	cfg->expires_s = 1800;
	cfg->min_expires_s = 60;
	cfg->max_expires_s = 86400;
	cfg->idle_s = 600;
	cfg->txn_timeout_s = 30;
	cfg->nonce_ttl_s = 60;
	cfg->max_auth_fail = 5;
	cfg->alg = MSRP_ALG_MD5;
}

uint32_t msrp_hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (len--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

static size_t id_bucket(const struct msrp_relay *r, uint64_t id)
{
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (r->hsize - 1);
}

static size_t str_bucket(const struct msrp_relay *r, const struct pl *s)
{
	return msrp_hash(s->p, s->len) & (r->hsize - 1);
}

int msrp_relay_new(struct msrp_relay **rp, const struct msrp_relay_cfg *cfg,
		   uint64_t seed)
{
	struct msrp_relay *r;
	size_t want;
	int err = ENOMEM;

	if (!rp || !cfg || !cfg->realm || !cfg->ha1 || !cfg->max_conns ||
	    !cfg->max_sessions || !cfg->max_txns || cfg->max_head < 256)
		return EINVAL;
	r = mem_zalloc(sizeof(*r));
	if (!r)
		return ENOMEM;
	r->cfg = *cfg;
	tq_init(&r->tq);
	rng_seed(&r->rng, seed);
	want = cfg->max_conns;
	if (cfg->max_sessions > want)
		want = cfg->max_sessions;
	if (cfg->max_txns > want)
		want = cfg->max_txns;
	for (r->hsize = 16; r->hsize < want && r->hsize < (1u << 20);)
		r->hsize <<= 1;
	r->realm = mem_strdup(cfg->realm);
	r->host = cfg->host ? mem_strdup(cfg->host) : NULL;
	r->conn_h = mem_zalloc(r->hsize * sizeof(*r->conn_h));
	r->sess_h = mem_zalloc(r->hsize * sizeof(*r->sess_h));
	r->txn_h = mem_zalloc(r->hsize * sizeof(*r->txn_h));
	if (cfg->nnets) {
		r->nets = mem_alloc(cfg->nnets * sizeof(*r->nets));
		if (r->nets)
			memcpy(r->nets, cfg->nets,
			       cfg->nnets * sizeof(*r->nets));
	}
	if (!r->realm || (cfg->host && !r->host) || !r->conn_h ||
	    !r->sess_h || !r->txn_h || (cfg->nnets && !r->nets))
		goto out;
	r->cfg.nets = r->nets;
	r->cfg.realm = r->realm;
	r->cfg.host = r->host;
	*rp = r;
	return 0;
out:
	msrp_relay_free(r);
	return err;
}

static void oq_free(struct out_ent *e)
{
	if (!e)
		return;
	buf_fini(&e->data);
	mem_free(e);
}

void msrp_relay_free(struct msrp_relay *r)
{
	struct out_ent *e;

	if (!r)
		return;
	while (r->conns)
		msrp_conn_close(r, r->conns, false);
	while (r->txns)
		msrp_txn_del(r, r->txns);
	while (r->sessions)
		msrp_session_del(r, r->sessions);
	while (r->routes)
		msrp_route_free(r, r->routes);
	while ((e = r->oq)) {
		r->oq = e->next;
		oq_free(e);
	}
	oq_free(r->ocur);
	tq_fini(&r->tq);
	mem_free(r->conn_h);
	mem_free(r->sess_h);
	mem_free(r->txn_h);
	mem_free(r->nets);
	mem_free(r->realm);
	mem_free(r->host);
	mem_free(r);
}

/* ---- output queue ---- */

static struct out_ent *oq_add(struct msrp_relay *r, enum net_out_kind kind,
			      const struct msrp_conn *c)
{
	struct out_ent *e = mem_zalloc(sizeof(*e));

	if (!e)
		return NULL;
	e->kind = kind;
	e->conn_id = c->id;
	e->dst = c->peer;
	buf_init(&e->data);
	if (r->oq_tail)
		r->oq_tail->next = e;
	else
		r->oq = e;
	r->oq_tail = e;
	return e;
}

int msrp_emit(struct msrp_relay *r, struct msrp_conn *c, const void *p,
	      size_t len)
{
	struct out_ent *e = r->oq_tail;

	if (!len)
		return 0;
	/* Consecutive writes to one connection leave as one chunk. */
	if (!e || e->kind != NET_OUT_SEND || e->conn_id != c->id ||
	    (!c->id && !net_addr_eq(&e->dst, &c->peer))) {
		e = oq_add(r, NET_OUT_SEND, c);
		if (!e)
			return ENOMEM;
	}
	return buf_put(&e->data, p, len);
}

/* ---- connections ---- */

static void conn_hash_add(struct msrp_relay *r, struct msrp_conn *c)
{
	size_t b = id_bucket(r, c->id);

	c->hnext = r->conn_h[b];
	r->conn_h[b] = c;
}

static void conn_hash_del(struct msrp_relay *r, struct msrp_conn *c)
{
	struct msrp_conn **pp;

	for (pp = &r->conn_h[id_bucket(r, c->id)]; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			return;
		}
}

static struct msrp_conn *conn_find(struct msrp_relay *r, uint64_t id)
{
	struct msrp_conn *c;

	for (c = r->conn_h[id_bucket(r, id)]; c; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

static struct msrp_conn *conn_new(struct msrp_relay *r, uint64_t id,
				  const struct net_addr *peer,
				  const struct net_addr *local, bool outgoing)
{
	struct msrp_conn *c;

	if (r->nconns >= r->cfg.max_conns)
		return NULL;
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	c->peer = *peer;
	if (local)
		c->local = *local;
	c->outgoing = outgoing;
	c->last_us = r->now_us;
	msrp_parser_init(&c->ps, r->cfg.max_head);
	buf_init(&c->defer);
	if (tq_add(&r->tq, r->now_us + (uint64_t)r->cfg.idle_s * 1000000,
		   T_CONN, c, &c->timer)) {
		msrp_parser_fini(&c->ps);
		mem_free(c);
		return NULL;
	}
	if (id)
		conn_hash_add(r, c);
	c->next = r->conns;
	if (r->conns)
		r->conns->prev = c;
	r->conns = c;
	r->nconns++;
	if (outgoing)
		r->st.conns_out++;
	else
		r->st.conns_in++;
	return c;
}

struct msrp_conn *msrp_conn_out(struct msrp_relay *r,
				const struct net_addr *dst)
{
	struct msrp_conn *c;

	for (c = r->conns; c; c = c->next)
		if (c->outgoing && !c->closing && c->peer.tp == dst->tp &&
		    net_addr_eq(&c->peer, dst))
			return c;
	return conn_new(r, 0, dst, NULL, true);
}

void msrp_conn_close(struct msrp_relay *r, struct msrp_conn *c, bool tell)
{
	struct msrp_route *rt, *rn;
	struct msrp_session *s, *sn;
	struct msrp_txn *t, *tn;
	struct out_ent *e;

	c->closing = true;
	if (c->cur) {
		rt = c->cur;
		c->cur = NULL;
		rt->from = NULL;
		msrp_route_abort(r, rt);
	}
	/* Routes headed here can no longer deliver (RFC 4975 7.1.1: 408). */
	for (rt = r->routes; rt; rt = rn) {
		rn = rt->next;
		if (rt->to == c)
			msrp_route_fail(r, rt, 408);
	}
	for (rt = r->routes; rt; rt = rt->next)
		if (rt->from == c)
			rt->from = NULL;
	for (t = r->txns; t; t = tn) {
		tn = t->next;
		if (t->out == c)
			msrp_txn_error(r, t, 408);
		else if (t->in == c)
			t->in = NULL;
	}
	for (s = r->sessions; s; s = sn) {
		sn = s->next;
		if (s->client == c)
			msrp_session_del(r, s);
	}
	if (tell && (e = oq_add(r, NET_OUT_CLOSE, c)) == NULL)
		tell = false;	/* the driver's idle timer will do */
	tq_cancel(&r->tq, c->timer);
	if (c->id)
		conn_hash_del(r, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	r->nconns--;
	msrp_parser_fini(&c->ps);
	buf_fini(&c->defer);
	mem_free(c);
}

/* ---- sessions and transactions ---- */

struct msrp_session *msrp_session_find(struct msrp_relay *r,
				       const struct pl *sid)
{
	struct msrp_session *s;

	if (!sid->len)
		return NULL;
	for (s = r->sess_h[str_bucket(r, sid)]; s; s = s->hnext)
		if (pl_eq_str(sid, s->sid))
			return s;
	return NULL;
}

void msrp_session_del(struct msrp_relay *r, struct msrp_session *s)
{
	struct msrp_session **pp;
	struct pl sid = pl_from_str(s->sid);

	for (pp = &r->sess_h[str_bucket(r, &sid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	if (s->prev)
		s->prev->next = s->next;
	else
		r->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->timer)
		tq_cancel(&r->tq, s->timer);
	if (s->client)
		s->client->nsess--;
	r->nsessions--;
	mem_free(s->client_uri);
	mem_free(s->uri);
	mem_free(s);
}

struct msrp_txn *msrp_txn_find(struct msrp_relay *r, const struct pl *tid)
{
	struct msrp_txn *t;

	for (t = r->txn_h[str_bucket(r, tid)]; t; t = t->hnext)
		if (pl_eq_str(tid, t->tid))
			return t;
	return NULL;
}

void msrp_txn_del(struct msrp_relay *r, struct msrp_txn *t)
{
	struct msrp_txn **pp;
	struct pl tid = pl_from_str(t->tid);

	for (pp = &r->txn_h[str_bucket(r, &tid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == t) {
			*pp = t->hnext;
			break;
		}
	if (t->prev)
		t->prev->next = t->next;
	else
		r->txns = t->next;
	if (t->next)
		t->next->prev = t->prev;
	if (t->timer)
		tq_cancel(&r->tq, t->timer);
	r->ntxns--;
	mem_free(t->from_path);
	mem_free(t->our_uri);
	mem_free(t);
}

void msrp_new_tid(struct msrp_relay *r, char *tid)
{
	/* 16 random hex digits: a tid of ours never appears in content a
	 * sender wrote before it could know it (RFC 4975 7.1 asks the
	 * sender of a chunk to pick one absent from its content). */
	rng_hex(&r->rng, tid, 16);
}

/* ---- the four calls ---- */

int msrp_relay_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct msrp_relay *r = core;
	struct msrp_conn *c, *o;
	struct msrp_ev ev;
	struct pl pl;
	int err = 0;

	r->now_us = now_us;
	c = conn_find(r, in->conn_id);
	if (!c) {
		if (!in->data) {
			/* A dial that failed before we learned its id. */
			for (o = r->conns; o; o = o->next)
				if (!o->id && o->outgoing &&
				    net_addr_eq(&o->peer, &in->from))
					break;
			if (o)
				msrp_conn_close(r, o, false);
			return 0;
		}
		/* An outgoing connection we asked for shows its id. */
		for (o = r->conns; o; o = o->next)
			if (!o->id && o->outgoing &&
			    net_addr_eq(&o->peer, &in->from))
				break;
		if (o) {
			c = o;
			c->id = in->conn_id;
			conn_hash_add(r, c);
		} else {
			c = conn_new(r, in->conn_id, &in->from, &in->to, false);
		}
		if (!c) {
			struct msrp_conn tmp = { .id = in->conn_id,
						 .peer = in->from };
			r->st.rejected++;
			return oq_add(r, NET_OUT_CLOSE, &tmp) ? 0 : ENOMEM;
		}
		if (!c->local.u.sa.sa_family)
			c->local = in->to;
	}
	if (!in->data) {
		msrp_conn_close(r, c, false);
		return 0;
	}
	c->last_us = now_us;
	pl = pl_from_mem(in->data, in->len);
	while (!c->closing) {
		err = msrp_parse(&c->ps, &pl, &ev);
		if (err == ENODATA) {
			err = 0;
			break;
		}
		if (err == EBADMSG) {
			r->st.malformed++;
			msrp_reply_malformed(r, c);
			c->closing = true;
			err = 0;
			break;
		}
		if (err)
			break;
		err = msrp_route_event(r, c, &ev);
		if (err)
			break;
	}
	if (c->closing)
		msrp_conn_close(r, c, true);
	return err;
}

int msrp_relay_timeout(void *core, uint64_t now_us)
{
	struct msrp_relay *r = core;
	struct msrp_conn *c;
	struct tq_ent e;
	uint64_t idle = (uint64_t)r->cfg.idle_s * 1000000;

	r->now_us = now_us;
	while (!tq_pop(&r->tq, now_us, &e)) {
		switch (e.kind) {
		case T_CONN:
			c = e.arg;
			c->timer = 0;
			if (now_us - c->last_us >= idle) {
				msrp_conn_close(r, c, true);
				break;
			}
			if (tq_add(&r->tq, c->last_us + idle, T_CONN, c,
				   &c->timer))
				msrp_conn_close(r, c, true);
			break;
		case T_SESSION:
			((struct msrp_session *)e.arg)->timer = 0;
			msrp_session_del(r, e.arg);
			break;
		case T_TXN:
			((struct msrp_txn *)e.arg)->timer = 0;
			r->st.timeouts++;
			msrp_txn_error(r, e.arg, 408);
			break;
		}
	}
	return 0;
}

int msrp_relay_output(void *core, struct net_out *out)
{
	struct msrp_relay *r = core;
	struct out_ent *e;

	oq_free(r->ocur);
	r->ocur = NULL;
	e = r->oq;
	if (!e)
		return ENOENT;
	r->oq = e->next;
	if (!r->oq)
		r->oq_tail = NULL;
	r->ocur = e;
	memset(out, 0, sizeof(*out));
	out->kind = e->kind;
	out->dst = e->dst;
	out->conn_id = e->conn_id;
	out->data = e->data.data;
	out->len = e->data.len;
	return 0;
}

uint64_t msrp_relay_deadline(void *core)
{
	return tq_deadline(&((struct msrp_relay *)core)->tq);
}

const struct msrp_relay_stats *msrp_relay_stats(const struct msrp_relay *r)
{
	return &r->st;
}

size_t msrp_relay_nconns(const struct msrp_relay *r)
{
	return r->nconns;
}

size_t msrp_relay_nsessions(const struct msrp_relay *r)
{
	return r->nsessions;
}

const struct core_ops msrp_relay_ops = {
	.name = "msrp",
	.input = msrp_relay_input,
	.timeout = msrp_relay_timeout,
	.output = msrp_relay_output,
	.deadline = msrp_relay_deadline,
};

int msrp_net_parse(const struct pl *pl, struct msrp_net *out)
{
	struct pl s = *pl, a, b;
	struct msrp_net n;
	uint32_t bits;
	unsigned max;

	pl_trim(&s);
	if (pl_split(&s, '/', &a, &b))
		b = PL_NULL;
	memset(&n, 0, sizeof(n));
	/* The prefix is a bare address; net_addr_parse wants a port or
	 * brackets for IPv6, so wrap it. */
	{
		char tmp[80];
		int len;
		bool v6 = pl_chr(&a, ':') != NULL;

		if (!a.len || a.len > 60)
			return EINVAL;
		len = snprintf(tmp, sizeof(tmp), v6 ? "[%.*s]:1" : "%.*s:1",
			       PL_ARG(a));
		if (len < 0 || net_addr_parse(&(struct pl){ tmp, (size_t)len },
					      1, &n.pfx))
			return EINVAL;
	}
	max = net_addr_family(&n.pfx) == AF_INET6 ? 128 : 32;
	if (b.len) {
		if (pl_to_u32(&b, &bits) || bits > max)
			return EINVAL;
		n.bits = bits;
	} else {
		n.bits = max;
	}
	*out = n;
	return 0;
}
