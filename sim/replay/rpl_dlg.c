/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dialog scripts for the live re-drive (rpl_live.h): the SIP messages of
 * a capture grouped by Call-ID. Only the first leg is kept (the source
 * and destination of the first out-of-dialog request): on a capture taken
 * at a proxy the same dialog shows up on several legs, and the first leg
 * holds everything the caller sent and everything the far side answered
 * as the caller saw it. Exact retransmissions, 100 Trying (hop by hop)
 * and digest challenges with the request they challenged and its ACK are
 * dropped: the re-drive answers the target's own challenges with the
 * account's credentials, which the capture's could never match anyway.
 * Dialogs whose capture starts after their first request are skipped.
 * SUBSCRIBE is answered by the target (a presence agent, as refd is),
 * like REGISTER and PUBLISH: its NOTIFYs come from the target too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"
#include "replay/rpl_live.h"

void rpl_dlgset_init(struct rpl_dlgset *s)
{
	memset(s, 0, sizeof(*s));
}

static void dlg_fini(struct rpl_dlg *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		mem_free(d->steps[i].raw);
	mem_free(d->steps);
	mem_free(d->call_id);
}

void rpl_dlgset_fini(struct rpl_dlgset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		dlg_fini(&s->d[i]);
	mem_free(s->d);
	mem_free(s->idx);
	mem_free(s->mep);
	memset(s, 0, sizeof(*s));
}

/* Open addressing, Call-ID hash -> index + 1; kept at most half full. */
static int reindex(struct rpl_dlgset *s)
{
	size_t n = s->nidx ? s->nidx * 2 : 64, i, k;
	uint32_t *idx = mem_zalloc(n * sizeof(*idx));

	if (!idx)
		return ENOMEM;
	for (i = 0; i < s->n; i++) {
		const char *c = s->d[i].call_id;

		k = rpl_hash(c, strlen(c), RPL_HASH_INIT) & (n - 1);
		while (idx[k])
			k = (k + 1) & (n - 1);
		idx[k] = (uint32_t)i + 1;
	}
	mem_free(s->idx);
	s->idx = idx;
	s->nidx = n;
	return 0;
}

static struct rpl_dlg *find(struct rpl_dlgset *s, const struct pl *cid)
{
	size_t k;
	struct rpl_dlg *d;

	if (s->nidx) {
		k = rpl_hash(cid->p, cid->len, RPL_HASH_INIT) & (s->nidx - 1);
		for (; s->idx[k]; k = (k + 1) & (s->nidx - 1)) {
			d = &s->d[s->idx[k] - 1];
			if (pl_eq_str(cid, d->call_id))
				return d;
		}
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;

		d = mem_realloc(s->d, nc * sizeof(*d));
		if (!d)
			return NULL;
		s->d = d;
		s->cap = nc;
	}
	d = &s->d[s->n];
	memset(d, 0, sizeof(*d));
	d->call_id = mem_strndup(cid->p, cid->len);
	if (!d->call_id)
		return NULL;
	s->n++;
	if (s->n * 2 > s->nidx)
		return reindex(s) ? NULL : d;
	k = rpl_hash(cid->p, cid->len, RPL_HASH_INIT) & (s->nidx - 1);
	while (s->idx[k])
		k = (k + 1) & (s->nidx - 1);
	s->idx[k] = (uint32_t)s->n;
	return d;
}

static void aor(char *out, size_t sz, const struct sip_uri *u)
{
	if (u->user.len)
		snprintf(out, sz, "%.*s@%.*s", PL_ARG(u->user),
			 PL_ARG(u->host));
	else
		snprintf(out, sz, "%.*s", PL_ARG(u->host));
}

/* The c= address and first m=audio port of an SDP body; false if none. */
bool rpl_sdp_ep(const struct pl *body, struct rpl_ep *ep)
{
	struct pl rest = *body, ln, host = PL_NULL;
	uint32_t port = 0;
	const char *nl;

	while (rest.len) {
		nl = pl_chr(&rest, '\n');
		ln = pl_from_mem(rest.p, nl ? (size_t)(nl - rest.p) : rest.len);
		pl_advance(&rest, nl ? ln.len + 1 : ln.len);
		pl_trim(&ln);
		if (pl_prefix_case(&ln, "c=IN IP") && ln.len > 9 && !host.len)
			host = pl_from_mem(ln.p + 9, ln.len - 9);
		if (pl_prefix_case(&ln, "m=audio ") && !port) {
			struct pl t = pl_from_mem(ln.p + 8, ln.len - 8), r;

			pl_split(&t, ' ', &t, &r);
			if (pl_to_u32(&t, &port) || port > 65535)
				port = 0;
		}
	}
	return host.len && port && !rpl_ep_parse_host(&host, (uint16_t)port,
						       ep);
}

static int add_mep(struct rpl_dlgset *s, const struct rpl_ep *ep,
		   uint32_t dlg, uint8_t dir)
{
	struct rpl_sdpep *m;
	size_t i;

	for (i = 0; i < s->nmep; i++)
		if (rpl_ep_eq(&s->mep[i].ep, ep)) {
			s->mep[i].dlg = dlg;
			s->mep[i].dir = dir;
			return 0;
		}
	m = mem_realloc(s->mep, (s->nmep + 1) * sizeof(*m));
	if (!m)
		return ENOMEM;
	s->mep = m;
	m[s->nmep].ep = *ep;
	m[s->nmep].dlg = dlg;
	m[s->nmep].dir = dir;
	s->nmep++;
	return 0;
}

/*
 * A zeroed step at the end of d holding a copy of the packet, with its
 * frame and time (d->n is not advanced: the caller fills the step in
 * first). NULL when out of memory.
 */
static struct rpl_step *step_new(struct rpl_dlg *d, uint32_t frame,
				 uint64_t ts_us, const uint8_t *data,
				 size_t len)
{
	struct rpl_step *st;

	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 8;

		st = mem_realloc(d->steps, nc * sizeof(*st));
		if (!st)
			return NULL;
		d->steps = st;
		d->cap = nc;
	}
	st = &d->steps[d->n];
	memset(st, 0, sizeof(*st));
	st->raw = mem_alloc(len ? len : 1);
	if (!st->raw)
		return NULL;
	memcpy(st->raw, data, len);
	st->len = len;
	st->frame = frame;
	st->ts_us = ts_us;
	return st;
}

static int push(struct rpl_dlg *d, const struct sip_msg *m, uint32_t frame,
		uint64_t ts_us, bool back, const uint8_t *data, size_t len)
{
	struct rpl_step *st;

	st = step_new(d, frame, ts_us, data, len);
	if (!st)
		return ENOMEM;
	st->dir = back;
	st->is_req = m->is_req;
	st->to_tag = m->to.tag.len > 0;
	st->mid = m->is_req ? m->mid : m->cseq.mid;
	pl_strcpy(m->is_req ? &m->method : &m->cseq.method, st->method,
		  sizeof(st->method));
	st->scode = m->scode;
	st->cseq = m->cseq.num;
	d->n++;
	return 0;
}

int rpl_dlgset_add(struct rpl_dlgset *s, uint32_t frame, uint64_t ts_us,
		   const struct rpl_ep *src, const struct rpl_ep *dst,
		   const uint8_t *data, size_t len)
{
	struct sip_msg *m = mem_alloc(sizeof(*m));
	struct rpl_dlg *d;
	bool fwd, back;
	size_t i;
	int e = 0;

	if (!m)
		return ENOMEM;
	s->msgs++;
	if (sip_msg_decode(m, data, len) || !m->call_id.len ||
	    m->cseq.method.len >= sizeof(d->steps[0].method) ||
	    (m->is_req && m->method.len >= sizeof(d->steps[0].method))) {
		s->dropped++;
		s->undecodable++;
		goto out;
	}
	d = find(s, &m->call_id);
	if (!d) {
		e = ENOMEM;
		goto out;
	}
	if (!d->leg) {
		if (!m->is_req || m->to.tag.len || m->mid == SIP_M_ACK ||
		    m->mid == SIP_M_CANCEL) {
			if (!d->skip[0])
				snprintf(d->skip, sizeof(d->skip),
					 "capture starts inside the dialog "
					 "(frame %u: %.*s)", frame,
					 (int)(m->start_line.len > 40 ? 40 :
					       m->start_line.len),
					 m->start_line.p);
			s->dropped++;
			goto out;
		}
		d->a = *src;
		d->p = *dst;
		d->leg = true;
		d->skip[0] = 0;
		aor(d->caller, sizeof(d->caller), &m->from.uri);
		aor(d->callee, sizeof(d->callee), &m->to.uri);
	}
	fwd = rpl_ep_eq(src, &d->a) && rpl_ep_eq(dst, &d->p);
	back = rpl_ep_eq(src, &d->p) && rpl_ep_eq(dst, &d->a);
	if (!fwd && !back) {
		s->dropped++;	/* another leg of the same dialog */
		goto out;
	}
	for (i = 0; i < d->n; i++)
		if (d->steps[i].len == len && d->steps[i].dir == back &&
		    !memcmp(d->steps[i].raw, data, len)) {
			s->dropped++;	/* retransmission */
			goto out;
		}
	e = push(d, m, frame, ts_us, back, data, len);
	if (!e && m->body.len) {
		struct rpl_ep ep;

		if (rpl_sdp_ep(&m->body, &ep))
			e = add_mep(s, &ep, (uint32_t)(d - s->d), back);
	}
out:
	mem_free(m);
	return e;
}

#define MAX_MEDIA_STEPS 20000

int rpl_dlgset_add_rtp(struct rpl_dlgset *s, uint32_t frame, uint64_t ts_us,
		       const struct rpl_ep *src, const struct rpl_ep *dst,
		       const uint8_t *data, size_t len)
{
	struct rpl_step *st;
	struct rpl_dlg *d;
	size_t i;
	int dir = -1;

	s->rtp++;
	/* sent to an announced endpoint: by the other side; from one: by
	 * its owner (symmetric RTP) */
	for (i = s->nmep; i-- > 0 && dir < 0;)
		if (rpl_ep_eq(&s->mep[i].ep, dst))
			dir = !s->mep[i].dir;
		else if (rpl_ep_eq(&s->mep[i].ep, src))
			dir = s->mep[i].dir;
	if (dir < 0 || len > 1500) {
		s->rtp_dropped++;
		return 0;
	}
	d = &s->d[s->mep[i + 1].dlg];
	if (d->nmedia >= MAX_MEDIA_STEPS) {
		s->rtp_dropped++;
		return 0;
	}
	st = step_new(d, frame, ts_us, data, len);
	if (!st)
		return ENOMEM;
	st->dir = (uint8_t)dir;
	st->media = true;
	snprintf(st->method, sizeof(st->method), "RTP");
	d->n++;
	d->nmedia++;
	return 0;
}

static void drop(struct rpl_dlg *d, size_t i)
{
	mem_free(d->steps[i].raw);
	memmove(&d->steps[i], &d->steps[i + 1],
		(d->n - i - 1) * sizeof(d->steps[0]));
	d->n--;
}

/* Challenge at i: drop its ACK, itself, and the request it answered. */
static size_t unchallenge(struct rpl_dlg *d, size_t i)
{
	uint32_t cs = d->steps[i].cseq;
	uint8_t dir = d->steps[i].dir;
	enum sip_method mid = d->steps[i].mid;
	size_t k;

	for (k = i + 1; k < d->n; k++)
		if (d->steps[k].is_req && d->steps[k].dir != dir &&
		    d->steps[k].mid == SIP_M_ACK && d->steps[k].cseq == cs) {
			drop(d, k);
			break;
		}
	drop(d, i);
	for (k = i; k-- > 0;)
		if (d->steps[k].is_req && d->steps[k].cseq == cs &&
		    d->steps[k].dir != dir && d->steps[k].mid == mid) {
			drop(d, k);
			return k;
		}
	return i;
}

static void finish(struct rpl_dlg *d)
{
	const struct rpl_step *f;
	size_t i;

	for (i = 0; i < d->n;) {
		const struct rpl_step *st = &d->steps[i];

		if (st->media)
			i++;
		else if (!st->is_req && st->scode == 100)
			drop(d, i);
		else if (!st->is_req && (st->scode == 401 ||
					 st->scode == 407))
			i = unchallenge(d, i);
		else
			i++;
	}
	if (!d->leg) {
		if (!d->skip[0])
			snprintf(d->skip, sizeof(d->skip), "no request");
		return;
	}
	if (!d->n) {
		snprintf(d->skip, sizeof(d->skip), "only digest challenges, "
			 "100 Trying and retransmissions on the first leg");
		return;
	}
	f = &d->steps[0];
	/* a registrar, a presence or publish server answers these
	 * itself: nobody plays the far side */
	d->callee_role = f->is_req && f->mid != SIP_M_REGISTER &&
			 f->mid != SIP_M_PUBLISH && f->mid != SIP_M_SUBSCRIBE &&
			 strchr(d->callee, '@');
	if (!f->is_req || f->dir)
		snprintf(d->skip, sizeof(d->skip), "first kept message (frame "
			 "%u) is not the caller's request", f->frame);
}

void rpl_dlgset_finish(struct rpl_dlgset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		finish(&s->d[i]);
}
