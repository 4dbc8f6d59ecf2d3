/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Min-heap timer queue. Slot ids are 1-based indexes into pos[]; freed ids
 * are recycled, so a stale handle may name a newer timer: cores clear their
 * stored handle when a timer fires or is cancelled.
 */
#include <errno.h>
#include <string.h>
#include "base/tq.h"
#include "base/mem.h"

void tq_init(struct tq *q)
{
	memset(q, 0, sizeof(*q));
}

void tq_fini(struct tq *q)
{
	mem_free(q->heap);
	mem_free(q->pos);
	mem_free(q->free_ids);
	memset(q, 0, sizeof(*q));
}

static int before(const struct tq_ent *a, const struct tq_ent *b)
{
	if (a->deadline_us != b->deadline_us)
		return a->deadline_us < b->deadline_us;
	return a->seq < b->seq;
}

static void place(struct tq *q, size_t i, const struct tq_ent *e)
{
	q->heap[i] = *e;
	q->pos[e->id] = (uint32_t)i;
}

static void sift_up(struct tq *q, size_t i)
{
	struct tq_ent e = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&e, &q->heap[parent]))
			break;
		place(q, i, &q->heap[parent]);
		i = parent;
	}
	place(q, i, &e);
}

static void sift_down(struct tq *q, size_t i)
{
	struct tq_ent e = q->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct tq_ent *best = &e;
		if (l < q->n && before(&q->heap[l], best)) {
			m = l;
			best = &q->heap[l];
		}
		if (r < q->n && before(&q->heap[r], best))
			m = r;
		if (m == i)
			break;
		place(q, i, &q->heap[m]);
		i = m;
	}
	place(q, i, &e);
}

static int grow(struct tq *q)
{
	size_t cap = q->cap ? q->cap * 2 : 16;
	struct tq_ent *h;
	uint32_t *pos, *fr;

	h = mem_realloc(q->heap, cap * sizeof(*h));
	if (!h)
		return ENOMEM;
	q->heap = h;
	pos = mem_realloc(q->pos, (cap + 1) * sizeof(*pos));
	if (!pos)
		return ENOMEM;
	q->pos = pos;
	fr = mem_realloc(q->free_ids, cap * sizeof(*fr));
	if (!fr)
		return ENOMEM;
	q->free_ids = fr;
	q->cap = cap;
	return 0;
}

int tq_add(struct tq *q, uint64_t deadline_us, int kind, void *arg,
	   uint32_t *idp)
{
	struct tq_ent e;
	uint32_t id;

	if (q->n == q->cap) {
		int err = grow(q);
		if (err)
			return err;
	}
	if (q->nfree)
		id = q->free_ids[--q->nfree];
	else
		id = (uint32_t)++q->nids;
	e.deadline_us = deadline_us;
	e.seq = q->seq++;
	e.id = id;
	e.kind = kind;
	e.arg = arg;
	q->heap[q->n] = e;
	q->pos[id] = (uint32_t)q->n;
	q->n++;
	sift_up(q, q->n - 1);
	if (idp)
		*idp = id;
	return 0;
}

static void remove_at(struct tq *q, size_t i)
{
	uint32_t id = q->heap[i].id;

	q->pos[id] = UINT32_MAX;
	q->free_ids[q->nfree++] = id;
	q->n--;
	if (i == q->n)
		return;
	id = q->heap[q->n].id;
	place(q, i, &q->heap[q->n]);
	sift_down(q, i);
	sift_up(q, q->pos[id]);
}

int tq_cancel(struct tq *q, uint32_t id)
{
	if (id == TQ_NONE || id > q->nids || q->pos[id] == UINT32_MAX)
		return ENOENT;
	remove_at(q, q->pos[id]);
	return 0;
}

uint64_t tq_deadline(const struct tq *q)
{
	return q->n ? q->heap[0].deadline_us : UINT64_MAX;
}

int tq_pop(struct tq *q, uint64_t now_us, struct tq_ent *out)
{
	if (!q->n || q->heap[0].deadline_us > now_us)
		return ENOENT;
	*out = q->heap[0];
	remove_at(q, 0);
	return 0;
}

size_t tq_count(const struct tq *q)
{
	return q->n;
}
