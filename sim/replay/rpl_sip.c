/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP accounting and the dialog model. Every message on the wire is
 * counted (by method and status, retransmissions included, SPEC.md
 * "rtcbench replay"); a byte-identical message seen again between the
 * same endpoints within 64 s is also counted as a retransmission. A call
 * is one INVITE dialog attempt:
 * created by the first INVITE without a To tag, keyed by Call-ID and From
 * tag so that the legs of a proxy that keeps both count once; its status
 * is the final response to the latest To-tag-less INVITE, so a digest
 * challenge followed by a new INVITE does not end it. The answer is the
 * first 2xx, the end the BYE (or the failure response), and a finished
 * call lingers 32 s (RFC 3261 Timer D/J scale) for late retransmissions
 * before it is reported and freed. User agents are the distinct AORs
 * that sent requests; registrations are AORs that sent REGISTER, and the
 * ones that got a 2xx for it.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define LINGER_US 32000000ull
/* A digest challenge is not the end: a user may take a while to type the
 * password before the INVITE is retried (seen in real captures). */
#define CHALLENGE_LINGER_US 300000000ull
#define SEEN_US 64000000ull
#define SWEEP_SCAN 4096

/* What the model needs of a message, from the strict decoder or, for a
 * message it rejects, from a tolerant scan. */
struct info {
	bool is_req;
	struct pl method;
	enum sip_method mid;
	uint16_t scode;
	struct pl call_id;
	uint32_t cseq;
	enum sip_method cseq_mid;
	struct pl from_tag, to_tag;
	struct pl from_user, from_host, to_user, to_host;
	struct pl body;
};

static void count_method(struct rpl *r, const struct info *m)
{
	size_t i;

	if (m->mid != SIP_M_OTHER) {
		r->st.sip_by_method[m->mid]++;
		return;
	}
	for (i = 0; i < RPL_OTHER_METHODS; i++) {
		char *name = r->st.other_method[i];

		if (!name[0]) {
			if (pl_strcpy(&m->method, name, sizeof(r->st.other_method[i])))
				name[0] = 0;
			else {
				r->st.other_method_cnt[i]++;
				return;
			}
		}
		if (pl_eq_str(&m->method, name)) {
			r->st.other_method_cnt[i]++;
			return;
		}
	}
	r->st.sip_by_method[SIP_M_OTHER]++;	/* table full or too long */
}

static void seen(struct rpl *r, const struct rpl_pdu *pdu)
{
	/* the same bytes on another leg are not a retransmission */
	uint32_t eh = rpl_hash(&pdu->dst, sizeof(pdu->dst),
			       rpl_hash(&pdu->src, sizeof(pdu->src),
					RPL_HASH_INIT));
	uint64_t h64 = (uint64_t)rpl_hash(pdu->data, pdu->len, eh) << 32 |
		       rpl_hash(pdu->data, pdu->len, eh ^ 0x9e3779b9u);
	uint32_t h = (uint32_t)h64 ^ (uint32_t)(h64 >> 32);
	struct rpl_ent *e;
	struct rpl_seen *s;

	for (e = rpl_tab_bucket(&r->seen, h); e; e = e->hnext) {
		s = (struct rpl_seen *)e;
		if (e->hash == h && s->h64 == h64) {
			if (r->now_us < e->last_us + SEEN_US)
				r->st.sip_retrans++;
			rpl_tab_touch(&r->seen, e, r->now_us);
			return;
		}
	}
	s = mem_zalloc(sizeof(*s));
	if (!s)
		return;
	s->h64 = h64;
	if (rpl_tab_add(&r->seen, &s->ent, h, r->now_us))
		mem_free(s);
}

static uint32_t call_hash(const struct pl *cid, const struct pl *tag)
{
	return rpl_hash(tag->p, tag->len,
			rpl_hash(cid->p, cid->len, RPL_HASH_INIT));
}

static struct rpl_call *call_find(struct rpl *r, const struct pl *cid,
				  const struct pl *tag)
{
	uint32_t h = call_hash(cid, tag);
	struct rpl_ent *e;

	for (e = rpl_tab_bucket(&r->calls, h); e; e = e->hnext) {
		struct rpl_call *c = (struct rpl_call *)e;

		if (e->hash == h && pl_eq_str(cid, c->call_id) &&
		    pl_eq_str(tag, c->from_tag))
			return c;
	}
	return NULL;
}

/* The call a message of dialog (Call-ID, From tag, To tag) belongs to:
 * requests of the callee carry the caller's tag in To. */
static struct rpl_call *call_of(struct rpl *r, const struct info *m)
{
	struct rpl_call *c = call_find(r, &m->call_id, &m->from_tag);

	if (!c && m->to_tag.len)
		c = call_find(r, &m->call_id, &m->to_tag);
	return c;
}

static size_t aor_len(const struct pl *user, const struct pl *host)
{
	return user->len + 1 + host->len + 1;
}

static void aor_fmt(char *dst, size_t sz, const struct pl *user,
		    const struct pl *host)
{
	struct buf b;

	buf_init_fixed(&b, dst, sz);
	if (user->len)
		buf_printf(&b, "%.*s@", PL_ARG(*user));
	buf_printf(&b, "%.*s", PL_ARG(*host));
}

static struct rpl_call *call_new(struct rpl *r, const struct info *m,
				 const struct rpl_pdu *pdu)
{
	size_t n1 = m->call_id.len + 1, n2 = m->from_tag.len + 1,
	       n3 = aor_len(&m->from_user, &m->from_host),
	       n4 = aor_len(&m->to_user, &m->to_host);
	struct rpl_call *c = mem_zalloc(sizeof(*c) + n1 + n2 + n3 + n4);
	char *s;

	if (!c)
		return NULL;
	s = (char *)(c + 1);
	c->call_id = s;
	memcpy(s, m->call_id.p, m->call_id.len);
	c->from_tag = s += n1;
	memcpy(s, m->from_tag.p, m->from_tag.len);
	c->caller = s += n2;
	aor_fmt(s, n3, &m->from_user, &m->from_host);
	c->callee = s += n3;
	aor_fmt(s, n4, &m->to_user, &m->to_host);
	c->start_us = pdu->ts_us;
	c->sig_src = pdu->src;
	c->sig_dst = pdu->dst;
	if (rpl_tab_add(&r->calls, &c->ent,
			call_hash(&m->call_id, &m->from_tag), r->now_us)) {
		mem_free(c);
		return NULL;
	}
	r->st.calls++;
	if (r->calls.n > r->st.open_calls_peak)
		r->st.open_calls_peak = r->calls.n;
	return c;
}

static void call_free(struct rpl *r, struct rpl_call *c)
{
	struct rpl_call_rec rec;

	if (c->status >= 200 && c->status < 300)
		r->st.calls_answered++;
	else
		r->st.calls_failed++;
	if (r->cfg.call_fn) {
		memset(&rec, 0, sizeof(rec));
		rec.call_id = c->call_id;
		rec.caller = c->caller;
		rec.callee = c->callee;
		rec.start_us = c->start_us;
		rec.answer_us = c->answer_us;
		rec.end_us = c->end_us;
		rec.status = c->status;
		rec.sig_src = c->sig_src;
		rec.sig_dst = c->sig_dst;
		rec.media[0] = c->media[0];
		rec.media[1] = c->media[1];
		rec.media_pkts = c->media_pkts;
		rec.srtp = c->srtp;
		r->cfg.call_fn(r->cfg.arg, &rec);
	}
	rpl_media_call_gone(r, c);
	rpl_tab_del(&r->calls, &c->ent);
	mem_free(c);
}

void rpl_sip_sweep(struct rpl *r, uint64_t now_us, bool all)
{
	struct rpl_ent *e, *next;
	size_t scanned = 0;

	for (e = rpl_tab_oldest(&r->calls); e && e != &r->calls.lru;
	     e = next) {
		struct rpl_call *c = (struct rpl_call *)e;

		next = e->next;
		uint64_t linger = c->status == 401 || c->status == 407 ?
				  CHALLENGE_LINGER_US : LINGER_US;

		if (all || (c->done_us && now_us > c->done_us + linger) ||
		    now_us > e->last_us + r->cfg.call_idle_us)
			call_free(r, c);
		else if (e->last_us + LINGER_US > now_us ||
			 ++scanned > SWEEP_SCAN)
			break;	/* the rest were active recently */
	}
	while ((e = rpl_tab_oldest(&r->seen)) &&
	       (all || e->last_us + SEEN_US < now_us)) {
		rpl_tab_del(&r->seen, e);
		mem_free(e);
	}
	if (all) {
		while ((e = rpl_tab_oldest(&r->uas))) {
			struct rpl_ua *ua = (struct rpl_ua *)e;
			struct rpl_ua_rec rec = {
				.aor = ua->aor, .requests = ua->requests,
				.registering = ua->registering,
				.registered = ua->registered,
			};

			if (r->cfg.ua_fn)
				r->cfg.ua_fn(r->cfg.arg, &rec);
			rpl_tab_del(&r->uas, e);
			mem_free(e);
		}
	}
}

void rpl_sip_free_all(struct rpl *r)
{
	/* rpl_free does not report */
	r->cfg.call_fn = NULL;
	r->cfg.ua_fn = NULL;
	r->cfg.stream_fn = NULL;
	rpl_sip_sweep(r, r->now_us, true);
}

static struct rpl_ua *ua_get(struct rpl *r, const struct pl *user,
			     const struct pl *host)
{
	size_t n = aor_len(user, host);
	char tmp[512];
	uint32_t h;
	struct rpl_ent *e;
	struct rpl_ua *ua;

	if (n > sizeof(tmp))
		return NULL;
	aor_fmt(tmp, sizeof(tmp), user, host);
	h = rpl_hash(tmp, strlen(tmp), RPL_HASH_INIT);
	for (e = rpl_tab_bucket(&r->uas, h); e; e = e->hnext) {
		ua = (struct rpl_ua *)e;
		if (e->hash == h && !strcmp(ua->aor, tmp))
			return ua;
	}
	ua = mem_zalloc(sizeof(*ua) + n);
	if (!ua)
		return NULL;
	ua->aor = (char *)(ua + 1);
	memcpy(ua->aor, tmp, strlen(tmp) + 1);
	if (rpl_tab_add(&r->uas, &ua->ent, h, r->now_us)) {
		mem_free(ua);
		return NULL;
	}
	r->st.user_agents++;
	return ua;
}

static bool sdp_body(const struct info *m, struct pl *sdp)
{
	const char *v;

	if (!m->body.len)
		return false;
	if (pl_prefix_case(&m->body, "v=0")) {
		*sdp = m->body;
		return true;
	}
	v = rpl_find(&m->body, "\nv=0");	/* multipart part */
	if (!v)
		return false;
	sdp->p = v + 1;
	sdp->len = m->body.len - (size_t)(sdp->p - m->body.p);
	return true;
}

static void request(struct rpl *r, const struct info *m,
		    const struct rpl_pdu *pdu)
{
	struct rpl_call *c;
	struct rpl_ua *ua;
	struct pl sdp;

	if (m->mid != SIP_M_ACK && m->mid != SIP_M_CANCEL &&
	    (ua = ua_get(r, &m->from_user, &m->from_host)))
		ua->requests++;
	switch (m->mid) {
	case SIP_M_INVITE:
		c = call_of(r, m);
		if (!m->to_tag.len) {
			if (!c)
				c = call_new(r, m, pdu);
			if (!c)
				return;
			if (m->cseq != c->init_cseq) {
				/* new attempt, e.g. after a 401/407 */
				c->init_cseq = m->cseq;
				if (c->status >= 300) {
					c->status = 0;
					c->end_us = c->done_us = 0;
				}
			}
		}
		if (c && sdp_body(m, &sdp))
			rpl_media_sdp(r, c, pl_eq_str(&m->from_tag,
						      c->from_tag) ? 0 : 1,
				      &sdp);
		break;
	case SIP_M_BYE:
		c = call_of(r, m);
		if (c && !c->end_us)
			c->end_us = pdu->ts_us;
		break;
	case SIP_M_REGISTER:
		ua = ua_get(r, &m->to_user, &m->to_host);
		if (ua && !ua->registering) {
			ua->registering = true;
			r->st.registrations++;
		}
		return;
	case SIP_M_MESSAGE:
		r->st.im_messages++;
		return;
	default:
		return;
	}
	if (c)
		rpl_tab_touch(&r->calls, &c->ent, r->now_us);
}

static void response(struct rpl *r, const struct info *m,
		     const struct rpl_pdu *pdu)
{
	struct rpl_call *c;
	struct rpl_ua *ua;
	struct pl sdp;
	uint16_t sc = m->scode;

	if (m->cseq_mid == SIP_M_REGISTER) {
		if (sc >= 200 && sc < 300 &&
		    (ua = ua_get(r, &m->to_user, &m->to_host)) &&
		    !ua->registered) {
			ua->registered = true;
			r->st.registrations_ok++;
		}
		return;
	}
	c = call_of(r, m);
	if (!c)
		return;
	rpl_tab_touch(&r->calls, &c->ent, r->now_us);
	if (m->cseq_mid == SIP_M_BYE && sc >= 200) {
		if (!c->done_us)
			c->done_us = pdu->ts_us;
		return;
	}
	if (m->cseq_mid != SIP_M_INVITE)
		return;
	if (sdp_body(m, &sdp))
		rpl_media_sdp(r, c, pl_eq_str(&m->from_tag, c->from_tag) ?
			      1 : 0, &sdp);
	if (m->cseq != c->init_cseq || sc < 200)
		return;
	if (c->status >= 200 && c->status < 300)
		return;		/* a 2xx on one branch stands */
	c->status = sc;
	c->final_us = pdu->ts_us;
	if (sc < 300) {
		if (!c->answer_us)
			c->answer_us = pdu->ts_us;
		c->end_us = 0;
		c->done_us = 0;
	} else {
		c->end_us = pdu->ts_us;
		c->done_us = pdu->ts_us;
	}
}

static void from_msg(struct info *in, const struct sip_msg *m)
{
	memset(in, 0, sizeof(*in));
	in->is_req = m->is_req;
	in->method = m->method;
	in->mid = m->mid;
	in->scode = m->scode;
	in->call_id = m->call_id;
	in->cseq = m->cseq.num;
	in->cseq_mid = m->cseq.mid;
	in->from_tag = m->from.tag;
	in->to_tag = m->to.tag;
	in->from_user = m->from.uri.user;
	in->from_host = m->from.uri.host;
	in->to_user = m->to.uri.user;
	in->to_host = m->to.uri.host;
	in->body = m->body;
}

/* user and host of "Name <sip:user@host;p>;tag=x" without validating. */
static void loose_addr(const struct pl *v, struct pl *user, struct pl *host,
		       struct pl *tag)
{
	struct pl s = *v, params = PL_NULL, t;
	const char *lt = pl_chr(&s, '<'), *gt, *at, *c;

	if (lt && (gt = pl_chr(&s, '>')) && gt > lt) {
		params.p = gt + 1;
		params.len = (size_t)(s.p + s.len - params.p);
		s.p = lt + 1;
		s.len = (size_t)(gt - s.p);
	} else if ((c = pl_chr(&s, ';'))) {
		params.p = c;
		params.len = (size_t)(s.p + s.len - c);
		s.len = (size_t)(c - s.p);
	}
	if ((c = pl_chr(&s, ':')))
		pl_advance(&s, (size_t)(c - s.p) + 1);
	if ((c = pl_chr(&s, ';')))	/* URI parameters */
		s.len = (size_t)(c - s.p);
	at = pl_chr(&s, '@');
	if (at) {
		user->p = s.p;
		user->len = (size_t)(at - s.p);
		pl_advance(&s, user->len + 1);
	} else {
		*user = PL_NULL;
	}
	*host = s;
	*tag = sip_param(&params, "tag", &t) ? PL_NULL : t;
}

/*
 * Tolerant scan of a message the decoder refused (e.g. IPv6 addresses
 * without brackets in URIs and Via, seen in real captures). Enough for
 * counting and the model; EBADMSG when even the start line or the dialog
 * headers cannot be found.
 */
static int loose(struct info *in, const uint8_t *p, size_t n)
{
	struct pl rest = pl_from_mem(p, n), line, name, val, sl, a, b;
	const char *e = rpl_find(&rest, "\r\n\r\n");
	bool cid = false, cseq = false, from = false, to = false;
	uint32_t v;

	memset(in, 0, sizeof(*in));
	if (e) {
		in->body.p = e + 4;
		in->body.len = (size_t)(p + n - (const uint8_t *)in->body.p);
		rest.len = (size_t)(e - rest.p) + 2;
	}
	if (pl_split(&rest, '\n', &sl, &rest))
		return EBADMSG;
	pl_rtrim(&sl);
	if (pl_prefix_case(&sl, "SIP/2.0 ")) {
		pl_advance(&sl, 8);
		sl.len = sl.len > 3 ? 3 : sl.len;
		if (pl_to_u32(&sl, &v) || v < 100 || v > 699)
			return EBADMSG;
		in->scode = (uint16_t)v;
	} else {
		if (pl_split(&sl, ' ', &in->method, &sl))
			return EBADMSG;
		in->is_req = true;
		in->mid = sip_method_id(&in->method);
	}
	while (!pl_split(&rest, '\n', &line, &rest) || line.len) {
		pl_rtrim(&line);
		if (pl_split(&line, ':', &name, &val))
			goto next;
		pl_trim(&name);
		pl_trim(&val);
		switch (sip_hdr_id(&name)) {
		case SIP_HDR_CALL_ID:
			in->call_id = val;
			cid = true;
			break;
		case SIP_HDR_CSEQ:
			if (pl_split(&val, ' ', &a, &b) || pl_to_u32(&a, &v))
				return EBADMSG;
			pl_trim(&b);
			in->cseq = v;
			in->cseq_mid = sip_method_id(&b);
			cseq = true;
			break;
		case SIP_HDR_FROM:
			loose_addr(&val, &in->from_user, &in->from_host,
				   &in->from_tag);
			from = true;
			break;
		case SIP_HDR_TO:
			loose_addr(&val, &in->to_user, &in->to_host,
				   &in->to_tag);
			to = true;
			break;
		default:
			break;
		}
	next:
		if (!rest.len)
			break;
	}
	return cid && cseq && from && to ? 0 : EBADMSG;
}

void rpl_sip_input(struct rpl *r, const struct rpl_pdu *pdu)
{
	struct info in, *m = &in;

	if (!sip_msg_decode(&r->msg, pdu->data, pdu->len)) {
		from_msg(&in, &r->msg);
	} else if (!loose(&in, pdu->data, pdu->len)) {
		r->st.sip_lenient++;
	} else {
		r->st.sip_malformed++;
		return;
	}
	r->st.sip_messages++;
	if (m->is_req) {
		r->st.sip_requests++;
		count_method(r, m);
	} else {
		r->st.sip_responses++;
		if (m->scode < RPL_MAX_SCODE)
			r->st.sip_by_scode[m->scode]++;
	}
	seen(r, pdu);
	if (r->cfg.pdu_fn)
		r->cfg.pdu_fn(r->cfg.arg, RPL_K_SIP, pdu);
	if (m->is_req)
		request(r, m, pdu);
	else
		response(r, m, pdu);
}
