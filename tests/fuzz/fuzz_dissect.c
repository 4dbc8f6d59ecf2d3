/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the trace dissector: raw captured frames through
 * link -> IP (fragments, tunnels) -> UDP/TCP/SCTP -> WebSocket/TLS ->
 * SIP/SDP/RTP/MSRP and the dialog model. The input is a sequence of
 * frames so that reassembly across frames is reached:
 *   [link-type index][length hi][length lo][frame bytes]...
 * The link-type index picks one of the supported types; timestamps grow
 * by an amount taken from the length bytes, so idle sweeps also run.
 * Must never crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "base/mem.h"
#include "replay/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	RPL_DLT_EN10MB, RPL_DLT_LINUX_SLL, RPL_DLT_LINUX_SLL2, RPL_DLT_RAW,
	RPL_DLT_NULL, RPL_DLT_LOOP, RPL_DLT_PPP, RPL_DLT_C_HDLC,
};

static void on_call(void *arg, const struct rpl_call_rec *rec)
{
	(void)arg;
	/* touch every string: they must be valid */
	if (!rec->call_id[0] && !rec->caller[0] && !rec->callee[0])
		return;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpl_cfg cfg = { .call_fn = on_call };
	struct rpl *r = NULL;
	int64_t blocks = mem_blocks();
	uint64_t ts = 1000000;
	size_t n;
	uint8_t *copy;

	if (rpl_new(&r, &cfg))
		return 0;
	while (size >= 3) {
		int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];

		n = (size_t)data[1] << 8 | data[2];
		ts += (uint64_t)(data[1] & 0x7f) * 500000u;
		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		/* an exact-size heap copy so ASan sees any overread */
		copy = malloc(n ? n : 1);
		if (!copy)
			break;
		if (n)
			__builtin_memcpy(copy, data, n);
		rpl_frame(r, ts, dlt, copy, n, n);
		free(copy);
		data += n;
		size -= n;
	}
	rpl_finish(r);
	rpl_free(r);
	if (mem_blocks() != blocks)
		abort();
	return 0;
}
