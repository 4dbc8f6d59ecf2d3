/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench run: not built yet. */
#include <stdio.h>
#include "app/cmd.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench: 'run' is not built yet\n");
	return 2;
}
