/* SPDX-License-Identifier: BSD-3-Clause */
/* refd: the reference platform daemon. Wiring only: config, cores, driver. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: refd -c FILE\n"
		   "  runs the reference SIP platform in the foreground;\n"
		   "  exit 0 on SIGTERM, 2 on a bad config\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "-c")) {
		usage(stderr);
		return 2;
	}
	fprintf(stderr, "refd: the SIP service is not built yet\n");
	return 2;
}
