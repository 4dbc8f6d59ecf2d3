/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCTP (RFC 9260): walks the chunks of a packet and hands every user
 * message of DATA (and I-DATA, RFC 8260) chunks up as one application
 * message. A message split over several chunks (B ... E flags) is joined
 * per (direction, stream) in arrival order; SCTP delivers fragments of a
 * message in TSN order on the wire in practice, and a fragment that does
 * not follow the previous TSN drops the partial message (counted as
 * undecoded) rather than guessing. Other chunk types are skipped.
 */
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define MAX_MSG (1024u * 1024)

static void msg_free(struct rpl *r, struct rpl_sctpmsg *m)
{
	rpl_tab_del(&r->sctp, &m->ent);
	buf_fini(&m->data);
	mem_free(m);
}

void rpl_sctp_free_all(struct rpl *r)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->sctp)))
		msg_free(r, (struct rpl_sctpmsg *)e);
}

static void deliver(struct rpl *r, const struct rpl_ep *s,
		    const struct rpl_ep *d, const uint8_t *p, size_t n)
{
	struct rpl_pdu pdu;

	memset(&pdu, 0, sizeof(pdu));
	pdu.ts_us = r->now_us;
	pdu.tp = RPL_TP_SCTP;
	pdu.src = *s;
	pdu.dst = *d;
	pdu.data = p;
	pdu.len = n;
	rpl_app_input(r, &pdu);
}

static void data(struct rpl *r, const struct rpl_ep *s, const struct rpl_ep *d,
		 uint8_t flags, uint32_t tsn, uint16_t sid, const uint8_t *p,
		 size_t n)
{
	uint32_t h;
	struct rpl_ent *e;
	struct rpl_sctpmsg *m = NULL;

	if ((flags & 3) == 3) {
		deliver(r, s, d, p, n);
		return;
	}
	h = rpl_hash(s, sizeof(*s), RPL_HASH_INIT);
	h = rpl_hash(d, sizeof(*d), h) ^ sid;
	for (e = rpl_tab_bucket(&r->sctp, h); e; e = e->hnext) {
		struct rpl_sctpmsg *x = (struct rpl_sctpmsg *)e;

		if (e->hash == h && x->sid == sid && rpl_ep_eq(&x->src, s) &&
		    rpl_ep_eq(&x->dst, d)) {
			m = x;
			break;
		}
	}
	if (flags & 2) {	/* B: first fragment */
		if (!m) {
			if (r->sctp.n >= r->cfg.max_flows)
				msg_free(r, (struct rpl_sctpmsg *)
					 rpl_tab_oldest(&r->sctp));
			m = mem_zalloc(sizeof(*m));
			if (!m)
				return;
			m->src = *s;
			m->dst = *d;
			m->sid = sid;
			buf_init(&m->data);
			if (rpl_tab_add(&r->sctp, &m->ent, h, r->now_us)) {
				mem_free(m);
				return;
			}
		}
		buf_reset(&m->data);
	} else if (!m || tsn != m->next_tsn || !m->data.len) {
		if (m)
			msg_free(r, m);
		r->st.frames_undecoded++;
		return;
	}
	m->next_tsn = tsn + 1;
	rpl_tab_touch(&r->sctp, &m->ent, r->now_us);
	if (m->data.len + n > MAX_MSG || buf_put(&m->data, p, n)) {
		msg_free(r, m);
		return;
	}
	if (flags & 1) {	/* E: last fragment */
		deliver(r, s, d, m->data.data, m->data.len);
		msg_free(r, m);
	}
}

void rpl_sctp_input(struct rpl *r, const struct rpl_ep *src,
		    const struct rpl_ep *dst, const uint8_t *p, size_t n)
{
	struct rpl_ep s = *src, d = *dst;
	size_t clen, pad;

	if (n < 12) {
		r->st.frames_undecoded++;
		return;
	}
	s.port = rpl_be16(p);
	d.port = rpl_be16(p + 2);
	p += 12;
	n -= 12;
	while (n >= 4) {
		clen = rpl_be16(p + 2);
		if (clen < 4 || clen > n)
			break;
		r->st.sctp_chunks++;
		if (p[0] == 0 && clen >= 16)		/* DATA */
			data(r, &s, &d, p[1], rpl_be32(p + 4),
			     rpl_be16(p + 8), p + 16, clen - 16);
		else if (p[0] == 64 && clen >= 20)	/* I-DATA */
			data(r, &s, &d, p[1], rpl_be32(p + 4),
			     rpl_be16(p + 8), p + 20, clen - 20);
		pad = (clen + 3) & ~(size_t)3;
		if (pad >= n)
			break;
		p += pad;
		n -= pad;
	}
}
