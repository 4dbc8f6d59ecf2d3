/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of sim/scenario/scn: the .scn parser and its error lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include "base/mem.h"
#include "scenario/scn.h"
#include "mem_testutil.h"

static const char good[] =
	"# a full scenario\n"
	"title   CDR retention: six months  # trailing comment\n"
	"account alice password=\"s3cret pass\" email=a@x.test\n"
	"account bob voicemail=on pgp=on\r\n"
	"\n"
	"register alice via=tls devices=2\n"
	"call alice bob duration=30s media=zrtp canary=CANARY-RTP-1\n"
	"message alice bob body=\"hello \\\"there\\\"\"\n"
	"message alice bob body=pgp canary=PGP1\n"
	"chat alice bob via=tls otr=on canary=C2\n"
	"conference alice bob canary=CONF\n"
	"purchase alice amount=5 name=\"Alice A\"\n"
	"advance 26w\n"
	"purge\n"
	"expect cdr alice bob count=0\n"
	"expect stored \"CANARY-RTP-1\" no\n"
	"expect wire CANARY-RTP-1 no\n"
	"expect message bob count=2 encrypted=yes\n"
	"expect account alice present\n"
	"expect row P16 pass\n"
	"delete alice\n";

static void test_scn_parse_full(void **state)
{
	struct scn *s;
	char err[256];
	const struct scn_step *st;

	(void)state;
	assert_int_equal(scn_parse(&s, "t.scn", good, sizeof(good) - 1, err,
				   sizeof(err)), 0);
	assert_string_equal(s->title, "CDR retention: six months");
	assert_int_equal(s->acct_cnt, 2);
	assert_int_equal(s->cnt, 18);
	st = &s->steps[0];
	assert_int_equal(st->verb, SCN_ACCOUNT);
	assert_int_equal(st->line, 3);
	assert_string_equal(scn_opt(st, "password"), "s3cret pass");
	st = &s->steps[3];
	assert_int_equal(st->verb, SCN_CALL);
	assert_int_equal(st->argc, 2);
	assert_string_equal(st->argv[1], "bob");
	assert_true(scn_opt_dur_us(st, "duration", 0) == 30000000ULL);
	assert_string_equal(scn_opt(st, "media"), "zrtp");
	st = &s->steps[4];
	assert_string_equal(scn_opt(st, "body"), "hello \"there\"");
	st = &s->steps[9];
	assert_int_equal(st->verb, SCN_ADVANCE);
	assert_true(st->dur_us == 26ULL * 7 * 86400 * 1000000);
	st = &s->steps[12];
	assert_int_equal(st->verb, SCN_EXPECT_STORED);
	assert_string_equal(st->argv[0], "CANARY-RTP-1");
	assert_string_equal(st->argv[1], "no");
	assert_int_equal(s->steps[16].verb, SCN_EXPECT_ROW);
	assert_string_equal(scn_verb_name(SCN_EXPECT_CDR), "expect cdr");
	scn_free(s);
}

static void test_scn_durations(void **state)
{
	static const struct { const char *in; uint64_t us; int rc; } v[] = {
		{ "30s", 30000000ULL, 0 }, { "5m", 300000000ULL, 0 },
		{ "2h", 7200000000ULL, 0 }, { "7d", 604800000000ULL, 0 },
		{ "1w", 604800000000ULL, 0 }, { "7y", 7 * 31536000000000ULL, 0 },
		{ "1h30m", 5400000000ULL, 0 }, { "250ms", 250000ULL, 0 },
		{ "", 0, EINVAL }, { "30", 0, EINVAL }, { "s", 0, EINVAL },
		{ "3x", 0, EINVAL }, { "1.5h", 0, EINVAL },
		{ "99999999999999y", 0, EOVERFLOW },
	};
	size_t i;
	uint64_t us;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct pl p = pl_from_str(v[i].in);

		us = 1;
		assert_int_equal(scn_duration_parse(&p, &us), v[i].rc);
		if (!v[i].rc)
			assert_true(us == v[i].us);
	}
}

static void test_scn_errors(void **state)
{
	static const struct { const char *text, *want; } v[] = {
		{ "bogus x\n", "e.scn:1: unknown verb 'bogus'" },
		{ "account a\ncall a b\n",
		  "e.scn:2: 'call': account 'b' is not declared" },
		{ "account a\naccount b\n\ncall a b duration=3q\n",
		  "e.scn:4: 'call': bad duration duration='3q'" },
		{ "account a\ncall a\n", "e.scn:2: 'call': missing argument 2" },
		{ "account a\naccount b\ncall a b colour=red\n",
		  "e.scn:3: 'call': unknown option 'colour'" },
		{ "account a\naccount b\ncall a b media=gsm\n",
		  "e.scn:3: 'call': option media='gsm' must be one of" },
		{ "advance forever\n", "e.scn:1: 'advance': bad duration" },
		{ "advance\n", "e.scn:1: 'advance': missing argument 1" },
		{ "account a\naccount a\n", "e.scn:2: account 'a' declared twice" },
		{ "expect stored \"abc yes\n", "e.scn:1: unterminated quoted" },
		{ "expect stored abc maybe\n", "e.scn:1: 'expect stored': 'maybe'" },
		{ "expect nothing\n", "e.scn:1: unknown check 'expect nothing'" },
		{ "account a\nexpect trace a\n",
		  "e.scn:2: 'expect trace': missing option count=" },
		{ "account a\npurchase a amount=5 amount=6\n",
		  "e.scn:2: 'purchase': option 'amount' given twice" },
		{ "account a\nmessage a a\n", "e.scn:2: 'message': missing option body=" },
		{ "purge now\n", "e.scn:1: 'purge': unexpected argument 'now'" },
		{ "expect row P19 pass\n", "e.scn:1: 'expect row': 'P19' is not" },
		{ "account a!b\n", "e.scn:1: account name 'a!b'" },
		{ "title\n", "e.scn:1: 'title': missing text" },
		{ "policy hash_memory=lots\n",
		  "e.scn:1: 'policy': bad size hash_memory='lots'" },
		{ "policy hash_passes=two\n",
		  "e.scn:1: 'policy': option hash_passes='two' is not a" },
		{ "account a\naccount b\nsubscribe a b expect=maybe\n",
		  "e.scn:3: 'subscribe': option expect='maybe' must be one of" },
		{ "account a\npresrules a deny=b\n",
		  "e.scn:2: 'presrules': unknown option 'deny'" },
	};
	size_t i;
	struct scn *s;
	char err[256];

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		s = (struct scn *)1;
		assert_int_equal(scn_parse(&s, "e.scn", v[i].text,
					   strlen(v[i].text), err,
					   sizeof(err)), EBADMSG);
		if (strncmp(err, v[i].want, strlen(v[i].want)))
			fail_msg("case %zu: got '%s', want '%s'", i, err,
				 v[i].want);
		assert_true(s == (struct scn *)1);
	}
}

static void test_scn_oom_sweep(void **state)
{
	struct scn *s;
	char err[256];
	int64_t n;
	int rc;

	(void)state;
	for (n = 0;; n++) {
		mem_fail_at(n, 1);
		rc = scn_parse(&s, "t.scn", good, sizeof(good) - 1, err,
			       sizeof(err));
		mem_fail_at(-1, 0);
		if (rc == 0) {
			scn_free(s);
			break;
		}
		assert_int_equal(rc, ENOMEM);
		assert_int_equal(mem_blocks(), blocks_at_start);
	}
	assert_true(n > 10);
}

static void test_scn_load_missing(void **state)
{
	struct scn *s;
	char err[256];

	(void)state;
	assert_int_equal(scn_load(&s, "/nonexistent/x.scn", err, sizeof(err)),
			 ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.scn"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scn_parse_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scn_durations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scn_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scn_oom_sweep, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scn_load_missing, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("scn", tests, NULL, NULL);
}
