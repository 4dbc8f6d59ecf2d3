/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Authorization / Proxy-Authorization / WWW-Authenticate /
 * Proxy-Authenticate values (RFC 3261 25.1, RFC 7616, RFC 8760): a scheme
 * token, then comma-separated auth-params name=(token|quoted-string).
 * Quoted values are returned without their quotes (quoted-pairs are left
 * as written: digest values never contain them in practice). Unknown
 * schemes parse too (RFC 4475 3.3.7); only Digest fills the fields.
 * The digest computation itself lives with the proxy (auth*.c).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "sip/sip_int.h"

static struct pl *field(struct sip_auth *a, const struct pl *n)
{
	static const struct {
		const char *name;
		size_t len, off;
	} map[] = {
#define F(x) { #x, sizeof(#x) - 1, offsetof(struct sip_auth, x) }
		F(realm), F(nonce), F(opaque), F(algorithm), F(qop), F(stale),
		F(username), F(uri), F(response), F(cnonce), F(nc),
		F(userhash),
#undef F
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].len == n->len &&
		    caseeq_n(n, map[i].name, map[i].len))
			return (struct pl *)(void *)((char *)a + map[i].off);
	return NULL;
}

/* One auth-param at the front of rest; consumes a following comma. */
static int auth_param(struct pl *rest, struct pl *name, struct pl *val)
{
	size_t n = 0;

	if (sip_take_token(rest, name))
		return EBADMSG;
	lws_skip(rest);
	if (!rest->len || rest->p[0] != '=')
		return EBADMSG;
	adv(rest, 1);
	lws_skip(rest);
	if (rest->len && rest->p[0] == '"') {
		struct pl q;

		if (sip_take_quoted(rest, &q))
			return EBADMSG;
		val->p = q.p + 1;
		val->len = q.len - 2;
	} else {
		while (n < rest->len && rest->p[n] != ',' &&
		       !is_lws(rest->p[n]))
			n++;
		if (!n)
			return EBADMSG;
		val->p = rest->p;
		val->len = n;
		adv(rest, n);
	}
	lws_skip(rest);
	if (rest->len) {
		if (rest->p[0] != ',')
			return EBADMSG;
		adv(rest, 1);
		lws_skip(rest);
		if (!rest->len)
			return EBADMSG;
	}
	return 0;
}

int sip_auth_decode(struct sip_auth *a, const struct pl *s)
{
	struct sip_auth x;
	struct pl rest, name, val;
	bool digest;

	if (!a || !s)
		return EINVAL;
	x.scheme = x.realm = x.nonce = x.opaque = x.algorithm = PL_NULL;
	x.qop = x.stale = x.username = x.uri = x.response = PL_NULL;
	x.cnonce = x.nc = x.userhash = PL_NULL;
	rest = *s;
	lws_trim(&rest);
	if (sip_take_token(&rest, &x.scheme))
		return EBADMSG;
	if (rest.len && !is_lws(rest.p[0]))
		return EBADMSG;
	lws_skip(&rest);
	digest = CASEEQ(&x.scheme, "digest");
	while (rest.len) {
		struct pl *f;

		if (auth_param(&rest, &name, &val))
			return EBADMSG;
		if (digest && (f = field(&x, &name)))
			*f = val;
	}
	*a = x;
	return 0;
}
