/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runner internals shared by run.c (context, clock, platform start,
 * final audit) and steps.c (one function per verb family).
 */
#ifndef SCENARIO_RUN_STEPS_H
#define SCENARIO_RUN_STEPS_H

#include <stdbool.h>
#include "scenario/run_int.h"

/* Execute one step; 0, or an errno that stops the whole run (ENOMEM). */
int scn_step_run(struct scn_ctx *c, const struct scn_step *st);

/* Record a check named after the step ("line N: verb args"). */
int scn_check(struct scn_ctx *c, const struct scn_step *st, bool ok,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Start the platform if needed; a failure is reported as a check. */
int scn_platform(struct scn_ctx *c, const struct scn_step *st);
/* Rescan data_dir and the captures into c->audit. */
int scn_audit_scan(struct scn_ctx *c, char *err, size_t errsz);
/* A fresh deterministic canary for row into out. */
void scn_canary_make(struct scn_ctx *c, unsigned row, char *out,
		     size_t sz);
struct scn_acct *scn_acct_find(struct scn_ctx *c, const char *name);
/* Account name's OpenPGP key pair (uid aor), generated once per scenario
 * account (issue 6) and kept for the run. errno of ua_pgp_new. */
int scn_acct_pgp_key(struct scn_ctx *c, const char *name, const char *aor,
		     const struct ua_pgp **out);

/* Fail the step: "verb X not supported in mode Y yet[: why]". */
int scn_unsupported(struct scn_ctx *c, const struct scn_step *st,
		    const char *why);
/* Remember text a failed step would have carried (NULL ok). ENOMEM. */
int scn_unplaced_add(struct scn_ctx *c, const char *text, unsigned line);
/* Forget the texts recorded for line (the step succeeded). */
void scn_unplaced_drop(struct scn_ctx *c, unsigned line);
/* Line of a failed step whose text contains canary, 0 if none. */
unsigned scn_unplaced_find(const struct scn_ctx *c, const char *canary);
/* Verb families (steps.c); 0 or an errno that stops the run. */
int scn_do_account(struct scn_ctx *c, const struct scn_step *st);
int scn_do_traffic(struct scn_ctx *c, const struct scn_step *st);
int scn_do_admin(struct scn_ctx *c, const struct scn_step *st);
int scn_do_policy(struct scn_ctx *c, const struct scn_step *st);
int scn_do_audit(struct scn_ctx *c, const struct scn_step *st);

#endif
