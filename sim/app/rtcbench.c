/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench: the test bench's command-line entry point and dispatcher. */
#include <stdio.h>
#include <string.h>
#include "app/cmd.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
} cmds[] = {
	{ "replay", cmd_replay,
	  "replay PCAP... [--target none|inproc|HOST:PORT] [--out DIR]" },
	{ "run", cmd_run,
	  "run PATH... [--mode inproc|live|sim] [--out DIR] [--junit FILE] "
	  "[--seed N]" },
	{ "audit", cmd_audit, "audit -c FILE [--at ISO8601] [--canary S]..." },
	{ "perf", cmd_perf, "perf [parse|...] [--peers] [--out DIR]" },
	{ "report", cmd_report, "report DIR" },
	{ "sipcheck", cmd_sipcheck, "sipcheck FILE... [--json]" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rtcbench COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  rtcbench %s\n", cmds[i].usage);
	fprintf(f, "\nexit codes: 0 every check passed, 1 a check failed, "
		   "2 bad usage or input\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "rtcbench: unknown command '%s' (try --help)\n",
		argv[1]);
	return 2;
}
