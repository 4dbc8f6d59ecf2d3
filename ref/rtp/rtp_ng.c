/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpengine's "ng" control protocol over the relay: each UDP datagram is
 * "<cookie> <bencoded dict>", the answer "<cookie> <bencoded dict>" goes
 * back to the sender. Commands: ping, offer, answer, delete, query (the
 * set Kamailio's rtpengine module needs for a plain call). Keys follow
 * rtpengine's ng_control_protocol.md: "call-id", "from-tag", "to-tag",
 * "sdp", "flags", "replace", "ICE", "direction", "received-from",
 * "media-address", "rtpp_flags"; rtpengine spells keys and flags with
 * spaces or dashes interchangeably, so do we.
 *
 * Answers are cached per (peer, cookie): a retransmitted command gets the
 * same bytes back and is not executed twice (an offer must not allocate
 * twice). ICE attributes are always removed: the relay is no ICE agent,
 * and candidates left in place would let media bypass it (P12).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "rtp/rtp.h"
#include "base/mem.h"

#define NG_ITEMS 1024
#define NG_CACHE 64
#define NG_OUTQ 16
#define NG_COOKIE_MAX 64

struct ng_entry {
	struct net_addr peer;
	char cookie[NG_COOKIE_MAX];
	size_t cookie_len;
	char *resp;
	size_t resp_len;
};

struct rtp_ng {
	struct rtp_relay *relay;
	struct benc items[NG_ITEMS];
	size_t nitems;
	struct buf resp, sdp;
	struct ng_entry cache[NG_CACHE];
	size_t cache_next;
	struct {
		struct net_addr dst, src;
		size_t entry;
	} outq[NG_OUTQ];
	size_t oq_head, oq_cnt;
	int64_t wall_offset_us;
	uint64_t now_us;
	rtp_ng_end_fn *before_del;	/* the driver reads queued RTP */
	void *before_arg;
	struct rtp_call_stats st;	/* scratch for delete/query */
};

int rtp_ng_new(struct rtp_ng **np, struct rtp_relay *r)
{
	struct rtp_ng *n;

	if (!np || !r)
		return EINVAL;
	n = mem_zalloc(sizeof(*n));
	if (!n)
		return ENOMEM;
	n->relay = r;
	buf_init(&n->resp);
	buf_init(&n->sdp);
	*np = n;
	return 0;
}

void rtp_ng_free(struct rtp_ng *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < NG_CACHE; i++)
		mem_free(n->cache[i].resp);
	buf_fini(&n->resp);
	buf_fini(&n->sdp);
	mem_free(n);
}

void rtp_ng_set_wall_offset(struct rtp_ng *n, int64_t offset_us)
{
	n->wall_offset_us = offset_us;
}

void rtp_ng_set_before_delete(struct rtp_ng *n, rtp_ng_end_fn *fn, void *arg)
{
	n->before_del = fn;
	n->before_arg = arg;
}

/* rtpengine treats '-', ' ' and '_' alike in keys and flags. */
static bool word_is(const struct pl *w, const char *s)
{
	size_t i, len = strlen(s);

	if (w->len != len)
		return false;
	for (i = 0; i < len; i++) {
		char a = w->p[i], b = s[i];

		if (a == ' ' || a == '_')
			a = '-';
		if (b == ' ' || b == '_')
			b = '-';
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static const struct benc *get(struct rtp_ng *n, const char *key)
{
	size_t i = 1, k;

	for (k = 0; k < n->items[0].cnt / 2; k++) {
		if (word_is(&n->items[i].str, key))
			return &n->items[i + 1];
		i = n->items[i + 1].next;
	}
	return NULL;
}

static bool get_str(struct rtp_ng *n, const char *key, struct pl *out)
{
	const struct benc *b = get(n, key);

	if (!b || b->type != BENC_STR)
		return false;
	*out = b->str;
	return true;
}

struct ng_opts {
	struct rtp_opts o;
	bool sip_source;
	struct net_addr received_from;
	bool fatal, fast;
};

static void flag_apply(struct ng_opts *o, const struct pl *f)
{
	struct pl k, v;

	if (word_is(f, "SIP-source-address"))
		o->sip_source = true;
	else if (word_is(f, "trust-address"))
		o->sip_source = false;
	else if (word_is(f, "replace-origin") || word_is(f, "origin"))
		o->o.replace_origin = true;
	else if (word_is(f, "fatal"))
		o->fatal = true;
	else if (word_is(f, "fast"))
		o->fast = true;
	else if (!pl_split(f, '=', &k, &v) && word_is(&k, "media-address"))
		(void)net_addr_parse(&v, 0, &o->o.media_from);
	/* Anything else (symmetric, ICE=..., direction=..., codec
	 * manipulation) needs nothing from a transparent relay. */
}

/* Each string of list key (or the one string) through flag_apply. */
static void list_apply(struct rtp_ng *n, const char *key, struct ng_opts *o)
{
	const struct benc *b = get(n, key);
	size_t i, at;

	if (!b)
		return;
	if (b->type == BENC_STR) {
		flag_apply(o, &b->str);
		return;
	}
	if (b->type != BENC_LIST)
		return;
	for (i = 0; i < b->cnt; i++) {
		at = benc_child(n->items, (size_t)(b - n->items), i);
		if (n->items[at].type == BENC_STR)
			flag_apply(o, &n->items[at].str);
	}
}

static void opts_parse(struct rtp_ng *n, struct ng_opts *o)
{
	const struct benc *rf = get(n, "received-from");
	struct pl s, tok, rest;

	memset(o, 0, sizeof(*o));
	o->o.strip_ice = true;
	list_apply(n, "flags", o);
	list_apply(n, "replace", o);
	if (rf && rf->type == BENC_LIST && rf->cnt == 2) {
		size_t at = benc_child(n->items, (size_t)(rf - n->items), 1);
		if (n->items[at].type == BENC_STR)
			(void)net_addr_parse(&n->items[at].str, 0,
					     &o->received_from);
	}
	if (get_str(n, "rtpp_flags", &s)) {
		/* Flags parsed daemon-side: "replace-origin ICE=remove ..." */
		while (s.len) {
			if (pl_split(&s, ' ', &tok, &rest))
				rest = PL_NULL;
			if (tok.len)
				flag_apply(o, &tok);
			s = rest;
		}
	}
	if (get_str(n, "media-address", &s))
		(void)net_addr_parse(&s, 0, &o->o.media_from);
	else if (o->sip_source && net_addr_family(&o->received_from))
		o->o.media_from = o->received_from;
}

static int put_kv_str(struct buf *b, const char *k, const char *v)
{
	int err = benc_put_str(b, k);
	return err ? err : benc_put_str(b, v);
}

static int put_kv_int(struct buf *b, const char *k, int64_t v)
{
	int err = benc_put_str(b, k);
	return err ? err : benc_put_int(b, v);
}

static int put_error(struct buf *b, const char *reason)
{
	int err;

	buf_reset(b);
	err = benc_put_dict(b);
	if (!err)
		err = put_kv_str(b, "result", "error");
	if (!err)
		err = put_kv_str(b, "error-reason", reason);
	if (!err)
		err = benc_put_end(b);
	return err;
}

static int put_pkts(struct buf *b, const char *k, uint64_t packets,
		    uint64_t bytes)
{
	int err = benc_put_str(b, k);

	if (!err)
		err = benc_put_dict(b);
	if (!err)
		err = put_kv_int(b, "packets", (int64_t)packets);
	if (!err)
		err = put_kv_int(b, "bytes", (int64_t)bytes);
	if (!err)
		err = put_kv_int(b, "errors", 0);
	if (!err)
		err = benc_put_end(b);
	return err;
}

static int put_endpoint(struct buf *b, const struct net_addr *a)
{
	char host[NET_ADDR_STRLEN];
	int err = benc_put_str(b, "endpoint");

	if (!err)
		err = benc_put_dict(b);
	if (!err)
		err = put_kv_str(b, "family", net_addr_family(a) == AF_INET6 ?
				 "IPv6" : "IPv4");
	if (!err)
		err = put_kv_str(b, "address",
				 net_addr_host(a, host, sizeof(host)));
	if (!err)
		err = put_kv_int(b, "port", net_addr_port(a));
	if (!err)
		err = benc_put_end(b);
	return err;
}

static int64_t unix_s(const struct rtp_ng *n, uint64_t us)
{
	return us ? ((int64_t)us + n->wall_offset_us) / 1000000 : 0;
}

/* The two packet streams (RTP, RTCP) of one side of one media. */
static int put_streams(struct rtp_ng *n, struct buf *b,
		       const struct rtp_side_stats *s)
{
	uint64_t rtcp = s->kind[RTP_KIND_RTCP];
	int err = benc_put_str(b, "streams");
	int k;

	if (!err)
		err = benc_put_list(b);
	for (k = 0; k < 2 && !err; k++) {
		err = benc_put_dict(b);
		if (!err)
			err = put_kv_int(b, "local port", s->local_port + k);
		if (!err && net_addr_port(k ? &s->peer_rtcp : &s->peer))
			err = put_endpoint(b, k ? &s->peer_rtcp : &s->peer);
		if (!err && s->last_packet_us)
			err = put_kv_int(b, "last packet",
					 unix_s(n, s->last_packet_us));
		if (!err)
			err = benc_put_str(b, "flags");
		if (!err)
			err = benc_put_list(b);
		if (!err)
			err = benc_put_str(b, k ? "RTCP" : "RTP");
		if (!err)
			err = benc_put_end(b);
		if (!err)
			err = k ? put_pkts(b, "stats", rtcp, s->rtcp_bytes) :
			      put_pkts(b, "stats", s->packets - rtcp,
				       s->bytes - s->rtcp_bytes);
		if (!err && !k) {
			/* Ours, beyond rtpengine's keys: quality figures. */
			err = put_kv_int(b, "SSRC", s->ssrc);
			if (!err)
				err = put_kv_int(b, "lost", s->lost);
			if (!err)
				err = put_kv_int(b, "jitter us", s->jitter_us);
			if (!err && s->rtcp_seen)
				err = put_kv_int(b, "RTCP lost",
						 s->rtcp_lost);
			if (!err && s->rtcp_seen)
				err = put_kv_int(b, "RTCP jitter us",
						 s->rtcp_jitter_us);
			if (!err)
				err = put_kv_int(b, "STUN",
						 (int64_t)s->kind[RTP_KIND_STUN]);
			if (!err)
				err = put_kv_int(b, "DTLS",
						 (int64_t)s->kind[RTP_KIND_DTLS]);
			if (!err)
				err = put_kv_int(b, "ZRTP",
						 (int64_t)s->kind[RTP_KIND_ZRTP]);
		}
		if (!err)
			err = benc_put_end(b);
	}
	if (!err)
		err = benc_put_end(b);
	return err;
}

static int put_tag(struct rtp_ng *n, struct buf *b,
		   const struct rtp_call_stats *st, int k)
{
	size_t i;
	int err = benc_put_pl(b, &st->tag[k]);

	if (!err)
		err = benc_put_dict(b);
	if (!err)
		err = benc_put_str(b, "tag");
	if (!err)
		err = benc_put_pl(b, &st->tag[k]);
	if (!err)
		err = put_kv_int(b, "created", unix_s(n, st->created_us));
	if (!err && st->tag[1 - k].len) {
		err = benc_put_str(b, "in dialogue with");
		if (!err)
			err = benc_put_pl(b, &st->tag[1 - k]);
	}
	if (!err)
		err = benc_put_str(b, "medias");
	if (!err)
		err = benc_put_list(b);
	for (i = 0; i < st->stream_cnt && !err; i++) {
		err = benc_put_dict(b);
		if (!err)
			err = put_kv_int(b, "index", (int64_t)i + 1);
		if (!err)
			err = benc_put_str(b, "type");
		if (!err)
			err = benc_put_pl(b, &st->stream[i].media);
		if (!err)
			err = put_streams(n, b, &st->stream[i].side[k]);
		if (!err)
			err = benc_put_end(b);
	}
	if (!err)
		err = benc_put_end(b);
	if (!err)
		err = benc_put_end(b);
	return err;
}

/* rtpengine's query answer: created, last signal, tags, totals. */
static int put_stats(struct rtp_ng *n, struct buf *b,
		     const struct rtp_call_stats *st)
{
	uint64_t p[2] = { 0, 0 }, by[2] = { 0, 0 };
	size_t i, k;
	int err;

	for (i = 0; i < st->stream_cnt; i++) {
		for (k = 0; k < 2; k++) {
			const struct rtp_side_stats *s = &st->stream[i].side[k];

			p[1] += s->kind[RTP_KIND_RTCP];
			by[1] += s->rtcp_bytes;
			p[0] += s->packets - s->kind[RTP_KIND_RTCP];
			by[0] += s->bytes - s->rtcp_bytes;
		}
	}
	err = put_kv_int(b, "created", unix_s(n, st->created_us));
	if (!err)
		err = put_kv_int(b, "created_us",
				 (int64_t)st->created_us + n->wall_offset_us);
	if (!err)
		err = put_kv_int(b, "last signal",
				 unix_s(n, st->last_signal_us));
	if (!err)
		err = benc_put_str(b, "tags");
	if (!err)
		err = benc_put_dict(b);
	for (k = 0; k < 2 && !err; k++)
		err = put_tag(n, b, st, (int)k);
	if (!err)
		err = benc_put_end(b);
	if (!err)
		err = benc_put_str(b, "totals");
	if (!err)
		err = benc_put_dict(b);
	if (!err)
		err = put_pkts(b, "RTP", p[0], by[0]);
	if (!err)
		err = put_pkts(b, "RTCP", p[1], by[1]);
	if (!err)
		err = benc_put_end(b);
	return err;
}

static const char *errno_reason(int err)
{
	switch (err) {
	case EBADMSG: return "Failed to parse SDP";
	case EOVERFLOW: return "Ran out of ports";
	case ENOENT: return "Unknown call-id";
	case EPROTO: return "Unknown tag";
	case ENOMEM: return "Out of memory";
	default: return "Failed to process command";
	}
}

static int cmd_offer_answer(struct rtp_ng *n, bool answer, struct buf *b)
{
	struct pl cid, ftag, ttag, sdp;
	struct ng_opts o;
	int err;

	if (!get_str(n, "call-id", &cid) || !get_str(n, "sdp", &sdp) ||
	    !get_str(n, "from-tag", &ftag) ||
	    (answer && !get_str(n, "to-tag", &ttag)))
		return put_error(b, "Incomplete message");
	opts_parse(n, &o);
	buf_reset(&n->sdp);
	if (answer)
		err = rtp_relay_answer(n->relay, n->now_us, &cid, &ftag,
				       &ttag, &sdp, &o.o, &n->sdp);
	else
		err = rtp_relay_offer(n->relay, n->now_us, &cid, &ftag, &sdp,
				      &o.o, &n->sdp);
	if (err)
		return put_error(b, errno_reason(err));
	err = benc_put_dict(b);
	if (!err)
		err = put_kv_str(b, "result", "ok");
	if (!err)
		err = benc_put_str(b, "sdp");
	if (!err)
		err = benc_put_pl(b, &(struct pl){ (const char *)n->sdp.data,
						   n->sdp.len });
	if (!err)
		err = benc_put_end(b);
	return err;
}

static int cmd_delete_query(struct rtp_ng *n, bool del, struct buf *b)
{
	struct rtp_call_stats *st = &n->st;
	struct pl cid;
	struct ng_opts o;
	int err;

	if (!get_str(n, "call-id", &cid))
		return put_error(b, "Incomplete message");
	opts_parse(n, &o);
	if (del && n->before_del)
		n->before_del(n->before_arg, &cid);
	err = rtp_relay_query(n->relay, &cid, st);
	if (err == ENOENT && del && !o.fatal) {
		err = benc_put_dict(b);
		if (!err)
			err = put_kv_str(b, "result", "ok");
		if (!err)
			err = put_kv_str(b, "warning",
					 "Call-ID not found or tags didn't match");
		return err ? err : benc_put_end(b);
	}
	if (err)
		return put_error(b, errno_reason(err));
	err = benc_put_dict(b);
	if (!err)
		err = put_kv_str(b, "result", "ok");
	if (!err && !(del && o.fast))
		err = put_stats(n, b, st);
	if (!err)
		err = benc_put_end(b);
	/* Stats were read from the call: free it only now. */
	if (!err && del)
		err = rtp_relay_delete(n->relay, n->now_us, &cid, NULL);
	return err;
}

static int dispatch(struct rtp_ng *n, const struct pl *dict, struct buf *b)
{
	struct pl cmd;
	int err;

	err = benc_decode(dict, n->items, NG_ITEMS, &n->nitems);
	if (err || n->items[0].type != BENC_DICT)
		return put_error(b, "Could not decode dictionary");
	if (!get_str(n, "command", &cmd))
		return put_error(b, "No command given");
	if (word_is(&cmd, "ping")) {
		err = benc_put_dict(b);
		if (!err)
			err = put_kv_str(b, "result", "pong");
		return err ? err : benc_put_end(b);
	}
	if (word_is(&cmd, "offer"))
		return cmd_offer_answer(n, false, b);
	if (word_is(&cmd, "answer"))
		return cmd_offer_answer(n, true, b);
	if (word_is(&cmd, "delete"))
		return cmd_delete_query(n, true, b);
	if (word_is(&cmd, "query"))
		return cmd_delete_query(n, false, b);
	return put_error(b, "Unrecognized command");
}

static void queue(struct rtp_ng *n, const struct net_pkt *in, size_t entry)
{
	size_t i;

	if (n->oq_cnt == NG_OUTQ)
		return;	/* the client retransmits and hits the cache */
	i = (n->oq_head + n->oq_cnt++) % NG_OUTQ;
	n->outq[i].dst = in->from;
	n->outq[i].src = in->to;
	n->outq[i].entry = entry;
}

/* Drop queued answers that point at cache entry i, which is reused. */
static void unqueue(struct rtp_ng *n, size_t entry)
{
	size_t k, j = 0, idx;

	for (k = 0; k < n->oq_cnt; k++) {
		idx = (n->oq_head + k) % NG_OUTQ;
		if (n->outq[idx].entry != entry)
			n->outq[(n->oq_head + j++) % NG_OUTQ] = n->outq[idx];
	}
	n->oq_cnt = j;
}

int rtp_ng_input(struct rtp_ng *n, uint64_t now_us, const struct net_pkt *in)
{
	struct pl msg = pl_from_mem(in->data, in->len), cookie, dict;
	struct ng_entry *e;
	size_t i;
	int err;

	n->now_us = now_us;
	if (pl_split(&msg, ' ', &cookie, &dict) || !cookie.len ||
	    cookie.len > NG_COOKIE_MAX)
		return 0;	/* no cookie: nothing to answer to */
	for (i = 0; i < NG_CACHE; i++) {
		e = &n->cache[i];
		if (e->resp && e->cookie_len == cookie.len &&
		    !memcmp(e->cookie, cookie.p, cookie.len) &&
		    net_addr_eq(&e->peer, &in->from)) {
			queue(n, in, i);
			return 0;
		}
	}
	buf_reset(&n->resp);
	err = buf_put_pl(&n->resp, &cookie);
	if (!err)
		err = buf_put_u8(&n->resp, ' ');
	if (!err) {
		struct buf body;

		buf_init(&body);
		err = dispatch(n, &dict, &body);
		if (!err)
			err = buf_put(&n->resp, body.data, body.len);
		buf_fini(&body);
	}
	if (err)
		return err;
	i = n->cache_next;
	n->cache_next = (n->cache_next + 1) % NG_CACHE;
	e = &n->cache[i];
	unqueue(n, i);
	mem_free(e->resp);
	e->resp = NULL;
	e->peer = in->from;
	memcpy(e->cookie, cookie.p, cookie.len);
	e->cookie_len = cookie.len;
	e->resp_len = n->resp.len;
	e->resp = buf_detach(&n->resp);
	if (!e->resp) {
		e->resp_len = 0;
		return ENOMEM;
	}
	queue(n, in, i);
	return 0;
}

int rtp_ng_output(struct rtp_ng *n, struct net_out *out)
{
	size_t i;

	if (!n->oq_cnt)
		return ENOENT;
	i = n->oq_head;
	n->oq_head = (n->oq_head + 1) % NG_OUTQ;
	n->oq_cnt--;
	memset(out, 0, sizeof(*out));
	out->kind = NET_OUT_SEND;
	out->src = n->outq[i].src;
	out->dst = n->outq[i].dst;
	out->data = (const uint8_t *)n->cache[n->outq[i].entry].resp;
	out->len = n->cache[n->outq[i].entry].resp_len;
	return 0;
}

int rtp_ng_timeout(struct rtp_ng *n, uint64_t now_us)
{
	(void)n;
	(void)now_us;
	return 0;
}

uint64_t rtp_ng_deadline(const struct rtp_ng *n)
{
	(void)n;
	return UINT64_MAX;
}

static int ops_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	return rtp_ng_input(core, now_us, in);
}

static int ops_timeout(void *core, uint64_t now_us)
{
	return rtp_ng_timeout(core, now_us);
}

static int ops_output(void *core, struct net_out *out)
{
	return rtp_ng_output(core, out);
}

static uint64_t ops_deadline(void *core)
{
	return rtp_ng_deadline(core);
}

const struct core_ops rtp_ng_core_ops = {
	.name = "rtp-ng",
	.input = ops_input,
	.timeout = ops_timeout,
	.output = ops_output,
	.deadline = ops_deadline,
};
