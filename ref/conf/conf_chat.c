/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chat rooms of the conference focus (see conf_chat.h): MSRP framing
 * through msrp_parse, one reassembly buffer per participant, and the
 * fan-out of each whole message to the other participants of its room
 * wrapped in message/cpim with the sender's nickname. The content is
 * copied only into that buffer and the outgoing frames; it is never
 * logged (POLICY P15).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "base/buf.h"
#include "base/mem.h"
#include "base/rng.h"
#include "msrp/msrp.h"
#include "conf/conf_chat.h"
#include "conf/conf_chat_int.h"

static int enqueue(struct conf_chat *c, enum net_out_kind kind,
		   uint64_t conn_id, const struct net_addr *dst,
		   const void *p, size_t len)
{
	struct chat_q *q = mem_zalloc(sizeof(*q) + len);

	if (!q)
		return ENOMEM;
	q->kind = kind;
	q->conn_id = conn_id;
	if (dst)
		q->dst = *dst;
	q->src = c->cfg.addr;
	net_addr_set_port(&q->src, 0);
	q->len = len;
	if (len)
		memcpy(q->data, p, len);
	if (c->qtail)
		c->qtail->next = q;
	else
		c->qhead = q;
	c->qtail = q;
	return 0;
}

int conf_chat_new(struct conf_chat **out, const struct conf_chat_cfg *cfg)
{
	struct conf_chat *c;

	if (!out || !cfg || !net_addr_port(&cfg->addr))
		return EINVAL;
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return ENOMEM;
	c->cfg = *cfg;
	c->cfg.addr.tp = NET_TCP;
	if (!c->cfg.max_msg)
		c->cfg.max_msg = 65536;
	if (!c->cfg.max_conns)
		c->cfg.max_conns = 256;
	rng_seed(&c->rng, cfg->seed);
	buf_init(&c->b);
	*out = c;
	return 0;
}

static void conn_free(struct conf_chat *c, struct chat_conn *k)
{
	struct chat_conn **pp;
	struct chat_part *p;

	for (pp = &c->conns; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	for (p = c->parts; p; p = p->next)
		if (p->conn_id == k->id)
			p->conn_id = 0;
	msrp_parser_fini(&k->ps);
	mem_free(k->to_path);
	mem_free(k->from_path);
	mem_free(k);
	c->nconns--;
}

static void part_free(struct chat_part *p)
{
	buf_fini(&p->asm_buf);
	mem_free(p->path);
	mem_free(p->from);
	mem_free(p);
}

void conf_chat_free(struct conf_chat *c)
{
	struct chat_room *r;
	struct chat_part *p;
	struct chat_q *q;

	if (!c)
		return;
	while (c->conns)
		conn_free(c, c->conns);
	while ((p = c->parts)) {
		c->parts = p->next;
		part_free(p);
	}
	while ((r = c->rooms)) {
		c->rooms = r->next;
		mem_free(r->uri);
		mem_free(r);
	}
	while ((q = c->qhead)) {
		c->qhead = q->next;
		mem_free(q);
	}
	mem_free(c->sent);
	buf_fini(&c->b);
	mem_free(c);
}

static struct chat_room *room_find(const struct conf_chat *c,
				   const char *name)
{
	struct chat_room *r;

	for (r = c->rooms; r; r = r->next)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

/* The address of a path's first URI (numeric hosts only). */
static int first_hop(const struct pl *path, struct net_addr *out)
{
	struct pl rest = *path, raw;
	struct msrp_uri u;
	char tmp[96];
	int n;

	if (msrp_path_next(&rest, &raw) || msrp_uri_decode(&u, &raw))
		return EINVAL;
	n = snprintf(tmp, sizeof(tmp), u.ipv6 ? "[%.*s]:%u" : "%.*s:%u",
		     PL_ARG(u.host), (unsigned)msrp_uri_port(&u));
	if (n < 0 || (size_t)n >= sizeof(tmp) ||
	    net_addr_parse(&(struct pl){ tmp, (size_t)n }, 0, out))
		return EINVAL;
	out->tp = u.secure ? NET_TLS : NET_TCP;
	return 0;
}

int conf_chat_join(struct conf_chat *c, const char *room,
		   const char *room_uri, const struct pl *path,
		   const char *from, const char *nick, char *uri, size_t sz,
		   uint32_t *id)
{
	struct chat_room *r;
	struct chat_part *p;
	char host[NET_ADDR_STRLEN];
	size_t n, k;
	int err = 0;

	if (!c || !room || !*room || strlen(room) >= ROOM_MAX || !path ||
	    !from || !nick || !*nick || !uri || !id ||
	    msrp_path_count(path, &n) || !n || n > 8)
		return EINVAL;
	p = mem_zalloc(sizeof(*p));
	if (!p)
		return ENOMEM;
	buf_init(&p->asm_buf);
	p->path = mem_alloc(path->len + 1);
	p->from = mem_strdup(from);
	if (!p->path || !p->from) {
		err = ENOMEM;
		goto out;
	}
	memcpy(p->path, path->p, path->len);
	p->path[path->len] = '\0';
	err = first_hop(path, &p->hop);
	if (err)
		goto out;
	r = room_find(c, room);
	if (!r) {
		r = mem_zalloc(sizeof(*r));
		if (!r || !(r->uri = mem_strdup(room_uri ? room_uri : room))) {
			mem_free(r);
			err = ENOMEM;
			goto out;
		}
		snprintf(r->name, sizeof(r->name), "%s", room);
		r->next = c->rooms;
		c->rooms = r;
	}
	snprintf(p->nick, sizeof(p->nick), "%.40s", nick);
	for (k = 2; cc_nick_taken(c, r, p->nick, NULL) && k < 1000; k++)
		snprintf(p->nick, sizeof(p->nick), "%.40s-%zu", nick, k);
	rng_hex(&c->rng, p->sess, sizeof(p->sess) - 1);
	net_addr_host(&c->cfg.addr, host, sizeof(host));
	snprintf(p->uri, sizeof(p->uri),
		 net_addr_family(&c->cfg.addr) == AF_INET6 ?
		 "msrp://[%s]:%u/%s;tcp" : "msrp://%s:%u/%s;tcp", host,
		 (unsigned)net_addr_port(&c->cfg.addr), p->sess);
	if (snprintf(uri, sz, "%s", p->uri) >= (int)sz) {
		err = EINVAL;
		goto out;
	}
	p->room = r;
	r->n++;
	p->id = ++c->next_id;
	p->next = c->parts;
	c->parts = p;
	*id = p->id;
	return 0;
out:
	part_free(p);
	return err;
}

int conf_chat_leave(struct conf_chat *c, uint32_t id)
{
	struct chat_part **pp, *p;
	struct chat_room **rp, *r;
	struct chat_conn *k;

	for (pp = &c->parts; *pp && (*pp)->id != id; pp = &(*pp)->next)
		;
	if (!(p = *pp))
		return ENOENT;
	*pp = p->next;
	for (k = c->conns; k; k = k->next)
		if (k->part == p)
			k->part = NULL;
	r = p->room;
	part_free(p);
	if (--r->n)
		return 0;
	for (rp = &c->rooms; *rp != r; rp = &(*rp)->next)
		;
	*rp = r->next;
	mem_free(r->uri);
	mem_free(r);
	return 0;
}

/* ---- MSRP side ---- */

static struct chat_conn *conn_get(struct conf_chat *c,
				  const struct net_pkt *in)
{
	struct chat_conn *k;

	for (k = c->conns; k; k = k->next)
		if (k->id == in->conn_id)
			return k;
	if (c->nconns >= c->cfg.max_conns)
		return NULL;
	k = mem_zalloc(sizeof(*k));
	if (!k)
		return NULL;
	k->id = in->conn_id;
	k->peer = in->from;
	k->local = in->to;
	msrp_parser_init(&k->ps, MAX_HEAD);
	k->next = c->conns;
	c->conns = k;
	c->nconns++;
	return k;
}

struct chat_part *cc_part_by_sess(const struct conf_chat *c,
				      const struct pl *sess)
{
	struct chat_part *p;

	for (p = c->parts; p; p = p->next)
		if (pl_eq_str(sess, p->sess))
			return p;
	return NULL;
}

void cc_last_uri(struct pl path, struct pl *out)
{
	struct pl raw;

	*out = PL_NULL;
	while (!msrp_path_next(&path, &raw))
		*out = raw;
}

static char *dup_pl(const struct pl *pl)
{
	char *s = mem_alloc(pl->len + 1);

	if (s) {
		memcpy(s, pl->p, pl->len);
		s[pl->len] = '\0';
	}
	return s;
}

struct chat_part *cc_sender(const struct conf_chat *c,
			     const struct msrp_msg *m, uint16_t *code)
{
	struct msrp_uri u, pu;
	struct pl raw, praw;
	struct chat_part *p;

	cc_last_uri(msrp_msg_hdr(m, MSRP_H_TO_PATH)->val, &raw);
	if (msrp_uri_decode(&u, &raw)) {
		*code = 400;
		return NULL;
	}
	p = cc_part_by_sess(c, &u.session);
	if (!p) {
		*code = 481;
		return NULL;
	}
	/* RFC 4975 6.1: the sender's own URI ends its From-Path and must
	 * be the one its SDP gave us. */
	cc_last_uri(msrp_msg_hdr(m, MSRP_H_FROM_PATH)->val, &raw);
	cc_last_uri(pl_from_str(p->path), &praw);	/* by value */
	if (msrp_uri_decode(&u, &raw) || msrp_uri_decode(&pu, &praw) ||
	    !msrp_uri_eq(&u, &pu)) {
		*code = 403;
		return NULL;
	}
	*code = 200;
	return p;
}

/* Check a SEND head: whose it is, and where its content goes. */
static uint16_t send_head(struct conf_chat *c, struct chat_conn *k,
			  const struct msrp_msg *m)
{
	const struct msrp_hdr *h;
	struct msrp_range rg = { 1, 0, 0, true, true };
	struct chat_part *p;
	uint16_t code;

	p = cc_sender(c, m, &code);
	if (!p)
		return code;
	h = msrp_msg_hdr(m, MSRP_H_MESSAGE_ID);
	if (!h || !msrp_ident_ok(&h->val))
		return 400;
	if ((h = msrp_msg_hdr(m, MSRP_H_BYTE_RANGE)) &&
	    (msrp_range_decode(&h->val, &rg) || !rg.start))
		return 400;
	p->conn_id = k->id;
	k->part = p;
	k->at = rg.start - 1;
	h = msrp_msg_hdr(m, MSRP_H_MESSAGE_ID);
	if (!pl_eq_str(&h->val, p->asm_id)) {
		/* A new message: whatever was left of the last is lost. */
		buf_reset(&p->asm_buf);
		pl_strcpy(&h->val, p->asm_id, sizeof(p->asm_id));
		p->asm_bad = false;
	}
	if (k->at > p->asm_buf.len)
		p->asm_bad = true;	/* a gap: out-of-order or lost chunk */
	if (!p->asm_bad && m->has_body &&
	    !((h = msrp_msg_hdr(m, MSRP_H_CONTENT_TYPE)) && h->val.len))
		return 400;
	return 200;
}

static void txn_reset(struct chat_conn *k)
{
	mem_free(k->to_path);
	mem_free(k->from_path);
	k->to_path = k->from_path = NULL;
	k->part = NULL;
	k->req = k->send = k->reply = k->data = false;
	k->code = 0;
	k->tid[0] = '\0';
}

static int on_head(struct conf_chat *c, struct chat_conn *k,
		   const struct msrp_msg *m)
{
	const struct msrp_hdr *h;
	enum msrp_report fr = MSRP_REP_YES;
	struct pl first;

	txn_reset(k);
	if (!m->is_req)
		return 0;	/* 200s to our SENDs: nothing to do */
	k->req = true;
	pl_strcpy(&m->tid, k->tid, sizeof(k->tid));
	/* Our response goes back the way the request came: its From-Path,
	 * from the first URI of its To-Path (us). */
	h = msrp_msg_hdr(m, MSRP_H_TO_PATH);
	first = h->val;
	cc_last_uri(h->val, &first);
	k->from_path = dup_pl(&first);
	k->to_path = dup_pl(&msrp_msg_hdr(m, MSRP_H_FROM_PATH)->val);
	if (!k->to_path || !k->from_path)
		return ENOMEM;
	if (m->mid == MSRP_M_REPORT)
		return 0;	/* RFC 4975 7.1.2: never answered */
	if (msrp_report_get(m, MSRP_H_FAILURE_REPORT, MSRP_REP_YES, &fr))
		fr = MSRP_REP_YES;
	k->reply = fr != MSRP_REP_NO;
	if (pl_eq_str(&m->method, "NICKNAME")) {
		k->code = cc_nickname(c, m);
		k->reply = true;
		return 0;
	}
	if (m->mid != MSRP_M_SEND) {
		k->code = 501;
		k->reply = true;
		return 0;
	}
	k->send = true;
	k->code = send_head(c, k, m);
	if (k->code != 200) {
		k->part = NULL;
		k->reply = true;
	}
	return 0;
}

static int on_data(struct conf_chat *c, struct chat_conn *k,
		   const struct pl *d)
{
	struct chat_part *p = k->part;
	struct buf *a;

	if (!k->send || k->code != 200 || !p || p->asm_bad)
		return 0;
	a = &p->asm_buf;
	k->data = true;
	if (k->at + d->len > c->cfg.max_msg) {
		/* RFC 4975 7.1: 413 tells the sender to stop this message. */
		k->code = 413;
		k->reply = true;
		p->asm_bad = true;
		buf_reset(a);
		return 0;
	}
	if (k->at + d->len > a->len) {
		if (buf_reserve(a, (size_t)(k->at + d->len - a->len)))
			return ENOMEM;
		a->len = (size_t)(k->at + d->len);
	}
	memcpy(a->data + k->at, d->p, d->len);
	k->at += d->len;
	return 0;
}

/* One SEND of the whole message m of p to q: CPIM-wrapped. */
static int send_one(struct conf_chat *c, const struct chat_part *p,
		    const struct chat_part *q, const struct pl *ctype)
{
	struct buf *b = &c->b;
	char tid[17], mid[21];
	size_t cpim_len;
	int err;

	rng_hex(&c->rng, tid, sizeof(tid) - 1);
	rng_hex(&c->rng, mid, sizeof(mid) - 1);
	/* The CPIM wrapper's length first: Byte-Range must carry it. */
	cpim_len = (size_t)snprintf(NULL, 0,
		"From: \"%s\" <%s>\r\nTo: <%s>\r\n\r\n"
		"Content-Type: %.*s\r\n\r\n", p->nick, p->from, p->room->uri,
		PL_ARG(*ctype)) + p->asm_buf.len;
	buf_reset(b);
	err = buf_printf(b, "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
			 "Message-ID: %s\r\nByte-Range: 1-%zu/%zu\r\n"
			 "Content-Type: message/cpim\r\n\r\n"
			 "From: \"%s\" <%s>\r\nTo: <%s>\r\n\r\n"
			 "Content-Type: %.*s\r\n\r\n", tid, q->path, q->uri,
			 mid, cpim_len, cpim_len, p->nick, p->from,
			 p->room->uri, PL_ARG(*ctype));
	err = err ? err : buf_put(b, p->asm_buf.data, p->asm_buf.len);
	err = err ? err : buf_printf(b, "\r\n-------%s$\r\n", tid);
	if (err)
		return err;
	if (q->conn_id)
		return enqueue(c, NET_OUT_SEND, q->conn_id, &q->hop, b->data,
			       b->len);
	return enqueue(c, NET_OUT_SEND, 0, &q->hop, b->data, b->len);
}

static int fan_out(struct conf_chat *c, struct chat_part *p,
		   const struct pl *ctype)
{
	struct chat_part *q;
	int err = 0;

	for (q = c->parts; q && !err; q = q->next)
		if (q != p && q->room == p->room)
			err = send_one(c, p, q, ctype);
	return err;
}

static int on_end(struct conf_chat *c, struct chat_conn *k, char flag,
		  const struct pl *ctype)
{
	struct chat_part *p = k->part;
	struct buf *b = &c->b;
	int err = 0;

	/* The sender's answer first, then the copies for the others. */
	if (k->req && k->reply && k->code) {
		struct pl tid = pl_from_str(k->tid),
			  to = pl_from_str(k->to_path),
			  from = pl_from_str(k->from_path);

		buf_reset(b);
		err = msrp_resp_encode(b, &tid, k->code, &to, &from);
		err = err ? err : enqueue(c, NET_OUT_SEND, k->id, &k->peer,
					  b->data, b->len);
	}
	if (!err && k->send && k->code == 200 && p && flag != '+') {
		/* '$' ends the message, '#' abandons it (RFC 4975 7.1). */
		if (flag == '$' && !p->asm_bad && p->asm_buf.len)
			err = fan_out(c, p, ctype);
		buf_reset(&p->asm_buf);
		p->asm_bad = false;
		p->asm_id[0] = '\0';
	}
	txn_reset(k);
	return err;
}

/* A malformed frame: 400 when we can address the sender, then close. */
static int bad_frame(struct conf_chat *c, struct chat_conn *k)
{
	const struct msrp_parser *ps = &k->ps;
	struct pl tv, fv, to, from;
	struct msrp_uri u;
	int err = 0;

	if (ps->is_req && ps->tid[0]) {
		struct pl fcopy, tid = pl_from_str(ps->tid);

		msrp_parser_paths(ps, &tv, &fv);

		pl_trim(&fv);
		fcopy = fv;
		cc_last_uri(tv, &from);
		if (!msrp_path_next(&fcopy, &to) && !msrp_uri_decode(&u, &to) &&
		    pl_isset(&from) && !msrp_uri_decode(&u, &from)) {
			buf_reset(&c->b);
			err = msrp_resp_encode(&c->b, &tid, 400, &fv, &from);
			err = err ? err : enqueue(c, NET_OUT_SEND, k->id,
						  &k->peer, c->b.data,
						  c->b.len);
		}
	}
	err = err ? err : enqueue(c, NET_OUT_CLOSE, k->id, &k->peer, NULL, 0);
	conn_free(c, k);
	return err;
}

int conf_chat_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct conf_chat *c = core;
	struct chat_conn *k;
	struct msrp_ev ev;
	struct pl data, ctype = PL("text/plain");
	const struct msrp_hdr *h;
	char ct[128] = "";
	int err;

	(void)now_us;
	if (!in->conn_id)
		return 0;	/* MSRP is TCP only */
	if (!in->data && !in->len) {
		for (k = c->conns; k; k = k->next)
			if (k->id == in->conn_id) {
				conn_free(c, k);
				break;
			}
		return 0;
	}
	k = conn_get(c, in);
	if (!k)
		return enqueue(c, NET_OUT_CLOSE, in->conn_id, &in->from,
			       NULL, 0);
	data = pl_from_mem((const char *)in->data, in->len);
	for (;;) {
		err = msrp_parse(&k->ps, &data, &ev);
		if (err == ENODATA)
			return 0;
		if (err == EBADMSG)
			return bad_frame(c, k);
		if (err)
			return err;
		switch (ev.kind) {
		case MSRP_EV_HEAD:
			err = on_head(c, k, ev.msg);
			break;
		case MSRP_EV_DATA:
			err = on_data(c, k, &ev.data);
			break;
		case MSRP_EV_END:
			/* The head buffer still holds this message. */
			h = k->ps.msg.nhdrs ?
			    msrp_msg_hdr(&k->ps.msg, MSRP_H_CONTENT_TYPE) :
			    NULL;
			if (h && !pl_strcpy(&h->val, ct, sizeof(ct)))
				ctype = pl_from_str(ct);
			err = on_end(c, k, ev.flag, &ctype);
			ctype = PL("text/plain");
			break;
		}
		if (err)
			return err;
	}
}

int conf_chat_timeout(void *core, uint64_t now_us)
{
	(void)core;
	(void)now_us;
	return 0;
}

uint64_t conf_chat_deadline(void *core)
{
	(void)core;
	return UINT64_MAX;
}

int conf_chat_output(void *core, struct net_out *out)
{
	struct conf_chat *c = core;
	struct chat_q *q;

	mem_free(c->sent);
	c->sent = NULL;
	q = c->qhead;
	if (!q)
		return ENOENT;
	c->qhead = q->next;
	if (!c->qhead)
		c->qtail = NULL;
	c->sent = q;
	memset(out, 0, sizeof(*out));
	out->kind = q->kind;
	out->src = q->src;
	out->dst = q->dst;
	out->conn_id = q->conn_id;
	out->data = q->len ? q->data : NULL;
	out->len = q->len;
	return 0;
}

const struct core_ops conf_chat_ops = {
	.name = "conf_chat",
	.input = conf_chat_input,
	.timeout = conf_chat_timeout,
	.output = conf_chat_output,
	.deadline = conf_chat_deadline,
};

size_t conf_chat_room_count(const struct conf_chat *c)
{
	const struct chat_room *r;
	size_t n = 0;

	for (r = c->rooms; r; r = r->next)
		n++;
	return n;
}

size_t conf_chat_room_size(const struct conf_chat *c, const char *room)
{
	const struct chat_room *r = room_find(c, room);

	return r ? r->n : 0;
}

const char *conf_chat_nick_of(const struct conf_chat *c, uint32_t id)
{
	const struct chat_part *p;

	for (p = c->parts; p; p = p->next)
		if (p->id == id)
			return p->nick;
	return NULL;
}

size_t conf_chat_nconns(const struct conf_chat *c)
{
	return c->nconns;
}

uint16_t conf_chat_port(const struct conf_chat *c)
{
	return net_addr_port(&c->cfg.addr);
}
