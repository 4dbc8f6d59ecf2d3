/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench sipcheck: not built yet. */
#include <stdio.h>
#include "app/cmd.h"

int cmd_sipcheck(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench: 'sipcheck' is not built yet\n");
	return 2;
}
