/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the scenario parser (sim/scenario/scn.c): any bytes
 * either parse into steps or fail with a "FILE:LINE: reason" message; no
 * crash, no leak of mem_ blocks.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "base/mem.h"
#include "scenario/scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t blocks = mem_blocks();
	struct scn *s = NULL;
	char err[256];
	size_t i;
	int rc;

	rc = scn_parse(&s, "fuzz.scn", (const char *)data, size, err,
		       sizeof(err));
	if (rc == 0) {
		for (i = 0; i < s->cnt; i++) {
			(void)scn_opt(&s->steps[i], "canary");
			(void)scn_opt_dur_us(&s->steps[i], "duration", 0);
			(void)scn_verb_name(s->steps[i].verb);
		}
		scn_free(s);
	} else if (rc == EBADMSG && strncmp(err, "fuzz.scn:", 9)) {
		abort();
	}
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
