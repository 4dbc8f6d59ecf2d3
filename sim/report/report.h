/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtcbench report DIR`: reads DIR/summary.json and the summary.json of
 * each direct sub-folder (DIR/replay, DIR/audit, DIR/perf ...), and writes
 * DIR/report.md and DIR/report.html (self-contained: CSS inline, plots
 * embedded as inline SVG, no network) with
 *   - the per-row POLICY verdicts (checks named "P<n> ..." and the
 *     protection paths "path ..."), rows never exercised said so;
 *   - the exposure table: data class x client setting -> what a link
 *     sniffer, the relay and the storage could read, from the canaries;
 *   - every failed check, and the metrics of each summary;
 *   - one gnuplot plot (PNG and SVG files next to the report) per series
 *     a summary carries, titled with what was measured, on which machine
 *     (and its load at start), when;
 *   - the self-care portal's screenshots (PNG files in DIR/web/, else in
 *     the sibling ../web/ that `make run` fills) as thumbnails linking to the
 *     files: the one part of report.html that is not inline.
 */
#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

#include <stddef.h>

struct rep_report_stats {
	unsigned summaries, checks, failed, plots;
	unsigned plots_failed;	/* gnuplot missing or failing */
};

/*
 * Write the report for dir. ENOENT when no summary.json is found (err
 * says where it looked), EBADMSG for a summary that is not valid JSON,
 * errno of file writes otherwise.
 */
int rep_report_write(const char *dir, struct rep_report_stats *st,
		     char *err, size_t errsz);

#endif
