/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Account deletion (POLICY.md P18): every row and blob of the account in
 * every store goes, in one transaction, then the blobs are wiped and the
 * database scrubbed. Billing rows (P17) stay: the law keeps them for their
 * own period, and the report says how many and until when.
 *
 * Voicemail the user left in someone else's mailbox belongs to that
 * mailbox's owner: the recording stays, the caller field is blanked so
 * the deleted address is not left behind.
 */
#include <errno.h>
#include <string.h>
#include "policy/policy.h"
#include "store/store_int.h"

static int del_by_user(struct store *s, enum store_stmt q,
		       const struct pl *aor, uint64_t *count)
{
	sqlite3_stmt *st = store_st(s, q);
	int err;

	store_bind_pl(st, 1, aor);
	err = store_step_done(s, st);
	if (!err && count)
		*count += (uint64_t)sqlite3_changes(s->db);
	return err;
}

static int id_row(void *ctx, sqlite3_stmt *st)
{
	return store_ids_push(ctx, sqlite3_column_int64(st, 0));
}

/* Select ids of blob rows with sel, delete them by id with del. */
static int del_blob_rows(struct store *s, enum store_stmt sel,
			 enum store_stmt del, const struct pl *aor,
			 struct store_ids *ids)
{
	sqlite3_stmt *st = store_st(s, sel);
	size_t i;
	int err;

	store_bind_pl(st, 1, aor);
	err = store_each(s, st, id_row, ids);
	for (i = 0; !err && i < ids->n; i++) {
		st = store_st(s, del);
		sqlite3_bind_int64(st, 1, ids->v[i]);
		err = store_step_done(s, st);
	}
	return err;
}

static int billing_kept(struct store *s, const struct pl *aor,
			const struct policy *pol,
			struct store_delete_report *rep)
{
	sqlite3_stmt *st = store_st(s, ST_AD_BUY);
	int rc, err = 0;

	store_bind_pl(st, 1, aor);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t last = sqlite3_column_int64(st, 1);

		rep->billing_kept = (uint64_t)sqlite3_column_int64(st, 0);
		if (rep->billing_kept && pol)
			rep->billing_until_us = last +
				(int64_t)pol->billing_s * 1000000;
	} else {
		err = store_fail(s, rc, "billing");
	}
	sqlite3_reset(st);
	return err;
}

static int wipe_all(struct store *s, int vm, const struct store_ids *ids)
{
	char path[4096];
	size_t i;
	int err = 0;

	for (i = 0; !err && i < ids->n; i++) {
		err = store_blob_path(s, vm, ids->v[i], path, sizeof(path));
		if (!err)
			err = store_blob_wipe(path);
	}
	return err;
}

int store_account_delete(struct store *s, const struct pl *aor,
			 const struct policy *pol,
			 struct store_delete_report *rep)
{
	struct store_delete_report local;
	struct store_ids files = { 0 }, vms = { 0 };
	struct pl user, domain;
	sqlite3_stmt *st;
	uint64_t removed;
	int err;

	if (!s || store_aor_split(aor, &user, &domain))
		return EINVAL;
	if (s->in_batch)
		return EPROTO;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	err = store_tx_begin(s);
	if (err)
		return err;
	st = store_st(s, ST_ACC_DEL);
	store_bind_pl(st, 1, &user);
	store_bind_pl(st, 2, &domain);
	err = store_step_done(s, st);
	if (!err)
		rep->accounts = (uint64_t)sqlite3_changes(s->db);
	if (!err)
		err = del_by_user(s, ST_AD_XCAP, aor, &rep->xcap);
	if (!err)
		err = del_by_user(s, ST_AD_DELIV, aor, &rep->deliveries);
	if (!err)
		err = del_by_user(s, ST_AD_MSGS, aor, &rep->messages);
	if (!err)
		err = del_blob_rows(s, ST_AD_FILES_SEL, ST_FILE_DEL_ID, aor,
				    &files);
	if (!err)
		err = del_blob_rows(s, ST_AD_VM_SEL, ST_VM_DEL_ID, aor, &vms);
	if (!err)
		err = del_by_user(s, ST_AD_VM_CALLER, aor, NULL);
	if (!err)
		err = del_by_user(s, ST_AD_TRACES, aor, &rep->traces);
	if (!err)
		err = del_by_user(s, ST_AD_CDRS, aor, &rep->cdrs);
	if (!err)
		err = del_by_user(s, ST_AD_PUSH, aor, &rep->push);
	if (!err)
		err = del_by_user(s, ST_AD_TOKENS, aor, NULL);
	if (!err)
		err = store_audit_forget(s, aor);
	if (!err)
		err = billing_kept(s, aor, pol, rep);
	err = store_tx_end(s, err);
	if (err)
		goto out;
	rep->files = files.n;
	rep->voicemail = vms.n;
	if ((err = wipe_all(s, 0, &files)) || (err = wipe_all(s, 1, &vms)))
		goto out;
	removed = rep->accounts + rep->xcap + rep->messages + rep->files +
		  rep->voicemail + rep->traces + rep->cdrs + rep->push;
	if (!removed && !rep->billing_kept) {
		err = ENOENT;
		goto out;
	}
	err = store_scrub(s, 1, NULL);
out:
	store_ids_fini(&files);
	store_ids_fini(&vms);
	return err;
}
