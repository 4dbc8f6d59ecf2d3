/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One Via element (RFC 3261 20.42, 25.1 via-parm): sent-protocol with LWS
 * allowed around '/', sent-by host[:port] (IPv6 references), and the
 * parameters branch, received (IPv4 or IPv6, with or without [], RFC 5118
 * 4.5), rport (RFC 3581) and maddr. A missing branch is accepted (RFC 2543
 * peers, RFC 4475 3.4.1); an empty one is not.
 */
#include <errno.h>
#include <string.h>
#include "sip/sip_int.h"

static int proto(struct sip_via *via, struct pl *rest, const char **why)
{
	struct pl name, ver;
	const char *start = rest->p;

	if (sip_take_token(rest, &name)) {
		*why = "missing sent-protocol";
		return EBADMSG;
	}
	lws_skip(rest);
	if (!rest->len || rest->p[0] != '/')
		goto bad;
	adv(rest, 1);
	lws_skip(rest);
	if (sip_take_token(rest, &ver))
		goto bad;
	lws_skip(rest);
	if (!rest->len || rest->p[0] != '/')
		goto bad;
	adv(rest, 1);
	lws_skip(rest);
	if (sip_take_token(rest, &via->transport))
		goto bad;
	via->proto.p = start;
	via->proto.len = (size_t)(rest->p - start);
	if (!CASEEQ(&name, "sip") || !pl_eq_str(&ver, "2.0")) {
		*why = "sent-protocol is not SIP/2.0";
		return EBADMSG;
	}
	return 0;
bad:
	*why = "malformed sent-protocol (want SIP/2.0/transport)";
	return EBADMSG;
}

static int received(struct sip_via *via, const struct pl *v,
		    const char **why)
{
	struct pl a = *v;

	if (a.len >= 2 && a.p[0] == '[' && a.p[a.len - 1] == ']') {
		a.p++;
		a.len -= 2;
		if (sip_ipv6_valid(&a))
			goto ok;
	} else if (sip_ipv4_valid(&a) || sip_ipv6_valid(&a)) {
		goto ok;
	}
	*why = "received parameter is not an IP address";
	return EBADMSG;
ok:
	via->received = a;
	return 0;
}

static int params(struct sip_via *via, struct pl *rest, const char **why)
{
	struct pl name = { "", 0 }, val;
	int err;

	via->params = *rest;
	while (!(err = sip_param_next(rest, &name, &val, why))) {
		switch (name.len) {
		case 5:
			if (CASEEQ(&name, "maddr"))
				via->maddr = val;
			else if (CASEEQ(&name, "rport")) {
				via->rport = true;
				via->rport_val = val;
			}
			break;
		case 6:
			if (!CASEEQ(&name, "branch"))
				break;
			if (!val.len) {
				*why = "branch parameter has no value";
				return EBADMSG;
			}
			via->branch = val;
			break;
		case 8:
			if (CASEEQ(&name, "received") &&
			    received(via, &val, why))
				return EBADMSG;
			break;
		default:
			break;
		}
	}
	if (err == EBADMSG && CASEEQ(&name, "branch") &&
	    !strcmp(*why, "parameter with '=' but no value"))
		*why = "branch parameter has no value";
	return err == ENOENT ? 0 : err;
}

int sip_via_parse(struct sip_via *via, const struct pl *s, const char **why)
{
	struct sip_via *v = via;
	struct pl rest;
	const char *w = NULL;
	int err;

	if (!why)
		why = &w;
	if (!via || !s)
		return EINVAL;
	/* field by field: cheaper than memset's "rep stos" here */
	v->proto = v->transport = v->host = v->branch = PL_NULL;
	v->received = v->rport_val = v->maddr = v->params = PL_NULL;
	v->host_ipv6 = v->rport = false;
	v->port = 0;
	v->raw = *s;
	rest = *s;
	lws_trim(&rest);
	if ((err = proto(v, &rest, why)))
		return err;
	if (!rest.len || !is_lws(rest.p[0])) {
		*why = "missing sent-by after the protocol";
		return EBADMSG;
	}
	lws_skip(&rest);
	if ((err = sip_take_hostport(&rest, &v->host, &v->host_ipv6, &v->port,
				     true, why)))
		return err;
	lws_skip(&rest);
	if (rest.len && rest.p[0] != ';') {
		*why = "unexpected text after sent-by";
		return EBADMSG;
	}
	if ((err = params(v, &rest, why)))
		return err;
	return 0;
}

int sip_via_decode(struct sip_via *via, const struct pl *s)
{
	struct sip_via v;
	int err;

	if (!via || !s)
		return EINVAL;
	if (!(err = sip_via_parse(&v, s, NULL)))
		*via = v;
	return err;
}
