/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay: reads captures (files, or every *.pcap, *.pcapng,
 * *.cap and *.gz of a directory), dissects them with sim/replay and
 * reports what was on the wire: SIP messages by method and status, calls
 * with their timing and outcome, registrations, RTP streams, MSRP, as
 * DIR/summary.json (SPEC.md "rtcbench replay") and a one-screen summary.
 * A directory's MANIFEST (one line per capture: "FILE key=value ...",
 * keys being metric names) turns into one check per expectation.
 * Bad input never crashes: a capture cut short, a link type this reader
 * lacks, a capture without SIP, TCP bytes lost in gaps each become a
 * failed check saying what was skipped and why; a file that cannot be
 * opened at all is a usage error (exit 2).
 * --target none dissects and accounts only. --target inproc (default)
 * also re-drives every captured call through the platform's SIP core in
 * process (rpl_drive.c) and compares each outcome with the capture; that
 * platform keeps its SQLite store in --data-dir DIR, or in a temporary
 * directory removed after the storage audit.
 * --target HOST:PORT re-drives every captured dialog message by message
 * against a live server (replay_live.c, sim/replay/rpl_live.h) with the
 * accounts of --accounts FILE. --scenario FILE writes the captured calls
 * as a scenario (rpl_scn.c) for `rtcbench run`. --speed N divides the
 * captured gaps, --asap drops them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/cmd.h"
#include "app/cmd_replay.h"
#include "app/replay_audit.h"
#include "base/mem.h"

static int usage(const char *why)
{
	fprintf(stderr, "rtcbench replay: %s\nusage: rtcbench replay PCAP... "
		"[--target none|inproc|HOST:PORT] [--out DIR] "
		"[--write OUT.pcap] [--scenario OUT.scn] [--speed N|--asap]\n"
		"  live: --target HOST:PORT --accounts FILE [--transport "
		"udp|tcp|tls]\n        [--step-timeout SECONDS] "
		"[--allow-remote] [--tls-cert PEM --tls-key PEM]\n"
		"        [--msrp-relay HOST:PORT] (also re-drive MSRP sessions)\n"
		"  inproc: [--messages] (also re-drive message by message)\n"
		"  audit after the re-drive: [--data-dir DIR] (inproc: where "
		"the platform\n        keeps its store; default a temporary "
		"directory, removed)\n",
		why);
	return 2;
}

int cmd_replay(int argc, char **argv)
{
	struct run run;
	const char *out = "results/latest", *target = "inproc", *wpath = NULL;
	const char *spath = NULL, *ddir = NULL;
	struct rlive_cli lc = { 0 };
	double speed = 1;
	char err[512];
	int i, lk, rc = 0;
	size_t k;

	memset(&run, 0, sizeof(run));
	rmsrp_init(&run.ms);
	for (i = 0; i < argc && !rc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage("dissect captures and report"), 0;
		if ((lk = rmsrp_cli_arg(&run.ms, argc, argv, &i)) ||
		    (lk = rlive_cli_arg(&lc, argc, argv, &i))) {
			if (lk < 0)
				rc = usage("option needs a valid value");
			continue;
		}
		if (!strcmp(a, "--out") || !strcmp(a, "--target") ||
		    !strcmp(a, "--write") || !strcmp(a, "--speed") ||
		    !strcmp(a, "--scenario") || !strcmp(a, "--data-dir")) {
			if (i + 1 == argc) {
				rc = usage("option needs a value");
				break;
			}
			if (!strcmp(a, "--out"))
				out = argv[++i];
			else if (!strcmp(a, "--target"))
				target = argv[++i];
			else if (!strcmp(a, "--write"))
				wpath = argv[++i];
			else if (!strcmp(a, "--scenario"))
				spath = argv[++i];
			else if (!strcmp(a, "--data-dir"))
				ddir = argv[++i];
			else if ((speed = atof(argv[++i])) <= 0)
				rc = usage("--speed wants a number > 0");
		} else if (!strcmp(a, "--asap")) {
			speed = 0;
		} else if (a[0] == '-' && a[1]) {
			rc = usage("unknown option");
		} else {
			rc = rcmd_add_path(&run, a);
		}
	}
	if (!rc && !run.ninputs)
		rc = usage("no capture given");
	if (!rc && strcmp(target, "none") && strcmp(target, "inproc"))
		rc = (run.live = true, rlive_setup(&lc, target, &run.lo));
	if (!rc && run.ms.relay_set && !run.live)
		rc = usage("--msrp-relay needs --target HOST:PORT");
	if (!rc)
		rc = rmsrp_setup(&run.ms, lc.remote);
	if (rc)
		goto out;
	if (wpath && rpl_writer_open(&run.wr, wpath, err, sizeof(err))) {
		fprintf(stderr, "rtcbench replay: %s\n", err);
		rc = 2;
		goto out;
	}
	run.inproc = !strcmp(target, "inproc");
	run.ms.collect |= run.inproc;
	run.msgs = run.inproc && lc.messages;
	run.lo.step_timeout_us = lc.step_timeout_us;
	run.speed = speed;
	run.lo.speed = speed;
	run.want_scn = spath != NULL || run.inproc;
	if (rep_summary_new(&run.sum, "replay")) {
		rc = 2;
		goto out;
	}
	rep_summary_meta(run.sum, "target", target);
	run.calls = json_array();
	run.files = json_array();
	run.uas = json_array();
	run.streams = json_array();
	run.dialogs = json_array();
	if (strcmp(target, "none") && rpl_canaries_new(&run.can)) {
		rc = 2;
		goto out;
	}
	/* canaries are read where the re-drive hands bytes to the platform */
	run.lo.can = run.can;
	run.plat.can = run.can;
	if (run.inproc) {
		/* the in-process platform's store: --data-dir keeps it */
		if (!ddir && raud_tmpdir(run.tmp_dir, sizeof(run.tmp_dir))) {
			fprintf(stderr, "rtcbench replay: cannot make a "
				"temporary data_dir: %s\n", strerror(errno));
			rc = 2;
			goto out;
		}
		run.plat.data_dir = ddir ? ddir : run.tmp_dir;
		rep_summary_meta(run.sum, "data_dir", ddir ? ddir :
				 "temporary, removed after the audit");
	}
	for (k = 0; k < run.ninputs && !rc; k++) {
		run.file_idx = (unsigned)k;
		rc = rcmd_replay_file(&run, run.inputs[k]);
	}
	if (rc)
		goto out;
	for (k = 0; k < run.nexp; k++)
		if (!run.exp[k].used)
			rep_summary_check(run.sum, "manifest", false,
					  "%s:%d: %s is listed but was not "
					  "replayed", run.manifest,
					  run.exp[k].line, run.exp[k].file);
	if (run.can)
		raud_report(run.sum, run.can, run.inproc ? run.plat.data_dir :
			    ddir, "no --data-dir (the live target's data_dir)");
	if (run.wr) {
		uint64_t wn = rpl_writer_count(run.wr);

		rep_summary_check(run.sum, "write", !rpl_writer_close(run.wr),
				  "%s: %llu messages written", wpath,
				  (unsigned long long)wn);
		run.wr = NULL;
	}
	if (spath) {
		int se = rcmd_write_scenario(&run, spath, speed);

		rep_summary_check(run.sum, "scenario", !se, "%s: %zu calls "
				  "for `rtcbench run` to re-drive%s%s", spath,
				  run.nscn, se ? ": " : "",
				  se ? strerror(se) : "");
	}
	rep_summary_set(run.sum, "calls", json_incref(run.calls));
	if (run.live || run.msgs)
		rep_summary_set(run.sum, "dialogs", json_incref(run.dialogs));
	rep_summary_set(run.sum, "files", json_incref(run.files));
	rep_summary_set(run.sum, "user_agents", json_incref(run.uas));
	rep_summary_set(run.sum, "media_streams", json_incref(run.streams));
	rep_summary_set(run.sum, "msrp_sessions",
			json_incref(run.ms.sessions));
	rcmd_print_model(&run);
	rmsrp_print(&run.ms);
	if ((i = rep_summary_write(run.sum, out))) {
		fprintf(stderr, "rtcbench replay: cannot write %s/summary.json: "
			"%s\n", out, strerror(i));
		rc = 2;
		goto out;
	}
	rep_summary_print(run.sum, stdout);
	rc = rep_summary_exit(run.sum);
out:
	if (run.tmp_dir[0] && raud_rmdir(run.tmp_dir))
		fprintf(stderr, "rtcbench replay: %s: not removed: %s\n",
			run.tmp_dir, strerror(errno));
	rpl_writer_close(run.wr);
	json_decref(run.calls);
	json_decref(run.files);
	json_decref(run.uas);
	json_decref(run.streams);
	json_decref(run.dialogs);
	rmsrp_fini(&run.ms);
	rpl_canaries_free(run.can);
	mem_free((void *)run.lo.accts);
	rep_summary_free(run.sum);
	for (k = 0; k < run.ninputs; k++)
		mem_free(run.inputs[k]);
	mem_free(run.exp);
	for (k = 0; k < run.nscn; k++) {
		mem_free((char *)run.scn[k].caller);
		mem_free((char *)run.scn[k].callee);
	}
	mem_free(run.scn);
	return rc;
}
