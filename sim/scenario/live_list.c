/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The expect lines of the live backend, answered from the platform's own
 * listings (`refctl ... --json`, one JSON array of objects each; SPEC.md):
 * CDRs by caller and callee, traces as distinct calls of a user, messages
 * held for a recipient (optionally only encrypted or only clear), and the
 * account list.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "scenario/live.h"

static int list(struct scn_ctx *c, json_t **arr, char *err, size_t errsz,
		const char *what, const char *user)
{
	struct buf out;
	json_error_t je;
	int rc;

	buf_init(&out);
	rc = user ? scn_live_ctl(c, &out, err, errsz, what, "list", "--user",
				 user, "--json", NULL) :
		scn_live_ctl(c, &out, err, errsz, what, "list", "--json",
			     NULL);
	if (rc)
		goto out;
	*arr = json_loadb(out.len ? (char *)out.data : "", out.len, 0, &je);
	if (!*arr || !json_is_array(*arr)) {
		snprintf(err, errsz, "refctl %s list --json: not a JSON array "
			 "(%s)", what, *arr ? "other type" : je.text);
		json_decref(*arr);
		rc = EBADMSG;
	}
out:
	buf_fini(&out);
	return rc;
}

static const char *sfield(json_t *o, const char *k1, const char *k2)
{
	const char *v = json_string_value(json_object_get(o, k1));

	return v ? v : json_string_value(json_object_get(o, k2));
}

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

int scn_live_count_cdr(struct scn_ctx *c, const char *a, const char *b,
		       uint64_t *n, char *err, size_t errsz)
{
	char aa[200], ab[200];
	json_t *arr, *o;
	size_t i;
	int rc = list(c, &arr, err, errsz, "cdr", NULL);

	if (rc)
		return rc;
	scn_aor(c, a, aa, sizeof(aa));
	scn_aor(c, b, ab, sizeof(ab));
	*n = 0;
	json_array_foreach(arr, i, o)
		*n += streq(sfield(o, "caller", "from"), aa) &&
		      streq(sfield(o, "callee", "to"), ab);
	json_decref(arr);
	return 0;
}

int scn_live_count_trace(struct scn_ctx *c, const char *a, uint64_t *n,
			 char *err, size_t errsz)
{
	char aa[200];
	json_t *arr, *o, *seen = json_object();
	size_t i;
	int rc;

	if (!seen)
		return ENOMEM;
	scn_aor(c, a, aa, sizeof(aa));
	rc = list(c, &arr, err, errsz, "trace", aa);
	if (rc) {
		json_decref(seen);
		return rc;
	}
	/* "calls of A that have stored trace rows": distinct Call-IDs. */
	json_array_foreach(arr, i, o) {
		const char *cid = sfield(o, "call_id", "callid");

		if (cid && streq(sfield(o, "caller", "from"), aa))
			json_object_set_new(seen, cid, json_true());
	}
	*n = json_object_size(seen);
	json_decref(seen);
	json_decref(arr);
	return 0;
}

int scn_live_count_message(struct scn_ctx *c, const char *b, int encrypted,
			   uint64_t *n, char *err, size_t errsz)
{
	char ab[200];
	json_t *arr, *o;
	size_t i;
	int rc;

	scn_aor(c, b, ab, sizeof(ab));
	rc = list(c, &arr, err, errsz, "message", ab);
	if (rc)
		return rc;
	*n = 0;
	json_array_foreach(arr, i, o) {
		json_t *e = json_object_get(o, "encrypted");

		if (!streq(sfield(o, "recipient", "to"), ab))
			continue;
		if (encrypted >= 0 && (json_is_true(e) ||
				       (json_is_integer(e) &&
					json_integer_value(e))) != encrypted)
			continue;
		(*n)++;
	}
	json_decref(arr);
	return 0;
}

int scn_live_account_exists(struct scn_ctx *c, const char *name, int *yes,
			    char *err, size_t errsz)
{
	char aa[200];
	json_t *arr, *o;
	size_t i;
	int rc = list(c, &arr, err, errsz, "account", NULL);

	if (rc)
		return rc;
	scn_aor(c, name, aa, sizeof(aa));
	*yes = 0;
	json_array_foreach(arr, i, o)
		if (streq(sfield(o, "aor", "user"), aa) ||
		    streq(sfield(o, "user", "aor"), name))
			*yes = 1;
	json_decref(arr);
	return 0;
}
