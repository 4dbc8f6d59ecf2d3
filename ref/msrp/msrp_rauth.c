/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AUTH at the relay (RFC 4976 5.1, 7.3): challenge with a Digest 401,
 * check the credentials against the HA1 the account store hands out, and
 * on success open a session: a random session id, our URI for it in
 * Use-Path, a lifetime in Expires. Nonces are single use and belong to the
 * connection they were issued on; failures are counted per connection and
 * end it (403) past max_auth_fail, which slows guessing to one connection
 * handshake per few tries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "msrp/msrp_int.h"

static int reply(struct msrp_relay *r, const struct msrp_msg *m,
		 struct msrp_route *rt, uint16_t code, const char *extra)
{
	struct pl to = msrp_msg_hdr(m, MSRP_H_FROM_PATH)->val,
		  from = msrp_msg_hdr(m, MSRP_H_TO_PATH)->val;
	struct buf *b = &rt->reply;
	int err;

	buf_reset(b);
	err = msrp_resp_start_encode(b, &m->tid, code, NULL);
	err = err ? err : msrp_hdr_encode(b, "To-Path", &to);
	err = err ? err : msrp_hdr_encode(b, "From-Path", &from);
	err = err ? err : buf_put_str(b, extra ? extra : "");
	err = err ? err : msrp_end_encode(b, &m->tid, '$', false);
	if (code >= 300)
		r->st.rejected++;
	return err;
}

static int challenge(struct msrp_relay *r, struct msrp_conn *c,
		     const struct msrp_msg *m, struct msrp_route *rt)
{
	char extra[256];

	rng_hex(&r->rng, c->nonce, 32);
	c->nonce_us = r->now_us;
	snprintf(extra, sizeof(extra),
		 "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", "
		 "qop=\"auth\", algorithm=%s\r\n",
		 r->realm, c->nonce, msrp_alg_name(r->cfg.alg));
	return reply(r, m, rt, 401, extra);
}

static bool ct_eq(const char *a, const struct pl *b)
{
	size_t n = strlen(a), i;
	unsigned d = 0;

	if (n != b->len)
		return false;
	for (i = 0; i < n; i++)	/* constant time: no early exit */
		d |= (unsigned)(a[i] ^ b->p[i]);
	return d == 0;
}

/* 0 when the credentials in h are right for this connection's nonce. */
static int check(struct msrp_relay *r, struct msrp_conn *c,
		 const struct msrp_msg *m, const struct msrp_hdr *h)
{
	struct msrp_auth a;
	enum msrp_alg alg;
	char ha1[129], want[129];
	struct pl realm = pl_from_str(r->realm), to;

	to = msrp_msg_hdr(m, MSRP_H_TO_PATH)->val;
	if (msrp_auth_decode(&h->val, &a) || msrp_alg_parse(&a.algorithm, &alg))
		return EINVAL;
	if (!c->nonce[0] || !pl_eq_str(&a.nonce, c->nonce) ||
	    r->now_us - c->nonce_us > (uint64_t)r->cfg.nonce_ttl_s * 1000000)
		return EINVAL;
	if (!pl_eq(&a.realm, &realm) || !pl_eq(&a.uri, &to))
		return EINVAL;
	memset(ha1, 0, sizeof(ha1));
	if (r->cfg.ha1(r->cfg.ha1_arg, &a.username, &realm, msrp_alg_name(alg),
		       ha1, sizeof(ha1)) || !ha1[0])
		return EINVAL;
	if (msrp_digest_response(alg, ha1, "AUTH", &a, want, sizeof(want)))
		return EINVAL;
	memset(ha1, 0, sizeof(ha1));
	return ct_eq(want, &a.response) ? 0 : EINVAL;
}

static int session_open(struct msrp_relay *r, struct msrp_conn *c,
			const struct msrp_msg *m, uint32_t expires,
			struct msrp_session **sp)
{
	struct msrp_session *s;
	char host[NET_ADDR_STRLEN], uri[256];
	struct pl from = msrp_msg_hdr(m, MSRP_H_FROM_PATH)->val, cu, su, sc;
	const char *h = r->host;
	size_t b;
	int n;

	if (msrp_path_next(&from, &cu))
		return EINVAL;
	s = mem_zalloc(sizeof(*s));
	if (!s)
		return ENOMEM;
	rng_hex(&r->rng, s->sid, 20);
	if (!h) {
		net_addr_host(&c->local, host, sizeof(host));
		h = host;
	}
	n = snprintf(uri, sizeof(uri),
		     net_addr_family(&c->local) == AF_INET6 && !r->host ?
		     "%s://[%s]:%u/%s;tcp" : "%s://%s:%u/%s;tcp",
		     c->local.tp == NET_TLS ? "msrps" : "msrp", h,
		     (unsigned)net_addr_port(&c->local), s->sid);
	s->uri = n > 0 && (size_t)n < sizeof(uri) ? mem_strdup(uri) : NULL;
	s->client_uri = mem_strndup(cu.p, cu.len);
	su = pl_from_str(s->uri);
	sc = pl_from_str(s->client_uri);
	if (!s->uri || !s->client_uri || msrp_uri_decode(&s->u, &su) ||
	    msrp_uri_decode(&s->cu, &sc) ||
	    tq_add(&r->tq, r->now_us + (uint64_t)expires * 1000000, T_SESSION,
		   s, &s->timer)) {
		mem_free(s->uri);
		mem_free(s->client_uri);
		mem_free(s);
		return ENOMEM;
	}
	s->client = c;
	c->nsess++;
	b = msrp_hash(s->sid, strlen(s->sid)) & (r->hsize - 1);
	s->hnext = r->sess_h[b];
	r->sess_h[b] = s;
	s->next = r->sessions;
	if (r->sessions)
		r->sessions->prev = s;
	r->sessions = s;
	r->nsessions++;
	r->st.sessions++;
	*sp = s;
	return 0;
}

int msrp_auth_handle(struct msrp_relay *r, struct msrp_conn *c,
		     const struct msrp_msg *m, struct msrp_route *rt)
{
	const struct msrp_hdr *h;
	struct msrp_session *s;
	uint32_t expires = r->cfg.expires_s;
	char extra[320];
	size_t n;

	if (msrp_path_count(&msrp_msg_hdr(m, MSRP_H_FROM_PATH)->val, &n) ||
	    n != 1)
		return reply(r, m, rt, 400, NULL);
	h = msrp_msg_hdr(m, MSRP_H_AUTHORIZATION);
	if (!h)
		return challenge(r, c, m, rt);
	if (check(r, c, m, h)) {
		c->nonce[0] = 0;
		r->st.auth_fail++;
		if (++c->auth_fail >= r->cfg.max_auth_fail) {
			rt->close_after = true;
			return reply(r, m, rt, 403, NULL);
		}
		return challenge(r, c, m, rt);
	}
	c->nonce[0] = 0;	/* single use */
	c->auth_fail = 0;
	if ((h = msrp_msg_hdr(m, MSRP_H_EXPIRES))) {
		if (pl_to_u32(&h->val, &expires))
			return reply(r, m, rt, 400, NULL);
		if (expires < r->cfg.min_expires_s) {
			snprintf(extra, sizeof(extra), "Min-Expires: %u\r\n",
				 r->cfg.min_expires_s);
			return reply(r, m, rt, 423, extra);
		}
		if (expires > r->cfg.max_expires_s)
			expires = r->cfg.max_expires_s;
	}
	if (r->nsessions >= r->cfg.max_sessions ||
	    c->nsess >= r->cfg.max_sessions_per_conn)
		return reply(r, m, rt, 503, NULL);
	if (session_open(r, c, m, expires, &s))
		return reply(r, m, rt, 400, NULL);
	r->st.auth_ok++;
	snprintf(extra, sizeof(extra), "Use-Path: %s\r\nExpires: %u\r\n",
		 s->uri, expires);
	return reply(r, m, rt, 200, extra);
}
