/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP dissection (RFC 4975, relays per RFC 4976): each message framed
 * out of a TCP stream (rpl_stream.c) is decoded with ref/msrp's push
 * parser and counted: requests by method, responses by status. Requests
 * are then put in sessions: the two ends of a session are the last URI
 * of the To-Path and of the From-Path, because relays only prepend
 * themselves to the From-Path and consume the To-Path head, so every hop
 * of one message names the same two ends. A chunk crossing two relays is
 * on the wire three times; it is counted (and handed to msrp_req_fn) the
 * first time only, keyed by its ends, method, Message-ID and Byte-Range
 * start. Responses are hop-by-hop (RFC 4975 7.2) and belong to no
 * session. AUTH (RFC 4976) is between a client and its relay: counted and
 * handed out, never a session.
 *
 * SDP a=path values of SIP dialogs (rpl_media.c) name each side's own
 * URI last; a session whose end was so named carries the dialog's
 * Call-ID. Both tables are LRU-swept like every other flow table.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "base/mem.h"
#include "msrp/msrp.h"
#include "replay/rpl_int.h"
#include "replay/rpl_msrp.h"

#define MAX_HEAD 16384

void rpl_msrp_init(struct rpl *r)
{
	rpl_tab_init(&r->mpaths);
	rpl_tab_init(&r->msess);
	rpl_tab_init(&r->mseen);
	buf_init(&r->mbody);
}

/* "host:port/session" with the host in lower case (RFC 4975 6.1 compares
 * scheme, host, port, session id and transport; one transport here). A
 * URI that does not decode keys as its own text. */
void rpl_msrp_uri_key(const struct pl *raw, char *out, size_t sz)
{
	struct msrp_uri u;
	size_t i, n;

	if (msrp_uri_decode(&u, raw)) {
		n = raw->len < sz - 1 ? raw->len : sz - 1;
		memcpy(out, raw->p, n);
		out[n] = '\0';
		return;
	}
	snprintf(out, sz, "%s%.*s:%u/%.*s", u.secure ? "s:" : "",
		 PL_ARG(u.host), msrp_uri_port(&u), PL_ARG(u.session));
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* Last URI of a path and the number of URIs. */
static size_t path_last(const struct pl *path, struct pl *last)
{
	struct pl rest = *path, raw;
	size_t n = 0;

	*last = PL_NULL;
	while (!msrp_path_next(&rest, &raw)) {
		*last = raw;
		n++;
	}
	return n;
}

static uint32_t key_hash(const char *k)
{
	return rpl_hash(k, strlen(k), RPL_HASH_INIT);
}

static struct rpl_mpath *mpath_find(struct rpl *r, const char *key)
{
	uint32_t h = key_hash(key);
	struct rpl_ent *e;

	for (e = rpl_tab_bucket(&r->mpaths, h); e; e = e->hnext)
		if (e->hash == h && !strcmp(((struct rpl_mpath *)e)->key, key))
			return (struct rpl_mpath *)e;
	return NULL;
}

void rpl_msrp_sdp_path(struct rpl *r, const struct rpl_call *call,
		       const struct pl *path)
{
	struct rpl_mpath *m;
	char key[RPL_MSRP_KEY];
	struct pl last;

	if (!call || !path_last(path, &last))
		return;
	rpl_msrp_uri_key(&last, key, sizeof(key));
	m = mpath_find(r, key);
	if (!m) {
		m = mem_zalloc(sizeof(*m));
		if (!m)
			return;
		snprintf(m->key, sizeof(m->key), "%s", key);
		if (rpl_tab_add(&r->mpaths, &m->ent, key_hash(key),
				r->now_us)) {
			mem_free(m);
			return;
		}
	} else {
		rpl_tab_touch(&r->mpaths, &m->ent, r->now_us);
	}
	snprintf(m->call_id, sizeof(m->call_id), "%s", call->call_id);
}

static uint32_t sess_hash(const char *k0, const char *k1)
{
	return rpl_hash(k1, strlen(k1), key_hash(k0));
}

static void sess_report(struct rpl *r, struct rpl_msess *s)
{
	struct rpl_msrp_rec rec;
	int i;

	if (!r->cfg.msrp_fn)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.uri[0] = s->uri[0];
	rec.uri[1] = s->uri[1];
	rec.call_id = s->call_id[0] ? s->call_id : NULL;
	rec.ctypes = s->ctypes;
	rec.first_us = s->first_us;
	rec.last_us = s->ent.last_us;
	for (i = 0; i < 2; i++) {
		rec.sends[i] = s->sends[i];
		rec.messages[i] = s->messages[i];
		rec.bytes[i] = s->bytes[i];
	}
	rec.chunked = s->chunked;
	rec.reports = s->reports;
	rec.hops = s->hops;
	r->cfg.msrp_fn(r->cfg.arg, &rec);
}

static void sess_free(struct rpl *r, struct rpl_msess *s, bool report)
{
	if (report)
		sess_report(r, s);
	rpl_tab_del(&r->msess, &s->ent);
	mem_free(s->uri[0]);
	mem_free(s->uri[1]);
	mem_free(s);
}

static char *dup_pl(const struct pl *p)
{
	char *s = mem_alloc(p->len + 1);

	if (s) {
		memcpy(s, p->p, p->len);
		s[p->len] = '\0';
	}
	return s;
}

/* The session of ends (from, to); *side gets the sender's index. */
static struct rpl_msess *sess_get(struct rpl *r, const struct pl *from,
				  const struct pl *to, int *side)
{
	char kf[RPL_MSRP_KEY], kt[RPL_MSRP_KEY];
	const char *k0, *k1;
	struct rpl_msess *s;
	struct rpl_mpath *m;
	struct rpl_ent *e;
	uint32_t h;

	rpl_msrp_uri_key(from, kf, sizeof(kf));
	rpl_msrp_uri_key(to, kt, sizeof(kt));
	k0 = strcmp(kf, kt) <= 0 ? kf : kt;
	k1 = k0 == kf ? kt : kf;
	h = sess_hash(k0, k1);
	for (e = rpl_tab_bucket(&r->msess, h); e; e = e->hnext) {
		s = (struct rpl_msess *)e;
		if (e->hash == h && !strcmp(s->key[0], k0) &&
		    !strcmp(s->key[1], k1)) {
			rpl_tab_touch(&r->msess, e, r->now_us);
			*side = strcmp(s->key[s->ord], kf) ? 1 : 0;
			return s;
		}
	}
	s = mem_zalloc(sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->key[0], sizeof(s->key[0]), "%s", k0);
	snprintf(s->key[1], sizeof(s->key[1]), "%s", k1);
	s->uri[0] = dup_pl(from);
	s->uri[1] = dup_pl(to);
	s->ord = k0 == kf ? 0 : 1;
	s->first_us = r->now_us;
	if (!s->uri[0] || !s->uri[1] ||
	    rpl_tab_add(&r->msess, &s->ent, h, r->now_us)) {
		mem_free(s->uri[0]);
		mem_free(s->uri[1]);
		mem_free(s);
		return NULL;
	}
	if ((m = mpath_find(r, kf)) || (m = mpath_find(r, kt)))
		snprintf(s->call_id, sizeof(s->call_id), "%s", m->call_id);
	if (s->call_id[0])
		r->st.msrp_sessions_sdp++;
	r->st.msrp_sessions++;
	*side = 0;
	return s;
}

/* True the first time this request is seen on any hop. */
static bool first_copy(struct rpl *r, const struct rpl_msess *s, int side,
		       const struct msrp_msg *m, uint64_t range_start)
{
	const struct msrp_hdr *id = msrp_msg_hdr(m, MSRP_H_MESSAGE_ID);
	const struct msrp_hdr *st = msrp_msg_hdr(m, MSRP_H_STATUS);
	uint32_t a = sess_hash(s->key[0], s->key[1]), b;
	uint64_t h64;
	uint32_t h;
	struct rpl_seen *sn;
	struct rpl_ent *e;

	/* two ends may well pick the same Message-IDs */
	a = rpl_hash(s->key[side ? !s->ord : s->ord],
		     strlen(s->key[side ? !s->ord : s->ord]), a);
	a = rpl_hash(m->method.p, m->method.len, a);
	if (id)
		a = rpl_hash(id->val.p, id->val.len, a);
	if (st)
		a = rpl_hash(st->val.p, st->val.len, a);
	b = rpl_hash(&range_start, sizeof(range_start), a ^ 0x9e3779b9u);
	a = rpl_hash(&range_start, sizeof(range_start), a);
	if (!id)	/* nothing to key on: the transaction id */
		a = rpl_hash(m->tid.p, m->tid.len, a);
	h64 = (uint64_t)a << 32 | b;
	h = a ^ b;
	for (e = rpl_tab_bucket(&r->mseen, h); e; e = e->hnext) {
		sn = (struct rpl_seen *)e;
		if (e->hash == h && sn->h64 == h64) {
			rpl_tab_touch(&r->mseen, e, r->now_us);
			return false;
		}
	}
	sn = mem_zalloc(sizeof(*sn));
	if (sn) {
		sn->h64 = h64;
		if (rpl_tab_add(&r->mseen, &sn->ent, h, r->now_us))
			mem_free(sn);
	}
	return true;
}

static void add_ctype(struct rpl_msess *s, const struct pl *ct)
{
	size_t n = strlen(s->ctypes), k = ct->len;
	const char *p = s->ctypes;

	if (!k || n + k + 2 > sizeof(s->ctypes))
		return;
	while (*p) {
		size_t w = strcspn(p, ",");

		if (w == k && !strncasecmp(p, ct->p, k))
			return;
		p += w + (p[w] == ',');
	}
	snprintf(s->ctypes + n, sizeof(s->ctypes) - n, "%s%.*s",
		 n ? "," : "", PL_ARG(*ct));
}

static struct pl hval(const struct msrp_msg *m, enum msrp_hdr_id id)
{
	const struct msrp_hdr *h = msrp_msg_hdr(m, id);

	return h ? h->val : PL_NULL;
}

static void request(struct rpl *r, const struct rpl_pdu *pdu,
		    const struct msrp_msg *m, char flag)
{
	struct rpl_msrp_req q;
	struct msrp_range rg;
	struct pl to_last, from_last;
	struct rpl_msess *s = NULL;
	char from_s[RPL_MSRP_KEY * 2], to_s[RPL_MSRP_KEY * 2];
	int side = 0;

	memset(&q, 0, sizeof(q));
	q.ts_us = pdu->ts_us;
	q.src = pdu->src;
	q.dst = pdu->dst;
	q.method = m->method;
	q.to_path = hval(m, MSRP_H_TO_PATH);
	q.from_path = hval(m, MSRP_H_FROM_PATH);
	q.msg_id = hval(m, MSRP_H_MESSAGE_ID);
	q.ctype = hval(m, MSRP_H_CONTENT_TYPE);
	q.range = hval(m, MSRP_H_BYTE_RANGE);
	q.status = hval(m, MSRP_H_STATUS);
	q.authz = hval(m, MSRP_H_AUTHORIZATION);
	q.flag = flag;
	q.body = buf_pl(&r->mbody);
	if (q.range.len && !msrp_range_decode(&q.range, &rg)) {
		q.range_start = rg.start;
		q.range_end = rg.end_star ? 0 : rg.end;
		q.range_total = rg.total_star ? 0 : rg.total;
	} else {
		q.range_start = 1;
	}
	if (!path_last(&q.to_path, &to_last) ||
	    !path_last(&q.from_path, &from_last))
		return;		/* msrp_head_decode checks both: no-op */
	pl_strcpy(&from_last, from_s, sizeof(from_s));
	pl_strcpy(&to_last, to_s, sizeof(to_s));
	q.from_uri = from_s;
	q.to_uri = to_s;
	if (m->mid == MSRP_M_SEND || m->mid == MSRP_M_REPORT) {
		s = sess_get(r, &from_last, &to_last, &side);
		if (!s)
			return;
		s->hops++;
		if (!first_copy(r, s, side, m, q.range_start))
			return;
		q.call_id = s->call_id[0] ? s->call_id : NULL;
		if (m->mid == MSRP_M_REPORT) {
			s->reports++;
		} else {
			r->st.msrp_chunks++;
			r->st.msrp_bytes += q.body.len;
			s->sends[side]++;
			s->bytes[side] += q.body.len;
			add_ctype(s, &q.ctype);
			if (flag == '$') {
				r->st.msrp_chat_messages++;
				s->messages[side]++;
				if (q.range_start > 1) {
					r->st.msrp_chunked++;
					s->chunked++;
				}
			}
		}
	}
	if (r->cfg.msrp_req_fn)
		r->cfg.msrp_req_fn(r->cfg.arg, &q);
}

void rpl_msrp_input(struct rpl *r, const struct rpl_pdu *pdu)
{
	struct msrp_parser ps;
	struct pl in = pl_from_mem(pdu->data, pdu->len);
	const struct msrp_msg *m = NULL;
	struct msrp_ev ev;
	char flag = 0;
	int rc;

	r->st.msrp_messages++;
	if (r->cfg.pdu_fn)
		r->cfg.pdu_fn(r->cfg.arg, RPL_K_MSRP, pdu);
	buf_reset(&r->mbody);
	msrp_parser_init(&ps, MAX_HEAD);
	while (!flag && !(rc = msrp_parse(&ps, &in, &ev))) {
		if (ev.kind == MSRP_EV_HEAD)
			m = ev.msg;
		else if (ev.kind == MSRP_EV_DATA)
			buf_put_pl(&r->mbody, &ev.data);
		else if (ev.kind == MSRP_EV_END)
			flag = ev.flag;
	}
	if (!flag || !m) {
		r->st.msrp_malformed++;
		goto out;
	}
	if (!m->is_req) {
		r->st.msrp_responses++;
		if (m->scode < RPL_MAX_SCODE)
			r->st.msrp_by_scode[m->scode]++;
		goto out;
	}
	r->st.msrp_requests++;
	switch (m->mid) {
	case MSRP_M_SEND:
		r->st.msrp_send++;
		break;
	case MSRP_M_REPORT:
		r->st.msrp_report++;
		break;
	case MSRP_M_AUTH:
		r->st.msrp_auth++;
		break;
	default:
		r->st.msrp_other++;
		break;
	}
	request(r, pdu, m, flag);
out:
	msrp_parser_fini(&ps);
}

void rpl_msrp_sweep(struct rpl *r, uint64_t older_than_us)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->msess)) && e->last_us < older_than_us)
		sess_free(r, (struct rpl_msess *)e, true);
	while ((e = rpl_tab_oldest(&r->mpaths)) && e->last_us < older_than_us) {
		rpl_tab_del(&r->mpaths, e);
		mem_free(e);
	}
	while ((e = rpl_tab_oldest(&r->mseen)) && e->last_us < older_than_us) {
		rpl_tab_del(&r->mseen, e);
		mem_free(e);
	}
}

void rpl_msrp_free_all(struct rpl *r, bool report)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->msess)))
		sess_free(r, (struct rpl_msess *)e, report);
	while ((e = rpl_tab_oldest(&r->mpaths))) {
		rpl_tab_del(&r->mpaths, e);
		mem_free(e);
	}
	while ((e = rpl_tab_oldest(&r->mseen))) {
		rpl_tab_del(&r->mseen, e);
		mem_free(e);
	}
}

void rpl_msrp_fini(struct rpl *r)
{
	rpl_msrp_free_all(r, false);
	rpl_tab_fini(&r->mpaths);
	rpl_tab_fini(&r->msess);
	rpl_tab_fini(&r->mseen);
	buf_fini(&r->mbody);
}
