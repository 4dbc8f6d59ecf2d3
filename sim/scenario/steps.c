/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One function per verb family of the scenario language. Every step that
 * sends data first makes its canaries, and tags them in the audit ledger
 * only once the platform accepted the step, so a step that failed never
 * makes a later "gone too early" verdict. Which row a canary belongs to
 * is POLICY.md's: REGISTER -> P7, SUBSCRIBE/PUBLISH -> P8, RTP -> P12,
 * MSRP chat -> P13, conference -> P15, password -> P2, e-mail -> P3,
 * INVITE Subject -> P6 (trace, kept for its period), MESSAGE body -> P10,
 * file -> P11, voicemail -> P14, buddy list -> P5, push -> P9,
 * purchase name -> P17.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/mem.h"
#include "base/cfg.h"
#include "scenario/run_steps.h"

#define CAN_LEN 40

int scn_unsupported(struct scn_ctx *c, const struct scn_step *st,
		       const char *why)
{
	return scn_check(c, st, false, "verb '%s' not supported in mode %s "
			 "yet%s%s", scn_verb_name(st->verb), c->o->mode,
			 why && *why ? ": " : "", why ? why : "");
}

static int mark(struct scn_ctx *c, const struct scn_step *st,
		const char *canary, unsigned row, enum audit_keep keep,
		uint64_t period_s, const char *owner, const char *owner2,
		enum audit_path path, bool e2e, bool tls, const char *what,
		const char *setting)
{
	struct audit_mark m;
	char origin[300];
	int rc;

	if (!canary || strlen(canary) < AUDIT_MIN_LEN)
		return 0;	/* too short to search for without noise */
	snprintf(origin, sizeof(origin), "%s:%u", c->s->file, st->line);
	memset(&m, 0, sizeof(m));
	m.canary = canary;
	m.row = row;
	m.keep = keep;
	m.period_s = period_s;
	m.created_us = c->now_us;
	m.owner = owner;
	m.owner2 = owner2;
	m.path = path;
	m.e2e = e2e;
	m.tls = tls;
	m.what = what;
	m.setting = setting;
	m.origin = origin;
	rc = audit_mark(c->ledger, &m);
	return rc == EINVAL ? 0 : rc;
}

int scn_do_account(struct scn_ctx *c, const struct scn_step *st)
{
	struct scn_acct *na, *a;
	const char *pw = scn_opt(st, "password"), *em = scn_opt(st, "email");
	const char *dn = scn_opt(st, "display");
	char gpw[CAN_LEN], gem[CAN_LEN + 20], gdn[CAN_LEN + 10];
	char err[300] = "";
	int rc;

	na = mem_realloc(c->acct, (c->nacct + 1) * sizeof(*na));
	if (!na)
		return ENOMEM;
	c->acct = na;
	a = &na[c->nacct];
	memset(a, 0, sizeof(*a));
	if (!pw) {
		scn_canary_make(c, 2, gpw, sizeof(gpw));
		pw = gpw;
	}
	if (!em) {
		scn_canary_make(c, 3, gem, CAN_LEN);
		strcat(gem, "@mail.test");
		em = gem;
	}
	if (!dn) {
		memcpy(gdn, "Display ", 8);
		scn_canary_make(c, 1, gdn + 8, CAN_LEN);
		dn = gdn;
	}
	a->display = mem_strdup(dn);
	a->name = mem_strdup(st->argv[0]);
	a->password = mem_strdup(pw);
	a->email = mem_strdup(em);
	a->voicemail = scn_opt(st, "voicemail") &&
		       !strcmp(scn_opt(st, "voicemail"), "on");
	a->pgp = scn_opt(st, "pgp") && !strcmp(scn_opt(st, "pgp"), "on");
	if (!a->name || !a->password || !a->email || !a->display) {
		mem_free(a->display);
		mem_free(a->name);
		mem_free(a->password);
		mem_free(a->email);
		return ENOMEM;
	}
	c->nacct++;
	if (scn_unplaced_add(c, a->password, st->line) ||
	    scn_unplaced_add(c, a->email, st->line) ||
	    scn_unplaced_add(c, a->display, st->line))
		return ENOMEM;
	if (scn_platform(c, st))
		return 0;
	if (!c->be->account_add)
		return scn_unsupported(c, st, NULL);
	rc = c->be->account_add(c, a, err, sizeof(err));
	if (rc)
		return scn_check(c, st, false, "account not created: %s", err);
	/* Created: its password and e-mail were placed after all. */
	scn_unplaced_drop(c, st->line);
	a->created = true;
	rc = mark(c, st, a->password, 2, AUDIT_KEEP_NEVER, 0, a->name, NULL,
		  AUDIT_PATH_NONE, false, false, "password", "");
	if (!rc)
		rc = mark(c, st, a->email, 3, AUDIT_KEEP_ACCOUNT_TABLE, 0,
			  a->name, NULL, AUDIT_PATH_NONE, false, false,
			  "e-mail address", "");
	if (!rc)
		rc = mark(c, st, a->display, 1, AUDIT_KEEP_ACCOUNT, 0, a->name,
			  NULL, AUDIT_PATH_NONE, false, false, "display name",
			  "");
	return rc;
}

static const char *via_of(const struct scn_step *st, const char *dflt)
{
	const char *v = scn_opt(st, "via");

	return v ? v : dflt;
}

/* Canary of a traffic step: the canary= option or a fresh one. */
static const char *step_canary(struct scn_ctx *c, const struct scn_step *st,
			       unsigned row, char *buf)
{
	const char *v = scn_opt(st, "canary");

	if (v)
		return v;
	scn_canary_make(c, row, buf, CAN_LEN);
	return buf;
}

int scn_do_traffic(struct scn_ctx *c, const struct scn_step *st)
{
	struct scn_traffic t;
	struct scn_secrets sec;
	char cbuf[CAN_LEN], sbuf[CAN_LEN], ubuf[CAN_LEN], err[300] = "";
	char setting[96];
	char body[600];
	const char *media = scn_opt(st, "media");
	bool on_otr = scn_opt(st, "otr") && !strcmp(scn_opt(st, "otr"), "on");
	bool pgp;
	const char *owner2;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	memset(&sec, 0, sizeof(sec));
	t.st = st;
	t.secrets = &sec;
	t.a = scn_acct_find(c, st->argv[0]);
	t.b = st->argc > 1 ? scn_acct_find(c, st->argv[1]) : NULL;
	if (st->verb == SCN_CONFERENCE && !t.a) {
		/* conference ROOM A B...: the room is not an account */
		t.a = t.b;
		t.b = st->argc > 2 ? scn_acct_find(c, st->argv[2]) : NULL;
	}
	t.via = via_of(st, st->verb == SCN_CHAT ? "tcp" : "udp");
	owner2 = t.b ? t.b->name : NULL;
	switch (st->verb) {
	case SCN_REGISTER:
		t.canary = step_canary(c, st, 7, cbuf);
		break;
	case SCN_CALL:
		t.canary = step_canary(c, st, 12, cbuf);
		scn_canary_make(c, 6, sbuf, sizeof(sbuf));
		t.subject = sbuf;
		scn_canary_make(c, 16, ubuf, sizeof(ubuf));
		t.ua_canary = ubuf;
		break;
	case SCN_MESSAGE: {
		const char *b = scn_opt(st, "body");

		pgp = !strcmp(b, "pgp");
		if (pgp) {
			t.canary = step_canary(c, st, 10, cbuf);
		} else if (scn_opt(st, "canary")) {
			snprintf(body, sizeof(body), "%s %s", b,
				 scn_opt(st, "canary"));
			t.canary = body;
		} else {
			snprintf(body, sizeof(body), "%s", b);
			t.canary = body;
		}
		break;
	}
	default:
		t.canary = step_canary(c, st, 0, cbuf);
	}
	if (scn_platform(c, st) || !c->be->traffic ||
	    (rc = c->be->traffic(c, &t, err, sizeof(err)))) {
		if (scn_unplaced_add(c, t.canary, st->line) ||
		    scn_unplaced_add(c, t.subject, st->line) ||
		    scn_unplaced_add(c, t.ua_canary, st->line))
			return ENOMEM;
		if (!c->started)
			return 0;	/* reported by scn_platform */
		if (!c->be->traffic)
			return scn_unsupported(c, st, NULL);
		if (rc == ENOTSUP)
			return scn_unsupported(c, st, err);
		return scn_check(c, st, false, "%s", err);
	}
	snprintf(setting, sizeof(setting), "via=%s%s%s%s", t.via,
		 st->verb == SCN_CALL ? " media=" : "",
		 st->verb == SCN_CALL ? (media ? media : "rtp") : "",
		 on_otr ? " otr=on" : "");
	switch (st->verb) {
	case SCN_REGISTER:
		return mark(c, st, t.canary, 7, AUDIT_KEEP_NEVER, 0,
			    t.a->name, NULL, !strcmp(t.via, "tls") ?
			    AUDIT_PATH_TLS_SIP : AUDIT_PATH_NONE, false,
			    !strcmp(t.via, "tls"), "REGISTER User-Agent",
			    setting);
	case SCN_CALL: {
		bool e2e = media && strcmp(media, "rtp");
		bool tls = !strcmp(t.via, "tls");

		rc = mark(c, st, t.canary, 12, AUDIT_KEEP_NEVER, 0, t.a->name,
			  owner2, !media || !strcmp(media, "rtp") ?
			  AUDIT_PATH_NONE : !strcmp(media, "srtp") ?
			  AUDIT_PATH_SRTP : AUDIT_PATH_ZRTP, e2e, false,
			  "RTP payload", setting);
		if (!rc)
			rc = mark(c, st, t.subject, 6, AUDIT_KEEP_PERIOD,
				  c->per.traces, t.a->name, owner2,
				  tls ? AUDIT_PATH_TLS_SIP : AUDIT_PATH_NONE,
				  false, tls, "INVITE Subject", setting);
		/* The CDR outlives the trace, so the UA string lives as
		 * long as the CDR. */
		if (!rc)
			rc = mark(c, st, t.ua_canary, 16, AUDIT_KEEP_PERIOD,
				  c->per.cdrs > c->per.traces ? c->per.cdrs :
				  c->per.traces, t.a->name, owner2,
				  tls ? AUDIT_PATH_TLS_SIP : AUDIT_PATH_NONE,
				  false, tls, "caller User-Agent (CDR)",
				  setting);
		/* P6: keys and digest responses are redacted at ingest. */
		if (!rc)
			rc = mark(c, st, sec.sdes_caller, 6, AUDIT_KEEP_NEVER,
				  0, t.a->name, owner2, tls ?
				  AUDIT_PATH_TLS_SIP : AUDIT_PATH_NONE, false,
				  tls, "SDES key of the offer (a=crypto)",
				  setting);
		if (!rc)
			rc = mark(c, st, sec.sdes_callee, 6, AUDIT_KEEP_NEVER,
				  0, t.a->name, owner2, tls ?
				  AUDIT_PATH_TLS_SIP : AUDIT_PATH_NONE, false,
				  tls, "SDES key of the answer (a=crypto)",
				  setting);
		if (!rc)
			rc = mark(c, st, sec.digest, 6, AUDIT_KEEP_NEVER, 0,
				  t.a->name, owner2, tls ? AUDIT_PATH_TLS_SIP :
				  AUDIT_PATH_NONE, false, tls,
				  "digest response= of the INVITE", setting);
		return rc;
	}
	case SCN_MESSAGE:
		pgp = !strcmp(scn_opt(st, "body"), "pgp");
		return mark(c, st, t.canary, 10, pgp ? AUDIT_KEEP_NEVER :
			    AUDIT_KEEP_PERIOD, c->per.messages, owner2,
			    t.a->name, pgp ? AUDIT_PATH_PGP :
			    !strcmp(t.via, "tls") ? AUDIT_PATH_TLS_SIP :
			    AUDIT_PATH_NONE, pgp, !strcmp(t.via, "tls"),
			    pgp ? "MESSAGE plaintext (PGP)" : "MESSAGE body",
			    setting);
	case SCN_CHAT:
		return mark(c, st, t.canary, 13, AUDIT_KEEP_NEVER, 0,
			    t.a->name, owner2, on_otr ? AUDIT_PATH_OTR :
			    !strcmp(t.via, "tls") ? AUDIT_PATH_TLS_MSRP :
			    AUDIT_PATH_NONE, on_otr, !strcmp(t.via, "tls"),
			    "MSRP chat", setting);
	case SCN_SUBSCRIBE:
	case SCN_PUBLISH:
		return mark(c, st, t.canary, 8, AUDIT_KEEP_NEVER, 0,
			    t.a->name, owner2, AUDIT_PATH_NONE, false,
			    !strcmp(t.via, "tls"), st->verb == SCN_PUBLISH ?
			    "PUBLISH body" : "SUBSCRIBE", setting);
	case SCN_CONFERENCE:
		return mark(c, st, t.canary, 15, AUDIT_KEEP_NEVER, 0,
			    t.a->name, NULL, AUDIT_PATH_NONE, false, false,
			    "conference media", setting);
	case SCN_FILE:
		pgp = scn_opt(st, "pgp") && !strcmp(scn_opt(st, "pgp"), "on");
		return mark(c, st, t.canary, 11, pgp ? AUDIT_KEEP_NEVER :
			    AUDIT_KEEP_PERIOD, c->per.files, t.a->name, owner2,
			    pgp ? AUDIT_PATH_PGP : AUDIT_PATH_NONE, pgp, false,
			    pgp ? "file plaintext (PGP)" : "file", setting);
	case SCN_VOICEMAIL:
		return mark(c, st, t.canary, 14, AUDIT_KEEP_ACCOUNT, 0,
			    owner2, NULL, AUDIT_PATH_NONE, false, false,
			    "voicemail audio", setting);
	case SCN_BUDDIES:
		return mark(c, st, t.canary, 5, AUDIT_KEEP_ACCOUNT, 0,
			    t.a->name, NULL, AUDIT_PATH_NONE, false, false,
			    "XCAP resource list", setting);
	case SCN_PUSH:
		return mark(c, st, t.canary, 9, AUDIT_KEEP_PERIOD, c->per.push,
			    t.a->name, NULL, AUDIT_PATH_NONE, false, false,
			    "push notification", setting);
	default:
		return 0;
	}
}

int scn_do_admin(struct scn_ctx *c, const struct scn_step *st)
{
	struct scn_acct *a = st->argc ? scn_acct_find(c, st->argv[0]) : NULL;
	char err[300] = "", nbuf[CAN_LEN + 8];
	const char *name;
	int rc;

	if (st->verb == SCN_PURCHASE &&
	    (scn_unplaced_add(c, scn_opt(st, "name"), st->line) ||
	     scn_unplaced_add(c, scn_opt(st, "address"), st->line)))
		return ENOMEM;
	if (scn_platform(c, st))
		return 0;
	/* purchases, deletions and purges are refctl's, on refd only */
	if (c->o->target)
		return scn_target_skip(c, st, "the target is not refd: "
				       "no refctl to run it with");
	switch (st->verb) {
	case SCN_PURCHASE:
		if (!c->be->purchase)
			return scn_unsupported(c, st, NULL);
		name = scn_opt(st, "name");
		if (!name) {
			memcpy(nbuf, "Name ", 5);
			scn_canary_make(c, 17, nbuf + 5, CAN_LEN);
			name = nbuf;
		}
		rc = c->be->purchase(c, a, scn_opt_u64(st, "amount", 0), name,
				     scn_opt(st, "address") ?
				     scn_opt(st, "address") : "1 Bench Road",
				     err, sizeof(err));
		if (rc)
			return scn_check(c, st, false, "%s", err);
		scn_unplaced_drop(c, st->line);
		return mark(c, st, name, 17, AUDIT_KEEP_PERIOD, c->per.billing,
			    a->name, NULL, AUDIT_PATH_NONE, false, false,
			    "billing name", "");
	case SCN_DELETE:
		if (!c->be->account_delete)
			return scn_unsupported(c, st, NULL);
		rc = c->be->account_delete(c, a, err, sizeof(err));
		if (rc)
			return scn_check(c, st, false, "%s", err);
		a->deleted = true;
		return audit_ledger_deleted(c->ledger, a->name, c->now_us);
	case SCN_PURGE:
		if (!c->be->purge)
			return scn_unsupported(c, st, NULL);
		rc = c->be->purge(c, c->now_us, err, sizeof(err));
		if (rc)
			return scn_check(c, st, false, "%s", err);
		audit_ledger_purged(c->ledger, c->now_us);
		return 0;
	default:
		return 0;
	}
}

int scn_do_policy(struct scn_ctx *c, const struct scn_step *st)
{
	struct scn_periods *v = &c->over;

	if (c->started || c->start_failed)
		return scn_check(c, st, false, "'policy' must come before the "
				 "first step that uses the platform");
	if (st->argc) {
		mem_free(c->policy_src);
		c->policy_src = mem_strdup(st->argv[0]);
		if (!c->policy_src)
			return ENOMEM;
	}
	v->traces = scn_opt_dur_us(st, "traces", 0) / 1000000;
	v->push = scn_opt_dur_us(st, "push", 0) / 1000000;
	v->messages = scn_opt_dur_us(st, "messages", 0) / 1000000;
	v->files = scn_opt_dur_us(st, "files", 0) / 1000000;
	v->files_large = scn_opt_dur_us(st, "files_large", 0) / 1000000;
	v->cdrs = scn_opt_dur_us(st, "cdrs", 0) / 1000000;
	v->billing = scn_opt_dur_us(st, "billing", 0) / 1000000;
	v->purge_within = scn_opt_dur_us(st, "purge_within", 0) / 1000000;
	/* The argon2id cost (P2): the policy loader enforces the floor. */
	c->over_hash_passes = scn_opt_u64(st, "hash_passes", 0);
	c->over_hash_mem = 0;
	if (scn_opt(st, "hash_memory") &&
	    cfg_parse_size(scn_opt(st, "hash_memory"), &c->over_hash_mem))
		return scn_check(c, st, false, "bad hash_memory");
	return 0;
}

/* Periods of a stricter policy: a file (policy=) and/or inline keys. */
static int strict_periods(struct scn_ctx *c, const struct scn_step *st,
			  struct audit_strict *s, char *err, size_t errsz)
{
	static const struct { const char *opt, *sec, *key; unsigned row; }
	map[] = {
		{ "traces", "traces", "retention", 6 },
		{ "push", "push", "retention", 9 },
		{ "messages", "messages", "max_age", 10 },
		{ "files", "files", "retention", 11 },
		{ "cdrs", "cdrs", "retention", 16 },
		{ "billing", "billing", "retention", 17 },
	};
	const char *file = scn_opt(st, "policy");
	struct cfg cfg;
	size_t i;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	memset(&cfg, 0, sizeof(cfg));
	if (file) {
		rc = cfg_load(&cfg, file);
		if (rc) {
			snprintf(err, errsz, "%.250s", cfg.err);
			cfg_fini(&cfg);
			return rc;
		}
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint64_t v = 0;

		if (file && cfg_get(&cfg, map[i].sec, map[i].key)) {
			rc = cfg_get_duration(&cfg, map[i].sec, map[i].key, &v);
			if (rc) {
				snprintf(err, errsz, "%.250s", cfg.err);
				break;
			}
		}
		if (scn_opt(st, map[i].opt))
			v = scn_opt_dur_us(st, map[i].opt, 0) / 1000000;
		s->period_s[map[i].row] = v;
	}
	(void)c;
	cfg_fini(&cfg);
	return rc;
}

int scn_do_audit(struct scn_ctx *c, const struct scn_step *st)
{
	struct audit_verdict rows[AUDIT_ROWS + 1], paths[AUDIT_PATH_CNT];
	struct audit_strict strict;
	const char *exp = scn_opt(st, "expect"), *rs = scn_opt(st, "row");
	char err[300] = "", failed[400] = "";
	unsigned r, want_row = 0, nf = 0;
	size_t n = 0;

	if (rs && scn_row_parse(rs, &want_row))
		return scn_check(c, st, false, "row=%s is not P1..P18", rs);
	if (strict_periods(c, st, &strict, err, sizeof(err)) ||
	    scn_audit_scan(c, err, sizeof(err)))
		return scn_check(c, st, false, "audit could not run: %s", err);
	audit_evaluate(c->ledger, c->now_us, &strict, rows, paths);
	for (r = 1; r <= AUDIT_ROWS; r++) {
		if (!rows[r].failed)
			continue;
		nf++;
		n += (size_t)snprintf(failed + n, n < sizeof(failed) ?
				      sizeof(failed) - n : 0, "%sP%u", n ?
				      ", " : "", r);
	}
	if (n >= sizeof(failed))
		failed[sizeof(failed) - 1] = 0;
	if (exp && !strcmp(exp, "fail")) {
		bool ok = want_row ? rows[want_row].failed > 0 : nf > 0;

		if (ok)
			return scn_check(c, st, true, "audit failed as "
					 "expected naming %s: %s", want_row ?
					 rs : failed, want_row ?
					 rows[want_row].detail : "");
		return scn_check(c, st, false, "audit was expected to fail "
				 "naming %s, but the rows that failed are: %s",
				 want_row ? rs : "a row", nf ? failed : "none");
	}
	if (!nf)
		return scn_check(c, st, audit_ledger_count(c->ledger) > 0,
				 "%zu canaries judged%s",
				 audit_ledger_count(c->ledger),
				 audit_ledger_count(c->ledger) ?
				 ", every row held" : ": nothing to judge");
	for (r = 1; r <= AUDIT_ROWS && !rows[r].failed; r++)
		;
	return scn_check(c, st, false, "rows failed: %s (first: %s)", failed,
			 rows[r].detail);
}
