/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP Digest for MSRP AUTH (RFC 4976 5.1 with the RFC 7616/8760
 * algorithms): parse an Authorization value, compute the response a client
 * should have sent from the stored HA1. The relay keeps no password; the
 * HA1 comes from the injected account store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "msrp/msrp.h"

int msrp_alg_parse(const struct pl *name, enum msrp_alg *out)
{
	if (!name->len || pl_caseeq_str(name, "MD5"))
		*out = MSRP_ALG_MD5;
	else if (pl_caseeq_str(name, "SHA-256"))
		*out = MSRP_ALG_SHA256;
	else
		return EINVAL;
	return 0;
}

const char *msrp_alg_name(enum msrp_alg alg)
{
	return alg == MSRP_ALG_SHA256 ? "SHA-256" : "MD5";
}

static void skip_ws(struct pl *s)
{
	while (s->len && (s->p[0] == ' ' || s->p[0] == '\t' ||
			  s->p[0] == '\r' || s->p[0] == '\n'))
		pl_advance(s, 1);
}

/* One name=value pair of a challenge or credentials. EBADMSG. */
static int next_param(struct pl *s, struct pl *name, struct pl *val)
{
	size_t i;

	skip_ws(s);
	for (i = 0; i < s->len && s->p[i] != '=' && s->p[i] != ',' &&
		    s->p[i] != ' '; i++)
		;
	if (!i || i >= s->len || s->p[i] != '=')
		return EBADMSG;
	*name = pl_from_mem(s->p, i);
	pl_advance(s, i + 1);
	if (s->len && s->p[0] == '"') {
		for (i = 1; i < s->len && s->p[i] != '"'; i++)
			if (s->p[i] == '\\')
				i++;
		if (i >= s->len)
			return EBADMSG;
		*val = pl_from_mem(s->p + 1, i - 1);
		pl_advance(s, i + 1);
	} else {
		for (i = 0; i < s->len && s->p[i] != ',' && s->p[i] != ' ';
		     i++)
			;
		*val = pl_from_mem(s->p, i);
		pl_advance(s, i);
	}
	skip_ws(s);
	if (s->len) {
		if (s->p[0] != ',')
			return EBADMSG;
		pl_advance(s, 1);
	}
	return 0;
}

int msrp_auth_decode(const struct pl *val, struct msrp_auth *out)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
		{ "username", offsetof(struct msrp_auth, username) },
		{ "realm", offsetof(struct msrp_auth, realm) },
		{ "nonce", offsetof(struct msrp_auth, nonce) },
		{ "uri", offsetof(struct msrp_auth, uri) },
		{ "response", offsetof(struct msrp_auth, response) },
		{ "algorithm", offsetof(struct msrp_auth, algorithm) },
		{ "qop", offsetof(struct msrp_auth, qop) },
		{ "cnonce", offsetof(struct msrp_auth, cnonce) },
		{ "nc", offsetof(struct msrp_auth, nc) },
		{ "opaque", offsetof(struct msrp_auth, opaque) },
	};
	struct msrp_auth a;
	struct pl s = *val, name, v;
	size_t i;

	memset(&a, 0, sizeof(a));
	skip_ws(&s);
	if (!pl_prefix_case(&s, "Digest") || s.len < 7 ||
	    (s.p[6] != ' ' && s.p[6] != '\t'))
		return EBADMSG;
	pl_advance(&s, 6);
	while (s.len) {
		if (next_param(&s, &name, &v))
			return EBADMSG;
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (pl_caseeq_str(&name, f[i].name))
				*(struct pl *)((char *)&a + f[i].off) = v;
	}
	if (!a.username.len || !a.nonce.len || !a.response.len)
		return EBADMSG;
	*out = a;
	return 0;
}

static int hash_hex(enum msrp_alg alg, const void *p, size_t len, char *out,
		    size_t sz)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(p, len, md, &n,
			alg == MSRP_ALG_SHA256 ? EVP_sha256() : EVP_md5(),
			NULL))
		return EINVAL;
	if (sz < 2 * (size_t)n + 1)
		return EOVERFLOW;
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int msrp_digest_hex(enum msrp_alg alg, const struct pl *s, char *out,
		    size_t sz)
{
	return hash_hex(alg, s->p, s->len, out, sz);
}

int msrp_digest_response(enum msrp_alg alg, const char *ha1,
			 const char *method, const struct msrp_auth *a,
			 char *out, size_t sz)
{
	char ha2[65], line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%s:%.*s", method, PL_ARG(a->uri));
	if (n < 0 || (size_t)n >= sizeof(line))
		return EINVAL;
	if (hash_hex(alg, line, (size_t)n, ha2, sizeof(ha2)))
		return EINVAL;
	/* RFC 4976 5.1 requires qop=auth; RFC 2069 style is refused. */
	if (!pl_caseeq_str(&a->qop, "auth") || !a->cnonce.len || !a->nc.len)
		return EINVAL;
	n = snprintf(line, sizeof(line), "%s:%.*s:%.*s:%.*s:auth:%s", ha1,
		     PL_ARG(a->nonce), PL_ARG(a->nc), PL_ARG(a->cnonce), ha2);
	if (n < 0 || (size_t)n >= sizeof(line))
		return EINVAL;
	return hash_hex(alg, line, (size_t)n, out, sz);
}

struct pl msrp_chal_param(const struct pl *v, const char *name)
{
	struct pl key = pl_from_str(name), r = PL_NULL;
	const char *at = pl_find(v, &key), *end;

	if (!at)
		return r;
	r.p = at + key.len;
	r.len = v->len - (size_t)(r.p - v->p);
	if (r.len && *r.p == '"') {
		r.p++;
		r.len--;
		end = pl_chr(&r, '"');
	} else {
		end = pl_chr(&r, ',');
	}
	if (end)
		r.len = (size_t)(end - r.p);
	pl_trim(&r);
	return r;
}
