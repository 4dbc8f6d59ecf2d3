/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench run PATH... [--mode inproc|live|sim] [--out DIR] [--junit FILE]
 *                      [--seed N] [--keep] [--bin DIR] [--policy FILE]
 *                      [--target HOST:PORT [--allow-remote] [--domain D]
 *                       [--accounts FILE] [--data-dir DIR]]
 *                      [--pcap DIR (sim: ns-3 per-device captures)]
 *
 * PATH is a .scn file or a folder searched recursively for *.scn (sorted,
 * so runs are repeatable). Every scenario is parsed before anything runs:
 * one bad line stops the command with "FILE:LINE: reason" and exit 2.
 * Results: DIR/summary.json (checks, metrics, the exposure rows), the
 * human summary, optional JUnit XML; exit 0 only when every check passed.
 *
 * --target (live mode only) audits another platform: no refd is started,
 * the bench UAs talk to HOST:PORT (loopback unless --allow-remote, the
 * rule of `rtcbench replay --target`), scenario accounts map by name to
 * FILE's "NAME USER@DOMAIN PASSWORD" lines, and storage checks read
 * --data-dir as raw bytes or are reported skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "app/cmd.h"
#include "base/mem.h"
#include "scenario/scn.h"
#include "scenario/run.h"
#include "report/summary.h"
#include "app/replay_live.h"
#include "replay/rpl_live.h"

struct files {
	char **v;
	size_t n, cap;
};

static int files_add(struct files *f, const char *p)
{
	if (f->n == f->cap) {
		size_t nc = f->cap ? 2 * f->cap : 32;
		char **nv = mem_realloc(f->v, nc * sizeof(char *));

		if (!nv)
			return ENOMEM;
		f->v = nv;
		f->cap = nc;
	}
	f->v[f->n] = mem_strdup(p);
	if (!f->v[f->n])
		return ENOMEM;
	f->n++;
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(struct files *f, const char *path, int depth)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (stat(path, &sb)) {
		fprintf(stderr, "rtcbench run: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (!S_ISDIR(sb.st_mode))
		return files_add(f, path) ? 2 : 0;
	if (depth > 16)
		return 0;
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "rtcbench run: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	while (!rc && (de = readdir(d))) {
		char p[4096];
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s%s%s", path,
			 path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
		if (stat(p, &sb))
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = collect(f, p, depth + 1);
		else if (l > 4 && !strcmp(de->d_name + l - 4, ".scn"))
			rc = files_add(f, p) ? 2 : 0;
	}
	closedir(d);
	return rc;
}

/* Every scenario account must be in the --accounts file: FILE:LINE. */
static int target_accounts_check(struct scn *const *sc, size_t n,
				 const struct rpl_acct *ta, size_t nta)
{
	size_t i, k, j;

	for (i = 0; i < n; i++)
		for (k = 0; k < sc[i]->cnt; k++) {
			const struct scn_step *st = &sc[i]->steps[k];

			if (st->verb != SCN_ACCOUNT || !st->argc)
				continue;
			for (j = 0; j < nta; j++)
				if (!strcmp(ta[j].aor, st->argv[0]))
					break;
			if (j == nta) {
				fprintf(stderr, "%s:%u: account %s is not in "
					"the --accounts file\n", sc[i]->file,
					st->line, st->argv[0]);
				return 2;
			}
		}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: rtcbench run PATH... [--mode inproc|live|sim]"
		" [--out DIR] [--junit FILE] [--seed N] [--keep] [--bin DIR]"
		" [--policy FILE] [--pcap DIR]\n"
		"       [--target HOST:PORT [--allow-remote]"
		" [--domain D] [--accounts FILE] [--data-dir DIR]]\n");
}

int cmd_run(int argc, char **argv)
{
	struct scn_run_opts o = { .mode = "inproc", .bin_dir = "bin",
				  .seed = 1 };
	const char *out = "results/latest", *junit = NULL, *accounts = NULL;
	struct rpl_acct *ta = NULL;
	size_t nta = 0;
	bool allow_remote = false;
	struct files f = { 0 };
	struct scn **sc = NULL;
	struct rep_summary *sum = NULL;
	json_t *exposure = NULL;
	struct rep_series *ser = NULL;
	char err[512], work[4096], seed[32];
	unsigned scn_failed = 0, total_steps = 0;
	double wall = 0;
	size_t i, nroots = 0;
	int rc = 2, e, reproducible;

	for (i = 0; i < (size_t)argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < (size_t)argc;

		if (!strcmp(a, "--mode") && more)
			o.mode = argv[++i];
		else if (!strcmp(a, "--out") && more)
			out = argv[++i];
		else if (!strcmp(a, "--junit") && more)
			junit = argv[++i];
		else if (!strcmp(a, "--bin") && more)
			o.bin_dir = argv[++i];
		else if (!strcmp(a, "--policy") && more)
			o.policy = argv[++i];
		else if (!strcmp(a, "--target") && more)
			o.target = argv[++i];
		else if (!strcmp(a, "--domain") && more)
			o.domain = argv[++i];
		else if (!strcmp(a, "--accounts") && more)
			accounts = argv[++i];
		else if (!strcmp(a, "--data-dir") && more)
			o.target_data_dir = argv[++i];
		else if (!strcmp(a, "--allow-remote"))
			allow_remote = true;
		else if (!strcmp(a, "--pcap") && more)
			o.pcap_dir = argv[++i];
		else if (!strcmp(a, "--keep"))
			o.keep = 1;
		else if (!strcmp(a, "--seed") && more) {
			char *end;

			o.seed = strtoull(argv[++i], &end, 10);
			if (*end || !*argv[i]) {
				fprintf(stderr, "rtcbench run: --seed '%s' is "
					"not a number\n", argv[i]);
				goto out;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			rc = 0;
			goto out;
		} else if (a[0] == '-') {
			fprintf(stderr, "rtcbench run: unknown or incomplete "
				"option '%s'\n", a);
			usage();
			goto out;
		} else {
			nroots++;
			if (collect(&f, a, 0))
				goto out;
		}
	}
	if (!nroots) {
		usage();
		goto out;
	}
	if (!scn_mode_valid(o.mode)) {
		fprintf(stderr, "rtcbench run: --mode '%s': use inproc, live "
			"or sim\n", o.mode);
		goto out;
	}
	if (o.pcap_dir && strcmp(o.mode, "sim")) {
		fprintf(stderr, "rtcbench run: --pcap DIR needs --mode sim "
			"(inproc and live write their captures under --out)\n");
		goto out;
	}
	if (o.pcap_dir && (e = rep_mkdirs(o.pcap_dir))) {
		fprintf(stderr, "rtcbench run: --pcap %s: %s\n", o.pcap_dir,
			strerror(e));
		goto out;
	}
	if ((accounts || o.target_data_dir || allow_remote) && !o.target) {
		fprintf(stderr, "rtcbench run: --accounts, --data-dir and "
			"--allow-remote need --target\n");
		goto out;
	}
	if (o.target) {
		struct net_addr ta_addr;

		if (strcmp(o.mode, "live")) {
			fprintf(stderr, "rtcbench run: --target needs --mode "
				"live\n");
			goto out;
		}
		/* refused here, before any scenario sends a byte */
		if (rlive_target(o.target, NET_UDP, allow_remote, &ta_addr, err,
				 sizeof(err))) {
			fprintf(stderr, "rtcbench run: %s\n", err);
			goto out;
		}
		if (accounts && rlive_accounts(accounts, &ta, &nta, err,
					       sizeof(err))) {
			fprintf(stderr, "rtcbench run: %s\n", err);
			goto out;
		}
		o.tacct = ta;
		o.ntacct = nta;
	}
	if (!f.n) {
		fprintf(stderr, "rtcbench run: no .scn file found\n");
		goto out;
	}
	qsort(f.v, f.n, sizeof(char *), cmpstr);
	sc = mem_zalloc(f.n * sizeof(*sc));
	if (!sc)
		goto out;
	for (i = 0; i < f.n; i++) {
		if (scn_load(&sc[i], f.v[i], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	}
	if (accounts && target_accounts_check(sc, f.n, ta, nta))
		goto out;
	snprintf(work, sizeof(work), "%s/runs", out);
	if ((e = rep_mkdirs(work)) || rep_summary_new(&sum, "run")) {
		fprintf(stderr, "rtcbench run: %s: %s\n", work, strerror(e));
		goto out;
	}
	o.work_dir = work;
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)o.seed);
	rep_summary_meta(sum, "mode", o.mode);
	rep_summary_meta(sum, "seed", seed);
	if (o.target)
		rep_summary_meta(sum, "target", o.target);
	exposure = json_array();
	/* Wall times differ run to run: a reproducible run leaves them out. */
	reproducible = getenv("SOURCE_DATE_EPOCH") != NULL;
	if (!reproducible && rep_summary_series(sum, &ser, "scenario_wall", "Wall time per "
			       "scenario (rtcbench run, all steps and audits)",
			       "scenario (in run order)", "wall time (ms)",
			       "bar"))
		goto out;
	for (i = 0; i < f.n; i++) {
		struct scn_run_result r = { 0 };

		rep_progress("run", i, f.n);
		e = scn_run(sc[i], &o, sum, exposure, &r);
		if (e) {
			fprintf(stderr, "rtcbench run: %s: %s\n", f.v[i],
				strerror(e));
			rc = 2;
			goto out;
		}
		scn_failed += r.failed > 0;
		total_steps += (unsigned)sc[i]->cnt;
		wall += r.wall_s;
		if (ser)
			rep_series_point(ser, (double)(i + 1),
				 (double)(long)(r.wall_s * 1e6) / 1000);
	}
	rep_progress("run", f.n, f.n);
	rep_summary_metric(sum, "scenarios", (double)f.n);
	rep_summary_metric(sum, "scenarios_failed", scn_failed);
	rep_summary_metric(sum, "steps", total_steps);
	if (!reproducible)
		rep_summary_metric(sum, "scenario_wall_s",
				   (double)(long)(wall * 1000) / 1000);
	rep_summary_set(sum, "exposure", exposure);
	exposure = NULL;
	e = rep_summary_write(sum, out);
	if (e) {
		fprintf(stderr, "rtcbench run: %s/summary.json: %s\n", out,
			strerror(e));
		goto out;
	}
	if (junit && (e = rep_summary_junit(sum, junit))) {
		fprintf(stderr, "rtcbench run: %s: %s\n", junit, strerror(e));
		goto out;
	}
	rep_summary_print(sum, stdout);
	rc = rep_summary_exit(sum);
out:
	json_decref(exposure);
	rep_summary_free(sum);
	for (i = 0; sc && i < f.n; i++)
		scn_free(sc[i]);
	mem_free(sc);
	for (i = 0; i < f.n; i++)
		mem_free(f.v[i]);
	mem_free(f.v);
	mem_free(ta);
	return rc;
}
