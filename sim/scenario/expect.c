/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `expect` lines and the step dispatcher. Counting checks (cdr, trace,
 * message, account, registered) ask the platform through the mode
 * backend; canary checks (stored, wire, row) rescan data_dir and the
 * captures first, so they see every byte written so far. A false expect
 * names the file, the line and what was found instead.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "scenario/run_steps.h"

static int expect_count(struct scn_ctx *c, const struct scn_step *st)
{
	uint64_t want = scn_opt_u64(st, "count", 0), n = 0;
	char err[300] = "";
	const char *enc = scn_opt(st, "encrypted");
	int rc, yes = 0;

	if (scn_platform(c, st))
		return 0;
	/* cdr/trace/message/account listings come from refctl */
	if (c->o->target && st->verb != SCN_EXPECT_REGISTERED)
		return scn_target_skip(c, st, c->o->target_data_dir ?
				       "the target is not refd: refctl cannot "
				       "list it (--data-dir is audited as raw "
				       "bytes only)" :
				       "no --data-dir for the target");
	switch (st->verb) {
	case SCN_EXPECT_CDR:
		if (!c->be->count_cdr)
			return scn_unsupported(c, st, NULL);
		rc = c->be->count_cdr(c, st->argv[0], st->argv[1], &n, err,
				      sizeof(err));
		break;
	case SCN_EXPECT_TRACE:
		if (!c->be->count_trace)
			return scn_unsupported(c, st, NULL);
		rc = c->be->count_trace(c, st->argv[0], &n, err, sizeof(err));
		break;
	case SCN_EXPECT_MESSAGE:
		if (!c->be->count_message)
			return scn_unsupported(c, st, NULL);
		rc = c->be->count_message(c, st->argv[0], !enc ? -1 :
					  !strcmp(enc, "yes"), &n, err,
					  sizeof(err));
		break;
	case SCN_EXPECT_ACCOUNT:
	case SCN_EXPECT_REGISTERED: {
		bool want_yes = !strcmp(st->argv[1], "present") ||
				!strcmp(st->argv[1], "yes");

		if (st->verb == SCN_EXPECT_ACCOUNT && !c->be->account_exists)
			return scn_unsupported(c, st, NULL);
		if (st->verb == SCN_EXPECT_REGISTERED && !c->be->registered)
			return scn_unsupported(c, st, NULL);
		rc = st->verb == SCN_EXPECT_ACCOUNT ?
			c->be->account_exists(c, st->argv[0], &yes, err,
					      sizeof(err)) :
			c->be->registered(c, st->argv[0], &yes, err,
					  sizeof(err));
		if (rc)
			return scn_check(c, st, false, "could not ask the "
					 "platform: %s", err);
		return scn_check(c, st, (bool)yes == want_yes, "%s is %s",
				 st->argv[0], st->verb == SCN_EXPECT_ACCOUNT ?
				 (yes ? "present" : "absent") :
				 (yes ? "registered" : "not registered"));
	}
	default:
		return 0;
	}
	if (rc)
		return scn_check(c, st, false, "could not ask the platform: %s",
				 err);
	return scn_check(c, st, n == want, "count=%llu, expected %llu",
			 (unsigned long long)n, (unsigned long long)want);
}

static int expect_canary(struct scn_ctx *c, const struct scn_step *st)
{
	bool wire = st->verb == SCN_EXPECT_WIRE;
	bool want = !strcmp(st->argv[1], "yes");
	enum audit_src src = wire ? AUDIT_SRC_WIRE : AUDIT_SRC_STORE;
	const struct audit_hit *h;
	char err[300] = "";
	size_t idx, n;
	int rc;

	if (scn_unplaced_find(c, st->argv[0]))
		return scn_check(c, st, false, "cannot judge: the step at line "
				 "%u that carries %s did not run",
				 scn_unplaced_find(c, st->argv[0]),
				 st->argv[0]);
	if (!wire && scn_target_nostore(c))
		return scn_target_skip(c, st, "no --data-dir for the target");
	if (wire && !c->capture_ok) {
		char name[160];

		snprintf(name, sizeof(name), "line %u: expect wire %s",
			 st->line, st->argv[0]);
		return rep_summary_skip(c->sum, name, "skipped: %s",
					c->started ? c->capture_why :
					"no link was captured (no traffic)");
	}
	rc = audit_canary_add(c->audit, st->argv[0], strlen(st->argv[0]),
			      &idx);
	if (rc == EINVAL)
		return scn_check(c, st, false, "canary '%s' is shorter than "
				 "%d bytes: too short to search for",
				 st->argv[0], AUDIT_MIN_LEN);
	if (rc)
		return rc;
	if (scn_audit_scan(c, err, sizeof(err)))
		return scn_check(c, st, false, "could not scan: %s", err);
	n = audit_found(c->audit, idx, src);
	h = audit_first(c->audit, idx, src);
	if (h)
		return scn_check(c, st, want, "found %s in %s%s at %llu as %s "
				 "(%zu location%s)", st->argv[0], h->where,
				 wire ? " packet" : "",
				 (unsigned long long)h->offset,
				 audit_enc_name(h->enc), n, n == 1 ? "" : "s");
	return scn_check(c, st, !want, "%s not found %s", st->argv[0],
			 wire ? "on any captured link" :
			 "in any file under data_dir, in any encoding");
}

static int expect_row(struct scn_ctx *c, const struct scn_step *st)
{
	struct audit_verdict rows[AUDIT_ROWS + 1], paths[AUDIT_PATH_CNT];
	bool want_pass = !strcmp(st->argv[1], "pass");
	char err[300] = "";
	unsigned r = 0;

	scn_row_parse(st->argv[0], &r);
	if (scn_target_nostore(c))
		return scn_target_skip(c, st, "no --data-dir for the target");
	if (scn_audit_scan(c, err, sizeof(err)))
		return scn_check(c, st, false, "could not scan: %s", err);
	audit_evaluate(c->ledger, c->now_us, NULL, rows, paths);
	if (!rows[r].exercised)
		return scn_check(c, st, false, "P%u was not exercised: no "
				 "canary of this scenario went into it", r);
	return scn_check(c, st, (rows[r].failed == 0) == want_pass,
			 "P%u %s: %s", r, rows[r].failed ? "failed" : "held",
			 rows[r].detail);
}

/* Timeline points: what data_dir holds before and after time moves. */
static void timeline_point(struct scn_ctx *c)
{
	char err[300];

	if (c->timeline && c->started)
		scn_audit_scan(c, err, sizeof(err));
}

static int step(struct scn_ctx *c, const struct scn_step *st);

int scn_step_run(struct scn_ctx *c, const struct scn_step *st)
{
	int rc;

	if (st->verb == SCN_ADVANCE)
		timeline_point(c);
	rc = step(c, st);
	if (!rc && (st->verb == SCN_ADVANCE || st->verb == SCN_PURGE ||
		    st->verb == SCN_DELETE))
		timeline_point(c);
	return rc;
}

static int step(struct scn_ctx *c, const struct scn_step *st)
{
	char err[300] = "";
	int rc;

	switch (st->verb) {
	case SCN_TITLE:
		return 0;
	case SCN_ACCOUNT:
		return scn_do_account(c, st);
	case SCN_REGISTER: case SCN_UNREGISTER: case SCN_CALL:
	case SCN_MESSAGE: case SCN_CHAT: case SCN_SUBSCRIBE: case SCN_PUBLISH:
	case SCN_CONFERENCE: case SCN_FILE: case SCN_VOICEMAIL:
	case SCN_BUDDIES: case SCN_PUSH: case SCN_PRESRULES:
		return scn_do_traffic(c, st);
	case SCN_PURCHASE: case SCN_DELETE: case SCN_PURGE:
		return scn_do_admin(c, st);
	case SCN_ADVANCE:
		if (c->o->target)	/* its clock is not ours to move */
			return scn_target_skip(c, st, "a --target's clock "
					       "cannot be advanced");
		c->now_us += (int64_t)st->dur_us;
		if (c->started && c->be->advance) {
			rc = c->be->advance(c, c->now_us, err, sizeof(err));
			if (rc)
				return scn_check(c, st, false, "%s", err);
		}
		return 0;
	case SCN_POLICY:
		return scn_do_policy(c, st);
	case SCN_AUDIT:
		return scn_do_audit(c, st);
	case SCN_LAN:
		/* start refused it in inproc (inproc_net.c) */
		if (!strcmp(c->be->mode, "sim"))
			return 0;
		return scn_unsupported(c, st, "lan needs --mode sim (an ns-3 "
				       "CSMA segment)");
	case SCN_LINK: case SCN_NAT:
		/* the in-process and sim backends built the topology at
		 * start (inproc_net.c); a real loopback has none */
		if (!strcmp(c->be->mode, "inproc") || !strcmp(c->be->mode, "sim"))
			return 0;
		return scn_unsupported(c, st, "network topology needs "
				       "--mode sim (ns-3) or --mode inproc");
	case SCN_EXPECT_CDR: case SCN_EXPECT_TRACE: case SCN_EXPECT_MESSAGE:
	case SCN_EXPECT_ACCOUNT: case SCN_EXPECT_REGISTERED:
		return expect_count(c, st);
	case SCN_EXPECT_STORED: case SCN_EXPECT_WIRE:
		return expect_canary(c, st);
	case SCN_EXPECT_ROW:
		return expect_row(c, st);
	case SCN_VERB_CNT:
		break;
	}
	return 0;
}
