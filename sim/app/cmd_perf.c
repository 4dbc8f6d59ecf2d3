/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench perf: not built yet. */
#include <stdio.h>
#include <string.h>
#include "app/cmd.h"

int cmd_perf(int argc, char **argv)
{
	if (argc > 0 && !strcmp(argv[0], "replay"))
		return perf_replay(argc - 1, argv + 1);
	if (argc > 0 && !strcmp(argv[0], "msrp"))
		return perf_msrp(argc, argv);
	fprintf(stderr, "rtcbench: 'perf' is not built yet\n");
	return 2;
}
