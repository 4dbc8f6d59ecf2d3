/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench UA, client side: building requests, client transactions with
 * retransmission (RFC 3261 17.1, Timers A/B/E/F/D), digest answers to
 * 401/407 (RFC 7616, MD5 and SHA-256, qop=auth), and what each final
 * response means for a registration, a call, a MESSAGE or a presence
 * request.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "base/mem.h"
#include "ua/ua_int.h"

static const char *tp_upper(enum net_tp tp)
{
	switch (tp) {
	case NET_TCP: return "TCP";
	case NET_TLS: return "TLS";
	case NET_WS: return "WS";
	case NET_WSS: return "WSS";
	default: return "UDP";
	}
}

void ua_new_branch(struct ua *ua, char *dst, size_t n)
{
	/* RFC 3261 8.1.1.7 magic cookie */
	memcpy(dst, "z9hG4bK", 7);
	ua_rand_token(ua, dst + 7, n - 8);
}

static void contact_uri(const struct ua *ua, char *dst, size_t n)
{
	char hp[NET_ADDR_STRLEN];

	net_addr_str(&ua->local, hp, sizeof(hp));
	if (ua->local.tp == NET_UDP)
		snprintf(dst, n, "sip:%s@%s", ua->user, hp);
	else if (ua->local.tp == NET_TLS)
		snprintf(dst, n, "sips:%s@%s", ua->user, hp);
	else
		snprintf(dst, n, "sip:%s@%s;transport=%s", ua->user, hp,
			 net_tp_name(ua->local.tp));
	if (ua->cparams[0] && strlen(dst) + strlen(ua->cparams) < n)
		strcat(dst, ua->cparams);
}

int ua_build_request(struct ua *ua, struct buf *b, enum sip_method m,
		     const char *ruri, const char *to_uri, const char *to_tag,
		     const char *from_tag, const char *call_id, uint32_t cseq,
		     const char *branch, const struct ua_call *c,
		     const char *extra_hdrs, const char *ctype,
		     const void *body, size_t body_len)
{
	char hp[NET_ADDR_STRLEN], ct[320];
	const char *mname = sip_method_name(m);
	int err = 0, i;

	net_addr_str(&ua->local, hp, sizeof(hp));
	err |= buf_printf(b, "%s %s SIP/2.0\r\n", mname, ruri);
	err |= buf_printf(b, "Via: SIP/2.0/%s %s;branch=%s;rport\r\n",
			  tp_upper(ua->local.tp), hp, branch);
	err |= buf_printf(b, "Max-Forwards: 70\r\n");
	for (i = 0; c && i < c->nroute; i++)
		err |= buf_printf(b, "Route: %s\r\n", c->route[i]);
	if (*ua->display)
		err |= buf_printf(b, "From: \"%s\" <sip:%s>;tag=%s\r\n",
				  ua->display, ua->aor, from_tag);
	else
		err |= buf_printf(b, "From: <sip:%s>;tag=%s\r\n", ua->aor,
				  from_tag);
	err |= buf_printf(b, "To: <%s>%s%s\r\n", to_uri,
			  to_tag && *to_tag ? ";tag=" : "",
			  to_tag ? to_tag : "");
	err |= buf_printf(b, "Call-ID: %s\r\n", call_id);
	err |= buf_printf(b, "CSeq: %u %s\r\n", cseq,
			  m == SIP_M_ACK || m == SIP_M_CANCEL ?
			  mname : mname);
	if (m == SIP_M_INVITE || m == SIP_M_REGISTER ||
	    m == SIP_M_SUBSCRIBE || m == SIP_M_UPDATE) {
		contact_uri(ua, ct, sizeof(ct));
		err |= buf_printf(b, "Contact: <%s>\r\n", ct);
	}
	err |= buf_printf(b, "User-Agent: %s\r\n", ua->uagent);
	if (extra_hdrs)
		err |= buf_put_str(b, extra_hdrs);
	if (ctype && body_len)
		err |= buf_printf(b, "Content-Type: %s\r\n", ctype);
	err |= buf_printf(b, "Content-Length: %zu\r\n\r\n", body_len);
	if (body_len)
		err |= buf_put(b, body, body_len);
	return err ? ENOMEM : 0;
}

static struct ua_tx *tx_alloc(struct ua *ua)
{
	size_t i;

	for (i = 0; i < UA_MAX_TX; i++) {
		if (!ua->tx[i].used) {
			memset(&ua->tx[i], 0, sizeof(ua->tx[i]));
			ua->tx[i].used = 1;
			ua->tx[i].call = -1;
			buf_init(&ua->tx[i].req);
			return &ua->tx[i];
		}
	}
	return NULL;
}

void ua_tx_free(struct ua *ua, struct ua_tx *t)
{
	ua_timer_stop(ua, &t->t_retrans);
	ua_timer_stop(ua, &t->t_timeout);
	buf_fini(&t->req);
	t->used = 0;
}

static int tx_send(struct ua *ua, struct ua_tx *t)
{
	ua->st.sip_sent++;
	return ua_send(ua, &ua->local, &ua->proxy, 0, t->req.data,
		       t->req.len);
}

int ua_tx_start(struct ua *ua, enum sip_method m, const struct buf *req,
		const char *branch, uint32_t cseq, int call, struct ua_tx **tp)
{
	struct ua_tx *t = tx_alloc(ua);
	int err;

	if (!t)
		return EOVERFLOW;
	t->method = m;
	snprintf(t->branch, sizeof(t->branch), "%s", branch);
	t->cseq = cseq;
	t->call = call;
	t->started_us = ua->now_us;
	err = buf_put(&t->req, req->data, req->len);
	if (!err)
		err = tx_send(ua, t);
	if (err) {
		ua_tx_free(ua, t);
		return err;
	}
	if (call >= 0 && m == SIP_M_INVITE)
		ua->calls[call].invite_tx = (int)(t - ua->tx);
	/* Timers A/E only on unreliable transports (17.1.1.2, 17.1.2.2). */
	t->interval_us = UA_T1_US;
	if (ua->proxy.tp == NET_UDP)
		ua_timer(ua, &t->t_retrans, ua->now_us + UA_T1_US, UT_RETRANS,
			 t);
	ua_timer(ua, &t->t_timeout, ua->now_us + 64 * UA_T1_US,
		 UT_TX_TIMEOUT, t);
	if (tp)
		*tp = t;
	return 0;
}

void ua_tx_retrans(struct ua *ua, struct ua_tx *t)
{
	if (t->got_final)
		return;
	ua->st.sip_retrans++;
	tx_send(ua, t);
	t->interval_us *= 2;
	if (t->method != SIP_M_INVITE && t->interval_us > UA_T2_US)
		t->interval_us = UA_T2_US;
	ua_timer(ua, &t->t_retrans, ua->now_us + t->interval_us, UT_RETRANS,
		 t);
}

static void fail_tx(struct ua *ua, struct ua_tx *t, uint16_t status,
		    const char *why)
{
	struct ua_call *c = t->call >= 0 ? &ua->calls[t->call] : NULL;

	switch (t->method) {
	case SIP_M_REGISTER:
		ua_emit(ua, UA_EV_REG_FAILED, status, 0, ua->aor, why);
		break;
	case SIP_M_INVITE:
		if (c && c->state != UC_UP && c->state != UC_FREE) {
			ua->st.calls_failed++;
			ua_emit(ua, UA_EV_CALL_FAILED, status, c->handle,
				c->peer, why);
			ua_call_free(ua, c);
		}
		break;
	case SIP_M_MESSAGE:
		ua_emit(ua, UA_EV_MESSAGE_SENT, status, 0, t->target, why);
		break;
	case SIP_M_OPTIONS:
		ua_emit(ua, UA_EV_OPTIONS_DONE, status, 0, t->target, why);
		break;
	case SIP_M_SUBSCRIBE:
		ua_emit(ua, UA_EV_SUBSCRIBED, status, 0, t->target, why);
		break;
	case SIP_M_PUBLISH:
		ua_emit(ua, UA_EV_PUBLISHED, status, 0, ua->aor, why);
		break;
	case SIP_M_BYE:
		if (c)
			ua_call_free(ua, c);
		break;
	default:
		break;
	}
}

void ua_tx_timeout(struct ua *ua, struct ua_tx *t)
{
	if (!t->got_final)
		fail_tx(ua, t, 408, "no final response (Timer B/F)");
	ua_tx_free(ua, t);
}

/* Hex digest of s with MD5 or SHA-256 into out (65 bytes). */
static int hash_hex(int sha256, const char *s, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(s, strlen(s), md, &n,
			sha256 ? EVP_sha256() : EVP_md5(), NULL))
		return EINVAL;
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[2 * n] = 0;
	return 0;
}

static void pl_unquote(struct pl *p)
{
	if (p->len >= 2 && p->p[0] == '"' && p->p[p->len - 1] == '"') {
		p->p++;
		p->len -= 2;
	}
}

/* Pick the first challenge we can answer and write the credentials
 * header line (CRLF-terminated) into hdr. */
static int digest_answer(struct ua *ua, const struct sip_msg *rsp,
			 const struct ua_tx *t, struct buf *hdr)
{
	enum sip_hdr_id ch = rsp->scode == 407 ? SIP_HDR_PROXY_AUTHENTICATE
					       : SIP_HDR_WWW_AUTHENTICATE;
	const struct sip_hdr *h;
	struct sip_auth a;
	char ha1[65], ha2[65], resp[65], cnonce[17], tmp[1024], ruri[512];
	struct sip_msg *req;
	int sha = 0;

	for (h = sip_msg_hdr(rsp, ch); h; h = sip_msg_hdr_next(rsp, h)) {
		if (sip_auth_decode(&a, &h->val))
			continue;
		pl_unquote(&a.algorithm);
		if (!a.algorithm.len || pl_caseeq_str(&a.algorithm, "MD5")) {
			sha = 0;
			break;
		}
		if (pl_caseeq_str(&a.algorithm, "SHA-256")) {
			sha = 1;
			break;
		}
	}
	if (!h)
		return ENOENT;
	pl_unquote(&a.realm);
	pl_unquote(&a.nonce);
	pl_unquote(&a.opaque);
	pl_unquote(&a.qop);
	/* The digest uri is the request's Request-URI (RFC 7616 3.4). */
	req = mem_alloc(sizeof(*req));
	if (!req)
		return ENOMEM;
	if (sip_msg_decode(req, t->req.data, t->req.len)) {
		mem_free(req);
		return EINVAL;
	}
	pl_strcpy(&req->ruri_pl, ruri, sizeof(ruri));
	mem_free(req);
	ua_rand_token(ua, cnonce, 16);
	snprintf(tmp, sizeof(tmp), "%s:%.*s:%s", ua->user, PL_ARG(a.realm),
		 ua->password);
	hash_hex(sha, tmp, ha1);
	snprintf(tmp, sizeof(tmp), "%s:%s", sip_method_name(t->method), ruri);
	hash_hex(sha, tmp, ha2);
	if (a.qop.len) {
		snprintf(tmp, sizeof(tmp), "%s:%.*s:00000001:%s:auth:%s", ha1,
			 PL_ARG(a.nonce), cnonce, ha2);
	} else {
		snprintf(tmp, sizeof(tmp), "%s:%.*s:%s", ha1, PL_ARG(a.nonce),
			 ha2);
	}
	hash_hex(sha, tmp, resp);
	snprintf(ua->last_digest, sizeof(ua->last_digest), "%s", resp);
	buf_printf(hdr, "%s: Digest username=\"%s\", realm=\"%.*s\", "
		   "nonce=\"%.*s\", uri=\"%s\", response=\"%s\", "
		   "algorithm=%s",
		   rsp->scode == 407 ? "Proxy-Authorization" : "Authorization",
		   ua->user, PL_ARG(a.realm), PL_ARG(a.nonce), ruri, resp,
		   sha ? "SHA-256" : "MD5");
	if (a.qop.len)
		buf_printf(hdr, ", qop=auth, nc=00000001, cnonce=\"%s\"",
			   cnonce);
	if (a.opaque.p)
		buf_printf(hdr, ", opaque=\"%.*s\"", PL_ARG(a.opaque));
	return buf_put_str(hdr, "\r\n");
}

/* Same request with a new branch, CSeq + 1 and the credentials. */
int ua_tx_auth_resend(struct ua *ua, struct ua_tx *t,
		      const struct sip_msg *rsp)
{
	struct buf hdr, nreq;
	char branch[40], cs_old[48], cs_new[48];
	const uint8_t *p = t->req.data, *end = p + t->req.len, *x;
	int err;

	buf_init(&hdr);
	buf_init(&nreq);
	err = digest_answer(ua, rsp, t, &hdr);
	if (err)
		goto out;
	ua_new_branch(ua, branch, sizeof(branch));
	snprintf(cs_old, sizeof(cs_old), "CSeq: %u ", t->cseq);
	snprintf(cs_new, sizeof(cs_new), "CSeq: %u ", t->cseq + 1);
	/* Copy, swapping branch and CSeq, and put the credentials before
	 * Content-Length (our builder always writes it last). */
	while (p < end) {
		x = memchr(p, '\n', (size_t)(end - p));
		size_t n = x ? (size_t)(x - p) + 1 : (size_t)(end - p);
		struct pl line = { (const char *)p, n };
		if (pl_prefix_case(&line, "Via:")) {
			struct pl b = pl_from_str(t->branch);
			const char *at = pl_find(&line, &b);
			if (at) {
				buf_put(&nreq, p, (size_t)(at - line.p));
				buf_put_str(&nreq, branch);
				buf_put(&nreq, at + b.len,
					n - (size_t)(at - line.p) - b.len);
			} else {
				buf_put(&nreq, p, n);
			}
		} else if (pl_prefix_case(&line, cs_old)) {
			buf_put_str(&nreq, cs_new);
			buf_put(&nreq, p + strlen(cs_old), n - strlen(cs_old));
		} else if (pl_prefix_case(&line, "Content-Length:")) {
			buf_put(&nreq, hdr.data, hdr.len);
			buf_put(&nreq, p, (size_t)(end - p));
			break;
		} else if (pl_prefix_case(&line, "Authorization:") ||
			   pl_prefix_case(&line, "Proxy-Authorization:")) {
			/* replaced by the new credentials */
		} else {
			buf_put(&nreq, p, n);
		}
		p += n;
	}
	{
		struct ua_tx *nt;
		int call = t->call, auth = t->auth_tried;
		enum sip_method m = t->method;
		uint32_t cseq = t->cseq + 1, rexp = t->reg_expires;
		char target[sizeof(t->target)];

		snprintf(target, sizeof(target), "%s", t->target);
		ua_tx_free(ua, t);
		err = ua_tx_start(ua, m, &nreq, branch, cseq, call, &nt);
		if (err)
			goto out;
		nt->auth_tried = auth + 1;
		nt->reg_expires = rexp;
		snprintf(nt->target, sizeof(nt->target), "%s", target);
		if (m == SIP_M_REGISTER)
			ua->reg_cseq = cseq;
		if (call >= 0) {
			ua->calls[call].lcseq = cseq;
			if (m == SIP_M_INVITE)
				ua->calls[call].invite_cseq = cseq;
		}
	}
out:
	buf_fini(&hdr);
	buf_fini(&nreq);
	return err;
}
