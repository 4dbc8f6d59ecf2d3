/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Storage audit after a re-drive (rpl_audit.h): canaries are pulled out
 * of the captured bytes with plain line scans rather than the full SIP
 * decoder, because a capture may hold messages the decoder refuses and a
 * secret in a refused message must be audited all the same. Every canary
 * goes into one sim/audit automaton; the data_dir is read once.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "audit/audit.h"
#include "base/mem.h"
#include "replay/rpl_audit.h"

#define RTP_SAMPLE 16		/* bytes of payload per sample */
#define RTP_PER_SSRC 3		/* samples per stream */
#define RTP_MAX 64		/* samples overall */
#define SSRC_MAX 64
#define BODY_SAMPLE 64		/* bytes of a MESSAGE body */
#define MSRP_MAX 64		/* MSRP content samples overall */

#define SHARED_MAX 4096	/* Contacts of non-REGISTER messages kept */

struct canary {
	enum rpl_aud_pol pol;
	size_t idx;		/* in the automaton */
	bool bin;		/* show as hex */
	bool contact;		/* a REGISTER Contact (P7) */
	size_t len;
};

struct rpl_canaries {
	struct audit *a;
	struct canary *v;
	size_t n;
	size_t cnt[RPL_AUD_POLS];
	uint32_t ssrc[SSRC_MAX];
	unsigned ssrc_n[SSRC_MAX];
	size_t nssrc;
	char **shared;		/* Contact URIs of INVITE dialogs & co. */
	size_t nshared;
};

static const char *const pol_name[RPL_AUD_POLS] = {
	"P12", "P7", "P6", "P2", "P10", "P13"
};
static const char *const pol_what[RPL_AUD_POLS] = {
	"RTP payload sample", "REGISTER Contact URI", "SDES inline key",
	"digest response", "MESSAGE body", "MSRP content"
};

int rpl_canaries_new(struct rpl_canaries **cp)
{
	struct rpl_canaries *c = mem_zalloc(sizeof(*c));
	int e;

	if (!c)
		return ENOMEM;
	e = audit_new(&c->a);
	if (e) {
		mem_free(c);
		return e;
	}
	*cp = c;
	return 0;
}

void rpl_canaries_free(struct rpl_canaries *c)
{
	if (!c)
		return;
	audit_free(c->a);
	mem_free(c->v);
	while (c->nshared)
		mem_free(c->shared[--c->nshared]);
	mem_free(c->shared);
	mem_free(c);
}

/* Whether canary k is a REGISTER Contact also sent outside a REGISTER. */
static bool is_shared(const struct rpl_canaries *c, const struct canary *k)
{
	const char *s;
	size_t i;

	if (!k->contact)
		return false;
	s = audit_canary(c->a, k->idx);
	for (i = 0; i < c->nshared; i++)
		if (strlen(c->shared[i]) == k->len &&
		    !memcmp(c->shared[i], s, k->len))
			return true;
	return false;
}

size_t rpl_canaries_count(const struct rpl_canaries *c, enum rpl_aud_pol pol)
{
	size_t i, n = 0;

	if (pol >= RPL_AUD_POLS)
		return 0;
	for (i = 0; i < c->n; i++)
		n += c->v[i].pol == pol && !is_shared(c, &c->v[i]);
	return n;
}

size_t rpl_canaries_shared(const struct rpl_canaries *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += is_shared(c, &c->v[i]);
	return n;
}

/* Too short to audit is not an error: the canary is just not kept. */
static int add(struct rpl_canaries *c, enum rpl_aud_pol pol,
	       const uint8_t *p, size_t len, bool bin, bool ct)
{
	struct canary *v;
	size_t idx, i;
	int e;

	if (len < AUDIT_MIN_LEN)
		return 0;
	e = audit_canary_add(c->a, (const char *)p, len, &idx);
	if (e)
		return e == EINVAL ? 0 : e;
	for (i = 0; i < c->n; i++)
		if (c->v[i].idx == idx)
			return 0;	/* the same bytes seen again */
	v = mem_realloc(c->v, (c->n + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	c->v = v;
	c->v[c->n].pol = pol;
	c->v[c->n].idx = idx;
	c->v[c->n].bin = bin;
	c->v[c->n].contact = ct;
	c->v[c->n].len = len;
	c->n++;
	c->cnt[pol]++;
	return 0;
}

int rpl_canaries_rtp(struct rpl_canaries *c, const uint8_t *p, size_t len)
{
	size_t hl, i, n;
	uint32_t ssrc;

	if (len < 12 || (p[0] >> 6) != 2 || c->cnt[RPL_AUD_P12] >= RTP_MAX)
		return 0;
	hl = 12 + 4u * (p[0] & 0x0f);
	if ((p[0] & 0x10) && len >= hl + 4)
		hl += 4 + 4u * ((size_t)p[hl + 2] << 8 | p[hl + 3]);
	if (hl >= len)
		return 0;
	ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
	       (uint32_t)p[10] << 8 | p[11];
	for (i = 0; i < c->nssrc && c->ssrc[i] != ssrc; i++)
		;
	if (i == c->nssrc) {
		if (c->nssrc == SSRC_MAX)
			return 0;
		c->ssrc[c->nssrc++] = ssrc;
	}
	if (c->ssrc_n[i] >= RTP_PER_SSRC)
		return 0;
	p += hl;
	n = len - hl < RTP_SAMPLE ? len - hl : RTP_SAMPLE;
	for (i = 1; i < n && p[i] == p[0]; i++)
		;
	if (i == n)
		return 0;	/* silence or padding: found everywhere */
	for (i = 0; i < c->nssrc && c->ssrc[i] != ssrc; i++)
		;
	c->ssrc_n[i]++;
	return add(c, RPL_AUD_P12, p, n, true, false);
}

/*
 * The tail of the content: a message/cpim wrapper (RFC 3862) starts with
 * its own headers, which name users a store may well hold, and ends with
 * the text, which it must not.
 */
int rpl_canaries_msrp(struct rpl_canaries *c, const uint8_t *p, size_t len)
{
	size_t n;

	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (c->cnt[RPL_AUD_P13] >= MSRP_MAX)
		return 0;
	n = len < BODY_SAMPLE ? len : BODY_SAMPLE;
	return add(c, RPL_AUD_P13, p + len - n, n, false, false);
}

static bool hname(const char *l, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && !strncasecmp(l, name, k) &&
	       (l[k] == ':' || l[k] == ' ' || l[k] == '\t');
}

static const char *find(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (!strncasecmp(p + i, s, k))
			return p + i;
	return NULL;
}

/* A Contact URI outside a REGISTER: INVITE dialogs are P6 traces that
 * keep their Contacts, so the same URI says nothing about P7 there. */
static int share(struct rpl_canaries *c, const char *v, size_t n)
{
	char **nv;
	size_t i;

	for (i = 0; i < c->nshared; i++)
		if (strlen(c->shared[i]) == n && !memcmp(c->shared[i], v, n))
			return 0;
	if (c->nshared == SHARED_MAX)
		return 0;
	nv = mem_realloc(c->shared, (c->nshared + 1) * sizeof(*nv));
	if (!nv)
		return ENOMEM;
	c->shared = nv;
	if (!(nv[c->nshared] = mem_alloc(n + 1)))
		return ENOMEM;
	memcpy(nv[c->nshared], v, n);
	nv[c->nshared++][n] = 0;
	return 0;
}

static int contact(struct rpl_canaries *c, const char *l, size_t n, bool reg)
{
	const char *v = memchr(l, ':', n), *e = l + n, *s;

	if (!v)
		return 0;
	v++;
	if ((s = memchr(v, '<', (size_t)(e - v)))) {
		v = s + 1;
		s = memchr(v, '>', (size_t)(e - v));
	} else {
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		for (s = v; s < e && *s != ';' && *s != ',' && *s != ' ';)
			s++;
	}
	if (!s || s <= v)
		return 0;
	if (!reg)
		return share(c, v, (size_t)(s - v));
	return add(c, RPL_AUD_P7, (const uint8_t *)v, (size_t)(s - v), false,
		   true);
}

/* A REGISTER's Call-ID: in no other dialog, kept by any binding store. */
static int callid(struct rpl_canaries *c, const char *l, size_t n)
{
	const char *v = memchr(l, ':', n), *e = l + n;

	if (!v)
		return 0;
	for (v++; v < e && (*v == ' ' || *v == '\t');)
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return add(c, RPL_AUD_P7, (const uint8_t *)v, (size_t)(e - v), false,
		   false);
}

static int digest(struct rpl_canaries *c, const char *l, size_t n)
{
	const char *v = find(l, n, "response=\""), *e = l + n, *s;

	if (!v)
		return 0;
	v += 10;
	s = memchr(v, '"', (size_t)(e - v));
	if (!s)
		return 0;
	return add(c, RPL_AUD_P2, (const uint8_t *)v, (size_t)(s - v), false,
		   false);
}

static int crypto(struct rpl_canaries *c, const char *l, size_t n)
{
	const char *v = find(l, n, "inline:"), *e = l + n, *s;

	if (!v)
		return 0;
	v += 7;
	for (s = v; s < e && *s != '|' && !isspace((unsigned char)*s);)
		s++;
	return add(c, RPL_AUD_P6, (const uint8_t *)v, (size_t)(s - v), false,
		   false);
}

/* A response whose CSeq names REGISTER (its Contacts are the bindings). */
static bool reg_response(const char *s, size_t len)
{
	const char *l, *e = s + len, *nl;
	size_t n;

	if (len < 8 || memcmp(s, "SIP/2.0 ", 8))
		return false;
	for (l = s; l < e; l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(e - l));
		n = (size_t)((nl ? nl : e) - l);
		if (n && l[n - 1] == '\r')
			n--;
		if (!n || !nl)
			return false;	/* end of the headers */
		if (hname(l, n, "CSeq"))
			return find(l, n, " REGISTER") != NULL;
	}
	return false;
}

int rpl_canaries_sip(struct rpl_canaries *c, const uint8_t *p, size_t len)
{
	const char *s = (const char *)p, *e = s + len, *l, *nl;
	bool msg = len > 8 && !memcmp(s, "MESSAGE ", 8);
	bool reg = len > 9 && !memcmp(s, "REGISTER ", 9);
	bool regr = reg_response(s, len);
	bool body = false;
	size_t n;
	int err = 0;

	for (l = s; l < e && !err; l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(e - l));
		if (!nl)
			nl = e;
		n = (size_t)(nl - l);
		if (n && l[n - 1] == '\r')
			n--;
		if (!body && !n) {
			body = true;
			if (msg) {
				const char *b = nl + 1;
				size_t bl = b < e ? (size_t)(e - b) : 0;

				while (bl && (b[bl - 1] == '\n' ||
					      b[bl - 1] == '\r'))
					bl--;
				err = add(c, RPL_AUD_P10, (const uint8_t *)b,
					  bl < BODY_SAMPLE ? bl : BODY_SAMPLE,
					  false, false);
				break;
			}
			continue;
		}
		if (body) {
			if (n > 9 && !strncasecmp(l, "a=crypto:", 9))
				err = crypto(c, l, n);
		} else if (!regr && (hname(l, n, "Contact") ||
				     hname(l, n, "m"))) {
			err = contact(c, l, n, reg);
		} else if (reg && (hname(l, n, "Call-ID") ||
				   hname(l, n, "i"))) {
			err = callid(c, l, n);
		} else if (hname(l, n, "Authorization") ||
			   hname(l, n, "Proxy-Authorization")) {
			err = digest(c, l, n);
		}
		if (nl == e)
			break;
	}
	return err;
}

static void show(const struct canary *k, const char *s, size_t n, char *out,
		 size_t sz)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < sz; i++) {
		if (k->bin)
			o += (size_t)snprintf(out + o, sz - o, "%02x",
					      (uint8_t)s[i]);
		else
			out[o++] = isprint((unsigned char)s[i]) ? s[i] : '.';
	}
	out[o] = 0;
}

int rpl_audit_run(struct rpl_canaries *c, const char *dir, rpl_aud_fn *fn,
		  void *arg, uint64_t *files, uint64_t *bytes)
{
	char txt[96];
	size_t i;
	int e;

	audit_hits_clear(c->a);
	if (!c->n) {
		*files = *bytes = 0;
		return 0;
	}
	e = audit_scan_dir(c->a, dir, files, bytes);
	if (e)
		return e;
	for (i = 0; i < c->n; i++) {
		const struct canary *k = &c->v[i];
		const struct audit_hit *h = audit_first(c->a, k->idx,
							AUDIT_SRC_STORE);
		const char *s = audit_canary(c->a, k->idx);
		struct rpl_aud_row r = {
			.pol = k->pol, .policy = pol_name[k->pol],
			.what = k->pol == RPL_AUD_P7 && !k->contact ?
				"REGISTER Call-ID" : pol_what[k->pol],
			.canary = txt,
			.where = h ? h->where : NULL,
			.enc = h ? audit_enc_name(h->enc) : NULL,
			.offset = h ? h->offset : 0,
			.locations = audit_found(c->a, k->idx,
						 AUDIT_SRC_STORE),
		};

		if (is_shared(c, k))
			continue;	/* counted by rpl_canaries_shared */
		show(k, s, k->len, txt, sizeof(txt));
		r.ok = k->pol == RPL_AUD_P10 ? h != NULL : h == NULL;
		fn(arg, &r);
	}
	return 0;
}
