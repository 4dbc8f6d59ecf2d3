/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench report DIR: writes DIR/report.md and DIR/report.html (with
 * gnuplot PNG/SVG plots) from DIR/summary.json and the summaries of its
 * sub-folders (sim/report/report.h). Exit 0 when every check of every
 * summary passed, 1 when some failed (the report is written either way),
 * 2 when there is nothing to report or a summary is not valid JSON.
 */
#include <stdio.h>
#include <string.h>
#include "app/cmd.h"
#include "report/report.h"

int cmd_report(int argc, char **argv)
{
	struct rep_report_stats st;
	char err[600];

	if (argc == 1 && (!strcmp(argv[0], "-h") ||
			  !strcmp(argv[0], "--help"))) {
		printf("usage: rtcbench report DIR\n");
		return 0;
	}
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "usage: rtcbench report DIR\n");
		return 2;
	}
	if (rep_report_write(argv[0], &st, err, sizeof(err))) {
		fprintf(stderr, "rtcbench report: %s\n", err);
		return 2;
	}
	printf("rtcbench report: %s/report.md and report.html from %u "
	       "summar%s: %u checks, %u failed; %u plot%s", argv[0],
	       st.summaries, st.summaries == 1 ? "y" : "ies", st.checks,
	       st.failed, st.plots, st.plots == 1 ? "" : "s");
	if (st.plots_failed)
		printf(" (%u not drawn: see the report)", st.plots_failed);
	printf("\n");
	return st.failed ? 1 : 0;
}
