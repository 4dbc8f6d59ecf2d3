/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay's port events onto real sockets, and the SIP proxy's media
 * hooks onto the relay (see io_media.h). A port the relay believes open
 * but that another process holds is counted and logged: its packets are
 * lost, the call still proceeds (the relay cannot pick another port once
 * the SDP went out).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "io/io_int.h"
#include "io/io_media.h"

void io_media_pump(struct io_media *m)
{
	struct rtp_sock_ev ev;
	char a[NET_ADDR_STRLEN];
	uint32_t id;
	int err;

	while (!rtp_relay_sock_event(m->relay, &ev)) {
		struct net_addr local = ev.local;

		if (ev.op == RTP_SOCK_OPEN) {
			err = io_udp_open(m->loop, m->core, &local, &id);
			if (err) {
				m->open_fail++;
				LOG_W(m->loop->log, "media: cannot open %s: %s",
				      net_addr_str(&ev.local, a, sizeof(a)),
				      strerror(err));
			} else {
				m->opened++;
			}
		} else if (!io_udp_close_addr(m->loop, m->core, &ev.local)) {
			m->closed++;
		}
	}
	io_core_flush(m->loop, m->core);
}

/* The relay ended a call without media: keep its figures for the CDR. */
static void on_end(void *arg, const struct pl *call_id,
		   const struct rtp_call_stats *st)
{
	struct io_media *m = arg;
	struct io_media_ended *e = &m->ended[m->ended_next++ %
					     IO_MEDIA_ENDED];

	pl_strcpy(call_id, e->call_id, sizeof(e->call_id));
	pl_strcpy(&st->tag[0], e->tag0, sizeof(e->tag0));
	io_media_cdr_stats(rtp_relay_addr(m->relay), st, &st->tag[0], &e->st);
}

void io_media_hook(void *arg, struct io_loop *l, struct io_core *c)
{
	(void)l;
	(void)c;
	io_media_pump(arg);
}

int io_media_attach(struct io_media *m, struct io_loop *l,
		    struct rtp_relay *r)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->loop = l;
	m->relay = r;
	err = io_core_add(l, &rtp_relay_core_ops, r, &m->core);
	if (err)
		return err;
	io_core_on_drain(m->core, io_media_hook, m);
	rtp_relay_set_end_fn(r, on_end, m);
	return 0;
}

/*
 * Read what already reached the call's relay ports (RTP and RTCP of both
 * sides) through the relay before its figures are taken and it ends. The
 * loop reads the SIP socket and the RTP sockets in readiness order, so a
 * BYE is often handled before RTP that arrived ahead of it (a client
 * sending its last packets and the BYE back to back; the ACK and the BYE
 * read in one go): deleting the call first closed those sockets with the
 * packets still queued, and the kernel dropped them.
 */
#define READ_MAX 1024	/* per port: a flood must not stall the BYE */

static void read_queued(struct io_media *m, const struct pl *call_id)
{
	struct rtp_call_stats st;
	struct net_addr a;
	size_t i;
	int k, p;

	if (rtp_relay_query(m->relay, call_id, &st))
		return;
	a = *rtp_relay_addr(m->relay);
	a.tp = NET_UDP;
	for (i = 0; i < st.stream_cnt; i++)
		for (k = 0; k < 2; k++)
			for (p = 0; p < 2 && st.stream[i].side[k].local_port;
			     p++) {
				net_addr_set_port(&a, (uint16_t)(st.stream[i]
					.side[k].local_port + p));
				m->read_at_end += io_udp_read_now(m->loop,
							m->core, &a, READ_MAX);
			}
}

static void ng_before_delete(void *arg, const struct pl *call_id)
{
	read_queued(arg, call_id);
}

static int offer(void *arg, const struct pl *call_id,
		 const struct pl *from_tag, const struct pl *sdp,
		 struct buf *out)
{
	struct io_media *m = arg;

	return rtp_relay_offer(m->relay, io_now_us(), call_id, from_tag, sdp,
			       &m->opts, out);
}

static int answer(void *arg, const struct pl *call_id,
		  const struct pl *from_tag, const struct pl *to_tag,
		  const struct pl *sdp, struct buf *out)
{
	struct io_media *m = arg;

	return rtp_relay_answer(m->relay, io_now_us(), call_id, from_tag,
				to_tag, sdp, &m->opts, out);
}

static void del(void *arg, const struct pl *call_id,
		const struct pl *from_tag)
{
	struct io_media *m = arg;

	(void)from_tag;
	read_queued(m, call_id);
	rtp_relay_delete(m->relay, io_now_us(), call_id, NULL);
}

void io_media_cdr_stats(const struct net_addr *relay,
			const struct rtp_call_stats *st,
			const struct pl *from_tag, struct sip_cdr_media *out)
{
	struct net_addr a = *relay;
	size_t i;
	int k, caller;

	memset(out, 0, sizeof(*out));
	out->present = true;
	/* The relay numbers sides by who offered first; the CDR by who
	 * called. They differ after a late offer (SDP first in the 200). */
	caller = from_tag && from_tag->len && pl_eq(&st->tag[1], from_tag);
	for (i = 0; i < st->stream_cnt; i++) {
		for (k = 0; k < 2; k++) {
			const struct rtp_side_stats *x =
				&st->stream[i].side[k ^ caller];
			uint32_t lost = x->rtcp_seen ? x->rtcp_lost : x->lost;
			uint32_t jit = x->rtcp_seen ? x->rtcp_jitter_us :
						      x->jitter_us;

			out->packets[k] += x->packets;
			out->bytes[k] += x->bytes;
			out->lost[k] += lost;
			if (jit > out->jitter_us[k])
				out->jitter_us[k] = jit;
			if (!out->relay[k][0] && x->local_port) {
				net_addr_set_port(&a, x->local_port);
				net_addr_str(&a, out->relay[k],
					     sizeof(out->relay[k]));
			}
		}
	}
}

/* The figures of a call the relay already ended, if still kept. */
static int ended_stats(struct io_media *m, const struct pl *call_id,
		       const struct pl *from_tag, struct sip_cdr_media *out)
{
	struct io_media_ended *e;
	unsigned i;
	int k;

	for (i = 0; i < IO_MEDIA_ENDED; i++) {
		e = &m->ended[i];
		if (!e->call_id[0] || !pl_eq_str(call_id, e->call_id))
			continue;
		*out = e->st;
		if (from_tag && from_tag->len && e->tag0[0] &&
		    !pl_eq_str(from_tag, e->tag0)) {
			/* the caller is the relay's side 1 */
			for (k = 0; k < 2; k++)
				out->relay[k][0] = '\0';
			snprintf(out->relay[0], sizeof(out->relay[0]), "%s",
				 e->st.relay[1]);
			snprintf(out->relay[1], sizeof(out->relay[1]), "%s",
				 e->st.relay[0]);
			out->packets[0] = e->st.packets[1];
			out->packets[1] = e->st.packets[0];
			out->bytes[0] = e->st.bytes[1];
			out->bytes[1] = e->st.bytes[0];
			out->lost[0] = e->st.lost[1];
			out->lost[1] = e->st.lost[0];
			out->jitter_us[0] = e->st.jitter_us[1];
			out->jitter_us[1] = e->st.jitter_us[0];
		}
		return 0;
	}
	return ENOENT;
}

static int stats(void *arg, const struct pl *call_id,
		 const struct pl *from_tag, struct sip_cdr_media *out)
{
	struct io_media *m = arg;
	struct rtp_call_stats st;
	int err;

	read_queued(m, call_id);
	err = rtp_relay_query(m->relay, call_id, &st);
	if (!err) {
		io_media_cdr_stats(rtp_relay_addr(m->relay), &st, from_tag,
				   out);
		return 0;
	}
	return ended_stats(m, call_id, from_tag, out);
}

void io_media_sip_ops(struct io_media *m, struct sip_media_ops *ops)
{
	ops->arg = m;
	ops->offer = offer;
	ops->answer = answer;
	ops->del = del;
	ops->stats = stats;
}

int io_media_start(struct io_media *m, struct io_loop *l, struct cfg *c,
		   const struct log *log, char *err, size_t errsz)
{
	struct rtp_relay_cfg rc;
	struct rtp_relay *r = NULL;
	const char *ng = cfg_get(c, "media", "ng_listen");
	int e;

	memset(m, 0, sizeof(*m));
	e = rtp_relay_cfg_load(c, &rc);
	if (e)
		return e;
	rc.log = log;
	if ((e = rtp_relay_new(&r, &rc))) {
		snprintf(err, errsz, "media relay: %s", strerror(e));
		return e;
	}
	if ((e = io_media_attach(m, l, r))) {
		rtp_relay_free(r);
		memset(m, 0, sizeof(*m));
		snprintf(err, errsz, "media relay: %s", strerror(e));
		return e;
	}
	m->owned = true;
	if (!ng)
		return 0;
	if ((e = rtp_ng_new(&m->ng, r))) {
		snprintf(err, errsz, "ng control: %s", strerror(e));
		return e;
	}
	rtp_ng_set_wall_offset(m->ng, io_wall_offset_us(l));
	rtp_ng_set_before_delete(m->ng, ng_before_delete, m);
	if ((e = io_core_add(l, &rtp_ng_core_ops, m->ng, &m->ng_core)))
		return e;
	/* An ng offer allocates ports as a SIP offer does. */
	io_core_on_drain(m->ng_core, io_media_hook, m);
	return io_listen_spec(l, m->ng_core, ng, err, errsz);
}

void io_media_stop(struct io_media *m)
{
	rtp_ng_free(m->ng);
	if (m->owned)
		rtp_relay_free(m->relay);
	memset(m, 0, sizeof(*m));
}
