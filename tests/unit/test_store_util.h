/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the store and retention suites: a fresh data_dir per
 * test, its removal, the raw-byte canary scan the policy asks for
 * (every file under data_dir: database, -wal, -shm, blobs), the same
 * search the bench's auditor does, and the fixture of a store open in a
 * fresh data_dir. Header-only: each suite is its own binary.
 */
#ifndef TEST_STORE_UTIL_H
#define TEST_STORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/mem.h"
#include "store/store.h"

static inline int rm_ent(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static inline void tdir_make(char *dir, size_t sz, const char *tag)
{
	snprintf(dir, sz, "/tmp/rtcbench-%s-XXXXXX", tag);
	if (!mkdtemp(dir))
		abort();
}

static inline void tdir_remove(const char *dir)
{
	nftw(dir, rm_ent, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *scan_canary;
static size_t scan_hits;
static char scan_where[512];

static inline int scan_ent(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	size_t n = strlen(scan_canary);
	FILE *f;
	char *data;

	(void)ftw;
	if (flag != FTW_F || sb->st_size == 0)
		return 0;
	f = fopen(p, "rb");
	if (!f)
		return 0;
	data = malloc((size_t)sb->st_size);
	if (data && fread(data, 1, (size_t)sb->st_size, f) ==
	    (size_t)sb->st_size) {
		const char *q = data, *end = data + sb->st_size;

		while ((q = memmem(q, (size_t)(end - q), scan_canary, n))) {
			scan_hits++;
			snprintf(scan_where, sizeof(scan_where), "%s@%ld", p,
				 (long)(q - data));
			q += n;
		}
	}
	free(data);
	fclose(f);
	return 0;
}

/* Occurrences of canary in the raw bytes of every file under dir. */
static inline size_t canary_count(const char *dir, const char *canary)
{
	scan_canary = canary;
	scan_hits = 0;
	scan_where[0] = '\0';
	nftw(dir, scan_ent, 16, FTW_PHYS);
	return scan_hits;
}

#define assert_canary_gone(dir, c) do {					\
	size_t n_ = canary_count((dir), (c));				\
	if (n_)								\
		fail_msg("canary %s still in %zu place(s), e.g. %s", (c),\
			 n_, scan_where);				\
} while (0)

#define assert_canary_present(dir, c)					\
	assert_true(canary_count((dir), (c)) > 0)

/* The store fixture (test_store.c, test_xcap.c): the store open in a
 * fresh data_dir named after tag; teardown closes and removes it, clears
 * any injected allocation failure and checks every mem_ block came
 * back. */
struct store_fx {
	char dir[64];
	struct store *s;
	int64_t blocks;
};

static inline int store_fx_setup(void **state, const char *tag)
{
	static struct store_fx f;
	char err[256];

	memset(&f, 0, sizeof(f));
	f.blocks = mem_blocks();
	tdir_make(f.dir, sizeof(f.dir), tag);
	if (store_open(&f.s, f.dir, NULL, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	*state = &f;
	return 0;
}

static inline int store_fx_teardown(void **state)
{
	struct store_fx *f = *state;

	store_close(f->s);
	tdir_remove(f->dir);
	mem_fail_at(-1, 0);
	assert_int_equal(mem_blocks(), f->blocks);
	return 0;
}

#endif
