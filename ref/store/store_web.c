/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The store functions the self-care portal needs (schema version 6): an
 * account's e-mail and voicemail-by-e-mail flag, operator accesses in the
 * audit table with the subject user, so the user's export and account
 * deletion find them, and CDRs a page at a time (a user with 10k CDRs
 * would otherwise be read whole for every page view). These run at human speed (one per page view), so
 * they prepare their statement per call instead of adding to the shared
 * prepared-statement table that store_sqlite.c owns.
 */
#include <errno.h>
#include <string.h>
#include "store/store_int.h"

static int prep(struct store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, "portal");
}

/* Run an UPDATE on the account row of aor (?1 user, ?2 domain). */
static int acc_update(struct store *s, const struct pl *aor, const char *sql,
		      const struct pl *text, int flag)
{
	struct pl user, domain;
	sqlite3_stmt *st;
	int err;

	if (!s || !aor || store_aor_split(aor, &user, &domain))
		return EINVAL;
	if ((err = prep(s, sql, &st)))
		return err;
	store_bind_pl(st, 1, &user);
	store_bind_pl(st, 2, &domain);
	if (text)
		store_bind_pl(st, 3, text);
	else
		sqlite3_bind_int(st, 3, flag);
	if (!(err = store_mark_dirty(s)))
		err = store_step_done(s, st);
	if (!err && !sqlite3_changes(s->db))
		err = ENOENT;
	sqlite3_finalize(st);
	return err;
}

int store_account_set_email(struct store *s, const struct pl *aor,
			    const struct pl *email)
{
	struct pl empty = PL("");

	return acc_update(s, aor, "UPDATE accounts SET email = ?3"
			  " WHERE user = ?1 AND domain = ?2",
			  email ? email : &empty, 0);
}

int store_account_set_vm_email(struct store *s, const struct pl *aor,
			       int on)
{
	return acc_update(s, aor, "UPDATE accounts SET vm_email = ?3"
			  " WHERE user = ?1 AND domain = ?2", NULL, !!on);
}

int store_account_vm_email(struct store *s, const struct pl *aor, int *on)
{
	struct pl user, domain;
	sqlite3_stmt *st;
	int err, rc;

	if (!s || !aor || !on || store_aor_split(aor, &user, &domain))
		return EINVAL;
	if ((err = prep(s, "SELECT vm_email FROM accounts WHERE user = ?1"
			" AND domain = ?2", &st)))
		return err;
	store_bind_pl(st, 1, &user);
	store_bind_pl(st, 2, &domain);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*on = sqlite3_column_int(st, 0);
	else
		err = rc == SQLITE_DONE ? ENOENT : store_fail(s, rc, "vm_email");
	sqlite3_finalize(st);
	return err;
}

int store_audit_access(struct store *s, int64_t time_us, const char *actor,
		       const struct pl *subject, const char *action,
		       const char *detail)
{
	struct pl a = pl_from_str(actor), b = pl_from_str(action),
		  d = pl_from_str(detail);
	sqlite3_stmt *st;
	int err;

	if (!s || !actor || !subject || !action)
		return EINVAL;
	if ((err = prep(s, "INSERT INTO audit(time_us, actor, action, detail,"
			" subject) VALUES(?1, ?2, ?3, ?4, ?5)", &st)))
		return err;
	sqlite3_bind_int64(st, 1, time_us);
	store_bind_pl(st, 2, &a);
	store_bind_pl(st, 3, &b);
	store_bind_pl(st, 4, &d);
	store_bind_pl(st, 5, subject);
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

int store_audit_list_user(struct store *s, const struct pl *subject,
			  store_audit_fn *fn, void *arg)
{
	sqlite3_stmt *st;
	int err = 0, rc = SQLITE_DONE;

	if (!s || !subject || !fn)
		return EINVAL;
	if ((err = prep(s, "SELECT time_us, actor, action, detail FROM audit"
			" WHERE subject = ?1 ORDER BY time_us, id", &st)))
		return err;
	store_bind_pl(st, 1, subject);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pl a = store_col_pl(st, 1), b = store_col_pl(st, 2),
			  d = store_col_pl(st, 3);

		err = fn(arg, sqlite3_column_int64(st, 0), &a, &b, &d);
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, rc, "audit");
	sqlite3_finalize(st);
	return err;
}

int store_audit_forget(struct store *s, const struct pl *subject)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !subject)
		return EINVAL;
	if ((err = prep(s, "DELETE FROM audit WHERE subject = ?1", &st)))
		return err;
	store_bind_pl(st, 1, subject);
	err = store_step_done(s, st);
	sqlite3_finalize(st);
	return err;
}

/* ---- CDRs for the portal ------------------------------------------------ */

#define WEB_CDR_COLS "id, call_id, caller, callee, setup_us, answer_us," \
	" end_us, duration_ms, status, hangup_by, kind"

static int cdr_rows(struct store *s, sqlite3_stmt *st, store_cdr_fn *fn,
		    void *arg, uint64_t *n)
{
	int err = 0, rc = SQLITE_DONE;

	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_cdr c;

		memset(&c, 0, sizeof(c));
		c.id = sqlite3_column_int64(st, 0);
		c.call_id = store_col_pl(st, 1);
		c.caller = store_col_pl(st, 2);
		c.callee = store_col_pl(st, 3);
		c.setup_us = sqlite3_column_int64(st, 4);
		c.answer_us = sqlite3_column_int64(st, 5);
		c.end_us = sqlite3_column_int64(st, 6);
		c.duration_ms = sqlite3_column_int64(st, 7);
		c.status = sqlite3_column_int(st, 8);
		c.hangup_by = store_col_pl(st, 9);
		c.kind = store_col_pl(st, 10);
		(*n)++;
		err = fn(arg, &c);
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, rc, "cdrs");
	return err;
}

int store_cdr_page(struct store *s, const struct pl *user, uint64_t offset,
		   uint32_t limit, store_cdr_fn *fn, void *arg)
{
	sqlite3_stmt *st;
	uint64_t n = 0;
	int err;

	if (!s || !fn || offset > INT64_MAX)
		return EINVAL;
	if ((err = prep(s, "SELECT " WEB_CDR_COLS " FROM cdrs WHERE ?1 IS NULL"
			" OR caller = ?1 OR callee = ?1 ORDER BY setup_us DESC,"
			" id DESC LIMIT ?2 OFFSET ?3", &st)))
		return err;
	store_bind_pl(st, 1, user);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, (int64_t)offset);
	err = cdr_rows(s, st, fn, arg, &n);
	sqlite3_finalize(st);
	return err;
}

int store_cdr_count(struct store *s, const struct pl *user, uint64_t *out)
{
	sqlite3_stmt *st;
	int err, rc;

	if (!s || !out)
		return EINVAL;
	if ((err = prep(s, "SELECT count(*) FROM cdrs WHERE ?1 IS NULL"
			" OR caller = ?1 OR callee = ?1", &st)))
		return err;
	store_bind_pl(st, 1, user);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "cdrs");
	sqlite3_finalize(st);
	return err;
}

int store_cdr_get(struct store *s, int64_t id, const struct pl *user,
		  store_cdr_fn *fn, void *arg)
{
	sqlite3_stmt *st;
	uint64_t n = 0;
	int err;

	if (!s || !fn)
		return EINVAL;
	if ((err = prep(s, "SELECT " WEB_CDR_COLS " FROM cdrs WHERE id = ?2"
			" AND (?1 IS NULL OR caller = ?1 OR callee = ?1)", &st)))
		return err;
	store_bind_pl(st, 1, user);
	sqlite3_bind_int64(st, 2, id);
	err = cdr_rows(s, st, fn, arg, &n);
	sqlite3_finalize(st);
	return err ? err : (n ? 0 : ENOENT);
}

int store_trace_call(struct store *s, const struct pl *call_id,
		     const struct pl *user, store_trace_fn *fn, void *arg)
{
	sqlite3_stmt *st;
	int err, rc = SQLITE_DONE;

	if (!s || !call_id || !fn)
		return EINVAL;
	if ((err = prep(s, "SELECT id, time_us, call_id, caller, callee,"
			" dir_out, transport, src, dst, summary, msg FROM traces"
			" WHERE call_id = ?1 AND (?2 IS NULL OR caller = ?2 OR"
			" callee = ?2) ORDER BY time_us, id", &st)))
		return err;
	store_bind_pl(st, 1, call_id);
	store_bind_pl(st, 2, user);
	while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_trace t;

		store_trace_cols(st, &t);
		err = fn(arg, &t);
	}
	if (!err && rc != SQLITE_DONE)
		err = store_fail(s, rc, "traces");
	sqlite3_finalize(st);
	return err;
}
