/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-protection export: everything the platform holds about one
 * user as one JSON document (account without hash values, XCAP, messages
 * to and from, files, voicemail list, CDRs, traces, push log, billing,
 * operator accesses).
 * Read-only; one pass over each store through the public list functions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_json.h"

struct exp {
	json_t *arr;
	int n;
};

#define EXP_CB(name, type, conv)					\
	static int name(void *arg, const type *row)			\
	{								\
		struct exp *e = arg;					\
		json_t *j = conv(row);					\
									\
		if (!j || json_array_append_new(e->arr, j))		\
			return ENOMEM;					\
		e->n++;							\
		return 0;						\
	}

EXP_CB(exp_account, struct store_account, store_json_account)
EXP_CB(exp_xcap, struct store_xcap, store_json_xcap)
EXP_CB(exp_msg, struct store_msg, store_json_msg)
EXP_CB(exp_file, struct store_file, store_json_file)
EXP_CB(exp_vm, struct store_vm, store_json_vm)
EXP_CB(exp_cdr, struct store_cdr, store_json_cdr)
EXP_CB(exp_trace, struct store_trace, store_json_trace)
EXP_CB(exp_push, struct store_push, store_json_push)
EXP_CB(exp_buy, struct store_purchase, store_json_purchase)

/* Operator accesses to this user's data (the portal's audit rows). */
static int exp_audit(void *arg, int64_t time_us, const struct pl *actor,
		     const struct pl *action, const struct pl *detail)
{
	struct exp *e = arg;
	char when[40];
	json_t *j;

	store_time_iso(time_us, when, sizeof(when));
	j = json_pack("{s:s, s:s%, s:s%, s:s%}", "time", when, "operator",
		      actor->p ? actor->p : "", actor->len, "action",
		      action->p ? action->p : "", action->len, "detail",
		      detail->p ? detail->p : "", detail->len);
	if (!j || json_array_append_new(e->arr, j))
		return ENOMEM;
	/* Not counted: the audit alone does not make a user "held". */
	return 0;
}

/* Run one listing into doc[key]; count rows into *total. */
static int section(json_t *doc, const char *key, int err, struct exp *e,
		   int *total)
{
	if (err && err != ENOENT) {
		json_decref(e->arr);
		return err;
	}
	*total += e->n;
	return json_object_set_new(doc, key, e->arr) ? ENOMEM : 0;
}

int store_export_user(struct store *s, const struct pl *user,
		      struct buf *out)
{
	struct exp e;
	json_t *doc, *acc;
	char *text = NULL;
	int err = 0, total = 0;

	if (!s || !user || !user->len || !out)
		return EINVAL;
	doc = json_object();
	if (!doc || json_object_set_new(doc, "user", json_stringn(user->p,
							user->len)))
		goto nomem;

#define SECTION(key, call)						\
	do {								\
		e.arr = json_array();					\
		e.n = 0;						\
		if (!e.arr)						\
			goto nomem;					\
		if ((err = section(doc, key, (call), &e, &total)))	\
			goto out;					\
	} while (0)

	SECTION("account", store_account_get(s, user, exp_account, &e));
	/* One account at most: unwrap the array into an object or null. */
	acc = json_array_get(json_object_get(doc, "account"), 0);
	json_object_set(doc, "account", acc ? acc : json_null());
	SECTION("xcap", store_xcap_list(s, user, exp_xcap, &e));
	SECTION("messages", store_msg_list(s, user, exp_msg, &e));
	SECTION("files", store_file_list(s, user, exp_file, &e));
	SECTION("voicemail", store_vm_list(s, user, exp_vm, &e));
	SECTION("cdrs", store_cdr_list(s, user, exp_cdr, &e));
	SECTION("traces", store_trace_list(s, user, exp_trace, &e));
	SECTION("push", store_push_list(s, user, exp_push, &e));
	SECTION("billing", store_purchase_list(s, user, exp_buy, &e));
	SECTION("operator_access", store_audit_list_user(s, user, exp_audit,
							 &e));
#undef SECTION
	if (!total) {
		err = ENOENT;
		goto out;
	}
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		goto nomem;
	err = buf_put_str(out, text);
	if (!err)
		err = buf_put_u8(out, '\n');
	goto out;
nomem:
	err = ENOMEM;
out:
	free(text);
	json_decref(doc);
	return err;
}
