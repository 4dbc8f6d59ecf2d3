/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Traffic for the live backend. The bench user agents (sim/ua) and the
 * live socket driver (ref/io) run them over real loopback sockets; until
 * both are on main every traffic verb reports that it is not supported in
 * this mode yet, naming what is missing.
 */
#include <errno.h>
#include <stdio.h>
#include "scenario/live.h"

int scn_live_traffic(struct scn_ctx *c, const struct scn_traffic *t,
		     char *err, size_t errsz)
{
	(void)c;
	(void)t;
	snprintf(err, errsz, "the bench user agents (sim/ua) are not on "
		 "main yet");
	return ENOTSUP;
}

void scn_live_ua_stop(struct scn_ctx *c)
{
	(void)c;
}
