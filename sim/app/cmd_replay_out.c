/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench replay, what the run reports: the dissector's calls, user
 * agents and media streams as summary.json arrays (kept calls also feed
 * --scenario and the inproc re-drive), the --scenario file, and the
 * one-screen model printed before the checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "app/cmd_replay.h"
#include "base/buf.h"
#include "base/mem.h"

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

void rcmd_on_call(void *arg, const struct rpl_call_rec *c)
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

int rcmd_cmp_start(const void *a, const void *b)
{
	const struct rpl_scn_call *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

/* --scenario: the captured calls as a .scn for `rtcbench run`. */
int rcmd_write_scenario(struct run *run, const char *path, double speed)
{
	struct buf b;
	FILE *f;
	int e;

	buf_init(&b);
	qsort(run->scn, run->nscn, sizeof(*run->scn), rcmd_cmp_start);
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

void rcmd_on_ua(void *arg, const struct rpl_ua_rec *u)
{
	struct run *run = arg;

	json_array_append_new(run->uas, json_pack("{s:s, s:s, s:I, s:b, s:b}",
		"file", run->file, "aor", u->aor,
		"requests", (json_int_t)u->requests,
		"registering", u->registering, "registered", u->registered));
}

void rcmd_on_stream(void *arg, const struct rpl_stream_rec *st)
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

void rcmd_print_model(struct run *run)
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
