/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which SQLite table a hit in a database file lies in. The scanner reads
 * raw bytes (so it also finds deleted rows left in free pages), but "the
 * e-mail is in platform.db" says nothing about P3: the accounts table may
 * hold it, the traces table must not. So a hit in an SQLite database
 * (header "SQLite format 3\0") or in its -wal file is labelled with the
 * b-tree owning its page: "var/platform.db[traces]", an index as
 * "[table:index]", a page no b-tree uses as "[freelist]", and anything
 * we cannot tell as "[unknown]" (P3 then fails: strict).
 *
 * How: on the file's first hit the database is opened read-only with the
 * sqlite3 API and the dbstat virtual table (Debian's libsqlite3 has
 * SQLITE_ENABLE_DBSTAT_VTAB) gives every (b-tree, page) pair; sqlite_schema
 * gives the table of an index. A main-file hit is on page offset /
 * page_size + 1. A -wal hit: after the 32-byte header, frames of 24 +
 * page_size bytes, the page number a big-endian u32 at the frame start.
 * Files without a hit never open SQLite, so the per-step audit stays as
 * cheap as before.
 *
 * Limits: ownership is the database's current one (as the read connection
 * sees it, WAL included). A stale copy of a page (an old WAL frame, or a
 * main-file page the WAL has since replaced) whose page number a later
 * transaction gave to another b-tree is labelled with the new owner. The
 * read connection never checkpoints (NO_CKPT_ON_CLOSE) and writes no
 * database byte; SQLite may create a -shm index next to a WAL that has
 * none (a crashed writer), as any reader would. A -wal whose database
 * file is empty is not opened (SQLite would delete it): "unknown".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include "base/mem.h"
#include "base/buf.h"
#include "audit/audit_int.h"

#define WAL_HDR 32
#define FRAME_HDR 24

enum { LBL_UNKNOWN = 0, LBL_FREE = 1 };

struct audit_pages {
	char *path;		/* the file scanned */
	bool wal;		/* path is a -wal file */
	bool built;		/* map attempted */
	int fd;			/* -wal, for frame headers; -1 */
	uint32_t wal_ps;	/* page size from the WAL header */
	uint32_t ps;		/* database page size, 0 = unknown */
	uint32_t npages;	/* database page count */
	uint16_t *owner;	/* [npages + 1]: label index, LBL_FREE */
	char **label;		/* "path[name]" */
	char **table;		/* "name", parallel to label */
	size_t nlabel;
};

static const uint8_t sqlite_magic[16] = "SQLite format 3";

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !memcmp(s + n - m, suf, m);
}

int audit_pages_new(struct audit_pages **pp, const char *path,
		    const uint8_t *head, size_t len)
{
	struct audit_pages *p;
	bool wal = false;

	*pp = NULL;
	if (len >= 16 && !memcmp(head, sqlite_magic, 16))
		wal = false;
	else if (len >= WAL_HDR && ends_with(path, "-wal") &&
		 (be32(head) & 0xfffffffe) == 0x377f0682)
		wal = true;
	else
		return ENOENT;
	p = mem_zalloc(sizeof(*p));
	if (!p)
		return ENOMEM;
	p->path = mem_strdup(path);
	if (!p->path) {
		mem_free(p);
		return ENOMEM;
	}
	p->wal = wal;
	p->fd = -1;
	if (wal)
		p->wal_ps = be32(head + 8);
	*pp = p;
	return 0;
}

void audit_pages_free(struct audit_pages *p)
{
	size_t i;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	for (i = 0; i < p->nlabel; i++) {
		mem_free(p->label[i]);
		mem_free(p->table[i]);
	}
	mem_free(p->label);
	mem_free(p->table);
	mem_free(p->owner);
	mem_free(p->path);
	mem_free(p);
}

/* Index of label name (added when new); -1 on ENOMEM. */
static int label_of(struct audit_pages *p, const char *name)
{
	struct buf b;
	char **nl, **nt;
	size_t i;

	for (i = 0; i < p->nlabel; i++)
		if (!strcmp(p->table[i], name))
			return (int)i;
	if (p->nlabel >= UINT16_MAX)
		return LBL_UNKNOWN;
	nl = mem_realloc(p->label, (p->nlabel + 1) * sizeof(*nl));
	if (!nl)
		return -1;
	p->label = nl;
	nt = mem_realloc(p->table, (p->nlabel + 1) * sizeof(*nt));
	if (!nt)
		return -1;
	p->table = nt;
	buf_init(&b);
	if (buf_printf(&b, "%s[%s]", p->path, name)) {
		buf_fini(&b);
		return -1;
	}
	nt[p->nlabel] = mem_strdup(name);
	nl[p->nlabel] = mem_strdup((char *)b.data);
	buf_fini(&b);
	if (!nt[p->nlabel] || !nl[p->nlabel]) {
		mem_free(nt[p->nlabel]);
		mem_free(nl[p->nlabel]);
		return -1;
	}
	return (int)p->nlabel++;
}

static int pragma_u32(sqlite3 *db, const char *sql, uint32_t *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : EIO;
}

/*
 * Fill owner[] from dbstat. Any SQLite failure (not a database, busy,
 * corrupt, no dbstat) leaves the map empty: every hit is then "unknown".
 * Only ENOMEM is an error.
 */
static int map_build(struct audit_pages *p)
{
	static const char q[] =
		"SELECT d.pageno, d.name, s.tbl_name FROM dbstat d"
		" LEFT JOIN sqlite_schema s ON s.name = d.name";
	char *dbpath = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint32_t ps = 0, np = 0;
	struct stat sb;
	int err = 0, rc;

	p->built = true;
	if (label_of(p, "unknown") != LBL_UNKNOWN ||
	    label_of(p, "freelist") != LBL_FREE)
		return ENOMEM;
	dbpath = mem_strndup(p->path, strlen(p->path) -
			     (p->wal ? 4 : 0));
	if (!dbpath)
		return ENOMEM;
	/* SQLite deletes the -wal of an empty database file on open, even
	 * read-only: such a WAL stays "unknown" and untouched. */
	if (stat(dbpath, &sb) || sb.st_size == 0)
		goto out;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_busy_timeout(db, 2000);
	if (pragma_u32(db, "PRAGMA page_size", &ps) ||
	    pragma_u32(db, "PRAGMA page_count", &np) || !ps || !np ||
	    np > (1u << 26))
		goto out;
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		goto out;
	p->owner = mem_zalloc(((size_t)np + 1) * sizeof(*p->owner));
	if (!p->owner) {
		err = ENOMEM;
		goto out;
	}
	for (uint32_t i = 1; i <= np; i++)
		p->owner[i] = LBL_FREE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 pg = sqlite3_column_int64(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *tbl = (const char *)sqlite3_column_text(st, 2);
		struct buf b;
		int l;

		if (pg < 1 || pg > np || !name)
			continue;
		buf_init(&b);
		if (tbl && strcmp(tbl, name))
			err = buf_printf(&b, "%s:%s", tbl, name);
		else
			err = buf_put_str(&b, name);
		l = err ? -1 : label_of(p, (char *)b.data);
		buf_fini(&b);
		if (l < 0) {
			err = ENOMEM;
			goto out;
		}
		p->owner[pg] = (uint16_t)l;
	}
	if (rc != SQLITE_DONE) {
		/* A half-read map would call unread pages "freelist". */
		mem_free(p->owner);
		p->owner = NULL;
		goto out;
	}
	p->ps = ps;
	p->npages = np;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	mem_free(dbpath);
	return err;
}

/* Page number of the WAL frame holding offset, 0 when none. */
static uint32_t wal_page(struct audit_pages *p, uint64_t off)
{
	uint64_t fsz = (uint64_t)FRAME_HDR + p->wal_ps, frame;
	uint8_t h[4];

	if (p->wal_ps < 512 || p->wal_ps > 65536 ||
	    (p->wal_ps & (p->wal_ps - 1)) || off < WAL_HDR)
		return 0;
	frame = (off - WAL_HDR) / fsz;
	if ((off - WAL_HDR) % fsz < FRAME_HDR)
		return 0;	/* in a frame header: no page */
	if (p->fd < 0)
		p->fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0 ||
	    pread(p->fd, h, 4, (off_t)(WAL_HDR + frame * fsz)) != 4)
		return 0;
	return be32(h);
}

int audit_pages_label(struct audit_pages *p, uint64_t off,
		      const char **where, const char **table)
{
	uint64_t pg = 0;
	int l = LBL_UNKNOWN, err;

	if (!p->built) {
		err = map_build(p);
		if (err)
			return err;
	}
	if (p->owner) {
		if (p->wal)
			pg = p->wal_ps == p->ps ? wal_page(p, off) : 0;
		else
			pg = off / p->ps + 1;
		if (pg > p->npages)
			l = LBL_FREE;	/* past the end: no b-tree's */
		else if (pg)
			l = p->owner[pg];
	}
	*where = p->label[l];
	*table = p->table[l];
	return 0;
}
