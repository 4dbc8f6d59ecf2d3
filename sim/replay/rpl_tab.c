/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chained hash table with an intrusive LRU list. Every table of the
 * dissector that grows with traffic (fragments, TCP connections, RTP
 * streams, calls) is one of these, so that the oldest idle entries can be
 * found in O(1) and dropped: that is what keeps memory bounded by the open
 * flows of a capture rather than by its size. The table never owns its
 * entries; owners allocate and free them.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define MIN_BUCKETS 64

uint32_t rpl_hash(const void *p, size_t n, uint32_t h)
{
	const uint8_t *s = p;
	uint64_t x = h ^ (n * 0x9e3779b97f4a7c15ull), w;

	/* 8 bytes a step (FxHash-style multiply-rotate): message bodies
	 * are hashed for the retransmission filter, so bytes add up. */
	while (n >= 8) {
		memcpy(&w, s, 8);
		x = ((x << 5 | x >> 59) ^ w) * 0x517cc1b727220a95ull;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	x = ((x << 5 | x >> 59) ^ w ^ n) * 0x517cc1b727220a95ull;
	return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

void rpl_tab_init(struct rpl_tab *t)
{
	memset(t, 0, sizeof(*t));
	t->lru.prev = t->lru.next = &t->lru;
}

void rpl_tab_fini(struct rpl_tab *t)
{
	mem_free(t->b);
	rpl_tab_init(t);
}

static void grow(struct rpl_tab *t)
{
	size_t nb = t->nb ? t->nb * 2 : MIN_BUCKETS, i;
	struct rpl_ent **b = mem_zalloc(nb * sizeof(*b)), *e, *next;

	if (!b)
		return;		/* longer chains, still correct */
	for (i = 0; i < t->nb; i++) {
		for (e = t->b[i]; e; e = next) {
			next = e->hnext;
			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	mem_free(t->b);
	t->b = b;
	t->nb = nb;
}

static void lru_unlink(struct rpl_ent *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_append(struct rpl_tab *t, struct rpl_ent *e)
{
	e->prev = t->lru.prev;
	e->next = &t->lru;
	t->lru.prev->next = e;
	t->lru.prev = e;
}

int rpl_tab_add(struct rpl_tab *t, struct rpl_ent *e, uint32_t hash,
		uint64_t now_us)
{
	size_t i;

	if (!t->nb || t->n >= t->nb * 2)
		grow(t);
	if (!t->nb)
		return ENOMEM;
	e->hash = hash;
	e->last_us = now_us;
	i = hash & (t->nb - 1);
	e->hnext = t->b[i];
	t->b[i] = e;
	lru_append(t, e);
	t->n++;
	return 0;
}

void rpl_tab_del(struct rpl_tab *t, struct rpl_ent *e)
{
	struct rpl_ent **pp = &t->b[e->hash & (t->nb - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	lru_unlink(e);
	e->hnext = e->prev = e->next = NULL;
	t->n--;
}

void rpl_tab_touch(struct rpl_tab *t, struct rpl_ent *e, uint64_t now_us)
{
	if (now_us > e->last_us)
		e->last_us = now_us;
	if (t->lru.prev == e)
		return;
	lru_unlink(e);
	lru_append(t, e);
}

struct rpl_ent *rpl_tab_bucket(const struct rpl_tab *t, uint32_t hash)
{
	return t->nb ? t->b[hash & (t->nb - 1)] : NULL;
}

struct rpl_ent *rpl_tab_oldest(const struct rpl_tab *t)
{
	return t->lru.next == &t->lru ? NULL : t->lru.next;
}
