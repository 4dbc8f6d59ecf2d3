/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for SIP stream framing. The input is fed to the
 * resumable framer in chunks (sizes taken from the first byte) and must
 * give the same verdict and frame length as one call over the whole
 * input; every frame found must lie inside the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sip_msg m;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_framer fr;
	size_t skip = 0, len = 0, skip2 = 0, len2 = 0, have, step;
	int err, err2 = ENODATA;

	if (!size)
		return 0;
	step = (size_t)(data[0] % 32) + 1;
	data++;
	size--;
	err = sip_frame(data, size, 4096, &skip, &len);
	if (!err) {
		if (skip + len > size)
			abort();
		(void)sip_msg_decode(&m, data + skip, len);
	}
	sip_framer_init(&fr, 4096, UINT32_MAX);
	for (have = 0; have < size && err2 == ENODATA;) {
		have = have + step > size ? size : have + step;
		err2 = sip_framer_input(&fr, data, have, &skip2, &len2);
	}
	if (size && err2 != err)
		abort();
	if (!err && (skip2 != skip || len2 != len))
		abort();
	return 0;
}
