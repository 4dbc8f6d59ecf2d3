/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * XCAP tests: the protocol core through xcap_handle() (paths, owner rule,
 * ETags and conditional requests, validation, 409 bodies), then the HTTP
 * driver on 127.0.0.1 (port 0) with libcurl and digest auth: challenge,
 * wrong password and unknown user answered alike, owner-only access.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <curl/curl.h>
#include "base/mem.h"
#include "store/store.h"
#include "xcap/xcap.h"
#include "test_store_util.h"

#define RL "<?xml version=\"1.0\"?>\n<resource-lists xmlns=" \
	"\"urn:ietf:params:xml:ns:resource-lists\"><list name=\"friends\">" \
	"<entry uri=\"sip:bob@example.test\"/></list></resource-lists>"
#define ROOT "/xcap-root/resource-lists/users/sip:alice@example.test/index"

static int setup(void **state)
{
	return store_fx_setup(state, "xcap");
}

static int teardown(void **state)
{
	return store_fx_teardown(state);
}

/* One request through the core; the response body is kept in resp. */
static int req(struct store_fx *f, const char *method, const char *path,
	       const char *ctype, const char *body, const char *if_match,
	       const char *if_none, struct xcap_resp *resp)
{
	struct xcap_req r;

	memset(&r, 0, sizeof(r));
	r.method = pl_from_str(method);
	r.path = pl_from_str(path);
	r.ctype = pl_from_str(ctype);
	r.body = pl_from_str(body);
	r.if_match = pl_from_str(if_match);
	r.if_none_match = pl_from_str(if_none);
	r.user = PL("alice@example.test");
	r.now_us = 1767225600000000LL;
	buf_reset(&resp->body);
	assert_int_equal(xcap_handle(f->s, "/xcap-root", &r, resp), 0);
	return resp->status;
}

static void test_xcap_core(void **state)
{
	struct store_fx *f = *state;
	struct xcap_resp r;
	char etag[48], quoted[64];

	buf_init(&r.body);
	assert_int_equal(req(f, "GET", ROOT, NULL, NULL, NULL, NULL, &r), 404);
	assert_int_equal(req(f, "PUT", ROOT, "text/xml", RL, NULL, NULL, &r),
			 415);
	assert_int_equal(req(f, "PUT", ROOT, "application/resource-lists+xml",
			     "<resource-lists", NULL, NULL, &r), 409);
	assert_non_null(strstr((char *)r.body.data, "<not-well-formed/>"));
	assert_int_equal(req(f, "PUT", ROOT, "application/resource-lists+xml",
			     "<ruleset xmlns=\"urn:ietf:params:xml:ns:common-"
			     "policy\"/>", NULL, NULL, &r), 409);
	assert_non_null(strstr((char *)r.body.data,
			       "<schema-validation-error/>"));
	/* Create, then replace. */
	assert_int_equal(req(f, "PUT", ROOT, "application/resource-lists+xml",
			     RL, NULL, "*", &r), 201);
	snprintf(etag, sizeof(etag), "%s", r.etag);
	assert_int_equal(strlen(etag), 32);
	assert_int_equal(req(f, "PUT", ROOT, "application/resource-lists+xml",
			     RL, NULL, "*", &r), 412);
	assert_int_equal(req(f, "GET", ROOT, NULL, NULL, NULL, NULL, &r), 200);
	assert_string_equal(r.etag, etag);
	assert_int_equal(r.body.len, strlen(RL));
	assert_string_equal(r.ctype, "application/resource-lists+xml");
	snprintf(quoted, sizeof(quoted), "\"%s\"", etag);
	assert_int_equal(req(f, "GET", ROOT, NULL, NULL, NULL, quoted, &r),
			 304);
	assert_int_equal(req(f, "DELETE", ROOT, NULL, NULL, "\"nope\"", NULL,
			     &r), 412);
	assert_int_equal(req(f, "PUT", ROOT, "application/resource-lists+xml",
			     RL "<!-- v2 -->", quoted, NULL, &r), 200);
	assert_string_not_equal(r.etag, etag);
	/* Someone else's document, odd paths and methods. */
	assert_int_equal(req(f, "GET", "/xcap-root/resource-lists/users/"
			     "sip:bob@example.test/index", NULL, NULL, NULL,
			     NULL, &r), 403);
	assert_int_equal(req(f, "GET", ROOT "/~~/resource-lists/list", NULL,
			     NULL, NULL, NULL, &r), 501);
	assert_int_equal(req(f, "GET", "/xcap-root/nope/users/x/index", NULL,
			     NULL, NULL, NULL, &r), 404);
	assert_int_equal(req(f, "GET", "/other", NULL, NULL, NULL, NULL, &r),
			 404);
	assert_int_equal(req(f, "POST", ROOT, NULL, NULL, NULL, NULL, &r),
			 405);
	assert_int_equal(req(f, "GET", "/xcap-root/xcap-caps/global/index",
			     NULL, NULL, NULL, NULL, &r), 200);
	assert_non_null(strstr((char *)r.body.data, "<auid>pres-rules</auid>"));
	assert_int_equal(req(f, "DELETE", ROOT, NULL, NULL, NULL, NULL, &r),
			 200);
	assert_int_equal(req(f, "DELETE", ROOT, NULL, NULL, NULL, NULL, &r),
			 404);
	buf_fini(&r.body);
}

static void test_xcap_validate(void **state)
{
	static const struct {
		const char *auid, *doc;
		int want;
	} cases[] = {
		{ "resource-lists", RL, 0 },
		{ "pres-rules", "<cr:ruleset xmlns:cr=\"urn:ietf:params:xml:"
		  "ns:common-policy\"><cr:rule id=\"a\"/></cr:ruleset>", 0 },
		{ "pres-rules", "<ruleset xmlns=\"urn:ietf:params:xml:ns:"
		  "common-policy\"><list/></ruleset>", EINVAL },
		{ "resource-lists", "<!DOCTYPE r [<!ENTITY x SYSTEM "
		  "\"file:///etc/passwd\">]><resource-lists xmlns=\"urn:ietf:"
		  "params:xml:ns:resource-lists\">&x;</resource-lists>",
		  EINVAL },
		{ "resource-lists", "<resource-lists/>", EINVAL },
		{ "resource-lists", "", EBADMSG },
		{ "resource-lists", "<a><b></a>", EBADMSG },
	};
	char why[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl auid = pl_from_str(cases[i].auid);
		struct pl doc = pl_from_str(cases[i].doc);
		int e = xcap_validate(&auid, &doc, why, sizeof(why));

		if (e != cases[i].want)
			fail_msg("case %zu: got %d want %d", i, e,
				 cases[i].want);
	}
}

/* ---- over HTTP ----------------------------------------------------------- */

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;

	return buf_put(b, p, sz * n) ? 0 : sz * n;
}

static long http(uint16_t port, const char *method, const char *path,
		 const char *userpwd, const char *body, struct buf *out)
{
	char url[512];
	struct curl_slist *h = NULL;
	long code = 0;
	CURL *c = curl_easy_init();

	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (userpwd) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
		curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	}
	if (body) {
		h = curl_slist_append(h, strncmp(path, "/files", 6) ?
				      "Content-Type: "
				      "application/resource-lists+xml" :
				      "Content-Type: text/plain");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	buf_reset(out);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return code;
}

static void add_user(struct store_fx *f, const char *user, const char *pw)
{
	struct store_account a;
	struct store_hashes h;

	memset(&a, 0, sizeof(a));
	a.user = pl_from_str(user);
	a.domain = PL("example.test");
	assert_int_equal(store_hash_password(&a, &h, pw), 0);
	assert_int_equal(store_account_add(f->s, &a, NULL), 0);
	store_hash_fini(&h);
}

static void test_xcap_http(void **state)
{
	struct store_fx *f = *state;
	struct xcap_http_cfg cfg = { 0 };
	struct xcap_http *h;
	struct buf b, b2;
	char err[300];
	uint16_t port;

	add_user(f, "alice", "alice-pass-123");
	add_user(f, "bob", "bob-pass-456");
	cfg.listen = "127.0.0.1:0";
	cfg.data_dir = f->dir;
	cfg.domain = "example.test";
	assert_int_equal(xcap_http_start(&h, &cfg, err, sizeof(err)), 0);
	port = xcap_http_port(h);
	assert_true(port > 0);
	buf_init(&b);
	buf_init(&b2);
	assert_int_equal(http(port, "GET", ROOT, NULL, NULL, &b), 401);
	assert_int_equal(http(port, "PUT", ROOT, "alice:alice-pass-123", RL,
			      &b), 201);
	assert_int_equal(http(port, "GET", ROOT, "alice:alice-pass-123", NULL,
			      &b), 200);
	assert_int_equal(b.len, strlen(RL));
	/* Wrong password and unknown user: same status, same body. */
	assert_int_equal(http(port, "GET", ROOT, "alice:wrong-password", NULL,
			      &b), 401);
	assert_int_equal(http(port, "GET", ROOT, "mallory:wrong-password",
			      NULL, &b2), 401);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.data, b2.data, b.len);
	/* Bob, authenticated, cannot read Alice's list. */
	assert_int_equal(http(port, "GET", ROOT, "bob:bob-pass-456", NULL,
			      &b), 403);
	assert_int_equal(http(port, "DELETE", ROOT, "alice:alice-pass-123",
			      NULL, &b), 200);
	buf_fini(&b);
	buf_fini(&b2);
	xcap_http_stop(h);
}

static void test_xcap_files_http(void **state)
{
	struct store_fx *f = *state;
	struct xcap_http_cfg cfg = { 0 };
	struct xcap_http *h;
	struct buf b;
	char err[300], path[64];
	uint16_t port;

	add_user(f, "alice", "alice-pass-123");
	add_user(f, "bob", "bob-pass-456");
	add_user(f, "carol", "carol-pass-789");
	cfg.listen = "127.0.0.1:0";
	cfg.data_dir = f->dir;
	cfg.domain = "example.test";
	cfg.max_file = 4096;
	cfg.file_quota = 2000;
	assert_int_equal(xcap_http_start(&h, &cfg, err, sizeof(err)), 0);
	port = xcap_http_port(h);
	buf_init(&b);
	assert_int_equal(http(port, "POST", "/files/bob@example.test/a.txt",
			      NULL, "FILE-CANARY-e7 hello bob", &b), 401);
	assert_int_equal(http(port, "POST", "/files/bob@example.test/a.txt",
			      "alice:alice-pass-123",
			      "FILE-CANARY-e7 hello bob", &b), 201);
	assert_non_null(strstr((char *)b.data, "\"id\":1"));
	assert_non_null(strstr((char *)b.data, "\"encrypted\":false"));
	assert_canary_present(f->dir, "FILE-CANARY-e7");
	assert_int_equal(http(port, "GET", "/files/1", "bob:bob-pass-456",
			      NULL, &b), 200);
	assert_int_equal(b.len, 24);
	assert_memory_equal(b.data, "FILE-CANARY-e7 hello bob", 24);
	assert_int_equal(http(port, "GET", "/files/1", "carol:carol-pass-789",
			      NULL, &b), 404);
	assert_int_equal(http(port, "GET", "/files", "bob:bob-pass-456", NULL,
			      &b), 200);
	assert_non_null(strstr((char *)b.data, "\"name\":\"a.txt\""));
	assert_int_equal(http(port, "GET", "/files", "carol:carol-pass-789",
			      NULL, &b), 200);
	assert_string_equal((char *)b.data, "[]");
	assert_int_equal(http(port, "POST", "/files/nobody", "alice:"
			      "alice-pass-123", "x", &b), 400);
	{
		char big[5000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(http(port, "POST", "/files/bob@example.test/"
				      "big", "alice:alice-pass-123", big, &b),
				 413);
	}
	/* Two 1200-byte uploads pass the 2000-byte quota: the oldest two
	 * (the 24-byte file 1, then file 2) are evicted at once. */
	{
		char mid[1201];

		memset(mid, 'm', 1200);
		mid[1200] = '\0';
		assert_int_equal(http(port, "POST", "/files/bob@example.test/"
				      "m1", "alice:alice-pass-123", mid, &b),
				 201);
		assert_int_equal(http(port, "GET", "/files/1", "bob:"
				      "bob-pass-456", NULL, &b), 200);
		assert_int_equal(http(port, "POST", "/files/bob@example.test/"
				      "m2", "alice:alice-pass-123", mid, &b),
				 201);
		assert_int_equal(http(port, "GET", "/files/1", "bob:"
				      "bob-pass-456", NULL, &b), 404);
		assert_int_equal(http(port, "GET", "/files/2", "bob:"
				      "bob-pass-456", NULL, &b), 404);
		assert_int_equal(http(port, "GET", "/files/3", "bob:"
				      "bob-pass-456", NULL, &b), 200);
	}
	snprintf(path, sizeof(path), "/files/%d", 3);
	assert_int_equal(http(port, "DELETE", path, "bob:bob-pass-456", NULL,
			      &b), 200);
	assert_int_equal(http(port, "GET", path, "alice:alice-pass-123", NULL,
			      &b), 404);
	xcap_http_stop(h);
	/* The row's bytes go with the next scrub; the blob at once. */
	assert_int_equal(store_scrub(f->s, 0, NULL), 0);
	assert_canary_gone(f->dir, "FILE-CANARY-e7");
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_xcap_core, setup,
						teardown),
		cmocka_unit_test(test_xcap_validate),
		cmocka_unit_test_setup_teardown(test_xcap_http, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_xcap_files_http, setup,
						teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("xcap", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
