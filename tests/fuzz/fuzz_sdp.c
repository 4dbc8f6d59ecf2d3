/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the SDP decoder, rewrite and encoder. Besides "no
 * crash, no out-of-bounds read", it checks two properties: a rewrite that
 * keeps every m-line returns the body unchanged, and a relay rewrite of a
 * body that decoded decodes again with the same number of m-lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sdp_session s, s2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pl body = pl_from_mem(data, size), pl;
	struct sdp_rw rw;
	struct buf out;
	size_t i;

	if (sdp_decode(&s, &body))
		return 0;
	(void)sdp_session_sec(&s);
	(void)sdp_session_hold(&s);

	memset(&rw, 0, sizeof(rw));
	buf_init(&out);
	if (sdp_rewrite(&s, &rw, &out) ||
	    out.len != size || (size && memcmp(out.data, data, size)))
		abort();
	buf_reset(&out);

	rw.media_cnt = s.media_cnt;
	rw.origin_addr = PL("2001:db8::7");
	rw.strip_ice = size & 1;
	for (i = 0; i < s.media_cnt; i++) {
		rw.media[i].keep = (i % 3) == 2;
		rw.media[i].addr = (i & 1) ? PL("127.0.0.1") : PL("::1");
		rw.media[i].port = (uint16_t)(40000 + 2 * i);
		rw.media[i].rtcp_port = s.media[i].rtcp_mux ?
					rw.media[i].port : 0;
	}
	if (sdp_rewrite(&s, &rw, &out))
		abort();
	pl = buf_pl(&out);
	if (sdp_decode(&s2, &pl) || s2.media_cnt != s.media_cnt)
		abort();
	buf_reset(&out);
	if (sdp_encode(&out, &s))
		abort();
	buf_fini(&out);
	return 0;
}
