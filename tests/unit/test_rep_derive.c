/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Series the report derives from metrics (sim/report/derive.c): perf
 * relay's per-implementation figures become one labelled line each,
 * sorted by stream count; scenario calls' MOS and loss become points; a
 * summary without such metrics gets nothing added.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "report/report_int.h"

static json_t *find(json_t *ser, const char *name)
{
	size_t i;
	json_t *s;

	json_array_foreach(ser, i, s)
		if (!strcmp(json_string_value(json_object_get(s, "name")),
			    name))
			return s;
	return NULL;
}

static void test_derive_relay_and_mos(void **state)
{
	json_t *doc = json_loads("{\"metrics\": {"
		"\"relay_rate_pps\": 50,"
		"\"relay_ours_100_relayed_pps\": 5000,"
		"\"relay_ours_1_relayed_pps\": 50,"
		"\"relay_ours-io_1_relayed_pps\": 49,"
		"\"relay_ours_1_pkts_per_cpu_s\": 260000,"
		"\"relay_ours_overload_streams_stopped\": 0,"
		"\"a.scn:5 call_mos\": 4.4, \"a.scn:5 call_loss_pct\": 0,"
		"\"a.scn:6 call_mos\": 3.3, \"a.scn:6 call_loss_pct\": 9.5,"
		"\"a.scn:7 call_mos\": 1.0,"
		"\"proxy_refd_calls_200_per_s\": 199,"
		"\"proxy_refd_calls_100_per_s\": 100,"
		"\"proxy_kamailio_calls_100_per_s\": 99,"
		"\"proxy_refd_calls_100_p50_ms\": 2.5,"
		"\"proxy_refd_calls_100_p99_ms\": 9.5,"
		"\"proxy_refd_register_per_s\": 500}}", 0, NULL);
	json_t *ser, *s, *lines, *l0, *pts;

	(void)state;
	assert_non_null(doc);
	rep_derive_series(doc);
	ser = json_object_get(doc, "series");
	s = find(ser, "relay_pps_vs_streams");
	assert_non_null(s);
	lines = json_object_get(s, "lines");
	assert_int_equal(json_array_size(lines), 2);
	l0 = json_array_get(lines, 0);
	assert_string_equal(json_string_value(json_object_get(l0, "label")),
			    "ours");
	pts = json_object_get(l0, "points");
	assert_int_equal(json_array_size(pts), 2);
	/* sorted by streams */
	assert_int_equal(json_integer_value(json_array_get(
		json_array_get(pts, 0), 0)), 1);
	assert_int_equal(json_integer_value(json_array_get(
		json_array_get(pts, 1), 0)), 100);
	assert_non_null(find(ser, "relay_cpu_vs_streams"));
	s = find(ser, "proxy_cps_vs_load");
	assert_non_null(s);
	assert_int_equal(json_array_size(json_object_get(s, "lines")), 2);
	s = find(ser, "proxy_latency_vs_load");
	assert_non_null(s);
	lines = json_object_get(s, "lines");
	assert_int_equal(json_array_size(lines), 2);	/* refd p50, p99 */
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(lines, 1), "label")), "refd p99");
	s = find(ser, "call_mos_vs_loss");
	assert_non_null(s);
	/* the call without a loss figure (blocked media) is left out */
	assert_int_equal(json_array_size(json_object_get(s, "points")), 2);
	json_decref(doc);

	doc = json_loads("{\"metrics\": {\"x\": 1}}", 0, NULL);
	rep_derive_series(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "series")), 0);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_derive_relay_and_mos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
