/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fixture for the SIP service core's unit tests: a proxy with fake
 * stores (accounts alice, bob, carol with password "secret"), a fake
 * clock, and helpers that inject text messages (LF turned into CRLF) and
 * pick the core's output by its first line.
 */
#ifndef TESTS_PROXY_TESTUTIL_H
#define TESTS_PROXY_TESTUTIL_H

#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "sip/proxy.h"
#include "sip/sip.h"
#include "base/mem.h"

#define FX_MAXQ 64

struct fx_out {
	struct net_addr dst;
	uint64_t conn_id;
	char text[8192];
};

struct fx {
	struct sip_proxy *p;
	struct rng rng;
	struct net_addr listen[3];
	struct sip_net nets[2];
	uint64_t now;
	struct fx_out q[FX_MAXQ];
	size_t nq;
	struct fx_out last;
	int ntrace, ncdr, nmsg, ntrace_msg, cseq;
	struct sip_cdr cdr;
	char msg_from[128], msg_to[128];
	char trace_all[65536];
	size_t trace_len;
};

static int fx_ha1(void *arg, const char *user, const char *domain,
		  enum sip_auth_alg alg, char *hex, size_t sz)
{
	(void)arg;
	if (strcmp(user, "alice") && strcmp(user, "bob") &&
	    strcmp(user, "carol"))
		return ENOENT;
	return sip_auth_ha1(alg, user, domain, "secret", hex, sz);
}

static int fx_exists(void *arg, const char *user, const char *domain)
{
	char h[SIP_HA1_MAX];

	return fx_ha1(arg, user, domain, SIP_AUTH_MD5, h, sizeof(h));
}

static void fx_trace(void *arg, const struct sip_trace *t)
{
	struct fx *f = arg;
	size_t n = t->bytes.len;

	f->ntrace++;
	if (pl_prefix_case(&t->bytes, "MESSAGE") ||
	    pl_prefix_case(&t->bytes, "REGISTER"))
		f->ntrace_msg++;
	if (f->trace_len + n < sizeof(f->trace_all)) {
		memcpy(f->trace_all + f->trace_len, t->bytes.p, n);
		f->trace_len += n;
		f->trace_all[f->trace_len] = 0;
	}
}

static void fx_cdr(void *arg, const struct sip_cdr *c)
{
	struct fx *f = arg;

	f->ncdr++;
	f->cdr = *c;
}

static int fx_msg(void *arg, const struct sip_message_rec *m)
{
	struct fx *f = arg;

	f->nmsg++;
	snprintf(f->msg_from, sizeof(f->msg_from), "%.*s", PL_ARG(m->from));
	snprintf(f->msg_to, sizeof(f->msg_to), "%.*s", PL_ARG(m->to));
	return 0;
}

static void fx_addr(const char *s, enum net_tp tp, struct net_addr *a)
{
	struct pl pl = pl_from_str(s);

	if (net_addr_parse(&pl, 5060, a))
		fail_msg("bad address %s", s);
	a->tp = tp;
}

static uint32_t fx_max_tsx;	/* 0: default */
/* The push hook of the next fx_init (NULL: no push service). */
static void (*fx_push_fn)(void *arg, const struct sip_push *p);
static struct sip_fail_ops fx_fail;	/* failure route; zero: none */
static const struct sip_static_route *fx_static;	/* NULL: none */
static struct sip_media_ops fx_media;	/* the media relay; zero: none */

/*
 * The part of the proxy set-up every proxy suite shares: f zeroed, its rng
 * seeded, listening on UDP/TCP 5060 and TLS 5061 of 127.0.0.1, 127/8 as
 * the local network, domain example.test; c zeroed and pointing at them
 * (c.rng too). The suite adds its store callbacks and options.
 */
static void fx_cfg(struct fx *f, struct sip_proxy_cfg *c, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	rng_seed(&f->rng, seed);
	fx_addr("127.0.0.1:5060", NET_UDP, &f->listen[0]);
	fx_addr("127.0.0.1:5060", NET_TCP, &f->listen[1]);
	fx_addr("127.0.0.1:5061", NET_TLS, &f->listen[2]);
	fx_addr("127.0.0.0", NET_UDP, &f->nets[0].pfx);
	f->nets[0].bits = 8;
	memset(c, 0, sizeof(*c));
	c->domain = "example.test";
	c->listen = f->listen;
	c->nlisten = 3;
	c->networks = f->nets;
	c->nnetworks = 1;
	c->rng = &f->rng;
}

static void fx_init(struct fx *f, bool auth)
{
	struct sip_proxy_cfg c;
	static const uint8_t secret[] = "unit-test-secret";

	fx_cfg(f, &c, 42);
	c.auth = auth;
	c.nonce_secret = secret;
	c.nonce_secret_len = sizeof(secret) - 1;
	c.max_tsx = fx_max_tsx;
	c.fail = fx_fail;
	if (fx_static) {
		c.statics[0] = *fx_static;
		c.nstatics = 1;
	}
	c.media = fx_media;
	c.wall_offset_us = 1700000000000000ll;
	c.store.arg = f;
	c.store.ha1_get = fx_ha1;
	c.store.user_exists = fx_exists;
	c.store.trace_add = fx_trace;
	c.store.cdr_write = fx_cdr;
	c.store.message_store = fx_msg;
	c.store.push = fx_push_fn;
	f->now = 1000000;
	if (sip_proxy_new(&f->p, &c))
		fail_msg("sip_proxy_new");
}

static void fx_fini(struct fx *f)
{
	sip_proxy_free(f->p);
	f->p = NULL;
}

static void fx_crlf(const char *in, char *out, size_t sz)
{
	size_t j = 0;

	for (; *in && j + 2 < sz; in++) {
		if (*in == '\n' && (j == 0 || out[j - 1] != '\r'))
			out[j++] = '\r';
		out[j++] = *in;
	}
	out[j] = 0;
}

static void fx_pull(struct fx *f)
{
	struct net_out o;

	while (!sip_proxy_output(f->p, &o)) {
		struct fx_out *q;

		if (o.kind != NET_OUT_SEND)
			continue;
		if (f->nq == FX_MAXQ)
			fail_msg("output queue full");
		q = &f->q[f->nq++];
		q->dst = o.dst;
		q->conn_id = o.conn_id;
		snprintf(q->text, sizeof(q->text), "%.*s", (int)o.len,
			 (const char *)o.data);
	}
}

static void fx_in(struct fx *f, const char *from, enum net_tp tp,
		  const char *text)
{
	static char buf[16384];
	struct net_pkt pkt;

	fx_crlf(text, buf, sizeof(buf));
	memset(&pkt, 0, sizeof(pkt));
	fx_addr(from, tp, &pkt.from);
	pkt.to = f->listen[tp == NET_TLS ? 2 : tp == NET_TCP ? 1 : 0];
	pkt.conn_id = net_tp_is_stream(tp) ? 7 : 0;
	pkt.data = (const uint8_t *)buf;
	pkt.len = strlen(buf);
	assert_int_equal(sip_proxy_input(f->p, f->now, &pkt), 0);
	fx_pull(f);
}

static void fx_advance(struct fx *f, uint64_t us)
{
	f->now += us;
	assert_int_equal(sip_proxy_timeout(f->p, f->now), 0);
	fx_pull(f);
}

static const char *fx_expect_to(struct fx *f, const char *prefix,
				struct fx_out *out)
{
	size_t i;

	fx_pull(f);
	for (i = 0; i < f->nq; i++) {
		if (strncmp(f->q[i].text, prefix, strlen(prefix)))
			continue;
		f->last = f->q[i];
		memmove(&f->q[i], &f->q[i + 1],
			(f->nq - i - 1) * sizeof(f->q[0]));
		f->nq--;
		if (out)
			*out = f->last;
		return f->last.text;
	}
	for (i = 0; i < f->nq; i++)
		print_message("queued: %.60s\n", f->q[i].text);
	fail_msg("no output starting with '%s'", prefix);
	return NULL;
}

static const char *fx_expect(struct fx *f, const char *prefix)
{
	return fx_expect_to(f, prefix, NULL);
}

static void fx_none(struct fx *f)
{
	fx_pull(f);
	if (f->nq)
		fail_msg("unexpected output: %.80s", f->q[0].text);
}

static void fx_drain(struct fx *f)
{
	fx_pull(f);
	f->nq = 0;
}

static int fx_count(struct fx *f, const char *prefix)
{
	int n = 0;
	size_t i = 0;

	fx_pull(f);
	while (i < f->nq) {
		if (!strncmp(f->q[i].text, prefix, strlen(prefix))) {
			memmove(&f->q[i], &f->q[i + 1],
				(f->nq - i - 1) * sizeof(f->q[0]));
			f->nq--;
			n++;
		} else {
			i++;
		}
	}
	return n;
}

static void fx_register_tp(struct fx *f, const char *user, const char *addr,
			   enum net_tp tp, unsigned expires)
{
	char m[1024];

	f->cseq++;
	snprintf(m, sizeof(m),
		 "REGISTER sip:example.test SIP/2.0\n"
		 "Via: SIP/2.0/%s %s;branch=z9hG4bKreg%d\n"
		 "From: <sip:%s@example.test>;tag=r\n"
		 "To: <sip:%s@example.test>\nCall-ID: reg-%s-%s\n"
		 "CSeq: %d REGISTER\nContact: <sip:%s@%s%s>;expires=%u\n"
		 "Content-Length: 0\n\n", tp == NET_TLS ? "TLS" : "UDP", addr,
		 f->cseq, user, user, user, addr, f->cseq, user, addr,
		 tp == NET_TLS ? ";transport=tls" : "", expires);
	fx_in(f, addr, tp, m);
	fx_expect(f, "SIP/2.0 200");
}

static void fx_register(struct fx *f, const char *user, const char *addr,
			unsigned expires)
{
	fx_register_tp(f, user, addr, NET_UDP, expires);
}

/* A response from a downstream UA to the forwarded request o. */
static void fx_reply(struct fx *f, const struct fx_out *o, const char *from,
		     uint16_t code, const char *totag, const char *sdp)
{
	static struct sip_msg req;
	struct pl tag = pl_from_str(totag), ct = PL("application/sdp"), body;
	char sdpc[1024];
	struct buf b;
	struct net_pkt pkt;

	assert_int_equal(sip_msg_decode(&req, (const uint8_t *)o->text,
					strlen(o->text)), 0);
	buf_init(&b);
	if (sdp)
		fx_crlf(sdp, sdpc, sizeof(sdpc));
	body = pl_from_str(sdp ? sdpc : "");
	assert_int_equal(sip_encode_response(&b, &req, code, NULL, &tag, NULL,
					     0, sdp ? &ct : NULL,
					     sdp ? &body : NULL), 0);
	memset(&pkt, 0, sizeof(pkt));
	fx_addr(from, NET_UDP, &pkt.from);
	pkt.to = f->listen[0];
	pkt.data = b.data;
	pkt.len = b.len;
	assert_int_equal(sip_proxy_input(f->p, f->now, &pkt), 0);
	buf_fini(&b);
	fx_pull(f);
}

static void fx_nonce(const char *r, char *out, size_t sz)
{
	const char *n = strstr(r, "nonce=\"");

	assert_non_null(n);
	snprintf(out, sz, "%.*s", (int)strcspn(n + 7, "\""), n + 7);
}

static void fx_h(enum sip_auth_alg alg, const char *s, char *out)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;

	EVP_Digest(s, strlen(s), d, &n, alg == SIP_AUTH_SHA256 ?
		   EVP_sha256() : EVP_md5(), NULL);
	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void fx_digest(enum sip_auth_alg alg, const char *user,
		      const char *pass, const char *method, const char *uri,
		      const char *nonce, const char *nc, char *out)
{
	char ha1[SIP_HA1_MAX], ha2[SIP_HA1_MAX], s[512];

	sip_auth_ha1(alg, user, "example.test", pass, ha1, sizeof(ha1));
	snprintf(s, sizeof(s), "%s:%s", method, uri);
	fx_h(alg, s, ha2);
	snprintf(s, sizeof(s), "%s:%s:%s:cn0:auth:%s", ha1, nonce, nc, ha2);
	fx_h(alg, s, out);
}

static void fx_auth_register_alg(struct fx *f, const char *user,
				 const char *nonce, const char *nc,
				 const char *resp, int cseq,
				 const char *branch, const char *alg)
{
	char m[2048];

	snprintf(m, sizeof(m),
		 "REGISTER sip:example.test SIP/2.0\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=%s\n"
		 "From: <sip:%s@example.test>;tag=1\n"
		 "To: <sip:%s@example.test>\nCall-ID: ra\nCSeq: %d REGISTER\n"
		 "Contact: <sip:%s@127.0.0.1:5070>\n"
		 "Authorization: Digest username=\"%s\", "
		 "realm=\"example.test\", nonce=\"%s\", "
		 "uri=\"sip:example.test\", response=\"%s\", algorithm=%s, "
		 "qop=auth, nc=%s, cnonce=\"cn0\"\n"
		 "Content-Length: 0\n\n", branch, user, user, cseq, user, user,
		 nonce, resp, alg, nc);
	fx_in(f, "127.0.0.1:5070", NET_UDP, m);
}

static void fx_auth_register(struct fx *f, const char *user,
			     const char *nonce, const char *nc,
			     const char *resp, int cseq, const char *branch)
{
	fx_auth_register_alg(f, user, nonce, nc, resp, cseq, branch, "MD5");
}

#endif
