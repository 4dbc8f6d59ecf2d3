/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SQLite backend of store.h: open (directories, pragmas, migrations, the
 * statement table), close, batching, error mapping and the scrub that
 * makes deleted bytes unreadable. Row-level functions live in the other
 * store_*.c files.
 *
 * Why these pragmas: WAL lets refctl read and write while refd runs;
 * secure_delete overwrites deleted cells and freed pages with zeros (the
 * policy's "deletion means the bytes are gone"); synchronous=NORMAL in WAL
 * mode loses nothing on a process crash (the bench's SIGKILL test), only
 * on power loss, and FULL is one option away; temp_store=MEMORY keeps
 * sort/temp spills out of any file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/mem.h"
#include "store/store_int.h"

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* Append-only: a released schema version is never edited. */
static const struct migration migrations[] = {
	{ 1, "initial stores",
	  "CREATE TABLE accounts(id INTEGER PRIMARY KEY, user TEXT NOT NULL,"
	  " domain TEXT NOT NULL, display TEXT NOT NULL DEFAULT '',"
	  " email TEXT NOT NULL DEFAULT '', ha1_md5 TEXT NOT NULL,"
	  " ha1_sha256 TEXT NOT NULL, pwhash TEXT NOT NULL,"
	  " voicemail INTEGER NOT NULL DEFAULT 0,"
	  " pgp INTEGER NOT NULL DEFAULT 0, created_us INTEGER NOT NULL,"
	  " UNIQUE(user, domain));"
	  "CREATE TABLE traces(id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	  " call_id TEXT, caller TEXT, callee TEXT, dir_out INTEGER,"
	  " transport TEXT, src TEXT, dst TEXT, summary TEXT, msg BLOB);"
	  "CREATE INDEX traces_time ON traces(time_us);"
	  "CREATE INDEX traces_caller ON traces(caller);"
	  "CREATE INDEX traces_callee ON traces(callee);"
	  "CREATE TABLE cdrs(id INTEGER PRIMARY KEY, call_id TEXT, caller TEXT,"
	  " callee TEXT, setup_us INTEGER, answer_us INTEGER,"
	  " end_us INTEGER NOT NULL, duration_ms INTEGER, status INTEGER,"
	  " hangup_by TEXT, caller_sig TEXT, callee_sig TEXT,"
	  " caller_media TEXT, callee_media TEXT, caller_ua TEXT,"
	  " callee_ua TEXT);"
	  "CREATE INDEX cdrs_end ON cdrs(end_us);"
	  "CREATE INDEX cdrs_caller ON cdrs(caller);"
	  "CREATE INDEX cdrs_callee ON cdrs(callee);"
	  "CREATE TABLE messages(id INTEGER PRIMARY KEY,"
	  " time_us INTEGER NOT NULL, sender TEXT, recipient TEXT,"
	  " content_type TEXT, body BLOB, encrypted INTEGER NOT NULL);"
	  "CREATE INDEX messages_time ON messages(time_us);"
	  "CREATE INDEX messages_sender ON messages(sender);"
	  "CREATE INDEX messages_recipient ON messages(recipient);"
	  "CREATE TABLE deliveries(msg_id INTEGER NOT NULL"
	  " REFERENCES messages(id) ON DELETE CASCADE, device TEXT NOT NULL,"
	  " time_us INTEGER NOT NULL, PRIMARY KEY(msg_id, device));"
	  "CREATE TABLE files(id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	  " owner TEXT, recipient TEXT, name TEXT, content_type TEXT,"
	  " size INTEGER NOT NULL, encrypted INTEGER NOT NULL);"
	  "CREATE INDEX files_time ON files(time_us);"
	  "CREATE INDEX files_owner ON files(owner);"
	  "CREATE INDEX files_recipient ON files(recipient);"
	  "CREATE TABLE voicemail(id INTEGER PRIMARY KEY,"
	  " time_us INTEGER NOT NULL, owner TEXT, caller TEXT,"
	  " duration_ms INTEGER, size INTEGER NOT NULL,"
	  " heard INTEGER NOT NULL DEFAULT 0);"
	  "CREATE INDEX voicemail_owner ON voicemail(owner);"
	  "CREATE TABLE push(id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	  " user TEXT, provider TEXT, kind TEXT, status INTEGER);"
	  "CREATE INDEX push_time ON push(time_us);"
	  "CREATE INDEX push_user ON push(user);"
	  "CREATE TABLE xcap(user TEXT NOT NULL, auid TEXT NOT NULL,"
	  " doc TEXT NOT NULL, etag TEXT NOT NULL, body BLOB NOT NULL,"
	  " time_us INTEGER NOT NULL, PRIMARY KEY(user, auid, doc));"
	  "CREATE TABLE purchases(id INTEGER PRIMARY KEY,"
	  " time_us INTEGER NOT NULL, user TEXT NOT NULL,"
	  " amount_cents INTEGER NOT NULL, name TEXT, address TEXT);"
	  "CREATE INDEX purchases_user ON purchases(user);"
	  "CREATE TABLE audit(id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	  " actor TEXT, action TEXT, detail TEXT);" },
	{ 2, "scrub state",
	  "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);" },
	{ 3, "one-time tokens",
	  "CREATE TABLE tokens(user TEXT NOT NULL, kind INTEGER NOT NULL,"
	  " hash TEXT NOT NULL, expires_us INTEGER NOT NULL);"
	  "CREATE INDEX tokens_user ON tokens(user);" },
	{ 4, "cdr kind",
	  "ALTER TABLE cdrs ADD COLUMN kind TEXT NOT NULL DEFAULT '';" },
	{ 5, "cdr media relay figures",
	  "ALTER TABLE cdrs ADD COLUMN caller_relay TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE cdrs ADD COLUMN callee_relay TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE cdrs ADD COLUMN caller_packets INTEGER NOT NULL"
	  " DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN caller_bytes INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN caller_lost INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN caller_jitter_us INTEGER NOT NULL"
	  " DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN callee_packets INTEGER NOT NULL"
	  " DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN callee_bytes INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN callee_lost INTEGER NOT NULL DEFAULT 0;"
	  "ALTER TABLE cdrs ADD COLUMN callee_jitter_us INTEGER NOT NULL"
	  " DEFAULT 0;" },
	{ 6, "portal: voicemail e-mail flag, audit subject",
	  "ALTER TABLE accounts ADD COLUMN vm_email INTEGER NOT NULL"
	  " DEFAULT 0;"
	  "ALTER TABLE audit ADD COLUMN subject TEXT;"
	  "CREATE INDEX audit_subject ON audit(subject);" },
};

#define ACC_COLS "id, user, domain, display, email, ha1_md5, ha1_sha256," \
	" pwhash, voicemail, pgp, created_us"
#define TRACE_COLS "id, time_us, call_id, caller, callee, dir_out," \
	" transport, src, dst, summary, msg"
#define CDR_COLS "id, call_id, caller, callee, setup_us, answer_us, end_us," \
	" duration_ms, status, hangup_by, caller_sig, callee_sig," \
	" caller_media, callee_media, caller_ua, callee_ua, kind," \
	" caller_relay, callee_relay, caller_packets, caller_bytes," \
	" caller_lost, caller_jitter_us, callee_packets, callee_bytes," \
	" callee_lost, callee_jitter_us"
#define MSG_COLS "id, time_us, sender, recipient, content_type, body," \
	" encrypted"
#define FILE_COLS "id, time_us, owner, recipient, name, content_type," \
	" size, encrypted"
#define VM_COLS "id, time_us, owner, caller, duration_ms, size, heard"

static const char *const stmt_sql[ST_COUNT_] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT w",
	[ST_RELEASE] = "RELEASE w",
	[ST_ROLLBACK_TO] = "ROLLBACK TO w",
	[ST_ACC_ADD] = "INSERT INTO accounts(user, domain, display, email,"
		" ha1_md5, ha1_sha256, pwhash, voicemail, pgp, created_us)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_ACC_HA1_MD5] = "SELECT ha1_md5 FROM accounts"
		" WHERE user = ?1 AND domain = ?2",
	[ST_ACC_HA1_SHA] = "SELECT ha1_sha256 FROM accounts"
		" WHERE user = ?1 AND domain = ?2",
	[ST_ACC_GET] = "SELECT " ACC_COLS " FROM accounts"
		" WHERE user = ?1 AND domain = ?2",
	[ST_ACC_LIST] = "SELECT " ACC_COLS " FROM accounts"
		" ORDER BY domain, user",
	[ST_ACC_FLAGS] = "UPDATE accounts SET voicemail = ?3, pgp = ?4"
		" WHERE user = ?1 AND domain = ?2",
	[ST_ACC_DEL] = "DELETE FROM accounts WHERE user = ?1 AND domain = ?2",
	[ST_TRACE_ADD] = "INSERT INTO traces(time_us, call_id, caller, callee,"
		" dir_out, transport, src, dst, summary, msg)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_TRACE_LIST] = "SELECT " TRACE_COLS " FROM traces WHERE ?1 IS NULL"
		" OR caller = ?1 OR callee = ?1 ORDER BY time_us, id",
	[ST_CDR_ADD] = "INSERT INTO cdrs(call_id, caller, callee, setup_us,"
		" answer_us, end_us, duration_ms, status, hangup_by,"
		" caller_sig, callee_sig, caller_media, callee_media,"
		" caller_ua, callee_ua, kind,"
		" caller_relay, callee_relay, caller_packets, caller_bytes,"
		" caller_lost, caller_jitter_us, callee_packets, callee_bytes,"
		" callee_lost, callee_jitter_us) VALUES(?1, ?2, ?3, ?4, ?5,"
		" ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
	[ST_CDR_LIST] = "SELECT " CDR_COLS " FROM cdrs WHERE ?1 IS NULL"
		" OR caller = ?1 OR callee = ?1 ORDER BY setup_us, id",
	[ST_MSG_ADD] = "INSERT INTO messages(time_us, sender, recipient,"
		" content_type, body, encrypted) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_MSG_LIST] = "SELECT " MSG_COLS " FROM messages WHERE ?1 IS NULL"
		" OR sender = ?1 OR recipient = ?1 ORDER BY time_us, id",
	[ST_MSG_PENDING] = "SELECT " MSG_COLS " FROM messages m"
		" WHERE recipient = ?1 AND NOT EXISTS (SELECT 1 FROM"
		" deliveries d WHERE d.msg_id = m.id AND d.device = ?2)"
		" ORDER BY time_us, id",
	[ST_MSG_DELIVERED] = "INSERT OR IGNORE INTO deliveries(msg_id, device,"
		" time_us) SELECT id, ?2, ?3 FROM messages WHERE id = ?1",
	[ST_MSG_DEL] = "DELETE FROM messages WHERE id = ?1"
		" AND (recipient = ?2 OR sender = ?2)",
	[ST_MSG_COUNT] = "SELECT count(*) FROM messages WHERE recipient = ?1",
	[ST_FILE_ADD] = "INSERT INTO files(time_us, owner, recipient, name,"
		" content_type, size, encrypted)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_FILE_GET] = "SELECT " FILE_COLS " FROM files WHERE id = ?1",
	[ST_FILE_LIST] = "SELECT " FILE_COLS " FROM files WHERE ?1 IS NULL"
		" OR owner = ?1 OR recipient = ?1 ORDER BY time_us, id",
	[ST_FILE_DEL] = "DELETE FROM files WHERE id = ?1 AND (?2 IS NULL"
		" OR owner = ?2 OR recipient = ?2)",
	[ST_FILE_USAGE] = "SELECT coalesce(sum(size), 0) FROM files",
	[ST_FILE_EXISTS] = "SELECT 1 FROM files WHERE id = ?1",
	[ST_VM_ADD] = "INSERT INTO voicemail(time_us, owner, caller,"
		" duration_ms, size, heard) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_VM_GET] = "SELECT " VM_COLS " FROM voicemail WHERE id = ?1",
	[ST_VM_LIST] = "SELECT " VM_COLS " FROM voicemail WHERE ?1 IS NULL"
		" OR owner = ?1 ORDER BY time_us, id",
	[ST_VM_DEL] = "DELETE FROM voicemail WHERE id = ?1 AND (?2 IS NULL"
		" OR owner = ?2)",
	[ST_VM_EXISTS] = "SELECT 1 FROM voicemail WHERE id = ?1",
	[ST_PUSH_ADD] = "INSERT INTO push(time_us, user, provider, kind,"
		" status) VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_PUSH_LIST] = "SELECT id, time_us, user, provider, kind, status"
		" FROM push WHERE ?1 IS NULL OR user = ?1 ORDER BY time_us, id",
	[ST_XCAP_PUT] = "INSERT OR REPLACE INTO xcap(user, auid, doc, etag,"
		" body, time_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_XCAP_GET] = "SELECT user, auid, doc, etag, body, time_us FROM xcap"
		" WHERE user = ?1 AND auid = ?2 AND doc = ?3",
	[ST_XCAP_LIST] = "SELECT user, auid, doc, etag, body, time_us FROM xcap"
		" WHERE ?1 IS NULL OR user = ?1 ORDER BY user, auid, doc",
	[ST_XCAP_DEL] = "DELETE FROM xcap WHERE user = ?1 AND auid = ?2"
		" AND doc = ?3",
	[ST_BUY_ADD] = "INSERT INTO purchases(time_us, user, amount_cents,"
		" name, address) VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_BUY_LIST] = "SELECT id, time_us, user, amount_cents, name, address"
		" FROM purchases WHERE ?1 IS NULL OR user = ?1"
		" ORDER BY time_us, id",
	[ST_AUDIT_ADD] = "INSERT INTO audit(time_us, actor, action, detail)"
		" VALUES(?1, ?2, ?3, ?4)",
	[ST_AUDIT_LIST] = "SELECT time_us, actor, action, detail FROM audit"
		" ORDER BY time_us, id",
	[ST_PG_TRACES] = "DELETE FROM traces WHERE id IN (SELECT id FROM"
		" traces WHERE time_us < ?1 LIMIT ?2)",
	[ST_PG_CDRS] = "DELETE FROM cdrs WHERE id IN (SELECT id FROM cdrs"
		" WHERE end_us < ?1 LIMIT ?2)",
	[ST_PG_PUSH] = "DELETE FROM push WHERE id IN (SELECT id FROM push"
		" WHERE time_us < ?1 LIMIT ?2)",
	[ST_PG_MSGS] = "DELETE FROM messages WHERE id IN (SELECT id FROM"
		" messages WHERE time_us < ?1 LIMIT ?2)",
	[ST_PG_BUY] = "DELETE FROM purchases WHERE id IN (SELECT id FROM"
		" purchases WHERE time_us < ?1 LIMIT ?2)",
	[ST_PG_AUDIT] = "DELETE FROM audit WHERE id IN (SELECT id FROM audit"
		" WHERE time_us < ?1 LIMIT ?2)",
	[ST_PG_FILES_SEL] = "SELECT id, size FROM files WHERE time_us < ?1"
		" OR (size >= ?2 AND time_us < ?3) ORDER BY id LIMIT ?4",
	[ST_PG_FILES_OLDEST] = "SELECT id, size FROM files"
		" ORDER BY time_us, id LIMIT ?1",
	[ST_FILE_DEL_ID] = "DELETE FROM files WHERE id = ?1",
	[ST_VM_DEL_ID] = "DELETE FROM voicemail WHERE id = ?1",
	[ST_AD_XCAP] = "DELETE FROM xcap WHERE user = ?1",
	[ST_AD_DELIV] = "DELETE FROM deliveries WHERE msg_id IN (SELECT id"
		" FROM messages WHERE sender = ?1 OR recipient = ?1)",
	[ST_AD_MSGS] = "DELETE FROM messages WHERE sender = ?1"
		" OR recipient = ?1",
	[ST_AD_FILES_SEL] = "SELECT id FROM files WHERE owner = ?1"
		" OR recipient = ?1",
	[ST_AD_VM_SEL] = "SELECT id FROM voicemail WHERE owner = ?1",
	[ST_AD_VM_CALLER] = "UPDATE voicemail SET caller = ''"
		" WHERE caller = ?1",
	[ST_AD_TRACES] = "DELETE FROM traces WHERE caller = ?1"
		" OR callee = ?1",
	[ST_AD_CDRS] = "DELETE FROM cdrs WHERE caller = ?1 OR callee = ?1",
	[ST_AD_PUSH] = "DELETE FROM push WHERE user = ?1",
	[ST_AD_BUY] = "SELECT count(*), coalesce(max(time_us), 0)"
		" FROM purchases WHERE user = ?1",
	[ST_CHECKPOINT] = "PRAGMA wal_checkpoint(TRUNCATE)",
	[ST_FREELIST] = "PRAGMA freelist_count",
	[ST_DIRTY_SET] = "INSERT OR REPLACE INTO meta(key, value)"
		" VALUES('scrub_pending', 1)",
	[ST_DIRTY_GET] = "SELECT value FROM meta WHERE key = 'scrub_pending'",
	[ST_DIRTY_CLR] = "DELETE FROM meta WHERE key = 'scrub_pending'",
	[ST_TOK_ADD] = "INSERT INTO tokens(user, kind, hash, expires_us)"
		" VALUES(?1, ?2, ?3, ?4)",
	[ST_TOK_USE] = "DELETE FROM tokens WHERE user = ?1 AND kind = ?2"
		" AND hash = ?3 AND expires_us > ?4",
	[ST_PG_TOKENS] = "DELETE FROM tokens WHERE rowid IN (SELECT rowid"
		" FROM tokens WHERE expires_us < ?1 LIMIT ?2)",
	[ST_AD_TOKENS] = "DELETE FROM tokens WHERE user = ?1",
	[ST_ACC_SETPW] = "UPDATE accounts SET ha1_md5 = ?3, ha1_sha256 = ?4,"
		" pwhash = ?5 WHERE user = ?1 AND domain = ?2",
	[ST_BEGIN_READ] = "BEGIN DEFERRED",
};

int store_fail(struct store *s, int rc, const char *what)
{
	int prim = rc & 0xff;

	snprintf(s->err, sizeof(s->err), "%s: %s", what,
		 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
	switch (prim) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_CONSTRAINT:
		return EEXIST;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return EINVAL;
	default:
		return EIO;
	}
}

int store_exec(struct store *s, const char *sql)
{
	int rc;

	(void)store_read_end(s);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, "exec");
}

sqlite3_stmt *store_st(struct store *s, enum store_stmt id)
{
	sqlite3_stmt *st = s->st[id];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

int store_bind_pl(sqlite3_stmt *st, int i, const struct pl *pl)
{
	if (!pl)
		return sqlite3_bind_null(st, i) ? EINVAL : 0;
	return sqlite3_bind_text(st, i, pl->p ? pl->p : "", (int)pl->len,
				 SQLITE_STATIC) ? EINVAL : 0;
}

int store_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len)
{
	return sqlite3_bind_blob64(st, i, p ? p : "", len, SQLITE_STATIC)
		? EINVAL : 0;
}

struct pl store_col_pl(sqlite3_stmt *st, int i)
{
	struct pl pl;

	/* The pointer first, then the length (SQLite's documented order). */
	pl.p = (const char *)sqlite3_column_blob(st, i);
	pl.len = (size_t)sqlite3_column_bytes(st, i);
	if (!pl.p) {
		pl.p = "";
		pl.len = 0;
	}
	return pl;
}

int store_step_done(struct store *s, sqlite3_stmt *st)
{
	int rc, err = 0;

	/* BEGIN and COMMIT count as read-only; the batch and transaction
	 * starts end the window themselves. */
	if (s->in_read && !sqlite3_stmt_readonly(st))
		(void)store_read_end(s);
	rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(s, rc, "step");
	sqlite3_reset(st);
	return err;
}

int store_each(struct store *s, sqlite3_stmt *st, store_row_fn *row,
	       void *ctx)
{
	int rc, err = 0;

	if (s->in_read && !sqlite3_stmt_readonly(st))
		(void)store_read_end(s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = row(ctx, st);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, rc, "query");
	sqlite3_reset(st);
	return err;
}

int store_tx_begin(struct store *s)
{
	(void)store_read_end(s);
	return store_step_done(s, store_st(s, s->in_batch ? ST_SAVEPOINT
					   : ST_BEGIN));
}

int store_tx_end(struct store *s, int err)
{
	int e2;

	if (s->in_batch) {
		if (err)
			(void)store_step_done(s, store_st(s, ST_ROLLBACK_TO));
		e2 = store_step_done(s, store_st(s, ST_RELEASE));
	} else {
		e2 = store_step_done(s, store_st(s, err ? ST_ROLLBACK
						 : ST_COMMIT));
		if (e2 && !err)
			(void)store_step_done(s, store_st(s, ST_ROLLBACK));
	}
	return err ? err : e2;
}

int store_batch_begin(struct store *s)
{
	int err;

	if (!s)
		return EINVAL;
	if (s->in_batch)
		return EPROTO;
	(void)store_read_end(s);
	err = store_step_done(s, store_st(s, ST_BEGIN));
	if (!err)
		s->in_batch = 1;
	return err;
}

int store_batch_commit(struct store *s)
{
	int err;

	if (!s || !s->in_batch)
		return EPROTO;
	err = store_step_done(s, store_st(s, ST_COMMIT));
	if (!err)
		s->in_batch = 0;
	return err;
}

int store_batch_rollback(struct store *s)
{
	if (!s || !s->in_batch)
		return EPROTO;
	s->in_batch = 0;
	return store_step_done(s, store_st(s, ST_ROLLBACK));
}

int store_read_begin(struct store *s)
{
	int err;

	if (!s)
		return EINVAL;
	if (s->in_batch || s->in_read)
		return 0;
	err = store_step_done(s, store_st(s, ST_BEGIN_READ));
	if (!err)
		s->in_read = 1;
	return err;
}

int store_read_end(struct store *s)
{
	if (!s || !s->in_read)
		return 0;
	s->in_read = 0;
	return store_step_done(s, store_st(s, ST_COMMIT));
}

const char *store_errmsg(const struct store *s)
{
	return s ? s->err : "no store";
}

int store_schema_version(const struct store *s)
{
	return s->schema;
}

static int current_version(struct store *s, int *v)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0)"
				" FROM schema_migrations", -1, &st, NULL);
	if (rc)
		return store_fail(s, rc, "schema");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "schema");
}

static int migrate(struct store *s)
{
	size_t i;
	int v = 0, err;

	err = store_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations("
			 "version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			 " applied_at TEXT NOT NULL)");
	if (err)
		return err;
	for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		const struct migration *m = &migrations[i];
		char ins[256];

		/* Re-read under the write lock: another process (refd and
		 * refctl starting together) may have migrated meanwhile. */
		err = store_exec(s, "BEGIN IMMEDIATE");
		if (!err)
			err = current_version(s, &v);
		if (!err && v < m->version) {
			err = store_exec(s, m->sql);
			snprintf(ins, sizeof(ins), "INSERT INTO schema_migrations"
				 " VALUES(%d, '%s', datetime('now'))",
				 m->version, m->name);
			if (!err)
				err = store_exec(s, ins);
		}
		if (err) {
			(void)sqlite3_exec(s->db, "ROLLBACK", 0, 0, 0);
			return err;
		}
		err = store_exec(s, "COMMIT");
		if (err)
			return err;
	}
	s->schema = migrations[sizeof(migrations) / sizeof(migrations[0]) - 1]
		.version;
	return current_version(s, &s->schema);
}

static int mkdir_p1(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return errno;
	return 0;
}

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = mem_alloc(la + lb + 2);

	if (!p)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

static int set_pragmas(struct store *s, const struct store_opts *o)
{
	char sql[256];

	if (o && o->busy_fn)
		sqlite3_busy_handler(s->db, o->busy_fn, o->busy_arg);
	else
		sqlite3_busy_timeout(s->db, o && o->busy_timeout_ms ?
				     (int)o->busy_timeout_ms : 5000);
	snprintf(sql, sizeof(sql), "PRAGMA journal_mode=WAL;"
		 "PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;"
		 "PRAGMA temp_store=MEMORY; PRAGMA synchronous=%s;%s",
		 o && o->sync_full ? "FULL" : "NORMAL",
		 o && o->no_autocheckpoint ? "PRAGMA wal_autocheckpoint=0;" :
		 "");
	return store_exec(s, sql);
}

int store_global_init(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		return EBUSY;
	return store_mem_install() ? EBUSY : 0;
}

int store_open(struct store **sp, const char *data_dir,
	       const struct store_opts *opts, char *err, size_t errsz)
{
	struct store *s;
	char *dbpath = NULL;
	int e, rc, i;

	if (!sp)
		return EINVAL;
	*sp = NULL;
	if (!data_dir || !*data_dir)
		return EINVAL;
	s = mem_zalloc(sizeof(*s));
	if (!s)
		return ENOMEM;
	s->dir = mem_strdup(data_dir);
	s->files_dir = path_join(data_dir, "files");
	s->vm_dir = path_join(data_dir, "voicemail");
	dbpath = path_join(data_dir, "platform.db");
	if (!s->dir || !s->files_dir || !s->vm_dir || !dbpath) {
		e = ENOMEM;
		goto out;
	}
	if ((e = mkdir_p1(data_dir)) || (e = mkdir_p1(s->files_dir)) ||
	    (e = mkdir_p1(s->vm_dir))) {
		snprintf(s->err, sizeof(s->err), "%s: %s", data_dir,
			 strerror(e));
		goto out;
	}
	/* Create the file ourselves so it is 0600 whatever the umask: SQLite
	 * gives the -wal and -shm files the database file's mode. Only when
	 * it does not exist yet: close() drops every POSIX lock this process
	 * holds on the file, those of the connections already open included
	 * (refd opens one per thread), and another process closing its
	 * connection would then believe it is the last one and unlink the
	 * WAL under them (test_store_locks). */
	if (access(dbpath, F_OK)) {
		e = open(dbpath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (e < 0 && errno != EEXIST) {
			e = errno;
			snprintf(s->err, sizeof(s->err), "%s: %s", dbpath,
				 strerror(e));
			goto out;
		}
		if (e >= 0)
			close(e);
	}
	rc = sqlite3_open_v2(dbpath, &s->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc) {
		e = store_fail(s, rc, dbpath);
		goto out;
	}
	if ((e = set_pragmas(s, opts)) || (e = migrate(s)))
		goto out;
	for (i = 0; i < ST_COUNT_; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &s->st[i],
					NULL);
		if (rc) {
			e = store_fail(s, rc, "prepare");
			goto out;
		}
	}
	e = store_blob_sweep(s);
out:
	mem_free(dbpath);
	if (e) {
		if (err && errsz)
			snprintf(err, errsz, "%s", s->err[0] ? s->err
				 : strerror(e));
		store_close(s);
		return e;
	}
	*sp = s;
	return 0;
}

void store_close(struct store *s)
{
	int i;

	if (!s)
		return;
	if (s->in_batch)
		(void)store_batch_commit(s);
	(void)store_read_end(s);
	for (i = 0; i < ST_COUNT_; i++)
		sqlite3_finalize(s->st[i]);
	if (s->db) {
		/* Leave no WAL behind when we are the last connection. */
		(void)sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)",
				   0, 0, 0);
		sqlite3_close(s->db);
	}
	mem_free(s->dir);
	mem_free(s->files_dir);
	mem_free(s->vm_dir);
	mem_free(s);
}

void store_set_yield(struct store *s, void (*fn)(void *arg), void *arg)
{
	if (s) {
		s->yield = fn;
		s->yield_arg = arg;
	}
}

int store_checkpoint(struct store *s)
{
	if (!s || s->in_batch)
		return EINVAL;
	return store_exec(s, "PRAGMA wal_checkpoint(PASSIVE)");
}

int store_mark_dirty(struct store *s)
{
	return store_step_done(s, store_st(s, ST_DIRTY_SET));
}

/*
 * PRAGMA wal_checkpoint(TRUNCATE) waits through the busy handler for the
 * writer lock and for readers to move to the newest snapshot, but a
 * writer in another process that commits again and again (refd under
 * load) can still win the race and leave busy set; a few more tries get
 * through between its commits (measured in t_refctl_crash.sh).
 */
#define CHECKPOINT_TRIES 50

static int checkpoint(struct store *s)
{
	int rc, busy = 1, err = 0, i;

	for (i = 0; i < CHECKPOINT_TRIES && busy && !err; i++) {
		sqlite3_stmt *st = store_st(s, ST_CHECKPOINT);

		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			busy = sqlite3_column_int(st, 0);
		else
			err = store_fail(s, rc, "checkpoint");
		sqlite3_reset(st);
	}
	if (!err && busy) {
		snprintf(s->err, sizeof(s->err), "checkpoint: another"
			 " process kept the WAL busy; the next purge retries");
		err = EBUSY;
	}
	return err;
}

static int64_t int_query(struct store *s, enum store_stmt q)
{
	sqlite3_stmt *st = store_st(s, q);
	int64_t v = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int store_scrub(struct store *s, int force, int *vacuumed)
{
	int err;

	if (vacuumed)
		*vacuumed = 0;
	if (s->in_batch)
		return EPROTO;
	(void)store_read_end(s);
	/*
	 * Measured (tests/unit/test_retention.c bulk test, and interleaved
	 * generations of messages with overflow pages): secure_delete zeroes
	 * the deleted cells and freed pages, but b-tree balancing leaves
	 * stale copies of moved cells in the unallocated space of live
	 * pages, so deleted rows can survive there. Only VACUUM, which
	 * rewrites every page, gets rid of them; it runs whenever something
	 * was deleted since the last scrub. The checkpoint then copies the
	 * clean pages over the old ones and TRUNCATE cuts the WAL, which
	 * held the old images, to zero bytes. A reader in another process
	 * can hold the checkpoint up: the busy handler waits up to the busy
	 * timeout, then EBUSY (the next scrub retries).
	 */
	if (!force && int_query(s, ST_FREELIST) == 0 &&
	    int_query(s, ST_DIRTY_GET) == 0)
		return checkpoint(s);
	err = store_exec(s, "VACUUM");
	if (!err)
		err = store_step_done(s, store_st(s, ST_DIRTY_CLR));
	if (!err && vacuumed)
		*vacuumed = 1;
	return err ? err : checkpoint(s);
}
