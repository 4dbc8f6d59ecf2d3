/* SPDX-License-Identifier: BSD-3-Clause */
/* rtcbench audit: not built yet. */
#include <stdio.h>
#include "app/cmd.h"

int cmd_audit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rtcbench: 'audit' is not built yet\n");
	return 2;
}
