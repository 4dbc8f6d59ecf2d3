/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counting allocator hooks. Counters are atomics because the live driver
 * may run a store thread; failure injection is for single-threaded tests.
 */
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include "base/mem.h"

static atomic_llong live_blocks;
static atomic_llong attempts;
static long long fail_nth = -1;
static int fail_sticky;

static int should_fail(void)
{
	long long n = atomic_fetch_add(&attempts, 1);

	if (fail_nth < 0)
		return 0;
	return fail_sticky ? n >= fail_nth : n == fail_nth;
}

void *mem_alloc(size_t size)
{
	void *p;

	if (should_fail())
		return NULL;
	p = malloc(size ? size : 1);
	if (p)
		atomic_fetch_add(&live_blocks, 1);
	return p;
}

void *mem_zalloc(size_t size)
{
	void *p = mem_alloc(size);

	if (p)
		memset(p, 0, size ? size : 1);
	return p;
}

void *mem_realloc(void *ptr, size_t size)
{
	void *p;

	if (!ptr)
		return mem_alloc(size);
	if (should_fail())
		return NULL;
	p = realloc(ptr, size ? size : 1);
	return p;
}

void mem_free(void *ptr)
{
	if (!ptr)
		return;
	atomic_fetch_sub(&live_blocks, 1);
	free(ptr);
}

char *mem_strndup(const char *s, size_t n)
{
	char *d = mem_alloc(n + 1);

	if (!d)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *mem_strdup(const char *s)
{
	return mem_strndup(s, strlen(s));
}

int64_t mem_blocks(void)
{
	return atomic_load(&live_blocks);
}

void mem_fail_at(int64_t nth, int sticky)
{
	atomic_store(&attempts, 0);
	fail_nth = nth;
	fail_sticky = sticky;
}

int64_t mem_attempts(void)
{
	return atomic_load(&attempts);
}
