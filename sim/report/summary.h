/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The results writer every rtcbench command uses. A command collects checks
 * (name, ok, detail), metrics (name -> number), plot series and any extra
 * JSON sections, then writes DIR/summary.json in the shape SPEC.md fixes,
 * optionally a JUnit XML file for CI systems, prints the one-screen human
 * summary and returns the process exit code from rep_summary_exit().
 *
 * summary.json layout (keys in this order):
 *   { "passed": N, "failed": N, "skipped": N,
 *     "checks": [ {"name", "ok", "detail"[, "suite"][, "skipped": true]
 *                  [, extra fields]} ... ],
 *     "metrics": { "name": number ... },
 *     "meta": { "tool", "started", "host", "machine", "uname", "cpu_model",
 *               "cores", "loadavg_start", ..., "finished", "wall_s" },
 *     "series": [ {"name", "title", "x", "y", "kind", "points": [[x,y]..]} ],
 *     ...extra sections in the order they were set }
 * A skipped check counts as passed (ok = true) and is also counted in
 * "skipped": it says what could not be measured, never hides a failure.
 * "series" feed the gnuplot plots of `rtcbench report`; "kind" is "line"
 * (default), "cdf" (points are raw samples, the report sorts them) or "bar".
 *
 * Not thread-safe; one summary per command. Uses jansson's allocator for the
 * JSON tree; everything else goes through mem_alloc.
 */
#ifndef REPORT_SUMMARY_H
#define REPORT_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <jansson.h>

struct rep_summary;
struct rep_series;

/* tool: the command name ("run", "replay", ...), copied. ENOMEM. */
int rep_summary_new(struct rep_summary **sp, const char *tool);
void rep_summary_free(struct rep_summary *s);

/*
 * Suite name stamped on the checks added after this call (JUnit testsuite,
 * e.g. the scenario file). NULL clears it. ENOMEM.
 */
int rep_summary_suite(struct rep_summary *s, const char *suite);

/* Add a check; detail is printf-formatted (may be NULL). ENOMEM. */
int rep_summary_check(struct rep_summary *s, const char *name, bool ok,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Same, with extra fields merged into the check object (borrowed, may be
 * NULL; keys name/ok/detail/suite are ignored there).
 */
int rep_summary_check_ex(struct rep_summary *s, const char *name, bool ok,
			 json_t *extra, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A check that could not run: ok, counted as skipped, reason printed. */
int rep_summary_skip(struct rep_summary *s, const char *name,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set a metric (integral values are written as JSON integers). ENOMEM. */
int rep_summary_metric(struct rep_summary *s, const char *name, double v);
/* Add delta to a metric (created at 0). ENOMEM. */
int rep_summary_metric_add(struct rep_summary *s, const char *name,
			   double delta);
/* Current value of a metric; 0 when absent. */
double rep_summary_metric_get(const struct rep_summary *s, const char *name);

/* Meta field (string) such as "seed", "mode", "policy". ENOMEM. */
int rep_summary_meta(struct rep_summary *s, const char *key,
		     const char *value);

/*
 * Set a top-level extra section; takes ownership of val (even on error).
 * Reserved keys (passed, failed, skipped, checks, metrics, meta, series)
 * give EINVAL. Setting a key again replaces it.
 */
int rep_summary_set(struct rep_summary *s, const char *key, json_t *val);
/* Borrowed view of an extra section, NULL when absent. */
json_t *rep_summary_get(struct rep_summary *s, const char *key);

/*
 * A plot series: title says what was measured, xlabel/ylabel the axes with
 * units; kind "line", "cdf" or "bar". *outp stays owned by the summary.
 */
int rep_summary_series(struct rep_summary *s, struct rep_series **outp,
		       const char *name, const char *title,
		       const char *xlabel, const char *ylabel,
		       const char *kind);
int rep_series_point(struct rep_series *ser, double x, double y);

unsigned rep_summary_passed(const struct rep_summary *s);
unsigned rep_summary_failed(const struct rep_summary *s);
unsigned rep_summary_skipped(const struct rep_summary *s);

/*
 * The full document (new reference; caller json_decref()s it). Stamps
 * meta.finished on first call. NULL on ENOMEM.
 */
json_t *rep_summary_json(struct rep_summary *s);

/*
 * Write DIR/summary.json (DIR created with parents; written to a temporary
 * name then renamed, so a reader never sees half a file). errno codes.
 */
int rep_summary_write(struct rep_summary *s, const char *dir);
/* Write JUnit XML (one testsuite per suite name). errno codes. */
int rep_summary_junit(struct rep_summary *s, const char *path);
/*
 * The human summary: counts, every failed check (capped at one screen),
 * skipped checks, and up to 12 metrics.
 */
void rep_summary_print(struct rep_summary *s, FILE *f);
/* 0 when no check failed, 1 otherwise. */
int rep_summary_exit(const struct rep_summary *s);

/*
 * Progress line on stderr when it is a terminal (overwritten in place);
 * nothing otherwise. done == total ends the line.
 */
void rep_progress(const char *label, unsigned long done, unsigned long total);

/*
 * The "meta" object (meta.c), the same in every summary.json, also for
 * the commands that write their file without rep_summary: tool, started
 * (ISO 8601 UTC), host, machine ("CPU model, N CPU, kernel"), uname,
 * cpu_model, cores, loadavg_start ("1m 5m 15m" when the command began).
 * With SOURCE_DATE_EPOCH set only tool and started (reproducible files).
 * rep_meta_init fills an existing object (ENOMEM, EINVAL); rep_meta_new
 * returns a new one or NULL; rep_meta_finish stamps "finished";
 * rep_meta_dumps returns the object as JSON text (stamping "finished"
 * if not yet), to be free()d, NULL on ENOMEM.
 */
int rep_meta_init(json_t *meta, const char *tool);
json_t *rep_meta_new(const char *tool);
int rep_meta_finish(json_t *meta);
char *rep_meta_dumps(json_t *meta);
/*
 * What a plot caption says about the machine: "machine, load L at start"
 * (or "machine not recorded" for an old summary).
 */
void rep_meta_where(json_t *meta, char *out, size_t sz);
/* SOURCE_DATE_EPOCH: 1 and *t set when it is given. */
int rep_reproducible(time_t *t);
/* Now (or SOURCE_DATE_EPOCH) as "YYYY-MM-DDTHH:MM:SSZ". */
void rep_iso_now(char *out, size_t sz);

/* mkdir -p. 0 or errno. */
int rep_mkdirs(const char *path);

#endif
