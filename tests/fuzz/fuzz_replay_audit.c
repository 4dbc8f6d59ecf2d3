/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the storage-audit canary extraction of `rtcbench
 * replay` (sim/replay/rpl_audit.c): byte 0 picks SIP or RTP ('M': MSRP
 * content), the rest is the captured message. The line scans must stay inside the buffer and
 * every canary kept must be at least AUDIT_MIN_LEN bytes (audit refuses
 * shorter ones, so a miscounted length would surface as an abort here).
 */
#include <stdint.h>
#include <stdlib.h>
#include "base/mem.h"
#include "replay/rpl_audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpl_canaries *c = NULL;
	size_t blocks = mem_blocks();

	if (size < 1 || rpl_canaries_new(&c))
		return 0;
	if (data[0] == 'M')
		rpl_canaries_msrp(c, data + 1, size - 1);
	else if (data[0] & 1)
		rpl_canaries_rtp(c, data + 1, size - 1);
	else
		rpl_canaries_sip(c, data + 1, size - 1);
	rpl_canaries_free(c);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
