/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP relay routing (RFC 4976 7): what the relay does with each request
 * and response it parses. A request addressed to one of our sessions is
 * rewritten (our URI leaves To-Path and joins the front of From-Path, a
 * fresh transaction id per hop) and its content streamed to the next hop
 * piece by piece as it arrives. Only one chunk may be open on a
 * connection at a time (RFC 4975 7.1), so a SEND that owns a connection
 * is interrupted with a '+' end-line when someone else must write there,
 * and resumed later as a new chunk whose Byte-Range starts where it
 * stopped (RFC 4975 7.1.1). A non-SEND owner cannot be interrupted: the
 * others hold their bytes (bounded by max_hold) until it ends.
 *
 * Content bytes are copied only into the output queue (and a hold buffer
 * while a next hop is busy); never logged or kept past delivery (P13).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "msrp/msrp_int.h"

static char *pl_dup(const struct pl *pl)
{
	return mem_strndup(pl->p ? pl->p : "", pl->len);
}

static void first_uri(const char *path, struct pl *out)
{
	struct pl p = pl_from_str(path);

	if (msrp_path_next(&p, out))
		*out = PL_NULL;
}

/* ---- writing to a connection, one open chunk at a time ---- */

static int end_line(struct msrp_relay *r, struct msrp_route *rt, char flag)
{
	char tmp[MSRP_BND_MAX + 8];
	struct buf b;
	struct pl tid = pl_from_str(rt->tid);

	buf_init_fixed(&b, tmp, sizeof(tmp));
	if (msrp_end_encode(&b, &tid, flag, rt->has_body))
		return EOVERFLOW;
	rt->open = false;
	return msrp_emit(r, rt->to, b.data, b.len);
}

/* End the open chunk of owner o with '+' so another may write. */
static int interrupt(struct msrp_relay *r, struct msrp_route *o)
{
	int err = 0;

	if (o->open)
		err = end_line(r, o, '+');
	o->owner = false;
	o->to->owner = NULL;
	r->st.interrupted++;
	return err;
}

static int txn_add(struct msrp_relay *r, struct msrp_route *rt,
		   enum txn_mode mode)
{
	struct msrp_txn *t;
	struct pl tid = pl_from_str(rt->tid);
	size_t b;

	if (r->ntxns >= r->cfg.max_txns)
		return 0;	/* its response will be dropped, no harm */
	t = mem_zalloc(sizeof(*t));
	if (!t)
		return ENOMEM;
	memcpy(t->tid, rt->tid, sizeof(t->tid));
	memcpy(t->in_tid, rt->in_tid, sizeof(t->in_tid));
	memcpy(t->msg_id, rt->msg_id, sizeof(t->msg_id));
	memcpy(t->range, rt->range_txt, sizeof(t->range));
	t->mode = mode;
	t->out = rt->to;
	t->in = rt->from;
	t->from_path = mem_strdup(rt->from_path);
	t->our_uri = mem_strdup(rt->our_uri);
	if (!t->from_path || !t->our_uri ||
	    tq_add(&r->tq, r->now_us + (uint64_t)r->cfg.txn_timeout_s * 1000000,
		   T_TXN, t, &t->timer)) {
		mem_free(t->from_path);
		mem_free(t->our_uri);
		mem_free(t);
		return ENOMEM;
	}
	b = msrp_hash(tid.p, tid.len) & (r->hsize - 1);
	t->hnext = r->txn_h[b];
	r->txn_h[b] = t;
	t->next = r->txns;
	if (r->txns)
		r->txns->prev = t;
	r->txns = t;
	r->ntxns++;
	return 0;
}

/* Write the head of a new chunk of rt to rt->to (we own it). */
static int chunk_open(struct msrp_relay *r, struct msrp_route *rt)
{
	struct buf b;
	struct pl tid;
	uint64_t start, end;
	int err;

	msrp_new_tid(r, rt->tid);
	tid = pl_from_str(rt->tid);
	buf_init(&b);
	err = msrp_req_start_encode(&b, &tid, rt->method);
	err = err ? err : buf_put(&b, rt->head.data, rt->mime_off);
	if (!err && rt->sent) {
		/* A resumed chunk: the range starts past what went out. */
		start = (rt->has_range ? rt->range.start : 1) + rt->sent;
		if (rt->has_range && !rt->range.end_star) {
			end = rt->range.end < start ? start - 1 : rt->range.end;
			err = buf_printf(&b, "Byte-Range: %llu-%llu/",
					 (unsigned long long)start,
					 (unsigned long long)end);
		} else {
			err = buf_printf(&b, "Byte-Range: %llu-*/",
					 (unsigned long long)start);
		}
		if (!err && rt->has_range && !rt->range.total_star)
			err = buf_printf(&b, "%llu\r\n",
					 (unsigned long long)rt->range.total);
		else if (!err)
			err = buf_put_str(&b, "*\r\n");
	} else if (!err && rt->has_range) {
		err = buf_printf(&b, "Byte-Range: %s\r\n", rt->range_txt);
	}
	err = err ? err : buf_put(&b, rt->head.data + rt->mime_off,
				  rt->head.len - rt->mime_off);
	if (!err && rt->has_body)
		err = buf_put_str(&b, "\r\n");
	err = err ? err : msrp_emit(r, rt->to, b.data, b.len);
	buf_fini(&b);
	if (err)
		return err;
	rt->open = true;
	r->st.fwd_requests++;
	if (rt->is_send && rt->fr != MSRP_REP_NO)
		return txn_add(r, rt, TX_REPORT);
	if (!rt->is_send && strcmp(rt->method, "REPORT"))
		return txn_add(r, rt, TX_PASS);
	return 0;
}

static void wait_del(struct msrp_relay *r, struct msrp_route *rt)
{
	struct msrp_route **pp;

	if (!rt->waiting)
		return;
	for (pp = &rt->to->waitq; *pp; pp = &(*pp)->wnext)
		if (*pp == rt) {
			*pp = rt->wnext;
			break;
		}
	rt->waiting = false;
	rt->wnext = NULL;
}

static void hold_drop(struct msrp_relay *r, struct msrp_route *rt)
{
	r->held -= rt->hold.len;
	buf_fini(&rt->hold);
	buf_init(&rt->hold);
}

/* Make rt the owner of rt->to, flushing what it held. */
static int take(struct msrp_relay *r, struct msrp_route *rt)
{
	int err = 0;

	rt->to->owner = rt;
	rt->owner = true;
	if (!rt->open)
		err = chunk_open(r, rt);
	if (!err && rt->hold.len)
		err = msrp_emit(r, rt->to, rt->hold.data, rt->hold.len);
	if (!err)
		rt->sent += rt->hold.len;
	hold_drop(r, rt);
	return err;
}

/* 1: rt owns rt->to now; 0: it waits; or an errno. */
static int acquire(struct msrp_relay *r, struct msrp_route *rt)
{
	struct msrp_conn *to = rt->to;
	struct msrp_route *o = to->owner;
	int err;

	if (o == rt)
		return 1;
	if (rt->waiting) {
		if (!o || !o->is_send || to->waitq != rt)
			return 0;
		wait_del(r, rt);
	} else if (o && !o->is_send) {
		struct msrp_route **pp = &to->waitq;

		while (*pp)
			pp = &(*pp)->wnext;
		*pp = rt;
		rt->waiting = true;
		return 0;
	}
	if (o && (err = interrupt(r, o)))
		return err;
	err = take(r, rt);
	return err ? err : 1;
}

void msrp_conn_release(struct msrp_relay *r, struct msrp_conn *c)
{
	struct msrp_route *rt;

	c->owner = NULL;
	if (c->closing)
		return;
	if (c->defer.len) {
		msrp_emit(r, c, c->defer.data, c->defer.len);
		buf_reset(&c->defer);
	}
	while ((rt = c->waitq)) {
		wait_del(r, rt);
		if (take(r, rt))
			return;
		if (!rt->ended)
			return;
		end_line(r, rt, rt->flag);
		rt->owner = false;
		c->owner = NULL;
		msrp_route_free(r, rt);
	}
}

int msrp_send_msg(struct msrp_relay *r, struct msrp_conn *c,
		  const struct buf *msg)
{
	int err;

	if (c->closing)
		return 0;
	if (c->owner && c->owner->is_send) {
		if ((err = interrupt(r, c->owner)))
			return err;
	} else if (c->owner) {
		if (c->defer.len + msg->len > r->cfg.max_hold)
			return 0;	/* dropped: the peer is not reading */
		return buf_put(&c->defer, msg->data, msg->len);
	}
	return msrp_emit(r, c, msg->data, msg->len);
}

/* ---- route lifetime ---- */

void msrp_route_free(struct msrp_relay *r, struct msrp_route *rt)
{
	wait_del(r, rt);
	if (rt->owner && rt->to && rt->to->owner == rt)
		rt->to->owner = NULL;
	if (rt->from && rt->from->cur == rt)
		rt->from->cur = NULL;
	if (rt->prev)
		rt->prev->next = rt->next;
	else
		r->routes = rt->next;
	if (rt->next)
		rt->next->prev = rt->prev;
	r->nroutes--;
	hold_drop(r, rt);
	buf_fini(&rt->head);
	buf_fini(&rt->reply);
	mem_free(rt->from_path);
	mem_free(rt->our_uri);
	mem_free(rt);
}

/* A REPORT toward the sender of rt (RFC 4975 7.1.2). */
static int report_back(struct msrp_relay *r, struct msrp_conn *c,
		       const char *from_path, const char *our_uri,
		       const char *msg_id, const char *range, uint16_t code)
{
	char tidbuf[MSRP_TID_MAX + 1];
	struct pl tid, to = pl_from_str(from_path), fr = pl_from_str(our_uri),
		  id = pl_from_str(msg_id), rg = pl_from_str(range);
	struct buf b;
	int err;

	if (!c)
		return 0;
	msrp_new_tid(r, tidbuf);
	tid = pl_from_str(tidbuf);
	buf_init(&b);
	err = msrp_report_encode(&b, &tid, &to, &fr, &id, &rg, code);
	err = err ? err : msrp_send_msg(r, c, &b);
	buf_fini(&b);
	r->st.reports_made++;
	return err;
}

void msrp_route_fail(struct msrp_relay *r, struct msrp_route *rt,
		     uint16_t code)
{
	if (rt->ended) {
		if (rt->is_send && rt->fr != MSRP_REP_NO)
			report_back(r, rt->from, rt->from_path, rt->our_uri,
				    rt->msg_id, rt->range_txt, code);
		msrp_route_free(r, rt);
		return;
	}
	wait_del(r, rt);
	if (rt->owner && rt->to->owner == rt)
		rt->to->owner = NULL;
	rt->owner = false;
	rt->open = false;
	hold_drop(r, rt);
	rt->kind = RT_DROP;
	rt->fail_code = code;
	rt->to = NULL;
}

void msrp_route_abort(struct msrp_relay *r, struct msrp_route *rt)
{
	struct msrp_conn *to = rt->to;

	/* The sender vanished mid-chunk: tell the next hop the message is
	 * aborted ('#', RFC 4975 7.1) rather than leave the chunk open. */
	if (rt->kind == RT_FWD && rt->owner && to->owner == rt) {
		if (rt->open)
			end_line(r, rt, '#');
		rt->owner = false;
		msrp_route_free(r, rt);
		msrp_conn_release(r, to);
		return;
	}
	msrp_route_free(r, rt);
}

/* ---- responses ---- */

static int resp_start(struct buf *b, const char *tid, uint16_t code,
		      const char *comment, const struct pl *to,
		      const struct pl *from)
{
	struct pl t = pl_from_str(tid);
	int err;

	err = msrp_resp_start_encode(b, &t, code, comment);
	err = err ? err : msrp_hdr_encode(b, "To-Path", to);
	return err ? err : msrp_hdr_encode(b, "From-Path", from);
}

void msrp_txn_error(struct msrp_relay *r, struct msrp_txn *t, uint16_t code)
{
	struct pl to, from;
	struct buf b;

	if (t->mode == TX_REPORT && t->in) {
		report_back(r, t->in, t->from_path, t->our_uri, t->msg_id,
			    t->range, code);
	} else if (t->mode == TX_PASS && t->in) {
		first_uri(t->from_path, &to);
		from = pl_from_str(t->our_uri);
		buf_init(&b);
		if (!resp_start(&b, t->in_tid, code, NULL, &to, &from) &&
		    !buf_printf(&b, "-------%s$\r\n", t->in_tid))
			msrp_send_msg(r, t->in, &b);
		buf_fini(&b);
	}
	msrp_txn_del(r, t);
}

static int response_in(struct msrp_relay *r, struct msrp_conn *c,
		       const struct msrp_msg *m)
{
	struct msrp_txn *t = msrp_txn_find(r, &m->tid);
	struct pl to, from;
	struct buf b;
	size_t i;
	int err = 0;

	if (!t || t->out != c)
		return 0;	/* not ours: dropped (RFC 4975 7.2) */
	r->st.fwd_responses++;
	if (t->mode == TX_REPORT) {
		if (m->scode >= 300)
			msrp_txn_error(r, t, m->scode);
		else
			msrp_txn_del(r, t);
		return 0;
	}
	if (t->in) {
		/* Pass the response back hop by hop, with its headers (a
		 * chained AUTH needs WWW-Authenticate, Use-Path, Expires). */
		first_uri(t->from_path, &to);
		from = pl_from_str(t->our_uri);
		buf_init(&b);
		err = resp_start(&b, t->in_tid, m->scode,
				 NULL, &to, &from);
		for (i = 0; !err && i < m->nhdrs; i++)
			if (m->hdrs[i].id != MSRP_H_TO_PATH &&
			    m->hdrs[i].id != MSRP_H_FROM_PATH)
				err = buf_printf(&b, "%.*s\r\n",
						 PL_ARG(m->hdrs[i].line));
		err = err ? err : buf_printf(&b, "-------%s$\r\n", t->in_tid);
		err = err ? err : msrp_send_msg(r, t->in, &b);
		buf_fini(&b);
	}
	msrp_txn_del(r, t);
	return err;
}

/* ---- requests ---- */

static bool ours(const struct msrp_session *s, const struct msrp_uri *u)
{
	return s && pl_caseeq(&u->host, &s->u.host) &&
	       msrp_uri_port(u) == msrp_uri_port(&s->u) &&
	       u->secure == s->u.secure;
}

static struct msrp_conn *client_conn(struct msrp_relay *r,
				     const struct msrp_uri *u)
{
	struct msrp_session *s;

	for (s = r->sessions; s; s = s->next)
		if (msrp_uri_eq(&s->cu, u))
			return s->client;
	return NULL;
}

/* A connection toward u: numeric host inside the configured networks. */
static uint16_t next_hop(struct msrp_relay *r, const struct msrp_uri *u,
			 struct msrp_conn **out)
{
	struct net_addr a;
	char tmp[96];
	size_t i;
	int n;

	*out = client_conn(r, u);
	if (*out)
		return 0;
	n = snprintf(tmp, sizeof(tmp), u->ipv6 ? "[%.*s]:%u" : "%.*s:%u",
		     PL_ARG(u->host), (unsigned)msrp_uri_port(u));
	if (n < 0 || (size_t)n >= sizeof(tmp) ||
	    net_addr_parse(&(struct pl){ tmp, (size_t)n }, 0, &a))
		return 403;	/* names are not resolved by the core */
	for (i = 0; i < r->cfg.nnets; i++)
		if (net_addr_in_prefix(&a, &r->nets[i].pfx, r->nets[i].bits))
			break;
	if (i == r->cfg.nnets)
		return 403;
	a.tp = u->secure ? NET_TLS : NET_TCP;
	*out = msrp_conn_out(r, &a);
	return *out ? 0 : 503;
}

static bool is_mime(const struct msrp_hdr *h)
{
	return pl_prefix_case(&h->name, "Content-");
}

/* The header lines sent on: new To-Path, From-Path with our URIs first. */
static int build_head(struct msrp_route *rt, const struct msrp_msg *m,
		      const struct pl *to_rest,
		      struct msrp_session *const *hops, size_t nhops)
{
	const struct msrp_hdr *h;
	struct buf *b = &rt->head;
	size_t i;
	int err, pass, want;

	err = buf_printf(b, "To-Path: %.*s\r\nFrom-Path:", PL_ARG(*to_rest));
	for (i = nhops; !err && i > 0; i--)
		err = buf_printf(b, " %s", hops[i - 1]->uri);
	h = msrp_msg_hdr(m, MSRP_H_FROM_PATH);
	err = err ? err : buf_printf(b, " %.*s\r\n", PL_ARG(h->val));
	/* Content-Type ends the head (RFC 4975 9: content-stuff). */
	for (pass = 0; pass < 3 && !err; pass++) {
		if (pass == 1)
			rt->mime_off = b->len;
		for (i = 0; i < m->nhdrs && !err; i++) {
			h = &m->hdrs[i];
			if (h->id == MSRP_H_TO_PATH ||
			    h->id == MSRP_H_FROM_PATH ||
			    h->id == MSRP_H_BYTE_RANGE)
				continue;
			want = !is_mime(h) ? 0 :
			       h->id == MSRP_H_CONTENT_TYPE ? 2 : 1;
			if (want != pass)
				continue;
			err = buf_printf(b, "%.*s\r\n", PL_ARG(h->line));
		}
	}
	return err;
}

/* Decide where a request goes. 0, or the status to answer with. */
static uint16_t resolve(struct msrp_relay *r, struct msrp_conn *c,
			const struct msrp_msg *m, struct msrp_route *rt)
{
	struct msrp_session *hops[8], *s;
	struct msrp_uri u, nu;
	struct pl rest, raw, nraw;
	size_t nhops = 0;
	uint16_t code;

	rest = msrp_msg_hdr(m, MSRP_H_TO_PATH)->val;
	if (msrp_path_next(&rest, &raw) || msrp_uri_decode(&u, &raw))
		return 400;
	for (;;) {
		s = msrp_session_find(r, &u.session);
		if (!ours(s, &u))
			break;
		if (nhops == sizeof(hops) / sizeof(hops[0]))
			return 400;
		if (msrp_path_next(&rest, &nraw) || msrp_uri_decode(&nu, &nraw))
			return nhops ? 400 : 481;
		/* RFC 4976 7.4: only the session's own client may send
		 * through it; anyone may send to that client. */
		if (!(nhops == 0 && c == s->client) && !msrp_uri_eq(&nu, &s->cu))
			return 403;
		hops[nhops++] = s;
		u = nu;
		raw = nraw;
	}
	if (!nhops)
		return 481;
	code = next_hop(r, &u, &rt->to);
	if (code)
		return code;
	rest = pl_from_mem(raw.p, (size_t)(rest.p + rest.len - raw.p));
	pl_trim(&rest);
	mem_free(rt->our_uri);
	rt->our_uri = mem_strdup(hops[0]->uri);
	if (!rt->our_uri || build_head(rt, m, &rest, hops, nhops))
		return 503;
	return 0;
}

static uint16_t route_head(struct msrp_relay *r, struct msrp_conn *c,
			   const struct msrp_msg *m, struct msrp_route *rt)
{
	const struct msrp_hdr *h;
	size_t n;
	struct pl first;

	h = msrp_msg_hdr(m, MSRP_H_FROM_PATH);
	rt->from_path = pl_dup(&h->val);
	{
		struct pl tp = msrp_msg_hdr(m, MSRP_H_TO_PATH)->val;

		if (msrp_path_next(&tp, &first))
			first = PL_NULL;
		rt->our_uri = pl_dup(&first);
	}
	if (!rt->from_path || !rt->our_uri)
		return 503;
	if (msrp_path_count(&h->val, &n) ||
	    msrp_path_count(&msrp_msg_hdr(m, MSRP_H_TO_PATH)->val, &n))
		return 400;
	if (msrp_report_get(m, MSRP_H_FAILURE_REPORT, MSRP_REP_YES, &rt->fr))
		return 400;
	if ((h = msrp_msg_hdr(m, MSRP_H_MESSAGE_ID))) {
		if (!msrp_ident_ok(&h->val))
			return 400;
		pl_strcpy(&h->val, rt->msg_id, sizeof(rt->msg_id));
	} else if (m->mid == MSRP_M_SEND || m->mid == MSRP_M_REPORT) {
		return 400;
	}
	if ((h = msrp_msg_hdr(m, MSRP_H_BYTE_RANGE))) {
		if (msrp_range_decode(&h->val, &rt->range) ||
		    pl_strcpy(&h->val, rt->range_txt, sizeof(rt->range_txt)))
			return 400;
		rt->has_range = true;
	}
	if (m->method.len >= sizeof(rt->method))
		return 501;
	if (m->mid == MSRP_M_AUTH && n == 1) {
		rt->kind = RT_LOCAL;
		return msrp_auth_handle(r, c, m, rt) ? 503 : 0;
	}
	return resolve(r, c, m, rt);
}

/* Append content for the next hop, or hold it while that hop is busy. */
static int route_data(struct msrp_relay *r, struct msrp_route *rt,
		      const struct pl *data)
{
	int err;

	if (rt->kind != RT_FWD)
		return 0;
	err = acquire(r, rt);
	if (err < 0 || err > 1)
		return err;
	if (err == 1) {
		rt->sent += data->len;
		r->st.fwd_bytes += data->len;
		return msrp_emit(r, rt->to, data->p, data->len);
	}
	/* Per route and, sixteen times that, for the whole relay. */
	if (rt->hold.len + data->len > r->cfg.max_hold ||
	    r->held + data->len > 16 * (size_t)r->cfg.max_hold) {
		msrp_route_fail(r, rt, 413);
		return 0;
	}
	r->held += data->len;
	r->st.fwd_bytes += data->len;
	return buf_put(&rt->hold, data->p, data->len);
}

/* What the previous hop hears about its request (RFC 4976 7.4.1). */
static int sender_reply(struct msrp_relay *r, struct msrp_route *rt)
{
	struct msrp_conn *c = rt->from;
	struct pl to, from;
	struct buf b;
	uint16_t code;
	int err;

	if (!c)
		return 0;
	if (rt->kind == RT_LOCAL) {
		err = msrp_send_msg(r, c, &rt->reply);
		if (rt->close_after)
			c->closing = true;
		return err;
	}
	code = rt->kind == RT_DROP ? rt->fail_code : 200;
	if (!strcmp(rt->method, "REPORT") ||
	    (rt->kind == RT_FWD && !rt->is_send))
		return 0;	/* REPORTs get no response; others pass */
	if (rt->is_send && (rt->fr == MSRP_REP_NO ||
			    (rt->fr == MSRP_REP_PARTIAL && code == 200)))
		return 0;
	first_uri(rt->from_path, &to);
	from = pl_from_str(rt->our_uri);
	buf_init(&b);
	err = resp_start(&b, rt->in_tid, code, NULL, &to, &from);
	err = err ? err : buf_printf(&b, "-------%s$\r\n", rt->in_tid);
	err = err ? err : msrp_send_msg(r, c, &b);
	buf_fini(&b);
	if (code != 200)
		r->st.rejected++;
	return err;
}

static int route_end(struct msrp_relay *r, struct msrp_route *rt, char flag)
{
	struct msrp_conn *to;
	int err;

	rt->ended = true;
	rt->flag = flag;
	err = sender_reply(r, rt);
	if (err || rt->kind != RT_FWD) {
		msrp_route_free(r, rt);
		return err;
	}
	err = acquire(r, rt);
	if (err != 1)
		return err < 0 ? 0 : err;	/* waits: release ends it */
	to = rt->to;
	err = end_line(r, rt, flag);
	rt->owner = false;
	msrp_route_free(r, rt);
	msrp_conn_release(r, to);
	return err;
}

int msrp_route_event(struct msrp_relay *r, struct msrp_conn *c,
		     const struct msrp_ev *ev)
{
	struct msrp_route *rt;
	uint16_t code;

	if (ev->kind == MSRP_EV_HEAD && !ev->msg->is_req)
		return response_in(r, c, ev->msg);
	if (ev->kind == MSRP_EV_HEAD) {
		if (r->nroutes >= r->cfg.max_txns) {
			c->closing = true;	/* overload: shed the peer */
			return 0;
		}
		rt = mem_zalloc(sizeof(*rt));
		if (!rt)
			return ENOMEM;
		buf_init(&rt->head);
		buf_init(&rt->hold);
		buf_init(&rt->reply);
		rt->from = c;
		rt->kind = RT_FWD;
		rt->is_send = ev->msg->mid == MSRP_M_SEND;
		rt->has_body = ev->msg->has_body;
		pl_strcpy(&ev->msg->tid, rt->in_tid, sizeof(rt->in_tid));
		pl_strcpy(&ev->msg->method, rt->method, sizeof(rt->method));
		rt->next = r->routes;
		if (r->routes)
			r->routes->prev = rt;
		r->routes = rt;
		r->nroutes++;
		c->cur = rt;
		code = route_head(r, c, ev->msg, rt);
		if (code) {
			rt->kind = RT_DROP;
			rt->fail_code = code;
			rt->to = NULL;
			return 0;
		}
		if (rt->kind == RT_FWD) {
			int err = acquire(r, rt);
			return err < 0 || err > 1 ? err : 0;
		}
		return 0;
	}
	rt = c->cur;
	if (!rt)
		return 0;	/* the END of a response */
	if (ev->kind == MSRP_EV_DATA)
		return route_data(r, rt, &ev->data);
	c->cur = NULL;
	return route_end(r, rt, ev->flag);
}

int msrp_reply_malformed(struct msrp_relay *r, struct msrp_conn *c)
{
	const struct msrp_parser *p = &c->ps;
	struct pl to, from, tv, fv;
	struct msrp_uri u;
	char tid[MSRP_TID_MAX + 1];
	struct buf b;
	int err;

	/* RFC 4975 7.3: 400 when we can still address the sender. */
	if (!p->is_req || !p->tid[0])
		return 0;
	memcpy(tid, p->tid, sizeof(tid));
	msrp_parser_paths(p, &tv, &fv);
	if (msrp_path_next(&fv, &to) || msrp_uri_decode(&u, &to) ||
	    msrp_path_next(&tv, &from) || msrp_uri_decode(&u, &from))
		return 0;
	buf_init(&b);
	err = resp_start(&b, tid, 400, NULL, &to, &from);
	err = err ? err : buf_printf(&b, "-------%s$\r\n", tid);
	err = err ? err : msrp_send_msg(r, c, &b);
	buf_fini(&b);
	return err;
}
