/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One gnuplot plot (PNG + SVG) from one summary series (report/summary.h).
 */
#ifndef REPORT_PLOT_H
#define REPORT_PLOT_H

#include <stddef.h>
#include <jansson.h>

/*
 * Write dir/stem.{dat,gp,png,svg} for ser (borrowed). machine and when
 * (may be NULL) go under the title. stem must be a plain file name.
 * ENOENT for a series without points, EIO when gnuplot fails (err says
 * why), errno of file writes.
 */
int rep_plot_series(json_t *ser, const char *dir, const char *stem,
		    const char *machine, const char *when, char *err,
		    size_t errsz);

#endif
