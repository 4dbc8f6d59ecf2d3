/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plain row stores of store.h: session traces (P6), CDRs (P16), push
 * log (P9), XCAP documents (P5), purchases (P17) and the operator audit
 * log. Each is an insert and a listing; deletion is the retention engine's
 * (store_purge.c) or account deletion's (store_delete.c) job.
 */
#include <errno.h>
#include <string.h>
#include "store/store_int.h"

struct list_ctx {
	void *fn;
	void *arg;
	int n;
};

/* ---- traces ----------------------------------------------------------- */

int store_trace_add(struct store *s, const struct store_trace *t)
{
	sqlite3_stmt *st;

	if (!s || !t)
		return EINVAL;
	st = store_st(s, ST_TRACE_ADD);
	sqlite3_bind_int64(st, 1, t->time_us);
	store_bind_pl(st, 2, &t->call_id);
	store_bind_pl(st, 3, &t->caller);
	store_bind_pl(st, 4, &t->callee);
	sqlite3_bind_int(st, 5, !!t->dir_out);
	store_bind_pl(st, 6, &t->transport);
	store_bind_pl(st, 7, &t->src);
	store_bind_pl(st, 8, &t->dst);
	store_bind_pl(st, 9, &t->summary);
	store_bind_blob(st, 10, t->msg.p, t->msg.len);
	return store_step_done(s, st);
}

void store_trace_cols(sqlite3_stmt *st, struct store_trace *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->time_us = sqlite3_column_int64(st, 1);
	t->call_id = store_col_pl(st, 2);
	t->caller = store_col_pl(st, 3);
	t->callee = store_col_pl(st, 4);
	t->dir_out = sqlite3_column_int(st, 5);
	t->transport = store_col_pl(st, 6);
	t->src = store_col_pl(st, 7);
	t->dst = store_col_pl(st, 8);
	t->summary = store_col_pl(st, 9);
	t->msg = store_col_pl(st, 10);
}

static int trace_row(void *ctx, sqlite3_stmt *st)
{
	struct list_ctx *c = ctx;
	struct store_trace t;

	store_trace_cols(st, &t);
	c->n++;
	return ((store_trace_fn *)c->fn)(c->arg, &t);
}

int store_trace_list(struct store *s, const struct pl *user,
		     store_trace_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_TRACE_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, trace_row, &c);
}

/* ---- CDRs ------------------------------------------------------------- */

int store_cdr_add(struct store *s, const struct store_cdr *r)
{
	sqlite3_stmt *st;
	int k;

	if (!s || !r)
		return EINVAL;
	st = store_st(s, ST_CDR_ADD);
	store_bind_pl(st, 1, &r->call_id);
	store_bind_pl(st, 2, &r->caller);
	store_bind_pl(st, 3, &r->callee);
	sqlite3_bind_int64(st, 4, r->setup_us);
	sqlite3_bind_int64(st, 5, r->answer_us);
	sqlite3_bind_int64(st, 6, r->end_us ? r->end_us : r->setup_us);
	sqlite3_bind_int64(st, 7, r->duration_ms);
	sqlite3_bind_int(st, 8, r->status);
	store_bind_pl(st, 9, &r->hangup_by);
	store_bind_pl(st, 10, &r->caller_sig);
	store_bind_pl(st, 11, &r->callee_sig);
	store_bind_pl(st, 12, &r->caller_media);
	store_bind_pl(st, 13, &r->callee_media);
	store_bind_pl(st, 14, &r->caller_ua);
	store_bind_pl(st, 15, &r->callee_ua);
	store_bind_pl(st, 16, &r->kind);
	for (k = 0; k < 2; k++) {
		store_bind_pl(st, 17 + k, &r->relay[k]);
		sqlite3_bind_int64(st, 19 + 4 * k, r->packets[k]);
		sqlite3_bind_int64(st, 20 + 4 * k, r->bytes[k]);
		sqlite3_bind_int64(st, 21 + 4 * k, r->lost[k]);
		sqlite3_bind_int64(st, 22 + 4 * k, r->jitter_us[k]);
	}
	return store_step_done(s, st);
}

static int cdr_row(void *ctx, sqlite3_stmt *st)
{
	struct list_ctx *c = ctx;
	struct store_cdr r;
	int k;

	r.id = sqlite3_column_int64(st, 0);
	r.call_id = store_col_pl(st, 1);
	r.caller = store_col_pl(st, 2);
	r.callee = store_col_pl(st, 3);
	r.setup_us = sqlite3_column_int64(st, 4);
	r.answer_us = sqlite3_column_int64(st, 5);
	r.end_us = sqlite3_column_int64(st, 6);
	r.duration_ms = sqlite3_column_int64(st, 7);
	r.status = sqlite3_column_int(st, 8);
	r.hangup_by = store_col_pl(st, 9);
	r.caller_sig = store_col_pl(st, 10);
	r.callee_sig = store_col_pl(st, 11);
	r.caller_media = store_col_pl(st, 12);
	r.callee_media = store_col_pl(st, 13);
	r.caller_ua = store_col_pl(st, 14);
	r.callee_ua = store_col_pl(st, 15);
	r.kind = store_col_pl(st, 16);
	for (k = 0; k < 2; k++) {
		r.relay[k] = store_col_pl(st, 17 + k);
		r.packets[k] = sqlite3_column_int64(st, 19 + 4 * k);
		r.bytes[k] = sqlite3_column_int64(st, 20 + 4 * k);
		r.lost[k] = sqlite3_column_int64(st, 21 + 4 * k);
		r.jitter_us[k] = sqlite3_column_int64(st, 22 + 4 * k);
	}
	c->n++;
	return ((store_cdr_fn *)c->fn)(c->arg, &r);
}

int store_cdr_list(struct store *s, const struct pl *user,
		   store_cdr_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_CDR_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, cdr_row, &c);
}

/* ---- push log --------------------------------------------------------- */

int store_push_add(struct store *s, const struct store_push *p)
{
	sqlite3_stmt *st;

	if (!s || !p)
		return EINVAL;
	st = store_st(s, ST_PUSH_ADD);
	sqlite3_bind_int64(st, 1, p->time_us);
	store_bind_pl(st, 2, &p->user);
	store_bind_pl(st, 3, &p->provider);
	store_bind_pl(st, 4, &p->kind);
	sqlite3_bind_int(st, 5, p->status);
	return store_step_done(s, st);
}

static int push_row(void *ctx, sqlite3_stmt *st)
{
	struct list_ctx *c = ctx;
	struct store_push p;

	p.id = sqlite3_column_int64(st, 0);
	p.time_us = sqlite3_column_int64(st, 1);
	p.user = store_col_pl(st, 2);
	p.provider = store_col_pl(st, 3);
	p.kind = store_col_pl(st, 4);
	p.status = sqlite3_column_int(st, 5);
	c->n++;
	return ((store_push_fn *)c->fn)(c->arg, &p);
}

int store_push_list(struct store *s, const struct pl *user,
		    store_push_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_PUSH_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, push_row, &c);
}

/* ---- XCAP documents --------------------------------------------------- */

int store_xcap_put(struct store *s, const struct store_xcap *x)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !x || !x->user.len || !x->auid.len || !x->doc.len ||
	    !x->etag.len)
		return EINVAL;
	/* A replace leaves the old version's bytes behind until VACUUM. */
	if ((err = store_mark_dirty(s)))
		return err;
	st = store_st(s, ST_XCAP_PUT);
	store_bind_pl(st, 1, &x->user);
	store_bind_pl(st, 2, &x->auid);
	store_bind_pl(st, 3, &x->doc);
	store_bind_pl(st, 4, &x->etag);
	store_bind_blob(st, 5, x->body.p, x->body.len);
	sqlite3_bind_int64(st, 6, x->time_us);
	return store_step_done(s, st);
}

static int xcap_row(void *ctx, sqlite3_stmt *st)
{
	struct list_ctx *c = ctx;
	struct store_xcap x;

	x.user = store_col_pl(st, 0);
	x.auid = store_col_pl(st, 1);
	x.doc = store_col_pl(st, 2);
	x.etag = store_col_pl(st, 3);
	x.body = store_col_pl(st, 4);
	x.time_us = sqlite3_column_int64(st, 5);
	c->n++;
	return c->fn ? ((store_xcap_fn *)c->fn)(c->arg, &x) : 0;
}

int store_xcap_get(struct store *s, const struct pl *user,
		   const struct pl *auid, const struct pl *doc,
		   store_xcap_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };
	sqlite3_stmt *st;
	int err;

	if (!s || !user || !auid || !doc)
		return EINVAL;
	st = store_st(s, ST_XCAP_GET);
	store_bind_pl(st, 1, user);
	store_bind_pl(st, 2, auid);
	store_bind_pl(st, 3, doc);
	err = store_each(s, st, xcap_row, &c);
	return err ? err : (c.n ? 0 : ENOENT);
}

int store_xcap_list(struct store *s, const struct pl *user,
		    store_xcap_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_XCAP_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, xcap_row, &c);
}

int store_xcap_delete(struct store *s, const struct pl *user,
		      const struct pl *auid, const struct pl *doc)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !user || !auid || !doc)
		return EINVAL;
	if ((err = store_mark_dirty(s)))
		return err;
	st = store_st(s, ST_XCAP_DEL);
	store_bind_pl(st, 1, user);
	store_bind_pl(st, 2, auid);
	store_bind_pl(st, 3, doc);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) == 0)
		err = ENOENT;
	return err;
}

/* ---- purchases -------------------------------------------------------- */

int store_purchase_add(struct store *s, const struct store_purchase *p,
		       int64_t *id_out)
{
	sqlite3_stmt *st;
	int err;

	if (!s || !p || !p->user.len || p->amount_cents < 0)
		return EINVAL;
	st = store_st(s, ST_BUY_ADD);
	sqlite3_bind_int64(st, 1, p->time_us);
	store_bind_pl(st, 2, &p->user);
	sqlite3_bind_int64(st, 3, p->amount_cents);
	store_bind_pl(st, 4, &p->name);
	store_bind_pl(st, 5, &p->address);
	err = store_step_done(s, st);
	if (!err && id_out)
		*id_out = sqlite3_last_insert_rowid(s->db);
	return err;
}

static int buy_row(void *ctx, sqlite3_stmt *st)
{
	struct list_ctx *c = ctx;
	struct store_purchase p;

	p.id = sqlite3_column_int64(st, 0);
	p.time_us = sqlite3_column_int64(st, 1);
	p.user = store_col_pl(st, 2);
	p.amount_cents = sqlite3_column_int64(st, 3);
	p.name = store_col_pl(st, 4);
	p.address = store_col_pl(st, 5);
	c->n++;
	return ((store_purchase_fn *)c->fn)(c->arg, &p);
}

int store_purchase_list(struct store *s, const struct pl *user,
			store_purchase_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_BUY_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, buy_row, &c);
}

/* ---- operator audit log ----------------------------------------------- */

int store_audit_add(struct store *s, int64_t time_us, const char *actor,
		    const char *action, const char *detail)
{
	sqlite3_stmt *st;
	struct pl a = pl_from_str(actor), b = pl_from_str(action),
		  d = pl_from_str(detail);

	if (!s || !action)
		return EINVAL;
	st = store_st(s, ST_AUDIT_ADD);
	sqlite3_bind_int64(st, 1, time_us);
	store_bind_pl(st, 2, &a);
	store_bind_pl(st, 3, &b);
	store_bind_pl(st, 4, &d);
	return store_step_done(s, st);
}

static int audit_row(void *ctx, sqlite3_stmt *st)
{
	struct list_ctx *c = ctx;
	struct pl a = store_col_pl(st, 1), b = store_col_pl(st, 2),
		  d = store_col_pl(st, 3);

	c->n++;
	return ((store_audit_fn *)c->fn)(c->arg, sqlite3_column_int64(st, 0),
					 &a, &b, &d);
}

int store_audit_list(struct store *s, store_audit_fn *fn, void *arg)
{
	struct list_ctx c = { (void *)fn, arg, 0 };

	if (!s || !fn)
		return EINVAL;
	return store_each(s, store_st(s, ST_AUDIT_LIST), audit_row, &c);
}
