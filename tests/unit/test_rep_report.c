/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sim/report/report: per-row verdicts folded from checks of
 * several summaries, the exposure table merged per data class and client
 * setting, failures listed, and the bad inputs (no summary, bad JSON).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "base/mem.h"
#include "report/report.h"
#include "tmpdir_testutil.h"

static const char run_json[] =
	"{\"passed\": 3, \"failed\": 1, \"skipped\": 0, \"checks\": ["
	"{\"name\": \"P16 call detail records (automatic audit)\", \"ok\": true,"
	" \"detail\": \"kept\", \"suite\": \"a.scn\"},"
	"{\"name\": \"P7 registrations (automatic audit)\", \"ok\": false,"
	" \"detail\": \"a.scn: 'REG-X' stored: var/log at 3\", \"suite\": \"a.scn\"},"
	"{\"name\": \"path SRTP (automatic audit)\", \"ok\": true,"
	" \"detail\": \"never seen\", \"suite\": \"b.scn\"},"
	"{\"name\": \"line 4: expect cdr a b\", \"ok\": true, \"detail\": \"x\"}],"
	"\"metrics\": {\"scenarios\": 2},"
	"\"meta\": {\"tool\": \"run\", \"machine\": \"test box\","
	" \"finished\": \"2026-01-01T00:00:00Z\"},"
	"\"exposure\": ["
	"{\"row\": \"P12\", \"class\": \"RTP payload\", \"setting\": \"via=udp media=rtp\","
	" \"sniffer\": true, \"relay\": true, \"relay_basis\": \"measured\","
	" \"storage\": false, \"wire_measured\": true},"
	"{\"row\": \"P12\", \"class\": \"RTP payload\", \"setting\": \"via=udp media=rtp\","
	" \"sniffer\": false, \"relay\": false, \"relay_basis\": \"measured\","
	" \"storage\": true, \"wire_measured\": true},"
	"{\"row\": \"P7\", \"class\": \"REGISTER User-Agent\", \"setting\": \"via=tls\","
	" \"sniffer\": false, \"relay\": true, \"relay_basis\": \"inferred\","
	" \"storage\": false, \"wire_measured\": true},"
	"{\"row\": \"P12\", \"class\": \"RTP payload\", \"setting\": \"via=udp media=srtp\","
	" \"sniffer\": true, \"sniffer_basis\": \"inferred\", \"relay\": true,"
	" \"relay_basis\": \"inferred\", \"storage\": false, \"wire_measured\": true}]}";

static const char audit_json[] =
	"{\"passed\": 0, \"failed\": 1, \"checks\": ["
	"{\"name\": \"P16 call detail records retention\", \"ok\": false,"
	" \"detail\": \"1 of 1 rows older\"}], \"metrics\": {}}";

static void test_rep_report_verdicts_and_exposure(void **state)
{
	struct rep_report_stats st;
	char err[256], p[256], *md, *html;

	(void)state;
	tmp_put("summary.json", run_json);
	snprintf(p, sizeof(p), "%s/audit", tmpdir);
	assert_int_equal(mkdir(p, 0755), 0);
	tmp_put("audit/summary.json", audit_json);
	assert_int_equal(rep_report_write(tmpdir, &st, err, sizeof(err)), 0);
	assert_int_equal(st.summaries, 2);
	assert_int_equal(st.checks, 5);
	assert_int_equal(st.failed, 2);
	md = tmp_slurp("report.md");
	/* One pass from the run, one failure from the audit: FAILED. */
	assert_non_null(strstr(md, "| P16 | call detail records | FAILED | 1 | 1 "
			       "| 1 of 1 rows older |"));
	assert_non_null(strstr(md, "| P7 | registrations | FAILED | 0 | 1 |"));
	assert_non_null(strstr(md, "| P1 | account | not exercised |"));
	assert_non_null(strstr(md, "| SRTP | held | 1 | 0 | never seen |"));
	/* Two canaries of one class and setting merge into one row. */
	assert_non_null(strstr(md, "| P12 | RTP payload | via=udp media=rtp | "
			       "reads | reads | reads | 2 |"));
	assert_non_null(strstr(md, "| P7 | REGISTER User-Agent | via=tls | no | "
			       "reads (inferred) | no | 1 |"));
	/* SDES-keyed SRTP: read through keys seen in clear */
	assert_non_null(strstr(md, "| P12 | RTP payload | via=udp media=srtp | "
			       "reads (inferred) | reads (inferred) | no | "
			       "1 |"));
	assert_non_null(strstr(md, "'REG-X' stored: var/log at 3"));
	free(md);
	html = tmp_slurp("report.html");
	assert_non_null(strstr(html, "<tr class=\"fail\"><td>P7</td>"));
	assert_null(strstr(html, "http://cdn"));
	free(html);
}

static void test_rep_report_bad_inputs(void **state)
{
	struct rep_report_stats st;
	char err[256];

	(void)state;
	assert_int_equal(rep_report_write(tmpdir, &st, err, sizeof(err)),
			 ENOENT);
	assert_non_null(strstr(err, "no summary.json"));
	tmp_put("summary.json", "{\"passed\": 1,");
	assert_int_equal(rep_report_write(tmpdir, &st, err, sizeof(err)),
			 EBADMSG);
	assert_non_null(strstr(err, "summary.json:"));
}

/* Portal screenshots: a section with thumbnails linking to the files,
 * from DIR/web or the sibling ../web (make run's results/web). */
static void test_rep_report_portal_shots(void **state)
{
	char err[256], p[256], *md, *html;

	(void)state;
	snprintf(p, sizeof(p), "%s/latest", tmpdir);
	assert_int_equal(mkdir(p, 0755), 0);
	tmp_put("latest/summary.json", audit_json);
	assert_int_equal(rep_report_write(p, NULL, err, sizeof(err)), 0);
	md = tmp_slurp("latest/report.md");
	assert_null(strstr(md, "Self-care portal"));	/* none yet */
	free(md);
	snprintf(p, sizeof(p), "%s/web", tmpdir);
	assert_int_equal(mkdir(p, 0755), 0);
	tmp_put("web/login.png", "\x89PNG fake");
	tmp_put("web/02-devices.png", "\x89PNG fake");
	tmp_put("web/bad name.png", "\x89PNG fake");	/* not shown */
	tmp_put("web/empty.png", "");			/* not shown */
	tmp_put("web/e2e.log", "ok\n");
	snprintf(p, sizeof(p), "%s/latest", tmpdir);
	assert_int_equal(rep_report_write(p, NULL, err, sizeof(err)), 0);
	md = tmp_slurp("latest/report.md");
	assert_non_null(strstr(md, "## Self-care portal"));
	assert_non_null(strstr(md, "2 screenshots of the web portal"));
	assert_non_null(strstr(md, "[![02-devices.png](../web/02-devices.png)]"
				   "(../web/02-devices.png) [![login.png]"));
	assert_non_null(strstr(md, "[../web/e2e.log](../web/e2e.log)"));
	assert_null(strstr(md, "bad name"));
	assert_null(strstr(md, "empty.png"));
	free(md);
	html = tmp_slurp("latest/report.html");
	assert_non_null(strstr(html, "<a href=\"../web/login.png\"><img "
				     "src=\"../web/login.png\""));
	assert_non_null(strstr(html, "<figcaption>login</figcaption>"));
	free(html);
	/* DIR/web wins over the sibling folder */
	snprintf(p, sizeof(p), "%s/latest/web", tmpdir);
	assert_int_equal(mkdir(p, 0755), 0);
	tmp_put("latest/web/inside.png", "\x89PNG fake");
	snprintf(p, sizeof(p), "%s/latest", tmpdir);
	assert_int_equal(rep_report_write(p, NULL, err, sizeof(err)), 0);
	md = tmp_slurp("latest/report.md");
	assert_non_null(strstr(md, "1 screenshot of the web portal"));
	assert_non_null(strstr(md, "(web/inside.png)"));
	assert_null(strstr(md, "login.png"));
	free(md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_rep_report_verdicts_and_exposure, tmp_setup,
			tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_rep_report_bad_inputs, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_rep_report_portal_shots, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests_name("rep_report", tests, NULL, NULL);
}
