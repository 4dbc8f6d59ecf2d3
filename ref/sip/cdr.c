/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls as the privacy policy sees them: session traces (POLICY P6) and
 * call detail records (P16), plus the hand-off of SDP to the media relay.
 *
 * Traces: every message of an INVITE dialog (INVITE, its responses, ACK,
 * BYE, CANCEL, re-INVITE, UPDATE, PRACK) is handed to the trace hook at
 * ingest, and so are the responses this core generates, after
 * redaction of SDES keys (a=crypto inline:) and digest response= values.
 * REGISTER, SUBSCRIBE, NOTIFY and PUBLISH are out of scope by method.
 *
 * CDRs: one record per call attempt keyed by Call-ID and From tag (the
 * challenge round of digest auth is part of the same attempt), written
 * when the call fails, is cancelled, ends with BYE, or outlives
 * max_call_s. Only user@domain identities go in: never display names
 * (which may carry e-mail addresses, P3).
 *
 * The call record also owns the call's relay session: freeing it (call
 * failed, cancelled, timed out, ended, or answered but never ACKed within
 * 64*T1) deletes the relay ports. An initial INVITE without a record gets
 * no relay session, since nothing would ever free it.
 */
#include <errno.h>
#include <string.h>
#include <stdio.h>
#include "sip/proxy_int.h"
#include "base/mem.h"

struct call {
	struct call *hnext;
	uint32_t hash;
	char key[200];
	char from_tag[64];
	bool answered, acked;
	uint32_t timer;
	uint64_t deadline;	/* proxy clock: max_call_s after setup */
	struct sip_cdr cdr;
};

int cdr_init(struct sip_proxy *p)
{
	size_t n = 1;

	while (n < p->cfg.max_calls && n < (1u << 20))
		n <<= 1;
	p->call_buckets = n;
	p->call_tab = mem_zalloc(n * sizeof(*p->call_tab));
	return p->call_tab ? 0 : ENOMEM;
}

/* from_tag: the caller's, to ask the relay for the call's figures
 * (NULL: the call never reached the relay). */
static void emit(struct sip_proxy *p, struct sip_cdr *c,
		 const char *from_tag)
{
	struct pl cid, ft;

	if (from_tag && p->cfg.media.stats) {
		cid = pl_from_str(c->call_id);
		ft = pl_from_str(from_tag);
		if (p->cfg.media.stats(p->cfg.media.arg, &cid, &ft, &c->media))
			memset(&c->media, 0, sizeof(c->media));
	}
	if (c->answer_us && c->end_us > c->answer_us)
		c->duration_ms = (uint32_t)((c->end_us - c->answer_us) / 1000);
	if (p->cfg.store.cdr_write)
		p->cfg.store.cdr_write(p->cfg.store.arg, c);
	p->st.cdrs++;
}

static void call_free(struct sip_proxy *p, struct call *c)
{
	struct call **pp = &p->call_tab[c->hash & (p->call_buckets - 1)];
	struct pl cid, ft;

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	if (c->timer)
		tq_cancel(&p->tq, c->timer);
	if (p->cfg.media.del) {
		cid = pl_from_str(c->cdr.call_id);
		ft = pl_from_str(c->from_tag);
		p->cfg.media.del(p->cfg.media.arg, &cid, &ft);
	}
	p->st.calls_live--;
	mem_free(c);
}

void cdr_fini(struct sip_proxy *p)
{
	size_t i;
	struct call *c;

	if (!p->call_tab)
		return;
	for (i = 0; i < p->call_buckets; i++) {
		while ((c = p->call_tab[i])) {
			c->cdr.end_us = wall_us(p);
			snprintf(c->cdr.hangup, sizeof(c->cdr.hangup), "none");
			emit(p, &c->cdr, c->from_tag);
			call_free(p, c);
		}
	}
	mem_free(p->call_tab);
	p->call_tab = NULL;
}

static int mkkey(const struct pl *cid, const struct pl *tag, char *k,
		 size_t sz)
{
	int n = snprintf(k, sz, "%.*s|%.*s", PL_ARG(*cid), PL_ARG(*tag));

	return (n < 0 || (size_t)n >= sz) ? EOVERFLOW : 0;
}

static struct call *call_find(struct sip_proxy *p, const struct pl *cid,
			      const struct pl *tag)
{
	char k[200];
	uint32_t h;
	struct call *c;

	if (!p->call_tab || mkkey(cid, tag, k, sizeof(k)))
		return NULL;
	h = fnv1a(k, strlen(k), FNV_INIT);
	for (c = p->call_tab[h & (p->call_buckets - 1)]; c; c = c->hnext)
		if (c->hash == h && !strcmp(c->key, k))
			return c;
	return NULL;
}

bool cdr_traced(const struct sip_msg *msg)
{
	switch (msg->is_req ? msg->mid : msg->cseq.mid) {
	case SIP_M_INVITE:
	case SIP_M_ACK:
	case SIP_M_BYE:
	case SIP_M_CANCEL:
	case SIP_M_UPDATE:
	case SIP_M_PRACK:
		return true;
	default:
		return false;
	}
}

static bool line_starts(const struct pl *l, const char *s)
{
	return pl_prefix_case(l, s);
}

/* Copy line, replacing the value after each `key` up to a terminator. */
static int redact_after(struct buf *out, struct pl l, const char *key,
			const char *stops)
{
	size_t kl = strlen(key);
	struct pl k = pl_from_str(key);
	const char *hit;
	int err = 0;

	while (!err && (hit = pl_find(&l, &k)) && hit >= l.p &&
	       hit + kl <= l.p + l.len) {
		size_t pre = (size_t)(hit - l.p) + kl, i = pre;
		bool quoted = i < l.len && l.p[i] == '"';

		if (quoted)
			pre++, i++;
		while (i < l.len && !strchr(stops, l.p[i]) &&
		       !(quoted && l.p[i] == '"'))
			i++;
		err = buf_put(out, l.p, pre);
		if (!err)
			err = buf_put_str(out, "[redacted]");
		pl_advance(&l, i);
	}
	if (!err)
		err = buf_put_pl(out, &l);
	return err;
}

static bool has_at(const char *p, size_t n)
{
	return memchr(p, '@', n) != NULL;
}

/* P3: a quoted string holding an '@' (an e-mail put in a display name)
 * keeps its quotes, loses its content; everything else is copied. */
static int redact_quoted_at(struct buf *out, struct pl l)
{
	int err = 0;

	while (!err && l.len) {
		const char *q = pl_chr(&l, '"');
		size_t open, i;

		if (!q)
			break;
		open = (size_t)(q - l.p) + 1;
		for (i = open; i < l.len && l.p[i] != '"'; i++)
			if (l.p[i] == '\\' && i + 1 < l.len)
				i++;
		if (i >= l.len)
			break;	/* unterminated: left as it is */
		if (has_at(l.p + open, i - open)) {
			err = buf_put(out, l.p, open);
			if (!err)
				err = buf_put_str(out, "[redacted]");
		} else {
			err = buf_put(out, l.p, i);
		}
		pl_advance(&l, i);
		if (!err)
			err = buf_put(out, "\"", 1);
		pl_advance(&l, 1);
	}
	return err ? err : buf_put_pl(out, &l);
}

/* Free-text headers a UA may fill with an e-mail address (P3). */
static bool free_text(const struct pl *l)
{
	return line_starts(l, "subject:") || line_starts(l, "s:") ||
	       line_starts(l, "organization:") ||
	       line_starts(l, "reply-to:") || line_starts(l, "call-info:") ||
	       line_starts(l, "in-reply-to:");
}

/* Digest parameters are quoted too (uri="sip:b@x"): not display names. */
static bool digest_line(const struct pl *l)
{
	return line_starts(l, "authorization:") ||
	       line_starts(l, "proxy-authorization:") ||
	       line_starts(l, "www-authenticate:") ||
	       line_starts(l, "proxy-authenticate:");
}

int sip_redact(const struct pl *msg, struct buf *out)
{
	struct pl rest = *msg, line;
	const char *nl, *colon;
	bool body = false;
	int err = 0;

	while (!err && rest.len) {
		nl = pl_chr(&rest, '\n');
		line = pl_from_mem(rest.p, nl ? (size_t)(nl - rest.p) + 1 :
				   rest.len);
		pl_advance(&rest, line.len);
		if (!body && (line.p[0] == '\r' || line.p[0] == '\n')) {
			body = true;
			err = buf_put_pl(out, &line);
		} else if (!body && free_text(&line) &&
			   has_at(line.p, line.len) &&
			   (colon = pl_chr(&line, ':'))) {
			err = buf_put(out, line.p, (size_t)(colon - line.p) + 1);
			if (!err)
				err = buf_put_str(out, " [redacted]\r\n");
		} else if (!body && pl_chr(&line, '"') &&
			   has_at(line.p, line.len) && !digest_line(&line)) {
			err = redact_quoted_at(out, line);
		} else if (line_starts(&line, "a=crypto:"))
			err = redact_after(out, line, "inline:",
					   " \t\r\n;|");
		else if (line_starts(&line, "authorization:") ||
			 line_starts(&line, "proxy-authorization:"))
			err = redact_after(out, line, "response=",
					   " \t\r\n,");
		else
			err = buf_put_pl(out, &line);
	}
	return err;
}

void cdr_trace(struct sip_proxy *p, const struct sip_msg *msg, bool out,
	       enum net_tp tp, const struct net_addr *src,
	       const struct net_addr *dst)
{
	struct sip_trace tr;
	char caller[200], callee[200];

	if (!p->cfg.store.trace_add)
		return;
	buf_reset(&p->sb);
	if (sip_redact(&msg->raw, &p->sb))
		return;
	px_aor(p, &msg->from.uri, caller, sizeof(caller));
	px_aor(p, &msg->to.uri, callee, sizeof(callee));
	memset(&tr, 0, sizeof(tr));
	tr.call_id = msg->call_id;
	tr.caller = pl_from_str(caller);
	tr.callee = pl_from_str(callee);
	tr.outgoing = out;
	tr.tp = tp;
	tr.src = src;
	tr.dst = dst;
	tr.wall_us = wall_us(p);
	tr.bytes = buf_pl(&p->sb);
	p->cfg.store.trace_add(p->cfg.store.arg, &tr);
	p->st.traces++;
}

static void sig_str(const struct net_addr *a, char *dst, size_t sz)
{
	char s[NET_ADDR_STRLEN];

	snprintf(dst, sz, "%s:%s", net_tp_name(a->tp),
		 net_addr_str(a, s, sizeof(s)));
}

static void ua_copy(const struct sip_msg *m, char *dst, size_t sz)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_USER_AGENT);

	if (!h)
		h = sip_msg_hdr(m, SIP_HDR_SERVER);
	if (h)
		snprintf(dst, sz, "%.*s", PL_ARG(h->val));
}

/* "ip:port" of the first media stream of an SDP body (c= then m=). */
static void sdp_media(const struct pl *body, char *dst, size_t sz)
{
	struct pl rest = *body, line, w;
	struct pl addr = PL_NULL, port = PL_NULL;
	const char *nl;

	while (rest.len) {
		nl = pl_chr(&rest, '\n');
		line = pl_from_mem(rest.p, nl ? (size_t)(nl - rest.p) :
				   rest.len);
		pl_advance(&rest, nl ? line.len + 1 : line.len);
		pl_trim(&line);
		if (pl_prefix_case(&line, "c=IN IP") && line.len > 9 &&
		    !pl_isset(&port)) {
			addr = pl_from_mem(line.p + 9, line.len - 9);
			pl_trim(&addr);
			pl_split(&addr, '/', &addr, &w);
		} else if (pl_prefix_case(&line, "m=") && !pl_isset(&port)) {
			struct pl a = pl_from_mem(line.p + 2, line.len - 2);

			pl_split(&a, ' ', &w, &a);
			pl_split(&a, ' ', &port, &w);
			pl_split(&port, '/', &port, &w);
		}
	}
	if (pl_isset(&addr) && pl_isset(&port))
		snprintf(dst, sz, pl_chr(&addr, ':') ? "[%.*s]:%.*s" :
			 "%.*s:%.*s", PL_ARG(addr), PL_ARG(port));
}

static void fill_parties(const struct sip_proxy *p, struct sip_cdr *c,
			 const struct sip_msg *msg,
			 const struct net_pkt *pkt)
{
	const struct sip_static_route *sr = route_static(p, &msg->to.uri.user);

	if (!sr)
		sr = route_static(p, &msg->from.uri.user);
	if (sr && (px_host_is_us(p, &msg->to.uri.host, 0) ||
		   px_host_is_us(p, &msg->from.uri.host, 0)))
		snprintf(c->kind, sizeof(c->kind), "%s", sr->kind);
	pl_strcpy(&msg->call_id, c->call_id, sizeof(c->call_id));
	px_aor(p, &msg->from.uri, c->caller, sizeof(c->caller));
	px_aor(p, &msg->to.uri, c->callee, sizeof(c->callee));
	sig_str(&pkt->from, c->caller_sig, sizeof(c->caller_sig));
	ua_copy(msg, c->caller_ua, sizeof(c->caller_ua));
	if (msg->body.len)
		sdp_media(&msg->body, c->caller_media,
			  sizeof(c->caller_media));
}

struct call *cdr_call_start(struct sip_proxy *p, const struct net_pkt *pkt,
			    const struct sip_msg *msg)
{
	struct call *c;
	size_t b;

	if (call_find(p, &msg->call_id, &msg->from.tag) ||
	    p->st.calls_live >= p->cfg.max_calls)
		return NULL;
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	if (mkkey(&msg->call_id, &msg->from.tag, c->key, sizeof(c->key))) {
		mem_free(c);
		return NULL;
	}
	pl_strcpy(&msg->from.tag, c->from_tag, sizeof(c->from_tag));
	c->hash = fnv1a(c->key, strlen(c->key), FNV_INIT);
	b = c->hash & (p->call_buckets - 1);
	c->hnext = p->call_tab[b];
	p->call_tab[b] = c;
	fill_parties(p, &c->cdr, msg, pkt);
	c->cdr.setup_us = wall_us(p);
	p->st.calls++;
	p->st.calls_live++;
	/* Bound a call that never sees its BYE. */
	c->deadline = p->now + (uint64_t)p->cfg.max_call_s * 1000000ull;
	if (tq_add(&p->tq, c->deadline, TM_CALL, c, &c->timer))
		c->timer = TQ_NONE;
	return c;
}

void cdr_call_drop(struct sip_proxy *p, struct call *c)
{
	if (!c)
		return;
	p->st.calls--;
	call_free(p, c);
}

static void rearm(struct sip_proxy *p, struct call *c, uint64_t at)
{
	if (c->timer)
		tq_cancel(&p->tq, c->timer);
	if (tq_add(&p->tq, at, TM_CALL, c, &c->timer))
		c->timer = TQ_NONE;
}

void cdr_ack(struct sip_proxy *p, const struct sip_msg *msg)
{
	struct call *c = call_find(p, &msg->call_id, &msg->from.tag);

	if (!c || !c->answered || c->acked)
		return;
	c->acked = true;
	rearm(p, c, c->deadline > p->now ? c->deadline : p->now);
}

void cdr_call_refused(struct sip_proxy *p, const struct net_pkt *pkt,
		      const struct sip_msg *msg, uint16_t code)
{
	struct sip_cdr c;

	memset(&c, 0, sizeof(c));
	fill_parties(p, &c, msg, pkt);
	c.setup_us = c.end_us = wall_us(p);
	c.status = code;
	snprintf(c.hangup, sizeof(c.hangup), "none");
	p->st.calls++;
	emit(p, &c, NULL);
}

void cdr_call_final(struct sip_proxy *p, struct call *c, uint16_t code,
		    const struct sip_msg *rsp, const struct net_addr *from)
{
	if (!c || c->answered)
		return;
	c->cdr.status = code;
	if (code >= 200 && code < 300) {
		c->answered = true;
		c->cdr.answer_us = wall_us(p);
		if (from)
			sig_str(from, c->cdr.callee_sig,
				sizeof(c->cdr.callee_sig));
		if (rsp) {
			ua_copy(rsp, c->cdr.callee_ua,
				sizeof(c->cdr.callee_ua));
			if (rsp->body.len && !c->cdr.callee_media[0])
				sdp_media(&rsp->body, c->cdr.callee_media,
					  sizeof(c->cdr.callee_media));
		}
		/* RFC 3261 13.3.1.4: the UAS gives up on a 2xx not ACKed
		 * within 64*T1; so do we, and the relay ports go. */
		rearm(p, c, p->now + 64 * p->cfg.t1_us);
		return;
	}
	c->cdr.end_us = wall_us(p);
	snprintf(c->cdr.hangup, sizeof(c->cdr.hangup), "%s",
		 code == 487 ? "caller" : "none");
	emit(p, &c->cdr, c->from_tag);
	call_free(p, c);
}

void cdr_bye(struct sip_proxy *p, const struct sip_msg *msg)
{
	struct call *c = call_find(p, &msg->call_id, &msg->from.tag);
	const char *who = "caller";

	if (!c) {
		c = call_find(p, &msg->call_id, &msg->to.tag);
		who = "callee";
	}
	if (!c || !c->answered)
		return;
	c->cdr.end_us = wall_us(p);
	snprintf(c->cdr.hangup, sizeof(c->cdr.hangup), "%s", who);
	emit(p, &c->cdr, c->from_tag);
	call_free(p, c);
}

void cdr_timer(struct sip_proxy *p, void *arg)
{
	struct call *c = arg;

	c->timer = TQ_NONE;
	c->cdr.end_us = wall_us(p);
	if (c->answered && !c->acked)
		c->cdr.end_us = c->cdr.answer_us;	/* never set up */
	if (!c->cdr.status)
		c->cdr.status = 408;
	snprintf(c->cdr.hangup, sizeof(c->cdr.hangup), "timeout");
	emit(p, &c->cdr, c->from_tag);
	call_free(p, c);
}

static bool is_sdp(const struct sip_msg *m)
{
	const struct sip_hdr *h = sip_msg_hdr(m, SIP_HDR_CONTENT_TYPE);

	return h && pl_prefix_case(&h->val, "application/sdp");
}

int cdr_media_offer(struct sip_proxy *p, const struct sip_msg *msg,
		    struct buf *out, bool *rewritten)
{
	struct call *c = call_find(p, &msg->call_id, &msg->from.tag);
	int err;

	*rewritten = false;
	if (!is_sdp(msg))
		return 0;
	if (!c && !pl_isset(&msg->to.tag))
		return 0; /* no record to free the relay session: not anchored */
	if (c && !c->cdr.caller_media[0])
		sdp_media(&msg->body, c->cdr.caller_media,
			  sizeof(c->cdr.caller_media));
	if (!p->cfg.media.offer)
		return 0;
	buf_reset(out);
	err = p->cfg.media.offer(p->cfg.media.arg, &msg->call_id,
				 &msg->from.tag, &msg->body, out);
	if (!err) {
		*rewritten = true;
		return 0;
	}
	p->st.media_refused++;
	/* other errors (an offer from a third tag...): passed as before */
	return err == EOVERFLOW ? PX_E_RELAY_FULL :
	       err == EBADMSG ? PX_E_BAD_SDP : 0;
}

void cdr_media_answer(struct sip_proxy *p, const struct sip_msg *msg,
		      struct buf *out, bool *rewritten)
{
	struct call *c = call_find(p, &msg->call_id, &msg->from.tag);

	*rewritten = false;
	if (!is_sdp(msg))
		return;
	if (c && !c->cdr.callee_media[0])
		sdp_media(&msg->body, c->cdr.callee_media,
			  sizeof(c->cdr.callee_media));
	if (!p->cfg.media.answer)
		return;
	buf_reset(out);
	if (!p->cfg.media.answer(p->cfg.media.arg, &msg->call_id,
				 &msg->from.tag, &msg->to.tag, &msg->body,
				 out))
		*rewritten = true;
}
