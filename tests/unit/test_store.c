/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ref/store (rows, blobs, accounts, hashes, OpenPGP
 * marking, batching, schema) and ref/policy (file, password rules), each
 * against a real SQLite store in a fresh temporary data_dir.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "base/mem.h"
#include "policy/policy.h"
#include "store/store.h"
#include "store/store_json.h"
#include "store/store_sip.h"
#include "test_store_util.h"

#define T0 1767225600000000LL	/* 2026-01-01T00:00:00Z */

static int setup(void **state)
{
	return store_fx_setup(state, "store");
}

static int teardown(void **state)
{
	return store_fx_teardown(state);
}

static void account_init(struct store_account *a, struct store_hashes *h,
			 const char *user, const char *pw)
{
	memset(a, 0, sizeof(*a));
	a->user = pl_from_str(user);
	a->domain = PL("example.test");
	a->created_us = T0;
	assert_int_equal(store_hash_password(a, h, pw), 0);
}

static void test_store_ha1_vectors(void **state)
{
	struct store_account a;
	struct store_hashes h;

	(void)state;
	/* RFC 2617 3.5: Mufasa / testrealm@host.com / Circle Of Life. */
	memset(&a, 0, sizeof(a));
	a.user = PL("Mufasa");
	a.domain = PL("testrealm@host.com");
	assert_int_equal(store_hash_password(&a, &h, "Circle Of Life"), 0);
	assert_string_equal(h.md5, "939e7578ed9e3c518a452acee763bce9");
	/* RFC 7616 3.9.1 credentials, SHA-256 HA1. */
	a.domain = PL("http-auth@example.org");
	assert_int_equal(store_hash_password(&a, &h, "Circle of Life"), 0);
	assert_string_equal(h.sha256, "7987c64c30e25f1b74be53f966b49b90f28"
			    "08aa92faf9a00262392d7b4794232");
	assert_int_equal(store_pwhash_verify(&a.pwhash, "Circle of Life"), 0);
	assert_int_equal(store_pwhash_verify(&a.pwhash, "Circle of life"),
			 EACCES);
	/* An explicit realm: the domain does not count. */
	a.domain = PL("example.test");
	assert_int_equal(store_hash_password_realm(&a, &h, "testrealm@host.com",
						   "Circle Of Life"), 0);
	assert_string_equal(h.md5, "939e7578ed9e3c518a452acee763bce9");
	store_hash_fini(&h);
	assert_int_equal(h.md5[0], 0);
}

static int acc_cb(void *arg, const struct store_account *a)
{
	int *n = arg;

	(*n)++;
	assert_true(pl_eq_str(&a->display, "Alice Example"));
	assert_true(pl_eq_str(&a->email, "alice@mail.test"));
	assert_int_equal(a->voicemail, 1);
	return 0;
}

static void test_store_accounts(void **state)
{
	struct store_fx *f = *state;
	struct store_account a;
	struct store_hashes h;
	struct pl aor = PL("alice@example.test"), user = PL("alice"),
		  dom = PL("example.test"), nobody = PL("nobody");
	char ha1[80];
	int64_t id = 0;
	int n = 0;

	account_init(&a, &h, "alice", "correct horse battery");
	a.display = PL("Alice Example");
	a.email = PL("alice@mail.test");
	a.voicemail = 1;
	assert_int_equal(store_account_add(f->s, &a, &id), 0);
	assert_true(id > 0);
	assert_int_equal(store_account_add(f->s, &a, NULL), EEXIST);
	assert_int_equal(store_account_ha1(f->s, &user, &dom, STORE_HA1_MD5,
					   ha1, sizeof(ha1)), 0);
	assert_string_equal(ha1, h.md5);
	assert_int_equal(store_account_ha1(f->s, &user, &dom,
					   STORE_HA1_SHA256, ha1,
					   sizeof(ha1)), 0);
	assert_string_equal(ha1, h.sha256);
	assert_int_equal(store_account_ha1(f->s, &nobody, &dom, STORE_HA1_MD5,
					   ha1, sizeof(ha1)), ENOENT);
	assert_int_equal(store_account_get(f->s, &aor, acc_cb, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_account_list(f->s, acc_cb, &n), 0);
	assert_int_equal(n, 2);
	/* The clear password is nowhere in the files. */
	assert_canary_gone(f->dir, "correct horse battery");
	/* Bad names are refused. */
	a.user = PL("al ice");
	assert_int_equal(store_account_add(f->s, &a, NULL), EINVAL);
	a.user = PL("bob");
	a.ha1_md5 = PL("xyz");
	assert_int_equal(store_account_add(f->s, &a, NULL), EINVAL);
	store_hash_fini(&h);
}

struct pgp_case {
	const char *ct;
	const char *body;
	size_t len;
	int want;
};

static void test_store_pgp_marking(void **state)
{
	static const unsigned char pkesk[] = { 0xc1, 0x0c, 3, 1, 2, 3, 4, 5,
					       6, 7, 8, 9, 1, 2 };
	static const unsigned char old_seipd[] = { 0x84, 0x03, 3, 1, 2 };
	static const unsigned char literal[] = { 0xcb, 0x03, 'b', 0, 0 };
	static const unsigned char truncated[] = { 0xc1, 0x40, 3 };
	const struct pgp_case cases[] = {
		{ "text/plain", "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEM\r\n"
		  "-----END PGP MESSAGE-----\r\n", 0, 1 },
		{ "text/plain", "\n  -----BEGIN PGP MESSAGE-----\n", 0, 1 },
		{ "text/plain", "-----BEGIN PGP SIGNED MESSAGE-----\n", 0, 0 },
		{ "text/plain", "hello bob", 0, 0 },
		{ "multipart/encrypted; protocol=\"application/pgp-encrypted\"",
		  "--b\r\n", 0, 1 },
		{ "Application/PGP-Encrypted", "Version: 1", 0, 1 },
		{ "application/octet-stream", (const char *)pkesk,
		  sizeof(pkesk), 1 },
		{ "application/octet-stream", (const char *)old_seipd,
		  sizeof(old_seipd), 1 },
		{ "application/octet-stream", (const char *)literal,
		  sizeof(literal), 0 },
		{ "application/octet-stream", (const char *)truncated,
		  sizeof(truncated), 0 },
		{ NULL, "", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl ct = pl_from_str(cases[i].ct);
		size_t len = cases[i].len ? cases[i].len
			     : strlen(cases[i].body);

		if (store_body_is_pgp(cases[i].ct ? &ct : NULL,
				      (const uint8_t *)cases[i].body, len) !=
		    cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
	}
}

struct msgs {
	int n;
	int64_t ids[8];
	int enc[8];
};

static int msg_cb(void *arg, const struct store_msg *m)
{
	struct msgs *x = arg;

	if (x->n < 8) {
		x->ids[x->n] = m->id;
		x->enc[x->n] = m->encrypted;
	}
	x->n++;
	return 0;
}

static void test_store_messages_devices(void **state)
{
	struct store_fx *f = *state;
	struct store_msg m = { 0 };
	struct pl bob = PL("bob@example.test"), d1 = PL("dev-1"),
		  d2 = PL("dev-2"), eve = PL("eve@example.test");
	struct msgs x;
	int64_t id1, id2;
	uint64_t n;

	m.time_us = T0;
	m.sender = PL("alice@example.test");
	m.recipient = bob;
	m.content_type = PL("text/plain");
	m.body = PL("hello bob");
	assert_int_equal(store_msg_add(f->s, &m, &id1), 0);
	m.body = PL("-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----");
	m.time_us++;
	assert_int_equal(store_msg_add(f->s, &m, &id2), 0);

	memset(&x, 0, sizeof(x));
	assert_int_equal(store_msg_list(f->s, &bob, msg_cb, &x), 0);
	assert_int_equal(x.n, 2);
	assert_int_equal(x.enc[0], 0);
	assert_int_equal(x.enc[1], 1);
	/* Device 1 gets both, then only what is new; device 2 still both. */
	assert_int_equal(store_msg_delivered(f->s, id1, &d1, T0 + 5), 0);
	assert_int_equal(store_msg_delivered(f->s, id1, &d1, T0 + 6), 0);
	memset(&x, 0, sizeof(x));
	assert_int_equal(store_msg_pending(f->s, &bob, &d1, msg_cb, &x), 0);
	assert_int_equal(x.n, 1);
	assert_int_equal(x.ids[0], id2);
	memset(&x, 0, sizeof(x));
	assert_int_equal(store_msg_pending(f->s, &bob, &d2, msg_cb, &x), 0);
	assert_int_equal(x.n, 2);
	/* Only a party deletes. */
	assert_int_equal(store_msg_delete(f->s, id1, &eve), ENOENT);
	assert_int_equal(store_msg_delete(f->s, id1, &bob), 0);
	assert_int_equal(store_msg_count(f->s, &bob, &n), 0);
	assert_int_equal(n, 1);
	/* A user's delete is scrubbed by the next purge run (every
	 * [purge] within), which ends in store_scrub. */
	assert_int_equal(store_scrub(f->s, 0, NULL), 0);
	assert_canary_gone(f->dir, "hello bob");
}

static int file_cb(void *arg, const struct store_file *fl)
{
	struct store_file *out = arg;

	*out = *fl;
	out->name = PL_NULL;
	return 0;
}

static void test_store_files_voicemail(void **state)
{
	struct store_fx *f = *state;
	struct store_file fl = { 0 }, got;
	struct store_vm v = { 0 };
	struct pl bob = PL("bob@example.test");
	struct buf b;
	char path[4096];
	int64_t id, vid;
	uint64_t usage;

	fl.time_us = T0;
	fl.owner = PL("alice@example.test");
	fl.recipient = bob;
	fl.name = PL("notes.txt");
	fl.content_type = PL("text/plain");
	assert_int_equal(store_file_add(f->s, &fl, (const uint8_t *)
					"FILECANARY-1 body", 17, &id), 0);
	assert_int_equal(store_file_get(f->s, id, file_cb, &got), 0);
	assert_int_equal(got.size, 17);
	assert_int_equal(got.encrypted, 0);
	assert_int_equal(store_file_usage(f->s, &usage), 0);
	assert_int_equal(usage, 17);
	buf_init(&b);
	assert_int_equal(store_file_read(f->s, id, &b), 0);
	assert_int_equal(b.len, 17);
	assert_memory_equal(b.data, "FILECANARY-1 body", 17);
	buf_fini(&b);
	assert_canary_present(f->dir, "FILECANARY-1");
	assert_int_equal(store_file_delete(f->s, id, &bob), 0);
	assert_int_equal(store_file_get(f->s, id, NULL, NULL), ENOENT);
	assert_canary_gone(f->dir, "FILECANARY-1");

	v.time_us = T0;
	v.owner = bob;
	v.caller = PL("alice@example.test");
	v.duration_ms = 3000;
	assert_int_equal(store_vm_add(f->s, &v, (const uint8_t *)
				      "RIFFVMCANARY", 12, &vid), 0);
	assert_int_equal(store_vm_path(f->s, vid, path, sizeof(path)), 0);
	assert_non_null(strstr(path, "/voicemail/"));
	assert_int_equal(access(path, R_OK), 0);
	assert_int_equal(store_vm_delete(f->s, vid, &bob), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_canary_gone(f->dir, "VMCANARY");
}

static void test_store_blob_sweep(void **state)
{
	struct store_fx *f = *state;
	char path[600], err[256];
	FILE *fp;

	/* A crash between blob write and commit leaves a blob with no row:
	 * the next open wipes it. */
	snprintf(path, sizeof(path), "%s/files/99", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("ORPHANCANARY", fp);
	fclose(fp);
	store_close(f->s);
	assert_int_equal(store_open(&f->s, f->dir, NULL, err, sizeof(err)),
			 0);
	assert_canary_gone(f->dir, "ORPHANCANARY");
}

static int xcap_cb(void *arg, const struct store_xcap *x)
{
	char *etag = arg;

	pl_strcpy(&x->etag, etag, 32);
	return 0;
}

static void test_store_xcap_batch(void **state)
{
	struct store_fx *f = *state;
	struct store_xcap x = { 0 };
	struct store_trace t = { 0 };
	struct pl u = PL("alice@example.test"), au = PL("resource-lists"),
		  doc = PL("index");
	int n = 0;
	char etag[32];

	x.user = u;
	x.auid = au;
	x.doc = doc;
	x.etag = PL("e1");
	x.body = PL("<resource-lists/>");
	assert_int_equal(store_xcap_put(f->s, &x), 0);
	x.etag = PL("e2");
	assert_int_equal(store_xcap_put(f->s, &x), 0);
	assert_int_equal(store_xcap_get(f->s, &u, &au, &doc, xcap_cb, etag),
			 0);
	assert_string_equal(etag, "e2");
	assert_int_equal(store_xcap_delete(f->s, &u, &au, &doc), 0);
	assert_int_equal(store_xcap_delete(f->s, &u, &au, &doc), ENOENT);

	/* A rolled-back batch leaves nothing; a committed one everything. */
	t.time_us = T0;
	t.caller = u;
	t.msg = PL("INVITE sip:bob@example.test SIP/2.0");
	assert_int_equal(store_batch_begin(f->s), 0);
	assert_int_equal(store_batch_begin(f->s), EPROTO);
	assert_int_equal(store_trace_add(f->s, &t), 0);
	assert_int_equal(store_batch_rollback(f->s), 0);
	assert_int_equal(store_batch_begin(f->s), 0);
	assert_int_equal(store_trace_add(f->s, &t), 0);
	assert_int_equal(store_trace_add(f->s, &t), 0);
	assert_int_equal(store_batch_commit(f->s), 0);
	(void)n;
}

static void test_store_schema_reopen(void **state)
{
	struct store_fx *f = *state;
	char err[256];

	assert_int_equal(store_schema_version(f->s), 6);
	store_close(f->s);
	assert_int_equal(store_open(&f->s, f->dir, NULL, err, sizeof(err)),
			 0);
	assert_int_equal(store_schema_version(f->s), 6);
	{
		struct store *s2 = (struct store *)1;

		assert_int_equal(store_open(&s2, "", NULL, err, sizeof(err)),
				 EINVAL);
		assert_null(s2);
		assert_int_equal(store_open(&s2, "/proc/no/such", NULL, err,
					    sizeof(err)), ENOENT);
		assert_non_null(strstr(err, "/proc/no/such"));
	}
}

static void test_store_time(void **state)
{
	static const struct {
		const char *in;
		int64_t us;
	} ok[] = {
		{ "2026-01-01T00:00:00Z", T0 },
		{ "2026-01-01", T0 },
		{ "2026-01-01T01:00:00+01:00", T0 },
		{ "2025-12-31T23:00:00-01:00", T0 },
		{ "2026-01-01T00:00:00.5Z", T0 + 500000 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T12:00", 1709208000000000LL },
	};
	static const char *const bad[] = {
		"", "2026", "2026-13-01", "2026-02-30", "2025-02-29",
		"2026-01-01T24:00:00Z", "2026-01-01T00:00:00Zjunk",
		"2026-01-01T00:00:00.Z", "26-01-01", "2026-01-01T00",
	};
	char buf[40];
	int64_t us;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (store_time_parse(ok[i].in, &us) || us != ok[i].us)
			fail_msg("parse %s", ok[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(store_time_parse(bad[i], &us), EINVAL);
	assert_string_equal(store_time_iso(T0 + 1234, buf, sizeof(buf)),
			    "2026-01-01T00:00:00.001Z");
	assert_string_equal(store_time_iso(-1000, buf, sizeof(buf)),
			    "1969-12-31T23:59:59.999Z");
}

static void test_store_policy_file(void **state)
{
	struct policy p;
	char err[600];

	(void)state;
	assert_int_equal(policy_load(&p, "ref/policy/sip2sip.policy", err,
				     sizeof(err)), 0);
	assert_int_equal(p.trace_s, 30 * 86400);
	assert_int_equal(p.cdr_s, 180 * 86400);
	assert_int_equal(p.push_s, 7 * 86400);
	assert_int_equal(p.message_max_s, 365 * 86400);
	assert_int_equal(p.file_s, 30 * 86400);
	assert_int_equal(p.file_large_s, 15 * 86400);
	assert_int_equal(p.file_large_bytes, 50000000);
	assert_int_equal(p.file_quota_bytes, 1073741824ULL);
	assert_int_equal(p.billing_s, 7ULL * 365 * 86400);
	assert_true(p.nwords > 100);
	assert_int_equal(policy_password_check(&p, "alice", "Password", err,
					       sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "common"));
	assert_int_equal(policy_password_check(&p, "alice", "short", err,
					       sizeof(err)), EINVAL);
	assert_int_equal(policy_password_check(&p, "alicealice",
					       "AliceAlice", err,
					       sizeof(err)), EINVAL);
	assert_int_equal(policy_password_check(&p, "alice", "n0t-in-list-7",
					       err, sizeof(err)), 0);
	policy_fini(&p);

	assert_int_equal(policy_load_str(&p, "t.policy", "[traces]\n"
					 "retention = 2d\n", NULL, err,
					 sizeof(err)), 0);
	assert_int_equal(p.trace_s, 2 * 86400);
	assert_int_equal(p.cdr_s, 180 * 86400);
	policy_fini(&p);
	assert_int_equal(policy_load_str(&p, "t.policy", "[traces]\n"
					 "retension = 2d\n", NULL, err,
					 sizeof(err)), EINVAL);
	assert_string_equal(err, "t.policy:2: [traces] retension: unknown key");
	assert_int_equal(policy_load_str(&p, "t.policy", "\n[cdrs]\n"
					 "retention = soon\n", NULL, err,
					 sizeof(err)), EINVAL);
	assert_non_null(strstr(err, "t.policy:3: [cdrs] retention"));
	assert_int_equal(policy_load_str(&p, "t.policy", "[passwords]\n"
					 "wordlist = /nonexistent/x\n", NULL,
					 err, sizeof(err)), ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x"));
}

static void test_store_export(void **state)
{
	struct store_fx *f = *state;
	struct store_account a;
	struct store_hashes h;
	struct store_cdr c = { 0 };
	struct store_msg m = { 0 };
	struct store_purchase p = { 0 };
	struct pl alice = PL("alice@example.test"), none = PL("x@y.test");
	json_error_t jerr;
	json_t *doc;
	struct buf b;

	account_init(&a, &h, "alice", "correct horse battery");
	a.email = PL("alice@mail.test");
	assert_int_equal(store_account_add(f->s, &a, NULL), 0);
	c.call_id = PL("call-1");
	c.caller = alice;
	c.callee = PL("bob@example.test");
	c.setup_us = T0;
	c.end_us = T0 + 2000000;
	c.status = 200;
	c.kind = PL("conference");
	assert_int_equal(store_cdr_add(f->s, &c), 0);
	m.time_us = T0;
	m.sender = PL("bob@example.test");
	m.recipient = alice;
	m.content_type = PL("application/octet-stream");
	m.body = pl_from_mem("\xff\x00\x01", 3);
	assert_int_equal(store_msg_add(f->s, &m, NULL), 0);
	p.time_us = T0;
	p.user = alice;
	p.amount_cents = 1250;
	p.name = PL("Alice Example");
	p.address = PL("1 Road");
	assert_int_equal(store_purchase_add(f->s, &p, NULL), 0);

	buf_init(&b);
	assert_int_equal(store_export_user(f->s, &none, &b), ENOENT);
	assert_int_equal(store_export_user(f->s, &alice, &b), 0);
	doc = json_loadb((const char *)b.data, b.len, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "user")),
			    "alice@example.test");
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(doc, "account"), "email")), "alice@mail.test");
	assert_null(strstr((const char *)b.data, h.md5));
	assert_null(strstr((const char *)b.data, "$argon2id$"));
	assert_int_equal(json_array_size(json_object_get(doc, "cdrs")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "cdrs"), 0), "setup")),
		"2026-01-01T00:00:00.000Z");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "cdrs"), 0), "kind")), "conference");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "messages"), 0), "body_base64")), "/wAB");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "billing"), 0), "amount")), "12.50");
	assert_int_equal(json_array_size(json_object_get(doc, "xcap")), 0);
	json_decref(doc);
	buf_fini(&b);
	store_hash_fini(&h);
}

static void test_store_tokens(void **state)
{
	struct store_fx *f = *state;
	struct store_account a;
	struct store_hashes h, h2;
	struct pl aor = PL("alice@example.test"), user = PL("alice"),
		  dom = PL("example.test");
	static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					 12, 13, 14, 15, 16 };
	struct store_delete_report rep;
	char tok[40], ha1[80];

	account_init(&a, &h, "alice", "first long password");
	assert_int_equal(store_account_add(f->s, &a, NULL), 0);
	assert_int_equal(store_token_new(f->s, &aor, STORE_TOKEN_RECOVERY,
					 rnd, T0 + 3600000000LL, tok,
					 sizeof(tok)), 0);
	assert_string_equal(tok, "0102030405060708090a0b0c0d0e0f10");
	/* The token itself is not stored, only its hash. */
	assert_canary_gone(f->dir, tok);
	assert_int_equal(store_token_use(f->s, &aor, STORE_TOKEN_DELETION,
					 tok, T0), EACCES);
	assert_int_equal(store_token_use(f->s, &aor, STORE_TOKEN_RECOVERY,
					 "0102", T0), EACCES);
	assert_int_equal(store_token_use(f->s, &aor, STORE_TOKEN_RECOVERY,
					 tok, T0 + 3600000001LL), EACCES);
	assert_int_equal(store_token_use(f->s, &aor, STORE_TOKEN_RECOVERY,
					 tok, T0), 0);
	assert_int_equal(store_token_use(f->s, &aor, STORE_TOKEN_RECOVERY,
					 tok, T0), EACCES);
	/* A new password replaces all three hashes. */
	account_init(&a, &h2, "alice", "second long password");
	assert_int_equal(store_account_set_password(f->s, &a), 0);
	assert_int_equal(store_account_ha1(f->s, &user, &dom, STORE_HA1_MD5,
					   ha1, sizeof(ha1)), 0);
	assert_string_equal(ha1, h2.md5);
	assert_int_equal(store_scrub(f->s, 0, NULL), 0);
	assert_canary_gone(f->dir, h.md5);
	a.user = PL("nobody");
	assert_int_equal(store_account_set_password(f->s, &a), ENOENT);
	/* Deletion takes pending tokens along. */
	assert_int_equal(store_token_new(f->s, &aor, STORE_TOKEN_DELETION,
					 rnd, T0 + 1, tok, sizeof(tok)), 0);
	assert_int_equal(store_account_delete(f->s, &aor, NULL, &rep), 0);
	assert_int_equal(store_token_use(f->s, &aor, STORE_TOKEN_DELETION,
					 tok, T0), EACCES);
	store_hash_fini(&h);
	store_hash_fini(&h2);
}

static void test_store_wav(void **state)
{
	static const uint8_t hdr[] = {
		'R', 'I', 'F', 'F', 54, 0, 0, 0, 'W', 'A', 'V', 'E',
		'f', 'm', 't', ' ', 18, 0, 0, 0, 7, 0, 1, 0,
		0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0, 0, 0,
		'f', 'a', 'c', 't', 4, 0, 0, 0, 3, 0, 0, 0,
		'd', 'a', 't', 'a', 3, 0, 0, 0, 0xff, 0x7f, 0xfe, 0 };
	struct buf b;

	(void)state;
	buf_init(&b);
	assert_int_equal(store_wav_g711(&b, 0, (const uint8_t *)"\xff\x7f\xfe",
					3), 0);
	assert_int_equal(b.len, sizeof(hdr));
	assert_memory_equal(b.data, hdr, sizeof(hdr));
	buf_reset(&b);
	assert_int_equal(store_wav_g711(&b, 1, NULL, 0), 0);
	assert_int_equal(b.len, 58);
	assert_int_equal(b.data[20], 6);
	assert_int_equal(store_wav_g711(&b, 1, NULL, 5), EINVAL);
	buf_fini(&b);
}

static int count_cb(void *arg, const void *row)
{
	(void)row;
	(*(int *)arg)++;
	return 0;
}

static int msg_count(void *arg, const struct store_msg *m)
{
	return count_cb(arg, m);
}

static int trace_check(void *arg, const struct store_trace *t)
{
	assert_true(pl_eq_str(&t->summary, "INVITE sip:bob@example.test SIP/2.0"));
	assert_true(pl_eq_str(&t->src, "127.0.0.1:5070"));
	assert_true(pl_eq_str(&t->transport, "tcp"));
	return count_cb(arg, t);
}

/* The relay's figures survive the trip through the store and its JSON. */
static int cdr_media_check(void *arg, const struct store_cdr *c)
{
	json_t *j = store_json_cdr(c), *m;

	assert_non_null(j);
	if (pl_eq_str(&c->call_id, "c1")) {	/* not relayed */
		assert_int_equal(c->relay[0].len + c->relay[1].len, 0);
		assert_true(json_is_null(json_object_get(j, "media")));
		json_decref(j);
		return count_cb(arg, c);
	}
	assert_true(pl_eq_str(&c->relay[0], "127.0.0.1:40000"));
	assert_true(pl_eq_str(&c->relay[1], "127.0.0.1:40002"));
	assert_int_equal(c->packets[0], 250);
	assert_int_equal(c->bytes[1], 43000);
	assert_int_equal(c->lost[1], 3);
	assert_int_equal(c->jitter_us[0], 1500);
	m = json_object_get(json_object_get(j, "media"), "from_callee");
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "packets")),
			 249);
	assert_string_equal(json_string_value(json_object_get(m, "relay")),
			    "127.0.0.1:40002");
	json_decref(j);
	return count_cb(arg, c);
}

static void test_store_sip_glue(void **state)
{
	struct store_fx *f = *state;
	struct store_sip g;
	struct sip_store_ops ops;
	struct store_account a;
	struct store_hashes h;
	struct sip_trace t;
	struct sip_cdr c;
	struct sip_message_rec m;
	struct net_addr src, dst;
	struct pl bob = PL("bob@example.test");
	char hex[SIP_HA1_MAX];
	int n = 0;

	account_init(&a, &h, "bob", "bob's long password");
	assert_int_equal(store_account_add(f->s, &a, NULL), 0);
	store_sip_init(&g, f->s, &ops);
	assert_int_equal(ops.ha1_get(ops.arg, "bob", "example.test",
				     SIP_AUTH_SHA256, hex, sizeof(hex)), 0);
	assert_string_equal(hex, h.sha256);
	assert_int_equal(ops.user_exists(ops.arg, "bob", "example.test"), 0);
	assert_int_equal(ops.user_exists(ops.arg, "eve", "example.test"),
			 ENOENT);
	store_hash_fini(&h);

	assert_int_equal(net_addr_parse(&PL("127.0.0.1:5070"), 5060, &src), 0);
	assert_int_equal(net_addr_parse(&PL("127.0.0.1:5060"), 5060, &dst), 0);
	memset(&t, 0, sizeof(t));
	t.call_id = PL("c1");
	t.caller = PL("alice@example.test");
	t.callee = bob;
	t.tp = NET_TCP;
	t.src = &src;
	t.dst = &dst;
	t.wall_us = 1767225600000000ULL;
	t.bytes = PL("INVITE sip:bob@example.test SIP/2.0\r\nVia: x\r\n\r\n");
	ops.trace_add(ops.arg, &t);
	memset(&c, 0, sizeof(c));
	strcpy(c.call_id, "c1");
	strcpy(c.caller, "alice@example.test");
	strcpy(c.callee, "bob@example.test");
	c.setup_us = c.end_us = 1767225600000000ULL;
	c.status = 486;
	ops.cdr_write(ops.arg, &c);
	strcpy(c.call_id, "c2");
	c.status = 200;
	c.media.present = true;
	strcpy(c.media.relay[0], "127.0.0.1:40000");
	strcpy(c.media.relay[1], "127.0.0.1:40002");
	c.media.packets[0] = 250;
	c.media.packets[1] = 249;
	c.media.bytes[0] = 43172;
	c.media.bytes[1] = 43000;
	c.media.lost[1] = 3;
	c.media.jitter_us[0] = 1500;
	ops.cdr_write(ops.arg, &c);
	memset(&m, 0, sizeof(m));
	m.from = PL("alice@example.test");
	m.to = bob;
	m.ctype = PL("text/plain");
	m.body = PL("hi");
	assert_int_equal(ops.message_store(ops.arg, &m), 0);
	assert_int_equal(g.traces + g.cdrs + g.messages, 4);
	assert_int_equal(g.write_errors, 0);
	assert_int_equal(store_trace_list(f->s, &bob, trace_check, &n), 0);
	assert_int_equal(store_cdr_list(f->s, &bob, cdr_media_check,
					&n), 0);
	assert_int_equal(store_msg_list(f->s, &bob, msg_count,
					&n), 0);
	assert_int_equal(n, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_ha1_vectors),
		cmocka_unit_test_setup_teardown(test_store_accounts, setup,
						teardown),
		cmocka_unit_test(test_store_pgp_marking),
		cmocka_unit_test_setup_teardown(test_store_messages_devices,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_files_voicemail,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_blob_sweep, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_xcap_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_schema_reopen,
						setup, teardown),
		cmocka_unit_test(test_store_time),
		cmocka_unit_test(test_store_policy_file),
		cmocka_unit_test_setup_teardown(test_store_export, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_sip_glue, setup,
						teardown),
		cmocka_unit_test(test_store_wav),
		cmocka_unit_test_setup_teardown(test_store_tokens, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
