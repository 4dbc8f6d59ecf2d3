/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * name-addr / addr-spec with header parameters (RFC 3261 20.10, 25.1):
 * From, To, Contact, Route, Record-Route, Refer-To... A display name is a
 * quoted string or tokens separated by LWS ("caller<sip:...>" without LWS
 * is accepted, RFC 4475 3.1.1.6). In addr-spec form the URI ends at the
 * first ';' or LWS, and a URI with headers ('?') must use <> (RFC 3261
 * 20: RFC 4475 3.1.2.13). No whitespace inside <> (RFC 4475 3.1.2.14).
 */
#include <errno.h>
#include <string.h>
#include "sip/sip_int.h"

static int name_addr(struct sip_addr *a, struct pl *rest, const char **why)
{
	const char *gt;
	struct pl uri;
	size_t i;

	adv(rest, 1);	/* '<' */
	gt = pl_chr(rest, '>');
	if (!gt) {
		*why = "'<' without a closing '>'";
		return EBADMSG;
	}
	uri.p = rest->p;
	uri.len = (size_t)(gt - rest->p);
	for (i = 0; i < uri.len; i++)
		if (is_lws(uri.p[i])) {
			*why = "whitespace inside <>";
			return EBADMSG;
		}
	if (sip_uri_parse(&a->uri, &uri, why))
		return EBADMSG;
	adv(rest, uri.len + 1);
	return 0;
}

static int addr_spec(struct sip_addr *a, struct pl *rest, const char **why)
{
	struct pl uri = { rest->p, 0 };

	while (uri.len < rest->len && rest->p[uri.len] != ';' &&
	       !is_lws(rest->p[uri.len]))
		uri.len++;
	if (sip_uri_parse(&a->uri, &uri, why))
		return EBADMSG;
	if (a->uri.headers.p && a->uri.scheme != SIP_SCHEME_OTHER) {
		*why = "URI with headers must be enclosed in <>";
		return EBADMSG;
	}
	adv(rest, uri.len);
	return 0;
}

static int display_name(struct sip_addr *a, struct pl *rest,
			const char **why)
{
	const char *lt;
	size_t i;

	if (rest->p[0] == '"') {
		if (sip_take_quoted(rest, &a->dname)) {
			*why = "unterminated quoted string";
			return EBADMSG;
		}
		lws_skip(rest);
		if (!rest->len || rest->p[0] != '<') {
			*why = "expected '<' after the display name";
			return EBADMSG;
		}
		return 0;
	}
	lt = pl_chr(rest, '<');
	if (!lt || lt == rest->p)
		return 0;
	a->dname.p = rest->p;
	a->dname.len = (size_t)(lt - rest->p);
	lws_rtrim(&a->dname);
	for (i = 0; i < a->dname.len; i++)
		if (!ct_is(a->dname.p[i], CT_TOKEN) &&
		    !is_lws(a->dname.p[i])) {
			*why = "display name is neither tokens nor a quoted "
			       "string";
			return EBADMSG;
		}
	adv(rest, (size_t)(lt - rest->p));
	return 0;
}

int sip_addr_parse(struct sip_addr *addr, const struct pl *s,
		   const char **why)
{
	struct sip_addr *a = addr;
	struct pl rest, name, val;
	const char *w = NULL;
	int err;

	if (!why)
		why = &w;
	if (!addr || !s)
		return EINVAL;
	/* field by field (uri: by sip_uri_parse); memset is slower here */
	a->dname = a->tag = a->params = PL_NULL;
	a->raw = *s;
	rest = *s;
	lws_trim(&rest);
	if (!rest.len) {
		*why = "empty value";
		return EBADMSG;
	}
	if ((err = display_name(a, &rest, why)))
		return err;
	err = (rest.p[0] == '<') ? name_addr(a, &rest, why) :
				   addr_spec(a, &rest, why);
	if (err)
		return err;
	lws_skip(&rest);
	if (rest.len && rest.p[0] != ';') {
		*why = "unexpected text after the URI";
		return EBADMSG;
	}
	a->params = rest;
	while (!(err = sip_param_next(&rest, &name, &val, why)))
		if (CASEEQ(&name, "tag")) {
			if (!val.len) {
				*why = "tag parameter has no value";
				return EBADMSG;
			}
			a->tag = val;
		}
	return err == ENOENT ? 0 : err;
}

int sip_addr_decode(struct sip_addr *addr, const struct pl *s)
{
	struct sip_addr a;
	int err;

	if (!addr || !s)
		return EINVAL;
	if (!(err = sip_addr_parse(&a, s, NULL)))
		*addr = a;
	return err;
}

int sip_contact_parse(struct sip_contact *c, const struct pl *s,
		      const char **why)
{
	struct sip_contact *ct = c;
	struct pl t, v;
	const char *w = NULL;
	int err;

	if (!why)
		why = &w;
	if (!ct || !s)
		return EINVAL;
	ct->star = ct->has_expires = false;
	ct->expires = 0;
	ct->q = PL_NULL;
	t = *s;
	lws_trim(&t);
	if (t.len == 1 && t.p[0] == '*') {
		memset(&ct->addr, 0, sizeof(ct->addr));
		ct->star = true;
		ct->addr.raw = t;
		goto out;
	}
	if ((err = sip_addr_parse(&ct->addr, s, why)))
		return err;
	if (!sip_param(&ct->addr.params, "expires", &v)) {
		/* RFC 3261 10.3: an overlarge value means "as long as
		 * possible"; the registrar clamps it to its maximum */
		switch (dec_u32(&v, &ct->expires)) {
		case 0:
			break;
		case EOVERFLOW:
			ct->expires = UINT32_MAX;
			break;
		default:
			*why = "expires parameter is not a number";
			return EBADMSG;
		}
		ct->has_expires = true;
	}
	if (!sip_param(&ct->addr.params, "q", &v))
		ct->q = v;
out:
	return 0;
}

int sip_contact_decode(struct sip_contact *c, const struct pl *s)
{
	struct sip_contact ct;
	int err;

	if (!c || !s)
		return EINVAL;
	if (!(err = sip_contact_parse(&ct, s, NULL)))
		*c = ct;
	return err;
}
