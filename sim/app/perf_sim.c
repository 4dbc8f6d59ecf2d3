/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench perf sim: the platform's SIP core and bench UAs in an ns-3
 * network (sim/ns3/simnet.h). Default: the scale run of 10,000 users
 * registering and 1,000 concurrent calls with media for 60 simulated
 * seconds, timed against ns-3 alone carrying the same datagram count.
 * --sweep adds MOS and setup delay against access-link loss.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "app/cmd.h"
#include "base/cfg.h"
#include "report/summary.h"

#ifdef HAVE_NS3
#include "ns3/simnet.h"

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(const char *why)
{
	fprintf(stderr, "rtcbench perf sim: %s\n"
		"usage: rtcbench perf sim [--users N] [--calls N] "
		"[--duration 60s] [--delay 20ms] [--jitter 0] [--loss 0.01]\n"
		"       [--rate 10Mbps] [--nat full|address|port|symmetric] "
		"[--auth on|off] [--seed N]\n"
		"       [--per-node N] [--sweep] [--no-baseline] "
		"[--pcap PREFIX] [--out DIR]\n", why);
	return 2;
}

/* "20ms", "1.5s", "300us" -> microseconds */
static int parse_us(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return EINVAL;
	if (!strcmp(end, "us"))
		*out = (uint64_t)v;
	else if (!strcmp(end, "ms"))
		*out = (uint64_t)(v * 1e3);
	else if (!strcmp(end, "s") || !*end)
		*out = (uint64_t)(v * 1e6);
	else if (!strcmp(end, "m"))
		*out = (uint64_t)(v * 60e6);
	else
		return EINVAL;
	return 0;
}

static int parse_rate(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return EINVAL;
	if (!strcasecmp(end, "kbps"))
		v *= 1e3;
	else if (!strcasecmp(end, "mbps"))
		v *= 1e6;
	else if (!strcasecmp(end, "gbps"))
		v *= 1e9;
	else if (*end && strcasecmp(end, "bps"))
		return EINVAL;
	*out = (uint64_t)v;
	return 0;
}

static void put_result(struct rep_summary *s, const char *pfx,
		       const struct simnet_result *r)
{
	char k[96];

#define M(name, v) do { snprintf(k, sizeof(k), "%s%s", pfx, name); \
	rep_summary_metric(s, k, (double)(v)); } while (0)
	M("registered", r->reg_ok);
	M("registration_failed", r->reg_failed);
	M("calls_answered", r->calls_ok);
	M("calls_failed", r->calls_failed);
	M("cdrs", r->cdrs);
	M("setup_ms_p50", r->setup_ms_p50);
	M("setup_ms_p95", r->setup_ms_p95);
	M("setup_ms_max", r->setup_ms_max);
	M("rtp_sent", r->rtp_sent);
	M("rtp_received", r->rtp_recv);
	M("rtp_loss_pct", r->loss_pct);
	M("rtp_delay_ms", r->delay_ms_mean);
	M("rtp_jitter_ms", r->jitter_ms_mean);
	M("r_factor", r->r_factor);
	M("mos", r->mos);
	M("sim_datagrams", r->datagrams);
#undef M
}

static int sweep(struct rep_summary *s, const struct simnet_opt *base)
{
	static const double loss[] = { 0, 0.005, 0.01, 0.02, 0.05, 0.1 };
	struct rep_series *mos, *cdf;
	struct simnet_result r;
	struct simnet_opt o = *base;
	char err[160];
	size_t i, k;

	rep_summary_series(s, &mos, "mos_vs_loss",
			   "E-model MOS against access-link loss (ns-3)",
			   "loss per access link (%)", "MOS", "line");
	rep_summary_series(s, &cdf, "setup_delay_cdf",
			   "INVITE to 200 setup delay, 2% loss (ns-3)",
			   "setup delay (ms)", "fraction of calls", "cdf");
	for (i = 0; i < sizeof(loss) / sizeof(loss[0]); i++) {
		o.access.loss = loss[i];
		if (simnet_run(&o, &r, err, sizeof(err))) {
			fprintf(stderr, "rtcbench perf sim: %s\n", err);
			return 2;
		}
		rep_series_point(mos, loss[i] * 100, r.mos);
		if (loss[i] == 0.02)
			for (k = 0; k < r.nsetup; k++)
				rep_series_point(cdf, r.setup_ms[k], 0);
		rep_progress("sweep", (unsigned long)i + 1,
			     sizeof(loss) / sizeof(loss[0]));
		simnet_result_fini(&r);
	}
	return 0;
}

int perf_sim(int argc, char **argv)
{
	struct simnet_opt o;
	struct simnet_result r;
	struct rep_summary *s;
	struct rusage ru;
	const char *out = "results/latest";
	char err[160];
	double t0, t_run, t_base = 0;
	uint64_t base_dlv = 0, seed = 1;
	int i, do_sweep = 0, baseline = 1, rc, scale;

	memset(&o, 0, sizeof(o));
	o.users = 10000;
	o.calls = 1000;
	o.users_per_node = 100;	/* ns-3 demuxes a node's sockets linearly */
	o.call_duration_us = 60000000;
	o.reg_spread_us = 20000000;
	o.call_spread_us = 5000000;
	o.access.delay_us = 20000;
	o.access.rate_bps = 100000000;
	o.core.delay_us = 2000;
	o.core.rate_bps = 1000000000;
	o.auth = true;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;
		if (!strcmp(a, "--sweep")) {
			do_sweep = 1;
			continue;
		}
		if (!strcmp(a, "--no-baseline")) {
			baseline = 0;
			continue;
		}
		if (!v)
			return usage("missing value after an option");
		i++;
		if (!strcmp(a, "--users"))
			o.users = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--calls"))
			o.calls = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--per-node"))
			o.users_per_node = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--duration") && !parse_us(v, &x))
			o.call_duration_us = x;
		else if (!strcmp(a, "--delay") && !parse_us(v, &x))
			o.access.delay_us = x;
		else if (!strcmp(a, "--jitter") && !parse_us(v, &x))
			o.access.jitter_us = x;
		else if (!strcmp(a, "--loss"))
			o.access.loss = strtod(v, NULL);
		else if (!strcmp(a, "--rate") && !parse_rate(v, &x))
			o.access.rate_bps = x;
		else if (!strcmp(a, "--nat"))
			o.nat = v;
		else if (!strcmp(a, "--auth"))
			o.auth = strcmp(v, "off") != 0;
		else if (!strcmp(a, "--pcap"))
			o.pcap_prefix = v;
		else if (!strcmp(a, "--out"))
			out = v;
		else
			return usage("unknown option or bad value");
	}
	if (o.access.loss < 0 || o.access.loss > 1)
		return usage("--loss is a probability between 0 and 1");
	o.seed = seed;
	scale = o.users >= 10000 && o.calls >= 1000 &&
		o.call_duration_us >= 60000000;
	if (rep_summary_new(&s, "perf sim"))
		return 2;
	t0 = wall_s();
	rc = simnet_run(&o, &r, err, sizeof(err));
	t_run = wall_s() - t0;
	if (rc) {
		fprintf(stderr, "rtcbench perf sim: %s\n", err);
		rep_summary_free(s);
		return 2;
	}
	put_result(s, "sim_", &r);
	rep_summary_metric(s, "sim_wall_s", t_run);
	rep_summary_metric(s, "sim_users", o.users);
	rep_summary_metric(s, "sim_calls", o.calls);
	rep_summary_metric(s, "sim_nodes", (double)r.nodes);
	rep_summary_metric(s, "sim_datagrams_per_wall_s",
			   (double)r.datagrams / t_run);
	if (!getrusage(RUSAGE_SELF, &ru))
		rep_summary_metric(s, "sim_peak_rss_mb",
				   (double)ru.ru_maxrss / 1024.0);
	rep_summary_check(s, "sim: every user registered",
			  r.reg_ok == o.users, "%u of %u", r.reg_ok, o.users);
	rep_summary_check(s, "sim: every call answered",
			  r.calls_ok == o.calls, "%u of %u (%u failed)",
			  r.calls_ok, o.calls, r.calls_failed);
	rep_summary_check(s, "sim: one CDR per call",
			  r.cdrs == r.calls_ok + r.calls_failed,
			  "%lu CDRs for %u attempts", (unsigned long)r.cdrs,
			  r.calls_ok + r.calls_failed);
	rep_summary_check(s, "sim: media crossed the network",
			  r.rtp_recv > 0, "%lu of %lu RTP packets arrived%s",
			  (unsigned long)r.rtp_recv, (unsigned long)r.rtp_sent,
			  r.rtp_recv ? "" : o.nat ?
			  " (the NAT blocks media addressed to private "
			  "SDP addresses)" : "");
	if (scale)
		rep_summary_check(s, "sim: scale run within 10 minutes",
				  t_run < 600, "%.1f s wall", t_run);
	if (baseline) {
		t0 = wall_s();
		simnet_echo_baseline(&o, r.datagrams, &base_dlv);
		t_base = wall_s() - t0;
		rep_summary_metric(s, "ns3_echo_datagrams", (double)base_dlv);
		rep_summary_metric(s, "ns3_echo_wall_s", t_base);
		rep_summary_metric(s, "ns3_echo_datagrams_per_wall_s",
				   (double)base_dlv / t_base);
		rep_summary_metric(s, "sim_overhead_ratio",
				   base_dlv ? (t_run / (double)r.datagrams) /
				   (t_base / (double)base_dlv) : 0);
	}
	if (do_sweep) {
		struct simnet_opt so = o;
		so.users = 200;
		so.calls = 50;
		so.users_per_node = 50;
		so.call_duration_us = 20000000;
		so.reg_spread_us = 5000000;
		so.pcap_prefix = NULL;
		if (sweep(s, &so)) {
			rep_summary_free(s);
			return 2;
		}
	}
	simnet_result_fini(&r);
	rep_summary_meta(s, "mode", "sim");
	rep_summary_write(s, out);
	rep_summary_print(s, stdout);
	rc = rep_summary_exit(s);
	rep_summary_free(s);
	return rc;
}
#else
int perf_sim(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench perf sim: built without ns-3 "
		"(install libns3-dev and rebuild)\n");
	return 2;
}
#endif
