/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the SQLite backend of store.h: the connection, the table of
 * prepared statements (prepared at open, finalized at close, STYLE.md 2.5
 * rule 7) and small binding helpers shared by the store_*.c files.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H

#include <sqlite3.h>
#include "store/store.h"

enum store_stmt {
	ST_BEGIN = 0, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_ACC_ADD, ST_ACC_HA1_MD5, ST_ACC_HA1_SHA, ST_ACC_GET, ST_ACC_LIST,
	ST_ACC_FLAGS, ST_ACC_DEL,
	ST_TRACE_ADD, ST_TRACE_LIST,
	ST_CDR_ADD, ST_CDR_LIST,
	ST_MSG_ADD, ST_MSG_LIST, ST_MSG_PENDING, ST_MSG_DELIVERED, ST_MSG_DEL,
	ST_MSG_COUNT,
	ST_FILE_ADD, ST_FILE_GET, ST_FILE_LIST, ST_FILE_DEL, ST_FILE_USAGE,
	ST_FILE_EXISTS,
	ST_VM_ADD, ST_VM_GET, ST_VM_LIST, ST_VM_DEL, ST_VM_EXISTS,
	ST_PUSH_ADD, ST_PUSH_LIST,
	ST_XCAP_PUT, ST_XCAP_GET, ST_XCAP_LIST, ST_XCAP_DEL,
	ST_BUY_ADD, ST_BUY_LIST,
	ST_AUDIT_ADD, ST_AUDIT_LIST,
	ST_PG_TRACES, ST_PG_CDRS, ST_PG_PUSH, ST_PG_MSGS, ST_PG_BUY,
	ST_PG_AUDIT, ST_PG_FILES_SEL, ST_PG_FILES_OLDEST, ST_FILE_DEL_ID,
	ST_VM_DEL_ID,
	ST_AD_XCAP, ST_AD_DELIV, ST_AD_MSGS, ST_AD_FILES_SEL, ST_AD_VM_SEL,
	ST_AD_VM_CALLER, ST_AD_TRACES, ST_AD_CDRS, ST_AD_PUSH, ST_AD_BUY,
	ST_CHECKPOINT, ST_FREELIST, ST_DIRTY_SET, ST_DIRTY_GET, ST_DIRTY_CLR,
	ST_TOK_ADD, ST_TOK_USE, ST_PG_TOKENS, ST_AD_TOKENS, ST_ACC_SETPW,
	ST_BEGIN_READ,
	ST_COUNT_
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT_];
	char *dir;		/* data_dir */
	char *files_dir;	/* data_dir/files */
	char *vm_dir;		/* data_dir/voicemail */
	int in_batch;
	int in_read;		/* store_read_begin's window is open */
	int schema;
	void (*yield)(void *arg);	/* between purge chunks, may be NULL */
	void *yield_arg;
	char err[256];
};

/* Reset + clear bindings of a statement and hand it out. */
sqlite3_stmt *store_st(struct store *s, enum store_stmt id);
/* Bind a slice as text (NULL pointer binds NULL only if allow_null). */
int store_bind_pl(sqlite3_stmt *st, int i, const struct pl *pl);
int store_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t len);
/* Column as slice (valid until the next step/reset). */
struct pl store_col_pl(sqlite3_stmt *st, int i);
/*
 * A traces row selected as "id, time_us, call_id, caller, callee, dir_out,
 * transport, src, dst, summary, msg" (in that order) into t; the slices
 * are valid until the next step/reset.
 */
struct store_trace;
void store_trace_cols(sqlite3_stmt *st, struct store_trace *t);
/* Step a statement expected to finish (DONE); maps errors. */
int store_step_done(struct store *s, sqlite3_stmt *st);
/* Map a SQLite result code to an errno and keep the message. */
int store_fail(struct store *s, int rc, const char *what);
/* Run SQL text (no rows). */
int store_exec(struct store *s, const char *sql);

/*
 * Write transaction helpers: outside a batch, BEGIN IMMEDIATE...COMMIT;
 * inside one, a SAVEPOINT so a failed multi-row write undoes itself only.
 */
int store_tx_begin(struct store *s);
int store_tx_end(struct store *s, int err);

/* Iterate the rows of st (already bound) into fn through conv. */
typedef int (store_row_fn)(void *ctx, sqlite3_stmt *st);
int store_each(struct store *s, sqlite3_stmt *st, store_row_fn *row,
	       void *ctx);

/*
 * Mark the database as holding deleted bytes that only VACUUM removes
 * (called before any delete or replace outside the purge, which scrubs
 * itself). Persistent, so the next scrub in any process sees it.
 */
int store_mark_dirty(struct store *s);

/* Split "user@domain" at the last '@'. EINVAL. */
int store_aor_split(const struct pl *aor, struct pl *user,
		    struct pl *domain);

/* Blob paths and wipe (store_blob.c). */
int store_blob_path(const struct store *s, int vm, int64_t id, char *path,
		    size_t sz);
/* Overwrite with zeros, fsync, unlink. ENOENT is not an error. */
int store_blob_wipe(const char *path);
/* Remove blob files that no row points to (crash leftovers). */
int store_blob_sweep(struct store *s);

/* SQLite's allocator of store_global_init (store_mem.c): install before
 * SQLite initialises (0, or -1); the calling thread's cached blocks
 * back to free(); the methods themselves, for tests. */
int store_mem_install(void);
void store_mem_thread_release(void);
const sqlite3_mem_methods *store_mem_methods(void);

/* Ids of rows matched by a query into a growable array (store_purge.c). */
struct store_ids {
	int64_t *v;
	size_t n, cap;
};
int store_ids_push(struct store_ids *ids, int64_t id);
void store_ids_fini(struct store_ids *ids);

#endif
