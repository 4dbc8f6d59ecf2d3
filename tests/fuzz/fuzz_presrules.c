/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the pres-rules evaluator (RFC 5025, xcap_rules.c):
 * the first line of the input is the watcher, the rest the document.
 * Property: the answer is always one of the four sub-handling values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "xcap/xcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size < 200 ? size : 200);
	char watcher[201];
	struct pl doc;
	size_t wl = nl ? (size_t)(nl - data) : 0;
	int r;

	memcpy(watcher, data, wl);
	watcher[wl] = 0;
	doc = pl_from_mem((const char *)data + (nl ? wl + 1 : 0),
			  size - (nl ? wl + 1 : 0));
	r = xcap_pres_rules_eval(&doc, watcher);
	if (r < XCAP_SUB_BLOCK || r > XCAP_SUB_ALLOW)
		abort();
	return 0;
}
