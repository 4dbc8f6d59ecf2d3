/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report model shared by report.c (gathering) and write.c (Markdown
 * and HTML output). Fixed-size tables: a results folder holds a handful
 * of summaries; overflowing rows are counted, not shown.
 */
#ifndef REPORT_REPORT_INT_H
#define REPORT_REPORT_INT_H

#include <stdbool.h>
#include <time.h>
#include <jansson.h>
#include "audit/audit_policy.h"

#define REP_MAX_SRC 32
#define REP_MAX_FAIL 300
#define REP_MAX_EXPO 256
#define REP_MAX_PLOT 64
#define REP_MAX_SHOT 64
#define REP_SHOT_NAME 96

struct rep_src {
	char label[64];		/* "run", "replay", "audit" ... */
	char path[1200];
	json_t *doc;
};

struct rep_verdict {
	unsigned pass, fail, skipped;
	char detail[400];	/* first failure */
	char example[400];	/* first pass */
};

struct rep_expo {
	char row[8], cls[96], setting[96];
	unsigned n;		/* canaries behind this cell */
	int sniffer, relay, storage, relay_inferred, wire_measured;
	int sniffer_inferred;	/* only through SDES keys seen in clear */
};

struct rep_plot {
	char stem[160], title[200], where[400], err[200];
	char series[96];	/* the series name */
	bool ok;
};

/* One plot the report is expected to carry (derive.c). */
struct rep_cover {
	const char *what, *how;
	const struct rep_plot *plot;	/* NULL: missing */
};

struct rep_model {
	struct rep_src src[REP_MAX_SRC];
	size_t nsrc;
	unsigned checks, failed;
	json_t *fail[REP_MAX_FAIL];	/* borrowed from src docs */
	size_t nfail;
	struct rep_verdict rows[AUDIT_ROWS + 1];
	struct rep_verdict paths[AUDIT_PATH_CNT];
	struct rep_expo expo[REP_MAX_EXPO];
	size_t nexpo;
	struct rep_plot plot[REP_MAX_PLOT];
	size_t nplot;
	/* portal screenshots (shots.c): names in shot_dir, relative to the
	 * report folder ("web" or "../web"); e2e.log there too if shot_log */
	char shot[REP_MAX_SHOT][REP_SHOT_NAME];
	size_t nshot, shots_more;
	char shot_dir[16];
	time_t shots_newest;
	bool shot_log;
};

/* derive.c: series made from metrics, appended to doc's "series". */
void rep_derive_series(json_t *doc);
/* The expected plots and which plot of m supplies each; count. */
size_t rep_coverage(const struct rep_model *m, struct rep_cover *out,
		    size_t max);

/* shots.c: the portal screenshots next to dir, into m (none: nshot 0). */
void rep_find_shots(struct rep_model *m, const char *dir);

int rep_write_md(const struct rep_model *m, const char *dir, char *err,
		 size_t errsz);
int rep_write_html(const struct rep_model *m, const char *dir, char *err,
		   size_t errsz);

#endif
