/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench perf SUBCOMMAND: a thin dispatcher. Each benchmark lives in its
 * own sim/app/perf_<name>.c and registers one line in subs[]; names listed
 * in planned[] answer that they are not built yet.
 */
#include <stdio.h>
#include <string.h>
#include "app/cmd.h"
#include "app/perf.h"
#include "app/perf_relay.h"

/* perf_msrp takes its own name as argv[0]; the table passes the rest. */
static int msrp_sub(int argc, char **argv)
{
	return perf_msrp(argc + 1, argv - 1);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} subs[] = {
	{ "parse", perf_parse,
	  "SIP decode-to-proxy-ready rate vs GNU oSIP2 [--n N] [--out DIR]" },
	{ "replay", perf_replay, "pcap replay side by side with tshark" },
	{ "redrive", perf_redrive,
	  "live re-drive of N captured calls vs SIPp, through refd" },
	{ "msrp", msrp_sub, "MSRP relay throughput" },
	{ "sim", perf_sim,
	  "proxy + UAs in ns-3: scale run, MOS/setup vs loss [--sweep]" },
	{ "relay", perf_relay, "RTP relay vs rtpengine vs plain forwarder" },
	{ "proxy", perf_proxy,
	  "refd vs Kamailio under SIPp: REGISTER/s, digest, calls/s, CPU/op" },
	{ "conf", perf_conf,
	  "5-party G.711 rooms mixed at 50% of a core vs the relay" },
	{ "load", perf_load,
	  "inproc: 1,000 users register + 100 calls with RTP, vs a 5 s bound" },
};

static const char *const planned[] = { "peers", NULL };

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rtcbench perf SUBCOMMAND [ARGS]\n");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		fprintf(f, "  perf %-8s %s\n", subs[i].name, subs[i].what);
	for (i = 0; planned[i]; i++)
		fprintf(f, "  perf %-8s (not built yet)\n", planned[i]);
}

int cmd_perf(int argc, char **argv)
{
	size_t i;

	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[0], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rtcbench perf: '%s' is not built yet (try: perf "
			"--help)\n", argv[0]);
	return 2;
}
