/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the SIP unit suites: read fixtures, compare slices. */
#ifndef TESTS_SIP_TESTUTIL_H
#define TESTS_SIP_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/mem.h"
#include "base/pl.h"

/* Whole file into a mem_alloc'd buffer; NULL on failure. */
static inline uint8_t *tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = mem_alloc((size_t)n + 1);
	if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
		mem_free(d);
		d = NULL;
	}
	fclose(f);
	if (d)
		*len = (size_t)n;
	return d;
}

#define assert_pl(x, str) do { \
	struct pl _p = (x); \
	if (!pl_eq_str(&_p, (str))) \
		fail_msg("'%.*s' != '%s'", PL_ARG(_p), (str)); \
	} while (0)

#endif
