/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the store's byte-level parsers: the ISO 8601 time
 * parser (refctl purge --now) and the OpenPGP recogniser that marks
 * messages and files encrypted. Property: a parsed time prints and parses
 * back to the same millisecond.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "store/store.h"
#include "store/store_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], iso[48];
	int64_t us, us2;
	struct pl ct;
	size_t split;

	if (size < sizeof(text) && !memchr(data, 0, size)) {
		memcpy(text, data, size);
		text[size] = '\0';
		/* The printed form has milliseconds: parsing it gives the
		 * time floored to the millisecond (checked from 1970 on;
		 * earlier years may print with a sign the parser refuses). */
		if (store_time_parse(text, &us) == 0 && us >= 0) {
			store_time_iso(us, iso, sizeof(iso));
			if (store_time_parse(iso, &us2) ||
			    us2 != us - us % 1000)
				abort();
		}
	}
	split = size ? data[0] % 64 : 0;
	if (split > size)
		split = size;
	ct = pl_from_mem(data, split);
	(void)store_body_is_pgp(&ct, data + split, size - split);
	return 0;
}
