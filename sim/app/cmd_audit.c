/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench audit -c FILE [--at ISO8601] [--canary STRING]... [--pcap F]...
 *                [--out DIR] [--junit FILE] [--refctl PATH]
 *
 * Audits a platform from its refd config, running or not:
 *  - every --canary is searched in the raw bytes of every file under the
 *    config's data_dir (and in each --pcap), in every encoding of
 *    sim/audit; a canary found fails its check, naming file, offset and
 *    encoding;
 *  - retention as of --at (default now): each stored row of a class with
 *    a period (traces P6, messages P10, files P11, CDRs P16, billing P17)
 *    that is older than its period plus the purge allowance of the
 *    platform's policy fails its row. Rows are read with the platform's own
 *    `refctl --json` listings, so this works for any data_dir refctl can
 *    open.
 * Results go to DIR/summary.json (default results/latest/audit).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "app/cmd.h"
#include "base/buf.h"
#include "base/cfg.h"
#include "base/mem.h"
#include "audit/audit.h"
#include "scenario/run.h"
#include "scenario/run_int.h"
#include "report/summary.h"

/* "2026-01-01T00:00:00[.ffffff]Z" -> Unix microseconds; -1 if bad. */
static int64_t parse_iso(const char *s)
{
	struct tm tm;
	const char *e;
	int64_t us = 0, mul = 100000;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!e)
		return -1;
	if (*e == '.')
		for (e++; *e >= '0' && *e <= '9'; e++, mul /= 10)
			us += (*e - '0') * mul;
	if (*e == 'Z')
		e++;
	if (*e)
		return -1;
	return (int64_t)timegm(&tm) * 1000000 + us;
}

static int ctl_list(const char *refctl, const char *conf, const char *what,
		    const char *user, json_t **arr, char *err, size_t errsz)
{
	char *argv[] = { (char *)refctl, "-c", (char *)conf, (char *)what,
			 "list", "--json", NULL, NULL, NULL };
	struct buf out;
	json_error_t je;
	int rc;

	if (user) {
		argv[6] = "--user";
		argv[7] = (char *)user;
	}
	buf_init(&out);
	rc = scn_exec(argv, 30000, &out, err, errsz);
	if (rc) {
		if (rc > 0) {
			char e[300];

			snprintf(e, sizeof(e), "refctl %s list: exit %d: %s",
				 what, rc, err);
			snprintf(err, errsz, "%s", e);
		}
		buf_fini(&out);
		return EIO;
	}
	*arr = json_loadb(out.len ? (char *)out.data : "", out.len, 0, &je);
	buf_fini(&out);
	if (!json_is_array(*arr)) {
		snprintf(err, errsz, "refctl %s list --json: not a JSON array",
			 what);
		json_decref(*arr);
		return EBADMSG;
	}
	return 0;
}

struct rowcheck {
	unsigned row;
	const char *what;	/* refctl listing */
	const char *key;	/* time field the period runs from */
	const char *label;
};

static void check_rows(struct rep_summary *sum, const struct rowcheck *rc,
		       json_t *arr, uint64_t period_s, uint64_t within_s,
		       int64_t at_us)
{
	json_t *o;
	size_t i, n = 0, old = 0;
	int64_t oldest = INT64_MAX;
	char name[96], iso[40];

	json_array_foreach(arr, i, o) {
		int64_t t = parse_iso(json_string_value(
			json_object_get(o, rc->key)));

		if (t < 0)
			continue;
		n++;
		if (t + (int64_t)(period_s + within_s) * 1000000 < at_us) {
			old++;
			if (t < oldest)
				oldest = t;
		}
	}
	snprintf(name, sizeof(name), "P%u %s retention", rc->row, rc->label);
	if (old) {
		scn_iso8601(oldest, iso, sizeof(iso));
		rep_summary_check(sum, name, false, "%zu of %zu rows older "
				  "than %llu s + %llu s allowance (oldest %s)",
				  old, n, (unsigned long long)period_s,
				  (unsigned long long)within_s, iso);
	} else {
		rep_summary_check(sum, name, true, "%zu rows, none past %llu s",
				  n, (unsigned long long)period_s);
	}
}

static void retention(struct rep_summary *sum, const char *refctl,
		      const char *conf, const struct scn_periods *p,
		      int64_t at_us)
{
	static const struct rowcheck checks[] = {
		{ 6, "trace", "time", "session traces" },
		{ 16, "cdr", "end", "call detail records" },
		{ 17, "purchase", "time", "billing records" },
		{ 10, "message", "time", "text messages" },
	};
	const uint64_t per[] = { p->traces, p->cdrs, p->billing, p->messages };
	char err[400];
	json_t *arr, *accts = NULL, *a, *all;
	size_t i, j;

	for (i = 0; i < 3; i++) {
		if (ctl_list(refctl, conf, checks[i].what, NULL, &arr, err,
			     sizeof(err))) {
			rep_summary_check(sum, checks[i].label, false,
					  "cannot list: %s", err);
			continue;
		}
		check_rows(sum, &checks[i], arr, per[i], p->purge_within,
			   at_us);
		json_decref(arr);
	}
	/* Messages are listed per user. */
	if (ctl_list(refctl, conf, "account", NULL, &accts, err,
		     sizeof(err))) {
		rep_summary_check(sum, "text messages", false,
				  "cannot list accounts: %s", err);
		return;
	}
	all = json_array();
	json_array_foreach(accts, j, a) {
		char aor[300];

		snprintf(aor, sizeof(aor), "%s@%s",
			 json_string_value(json_object_get(a, "user")) ?: "",
			 json_string_value(json_object_get(a, "domain")) ?: "");
		if (!ctl_list(refctl, conf, "message", aor, &arr, err,
			      sizeof(err))) {
			json_array_extend(all, arr);
			json_decref(arr);
		}
	}
	check_rows(sum, &checks[3], all, per[3], p->purge_within, at_us);
	json_decref(all);
	json_decref(accts);
}

static void usage(void)
{
	fprintf(stderr, "usage: rtcbench audit -c FILE [--at ISO8601] "
		"[--canary STRING]... [--pcap FILE]... [--out DIR] "
		"[--junit FILE] [--refctl PATH]\n");
}

int cmd_audit(int argc, char **argv)
{
	const char *conf = NULL, *at_s = NULL, *out = "results/latest/audit";
	const char *junit = NULL, *refctl = "bin/refctl";
	const char *canaries[256], *pcaps[64];
	size_t nc = 0, np = 0, i, idx;
	struct rep_summary *sum = NULL;
	struct audit *a = NULL;
	struct scn_periods per;
	struct cfg cfg;
	char err[512];
	uint64_t files = 0, bytes = 0;
	int64_t at_us;
	int rc = 2, e;

	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < (size_t)argc; i++) {
		int more = i + 1 < (size_t)argc;

		if (!strcmp(argv[i], "-c") && more)
			conf = argv[++i];
		else if (!strcmp(argv[i], "--at") && more)
			at_s = argv[++i];
		else if (!strcmp(argv[i], "--canary") && more && nc < 256)
			canaries[nc++] = argv[++i];
		else if (!strcmp(argv[i], "--pcap") && more && np < 64)
			pcaps[np++] = argv[++i];
		else if (!strcmp(argv[i], "--out") && more)
			out = argv[++i];
		else if (!strcmp(argv[i], "--junit") && more)
			junit = argv[++i];
		else if (!strcmp(argv[i], "--refctl") && more)
			refctl = argv[++i];
		else {
			fprintf(stderr, "rtcbench audit: unknown or "
				"incomplete option '%s'\n", argv[i]);
			usage();
			return 2;
		}
	}
	if (!conf) {
		usage();
		return 2;
	}
	at_us = at_s ? parse_iso(at_s) : (int64_t)time(NULL) * 1000000;
	if (at_us < 0) {
		fprintf(stderr, "rtcbench audit: --at '%s': use "
			"YYYY-MM-DDTHH:MM:SSZ\n", at_s);
		return 2;
	}
	if (cfg_load(&cfg, conf)) {
		fprintf(stderr, "%s\n", cfg.err);
		goto out;
	}
	if (!cfg_get(&cfg, "platform", "data_dir")) {
		fprintf(stderr, "%s: [platform] data_dir: missing\n", conf);
		goto out;
	}
	if (scn_policy_periods(cfg_get(&cfg, "platform", "policy") ?: "",
			       &per, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (audit_new(&a) || rep_summary_new(&sum, "audit"))
		goto out;
	for (i = 0; i < nc; i++)
		if (audit_canary_add(a, canaries[i], strlen(canaries[i]),
				     NULL)) {
			fprintf(stderr, "rtcbench audit: canary '%s' is "
				"shorter than %d bytes\n", canaries[i],
				AUDIT_MIN_LEN);
			goto out;
		}
	e = audit_scan_dir(a, cfg_get(&cfg, "platform", "data_dir"), &files,
			   &bytes);
	if (e) {
		fprintf(stderr, "rtcbench audit: %s: %s\n",
			cfg_get(&cfg, "platform", "data_dir"), strerror(e));
		goto out;
	}
	for (i = 0; i < np; i++)
		if (audit_scan_pcap(a, pcaps[i], NULL, err, sizeof(err))) {
			fprintf(stderr, "rtcbench audit: %s\n", err);
			goto out;
		}
	for (idx = 0; idx < nc; idx++) {
		const struct audit_hit *hs = audit_first(a, idx,
							 AUDIT_SRC_STORE);
		const struct audit_hit *hw = audit_first(a, idx,
							 AUDIT_SRC_WIRE);
		char name[300];

		snprintf(name, sizeof(name), "canary %s", canaries[idx]);
		if (hs || hw)
			rep_summary_check(sum, name, false, "found in %s%s "
					  "at %llu as %s (%zu stored, %zu "
					  "wire locations)",
					  (hs ? hs : hw)->where,
					  hs ? "" : " packet",
					  (unsigned long long)(hs ? hs :
							       hw)->offset,
					  audit_enc_name((hs ? hs : hw)->enc),
					  audit_found(a, idx, AUDIT_SRC_STORE),
					  audit_found(a, idx, AUDIT_SRC_WIRE));
		else
			rep_summary_check(sum, name, true, "not found in %llu "
					  "files (%llu bytes)%s",
					  (unsigned long long)files,
					  (unsigned long long)bytes,
					  np ? " nor in the captures" : "");
	}
	retention(sum, refctl, conf, &per, at_us);
	rep_summary_metric(sum, "files_scanned", (double)files);
	rep_summary_metric(sum, "bytes_scanned", (double)bytes);
	if ((e = rep_summary_write(sum, out))) {
		fprintf(stderr, "rtcbench audit: %s: %s\n", out, strerror(e));
		goto out;
	}
	if (junit && (e = rep_summary_junit(sum, junit))) {
		fprintf(stderr, "rtcbench audit: %s: %s\n", junit,
			strerror(e));
		goto out;
	}
	rep_summary_print(sum, stdout);
	rc = rep_summary_exit(sum);
out:
	rep_summary_free(sum);
	audit_free(a);
	cfg_fini(&cfg);
	return rc;
}
