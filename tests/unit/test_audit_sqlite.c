/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sim/audit/pages.c through the scanner and P3's verdict,
 * on real SQLite files written here: a hit in a database or its -wal is
 * attributed to the table (or index) owning its page, and P3 accepts the
 * e-mail only in the accounts table. Covered: accounts and its unique
 * index pass; the same e-mail in a traces row fails naming "[traces]";
 * rows still in the WAL (writer open, never checkpointed); a dropped
 * table's pages left on the freelist; a file that only looks like a
 * database ("x.db", or an SQLite header over garbage) is not the account
 * table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "audit/audit_policy.h"
#include "tmpdir_testutil.h"

#define DAY 86400000000LL
#define EMAIL "alice.CANARY-p3@mail.test"
#define USER "bob-CANARY-user"

static const char schema[] =
	"CREATE TABLE accounts(id INTEGER PRIMARY KEY, user TEXT NOT NULL,"
	" domain TEXT NOT NULL, email TEXT NOT NULL DEFAULT '',"
	" UNIQUE(user, domain));"
	"CREATE TABLE traces(id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	" caller TEXT, summary TEXT, msg BLOB);"
	"CREATE INDEX traces_caller ON traces(caller);"
	"CREATE TABLE cdrs(id INTEGER PRIMARY KEY, caller TEXT);";

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* tmpdir/rel opened (created) with the journal mode given. */
static sqlite3 *db_open(const char *rel, const char *journal)
{
	char p[256], sql[128];
	sqlite3 *db;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s;"
		 "PRAGMA wal_autocheckpoint=0;", journal);
	exec(db, sql);
	return db;
}

static void mkdir_tmp(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	assert_int_equal(mkdir(p, 0700), 0);
}

struct fixture {
	struct audit *a;
	struct audit_ledger *l;
	struct audit_verdict rows[AUDIT_ROWS + 1];
	struct audit_verdict paths[AUDIT_PATH_CNT];
};

static void fx_init(struct fixture *f)
{
	struct audit_mark em = { .canary = EMAIL, .row = 3,
		.keep = AUDIT_KEEP_ACCOUNT_TABLE, .owner = "alice",
		.what = "e-mail address", .origin = "t.scn:2" };

	assert_int_equal(audit_new(&f->a), 0);
	assert_int_equal(audit_ledger_new(&f->l, f->a), 0);
	assert_int_equal(audit_mark(f->l, &em), 0);
}

static void fx_fini(struct fixture *f)
{
	audit_ledger_free(f->l);
	audit_free(f->a);
}

/* Scan tmpdir/rel from scratch and judge; returns P3's failures. */
static unsigned fx_judge(struct fixture *f, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	audit_hits_clear(f->a);
	assert_int_equal(audit_scan_dir(f->a, p, NULL, NULL), 0);
	audit_evaluate(f->l, DAY, NULL, f->rows, f->paths);
	assert_true(f->rows[3].exercised >= 1);
	return f->rows[3].failed;
}

/* The hit of canary can whose where ends with suffix, or NULL. */
static const struct audit_hit *hit_of(const struct audit *a, size_t can,
				      const char *suffix)
{
	size_t i, n = strlen(suffix);

	for (i = 0; i < audit_hit_count(a); i++) {
		const struct audit_hit *h = audit_hit_get(a, i);
		size_t w = strlen(h->where);

		if (h->canary == can && w >= n &&
		    !strcmp(h->where + w - n, suffix))
			return h;
	}
	return NULL;
}

static const struct audit_hit *hit_at(const struct audit *a,
				      const char *suffix)
{
	return hit_of(a, 0, suffix);
}

static void test_audit_sqlite_tables(void **state)
{
	struct audit_mark um = { .canary = USER, .row = 3,
		.keep = AUDIT_KEEP_ACCOUNT_TABLE, .origin = "t.scn:3" };
	struct fixture f;
	const struct audit_hit *h;
	sqlite3 *db;

	(void)state;
	mkdir_tmp("var");
	db = db_open("var/platform.db", "DELETE");
	exec(db, schema);
	exec(db, "INSERT INTO accounts(user, domain, email) VALUES"
	     " ('alice', 'example.org', '" EMAIL "'),"
	     " ('" USER "', 'example.org', '');");
	sqlite3_close(db);

	fx_init(&f);
	assert_int_equal(audit_mark(f.l, &um), 0);
	assert_int_equal(fx_judge(&f, "var"), 0);
	assert_non_null(strstr(f.rows[3].detail, "only in the account"));
	h = hit_at(f.a, "/var/platform.db[accounts]");
	assert_non_null(h);
	assert_string_equal(h->table, "accounts");
	/* The unique index on user is the account table's own. */
	assert_int_equal(audit_found(f.a, 1, AUDIT_SRC_STORE), 2);
	assert_non_null(hit_of(f.a, 1, "/var/platform.db[accounts]"));
	h = hit_of(f.a, 1, "/var/platform.db"
		   "[accounts:sqlite_autoindex_accounts_1]");
	assert_non_null(h);
	assert_string_equal(h->table,
			    "accounts:sqlite_autoindex_accounts_1");

	/* The same e-mail in a trace's summary: P3 fails, naming traces. */
	db = db_open("var/platform.db", "DELETE");
	exec(db, "INSERT INTO traces(time_us, caller, summary) VALUES"
	     " (1, 'alice', 'INVITE from \"" EMAIL "\"');");
	sqlite3_close(db);
	assert_int_equal(fx_judge(&f, "var"), 1);
	assert_non_null(strstr(f.rows[3].detail, "platform.db[traces] at"));
	assert_non_null(hit_at(f.a, "/var/platform.db[accounts]"));
	h = hit_at(f.a, "/var/platform.db[traces]");
	assert_non_null(h);
	assert_string_equal(h->table, "traces");
	assert_int_equal(h->count, 1);

	/* In an index of another table it fails too, naming both. */
	db = db_open("var/platform.db", "DELETE");
	exec(db, "UPDATE traces SET summary = 'INVITE';"
	     "INSERT INTO traces(time_us, caller) VALUES (2, '" EMAIL "');");
	sqlite3_close(db);
	assert_int_equal(fx_judge(&f, "var"), 1);
	assert_non_null(hit_at(f.a, "/var/platform.db[traces:traces_caller]"));
	fx_fini(&f);
}

/*
 * Rows that live only in the WAL (the writer is still open and never
 * checkpointed): attributed through the frame's page number; the scan
 * leaves the WAL as it was.
 */
static void test_audit_sqlite_wal(void **state)
{
	struct fixture f;
	const struct audit_hit *h;
	struct stat before, after;
	char wal[256];
	sqlite3 *db;

	(void)state;
	mkdir_tmp("var");
	db = db_open("var/platform.db", "WAL");
	exec(db, schema);
	exec(db, "INSERT INTO accounts(user, domain, email) VALUES"
	     " ('alice', 'example.org', '" EMAIL "');");
	snprintf(wal, sizeof(wal), "%s/var/platform.db-wal", tmpdir);
	assert_int_equal(stat(wal, &before), 0);

	fx_init(&f);
	assert_int_equal(fx_judge(&f, "var"), 0);
	h = hit_at(f.a, "/var/platform.db-wal[accounts]");
	assert_non_null(h);
	assert_true(h->offset > 32);
	assert_int_equal(stat(wal, &after), 0);
	assert_int_equal(after.st_size, before.st_size);

	exec(db, "INSERT INTO cdrs(caller) VALUES ('" EMAIL "');");
	assert_int_equal(fx_judge(&f, "var"), 1);
	assert_non_null(strstr(f.rows[3].detail, "platform.db-wal[cdrs] at"));
	assert_non_null(hit_at(f.a, "/var/platform.db-wal[accounts]"));
	sqlite3_close(db);
	fx_fini(&f);
}

/* A dropped table's pages go to the freelist with their bytes (no
 * secure_delete): the e-mail there is deleted data, not the account. */
static void test_audit_sqlite_freelist(void **state)
{
	struct fixture f;
	const struct audit_hit *h;
	sqlite3 *db;
	int i;

	(void)state;
	mkdir_tmp("var");
	db = db_open("var/platform.db", "DELETE");
	exec(db, "PRAGMA secure_delete=OFF;");
	exec(db, schema);
	exec(db, "CREATE TABLE junk(x BLOB);");
	for (i = 0; i < 20; i++)
		exec(db, "INSERT INTO junk VALUES ('" EMAIL "' ||"
		     " zeroblob(1500));");
	exec(db, "DROP TABLE junk;");
	sqlite3_close(db);

	fx_init(&f);
	assert_int_equal(fx_judge(&f, "var"), 1);
	assert_non_null(strstr(f.rows[3].detail, "platform.db[freelist]"));
	h = hit_at(f.a, "/var/platform.db[freelist]");
	assert_non_null(h);
	assert_true(h->count >= 10);	/* 20 rows; trunk pages reuse some */
	assert_string_equal(h->table, "freelist");
	fx_fini(&f);
}

/* Only an SQLite page of accounts counts: not a file's name, not a
 * header over bytes SQLite cannot read (strict: "unknown" fails). */
static void test_audit_sqlite_not_a_table(void **state)
{
	struct fixture f;
	const struct audit_hit *h;

	(void)state;
	mkdir_tmp("a");
	tmp_put("a/accounts.db", "user=alice email=" EMAIL "\n");
	fx_init(&f);
	assert_int_equal(fx_judge(&f, "a"), 1);
	h = audit_first(f.a, 0, AUDIT_SRC_STORE);
	assert_non_null(h);
	assert_null(h->table);
	assert_non_null(strstr(f.rows[3].detail, "a/accounts.db at"));

	mkdir_tmp("b");
	tmp_put("b/platform.db", "SQLite format 3 but then garbage "
		EMAIL " and more garbage");
	/* fputs stops at NULs: write the header's NUL by hand. */
	{
		char p[256];
		FILE *fp;

		snprintf(p, sizeof(p), "%s/b/platform.db", tmpdir);
		fp = fopen(p, "r+b");
		assert_non_null(fp);
		fseek(fp, 15, SEEK_SET);
		fputc(0, fp);
		fclose(fp);
	}
	assert_int_equal(fx_judge(&f, "b"), 1);
	h = audit_first(f.a, 0, AUDIT_SRC_STORE);
	assert_non_null(h);
	assert_string_equal(h->table, "unknown");
	assert_non_null(strstr(f.rows[3].detail, "platform.db[unknown]"));
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_audit_sqlite_tables,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_audit_sqlite_wal,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_audit_sqlite_freelist,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_audit_sqlite_not_a_table,
						tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests_name("audit_sqlite", tests, NULL,
					   NULL);
}
