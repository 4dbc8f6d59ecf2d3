/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench MSRP client: AUTH with digest, SEND, and 200 for SENDs received.
 * Frames are parsed with the platform's own stream parser (ref/msrp), so
 * the client reads exactly what the relay writes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "msrp/msrp.h"
#include "ua/msrp_ua.h"

#define OUTQ 16

struct ua_msrp {
	char user[64], password[128], realm[128];
	char uri[160], relay_uri[160], use_path[512];
	struct net_addr local, relay;
	uint64_t conn;		/* the relay connection, once known */
	struct msrp_parser p;
	struct buf body;	/* content of the message being received */
	struct buf last;	/* last complete content */
	char in_tid[MSRP_TID_MAX + 1];
	int in_send;		/* the message being received is a SEND */
	char in_from[512];	/* its From-Path, for our 200 */
	char in_to[512];
	unsigned tid_seq;
	struct buf q[OUTQ];
	size_t qh, qn;
	struct buf out_last;
	struct ua_msrp_stats st;
};

int ua_msrp_new(struct ua_msrp **mp, const struct ua_msrp_cfg *c)
{
	struct ua_msrp *m;
	char host[NET_ADDR_STRLEN];
	const char *sch = c->relay.tp == NET_TLS ? "msrps" : "msrp";
	size_t i;

	if (!c->user || !c->password || !c->realm || !c->session)
		return EINVAL;
	m = mem_zalloc(sizeof(*m));
	if (!m)
		return ENOMEM;
	snprintf(m->user, sizeof(m->user), "%s", c->user);
	snprintf(m->password, sizeof(m->password), "%s", c->password);
	snprintf(m->realm, sizeof(m->realm), "%s", c->realm);
	m->local = c->local;
	m->relay = c->relay;
	snprintf(m->uri, sizeof(m->uri), "%s://%s/%s;tcp", sch,
		 net_addr_str(&c->local, host, sizeof(host)), c->session);
	snprintf(m->relay_uri, sizeof(m->relay_uri), "%s://%s;tcp", sch,
		 net_addr_str(&c->relay, host, sizeof(host)));
	msrp_parser_init(&m->p, 16384);
	buf_init(&m->body);
	buf_init(&m->last);
	buf_init(&m->out_last);
	for (i = 0; i < OUTQ; i++)
		buf_init(&m->q[i]);
	*mp = m;
	return 0;
}

void ua_msrp_free(struct ua_msrp *m)
{
	size_t i;

	if (!m)
		return;
	msrp_parser_fini(&m->p);
	buf_fini(&m->body);
	buf_fini(&m->last);
	buf_fini(&m->out_last);
	for (i = 0; i < OUTQ; i++)
		buf_fini(&m->q[i]);
	mem_free(m);
}

const char *ua_msrp_uri(const struct ua_msrp *m)
{
	return m->uri;
}

const char *ua_msrp_use_path(const struct ua_msrp *m)
{
	return m->use_path;
}

void ua_msrp_stats(const struct ua_msrp *m, struct ua_msrp_stats *st)
{
	*st = m->st;
}

struct pl ua_msrp_last(const struct ua_msrp *m)
{
	return buf_pl(&m->last);
}

/* A slot of the output ring to write the next frame into. */
static struct buf *slot(struct ua_msrp *m)
{
	struct buf *b;

	if (m->qn == OUTQ)
		return NULL;
	b = &m->q[(m->qh + m->qn++) % OUTQ];
	buf_reset(b);
	return b;
}

static void new_tid(struct ua_msrp *m, char *tid, size_t n)
{
	/* 4..32 alphanumerics (RFC 4975 9), unique on this connection */
	snprintf(tid, n, "t%010u", ++m->tid_seq);
}

static int auth_req(struct ua_msrp *m, const char *authz)
{
	struct buf *b = slot(m);
	char tid[32];

	if (!b)
		return EOVERFLOW;
	new_tid(m, tid, sizeof(tid));
	buf_printf(b, "MSRP %s AUTH\r\nTo-Path: %s\r\nFrom-Path: %s\r\n%s"
		   "-------%s$\r\n", tid, m->relay_uri, m->uri,
		   authz ? authz : "", tid);
	return 0;
}

int ua_msrp_auth(struct ua_msrp *m, uint64_t now_us)
{
	(void)now_us;
	return auth_req(m, NULL);
}

int ua_msrp_send(struct ua_msrp *m, uint64_t now_us, const char *to_path,
		 const char *ctype, const uint8_t *body, size_t len)
{
	struct buf *b = slot(m);
	char tid[32];

	(void)now_us;
	if (!b)
		return EOVERFLOW;
	new_tid(m, tid, sizeof(tid));
	buf_printf(b, "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
		   "Message-ID: m%s\r\nByte-Range: 1-%zu/%zu\r\n"
		   "Success-Report: no\r\nContent-Type: %s\r\n\r\n", tid,
		   to_path, m->uri, tid, len, len,
		   ctype ? ctype : "text/plain");
	buf_put(b, body, len);
	return buf_printf(b, "\r\n-------%s$\r\n", tid);
}

/* 401: answer the challenge once. */
static void on_challenge(struct ua_msrp *m, const struct msrp_msg *msg)
{
	const struct msrp_hdr *h = msrp_msg_hdr(msg, MSRP_H_WWW_AUTHENTICATE);
	struct msrp_auth a;
	enum msrp_alg alg = MSRP_ALG_MD5;
	char line[400], ha1[65], resp[65], authz[1024], nonce[128];
	struct pl l, alg_pl, non;

	if (!h)
		return;
	non = msrp_chal_param(&h->val, " nonce=");
	alg_pl = msrp_chal_param(&h->val, "algorithm=");
	if (!non.len || (alg_pl.len && msrp_alg_parse(&alg_pl, &alg)))
		return;
	pl_strcpy(&non, nonce, sizeof(nonce));
	snprintf(line, sizeof(line), "%s:%s:%s", m->user, m->realm,
		 m->password);
	l = pl_from_str(line);
	memset(&a, 0, sizeof(a));
	a.uri = pl_from_str(m->relay_uri);
	a.nonce = pl_from_str(nonce);
	a.cnonce = PL("5b3c2f1e");
	a.nc = PL("00000001");
	a.qop = PL("auth");
	if (msrp_digest_hex(alg, &l, ha1, sizeof(ha1)) ||
	    msrp_digest_response(alg, ha1, "AUTH", &a, resp, sizeof(resp)))
		return;
	snprintf(authz, sizeof(authz),
		 "Authorization: Digest username=\"%s\", realm=\"%s\", "
		 "nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=%s, "
		 "qop=auth, cnonce=\"5b3c2f1e\", nc=00000001\r\n", m->user,
		 m->realm, nonce, m->relay_uri, resp, msrp_alg_name(alg));
	auth_req(m, authz);
}

static void on_head(struct ua_msrp *m, const struct msrp_msg *msg)
{
	m->in_send = msg->is_req && msg->mid == MSRP_M_SEND;
	pl_strcpy(&msg->tid, m->in_tid, sizeof(m->in_tid));
	buf_reset(&m->body);
	if (msg->is_req) {
		msrp_hdr_copy(msg, MSRP_H_FROM_PATH, m->in_from,
			 sizeof(m->in_from));
		msrp_hdr_copy(msg, MSRP_H_TO_PATH, m->in_to, sizeof(m->in_to));
		return;
	}
	m->st.last_status = msg->scode;
	if (msg->scode == 401 && !m->st.authed) {
		on_challenge(m, msg);
	} else if (msg->scode == 200 && !m->st.authed &&
		   msrp_msg_hdr(msg, MSRP_H_USE_PATH)) {
		msrp_hdr_copy(msg, MSRP_H_USE_PATH, m->use_path,
			 sizeof(m->use_path));
		m->st.authed = 1;
	} else if (msg->scode == 200) {
		m->st.sent_ok++;
	}
}

static void on_end(struct ua_msrp *m)
{
	struct buf *b;

	if (!m->in_send)
		return;
	m->st.received++;
	buf_reset(&m->last);
	buf_put(&m->last, m->body.data, m->body.len);
	/* RFC 4975 7.2: To-Path of the response is the request's From-Path
	 * first hop; the relay routes it back. */
	b = slot(m);
	if (b)
		buf_printf(b, "MSRP %s 200 OK\r\nTo-Path: %.*s\r\n"
			   "From-Path: %s\r\n-------%s$\r\n", m->in_tid,
			   (int)strcspn(m->in_from, " "), m->in_from, m->uri,
			   m->in_tid);
}

static int m_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct ua_msrp *m = core;
	struct pl rest;
	struct msrp_ev ev;

	(void)now_us;
	if (!in->data)
		return 0;
	m->conn = in->conn_id;
	rest = pl_from_mem(in->data, in->len);
	while (msrp_parse(&m->p, &rest, &ev) == 0) {
		if (ev.kind == MSRP_EV_HEAD)
			on_head(m, ev.msg);
		else if (ev.kind == MSRP_EV_DATA && m->in_send)
			buf_put(&m->body, ev.data.p, ev.data.len);
		else if (ev.kind == MSRP_EV_END)
			on_end(m);
	}
	return 0;
}

static int m_timeout(void *core, uint64_t now_us)
{
	(void)core;
	(void)now_us;
	return 0;
}

static int m_output(void *core, struct net_out *out)
{
	struct ua_msrp *m = core;
	struct buf *b;

	if (!m->qn)
		return ENOENT;
	b = &m->q[m->qh];
	/* keep the bytes alive until the next call: swap into out_last */
	buf_reset(&m->out_last);
	buf_put(&m->out_last, b->data, b->len);
	m->qh = (m->qh + 1) % OUTQ;
	m->qn--;
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = m->local;
	out->dst = m->relay;
	out->conn_id = m->conn;
	out->data = m->out_last.data;
	out->len = m->out_last.len;
	return 0;
}

static uint64_t m_deadline(void *core)
{
	(void)core;
	return UINT64_MAX;
}

const struct core_ops ua_msrp_ops = {
	"msrp-client", m_input, m_timeout, m_output, m_deadline,
};
