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
static bool chars_ok(const struct pl *s, uint16_t mask)
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
		if (!ct_is(c, mask))
			return false;
	}
	return true;
}

/*
 * URI parameters up to '?' or the end, in one pass: paramchar or escapes,
 * no empty parameter (";;"), no '=' without a value. Returns the length,
 * 0 on error with *why.
 */
static size_t scan_params(const struct pl *s, const char **why)
{
	size_t i;

	for (i = 0; i < s->len && s->p[i] != '?'; i++) {
		char c = s->p[i], n = i + 1 < s->len ? s->p[i + 1] : '?';

		if (c == ';') {
			if (n == ';' || n == '?' || n == '=') {
				*why = "empty parameter";
				return 0;
			}
		} else if (c == '=') {
			if (n == ';' || n == '?' || n == '=') {
				*why = "parameter with '=' but no value";
				return 0;
			}
		} else if (c == '%') {
			if (i + 2 >= s->len || !is_hex(s->p[i + 1]) ||
			    !is_hex(s->p[i + 2]))
				goto bad;
			i += 2;
		} else if (!ct_is(c, CT_UPAR)) {
			goto bad;
		}
	}
	return i;
bad:
	*why = "bad character or %-escape in URI parameters";
	return 0;
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
	if (CASEEQ(&u->scheme_pl, "sip"))
		u->scheme = SIP_SCHEME_SIP;
	else if (CASEEQ(&u->scheme_pl, "sips"))
		u->scheme = SIP_SCHEME_SIPS;
	else if (CASEEQ(&u->scheme_pl, "tel"))
		u->scheme = SIP_SCHEME_TEL;
	else
		u->scheme = SIP_SCHEME_OTHER;
	adv(rest, n + 1);
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
	if (!chars_ok(&num, CT_TEL)) {
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
	const char *at = rest->len ? memchr(rest->p, '@', rest->len) : NULL;
	const char *c;
	struct pl ui;

	if (!at)
		return 0;
	ui.p = rest->p;
	ui.len = (size_t)(at - rest->p);
	u->user = ui;
	if ((c = memchr(ui.p, ':', ui.len))) {
		u->user.len = (size_t)(c - ui.p);
		u->password.p = c + 1;
		u->password.len = ui.len - u->user.len - 1;
	}
	if (c && !chars_ok(&u->password, CT_PASS)) {
		*why = "bad character or %-escape in the password";
		return EBADMSG;
	}
	if (!u->user.len) {
		*why = "empty user part before '@'";
		return EBADMSG;
	}
	if (!chars_ok(&u->user, CT_USER)) {
		*why = "bad character or %-escape in the user part";
		return EBADMSG;
	}
	adv(rest, ui.len + 1);
	return 0;
}

/* Field by field: a memset compiles to "rep stos" here, whose start-up
 * cost was the largest single item of the decode (rtcbench perf parse). */
void sip_uri_clear(struct sip_uri *u)
{
	u->scheme = SIP_SCHEME_OTHER;
	u->scheme_pl = u->user = u->password = u->host = PL_NULL;
	u->params = u->headers = u->raw = PL_NULL;
	u->host_ipv6 = false;
	u->port = 0;
}

int sip_uri_parse(struct sip_uri *uri, const struct pl *s, const char **why)
{
	struct sip_uri *up = uri;
	struct pl rest;
	const char *w = NULL;
	int err;

	if (!why)
		why = &w;
	if (!uri || !s)
		return EINVAL;
	sip_uri_clear(up);
	up->raw = *s;
	rest = *s;
	if ((err = parse_scheme(up, &rest, why)))
		return err;
	if (up->scheme == SIP_SCHEME_OTHER) {
		if ((err = parse_opaque(&rest, why)))
			return err;
		goto out;
	}
	if (up->scheme == SIP_SCHEME_TEL) {
		if ((err = parse_tel(up, &rest, why)))
			return err;
		goto out;
	}
	if ((err = parse_userinfo(up, &rest, why)) ||
	    (err = sip_take_hostport(&rest, &up->host, &up->host_ipv6,
				     &up->port, false, why)))
		return err;
	if (rest.len && rest.p[0] == ';') {
		size_t n = scan_params(&rest, why);

		if (!n)
			return EBADMSG;
		up->params.p = rest.p;
		up->params.len = n;
		adv(&rest, n);
	}
	if (rest.len && rest.p[0] == '?') {
		up->headers.p = rest.p + 1;
		up->headers.len = rest.len - 1;
		if (!chars_ok(&up->headers, CT_UHDR)) {
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
	return 0;
}

int sip_uri_decode(struct sip_uri *uri, const struct pl *s)
{
	struct sip_uri u;
	int err;

	if (!uri || !s)
		return EINVAL;
	if (!(err = sip_uri_parse(&u, s, NULL)))
		*uri = u;
	return err;
}
