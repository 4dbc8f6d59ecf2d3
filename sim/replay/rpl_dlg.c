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

static int push(struct rpl_dlg *d, const struct sip_msg *m, uint32_t frame,
		uint64_t ts_us, bool back, const uint8_t *data, size_t len)
{
	struct rpl_step *st;

	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 8;

		st = mem_realloc(d->steps, nc * sizeof(*st));
		if (!st)
			return ENOMEM;
		d->steps = st;
		d->cap = nc;
	}
	st = &d->steps[d->n];
	memset(st, 0, sizeof(*st));
	st->raw = mem_alloc(len ? len : 1);
	if (!st->raw)
		return ENOMEM;
	memcpy(st->raw, data, len);
	st->len = len;
	st->frame = frame;
	st->ts_us = ts_us;
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
out:
	mem_free(m);
	return e;
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

		if (!st->is_req && st->scode == 100)
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
