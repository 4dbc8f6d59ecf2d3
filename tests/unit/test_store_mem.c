/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SQLite's allocator of store_global_init (store_mem.c): sizes and
 * rounding, realloc keeping the bytes, reuse of a freed block, blocks
 * freed by another thread, the per-class cap, and a store that runs on
 * it (installed before SQLite initialises, as refd does) writing and
 * reading traces. Run under ASan by unit-san: any overrun of a class or
 * header shows there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "store/store_int.h"
#include "test_store_util.h"

static void test_store_mem_sizes(void **state)
{
	const sqlite3_mem_methods *m = store_mem_methods();
	static const int sizes[] = { 1, 15, 16, 17, 500, 1024, 1025, 4096,
				     65536, 65537, 300000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int n = sizes[i];
		uint8_t *p = m->xMalloc(n);

		assert_non_null(p);
		assert_true(m->xSize(p) >= n);
		assert_true(m->xRoundup(n) >= n);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xa5, (size_t)m->xSize(p));
		m->xFree(p);
	}
	assert_int_equal(m->xSize(NULL), 0);
	m->xFree(NULL);
	store_mem_thread_release();
}

static void test_store_mem_realloc_reuse(void **state)
{
	const sqlite3_mem_methods *m = store_mem_methods();
	uint8_t *p, *q;
	int i;

	(void)state;
	p = m->xMalloc(40);
	for (i = 0; i < 40; i++)
		p[i] = (uint8_t)i;
	p = m->xRealloc(p, 3000);	/* to a larger class */
	assert_non_null(p);
	for (i = 0; i < 40; i++)
		assert_int_equal(p[i], i);
	p = m->xRealloc(p, 100000);	/* unclassed */
	for (i = 0; i < 40; i++)
		assert_int_equal(p[i], i);
	p = m->xRealloc(p, 20);		/* back into a class */
	for (i = 0; i < 20; i++)
		assert_int_equal(p[i], i);
	m->xFree(p);
	/* a freed block is the next of its class */
	p = m->xMalloc(500);
	m->xFree(p);
	q = m->xMalloc(498);	/* the same 16-byte class: 497..512 */
	assert_ptr_equal(p, q);
	m->xFree(q);
	p = m->xRealloc(NULL, 8);
	assert_non_null(p);
	m->xFree(p);
	store_mem_thread_release();
}

static void *alloc_thread(void *arg)
{
	const sqlite3_mem_methods *m = store_mem_methods();
	void **v = arg;
	int i;

	for (i = 0; i < 64; i++)
		v[i] = m->xMalloc(64 + i * 100);
	store_mem_thread_release();
	return NULL;
}

static void test_store_mem_threads_and_cap(void **state)
{
	const sqlite3_mem_methods *m = store_mem_methods();
	void *v[64], *big[200];
	pthread_t th;
	int i;

	(void)state;
	/* made in one thread, freed in another: joins this one's lists */
	assert_int_equal(pthread_create(&th, NULL, alloc_thread, v), 0);
	pthread_join(th, NULL);
	for (i = 0; i < 64; i++)
		m->xFree(v[i]);
	/* more 32 KiB blocks than a list keeps: the rest go to free() */
	for (i = 0; i < 200; i++)
		big[i] = m->xMalloc(30000);
	for (i = 0; i < 200; i++)
		m->xFree(big[i]);
	store_mem_thread_release();
}

static int count_trace(void *arg, const struct store_trace *t)
{
	(*(int *)arg) += t->msg.len == 5;
	return 0;
}

static void test_store_mem_store_runs(void **state)
{
	int64_t blocks = mem_blocks();
	struct store_trace t;
	struct pl u = PL("alice@example.test");
	struct store *s;
	char dir[64];
	int i, n = 0;

	(void)state;
	tdir_make(dir, sizeof(dir), "smem");
	assert_int_equal(store_open(&s, dir, NULL, NULL, 0), 0);
	assert_int_equal(store_batch_begin(s), 0);
	for (i = 0; i < 500; i++) {
		memset(&t, 0, sizeof(t));
		t.time_us = 1000 + i;
		t.call_id = PL("c1@example.test");
		t.caller = u;
		t.callee = PL("bob@example.test");
		t.transport = PL("udp");
		t.summary = PL("INVITE");
		t.msg = PL("hello");
		assert_int_equal(store_trace_add(s, &t), 0);
	}
	assert_int_equal(store_batch_commit(s), 0);
	assert_int_equal(store_trace_list(s, &u, count_trace, &n), 0);
	assert_int_equal(n, 500);
	store_close(s);
	tdir_remove(dir);
	store_mem_thread_release();
	assert_int_equal(mem_blocks(), blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_mem_sizes),
		cmocka_unit_test(test_store_mem_realloc_reuse),
		cmocka_unit_test(test_store_mem_threads_and_cap),
		cmocka_unit_test(test_store_mem_store_runs),
	};

	/* As refd: before SQLite initialises. */
	if (store_global_init()) {
		fprintf(stderr, "store_global_init failed\n");
		return 1;
	}
	return cmocka_run_group_tests_name("store_mem", tests, NULL, NULL);
}
