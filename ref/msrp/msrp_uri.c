/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MSRP URIs and the small header values a relay routes on: paths
 * (To-Path, From-Path, Use-Path), Byte-Range, Status and the report
 * headers (RFC 4975 6, 9). Slices only: nothing is copied or allocated.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "msrp/msrp.h"

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool is_unreserved(char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_subdelim(char c)
{
	return c && strchr("!$&'()*+,;=", c);
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* userinfo and reg-name chars of RFC 3986, with pct-encoded triplets. */
static bool chars_ok(const struct pl *s, bool colon)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		char c = s->p[i];
		if (c == '%') {
			if (i + 2 >= s->len || !is_hex(s->p[i + 1]) ||
			    !is_hex(s->p[i + 2]))
				return false;
			i += 2;
		} else if (!is_unreserved(c) && !is_subdelim(c) &&
			   !(colon && c == ':')) {
			return false;
		}
	}
	return true;
}

static int host_decode(struct msrp_uri *u, struct pl hp)
{
	const char *rb, *colon;
	struct pl port = PL_NULL;
	uint32_t v;
	size_t i;

	if (!hp.len)
		return EBADMSG;
	if (hp.p[0] == '[') {
		rb = pl_chr(&hp, ']');
		if (!rb || rb == hp.p + 1)
			return EBADMSG;
		u->host = pl_from_mem(hp.p + 1, (size_t)(rb - hp.p - 1));
		u->ipv6 = true;
		for (i = 0; i < u->host.len; i++)
			if (!is_hex(u->host.p[i]) && u->host.p[i] != ':' &&
			    u->host.p[i] != '.')
				return EBADMSG;
		pl_advance(&hp, (size_t)(rb + 1 - hp.p));
		if (hp.len) {
			if (hp.p[0] != ':')
				return EBADMSG;
			port = pl_from_mem(hp.p + 1, hp.len - 1);
			if (!port.len)
				return EBADMSG;
		}
	} else {
		colon = pl_chr(&hp, ':');
		u->host = hp;
		if (colon) {
			u->host.len = (size_t)(colon - hp.p);
			port = pl_from_mem(colon + 1,
					   hp.len - u->host.len - 1);
			if (!port.len)
				return EBADMSG;
		}
		if (!u->host.len || !chars_ok(&u->host, false))
			return EBADMSG;
	}
	if (port.len) {
		if (port.len > 5 || pl_to_u32(&port, &v) || v == 0 ||
		    v > 65535)
			return EBADMSG;
		u->port = (uint16_t)v;
	}
	return 0;
}

static int params_ok(const struct pl *s)
{
	size_t i;

	for (i = 0; i < s->len; i++) {
		char c = s->p[i];
		if (!is_unreserved(c) && !strchr("!%*+`'=;:[]/&$", c))
			return EBADMSG;
	}
	return 0;
}

int msrp_uri_decode(struct msrp_uri *out, const struct pl *pl)
{
	struct msrp_uri u;
	struct pl s = *pl, auth, tp;
	const char *at, *end;
	size_t i;

	memset(&u, 0, sizeof(u));
	if (pl_prefix_case(&s, "msrps://")) {
		u.secure = true;
		pl_advance(&s, 8);
	} else if (pl_prefix_case(&s, "msrp://")) {
		pl_advance(&s, 7);
	} else {
		return EBADMSG;
	}
	/* authority runs to the session-id or the transport */
	for (end = s.p; end < s.p + s.len && *end != '/' && *end != ';'; end++)
		;
	auth = pl_from_mem(s.p, (size_t)(end - s.p));
	pl_advance(&s, auth.len);
	at = NULL;
	for (i = 0; i < auth.len; i++)
		if (auth.p[i] == '@')
			at = auth.p + i;
	if (at) {
		u.userinfo = pl_from_mem(auth.p, (size_t)(at - auth.p));
		if (!chars_ok(&u.userinfo, true))
			return EBADMSG;
		pl_advance(&auth, u.userinfo.len + 1);
	}
	if (host_decode(&u, auth))
		return EBADMSG;
	if (s.len && s.p[0] == '/') {
		pl_advance(&s, 1);
		for (i = 0; i < s.len && s.p[i] != ';'; i++)
			if (!is_unreserved(s.p[i]) && s.p[i] != '+' &&
			    s.p[i] != '=' && s.p[i] != '/')
				return EBADMSG;
		if (!i)
			return EBADMSG;
		u.session = pl_from_mem(s.p, i);
		pl_advance(&s, i);
	}
	if (!s.len || s.p[0] != ';')
		return EBADMSG;	/* the transport is mandatory */
	pl_advance(&s, 1);
	if (pl_split(&s, ';', &tp, &u.params))
		u.params = PL_NULL;
	if (!tp.len)
		return EBADMSG;
	for (i = 0; i < tp.len; i++)
		if (!is_alnum(tp.p[i]))
			return EBADMSG;
	u.transport = tp;
	if (params_ok(&u.params))
		return EBADMSG;
	*out = u;
	return 0;
}

uint16_t msrp_uri_port(const struct msrp_uri *u)
{
	return u->port ? u->port : MSRP_DEFAULT_PORT;
}

bool msrp_uri_eq(const struct msrp_uri *a, const struct msrp_uri *b)
{
	/* RFC 4975 6.1: userinfo and params play no part. */
	return a->secure == b->secure && pl_caseeq(&a->host, &b->host) &&
	       msrp_uri_port(a) == msrp_uri_port(b) &&
	       pl_eq(&a->session, &b->session) &&
	       pl_caseeq(&a->transport, &b->transport);
}

int msrp_path_next(struct pl *path, struct pl *raw)
{
	size_t i;

	while (path->len && (path->p[0] == ' ' || path->p[0] == '\t'))
		pl_advance(path, 1);
	if (!path->len)
		return ENOENT;
	for (i = 0; i < path->len && path->p[i] != ' ' && path->p[i] != '\t';
	     i++)
		;
	*raw = pl_from_mem(path->p, i);
	pl_advance(path, i);
	return 0;
}

int msrp_path_count(const struct pl *path, size_t *n)
{
	struct pl rest = *path, raw;
	struct msrp_uri u;
	size_t cnt = 0;

	while (!msrp_path_next(&rest, &raw)) {
		if (msrp_uri_decode(&u, &raw))
			return EBADMSG;
		cnt++;
	}
	if (!cnt)
		return EBADMSG;
	*n = cnt;
	return 0;
}

static int num_or_star(const struct pl *s, uint64_t *v, bool *star)
{
	*v = 0;
	*star = false;
	if (s->len == 1 && s->p[0] == '*') {
		*star = true;
		return 0;
	}
	if (!s->len || s->len > 19)
		return EBADMSG;
	return pl_to_u64(s, v) ? EBADMSG : 0;
}

int msrp_range_decode(const struct pl *pl, struct msrp_range *out)
{
	struct pl s = *pl, a, b, rest, c;
	struct msrp_range r;
	bool star;

	pl_trim(&s);
	if (pl_split(&s, '-', &a, &rest) || pl_split(&rest, '/', &b, &c))
		return EBADMSG;
	if (num_or_star(&a, &r.start, &star) || star || r.start < 1 ||
	    num_or_star(&b, &r.end, &r.end_star) ||
	    num_or_star(&c, &r.total, &r.total_star))
		return EBADMSG;
	if (!r.end_star && r.end + 1 < r.start)
		return EBADMSG;
	if (!r.total_star && !r.end_star && r.end > r.total)
		return EBADMSG;
	*out = r;
	return 0;
}

int msrp_status_decode(const struct pl *pl, uint16_t *code,
		       struct pl *comment)
{
	struct pl s = *pl, ns, cd, rest;
	uint32_t v;

	pl_trim(&s);
	if (pl_split(&s, ' ', &ns, &rest) || ns.len != 3)
		return EBADMSG;
	if (pl_split(&rest, ' ', &cd, comment))
		*comment = PL_NULL;
	if (cd.len != 3 || pl_to_u32(&cd, &v) || v < 100 || v > 999)
		return EBADMSG;
	*code = (uint16_t)v;
	return 0;
}

int msrp_report_get(const struct msrp_msg *msg, enum msrp_hdr_id id,
		    enum msrp_report def, enum msrp_report *out)
{
	const struct msrp_hdr *h = msrp_msg_hdr(msg, id);

	if (!h) {
		*out = def;
		return 0;
	}
	if (pl_caseeq_str(&h->val, "yes"))
		*out = MSRP_REP_YES;
	else if (pl_caseeq_str(&h->val, "no"))
		*out = MSRP_REP_NO;
	else if (id == MSRP_H_FAILURE_REPORT &&
		 pl_caseeq_str(&h->val, "partial"))
		*out = MSRP_REP_PARTIAL;
	else
		return EBADMSG;
	return 0;
}
