/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenario runner: executes a parsed scenario (scn.h) step by step
 * against a platform through a mode backend (live: a real refd on
 * loopback administered with refctl and captured with libpcap; inproc:
 * the ref cores in this process), places canaries into every piece of
 * data it sends and tags each with its POLICY row, audits data_dir and
 * the captures after purges, deletions and `expect` lines, and records
 * every result as a check in the summary (report/summary.h).
 *
 * A step the mode cannot perform fails with "verb X not supported in mode
 * Y yet"; it never passes silently. Every wait is bounded (timeouts name
 * the step).
 */
#ifndef SCENARIO_RUN_H
#define SCENARIO_RUN_H

#include <stdint.h>
#include <jansson.h>
#include "scenario/scn.h"
#include "report/summary.h"

struct scn_be_ops;
struct rpl_acct;

/* Retention periods in seconds, from the policy file (+ overrides). */
struct scn_periods {
	uint64_t traces, push, messages, files, files_large, cdrs, billing,
		 purge_within;
};

/*
 * Read the periods of a policy file (ref/policy format: [traces]
 * retention, [push] retention, [messages] max_age, [files] retention and
 * large_retention, [cdrs] retention, [billing] retention, [purge] within);
 * POLICY.md's bracketed defaults fill what is absent, and a missing file
 * gives all defaults. EINVAL/EBADMSG with "file:line: [sec] key: ..." in
 * err.
 */
int scn_policy_periods(const char *path, struct scn_periods *p, char *err,
		       size_t errsz);

struct scn_run_opts {
	const char *mode;	/* "inproc" "live" "sim" */
	const char *work_dir;	/* per-scenario folders are made below */
	const char *bin_dir;	/* refd, refctl; default "bin" */
	const char *policy;	/* platform policy file; default
				 * ref/policy/sip2sip.policy */
	const char *domain;	/* default "example.test" */
	uint64_t seed;
	int keep;		/* keep data_dir and captures */
	const char *pcap_dir;	/* sim: ns-3 per-device captures go here */
	/* Backend override (unit tests of the runner); NULL: by mode. */
	const struct scn_be_ops *be;
	void *be_arg;		/* handed to that backend as c->be_arg */
	/*
	 * --target HOST:PORT (live mode): drive the UAs against that SIP
	 * server instead of starting refd. Scenario accounts map by name
	 * (rpl_acct.aor) to tacct's USER@DOMAIN PASSWORD; target_data_dir,
	 * when set, is audited as the platform's stored bytes, else every
	 * storage check is reported skipped.
	 */
	const char *target;
	const char *target_data_dir;
	const struct rpl_acct *tacct;
	size_t ntacct;
	/*
	 * Called after each step with its index (benchmarks time the phases
	 * of a generated scenario with it); NULL: none.
	 */
	void (*step_done)(void *arg, const struct scn_step *st, size_t idx);
	void *step_arg;
};

struct scn_run_result {
	unsigned checks, failed;
	double wall_s;
};

/*
 * Run one scenario; checks go into sum under suite = scenario file. The
 * per-scenario exposure rows are appended to exposure (a JSON array,
 * borrowed; may be NULL). 0, or ENOMEM / an errno that stopped the whole
 * run (a failed step is a failed check, not an error).
 */
int scn_run(const struct scn *s, const struct scn_run_opts *o,
	    struct rep_summary *sum, json_t *exposure,
	    struct scn_run_result *res);

/* Whether mode is one of inproc, live, sim. */
int scn_mode_valid(const char *mode);

#endif
