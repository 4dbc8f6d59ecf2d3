/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of sim/audit/policy: canary marks judged against POLICY rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "audit/audit_policy.h"
#include "mem_testutil.h"

#define DAY 86400000000LL

static void store(struct audit *a, const char *where, const char *text)
{
	assert_int_equal(audit_scan_mem(a, AUDIT_SRC_STORE, where,
					(const uint8_t *)text, strlen(text)),
			 0);
}

static void test_audit_policy_rows(void **state)
{
	struct audit *a;
	struct audit_ledger *l;
	struct audit_verdict rows[AUDIT_ROWS + 1], paths[AUDIT_PATH_CNT];
	struct audit_strict strict;
	struct audit_mark reg = { .canary = "REG-CANARY-1", .row = 7,
		.keep = AUDIT_KEEP_NEVER, .what = "REGISTER User-Agent",
		.origin = "t.scn:3" };
	struct audit_mark cdr = { .canary = "CDR-CANARY-1", .row = 16,
		.keep = AUDIT_KEEP_PERIOD, .period_s = 180 * 86400,
		.created_us = 0, .owner = "alice", .origin = "t.scn:4" };
	struct audit_mark rtp = { .canary = "RTP-CANARY-1", .row = 12,
		.keep = AUDIT_KEEP_NEVER, .path = AUDIT_PATH_SRTP, .e2e = true,
		.origin = "t.scn:4" };
	json_t *ex;

	(void)state;
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_ledger_new(&l, a), 0);
	assert_int_equal(audit_mark(l, &reg), 0);
	assert_int_equal(audit_mark(l, &cdr), 0);
	assert_int_equal(audit_mark(l, &rtp), 0);
	/* Day 1: CDR kept, REGISTER leaked into a log. */
	store(a, "var/platform.db", "...CDR-CANARY-1...");
	store(a, "var/refd.log", "UA: REG-CANARY-1");
	audit_evaluate(l, DAY, NULL, rows, paths);
	assert_int_equal(rows[7].failed, 1);
	assert_non_null(strstr(rows[7].detail, "var/refd.log"));
	assert_int_equal(rows[16].failed, 0);
	assert_int_equal(rows[16].exercised, 1);
	assert_int_equal(rows[12].failed, 0);
	assert_int_equal(paths[AUDIT_PATH_SRTP].failed, 0);
	/* Stricter audit: CDRs for 1 day, purge at day 2 -> P16 fails. */
	audit_ledger_purged(l, 2 * DAY);
	memset(&strict, 0, sizeof(strict));
	strict.period_s[16] = 86400;
	audit_evaluate(l, 2 * DAY, &strict, rows, paths);
	assert_int_equal(rows[16].failed, 1);
	assert_non_null(strstr(rows[16].detail, "still stored after"));
	/* Platform policy: purge at day 181 and the CDR is gone: pass. */
	audit_hits_clear(a);
	audit_ledger_purged(l, 181 * DAY);
	audit_evaluate(l, 181 * DAY, NULL, rows, paths);
	assert_int_equal(rows[16].failed, 0);
	assert_int_equal(rows[7].failed, 0);
	/* Gone too early: day 10 without the CDR. */
	audit_ledger_free(l);
	assert_int_equal(audit_ledger_new(&l, a), 0);
	assert_int_equal(audit_mark(l, &cdr), 0);
	audit_evaluate(l, 10 * DAY, NULL, rows, paths);
	assert_int_equal(rows[16].failed, 1);
	assert_non_null(strstr(rows[16].detail, "gone too early"));
	/* Deleted account: anything left fails P18. */
	store(a, "var/platform.db-wal", "CDR-CANARY-1");
	assert_int_equal(audit_ledger_deleted(l, "alice", 11 * DAY), 0);
	audit_evaluate(l, 11 * DAY, NULL, rows, paths);
	assert_int_equal(rows[18].failed, 1);
	assert_non_null(strstr(rows[18].detail, "platform.db-wal"));
	/* Wire leak of an SRTP canary fails the path. */
	assert_int_equal(audit_mark(l, &rtp), 0);
	assert_int_equal(audit_scan_mem(a, AUDIT_SRC_WIRE, "lo.pcap",
					(const uint8_t *)"RTP-CANARY-1", 12),
			 0);
	audit_evaluate(l, 11 * DAY, NULL, rows, paths);
	assert_int_equal(paths[AUDIT_PATH_SRTP].failed, 1);
	ex = audit_exposure(l);
	assert_int_equal(json_array_size(ex), 2);
	assert_true(json_is_true(json_object_get(json_array_get(ex, 1),
						 "sniffer")));
	json_decref(ex);
	audit_ledger_free(l);
	audit_free(a);
}

/* P3: only the accounts table of an SQLite database may hold the e-mail
 * (pages attributed by the scanner: test_audit_sqlite.c). Bytes that no
 * table owns fail, whatever the file is called, and so does a log. */
static void test_audit_policy_email_everywhere(void **state)
{
	struct audit *a;
	struct audit_ledger *l;
	struct audit_verdict rows[AUDIT_ROWS + 1], paths[AUDIT_PATH_CNT];
	struct audit_mark em = { .canary = "mail-CANARY-3@mail.test",
		.row = 3, .keep = AUDIT_KEEP_ACCOUNT_TABLE, .owner = "alice",
		.what = "e-mail address", .origin = "t.scn:2" };

	(void)state;
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_ledger_new(&l, a), 0);
	assert_int_equal(audit_mark(l, &em), 0);
	audit_evaluate(l, DAY, NULL, rows, paths);
	assert_int_equal(rows[3].exercised, 1);
	assert_int_equal(rows[3].failed, 0);
	store(a, "var/platform.db", "accounts: mail-CANARY-3@mail.test");
	audit_evaluate(l, DAY, NULL, rows, paths);
	assert_int_equal(rows[3].failed, 1);
	assert_non_null(strstr(rows[3].detail, "var/platform.db at"));
	audit_hits_clear(a);
	store(a, "run/refd.log", "login from mail-CANARY-3@mail.test");
	audit_evaluate(l, DAY, NULL, rows, paths);
	assert_int_equal(rows[3].failed, 1);
	assert_non_null(strstr(rows[3].detail, "run/refd.log"));
	audit_ledger_free(l);
	audit_free(a);
}

/* A never-stored canary met by a scan between steps fails its row even
 * when the final scan no longer finds it (a removed temporary copy). */
static void test_audit_policy_seen_between_steps(void **state)
{
	struct audit *a;
	struct audit_ledger *l;
	struct audit_verdict rows[AUDIT_ROWS + 1], paths[AUDIT_PATH_CNT];
	struct audit_mark reg = { .canary = "REG-CANARY-TMP-7", .row = 7,
		.keep = AUDIT_KEEP_NEVER, .what = "REGISTER User-Agent",
		.origin = "t.scn:3" };

	(void)state;
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_ledger_new(&l, a), 0);
	assert_int_equal(audit_mark(l, &reg), 0);
	assert_int_equal(audit_ledger_note(l, "t.scn:3"), 0);
	store(a, "var/spool/tmp-1", "REGISTER ... REG-CANARY-TMP-7");
	assert_int_equal(audit_ledger_note(l, "t.scn:4"), 0);
	audit_hits_clear(a);		/* the file went away */
	assert_int_equal(audit_ledger_note(l, "t.scn:5"), 0);
	audit_evaluate(l, DAY, NULL, rows, paths);
	assert_int_equal(rows[7].failed, 1);
	assert_non_null(strstr(rows[7].detail, "var/spool/tmp-1"));
	assert_non_null(strstr(rows[7].detail, "after t.scn:4"));
	audit_ledger_free(l);
	audit_free(a);
}

/* Exposure of SRTP media keyed by SDES: whoever saw the a=crypto keys
 * reads the media. zRTP-like (no SDES marks): nobody but the ends. */
static void test_audit_policy_sdes_exposure(void **state)
{
	struct audit *a;
	struct audit_ledger *l;
	struct audit_mark rtp = { .canary = "RTP-CANARY-SRTP-1", .row = 12,
		.keep = AUDIT_KEEP_NEVER, .path = AUDIT_PATH_SRTP, .e2e = true,
		.what = "RTP payload", .origin = "t.scn:6" };
	struct audit_mark key = { .canary = "c2Rlcy1rZXktb2YtdGhlLW9mZmVy",
		.row = 6, .keep = AUDIT_KEEP_NEVER,
		.what = "SDES key of the offer (a=crypto)", .origin = "t.scn:6" };
	struct audit_mark rtp2 = rtp;
	json_t *ex, *e;

	(void)state;
	rtp2.canary = "RTP-CANARY-ZRTP-2";
	rtp2.origin = "t.scn:7";
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_ledger_new(&l, a), 0);
	assert_int_equal(audit_mark(l, &rtp), 0);
	assert_int_equal(audit_mark(l, &key), 0);
	assert_int_equal(audit_mark(l, &rtp2), 0);
	/* the SDP crossed the link in clear: its key with it */
	assert_int_equal(audit_scan_mem(a, AUDIT_SRC_WIRE, "lo.pcap",
					(const uint8_t *)"a=crypto:1 x inline:"
					"c2Rlcy1rZXktb2YtdGhlLW9mZmVy", 48), 0);
	ex = audit_exposure(l);
	assert_int_equal(json_array_size(ex), 3);
	e = json_array_get(ex, 0);		/* SRTP media */
	assert_true(json_is_true(json_object_get(e, "sniffer")));
	assert_string_equal(json_string_value(json_object_get(e,
			    "sniffer_basis")), "inferred");
	assert_true(json_is_true(json_object_get(e, "relay")));
	assert_string_equal(json_string_value(json_object_get(e,
			    "relay_basis")), "inferred");
	e = json_array_get(ex, 2);		/* no SDES: end to end */
	assert_true(json_is_false(json_object_get(e, "sniffer")));
	assert_true(json_is_false(json_object_get(e, "relay")));
	json_decref(ex);
	/* keys only behind TLS: the relay still reads, a sniffer not */
	audit_hits_clear(a);
	ex = audit_exposure(l);
	e = json_array_get(ex, 0);
	assert_true(json_is_false(json_object_get(e, "sniffer")));
	assert_true(json_is_true(json_object_get(e, "relay")));
	json_decref(ex);
	audit_ledger_free(l);
	audit_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_audit_policy_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_audit_policy_email_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_audit_policy_seen_between_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_audit_policy_sdes_exposure, setup, teardown),
	};

	return cmocka_run_group_tests_name("audit_policy", tests, NULL, NULL);
}
