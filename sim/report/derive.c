/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plots the report draws from metrics, for tools that write figures as
 * metrics only, and the list of plots the report is expected to carry
 * (issue 8: load curves of ours and Kamailio, relay rate against streams,
 * setup-delay CDF, MOS against loss, retention timeline) with where each
 * comes from, so a missing one is named rather than silently absent.
 *
 * Derived series (appended to a summary's "series" in memory):
 *   relay_pps_vs_streams   perf relay: relay_<impl>_<n>_relayed_pps
 *   relay_cpu_vs_streams   perf relay: relay_<impl>_<n>_pkts_per_cpu_s
 *   proxy_cps_vs_load      perf proxy: proxy_<who>_calls_<rate>_per_s
 *   proxy_latency_vs_load  perf proxy: ..._p50_ms and ..._p99_ms
 *   call_mos_vs_loss       run: "<file>:<line> call_mos" / call_loss_pct
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/report_int.h"

#define MAX_LINES 12

struct line {
	char label[48];
	json_t *pts;
};

static int cmp_x(const void *a, const void *b)
{
	double x = json_number_value(json_array_get(*(json_t *const *)a, 0));
	double y = json_number_value(json_array_get(*(json_t *const *)b, 0));

	return x < y ? -1 : x > y;
}

/* Sort a points array by x (metrics come in hash order). */
static void sort_pts(json_t *pts)
{
	size_t n = json_array_size(pts), i;
	json_t **v;

	if (n < 2)
		return;
	v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(pts, i));
	qsort(v, n, sizeof(*v), cmp_x);
	json_array_clear(pts);
	for (i = 0; i < n; i++)
		json_array_append_new(pts, v[i]);
	free(v);
}

static json_t *series(const char *name, const char *title, const char *x,
		      const char *y)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "title",
			 title, "x", x, "y", y, "kind", "line");
}

/*
 * Lines from metrics named PREFIX<impl>MID<n>_<what> (e.g. relay_ours_100_
 * relayed_pps, proxy_refd_calls_200_p99_ms): one line per implementation,
 * labelled impl + tag, points (n, value) sorted by n. Appends to ln.
 */
static void collect(json_t *doc, const char *fmt, const char *what,
		    const char *tag, struct line *ln, size_t *nl)
{
	json_t *metrics = json_object_get(doc, "metrics"), *v;
	size_t i, wl = strlen(what), pl = (size_t)(strchr(fmt, '%') - fmt);
	const char *k;

	json_object_foreach(metrics, k, v) {
		char impl[32], label[48];
		unsigned n;
		int used = 0;
		size_t kl = strlen(k);

		if (strncmp(k, fmt, pl) || kl <= wl ||
		    strcmp(k + kl - wl, what) ||
		    sscanf(k + pl, fmt + pl, impl, &n, &used) != 2 ||
		    pl + (size_t)used + wl - 1 != kl)
			continue;
		snprintf(label, sizeof(label), "%s%s", impl, tag);
		for (i = 0; i < *nl && strcmp(ln[i].label, label); i++)
			;
		if (i == *nl) {
			if (*nl == MAX_LINES)
				continue;
			snprintf(ln[i].label, sizeof(ln[i].label), "%s", label);
			ln[i].pts = json_array();
			(*nl)++;
		}
		json_array_append_new(ln[i].pts, json_pack("[i, f]", (int)n,
						json_number_value(v)));
	}
}

static void lines_series(json_t *out, struct line *ln, size_t nl,
			 const char *name, const char *title, const char *x,
			 const char *y)
{
	json_t *s, *lines;
	size_t i;

	if (!nl)
		return;
	s = series(name, title, x, y);
	lines = json_array();
	for (i = 0; i < nl; i++) {
		sort_pts(ln[i].pts);
		json_array_append_new(lines, json_pack("{s:s, s:o}", "label",
						       ln[i].label, "points",
						       ln[i].pts));
	}
	json_object_set_new(s, "lines", lines);
	json_object_set_new(s, "points", json_array());
	json_array_append_new(out, s);
}

static void relay_series(json_t *doc, json_t *out, const char *what,
			 const char *name, const char *title, const char *y)
{
	struct line ln[MAX_LINES];
	size_t nl = 0;

	collect(doc, "relay_%31[^_]_%u_%n", what, "", ln, &nl);
	lines_series(out, ln, nl, name, title, "concurrent streams", y);
}

/* perf proxy: calls/s and latency against the offered call rate. */
static void proxy_series(json_t *doc, json_t *out)
{
	struct line ln[MAX_LINES];
	size_t nl = 0;

	collect(doc, "proxy_%31[^_]_calls_%u_%n", "_per_s", "", ln, &nl);
	lines_series(out, ln, nl, "proxy_cps_vs_load", "Calls/s completed "
		     "against offered call rate, refd and Kamailio "
		     "(rtcbench perf proxy, SIPp)", "offered calls/s",
		     "completed calls/s");
	nl = 0;
	collect(doc, "proxy_%31[^_]_calls_%u_%n", "_p50_ms", " p50", ln, &nl);
	collect(doc, "proxy_%31[^_]_calls_%u_%n", "_p99_ms", " p99", ln, &nl);
	lines_series(out, ln, nl, "proxy_latency_vs_load", "Call setup "
		     "latency against offered call rate, refd and Kamailio "
		     "(rtcbench perf proxy, SIPp)", "offered calls/s",
		     "INVITE to 200 (ms)");
}

/* "<file>:<line> call_mos" with its "call_loss_pct": one point each. */
static void call_mos(json_t *doc, json_t *out)
{
	json_t *metrics = json_object_get(doc, "metrics"), *v, *s, *pts;
	const char *k;
	char lk[600];

	pts = json_array();
	json_object_foreach(metrics, k, v) {
		size_t kl = strlen(k);
		json_t *l;

		if (kl < 9 || strcmp(k + kl - 9, " call_mos") ||
		    kl - 9 + 14 >= sizeof(lk))
			continue;
		snprintf(lk, sizeof(lk), "%.*s call_loss_pct", (int)(kl - 9),
			 k);
		l = json_object_get(metrics, lk);
		if (l)
			json_array_append_new(pts, json_pack("[f, f]",
						json_number_value(l),
						json_number_value(v)));
	}
	if (json_array_size(pts) < 2) {
		json_decref(pts);
		return;
	}
	sort_pts(pts);
	s = series("call_mos_vs_loss", "E-model MOS of scenario calls "
		   "against their RTP loss (rtcbench run, topology lines)",
		   "RTP loss of the worse direction (%)", "MOS");
	json_object_set_new(s, "points", pts);
	json_array_append_new(out, s);
}

void rep_derive_series(json_t *doc)
{
	json_t *ser = json_object_get(doc, "series");

	if (!json_is_array(ser)) {
		ser = json_array();
		if (!ser || json_object_set_new(doc, "series", ser))
			return;
	}
	relay_series(doc, ser, "_relayed_pps", "relay_pps_vs_streams",
		     "Relayed RTP packets/s against concurrent streams "
		     "(rtcbench perf relay)", "relayed packets/s");
	relay_series(doc, ser, "_pkts_per_cpu_s", "relay_cpu_vs_streams",
		     "Relayed packets per relay CPU-second against streams "
		     "(rtcbench perf relay)", "packets per CPU-second");
	proxy_series(doc, ser);
	call_mos(doc, ser);
}

/* The plots the report must carry, by series name (a prefix). */
static const struct {
	const char *what, *names[3], *how;
} wanted[] = {
	{ "Calls/s against offered load, ours and Kamailio",
	  { "proxy_cps_vs_load", NULL }, "rtcbench perf proxy (make bench)" },
	{ "Call setup latency against offered load, ours and Kamailio",
	  { "proxy_latency_vs_load", NULL },
	  "rtcbench perf proxy (make bench)" },
	{ "Relayed packets/s against streams: ours, rtpengine, plain "
	  "forwarder", { "relay_pps_vs_streams", NULL },
	  "rtcbench perf relay (make bench)" },
	{ "Setup-delay CDF (ns-3)", { "setup_delay_cdf", NULL },
	  "rtcbench perf sim --sweep (make bench)" },
	{ "MOS against loss (ns-3)", { "mos_vs_loss", "call_mos_vs_loss",
	  NULL }, "rtcbench perf sim --sweep, or scenarios/network" },
	{ "Retention timeline (what data existed when)",
	  { "retention-", NULL }, "rtcbench run of a scenario with advance" },
};

size_t rep_coverage(const struct rep_model *m, struct rep_cover *out,
		    size_t max)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]) && n < max; i++) {
		out[n].what = wanted[i].what;
		out[n].how = wanted[i].how;
		out[n].plot = NULL;
		for (j = 0; j < m->nplot && !out[n].plot; j++)
			for (k = 0; wanted[i].names[k] && !out[n].plot; k++)
				if (strstr(m->plot[j].series,
					   wanted[i].names[k]) ==
				    m->plot[j].series && m->plot[j].ok)
					out[n].plot = &m->plot[j];
		n++;
	}
	return n;
}
