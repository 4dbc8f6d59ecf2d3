/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the scenario runner (sim/scenario/run*.c, steps.c,
 * expect.c) against a fake platform backend that writes what a store
 * would into data_dir: one file per trace, CDR and message, accounts as
 * rows of a real SQLite table (P3 accepts the e-mail only there). The
 * fake can be made to leak (REGISTER canary into a log, never purge CDRs)
 * to prove the automatic audit and the negative audit catch it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "base/mem.h"
#include "scenario/run_int.h"
#include "scenario/run_steps.h"
#include "tmpdir_testutil.h"

struct fake {
	int leak_register;	/* REGISTER canary written to a log */
	int never_purge;	/* CDRs kept forever */
	int transient_register;	/* REGISTER canary in a temporary file
				 * that the next call removes */
	const struct ua_pgp *pgp[4];	/* keys met by body=pgp steps */
	unsigned npgp;
	int leak_keys;		/* 1: an SDES key, 2: the digest response
				 * written into the trace */
	unsigned seq;
};

static int put(struct scn_ctx *c, const char *kind, int64_t t,
	       const char *text)
{
	struct fake *f = c->be_arg;
	char p[900];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", c->data_dir, kind);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/%s/%lld-%u", c->data_dir, kind,
		 (long long)t, f->seq++);
	fp = fopen(p, "w");
	if (!fp)
		return errno;
	fputs(text, fp);
	fclose(fp);
	return 0;
}

/* Files of kind (optionally containing needle). */
static uint64_t count(struct scn_ctx *c, const char *kind, const char *needle)
{
	char p[900], q[1200], b[512];
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/%s", c->data_dir, kind);
	d = opendir(p);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		FILE *f;
		size_t l;

		if (de->d_name[0] == '.')
			continue;
		snprintf(q, sizeof(q), "%s/%s", p, de->d_name);
		f = fopen(q, "r");
		l = fread(b, 1, sizeof(b) - 1, f);
		b[l] = 0;
		fclose(f);
		n += !needle || strstr(b, needle);
	}
	closedir(d);
	return n;
}

static void purge_kind(struct scn_ctx *c, const char *kind, int64_t before)
{
	char p[900], q[1200];
	struct dirent *de;
	DIR *d;

	snprintf(p, sizeof(p), "%s/%s", c->data_dir, kind);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoll(de->d_name) < before) {
			snprintf(q, sizeof(q), "%s/%s", p, de->d_name);
			unlink(q);
		}
	closedir(d);
}

static int f_start(struct scn_ctx *c, char *err, size_t errsz)
{
	(void)err, (void)errsz;
	c->capture_ok = false;
	snprintf(c->capture_why, sizeof(c->capture_why), "fake: no link");
	return mkdir(c->data_dir, 0700) ? errno : 0;
}

/* Accounts go to a real SQLite accounts table: P3 accepts the e-mail
 * only on a page the audit attributes to it (sim/audit/pages.c). */
static int f_account(struct scn_ctx *c, const struct scn_acct *a, char *err,
		     size_t errsz)
{
	char p[700];
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	(void)err, (void)errsz;
	snprintf(p, sizeof(p), "%s/platform.db", c->data_dir);
	if (sqlite3_open(p, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return EIO;
	}
	rc = sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS accounts(name TEXT,"
			  " email TEXT, display TEXT)", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO accounts"
					" VALUES(?, ?, ?)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, a->email, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->display, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : EIO;
}

static int f_traffic(struct scn_ctx *c, const struct scn_traffic *t,
		     char *err, size_t errsz)
{
	struct fake *f = c->be_arg;
	char b[400];

	switch (t->st->verb) {
	case SCN_REGISTER:
		if (f->transient_register && t->canary)
			return put(c, "tmp", 0, t->canary);
		return f->leak_register && t->canary ?
			put(c, "log", 0, t->canary) : 0;
	case SCN_CALL:
		purge_kind(c, "tmp", INT64_MAX);
		/* what the fake devices sent: the runner audits it (P6) */
		snprintf(t->secrets->sdes_caller, sizeof(t->secrets->sdes_caller),
			 "SDES-OFFER-KEY-4Zq81");
		snprintf(t->secrets->sdes_callee, sizeof(t->secrets->sdes_callee),
			 "SDES-ANSWER-KEY-7Wp02");
		snprintf(t->secrets->digest, sizeof(t->secrets->digest),
			 "0f3c9a6d2b7e41c8a5d0e9f1b2c3d4e5");
		snprintf(b, sizeof(b), "INVITE Subject: %s from %s %s",
			 t->subject, t->a->name, f->leak_keys == 1 ?
			 "inline:SDES-ANSWER-KEY-7Wp02" : f->leak_keys == 2 ?
			 t->secrets->digest : "");
		put(c, "traces", c->now_us, b);
		snprintf(b, sizeof(b), "%s>%s ua=%s", t->a->name, t->b->name,
			 t->ua_canary);
		return put(c, "cdrs", c->now_us, b);
	case SCN_MESSAGE:
		if (!strcmp(scn_opt(t->st, "body"), "pgp") && f->npgp < 3) {
			/* the recipient's key; at the second step the
			 * sender's too */
			assert_int_equal(scn_acct_pgp_key(c, t->b->name,
					 "b@example.test", &f->pgp[f->npgp++]),
					 0);
			if (f->npgp == 2)
				assert_int_equal(scn_acct_pgp_key(c,
						 t->a->name, "a@example.test",
						 &f->pgp[f->npgp++]), 0);
		}
		snprintf(b, sizeof(b), "to:%s %s", t->b->name, t->canary);
		return put(c, "messages", c->now_us, b);
	default:
		snprintf(err, errsz, "fake cannot %s",
			 scn_verb_name(t->st->verb));
		return ENOTSUP;
	}
}

static int f_purge(struct scn_ctx *c, int64_t now, char *err, size_t errsz)
{
	struct fake *f = c->be_arg;

	(void)err, (void)errsz;
	purge_kind(c, "traces", now - (int64_t)c->per.traces * 1000000);
	if (!f->never_purge)
		purge_kind(c, "cdrs", now - (int64_t)c->per.cdrs * 1000000);
	return 0;
}

static int f_cdr(struct scn_ctx *c, const char *a, const char *b,
		 uint64_t *n, char *err, size_t errsz)
{
	char k[200];

	(void)err, (void)errsz;
	snprintf(k, sizeof(k), "%s>%s ", a, b);
	*n = count(c, "cdrs", k);
	return 0;
}

static int f_trace(struct scn_ctx *c, const char *a, uint64_t *n, char *err,
		   size_t errsz)
{
	char k[200];

	(void)err, (void)errsz;
	snprintf(k, sizeof(k), "from %s", a);
	*n = count(c, "traces", k);
	return 0;
}

static const struct scn_be_ops fake_ops = {
	.mode = "fake", .start = f_start, .account_add = f_account,
	.traffic = f_traffic, .purge = f_purge, .count_cdr = f_cdr,
	.count_trace = f_trace,
};

static const char scenario[] =
	"title retention\n"
	"policy cdrs=180d traces=30d\n"
	"account alice email=alice.secret@mail.test\n"
	"account bob\n"
	"register alice canary=REGCANARY-77\n"
	"call alice bob duration=5s\n"
	"message alice bob body=\"hello MSGCANARY-9\"\n"
	"expect trace alice count=1\n"
	"expect stored \"REGCANARY-77\" no\n"
	"expect stored \"MSGCANARY-9\" yes\n"
	"advance 31d\n"
	"purge\n"
	"expect trace alice count=0\n"
	"expect cdr alice bob count=1\n"
	"audit cdrs=1d expect=fail row=P16\n"
	"advance 150d\n"
	"purge\n"
	"expect cdr alice bob count=0\n"
	"expect row P16 pass\n"
	"expect row P7 pass\n";

static json_t *run(struct fake *f, const char *text, unsigned *failed)
{
	struct scn_run_opts o = { .mode = "inproc", .work_dir = tmpdir,
				  .policy = "/nonexistent.policy", .seed = 7,
				  .be = &fake_ops, .be_arg = f };
	struct rep_summary *sum;
	struct scn *s;
	struct scn_run_result r;
	char err[256];
	json_t *d, *ex = json_array();

	assert_int_equal(scn_parse(&s, "t.scn", text, strlen(text), err,
				   sizeof(err)), 0);
	assert_int_equal(rep_summary_new(&sum, "run"), 0);
	assert_int_equal(scn_run(s, &o, sum, ex, &r), 0);
	*failed = r.failed;
	d = rep_summary_json(sum);
	json_object_set_new(d, "exposure", ex);
	rep_summary_free(sum);
	scn_free(s);
	return d;
}

static const char *detail_of(json_t *d, const char *prefix)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(d, "checks"), i, c)
		if (!strncmp(json_string_value(json_object_get(c, "name")),
			     prefix, strlen(prefix)))
			return json_string_value(json_object_get(c, "detail"));
	return NULL;
}

static void test_scn_run_good_platform(void **state)
{
	struct fake f = { 0 };
	unsigned failed = 99;
	json_t *d;

	(void)state;
	d = run(&f, scenario, &failed);
	if (failed)
		fail_msg("%s", json_dumps(json_object_get(d, "checks"), 0));
	assert_non_null(strstr(detail_of(d, "line 15: audit"),
			       "failed as expected naming P16"));
	assert_non_null(detail_of(d, "P6 "));
	assert_non_null(detail_of(d, "P3 "));
	assert_non_null(detail_of(d, "P10 "));
	assert_true(json_array_size(json_object_get(d, "exposure")) >= 5);
	json_decref(d);
}

static void test_scn_run_leaky_platform(void **state)
{
	struct fake f = { .leak_register = 1, .never_purge = 1 };
	unsigned failed = 0;
	const char *det;
	json_t *d;

	(void)state;
	d = run(&f, scenario, &failed);
	/* REGISTER canary stored, CDR never purged. */
	det = detail_of(d, "line 9: expect stored");
	assert_non_null(strstr(det, "t.scn:9:"));
	assert_non_null(strstr(det, "found REGCANARY-77 in"));
	assert_non_null(strstr(detail_of(d, "line 18: expect cdr"),
			       "count=1, expected 0"));
	assert_non_null(strstr(detail_of(d, "P7 "), "REGCANARY-77"));
	assert_non_null(strstr(detail_of(d, "line 20: expect row P7"),
			       "P7 failed"));
	assert_true(failed >= 4);
	json_decref(d);
}

/* P6: a trace holding an a=crypto key or a digest response fails the row,
 * though nothing in the scenario names them. */
static void test_scn_run_p6_secrets(void **state)
{
	struct fake f = { .leak_keys = 1 };
	unsigned failed = 0;
	const char *det;
	json_t *d;

	(void)state;
	d = run(&f, "account a\naccount b\ncall a b duration=2s\n", &failed);
	det = detail_of(d, "P6 ");
	assert_non_null(det);
	assert_non_null(strstr(det, "4 canaries judged"));
	assert_non_null(strstr(det, "SDES-ANSWER-KEY-7Wp02"));
	assert_int_equal(failed, 1);
	json_decref(d);
	f.leak_keys = 2;
	d = run(&f, "account a\naccount b\ncall a b duration=2s\n", &failed);
	assert_non_null(strstr(detail_of(d, "P6 "),
			       "0f3c9a6d2b7e41c8a5d0e9f1b2c3d4e5"));
	assert_int_equal(failed, 1);
	json_decref(d);
	f.leak_keys = 0;
	d = run(&f, "account a\naccount b\ncall a b duration=2s\n", &failed);
	assert_int_equal(failed, 0);
	assert_non_null(strstr(detail_of(d, "P6 "), "4 canaries judged"));
	json_decref(d);
}

/* A REGISTER canary kept only between two steps (a temporary file the
 * next step removes) still fails P7: the audit runs after every step. */
static void test_scn_run_transient_copy(void **state)
{
	struct fake f = { .transient_register = 1 };
	unsigned failed = 0;
	const char *det;
	json_t *d;

	(void)state;
	d = run(&f, "account a\naccount b\nregister a canary=TMPREG-CANARY-7\n"
		"call a b duration=2s\n", &failed);
	det = detail_of(d, "P7 ");
	assert_non_null(det);
	assert_non_null(strstr(det, "TMPREG-CANARY-7"));
	assert_non_null(strstr(det, "(after t.scn:3)"));
	assert_int_equal(failed, 1);
	json_decref(d);
}

/* OpenPGP keys are made once per scenario account (issue 6), not per
 * message: two messages to b meet the same key, a's is another one. */
static void test_scn_run_pgp_key_per_account(void **state)
{
	struct fake f = { 0 };
	unsigned failed = 9;
	json_t *d;

	(void)state;
	d = run(&f, "account a\naccount b\nmessage a b body=pgp\n"
		"message a b body=pgp\n", &failed);
	/* (the fake stores the plaintext: P10 fails, not judged here) */
	assert_int_equal(f.npgp, 3);
	assert_non_null(f.pgp[0]);
	assert_ptr_equal(f.pgp[0], f.pgp[1]);
	assert_ptr_not_equal(f.pgp[0], f.pgp[2]);
	json_decref(d);
}

static void test_scn_run_unsupported_fails(void **state)
{
	struct fake f = { 0 };
	unsigned failed = 0;
	json_t *d;

	(void)state;
	d = run(&f, "account a\naccount b\nchat a b\nlink x\n", &failed);
	assert_int_equal(failed, 2);
	assert_non_null(strstr(detail_of(d, "line 3: chat"),
			       "verb 'chat' not supported in mode inproc yet"));
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_scn_run_good_platform, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_scn_run_leaky_platform, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_scn_run_p6_secrets, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_scn_run_transient_copy, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_scn_run_pgp_key_per_account, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_scn_run_unsupported_fails, tmp_setup,
			tmp_teardown),
	};

	return cmocka_run_group_tests_name("scn_run", tests, NULL, NULL);
}
