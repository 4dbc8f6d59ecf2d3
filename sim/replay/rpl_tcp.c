/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream reassembly. Each direction keeps the next expected sequence
 * number, the in-order bytes the framer has not consumed yet, and a
 * sorted list of out-of-order segments. Retransmitted bytes are dropped
 * (counted), segments that fill a hole release what was queued behind
 * them. A hole that never fills is a gap: when more than MAX_OOO bytes
 * wait behind it, at FIN/RST, when the connection goes idle, or at the end
 * of the capture, the stream skips to the next queued byte, the gap is
 * counted, the partly framed message is thrown away and the framer
 * resynchronises on the next SIP start line. A connection whose handshake
 * was not captured starts at the first sequence number seen.
 */
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define MAX_OOO (256u * 1024)
#define MAX_PEND (1024u * 1024)

enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04 };

static uint32_t ep_hash(const struct rpl_ep *ep)
{
	uint32_t h = rpl_hash(ep->addr, ep->af == 4 ? 4 : 16, RPL_HASH_INIT);

	return rpl_hash(&ep->port, sizeof(ep->port), h);
}

static void drop_pend(struct rpl *r, struct rpl_half *h)
{
	if (h->sip_seen)
		r->st.tcp_skipped_bytes += h->pend.len;
	buf_reset(&h->pend);
	buf_reset(&h->wsmsg);
	h->tls_left = 0;
	if (h->mode != RPL_S_OTHER && h->mode != RPL_S_TLS)
		h->mode = RPL_S_UNKNOWN;
}

static void deliver(struct rpl *r, struct rpl_conn *c, int dir,
		    const uint8_t *p, size_t n)
{
	struct rpl_half *h = &c->h[dir];
	size_t used;

	if (!h->pend.len) {
		used = rpl_stream_input(r, c, dir, p, n);
		if (used < n && buf_put(&h->pend, p + used, n - used))
			drop_pend(r, h);
	} else {
		if (buf_put(&h->pend, p, n)) {
			drop_pend(r, h);
			return;
		}
		used = rpl_stream_input(r, c, dir, h->pend.data, h->pend.len);
		memmove(h->pend.data, h->pend.data + used, h->pend.len - used);
		h->pend.len -= used;
	}
	if (h->pend.len > MAX_PEND)
		drop_pend(r, h);
}

/* Queued segments that now start at or before next_seq go out. */
static void drain(struct rpl *r, struct rpl_conn *c, int dir)
{
	struct rpl_half *h = &c->h[dir];
	struct rpl_seg *s;

	while ((s = h->ooo) && (int32_t)(s->seq - h->next_seq) <= 0) {
		int32_t skip = (int32_t)(h->next_seq - s->seq);

		h->ooo = s->next;
		h->ooo_bytes -= s->len;
		if ((uint32_t)skip < s->len) {
			h->next_seq = s->seq + s->len;
			deliver(r, c, dir, s->data + skip, s->len - skip);
		}
		mem_free(s);
	}
}

/* Give up on the hole before the first queued segment. */
static void skip_gap(struct rpl *r, struct rpl_conn *c, int dir)
{
	struct rpl_half *h = &c->h[dir];

	if (!h->ooo)
		return;
	r->st.tcp_gaps++;
	r->st.tcp_gap_bytes += (uint32_t)(h->ooo->seq - h->next_seq);
	drop_pend(r, h);
	h->next_seq = h->ooo->seq;
	drain(r, c, dir);
}

static void queue(struct rpl *r, struct rpl_conn *c, int dir, uint32_t seq,
		  const uint8_t *p, size_t n)
{
	struct rpl_half *h = &c->h[dir];
	struct rpl_seg **pp = &h->ooo, *s;

	while (*pp && (int32_t)((*pp)->seq - seq) < 0)
		pp = &(*pp)->next;
	if (*pp && (*pp)->seq == seq && (*pp)->len >= n) {
		r->st.tcp_retrans++;
		return;
	}
	s = mem_alloc(sizeof(*s) + n);
	if (!s)
		return;
	s->seq = seq;
	s->len = (uint32_t)n;
	memcpy(s->data, p, n);
	s->next = *pp;
	*pp = s;
	h->ooo_bytes += n;
	while (h->ooo_bytes > MAX_OOO && h->ooo)
		skip_gap(r, c, dir);
}

static void segment(struct rpl *r, struct rpl_conn *c, int dir, uint32_t seq,
		    const uint8_t *p, size_t n)
{
	struct rpl_half *h = &c->h[dir];
	int32_t d = (int32_t)(seq - h->next_seq);

	if (d < 0) {
		if ((int64_t)n + d <= 0) {
			r->st.tcp_retrans++;
			return;
		}
		r->st.tcp_retrans++;
		p += -d;
		n -= (size_t)-d;
		seq = h->next_seq;
	}
	if (seq != h->next_seq) {
		queue(r, c, dir, seq, p, n);
		return;
	}
	h->next_seq = seq + (uint32_t)n;
	deliver(r, c, dir, p, n);
	drain(r, c, dir);
}

static void half_fini(struct rpl *r, struct rpl_conn *c, int dir, bool flush)
{
	struct rpl_half *h = &c->h[dir];
	struct rpl_seg *s;

	while (flush && h->ooo)
		skip_gap(r, c, dir);
	while ((s = h->ooo)) {
		h->ooo = s->next;
		mem_free(s);
	}
	if (flush && h->sip_seen && h->pend.len && h->mode == RPL_S_SIP)
		r->st.tcp_skipped_bytes += h->pend.len;
	buf_fini(&h->pend);
	buf_fini(&h->wsmsg);
}

static void conn_free(struct rpl *r, struct rpl_conn *c, bool flush)
{
	half_fini(r, c, 0, flush);
	half_fini(r, c, 1, flush);
	rpl_tab_del(&r->conns, &c->ent);
	mem_free(c);
}

void rpl_tcp_sweep(struct rpl *r, uint64_t older_than_us)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->conns)) && e->last_us < older_than_us)
		conn_free(r, (struct rpl_conn *)e, true);
}

void rpl_tcp_free_all(struct rpl *r, bool flush)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->conns)))
		conn_free(r, (struct rpl_conn *)e, flush);
}

static struct rpl_conn *conn_find(struct rpl *r, const struct rpl_ep *src,
				  const struct rpl_ep *dst, uint32_t h,
				  int *dir)
{
	struct rpl_ent *e;
	struct rpl_conn *c;

	for (e = rpl_tab_bucket(&r->conns, h); e; e = e->hnext) {
		c = (struct rpl_conn *)e;
		if (e->hash != h)
			continue;
		if (rpl_ep_eq(&c->a, src) && rpl_ep_eq(&c->b, dst)) {
			*dir = 0;
			return c;
		}
		if (rpl_ep_eq(&c->a, dst) && rpl_ep_eq(&c->b, src)) {
			*dir = 1;
			return c;
		}
	}
	return NULL;
}

static struct rpl_conn *conn_new(struct rpl *r, const struct rpl_ep *src,
				 const struct rpl_ep *dst, uint32_t h)
{
	struct rpl_conn *c;
	int i;

	if (r->conns.n >= r->cfg.max_flows)
		conn_free(r, (struct rpl_conn *)rpl_tab_oldest(&r->conns),
			  true);
	c = mem_zalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->a = *src;
	c->b = *dst;
	for (i = 0; i < 2; i++) {
		buf_init(&c->h[i].pend);
		buf_init(&c->h[i].wsmsg);
	}
	c->h[0].src = c->h[1].dst = *src;
	c->h[0].dst = c->h[1].src = *dst;
	if (rpl_tab_add(&r->conns, &c->ent, h, r->now_us)) {
		mem_free(c);
		return NULL;
	}
	r->st.tcp_streams++;
	if (r->conns.n > r->st.open_flows_peak)
		r->st.open_flows_peak = r->conns.n;
	return c;
}

void rpl_tcp_input(struct rpl *r, const struct rpl_ep *src,
		   const struct rpl_ep *dst, const uint8_t *p, size_t n)
{
	struct rpl_ep s = *src, d = *dst;
	struct rpl_conn *c;
	struct rpl_half *h;
	size_t hl;
	uint32_t seq, hash;
	uint8_t fl;
	int dir;

	if (n < 20 || (hl = (size_t)(p[12] >> 4) * 4) < 20 || hl > n) {
		r->st.frames_undecoded++;
		return;
	}
	r->st.tcp_segments++;
	s.port = rpl_be16(p);
	d.port = rpl_be16(p + 2);
	seq = rpl_be32(p + 4);
	fl = p[13];
	p += hl;
	n -= hl;
	if (!n && !(fl & (TH_SYN | TH_FIN | TH_RST)))
		return;		/* bare ACK: nothing to reassemble */
	hash = ep_hash(&s) + ep_hash(&d);	/* same both ways */
	c = conn_find(r, &s, &d, hash, &dir);
	if (!c) {
		if (!n && !(fl & TH_SYN))
			return;
		c = conn_new(r, &s, &d, hash);
		if (!c)
			return;
		dir = 0;
	}
	rpl_tab_touch(&r->conns, &c->ent, r->now_us);
	h = &c->h[dir];
	if (fl & TH_SYN) {
		h->next_seq = seq + 1;
		h->seq_init = true;
		seq++;
	}
	if (!h->seq_init) {
		h->next_seq = seq;
		h->seq_init = true;
	}
	if (n)
		segment(r, c, dir, seq, p, n);
	if (fl & TH_RST) {
		conn_free(r, c, true);
		return;
	}
	if (fl & TH_FIN) {
		h->fin = true;
		if (c->h[!dir].fin)
			conn_free(r, c, true);
	}
}
