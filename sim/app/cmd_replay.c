/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench replay: not built yet. */
#include <stdio.h>
#include "app/cmd.h"

int cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench: 'replay' is not built yet\n");
	return 2;
}
