/* SPDX-License-Identifier: BSD-3-Clause */
/* refctl: administration of the platform's stores. */
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: refctl -c FILE COMMAND\n"
		   "  account add USER@DOMAIN (--password P | --password-file F) [--email E]\n"
		   "  account delete USER@DOMAIN\n"
		   "  account list [--json]\n"
		   "  purchase add USER@DOMAIN --amount N --name \"...\" --address \"...\"\n"
		   "  purchase list [--json]\n"
		   "  cdr list [--user U] [--json]\n"
		   "  trace list [--user U] [--json]\n"
		   "  message list --user U [--json]\n"
		   "  purge --now ISO8601\n"
		   "  export --user USER@DOMAIN\n");
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 4 || strcmp(argv[1], "-c")) {
		usage(stderr);
		return 2;
	}
	fprintf(stderr, "refctl: '%s' is not built yet\n", argv[3]);
	return 2;
}
