/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dissector object: construction, the per-frame entry point, the
 * capture-time housekeeping that drops idle state, and the application
 * dispatch of a datagram-like message (SIP, MSRP, DTLS, RTP/RTCP).
 * Capture time only moves forward here: a frame stamped earlier than one
 * already seen (merged captures are not always sorted) does not move the
 * housekeeping clock back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define SWEEP_US 1000000ull
#define FRAG_IDLE_US 30000000ull

const char *rpl_tp_name(enum rpl_tp tp)
{
	static const char *n[] = { "udp", "tcp", "sctp", "ws" };

	return tp < RPL_TP_COUNT ? n[tp] : "?";
}

bool rpl_ep_eq(const struct rpl_ep *a, const struct rpl_ep *b)
{
	return a->af == b->af && a->port == b->port &&
	       !memcmp(a->addr, b->addr, a->af == 4 ? 4 : 16);
}

const char *rpl_ep_host(const struct rpl_ep *ep, char *buf, size_t sz)
{
	if (!ep->af || !inet_ntop(ep->af == 4 ? AF_INET : AF_INET6, ep->addr,
				  buf, (socklen_t)sz))
		snprintf(buf, sz, "-");
	return buf;
}

const char *rpl_hostport(char *buf, size_t sz, bool v6, const char *host,
			 size_t hlen, unsigned port)
{
	char h[128];

	/* a copy first: host may be buf (a host bracketed in place) */
	snprintf(h, sizeof(h), "%.*s", (int)(hlen < sizeof(h) ? hlen :
					     sizeof(h) - 1), host);
	if (port)
		snprintf(buf, sz, v6 ? "[%s]:%u" : "%s:%u", h, port);
	else
		snprintf(buf, sz, v6 ? "[%s]" : "%s", h);
	return buf;
}

const char *rpl_ep_str(const struct rpl_ep *ep, char *buf, size_t sz)
{
	char h[INET6_ADDRSTRLEN];

	rpl_ep_host(ep, h, sizeof(h));
	return rpl_hostport(buf, sz, ep->af == 6, h, strlen(h), ep->port);
}

int rpl_ep_parse_host(const struct pl *s, uint16_t port, struct rpl_ep *ep)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	struct rpl_ep e;

	memset(&e, 0, sizeof(e));
	if (pl_strcpy(s, tmp, sizeof(tmp)))
		return EINVAL;
	if (inet_pton(AF_INET, tmp, e.addr) == 1)
		e.af = 4;
	else if (inet_pton(AF_INET6, tmp, e.addr) == 1)
		e.af = 6;
	else
		return EINVAL;
	e.port = port;
	*ep = e;
	return 0;
}

/*
 * Substring search. Ours rather than pl_find: an object of pl.c built
 * before the Makefile defined _GNU_SOURCE sees memmem undeclared and
 * truncates its result to int; this file is always built with it.
 */
const char *rpl_find(const struct pl *hay, const char *needle)
{
	size_t nl = strlen(needle);

	if (!hay->p || nl > hay->len)
		return NULL;
	return memmem(hay->p, hay->len, needle, nl);
}

static bool is_upper(uint8_t c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alpha(uint8_t c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

/*
 * "SIP/2.0 NNN" or "METHOD scheme:" (RFC 3261 7.1); when the whole first
 * line is present it must end in SIP/2.0. Cheap enough to run on every
 * datagram.
 */
bool rpl_looks_sip(const uint8_t *p, size_t n)
{
	size_t i = 0, j;
	const uint8_t *eol;

	if (n >= 12 && !memcmp(p, "SIP/2.0 ", 8))
		return p[8] >= '1' && p[8] <= '6';
	while (i < n && i < 17 && is_upper(p[i]))
		i++;
	if (i < 3 || i > 16 || i >= n || p[i] != ' ')
		return false;
	for (j = ++i; j < n && j - i < 8 && is_alpha(p[j]); j++)
		;
	if (j == i || j >= n || p[j] != ':')
		return false;
	eol = memchr(p + j, '\n', n - j > 2048 ? 2048 : n - j);
	if (!eol)
		return true;
	if (eol > p && eol[-1] == '\r')
		eol--;
	return eol - p >= 8 && !memcmp(eol - 8, " SIP/2.0", 8);
}

void rpl_app_input(struct rpl *r, const struct rpl_pdu *pdu)
{
	const uint8_t *p = pdu->data;
	size_t n = pdu->len;

	if (n < 4)
		return;		/* keep-alives */
	if (p[0] >= 'A' && p[0] <= 'Z') {
		if (rpl_looks_sip(p, n)) {
			rpl_sip_input(r, pdu);
			return;
		}
		if (n >= 5 && !memcmp(p, "MSRP ", 5)) {
			rpl_msrp_input(r, pdu);
			return;
		}
	}
	if (pdu->tp != RPL_TP_UDP)
		return;
	if (n >= 13 && p[0] >= 20 && p[0] <= 25 && p[1] == 0xfe) {
		r->st.tls_records++;	/* DTLS (DTLS-SRTP keying) */
		return;
	}
	rpl_media_input(r, pdu);
}

int rpl_new(struct rpl **rp, const struct rpl_cfg *cfg)
{
	struct rpl *r;

	if (!rp)
		return EINVAL;
	r = mem_zalloc(sizeof(*r));
	if (!r)
		return ENOMEM;
	if (cfg)
		r->cfg = *cfg;
	if (!r->cfg.flow_idle_us)
		r->cfg.flow_idle_us = 300000000ull;
	if (!r->cfg.call_idle_us)
		r->cfg.call_idle_us = 4 * 3600000000ull;
	if (!r->cfg.max_flows)
		r->cfg.max_flows = 1u << 20;
	rpl_tab_init(&r->frags);
	rpl_tab_init(&r->conns);
	rpl_tab_init(&r->sctp);
	rpl_tab_init(&r->meps);
	rpl_tab_init(&r->rtps);
	rpl_tab_init(&r->calls);
	rpl_tab_init(&r->uas);
	rpl_tab_init(&r->seen);
	rpl_msrp_init(r);
	buf_init(&r->scratch);
	*rp = r;
	return 0;
}

static void free_state(struct rpl *r, bool flush)
{
	rpl_frag_free_all(r);
	rpl_tcp_free_all(r, flush);
	rpl_sctp_free_all(r);
	rpl_sip_free_all(r);	/* also frees the calls' media endpoints */
	rpl_media_free_all(r);
	rpl_msrp_free_all(r, false);
}

void rpl_free(struct rpl *r)
{
	if (!r)
		return;
	free_state(r, false);
	rpl_tab_fini(&r->frags);
	rpl_tab_fini(&r->conns);
	rpl_tab_fini(&r->sctp);
	rpl_tab_fini(&r->meps);
	rpl_tab_fini(&r->rtps);
	rpl_tab_fini(&r->calls);
	rpl_tab_fini(&r->uas);
	rpl_tab_fini(&r->seen);
	rpl_msrp_fini(r);
	buf_fini(&r->scratch);
	mem_free(r);
}

static void sweep(struct rpl *r, uint64_t now)
{
	uint64_t idle = r->cfg.flow_idle_us;

	rpl_frag_sweep(r, now > FRAG_IDLE_US ? now - FRAG_IDLE_US : 0);
	rpl_tcp_sweep(r, now > idle ? now - idle : 0);
	rpl_media_sweep(r, now > idle ? now - idle : 0);
	rpl_sip_sweep(r, now, false);
	rpl_msrp_sweep(r, now > idle ? now - idle : 0);
}

int rpl_frame(struct rpl *r, uint64_t ts_us, int dlt, const uint8_t *data,
	      size_t caplen, size_t wirelen)
{
	if (!rpl_dlt_supported(dlt))
		return EPROTONOSUPPORT;
	r->st.frames++;
	r->st.bytes += wirelen;
	if (caplen < wirelen)
		r->st.frames_truncated++;
	r->now_us = ts_us;
	if (ts_us > r->last_sweep_us + SWEEP_US) {
		if (r->last_sweep_us)
			sweep(r, ts_us);
		r->last_sweep_us = ts_us;
	}
	r->depth = 0;
	rpl_link_input(r, dlt, data, caplen);
	return 0;
}

void rpl_finish(struct rpl *r)
{
	/* Flush streams first: their last bytes may finish a dialog. */
	rpl_tcp_free_all(r, true);
	rpl_frag_free_all(r);
	rpl_sctp_free_all(r);
	rpl_sip_sweep(r, r->now_us, true);
	rpl_media_free_all(r);
	rpl_msrp_free_all(r, true);
}

const struct rpl_stats *rpl_stats(const struct rpl *r)
{
	return &r->st;
}

/* msrp_requests_<METHOD> and msrp_responses_<code> of those seen. */
static void msrp_metrics(const struct rpl_stats *s, rpl_metric_fn *fn,
			 void *arg)
{
	const struct {
		const char *name;
		uint64_t v;
	} m[] = {
		{ "msrp_requests_SEND", s->msrp_send },
		{ "msrp_requests_REPORT", s->msrp_report },
		{ "msrp_requests_AUTH", s->msrp_auth },
		{ "msrp_requests_other", s->msrp_other },
	};
	char name[48];
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (m[i].v)
			fn(arg, m[i].name, m[i].v);
	for (i = 0; i < RPL_MAX_SCODE; i++) {
		if (!s->msrp_by_scode[i])
			continue;
		snprintf(name, sizeof(name), "msrp_responses_%zu", i);
		fn(arg, name, s->msrp_by_scode[i]);
	}
}

void rpl_stats_foreach(const struct rpl_stats *s, rpl_metric_fn *fn,
		       void *arg)
{
	char name[48];
	size_t i;
	const struct {
		const char *name;
		uint64_t v;
	} m[] = {
		{ "sip_messages", s->sip_messages },
		{ "sip_requests", s->sip_requests },
		{ "sip_responses", s->sip_responses },
		{ "sip_retransmissions", s->sip_retrans },
		{ "sip_malformed", s->sip_malformed },
		{ "sip_lenient", s->sip_lenient },
		{ "sdp_malformed", s->sdp_malformed },
		{ "calls", s->calls },
		{ "calls_answered", s->calls_answered },
		{ "calls_failed", s->calls_failed },
		{ "registrations", s->registrations },
		{ "registrations_ok", s->registrations_ok },
		{ "user_agents", s->user_agents },
		{ "im_messages", s->im_messages },
		{ "rtp_streams", s->rtp_streams },
		{ "rtp_packets", s->rtp_packets },
		{ "rtp_sdp_matched", s->rtp_sdp_matched },
		{ "rtcp_packets", s->rtcp_packets },
		{ "srtp_streams", s->srtp_streams },
		{ "msrp_messages", s->msrp_messages },
		{ "msrp_sessions", s->msrp_sessions },
		{ "msrp_sessions_sdp", s->msrp_sessions_sdp },
		{ "msrp_requests", s->msrp_requests },
		{ "msrp_responses", s->msrp_responses },
		{ "msrp_malformed", s->msrp_malformed },
		{ "msrp_connections", s->msrp_connections },
		{ "msrp_chunks", s->msrp_chunks },
		{ "msrp_chat_messages", s->msrp_chat_messages },
		{ "msrp_chunked", s->msrp_chunked },
		{ "msrp_bytes", s->msrp_bytes },
		{ "tls_streams", s->tls_streams },
		{ "tls_records", s->tls_records },
		{ "frames", s->frames },
		{ "frames_truncated", s->frames_truncated },
		{ "frames_undecoded", s->frames_undecoded },
		{ "ip_fragments", s->ip_fragments },
		{ "ip_reassembled", s->ip_reassembled },
		{ "ip_fragments_dropped", s->ip_frag_dropped },
		{ "tunnelled", s->tunnels },
		{ "udp_datagrams", s->udp },
		{ "tcp_segments", s->tcp_segments },
		{ "tcp_streams", s->tcp_streams },
		{ "tcp_retransmissions", s->tcp_retrans },
		{ "tcp_gaps", s->tcp_gaps },
		{ "tcp_gap_bytes", s->tcp_gap_bytes },
		{ "tcp_skipped_bytes", s->tcp_skipped_bytes },
		{ "tcp_midstream_bytes", s->tcp_midstream_bytes },
		{ "sctp_chunks", s->sctp_chunks },
		{ "ws_messages", s->ws_messages },
		{ "open_flows_peak", s->open_flows_peak },
		{ "open_calls_peak", s->open_calls_peak },
	};

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		fn(arg, m[i].name, m[i].v);
	for (i = 1; i < SIP_M_COUNT; i++) {
		if (!s->sip_by_method[i])
			continue;
		snprintf(name, sizeof(name), "sip_requests_%s",
			 sip_method_name((enum sip_method)i));
		fn(arg, name, s->sip_by_method[i]);
	}
	for (i = 0; i < RPL_OTHER_METHODS && s->other_method[i][0]; i++) {
		snprintf(name, sizeof(name), "sip_requests_%s",
			 s->other_method[i]);
		fn(arg, name, s->other_method_cnt[i]);
	}
	if (s->sip_by_method[SIP_M_OTHER])
		fn(arg, "sip_requests_other", s->sip_by_method[SIP_M_OTHER]);
	for (i = 100; i < RPL_MAX_SCODE; i++) {
		if (!s->sip_by_scode[i])
			continue;
		snprintf(name, sizeof(name), "sip_responses_%zu", i);
		fn(arg, name, s->sip_by_scode[i]);
	}
	msrp_metrics(s, fn, arg);
}
