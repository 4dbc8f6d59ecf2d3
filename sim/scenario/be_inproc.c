/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-process backend: the ref cores and the bench user agents in this
 * process on the virtual network (sim/inproc), against a temporary
 * data_dir. It can only run what is on main: each operation left NULL
 * makes its step fail with "not supported in mode inproc yet".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "scenario/run_steps.h"

static int inproc_start(struct scn_ctx *c, char *err, size_t errsz)
{
	if (mkdir(c->data_dir, 0700) && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", c->data_dir, strerror(errno));
		return errno;
	}
	snprintf(c->capture_why, sizeof(c->capture_why),
		 "no virtual link captured in mode %s yet", c->o->mode);
	return 0;
}

const struct scn_be_ops scn_be_inproc = {
	.mode = "inproc",
	.start = inproc_start,
};
