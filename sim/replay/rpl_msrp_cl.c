/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One emulated MSRP end of the re-drive (rpl_msrp.h): AUTH at the
 * target's relay with digest (RFC 4976 5), then the captured chunks sent
 * again as they were cut, and 200 to every SEND the relay brings. What
 * arrives is counted, its content types listed and its content bytes
 * hashed in order: the verdict compares those with the chunks the
 * capture carried to this end. Bytes in, bytes out; the caller owns the
 * socket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_msrp.h"

#define MAX_HEAD 16384

uint32_t rpl_mcl_hash(uint32_t h, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

void rpl_mcl_init(struct rpl_mcl *c, const char *host, uint16_t port,
		  const char *session, const char *relay_uri,
		  const char *user, const char *password, const char *realm)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->uri, sizeof(c->uri), "msrp://%s:%u/%s;tcp", host, port,
		 session);
	snprintf(c->relay, sizeof(c->relay), "%s", relay_uri);
	snprintf(c->user, sizeof(c->user), "%s", user);
	snprintf(c->password, sizeof(c->password), "%s", password);
	snprintf(c->realm, sizeof(c->realm), "%s", realm);
	msrp_parser_init(&c->ps, MAX_HEAD);
	buf_init(&c->out);
	c->rx_hash = RPL_MCL_HASH_INIT;
}

void rpl_mcl_fini(struct rpl_mcl *c)
{
	msrp_parser_fini(&c->ps);
	buf_fini(&c->out);
}

static void new_tid(struct rpl_mcl *c, char *tid, size_t n)
{
	/* 4..32 alphanumerics (RFC 4975 9), unique on this connection */
	snprintf(tid, n, "r%010u", ++c->tids);
}

static int auth_req(struct rpl_mcl *c, const char *authz)
{
	char tid[32];

	new_tid(c, tid, sizeof(tid));
	return buf_printf(&c->out, "MSRP %s AUTH\r\nTo-Path: %s\r\n"
			  "From-Path: %s\r\n%s-------%s$\r\n", tid, c->relay,
			  c->uri, authz ? authz : "", tid);
}

int rpl_mcl_auth(struct rpl_mcl *c)
{
	c->state = RPL_MCL_AUTHING;
	return auth_req(c, NULL);
}

static void range(char *out, size_t n, const struct rpl_mchunk *k)
{
	char e[24], t[24];

	if (k->end)
		snprintf(e, sizeof(e), "%llu", (unsigned long long)k->end);
	else
		snprintf(e, sizeof(e), "*");
	if (k->total)
		snprintf(t, sizeof(t), "%llu", (unsigned long long)k->total);
	else
		snprintf(t, sizeof(t), "*");
	snprintf(out, n, "%llu-%s/%s", (unsigned long long)k->start, e, t);
}

int rpl_mcl_send(struct rpl_mcl *c, const char *to_path, const char *msg_id,
		 const struct rpl_mchunk *k)
{
	char tid[32], rg[80];
	int e;

	new_tid(c, tid, sizeof(tid));
	range(rg, sizeof(rg), k);
	e = buf_printf(&c->out, "MSRP %s SEND\r\nTo-Path: %s\r\n"
		       "From-Path: %s\r\nMessage-ID: %s\r\n"
		       "Byte-Range: %s\r\nSuccess-Report: no\r\n", tid,
		       to_path, c->uri, msg_id, rg);
	if (!e && k->ctype[0])
		e = buf_printf(&c->out, "Content-Type: %s\r\n\r\n", k->ctype);
	else if (!e && k->len)
		e = buf_put_str(&c->out, "\r\n");
	if (!e && k->len)
		e = buf_put(&c->out, k->body, k->len);
	if (!e)
		e = buf_printf(&c->out, "%s-------%s%c\r\n",
			       k->len || k->ctype[0] ? "\r\n" : "", tid,
			       k->flag ? k->flag : '$');
	if (!e)
		c->tx_chunks++;
	return e;
}

static void fail(struct rpl_mcl *c, const char *why, uint16_t code)
{
	c->state = RPL_MCL_FAILED;
	snprintf(c->err, sizeof(c->err), "%s (%u)", why, code);
}

static void on_challenge(struct rpl_mcl *c, const struct msrp_msg *m)
{
	const struct msrp_hdr *h = msrp_msg_hdr(m, MSRP_H_WWW_AUTHENTICATE);
	enum msrp_alg alg = MSRP_ALG_MD5;
	char line[400], ha1[65], resp[65], authz[1200], nonce[128];
	struct msrp_auth a;
	struct pl l, alg_pl, non;

	if (c->tids > 1) {
		fail(c, "AUTH refused with our credentials", 401);
		return;
	}
	if (!h) {
		fail(c, "401 without a challenge", 401);
		return;
	}
	non = msrp_chal_param(&h->val, " nonce=");
	alg_pl = msrp_chal_param(&h->val, "algorithm=");
	if (!non.len || (alg_pl.len && msrp_alg_parse(&alg_pl, &alg))) {
		fail(c, "challenge we cannot answer", 401);
		return;
	}
	pl_strcpy(&non, nonce, sizeof(nonce));
	snprintf(line, sizeof(line), "%s:%s:%s", c->user, c->realm,
		 c->password);
	l = pl_from_str(line);
	memset(&a, 0, sizeof(a));
	a.uri = pl_from_str(c->relay);
	a.nonce = pl_from_str(nonce);
	a.cnonce = PL("7c1e2a90");
	a.nc = PL("00000001");
	a.qop = PL("auth");
	if (msrp_digest_hex(alg, &l, ha1, sizeof(ha1)) ||
	    msrp_digest_response(alg, ha1, "AUTH", &a, resp, sizeof(resp))) {
		fail(c, "digest", 0);
		return;
	}
	snprintf(authz, sizeof(authz),
		 "Authorization: Digest username=\"%s\", realm=\"%s\", "
		 "nonce=\"%s\", uri=\"%s\", response=\"%s\", algorithm=%s, "
		 "qop=auth, cnonce=\"7c1e2a90\", nc=00000001\r\n", c->user,
		 c->realm, nonce, c->relay, resp, msrp_alg_name(alg));
	auth_req(c, authz);
}

static void on_head(struct rpl_mcl *c, const struct msrp_msg *m)
{
	c->rx_req = m->is_req;
	c->rx_mid = m->mid;
	pl_strcpy(&m->tid, c->rx_tid, sizeof(c->rx_tid));
	c->rx_len = 0;
	if (m->is_req) {
		msrp_hdr_copy(m, MSRP_H_FROM_PATH, c->rx_from, sizeof(c->rx_from));
		msrp_hdr_copy(m, MSRP_H_TO_PATH, c->rx_to, sizeof(c->rx_to));
		msrp_hdr_copy(m, MSRP_H_CONTENT_TYPE, c->rx_ctype,
			 sizeof(c->rx_ctype));
		return;
	}
	c->last_status = m->scode;
	if (c->state == RPL_MCL_AUTHING) {
		if (m->scode == 401)
			on_challenge(c, m);
		else if (m->scode == 200 &&
			 msrp_msg_hdr(m, MSRP_H_USE_PATH)) {
			msrp_hdr_copy(m, MSRP_H_USE_PATH, c->use_path,
				 sizeof(c->use_path));
			c->state = RPL_MCL_AUTHED;
		} else {
			fail(c, "AUTH refused", m->scode);
		}
	} else if (m->scode == 200) {
		c->tx_ok++;
	} else {
		c->tx_fail++;
	}
}

static void add_ctype(struct rpl_mcl *c)
{
	size_t n = strlen(c->rx_ctypes), k = strlen(c->rx_ctype);
	const char *p = c->rx_ctypes;

	if (!k)
		return;
	while ((p = strstr(p, c->rx_ctype))) {
		if ((p == c->rx_ctypes || p[-1] == ',') &&
		    (p[k] == ',' || !p[k]))
			return;
		p++;
	}
	if (n + k + 2 <= sizeof(c->rx_ctypes))
		snprintf(c->rx_ctypes + n, sizeof(c->rx_ctypes) - n, "%s%s",
			 n ? "," : "", c->rx_ctype);
}

static void on_end(struct rpl_mcl *c, char flag)
{
	if (!c->rx_req)
		return;
	if (c->rx_mid == MSRP_M_SEND) {
		c->rx_chunks++;
		c->rx_bytes += c->rx_len;
		if (flag == '$')
			c->rx_msgs++;
		add_ctype(c);
	}
	if (c->rx_mid == MSRP_M_REPORT)
		return;		/* no response to a REPORT (RFC 4975 7.1.2) */
	/* RFC 4975 7.2: the response goes to the previous hop, the first
	 * URI of the request's From-Path */
	buf_printf(&c->out, "MSRP %s 200 OK\r\nTo-Path: %.*s\r\n"
		   "From-Path: %s\r\n-------%s$\r\n", c->rx_tid,
		   (int)strcspn(c->rx_from, " "), c->rx_from, c->uri,
		   c->rx_tid);
}

int rpl_mcl_input(struct rpl_mcl *c, const uint8_t *p, size_t n)
{
	struct pl rest = pl_from_mem(p, n);
	struct msrp_ev ev;
	int e;

	while (!(e = msrp_parse(&c->ps, &rest, &ev))) {
		if (ev.kind == MSRP_EV_HEAD) {
			on_head(c, ev.msg);
		} else if (ev.kind == MSRP_EV_DATA) {
			if (c->rx_req && c->rx_mid == MSRP_M_SEND) {
				c->rx_hash = rpl_mcl_hash(c->rx_hash,
					(const uint8_t *)ev.data.p,
					ev.data.len);
				c->rx_len += ev.data.len;
			}
		} else if (ev.kind == MSRP_EV_END) {
			on_end(c, ev.flag);
		}
	}
	if (e == ENODATA)
		return 0;
	snprintf(c->err, sizeof(c->err), "relay sent malformed MSRP: %s",
		 c->ps.err);
	c->state = RPL_MCL_FAILED;
	return EBADMSG;
}
