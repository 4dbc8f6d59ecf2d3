/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bench user agent: life cycle, the sans-IO vtable, output and event
 * queues, timers and the call table. Protocol work lives in ua_tx.c
 * (client side), ua_uas.c (server side) and ua_media.c (SDP, RTP).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "ua/ua_int.h"

static int srtp_ready;

static char *dup_or_empty(const char *s)
{
	return mem_strdup(s ? s : "");
}

int ua_new(struct ua **uap, const struct ua_cfg *cfg)
{
	struct ua *ua;
	size_t n;

	if (!cfg || !cfg->user || !cfg->domain || !cfg->password)
		return EINVAL;
	ua = mem_zalloc(sizeof(*ua));
	if (!ua)
		return ENOMEM;
	ua->user = dup_or_empty(cfg->user);
	ua->domain = dup_or_empty(cfg->domain);
	ua->password = dup_or_empty(cfg->password);
	ua->display = dup_or_empty(cfg->display);
	ua->uagent = dup_or_empty(cfg->user_agent ? cfg->user_agent
						  : "rtcbench-ua");
	ua->cparams = dup_or_empty(cfg->contact_params);
	n = strlen(cfg->user) + strlen(cfg->domain) + 2;
	ua->aor = mem_alloc(n);
	if (!ua->user || !ua->domain || !ua->password || !ua->display ||
	    !ua->uagent || !ua->aor || !ua->cparams) {
		ua_free(ua);
		return ENOMEM;
	}
	snprintf(ua->aor, n, "%s@%s", cfg->user, cfg->domain);
	ua->local = cfg->local;
	ua->proxy = cfg->proxy;
	ua->media = cfg->media;
	ua->wall_offset_us = cfg->wall_offset_us;
	ua->log = cfg->log;
	ua->ev_count = cfg->ev_count;
	rng_seed(&ua->rng, cfg->seed);
	tq_init(&ua->tq);
	buf_init(&ua->rx);
	buf_init(&ua->msg_rx);
	ua->next_handle = 1;
	ua->next_cseq = 1;
	ua_rand_token(ua, ua->reg_call_id, 24);
	ua_rand_token(ua, ua->reg_tag, 12);
	if (!srtp_ready) {
		/* libsrtp keeps process-wide tables; initialise once. */
		if (srtp_init() == srtp_err_status_ok)
			srtp_ready = 1;
	}
	*uap = ua;
	return 0;
}

void ua_free(struct ua *ua)
{
	size_t i;

	if (!ua)
		return;
	for (i = 0; i < UA_MAX_CALLS; i++)
		if (ua->calls[i].state != UC_FREE)
			ua_call_free(ua, &ua->calls[i]);
	for (i = 0; i < UA_MAX_TX; i++)
		if (ua->tx[i].used)
			ua_tx_free(ua, &ua->tx[i]);
	for (i = 0; i < UA_MAX_SRV; i++)
		buf_fini(&ua->srv[i].last_rsp);
	while (ua->outq_n) {
		mem_free(ua->outq[ua->outq_head].data);
		ua->outq_head = (ua->outq_head + 1) % ua->outq_cap;
		ua->outq_n--;
	}
	mem_free(ua->outq);
	mem_free(ua->out_last);
	tq_fini(&ua->tq);
	buf_fini(&ua->rx);
	buf_fini(&ua->msg_rx);
	mem_free(ua->user);
	mem_free(ua->domain);
	mem_free(ua->password);
	mem_free(ua->display);
	mem_free(ua->uagent);
	mem_free(ua->cparams);
	mem_free(ua->aor);
	mem_free(ua);
}

void ua_set_answer(struct ua *ua, enum ua_answer a)
{
	ua->answer = a;
}

const char *ua_aor(const struct ua *ua)
{
	return ua->aor;
}

void ua_rand_token(struct ua *ua, char *dst, size_t n)
{
	rng_hex(&ua->rng, dst, n);
}

int ua_send(struct ua *ua, const struct net_addr *src,
	    const struct net_addr *dst, uint64_t conn_id, const void *data,
	    size_t len)
{
	struct ua_outq *q;

	if (ua->outq_n == ua->outq_cap) {
		size_t cap = ua->outq_cap ? ua->outq_cap * 2 : 16, i;
		struct ua_outq *nq = mem_alloc(cap * sizeof(*nq));
		if (!nq)
			return ENOMEM;
		for (i = 0; i < ua->outq_n; i++)
			nq[i] = ua->outq[(ua->outq_head + i) % ua->outq_cap];
		mem_free(ua->outq);
		ua->outq = nq;
		ua->outq_cap = cap;
		ua->outq_head = 0;
	}
	q = &ua->outq[(ua->outq_head + ua->outq_n) % ua->outq_cap];
	memset(q, 0, sizeof(*q));
	q->data = mem_alloc(len ? len : 1);
	if (!q->data)
		return ENOMEM;
	memcpy(q->data, data, len);
	q->out.kind = NET_OUT_SEND;
	if (src)
		q->out.src = *src;
	q->out.dst = *dst;
	q->out.conn_id = conn_id;
	q->out.data = q->data;
	q->out.len = len;
	ua->outq_n++;
	return 0;
}

void ua_emit(struct ua *ua, enum ua_ev_type t, uint16_t status, uint32_t call,
	     const char *peer, const char *detail)
{
	struct ua_event *e;

	if (ua->ev_n == UA_MAX_EVENTS) {
		/* Keep the newest: drop the oldest unread event. */
		ua->ev_head = (ua->ev_head + 1) % UA_MAX_EVENTS;
		ua->ev_n--;
	}
	e = &ua->ev[(ua->ev_head + ua->ev_n) % UA_MAX_EVENTS];
	memset(e, 0, sizeof(*e));
	e->type = t;
	e->status = status;
	e->call = call;
	e->at_us = ua->now_us;
	snprintf(e->peer, sizeof(e->peer), "%s", peer ? peer : "");
	snprintf(e->detail, sizeof(e->detail), "%s", detail ? detail : "");
	ua->ev_n++;
	if (ua->ev_count)
		(*ua->ev_count)++;
}

int ua_event_next(struct ua *ua, struct ua_event *ev)
{
	if (!ua->ev_n)
		return ENOENT;
	*ev = ua->ev[ua->ev_head];
	ua->ev_head = (ua->ev_head + 1) % UA_MAX_EVENTS;
	ua->ev_n--;
	return 0;
}

void ua_stats(const struct ua *ua, struct ua_stats *out)
{
	*out = ua->st;
}

unsigned ua_calls_active(const struct ua *ua)
{
	unsigned n = 0, i;

	for (i = 0; i < UA_MAX_CALLS; i++)
		if (ua->calls[i].state == UC_UP)
			n++;
	return n;
}

void ua_timer(struct ua *ua, uint32_t *id, uint64_t at_us, int kind,
	      void *arg)
{
	ua_timer_stop(ua, id);
	if (tq_add(&ua->tq, at_us, kind, arg, id))
		*id = 0;
}

void ua_timer_stop(struct ua *ua, uint32_t *id)
{
	if (*id)
		tq_cancel(&ua->tq, *id);
	*id = 0;
}

struct ua_call *ua_call_find(struct ua *ua, const struct pl *call_id)
{
	size_t i;

	for (i = 0; i < UA_MAX_CALLS; i++) {
		struct ua_call *c = &ua->calls[i];
		if (c->state != UC_FREE && pl_eq_str(call_id, c->call_id))
			return c;
	}
	return NULL;
}

struct ua_call *ua_call_new(struct ua *ua)
{
	size_t i;

	for (i = 0; i < UA_MAX_CALLS; i++) {
		struct ua_call *c = &ua->calls[i];
		if (c->state != UC_FREE)
			continue;
		memset(c, 0, sizeof(*c));
		c->handle = ua->next_handle++;
		c->invite_tx = -1;
		buf_init(&c->inv_raw);
		buf_init(&c->ok_rsp);
		/* Each call slot owns an RTP port pair above the base. */
		c->rtp_port = (uint16_t)(net_addr_port(&ua->media) + 2 * i);
		ua_rand_token(ua, c->ltag, 12);
		c->state = UC_CALLING;
		return c;
	}
	return NULL;
}

void ua_call_free(struct ua *ua, struct ua_call *c)
{
	size_t i;

	ua_media_stop(ua, c);
	ua_timer_stop(ua, &c->t_2xx);
	ua_timer_stop(ua, &c->t_2xx_giveup);
	ua_timer_stop(ua, &c->t_hangup);
	ua_timer_stop(ua, &c->t_rtp);
	for (i = 0; i < UA_MAX_TX; i++)
		if (ua->tx[i].used && ua->tx[i].call == (int)(c - ua->calls))
			ua->tx[i].call = -1;
	buf_fini(&c->inv_raw);
	buf_fini(&c->ok_rsp);
	c->state = UC_FREE;
}

/* --- the sans-IO contract ------------------------------------------- */

static void release_last(struct ua *ua)
{
	mem_free(ua->out_last);
	ua->out_last = NULL;
}

static void sip_input(struct ua *ua, const uint8_t *data, size_t len,
		      const struct net_pkt *in)
{
	struct sip_msg *m = &ua->msg;

	if (sip_msg_decode(m, data, len)) {
		ua->st.sip_bad++;
		return;
	}
	ua->st.sip_recv++;
	if (m->is_req)
		ua_on_request(ua, m, in);
	else
		ua_on_response(ua, m, in);
}

/* SIP over a stream: append, then take every whole message. */
static void stream_input(struct ua *ua, const struct net_pkt *in)
{
	size_t skip, mlen, off = 0;

	if (!in->data) {
		if (in->conn_id == ua->rx_conn)
			buf_reset(&ua->rx);
		return;
	}
	if (in->conn_id != ua->rx_conn) {
		buf_reset(&ua->rx);
		ua->rx_conn = in->conn_id;
	}
	if (buf_put(&ua->rx, in->data, in->len))
		return;
	for (;;) {
		int err = sip_frame(ua->rx.data + off, ua->rx.len - off, 65536,
				    &skip, &mlen);
		if (err == ENODATA)
			break;
		if (err) {
			ua->st.sip_bad++;
			off = ua->rx.len;
			break;
		}
		sip_input(ua, ua->rx.data + off + skip, mlen, in);
		off += skip + mlen;
	}
	if (off) {
		memmove(ua->rx.data, ua->rx.data + off, ua->rx.len - off);
		ua->rx.len -= off;
	}
}

static int ua_input(void *core, uint64_t now_us, const struct net_pkt *in)
{
	struct ua *ua = core;

	ua->now_us = now_us;
	release_last(ua);
	if (in->to.tp == NET_UDP &&
	    net_addr_port(&in->to) != net_addr_port(&ua->local)) {
		ua_rtp_input(ua, in);
		return 0;
	}
	if (net_tp_is_stream(in->from.tp) || in->conn_id)
		stream_input(ua, in);
	else if (in->data)
		sip_input(ua, in->data, in->len, in);
	return 0;
}

static int ua_timeout(void *core, uint64_t now_us)
{
	struct ua *ua = core;
	struct tq_ent e;

	ua->now_us = now_us;
	release_last(ua);
	while (tq_pop(&ua->tq, now_us, &e) == 0) {
		switch (e.kind) {
		case UT_RETRANS: {
			struct ua_tx *t = e.arg;
			t->t_retrans = 0;
			ua_tx_retrans(ua, t);
			break;
		}
		case UT_TX_TIMEOUT: {
			struct ua_tx *t = e.arg;
			t->t_timeout = 0;
			ua_tx_timeout(ua, t);
			break;
		}
		case UT_RTP: {
			struct ua_call *c = e.arg;
			c->t_rtp = 0;
			ua_rtp_tick(ua, c);
			break;
		}
		case UT_HANGUP: {
			struct ua_call *c = e.arg;
			c->t_hangup = 0;
			ua_hangup(ua, now_us, c->handle);
			break;
		}
		case UT_2XX: {
			struct ua_call *c = e.arg;
			c->t_2xx = 0;
			ua_2xx_retrans(ua, c);
			break;
		}
		case UT_2XX_GIVEUP: {
			struct ua_call *c = e.arg;
			c->t_2xx_giveup = 0;
			/* RFC 3261 13.3.1.4: no ACK, the call ends with BYE */
			ua_timer_stop(ua, &c->t_2xx);
			ua_send_bye(ua, c);
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

static int ua_output(void *core, struct net_out *out)
{
	struct ua *ua = core;
	struct ua_outq *q;

	release_last(ua);
	if (!ua->outq_n)
		return ENOENT;
	q = &ua->outq[ua->outq_head];
	*out = q->out;
	ua->out_last = q->data;
	ua->outq_head = (ua->outq_head + 1) % ua->outq_cap;
	ua->outq_n--;
	return 0;
}

static uint64_t ua_deadline(void *core)
{
	struct ua *ua = core;

	return tq_deadline(&ua->tq);
}

const struct core_ops ua_core_ops = {
	"ua", ua_input, ua_timeout, ua_output, ua_deadline,
};
