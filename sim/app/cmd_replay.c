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
 * process (rpl_drive.c) and compares each outcome with the capture.
 * --target HOST:PORT re-drives every captured dialog message by message
 * against a live server (replay_live.c, sim/replay/rpl_live.h) with the
 * accounts of --accounts FILE. --scenario FILE writes the captured calls
 * as a scenario (rpl_scn.c) for `rtcbench run`. --speed N divides the
 * captured gaps, --asap drops them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include "app/cmd.h"
#include "app/replay_live.h"
#include "app/replay_audit.h"
#include "base/mem.h"
#include "replay/replay.h"
#include "report/summary.h"

#define MAX_INPUTS 4096

struct expect {
	char file[256];
	char key[64];
	uint64_t val;
	int line;
	bool used;
};

struct run {
	struct rep_summary *sum;
	json_t *calls;		/* calls[] of summary.json */
	json_t *uas;		/* user_agents[] */
	json_t *streams;	/* media_streams[] */
	json_t *files;		/* per-file metrics */
	json_t *fmetrics;	/* metrics of the file being read */
	struct rpl_writer *wr;
	const char *file;
	char *inputs[MAX_INPUTS];
	size_t ninputs;
	struct expect *exp;
	size_t nexp;
	struct rpl_scn_call *scn;	/* calls kept for --scenario */
	size_t nscn;
	bool want_scn;
	unsigned file_idx;
	size_t scn_first;	/* first call of the current file */
	bool inproc;
	bool live;		/* --target HOST:PORT */
	bool msgs;		/* --target inproc --messages */
	struct rlive_opts lo;
	struct rpl_dlgset dset;	/* live: this file's dialogs */
	json_t *dialogs;
	uint32_t frame;
	double speed;
	struct rpl_canaries *can;	/* storage audit (not --target none) */
	char manifest[4096];
};

static void iso(char *buf, size_t sz, uint64_t us)
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, sz, "1970-01-01T00:00:00Z");
		return;
	}
	snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000u / 1000u));
}

static json_t *time_or_null(uint64_t us)
{
	char b[80];

	if (!us)
		return json_null();
	iso(b, sizeof(b), us);
	return json_string(b);
}

static void on_call(void *arg, const struct rpl_call_rec *c)
{
	struct run *run = arg;
	char a[RPL_EP_STRLEN], b[RPL_EP_STRLEN];
	double dur = 0;
	json_t *o;

	if (c->answer_us && c->end_us > c->answer_us)
		dur = (double)(c->end_us - c->answer_us) / 1e6;
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:f, s:i}",
		      "call_id", c->call_id, "caller", c->caller,
		      "callee", c->callee, "start", time_or_null(c->start_us),
		      "answer", time_or_null(c->answer_us),
		      "end", time_or_null(c->end_us), "duration_s",
		      (double)(int64_t)(dur * 1000 + 0.5) / 1000,
		      "status", (json_int_t)c->status);
	if (!o)
		return;
	json_object_set_new(o, "file", json_string(run->file));
	json_object_set_new(o, "signalling", json_pack("[s,s]",
		rpl_ep_str(&c->sig_src, a, sizeof(a)),
		rpl_ep_str(&c->sig_dst, b, sizeof(b))));
	json_object_set_new(o, "media", json_pack("[s,s]",
		c->media[0].af ? rpl_ep_str(&c->media[0], a, sizeof(a)) : "",
		c->media[1].af ? rpl_ep_str(&c->media[1], b, sizeof(b)) : ""));
	json_object_set_new(o, "media_packets",
			    json_integer(c->media_pkts));
	json_object_set_new(o, "srtp", json_boolean(c->srtp));
	json_array_append_new(run->calls, o);
	if (run->want_scn) {
		struct rpl_scn_call *sc = mem_realloc(run->scn, (run->nscn + 1)
						      * sizeof(*sc));

		if (!sc)
			return;
		run->scn = sc;
		sc += run->nscn;
		sc->caller = mem_strdup(c->caller);
		sc->callee = mem_strdup(c->callee);
		sc->start_us = c->start_us;
		sc->duration_s = dur;
		sc->status = c->status;
		sc->group = run->file_idx;
		if (sc->caller && sc->callee) {
			run->nscn++;
		} else {
			mem_free((char *)sc->caller);
			mem_free((char *)sc->callee);
		}
	}
}

static int cmp_start(const void *a, const void *b)
{
	const struct rpl_scn_call *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

/* --scenario: the captured calls as a .scn for `rtcbench run`. */
static int write_scenario(struct run *run, const char *path, double speed)
{
	struct buf b;
	FILE *f;
	int e;

	buf_init(&b);
	qsort(run->scn, run->nscn, sizeof(*run->scn), cmp_start);
	e = rpl_scn_write(&b, "re-drive of captured calls", run->scn,
			  run->nscn, speed);
	if (!e) {
		f = fopen(path, "w");
		if (!f || fwrite(b.data, 1, b.len, f) != b.len)
			e = errno ? errno : EIO;
		if (f && fclose(f) && !e)
			e = errno;
	}
	buf_fini(&b);
	return e;
}

static void on_ua(void *arg, const struct rpl_ua_rec *u)
{
	struct run *run = arg;

	json_array_append_new(run->uas, json_pack("{s:s, s:s, s:I, s:b, s:b}",
		"file", run->file, "aor", u->aor,
		"requests", (json_int_t)u->requests,
		"registering", u->registering, "registered", u->registered));
}

static void on_stream(void *arg, const struct rpl_stream_rec *st)
{
	struct run *run = arg;
	char a[RPL_EP_STRLEN], b[RPL_EP_STRLEN], ssrc[16];
	json_t *pts = json_array();
	int pt;

	for (pt = 0; pt < 128; pt++)
		if (st->pt_seen[pt / 8] & (1u << (pt % 8)))
			json_array_append_new(pts, json_integer(pt));
	snprintf(ssrc, sizeof(ssrc), "0x%08X", st->ssrc);
	json_array_append_new(run->streams, json_pack(
		"{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:b, s:b}",
		"file", run->file, "src", rpl_ep_str(&st->src, a, sizeof(a)),
		"dst", rpl_ep_str(&st->dst, b, sizeof(b)), "ssrc", ssrc,
		"packets", (json_int_t)st->packets, "payload_types", pts,
		"first", time_or_null(st->first_us),
		"last", time_or_null(st->last_us), "sdp", st->sdp,
		"srtp", st->srtp));
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
	if (run->can && kind == RPL_K_SIP)
		rpl_canaries_sip(run->can, pdu->data, pdu->len);
	if (run->can && kind == RPL_K_RTP)
		rpl_canaries_rtp(run->can, pdu->data, pdu->len);
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

static bool capture_name(const char *n)
{
	size_t l = strlen(n);
	const char *ext[] = { ".pcap", ".pcapng", ".cap", ".gz" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (l > strlen(ext[i]) && !strcmp(n + l - strlen(ext[i]),
						  ext[i]))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_input(struct run *run, const char *path)
{
	if (run->ninputs == MAX_INPUTS) {
		fprintf(stderr, "rtcbench replay: more than %d captures\n",
			MAX_INPUTS);
		return 2;
	}
	run->inputs[run->ninputs] = mem_strdup(path);
	if (!run->inputs[run->ninputs])
		return 2;
	run->ninputs++;
	return 0;
}

/* MANIFEST: "FILE key=value ..." lines, '#' comments. */
static int read_manifest(struct run *run, const char *dir, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[2048], *save, *tok, *eq, *end;
	int ln = 0, rc = 0;

	if (!f)
		return 0;
	snprintf(run->manifest, sizeof(run->manifest), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char file[256];

		ln++;
		if ((tok = strchr(line, '#')))
			*tok = 0;
		tok = strtok_r(line, " \t\r\n", &save);
		if (!tok)
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, tok);
		while ((tok = strtok_r(NULL, " \t\r\n", &save))) {
			struct expect *e;

			eq = strchr(tok, '=');
			if (!eq || eq == tok || (size_t)(eq - tok) >= 64) {
				fprintf(stderr, "%s:%d: '%s': want key=value\n",
					path, ln, tok);
				rc = 2;
				goto out;
			}
			e = mem_realloc(run->exp, (run->nexp + 1) *
					sizeof(*e));
			if (!e) {
				rc = 2;
				goto out;
			}
			run->exp = e;
			e = &run->exp[run->nexp];
			memset(e, 0, sizeof(*e));
			snprintf(e->file, sizeof(e->file), "%s", file);
			memcpy(e->key, tok, (size_t)(eq - tok));
			errno = 0;
			e->val = strtoull(eq + 1, &end, 10);
			if (errno || end == eq + 1 || *end) {
				fprintf(stderr, "%s:%d: %s: not a count\n",
					path, ln, e->key);
				rc = 2;
				goto out;
			}
			e->line = ln;
			run->nexp++;
		}
	}
out:
	fclose(f);
	return rc;
}

static int add_path(struct run *run, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	size_t first = run->ninputs;
	char full[4096], man[4096];
	int rc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "rtcbench replay: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	if (!S_ISDIR(st.st_mode))
		return add_input(run, path);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "rtcbench replay: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !capture_name(de->d_name))
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		rc = add_input(run, full);
	}
	closedir(d);
	if (rc)
		return rc;
	qsort(run->inputs + first, run->ninputs - first, sizeof(char *),
	      cmp_str);
	snprintf(man, sizeof(man), "%s/MANIFEST", path);
	return read_manifest(run, path, man);
}

static void expectations(struct run *run, const char *file, json_t *fm)
{
	size_t i;

	for (i = 0; i < run->nexp; i++) {
		struct expect *e = &run->exp[i];
		json_t *v;
		uint64_t got;

		if (strcmp(e->file, file))
			continue;
		e->used = true;
		v = json_object_get(fm, e->key);
		got = v ? (uint64_t)json_integer_value(v) : 0;
		rep_summary_check(run->sum, "manifest", got == e->val,
				  "%s: %s = %llu expected (%s:%d), found %llu",
				  file, e->key, (unsigned long long)e->val,
				  run->manifest, e->line,
				  (unsigned long long)got);
	}
}

static void file_checks(struct run *run, const char *file,
			const struct rpl_stats *st)
{
	if (!st->sip_messages)
		rep_summary_check(run->sum, "sip found", false,
				  "%s: no SIP message in %llu frames "
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
	qsort(c, n, sizeof(*c), cmp_start);
	res = mem_zalloc(n * sizeof(*res));
	if (!res)
		return;
	e = rpl_drive_inproc(c, n, speed, res, &sum);
	if (e) {
		rep_summary_check(run->sum, "redrive", false, "%s: re-drive "
				  "stopped: %s", path, strerror(e));
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
static int replay_file(struct run *run, const char *path)
{
	struct rpl_reader *rd = NULL;
	struct rpl *r = NULL;
	struct rpl_cfg cfg = { .call_fn = on_call, .pdu_fn = on_pdu,
			       .ua_fn = on_ua, .stream_fn = on_stream };
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
	if (run->inproc)
		redrive(run, path, run->speed);
	if (run->live) {
		rpl_dlgset_finish(&run->dset);
		if (rlive_run(run->sum, run->dialogs, path, &run->dset,
			      &run->lo, err, sizeof(err)))
			rep_summary_check(run->sum, "live", false, "%s: %s",
					  path, err);
		rpl_dlgset_fini(&run->dset);
	}
	if (run->msgs) {
		rpl_dlgset_finish(&run->dset);
		if (rlive_inproc(run->sum, run->dialogs, path, &run->dset,
				 run->speed, run->lo.step_timeout_us))
			rep_summary_check(run->sum, "inproc messages", false,
					  "%s: out of memory", path);
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
	expectations(run, path, run->fmetrics);
	json_object_set_new(fo, "metrics", run->fmetrics);
	json_array_append_new(run->files, fo);
	run->fmetrics = NULL;
	rpl_free(r);
	rpl_reader_close(rd);
	return rc;
}

static void print_model(struct run *run)
{
	size_t i, n = json_array_size(run->calls);
	json_t *c;

	printf("replay: %zu capture(s); SIP messages %.0f, calls %.0f "
	       "(answered %.0f), user agents %.0f, registrations %.0f, "
	       "RTP streams %.0f (%.0f packets), MSRP messages %.0f\n",
	       run->ninputs, rep_summary_metric_get(run->sum, "sip_messages"),
	       rep_summary_metric_get(run->sum, "calls"),
	       rep_summary_metric_get(run->sum, "calls_answered"),
	       rep_summary_metric_get(run->sum, "user_agents"),
	       rep_summary_metric_get(run->sum, "registrations"),
	       rep_summary_metric_get(run->sum, "rtp_streams"),
	       rep_summary_metric_get(run->sum, "rtp_packets"),
	       rep_summary_metric_get(run->sum, "msrp_messages"));
	for (i = 0; i < n && i < 8; i++) {
		c = json_array_get(run->calls, i);
		printf("  call %s -> %s  status %lld  %.3f s\n",
		       json_string_value(json_object_get(c, "caller")),
		       json_string_value(json_object_get(c, "callee")),
		       (long long)json_integer_value(json_object_get(c,
								     "status")),
		       json_real_value(json_object_get(c, "duration_s")));
	}
	if (n > 8)
		printf("  ... %zu more calls in summary.json\n", n - 8);
}

static int usage(const char *why)
{
	fprintf(stderr, "rtcbench replay: %s\nusage: rtcbench replay PCAP... "
		"[--target none|inproc|HOST:PORT] [--out DIR] "
		"[--write OUT.pcap] [--scenario OUT.scn] [--speed N|--asap]\n"
		"  live: --target HOST:PORT --accounts FILE [--transport "
		"udp|tcp|tls]\n        [--step-timeout SECONDS] "
		"[--allow-remote] [--tls-cert PEM --tls-key PEM]\n"
		"  inproc: [--messages] (also re-drive message by message)\n"
		"  audit after the re-drive: [--data-dir DIR]\n",
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
	for (i = 0; i < argc && !rc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return usage("dissect captures and report"), 0;
		if ((lk = rlive_cli_arg(&lc, argc, argv, &i))) {
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
			rc = add_path(&run, a);
		}
	}
	if (!rc && !run.ninputs)
		rc = usage("no capture given");
	if (!rc && strcmp(target, "none") && strcmp(target, "inproc"))
		rc = (run.live = true, rlive_setup(&lc, target, &run.lo));
	if (rc)
		goto out;
	if (wpath && rpl_writer_open(&run.wr, wpath, err, sizeof(err))) {
		fprintf(stderr, "rtcbench replay: %s\n", err);
		rc = 2;
		goto out;
	}
	run.inproc = !strcmp(target, "inproc");
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
	for (k = 0; k < run.ninputs && !rc; k++) {
		run.file_idx = (unsigned)k;
		rc = replay_file(&run, run.inputs[k]);
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
		raud_report(run.sum, run.can, ddir, run.inproc ?
			    "the in-process platform keeps its store in memory"
			    ", no data_dir; give --data-dir DIR" :
			    "no --data-dir");
	if (run.wr) {
		uint64_t wn = rpl_writer_count(run.wr);

		rep_summary_check(run.sum, "write", !rpl_writer_close(run.wr),
				  "%s: %llu messages written", wpath,
				  (unsigned long long)wn);
		run.wr = NULL;
	}
	if (spath) {
		int se = write_scenario(&run, spath, speed);

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
	print_model(&run);
	if ((i = rep_summary_write(run.sum, out))) {
		fprintf(stderr, "rtcbench replay: cannot write %s/summary.json: "
			"%s\n", out, strerror(i));
		rc = 2;
		goto out;
	}
	rep_summary_print(run.sum, stdout);
	rc = rep_summary_exit(run.sum);
out:
	rpl_writer_close(run.wr);
	json_decref(run.calls);
	json_decref(run.files);
	json_decref(run.uas);
	json_decref(run.streams);
	json_decref(run.dialogs);
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
