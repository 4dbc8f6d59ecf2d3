/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench perf: not built yet. */
#include <stdio.h>
#include "app/cmd.h"

int cmd_perf(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench: 'perf' is not built yet\n");
	return 2;
}
