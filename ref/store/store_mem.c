/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SQLite's memory through small per-thread free lists (store.h,
 * store_global_init). Debian builds SQLite with SQLITE_OMIT_LOOKASIDE
 * and the system malloc, so every statement step mallocs and frees its
 * record buffers, cursors and pages: about 70 allocations per call under
 * `perf proxy` (7 trace rows and a CDR), most of 17-512 bytes, the trace
 * records and pages larger. glibc served the larger ones from its bins
 * (unlink_chunk, malloc_consolidate): 5-6% of refd's CPU per call. Here a
 * freed block goes on its size class's list in the freeing thread and
 * the next allocation of that class takes it back: a pointer pop, the
 * memory still in the cache.
 *
 * Classes: 16-byte steps up to 1 KiB, then powers of two up to 64 KiB;
 * larger requests go to malloc as they are. Each block carries a 16-byte
 * header (its class, or its size when unclassed), so free and size need
 * no lookup and a block may be freed by another thread than the one that
 * allocated it (it joins the freeing thread's list). A list keeps at
 * most LIST_BYTES of blocks; beyond that they go back to free(), so a
 * burst does not pin memory for ever.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "store/store_int.h"

#define HDR		16
#define STEP_MAX	1024		/* 16-byte steps up to here */
#define NSTEP		(STEP_MAX / 16)	/* classes 0..63: 16..1024 */
#define NPOW		6		/* 2, 4, 8, 16, 32, 64 KiB */
#define NCLASS		(NSTEP + NPOW)
#define LIST_BYTES	(64 * 1024)

struct blk {
	union {
		struct blk *next;	/* on a free list */
		uint64_t size;		/* unclassed: the request */
	} u;
	int32_t cls;			/* -1: unclassed */
	int32_t pad;
};

struct lists {
	struct blk *head[NCLASS];
	uint32_t n[NCLASS];
};

static __thread struct lists tl;

static size_t class_size(int c)
{
	return c < NSTEP ? (size_t)(c + 1) * 16 :
	       (size_t)2048 << (c - NSTEP);
}

static int class_of(size_t n)
{
	int c;

	if (n <= STEP_MAX)
		return n ? (int)((n - 1) / 16) : 0;
	for (c = NSTEP; c < NCLASS; c++)
		if (n <= class_size(c))
			return c;
	return -1;
}

static void *sq_malloc(int n)
{
	int c = class_of((size_t)(n > 0 ? n : 1));
	struct blk *b;

	if (c >= 0 && (b = tl.head[c])) {
		tl.head[c] = b->u.next;
		tl.n[c]--;
		return (uint8_t *)b + HDR;
	}
	b = malloc(HDR + (c >= 0 ? class_size(c) : (size_t)n));
	if (!b)
		return NULL;
	b->cls = c;
	if (c < 0)
		b->u.size = (uint64_t)n;
	return (uint8_t *)b + HDR;
}

static struct blk *blk_of(void *p)
{
	return (struct blk *)(void *)((uint8_t *)p - HDR);
}

static int sq_size(void *p)
{
	struct blk *b;

	if (!p)
		return 0;
	b = blk_of(p);
	return (int)(b->cls >= 0 ? class_size(b->cls) : b->u.size);
}

static void sq_free(void *p)
{
	struct blk *b;
	int c;

	if (!p)
		return;
	b = blk_of(p);
	c = b->cls;
	if (c < 0 || (size_t)(tl.n[c] + 1) * class_size(c) > LIST_BYTES) {
		free(b);
		return;
	}
	b->u.next = tl.head[c];
	tl.head[c] = b;
	tl.n[c]++;
}

static void *sq_realloc(void *p, int n)
{
	void *q;
	int have;

	if (!p)
		return sq_malloc(n);
	have = sq_size(p);
	if (n <= have && blk_of(p)->cls >= 0)
		return p;
	q = sq_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, (size_t)(have < n ? have : n));
	sq_free(p);
	return q;
}

static int sq_roundup(int n)
{
	int c = class_of((size_t)(n > 0 ? n : 1));

	return c >= 0 ? (int)class_size(c) : (n + 7) & ~7;
}

static int sq_init(void *arg)
{
	(void)arg;
	return SQLITE_OK;
}

static void sq_shutdown(void *arg)
{
	(void)arg;
}

static const sqlite3_mem_methods methods = {
	sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup,
	sq_init, sq_shutdown, NULL
};

/* The calling thread's lists back to free() (a thread that is done with
 * SQLite; tests check for leaks with it). */
void store_mem_thread_release(void)
{
	struct blk *b;
	int c;

	for (c = 0; c < NCLASS; c++) {
		while ((b = tl.head[c])) {
			tl.head[c] = b->u.next;
			free(b);
		}
		tl.n[c] = 0;
	}
}

int store_mem_install(void)
{
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK ?
	       0 : -1;
}

const sqlite3_mem_methods *store_mem_methods(void)
{
	return &methods;
}
