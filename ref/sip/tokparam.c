/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Values made of a token (or type/subtype) and parameters: Content-Type
 * and Content-Disposition (RFC 3261 20.15, 20.11), Event and
 * Subscription-State (RFC 6665 8.2), Allow-Events elements, Accept
 * elements. LWS is allowed around '/', ';' and '='.
 */
#include <errno.h>
#include "sip/sip_int.h"

int sip_tokparams_decode(const struct pl *s, struct pl *tok,
			 struct pl *params)
{
	struct pl rest, t, sub, b;
	const char *why = NULL;

	if (!s || !tok || !params)
		return EINVAL;
	rest = *s;
	lws_trim(&rest);
	if (sip_take_token(&rest, &t))
		return EBADMSG;
	b = rest;
	lws_skip(&b);
	if (b.len && b.p[0] == '/') {
		/* type "/" subtype; '*' is a token character (Accept) */
		adv(&b, 1);
		lws_skip(&b);
		if (sip_take_token(&b, &sub))
			return EBADMSG;
		t.len = (size_t)(sub.p + sub.len - t.p);
		rest = b;
	}
	lws_skip(&rest);
	if (rest.len && rest.p[0] != ';')
		return EBADMSG;
	if (sip_params_check(&rest, &why))
		return EBADMSG;
	*tok = t;
	*params = rest;
	return 0;
}
