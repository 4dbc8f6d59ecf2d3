/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The retention engine (POLICY.md, "deletion means the bytes are gone"):
 * a function of (stores, policy, now) that deletes every row and blob past
 * its period, then scrubs the database files. Every period comes from
 * struct policy; nothing here knows a number of days.
 *
 * Deletes run in chunks of PURGE_CHUNK rows, each its own short write
 * transaction, so a running refd waiting on the write lock (busy timeout)
 * gets in between chunks: purging a million CDRs must not stall calls.
 */
#include <errno.h>
#include <string.h>
#include "base/mem.h"
#include "policy/policy.h"
#include "store/store_int.h"

#define PURGE_CHUNK 2000

int store_ids_push(struct store_ids *ids, int64_t id)
{
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 64;
		int64_t *v = mem_realloc(ids->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return 0;
}

void store_ids_fini(struct store_ids *ids)
{
	mem_free(ids->v);
	memset(ids, 0, sizeof(*ids));
}

/* now - period, saturating (a period of years must not wrap). */
static int64_t cutoff(int64_t now_us, uint64_t period_s)
{
	if (period_s > (uint64_t)INT64_MAX / 1000000)
		return INT64_MIN;
	return now_us - (int64_t)(period_s * 1000000);
}

/* Run a "DELETE ... WHERE id IN (SELECT ... LIMIT ?2)" until done. */
static int del_chunked(struct store *s, enum store_stmt q, int64_t before,
		       uint64_t *count)
{
	int err, n;

	do {
		sqlite3_stmt *st;

		err = store_tx_begin(s);
		if (err)
			return err;
		st = store_st(s, q);
		sqlite3_bind_int64(st, 1, before);
		sqlite3_bind_int(st, 2, PURGE_CHUNK);
		err = store_step_done(s, st);
		n = err ? 0 : sqlite3_changes(s->db);
		err = store_tx_end(s, err);
		if (err)
			return err;
		*count += (uint64_t)n;
		if (s->yield)
			s->yield(s->yield_arg);
	} while (n == PURGE_CHUNK);
	return 0;
}

static int id_size_row(void *ctx, sqlite3_stmt *st)
{
	struct store_ids *ids = ctx;
	int err = store_ids_push(ids, sqlite3_column_int64(st, 0));

	/* Sizes ride along in the same array, interleaved. */
	return err ? err : store_ids_push(ids, sqlite3_column_int64(st, 1));
}

/* Delete the file rows of ids (id, size pairs), then wipe their blobs. */
static int drop_files(struct store *s, const struct store_ids *ids,
		      uint64_t *count, uint64_t *bytes)
{
	char path[4096];
	size_t i;
	int err;

	err = store_tx_begin(s);
	for (i = 0; !err && i < ids->n; i += 2) {
		sqlite3_stmt *st = store_st(s, ST_FILE_DEL_ID);

		sqlite3_bind_int64(st, 1, ids->v[i]);
		err = store_step_done(s, st);
	}
	err = store_tx_end(s, err);
	if (err)
		return err;
	if (s->yield)
		s->yield(s->yield_arg);
	for (i = 0; i < ids->n; i += 2) {
		*count += 1;
		*bytes += (uint64_t)ids->v[i + 1];
		if (!store_blob_path(s, 0, ids->v[i], path, sizeof(path)))
			err = store_blob_wipe(path);
		if (err)
			return err;
	}
	return 0;
}

static int purge_files(struct store *s, const struct policy *pol,
		       int64_t now_us, struct store_purge_report *rep)
{
	struct store_ids ids = { 0 };
	int err = 0;

	/* By age, per size class (P11). */
	do {
		sqlite3_stmt *st = store_st(s, ST_PG_FILES_SEL);

		ids.n = 0;
		sqlite3_bind_int64(st, 1, cutoff(now_us, pol->file_s));
		sqlite3_bind_int64(st, 2, (int64_t)pol->file_large_bytes);
		sqlite3_bind_int64(st, 3, cutoff(now_us, pol->file_large_s));
		sqlite3_bind_int(st, 4, PURGE_CHUNK);
		err = store_each(s, st, id_size_row, &ids);
		if (!err)
			err = drop_files(s, &ids, &rep->files,
					 &rep->file_bytes);
	} while (!err && ids.n == 2 * PURGE_CHUNK);

	store_ids_fini(&ids);
	if (!err) {
		uint64_t bytes = 0;

		err = store_file_quota(s, pol->file_quota_bytes,
				       &rep->files_quota, &bytes);
		rep->file_bytes += bytes;
	}
	return err;
}

int store_file_quota(struct store *s, uint64_t quota_bytes,
		     uint64_t *evicted, uint64_t *bytes)
{
	struct store_ids ids = { 0 };
	uint64_t usage = 0, n = 0, b = 0;
	int err;

	if (!s)
		return EINVAL;
	/* Oldest first while the store is over its quota. */
	while (!(err = store_file_usage(s, &usage)) && usage > quota_bytes) {
		sqlite3_stmt *st = store_st(s, ST_PG_FILES_OLDEST);
		struct store_ids one = { 0 };
		size_t i;

		ids.n = 0;
		sqlite3_bind_int(st, 1, 64);
		err = store_each(s, st, id_size_row, &ids);
		if (err || !ids.n)
			break;
		/* Take just enough of the oldest to get under the quota. */
		for (i = 0; i < ids.n && usage > quota_bytes; i += 2) {
			if ((err = store_ids_push(&one, ids.v[i])) ||
			    (err = store_ids_push(&one, ids.v[i + 1])))
				break;
			usage -= (uint64_t)ids.v[i + 1];
		}
		if (!err && one.n)
			err = store_mark_dirty(s);
		if (!err)
			err = drop_files(s, &one, &n, &b);
		store_ids_fini(&one);
		if (err)
			break;
	}
	store_ids_fini(&ids);
	if (evicted)
		*evicted = n;
	if (bytes)
		*bytes = b;
	return err;
}

int store_purge(struct store *s, const struct policy *pol, int64_t now_us,
		struct store_purge_report *rep)
{
	struct store_purge_report local;
	int err;

	if (!s || !pol)
		return EINVAL;
	if (s->in_batch)
		return EPROTO;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	if ((err = del_chunked(s, ST_PG_TRACES, cutoff(now_us, pol->trace_s),
			       &rep->traces)) ||
	    (err = del_chunked(s, ST_PG_CDRS, cutoff(now_us, pol->cdr_s),
			       &rep->cdrs)) ||
	    (err = del_chunked(s, ST_PG_PUSH, cutoff(now_us, pol->push_s),
			       &rep->push)) ||
	    (err = del_chunked(s, ST_PG_MSGS,
			       cutoff(now_us, pol->message_max_s),
			       &rep->messages)) ||
	    (err = del_chunked(s, ST_PG_BUY, cutoff(now_us, pol->billing_s),
			       &rep->billing)) ||
	    (err = del_chunked(s, ST_PG_AUDIT, cutoff(now_us, pol->audit_s),
			       &rep->audit)) ||
	    (err = del_chunked(s, ST_PG_TOKENS, now_us, &rep->tokens)) ||
	    (err = purge_files(s, pol, now_us, rep)) ||
	    (err = store_blob_sweep(s)))
		return err;
	if (rep->traces + rep->cdrs + rep->push + rep->messages + rep->files +
	    rep->files_quota + rep->billing + rep->audit + rep->tokens > 0 &&
	    (err = store_mark_dirty(s)))
		return err;
	/* Another process writing non-stop can keep the WAL from being cut:
	 * the rows are gone, the dirty mark makes the next scrub finish. */
	err = store_scrub(s, 0, &rep->vacuumed);
	if (err == EBUSY) {
		rep->scrub_pending = 1;
		err = 0;
	}
	return err;
}
