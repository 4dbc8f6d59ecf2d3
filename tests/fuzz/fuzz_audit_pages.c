/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SQLite page attribution of the canary scanner
 * (sim/audit/pages.c). Byte 0 bit 0 picks the file: 0 = the rest is a
 * database file ("x.db"), 1 = the rest is the -wal of a small valid
 * database made on first use. Bytes 1-2 (big-endian) give where the
 * canary is written over the file, so hits land in headers, frame
 * headers, pages past the end, anywhere. Properties: no crash, no leak,
 * every hit in a file with an SQLite or WAL header has a table, and its
 * location is "path[table]".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "base/mem.h"
#include "audit/audit.h"

#define CANARY "CANARY-fz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

/* The fuzzer ends by exit(): leave no folder behind in /tmp. */
static void cleanup(void)
{
	static const char *const suf[] = { "", "-wal", "-shm", "-journal" };
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(suf) / sizeof(suf[0]); i++) {
		snprintf(p, sizeof(p), "%s/x.db%s", dir, suf[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void make_db(const char *path)
{
	sqlite3 *db;

	unlink(path);
	if (sqlite3_open(path, &db) == SQLITE_OK)
		sqlite3_exec(db, "CREATE TABLE accounts(user TEXT UNIQUE,"
			     " email TEXT); CREATE TABLE traces(msg TEXT);"
			     "INSERT INTO accounts VALUES('alice', 'a@b.c');",
			     NULL, NULL, NULL);
	sqlite3_close(db);
}

static int put(const char *path, const uint8_t *p, size_t n, size_t at)
{
	FILE *f = fopen(path, "wb");
	size_t cl = strlen(CANARY);
	int ok;

	if (!f)
		return -1;
	ok = fwrite(p, 1, n, f) == n;
	if (ok && n >= cl) {
		fseek(f, (long)(at % (n - cl + 1)), SEEK_SET);
		ok = fwrite(CANARY, 1, cl, f) == cl;
	}
	return fclose(f) || !ok ? -1 : 0;
}

/* The file as written (the canary may have hit its header). */
static bool is_sqlite(const char *path)
{
	char h[16];
	FILE *f = fopen(path, "rb");
	bool r;

	if (!f)
		abort();
	r = fread(h, 1, 16, f) == 16 && !memcmp(h, "SQLite format 3", 16);
	fclose(f);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char db[128], wal[140], shm[140];
	const char *target;
	struct audit *a = NULL;
	size_t blocks = mem_blocks(), i;
	bool is_wal;

	if (size < 3)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_audit_pages_XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	is_wal = data[0] & 1;
	snprintf(db, sizeof(db), "%s/x.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	unlink(wal);
	unlink(shm);
	if (is_wal)
		make_db(db);
	target = is_wal ? wal : db;
	if (put(target, data + 3, size - 3,
		(size_t)data[1] << 8 | data[2]) ||
	    audit_new(&a) || audit_canary_add(a, CANARY, strlen(CANARY), NULL))
		abort();
	if (audit_scan_file(a, target))
		abort();
	for (i = 0; i < audit_hit_count(a); i++) {
		const struct audit_hit *h = audit_hit_get(a, i);

		if (is_sqlite(target) && !h->table)
			abort();
		if (h->table && (strncmp(h->where, target, strlen(target)) ||
				 h->where[strlen(target)] != '['))
			abort();
	}
	audit_free(a);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
