/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rewriting for the live re-drive (rpl_live.h). Nothing captured leaves
 * with an address that could reach a real host: every IPv4 literal is
 * mapped into 127/8, deterministically (the same capture address always
 * gets the same loopback address) and keeping its length when it can
 * (127.a.b.c spans 9 to 15 characters), so message sizes stay close to the
 * capture's. SDP c=/o= lines and m= ports are pointed at the role's own
 * media socket. The accounts file maps each captured AOR to an account of
 * the target with its password.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"
#include "replay/rpl_live.h"

/* Dotted quad at p (len bytes available): its length, or 0. */
static size_t quad(const char *p, size_t len)
{
	size_t i = 0, dig;
	int oct, v;

	for (oct = 0; oct < 4; oct++) {
		if (oct) {
			if (i >= len || p[i] != '.')
				return 0;
			i++;
		}
		for (dig = 0, v = 0; i < len && isdigit((unsigned char)p[i]) &&
		     dig < 4; i++, dig++)
			v = v * 10 + (p[i] - '0');
		if (!dig || dig > 3 || v > 255)
			return 0;
	}
	if (i < len && (isdigit((unsigned char)p[i]) ||
			(p[i] == '.' && i + 1 < len &&
			 isdigit((unsigned char)p[i + 1]))))
		return 0;
	return i;
}

/* An octet of exactly nd digits from h. */
static unsigned octet(unsigned nd, uint32_t h)
{
	if (nd == 1)
		return h % 10;
	if (nd == 2)
		return 10 + h % 90;
	return 100 + h % 155;
}

static int map(struct buf *out, const char *p, size_t n)
{
	uint32_t h = rpl_hash(p, n, RPL_HASH_INIT);
	unsigned want = (unsigned)(n < 9 ? 9 : n > 15 ? 15 : n) - 6, nd[3];
	unsigned i;

	/* split want (3..9) digits over three octets of 1..3 digits */
	for (i = 0; i < 3; i++) {
		unsigned left = 2 - i, lo, hi;

		lo = want > 3 * left ? want - 3 * left : 1;
		hi = want - left < 3 ? want - left : 3;
		nd[i] = lo + (h >> (8 * i)) % (hi - lo + 1);
		want -= nd[i];
	}
	return buf_printf(out, "127.%u.%u.%u", octet(nd[0], h),
			  octet(nd[1], h >> 7), octet(nd[2], h >> 14));
}

int rpl_rw_ipv4(struct buf *out, const struct pl *in)
{
	size_t i = 0, start = 0, q;
	int e = 0;

	while (i < in->len && !e) {
		if (isdigit((unsigned char)in->p[i]) &&
		    (!i || (!isdigit((unsigned char)in->p[i - 1]) &&
			    in->p[i - 1] != '.')) &&
		    (q = quad(in->p + i, in->len - i))) {
			e = buf_put(out, in->p + start, i - start);
			if (!e)
				e = map(out, in->p + i, q);
			i += q;
			start = i;
			continue;
		}
		i++;
	}
	if (!e)
		e = buf_put(out, in->p + start, in->len - start);
	return e;
}

/* One SDP line (without its end of line) rewritten into out. */
static int sdp_line(struct buf *out, struct pl ln, const char *host,
		    uint16_t *port)
{
	const char *fam = strchr(host, ':') ? "IP6" : "IP4";
	struct pl rest = ln, tok;
	int i;

	if (pl_prefix_case(&ln, "c=IN "))
		return buf_printf(out, "c=IN %s %s", fam, host);
	if (pl_prefix_case(&ln, "o=")) {
		/* o=user sess-id version IN IP4 addr */
		for (i = 0; i < 4; i++) {
			if (pl_split(&rest, ' ', &tok, &rest))
				return rpl_rw_ipv4(out, &ln);
		}
		return buf_printf(out, "%.*s %s %s", (int)(tok.p + tok.len -
							    ln.p), ln.p,
				  fam, host);
	}
	if (pl_prefix_case(&ln, "m=") && pl_split(&ln, ' ', &tok, &rest) == 0 &&
	    pl_split(&rest, ' ', &tok, &rest) == 0) {
		uint32_t v;
		int e;

		if (pl_to_u32(&tok, &v) || !v)	/* port 0: refused stream */
			return buf_put_pl(out, &ln);
		e = buf_printf(out, "%.*s %u %.*s",
			       (int)(tok.p - ln.p - 1), ln.p, *port,
			       PL_ARG(rest));
		*port = (uint16_t)(*port + 2);
		return e;
	}
	if (pl_prefix_case(&ln, "a=rtcp:"))
		return buf_printf(out, "a=rtcp:%u", *port - 1);
	if (pl_prefix_case(&ln, "a=candidate"))
		return 0;	/* ICE candidates would route elsewhere */
	return rpl_rw_ipv4(out, &ln);
}

int rpl_rw_sdp(struct buf *out, const struct pl *body, const char *host,
	       uint16_t port)
{
	struct pl rest = *body, ln;
	const char *nl;
	int e = 0;

	while (rest.len && !e) {
		size_t start = out->len;

		nl = pl_chr(&rest, '\n');
		ln = pl_from_mem(rest.p, nl ? (size_t)(nl - rest.p) : rest.len);
		pl_advance(&rest, nl ? ln.len + 1 : ln.len);
		if (ln.len && ln.p[ln.len - 1] == '\r')
			ln.len--;
		e = sdp_line(out, ln, host, &port);
		if (!e && out->len > start)
			e = buf_put_str(out, "\r\n");
	}
	return e;
}

bool rpl_rw_keep(const struct sip_hdr *h)
{
	switch (h->id) {
	case SIP_HDR_VIA: case SIP_HDR_FROM: case SIP_HDR_TO:
	case SIP_HDR_CALL_ID: case SIP_HDR_CSEQ: case SIP_HDR_CONTACT:
	case SIP_HDR_MAX_FORWARDS: case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE: case SIP_HDR_CONTENT_LENGTH:
	case SIP_HDR_AUTHORIZATION: case SIP_HDR_PROXY_AUTHORIZATION:
	case SIP_HDR_WWW_AUTHENTICATE: case SIP_HDR_PROXY_AUTHENTICATE:
	case SIP_HDR_RACK: case SIP_HDR_PATH: case SIP_HDR_CONTENT_ENCODING:
		return false;
	default:
		break;
	}
	/* hop-by-hop or identity headers of the captured network */
	return !pl_prefix_case(&h->name, "P-") &&
	       !pl_caseeq_str(&h->name, "Service-Route") &&
	       !pl_caseeq_str(&h->name, "Security-Client") &&
	       !pl_caseeq_str(&h->name, "Security-Verify") &&
	       !pl_caseeq_str(&h->name, "Proxy-Require");
}

static int field(struct pl *rest, struct pl *tok)
{
	while (rest->len && (*rest->p == ' ' || *rest->p == '\t'))
		pl_advance(rest, 1);
	tok->p = rest->p;
	tok->len = 0;
	while (rest->len && *rest->p != ' ' && *rest->p != '\t') {
		pl_advance(rest, 1);
		tok->len++;
	}
	return tok->len ? 0 : ENOENT;
}

int rpl_acct_decode(const char *text, size_t len, struct rpl_acct **a,
		    size_t *n, char *err, size_t errsz)
{
	struct pl rest = pl_from_mem(text, len), ln, f[4];
	unsigned no = 0;
	const char *nl, *at;
	struct rpl_acct *na;
	int i;

	while (rest.len) {
		no++;
		nl = pl_chr(&rest, '\n');
		ln = pl_from_mem(rest.p, nl ? (size_t)(nl - rest.p) : rest.len);
		pl_advance(&rest, nl ? ln.len + 1 : ln.len);
		if ((nl = pl_chr(&ln, '#')))
			ln.len = (size_t)(nl - ln.p);
		pl_trim(&ln);
		if (!ln.len)
			continue;
		for (i = 0; i < 4 && !field(&ln, &f[i]); i++)
			;
		if (i != 3) {
			snprintf(err, errsz, "line %u: want \"CAPTURED_AOR "
				 "USER@DOMAIN PASSWORD\"", no);
			return EINVAL;
		}
		at = pl_chr(&f[1], '@');
		if (!at || at == f[1].p || at == f[1].p + f[1].len - 1 ||
		    (size_t)(at - f[1].p) >= sizeof(na->user) ||
		    f[1].len - (size_t)(at - f[1].p) > sizeof(na->domain) ||
		    f[0].len >= sizeof(na->aor) ||
		    f[2].len >= sizeof(na->password)) {
			snprintf(err, errsz, "line %u: account must be "
				 "USER@DOMAIN and fields at most 63 bytes",
				 no);
			return EINVAL;
		}
		na = mem_realloc(*a, (*n + 1) * sizeof(*na));
		if (!na)
			return ENOMEM;
		*a = na;
		na += *n;
		memset(na, 0, sizeof(*na));
		pl_strcpy(&f[0], na->aor, sizeof(na->aor));
		memcpy(na->user, f[1].p, (size_t)(at - f[1].p));
		memcpy(na->domain, at + 1, f[1].len - (size_t)(at - f[1].p) - 1);
		pl_strcpy(&f[2], na->password, sizeof(na->password));
		(*n)++;
	}
	return 0;
}

const struct rpl_acct *rpl_acct_find(const struct rpl_acct *a, size_t n,
				     const char *aor)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(a[i].aor, aor))
			return &a[i];
	return NULL;
}
