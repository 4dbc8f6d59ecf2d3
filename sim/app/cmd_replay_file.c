/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay, one capture: frames read and dissected (sim/replay),
 * every PDU fed to the --write pcap and, in the re-drive modes, the
 * dialog set (the storage-audit canaries are what the re-drive sends the
 * platform, read by a tap there, not the captured bytes); then the mode of the run: --target
 * inproc re-drives the captured calls through the platform in process
 * (rpl_drive.c) and compares each outcome, --messages also message by
 * message (replay_live.c rlive_inproc), --target HOST:PORT re-drives the
 * dialogs against a live server (rlive_run). Bad input becomes failed
 * checks saying what was skipped and why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/cmd_replay.h"
#include "base/mem.h"

static void on_msrp(void *arg, const struct rpl_msrp_rec *rec)
{
	struct run *run = arg;

	rmsrp_session(&run->ms, run->file, rec);
}

/* Each MSRP request once, for the re-drive script. */
static void on_msrp_req(void *arg, const struct rpl_msrp_req *q)
{
	struct run *run = arg;

	rmsrp_req(&run->ms, q);
}

static void on_pdu(void *arg, enum rpl_kind kind, const struct rpl_pdu *pdu)
{
	struct run *run = arg;

	if ((run->live || run->msgs) && kind == RPL_K_SIP)
		rpl_dlgset_add(&run->dset, run->frame, pdu->ts_us, &pdu->src,
			       &pdu->dst, pdu->data, pdu->len);
	if ((run->live || run->msgs) && kind == RPL_K_RTP)
		rpl_dlgset_add_rtp(&run->dset, run->frame, pdu->ts_us,
				   &pdu->src, &pdu->dst, pdu->data, pdu->len);
	if (run->wr && kind != RPL_K_MSRP)
		rpl_writer_udp(run->wr, pdu->ts_us, &pdu->src, &pdu->dst,
			       pdu->data, pdu->len);
}

static void add_metric(void *arg, const char *name, uint64_t v)
{
	struct run *run = arg;

	if (!strcmp(name, "open_flows_peak") ||
	    !strcmp(name, "open_calls_peak")) {
		if ((double)v > rep_summary_metric_get(run->sum, name))
			rep_summary_metric(run->sum, name, (double)v);
	} else {
		rep_summary_metric_add(run->sum, name, (double)v);
	}
	json_object_set_new(run->fmetrics, name, json_integer((json_int_t)v));
}

static void file_checks(struct run *run, const char *file,
			const struct rpl_stats *st)
{
	if (!st->sip_messages && !st->msrp_messages)
		rep_summary_check(run->sum, "sip found", false,
				  "%s: no SIP or MSRP message in %llu frames "
				  "(%llu not IP or not decodable)", file,
				  (unsigned long long)st->frames,
				  (unsigned long long)st->frames_undecoded);
	if (st->tcp_gaps || st->tcp_skipped_bytes)
		rep_summary_check(run->sum, "tcp complete", false,
				  "%s: %llu TCP gap(s), %llu bytes never "
				  "captured; %llu bytes of partial SIP "
				  "skipped", file,
				  (unsigned long long)st->tcp_gaps,
				  (unsigned long long)st->tcp_gap_bytes,
				  (unsigned long long)st->tcp_skipped_bytes);
	if (st->sip_malformed)
		rep_summary_check(run->sum, "sip decodable", true,
				  "%s: %llu SIP-looking messages did not "
				  "decode and are not counted", file,
				  (unsigned long long)st->sip_malformed);
}

/* --target inproc: this file's calls re-driven through the platform. */
static void redrive(struct run *run, const char *path, double speed)
{
	struct rpl_scn_call *c = run->scn + run->scn_first;
	size_t n = run->nscn - run->scn_first, k, shown = 0, mism = 0;
	struct rpl_drive_res *res;
	struct rpl_drive_sum sum;
	int e;

	if (!n)
		return;
	qsort(c, n, sizeof(*c), rcmd_cmp_start);
	res = mem_zalloc(n * sizeof(*res));
	if (!res)
		return;
	run->plat.err[0] = 0;
	e = rpl_drive_inproc(c, n, speed, &run->plat, res, &sum);
	if (e) {
		rep_summary_check(run->sum, "redrive", false, "%s: re-drive "
				  "stopped: %s", path, run->plat.err[0] ?
				  run->plat.err : strerror(e));
		goto out;
	}
	for (k = 0; k < n; k++) {
		if (!c[k].status) {
			rep_summary_skip(run->sum, "redrive", "%s: %s -> %s: "
					 "no final response in the capture",
					 path, c[k].caller, c[k].callee);
			continue;
		}
		if (c[k].status == 401 || c[k].status == 407) {
			/* the attempt stopped at the challenge (a retry, if
			 * any, was a new dialog); bench UAs answer it */
			rep_summary_skip(run->sum, "redrive", "%s: %s -> %s: "
					 "captured attempt ended at the digest "
					 "challenge (%u); re-driven %u", path,
					 c[k].caller, c[k].callee, c[k].status,
					 res[k].status);
			continue;
		}
		if (res[k].match && shown >= 20)
			continue;	/* one screen: failures always shown */
		shown++;
		mism += !res[k].match;
		rep_summary_check(run->sum, "redrive", res[k].match,
				  "%s: %s -> %s: captured %u, re-driven %u%s%s",
				  path, c[k].caller, c[k].callee, c[k].status,
				  res[k].status, res[k].error[0] ? ": " : "",
				  res[k].error);
	}
	rep_summary_check(run->sum, "redrive cdrs", sum.cdrs == sum.placed,
			  "%s: platform wrote %u CDRs for %zu calls placed "
			  "(%zu agents, %zu registered)", path, sum.cdrs,
			  sum.placed, sum.agents, sum.registered);
	rep_summary_check(run->sum, "redrive media", !sum.answered ||
			  sum.rtp_recv > 0, "%s: %zu answered calls, RTP "
			  "%llu sent, %llu received", path, sum.answered,
			  (unsigned long long)sum.rtp_sent,
			  (unsigned long long)sum.rtp_recv);
	rep_summary_metric_add(run->sum, "redrive_calls", (double)sum.placed);
	rep_summary_metric_add(run->sum, "redrive_matched",
			       (double)sum.matched);
	rep_summary_metric_add(run->sum, "redrive_cdrs", (double)sum.cdrs);
	rep_summary_metric_add(run->sum, "redrive_rtp_received",
			       (double)sum.rtp_recv);
	rep_summary_metric_add(run->sum, "redrive_virtual_s", sum.virtual_s);
out:
	mem_free(res);
}

/* One capture; 0, or 2 when it cannot be opened. */
int rcmd_replay_file(struct run *run, const char *path)
{
	struct rpl_reader *rd = NULL;
	struct rpl *r = NULL;
	struct rpl_cfg cfg = { .call_fn = rcmd_on_call, .pdu_fn = on_pdu,
			       .ua_fn = rcmd_on_ua, .stream_fn = rcmd_on_stream,
			       .msrp_fn = on_msrp, .msrp_req_fn = on_msrp_req };
	char err[512];
	const uint8_t *data;
	size_t caplen, wirelen;
	uint64_t ts, n = 0;
	bool tty = isatty(2);
	int e, rc = 0;
	json_t *fo;

	e = rpl_reader_open(&rd, path, err, sizeof(err));
	if (e) {
		fprintf(stderr, "rtcbench replay: %s\n", err);
		return 2;
	}
	run->file = path;
	run->fmetrics = json_object();
	fo = json_pack("{s:s, s:s}", "file", path, "link_type",
		       rpl_reader_dlt_name(rd));
	if (!rpl_dlt_supported(rpl_reader_dlt(rd))) {
		rep_summary_check(run->sum, "link type", false,
				  "%s: link type %s (%d) not supported: file "
				  "skipped", path, rpl_reader_dlt_name(rd),
				  rpl_reader_dlt(rd));
		goto done;
	}
	cfg.arg = run;
	run->scn_first = run->nscn;
	if (rpl_new(&r, &cfg)) {
		rc = 2;
		goto done;
	}
	run->frame = 0;
	while (!(e = rpl_reader_next(rd, &ts, &data, &caplen, &wirelen))) {
		run->frame++;
		rpl_frame(r, ts, rpl_reader_dlt(rd), data, caplen, wirelen);
		if (tty && !(++n & 0xffff))
			rep_progress(path, (unsigned long)rpl_reader_pos(rd),
				     (unsigned long)rpl_reader_size(rd));
	}
	if (tty && n > 0xffff)
		rep_progress(path, (unsigned long)rpl_reader_size(rd),
			     (unsigned long)rpl_reader_size(rd));
	rpl_finish(r);
	if (e == EBADMSG)
		rep_summary_check(run->sum, "capture complete", false,
				  "%s: cut short after %llu frames (%s): "
				  "rest of the file skipped", path,
				  (unsigned long long)rpl_stats(r)->frames,
				  rpl_reader_err(rd));
	file_checks(run, path, rpl_stats(r));
	if (run->inproc) {
		redrive(run, path, run->speed);
		rmsrp_run_inproc(&run->ms, run->sum, path, &(struct rmsrp_opts){
				 NULL, 0, run->speed, 0, run->can });
	}
	if (run->live) {
		rpl_dlgset_finish(&run->dset);
		if (rlive_run(run->sum, run->dialogs, path, &run->dset,
			      &run->lo, err, sizeof(err)))
			rep_summary_check(run->sum, "live", false, "%s: %s",
					  path, err);
		rpl_dlgset_fini(&run->dset);
		if (run->ms.relay_set)	/* after the file's SIP dialogs */
			rmsrp_run(&run->ms, run->sum, path,
				  &(struct rmsrp_opts){ run->lo.accts,
				  run->lo.nacct, run->speed,
				  run->lo.step_timeout_us, run->can });
		else if (rpl_stats(r)->msrp_sessions)
			rep_summary_skip(run->sum, "msrp", "%s: %llu MSRP "
					 "session(s) not re-driven: give "
					 "--msrp-relay HOST:PORT", path,
					 (unsigned long long)
					 rpl_stats(r)->msrp_sessions);
	}
	if (run->msgs) {
		rpl_dlgset_finish(&run->dset);
		run->plat.err[0] = 0;
		e = rlive_inproc(run->sum, run->dialogs, path, &run->dset,
				 run->speed, run->lo.step_timeout_us,
				 &run->plat);
		if (e)
			rep_summary_check(run->sum, "inproc messages", false,
					  "%s: %s", path, run->plat.err[0] ?
					  run->plat.err : strerror(e));
		rpl_dlgset_fini(&run->dset);
	}
	rpl_stats_foreach(rpl_stats(r), add_metric, run);
	rep_summary_check(run->sum, "dissected", true,
			  "%s: %llu frames, %llu SIP messages, %llu calls, "
			  "%llu RTP streams", path,
			  (unsigned long long)rpl_stats(r)->frames,
			  (unsigned long long)rpl_stats(r)->sip_messages,
			  (unsigned long long)rpl_stats(r)->calls,
			  (unsigned long long)rpl_stats(r)->rtp_streams);
done:
	rcmd_expectations(run, path, run->fmetrics);
	json_object_set_new(fo, "metrics", run->fmetrics);
	json_array_append_new(run->files, fo);
	run->fmetrics = NULL;
	rpl_free(r);
	rpl_reader_close(rd);
	return rc;
}
