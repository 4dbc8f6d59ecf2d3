/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * URIs (RFC 3261 19.1, RFC 3966): sip:, sips: and tel: are split into
 * user, password, host, port, parameters and headers; any other scheme is
 * kept as an opaque absoluteURI (RFC 4475 3.3.2-3.3.4: unknown schemes
 * parse, the application decides). The userinfo ends at the first '@':
 * '@' may not appear raw in parameters or headers, while the user part
 * may hold ';', '?' and ',' (RFC 4475 3.1.1.2, 3.1.1.9). Escapes are
 * checked, never decoded here (sip_unescape does that, one level).
 */
#include <errno.h>
#include <string.h>
#include "sip/sip_int.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Every byte in mask, or a valid %HH escape. */
static bool chars_ok(const struct pl *s, uint8_t mask, const char *extra)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		char c = s->p[i];

		if (c == '%') {
			if (i + 2 >= s->len || !is_hex(s->p[i + 1]) ||
			    !is_hex(s->p[i + 2]))
				return false;
			i += 2;
			continue;
		}
		if (!ct_is(c, mask) && !(c && extra && strchr(extra, c)))
			return false;
	}
	return true;
}

static int parse_scheme(struct sip_uri *u, struct pl *rest, const char **why)
{
	size_t n = 0;

	if (!rest->len || !is_alpha(rest->p[0])) {
		*why = "URI does not start with a scheme";
		return EBADMSG;
	}
	while (n < rest->len && (is_alpha(rest->p[n]) ||
				 (rest->p[n] >= '0' && rest->p[n] <= '9') ||
				 rest->p[n] == '+' || rest->p[n] == '-' ||
				 rest->p[n] == '.'))
		n++;
	if (n == rest->len || rest->p[n] != ':') {
		*why = "URI has no scheme";
		return EBADMSG;
	}
	u->scheme_pl.p = rest->p;
	u->scheme_pl.len = n;
	if (pl_caseeq_str(&u->scheme_pl, "sip"))
		u->scheme = SIP_SCHEME_SIP;
	else if (pl_caseeq_str(&u->scheme_pl, "sips"))
		u->scheme = SIP_SCHEME_SIPS;
	else if (pl_caseeq_str(&u->scheme_pl, "tel"))
		u->scheme = SIP_SCHEME_TEL;
	else
		u->scheme = SIP_SCHEME_OTHER;
	pl_advance(rest, n + 1);
	return 0;
}

static int parse_opaque(struct pl *rest, const char **why)
{
	size_t i;

	if (!rest->len) {
		*why = "empty URI after the scheme";
		return EBADMSG;
	}
	for (i = 0; i < rest->len; i++) {
		uint8_t c = (uint8_t)rest->p[i];

		if (c <= 0x20 || c == '<' || c == '>' || c == '"' ||
		    c == 0x7f) {
			*why = "URI contains a space, '<', '>' or '\"'";
			return EBADMSG;
		}
	}
	return 0;
}

static int parse_tel(struct sip_uri *u, struct pl *rest, const char **why)
{
	struct pl num, params;

	pl_split(rest, ';', &num, &params);
	if (!num.len) {
		*why = "tel: URI without a number";
		return EBADMSG;
	}
	if (!chars_ok(&num, CT_UNRES, "+#*")) {
		*why = "bad character in the tel: number";
		return EBADMSG;
	}
	u->user = num;
	if (num.p + num.len < rest->p + rest->len) {
		u->params.p = num.p + num.len;
		u->params.len = rest->len - num.len;
		if (sip_params_check(&u->params, why))
			return EBADMSG;
	}
	return 0;
}

static int parse_userinfo(struct sip_uri *u, struct pl *rest,
			  const char **why)
{
	const char *at = pl_chr(rest, '@');
	struct pl ui;

	if (!at)
		return 0;
	ui.p = rest->p;
	ui.len = (size_t)(at - rest->p);
	if (pl_split(&ui, ':', &u->user, &u->password) == 0 &&
	    !chars_ok(&u->password, CT_UNRES | CT_PASS, NULL)) {
		*why = "bad character or %-escape in the password";
		return EBADMSG;
	}
	if (!u->user.len) {
		*why = "empty user part before '@'";
		return EBADMSG;
	}
	if (!chars_ok(&u->user, CT_UNRES | CT_USER, NULL)) {
		*why = "bad character or %-escape in the user part";
		return EBADMSG;
	}
	pl_advance(rest, ui.len + 1);
	return 0;
}

int sip_uri_parse(struct sip_uri *uri, const struct pl *s, const char **why)
{
	struct sip_uri u;
	struct pl rest;
	const char *w = NULL;
	int err;

	if (!why)
		why = &w;
	if (!uri || !s)
		return EINVAL;
	memset(&u, 0, sizeof(u));
	u.raw = *s;
	rest = *s;
	if ((err = parse_scheme(&u, &rest, why)))
		return err;
	if (u.scheme == SIP_SCHEME_OTHER) {
		if ((err = parse_opaque(&rest, why)))
			return err;
		goto out;
	}
	if (u.scheme == SIP_SCHEME_TEL) {
		if ((err = parse_tel(&u, &rest, why)))
			return err;
		goto out;
	}
	if ((err = parse_userinfo(&u, &rest, why)) ||
	    (err = sip_take_hostport(&rest, &u.host, &u.host_ipv6, &u.port,
				     false, why)))
		return err;
	if (rest.len && rest.p[0] == ';') {
		const char *q = pl_chr(&rest, '?');

		u.params.p = rest.p;
		u.params.len = q ? (size_t)(q - rest.p) : rest.len;
		if (!chars_ok(&u.params, CT_UNRES | CT_PARAM, ";=")) {
			*why = "bad character or %-escape in URI parameters";
			return EBADMSG;
		}
		if (sip_params_check(&u.params, why))
			return EBADMSG;
		pl_advance(&rest, u.params.len);
	}
	if (rest.len && rest.p[0] == '?') {
		u.headers.p = rest.p + 1;
		u.headers.len = rest.len - 1;
		if (!chars_ok(&u.headers, CT_UNRES | CT_HNV, "=&")) {
			*why = "bad character or %-escape in URI headers";
			return EBADMSG;
		}
		rest.len = 0;
	}
	if (rest.len) {
		*why = "unexpected text after the host";
		return EBADMSG;
	}
out:
	*uri = u;
	return 0;
}

int sip_uri_decode(struct sip_uri *uri, const struct pl *s)
{
	return sip_uri_parse(uri, s, NULL);
}
