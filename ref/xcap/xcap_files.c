/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP file store core (POLICY.md P11): upload, list, download, delete of
 * files between users over the store's blob API; OpenPGP files are marked
 * encrypted by the store and kept as received. Request in, response out,
 * no sockets (xcap_http.c drives it). Access: the uploader and the named
 * recipient; anyone else sees 404.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "store/store_json.h"
#include "xcap/xcap.h"

static int status(struct xcap_resp *resp, int st)
{
	resp->status = st;
	return 0;
}

static int id_of(const struct pl *s, int64_t *id)
{
	uint64_t v;

	if (pl_to_u64(s, &v) || v == 0 || v > INT64_MAX)
		return EINVAL;
	*id = (int64_t)v;
	return 0;
}

struct access {
	const struct pl *user;
	int ok;
};

static int access_cb(void *arg, const struct store_file *f)
{
	struct access *a = arg;

	a->ok = pl_eq(&f->owner, a->user) || pl_eq(&f->recipient, a->user);
	return 0;
}

static int list_cb(void *arg, const struct store_file *f)
{
	json_t *j = store_json_file(f);

	return !j || json_array_append_new(arg, j) ? ENOMEM : 0;
}

static int put_json(struct xcap_resp *resp, json_t *j)
{
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int e;

	json_decref(j);
	if (!t)
		return ENOMEM;
	e = buf_put_str(&resp->body, t);
	free(t);
	resp->ctype = "application/json";
	return e;
}

static int upload(struct store *s, const struct xcap_req *r,
		  const struct pl *to, const struct pl *name,
		  struct xcap_resp *resp)
{
	struct store_file f;
	int64_t id;
	int e, enc;

	if (!to->len || !name->len || !pl_chr(to, '@') || name->len > 255)
		return status(resp, 400);
	memset(&f, 0, sizeof(f));
	f.time_us = r->now_us;
	f.owner = r->user;
	f.recipient = *to;
	f.name = *name;
	f.content_type = r->ctype.len ? r->ctype
			 : PL("application/octet-stream");
	e = store_file_add(s, &f, (const uint8_t *)r->body.p, r->body.len,
			   &id);
	if (e)
		return e;
	enc = store_body_is_pgp(&f.content_type, (const uint8_t *)r->body.p,
				r->body.len);
	resp->status = 201;
	return put_json(resp, json_pack("{s:I,s:I,s:b}", "id", (json_int_t)id,
					"size", (json_int_t)r->body.len,
					"encrypted", enc));
}

int xcap_files_handle(struct store *s, uint64_t quota_bytes,
		      const struct xcap_req *r, struct xcap_resp *resp)
{
	struct pl p = r->path, a, b;
	struct access acc = { &r->user, 0 };
	int64_t id;
	int e;

	resp->status = 500;
	resp->ctype = NULL;
	resp->etag[0] = '\0';
	resp->allow = NULL;
	if (!pl_prefix_case(&p, "/files"))
		return status(resp, 404);
	pl_advance(&p, 6);
	if (p.len && p.p[0] == '/')
		pl_advance(&p, 1);
	if (pl_eq_str(&r->method, "POST")) {
		if (pl_split(&p, '/', &a, &b) || pl_chr(&b, '/'))
			return status(resp, 400);
		e = upload(s, r, &a, &b, resp);
		/* Over the quota now: the oldest files go, maybe this one. */
		if (!e && resp->status == 201 && quota_bytes)
			e = store_file_quota(s, quota_bytes, NULL, NULL);
		return e;
	}
	if (!p.len && pl_eq_str(&r->method, "GET")) {
		json_t *arr = json_array();

		if (!arr)
			return ENOMEM;
		e = store_file_list(s, &r->user, list_cb, arr);
		if (e) {
			json_decref(arr);
			return e;
		}
		resp->status = 200;
		return put_json(resp, arr);
	}
	if (id_of(&p, &id))
		return status(resp, 404);
	e = store_file_get(s, id, access_cb, &acc);
	if (e && e != ENOENT)
		return e;
	if (e || !acc.ok)
		return status(resp, 404);
	if (pl_eq_str(&r->method, "GET")) {
		e = store_file_read(s, id, &resp->body);
		if (e)
			return e;
		resp->ctype = "application/octet-stream";
		return status(resp, 200);
	}
	if (pl_eq_str(&r->method, "DELETE")) {
		e = store_file_delete(s, id, &r->user);
		return e ? e : status(resp, 200);
	}
	resp->allow = "GET, POST, DELETE";
	return status(resp, 405);
}
