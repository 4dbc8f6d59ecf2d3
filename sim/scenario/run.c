/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenario runner's step loop: the scenario clock, accounts, canary
 * generation and tagging (which POLICY row each canary went into), the
 * checks of `expect` and `audit` lines, and the automatic per-row audit at
 * the end of every scenario. Platform actions go through the mode backend
 * (run_int.h); the platform starts lazily at the first step that needs it
 * so a `policy` line can shape it first.
 *
 * Canaries are deterministic for a seed: "RTCB" + row + 10 hex digits from
 * splitmix64(seed, sequence), so two runs plant the same strings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "base/mem.h"
#include "base/cfg.h"
#include "scenario/run_int.h"
#include "scenario/run_steps.h"
#include "replay/rpl_live.h"
#include "ua/pgp.h"

int scn_mode_valid(const char *mode)
{
	return mode && (!strcmp(mode, "inproc") || !strcmp(mode, "live") ||
			!strcmp(mode, "sim"));
}

void scn_iso8601(int64_t us, char *out, size_t sz)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const struct rpl_acct *scn_target_acct(const struct scn_ctx *c,
				       const char *name)
{
	size_t i;

	if (!c->o->target)
		return NULL;
	for (i = 0; i < c->o->ntacct; i++)
		if (!strcmp(c->o->tacct[i].aor, name))
			return &c->o->tacct[i];
	return NULL;
}

int scn_acct_pgp_key(struct scn_ctx *c, const char *name, const char *aor,
		     const struct ua_pgp **out)
{
	struct scn_acct *a = scn_acct_find(c, name);
	int rc;

	if (!a)
		return ENOENT;
	if (!a->pgp_key && (rc = ua_pgp_new(&a->pgp_key, aor)))
		return rc;
	*out = a->pgp_key;
	return 0;
}

bool scn_target_nostore(const struct scn_ctx *c)
{
	return c->o->target && !c->o->target_data_dir;
}

int scn_target_skip(struct scn_ctx *c, const struct scn_step *st,
		    const char *why)
{
	char name[200];

	snprintf(name, sizeof(name), "line %u: %s%s%s", st->line,
		 scn_verb_name(st->verb), st->argc ? " " : "",
		 st->argc ? st->argv[0] : "");
	return rep_summary_skip(c->sum, name, "skipped: %s", why);
}

void scn_aor(const struct scn_ctx *c, const char *name, char *out,
	     size_t sz)
{
	const struct rpl_acct *ta = scn_target_acct(c, name);

	if (ta)
		snprintf(out, sz, "%s@%s", ta->user, ta->domain);
	else
		snprintf(out, sz, "%s@%s", name, c->domain);
}

int scn_ctx_add_pcap(struct scn_ctx *c, const char *path)
{
	char **np = mem_realloc(c->pcaps, (c->npcap + 1) * sizeof(char *));

	if (!np)
		return ENOMEM;
	c->pcaps = np;
	np[c->npcap] = mem_strdup(path);
	if (!np[c->npcap])
		return ENOMEM;
	c->npcap++;
	return 0;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void scn_canary_make(struct scn_ctx *c, unsigned row, char *out, size_t sz)
{
	uint64_t v = splitmix(&c->rng);

	c->canary_seq++;
	snprintf(out, sz, "RTCB%u%010llx", row,
		 (unsigned long long)(v & 0xffffffffffULL));
}

int scn_check(struct scn_ctx *c, const struct scn_step *st, bool ok,
	      const char *fmt, ...)
{
	char name[200], det[700];
	va_list ap;
	size_t i;
	int n;

	n = st ? snprintf(name, sizeof(name), "line %u: %s", st->line,
			  scn_verb_name(st->verb)) :
		snprintf(name, sizeof(name), "scenario");
	for (i = 0; st && i < st->argc && n > 0 && (size_t)n < sizeof(name);
	     i++)
		n += snprintf(name + n, sizeof(name) - (size_t)n, " %s",
			      st->argv[i]);
	va_start(ap, fmt);
	vsnprintf(det, sizeof(det), fmt, ap);
	va_end(ap);
	c->checks++;
	if (!ok)
		c->failed++;
	/* A failure reads "FILE:LINE: verb args: what was found". */
	if (ok)
		return rep_summary_check(c->sum, name, ok, "%s", det);
	if (!st)
		return rep_summary_check(c->sum, name, ok, "%s: %s",
					 c->s->file, det);
	return rep_summary_check(c->sum, name, ok, "%s:%u: %s: %s",
				 c->s->file, st->line,
				 name + strcspn(name, ":") + 2, det);
}

int scn_unplaced_add(struct scn_ctx *c, const char *text, unsigned line)
{
	char **nv;
	unsigned *nl;

	if (!text || !*text)
		return 0;
	nv = mem_realloc(c->unplaced, (c->nunplaced + 1) * sizeof(char *));
	if (!nv)
		return ENOMEM;
	c->unplaced = nv;
	nl = mem_realloc(c->unplaced_line, (c->nunplaced + 1) *
			 sizeof(unsigned));
	if (!nl)
		return ENOMEM;
	c->unplaced_line = nl;
	nv[c->nunplaced] = mem_strdup(text);
	if (!nv[c->nunplaced])
		return ENOMEM;
	nl[c->nunplaced++] = line;
	return 0;
}

void scn_unplaced_drop(struct scn_ctx *c, unsigned line)
{
	size_t i, j = 0;

	for (i = 0; i < c->nunplaced; i++) {
		if (c->unplaced_line[i] == line) {
			mem_free(c->unplaced[i]);
			continue;
		}
		c->unplaced[j] = c->unplaced[i];
		c->unplaced_line[j++] = c->unplaced_line[i];
	}
	c->nunplaced = j;
}

unsigned scn_unplaced_find(const struct scn_ctx *c, const char *canary)
{
	size_t i;

	for (i = 0; i < c->nunplaced; i++)
		if (strstr(c->unplaced[i], canary))
			return c->unplaced_line[i];
	return 0;
}

struct scn_acct *scn_acct_find(struct scn_ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nacct; i++)
		if (!strcmp(c->acct[i].name, name))
			return &c->acct[i];
	return NULL;
}

/* Durations of the policy file; POLICY.md's brackets when absent. */
int scn_policy_periods(const char *path, struct scn_periods *p, char *err,
		       size_t errsz)
{
	struct cfg cfg;
	int rc;

	p->traces = 30 * 86400ULL;
	p->push = 7 * 86400ULL;
	p->messages = 365 * 86400ULL;
	p->files = 30 * 86400ULL;
	p->files_large = 15 * 86400ULL;
	p->cdrs = 180 * 86400ULL;
	p->billing = 7 * 365 * 86400ULL;
	p->purge_within = 3600;
	memset(&cfg, 0, sizeof(cfg));
	rc = cfg_load(&cfg, path);
	if (rc == ENOENT) {
		cfg_fini(&cfg);
		return 0;	/* defaults; the platform says if it minds */
	}
	if (!rc)
		rc = cfg_get_duration(&cfg, "traces", "retention", &p->traces);
	if (!rc)
		rc = cfg_get_duration(&cfg, "push", "retention", &p->push);
	if (!rc)
		rc = cfg_get_duration(&cfg, "messages", "max_age",
				      &p->messages);
	if (!rc)
		rc = cfg_get_duration(&cfg, "files", "retention", &p->files);
	if (!rc)
		rc = cfg_get_duration(&cfg, "files", "large_retention",
				      &p->files_large);
	if (!rc)
		rc = cfg_get_duration(&cfg, "cdrs", "retention", &p->cdrs);
	if (!rc)
		rc = cfg_get_duration(&cfg, "billing", "retention",
				      &p->billing);
	if (!rc)
		rc = cfg_get_duration(&cfg, "purge", "within",
				      &p->purge_within);
	if (rc)
		snprintf(err, errsz, "%.250s", cfg.err);
	cfg_fini(&cfg);
	return rc;
}

static int file_copy_append(const char *src, FILE *dst)
{
	char b[4096];
	size_t n;
	FILE *f = fopen(src, "r");

	if (!f)
		return errno;
	while ((n = fread(b, 1, sizeof(b), f)) > 0)
		fwrite(b, 1, n, dst);
	fclose(f);
	return 0;
}

/*
 * A relative word list resolves against the policy file's folder: the copy
 * lives elsewhere, so name the original list by its absolute path.
 */
static void wordlist_abs(const char *base, FILE *f)
{
	struct cfg cfg;
	const char *w, *slash = strrchr(base, '/');

	memset(&cfg, 0, sizeof(cfg));
	if (cfg_load(&cfg, base) == 0 &&
	    (w = cfg_get(&cfg, "passwords", "wordlist")) && w[0] != '/' &&
	    slash)
		fprintf(f, "[passwords]\nwordlist = %.*s/%s\n",
			(int)(slash - base), base, w);
	cfg_fini(&cfg);
}

/*
 * The policy the platform runs with: the base file as is, or, after a
 * `policy` line, a copy with the overridden periods appended (the policy
 * loader takes the last value of a key).
 */
static int write_policy(struct scn_ctx *c, char *err, size_t errsz)
{
	const char *base = c->policy_src ? c->policy_src :
		c->o->policy ? c->o->policy : "ref/policy/sip2sip.policy";
	const struct scn_periods *v = &c->over;
	char absbase[600];
	FILE *f;

	if (!realpath(base, absbase))
		snprintf(absbase, sizeof(absbase), "%s", base);
	if (!v->traces && !v->push && !v->messages && !v->files &&
	    !v->files_large && !v->cdrs && !v->billing && !v->purge_within &&
	    !c->over_hash_mem && !c->over_hash_passes) {
		snprintf(c->policy, sizeof(c->policy), "%s", absbase);
		return scn_policy_periods(c->policy, &c->per, err, errsz);
	}
	snprintf(c->policy, sizeof(c->policy), "%s/platform.policy", c->dir);
	f = fopen(c->policy, "w");
	if (!f) {
		snprintf(err, errsz, "%.200s: %s", c->policy, strerror(errno));
		return errno;
	}
	if (file_copy_append(absbase, f) == 0)
		fputc('\n', f);
	wordlist_abs(absbase, f);
#define OV(field, sec, key) \
	if (v->field) fprintf(f, "[" sec "]\n" key " = %llus\n", \
			      (unsigned long long)v->field)
	OV(traces, "traces", "retention");
	OV(push, "push", "retention");
	OV(messages, "messages", "max_age");
	OV(files, "files", "retention");
	OV(files_large, "files", "large_retention");
	OV(cdrs, "cdrs", "retention");
	OV(billing, "billing", "retention");
	OV(purge_within, "purge", "within");
#undef OV
	if (c->over_hash_mem)
		fprintf(f, "[passwords]\nhash_memory = %llu\n",
			(unsigned long long)c->over_hash_mem);
	if (c->over_hash_passes)
		fprintf(f, "[passwords]\nhash_passes = %llu\n",
			(unsigned long long)c->over_hash_passes);
	fclose(f);
	return scn_policy_periods(c->policy, &c->per, err, errsz);
}

int scn_platform(struct scn_ctx *c, const struct scn_step *st)
{
	char err[300] = "";
	int rc;

	if (c->started)
		return 0;
	if (c->start_failed) {
		scn_check(c, st, false, "platform did not start: %s",
			  c->start_err);
		return EIO;
	}
	rc = write_policy(c, err, sizeof(err));
	if (!rc && !c->be->start) {
		snprintf(err, sizeof(err), "mode %s cannot start a platform "
			 "yet", c->o->mode);
		rc = ENOTSUP;
	}
	if (!rc)
		rc = c->be->start(c, err, sizeof(err));
	if (rc) {
		c->start_failed = true;
		snprintf(c->start_err, sizeof(c->start_err), "%s", err);
		scn_check(c, st, false, "platform did not start: %s", err);
		return rc;
	}
	c->started = true;
	return 0;
}

int scn_audit_scan(struct scn_ctx *c, char *err, size_t errsz)
{
	size_t i;
	int rc;

	if (c->be->capture_sync && c->started)
		c->be->capture_sync(c);
	audit_hits_clear(c->audit);
	rc = audit_scan_dir(c->audit, c->data_dir, NULL, NULL);
	if (rc && rc != ENOENT) {
		snprintf(err, errsz, "%s: %s", c->data_dir, strerror(rc));
		return rc;
	}
	/* refd logs to stderr, which the live runner keeps next to
	 * data_dir: POLICY P3 and P7 forbid logs too, so it is storage. */
	if (!c->o->target) {
		char log[sizeof(c->dir) + 16];

		snprintf(log, sizeof(log), "%s/refd.log", c->dir);
		rc = audit_scan_file(c->audit, log);
		if (rc && rc != ENOENT) {
			snprintf(err, errsz, "%s: %s", log, strerror(rc));
			return rc;
		}
	}
	for (i = 0; i < c->npcap; i++) {
		struct stat sb;

		if (stat(c->pcaps[i], &sb) || sb.st_size < 24)
			continue;	/* nothing captured yet */
		rc = audit_scan_pcap(c->audit, c->pcaps[i], NULL, err, errsz);
		if (rc)
			return rc;
	}
	if (c->timeline) {
		size_t k, n = 0;

		for (k = 0; k < audit_canary_count(c->audit); k++)
			n += audit_found(c->audit, k, AUDIT_SRC_STORE) > 0;
		rep_series_point(c->timeline, (double)(c->now_us -
				 c->start_us) / 86400e6, (double)n);
	}
	return 0;
}

/*
 * After every step (issue 6): the stored bytes are searched again, and a
 * never-stored canary met there stays a failure even if a later step
 * (a checkpoint, a purge, a deleted temporary file) removes it. Only the
 * platform's files: captures only grow, the final scan reads them.
 */
static int step_audit(struct scn_ctx *c, const struct scn_step *st)
{
	char log[sizeof(c->dir) + 16], when[300];
	int rc;

	if (!c->started || !audit_ledger_count(c->ledger) ||
	    scn_target_nostore(c))
		return 0;
	audit_hits_clear(c->audit);
	rc = audit_scan_dir(c->audit, c->data_dir, NULL, NULL);
	if (!rc && !c->o->target) {
		snprintf(log, sizeof(log), "%s/refd.log", c->dir);
		rc = audit_scan_file(c->audit, log);
	}
	if (rc && rc != ENOENT)
		return rc;
	snprintf(when, sizeof(when), "%s:%u", c->s->file, st->line);
	return audit_ledger_note(c->ledger, when);
}

static void final_audit(struct scn_ctx *c, json_t *exposure)
{
	struct audit_verdict rows[AUDIT_ROWS + 1], paths[AUDIT_PATH_CNT];
	char err[300], name[96];
	json_t *ex, *e;
	unsigned r;
	size_t i;

	if (!audit_ledger_count(c->ledger))
		return;
	if (scn_audit_scan(c, err, sizeof(err))) {
		scn_check(c, NULL, false, "final audit could not scan: %s",
			  err);
		return;
	}
	audit_evaluate(c->ledger, c->now_us, NULL, rows, paths);
	for (r = 1; r <= AUDIT_ROWS; r++) {
		if (!rows[r].exercised)
			continue;
		snprintf(name, sizeof(name), "P%u %s (automatic audit)", r,
			 audit_row_name(r));
		/* a row verdict needs the platform's stored bytes */
		if (scn_target_nostore(c)) {
			rep_summary_skip(c->sum, name, "skipped: no "
					 "--data-dir for the target");
			continue;
		}
		c->checks++;
		c->failed += rows[r].failed != 0;
		rep_summary_check(c->sum, name, !rows[r].failed,
				  "%u canar%s judged; %s", rows[r].exercised,
				  rows[r].exercised == 1 ? "y" : "ies",
				  rows[r].detail);
	}
	for (r = 1; r < AUDIT_PATH_CNT; r++) {
		if (!paths[r].exercised)
			continue;
		snprintf(name, sizeof(name), "path %s (automatic audit)",
			 audit_path_name((enum audit_path)r));
		if (!c->capture_ok) {
			rep_summary_skip(c->sum, name, "skipped: %s",
					 c->capture_why);
			continue;
		}
		c->checks++;
		c->failed += paths[r].failed != 0;
		rep_summary_check(c->sum, name, !paths[r].failed, "%s",
				  paths[r].detail);
	}
	ex = audit_exposure(c->ledger);
	if (!ex || !exposure) {
		json_decref(ex);
		return;
	}
	json_array_foreach(ex, i, e) {
		json_object_set_new(e, "scenario", json_string(c->s->file));
		json_object_set_new(e, "mode", json_string(c->o->mode));
		json_object_set_new(e, "wire_measured",
				    json_boolean(c->capture_ok));
		json_array_append(exposure, e);
	}
	json_decref(ex);
}

static int ctx_init(struct scn_ctx *c, const struct scn *s,
		    const struct scn_run_opts *o, struct rep_summary *sum)
{
	const char *b = strrchr(s->file, '/');
	char base[200], *p;
	size_t i;
	int rc;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->o = o;
	c->sum = sum;
	c->be = o->be ? o->be : !strcmp(o->mode, "live") ? &scn_be_live :
		!strcmp(o->mode, "sim") ? &scn_be_sim : &scn_be_inproc;
	c->be_arg = o->be_arg;
	c->rng = o->seed ^ 0x5eed5eedULL;
	snprintf(c->domain, sizeof(c->domain), "%s",
		 o->domain ? o->domain : "example.test");
	snprintf(base, sizeof(base), "%s", b ? b + 1 : s->file);
	if ((p = strstr(base, ".scn")))
		*p = 0;
	for (p = base; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
	for (i = 0;; i++) {
		snprintf(c->dir, sizeof(c->dir), "%s/%s%s%.0zu", o->work_dir,
			 base, i ? "-" : "", i);
		if (mkdir(c->dir, 0755) == 0)
			break;
		if (errno != EEXIST || i > 1000)
			return errno ? errno : EEXIST;
	}
	/* the target's storage, read only (audited, never written) */
	snprintf(c->data_dir, sizeof(c->data_dir), "%s%s",
		 o->target_data_dir ? o->target_data_dir : c->dir,
		 o->target_data_dir ? "" : "/var");
	snprintf(c->conf, sizeof(c->conf), "%s/refd.conf", c->dir);
	rc = audit_new(&c->audit);
	if (!rc)
		rc = audit_ledger_new(&c->ledger, c->audit);
	return rc;
}

static void ctx_fini(struct scn_ctx *c)
{
	size_t i;

	if (c->started && c->be->stop)
		c->be->stop(c);
	for (i = 0; i < c->nacct; i++) {
		mem_free(c->acct[i].name);
		mem_free(c->acct[i].password);
		mem_free(c->acct[i].email);
		mem_free(c->acct[i].display);
		ua_pgp_free(c->acct[i].pgp_key);
	}
	mem_free(c->acct);
	for (i = 0; i < c->npcap; i++)
		mem_free(c->pcaps[i]);
	mem_free(c->pcaps);
	for (i = 0; i < c->nunplaced; i++)
		mem_free(c->unplaced[i]);
	mem_free(c->unplaced);
	mem_free(c->unplaced_line);
	mem_free(c->policy_src);
	audit_ledger_free(c->ledger);
	audit_free(c->audit);
	if (!c->o->keep && c->dir[0]) {
		char *argv[] = { "rm", "-rf", c->dir, NULL };
		char e[64];

		scn_exec(argv, 30000, NULL, e, sizeof(e));
	}
}

int scn_run(const struct scn *s, const struct scn_run_opts *o,
	    struct rep_summary *sum, json_t *exposure,
	    struct scn_run_result *res)
{
	struct scn_ctx c;
	struct timespec t0, t1;
	size_t i;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = rep_summary_suite(sum, s->file);
	if (rc)
		return rc;
	/* A topology (link, nat, lan) exists only on a simulated network:
	 * live mode skips the scenario, named, rather than failing it on
	 * every run. */
	for (i = 0; !strcmp(o->mode, "live") && i < s->cnt; i++)
		if (s->steps[i].verb == SCN_LINK ||
		    s->steps[i].verb == SCN_NAT ||
		    s->steps[i].verb == SCN_LAN) {
			rc = rep_summary_skip(sum, s->file, "skipped: line "
					      "%u: %s needs --mode sim (ns-3) "
					      "or --mode inproc; live runs on "
					      "the machine's own network",
					      s->steps[i].line,
					      scn_verb_name(s->steps[i].verb));
			if (res)
				memset(res, 0, sizeof(*res));
			rep_summary_suite(sum, NULL);
			return rc;
		}
	rc = ctx_init(&c, s, o, sum);
	if (rc) {
		rep_summary_check(sum, "scenario set-up", false,
				  "%s: cannot make a work folder under %s: %s",
				  s->file, o->work_dir, strerror(rc));
		if (res)
			res->checks = res->failed = 1;
		ctx_fini(&c);
		return 0;
	}
	/*
	 * Scenario time: the wall clock in live mode (refd stamps rows with
	 * it), a fixed instant per seed in the simulated modes.
	 */
	if (!strcmp(o->mode, "live"))
		c.start_us = (int64_t)time(NULL) * 1000000;
	else
		c.start_us = 1767225600LL * 1000000;	/* 2026-01-01 */
	c.now_us = c.start_us;
	/* A scenario that moves time gets a retention timeline plot. */
	for (i = 0; i < s->cnt; i++)
		if (s->steps[i].verb == SCN_ADVANCE) {
			char name[300], title[400];
			const char *b = strrchr(s->file, '/');

			snprintf(name, sizeof(name), "retention-%s",
				 b ? b + 1 : s->file);
			snprintf(title, sizeof(title), "Canaries found in "
				 "data_dir over scenario time (%s, mode %s)",
				 s->file, o->mode);
			rep_summary_series(sum, &c.timeline, name, title,
					   "scenario time (days)",
					   "canaries stored", "line");
			break;
		}
	for (i = 0; i < s->cnt && !rc; i++) {
		rc = scn_step_run(&c, &s->steps[i]);
		if (!rc && (rc = step_audit(&c, &s->steps[i])))
			scn_check(&c, &s->steps[i], false, "audit after the "
				  "step could not scan %s: %s", c.data_dir,
				  strerror(rc));
		if (o->step_done)
			o->step_done(o->step_arg, &s->steps[i], i);
	}
	if (!rc)
		final_audit(&c, exposure);
	if (!c.checks)
		scn_check(&c, NULL, true, "%zu steps, nothing to check",
			  s->cnt);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (res) {
		res->checks = c.checks;
		res->failed = c.failed;
		res->wall_s = (double)(t1.tv_sec - t0.tv_sec) +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	ctx_fini(&c);
	rep_summary_suite(sum, NULL);
	return rc;
}
