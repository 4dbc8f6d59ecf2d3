/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Retention engine tests, one per POLICY.md row with a period: insert
 * through the store API with unique canary strings, purge just before and
 * just past the period read from ref/policy/sip2sip.policy, and scan the
 * RAW BYTES of every file under data_dir: expired canaries must be gone
 * from the .db, -wal, -shm and blobs; younger ones must stay. Plus
 * account deletion (P18) with and without a purchase, and quota-driven
 * file eviction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "policy/policy.h"
#include "store/store.h"
#include "test_store_util.h"

#define T0 1767225600000000LL	/* 2026-01-01T00:00:00Z */
#define SEC 1000000LL
#define DAY (86400 * SEC)

struct fx {
	char dir[64];
	struct store *s;
	struct policy pol;
	int64_t blocks;
};

static int open_with(void **state, const char *policy_text)
{
	static struct fx f;
	char err[600];

	memset(&f, 0, sizeof(f));
	f.blocks = mem_blocks();
	tdir_make(f.dir, sizeof(f.dir), "retention");
	if (policy_text ?
	    policy_load_str(&f.pol, "test.policy", policy_text, NULL, err,
			    sizeof(err)) :
	    policy_load(&f.pol, "ref/policy/sip2sip.policy", err,
			sizeof(err)))
		fail_msg("policy: %s", err);
	if (store_open(&f.s, f.dir, NULL, err, sizeof(err)))
		fail_msg("store_open: %s", err);
	*state = &f;
	return 0;
}

static int setup(void **state)
{
	return open_with(state, NULL);
}

/* Small sizes so size classes and quota run on kilobytes, not GiB. */
static int setup_small_files(void **state)
{
	return open_with(state, "[files]\nretention = 30d\n"
			 "large_retention = 15d\nlarge_size = 4k\n"
			 "quota = 10k\n");
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	policy_fini(&f->pol);
	tdir_remove(f->dir);
	assert_int_equal(mem_blocks(), f->blocks);
	return 0;
}

static int64_t period_us(uint64_t s)
{
	return (int64_t)s * SEC;
}

static void purge_at(struct fx *f, int64_t now,
		     struct store_purge_report *r)
{
	struct store_purge_report local;

	assert_int_equal(store_purge(f->s, &f->pol, now, r ? r : &local), 0);
}

/* ---- one test per row -------------------------------------------------- */

static void add_trace(struct fx *f, int64_t t, const char *canary)
{
	struct store_trace tr = { 0 };
	char msg[256];

	snprintf(msg, sizeof(msg), "INVITE sip:bob@example.test SIP/2.0\r\n"
		 "Subject: %s\r\n\r\n", canary);
	tr.time_us = t;
	tr.call_id = pl_from_str(canary);
	tr.caller = PL("alice@example.test");
	tr.callee = PL("bob@example.test");
	tr.transport = PL("udp");
	tr.src = PL("127.0.0.1:5070");
	tr.dst = PL("127.0.0.1:5060");
	tr.summary = PL("INVITE sip:bob@example.test SIP/2.0");
	tr.msg = pl_from_str(msg);
	assert_int_equal(store_trace_add(f->s, &tr), 0);
}

static void test_retention_p6_traces(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	int64_t p = period_us(f->pol.trace_s);

	add_trace(f, T0, "CANARY-P6-OLD-7f3a");
	add_trace(f, T0 + p - DAY, "CANARY-P6-NEW-c41e");
	purge_at(f, T0 + p - SEC, &r);
	assert_int_equal(r.traces, 0);
	assert_canary_present(f->dir, "CANARY-P6-OLD-7f3a");
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.traces, 1);
	assert_canary_gone(f->dir, "CANARY-P6-OLD-7f3a");
	assert_canary_present(f->dir, "CANARY-P6-NEW-c41e");
}

static void add_cdr(struct fx *f, int64_t end, const char *canary)
{
	struct store_cdr c = { 0 };

	c.call_id = pl_from_str(canary);
	c.caller = PL("alice@example.test");
	c.callee = PL("bob@example.test");
	c.setup_us = end - 60 * SEC;
	c.answer_us = end - 50 * SEC;
	c.end_us = end;
	c.duration_ms = 50000;
	c.status = 200;
	c.hangup_by = PL("caller");
	c.caller_sig = PL("127.0.0.1:5070");
	c.caller_media = PL("127.0.0.1:40000");
	c.caller_ua = pl_from_str(canary);
	assert_int_equal(store_cdr_add(f->s, &c), 0);
}

static void test_retention_p16_cdrs(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	int64_t p = period_us(f->pol.cdr_s);

	add_cdr(f, T0, "CANARY-P16-OLD-91bd");
	add_cdr(f, T0 + p - DAY, "CANARY-P16-NEW-02aa");
	purge_at(f, T0 + p - SEC, &r);
	assert_int_equal(r.cdrs, 0);
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.cdrs, 1);
	assert_canary_gone(f->dir, "CANARY-P16-OLD-91bd");
	assert_canary_present(f->dir, "CANARY-P16-NEW-02aa");
}

static void add_push(struct fx *f, int64_t t, const char *canary)
{
	struct store_push p = { 0 };

	p.time_us = t;
	p.user = PL("alice@example.test");
	p.provider = pl_from_str(canary);
	p.kind = PL("call");
	p.status = 200;
	assert_int_equal(store_push_add(f->s, &p), 0);
}

static void test_retention_p9_push(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	int64_t p = period_us(f->pol.push_s);

	add_push(f, T0, "CANARY-P9-OLD-5c5c");
	add_push(f, T0 + p - DAY, "CANARY-P9-NEW-e0e0");
	purge_at(f, T0 + p - SEC, &r);
	assert_int_equal(r.push, 0);
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.push, 1);
	assert_canary_gone(f->dir, "CANARY-P9-OLD-5c5c");
	assert_canary_present(f->dir, "CANARY-P9-NEW-e0e0");
}

static void add_msg(struct fx *f, int64_t t, const char *from,
		    const char *to, const char *canary, int64_t *id)
{
	struct store_msg m = { 0 };

	m.time_us = t;
	m.sender = pl_from_str(from);
	m.recipient = pl_from_str(to);
	m.content_type = PL("text/plain");
	m.body = pl_from_str(canary);
	assert_int_equal(store_msg_add(f->s, &m, id), 0);
}

static void test_retention_p10_messages(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	struct pl dev = PL("device-1");
	int64_t p = period_us(f->pol.message_max_s), id;

	add_msg(f, T0, "alice@example.test", "bob@example.test",
		"CANARY-P10-OLD-aa11", &id);
	assert_int_equal(store_msg_delivered(f->s, id, &dev, T0 + SEC), 0);
	add_msg(f, T0 + p - DAY, "alice@example.test", "bob@example.test",
		"CANARY-P10-NEW-bb22", NULL);
	purge_at(f, T0 + p - SEC, &r);
	assert_int_equal(r.messages, 0);
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.messages, 1);
	assert_canary_gone(f->dir, "CANARY-P10-OLD-aa11");
	assert_canary_present(f->dir, "CANARY-P10-NEW-bb22");
}

static void add_file(struct fx *f, int64_t t, const char *canary,
		     size_t size, int64_t *id)
{
	struct store_file fl = { 0 };
	uint8_t *data = mem_zalloc(size);
	size_t n = strlen(canary);

	assert_non_null(data);
	memset(data, 'x', size);
	memcpy(data, canary, n < size ? n : size);
	fl.time_us = t;
	fl.owner = PL("alice@example.test");
	fl.recipient = PL("bob@example.test");
	fl.name = pl_from_str(canary);
	fl.content_type = PL("application/octet-stream");
	assert_int_equal(store_file_add(f->s, &fl, data, size, id), 0);
	mem_free(data);
}

static void test_retention_p11_files_by_age(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	int64_t p = period_us(f->pol.file_s);
	int64_t pl = period_us(f->pol.file_large_s);
	size_t big = (size_t)f->pol.file_large_bytes;

	assert_true(pl < p);
	add_file(f, T0, "CANARY-P11-SMALL-OLD-11", 100, NULL);
	add_file(f, T0 + pl, "CANARY-P11-SMALL-MID-22", 100, NULL);
	add_file(f, T0, "CANARY-P11-LARGE-OLD-33", big, NULL);
	add_file(f, T0 + DAY, "CANARY-P11-LARGE-NEW-44", big, NULL);
	/* Past the large period: only the old large file goes. */
	purge_at(f, T0 + pl + SEC, &r);
	assert_int_equal(r.files, 1);
	assert_int_equal(r.file_bytes, big);
	assert_canary_gone(f->dir, "CANARY-P11-LARGE-OLD-33");
	assert_canary_present(f->dir, "CANARY-P11-SMALL-OLD-11");
	assert_canary_present(f->dir, "CANARY-P11-LARGE-NEW-44");
	/* Past the small period for the first small file. */
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.files, 2);
	assert_canary_gone(f->dir, "CANARY-P11-SMALL-OLD-11");
	assert_canary_gone(f->dir, "CANARY-P11-LARGE-NEW-44");
	assert_canary_present(f->dir, "CANARY-P11-SMALL-MID-22");
}

static void test_retention_p11_quota(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	uint64_t usage;

	/* 4 x 3 KiB = 12 KiB over a 10 KiB quota: the oldest goes. */
	add_file(f, T0 + 3 * SEC, "CANARY-Q-3", 3072, NULL);
	add_file(f, T0 + 1 * SEC, "CANARY-Q-1", 3072, NULL);
	add_file(f, T0 + 2 * SEC, "CANARY-Q-2", 3072, NULL);
	add_file(f, T0 + 4 * SEC, "CANARY-Q-4", 3072, NULL);
	purge_at(f, T0 + DAY, &r);
	assert_int_equal(r.files, 0);
	assert_int_equal(r.files_quota, 1);
	assert_int_equal(store_file_usage(f->s, &usage), 0);
	assert_true(usage <= f->pol.file_quota_bytes);
	assert_canary_gone(f->dir, "CANARY-Q-1");
	assert_canary_present(f->dir, "CANARY-Q-2");
	assert_canary_present(f->dir, "CANARY-Q-3");
	assert_canary_present(f->dir, "CANARY-Q-4");
	/* A 9 KiB upload pushes two more of the oldest out. */
	add_file(f, T0 + 5 * SEC, "CANARY-Q-5", 9216, NULL);
	purge_at(f, T0 + DAY, &r);
	assert_int_equal(r.files_quota, 3);
	assert_canary_gone(f->dir, "CANARY-Q-2");
	assert_canary_gone(f->dir, "CANARY-Q-3");
	assert_canary_gone(f->dir, "CANARY-Q-4");
	assert_canary_present(f->dir, "CANARY-Q-5");
}

static void add_purchase(struct fx *f, int64_t t, const char *user,
			 const char *canary)
{
	struct store_purchase p = { 0 };

	p.time_us = t;
	p.user = pl_from_str(user);
	p.amount_cents = 999;
	p.name = pl_from_str(canary);
	p.address = PL("1 Example Road");
	assert_int_equal(store_purchase_add(f->s, &p, NULL), 0);
}

static void test_retention_p17_billing(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	int64_t p = period_us(f->pol.billing_s);

	add_purchase(f, T0, "alice@example.test", "CANARY-P17-OLD-77");
	add_purchase(f, T0 + p - DAY, "alice@example.test",
		     "CANARY-P17-NEW-88");
	purge_at(f, T0 + p - SEC, &r);
	assert_int_equal(r.billing, 0);
	assert_canary_present(f->dir, "CANARY-P17-OLD-77");
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.billing, 1);
	assert_canary_gone(f->dir, "CANARY-P17-OLD-77");
	assert_canary_present(f->dir, "CANARY-P17-NEW-88");
}

/* Many rows over many pages, most expired: b-tree merges and freed
 * pages must not keep old cells anywhere. */
static void test_retention_bulk_scrub(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	int64_t p = period_us(f->pol.trace_s);
	char canary[300];
	int i;

	assert_int_equal(store_batch_begin(f->s), 0);
	for (i = 0; i < 3000; i++) {
		snprintf(canary, sizeof(canary), "BULK-%s-%05d-%0200d",
			 i % 3 ? "OLD" : "NEW", i, i);
		add_trace(f, i % 3 ? T0 : T0 + p, canary);
	}
	assert_int_equal(store_batch_commit(f->s), 0);
	purge_at(f, T0 + p + SEC, &r);
	assert_int_equal(r.traces, 2000);
	assert_canary_gone(f->dir, "BULK-OLD");
	/* Twice a row: the Call-ID and the message. */
	assert_int_equal(canary_count(f->dir, "BULK-NEW-"), 2000);
}

/*
 * Three interleaved generations of messages, some with overflow pages,
 * purged one generation at a time. Without the VACUUM in store_scrub this
 * leaves copies of deleted bodies in the unallocated space of live pages
 * (measured: 2 of ~1000 after the first purge), which secure_delete alone
 * does not reach.
 */
static void test_retention_stale_cells(void **state)
{
	struct fx *f = *state;
	struct store_purge_report r;
	static char body[10000];
	int64_t p = period_us(f->pol.message_max_s);
	uint32_t seed = 7;
	int i;

	assert_int_equal(store_batch_begin(f->s), 0);
	for (i = 0; i < 3000; i++) {
		struct store_msg m = { 0 };
		int g, sz;

		seed = seed * 1103515245u + 12345u;
		g = (int)((seed >> 16) % 3);
		sz = 50 + (int)((seed >> 8) % (i % 5 == 0 ? 9000 : 400));
		memset(body, 'a' + i % 26, (size_t)sz);
		memcpy(body, g == 0 ? "GEN-A-" : g == 1 ? "GEN-B-" : "GEN-C-",
		       6);
		m.time_us = T0 + g * 100 * DAY;
		m.sender = PL("a@example.test");
		m.recipient = PL("b@example.test");
		m.content_type = PL("text/plain");
		m.body = pl_from_mem(body, (size_t)sz);
		assert_int_equal(store_msg_add(f->s, &m, NULL), 0);
	}
	assert_int_equal(store_batch_commit(f->s), 0);
	purge_at(f, T0 + p + SEC, &r);
	assert_true(r.vacuumed);
	assert_canary_gone(f->dir, "GEN-A-");
	assert_canary_present(f->dir, "GEN-B-");
	purge_at(f, T0 + 100 * DAY + p + SEC, &r);
	assert_canary_gone(f->dir, "GEN-B-");
	assert_canary_present(f->dir, "GEN-C-");
}

/* ---- account deletion (P18) -------------------------------------------- */

static void fill_account(struct fx *f, const char *aor, const char *tag)
{
	struct store_account a = { 0 };
	struct store_hashes h;
	struct store_xcap x = { 0 };
	struct store_vm v = { 0 };
	struct store_trace tr = { 0 };
	struct store_cdr c = { 0 };
	struct store_push p = { 0 };
	struct pl full = pl_from_str(aor), user, dom;
	struct pl dev = PL("dev-x");
	char buf[8][96];
	int64_t id;

	assert_int_equal(pl_split(&full, '@', &user, &dom), 0);
	a.user = user;
	a.domain = dom;
	snprintf(buf[0], 96, "Display %s", tag);
	snprintf(buf[1], 96, "mail-%s@mail.test", tag);
	a.display = pl_from_str(buf[0]);
	a.email = pl_from_str(buf[1]);
	a.created_us = T0;
	assert_int_equal(store_hash_password(&a, &h, "a long passphrase"), 0);
	assert_int_equal(store_account_add(f->s, &a, NULL), 0);
	store_hash_fini(&h);

	snprintf(buf[2], 96, "<resource-lists>XCAP-%s</resource-lists>", tag);
	x.user = full;
	x.auid = PL("resource-lists");
	x.doc = PL("index");
	x.etag = PL("1");
	x.body = pl_from_str(buf[2]);
	x.time_us = T0;
	assert_int_equal(store_xcap_put(f->s, &x), 0);

	snprintf(buf[3], 96, "MSG-TO-%s", tag);
	add_msg(f, T0, "carol@example.test", aor, buf[3], &id);
	assert_int_equal(store_msg_delivered(f->s, id, &dev, T0), 0);
	snprintf(buf[4], 96, "MSG-FROM-%s", tag);
	add_msg(f, T0, aor, "carol@example.test", buf[4], NULL);

	snprintf(buf[5], 96, "FILE-%s", tag);
	{
		struct store_file fl = { 0 };

		fl.time_us = T0;
		fl.owner = full;
		fl.name = pl_from_str(buf[5]);
		assert_int_equal(store_file_add(f->s, &fl, (const uint8_t *)
				 buf[5], strlen(buf[5]), NULL), 0);
	}
	snprintf(buf[6], 96, "RIFF-VM-%s", tag);
	v.time_us = T0;
	v.owner = full;
	v.caller = PL("carol@example.test");
	assert_int_equal(store_vm_add(f->s, &v, (const uint8_t *)buf[6],
				      strlen(buf[6]), NULL), 0);

	snprintf(buf[7], 96, "CALL-%s", tag);
	tr.time_us = T0;
	tr.call_id = pl_from_str(buf[7]);
	tr.caller = PL("carol@example.test");
	tr.callee = full;
	tr.msg = pl_from_str(buf[7]);
	assert_int_equal(store_trace_add(f->s, &tr), 0);
	c.call_id = pl_from_str(buf[7]);
	c.caller = full;
	c.callee = PL("carol@example.test");
	c.setup_us = c.end_us = T0;
	assert_int_equal(store_cdr_add(f->s, &c), 0);
	p.time_us = T0;
	p.user = full;
	p.provider = PL("apns");
	p.kind = PL("message");
	assert_int_equal(store_push_add(f->s, &p), 0);
}

static void assert_account_gone(struct fx *f, const char *tag)
{
	static const char *const fmt[] = { "Display %s", "mail-%s@mail.test",
		"XCAP-%s", "MSG-TO-%s", "MSG-FROM-%s", "FILE-%s", "RIFF-VM-%s",
		"CALL-%s" };
	char c[96];
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(c, sizeof(c), fmt[i], tag);
		assert_canary_gone(f->dir, c);
	}
}

static void test_retention_delete_account(void **state)
{
	struct fx *f = *state;
	struct store_delete_report r;
	struct pl dave = PL("dave-9d1@example.test");
	struct store_vm v = { 0 };

	fill_account(f, "dave-9d1@example.test", "DAVE9D1");
	fill_account(f, "erin-3c2@example.test", "ERIN3C2");
	/* Dave also left a voicemail in Erin's box: it stays Erin's. */
	v.time_us = T0;
	v.owner = PL("erin-3c2@example.test");
	v.caller = dave;
	assert_int_equal(store_vm_add(f->s, &v, (const uint8_t *)"RIFFx", 5,
				      NULL), 0);

	assert_int_equal(store_account_delete(f->s, &dave, &f->pol, &r), 0);
	assert_int_equal(r.accounts, 1);
	assert_int_equal(r.xcap, 1);
	assert_int_equal(r.messages, 2);
	assert_int_equal(r.deliveries, 1);
	assert_int_equal(r.files, 1);
	assert_int_equal(r.voicemail, 1);
	assert_int_equal(r.traces, 1);
	assert_int_equal(r.cdrs, 1);
	assert_int_equal(r.push, 1);
	assert_int_equal(r.billing_kept, 0);
	assert_account_gone(f, "DAVE9D1");
	/* Not even the address is left anywhere. */
	assert_canary_gone(f->dir, "dave-9d1");
	assert_int_equal(store_account_get(f->s, &dave, NULL, NULL), ENOENT);
	/* Erin keeps everything. */
	assert_canary_present(f->dir, "XCAP-ERIN3C2");
	assert_canary_present(f->dir, "MSG-TO-ERIN3C2");
	assert_canary_present(f->dir, "RIFF-VM-ERIN3C2");
	assert_canary_present(f->dir, "CALL-ERIN3C2");
	/* A second delete has nothing left to remove. */
	assert_int_equal(store_account_delete(f->s, &dave, &f->pol, &r),
			 ENOENT);
}

static void test_retention_delete_account_purchase(void **state)
{
	struct fx *f = *state;
	struct store_delete_report r;
	struct store_purge_report pr;
	struct pl frank = PL("frank-51@example.test");

	fill_account(f, "frank-51@example.test", "FRANK51");
	add_purchase(f, T0 + DAY, "frank-51@example.test",
		     "CANARY-BILL-FRANK");
	assert_int_equal(store_account_delete(f->s, &frank, &f->pol, &r), 0);
	assert_int_equal(r.accounts, 1);
	assert_int_equal(r.billing_kept, 1);
	assert_int_equal(r.billing_until_us, T0 + DAY +
			 period_us(f->pol.billing_s));
	assert_account_gone(f, "FRANK51");
	assert_canary_present(f->dir, "CANARY-BILL-FRANK");
	/* The kept row still goes at its own expiry. */
	purge_at(f, r.billing_until_us + SEC, &pr);
	assert_int_equal(pr.billing, 1);
	assert_canary_gone(f->dir, "CANARY-BILL-FRANK");
	assert_canary_gone(f->dir, "frank-51");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_retention_p6_traces,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_p16_cdrs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_p9_push,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_p10_messages,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_p11_files_by_age,
						setup_small_files, teardown),
		cmocka_unit_test_setup_teardown(test_retention_p11_quota,
						setup_small_files, teardown),
		cmocka_unit_test_setup_teardown(test_retention_p17_billing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_bulk_scrub,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_stale_cells,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_delete_account,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_retention_delete_account_purchase, setup,
			teardown),
	};

	return cmocka_run_group_tests_name("retention", tests, NULL, NULL);
}
