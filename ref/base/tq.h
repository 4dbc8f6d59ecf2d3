/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer queue: a binary min-heap of (deadline_us, kind, arg) entries keyed
 * by deadline, owned by one core. Handles stay valid until the timer fires
 * or is cancelled; cancel is O(log n) through a back-index kept in the
 * entry slot table. No clock inside: the core passes now_us in.
 */
#ifndef BASE_TQ_H
#define BASE_TQ_H

#include <stddef.h>
#include <stdint.h>

struct tq_ent {
	uint64_t deadline_us;
	uint64_t seq;		/* FIFO order among equal deadlines */
	uint32_t id;		/* slot id: the handle */
	int kind;
	void *arg;
};

struct tq {
	struct tq_ent *heap;	/* heap[0] is the earliest */
	uint32_t *pos;		/* slot id -> heap index, UINT32_MAX if free */
	uint32_t *free_ids;
	size_t n, cap, nfree, nids;
	uint64_t seq;
};

#define TQ_NONE 0u	/* never a valid handle */

void tq_init(struct tq *q);
void tq_fini(struct tq *q);
/* Add a timer; *idp gets its handle (>0). ENOMEM. */
int tq_add(struct tq *q, uint64_t deadline_us, int kind, void *arg,
	   uint32_t *idp);
/* Cancel by handle; ENOENT if not pending. */
int tq_cancel(struct tq *q, uint32_t id);
/* Earliest deadline or UINT64_MAX. */
uint64_t tq_deadline(const struct tq *q);
/* Pop one entry with deadline <= now_us into *out; ENOENT if none is due. */
int tq_pop(struct tq *q, uint64_t now_us, struct tq_ent *out);
size_t tq_count(const struct tq *q);

#endif
