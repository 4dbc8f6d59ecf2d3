/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench report: not built yet. */
#include <stdio.h>
#include "app/cmd.h"

int cmd_report(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench: 'report' is not built yet\n");
	return 2;
}
