/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of sim/report/summary: summary.json, JUnit XML, exit codes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/mem.h"
#include "report/summary.h"
#include "tmpdir_testutil.h"

static void test_rep_summary_json_shape(void **state)
{
	struct rep_summary *s;
	struct rep_series *ser;
	char path[128];
	json_t *d, *c, *m;
	json_error_t jerr;

	(void)state;
	assert_int_equal(rep_summary_new(&s, "run"), 0);
	assert_int_equal(rep_summary_suite(s, "a.scn"), 0);
	assert_int_equal(rep_summary_check(s, "one", true, "fine %d", 1), 0);
	assert_int_equal(rep_summary_check(s, "two", false, "found %s",
					   "3"), 0);
	assert_int_equal(rep_summary_skip(s, "cap", "skipped: no capture "
					  "permission"), 0);
	assert_int_equal(rep_summary_metric(s, "calls", 3), 0);
	assert_int_equal(rep_summary_metric(s, "ratio", 0.25), 0);
	assert_int_equal(rep_summary_metric_add(s, "calls", 2), 0);
	assert_true(rep_summary_metric_get(s, "calls") == 5);
	assert_int_equal(rep_summary_set(s, "calls", json_array()), 0);
	assert_int_equal(rep_summary_set(s, "checks", json_array()), EINVAL);
	assert_int_equal(rep_summary_series(s, &ser, "lat", "latency",
					    "load (calls/s)", "ms", NULL), 0);
	assert_int_equal(rep_series_point(ser, 1, 2.5), 0);
	assert_int_equal(rep_summary_passed(s), 2);
	assert_int_equal(rep_summary_failed(s), 1);
	assert_int_equal(rep_summary_skipped(s), 1);
	assert_int_equal(rep_summary_exit(s), 1);

	snprintf(path, sizeof(path), "%s/x/y", tmpdir);
	assert_int_equal(rep_summary_write(s, path), 0);
	snprintf(path, sizeof(path), "%s/x/y/summary.json", tmpdir);
	d = json_load_file(path, 0, &jerr);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "passed")), 2);
	assert_int_equal(json_integer_value(json_object_get(d, "failed")), 1);
	c = json_array_get(json_object_get(d, "checks"), 1);
	assert_string_equal(json_string_value(json_object_get(c, "name")),
			    "two");
	assert_true(json_is_false(json_object_get(c, "ok")));
	assert_string_equal(json_string_value(json_object_get(c, "detail")),
			    "found 3");
	assert_string_equal(json_string_value(json_object_get(c, "suite")),
			    "a.scn");
	m = json_object_get(d, "metrics");
	assert_true(json_is_integer(json_object_get(m, "calls")));
	assert_int_equal(json_integer_value(json_object_get(m, "calls")), 5);
	assert_true(json_is_real(json_object_get(m, "ratio")));
	assert_true(json_is_array(json_object_get(d, "calls")));
	assert_int_equal(json_array_size(json_object_get(d, "series")), 1);
	json_decref(d);
	rep_summary_free(s);
}

static void test_rep_summary_junit_escapes(void **state)
{
	struct rep_summary *s;
	char path[128], *x;

	(void)state;
	assert_int_equal(rep_summary_new(&s, "run"), 0);
	assert_int_equal(rep_summary_check(s, "a<b", false, "x & \"y\""), 0);
	assert_int_equal(rep_summary_suite(s, "s2"), 0);
	assert_int_equal(rep_summary_check(s, "ok", true, NULL), 0);
	assert_int_equal(rep_summary_skip(s, "sk", "why"), 0);
	snprintf(path, sizeof(path), "%s/j.xml", tmpdir);
	assert_int_equal(rep_summary_junit(s, path), 0);
	x = tmp_slurp("j.xml");
	assert_non_null(strstr(x, "tests=\"3\" failures=\"1\" skipped=\"1\""));
	assert_non_null(strstr(x, "name=\"a&lt;b\""));
	assert_non_null(strstr(x, "<failure message=\"x &amp; &quot;y&quot;"));
	assert_non_null(strstr(x, "<testsuite name=\"s2\" tests=\"2\""));
	assert_non_null(strstr(x, "<skipped message=\"why\""));
	free(x);
	assert_int_equal(rep_summary_exit(s), 1);
	rep_summary_free(s);
}

static void test_rep_summary_all_pass_exit0(void **state)
{
	struct rep_summary *s;
	FILE *f;
	char buf[512];
	size_t n;

	(void)state;
	assert_int_equal(rep_summary_new(&s, "audit"), 0);
	assert_int_equal(rep_summary_exit(s), 0);
	assert_int_equal(rep_summary_check(s, "c", true, "ok"), 0);
	assert_int_equal(rep_summary_exit(s), 0);
	f = tmpfile();
	rep_summary_print(s, f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_non_null(strstr(buf, "1 passed, 0 failed"));
	rep_summary_free(s);
}

static void test_rep_summary_reproducible(void **state)
{
	struct rep_summary *a, *b;
	json_t *ja, *jb;
	char *sa, *sb;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(rep_summary_new(&a, "run"), 0);
	assert_int_equal(rep_summary_new(&b, "run"), 0);
	rep_summary_check(a, "x", true, "y");
	rep_summary_check(b, "x", true, "y");
	ja = rep_summary_json(a);
	jb = rep_summary_json(b);
	sa = json_dumps(ja, JSON_PRESERVE_ORDER);
	sb = json_dumps(jb, JSON_PRESERVE_ORDER);
	assert_string_equal(sa, sb);
	assert_non_null(strstr(sa, "2023-11-14T22:13:20Z"));
	assert_null(strstr(sa, "\"host\""));
	free(sa);
	free(sb);
	json_decref(ja);
	json_decref(jb);
	rep_summary_free(a);
	rep_summary_free(b);
	unsetenv("SOURCE_DATE_EPOCH");
}

/* The meta object: rep_summary_new and the hand-written perf summaries
 * carry the same machine fields (meta.c); the caption shows the load. */
static void test_rep_meta_machine(void **state)
{
	struct rep_summary *s;
	json_t *d, *m, *raw;
	const char *la;
	char where[300], *txt;
	double l1, l2, l3;

	(void)state;
	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(rep_summary_new(&s, "perf x"), 0);
	d = rep_summary_json(s);
	m = json_object_get(d, "meta");
	raw = rep_meta_new("perf y");
	assert_non_null(raw);
	/* same keys in the same order, whoever writes the file */
	txt = rep_meta_dumps(raw);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "\"finished\""));
	free(txt);
	for (const char *const *k = (const char *const[]){ "tool", "started",
	     "host", "machine", "uname", "cpu_model", "cores",
	     "loadavg_start", "finished", NULL }; *k; k++) {
		assert_non_null(json_object_get(m, *k));
		assert_non_null(json_object_get(raw, *k));
	}
	assert_true(json_integer_value(json_object_get(m, "cores")) >= 1);
	la = json_string_value(json_object_get(m, "loadavg_start"));
	assert_int_equal(sscanf(la, "%lf %lf %lf", &l1, &l2, &l3), 3);
	rep_meta_where(m, where, sizeof(where));
	assert_non_null(strstr(where, json_string_value(
		json_object_get(m, "machine"))));
	assert_non_null(strstr(where, ", load "));
	assert_non_null(strstr(where, " at start"));
	/* an old summary without the fields still gets a caption */
	rep_meta_where(NULL, where, sizeof(where));
	assert_string_equal(where, "machine not recorded");
	json_decref(raw);
	json_decref(d);
	rep_summary_free(s);
	/* reproducible: no machine fields at all */
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	raw = rep_meta_new("perf y");
	assert_null(json_object_get(raw, "loadavg_start"));
	assert_string_equal(json_string_value(json_object_get(raw, "started")),
			    "2023-11-14T22:13:20Z");
	json_decref(raw);
	unsetenv("SOURCE_DATE_EPOCH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_rep_summary_json_shape, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_rep_summary_junit_escapes, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_rep_summary_all_pass_exit0, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_rep_summary_reproducible, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_rep_meta_machine, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests_name("rep_summary", tests, NULL, NULL);
}
