/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scanners shared by the SIP deep parses: the RFC 3261 character classes,
 * tokens, quoted strings, parameter lists with LWS around ';' and '=',
 * %-unescaping and host syntax (IPv4, IPv6 references, hostnames). None
 * allocates; all work on borrowed slices.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "sip/sip_int.h"

/* Generated from the RFC 3261 25.1 sets; see the CT_* bits in sip_int.h. */
const uint16_t sip_ctab[256] = {
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0300, 0x0300, 0x0000, 0x0000, 0x0300, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0300, 0x04bf, 0x1180, 0x0400, 0x003c, 0x0081, 0x003c, 0x04bf,
	0x04be, 0x04be, 0x04bf, 0x04bd, 0x110c, 0x04ff, 0x04ff, 0x00b4,
	0x0cff, 0x0cff, 0x0cff, 0x0cff, 0x0cff, 0x0cff, 0x0cff, 0x0cff,
	0x0cff, 0x0cff, 0x00b0, 0x0114, 0x1180, 0x013c, 0x1180, 0x01a4,
	0x0000, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff,
	0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff,
	0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff,
	0x04ff, 0x04ff, 0x04ff, 0x00b0, 0x0080, 0x00b0, 0x0000, 0x04ff,
	0x0081, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff,
	0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff,
	0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff, 0x04ff,
	0x04ff, 0x04ff, 0x04ff, 0x0080, 0x0000, 0x0080, 0x04bf, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
	0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000,
};

int sip_take_quoted(struct pl *s, struct pl *q)
{
	size_t n = 1;

	if (!s->len || s->p[0] != '"')
		return EBADMSG;
	while (n < s->len) {
		char c = s->p[n];

		if (c == '\\') {
			/* quoted-pair: any octet but CR and LF (RFC 3261
			 * 25.1), so an escaped quote does not end it */
			if (n + 1 >= s->len || s->p[n + 1] == '\r' ||
			    s->p[n + 1] == '\n')
				return EBADMSG;
			n += 2;
			continue;
		}
		if (c == '"') {
			q->p = s->p;
			q->len = n + 1;
			adv(s, n + 1);
			return 0;
		}
		n++;
	}
	return EBADMSG;
}

static inline bool param_stop(char c)
{
	return ct_is(c, CT_PSTOP);
}

int sip_param_next(struct pl *rest, struct pl *name, struct pl *val,
		   const char **why)
{
	size_t n = 0;

	lws_skip(rest);
	if (!rest->len)
		return ENOENT;
	if (rest->p[0] != ';') {
		*why = "unexpected text where a ';' parameter was expected";
		return EBADMSG;
	}
	adv(rest, 1);
	lws_skip(rest);
	while (n < rest->len && !param_stop(rest->p[n]))
		n++;
	if (!n) {
		*why = "empty parameter";
		return EBADMSG;
	}
	name->p = rest->p;
	name->len = n;
	adv(rest, n);
	lws_skip(rest);
	val->p = rest->p;
	val->len = 0;
	if (!rest->len || rest->p[0] != '=')
		return 0;
	adv(rest, 1);
	lws_skip(rest);
	if (rest->len && rest->p[0] == '"') {
		if (sip_take_quoted(rest, val)) {
			*why = "unterminated quoted string in parameter";
			return EBADMSG;
		}
		return 0;
	}
	n = 0;
	while (n < rest->len && !param_stop(rest->p[n]))
		n++;
	if (!n) {
		*why = "parameter with '=' but no value";
		return EBADMSG;
	}
	val->p = rest->p;
	val->len = n;
	adv(rest, n);
	return 0;
}

int sip_params_check(const struct pl *params, const char **why)
{
	struct pl rest = *params, name, val;
	int err;

	while (!(err = sip_param_next(&rest, &name, &val, why)))
		;
	return err == ENOENT ? 0 : err;
}

int sip_param(const struct pl *params, const char *name, struct pl *val)
{
	struct pl rest, n, v;
	const char *why;
	size_t len;
	int err;

	if (!params || !name)
		return EINVAL;
	len = strlen(name);
	rest = *params;
	while (!(err = sip_param_next(&rest, &n, &v, &why))) {
		if (n.len == len && !strncasecmp(n.p, name, len)) {
			if (val)
				*val = v;
			return 0;
		}
	}
	return ENOENT;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

int sip_unescape(const struct pl *src, char *dst, size_t dstsz,
		 size_t *outlen)
{
	size_t i, o = 0;

	if (!src || !dst || !dstsz)
		return EINVAL;
	for (i = 0; i < src->len; i++) {
		char c = src->p[i];

		if (c == '%') {
			if (i + 2 >= src->len)
				return EBADMSG;
			if (!is_hex(src->p[i + 1]) || !is_hex(src->p[i + 2]))
				return EBADMSG;
			/* one level only (RFC 4475 3.1.1.3): never
			 * re-examined, and %00 is a byte like any other */
			c = (char)(hexval(src->p[i + 1]) * 16 +
				   hexval(src->p[i + 2]));
			i += 2;
		}
		if (o + 1 >= dstsz)
			return EOVERFLOW;
		dst[o++] = c;
	}
	dst[o] = '\0';
	if (outlen)
		*outlen = o;
	return 0;
}

bool sip_ipv4_valid(const struct pl *s)
{
	size_t i = 0;
	int parts;

	for (parts = 0; parts < 4; parts++) {
		unsigned v = 0, nd = 0;

		if (parts) {
			if (i >= s->len || s->p[i] != '.')
				return false;
			i++;
		}
		while (i < s->len && s->p[i] >= '0' && s->p[i] <= '9' &&
		       nd < 4) {
			v = v * 10 + (unsigned)(s->p[i] - '0');
			i++;
			nd++;
		}
		if (!nd || nd > 3 || v > 255)
			return false;
	}
	return i == s->len;
}

/*
 * RFC 4291 2.2 text forms, as corrected by RFC 5954: at most one "::",
 * hex groups of 1-4 digits, an optional dotted IPv4 tail counting as two
 * groups. ":::" is refused (RFC 5118 4.10).
 */
bool sip_ipv6_valid(const struct pl *s)
{
	size_t i = 0;
	int groups = 0;
	bool dbl = false;

	if (s->len < 2 || s->len > 45)
		return false;
	if (s->p[0] == ':') {
		if (s->p[1] != ':')
			return false;
		dbl = true;
		i = 2;
		if (i == s->len)
			return true;
	}
	while (i < s->len) {
		size_t st = i, nd = 0;

		while (i < s->len && is_hex(s->p[i]) && nd < 5) {
			i++;
			nd++;
		}
		if (i < s->len && s->p[i] == '.') {
			struct pl v4 = { s->p + st, s->len - st };

			if (!sip_ipv4_valid(&v4))
				return false;
			groups += 2;
			i = s->len;
			break;
		}
		if (!nd || nd > 4)
			return false;
		groups++;
		if (i == s->len)
			break;
		if (s->p[i] != ':')
			return false;
		i++;
		if (i < s->len && s->p[i] == ':') {
			if (dbl)
				return false;
			dbl = true;
			i++;
			if (i == s->len)
				break;
			if (s->p[i] == ':')
				return false;
		} else if (i == s->len) {
			return false;
		}
	}
	return dbl ? groups <= 7 : groups == 8;
}

bool sip_hostname_valid(const struct pl *s)
{
	size_t i;

	if (!s->len || s->p[0] == '.' || s->p[0] == '-')
		return false;
	for (i = 0; i < s->len; i++)
		if (!ct_is(s->p[i], CT_HOST))
			return false;
	return true;
}

int sip_take_hostport(struct pl *s, struct pl *host, bool *ipv6,
		      uint16_t *port, bool lws, const char **why)
{
	size_t n = 0;
	struct pl h;

	*ipv6 = false;
	*port = 0;
	if (s->len && s->p[0] == '[') {
		const char *e = pl_chr(s, ']');

		if (!e) {
			*why = "IPv6 reference without closing ']'";
			return EBADMSG;
		}
		h.p = s->p + 1;
		h.len = (size_t)(e - s->p) - 1;
		if (!sip_ipv6_valid(&h)) {
			*why = "invalid IPv6 reference";
			return EBADMSG;
		}
		*ipv6 = true;
		adv(s, h.len + 2);
	} else {
		while (n < s->len && ct_is(s->p[n], CT_HOST))
			n++;
		h.p = s->p;
		h.len = n;
		if (!n) {
			*why = "missing host";
			return EBADMSG;
		}
		if (h.p[0] == '.' || h.p[0] == '-') {
			*why = "invalid host name";
			return EBADMSG;
		}
		adv(s, n);
	}
	*host = h;
	{
		struct pl t = *s;

		if (lws)
			lws_skip(&t);
		if (t.len && t.p[0] == ':') {
			uint32_t v = 0;
			size_t nd = 0;

			adv(&t, 1);
			if (lws)
				lws_skip(&t);
			while (nd < t.len && t.p[nd] >= '0' &&
			       t.p[nd] <= '9') {
				v = v * 10 + (uint32_t)(t.p[nd] - '0');
				if (v > 65535) {
					*why = "port out of range";
					return EBADMSG;
				}
				nd++;
			}
			if (!nd) {
				*why = (!*ipv6 && memchr(t.p, ':', t.len)) ?
				       "IPv6 address must be enclosed in []" :
				       "bad port";
				return EBADMSG;
			}
			*port = (uint16_t)v;
			adv(&t, nd);
			*s = t;
		}
	}
	return 0;
}
