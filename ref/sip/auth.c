/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest authentication (RFC 3261 22, RFC 7616, RFC 8760): MD5 and
 * SHA-256 challenges in a configurable order (MD5 first by default: SIPp
 * reads only the first), qop=auth, 401 for REGISTER and 407 otherwise.
 *
 * Nonces are stateless: "time.salt.HMAC-SHA256(secret, time.salt)" so
 * any nonce we issued can be checked without memory; an old one gets a
 * new challenge with stale=true. Replayed nonce-counts are refused with a
 * small in-memory cache (an evicted nonce must start again at nc=1).
 *
 * Against scanners (svwar) and crackers (svcrack): an unknown user is
 * verified against a fake HA1 so the answer is the same challenge as for
 * a wrong password, and failures drain token buckets per source address
 * and per account; an empty bucket answers 503 Retry-After whatever the
 * credentials. HMAC and hashes come from OpenSSL (no I/O in a core).
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <sodium.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

#define NC_SLOTS 8192
#define LIM_SLOTS 4096

struct nc_ent {
	char nonce[64];
	uint32_t nc;
};

struct bucket {
	uint32_t key;
	uint32_t used;
	double tokens;
	uint64_t last_us;
};

/*
 * Fetched once per proxy: OpenSSL 3's one-shot HMAC() and a digest
 * initialised with EVP_md5()/EVP_sha256() look the algorithm up in the
 * provider tables on every call, which under `perf proxy` was a third of
 * a digest REGISTER's hashing time. The nonce HMAC-SHA256 (the same
 * function as OpenSSL's, so nonces survive the change) starts from a
 * state keyed once and copied per nonce.
 */
struct auth_crypto {
	EVP_MD *md5, *sha256;
	EVP_MD_CTX *ctx;
	crypto_auth_hmacsha256_state hmac;
};

static void crypto_free(struct auth_crypto *ac)
{
	if (!ac)
		return;
	EVP_MD_free(ac->md5);
	EVP_MD_free(ac->sha256);
	EVP_MD_CTX_free(ac->ctx);
	sodium_memzero(&ac->hmac, sizeof(ac->hmac));
	mem_free(ac);
}

static struct auth_crypto *crypto_new(const struct sip_proxy *p)
{
	struct auth_crypto *ac = mem_zalloc(sizeof(*ac));

	if (!ac)
		return NULL;
	ac->md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	ac->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	ac->ctx = EVP_MD_CTX_new();
	if (sodium_init() < 0 || !ac->md5 || !ac->sha256 || !ac->ctx ||
	    crypto_auth_hmacsha256_init(&ac->hmac, p->secret,
					p->cfg.nonce_secret_len)) {
		crypto_free(ac);
		return NULL;
	}
	return ac;
}

int auth_init(struct sip_proxy *p)
{
	/* Without the cache (an OpenSSL without MD5) the slow path runs. */
	p->ac = crypto_new(p);
	p->nnc = NC_SLOTS;
	p->nlim = LIM_SLOTS;
	p->nc = mem_zalloc(NC_SLOTS * sizeof(*p->nc));
	p->lim_src = mem_zalloc(LIM_SLOTS * sizeof(*p->lim_src));
	p->lim_user = mem_zalloc(LIM_SLOTS * sizeof(*p->lim_user));
	return p->nc && p->lim_src && p->lim_user ? 0 : ENOMEM;
}

void auth_fini(struct sip_proxy *p)
{
	crypto_free(p->ac);
	p->ac = NULL;
	mem_free(p->nc);
	mem_free(p->lim_src);
	mem_free(p->lim_user);
	p->nc = NULL;
	p->lim_src = p->lim_user = NULL;
}

static const EVP_MD *md(enum sip_auth_alg alg)
{
	return alg == SIP_AUTH_SHA256 ? EVP_sha256() : EVP_md5();
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	static const char x[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[d[i] >> 4];
		out[2 * i + 1] = x[d[i] & 15];
	}
	out[2 * n] = 0;
}

/* H(a:b:c...) of NUL-separated slices into hex; with ac (may be NULL)
 * its fetched hashes and context. */
static int hash_join(struct auth_crypto *ac, enum sip_auth_alg alg,
		     const struct pl *parts, size_t n, char *out,
		     size_t outsz)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	EVP_MD_CTX *c = ac ? ac->ctx : EVP_MD_CTX_new();
	size_t i;
	int ok;

	if (!c)
		return ENOMEM;
	ok = EVP_DigestInit_ex(c, !ac ? md(alg) : alg == SIP_AUTH_SHA256 ?
			       ac->sha256 : ac->md5, NULL);
	for (i = 0; ok && i < n; i++) {
		if (i)
			ok = EVP_DigestUpdate(c, ":", 1);
		if (ok && parts[i].len)
			ok = EVP_DigestUpdate(c, parts[i].p, parts[i].len);
	}
	if (ok)
		ok = EVP_DigestFinal_ex(c, d, &dl);
	if (!ac)
		EVP_MD_CTX_free(c);
	if (!ok || outsz < 2 * (size_t)dl + 1)
		return EINVAL;
	hex(d, dl, out);
	return 0;
}

int sip_auth_ha1(enum sip_auth_alg alg, const char *user, const char *realm,
		 const char *password, char *hexout, size_t hexsz)
{
	struct pl parts[3] = { pl_from_str(user), pl_from_str(realm),
			       pl_from_str(password) };

	return hash_join(NULL, alg, parts, 3, hexout, hexsz);
}

static void mac(const struct sip_proxy *p, const char *msg, size_t len,
		char out[33])
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;

	if (p->ac) {
		crypto_auth_hmacsha256_state st = p->ac->hmac;

		crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, len);
		crypto_auth_hmacsha256_final(&st, d);
		sodium_memzero(&st, sizeof(st));
	} else {
		HMAC(EVP_sha256(), p->secret, (int)p->cfg.nonce_secret_len,
		     (const uint8_t *)msg, len, d, &dl);
	}
	hex(d, 16, out);
}

static void nonce_make(struct sip_proxy *p, char *out, size_t sz)
{
	char body[40], m[33];
	int n;

	n = snprintf(body, sizeof(body), "%llx.%08x",
		     (unsigned long long)(wall_us(p) / 1000000),
		     rng_u32(p->cfg.rng));
	mac(p, body, (size_t)n, m);
	snprintf(out, sz, "%s.%s", body, m);
}

/* 0 fresh, ESTALE expired, EINVAL not ours. */
static int nonce_check(struct sip_proxy *p, const struct pl *nonce)
{
	char s[64], m[33], *dot;
	unsigned long long ts;
	uint64_t now_s = wall_us(p) / 1000000;

	if (nonce->len < 12 || nonce->len >= sizeof(s))
		return EINVAL;
	pl_strcpy(nonce, s, sizeof(s));
	dot = strrchr(s, '.');
	if (!dot || strlen(dot + 1) != 32)
		return EINVAL;
	mac(p, s, (size_t)(dot - s), m);
	if (CRYPTO_memcmp(m, dot + 1, 32))
		return EINVAL;
	if (sscanf(s, "%llx", &ts) != 1)
		return EINVAL;
	if (ts > now_s + 5 || now_s - ts > p->cfg.nonce_ttl_s)
		return ESTALE;
	return 0;
}

/* RFC 7616 3.4.5: each nonce-count used once, increasing. */
static bool nc_fresh(struct sip_proxy *p, const struct pl *nonce,
		     const struct pl *ncs)
{
	uint32_t nc = 0, h = fnv1a(nonce->p, nonce->len, FNV_INIT);
	struct nc_ent *e = &p->nc[h % p->nnc];
	char hexnc[9];
	unsigned long v;
	char *end;

	if (ncs->len != 8 || pl_strcpy(ncs, hexnc, sizeof(hexnc)))
		return false;
	v = strtoul(hexnc, &end, 16);
	if (*end || !v)
		return false;
	nc = (uint32_t)v;
	if (pl_eq_str(nonce, e->nonce)) {
		if (nc <= e->nc)
			return false;
		e->nc = nc;
		return true;
	}
	/* First use seen here (earlier uses may have failed), or evicted:
	 * remember from now on. Limit: a nonce evicted from this cache
	 * before its expiry could be replayed once more. */
	pl_strcpy(nonce, e->nonce, sizeof(e->nonce));
	e->nc = nc;
	return true;
}

static struct bucket *bucket(struct bucket *tab, size_t n, uint32_t key,
			     const struct sip_proxy *p)
{
	struct bucket *b = &tab[key % n];
	double per_s = 1.0 / (double)p->cfg.fail_refill_s;

	if (!b->used || b->key != key) {
		b->used = 1;
		b->key = key;
		b->tokens = p->cfg.fail_burst;
		b->last_us = p->now;
	}
	b->tokens += (double)(p->now - b->last_us) / 1e6 * per_s;
	if (b->tokens > p->cfg.fail_burst)
		b->tokens = p->cfg.fail_burst;
	b->last_us = p->now;
	return b;
}

static uint32_t src_key(const struct net_addr *a)
{
	struct net_addr h = *a;

	net_addr_set_port(&h, 0);
	return net_addr_hash(&h);
}

static void challenge(struct sip_proxy *p, const struct sip_msg *msg,
		      struct tsx *t, bool stale)
{
	bool reg = msg->mid == SIP_M_REGISTER;
	struct sip_hdr_add h[2];
	char v[2][300], nonce[80];
	const char *alg[2] = { "MD5", "SHA-256" };
	int i, n, first = p->cfg.auth_sha256_first ? 1 : 0;
	int nalg = p->cfg.auth_md5_only ? 1 : 2;

	if (p->cfg.auth_md5_only)
		first = 0;
	nonce_make(p, nonce, sizeof(nonce));
	for (i = 0; i < nalg; i++) {
		n = snprintf(v[i], sizeof(v[i]), "Digest realm=\"%s\", "
			     "nonce=\"%s\", algorithm=%s, qop=\"auth\"%s",
			     p->domain, nonce, alg[(first + i) & 1],
			     stale ? ", stale=true" : "");
		h[i].name = reg ? "WWW-Authenticate" : "Proxy-Authenticate";
		h[i].val = pl_from_mem(v[i], (size_t)n < sizeof(v[i]) ?
				       (size_t)n : sizeof(v[i]) - 1);
	}
	px_reply(p, t, msg, reg ? 401 : 407, NULL, h, (size_t)nalg, NULL,
		 NULL);
}

static int find_creds(struct sip_proxy *p, const struct sip_msg *msg,
		      struct sip_auth *a)
{
	enum sip_hdr_id id = msg->mid == SIP_M_REGISTER ?
			     SIP_HDR_AUTHORIZATION :
			     SIP_HDR_PROXY_AUTHORIZATION;
	const struct sip_hdr *h;

	for (h = sip_msg_hdr(msg, id); h; h = sip_msg_hdr_next(msg, h)) {
		if (sip_auth_decode(a, &h->val))
			continue;
		if (pl_caseeq_str(&a->scheme, "Digest") &&
		    pl_eq_str(&a->realm, p->domain))
			return 0;
	}
	return ENOENT;
}

static int verify(struct sip_proxy *p, const struct sip_msg *msg,
		  const struct sip_auth *a, const char *user)
{
	enum sip_auth_alg alg = SIP_AUTH_MD5;
	char ha1[SIP_HA1_MAX], ha2[SIP_HA1_MAX], want[SIP_HA1_MAX];
	const struct sip_store_ops *s = &p->cfg.store;
	struct pl parts[6];
	bool known;

	if (!pl_isset(&a->algorithm) || pl_caseeq_str(&a->algorithm, "MD5"))
		alg = SIP_AUTH_MD5;
	else if (pl_caseeq_str(&a->algorithm, "SHA-256"))
		alg = SIP_AUTH_SHA256;
	else
		return EINVAL;
	known = s->ha1_get && !s->ha1_get(s->arg, user, p->domain, alg, ha1,
					  sizeof(ha1));
	if (!known) {
		/* Same work and same answer as for a wrong password. */
		mac(p, user, strlen(user), want);
		parts[0] = pl_from_str(want);
		hash_join(p->ac, alg, parts, 1, ha1, sizeof(ha1));
	}
	parts[0] = msg->method;
	parts[1] = a->uri;
	if (hash_join(p->ac, alg, parts, 2, ha2, sizeof(ha2)))
		return EINVAL;
	parts[0] = pl_from_str(ha1);
	parts[1] = a->nonce;
	if (pl_isset(&a->qop)) {
		if (!pl_caseeq_str(&a->qop, "auth"))
			return EINVAL;
		parts[2] = a->nc;
		parts[3] = a->cnonce;
		parts[4] = a->qop;
		parts[5] = pl_from_str(ha2);
		if (hash_join(p->ac, alg, parts, 6, want, sizeof(want)))
			return EINVAL;
	} else {
		parts[2] = pl_from_str(ha2);
		if (hash_join(p->ac, alg, parts, 3, want, sizeof(want)))
			return EINVAL;
	}
	if (a->response.len != strlen(want) ||
	    CRYPTO_memcmp(a->response.p, want, a->response.len) || !known)
		return EACCES;
	return 0;
}

int auth_check(struct sip_proxy *p, const struct net_pkt *pkt,
	       const struct sip_msg *msg, struct tsx *t)
{
	static const char *const why = "Too Many Failures";
	const struct sip_uri *id = msg->mid == SIP_M_REGISTER ?
				   &msg->to.uri : &msg->from.uri;
	struct bucket *bs, *bu;
	struct sip_auth a;
	char user[128], retry[16];
	struct sip_hdr_add ra = { "Retry-After", PL_NULL };
	size_t n;
	int err;

	if (find_creds(p, msg, &a)) {
		challenge(p, msg, t, false);
		return EACCES;
	}
	if (sip_unescape(&a.username, user, sizeof(user), &n) || !n) {
		px_reply(p, t, msg, 400, "Bad Credentials", NULL, 0, NULL,
			 NULL);
		return EACCES;
	}
	bs = bucket(p->lim_src, p->nlim, src_key(&pkt->from), p);
	bu = bucket(p->lim_user, p->nlim, fnv1a(user, n, FNV_INIT), p);
	if (bs->tokens < 1.0 || bu->tokens < 1.0) {
		p->st.auth_limited++;
		n = (size_t)snprintf(retry, sizeof(retry), "%u",
				     p->cfg.fail_refill_s);
		ra.val = pl_from_mem(retry, n);
		px_reply(p, t, msg, 503, why, &ra, 1, NULL, NULL);
		return EACCES;
	}
	err = nonce_check(p, &a.nonce);
	if (err == ESTALE) {
		challenge(p, msg, t, true);
		return EACCES;
	}
	if (!err)
		err = verify(p, msg, &a, user);
	if (err) {
		p->st.auth_fail++;
		bs->tokens -= 1.0;
		bu->tokens -= 1.0;
		challenge(p, msg, t, false);
		return EACCES;
	}
	if (pl_isset(&a.qop) && !nc_fresh(p, &a.nonce, &a.nc)) {
		challenge(p, msg, t, true);	/* replayed nonce-count */
		return EACCES;
	}
	if (!pl_eq(&a.username, &id->user)) {
		/* Credentials of another account than the identity used. */
		px_reply(p, t, msg, 403, "Identity Mismatch", NULL, 0, NULL,
			 NULL);
		return EACCES;
	}
	p->st.auth_ok++;
	return 0;
}
